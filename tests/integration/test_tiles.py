"""The vector tiles of the real build: every commune, its attributes, the stage's caching."""

from __future__ import annotations

import json

import geopandas as gpd
import mapbox_vector_tile
import pytest

from geodata.build import runner
from geodata.tiles import mercator
from geodata.tiles.neighbours import touching_pairs
from geodata.tiles.tileset import read_tile

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def tileset(real_build) -> dict:
    """The real build's tileset.json."""
    return json.loads((real_build / "tiles" / "tileset.json").read_text(encoding="utf-8"))


def test_the_tileset_lists_every_commune_and_draws_each_at_the_native_maxzoom(tileset, real_build):
    communes = gpd.read_parquet(real_build / "communes.parquet")
    layer = tileset["layers"]["communes"]
    assert layer["count"] == len(communes) == 34_875
    assert (layer["minzoom"], layer["maxzoom"]) == (4, 10)
    no_geometry = sorted(communes.loc[communes.geometry.isna(), "insee_com"])
    assert layer["without_geometry"] == no_geometry
    zooms = runner.read_report(real_build).stage("tiles").details["zooms"]
    assert zooms["10"]["not_drawn"] == 0  # every commune with a geometry is in a z10 tile
    assert sum(z["tiles"] for z in zooms.values()) == sum(
        len(mercator.tiles_in([tuple(r) for r in ranges])) for ranges in layer["ranges"].values()
    )


def test_the_tile_of_roanne_at_zoom_8_holds_roanne_with_its_programmes(tileset, real_build):
    communes = gpd.read_parquet(real_build / "communes.parquet")
    roanne = communes.set_index("insee_com").loc["42187"]
    point = roanne.geometry.representative_point()
    x, y = mercator.tile_of(point.x, point.y, 8)
    assert any(
        x0 <= x <= x1 and y0 <= y <= y1
        for x0, x1, y0, y1 in tileset["layers"]["communes"]["ranges"]["8"]
    )
    data = read_tile(real_build / "tiles" / "communes" / "8" / str(x) / f"{y}.pbf.gz")
    features = mapbox_vector_tile.decode(data)["communes"]["features"]
    (props,) = [f["properties"] for f in features if f["properties"]["code"] == "42187"]
    programmes = props["prog"].split(";")
    for name in ("acv", "pvd"):
        frame = gpd.read_parquet(real_build / f"{name}.parquet")
        assert (name in programmes) == ("42187" in set(frame["insee_com"])), name
    assert "acv" in programmes  # Roanne is an Action cœur de ville town
    assert props["n_prog"] == len(programmes)
    assert (props["nom"], props["dep"], props["epci"]) == ("Roanne", "42", roanne["siren_epci"])
    assert props["pop"] == roanne["population"]
    assert all(isinstance(f["properties"]["code"], str) for f in features)


def test_a_second_build_does_not_cut_the_tiles_again(real_build):
    logs: list[str] = []
    runner.build(real_build, log=logs.append)
    assert "tiles: up to date (sources unchanged), not rebuilt" in logs
    assert (real_build / "tiles" / runner.FOLDER_MARKER).is_file()


def test_neighbouring_epci_pays_and_ti_never_share_a_colour(real_build):
    colourings = runner.read_report(real_build).stage("tiles").details["colourings"]
    epci = gpd.read_parquet(real_build / "epci.parquet")
    assert colourings["epci_c"]["groups"] == epci["siren_epci"].nunique()
    assert {k: v["clashes"] for k, v in colourings.items()} == {
        "epci_c": 0,
        "pays_c": 0,
        "ti_c": 0,
    }
    # and the tiles carry them: in Roanne's tile, one colour per EPCI, another across a border
    communes = gpd.read_parquet(real_build / "communes.parquet").set_index("insee_com")
    point = communes.loc["42187"].geometry.representative_point()
    x, y = mercator.tile_of(point.x, point.y, 8)
    data = read_tile(real_build / "tiles" / "communes" / "8" / str(x) / f"{y}.pbf.gz")
    props = {
        f["properties"]["code"]: f["properties"]
        for f in mapbox_vector_tile.decode(data)["communes"]["features"]
    }
    loire = [c for c in props if props[c]["dep"] == "42"]
    colour = {props[c]["epci"]: props[c]["epci_c"] for c in loire}
    assert len(colour) >= 6 and set(colour.values()) <= set(range(7))  # the Loire: 8 EPCI
    assert all(props[c]["epci_c"] == colour[props[c]["epci"]] for c in loire)
    i, j = touching_pairs(communes.loc[loire].geometry.values)
    across = [(loire[a], loire[b]) for a, b in zip(i, j, strict=True)]
    across = [(a, b) for a, b in across if props[a]["epci"] != props[b]["epci"]]
    assert len(across) > 50  # the Loire's EPCI borders
    assert all(props[a]["epci_c"] != props[b]["epci_c"] for a, b in across)
