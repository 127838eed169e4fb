"""Around the map's side panel: close the selection, choose among the territories clicked.

A click on the map lands on the top layer's feature, but the point lies in several
territories at once (a commune, its EPCI, a TI, a Pays / PETR): the panel lists them
all ("À cet endroit : …") as buttons, so the reader chooses which one to open.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from geodata import scope
from geodata.atlas import Atlas
from geodata.briefing.model import BRIEFING_KINDS
from geodata.territory import territory_id
from pages.ui import search_box
from pages.ui.markup import literal

HERE = "ici"  # session key of the territories at the last clicked point


def remember_click(atlas: Atlas, lat: float, lon: float) -> None:
    """Keep the territories holding the clicked point (EPSG:4326) for the panel."""
    places = scope.territories_at(atlas, lon, lat)
    st.session_state[HERE] = [(p.kind, p.ident, p.name, p.kind_label) for p in places]


def forget_click() -> None:
    """Drop the clicked point's territories (a search or a new scope replaced the click)."""
    st.session_state.pop(HERE, None)


def _close() -> None:
    st.session_state.view = replace(st.session_state.view, selection=None)
    forget_click()
    search_box.clear()


def _select(kind: str, ident: str) -> None:
    st.session_state.view = st.session_state.view.with_selection(kind, ident)


def close_button() -> None:
    """Draw a "Fermer" button that closes the selection and empties the search box."""
    st.button(
        "Fermer",
        key="fermer",
        icon=":material/close:",
        on_click=_close,
        help="Fermer ce panneau (la carte garde sa place)",
    )


def here(selected: tuple[str, str]) -> None:
    """List the territories at the last clicked point, the selected one marked."""
    places = st.session_state.get(HERE) or []
    if len(places) < 2 or not any((k, i) == selected for k, i, _, _ in places):
        return
    st.markdown("**À cet endroit :**")
    row = st.container(horizontal=True, gap="small")
    for kind, ident, name, kind_label in places:
        current = (kind, ident) == selected
        row.button(
            literal(f"{kind_label} : {name}"),
            key=f"ici_{kind}_{ident}",
            on_click=_select,
            args=(kind, ident),
            type="primary" if current else "secondary",
            help="Affiché ci-dessous" if current else "Ouvrir ce territoire",
        )


def fiche_link(kind: str, ident: str) -> None:
    """Link a région's or a département's fiche (the panel links the other kinds)."""
    if kind in ("region", "departement") and kind not in BRIEFING_KINDS:
        st.page_link(
            "pages/territoire.py",
            label="Fiche territoire",
            icon=":material/description:",
            query_params={"t": territory_id(kind, ident)},
        )
