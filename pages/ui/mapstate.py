"""Streamlit glue for the map view: query string <-> widgets, and the view to draw."""

from __future__ import annotations

import geopandas as gpd
import shapely
import streamlit as st

from geodata import territory
from geodata.atlas import Atlas
from layers.compose import MapView
from pages.ui import data, viewstate
from pages.ui.viewstate import ViewState

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
    highlight, bounds, outline = {}, None, None
    if view.selection:
        kind, ident = view.selection
        highlight = {kind: ident}
        outline = selection_outline(kind, ident)
        bounds = _to_leaflet(outline.total_bounds) if outline is not None else None
    elif deps:
        sel = atlas.departements[atlas.departements["code"].isin(deps)]
        bounds = _to_leaflet(sel.total_bounds)
    return MapView(
        layers=view.layers, departements=deps, kinds=list(view.kinds),
        programmes=list(view.programmes), themes=list(view.themes), text=view.text,
        highlight=highlight, bounds=bounds, selection=outline, basemap=view.basemap,
    )


@st.cache_data(max_entries=256, show_spinner=False)
def selection_outline(kind: str, ident: str) -> gpd.GeoDataFrame | None:
    """Outline of a selected territory (its communes dissolved), or None when unknown."""
    atlas = data.get_atlas()
    codes = territory.commune_codes(atlas, kind, ident)
    com = atlas.communes[atlas.communes["insee_com"].isin(codes)]
    com = com[~com.geometry.isna()]
    if com.empty:
        return None
    row = territory.find(atlas, kind, ident)
    name = str(row.get("nom", row.get("lib_ti", row.get("name", ident))))
    geom = shapely.coverage_union_all(com.geometry.values)
    return gpd.GeoDataFrame({"id": [ident], "name": [name]}, geometry=[geom], crs=com.crs)


def _to_leaflet(b) -> list[list[float]]:
    return [[float(b[1]), float(b[0])], [float(b[3]), float(b[2])]]
