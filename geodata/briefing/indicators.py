"""The INSEE figures of the build, as the briefing, the comparison and the exports read them.

The ``indicators`` build stage writes ``territory_indicators.parquet`` (INSEE, comparateur
de territoires 2022, see :mod:`geodata.model.indicators`); this module reads it once per
loaded atlas and says how the figures are made, for every surface that shows them.
"""

from __future__ import annotations

import pandas as pd

from geodata.atlas import Atlas
from geodata.model import indicators

LAYER = "territory_indicators"


def indicator_table(atlas: Atlas) -> pd.DataFrame | None:
    """Return the ``territory_indicators`` table of the build (None when not built)."""
    path = atlas.out / f"{LAYER}.parquet"
    return atlas.derived(LAYER, lambda: pd.read_parquet(path) if path.exists() else None)


def figures_of(atlas: Atlas, kind: str, code: str) -> pd.Series | None:
    """Return the INSEE figures of one territory (kind ``france``, code ``fr``), or None."""
    return indicators.lookup(indicator_table(atlas), kind, code)


def figure_rows(figures: pd.Series | None) -> list[list[str]]:
    """``[label, value, source — year]`` of every indicator, as shown (missing said so)."""
    return [list(f) for f in indicators.figures(figures)]


def limits_note() -> str:
    """Return how the figures are made and their limits (under every table of them)."""
    return (
        f"{indicators.source_note()} (édition de janvier 2022, Licence Ouverte 2.0), communes "
        "du COG 2021 rapportées aux communes d'aujourd'hui (communes fusionnées additionnées). "
        "Les effectifs sont sommés sur les communes ; les taux sont recalculés à partir des "
        "sommes (chômage = chômeurs / actifs de 15-64 ans ; emplois pour 100 actifs occupés "
        "= emplois / (actifs − chômeurs) ; évolution annuelle moyenne composée). Une médiane ne "
        "s'additionne pas : revenu médian et taux de pauvreté pour les communes seulement. "
        "« secret ou non disponible » : donnée non diffusée par l'INSEE, jamais comptée 0."
    )
