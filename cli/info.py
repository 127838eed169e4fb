"""``atlas info``: print the vintages, counts and data faults of the last build."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.terminal import printable
from geodata import config
from geodata.build import runner
from geodata.report import BuildReport, StageReport


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``atlas info [--out DIR]``."""
    p = subparsers.add_parser(
        "info", help="print vintages, counts and data faults of the last build"
    )
    p.add_argument("--out", type=Path, help="build directory (default: $ATLAS_BUILD_DIR or build/)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``atlas info``; return 1 when there is no build."""
    report = runner.read_report(args.out)
    if not report:
        out = args.out or config.build_dir()
        print(f"No build in {out}. Run: atlas build --out {out}", file=sys.stderr)
        return 1
    print_summary(report, faults=True)
    return 0


def print_summary(report: BuildReport, faults: bool = False) -> None:
    """Print each stage of a build report: sources, counts, rows not used, lists."""
    for name, stage in report.stages.items():
        _say(f"[{name}] built {stage.built_at or '?'}")
        for src in stage.sources:
            _say(
                f"  source: {src.name} {src.version} — {src.vintage}; {src.producer}; {src.licence}"
            )
        counts = ", ".join(f"{k} {v:,}" for k, v in stage.counts.items())
        _say(f"  counts: {counts}")
        _print_problems(stage, detail=faults)


def _print_problems(stage: StageReport, detail: bool) -> None:
    """Rows not used (errors) or repaired (warnings), then the official lists' accounting."""
    by_severity = {s: len(stage.problems_of(severity=s)) for s in ("error", "warning", "info")}
    _say(
        f"  rows not used: {by_severity['error']:,}; repaired or normalised: "
        f"{by_severity['warning']:,}; notes: {by_severity['info']:,}"
    )
    if detail:
        for p in stage.problems:
            if p.severity != "info":
                _say(f"    {p}")
    for name, entry in stage.lists.items():
        if entry.status == "not loaded":
            _say(f"  {name}: not loaded — {entry.hint}")
        elif entry.rows is not None:
            _say(
                f"  {name}: {entry.rows:,} rows, {entry.placed:,} placed, "
                f"{entry.n_unplaced:,} reported"
            )


def _say(line: str) -> None:
    """Print one line of the summary, its data-derived text with controls escaped."""
    print(printable(line))
