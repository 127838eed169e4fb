"""The problems table of the *Données et sources* and *Études de cas* pages reads in French."""

from geodata.problems import Problem
from pages.ui.problems import problem_table


def test_problem_table_has_french_headers_and_severities():
    problems = [
        Problem("a.csv", 3, "", "insee_com", "99999", "code inconnu", "corriger le code"),
        Problem("b.csv", None, "x", "siren", "", "note", "conservé", "warning"),
        Problem("c.csv", 4, "y", "siren", "", "note", "placé", "info"),
    ]
    table = problem_table(problems)
    assert list(table.columns) == [
        "Fichier",
        "Ligne",
        "Code",
        "Champ",
        "Valeur",
        "Raison",
        "Correction",
        "Gravité",
    ]
    assert table["Gravité"].tolist() == ["erreur", "avertissement", "information"]
    assert table["Ligne"].tolist()[0] == 3 and table["Ligne"].isna().tolist()[1]
