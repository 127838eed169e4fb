"""Streamlit pages: thin glue between widgets, cached loaders and layers.

Importing this package also leaves Streamlit's old "pages directory" mode (see
:func:`_use_the_router`): every page script imports from ``pages``, so this runs in the
first script run of a server, whichever URL it came from.
"""

from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx


def _use_the_router() -> None:
    """Make Streamlit route every URL through ``app.py`` (``st.navigation``).

    A folder named ``pages/`` beside the main script puts a fresh Streamlit server in its
    v1 multipage mode until ``st.navigation`` is first called: if the first visitor opens
    a deep link (``/carte?…``, ``/cas?cas=…``), Streamlit runs that file directly, lists
    every module of this folder in the sidebar, and stays in that mode for every later
    session. The layout of the project fixes the folder's name, so switch the mode off
    here and rerun: the rerun goes through ``app.py`` and opens the same page.
    """
    if PagesManager.uses_pages_directory and get_script_run_ctx() is not None:
        PagesManager.uses_pages_directory = False
        import streamlit as st

        st.rerun()


_use_the_router()
