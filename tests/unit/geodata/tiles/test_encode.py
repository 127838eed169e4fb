"""One tile: clipped, encoded, and read back with mapbox_vector_tile.decode."""

from __future__ import annotations

import functools

import mapbox_vector_tile
import numpy as np
import pandas as pd
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geodata.tiles import encode, mercator

Z, X, Y = 10, 530, 362  # a tile in the Ain


def _decode(data: bytes) -> list[dict]:
    tile = mapbox_vector_tile.decode(data, default_options={"y_coord_down": True})
    return tile["communes"]["features"]


def _in_tile(fx0, fy0, fx1, fy1):
    """A box given as fractions of the test tile (0..1, y down), in EPSG:3857 metres."""
    minx, miny, maxx, maxy = mercator.tile_bounds(Z, X, Y)
    w = maxx - minx
    return shapely.box(minx + fx0 * w, maxy - fy1 * w, minx + fx1 * w, maxy - fy0 * w)


def _layer(geoms, codes) -> encode.Layer:
    props = pd.DataFrame(
        {"code": codes, "nom": [f"Commune {c}" for c in codes], "pop": range(len(codes))}
    )
    return encode.Layer.of("communes", np.array(geoms, dtype=object), props)


def test_a_tile_decodes_back_to_its_features_and_properties_with_codes_as_strings():
    left, right = _in_tile(0.1, 0.1, 0.5, 0.9), _in_tile(0.5, 0.1, 0.9, 0.9)
    data, rows = encode.cut(_layer([left, right], ["01001", "2A004"]), Z, X, Y)
    features = _decode(data)
    assert list(rows) == [0, 1]
    assert [f["properties"] for f in features] == [
        {"code": "01001", "nom": "Commune 01001", "pop": 0},
        {"code": "2A004", "nom": "Commune 2A004", "pop": 1},
    ]
    shapes = [shapely.geometry.shape(f["geometry"]) for f in features]
    assert shapes[0].equals(shapely.box(410, 410, 2048, 3686))  # tile units, y down
    assert all(s.is_valid for s in shapes)
    assert shapes[0].intersection(shapes[1]).length == 3686 - 410  # one shared edge


def test_same_geometry_as_the_reference_encoder_with_holes_and_several_parts():
    holed = shapely.difference(_in_tile(0.1, 0.1, 0.4, 0.4), _in_tile(0.2, 0.2, 0.3, 0.3))
    parts = shapely.union(_in_tile(0.6, 0.6, 0.7, 0.7), _in_tile(0.8, 0.8, 0.9, 0.9))
    layer = _layer([holed, parts], ["01001", "01002"])
    ours = _decode(encode.cut(layer, Z, X, Y)[0])
    rows, local = encode.tile_geometries(layer, Z, X, Y)
    reference = mapbox_vector_tile.encode(
        {"name": "communes", "features": [{"geometry": g, "properties": {}} for g in local]},
        default_options={"y_coord_down": True, "quantize_bounds": None},
    )
    theirs = _decode(reference)
    for a, b in zip(ours, theirs, strict=True):
        assert shapely.geometry.shape(a["geometry"]).equals(shapely.geometry.shape(b["geometry"]))
    assert [f["geometry"]["type"] for f in ours] == ["Polygon", "MultiPolygon"]


def test_features_are_clipped_to_the_tile_plus_its_buffer():
    huge = _in_tile(-3, -3, 4, 4)
    (feature,) = _decode(encode.cut(_layer([huge], ["01001"]), Z, X, Y)[0])
    b = encode.BUFFER
    assert shapely.geometry.shape(feature["geometry"]).bounds == (-b, -b, 4096 + b, 4096 + b)


def test_a_tile_outside_every_feature_is_empty_bytes():
    data, rows = encode.cut(_layer([_in_tile(0.1, 0.1, 0.5, 0.9)], ["01001"]), Z, X + 3, Y)
    assert data == b"" and len(rows) == 0


def test_a_commune_under_a_unit_is_not_drawn_and_not_returned_as_drawn():
    unit = 1 / 4096
    speck = _in_tile(0.5, 0.5, 0.5 + unit / 4, 0.5 + unit / 4)
    data, rows = encode.cut(
        _layer([_in_tile(0.1, 0.1, 0.4, 0.4), speck], ["01001", "01002"]), Z, X, Y
    )
    assert list(rows) == [0]
    assert [f["properties"]["code"] for f in _decode(data)] == ["01001"]


boxes = st.tuples(
    st.floats(-0.2, 1.2), st.floats(-0.2, 1.2), st.floats(0.0001, 0.5), st.floats(0.0001, 0.5)
).map(lambda b: _in_tile(b[0], b[1], b[0] + b[2], b[1] + b[3]))


@settings(max_examples=40, deadline=None)
@given(shapes=st.lists(st.lists(boxes, min_size=1, max_size=4), min_size=1, max_size=4))
def test_any_polygons_read_back_with_their_area_up_to_the_rounding(shapes):
    # each feature: the symmetric difference of a few boxes (holes, several parts, specks)
    geoms = [functools.reduce(shapely.symmetric_difference, parts) for parts in shapes]
    layer = _layer(geoms, [f"0100{i}" for i in range(len(geoms))])
    data, drawn = encode.cut(layer, Z, X, Y)
    ours = {f["properties"]["code"]: f["geometry"] for f in _decode(data)} if data else {}
    rows, local = encode.tile_geometries(layer, Z, X, Y)
    assert sorted(ours) == [f"0100{r}" for r in drawn]
    for r, geometry in zip(rows, local, strict=True):
        code = f"0100{r}"
        # rounding moves an edge by half a unit at most: the area by half the perimeter
        slack = geometry.length / 2 + 4
        if code in ours:
            area = shapely.geometry.shape(ours[code]).area
            assert abs(area - geometry.area) <= slack, code
        else:  # not drawn: it rounded to nothing
            assert geometry.area <= slack, code
