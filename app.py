"""Atlas des coopérations territoriales — Streamlit entry point (router only)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from pages.ui import accessibility, embed_panel, routing

# A local favicon: Material-icon favicons are fetched by the browser from Google's fonts CDN.
FAVICON = Path(__file__).parent / "static" / "atlas" / "favicon.png"
st.set_page_config(
    page_title="Atlas des coopérations territoriales", page_icon=str(FAVICON), layout="wide"
)
accessibility.page_setup()  # caption contrast, lang="fr" (pages/ui/accessibility.py)

if embed_panel.requested():  # ?embed=1: the map alone, for an iframe on a public site
    home = st.Page("pages/embed.py", title="Carte", default=True, url_path="")
    pages, position = [home, routing.alias("pages/embed.py", "carte", "Carte")], "hidden"
else:
    home = st.Page(
        "pages/carte.py", title="Carte", icon=":material/map:", default=True, url_path=""
    )  # Streamlit serves the default page at "/" only: alias below
    pages, position = (
        [
            home,
            st.Page(
                "pages/cas.py", title="Études de cas", icon=":material/location_on:", url_path="cas"
            ),
            st.Page(
                "pages/territoire.py",
                title="Territoire",
                icon=":material/description:",
                url_path="territoire",
            ),
            st.Page(
                "pages/sources.py",
                title="Données et sources",
                icon=":material/database:",
                url_path="sources",
            ),
            st.Page(
                "pages/apropos.py", title="À propos", icon=":material/info:", url_path="apropos"
            ),
            st.Page(
                "pages/accessibilite.py",
                title="Accessibilité",
                icon=":material/accessibility:",
                url_path="accessibilite",
            ),
            st.Page(
                "pages/proposer.py",
                title="Proposer une coopération",
                icon=":material/add_location_alt:",
                url_path="proposer",
            ),
            st.Page(
                "pages/moderation.py",
                title="Modération",
                icon=":material/gavel:",
                url_path="moderation",
            ),
            routing.alias("pages/carte.py", "carte", "Carte"),  # /carte?couches=… (permalinks)
        ],
        "sidebar",
    )
pages += routing.not_found([p.url_path for p in pages], home)
st.navigation(pages, position=position).run()
