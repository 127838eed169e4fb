"""Atlas des coopérations territoriales — Streamlit entry point (router only)."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="Atlas des coopérations territoriales", page_icon="🗺️", layout="wide")

pages = [
    st.Page("pages/carte.py", title="Carte", icon="🗺️", default=True, url_path="carte"),
    st.Page("pages/sources.py", title="Données et sources", icon="📚", url_path="sources"),
]
st.navigation(pages).run()
