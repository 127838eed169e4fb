"""The ``atlas`` command line: build, inspect, check and fetch the atlas's data."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from geodata import build, config


def _cmd_build(args: argparse.Namespace) -> int:
    report = build.build(args.out, force=args.force)
    _print_summary(report)
    return 0


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


def parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``atlas`` command."""
    p = argparse.ArgumentParser(prog="atlas", description="Atlas des coopérations territoriales")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the GeoParquet layers (only what changed)")
    b.add_argument("--out", type=Path, help="output directory (default: $ATLAS_BUILD_DIR or build/)")
    b.add_argument("--force", action="store_true", help="rebuild even when sources are unchanged")
    b.set_defaults(func=_cmd_build)
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
