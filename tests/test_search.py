"""Place search by name or code."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geodata.search import build_index, normalise, search


@pytest.fixture
def index():
    """Communes and EPCI with realistic codes, including homonyms and accents."""
    return build_index({
        "commune": pd.DataFrame({
            "id": ["42187", "42188", "2A004", "42218"],
            "label": ["Roanne", "Roannais-sur-Loire", "Ajaccio", "Saint-Étienne"],
            "detail": ["Commune (42)", "Commune (42)", "Commune (2A)", "Commune (42)"],
            "population": [34000, 500, 70000, 170000],
        }),
        "epci": pd.DataFrame({
            "id": ["200035731"], "label": ["Roannais Agglomération"], "detail": ["EPCI CA"],
            "population": [100000],
        }),
    })


def test_exact_name_comes_first(index):
    assert search(index, "Roanne").iloc[0][["kind", "id"]].tolist() == ["commune", "42187"]


def test_prefix_matches_follow_ranked_by_kind_then_population(index):
    ids = search(index, "roann")["id"].tolist()
    assert ids == ["42187", "42188", "200035731"]


def test_accents_hyphens_and_case_are_ignored(index):
    assert search(index, "saint etienne")["id"].tolist() == ["42218"]


def test_code_search_finds_corsican_and_epci_codes(index):
    assert search(index, "2A004")["label"].tolist() == ["Ajaccio"]
    assert search(index, "200035731")["kind"].tolist() == ["epci"]


def test_empty_query_returns_nothing(index):
    assert search(index, "   ").empty


def test_missing_column_is_named():
    with pytest.raises(ValueError, match="detail"):
        build_index({"commune": pd.DataFrame({"id": ["1"], "label": ["x"]})})


@given(st.text())
def test_search_never_raises_on_any_text(text):
    idx = build_index({"commune": pd.DataFrame({"id": ["01001"], "label": ["L'Abergement"], "detail": ["c"]})})
    search(idx, text)
    normalise(text)
