"""The Territoire page's comparison: "Comparer avec…", the URL's ``&vs=ID``, side by side.

The second territory is any id of the atlas (:mod:`geodata.territory`), ``fr`` (France) or
``region`` (the territory's région); :mod:`geodata.briefing.compare` makes the comparison,
:mod:`geodata.briefing.compare_render` draws the map and the chart (server-side PNG, no
request leaves the app). Every text from the data is shown literally (``st.table`` reads
Markdown: each cell goes through :func:`pages.ui.markup.literal`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geodata.atlas import Atlas
from geodata.briefing import compare, compare_render
from geodata.briefing.indicators import figure_rows, limits_note
from geodata.briefing.model import Briefing
from pages.ui import accessibility, data, search_box
from pages.ui.markup import CHOOSE, literal

PARAM = "vs"
OTHER = "__autre__"
MAX_CASES_LISTED = 30


@st.cache_data(max_entries=32, show_spinner="Comparaison…")
def get_comparison(kind: str, ident: str, other: str) -> compare.Comparison:
    """Return the comparison of ``(kind, ident)`` with the territory ``other`` (an id)."""
    a = data.get_atlas()
    ref = compare.Ref(kind, ident)
    return compare.compare(a, ref, compare.parse_reference(a, other, ref))


@st.cache_data(max_entries=16, show_spinner="Dessin de la carte comparée…")
def get_images(kind: str, ident: str, other: str) -> dict[str, bytes]:
    """Map and chart PNG of one comparison."""
    return compare_render.comparison_images(data.get_atlas(), get_comparison(kind, ident, other))


def choices(atlas: Atlas, b: Briefing) -> dict[str, str]:
    """Return the quick choices: id -> label (none, région, France, département, peers)."""
    out = {"": "— (aucune comparaison)"}
    ref = compare.Ref(b.kind, b.id)
    if b.kind != "region":
        region = compare.region_of(atlas, ref)
        name = compare.side_name(atlas, region)
        out[region.id] = f"Sa région : {name}"
    out["fr"] = "France entière"
    if b.kind not in ("departement", "region") and not b.departements.empty:
        dep = b.departements.iloc[0]
        out[f"dep-{dep['code']}"] = f"Son département : {dep['nom']} ({dep['code']})"
    for r in b.comparables.itertuples():
        out[str(r.id)] = f"Territoire comparable : {r.nom}"
    out[OTHER] = "Autre territoire (recherche)…"
    return out


def _label(atlas: Atlas, b: Briefing, other: str) -> str:
    try:
        ref = compare.parse_reference(atlas, other, compare.Ref(b.kind, b.id))
    except ValueError:
        return other  # said by show(): "Comparaison impossible"
    return f"{compare.side_name(atlas, ref)} ({ref.id})"


def picker(atlas: Atlas, b: Briefing) -> str:
    """Draw "Comparer avec…"; keep the URL's ``vs`` in step; return the id compared ("")."""
    current = st.query_params.get(PARAM, "")
    options = choices(atlas, b)
    if current and current not in options:
        options = {**options, current: _label(atlas, b, current)}
    picked = st.selectbox(
        "Comparer avec…",
        list(options),
        index=list(options).index(current) if current in options else 0,
        format_func=options.__getitem__,  # options are plain text, not Markdown
        key="comparer_avec",
        placeholder=CHOOSE,
    )
    if picked == OTHER:
        query = st.text_input("Territoire à comparer", placeholder="Nom ou code (ex. ti-8418)")
        found = search_box.hits(query.strip()) if query and query.strip() else pd.DataFrame()
        if not found.empty:
            labels = {
                compare.Ref(r.kind, r.id).id: search_box.result_label(r)
                for r in found.head(20).itertuples()
            }
            picked = st.selectbox(
                "Résultats", list(labels), format_func=labels.__getitem__, placeholder=CHOOSE
            )
        else:
            picked = current
    if picked != current and picked != OTHER:
        if picked:
            st.query_params[PARAM] = picked
        else:
            del st.query_params[PARAM]
        current = picked
    return current


def show(atlas: Atlas, b: Briefing) -> None:
    """Draw the comparison section of the Territoire page (picker, then side by side)."""
    other = picker(atlas, b)
    if not other:
        st.caption(
            "Choisissez un territoire (ou sa région, la France) : chiffres INSEE avec "
            "l'écart, programmes, études de cas et carte des deux. L'adresse de la page "
            "garde la comparaison (&vs=…)."
        )
        return
    try:
        comp = get_comparison(b.kind, b.id, other)
    except ValueError as exc:
        st.error(literal(f"Comparaison impossible : {exc}"))
        return
    images = get_images(b.kind, b.id, other)
    st.subheader(literal(f"{comp.a.name} et {comp.b.name}"))
    table = comp.table.drop(columns="key").rename(columns={"Source": "Source et année"})
    st.table(table.map(literal).rename(columns=literal).set_index(literal("Indicateur")))
    st.caption(literal(limits_note()))
    left, right = st.columns(2)
    accessibility.image(
        left,
        images["compare_map"],
        f"Carte : {comp.a.name} et {comp.b.name}",
        "Les deux territoires",
    )
    accessibility.image(
        right,
        images["compare_chart"],
        f"Graphique des taux de {comp.a.name} et de {comp.b.name} (valeurs dans le tableau)",
    )
    st.markdown("**Programmes et études de cas**")
    st.table(
        comp.programmes.astype(str)
        .map(literal)
        .rename(columns=literal)
        .set_index(literal("Programme"))
    )
    for s, col in zip((comp.a, comp.b), st.columns(2), strict=True):
        col.markdown(f"**Études de cas — {literal(s.name)}** ({len(s.cases)})")
        for r in s.cases.head(MAX_CASES_LISTED).itertuples():
            col.page_link("pages/cas.py", label=literal(r.name), query_params={"cas": r.id})
        if len(s.cases) > MAX_CASES_LISTED:
            col.caption(f"… et {len(s.cases) - MAX_CASES_LISTED} autres")
    st.markdown("**Pourquoi comparer ces territoires**")
    if comp.reason:
        st.markdown(literal(f"Proposé par l'atlas comme territoire comparable : {comp.reason}."))
    for line in comp.close:
        st.markdown("- " + literal(line))
    if not comp.reason and not comp.close:
        st.caption("Aucun chiffre à moins de 10 % (ou d'un point) l'un de l'autre.")


def economy(b: Briefing) -> None:
    """Draw the territory's INSEE figures, each with its source, edition and year."""
    rows = pd.DataFrame(
        figure_rows(b.indicators), columns=["Indicateur", "Valeur", "Source et année"]
    )
    st.table(rows.map(literal).set_index("Indicateur"))
    st.caption(literal(limits_note()))


def section(atlas: Atlas, b: Briefing) -> None:
    """Draw the page's INSEE figures and its comparison (issue 12), below the tabs."""
    st.subheader("Économie et emploi (INSEE)")
    economy(b)
    st.subheader("Comparer avec…")
    show(atlas, b)


def default_target(atlas: Atlas, kind: str, ident: str) -> str:
    """Return the id a "Comparer…" link proposes: the territory's région (France for one)."""
    try:
        return compare.region_of(atlas, compare.Ref(kind, ident)).id if kind != "region" else "fr"
    except ValueError:  # a territory without commune: France
        return "fr"
