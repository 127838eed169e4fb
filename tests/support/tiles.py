"""A tiny vector tile set for unit tests, written by the build's own tile writer.

:func:`write_tileset` cuts synthetic communes (e.g. the four Ain communes of the
``embed_atlas`` fixture) with :func:`geodata.tiles.tileset.write_tileset`, so the layer's
tests read exactly what the ``tiles`` stage writes (gzip-compressed tiles included).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import geopandas as gpd

from geodata.atlas import Atlas
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


def with_commune_tiles(
    atlas: Atlas,
    build: Path,
    zooms: range = range(4, 7),
    pays: Sequence[str] | str = ("pays-bugey", "", "", ""),
    ti: Sequence[str] | str = ("", "", "ti-0101", ""),
) -> Atlas:
    """Return ``atlas`` (the four Ain communes of ``embed_atlas``) with commune tiles in ``build``.

    The tiles carry the commune layer's attributes: ``pays`` and ``ti`` per commune (or one
    value for all), programmes ``acv;pvd``, ``pvd``, none, ``villages_avenir``.
    """
    com = atlas.communes
    props = com.assign(
        code=com["insee_com"],
        dep=com["insee_dep"],
        reg=com["insee_reg"],
        epci=com["siren_epci"],
        pays=pays if isinstance(pays, str) else list(pays),
        ti=ti if isinstance(ti, str) else list(ti),
        prog=["acv;pvd", "pvd", "", "villages_avenir"],
        n_prog=[2, 1, 0, 1],
        pop=com["population"],
    )[["code", "nom", "dep", "reg", "epci", "pays", "ti", "prog", "n_prog", "pop", "geometry"]]
    write_tileset(build / "tiles", props, zooms)
    return replace(atlas, out=build)
