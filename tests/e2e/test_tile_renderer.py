"""The browser's vector tile decoder (``static/atlas/atlas-tiles.js``), on tiny synthetic tiles.

Tiles are written by ``mapbox-vector-tile`` (an encoder independent of the build's own,
:mod:`geodata.tiles.encode`) and by the build's encoder, then read back in Chromium by
``atlas.decodeTile``: properties of every protobuf value type, the chosen layer only,
rings closed so a point in a hole is outside the commune (the canvas's own point-in-path
test, which clicks and tooltips use).
"""

from __future__ import annotations

import math

import geopandas as gpd
import mapbox_vector_tile
import pytest
from shapely.geometry import Polygon, box

from geodata.tiles import encode
from layers.assets import VENDORED_LINKS
from layers.geojson import ATLAS_JS
from layers.site import STATIC
from layers.tiles import TILES_JS

# What the map's frame loads for a tile layer (layers.tiles.AtlasTiles), in that order.
SCRIPTS = (
    f"vendor/{VENDORED_LINKS['leaflet']}",
    f"vendor/{VENDORED_LINKS['pbf']}",
    ATLAS_JS,
    TILES_JS,
)

# Decode bytes, then test points against each feature's path (tile units).
DECODE = """([bytes, name, points]) => {
  const tile = atlas.decodeTile(new Uint8Array(bytes), name);
  const ctx = document.createElement("canvas").getContext("2d");
  return {
    extent: tile.extent,
    features: tile.features.map(f => ({
      properties: f.properties, type: f.type, box: f.box,
      inside: points.map(([x, y]) => ctx.isPointInPath(f.path, x, y)),
    })),
  };
}"""

RING_WITH_HOLE = Polygon(
    [(100, 100), (1100, 100), (1100, 1100), (100, 1100)],
    [[(400, 400), (800, 400), (800, 800), (400, 800)]],
)


@pytest.fixture
def renderer(page):
    """A blank page holding Leaflet, Pbf and the atlas scripts, as the map's frame does."""
    page.set_content("<!doctype html><html><body></body></html>")
    for script in SCRIPTS:
        page.add_script_tag(path=str(STATIC / script))
    yield page
    assert page.errors == []


def reference_tile(layers: dict[str, list[dict]]) -> bytes:
    """A tile written by mapbox-vector-tile, tile units as given (extent 4096, y down)."""
    return mapbox_vector_tile.encode(
        [{"name": name, "features": feats} for name, feats in layers.items()],
        default_options={"quantize_bounds": (0, 0, 4096, 4096), "y_coord_down": True},
    )


def test_properties_of_every_value_type_are_read_as_written(renderer):
    props = {
        "code": "01001",
        "nom": "L'Abergement-Clémenciat",
        "n": 3,
        "big": 2**40,
        "neg": -7,
        "pop": 1.5,
        "ok": True,
        "vide": "",
    }
    data = reference_tile({"communes": [{"geometry": box(0, 0, 10, 10), "properties": props}]})
    out = renderer.evaluate(DECODE, [list(data), "communes", []])
    assert out["extent"] == 4096
    assert [f["properties"] for f in out["features"]] == [props]


def test_only_the_named_layer_is_read(renderer):
    data = reference_tile(
        {
            "autre": [{"geometry": box(0, 0, 10, 10), "properties": {"code": "x"}}],
            "communes": [
                {"geometry": box(20, 20, 30, 30), "properties": {"code": "01001"}},
                {"geometry": box(40, 40, 50, 50), "properties": {"code": "01002"}},
            ],
        }
    )
    out = renderer.evaluate(DECODE, [list(data), "communes", []])
    assert [f["properties"]["code"] for f in out["features"]] == ["01001", "01002"]
    assert out["features"][0]["box"] == [20, 20, 30, 30]
    assert renderer.evaluate(DECODE, [list(data), "absente", []])["features"] == []


def test_a_point_in_a_hole_is_outside_and_the_body_inside(renderer):
    data = reference_tile({"communes": [{"geometry": RING_WITH_HOLE, "properties": {"code": "a"}}]})
    body, hole, outside = (200, 200), (600, 600), (2000, 2000)
    (feature,) = renderer.evaluate(DECODE, [list(data), "communes", [body, hole, outside]])[
        "features"
    ]
    assert feature["type"] == 3  # polygon
    assert feature["box"] == [100, 100, 1100, 1100]
    assert feature["inside"] == [True, False, False]


def test_tiles_of_the_build_encoder_decode_to_their_communes(renderer):
    # Two neighbours and a commune with a hole, in tile 0/0/0's own degrees.
    geoms = [
        box(-10, 0, 0, 10),
        box(0, 0, 10, 10),
        Polygon([(20, 0), (40, 0), (40, 20), (20, 20)], [[(25, 5), (35, 5), (35, 15), (25, 15)]]),
    ]
    frame = gpd.GeoDataFrame(
        {"code": ["01001", "01002", "01003"], "nom": ["A", "B", "C"]},
        geometry=geoms,
        crs="EPSG:4326",
    ).to_crs("EPSG:3857")
    layer = encode.Layer.of("communes", frame.geometry.to_numpy(), frame[["code", "nom"]])
    data, _ = encode.cut(layer, 0, 0, 0)
    # Where a point of the hole and of C's body fall in tile units (x right, y down).
    y = (1 - math.log(math.tan(math.pi / 4 + math.radians(10) / 2)) / math.pi) / 2
    hole = encode.EXTENT * (0.5 + 30 / 360), encode.EXTENT * y
    out = renderer.evaluate(DECODE, [list(data), "communes", [list(hole)]])
    by_code = {f["properties"]["code"]: f for f in out["features"]}
    assert sorted(by_code) == ["01001", "01002", "01003"]
    assert by_code["01002"]["properties"]["nom"] == "B"
    assert by_code["01003"]["inside"] == [False]  # the hole is no part of C
    # A's box ends where B's starts: the shared border is one line.
    assert by_code["01001"]["box"][2] == by_code["01002"]["box"][0]
