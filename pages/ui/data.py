"""Cached loaders shared by the pages, keyed on primitives only.

The atlas (all layers) is loaded once per server (``st.cache_resource``) and shared by
every session; it is built on first use, with a progress message, when missing.
"""

from __future__ import annotations

import socket
from pathlib import Path

import streamlit as st

from geodata import atlas, config
from geodata.build import runner as build
from geodata.report import BuildReport
from layers.geojson import StaticFiles
from layers.registry import layer_frames

STATIC_DIR = config.PROJECT_ROOT / "static"


@st.cache_resource(show_spinner=False)
def build_dir() -> Path:
    """Return the build directory, building it on first use."""
    out = config.build_dir()
    if not (out / build.REPORT).exists():
        with st.status("Première utilisation : préparation des données (≈ 30 s)…") as status:
            build.ensure_build(out, log=status.write)
    return out


@st.cache_resource(show_spinner="Chargement des couches…")
def get_atlas() -> atlas.Atlas:
    """Every layer, shared by all sessions (read-only: never mutate it)."""
    return atlas.load(build_dir())


@st.cache_resource
def store() -> StaticFiles:
    """Where layer data is written for the browser (static/data, content-addressed)."""
    return StaticFiles(STATIC_DIR)


def report() -> BuildReport:
    """Return the last build report."""
    return get_atlas().report


@st.cache_data(ttl=600, show_spinner=False)
def online() -> bool:
    """Whether the basemap servers are reachable (decides the default basemap)."""
    try:
        socket.create_connection(("data.geopf.fr", 443), timeout=1.5).close()
        return True
    except OSError:
        return False


@st.cache_resource(show_spinner=False)
def map_layers() -> dict:
    """Return the layers the map draws, by key (:func:`layers.registry.layer_frames`).

    Selected once per server from the shared atlas (read-only), not on every rerun.
    """
    return layer_frames(get_atlas())


def load_hint(key: str) -> str:
    """How to load a layer that is not in the build."""
    return atlas.LOAD_HINTS.get(key, "atlas build")
