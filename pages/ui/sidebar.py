"""Sidebar of the map page: layers, basemap and filters, bound to the URL view."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from geodata.atlas import Atlas
from geodata.vocab import KINDS, LIST_SEP
from layers.basemap import BASEMAPS
from layers.communes import MODES as COMMUNES_MODES
from layers.registry import REGISTRY
from pages.ui import data
from pages.ui.markup import CHOOSE
from pages.ui.viewstate import ViewState

# French words for Streamlit's multiselect (its own are English: "Choose options", "Select
# all"): a placeholder, and no "select all" entry.
CHOICES = {"placeholder": CHOOSE, "select_all": False}
LAYERS_KEY = "couches"


def _init(key: str, value) -> None:
    if key not in st.session_state:
        st.session_state[key] = value


def _values(atlas: Atlas, column: str) -> list[str]:
    cases = atlas.get("cases")
    if cases is None:
        return []
    return sorted({v for cell in cases[column].dropna() for v in str(cell).split(LIST_SEP) if v})


def filters(atlas: Atlas, view: ViewState) -> ViewState:
    """Draw the sidebar widgets (first values from the URL) and return the resulting view."""
    side = st.sidebar
    side.subheader("Couches")
    frames = data.map_layers()
    labels = {
        key: layer.label + ("" if frames[key] is not None else " (non chargée)")
        for key, layer in REGISTRY.items()
    }
    # One group of toggle buttons (aria-pressed), not a checkbox per layer: twelve checkboxes
    # cost ~0.3 s of every first draw of the page in the browser (bench, README).
    _init(LAYERS_KEY, [key for key in REGISTRY if key in view.layers])
    chosen = side.pills(
        "Couches affichées",
        list(REGISTRY),
        selection_mode="multi",
        format_func=labels.get,
        key=LAYERS_KEY,
        label_visibility="collapsed",
    )
    layers = [key for key in REGISTRY if key in (chosen or [])]  # the registry's order
    communes = view.communes
    if "communes" in layers:
        _init("communes_mode", view.communes)
        communes = side.selectbox(
            "Colorer les communes par",
            list(COMMUNES_MODES),
            format_func=COMMUNES_MODES.get,
            key="communes_mode",
            placeholder=CHOOSE,
        )
    _init("fond", view.basemap)
    basemap = side.radio("Fond de carte", list(BASEMAPS), format_func=BASEMAPS.get, key="fond")

    side.subheader("Filtres")
    regions = dict(zip(atlas.regions["code"], atlas.regions["nom"], strict=True))
    _init("reg", view.reg if view.reg in regions else "")
    reg = side.selectbox(
        "Région",
        ["", *regions],
        key="reg",
        format_func=lambda c: regions.get(c, "Toutes"),
        placeholder=CHOOSE,
    )
    deps = atlas.departements
    deps = deps[deps["insee_reg"] == reg] if reg else deps
    dep_names = dict(zip(deps["code"], deps["code"] + " " + deps["nom"], strict=True))
    _init("dep", view.dep if view.dep in dep_names else "")
    if st.session_state.dep not in dep_names:
        st.session_state.dep = ""
    dep = side.selectbox(
        "Département",
        ["", *dep_names],
        key="dep",
        format_func=lambda c: dep_names.get(c, "Tous"),
        placeholder=CHOOSE,
    )
    programmes = _values(atlas, "programmes")
    _init("prog", [p for p in view.programmes if p in programmes])
    side.caption(
        "Les filtres ci-dessous s'appliquent aux études de cas (et aux clusters pour le "
        "thème et le texte) ; la région et le département, à toutes les couches."
    )
    prog = side.multiselect(
        "Programme (des études de cas)",
        programmes,
        key="prog",
        help="Garde les études de cas qui citent ce programme. Pour voir un programme "
        "sur la carte, choisissez sa couche ci-dessus.",
        **CHOICES,
    )
    _init("types", [k for k in view.kinds if k in KINDS])
    kinds = side.multiselect(
        "Type (des études de cas)", list(KINDS), format_func=KINDS.get, key="types", **CHOICES
    )
    themes = _values(atlas, "theme")
    _init("themes", [t for t in view.themes if t in themes])
    theme = side.multiselect("Thème", themes, key="themes", **CHOICES)
    _init("texte", view.text)
    text = side.text_input(
        "Texte libre (études de cas)", key="texte", placeholder="Mot du nom ou du résumé"
    )
    return replace(
        view,
        layers=tuple(layers),
        basemap=basemap,
        communes=communes,
        reg=reg,
        dep=dep,
        programmes=tuple(prog),
        kinds=tuple(kinds),
        themes=tuple(theme),
        text=text,
    )
