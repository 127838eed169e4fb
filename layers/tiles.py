"""Vector tile layers: the tile set of a build, served by the app, drawn by ``atlas.tileLayer``.

The build stage ``tiles`` writes ``<build>/tiles/tileset.json`` and
``<build>/tiles/<layer>/<z>/<x>/<y>.pbf.gz`` (Mapbox Vector Tiles 2.1, gzip, XYZ, EPSG:3857;
every tile inside a layer's ranges exists, empty ones as 0-byte files). This module:

- reads ``tileset.json`` into a :class:`TileSet` (digest, zooms and tile ranges per layer);
- copies a tile set into ``static/tiles/<digest>/`` once (:func:`publish`: hard links when
  the file system allows, since Streamlit's static serving refuses symlinks; atomic: a
  half-copied folder is never served), where Streamlit serves it at
  ``/app/static/tiles/<digest>/<layer>/{z}/{x}/{y}.pbf.gz`` (:meth:`TileSet.url`);
- declares what the browser needs to draw one tile layer (:class:`TileSpec`) and the folium
  layer whose script is ``atlas.tileLayer(spec)`` (:class:`AtlasTiles`,
  ``static/atlas/atlas-tiles.js``: our canvas renderer on Leaflet's GridLayer, one Path2D
  per feature decoded once per tile, no Leaflet object per feature; Pbf, vendored, reads
  the protobuf).

Tooltips and clicks read ``"<nom> — <kind label> <code>"`` like every GeoJSON layer, so
:func:`layers.geojson.parse_tooltip` reads a click on a tile feature too. No Streamlit.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import folium
import pandas as pd
from folium.elements import JSCSSMixin
from jinja2 import Template

from geodata.tiles.tileset import COMPRESSION
from geodata.tiles.tileset import FORMAT as TILESET_FORMAT
from geodata.tiles.tileset import SUFFIX as TILE_SUFFIX
from layers.assets import ASSET_PREFIX, vendor_prefix, vendored_links
from layers.geojson import ATLAS_JS

TILES_JS = "atlas/atlas-tiles.js"
TILESET_FILE = "tileset.json"
TILE_SIZE = 512  # screen pixels of one native tile (256 × 2: one zoom of offset)


@dataclass(frozen=True)
class TileLayerInfo:
    """One layer of a tile set: native zooms, the tile ranges that exist, bounds, count."""

    minzoom: int
    maxzoom: int
    ranges: dict[str, list[list[int]]]  # zoom -> [[xmin, xmax, ymin, ymax], ...] inclusive
    bounds: list[float]  # [west, south, east, north], degrees
    count: int  # features in the layer
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TileSet:
    """A tile set on disk: its folder, content digest and layers (from ``tileset.json``)."""

    folder: Path
    digest: str
    extent: int
    layers: dict[str, TileLayerInfo]
    compression: str = COMPRESSION  # of every tile: the browser decompresses it

    def url(self, layer: str, prefix: str = ASSET_PREFIX) -> str:
        """Return the URL template of ``layer``'s tiles once published under ``prefix``."""
        return f"{prefix}/tiles/{self.digest}/{layer}/{{z}}/{{x}}/{{y}}{TILE_SUFFIX}"


def read_tileset(folder: Path) -> TileSet:
    """Read ``folder/tileset.json``.

    Raises
    ------
    FileNotFoundError
        When the folder holds no ``tileset.json`` (run ``atlas build``).
    ValueError
        When the file is not a tile set this code reads (format, digest, layers), naming
        the file and what is wrong.
    """
    path = Path(folder) / TILESET_FILE
    meta = json.loads(path.read_text(encoding="utf-8"))
    digest = str(meta.get("digest", ""))
    if (
        meta.get("format") != TILESET_FORMAT
        or meta.get("compression") != COMPRESSION
        or not digest.isalnum()
        or not meta.get("layers")
    ):
        raise ValueError(
            f"{path}: expected a tile set of format {TILESET_FORMAT} ({COMPRESSION} tiles) "
            f"with a digest and layers, got format={meta.get('format')!r}, "
            f"compression={meta.get('compression')!r}, digest={digest!r}; rebuild it "
            "with `atlas build --force`"
        )
    layers = {
        name: TileLayerInfo(
            minzoom=int(info["minzoom"]),
            maxzoom=int(info["maxzoom"]),
            ranges={str(z): [list(map(int, r)) for r in rs] for z, rs in info["ranges"].items()},
            bounds=[float(b) for b in info.get("bounds", [])],
            count=int(info.get("count", 0)),
            fields=dict(info.get("fields", {})),
        )
        for name, info in meta["layers"].items()
    }
    return TileSet(Path(folder), digest, int(meta.get("extent", 4096)), layers, COMPRESSION)


def find_tileset(build_dir: Path | None, layer: str) -> TileSet | None:
    """Return the tile set of a build directory when it holds ``layer``, else None."""
    if build_dir is None or not (Path(build_dir) / "tiles" / TILESET_FILE).is_file():
        return None
    tileset = read_tileset(Path(build_dir) / "tiles")
    return tileset if layer in tileset.layers else None


def publish(tileset: TileSet, static_dir: Path) -> Path:
    """Copy a tile set into ``static_dir/tiles/<digest>/`` once; return that folder.

    Files are hard-linked when ``static_dir`` is on the same file system as the build,
    copied otherwise. The copy is made in a temporary folder renamed into place, so a
    browser never reads a half-copied tile set; a folder already there (same digest, same
    content) is kept as is, so calling this again costs one ``stat``. Folders of other
    digests are left alone: another server on another build may be serving them.
    """
    target = Path(static_dir) / "tiles" / tileset.digest
    if target.is_dir():
        return target
    tmp = target.with_name(f".{tileset.digest}.tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        shutil.copytree(tileset.folder, tmp, copy_function=_link_or_copy)
        try:
            os.rename(tmp, target)
        except OSError:
            if not target.is_dir():  # not another process that published it first
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


@dataclass(frozen=True)
class TileSource:
    """What a tile layer draws: its tile set and the frame of its features' attributes.

    The frame (e.g. the communes, EPSG:4326) never goes to the browser: the layer reads
    figures from it (class breaks) and counts.
    """

    tileset: TileSet
    frame: pd.DataFrame


@dataclass(frozen=True)
class TileSpec:
    """What the browser needs to draw one tile layer (serialised for ``atlas.tileLayer``).

    ``coloring`` says how a feature's fill is chosen from its properties (see
    ``atlas-tiles.js``): ``{"by": prop, "member": key}`` (a ``;`` list holding ``key``),
    ``{"by": prop, "breaks": [...], "classes": [...]}`` (numeric classes: values below
    ``breaks[0]`` take ``classes[0]``; negative or missing values take ``none``) or
    ``{"by": prop, "palette": [...]}`` (the value is an index into ``palette``, such as
    the tiles' ``epci_c``; -1 or out of range is ``none``). ``colors`` are the legend rows
    (French label -> colour), as :class:`layers.geojson.LayerSpec` has them.
    """

    name: str  # the tile layer (folder and MVT layer name), also the registry key
    kind_label: str
    url: str
    minzoom: int
    maxzoom: int
    ranges: dict[str, list[list[int]]]
    coloring: dict[str, Any]
    none_color: str
    style: dict[str, Any]
    colors: dict[str, str] | None = None
    filters: dict[str, list[str]] | None = None
    highlight: str | None = None
    mode: str = ""
    id_field: str = "code"
    label_field: str = "nom"
    geometry: str = "polygon"
    cluster: bool = False  # read by the legend, like LayerSpec's
    capped: tuple[int, int] | None = None  # tiles carry every feature: never capped
    text: str | None = None
    text_fields: tuple[str, ...] = ()
    compression: str = COMPRESSION

    def to_js(self) -> dict[str, Any]:
        """Return the spec as ``atlas.tileLayer`` expects it."""
        return {
            "name": self.name,
            "kindLabel": self.kind_label,
            "url": self.url,
            "minNativeZoom": self.minzoom,
            "maxNativeZoom": self.maxzoom,
            "ranges": self.ranges,
            "idField": self.id_field,
            "labelField": self.label_field,
            "coloring": self.coloring,
            "none": self.none_color,
            "style": self.style,
            "filters": self.filters or {},
            "highlight": self.highlight,
            "compression": self.compression,
            # 512-pixel tiles, each drawing the native tile one zoom up (as Mapbox's): the
            # national view (zoom 5.75) draws 4 tiles of zoom 5, not 9 tiles of zoom 6.
            "tileSize": TILE_SIZE,
        }


class AtlasTiles(JSCSSMixin, folium.map.Layer):
    """A folium layer drawn by ``atlas.tileLayer`` from a :class:`TileSpec`.

    Loads Pbf (vendored) and the atlas scripts; only maps holding a tile layer load them.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}\n"
        "var {{ this.get_name() }} = atlas.tileLayer({{ this.spec_js|tojson }});\n"
        "{% endmacro %}"
    )

    def __init__(self, spec: TileSpec, prefix: str = ASSET_PREFIX):
        super().__init__(name=spec.kind_label, overlay=True, control=False, show=True)
        self._name = "AtlasTiles"
        self.spec = spec
        self.spec_js = spec.to_js()
        self.default_js = [
            *vendored_links(["pbf"], vendor_prefix(prefix)),
            ("atlas_layers", f"{prefix}/{ATLAS_JS}"),
            ("atlas_tiles", f"{prefix}/{TILES_JS}"),
        ]
