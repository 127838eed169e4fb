"""Données et sources: vintages, licences, counts and the data faults of the last build."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pages import data

st.title("Données et sources")
report = data.report()
for name, stage in report.get("stages", {}).items():
    st.subheader({"base": "Géographie de référence"}.get(name, name))
    for src in stage.get("sources", []):
        st.markdown(
            f"- **{src['name']}** {src.get('version', '')} — {src['vintage']}  \n"
            f"  Producteur : {src['producer']} · Licence : {src['licence']}"
        )
    st.caption(f"Construit le {stage.get('built_at', '?')}")
    counts = pd.DataFrame(list(stage.get("counts", {}).items()), columns=["Couche", "Nombre"])
    st.dataframe(counts, hide_index=True)
    faults = pd.DataFrame(stage.get("faults", []))
    if not faults.empty:
        st.markdown(f"**Anomalies des sources signalées : {len(faults)}**")
        faults.columns = ["Jeu", "Code", "Nom", "Problème", "Traitement"]
        st.dataframe(faults, hide_index=True, width="stretch")
