"""Layers: GeoDataFrame in, folium layer out (inline data, tiny synthetic geometries)."""

from __future__ import annotations

import gzip
import json

import geopandas as gpd
import pytest
import shapely

from layers.acv import acv_layer
from layers.basemap import basemap_layer
from layers.epci import epci_layer
from layers.geojson import InlineData, StaticFiles, parse_tooltip
from layers.legend import legend_html
from layers.palette import LAYER_COLORS
from layers.pvd import pvd_layer


@pytest.fixture
def epci():
    """Two adjacent EPCI squares, one with a hostile name."""
    return gpd.GeoDataFrame(
        {
            "siren_epci": ["200029999", "240100883"],
            "nom": ["CC A", "<img src=x onerror=alert(1)>"],
            "insee_dep": ["01", "42"],
        },
        geometry=[shapely.box(4, 45, 5, 46), shapely.box(5, 45, 6, 46)],
        crs="EPSG:4326",
    )


def test_epci_layer_carries_every_feature_and_its_filter(epci):
    layer = epci_layer(epci, InlineData(), departements=["42"], highlight="240100883")
    spec = layer.spec_js
    assert len(spec["data"]["features"]) == 2
    assert spec["filters"] == {"insee_dep": ["42"]} and spec["highlight"] == "240100883"
    assert set(spec["data"]["features"][0]["properties"]) == {"siren_epci", "nom", "insee_dep"}


def test_layer_refuses_data_not_in_wgs84(epci):
    with pytest.raises(ValueError, match="EPSG:4326"):
        epci_layer(epci.to_crs("EPSG:2154"), InlineData())


def test_layer_names_a_missing_column(epci):
    with pytest.raises(ValueError, match=r"missing column\(s\) \['nom'\]"):
        epci_layer(epci.drop(columns="nom"), InlineData())


def test_hostile_text_never_reaches_the_script_unescaped(epci):
    layer = epci_layer(epci, InlineData())
    html = layer._template.module.script(epci_layer(epci, InlineData()), {})
    assert "<img" not in html  # tojson escapes < and > inside the script


def test_static_files_are_content_addressed_and_written_once(epci, tmp_path):
    store = StaticFiles(tmp_path)
    first = store.put(epci, "epci")
    again = store.put(epci.copy(), "epci")
    changed = store.put(epci.assign(nom="autre"), "epci")
    assert first == again and first != changed
    files = sorted((tmp_path / "data").glob("epci-*.geojson"))
    assert len(files) == 2 and len(store.written) == 2
    assert json.loads(files[0].read_text())["type"] == "FeatureCollection"
    assert first["url"].startswith("/app/static/data/epci-")


def test_the_app_store_writes_gzip_files_the_server_sends_as_they_are(epci, tmp_path):
    where = StaticFiles(tmp_path, gzip=True).put(epci, "epci")
    (path,) = (tmp_path / "data").glob("epci-*.geojson.gz")
    assert where["url"] == f"/app/static/data/{path.name}"
    plain = StaticFiles(tmp_path / "plain").put(epci, "epci")  # same content, same name
    assert plain["url"] + ".gz" == where["url"]
    collection = json.loads(gzip.decompress(path.read_bytes()))
    assert len(collection["features"]) == len(epci)


def test_tooltip_text_is_parsed_back_to_kind_and_id():
    assert parse_tooltip("Roannais Agglomération — EPCI 200035731") == ("EPCI", "200035731")
    assert parse_tooltip("Cluster — textile — Étude de cas roannais-textile") == (
        "Étude de cas",
        "roannais-textile",
    )
    assert parse_tooltip("une carte") is None and parse_tooltip(None) is None


def test_legend_lists_the_drawn_layers_and_escapes_text(epci):
    spec = epci_layer(epci, InlineData()).spec
    html = legend_html([spec], "Sources : IGN <INSEE>")
    assert "EPCI" in html and "&lt;INSEE&gt;" in html and "<INSEE>" not in html


def test_basemap_none_adds_no_tiles_and_unknown_is_an_error():
    assert basemap_layer("aucun") is None
    assert "geopf" in basemap_layer("ign").tiles
    with pytest.raises(ValueError, match="expected one of"):
        basemap_layer("google")


def test_legend_shows_each_point_layer_in_its_marker_colour():
    towns = gpd.GeoDataFrame(
        {
            "insee_com": ["42187", "01053"],
            "nom_commune": ["Roanne", "Bourg-en-Bresse"],
            "insee_dep": ["42", "01"],
            "phase": ["2018", "2018"],
        },
        geometry=[shapely.Point(4.07, 46.04), shapely.Point(5.22, 46.2)],
        crs="EPSG:4326",
    )
    acv = acv_layer(towns, InlineData()).spec
    pvd = pvd_layer(towns, InlineData()).spec
    html = legend_html([acv, pvd], "Sources")
    assert f"background:{LAYER_COLORS['acv']}" in html
    assert f"background:{LAYER_COLORS['pvd']}" in html
    assert LAYER_COLORS["acv"] != LAYER_COLORS["pvd"]
    assert "regroupe les points proches" in html  # PVD is clustered, and the legend says so
