"""Build stage ``petr``: the national Pays / PETR layer from BANATIC.

Sources: BANATIC (DGCL, Licence Ouverte 2.0), the list of groupings (snapshot: 1 January
2022) and the memberships (snapshot: export of 2025), read from the ``banatic/`` folder of
the data directory (:mod:`geodata.sources.banatic`); the EPCI of 1 January 2025 of the
``base`` stage (``epci_simplified.parquet``: the display coverage, so that a PETR's border
is exactly the border of its EPCI on the map). Outputs ``petr.parquet`` (schema
:data:`geodata.model.petr.PETR`, EPSG:4326); the report lists every row not used and why
(:mod:`geodata.model.petr`). Without the BANATIC files the layer is empty and the report
says how to get them.
"""

from __future__ import annotations

import time

import geopandas as gpd

from geodata.build.pipeline import BuildOptions, Log, StageResult, code_digest
from geodata.checksum import file_digest
from geodata.model import petr
from geodata.problems import Problem
from geodata.report import StageReport
from geodata.sources import banatic

FORMAT = 1
LAYER = "petr"
HINT = (
    "atlas fetch --only banatic --dest DIR, puis ATLAS_DATA_DIR=DIR atlas build "
    "(ou le dossier opendata/ du dépôt)"
)


def petr_key(opts: BuildOptions) -> dict:
    """Cache key: checksums of the two BANATIC files and of this stage's code."""
    files = banatic.find_files(opts.data_dir)
    tables = (
        {}
        if files is None
        else {p.name: file_digest(p) for p in (files.groupements, files.adhesions)}
    )
    return {"format": FORMAT, "tables": tables, "code": code_digest(__name__)}


def run_petr(opts: BuildOptions, log: Log) -> StageResult:
    """Read BANATIC, draw each PETR as the union of its member EPCI, report every row."""
    t0 = time.perf_counter()
    files = banatic.find_files(opts.data_dir)
    if files is None:
        log(f"  BANATIC not found in {opts.data_dir}: no PETR layer ({HINT})")
        report = StageReport(counts={LAYER: 0}, details={"not_loaded": HINT})
        return StageResult({LAYER: petr.empty_layer()}, report)
    groupements, bad_list = banatic.read_file(files.groupements, banatic.GROUPEMENTS)
    adhesions, bad_members = banatic.read_file(files.adhesions, banatic.ADHESIONS)
    epci = gpd.read_parquet(opts.out / "epci_simplified.parquet")
    built = petr.build_petr(
        groupements,
        adhesions,
        epci,
        petr.Files(
            files.groupements.name,
            files.adhesions.name,
            source=f"DGCL, BANATIC (liste {files.list_year}, adhésions {files.members_year})",
            vintage=files.members_year,
        ),
    )
    counts = _with_unreadable(built.counts, bad_list, bad_members)
    log(
        f"  {counts['petr_drawn']} PETR drawn of {counts['petr_listed']} listed; "
        f"{len(built.problems) + len(bad_list) + len(bad_members)} problems"
    )
    report = StageReport(
        sources=banatic.sources(files),
        counts={LAYER: len(built.layer), **counts},
        problems=bad_list + bad_members + built.problems,
        timings={"total_s": round(time.perf_counter() - t0, 2)},
        details=built.details,
    )
    return StageResult({LAYER: built.layer}, report)


def _with_unreadable(
    counts: dict[str, int], bad_list: list[Problem], bad_members: list[Problem]
) -> dict[str, int]:
    """Add the rows the reader set aside (bad SIREN) to the file counts: all rows accounted."""
    out = dict(counts)
    out["groupements_rows"] += len(bad_list)
    out["groupements_unreadable"] = len(bad_list)
    out["adhesions_rows"] += len(bad_members)
    out["adhesions_reported"] += len(bad_members)
    return out
