"""The Pays / PETR layer: national PETR and the Pays of the documents, told apart."""

from __future__ import annotations

import geopandas as gpd
import shapely

from geodata.model.pays import CURATED_LABEL, with_national_petr
from layers.geojson import InlineData
from layers.legend import legend_html
from layers.palette import LAYER_COLORS
from layers.pays import CURATED_COLOR, pays_layer


def _frames() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    pays = gpd.GeoDataFrame(
        {
            "pays_id": ["pays-langres"],
            "nom": ["Pays de Langres"],
            "members": ["200029999"],
            "population": [100],
        },
        geometry=[shapely.box(5, 47, 6, 48)],
        crs="EPSG:4326",
    )
    petr = gpd.GeoDataFrame(
        {
            "pays_id": ["pays-200042083", "pays-200052249"],
            "siren": ["200042083", "200052249"],
            "nom": ["PETR du Bugey", "PETR <b>Voisin</b>"],
            "members": ["240100883", "200040350"],
            "population": [3500, 400],
        },
        geometry=[shapely.box(4, 45, 5, 46), shapely.box(5, 45, 6, 46)],
        crs="EPSG:4326",
    )
    return pays, petr


def test_curated_pays_are_drawn_on_top_in_their_own_colour_and_say_so():
    both = with_national_petr(*_frames())

    layer = pays_layer(both, InlineData())

    spec = layer.spec_js
    props = [f["properties"] for f in spec["data"]["features"]]
    assert [p["pays_id"] for p in props] == ["pays-200042083", "pays-200052249", "pays-langres"]
    assert props[-1]["label"] == f"Pays de Langres ({CURATED_LABEL})"
    assert props[0]["label"] == "PETR du Bugey"  # a PETR's name, as BANATIC writes it
    assert spec["colorBy"] == "origine"
    assert spec["colors"][props[-1]["origine"]] == CURATED_COLOR
    assert spec["colors"][props[0]["origine"]] == LAYER_COLORS["pays"]
    assert CURATED_LABEL in legend_html([layer.spec], "DGCL, BANATIC")


def test_without_petr_only_the_curated_pays_are_drawn():
    pays, _ = _frames()
    layer = pays_layer(with_national_petr(pays, None), InlineData())
    assert [f["properties"]["origine"] for f in layer.spec_js["data"]["features"]] == [
        CURATED_LABEL
    ]
