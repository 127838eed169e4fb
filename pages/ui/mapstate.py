"""Streamlit glue for the map view: query string <-> widgets, and the view to draw."""

from __future__ import annotations

import geopandas as gpd
import streamlit as st

from geodata import territory
from geodata.atlas import Atlas
from geodata.vocab import leaflet_bounds
from layers.compose import MapView
from layers.registry import REGISTRY
from pages.ui import data, viewstate
from pages.ui.markup import literal
from pages.ui.viewstate import ViewState

LAYER_LABELS = {key: layer.label for key, layer in REGISTRY.items()}  # sidebar, messages
# Tooltip kind label (see layers/*.KIND_LABEL) -> kind of the selection it makes.
SELECTION_OF_KIND = {layer.kind_label: layer.selects for layer in REGISTRY.values()}


def current_view(default_basemap: str) -> ViewState:
    """Return the view from the URL (first run of a session) or from the widgets' state."""
    if "view" not in st.session_state:
        st.session_state.view = viewstate.from_query(st.query_params.to_dict(), default_basemap)
    return st.session_state.view


def ignored_notice(view: ViewState) -> str:
    """Return the French notice of the URL parameters the view ignored, escaped ("" if none)."""
    if not view.ignored:
        return ""
    return literal("Paramètres d'adresse ignorés : " + ", ".join(view.ignored))


def publish(view: ViewState) -> None:
    """Store the view for this session and write it to the URL (the permalink)."""
    st.session_state.view = view
    query = view.to_query()
    if query != st.query_params.to_dict():
        st.query_params.from_dict(query)


def map_view(atlas: Atlas, view: ViewState) -> MapView:
    """Translate the URL view into what the map draws (départements, ids, extent)."""
    deps = None
    if view.dep:
        deps = [view.dep]
    elif view.reg:
        deps = sorted(atlas.departements.loc[atlas.departements["insee_reg"] == view.reg, "code"])
    highlight, bounds, outline = {}, None, None
    if view.selection:
        kind, ident = view.selection
        highlight = {kind: ident}
        outline = selection_outline(kind, ident)
        bounds = leaflet_bounds(outline.total_bounds) if outline is not None else None
    elif deps:
        sel = atlas.departements[atlas.departements["code"].isin(deps)]
        bounds = leaflet_bounds(sel.total_bounds)
    return MapView(
        layers=view.layers,
        departements=deps,
        kinds=list(view.kinds),
        programmes=list(view.programmes),
        themes=list(view.themes),
        text=view.text,
        highlight=highlight,
        bounds=bounds,
        selection=outline,
        basemap=view.basemap,
    )


@st.cache_data(max_entries=256, show_spinner=False)
def selection_outline(kind: str, ident: str) -> gpd.GeoDataFrame | None:
    """Outline of a selected territory (its communes dissolved), or None when unknown."""
    return territory.outline(data.get_atlas(), kind, ident)
