"""Carte: the national view (counts until the map layers land)."""

from __future__ import annotations

import streamlit as st

from pages import data

st.title("Atlas des coopérations territoriales")
st.caption("Qui coopère où : intercommunalités, Pays/PETR, programmes nationaux et études de cas.")

counts = data.report()["stages"]["base"]["counts"]
cols = st.columns(4)
cols[0].metric("Communes", f"{counts['communes']:,}".replace(",", " "))
cols[1].metric("EPCI", f"{counts['epci']:,}".replace(",", " "))
cols[2].metric("Départements", counts["departements"])
cols[3].metric("Régions", counts["regions"])
st.caption("Sources : IGN (ADMIN EXPRESS), INSEE (COG 2025) — Licence Ouverte 2.0.")
