"""``atlas build``: build the GeoParquet layers (only the stages whose inputs changed)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.info import print_summary
from cli.terminal import printable
from geodata import config, output
from geodata.build import runner


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``atlas build [--out DIR] [--force] [--data-dir DIR] [--cases FILE]…``."""
    p = subparsers.add_parser("build", help="build the GeoParquet layers (only what changed)")
    p.add_argument(
        "--out", type=Path, help="output directory (default: $ATLAS_BUILD_DIR or build/)"
    )
    p.add_argument("--force", action="store_true", help="rebuild even when sources are unchanged")
    p.add_argument(
        "--data-dir",
        type=Path,
        help="directory of the official open data: anct/, banatic/ (default: "
        "$ATLAS_DATA_DIR, else the snapshot shipped in opendata/)",
    )
    p.add_argument(
        "--cases",
        type=Path,
        action="append",
        default=None,
        metavar="FILE",
        help="add your own case table (CSV or XLSX, format of geodata/data/cases.csv);"
        " repeatable; remembered by the build until other tables are given",
    )
    p.add_argument(
        "--no-user-cases",
        action="store_true",
        help="build without the user case tables remembered from the last build",
    )
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``atlas build``; print the summary; return 0, or 2 for a bad argument."""
    missing = [str(p) for p in args.cases or () if not p.is_file()]
    if missing:
        print(f"atlas build: no such case table: {', '.join(missing)}", file=sys.stderr)
        return 2
    if args.data_dir is not None and not args.data_dir.is_dir():
        print(
            f"atlas build: --data-dir {args.data_dir} is not a directory "
            "(atlas fetch --dest DIR downloads the lists)",
            file=sys.stderr,
        )
        return 2
    try:
        output.prepare_dir(args.out or config.build_dir())
    except output.OutputError as exc:
        print(f"atlas build : {printable(str(exc))}", file=sys.stderr)
        return 2
    cases = () if args.no_user_cases else None if args.cases is None else tuple(args.cases)
    report = runner.build(args.out, force=args.force, data_dir=args.data_dir, cases=cases)
    print_summary(report)
    return 0
