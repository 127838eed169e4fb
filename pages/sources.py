"""Données et sources: vintages, licences, counts, data faults and rows not used, downloads."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from geodata import config
from geodata.dates import format_date_fr, format_datetime_fr
from geodata.sources.documents import document_label, read_documents
from geodata.tables import to_csv_bytes
from pages.ui import data, mapstate
from pages.ui.markup import literal
from pages.ui.problems import problem_table

STAGE_TITLES = {
    "base": "Géographie de référence",
    "petr": "Pays / PETR nationaux (BANATIC, DGCL)",
    "cases": "Études de cas et Pays des documents",
    "programmes": "Programmes nationaux (listes de l'ANCT)",
    "facts": "Chiffres croisés par territoire",
    "indicators": "Indicateurs INSEE par territoire (comparateur de territoires 2022)",
}
LIST_STATUS = {"loaded": "chargée", "not loaded": "non chargée", "empty": "vide"}
# What the build counted, in the words of a reader (the keys are build table names).
COUNT_LABELS = {
    "communes": "Communes",
    "epci": "EPCI (intercommunalités)",
    "epci_simplified": "EPCI, contours simplifiés pour la carte",
    "departements": "Départements",
    "regions": "Régions",
    "cases": "Études de cas",
    "pays": "Pays des documents",
    "clusters": "Clusters des documents",
    "territory_facts": "Territoires décrits (chiffres croisés)",
    "territory_indicators": "Territoires décrits (indicateurs INSEE)",
    "petr": "Pays / PETR dessinés",
    "petr_listed": "Pays / PETR listés par BANATIC",
    "petr_drawn": "Pays / PETR dessinés",
    "petr_no_member": "Pays / PETR sans membre connu",
    "pays_not_petr": "Pays qui ne sont pas des PETR",
    "adhesions_rows": "Adhésions lues (BANATIC)",
    "adhesions_used": "Adhésions retenues",
    "adhesions_reported": "Adhésions signalées",
    "adhesions_other": "Adhésions à d'autres groupements",
    "groupements_rows": "Groupements lus (BANATIC)",
    "groupements_unreadable": "Groupements illisibles",
}


def edition_note(edition: str) -> str:
    """Return which copy of an official list is shown (" · Édition : …"), or ""."""
    if edition == "snapshot":
        date = format_date_fr(config.SNAPSHOT_DATE)
        return f" · Édition : instantané du {date} livré avec l'atlas"
    if edition == "fetched":
        return " · Édition : téléchargée chez le producteur (atlas fetch)"
    if edition == "dir":
        return " · Édition : dossier de données choisi (ATLAS_DATA_DIR)"
    return ""


def count_label(key: str) -> str:
    """Return the French label of a build count (``epci_simplified``: never a file name)."""
    if key in COUNT_LABELS:
        return COUNT_LABELS[key]
    if key in mapstate.LAYER_LABELS:
        return mapstate.LAYER_LABELS[key]
    if key.startswith("adhesions_other_"):
        return f"{COUNT_LABELS['adhesions_other']} : {key.removeprefix('adhesions_other_')}"
    return key.replace("_", " ").capitalize()


def public_cases(cases: pd.DataFrame) -> pd.DataFrame:
    """Return the case table a reader downloads: documents by title, the public note only."""
    documents = read_documents()
    table = pd.DataFrame(cases.drop(columns=["geometry", "note"], errors="ignore"))
    table.insert(
        table.columns.get_loc("source_file"),
        "document",
        [document_label(f, documents) for f in table["source_file"]],
    )
    return table.drop(columns="source_file")


st.title("Données et sources")
atlas = data.get_atlas()
report = atlas.report
for name, stage in report.stages.items():
    st.subheader(STAGE_TITLES.get(name, name))
    for src in stage.sources:
        st.markdown(
            f"- **{literal(src.name)}** {literal(src.version)} — "
            f"{literal(src.vintage)}  \n  Producteur : {literal(src.producer)} · "
            f"Licence : {literal(src.licence)}" + edition_note(src.edition)
        )
    st.caption(
        f"Construit le {format_datetime_fr(stage.built_at)}"
        if stage.built_at
        else "Date de construction inconnue"
    )
    counts = pd.DataFrame(
        [(count_label(k), n) for k, n in stage.counts.items()], columns=["Élément", "Nombre"]
    )
    if not counts.empty:
        st.dataframe(counts, hide_index=True)
    if stage.lists:
        st.markdown("**Listes officielles : chaque ligne est placée ou signalée**")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Liste": e.file,
                        "Programme": e.programme,
                        "État": LIST_STATUS.get(e.status, e.status),
                        "Lignes": e.rows,
                        "Placées": e.placed,
                        "Signalées": e.n_unplaced if e.rows is not None else None,
                        "Pour la charger": e.hint,
                    }
                    for e in stage.lists.values()
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    if stage.details.get("pays_comparison"):
        st.markdown(
            "**Pays des documents : chiffres des monographies (2015-2016) et "
            "périmètre reconstitué avec les EPCI de 2025**"
        )
        st.dataframe(
            pd.DataFrame(stage.details["pays_comparison"]).rename(
                columns={
                    "pays_id": "Pays",
                    "nom": "Nom",
                    "population_2015": "Population 2015",
                    "population": "Population (périmètre 2025)",
                    "n_communes_2016": "Communes 2016",
                    "n_communes": "Communes 2025",
                    "n_epci_2016": "EPCI 2016",
                    "n_epci": "EPCI 2025",
                }
            ),
            hide_index=True,
            width="stretch",
        )
        st.caption(
            "Les monographies ne listent pas leurs EPCI : le périmètre est reconstitué "
            "avec les intercommunalités au 1er janvier 2025 : celles qui contiennent "
            "une commune nommée par la monographie, et d'autres déduites du territoire "
            "décrit. Les écarts montrent les fusions "
            "d'intercommunalités depuis 2016."
        )
    not_used = stage.problems_of(severity="error")
    repaired = stage.problems_of(severity="warning")
    if not_used or repaired:
        st.markdown(
            f"**Lignes non utilisées : {len(not_used)} · corrigées ou signalées : {len(repaired)}**"
        )
        with st.expander("Détail, ligne par ligne"):
            st.dataframe(problem_table(not_used + repaired), hide_index=True, width="stretch")

st.subheader("Téléchargements")
cases = atlas.get("cases")
if cases is not None:
    st.download_button(
        "Études de cas (CSV, sans données personnelles)",
        to_csv_bytes(public_cases(cases)),
        file_name="etudes_de_cas.csv",
        mime="text/csv",
    )
st.download_button(
    "Rapport de construction (JSON)",
    json.dumps(report.as_dict(), ensure_ascii=False, indent=1).encode("utf-8"),
    file_name="build_report.json",
    mime="application/json",
)
