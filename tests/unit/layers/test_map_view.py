"""The map keeps the reader's place, draws the scope, folds its legend, shows both ACV phases."""

from __future__ import annotations

import geopandas as gpd
import shapely

from layers.acv import acv_layer
from layers.compose import MapView, compose_map
from layers.geojson import InlineData
from layers.legend import legend_html
from layers.palette import LAYER_COLORS


def _scripts(m) -> str:
    return m.get_root().render()


def test_a_keyed_view_restores_the_readers_place_and_an_unkeyed_one_fits():
    bounds = [[45.0, 3.0], [46.0, 4.0]]
    keyed = _scripts(
        compose_map({}, MapView(layers=(), bounds=bounds, fit_key="reg=84|sel=1:x"), InlineData())[
            0
        ]
    )
    assert "sessionStorage" in keyed and '"reg=84|sel=1:x"' in keyed
    assert "atlas.fitView" in keyed  # a new key still fits the bounds
    plain = _scripts(compose_map({}, MapView(layers=(), bounds=bounds), InlineData())[0])
    assert "sessionStorage" not in plain and "atlas.fitView" in plain  # the embed: always fits


def test_the_scope_outline_is_drawn_dashed_and_not_clickable():
    shape = gpd.GeoDataFrame(
        {"id": ["84"], "name": ["Auvergne-Rhône-Alpes"]},
        geometry=[shapely.box(3, 45, 4, 46)],
        crs="EPSG:4326",
    )
    m, drawn, _ = compose_map({}, MapView(layers=(), scope=shape), InlineData())
    html = _scripts(m)
    assert '"name": "scope"' in html and '"dashArray": "8 6"' in html
    assert '"interactive": false' in html
    assert drawn == []  # an outline, not a layer of the legend


def test_the_legend_folds_and_names_both_acv_phases():
    towns = gpd.GeoDataFrame(
        {
            "insee_com": ["42187", "42187", "01053"],
            "nom_commune": ["Roanne", "Roanne", "Bourg-en-Bresse"],
            "insee_dep": ["42", "42", "01"],
            "phase": ["2018", "2023", "2018"],
        },
        geometry=[shapely.Point(4.07, 46.04)] * 2 + [shapely.Point(5.22, 46.2)],
        crs="EPSG:4326",
    )
    layer = acv_layer(towns, InlineData())
    html = legend_html([layer.spec], "Sources")
    assert html.startswith("<details open") and "<summary>Légende</summary>" in html
    assert "ACV : phase 2018" in html and "ACV : phase 2023" in html
    shades = set(layer.spec.colors.values())
    assert len(shades) == 2 and LAYER_COLORS["acv"] in shades
    features = layer.spec_js["data"]["features"]
    assert [f["properties"]["phase_label"] for f in features] == [
        "phase 2018",
        "phase 2018",
        "phase 2023",  # the later phase drawn last, on top
    ]


def test_a_narrow_map_opens_with_its_legend_folded():
    m, _, _ = compose_map({}, MapView(layers=()), InlineData())
    html = _scripts(m)
    assert "matchMedia('(max-width: 600px)')" in html and "d.open = false" in html
