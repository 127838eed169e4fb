"""Streamlit glue of the public embed: whether this session asks for it, the *Intégrer* panel."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from pages.ui import embedding
from pages.ui.markup import literal
from pages.ui.viewstate import ViewState

OPEN = "embed_open"  # session key: whether the *Intégrer* panel is open


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
    """Show the *Intégrer* panel: the code of the current view for another site, in plain words.

    A visible *Copier le code* button, the code itself, an optional live preview, and
    *Uniquement mon territoire* when a territory is selected.

    The panel's widgets are sent only once it is opened (a rerun): on the map's first load
    the browser neither loads nor renders them (the number input, the copy button's frame…).
    """
    panel = st.expander("Intégrer cette carte dans un autre site", key=OPEN, on_change="rerun")
    if not panel.open:
        return
    with panel:
        st.caption(
            "Collez le code ci-dessous dans une page de votre site : la carte y apparaît "
            "avec les couches, les filtres et le territoire choisis ici."
        )
        only = st.checkbox(
            "Uniquement mon territoire",
            key="embed_only",
            disabled=not view.selection,
            help="Ne montrer que les éléments du territoire choisi (sinon : toute la carte, "
            "ouverte sur ce territoire). Choisissez d'abord un territoire.",
        )
        base = st.text_input(
            "Adresse de l'atlas pour le public",
            value=app_url(),
            key="embed_base",
            help="L'adresse à laquelle les visiteurs de votre site ouvrent l'atlas "
            "(elle commence par https://).",
        )
        left, right = st.columns(2)
        width = left.text_input(
            "Largeur (en pixels, ou en % de la page)", value="100%", key="embed_width"
        )
        height = right.number_input(
            "Hauteur (en pixels)", 200, 3000, embedding.DEFAULT_HEIGHT, step=50, key="embed_height"
        )
        title = st.text_input(
            "Titre de la carte (lu par les lecteurs d'écran)",
            value=embedding.DEFAULT_TITLE,
            key="embed_title",
        )
        try:
            snippet = embedding.iframe_snippet(
                base, view, title=title, width=width, height=int(height), only_territory=only
            )
        except ValueError as error:
            st.error(literal(str(error)))  # names the address as typed
            return
        st.iframe(embedding.copy_button_html(snippet), height=44, alt="Copier le code")
        # Plain text, wrapped: the syntax colours are under 4.5:1, a scrolling block is
        # out of reach of the keyboard (RGAA 3.2, 7.3); not st.code, whose highlighter the
        # browser evaluates for ~0.4 s.
        st.html(embedding.code_block_html(snippet))
        if st.toggle("Aperçu de la carte intégrée", key="embed_preview"):
            preview = embedding.embed_url(app_url(), view, only_territory=only)
            st.iframe(preview, height=int(height), alt=title or embedding.DEFAULT_TITLE)
        st.caption(
            "Pour un site très fréquenté, l'équipe de l'atlas peut aussi fournir la carte "
            "sous forme de fichiers à déposer sur votre propre serveur (export statique)."
        )
