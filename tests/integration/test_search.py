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
    # "le puy" is the whole name of two villages (Gironde, Doubs); the town comes next
    hits = search(index, "le puy")
    assert hits["label"].head(3).tolist() == ["Le Puy", "Le Puy", "Le Puy-en-Velay"]
    hits = search(index, "l'isle")
    assert {"L'Isle-Jourdain", "L'Isle-sur-la-Sorgue"} <= set(hits["label"])
