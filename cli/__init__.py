"""The ``atlas`` command line: build, inspect, check and fetch the atlas's data."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from geodata import config
from geodata.build import runner as build


def _cmd_build(args: argparse.Namespace) -> int:
    missing = [str(p) for p in args.cases if not p.is_file()]
    if missing:
        print(f"atlas build: no such case table: {', '.join(missing)}", file=sys.stderr)
        return 2
    if args.data_dir is not None and not args.data_dir.is_dir():
        print(f"atlas build: --data-dir {args.data_dir} is not a directory "
              "(atlas fetch --dest DIR downloads the lists)", file=sys.stderr)
        return 2
    report = build.build(args.out, force=args.force, data_dir=args.data_dir, cases=tuple(args.cases))
    _print_summary(report)
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from geodata.build import cases as cases_stage

    paths = args.files or [config.curated_dir() / cases_stage.CURATED]
    found = [p for p in paths if p.is_file()]
    for path in paths:
        if path not in found:
            print(f"{path}: no such file", file=sys.stderr)
    problems = [p for _, table in cases_stage.check_tables(found) for p in table]
    for problem in problems:
        print(problem)
    errors = len(paths) - len(found) + sum(p.severity == "error" for p in problems)
    warnings = sum(p.severity == "warning" for p in problems)
    print(f"{len(found)} table(s) checked: {errors} error(s), {warnings} warning(s)",
          file=sys.stderr)
    return 1 if errors else 0


def _cmd_fetch(args: argparse.Namespace) -> int:
    from geodata import fetch

    return fetch.run_fetch(args.dest, args.only, args.timeout, not args.no_progress)


def _cmd_info(args: argparse.Namespace) -> int:
    report = build.read_report(args.out)
    if not report:
        out = args.out or config.build_dir()
        print(f"No build in {out}. Run: atlas build --out {out}", file=sys.stderr)
        return 1
    _print_summary(report, faults=True)
    return 0


def _print_summary(report: dict, faults: bool = False) -> None:
    for name, stage in report.get("stages", {}).items():
        print(f"[{name}] built {stage.get('built_at', '?')}")
        for src in stage.get("sources", []):
            print(f"  source: {src['name']} {src.get('version', '')} — {src['vintage']}; "
                  f"{src['producer']}; {src['licence']}")
        counts = ", ".join(f"{k} {v:,}" for k, v in stage.get("counts", {}).items())
        print(f"  counts: {counts}")
        stage_faults = stage.get("faults", [])
        print(f"  data faults reported: {len(stage_faults)}")
        if faults:
            for f in stage_faults:
                print(f"    {f['dataset']} {f['code']} {f['name']}: {f['problem']} -> {f['action']}")
        _print_rows_not_used(stage, detail=faults)


def _print_rows_not_used(stage: dict, detail: bool) -> None:
    """Case-table problems, unplaced cases and list rows not placed, per stage."""
    problems = stage.get("problems", [])
    unplaced = stage.get("unplaced", [])
    if problems or unplaced:
        print(f"  case-table problems: {len(problems)}; cases not placed: {len(unplaced)}")
    if detail:
        for p in problems:
            print(f"    {p['message']}")
        for u in unplaced:
            print(f"    not placed: {u.get('id', '?')} — {u.get('reason', '')}")
    for name, entry in stage.get("lists", {}).items():
        if entry.get("status") == "not loaded":
            print(f"  {name}: not loaded — {entry.get('hint', '')}")
            continue
        if "rows" in entry:
            print(f"  {name}: {entry['rows']:,} rows, {entry['placed']:,} placed, "
                  f"{entry.get('n_unplaced', 0):,} reported")
        if detail:
            for u in entry.get("unplaced", []):
                print(f"    line {u['line']} {u['code']}: {u['reason']}")


def parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``atlas`` command."""
    p = argparse.ArgumentParser(prog="atlas", description="Atlas des coopérations territoriales")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the GeoParquet layers (only what changed)")
    b.add_argument("--out", type=Path, help="output directory (default: $ATLAS_BUILD_DIR or build/)")
    b.add_argument("--force", action="store_true", help="rebuild even when sources are unchanged")
    b.add_argument("--data-dir", type=Path,
                   help="directory of the ANCT lists (default: $ATLAS_DATA_DIR; none: not loaded)")
    b.add_argument("--cases", type=Path, action="append", default=[], metavar="FILE",
                   help="add your own case table (CSV or XLSX, format of geodata/data/cases.csv);"
                        " repeatable")
    b.set_defaults(func=_cmd_build)
    c = sub.add_parser("check", help="validate case tables (default: the curated cases.csv)")
    c.add_argument("files", type=Path, nargs="*", metavar="FILE", help="CSV or XLSX case tables")
    c.set_defaults(func=_cmd_check)
    f = sub.add_parser("fetch", help="download the current official lists (ANCT, BANATIC, IGN)")
    f.add_argument("--dest", type=Path,
                   help="destination directory (default: $ATLAS_DATA_DIR or build/anct)")
    f.add_argument("--only", nargs="+", metavar="NAME", help="fetch only these sources")
    f.add_argument("--timeout", type=float, default=30, help="seconds per connection and read")
    f.add_argument("--no-progress", action="store_true", help="no progress bar")
    f.set_defaults(func=_cmd_fetch)
    from cli import briefing as briefing_cli
    from layers import site as embed

    briefing_cli.add_parser(sub)
    embed.add_parser(sub)
    i = sub.add_parser("info", help="print vintages, counts and data faults of the last build")
    i.add_argument("--out", type=Path, help="build directory (default: $ATLAS_BUILD_DIR or build/)")
    i.set_defaults(func=_cmd_info)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``atlas`` command; return its exit code."""
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
