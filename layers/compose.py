"""Assemble the map for one view: basemap, the layers asked for, legend, extent.

Takes GeoDataFrames and primitives (no Streamlit); returns the folium map and the specs
of the layers drawn, from which the legend is made (so the legend matches the map).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import folium
import geopandas as gpd

from layers import acv, basemap, cases, epci, pays, pvd, ti, tiers_lieux
from layers.assets import offline_map, vendor_prefix
from layers.geojson import ASSET_PREFIX, DataStore, LayerSpec
from layers.legend import Legend
from layers.selection import selection_layer

ATTRIBUTION = "Sources : IGN, INSEE (COG 2025), ANCT — Licence Ouverte 2.0"
FRANCE_BOUNDS = [[41.3, -5.2], [51.1, 9.6]]  # metropolitan France, south-west / north-east


@dataclass(frozen=True)
class MapView:
    """What to draw: layer keys in drawing order, filters and the selected feature."""

    layers: tuple[str, ...]
    departements: list[str] | None = None  # None: no geographic filter
    ti_ids: list[str] | None = None
    pays_ids: list[str] | None = None
    kinds: list[str] = field(default_factory=list)
    programmes: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    text: str = ""
    highlight: dict[str, str] = field(default_factory=dict)  # layer key -> id
    bounds: list[list[float]] | None = None
    selection: gpd.GeoDataFrame | None = None  # outline of the selected territory
    basemap: str = "aucun"
    ti_phase: str = "2023-2027"


def compose_map(
    data: dict[str, gpd.GeoDataFrame | None], view: MapView, store: DataStore,
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
        layer = _layer(key, gdf, store, view)
        layer.add_to(m)
        drawn.append(layer.spec)
    if view.selection is not None and not view.selection.empty:
        selection_layer(view.selection).add_to(m)
    Legend(drawn, ATTRIBUTION).add_to(m)
    m.fit_bounds(view.bounds or FRANCE_BOUNDS, max_zoom=12)
    return m, drawn, missing


def _layer(key: str, gdf: gpd.GeoDataFrame, store: DataStore, view: MapView):
    deps, hl = view.departements, view.highlight.get
    builders = {
        "epci": lambda: epci.epci_layer(gdf, store, departements=deps, highlight=hl("epci")),
        "pays": lambda: pays.pays_layer(gdf, store, ids=view.pays_ids, highlight=hl("pays")),
        "ti": lambda: ti.ti_layer(gdf, store, phase=view.ti_phase, ids=view.ti_ids,
                                  highlight=hl("ti")),
        "acv": lambda: acv.acv_layer(gdf, store, departements=deps),
        "pvd": lambda: pvd.pvd_layer(gdf, store, departements=deps),
        "tiers_lieux": lambda: tiers_lieux.tiers_lieux_layer(gdf, store, departements=deps),
        "clusters": lambda: cases.cases_layer(gdf, store, departements=deps, themes=view.themes,
                                              text=view.text, clusters_only=True),
        "cases": lambda: cases.cases_layer(
            gdf, store, departements=deps, kinds=view.kinds, programmes=view.programmes,
            themes=view.themes, text=view.text, highlight=hl("case")),
    }
    if key not in builders:
        raise ValueError(f"unknown layer {key!r}; expected one of {sorted(builders)}")
    return builders[key]()
