"""Write the tiles of each layer and ``tileset.json`` into a folder.

Layout (the contract with the map, see the README's *Vector tiles*):
``<folder>/tileset.json`` and ``<folder>/<layer>/<z>/<x>/<y>.pbf.gz``, XYZ scheme. Every tile
inside a layer's ranges is written, an empty one as a 0-byte file, so the map never asks
for a tile that does not exist; ``tileset.json`` lists those ranges, per zoom one per area
(metropolitan France and each overseas département, :data:`geodata.vocab.FRANCE_BOXES`).

Tiles are gzip-compressed (``"compression": "gzip"`` in ``tileset.json``, as PMTiles
declares it) and decompressed by the browser (``DecompressionStream``): the app's static
serving and a plain static web server send files as they are, and a tile's repeated
attribute values compress to less than half (the national view: 3.0 MB raw, 1.3 MB sent).
The ``.gz`` suffix makes servers send them as ``application/gzip``, which the app server's
gzip middleware leaves alone (it would otherwise compress every tile again, on its event
loop, at each request). :func:`read_tile` returns a tile's Mapbox Vector Tile bytes.

The coarse zooms' coverages are simplified in a worker thread (GEOS releases the GIL)
while the fine zooms, drawn from the clean coverage as it is, are encoded.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.tiles import encode, mercator, simplify
from geodata.vocab import FRANCE_BOXES

FORMAT = 2  # of tileset.json (2: gzip-compressed tiles)
COMPRESSION = "gzip"
SUFFIX = ".pbf.gz"  # of a tile file
CRS_TILES = "EPSG:3857"
OUTSIDE = "hors zones"  # area of a geometry in none of FRANCE_BOXES


@dataclass(frozen=True)
class LayerSpec:
    """One tile layer: its polygons (a clean coverage), their attributes and its zooms.

    ``frame`` is EPSG:4326 with one row per feature; its columns other than the geometry
    are the features' attributes (str or int), described by ``fields``. Zooms from
    ``full_detail_from`` up draw the coverage as it is (its own resolution is already
    finer than half a pixel there); coarser zooms down to ``simplified_down_to`` are
    simplified (:func:`geodata.tiles.simplify.per_zoom`), zooms below that draw the
    coverage of ``simplified_down_to`` (when simplifying further removes little: every
    polygon keeps at least the vertices it shares with its neighbours).
    """

    name: str
    frame: gpd.GeoDataFrame
    fields: dict[str, str]
    minzoom: int
    maxzoom: int
    full_detail_from: int
    simplified_down_to: int

    def __post_init__(self) -> None:
        zooms = (self.minzoom, self.simplified_down_to, self.full_detail_from, self.maxzoom)
        if not self.minzoom <= self.simplified_down_to < self.full_detail_from <= self.maxzoom:
            raise ValueError(
                f"LayerSpec {self.name!r}: zooms must satisfy minzoom <= simplified_down_to"
                f" < full_detail_from <= maxzoom, got {zooms}"
            )


@dataclass
class ZoomStats:
    """What one zoom of one layer holds."""

    tiles: int = 0
    non_empty: int = 0
    bytes: int = 0  # as written (compressed)
    raw_bytes: int = 0  # Mapbox Vector Tile bytes before compression
    not_drawn: int = 0  # features with a geometry that no tile of the zoom draws
    seconds: float = 0.0


@dataclass
class LayerStats:
    """Figures of one written layer (for the stage report and the README)."""

    count: int
    without_geometry: list[str] = field(default_factory=list)
    zooms: dict[int, ZoomStats] = field(default_factory=dict)


def write_tileset(
    folder: Path, specs: list[LayerSpec], id_column: str = "code", log: Callable = print
) -> tuple[dict, dict[str, LayerStats]]:
    """Write every tile of ``specs`` and ``tileset.json`` into ``folder`` (created).

    Parameters
    ----------
    folder : Path
        An empty or missing folder (the build stage gives a temporary one).
    specs : list of LayerSpec
    id_column : str
        Column naming a feature in the statistics (those without geometry are listed).
    log : callable
        Receives one line per zoom.

    Returns
    -------
    (dict, dict of str to LayerStats)
        The content of ``tileset.json`` and the figures of each layer.
    """
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    meta: dict = {
        "format": FORMAT,
        "digest": "",
        "extent": encode.EXTENT,
        "compression": COMPRESSION,
        "layers": {},
    }
    stats: dict[str, LayerStats] = {}
    for spec in specs:
        meta["layers"][spec.name], stats[spec.name] = _write_layer(
            folder, spec, id_column, digest, log
        )
    meta["digest"] = digest.hexdigest()[:16]
    (folder / "tileset.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return meta, stats


def read_tile(path: Path) -> bytes:
    """Return the Mapbox Vector Tile bytes of a written tile (b"" for an empty one)."""
    data = Path(path).read_bytes()
    return gzip.decompress(data) if data else b""


def areas(geoms: np.ndarray) -> np.ndarray:
    """Return the area (a key of :data:`FRANCE_BOXES`) of each EPSG:4326 geometry.

    A geometry belongs to the first box holding its interior point; :data:`OUTSIDE`
    when none does, "" when it is missing.
    """
    geoms = np.asarray(geoms, dtype=object)
    out = np.full(len(geoms), "", dtype=object)
    present = ~shapely.is_missing(geoms)
    points = shapely.point_on_surface(geoms[present])
    lon, lat = shapely.get_x(points), shapely.get_y(points)
    found = np.full(len(points), OUTSIDE, dtype=object)
    for name, (x0, y0, x1, y1) in reversed(FRANCE_BOXES.items()):  # the first box wins
        inside = (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
        found[inside] = name
    out[present] = found
    return out


def layer_ranges(geoms_m: np.ndarray, area: np.ndarray, z: int) -> list[mercator.Range]:
    """Return the tile ranges of one zoom: one per area, covering its geometries (metres)."""
    ranges = []
    for name in pd.unique(area[area != ""]):
        bounds = shapely.total_bounds(geoms_m[area == name])
        ranges.append(mercator.tile_range(bounds, z))
    return ranges


def _write_layer(
    folder: Path, spec: LayerSpec, id_column: str, digest, log: Callable
) -> tuple[dict, LayerStats]:
    frame = spec.frame.reset_index(drop=True)
    geoms = np.asarray(frame.geometry.values, dtype=object)
    present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    geoms_m = np.asarray(frame.geometry.to_crs(CRS_TILES).values, dtype=object)
    geoms_m[~present] = None
    props = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    attributes = encode.Attributes.of(props)  # once for every zoom
    area = areas(np.where(present, geoms, None))
    stats = LayerStats(
        count=len(frame), without_geometry=sorted(props.loc[~present, id_column].astype(str))
    )
    zooms = range(spec.minzoom, spec.maxzoom + 1)
    fine = [z for z in zooms if z >= spec.full_detail_from]
    coarse = range(spec.simplified_down_to, min(spec.full_detail_from, spec.maxzoom + 1))
    ranges: dict[str, list] = {}
    with ThreadPoolExecutor(max_workers=1) as pool:
        simplified = pool.submit(simplify.per_zoom, geoms_m, coarse)
        for z in sorted(fine, reverse=True):
            ranges[str(z)] = _write_zoom(
                folder, spec.name, geoms_m, attributes, area, z, stats, digest
            )
            log(_zoom_line(spec.name, z, stats.zooms[z]))
        coverages = simplified.result()
        for z in range(spec.minzoom, spec.simplified_down_to):
            coverages[z] = coverages[spec.simplified_down_to]
        for z, coverage in sorted(coverages.items(), reverse=True):
            ranges[str(z)] = _write_zoom(
                folder, spec.name, coverage, attributes, area, z, stats, digest
            )
            log(_zoom_line(spec.name, z, stats.zooms[z]))
    bounds = shapely.total_bounds(geoms[present])
    meta = {
        "minzoom": spec.minzoom,
        "maxzoom": spec.maxzoom,
        "count": len(frame),
        "fields": spec.fields,
        "ranges": dict(sorted(ranges.items(), key=lambda kv: int(kv[0]))),
        "bounds": [round(float(v), 6) for v in bounds],
        "without_geometry": stats.without_geometry,
    }
    return meta, stats


def _write_zoom(folder, name, geoms_m, attributes, area, z, stats, digest) -> list[list[int]]:
    t0 = time.perf_counter()
    layer = encode.Layer.of(name, geoms_m, attributes)
    ranges = layer_ranges(geoms_m, area, z)
    zs = ZoomStats()
    drawn = np.zeros(len(geoms_m), dtype=bool)
    for x, y in mercator.tiles_in(ranges):
        raw, rows = encode.cut(layer, z, x, y)
        drawn[rows] = True
        data = gzip.compress(raw, compresslevel=9, mtime=0) if raw else b""
        path = folder / name / str(z) / str(x) / f"{y}{SUFFIX}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        digest.update(f"{name}/{z}/{x}/{y}{SUFFIX}:{len(data)}:".encode())  # path as served
        digest.update(data)
        zs.tiles += 1
        zs.non_empty += bool(data)
        zs.bytes += len(data)
        zs.raw_bytes += len(raw)
    zs.not_drawn = int((~drawn & ~shapely.is_missing(geoms_m)).sum())
    zs.seconds = round(time.perf_counter() - t0, 2)
    stats.zooms[z] = zs
    return [list(r) for r in ranges]


def _zoom_line(name: str, z: int, zs: ZoomStats) -> str:
    return (
        f"  {name} z{z}: {zs.tiles} tiles ({zs.non_empty} not empty), {zs.bytes:,} bytes "
        f"({zs.raw_bytes:,} uncompressed), "
        f"{zs.not_drawn} features under a unit not drawn, {zs.seconds} s"
    )
