"""How the app server holds the shared atlas while many sessions use it."""

from __future__ import annotations

import gc

from pages.ui import data


def test_full_collections_after_each_rerun_skip_the_shared_atlas(real_build):
    # Streamlit runs gc.collect(2) after every script run; walking the atlas each time held
    # the interpreter lock for seconds with 20 sessions, and /_stcore/health stalled.
    shared = data.get_atlas()
    layers = data.map_layers()
    walked = {id(obj) for obj in gc.get_objects()}  # what a full collection traverses
    for obj in (shared, shared.communes, shared.epci, shared.optional, layers):
        assert gc.is_tracked(obj)
        assert id(obj) not in walked
    assert gc.get_freeze_count() > len(shared.communes)
