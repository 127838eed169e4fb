"""Carte: the national map with layers, filters, search and the side panel."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st
from streamlit_folium import st_folium

from layers.compose import cap_notice, compose_live
from layers.geojson import parse_tooltip
from pages.ui import data, embed_panel, mapstate, panel, phone, places, search_box, sidebar
from pages.ui.markup import literal

phone.style()
atlas = data.get_atlas()
first_run = "view" not in st.session_state  # the URL is read once per session
view = mapstate.current_view("ign" if data.online() else "aucun")
# Notices go in containers that are always there: the map keeps its place in the page, so
# Streamlit keeps its frame and a rerun redraws the map in it (see compose_live).
notices = st.container()
if first_run and view.ignored:
    notices.info(mapstate.ignored_notice(view))
view = sidebar.filters(atlas, view)

picked = search_box.territory_search(
    atlas,
    "Rechercher une région, un département, une commune, un EPCI, un Pays ou un TI",
    "Nom ou code (ex. Roanne, Puy-de-Dôme, 63, 42187, 200035731)",
    region=view.reg,
)
if picked and view.selection != picked:
    view = view.with_selection(*picked)
    places.forget_click()
elif search_box.cleared() and view.selection:
    view = replace(view, selection=None)
mapstate.publish(view)

scope_box = st.container()
if summary := mapstate.scope_summary(atlas, view.reg, view.dep):
    scope_box.markdown(f"**{literal(summary)}**")
    scope_box.caption(mapstate.SCOPE_NOTE)

left, right = st.columns([3, 2] if view.selection else [1, 0.0001])
with left:
    map_view = mapstate.map_view(atlas, view, mapstate.fit_key(view))
    live = compose_live(data.map_layers(), map_view, data.store())
    layer_notes = st.container()
    for key in live.missing:
        layer_notes.warning(
            f"Couche « {mapstate.LAYER_LABELS[key]} » non chargée : {data.load_hint(key)}"
        )
    for spec in live.drawn:
        if spec.capped:
            layer_notes.info(cap_notice(spec))
    # The base is drawn once per frame; a rerun only swaps the overlay (redrawn in place).
    out = st_folium(
        live.base,
        feature_group_to_add=live.overlay,
        key="carte",
        height=620,
        use_container_width=True,
        returned_objects=["last_object_clicked_tooltip", "last_object_clicked"],
    )
    embed_panel.integrer(view)
out = out or {}
clicked = parse_tooltip(out.get("last_object_clicked_tooltip"))
where = out.get("last_object_clicked") or {}
if clicked and (clicked, where) != st.session_state.get("last_click"):
    st.session_state.last_click = (clicked, where)
    if "lat" in where and "lng" in where:
        places.remember_click(atlas, where["lat"], where["lng"])
    kind = mapstate.SELECTION_OF_KIND.get(clicked[0])
    if kind and view.selection != (kind, clicked[1]):
        mapstate.publish(view.with_selection(kind, clicked[1]))
        st.session_state[phone.SCROLL] = True
        st.rerun()
if view.selection:
    with right, st.container(key="panneau"):
        places.close_button()
        places.here(view.selection)
        panel.show(atlas, *view.selection)
        places.fiche_link(*view.selection)
    phone.scroll_to_panel()
