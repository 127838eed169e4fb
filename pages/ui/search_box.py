"""The territory search box shared by the map and the Territoire page."""

from __future__ import annotations

import streamlit as st

from geodata import search
from geodata.atlas import Atlas
from pages.ui.markup import literal


def territory_search(atlas: Atlas, label: str, placeholder: str) -> tuple[str, str] | None:
    """Search communes, EPCI, Pays and TI by name or code; return the ``(kind, id)`` picked.

    Shows the matches in a select box (the best one chosen), or says that nothing matches.
    """
    query = st.text_input(label, placeholder=placeholder)
    if not query:
        return None
    hits = search.search(atlas.search_index, query)
    if hits.empty:
        st.info(literal(f"Aucun territoire ne correspond à « {query} »."))
        return None
    labels = [f"{r.label} — {r.detail} ({r.id})" for r in hits.itertuples()]
    choice = st.selectbox("Résultats", range(len(labels)), format_func=labels.__getitem__)
    kind, ident = hits.iloc[choice][["kind", "id"]]
    return str(kind), str(ident)
