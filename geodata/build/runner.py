"""Build the atlas's data into GeoParquet files, rebuilding only what changed.

The build has stages. Each stage declares a cache key (the versions and checksums of its
sources, plus the stage's format number); a stage whose key matches the last build is
skipped, and the build says so. Files are written atomically (temporary file, then
rename), under a lock so that the app and a command line cannot build at the same time.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd

from geodata import config
from geodata.build import base, programmes
from geodata.build import cases as cases_stage
from geodata.build import facts as facts_stage
from geodata.build.pipeline import BuildOptions, KeyFunc, Log, RunFunc, digest_json

REPORT = "build_report.json"


def stage_table() -> dict[str, tuple[KeyFunc, RunFunc, tuple[str, ...]]]:
    """The stages in build order, each with the earlier stages whose files it reads."""
    return {
        "base": (base.base_key, base.run_base, ()),
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
        for name, (key_func, run, reads) in stage_table().items():
            key = {**key_func(opts), "upstream": digest_json([keys[r] for r in reads])}
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
