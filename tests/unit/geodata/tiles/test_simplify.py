"""Per-zoom simplification keeps one shared border between neighbours, and every polygon."""

from __future__ import annotations

import numpy as np
import shapely

from geodata.tiles import simplify


def _zigzag_neighbours() -> np.ndarray:
    """Two 100 km squares (EPSG:3857 metres) sharing a border that zigzags 50 m every km."""
    xs = [100_000 + (50 if i % 2 else 0) for i in range(101)]
    border = [(x, i * 1_000) for i, x in enumerate(xs)]
    left = shapely.Polygon([(0, 0), *border, (0, 100_000)])
    right = shapely.Polygon([(200_000, 0), (200_000, 100_000), *reversed(border)])
    return np.array([left, right], dtype=object)


def test_neighbours_simplified_at_a_coarse_zoom_still_share_one_border():
    geoms = _zigzag_neighbours()
    out = simplify.per_zoom(geoms, range(4, 7))
    for z, (left, right) in out.items():
        assert shapely.get_num_coordinates(left) < shapely.get_num_coordinates(geoms[0]), z
        union = shapely.union_all([left, right])
        assert union.area == left.area + right.area  # no overlap
        assert union.geom_type == "Polygon" and not union.interiors  # no gap
        assert shapely.intersection(left, right).length > 99_000  # one border, whole side


def test_every_polygon_is_kept_even_when_smaller_than_the_tolerance():
    geoms = _zigzag_neighbours()
    tiny = shapely.box(200_000, 0, 200_010, 10)  # 10 m: far under half a pixel at zoom 4
    missing = None
    out = simplify.per_zoom(np.array([*geoms, tiny, missing], dtype=object), range(4, 5))
    assert not shapely.is_empty(out[4][2])
    assert out[4][3] is None
