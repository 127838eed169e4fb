"""Side panel of the map: what a click or a search selected."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geodata import territory
from geodata.atlas import Atlas
from geodata.briefing.model import BRIEFING_KINDS, departements_label, departements_of
from geodata.vocab import KINDS, LIST_SEP, POINT_PROGRAMMES
from geodata.vocab import PROGRAMMES as VOCAB
from pages.ui import compare as compare_ui
from pages.ui.markup import literal


def _fmt(n: float | int | None, unit: str = "") -> str:
    if n is None or pd.isna(n):
        return "inconnue"
    return f"{n:,.0f}".replace(",", " ") + unit


def show(atlas: Atlas, kind: str, ident: str) -> None:
    """Render the panel for ``(kind, ident)``; say so when it is unknown."""
    if kind == "case":
        _case(atlas, ident)
        return
    t = territory.describe(atlas, kind, ident)
    if t is None:
        st.warning(literal(f"Territoire inconnu : {kind} {ident}"))
        return
    st.subheader(literal(t.name))
    st.caption(literal(f"{t.kind_label} · {territory.territory_id(kind, ident)}"))
    if kind in BRIEFING_KINDS:
        st.page_link(
            "pages/territoire.py",
            label="Fiche territoire (PDF, exports)",
            icon=":material/description:",
            query_params={"t": territory.territory_id(kind, ident)},
        )
        st.page_link(  # issue 12: the Territoire page's comparison, with its région
            "pages/territoire.py",
            label="Comparer… (avec sa région, la France ou un autre territoire)",
            icon=":material/compare_arrows:",
            query_params={
                "t": territory.territory_id(kind, ident),
                "vs": compare_ui.default_target(atlas, kind, ident),
            },
        )
    # Plain figures, not st.metric: three metrics side by side truncate "100 …" in the panel.
    st.markdown(
        f"**Population** : {_fmt(t.population, ' hab.')} · "
        f"**Superficie** : {_fmt(t.area_km2, ' km²')} · "
        f"**Communes** : {_fmt(len(t.communes))}"
    )
    if kind not in ("departement", "region") and not t.communes.empty:
        deps = departements_of(atlas, t.communes)
        st.markdown(
            f"**{'Départements' if len(deps) > 1 else 'Département'}** : "
            + literal(departements_label(deps))
        )
    if kind == "commune" and not t.epci.empty:
        epci = t.epci.iloc[0]
        st.markdown(f"**EPCI** : {literal(epci['nom'])} ({literal(epci['nature'])})")
    for label, names in t.memberships.items():
        if names and kind not in ("pays", "ti"):
            st.markdown(f"**{label}** : " + literal(", ".join(names)))
    if kind in ("pays", "ti", "departement", "region") and not t.epci.empty:
        with st.expander(f"EPCI membres ({len(t.epci)})"):
            st.dataframe(
                t.epci.rename(
                    columns={
                        "siren_epci": "SIREN",
                        "nom": "Nom",
                        "nature": "Nature",
                        "population": "Population",
                    }
                ),
                hide_index=True,
            )
    counts = programme_counts(atlas, kind, ident)
    if counts:  # one line per programme, as the fiche's table and the PDF's page 1
        st.markdown("**Programmes présents**")
        st.markdown("\n".join(f"- {label} : **{n}**" for label, n in counts.items()))
    _case_links(cases_in(atlas, kind, ident))


def programme_counts(atlas: Atlas, kind: str, ident: str) -> dict[str, int]:
    """Return the panel's programme counts (French label -> count, zeros left out).

    Read from the ``facts`` stage's table (:meth:`Atlas.counts`), as the briefing's.
    """
    known = atlas.counts(kind, ident) or {}
    return {VOCAB[key].plural: known[key] for key in POINT_PROGRAMMES if known.get(key)}


def cases_in(atlas: Atlas, kind: str, ident: str) -> pd.DataFrame:
    """Return the case studies placed inside the territory (:meth:`Atlas.case_ids`)."""
    cases, ids = atlas.get("cases"), atlas.case_ids(kind, ident)
    if cases is None or not ids:
        return pd.DataFrame(columns=["id", "name"])
    return cases[cases["id"].isin(ids)].sort_values("name")


def _case_links(cases: pd.DataFrame) -> None:
    st.markdown(f"**Études de cas dans le territoire** ({len(cases)})")
    st.caption("Celles dont le lieu (commune, EPCI, Pays) est entièrement dans le territoire.")
    if cases.empty:
        st.caption("Aucune étude de cas dans ce territoire.")
    for row in cases.itertuples():
        st.page_link("pages/cas.py", label=literal(row.name), query_params={"cas": row.id})


def _case(atlas: Atlas, ident: str) -> None:
    cases = atlas.get("cases")
    rows = cases[cases["id"] == ident] if cases is not None else pd.DataFrame()
    if rows.empty:
        st.warning(literal(f"Étude de cas inconnue : {ident}"))
        return
    row = rows.iloc[0]
    st.subheader(literal(row["name"]))
    st.caption(literal(" · ".join(KINDS.get(k, k) for k in row["kinds"].split(LIST_SEP))))
    st.markdown(literal(row["summary"]))
    st.page_link("pages/cas.py", label="Ouvrir la fiche", query_params={"cas": ident})
