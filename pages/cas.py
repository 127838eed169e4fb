"""Études de cas: the table of cases, one fiche per case, and the rows to correct."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geodata.vocab import KINDS, LIST_SEP
from pages.ui import data

atlas = data.get_atlas()
cases = atlas.get("cases")
st.title("Études de cas")
if cases is None:
    st.warning("Les études de cas ne sont pas construites : lancez `atlas build`.")
    st.stop()


def kinds_fr(cell: str) -> str:
    """French labels of a ;-separated kinds cell."""
    return ", ".join(KINDS.get(k, k) for k in str(cell).split(LIST_SEP) if k)


def named(table, id_col: str, code: str) -> str:
    """``Name (code)`` of a territory, or the bare code when the table lacks it."""
    if not code:
        return ""
    if table is not None:
        hit = table.loc[table[id_col] == code, "nom"]
        if not hit.empty:
            return f"{hit.iloc[0]} ({code})"
    return code


wanted = st.query_params.get("cas", "")
if wanted in set(cases["id"]):
    row = cases[cases["id"] == wanted].iloc[0]
    st.header(row["name"])
    st.caption(kinds_fr(row["kinds"]) + (f" · {row['theme']}" if row["theme"] else ""))
    st.write(row["summary"])
    facts = {
        "Programmes": row["programmes"].replace(LIST_SEP, ", "),
        "Commune": named(atlas.communes, "insee_com", row["insee_com"]),
        "Intercommunalité": named(atlas.epci, "siren_epci", row["siren_epci"]),
        "Pays": named(atlas.get("pays"), "pays_id", row["pays_id"]), "Début": row["start_year"],
        "Partenaires et financeurs": row["partners"].replace(LIST_SEP, ", "),
        "Chiffres clés": row["key_figures"],
        "Source": f"{row['source_file']} — {row['source_passage']}",
        "Placement sur la carte": row["placement"], "Note": row["note"],
    }
    st.table(pd.DataFrame([(k, v) for k, v in facts.items() if v], columns=["", "Valeur"]))
    st.page_link("pages/carte.py", label="Voir sur la carte", query_params={"sel": f"case:{wanted}"})
    st.divider()
elif wanted:
    st.warning(f"Aucune étude de cas n'a l'identifiant « {wanted} ».")

table = pd.DataFrame(cases.drop(columns="geometry"))
table["Types"] = table["kinds"].map(kinds_fr)
shown = table[["name", "Types", "theme", "insee_dep", "start_year", "source"]]
st.subheader(f"Toutes les études de cas ({len(table)})")
event = st.dataframe(
    shown.rename(columns={"name": "Nom", "theme": "Thème", "insee_dep": "Dép.",
                          "start_year": "Début", "source": "Table"}),
    hide_index=True, on_select="rerun", selection_mode="single-row", key="cases_table",
)
if event.selection.rows:
    st.query_params["cas"] = table.iloc[event.selection.rows[0]]["id"]
    st.rerun()

stage = atlas.report.get("stages", {}).get("cases", {})
problems, unplaced = stage.get("problems", []), stage.get("unplaced", [])
with st.expander(f"Données à corriger ({len(problems)} problèmes, {len(unplaced)} non placées)"):
    if problems:
        st.dataframe(pd.DataFrame(problems)[["file", "line", "field", "value", "expected", "severity"]],
                     hide_index=True)
    if unplaced:
        st.dataframe(pd.DataFrame(unplaced), hide_index=True)
    st.caption("Vérifiez une table avec `atlas check FICHIER` avant de la charger.")
