"""Build stage ``indicators``: INSEE key figures per territory.

Reads INSEE's *base comparateur de territoires* (edition of January 2022, COG 2021;
:mod:`geodata.sources.insee`) from the data directory, maps its communes to today's
(:func:`geodata.model.indicators.to_today`) and writes:

- ``territory_indicators``: one row per commune, EPCI, département, région, TI (latest
  phase), Pays/PETR and France (``france``/``fr``) with the summed counts, the number of
  member communes without a value per count, the ratios recomputed from the sums, and the
  median income and poverty rate for communes (:func:`geodata.model.indicators.aggregate`).

Every row of the file is used or reported (``atlas info``); the report's details give the
accounting and the communes outside any EPCI (their figures are in the département,
région and France totals, in no EPCI's).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from geodata.build.pipeline import BuildOptions, Log, StageResult, code_digest
from geodata.model import indicators
from geodata.model import pays as pays_model
from geodata.report import Source, StageReport
from geodata.schema import INDICATORS, check_schema
from geodata.sources import datafrance, insee

FORMAT = 1
LAYER = "territory_indicators"


def indicators_key(opts: BuildOptions) -> dict:
    """Cache key: the commune file's checksum and this stage's code."""
    return {
        "format": FORMAT,
        "file": insee.file_sha256(opts.data_dir),
        "code": code_digest(__name__),
    }


def run_indicators(opts: BuildOptions, log: Log) -> StageResult:
    """Map the 2021 communes to today's and sum the figures per territory."""
    loaded = insee.load(opts.data_dir)
    communes = pd.read_parquet(
        opts.out / "communes.parquet", columns=["insee_com", "siren_epci", "insee_dep", "insee_reg"]
    )
    if loaded.status != "loaded":
        log(f"  {insee.FILE} not found in the data directory: no INSEE figure")
        report = StageReport(details={"status": loaded.status})
        return StageResult({}, report)
    per_commune, problems, accounting = indicators.to_today(
        loaded.table, datafrance.commune_reference(), communes["insee_com"]
    )
    members = indicators.members_table(communes, _read(opts.out, "ti"), _pays(opts.out))
    table = check_schema(indicators.aggregate(per_commune, members), INDICATORS)
    outside = per_commune[
        per_commune["insee_com"].isin(
            communes.loc[communes["siren_epci"].fillna("") == "", "insee_com"]
        )
    ]
    no_figure = per_commune.loc[per_commune["n_sources"] == 0, "insee_com"]
    log(
        f"  {accounting['summed']:,} commune rows summed, {accounting['arrondissements']} "
        f"arrondissements not summed twice, {accounting['unplaced']} unplaced; "
        f"{len(table):,} territories"
    )
    report = StageReport(
        sources=[Source.from_dict(loaded.source())],
        counts={LAYER: len(table)},
        problems=[*loaded.problems, *problems],
        details={
            "accounting": {**accounting, "rejected_by_reader": loaded.rows - len(loaded.table)},
            "outside_epci": {
                "communes": sorted(outside["insee_com"]),
                "emplois_2018": float(outside["emplois_2018"].sum()),
            },
            "communes_without_figures": sorted(no_figure),
        },
    )
    return StageResult({LAYER: table}, report)


def _read(out: Path, name: str) -> gpd.GeoDataFrame | None:
    path = out / f"{name}.parquet"
    return gpd.read_parquet(path) if path.exists() else None


def _pays(out: Path) -> pd.DataFrame | None:
    both = pays_model.with_national_petr(_read(out, "pays"), _read(out, "petr"))
    return None if both is None else pd.DataFrame(both.drop(columns="geometry"))
