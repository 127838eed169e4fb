"""The territory search box shared by the map and the Territoire page.

Results come as the reader types (a pause commits the text) and are listed as buttons:
the reader picks one; nothing is chosen for them unless a single territory matches or the
text is a code. Clearing the box says so to the page (:func:`cleared`), which closes the
selection it opened.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geodata import scope, search
from geodata.atlas import Atlas
from geodata.territory import territory_id
from pages.ui import data
from pages.ui.markup import literal

KEY = "recherche"
HOLDS = (
    "L'atlas contient les régions, les départements, les communes, les EPCI, les "
    "Territoires d'industrie (2023-2027) et les Pays / PETR (ceux de BANATIC et ceux décrits "
    "dans les documents). Essayez un nom plus court, sans article, ou un code (INSEE, "
    "SIREN, ti-8408, dep-63, reg-84)."
)


@st.cache_data(max_entries=512, show_spinner=False)
def hits(query: str, region: str = "") -> pd.DataFrame:
    """Return the matches of ``query`` (:func:`geodata.search.search`), active région first."""
    return search.search(scope.place_index(data.get_atlas()), query, region=region)


def result_label(row) -> str:
    """Return a result's French label: "Clermont-Ferrand — Commune (63) · 63113"."""
    return f"{row.label} — {row.detail} · {territory_id(row.kind, row.id)}"


def _pick(key: str, options: list[tuple[str, str]]) -> None:
    value = st.session_state.get(key)
    if value is not None:
        st.session_state[f"{KEY}_pick"] = options[value]


def territory_search(
    atlas: Atlas, label: str, placeholder: str, region: str = ""
) -> tuple[str, str] | None:
    """Search territories by name or code; return the ``(kind, id)`` picked on this run.

    The matches are buttons (pills); a pick is returned once, on the run it is made, so a
    later click on the map is not overridden. A single match, or a code, is picked
    without asking. With no match, say what the atlas holds.
    """
    query = st.text_input(label, placeholder=placeholder, key=KEY, live=True)
    # Results in a container that is always there: what follows (the map) keeps its place
    # in the page whether results are listed or not (Streamlit keeps the map's frame).
    results = st.container()
    previous = st.session_state.get(f"{KEY}_last", "")
    st.session_state[f"{KEY}_last"] = query or ""
    st.session_state[f"{KEY}_cleared"] = bool(previous) and not query
    if not query or not query.strip():
        return None
    found = hits(query.strip(), region)
    if found.empty:
        results.info(literal(f"Aucun territoire ne correspond à « {query} ». {HOLDS}"))
        return None
    options = list(zip(found["kind"].astype(str), found["id"].astype(str), strict=True))
    exact_code = query.strip().lower() in {territory_id(k, i).lower() for k, i in options} | {
        i.lower() for _, i in options
    }
    if (len(options) == 1 or exact_code) and query != previous:
        return options[0]
    labels = [result_label(row) for row in found.itertuples()]
    key = f"{KEY}_choix_{abs(hash(query))}"
    results.pills(
        f"{len(options)} résultats : choisissez" if len(options) > 1 else "Résultat",
        range(len(options)),
        format_func=labels.__getitem__,
        key=key,
        on_change=_pick,
        args=(key, options),
    )
    return st.session_state.pop(f"{KEY}_pick", None)


def cleared() -> bool:
    """Whether the reader emptied the search box on this run (the page closes its pick)."""
    return bool(st.session_state.get(f"{KEY}_cleared"))


def clear() -> None:
    """Empty the search box (a widget callback: runs before the box is drawn again)."""
    st.session_state[KEY] = ""
    st.session_state[f"{KEY}_last"] = ""
