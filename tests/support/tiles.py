"""A tiny vector tile set for unit tests, written by the build's own tile writer.

:func:`write_tileset` cuts synthetic communes (e.g. the four Ain communes of the
``embed_atlas`` fixture) with :func:`geodata.tiles.tileset.write_tileset`, so the layer's
tests read exactly what the ``tiles`` stage writes (gzip-compressed tiles included).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from geodata.tiles import tileset


def write_tileset(folder: Path, communes: gpd.GeoDataFrame, zooms: range = range(4, 7)) -> str:
    """Write ``folder/tileset.json`` and the tiles of ``communes``; return the set's digest.

    ``communes`` (EPSG:4326) holds the tile properties as columns (``code``, ``nom``,
    ``dep``, ``reg``, ``epci``, ``pays``, ``ti``, ``prog``, ``n_prog``, ``pop``).
    """
    fields = {c: c for c in communes.columns if c != "geometry"}
    spec = tileset.LayerSpec(
        "communes", communes, fields, zooms.start, zooms.stop - 1, zooms.stop - 1, zooms.start
    )
    meta, _ = tileset.write_tileset(Path(folder), [spec], log=lambda _: None)
    return meta["digest"]
