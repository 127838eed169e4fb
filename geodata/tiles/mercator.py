"""Web Mercator tile maths (EPSG:3857, the XYZ scheme of Leaflet and OSM: y down from the north).

Coordinates in metres are EPSG:3857; a tile ``(z, x, y)`` covers ``2 ** -z`` of the world's
width, column ``x`` from the antimeridian eastwards and row ``y`` from the north
southwards. Degrees are EPSG:4326 ``(lon, lat)``.
"""

from __future__ import annotations

import math

import numpy as np

EARTH_RADIUS_M = 6378137.0  # WGS 84 semi-major axis, the sphere of EPSG:3857
HALF_WORLD_M = math.pi * EARTH_RADIUS_M  # 20,037,508.34 m: the world spans ±HALF_WORLD_M
MAX_LAT = 85.0511287798066  # the latitude where Web Mercator's square world ends
TILE_PX = 256  # screen pixels of one tile (Leaflet's tileSize)

Range = tuple[int, int, int, int]  # xmin, xmax, ymin, ymax, inclusive


def tile_size_m(z: int) -> float:
    """Return the side of a tile at zoom ``z``, in EPSG:3857 metres."""
    return 2 * HALF_WORLD_M / 2**z


def pixel_m(z: int) -> float:
    """Return the size of a screen pixel at zoom ``z`` (tiles of :data:`TILE_PX`), in metres."""
    return tile_size_m(z) / TILE_PX


def lonlat_to_m(lon: float, lat: float) -> tuple[float, float]:
    """Project degrees (EPSG:4326) to Web Mercator metres (EPSG:3857)."""
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    x = math.radians(lon) * EARTH_RADIUS_M
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * EARTH_RADIUS_M
    return x, y


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """Return the tile ``(x, y)`` at zoom ``z`` holding the point ``(lon, lat)`` (degrees)."""
    return tile_of_m(*lonlat_to_m(lon, lat), z)


def tile_of_m(x: float, y: float, z: int) -> tuple[int, int]:
    """Return the tile ``(x, y)`` at zoom ``z`` holding the point ``(x, y)`` in metres."""
    n, size = 2**z, tile_size_m(z)
    col = math.floor((x + HALF_WORLD_M) / size)
    row = math.floor((HALF_WORLD_M - y) / size)
    return min(max(col, 0), n - 1), min(max(row, 0), n - 1)


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """Return the bounds ``(minx, miny, maxx, maxy)`` of a tile, in EPSG:3857 metres."""
    size = tile_size_m(z)
    minx = -HALF_WORLD_M + x * size
    maxy = HALF_WORLD_M - y * size
    return minx, maxy - size, minx + size, maxy


def tile_range(bounds_m: tuple[float, float, float, float] | np.ndarray, z: int) -> Range:
    """Return the tiles at zoom ``z`` covering ``(minx, miny, maxx, maxy)`` (metres).

    Returns ``(xmin, xmax, ymin, ymax)``, inclusive, as ``tileset.json`` lists ranges.
    """
    minx, miny, maxx, maxy = (float(v) for v in bounds_m)
    x0, y0 = tile_of_m(minx, maxy, z)  # north-west corner: smallest row
    x1, y1 = tile_of_m(maxx, miny, z)
    return x0, x1, y0, y1


def tiles_in(ranges: list[Range]) -> list[tuple[int, int]]:
    """Return every tile ``(x, y)`` of ``ranges`` once, in row-major order."""
    seen = {
        (x, y) for x0, x1, y0, y1 in ranges for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)
    }
    return sorted(seen, key=lambda t: (t[1], t[0]))
