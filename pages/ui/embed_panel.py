"""Streamlit glue of the public embed: whether this session asks for it, the *Intégrer* panel."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from pages.ui import embedding
from pages.ui.markup import literal
from pages.ui.viewstate import ViewState


def requested() -> bool:
    """Whether the URL asks for the embed (``?embed=1``, or Streamlit's ``?embed=true``)."""
    if st.context.is_embedded:
        return True
    # Streamlit hides ``embed`` from st.query_params: read the raw query string of this run.
    ctx = get_script_run_ctx()
    return ctx is not None and embedding.is_embed_query(ctx.query_string or "")


def app_url() -> str:
    """Return the address of the atlas as this browser sees it (without the page path)."""
    url = st.context.url or ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return "https://atlas.example.fr/"
    path = parts.path.removesuffix("/carte") or "/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def integrer(view: ViewState) -> None:
    """Show the *Intégrer* panel: the iframe snippet of the current view, for a public site."""
    with st.expander("Intégrer cette carte dans un site (iframe)"):
        base = st.text_input(
            "Adresse publique de l'atlas",
            value=app_url(),
            key="embed_base",
            help="L'adresse à laquelle le public atteint cet atlas.",
        )
        left, right = st.columns(2)
        width = left.text_input("Largeur (pixels ou %)", value="100%", key="embed_width")
        height = right.number_input("Hauteur (pixels)", 200, 3000, 700, step=50, key="embed_height")
        title = st.text_input(
            "Titre de la carte (lu par les lecteurs d'écran)",
            value=embedding.DEFAULT_TITLE,
            key="embed_title",
        )
        try:
            snippet = embedding.iframe_snippet(
                base, view, title=title, width=width, height=int(height)
            )
        except ValueError as error:
            st.error(literal(str(error)))  # names the address as typed
            return
        st.code(snippet, language="html")
        st.markdown(
            f"[Aperçu de la carte intégrée]({embedding.embed_url(base, view)}) · "
            "couches, filtres et territoire sont ceux de la vue actuelle ; "
            "pour un très large public, préférer l'export statique (`atlas embed`)."
        )
