"""Assemble the map for one view: basemap, the layers asked for, legend, extent.

Takes GeoDataFrames and primitives (no Streamlit); returns the folium map and the specs
of the layers drawn, from which the legend is made (so the legend matches the map).

Every visitor's browser downloads the features of each layer drawn: a point layer sends
at most :data:`MAX_FEATURES` of them (a user's case table of 200,000 rows would be an
86 MB download). Over the cap, the view's filters are applied here rather than in the
browser, the first :data:`MAX_FEATURES` matching features are sent (the selected one
first), and the spec says so (``capped``; :func:`cap_notice` words it for the page).

A layer drawn from vector tiles (the communes) sends no features at all: the browser asks
the app for the tiles it shows, so it is never capped.

The map keeps the reader's place: each redraw (a layer or a filter changed) restores the
centre and zoom the reader left, kept in the browser tab's ``sessionStorage`` under the
view's ``fit_key``; only a new key (a new selection or scope) fits the map again
(:class:`KeepView`). Panning therefore never reruns the Streamlit script.
"""

from __future__ import annotations

from dataclasses import replace

import folium
import geopandas as gpd
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from geodata.vocab import FRANCE_VIEW, leaflet_bounds
from layers import basemap, geojson
from layers.assets import offline_map, vendor_prefix
from layers.geojson import (
    ASSET_PREFIX,
    ATLAS_JS,
    AtlasGeoJson,
    CapturingStore,
    DataStore,
    LayerSpec,
    apply_filters,
    apply_text,
    capped_rows,
)
from layers.legend import Legend
from layers.overseas import FitView, OverseasControl
from layers.registry import REGISTRY, MapView, draw_layer
from layers.selection import scope_layer, selection_layer
from layers.tiles import TileSource

__all__ = ["ATTRIBUTION", "MAX_FEATURES", "MapView", "cap_notice", "compose_map"]

ATTRIBUTION = "Sources : IGN, INSEE (COG 2025), ANCT — Licence Ouverte 2.0"
MAX_FEATURES = geojson.MAX_FEATURES


def compose_map(
    data: dict[str, gpd.GeoDataFrame | TileSource | None],
    view: MapView,
    store: DataStore,
    prefix: str = ASSET_PREFIX,
) -> tuple[folium.Map, list[LayerSpec], list[str]]:
    """Return ``(map, specs drawn, layers asked for but not loaded)``."""
    m = offline_map(prefix=vendor_prefix(prefix), zoom_control=True, zoom_snap=0.25)
    tiles = basemap.basemap_layer(view.basemap)
    if tiles is not None:
        tiles.add_to(m)
    drawn, missing = [], []
    for key in view.layers:
        gdf = data.get(key)
        if gdf is None:
            missing.append(key)
            continue
        if REGISTRY[key].tiles:
            layer = draw_layer(key, gdf, store, view)
        else:
            layer = draw_capped(key, gdf, store, view)
        layer.add_to(m)
        drawn.append(layer.spec)
    if view.scope is not None and not view.scope.empty:
        scope_layer(view.scope).add_to(m)
    if view.selection is not None and not view.selection.empty:
        selection_layer(view.selection).add_to(m)
    Legend(drawn, ATTRIBUTION).add_to(m)
    OverseasControl(prefix).add_to(m)
    bounds = view.bounds or leaflet_bounds(FRANCE_VIEW)
    if view.fit_key:
        KeepView(bounds, view.fit_key, prefix).add_to(m)
    else:
        FitView(bounds, prefix).add_to(m)
    return m, drawn, missing


class KeepView(JSCSSMixin, MacroElement):
    """Fit ``bounds`` once per ``key``; on a redraw with the same key, keep the reader's view.

    The last centre and zoom are kept in ``sessionStorage`` (one per browser tab) with the
    key that placed them; when storage is unavailable the map fits ``bounds`` every time.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}\n"
        "(function (map, bounds, options, key) {\n"
        "  var store = null, saved = null;\n"
        "  try { store = window.sessionStorage;\n"
        "        saved = JSON.parse(store.getItem('atlas-view') || 'null'); }\n"
        "  catch (e) { store = null; }\n"
        "  if (saved && saved.key === key) {\n"
        "    map.setView(saved.center, saved.zoom, { animate: false });\n"
        "  } else { atlas.fitView(map, bounds, options); }\n"
        "  map.on('moveend', function () {\n"
        "    var c = map.getCenter();\n"
        "    try { store && store.setItem('atlas-view', JSON.stringify(\n"
        "      { key: key, center: [c.lat, c.lng], zoom: map.getZoom() })); } catch (e) {}\n"
        "  });\n"
        "})({{ this._parent.get_name() }}, {{ this.bounds|tojson }}, "
        "{{ this.options|tojson }}, {{ this.key|tojson }});\n"
        "{% endmacro %}"
    )

    def __init__(self, bounds: list[list[float]], key: str, prefix: str = ASSET_PREFIX):
        super().__init__()
        self._name = "KeepView"
        self.bounds = [[float(v) for v in corner] for corner in bounds]
        self.key = key
        self.options = FitView(bounds, prefix).options
        self.default_js = [("atlas_layers", f"{prefix}/{ATLAS_JS}")]


def draw_capped(
    key: str, gdf: gpd.GeoDataFrame, store: DataStore, view: MapView, limit: int = MAX_FEATURES
) -> AtlasGeoJson:
    """Draw layer ``key`` (:func:`draw_layer`); a point layer sends at most ``limit`` features.

    Over the limit, only the features the view's filters keep are counted and the first
    ``limit`` sent (the highlighted one first); the spec's ``capped`` is then
    ``(sent, matching)``. Polygon layers and layers within the limit are sent whole.
    """
    kept = CapturingStore()
    spec = draw_layer(key, gdf, kept, view).spec
    frame = kept.frames[spec.name]
    if spec.geometry == "point" and len(frame) > limit:
        frame = apply_text(apply_filters(frame, spec.filters), spec)
        if len(frame) > limit:
            sent = capped_rows(frame, spec, limit)
            spec = replace(spec, capped=(len(sent), len(frame)))
            frame = sent
    return AtlasGeoJson(spec, store.put(frame, spec.name))


def cap_notice(spec: LayerSpec) -> str:
    """Return the French notice of a capped layer ("" when it was sent whole)."""
    if spec.capped is None:
        return ""
    sent, total = (f"{n:,}".replace(",", "\u202f") for n in spec.capped)
    return (
        f"{spec.kind_label} : {sent} éléments affichés sur {total} : filtrez (région, "
        "département, type, thème ou texte) pour voir les autres."
    )
