"""Build stage for the cross-programme facts of every territory.

Reads the layers of the earlier stages (communes; ACV, PVD, tiers-lieux, France services,
Villages d'avenir and TI when their lists are loaded; case studies and Pays) and writes:

- ``territory_facts``: one row per EPCI, département, région, TI (per phase) and Pays,
  with the count of each programme and of case studies inside it
  (:func:`geodata.facts.territory_facts`);
- ``multi_programmes``: the communes taking part in two programmes or more.

These feed the map's side panel and the territory briefing.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from geodata.build.pipeline import BuildOptions, Log, StageResult, code_digest
from geodata.model import facts

FORMAT = 1
INPUTS = ("acv", "pvd", "france_services", "villages_avenir", "tiers_lieux", "ti", "cases", "pays")


def facts_key(opts: BuildOptions) -> dict:
    """Cache key: this stage's code (its inputs are covered by the upstream stages' keys)."""
    return {"format": FORMAT, "code": code_digest(__name__)}


def run_facts(opts: BuildOptions, log: Log) -> StageResult:
    """Count programmes and case studies per territory; list multi-programme communes."""
    communes = gpd.read_parquet(opts.out / "communes.parquet")
    layers = {name: _read(opts.out, name) for name in INPUTS}
    points = facts.programme_points(layers)
    programme_keys = sorted(points)
    if layers["cases"] is not None:
        points["cases"] = layers["cases"]
    extra = {}
    if layers["pays"] is not None:
        extra["pays"] = pd.DataFrame(layers["pays"].drop(columns="geometry"))
    names = {kind: pd.read_parquet(opts.out / f"{kind}.parquet", columns=[key, "nom"])
             for kind, key in (("epci", "siren_epci"), ("departements", "code"),
                               ("regions", "code"))}  # built already: no second read of the source
    table = facts.territory_facts(communes, points, layers["ti"], extra, **names)
    multi = facts.multi_programme_communes(points, communes)
    log(f"  facts for {len(table)} territories; {len(multi)} communes in 2 programmes or more")
    report = {
        "counts": {"territory_facts": len(table), "multi_programmes": len(multi)},
        "programmes_counted": programme_keys,
    }
    return StageResult({"territory_facts": table, "multi_programmes": multi}, report)


def _read(out: Path, name: str) -> gpd.GeoDataFrame | None:
    path = out / f"{name}.parquet"
    return gpd.read_parquet(path) if path.exists() else None
