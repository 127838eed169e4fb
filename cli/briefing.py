"""``atlas briefing``: write one briefing document (PDF or HTML) per territory.

Wired into the ``atlas`` command by :func:`add_parser`. The build is loaded once and its
shared tables computed once, then each territory takes well under a second.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from typing import TextIO

from cli.terminal import printable
from geodata import atlas as atlas_mod
from geodata import output
from geodata.briefing import compare, compare_render
from geodata.briefing import export as briefing_export
from geodata.briefing import model as briefing
from geodata.briefing import pdf as briefing_pdf


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``briefing`` on the ``atlas`` command's subparsers; return its parser."""
    p = subparsers.add_parser(
        "briefing",
        help="write a briefing document (PDF or HTML) per territory",
        description="One file per territory: ti-8408 (Territoire d'industrie), a 9-digit EPCI "
        "SIREN, pays-langres (Pays/PETR) or a commune INSEE code (42187): the ids "
        "of atlas embed --territory and of the app's URLs.",
    )
    p.add_argument(
        "territories",
        nargs="*",
        metavar="TERRITORY_ID",
        help="territory ids: id_ti, EPCI SIREN, Pays id or commune INSEE code",
    )
    p.add_argument(
        "--all-ti", action="store_true", help="every Territoire d'industrie of the 2023-2027 phase"
    )
    p.add_argument(
        "--compare",
        metavar="ID",
        default="",
        help="add a comparison page with territory ID (any id: ti-8418, 200035731, dep-63, "
        "reg-84…), fr (France) or region (each territory's own région)",
    )
    p.add_argument(
        "--compare-region",
        action="store_true",
        help="same as --compare region: compare each territory with its région",
    )
    p.add_argument("--format", choices=("pdf", "html"), default="pdf", help="default: pdf")
    p.add_argument(
        "--out",
        type=Path,
        default=Path("."),
        help="directory to write into (created if missing; default: .)",
    )
    p.add_argument(
        "--radius-km",
        type=float,
        default=20.0,
        help="case studies within this distance are listed (default: 20)",
    )
    p.add_argument(
        "--base-url",
        default="",
        help="address of the app, for links to case fiches (e.g. https://atlas.example)",
    )
    p.add_argument(
        "--build-dir", type=Path, help="build directory (default: $ATLAS_BUILD_DIR or build/)"
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace, err: TextIO | None = None) -> int:
    """Write the briefings; return 0, or 2 for bad arguments, an unknown id or a bad --out."""
    err = err or sys.stderr
    if not args.territories and not args.all_ti:
        print("atlas briefing: give at least one TERRITORY_ID, or --all-ti", file=err)
        return 2
    if not args.radius_km >= 0:
        print(f"atlas briefing: --radius-km must be ≥ 0, got {args.radius_km}", file=err)
        return 2
    if args.base_url and not re.fullmatch(r"https?://[^\s]+", args.base_url):
        print(
            f"atlas briefing : --base-url « {printable(args.base_url)} » n'est pas une adresse "
            "http(s) : donnez par exemple https://atlas.example",
            file=err,
        )
        return 2
    if args.compare_region:
        if args.compare and args.compare.strip().lower() not in compare.REGION_WORDS:
            print("atlas briefing: --compare-region and --compare ID: give only one", file=err)
            return 2
        args.compare = "region"
    a = atlas_mod.load(args.build_dir)
    targets, errors = _resolve(a, args, err)
    if errors:
        return 2
    others, errors = _resolve_compare(a, args, targets, err)
    if errors:
        return 2
    try:
        _write_all(a, args, targets, err, others)
    except output.OutputError as exc:
        print(f"atlas briefing : {printable(str(exc))}", file=err)
        return 2
    except OSError as exc:
        print(
            f"atlas briefing : impossible d'écrire dans {printable(args.out)} ({exc.strerror}) : "
            "donnez un dossier où vous pouvez écrire",
            file=err,
        )
        return 2
    return 0


def _write_all(
    a: atlas_mod.Atlas,
    args: argparse.Namespace,
    targets: list[tuple[str, str]],
    err: TextIO,
    others: list[compare.Ref | None],
) -> None:
    """Write one file per target; every path is checked to stay in --out before any write."""
    stems = [
        briefing_export.stem_of(ident, kind) + (f"-comparaison-{o.id}" if o else "")
        for (kind, ident), o in zip(targets, others, strict=True)
    ]
    paths = [output.inside(args.out, f"{stem}.{args.format}") for stem in stems]
    output.prepare_dir(args.out)
    t0 = time.perf_counter()
    for i, ((kind, ident), path, other) in enumerate(zip(targets, paths, others, strict=True), 1):
        b = briefing.make_briefing(a, kind, ident, radius_km=args.radius_km)
        if other is not None:
            comp = compare.compare(a, compare.Ref(kind, ident), other, b)
            if args.format == "pdf":
                path.write_bytes(compare_render.pdf_bytes(a, b, comp, args.base_url))
            else:
                text = compare_render.html_text(a, b, comp, args.base_url)
                path.write_text(text, encoding="utf-8")
        elif args.format == "pdf":
            path.write_bytes(briefing_pdf.pdf_bytes(a, b, args.base_url))
        else:
            path.write_text(briefing_pdf.html_text(a, b, args.base_url), encoding="utf-8")
        if not args.no_progress:
            _progress(err, i, len(targets), printable(path.name), time.perf_counter() - t0)
    total = time.perf_counter() - t0
    print(
        f"atlas briefing: wrote {len(targets)} {args.format.upper()} file(s) to {args.out} "
        f"in {total:.1f} s",
        file=err,
    )


def _resolve(
    a: atlas_mod.Atlas, args: argparse.Namespace, err: TextIO
) -> tuple[list[tuple[str, str]], int]:
    """Every id resolved before anything is written; each unknown id reported."""
    targets, errors = [], 0
    ids = list(args.territories)
    if args.all_ti:
        try:
            ids += briefing.all_ti_ids(a)
        except ValueError as exc:
            print(f"atlas briefing: --all-ti: {printable(str(exc))}", file=err)
            errors += 1
    for ident in dict.fromkeys(ids):
        try:
            targets.append(briefing.resolve_id(a, ident))
        except ValueError as exc:
            print(f"atlas briefing: {printable(str(exc))}", file=err)
            errors += 1
    return list(dict.fromkeys(targets)), errors


def _resolve_compare(
    a: atlas_mod.Atlas, args: argparse.Namespace, targets: list[tuple[str, str]], err: TextIO
) -> tuple[list[compare.Ref | None], int]:
    """Return the second territory of each target (None without --compare), errors."""
    if not args.compare:
        return [None] * len(targets), 0
    others, errors = [], 0
    for kind, ident in targets:
        try:
            others.append(compare.parse_reference(a, args.compare, compare.Ref(kind, ident)))
        except ValueError as exc:
            print(f"atlas briefing: --compare: {printable(str(exc))}", file=err)
            errors += 1
            break  # the same id fails for every target: say it once
    return others, errors


def _progress(err: TextIO, i: int, n: int, name: str, elapsed: float) -> None:
    width = 30
    done = int(width * i / n)
    line = f"[{'#' * done}{'.' * (width - done)}] {i}/{n} {name} ({elapsed:.0f} s)"
    if err.isatty():
        print("\r" + line.ljust(100), end="" if i < n else "\n", file=err, flush=True)
    else:
        print(line, file=err, flush=True)
