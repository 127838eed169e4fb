"""Clip a layer to one tile and encode it as a Mapbox Vector Tile (specification 2.1).

Geometries are in Web Mercator metres (EPSG:3857). A tile's features are found with an
``STRtree`` query, clipped to the tile grown by :data:`BUFFER` units (so strokes drawn
along the tile's edge show no seam) and moved to tile units (0 to :data:`EXTENT`, y down
as the tile is drawn) with vectorised shapely calls.

The MVT geometry commands (rounding to whole units, dropping rings that collapse,
winding order, delta and zigzag coding) are computed with numpy on every coordinate of
the tile at once, and the message is assembled with ``mapbox_vector_tile``'s own
protobuf schema: its ``encode`` walks each coordinate in Python, which took most of the
stage's time. Tiles read back with ``mapbox_vector_tile.decode`` (the tests do).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from mapbox_vector_tile.Mapbox import vector_tile_pb2

from geodata.tiles.mercator import tile_bounds

EXTENT = 4096  # units of a tile's side (the MVT default)
BUFFER = 64  # units drawn beyond each edge of the tile
MOVE_TO, LINE_TO, CLOSE_PATH = 1, 2, 7  # MVT command ids
POLYGON = 3  # tile.GeomType.POLYGON; also shapely's type id of a Polygon


@dataclass(frozen=True)
class Attributes:
    """The attributes of a layer's features, each column factorised once for every tile.

    ``columns`` holds, per attribute, its name, each row's code and the distinct values
    (str, or int for an integer column).
    """

    columns: list[tuple[str, np.ndarray, list]]

    @classmethod
    def of(cls, properties: pd.DataFrame) -> Attributes:
        """Factorise the columns of ``properties`` (str or int; one row per feature)."""
        columns = []
        for name in properties.columns:
            codes, uniques = pd.factorize(properties[name], sort=False)
            numeric = pd.api.types.is_integer_dtype(properties[name])
            values = [int(v) for v in uniques] if numeric else [str(v) for v in uniques]
            columns.append((str(name), np.asarray(codes), values))
        return cls(columns)


@dataclass(frozen=True)
class Layer:
    """One layer of one zoom, ready to cut: geometries, their index and their attributes.

    ``geoms`` are EPSG:3857 polygons (None for a row without geometry); ``attributes``
    those of each geometry (:class:`Attributes`).
    """

    name: str
    geoms: np.ndarray
    attributes: Attributes
    tree: shapely.STRtree

    @classmethod
    def of(cls, name: str, geoms: np.ndarray, properties: pd.DataFrame | Attributes) -> Layer:
        """Index ``geoms`` (EPSG:3857) for :func:`cut`.

        ``properties``: one row per geometry, columns of str or int, or the same already
        factorised (:class:`Attributes`, to share between the zooms).

        Raises
        ------
        ValueError
            When ``geoms`` and ``properties`` differ in length.
        """
        geoms = np.asarray(geoms, dtype=object)
        attributes = properties if isinstance(properties, Attributes) else Attributes.of(properties)
        rows = len(attributes.columns[0][1]) if attributes.columns else len(geoms)
        if len(geoms) != rows:
            raise ValueError(f"Layer {name!r}: {len(geoms)} geometries but {rows} property rows")
        return cls(name, geoms, attributes, shapely.STRtree(geoms))


def tile_geometries(layer: Layer, z: int, x: int, y: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the rows of ``layer`` meeting tile ``(z, x, y)`` and their clipped geometries.

    Returns
    -------
    (array of int, array of shapely geometries)
        Row positions in ``layer`` (sorted) and their parts inside the tile grown by
        :data:`BUFFER`, in tile units (floats, y down).
    """
    minx, miny, maxx, maxy = tile_bounds(z, x, y)
    scale = EXTENT / (maxx - minx)
    pad = BUFFER / scale
    box = (minx - pad, miny - pad, maxx + pad, maxy + pad)
    rows = np.sort(layer.tree.query(shapely.box(*box), predicate="intersects"))
    clipped = shapely.clip_by_rect(layer.geoms[rows], *box)
    local = shapely.transform(
        clipped, lambda c: np.column_stack(((c[:, 0] - minx) * scale, (maxy - c[:, 1]) * scale))
    )
    return rows, local


def cut(layer: Layer, z: int, x: int, y: int) -> tuple[bytes, np.ndarray]:
    """Encode tile ``(z, x, y)`` of ``layer``; return its bytes and the rows it draws.

    A row whose part in the tile rounds to nothing (under a unit: 1/16 of a screen pixel)
    is not drawn. An empty tile is ``b""`` (written as a 0-byte file, so the browser gets
    a valid, empty answer instead of a 404).
    """
    rows, local = tile_geometries(layer, z, x, y)
    features, commands = polygon_commands(local)
    if len(features) == 0:
        return b"", features
    drawn = rows[features]
    return encode_layer(layer.name, layer.attributes, drawn, commands), drawn


def polygon_commands(geoms: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Return the MVT geometry commands of polygons given in tile units (y down).

    Coordinates are rounded to whole units; repeated points and rings left with no area
    are dropped (with the holes of a dropped exterior ring); exterior rings get a
    positive area (clockwise on screen) and holes a negative one, as the specification
    says. Any non-polygonal part (a line left by clipping along an edge) is ignored.

    Returns
    -------
    (array of int, list of int arrays)
        The positions in ``geoms`` of the geometries left, and each one's commands.
    """
    parts, part_geom = _polygon_parts(np.asarray(geoms, dtype=object))
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    if len(coords) == 0:
        return np.zeros(0, dtype=np.int64), []
    q = np.round(coords).astype(np.int64)
    # drop each ring's closing point, then points repeating the previous one
    last = np.r_[coord_ring[1:] != coord_ring[:-1], True]
    keep = ~last
    q, coord_ring = q[keep], coord_ring[keep]
    same = np.r_[False, (coord_ring[1:] == coord_ring[:-1]) & (q[1:] == q[:-1]).all(axis=1)]
    q, coord_ring = q[~same], coord_ring[~same]
    n_rings = len(rings)
    start = np.searchsorted(coord_ring, np.arange(n_rings))
    end = np.searchsorted(coord_ring, np.arange(n_rings), side="right")
    first, final = q[np.minimum(start, len(q) - 1)], q[np.maximum(end - 1, 0)]
    closes = (end - start > 1) & (first == final).all(axis=1)
    if closes.any():  # the last point rounded onto the first
        drop = np.zeros(len(q), bool)
        drop[end[closes] - 1] = True
        q, coord_ring = q[~drop], coord_ring[~drop]
        start = np.searchsorted(coord_ring, np.arange(n_rings))
        end = np.searchsorted(coord_ring, np.arange(n_rings), side="right")
    area = _ring_areas(q, coord_ring, start, end, n_rings)
    exterior = np.r_[True, ring_part[1:] != ring_part[:-1]] if n_rings else np.zeros(0, bool)
    alive = (end - start >= 3) & (area != 0)
    alive &= alive[_first_ring_of_part(exterior)]  # a hole of a dropped exterior goes too
    flip = alive & (exterior != (area > 0))
    order = _reversed_where(flip, start, end, len(q))
    q, coord_ring = q[order], coord_ring[order]
    ring_alive = alive[coord_ring]
    q, coord_ring = q[ring_alive], coord_ring[ring_alive]
    ring_geom = part_geom[ring_part]
    return _commands(q, coord_ring, ring_geom, alive)


def encode_layer(
    name: str, attributes: Attributes, rows: np.ndarray, commands: list[np.ndarray]
) -> bytes:
    """Return one MVT tile holding one layer of polygons.

    ``rows`` are the features' rows in ``attributes`` (strings become string values,
    integers signed varints), ``commands`` their geometry commands.
    """
    tile = vector_tile_pb2.tile()
    layer = tile.layers.add()
    layer.name, layer.version, layer.extent = name, 2, EXTENT
    layer.keys.extend(c[0] for c in attributes.columns)
    tags = np.empty((len(rows), 2 * len(attributes.columns)), dtype=np.int64)
    local = [np.unique(codes[rows], return_inverse=True) for _, codes, _ in attributes.columns]
    offset = 0
    # values of the columns with fewest distinct values first: their indices, repeated in
    # every feature's tags, then fit in one byte
    for k in sorted(range(len(local)), key=lambda k: len(local[k][0])):
        uniques, inverse = local[k]
        values = attributes.columns[k][2]
        tags[:, 2 * k], tags[:, 2 * k + 1] = k, inverse + offset
        offset += len(uniques)
        if values and isinstance(values[0], int):
            for u in uniques.tolist():
                layer.values.add().sint_value = values[u]
        else:
            for u in uniques.tolist():
                layer.values.add().string_value = values[u]
    for feature_tags, geometry in zip(tags.tolist(), commands, strict=True):
        feature = layer.features.add()
        feature.type = POLYGON
        feature.tags.extend(feature_tags)
        feature.geometry.extend(geometry.tolist())
    return tile.SerializeToString()


def _polygon_parts(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Polygons of each geometry (multi-parts and collections opened), with its position."""
    parts, index = shapely.get_parts(geoms, return_index=True)
    while True:
        kinds = shapely.get_type_id(parts)
        nested = kinds >= 4  # Multi* or GeometryCollection inside a collection
        if not nested.any():
            break
        inner, at = shapely.get_parts(parts[nested], return_index=True)
        parts = np.concatenate([parts[~nested], inner])
        index = np.concatenate([index[~nested], index[nested][at]])
        order = np.argsort(index, kind="stable")
        parts, index = parts[order], index[order]
    polygon = (kinds == POLYGON) & ~shapely.is_empty(parts)
    return parts[polygon], index[polygon]


def _ring_areas(q, coord_ring, start, end, n_rings) -> np.ndarray:
    """Twice the signed area of each ring (shoelace), 0 for a ring without points."""
    if len(q) == 0:
        return np.zeros(n_rings, dtype=np.int64)
    nxt = np.arange(1, len(q) + 1)
    ends = end[coord_ring] - 1  # each point's ring's last point wraps to its first
    at_end = np.arange(len(q)) == ends
    nxt[at_end] = start[coord_ring][at_end]
    cross = q[:, 0] * q[nxt, 1] - q[nxt, 0] * q[:, 1]
    return np.bincount(coord_ring, weights=cross, minlength=n_rings).astype(np.int64)


def _first_ring_of_part(exterior: np.ndarray) -> np.ndarray:
    """Index of the exterior ring of each ring's polygon."""
    return np.maximum.accumulate(np.where(exterior, np.arange(len(exterior)), 0))


def _reversed_where(flip, start, end, n) -> np.ndarray:
    """Point order with the rings marked by ``flip`` reversed."""
    order = np.arange(n)
    if flip.any():
        ring_of = np.repeat(np.arange(len(start)), end - start)
        mask = flip[ring_of]
        pos = np.arange(n)[mask]
        ring = ring_of[mask]
        order[mask] = start[ring] + end[ring] - 1 - pos
    return order


def _commands(q, coord_ring, ring_geom, alive) -> tuple[np.ndarray, list[np.ndarray]]:
    """MoveTo, LineTo and ClosePath commands of the live rings, split per geometry."""
    live = np.flatnonzero(alive)
    if len(live) == 0:
        return np.zeros(0, dtype=np.int64), []
    n = np.bincount(coord_ring, minlength=len(alive))[live]
    geom = ring_geom[live]
    point_geom = np.repeat(geom, n)
    # deltas from the previous point of the same geometry (the cursor starts at 0, 0)
    prev = np.zeros_like(q)
    prev[1:] = q[:-1]
    first_of_geom = np.r_[True, point_geom[1:] != point_geom[:-1]]
    prev[first_of_geom] = 0
    delta = q - prev
    zigzag = (delta << 1) ^ (delta >> 63)
    length = 2 * n + 3  # MoveTo, x, y, LineTo, 2 (n - 1) values, ClosePath
    ring_start = np.r_[0, np.cumsum(length)[:-1]]
    out = np.empty(int(length.sum()), dtype=np.int64)
    out[ring_start] = (1 << 3) | MOVE_TO
    out[ring_start + 3] = ((n - 1) << 3) | LINE_TO
    out[ring_start + length - 1] = (1 << 3) | CLOSE_PATH
    j = np.arange(len(q)) - np.repeat(np.r_[0, np.cumsum(n)[:-1]], n)  # index in its ring
    pos = np.repeat(ring_start, n) + np.where(j == 0, 1, 2 + 2 * j)
    out[pos], out[pos + 1] = zigzag[:, 0], zigzag[:, 1]
    geoms, first = np.unique(geom, return_index=True)
    bounds = np.r_[ring_start[first], len(out)]
    return geoms, [out[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
