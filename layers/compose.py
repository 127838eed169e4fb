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

from dataclasses import dataclass, replace

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
from layers.legend import Legend, LegendStyle, LiveLegend
from layers.overseas import FitView, OverseasControl
from layers.registry import REGISTRY, MapView, draw_layer
from layers.selection import scope_layer, selection_layer
from layers.tiles import TileSource

__all__ = [
    "ATTRIBUTION",
    "MAX_FEATURES",
    "LiveMap",
    "MapView",
    "cap_notice",
    "compose_live",
    "compose_map",
]

ATTRIBUTION = "Sources : IGN, INSEE (COG 2025), ANCT — Licence Ouverte 2.0"
MAX_FEATURES = geojson.MAX_FEATURES


def compose_map(
    data: dict[str, gpd.GeoDataFrame | TileSource | None],
    view: MapView,
    store: DataStore,
    prefix: str = ASSET_PREFIX,
) -> tuple[folium.Map, list[LayerSpec], list[str]]:
    """Return ``(map, specs drawn, layers asked for but not loaded)``."""
    m = base_map(view, prefix)
    drawn, missing = add_layers(m, data, view, store)
    Legend(drawn, ATTRIBUTION).add_to(m)
    place(m, view, prefix)
    return m, drawn, missing


@dataclass
class LiveMap:
    """A map in two parts, for a page that redraws it in place (see :func:`compose_live`)."""

    base: folium.Map  # what stays while the reader filters: basemap, controls, scripts
    overlay: folium.FeatureGroup  # the layers, outlines, legend and placement of this view
    drawn: list[LayerSpec]
    missing: list[str]


def compose_live(
    data: dict[str, gpd.GeoDataFrame | TileSource | None],
    view: MapView,
    store: DataStore,
    prefix: str = ASSET_PREFIX,
) -> LiveMap:
    """Return the map of ``view`` as a base and an overlay, for st_folium's in-place redraw.

    st_folium draws ``base`` once per frame and, on the next reruns, only swaps the overlay
    (``feature_group_to_add``) while the base stays the same: a filter, a layer or a
    selection then redraws the layers in the frame already there (no new frame, no script
    loaded again, the features already parsed are reused by ``atlas-layers.js``). The base
    lists every script the overlay needs (:class:`OverlayAssets`), so a view needing other
    scripts (the commune layer turned on) changes the base and gets a new frame.
    """
    m = base_map(view, prefix)
    overlay = folium.FeatureGroup(name="atlas", control=False)
    drawn, missing = add_layers(overlay, data, view, store)
    LiveLegend(drawn, ATTRIBUTION, m).add_to(overlay)
    place(overlay, view, prefix, m)
    OverlayDrawn(m).add_to(overlay)
    LegendStyle().add_to(m)
    OverlayAssets(overlay).add_to(m)
    CatchUp().add_to(m)
    return LiveMap(m, overlay, drawn, missing)


def base_map(view: MapView, prefix: str = ASSET_PREFIX) -> folium.Map:
    """Return the offline map with the view's basemap (if any) and the overseas buttons."""
    m = offline_map(prefix=vendor_prefix(prefix), zoom_control=True, zoom_snap=0.25)
    tiles = basemap.basemap_layer(view.basemap)
    if tiles is not None:
        tiles.add_to(m)
    OverseasControl(prefix).add_to(m)
    return m


def add_layers(
    parent: folium.Map | folium.FeatureGroup,
    data: dict[str, gpd.GeoDataFrame | TileSource | None],
    view: MapView,
    store: DataStore,
) -> tuple[list[LayerSpec], list[str]]:
    """Add the view's layers, then its scope and selection outlines, to ``parent``.

    Returns ``(specs drawn, layers asked for but not loaded)``.
    """
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
        layer.add_to(parent)
        drawn.append(layer.spec)
    if view.scope is not None and not view.scope.empty:
        scope_layer(view.scope).add_to(parent)
    if view.selection is not None and not view.selection.empty:
        selection_layer(view.selection).add_to(parent)
    return drawn, missing


def place(
    parent: folium.Map | folium.FeatureGroup,
    view: MapView,
    prefix: str = ASSET_PREFIX,
    m: folium.Map | None = None,
) -> None:
    """Add what places map ``m`` (``parent`` itself by default) for ``view`` to ``parent``."""
    bounds = view.bounds or leaflet_bounds(FRANCE_VIEW)
    if view.fit_key:
        KeepView(bounds, view.fit_key, prefix, map=m).add_to(parent)
    else:
        FitView(bounds, prefix, map=m).add_to(parent)


class OverlayDrawn(MacroElement):
    """Last script of a live overlay: ``atlas.overlayDrawn(map)`` counts the redraws."""

    _template = Template(
        "{% macro script(this, kwargs) %}\n"
        "atlas.overlayDrawn({{ this.map.get_name() }});\n"
        "{% endmacro %}"
    )

    def __init__(self, m: folium.Map):
        super().__init__()
        self._name = "OverlayDrawn"
        self.map = m


class CatchUp(MacroElement):
    """Once its base is drawn, ask Streamlit for the latest overlay of the frame.

    st_folium draws the first overlay it was given once the frame's scripts are loaded,
    and ignores the overlays that arrive meanwhile (a filter changed during the load):
    telling Streamlit the frame is ready again makes it send the latest one.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}\n"
        "setTimeout(function () {\n"
        "  if (window.Streamlit && window.Streamlit.setComponentReady) {\n"
        "    window.Streamlit.setComponentReady();\n"
        "  }\n"
        "}, 0);\n"
        "{% endmacro %}"
    )

    def __init__(self):
        super().__init__()
        self._name = "CatchUp"


class OverlayAssets(JSCSSMixin, MacroElement):
    """The scripts and styles of an overlay, loaded with the base map.

    st_folium loads a frame's scripts once, with its base; they are named in the base's
    script, so an overlay needing other ones changes the base and gets a new frame.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}\n"
        "/* atlas overlay scripts: {{ this.names|join(', ') }} */\n"
        "{% endmacro %}"
    )

    def __init__(self, overlay: folium.FeatureGroup):
        super().__init__()
        self._name = "OverlayAssets"
        js, css = [], []
        for child in overlay._children.values():
            js += [link for link in getattr(child, "default_js", []) if link not in js]
            css += [link for link in getattr(child, "default_css", []) if link not in css]
        self.default_js, self.default_css = js, css
        self.names = [name for name, _ in js + css]


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
        "  if (map._atlasKeep) { map.off('moveend', map._atlasKeep); }\n"
        "  map._atlasKeep = function () {\n"
        "    var c = map.getCenter();\n"
        "    try { store && store.setItem('atlas-view', JSON.stringify(\n"
        "      { key: key, center: [c.lat, c.lng], zoom: map.getZoom() })); } catch (e) {}\n"
        "  };\n"
        "  map.on('moveend', map._atlasKeep);\n"
        "})({{ (this.map or this._parent).get_name() }}, {{ this.bounds|tojson }}, "
        "{{ this.options|tojson }}, {{ this.key|tojson }});\n"
        "{% endmacro %}"
    )

    def __init__(
        self,
        bounds: list[list[float]],
        key: str,
        prefix: str = ASSET_PREFIX,
        map: MacroElement | None = None,
    ):
        super().__init__()
        self._name = "KeepView"
        self.map = map  # the map it places, when its parent is not the map (an overlay)
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
