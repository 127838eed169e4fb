"""Routes of the atlas beside ``st.navigation``: the ``/carte`` address and unknown paths.

Streamlit serves the default page at the app root only: its ``url_path`` is ``""``
whatever ``st.Page`` declares, so ``/carte?couches=…`` (the address of the map in
permalinks and embeds) matched no page and Streamlit showed its English "Page not found"
dialog. Streamlit allows several pages on one script, so the map is declared twice: the
default page at ``/`` and a hidden page at ``/carte``. An address that matches no page
gets a hidden page of its own that says so in French, instead of Streamlit's dialog.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

# What Streamlit accepts as a page's url_path (no "/"); anything else keeps its dialog.
_SIMPLE_PATH = re.compile(r"[\w.~-]+")


def alias(page: str, url_path: str, title: str) -> st.Page:
    """Serve the script ``page`` at ``/url_path`` too, as a hidden page."""
    return st.Page(page, title=title, url_path=url_path, visibility="hidden")


def requested_path() -> str:
    """Return the page name this run asks for (``"carte"`` for ``/carte?…``; ``""`` for ``/``)."""
    ctx = get_script_run_ctx()
    if ctx is None or ctx.pages_manager.intended_page_script_hash:
        return ""  # a click in the navigation names its page by hash: always a known page
    return ctx.pages_manager.intended_page_name or ""


def not_found(known_paths: Iterable[str], home: st.Page) -> list[st.Page]:
    """Return a hidden French *Page introuvable* page when this run asks for an unknown path.

    Parameters
    ----------
    known_paths
        The url paths of the declared pages (``""`` for the root).
    home
        The default page, linked from the message.

    Returns
    -------
    list of st.Page
        Empty when the requested path is known; else one page served at that path.

    """
    wanted = requested_path()
    if wanted in set(known_paths) or not _SIMPLE_PATH.fullmatch(wanted):
        return []

    def introuvable() -> None:
        st.title("Page introuvable")
        st.write("L'adresse demandée ne correspond à aucune page de l'atlas :")
        st.code(f"/{wanted}", language=None)
        st.page_link(home, label="Ouvrir la carte", icon=":material/map:")

    return [st.Page(introuvable, title="Page introuvable", url_path=wanted, visibility="hidden")]
