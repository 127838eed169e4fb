"""Assemble the map for one view: basemap, the layers asked for, legend, extent.

Takes GeoDataFrames and primitives (no Streamlit); returns the folium map and the specs
of the layers drawn, from which the legend is made (so the legend matches the map).
"""

from __future__ import annotations

import folium
import geopandas as gpd

from geodata.vocab import FRANCE_VIEW, leaflet_bounds
from layers import basemap
from layers.assets import offline_map, vendor_prefix
from layers.geojson import ASSET_PREFIX, DataStore, LayerSpec
from layers.legend import Legend
from layers.overseas import FitView, OverseasControl
from layers.registry import MapView, draw_layer
from layers.selection import selection_layer

__all__ = ["ATTRIBUTION", "MapView", "compose_map"]

ATTRIBUTION = "Sources : IGN, INSEE (COG 2025), ANCT — Licence Ouverte 2.0"


def compose_map(
    data: dict[str, gpd.GeoDataFrame | None],
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
        layer = draw_layer(key, gdf, store, view)
        layer.add_to(m)
        drawn.append(layer.spec)
    if view.selection is not None and not view.selection.empty:
        selection_layer(view.selection).add_to(m)
    Legend(drawn, ATTRIBUTION).add_to(m)
    OverseasControl(prefix).add_to(m)
    FitView(view.bounds or leaflet_bounds(FRANCE_VIEW), prefix).add_to(m)
    return m, drawn, missing
