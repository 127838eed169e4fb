"""Streamlit glue for the map view: query string <-> widgets, and the view to draw."""

from __future__ import annotations

import geopandas as gpd
import streamlit as st

from geodata import scope, territory
from geodata.atlas import Atlas
from geodata.vocab import TIERS_LIEUX_FAMILIES, leaflet_bounds
from layers.compose import MapView
from layers.registry import REGISTRY
from pages.ui import data, viewstate
from pages.ui.markup import literal
from pages.ui.viewstate import ViewState

SCOPE_NOTE = (
    "Toutes les couches sont limitées à ce périmètre : les points à ses départements, "
    "les Territoires d'industrie et les Pays / PETR à ceux qui le recoupent (au moins une "
    "commune dedans ; certains débordent donc du périmètre)."
)
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


def map_view(atlas: Atlas, view: ViewState, fit_key: str = "") -> MapView:
    """Translate the URL view into what the map draws (départements, ids, extent).

    A région or a département is a scope: point layers keep its départements, TI and
    Pays / PETR those intersecting it (:func:`geodata.scope.territories_in`), its outline
    is drawn and, without a selection, the map fits it. ``fit_key``: see
    :attr:`layers.registry.MapView.fit_key` ("" fits every time, as the embed does).
    """
    deps = None
    if view.dep:
        deps = [view.dep]
    elif view.reg:
        deps = sorted(atlas.departements.loc[atlas.departements["insee_reg"] == view.reg, "code"])
    scope_outline = scope_shape(view.reg, view.dep)
    highlight, bounds, outline = {}, None, None
    if view.selection:
        kind, ident = view.selection
        highlight = {kind: ident}
        outline = selection_outline(kind, ident)
        bounds = leaflet_bounds(outline.total_bounds) if outline is not None else None
    elif scope_outline is not None:
        bounds = leaflet_bounds(scope_outline.total_bounds)
    return MapView(
        layers=view.layers,
        departements=deps,
        ti_ids=scoped_ids("ti", view.reg, view.dep),
        pays_ids=scoped_ids("pays", view.reg, view.dep),
        kinds=list(view.kinds),
        programmes=list(view.programmes),
        themes=list(view.themes),
        text=view.text,
        highlight=highlight,
        bounds=bounds,
        selection=outline,
        basemap=view.basemap,
        scope=scope_outline,
        fit_key=fit_key,
        communes_mode=view.communes,
    )


def fit_key(view: ViewState) -> str:
    """Return what placed the map: the scope and the last selection opened in the session.

    Each selection opened (even the same territory again) makes a new key, so the map
    fits it; closing it keeps the key, so the map stays where the reader left it.
    """
    state = st.session_state
    if view.selection and view.selection != state.get("fit_selection"):
        state["fit_count"] = state.get("fit_count", 0) + 1
        state["fit_param"] = viewstate.selection_param(*view.selection)
    state["fit_selection"] = view.selection
    opened = f"{state.get('fit_count', 0)}:{state.get('fit_param', '')}"
    return f"reg={view.reg}|dep={view.dep}|sel={opened}"


@st.cache_data(max_entries=64, show_spinner=False)
def scoped_ids(kind: str, reg: str, dep: str) -> list[str] | None:
    """Ids of the territories of ``kind`` intersecting the scope (None: no scope)."""
    return scope.territories_in(data.get_atlas(), kind, reg=reg, dep=dep)


@st.cache_data(max_entries=64, show_spinner=False)
def scope_shape(reg: str, dep: str) -> gpd.GeoDataFrame | None:
    """Outline of the chosen département (else région), from the display layer; or None."""
    atlas = data.get_atlas()
    table, code = (atlas.departements, dep) if dep else (atlas.regions, reg)
    rows = table[table["code"] == code] if code else table.iloc[0:0]
    if rows.empty:
        return None
    return gpd.GeoDataFrame(
        {"id": rows["code"].values, "name": rows["nom"].values},
        geometry=rows.geometry.values,
        crs=table.crs,
    )


def scope_summary(atlas: Atlas, reg: str, dep: str) -> str:
    """Return the French summary line of the scope ("En Auvergne-Rhône-Alpes : 28 TI, …").

    A département reads "Puy-de-Dôme (63) : 3 TI, …".

    Programme and case counts are the atlas's (:meth:`geodata.atlas.Atlas.counts`, as
    the panel and the fiche); the TI are those the map draws in the scope. "" without scope.
    """
    kind, code = ("departement", dep) if dep else ("region", reg)
    if not code:
        return ""
    table = atlas.departements if dep else atlas.regions
    names = table.loc[table["code"] == code, "nom"]
    counts = atlas.counts(kind, code) or {}
    tis = scoped_ids("ti", reg, dep) or []
    tiers = sum(counts.get(key, 0) for key in TIERS_LIEUX_FAMILIES)
    parts = [
        (len(tis), "TI", "TI"),
        (counts.get("acv", 0), "ACV", "ACV"),
        (counts.get("pvd", 0), "PVD", "PVD"),
        (tiers, "tiers-lieu", "tiers-lieux"),
        (counts.get("cases", 0), "étude de cas", "études de cas"),
    ]
    name = str(names.iloc[0]) if len(names) else code
    words = ", ".join(f"{french_number(n)} {one if n == 1 else many}" for n, one, many in parts)
    return f"{place_phrase(kind, name, code)} : {words}"


def place_phrase(kind: str, name: str, code: str) -> str:
    """Return how the summary names its scope: "En Bretagne", "À La Réunion", "Loire (42)"."""
    if kind != "region":
        return f"{name} ({code})"
    return f"{'À' if name.startswith('La ') or name == 'Mayotte' else 'En'} {name}"


def french_number(n: int) -> str:
    """Format an integer the French way (narrow no-break space between thousands)."""
    return f"{n:,}".replace(",", "\u202f")


@st.cache_data(max_entries=256, show_spinner=False)
def selection_outline(kind: str, ident: str) -> gpd.GeoDataFrame | None:
    """Outline of a selected territory (its communes dissolved), or None when unknown.

    A département or a région is drawn from its display layer (no union of thousands of
    communes on a click).
    """
    if kind in ("departement", "region"):
        return scope_shape(
            "" if kind == "departement" else ident, ident if kind == "departement" else ""
        )
    return territory.outline(data.get_atlas(), kind, ident)
