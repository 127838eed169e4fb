"""Données et sources: vintages, licences, counts, data faults and rows not used, downloads."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from pages.ui import data

STAGE_TITLES = {
    "base": "Géographie de référence",
    "cases": "Études de cas et Pays des documents",
    "programmes": "Programmes nationaux (listes de l'ANCT)",
    "facts": "Chiffres croisés par territoire",
}
LIST_STATUS = {"loaded": "chargée", "not loaded": "non chargée", "empty": "vide"}

st.title("Données et sources")
atlas = data.get_atlas()
report = atlas.report
for name, stage in report.get("stages", {}).items():
    st.subheader(STAGE_TITLES.get(name, name))
    for src in stage.get("sources", []):
        st.markdown(
            f"- **{src['name']}** {src.get('version', '')} — {src['vintage']}  \n"
            f"  Producteur : {src['producer']} · Licence : {src['licence']}"
        )
    st.caption(f"Construit le {stage.get('built_at', '?')}")
    counts = pd.DataFrame(list(stage.get("counts", {}).items()), columns=["Couche", "Nombre"])
    if not counts.empty:
        st.dataframe(counts, hide_index=True)
    lists = stage.get("lists", {})
    if lists:
        st.markdown("**Listes officielles : chaque ligne est placée ou signalée**")
        st.dataframe(pd.DataFrame([
            {"Liste": e["file"], "Programme": e["programme"],
             "État": LIST_STATUS.get(e["status"], e["status"]),
             "Lignes": e.get("rows"), "Placées": e.get("placed"),
             "Signalées": e.get("n_unplaced"), "Pour la charger": e.get("hint", "")}
            for e in lists.values()]), hide_index=True, width="stretch")
        not_placed = [{"Liste": e["file"], **u} for e in lists.values() for u in e.get("unplaced", [])]
        if not_placed:
            with st.expander(f"Lignes non placées ({len(not_placed)})"):
                st.dataframe(pd.DataFrame(not_placed), hide_index=True, width="stretch")
    if stage.get("pays_comparison"):
        st.markdown("**Pays des documents : chiffres des monographies (2015-2016) et "
                    "périmètre reconstitué avec les EPCI de 2025**")
        st.dataframe(pd.DataFrame(stage["pays_comparison"]).rename(columns={
            "pays_id": "Pays", "nom": "Nom", "population_2015": "Population 2015",
            "population": "Population (périmètre 2025)", "n_communes_2016": "Communes 2016",
            "n_communes": "Communes 2025", "n_epci_2016": "EPCI 2016", "n_epci": "EPCI 2025"}),
            hide_index=True, width="stretch")
        st.caption("Les monographies ne listent pas leurs EPCI : le périmètre est reconstitué "
                   "(voir la colonne source de geodata/data/pays_epci.csv). Les écarts montrent "
                   "les fusions d'intercommunalités depuis 2016.")
    member_problems = stage.get("pays_problems", []) + stage.get("petr_problems", [])
    if member_problems:
        with st.expander(f"Membres de Pays / PETR non utilisés ({len(member_problems)})"):
            st.dataframe(pd.DataFrame(member_problems), hide_index=True, width="stretch")
    faults = pd.DataFrame(stage.get("faults", []))
    if not faults.empty:
        st.markdown(f"**Anomalies des sources signalées : {len(faults)}**")
        faults.columns = ["Jeu", "Code", "Nom", "Problème", "Traitement"]
        st.dataframe(faults, hide_index=True, width="stretch")
    problems = stage.get("problems", [])
    if problems or stage.get("unplaced"):
        st.markdown(f"**Études de cas à corriger : {len(problems)} problèmes, "
                    f"{len(stage.get('unplaced', []))} non placées** (détail : page *Études de cas*)")

st.subheader("Téléchargements")
cases = atlas.get("cases")
if cases is not None:
    st.download_button(
        "Études de cas (CSV, sans données personnelles)",
        pd.DataFrame(cases.drop(columns="geometry")).to_csv(index=False).encode("utf-8"),
        file_name="etudes_de_cas.csv", mime="text/csv")
st.download_button("Rapport de construction (JSON)",
                   json.dumps(report, ensure_ascii=False, indent=1).encode("utf-8"),
                   file_name="build_report.json", mime="application/json")
