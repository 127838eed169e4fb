"""Build the atlas's data into GeoParquet files, rebuilding only what changed.

The build has stages. Each stage declares a cache key (the versions and checksums of its
sources, plus the stage's format number); a stage whose key matches the last build is
skipped, and the build says so. Files are written atomically (temporary file, then
rename), under a lock so that the app and a command line cannot build at the same time.

A stage is committed only once all its files are written: its entry in the report is
cleared before the first file is replaced, and written back after the last one, so a build
killed half-way is rebuilt by the next one instead of being taken as done. Temporary files
left by a killed build are removed when the next one starts.

The users' own case tables (``atlas build --cases``) are recorded in the report: a later
build of the same directory (by the app, ``atlas briefing`` or ``atlas embed``) keeps them
unless it is given other tables.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd

from geodata import config
from geodata import report as build_report
from geodata.build import base, programmes
from geodata.build import cases as cases_stage
from geodata.build import facts as facts_stage
from geodata.build import indicators as indicators_stage
from geodata.build import petr as petr_stage
from geodata.build.pipeline import BuildOptions, KeyFunc, Log, RunFunc, digest_json

REPORT = build_report.FILE


def stage_table() -> dict[str, tuple[KeyFunc, RunFunc, tuple[str, ...]]]:
    """Return the stages in build order, each with the earlier stages whose files it reads."""
    return {
        "base": (base.base_key, base.run_base, ()),
        "petr": (petr_stage.petr_key, petr_stage.run_petr, ("base",)),
        "programmes": (programmes.programmes_key, programmes.run_programmes, ("base",)),
        # cases read the TI perimeters of the programmes stage (a case placed on a TI)
        "cases": (cases_stage.cases_key, cases_stage.run_cases, ("base", "programmes")),
        "facts": (
            facts_stage.facts_key,
            facts_stage.run_facts,
            ("base", "petr", "cases", "programmes"),
        ),  # petr: counts per PETR
        # INSEE figures per territory: communes of base, TI of programmes, Pays/PETR
        "indicators": (
            indicators_stage.indicators_key,
            indicators_stage.run_indicators,
            ("base", "petr", "programmes", "cases"),
        ),
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


def read_report(out: Path | None = None) -> build_report.BuildReport:
    """Return the last build report of ``out`` (default: :func:`config.build_dir`).

    Empty (falsy) when there is no build, or one written in an older report format.
    """
    return build_report.read_report(out or config.build_dir())


def build(
    out: Path | None = None,
    *,
    force: bool = False,
    log: Log = print,
    data_dir: Path | None = None,
    cases: tuple[Path, ...] | None = None,
) -> build_report.BuildReport:
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
        Directory of the official open data (default: :func:`config.data_dir`:
        ``$ATLAS_DATA_DIR``, else the snapshot shipped in ``opendata/``).
    cases : tuple of Path, optional
        Users' own case tables, added to the curated one. ``None`` (the default) keeps
        the tables recorded by the last build of ``out``; ``()`` builds without any.
    """
    out = out or config.build_dir()
    with _locked(out):
        _remove_temporary_files(out, log)
        report = read_report(out)
        if cases is None:
            cases = tuple(Path(p) for p in report.user_cases)
            if cases:
                log(f"user case tables kept from the last build: {', '.join(map(str, cases))}")
        report.user_cases = [str(Path(p).resolve()) for p in cases]
        opts = BuildOptions(
            out, data_dir or config.data_dir(), tuple(Path(p) for p in report.user_cases)
        )
        stages = report.stages
        keys: dict[str, dict] = {}  # a stage is rebuilt when a stage it reads changed
        for name, (key_func, run, reads) in stage_table().items():
            key = {**key_func(opts), "upstream": digest_json([keys[r] for r in reads])}
            keys[name] = key
            previous = report.stage(name)
            if not force and previous.key == key and _outputs_exist(out, previous):
                log(f"{name}: up to date (sources unchanged), not rebuilt")
                continue
            log(f"{name}: building ({'forced' if force else 'sources changed or first build'})")
            result = run(opts, log)
            stages.pop(name, None)  # not done until every file is written (a kill: rebuilt)
            build_report.write_report(report, out)
            for layer, gdf in result.layers.items():
                _write_parquet(gdf, out / f"{layer}.parquet")
            result.report.key, result.report.files = key, sorted(result.layers)
            result.report.built_at = datetime.now(UTC).isoformat(timespec="seconds")
            stages[name] = result.report
            build_report.write_report(report, out)
            written = ", ".join(f"{f}.parquet" for f in sorted(result.layers))
            log(f"{name}: wrote {written}" if written else f"{name}: no layer to write")
    return report


def _remove_temporary_files(out: Path, log: Log) -> None:
    """Remove the temporary files a killed build left (ours only, never a user's).

    Ours are ``<layer>.parquet.tmp`` and ``build_report.json.tmp``; any other ``.tmp``
    file in the directory is left alone.
    """
    ours = [*out.glob("*.parquet.tmp"), out / f"{REPORT}.tmp"]
    for stray in sorted({p for p in ours if p.is_file()}):
        stray.unlink(missing_ok=True)
        log(f"removed {stray.name}, left by an interrupted build")


def _outputs_exist(out: Path, stage_report: build_report.StageReport) -> bool:
    return bool(stage_report.key) and all(
        (out / f"{f}.parquet").exists() for f in stage_report.files
    )


def _write_parquet(gdf: gpd.GeoDataFrame, path: Path) -> None:
    tmp = path.with_suffix(".parquet.tmp")
    gdf.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def ensure_build(out: Path | None = None, log: Log = print) -> Path:
    """Return the build directory, building it first when it is missing or out of date."""
    out = out or config.build_dir()
    build(out, log=log)
    return out
