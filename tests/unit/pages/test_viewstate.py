"""The map view in the URL: round trip and robustness."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pages.ui.viewstate import (
    BASEMAPS,
    DEFAULT_LAYERS,
    LAYERS,
    NO_LAYER,
    SELECTION_KINDS,
    ViewState,
    from_query,
)


def test_default_view_has_a_short_url_and_round_trips():
    assert ViewState().to_query() == {}
    assert from_query({}) == ViewState()


def test_a_full_view_round_trips_through_the_query_string():
    view = ViewState(
        layers=("epci", "ti", "acv"),
        reg="84",
        dep="42",
        programmes=("acv",),
        kinds=("cluster",),
        themes=("textile",),
        text="Roanne",
        selection=("epci", "200035731"),
        basemap="osm",
    )
    assert from_query(view.to_query()) == view


def test_unknown_values_are_ignored_and_listed():
    view = from_query({"couches": "epci,volcans", "fond": "satellite", "sel": "x:<script>"})
    assert view.layers == ("epci",)
    assert view.basemap == "aucun" and view.selection is None
    assert set(view.ignored) == {"couches=volcans", "fond=satellite", "sel=x:<script>"}


@pytest.mark.parametrize(
    "sel, selection, written",
    [
        ("ti-8408", ("ti", "ti-8408"), "ti-8408"),
        ("42187", ("commune", "42187"), "42187"),
        ("epci:200035731", ("epci", "200035731"), "200035731"),  # links made before: still read
        ("commune:42187", ("commune", "42187"), "42187"),
        ("case:pays-roannais", ("case", "pays-roannais"), "case:pays-roannais"),
        ("pays-roannais", ("pays", "pays-roannais"), "pays-roannais"),
    ],
)
def test_the_selection_is_written_with_the_territory_id_of_every_command(sel, selection, written):
    view = from_query({"sel": sel})
    assert view.selection == selection and view.ignored == ()
    assert view.to_query()["sel"] == written


def test_no_layer_at_all_is_a_valid_view():
    assert from_query({"couches": ""}).layers == ()
    assert from_query({}).layers == DEFAULT_LAYERS


TOKENS = st.sampled_from(
    [
        *LAYERS,
        *BASEMAPS,
        "42",
        "2A",
        "84",
        "acv",
        "cluster",
        "textile",
        "epci:200035731",
        "case:roanne-territoire",
        "volcans",
        "x:<script>",
        " ",
        "",
    ]
)
PARAMS = st.dictionaries(
    st.sampled_from(["couches", "reg", "dep", "prog", "type", "theme", "q", "sel", "fond"]),
    st.one_of(st.text(), TOKENS, st.lists(TOKENS, max_size=4).map(",".join)),
)


@settings(deadline=None)
@given(PARAMS)
def test_any_query_gives_a_valid_view_whose_url_reproduces_it(params):
    view = from_query(params)
    assert set(view.layers) <= set(LAYERS) and view.basemap in BASEMAPS
    assert view.selection is None or view.selection[0] in SELECTION_KINDS
    assert {item.partition("=")[0] for item in view.ignored} <= set(params)
    if params.get("couches") != NO_LAYER:
        for item in filter(None, (v.strip() for v in params.get("couches", "").split(","))):
            assert item in view.layers or f"couches={item}" in view.ignored  # dropped, and said
    assert from_query(view.to_query()) == view


def test_a_view_with_every_layer_off_survives_its_url():
    view = ViewState(layers=())
    assert view.to_query() == {"couches": "aucune"}
    assert from_query(view.to_query()) == view
