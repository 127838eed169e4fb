"""Cached loaders shared by the pages, keyed on primitives only.

Large read-only geometry is loaded once per server (``st.cache_resource``); the build is
made on first use, with a progress message, when it is missing or out of date.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import streamlit as st

from geodata import build, config


@st.cache_resource(show_spinner=False)
def build_dir() -> Path:
    """Return the build directory, building it on first use."""
    out = config.build_dir()
    if not (out / build.REPORT).exists():
        with st.status("Première utilisation : préparation des données (≈ 15 s)…") as status:
            build.ensure_build(out, log=status.write)
    else:
        build.ensure_build(out, log=lambda _: None)
    return out


@st.cache_resource(show_spinner="Chargement de la géographie…")
def layer(name: str) -> gpd.GeoDataFrame:
    """Return a built layer, shared by all sessions (do not mutate it)."""
    return build.read_layer(name, build_dir())


def report() -> dict:
    """Return the last build report (small; read on each call)."""
    return build.read_report(build_dir())
