"""Build the atlas's data into GeoParquet files, rebuilding only what changed.

The build has stages. Each stage declares a cache key (the versions and checksums of its
sources, plus the stage's format number); a stage whose key matches the last build is
skipped, and the build says so. Files are written atomically (temporary file, then
rename), under a lock so that the app and a command line cannot build at the same time.

A stage is committed only once all its files are written: its entry in the report is
cleared before the first file is replaced, and written back after the last one, so a build
killed half-way is rebuilt by the next one instead of being taken as done. Temporary files
left by a killed build are removed when the next one starts.

A stage may also write a folder (the ``tiles`` stage: thousands of files). It writes it in
a staging folder (:func:`geodata.build.pipeline.staging_folder`); the runner marks it
complete (:data:`FOLDER_MARKER`) and renames it into place, after clearing the stage's
entry in the report, exactly like a layer file. A folder without its marker (a copy cut
short, a folder from elsewhere) is not taken as built; staging folders and replaced
folders left by a killed build are removed by the next one.

The users' own case tables (``atlas build --cases``) are recorded in the report: a later
build of the same directory (by the app, ``atlas briefing`` or ``atlas embed``) keeps them
unless it is given other tables.
"""

from __future__ import annotations

import fcntl
import os
import shutil
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
from geodata.build import tiles as tiles_stage
from geodata.build.pipeline import (
    STAGING_PREFIX,
    BuildOptions,
    KeyFunc,
    Log,
    RunFunc,
    StageResult,
    digest_json,
)

REPORT = build_report.FILE
FOLDER_MARKER = ".stage-complete"  # written last into a stage's folder (holds its key)
REPLACED_PREFIX = ".replaced-"  # a built folder being swapped out


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
        # vector tiles of the communes; the Pays (of cases) are hashed in its own key
        "tiles": (tiles_stage.tiles_key, tiles_stage.run_tiles, ("base", "petr", "programmes")),
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
            for folder, staged in result.folders.items():
                _swap_folder(staged, out / folder, key)
            result.report.key, result.report.files = key, _files(result)
            result.report.built_at = datetime.now(UTC).isoformat(timespec="seconds")
            stages[name] = result.report
            build_report.write_report(report, out)
            written = ", ".join(f if f.endswith("/") else f"{f}.parquet" for f in _files(result))
            log(f"{name}: wrote {written}" if written else f"{name}: no layer to write")
    return report


def _files(result: StageResult) -> list[str]:
    """Return the report's ``files`` of a stage: its layers, then its folders ("name/")."""
    return [*sorted(result.layers), *(f"{f}/" for f in sorted(result.folders))]


def _swap_folder(staged: Path, final: Path, key: dict) -> None:
    """Mark ``staged`` complete and put it in place of ``final`` (two renames).

    A kill between the renames leaves no ``final``: the stage, not yet in the report, is
    rebuilt by the next build, which also removes the replaced folder.
    """
    (staged / FOLDER_MARKER).write_text(digest_json(key), encoding="utf-8")
    replaced = final.with_name(f"{REPLACED_PREFIX}{final.name}")
    shutil.rmtree(replaced, ignore_errors=True)
    if final.exists():
        os.replace(final, replaced)
    os.replace(staged, final)
    shutil.rmtree(replaced, ignore_errors=True)


def _remove_temporary_files(out: Path, log: Log) -> None:
    """Remove the temporary files a killed build left (ours only, never a user's).

    Ours are ``<layer>.parquet.tmp``, ``build_report.json.tmp`` and the folders
    ``.staging-<name>`` and ``.replaced-<name>``; any other ``.tmp`` file in the
    directory is left alone.
    """
    ours = [*out.glob("*.parquet.tmp"), out / f"{REPORT}.tmp"]
    for stray in sorted({p for p in ours if p.is_file()}):
        stray.unlink(missing_ok=True)
        log(f"removed {stray.name}, left by an interrupted build")
    folders = [*out.glob(f"{STAGING_PREFIX}*"), *out.glob(f"{REPLACED_PREFIX}*")]
    for stray in sorted(p for p in folders if p.is_dir()):
        shutil.rmtree(stray)
        log(f"removed {stray.name}/, left by an interrupted build")


def _outputs_exist(out: Path, stage_report: build_report.StageReport) -> bool:
    return bool(stage_report.key) and all(
        (out / f / FOLDER_MARKER).is_file() if f.endswith("/") else (out / f"{f}.parquet").exists()
        for f in stage_report.files
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
