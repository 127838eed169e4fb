"""Place search on the real build: official names, with or without their article."""

from __future__ import annotations

import pytest

from geodata import atlas as atlas_mod
from geodata.search import search

pytestmark = pytest.mark.integration


def test_real_search_finds_official_names_with_or_without_article(real_build):
    index = atlas_mod.load(real_build).search_index
    for query, code, label in [
        ("puy en velay", "43157", "Le Puy-en-Velay"),
        ("mureaux", "78440", "Les Mureaux"),
        ("isle jourdain", "32160", "L'Isle-Jourdain"),
        ("la rochelle", "17300", "La Rochelle"),
    ]:
        hit = search(index, query).iloc[0]
        assert (hit["kind"], hit["id"], hit["label"]) == ("commune", code, label), query
    # "le puy" is the whole name of two villages (Gironde, Doubs) and the start of the
    # town's: the town first (by population), the villages still listed
    hits = search(index, "le puy")
    assert hits["label"].iloc[0] == "Le Puy-en-Velay"
    assert hits["label"].tolist().count("Le Puy") == 2
    hits = search(index, "l'isle")
    assert {"L'Isle-Jourdain", "L'Isle-sur-la-Sorgue"} <= set(hits["label"])


def test_real_search_ranks_for_a_reader(real_atlas):
    from geodata import scope

    index = scope.place_index(real_atlas)
    assert search(index, "Clermont").iloc[0]["id"] == "63113"  # Clermont-Ferrand
    thiers = search(index, "Thiers")["id"].tolist()
    assert thiers[:2] == ["63430", "ti-8408"]  # the town, then its TI
    for query, kind, code in [
        ("Auvergne-Rhône-Alpes", "region", "84"),
        ("Puy-de-Dôme", "departement", "63"),
        ("63", "departement", "63"),
        ("reg-84", "region", "84"),
    ]:
        hit = search(index, query).iloc[0]
        assert (hit["kind"], hit["id"]) == (kind, code), query
