"""A whole tile set on a few synthetic communes: files, ranges, tileset.json."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import mapbox_vector_tile
import pandas as pd
import pytest
import shapely

from geodata.tiles import mercator, tileset
from tests.support.synthetic import four_communes

FIELDS = {"code": "INSEE code", "pop": "population"}


def _frame() -> gpd.GeoDataFrame:
    """Four Ain communes, one in Brittany, one in Guadeloupe, one without geometry."""
    ain = four_communes()[["insee_com", "population", "geometry"]]
    far = gpd.GeoDataFrame(
        {"insee_com": ["29019", "97101", "15031"], "population": [1, 2, 3]},
        geometry=[shapely.box(-4.5, 48.3, -4.4, 48.4), shapely.box(-61.6, 16.2, -61.5, 16.3), None],
        crs="EPSG:4326",
    )
    frame = gpd.GeoDataFrame(
        pd.concat([ain, far], ignore_index=True), geometry="geometry", crs="EPSG:4326"
    )
    return frame.rename(columns={"insee_com": "code", "population": "pop"})


def _write(folder, frame, stats=False):
    spec = tileset.LayerSpec("communes", frame, FIELDS, 5, 8, 7, 6)  # z7-8 as is, z5 as z6
    meta, layer_stats = tileset.write_tileset(folder, [spec], log=lambda _: None)
    return (meta, layer_stats) if stats else meta


@pytest.fixture
def written(tmp_path):
    """The synthetic communes written at zooms 5 to 8."""
    meta, stats = _write(tmp_path / "tiles", _frame(), stats=True)
    return tmp_path / "tiles", meta, stats


def _tiles_on_disk(folder, z):
    return {
        (int(p.parent.name), int(p.name.split(".")[0])): p.stat().st_size
        for p in (folder / "communes" / str(z)).glob("*/*.pbf.gz")
    }


def test_tileset_json_describes_the_layer_as_written(written):
    folder, meta, _ = written
    assert json.loads((folder / "tileset.json").read_text()) == meta
    layer = meta["layers"]["communes"]
    assert (layer["minzoom"], layer["maxzoom"], layer["count"]) == (5, 8, 7)
    assert layer["fields"] == FIELDS
    assert layer["without_geometry"] == ["15031"]
    assert re.fullmatch("[0-9a-f]{16}", meta["digest"])
    assert sorted(layer["ranges"], key=int) == ["5", "6", "7", "8"]
    assert len(layer["ranges"]["8"]) == 2  # metropolitan France and Guadeloupe


def test_every_tile_of_the_ranges_is_written_and_no_other(written):
    folder, meta, _ = written
    for z, ranges in meta["layers"]["communes"]["ranges"].items():
        expected = set(mercator.tiles_in([tuple(r) for r in ranges]))
        assert set(_tiles_on_disk(folder, int(z))) == expected


def test_a_tile_outside_every_feature_is_written_empty_inside_the_ranges(written):
    folder, meta, _ = written
    on_disk = _tiles_on_disk(folder, 8)
    between = mercator.tile_of(-1.0, 47.0, 8)  # between Brittany and the Ain: no commune
    assert on_disk[between] == 0


def test_every_commune_with_a_geometry_is_drawn_at_every_zoom(written):
    folder, meta, stats = written
    for z in range(5, 9):
        codes = set()
        for (x, y), size in _tiles_on_disk(folder, z).items():
            if size:
                data = tileset.read_tile(folder / "communes" / str(z) / str(x) / f"{y}.pbf.gz")
                layer = mapbox_vector_tile.decode(data)["communes"]
                codes |= {f["properties"]["code"] for f in layer["features"]}
        assert codes == {"01001", "01002", "01004", "01005", "29019", "97101"}, z
        assert stats["communes"].zooms[z].not_drawn == 0


def test_the_digest_follows_the_tiles_content(written, tmp_path):
    folder, meta, _ = written
    same = _write(tmp_path / "same", _frame())
    changed = _write(tmp_path / "changed", _frame().assign(pop=[9, 9, 9, 9, 9, 9, 9]))
    assert same["digest"] == meta["digest"]
    assert changed["digest"] != meta["digest"]


def test_a_layer_spec_with_zooms_out_of_order_is_refused():
    with pytest.raises(ValueError, match="simplified_down_to"):
        tileset.LayerSpec("communes", _frame(), FIELDS, 5, 8, 7, 4)
