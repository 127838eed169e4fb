"""Cached loaders shared by the pages, keyed on primitives only.

The atlas (all layers) is loaded once per server (``st.cache_resource``) and shared by
every session; it is built on first use, with a progress message, when missing.

What these loaders return lives as long as the server: :func:`long_lived` moves it out of
the garbage collector's reach. Streamlit runs a full collection after every script run; with
the atlas's few hundred thousand objects walked each time, 20 sessions opening the map held
the interpreter lock for seconds on end, and the server's health check (answered on the
same event loop) stalled up to 10 s.
"""

from __future__ import annotations

import gc
import socket
from pathlib import Path
from typing import TypeVar

import streamlit as st

from geodata import atlas, config
from geodata.build import runner as build
from geodata.contributions import publish
from geodata.contributions.store import Store
from geodata.report import BuildReport
from layers import tiles
from layers.geojson import StaticFiles
from layers.registry import layer_frames

STATIC_DIR = config.PROJECT_ROOT / "static"

T = TypeVar("T")


def long_lived(value: T) -> T:
    """Return ``value`` after freezing every object alive now (``gc.freeze``).

    Called once per cache fill. Full collections (one after every script run) then skip the
    shared atlas instead of walking it; the garbage of the moment is collected first, so
    only objects still in use are frozen. A frozen object is still freed when its last
    reference goes (the atlas of an older contributions revision, evicted from its cache),
    unless it sits in a reference cycle.
    """
    gc.collect()
    gc.freeze()
    return value


@st.cache_resource(show_spinner=False)
def build_dir() -> Path:
    """Return the build directory, building it on first use."""
    out = config.build_dir()
    if not (out / build.REPORT).exists():
        with st.status("Première utilisation : préparation des données (≈ 30 s)…") as status:
            build.ensure_build(out, log=status.write)
    return out


@st.cache_resource(show_spinner="Chargement des couches…")
def base_atlas() -> atlas.Atlas:
    """Every built layer, shared by all sessions (read-only: never mutate it)."""
    return long_lived(atlas.load(build_dir(), contributions=False))


def get_atlas() -> atlas.Atlas:
    """Return the built layers plus the accepted proposals, shared by all sessions.

    The accepted proposals are read again only when the contributions database's
    revision changed (one cheap query, at most once a second): an acceptance shows on the
    next rerun in every server process, and the built layers are not reloaded.
    """
    return _atlas_at(contributions_revision())


@st.cache_resource(max_entries=2, show_spinner=False)
def _atlas_at(revision: int) -> atlas.Atlas:
    return long_lived(publish.with_accepted(base_atlas(), publish.accepted()))


def publish_decision() -> None:
    """Load the atlas of the contributions' new revision now, after a moderator's decision.

    Merging the accepted proposals and recounting every territory takes seconds: the
    moderator who decided waits for it, rather than the next public visitor of the map.
    """
    contributions_revision.clear()
    map_layers()  # the atlas of the new revision, then the map's frames from it


@st.cache_resource(show_spinner=False)
def contributions() -> Store:
    """Return the contributions database of ``ATLAS_DB`` (migrated once per server)."""
    return Store()


@st.cache_data(ttl=1, show_spinner=False)
def contributions_revision() -> int:
    """Return the revision of the contributions database (changes at each decision)."""
    return contributions().revision()


@st.cache_resource
def store() -> StaticFiles:
    """Where layer data is written for the browser (static/data, content-addressed)."""
    return StaticFiles(STATIC_DIR, gzip=True)


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


def map_layers() -> dict:
    """Return the layers the map draws, by key (:func:`layers.registry.layer_frames`).

    Selected once per server and revision of the contributions from the shared atlas
    (read-only), not on every rerun.
    """
    return _map_layers_at(contributions_revision())


@st.cache_resource(max_entries=2, show_spinner=False)
def _map_layers_at(revision: int) -> dict:
    return long_lived(with_published_tiles(layer_frames(get_atlas())))


def with_published_tiles(frames: dict) -> dict:
    """Return ``frames`` once the tile sets they draw are served from static/tiles/."""
    for frame in frames.values():
        if isinstance(frame, tiles.TileSource):
            published_tiles(str(frame.tileset.folder), frame.tileset.digest)
    return frames


@st.cache_resource(show_spinner="Préparation des tuiles de la carte…")
def published_tiles(folder: str, digest: str) -> str:
    """Copy a build's tile set into ``static/tiles/<digest>/`` once per server and digest."""
    return str(tiles.publish(tiles.read_tileset(Path(folder)), STATIC_DIR))


def load_hint(key: str) -> str:
    """How to load a layer that is not in the build."""
    return atlas.LOAD_HINTS.get(key, "atlas build")
