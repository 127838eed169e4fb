"""Streamlit glue for the map view: query string <-> widgets, and the view to draw."""

from __future__ import annotations

import streamlit as st

from geodata import territory
from geodata.atlas import Atlas
from layers.compose import MapView
from pages import viewstate
from pages.viewstate import ViewState

LAYER_LABELS = {
    "epci": "Intercommunalités (EPCI)", "pays": "Pays / PETR", "ti": "Territoires d'industrie",
    "acv": "Action cœur de ville", "pvd": "Petites villes de demain", "tiers_lieux": "Tiers-lieux",
    "clusters": "Clusters, pôles, grappes", "cases": "Études de cas",
}
# Tooltip kind label (see layers/*.KIND_LABEL) -> kind of the selection it makes.
SELECTION_OF_KIND = {
    "EPCI": "epci", "Pays / PETR": "pays", "Territoire d'industrie": "ti", "ACV": "commune",
    "PVD": "commune", "Tiers-lieu": "commune", "Cluster": "case", "Étude de cas": "case",
}


def current_view(default_basemap: str) -> ViewState:
    """The view from the URL (first run of a session) or from the widgets' state."""
    if "view" not in st.session_state:
        st.session_state.view = viewstate.from_query(st.query_params.to_dict(), default_basemap)
    return st.session_state.view


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
    highlight = {}
    bounds = None
    if view.selection:
        kind, ident = view.selection
        highlight = {"case" if kind == "case" else kind: ident}
        bounds = selection_bounds(atlas, kind, ident)
    elif deps:
        sel = atlas.departements[atlas.departements["code"].isin(deps)]
        bounds = _to_leaflet(sel.total_bounds)
    return MapView(
        layers=view.layers, departements=deps, kinds=list(view.kinds),
        programmes=list(view.programmes), themes=list(view.themes), text=view.text,
        highlight=highlight, bounds=bounds, basemap=view.basemap,
    )


def selection_bounds(atlas: Atlas, kind: str, ident: str) -> list[list[float]] | None:
    """Extent of a selected territory, as Leaflet wants it ([[south, west], [north, east]])."""
    codes = territory.commune_codes(atlas, kind, ident)
    com = atlas.communes[atlas.communes["insee_com"].isin(codes)]
    if com.empty or com.geometry.isna().all():
        return None
    return _to_leaflet(com.total_bounds)


def _to_leaflet(b) -> list[list[float]]:
    return [[float(b[1]), float(b[0])], [float(b[3]), float(b[2])]]
