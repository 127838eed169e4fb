"""``atlas check``: validate case tables, one line per problem (file, line, field, fix)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.terminal import printable
from geodata import config


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``atlas check [FILE ...]``."""
    p = subparsers.add_parser("check", help="validate case tables (default: the curated cases.csv)")
    p.add_argument("files", type=Path, nargs="*", metavar="FILE", help="CSV or XLSX case tables")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``atlas check``; return 1 when a table has an error or is missing, else 0."""
    from geodata.build import cases as cases_stage

    paths = args.files or [config.curated_dir() / cases_stage.CURATED]
    found = [p for p in paths if p.is_file()]
    for path in paths:
        if path not in found:
            print(printable(f"{path}: no such file"), file=sys.stderr)
    problems = [p for _, table in cases_stage.check_tables(found) for p in table]
    for problem in problems:
        print(printable(problem))
    errors = len(paths) - len(found) + sum(p.severity == "error" for p in problems)
    warnings = sum(p.severity == "warning" for p in problems)
    print(
        f"{len(found)} table(s) checked: {errors} error(s), {warnings} warning(s)", file=sys.stderr
    )
    return 1 if errors else 0
