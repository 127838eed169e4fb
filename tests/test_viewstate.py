"""The map view in the URL: round trip and robustness."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pages.ui.viewstate import DEFAULT_LAYERS, ViewState, from_query


def test_default_view_has_a_short_url_and_round_trips():
    assert ViewState().to_query() == {}
    assert from_query({}) == ViewState()


def test_a_full_view_round_trips_through_the_query_string():
    view = ViewState(layers=("epci", "ti", "acv"), reg="84", dep="42", programmes=("acv",),
                     kinds=("cluster",), themes=("textile",), text="Roanne",
                     selection=("epci", "200035731"), basemap="osm")
    assert from_query(view.to_query()) == view


def test_unknown_values_are_ignored_and_listed():
    view = from_query({"couches": "epci,volcans", "fond": "satellite", "sel": "x:<script>"})
    assert view.layers == ("epci",)
    assert view.basemap == "aucun" and view.selection is None
    assert set(view.ignored) == {"couches=volcans", "fond=satellite", "sel=x:<script>"}


def test_no_layer_at_all_is_a_valid_view():
    assert from_query({"couches": ""}).layers == ()
    assert from_query({}).layers == DEFAULT_LAYERS


@given(st.dictionaries(st.sampled_from(["couches", "reg", "dep", "prog", "type", "theme", "q", "sel", "fond"]), st.text()))
def test_parsing_never_raises(params):
    from_query(params)
