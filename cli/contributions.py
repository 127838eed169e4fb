"""``atlas contributions``: list, accept, return, export, import and publish proposals.

The database is ``$ATLAS_DB`` (a SQLite file, ``sqlite:///…`` or ``postgresql://…``),
by default ``contributions.sqlite3`` in the build directory (see
:mod:`geodata.contributions.db`). ``import`` checks a case table with the rules of
``atlas check`` and stores its good rows as pending proposals, exactly once each (a row
already proposed is reported, not added); ``export`` writes the accepted ones as a case
table that ``atlas check`` accepts and ``atlas build --cases`` uses; ``feed`` writes the
Atom feeds per theme and per région.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from cli.terminal import printable
from geodata.contributions import publish, validate
from geodata.contributions.store import ACCEPTED, STATUS_FR, NotFound, Stale, Store
from geodata.tables import neutralise

LIST_COLUMNS = ("id", "reference", "status", "version", "name", "place", "origin", "updated_at")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``atlas contributions list|accept|return|export|import|feed``."""
    p = subparsers.add_parser(
        "contributions", help="proposals of cooperations: list, accept, return, export, import"
    )
    sub = p.add_subparsers(dest="action", required=True)
    ls = sub.add_parser("list", help="one line per proposal")
    ls.add_argument("--status", choices=sorted(STATUS_FR), help="only this status")
    ls.add_argument("--format", choices=("text", "csv"), default="text")
    ls.set_defaults(func=run_list)
    for name, helptext in (("accept", "accept a pending proposal"), ("return", "send it back")):
        d = sub.add_parser(name, help=helptext)
        d.add_argument("id", type=int, help="the proposal's id (atlas contributions list)")
        d.add_argument("--by", required=True, metavar="NAME", help="who decides (history)")
        d.add_argument(
            "--version", type=int, help="the version you reviewed (refused if it changed since)"
        )
        if name == "return":
            d.add_argument("--reason", required=True, help="why, shown to the proposer")
        d.set_defaults(func=run_decide)
    ex = sub.add_parser("export", help="accepted proposals as a case table (CSV)")
    ex.add_argument("--out", type=Path, required=True, metavar="F.csv")
    ex.set_defaults(func=run_export)
    im = sub.add_parser("import", help="load a case table (CSV/XLSX) as pending proposals")
    im.add_argument("file", type=Path, metavar="FILE")
    im.add_argument("--by", default="import", metavar="NAME", help="who imports (history)")
    im.set_defaults(func=run_import)
    fd = sub.add_parser("feed", help="Atom feeds of newly accepted cases, per theme and région")
    fd.add_argument("--out", type=Path, required=True, metavar="DIR")
    fd.add_argument("--base-url", default="http://localhost:8501", help="the atlas's address")
    fd.set_defaults(func=run_feed)
    p.set_defaults(func=lambda args: p.print_help() or 2)
    return p


def _fail(message: str) -> int:
    print(f"atlas contributions : {printable(message)}", file=sys.stderr)
    return 2


def run_list(args: argparse.Namespace) -> int:
    """Print the proposals (``--format csv``: one CSV row each, with its ``id``)."""
    rows = [
        {
            "id": p.id,
            "reference": p.reference,
            "status": p.status,
            "version": p.version,
            "name": p.name,
            "place": publish.case_table([p])
            .iloc[0][["insee_com", "siren_epci", "id_ti", "pays_id"]]
            .loc[lambda s: s != ""]
            .str.cat(sep=" "),
            "origin": p.origin,
            "updated_at": p.updated_at,
        }
        for p in Store().proposals(args.status)
    ]
    if args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=LIST_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: neutralise(printable(v)) for k, v in r.items()} for r in rows)
    else:
        for r in rows:
            print(
                printable(
                    f"{r['id']:>5}  {r['reference']}  {STATUS_FR[r['status']]:<10}  "
                    f"v{r['version']}  {r['name']}  [{r['place']}]"
                )
            )
        print(f"{len(rows)} proposition(s)", file=sys.stderr)
    return 0


def run_decide(args: argparse.Namespace) -> int:
    """Accept or return a proposal; a stale ``--version`` or a decided proposal exits 1."""
    store = Store()
    try:
        seen = args.version if args.version is not None else store.get(args.id).version
        if args.action == "accept":
            p = store.accept(args.id, args.by, seen)
        else:
            p = store.send_back(args.id, args.by, seen, args.reason)
    except NotFound as error:
        return _fail(str(error))
    except (Stale, ValueError) as error:
        print(f"atlas contributions : {printable(error)}", file=sys.stderr)
        return 1
    print(printable(f"proposition n° {p.id} ({p.reference}) {STATUS_FR[p.status]} par {args.by}"))
    return 0


def run_export(args: argparse.Namespace) -> int:
    """Write the accepted proposals as a case table."""
    try:
        n = publish.export_csv(Store().proposals(ACCEPTED), args.out)
    except OSError as error:
        return _fail(f"impossible d'écrire {args.out} ({error.strerror})")
    print(f"{n} proposition(s) acceptée(s) écrite(s) dans {printable(args.out)}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    """Store a case table's good rows as pending proposals; report every other row."""
    if not args.file.is_file():
        return _fail(f"{args.file} : fichier introuvable")
    try:
        table = validate.read_table(args.file)
    except ValueError as error:
        return _fail(str(error))
    rows, problems = validate.check_table(table, args.file.name)
    results = Store().submit(
        ((r["data"], r["contact"]) for r in rows), f"import:{args.file.name}", args.by
    )
    for problem in problems:
        print(printable(problem))
    added = 0
    for row, (p, created) in zip(rows, results, strict=True):
        added += created
        if not created:
            print(
                printable(
                    f"{args.file.name}:{row['line']}: déjà proposée (proposition n° {p.id}, "
                    f"{p.reference}, {STATUS_FR[p.status]}) : ligne non ajoutée"
                )
            )
    errors = sum(p.severity == "error" for p in problems)
    print(
        f"{added} proposition(s) ajoutée(s), {len(rows) - added} déjà proposée(s), "
        f"{errors} ligne(s) en erreur",
        file=sys.stderr,
    )
    return 1 if errors else 0


def run_feed(args: argparse.Namespace) -> int:
    """Write the Atom feeds of the accepted proposals."""
    from geodata import atlas as atlas_mod

    try:
        paths = write_feeds(atlas_mod.load(), args.out, args.base_url)
    except OSError as error:
        return _fail(f"impossible d'écrire dans {args.out} ({error.strerror})")
    print(f"{len(paths)} flux Atom écrit(s) dans {printable(args.out)}")
    return 0


def write_feeds(loaded: object, out: Path, base_url: str) -> list[Path]:
    """Write the feeds of an atlas's accepted proposals into ``out`` (``atlas embed`` too)."""
    cases = loaded.get("cases")
    if cases is None or "source" not in cases.columns:
        return []
    accepted = cases[cases["source"] == publish.ORIGIN]
    if "validated_at" not in accepted.columns or accepted.empty:
        return []
    return publish.write_feeds(accepted, loaded.regions, out, base_url)
