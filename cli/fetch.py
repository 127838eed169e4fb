"""``atlas fetch``: download the current official lists (see :mod:`geodata.fetch`)."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``atlas fetch`` command and its options.

    ``atlas fetch [--dest DIR] [--only NAME ...] [--timeout S] [--deadline S]
    [--base-url URL] [--no-progress]``.
    """
    p = subparsers.add_parser(
        "fetch", help="download the current official lists (ANCT, BANATIC, IGN)"
    )
    p.add_argument(
        "--dest", type=Path, help="destination directory (default: $ATLAS_DATA_DIR or build/anct)"
    )
    p.add_argument("--only", nargs="+", metavar="NAME", help="fetch only these sources")
    p.add_argument("--timeout", type=float, default=30, help="seconds per connection and read")
    p.add_argument(
        "--deadline",
        type=float,
        metavar="S",
        help="seconds for each file as a whole (default: per source, 2 to 60 min)",
    )
    p.add_argument(
        "--base-url",
        metavar="URL",
        help="send every request to this http(s) server, paths kept: a mirror "
        "or a test server (default: $ATLAS_FETCH_BASE_URL)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``atlas fetch``; return its exit code."""
    from geodata import fetch

    return fetch.run_fetch(
        args.dest,
        args.only,
        args.timeout,
        not args.no_progress,
        base_url=args.base_url,
        deadline=args.deadline,
    )
