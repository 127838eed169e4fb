"""The generic GeoJSON layer every atlas layer is built on, and where its data lives.

A layer is a folium :class:`~folium.map.Layer` whose script is one call,
``atlas.geojsonLayer(spec)`` (``static/atlas/atlas-layers.js``): the spec says where the
data is (inline, or a URL the browser fetches and caches), how to style, filter and
label features. Big geometry therefore never travels through the Streamlit websocket
on each rerun; only the few hundred bytes of the spec do.

Tooltips read ``"<label> — <kind label> <id>"``; :func:`parse_tooltip` turns the text
st_folium returns on click back into ``(kind label, id)``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Protocol

import folium
import geopandas as gpd
import pandas as pd
import shapely
from folium.elements import JSCSSMixin
from jinja2 import Template

from geodata.schema import is_crs
from geodata.text import fold
from geodata.vocab import CRS_DISPLAY, LIST_SEP
from layers.assets import ASSET_PREFIX, markercluster_assets, vendor_prefix

ATLAS_JS = "atlas/atlas-layers.js"
_TOOLTIP_RE = re.compile(r" — (?P<kind>[^—]+?) (?P<id>\S+)$")


class DataStore(Protocol):
    """Where a layer's GeoJSON lives: returns the spec fields that point at it."""

    def put(self, gdf: gpd.GeoDataFrame, name: str) -> dict[str, Any]:
        """Return ``{"url": ...}`` or ``{"data": ...}`` for the layer's features."""


@dataclass
class CapturingStore:
    """A DataStore that keeps the features each layer would send, by layer name.

    The static export and the map's feature cap draw a layer into it to get the exact
    frame a map would send (columns chosen by the layer), then write it themselves.
    """

    frames: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)

    def put(self, gdf: gpd.GeoDataFrame, name: str) -> dict[str, Any]:
        """Keep ``gdf`` under ``name``; point at nothing."""
        self.frames[name] = gdf
        return {}


def apply_filters(gdf: gpd.GeoDataFrame, filters: dict[str, list[str]] | None) -> gpd.GeoDataFrame:
    """Keep the rows ``atlas-layers.js`` would keep for ``spec.filters`` (``;`` lists)."""
    keep = pd.Series(True, index=gdf.index)
    for column, allowed in (filters or {}).items():
        keep &= gdf[column].map(partial(_any_in, set(allowed)))
    return gdf[keep]


def _any_in(wanted: set[str], value: object) -> bool:
    return bool(wanted & set(value.split(LIST_SEP) if isinstance(value, str) else [value]))


def apply_text(gdf: gpd.GeoDataFrame, spec: LayerSpec) -> gpd.GeoDataFrame:
    """Keep the rows ``atlas-layers.js`` would keep for ``spec.text``.

    Accents and case are ignored; the text is searched in ``spec.text_fields`` or the label.
    """
    if not spec.text:
        return gdf
    fields = list(spec.text_fields) or [spec.label_field]
    hay = gdf[fields].fillna("").astype(str).agg(" ".join, axis=1).map(fold)
    return gdf[hay.str.contains(fold(spec.text), regex=False)]


MAX_FEATURES = 20_000  # points a layer sends each visitor (about 9 MB of GeoJSON for cases)


def capped_rows(
    gdf: gpd.GeoDataFrame, spec: LayerSpec, limit: int = MAX_FEATURES
) -> gpd.GeoDataFrame:
    """Return the rows of a point layer that fit the cap: the highlighted one first, then in order.

    Polygon layers and layers within ``limit`` are returned whole. The map, its table twin
    and the static export all cut with this function, so the table lists what is drawn.
    """
    if spec.geometry != "point" or len(gdf) <= limit:
        return gdf
    first = gdf[spec.id_field].astype(str) == (spec.highlight or "")
    return pd.concat([gdf[first], gdf[~first]]).head(limit)


def to_feature_collection(gdf: gpd.GeoDataFrame) -> str:
    """Serialise a GeoDataFrame in EPSG:4326 to GeoJSON text (no ids, compact)."""
    if not is_crs(gdf.crs, CRS_DISPLAY):
        raise ValueError(
            f"layer data must be in EPSG:4326 (WGS 84) for the map, got {gdf.crs}; "
            "reproject explicitly with gdf.to_crs('EPSG:4326')"
        )
    # What GeoDataFrame.to_json writes for EPSG:4326, without its own CRS check (see is_crs)
    return json.dumps(gdf.to_geo_dict(na="null", drop_id=True), separators=(",", ":"))


class InlineData:
    """Embed features in the page (tests, small layers, standalone exports)."""

    def put(self, gdf: gpd.GeoDataFrame, name: str) -> dict[str, Any]:
        """Return ``{"data": <FeatureCollection>}``."""
        return {"data": json.loads(to_feature_collection(gdf))}


@dataclass
class StaticFiles:
    """Write features to ``static/data/<name>-<hash>.geojson``; return its URL.

    Names are content-addressed, so the browser may cache a file forever and a rebuild
    gets a new URL. Writing is atomic and skipped when the file already exists.

    With ``gzip``, the file is written compressed (``.geojson.gz``) and ``atlas-layers.js``
    decompresses it: the app's server sends a ``.gz`` file as it is, where it would gzip a
    ``.geojson`` again at every request, on the event loop that also answers the health
    check (1.3 s of it for 20 sessions opening the national map).
    """

    static_dir: Path
    url_prefix: str = ASSET_PREFIX
    gzip: bool = False
    written: list[Path] = field(default_factory=list)
    _memo: dict[tuple, dict[str, Any]] = field(default_factory=dict, repr=False)

    def put(self, gdf: gpd.GeoDataFrame, name: str) -> dict[str, Any]:
        """Write (once) and return ``{"url": ...}``; cheap when called again on the same data."""
        key = (name, *fingerprint(gdf))
        if key not in self._memo:
            self._memo[key] = self._write(gdf, name)
        return self._memo[key]

    def _write(self, gdf: gpd.GeoDataFrame, name: str) -> dict[str, Any]:
        text = to_feature_collection(gdf).encode()
        digest = hashlib.sha256(text).hexdigest()[:16]
        rel = f"data/{name}-{digest}.geojson"
        if self.gzip:
            text, rel = gzipped(text), rel + ".gz"
        path = self.static_dir / rel
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".tmp{os.getpid()}")
            tmp.write_bytes(text)
            os.replace(tmp, path)
            self.written.append(path)
        return {"url": f"{self.url_prefix}/{rel}"}


def gzipped(data: bytes) -> bytes:
    """Return the bytes of a ``.geojson.gz`` file (``atlas-layers.js`` decompresses it).

    Level 9, and no time stamp in the header (``mtime=0``): the same features give the same
    bytes, so content-addressed names stay true and a re-export leaves the file as it was.
    """
    return gzip.compress(data, compresslevel=9, mtime=0)


def fingerprint(gdf: gpd.GeoDataFrame) -> tuple:
    """Return a cheap identity of a GeoDataFrame's content (attributes, coordinates, bounds)."""
    # Every value as text, hashed as one stream: a third of hash_pandas_object's time on
    # Arrow strings (run at every rerun of the map, for each layer).
    attrs = hashlib.blake2b(digest_size=16)
    for column in gdf.columns.drop("geometry"):
        attrs.update(f"\x1e{column}\x1d".encode())
        attrs.update("\x1f".join(map(str, gdf[column].tolist())).encode("utf-8", "surrogatepass"))
    coords = int(shapely.get_num_coordinates(gdf.geometry.values).sum())
    bounds = tuple(round(float(b), 7) for b in gdf.total_bounds) if len(gdf) else ()
    return (tuple(gdf.columns), len(gdf), attrs.hexdigest(), coords, bounds)


@dataclass(frozen=True)
class LayerSpec:
    """What the browser needs to draw one layer (serialised to JSON for atlas.js)."""

    name: str
    kind_label: str  # French, shown in tooltips and the legend: "EPCI", "Pays / PETR"…
    geometry: str  # "polygon" | "point"
    id_field: str
    label_field: str
    style: dict[str, Any]
    color_by: str | None = None
    colors: dict[str, str] | None = None
    filters: dict[str, list[str]] | None = None
    text: str | None = None
    text_fields: tuple[str, ...] = ()
    highlight: str | None = None
    cluster: bool = False
    area_style: dict[str, Any] | None = None  # for polygons in a point layer (cases on an area)
    capped: tuple[int, int] | None = None  # (features sent, features matching): over the cap

    def to_js(self, where: dict[str, Any]) -> dict[str, Any]:
        """Return the spec as atlas.js expects it, with the data location merged in."""
        return {
            "name": self.name,
            "kindLabel": self.kind_label,
            "geometry": self.geometry,
            "idField": self.id_field,
            "labelField": self.label_field,
            "style": self.style,
            "colorBy": self.color_by,
            "colors": self.colors,
            "filters": self.filters or {},
            "text": self.text or None,
            "textFields": list(self.text_fields) or None,
            "highlight": self.highlight,
            "cluster": self.cluster,
            "areaStyle": self.area_style,
            **where,
        }


class AtlasGeoJson(JSCSSMixin, folium.map.Layer):
    """A folium layer drawn by ``atlas.geojsonLayer`` from a :class:`LayerSpec`."""

    _template = Template(
        "{% macro script(this, kwargs) %}\n"
        "var {{ this.get_name() }} = atlas.geojsonLayer({{ this.spec_js|tojson }});\n"
        "{% endmacro %}"
    )

    def __init__(self, spec: LayerSpec, where: dict[str, Any], prefix: str = ASSET_PREFIX):
        super().__init__(name=spec.kind_label, overlay=True, control=False, show=True)
        self._name = "AtlasGeoJson"
        self.spec = spec
        self.spec_js = spec.to_js(where)
        self.default_js = [("atlas_layers", f"{prefix}/{ATLAS_JS}")]
        if spec.cluster:
            js, css = markercluster_assets(vendor_prefix(prefix))
            self.default_js = js + self.default_js
            self.default_css = css


def geojson_layer(
    gdf: gpd.GeoDataFrame, spec: LayerSpec, store: DataStore, columns: list[str]
) -> AtlasGeoJson:
    """Build the folium layer for ``gdf`` (EPSG:4326), keeping only ``columns``.

    Raises
    ------
    ValueError
        If a column is missing (naming it and those available) or the CRS is not 4326.
    """
    missing = [c for c in columns if c not in gdf.columns]
    if missing:
        raise ValueError(
            f"layer {spec.name!r}: missing column(s) {missing}; available: {list(gdf.columns)}"
        )
    where = store.put(gdf[[*columns, "geometry"]], spec.name)
    return AtlasGeoJson(spec, where)


def parse_tooltip(text: str | None) -> tuple[str, str] | None:
    """Return ``(kind label, id)`` from a tooltip text, or None if it is not one of ours."""
    if not text:
        return None
    match = _TOOLTIP_RE.search(text.strip())
    return (match["kind"], match["id"]) if match else None
