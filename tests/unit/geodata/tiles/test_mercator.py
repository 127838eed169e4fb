"""Web Mercator tile maths: known tiles, round trips, ranges."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from geodata.tiles import mercator


def test_the_tiles_of_known_places_are_those_of_openstreetmap():
    # Paris, Notre-Dame: tile 10/518/352 of the OSM tile server; z0 is the whole world
    assert mercator.tile_of(2.3499, 48.8530, 10) == (518, 352)
    assert mercator.tile_of(2.3499, 48.8530, 0) == (0, 0)
    # Roanne at zoom 8 (x = 184.07 / 360 * 256 = 130.9, y = 91.05 by the OSM wiki formula);
    # Saint-Denis de La Réunion at zoom 6, south of the equator (41.9, 35.8)
    assert mercator.tile_of(4.0725, 46.0346, 8) == (130, 91)
    assert mercator.tile_of(55.4481, -20.8789, 6) == (41, 35)


@given(
    lon=st.floats(-179.9, 179.9),
    lat=st.floats(-85.0, 85.0),
    z=st.integers(0, 14),
)
def test_a_point_lies_in_the_bounds_of_the_tile_computed_for_it(lon, lat, z):
    x, y = mercator.tile_of(lon, lat, z)
    px, py = mercator.lonlat_to_m(lon, lat)
    minx, miny, maxx, maxy = mercator.tile_bounds(z, x, y)
    edge = 1e-6  # metres: a point on a tile's edge may fall on either side
    assert minx - edge <= px <= maxx + edge
    assert miny - edge <= py <= maxy + edge


def test_a_tile_range_covers_both_corners_of_the_box_and_nothing_beyond():
    west, south = mercator.lonlat_to_m(-5.2, 41.3)
    east, north = mercator.lonlat_to_m(9.6, 51.1)
    x0, x1, y0, y1 = mercator.tile_range((west, south, east, north), 6)
    assert (x0, y0) == mercator.tile_of(-5.2, 51.1, 6)  # north-west: smallest row
    assert (x1, y1) == mercator.tile_of(9.6, 41.3, 6)
    tiles = mercator.tiles_in([(x0, x1, y0, y1), (x0, x0, y0, y0)])
    assert len(tiles) == (x1 - x0 + 1) * (y1 - y0 + 1)  # the repeated tile counted once


def test_half_a_pixel_at_zoom_10_is_about_76_metres():
    assert 76 < mercator.pixel_m(10) / 2 < 77
    assert mercator.tile_size_m(0) == 2 * mercator.HALF_WORLD_M
