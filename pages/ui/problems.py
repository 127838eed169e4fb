"""Rows not used (or repaired) as a table, for the *Données et sources* and *Études de cas*."""

from __future__ import annotations

import pandas as pd

from geodata.problems import SEVERITY_FR, Problem

COLUMNS = {
    "dataset": "Fichier",
    "line": "Ligne",
    "code": "Code",
    "field": "Champ",
    "value": "Valeur",
    "reason": "Raison",
    "fix": "Correction",
    "severity": "Gravité",
}


def problem_table(problems: list[Problem]) -> pd.DataFrame:
    """Return one row per problem with French column names (severity in French)."""
    frame = pd.DataFrame([p.as_dict() for p in problems], columns=[*COLUMNS, "kind"])
    frame["severity"] = frame["severity"].map(SEVERITY_FR)
    frame["line"] = frame["line"].astype("Int64")
    return frame[list(COLUMNS)].rename(columns=COLUMNS)
