"""Atlas des coopérations territoriales — Streamlit entry point (router only)."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="Atlas des coopérations territoriales", page_icon=":material/map:", layout="wide")

pages = [
    st.Page("pages/carte.py", title="Carte", icon=":material/map:", default=True, url_path="carte"),
    st.Page("pages/cas.py", title="Études de cas", icon=":material/location_on:", url_path="cas"),
    st.Page("pages/sources.py", title="Données et sources", icon=":material/database:", url_path="sources"),
    st.Page("pages/apropos.py", title="À propos", icon=":material/info:", url_path="apropos"),
]
st.navigation(pages).run()
