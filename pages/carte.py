"""Carte: the national map with layers, filters, search and the side panel."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from layers.compose import cap_notice, compose_map
from layers.geojson import parse_tooltip
from pages.ui import data, embed_panel, mapstate, panel, search_box, sidebar

atlas = data.get_atlas()
first_run = "view" not in st.session_state  # the URL is read once per session
view = mapstate.current_view("ign" if data.online() else "aucun")
if first_run and view.ignored:
    st.info(mapstate.ignored_notice(view))
view = sidebar.filters(atlas, view)

picked = search_box.territory_search(
    atlas,
    "Rechercher une commune, un EPCI, un Pays ou un Territoire d'industrie",
    "Nom ou code (ex. Roanne, 42187, 200035731)",
)
if picked and view.selection != picked:
    view = view.with_selection(*picked)
mapstate.publish(view)

left, right = st.columns([3, 2] if view.selection else [1, 0.0001])
with left:
    m, drawn, missing = compose_map(data.map_layers(), mapstate.map_view(atlas, view), data.store())
    for key in missing:
        st.warning(f"Couche « {mapstate.LAYER_LABELS[key]} » non chargée : {data.load_hint(key)}")
    for spec in drawn:
        if spec.capped:
            st.info(cap_notice(spec))
    out = st_folium(
        m,
        key="carte",
        height=620,
        use_container_width=True,
        returned_objects=["last_object_clicked_tooltip"],
    )
    embed_panel.integrer(view)
clicked = parse_tooltip((out or {}).get("last_object_clicked_tooltip"))
if clicked and clicked != st.session_state.get("last_click"):
    st.session_state.last_click = clicked
    kind = mapstate.SELECTION_OF_KIND.get(clicked[0])
    if kind and view.selection != (kind, clicked[1]):
        mapstate.publish(view.with_selection(kind, clicked[1]))
        st.rerun()
if view.selection:
    with right:
        panel.show(atlas, *view.selection)
