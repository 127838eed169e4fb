"""Build stage for the cross-programme facts of every territory.

Reads the layers of the earlier stages (communes; ACV, PVD, tiers-lieux, France services,
Villages d'avenir and TI when their lists are loaded; case studies and Pays) and writes:

- ``territory_facts``: one row per commune, EPCI, département, région, TI (per phase)
  and Pays / PETR, with the count of each programme and of case studies inside it
  (:func:`geodata.model.facts.territory_facts`), and the ids of the case studies counted
  (``cases_in``).

The map's side panel and the territory briefing read their programme counts from this
table (:meth:`geodata.atlas.Atlas.counts`), so they agree by construction.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from geodata.build.pipeline import BuildOptions, Log, StageResult, code_digest
from geodata.model import facts, pays
from geodata.report import StageReport
from geodata.vocab import point_layers

FORMAT = 3  # 3: cases counted where their place lies wholly, with their ids (cases_in)
INPUTS = (*point_layers(), "ti", "cases", "pays")  # built layers read


def facts_key(opts: BuildOptions) -> dict:
    """Cache key: this stage's code (its inputs are covered by the upstream stages' keys)."""
    return {"format": FORMAT, "code": code_digest(__name__)}


def run_facts(opts: BuildOptions, log: Log) -> StageResult:
    """Count programmes and case studies per territory (communes to régions, TI, Pays)."""
    communes = gpd.read_parquet(opts.out / "communes.parquet")
    layers = {name: _read(opts.out, name) for name in INPUTS}
    layers["pays"] = pays.with_national_petr(layers["pays"], _read(opts.out, "petr"))
    names = {
        kind: pd.read_parquet(opts.out / f"{kind}.parquet", columns=[key, "nom"])
        for kind, key in (("epci", "siren_epci"), ("departements", "code"), ("regions", "code"))
    }  # built already: no second read of the source
    table = facts.layer_facts(communes, layers, **names)
    log(f"  facts for {len(table)} territories")
    report = StageReport(
        counts={"territory_facts": len(table)},
        details={"programmes_counted": sorted(facts.programme_points(layers))},
    )
    return StageResult({"territory_facts": table}, report)


def _read(out: Path, name: str) -> gpd.GeoDataFrame | None:
    path = out / f"{name}.parquet"
    return gpd.read_parquet(path) if path.exists() else None
