"""``atlas embed``: write a standalone static site of the map (see :mod:`layers.site`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.contributions import write_feeds
from cli.terminal import printable
from geodata import atlas as atlas_mod
from layers import site
from layers.communes import DEFAULT_MODE, MODES
from layers.registry import DEFAULT_LAYERS, LAYERS


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``atlas embed --out DIR [--territory ID] [--layers epci,ti,...] [--communes M]``."""
    p = subparsers.add_parser(
        "embed",
        help="write a standalone static site of the map "
        "(index.html, Leaflet, data) for any web server",
    )
    p.add_argument(
        "--out",
        type=Path,
        required=True,
        help="output directory: new, empty, or a previous export (only the files it "
        "lists in .atlas-embed are replaced)",
    )
    p.add_argument(
        "--territory",
        metavar="ID",
        help="only this territory: a commune INSEE code (42187), an EPCI SIREN "
        "(200035731), ti-8408, pays-langres, dep-42 or reg-84 "
        "(epci:SIREN, dep:42, … are read too)",
    )
    p.add_argument(
        "--layers",
        default=",".join(DEFAULT_LAYERS),
        help=f"comma-separated layers among {','.join(LAYERS)} "
        f"(default: {','.join(DEFAULT_LAYERS)}); communes copies the build's vector tiles "
        "(all of France: about 2,600 files, 18 MB; with --territory, only its tiles)",
    )
    p.add_argument(
        "--communes",
        metavar="MODE",
        default=DEFAULT_MODE,
        help=f"colouring of the communes layer, among {', '.join(MODES)} (default: {DEFAULT_MODE})",
    )
    p.add_argument("--title", help="page title")
    p.add_argument("--atlas-url", default="", help="URL of the full atlas, linked in the footer")
    p.add_argument(
        "--build", type=Path, help="build directory (default: $ATLAS_BUILD_DIR or build/)"
    )
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``atlas embed``; print what was written; return the exit code."""
    keys = [k.strip() for k in args.layers.split(",") if k.strip()]
    if args.communes not in MODES:  # before loading the build: a typo costs nothing
        print(f"atlas embed: {printable(site.unknown_mode(args.communes))}", file=sys.stderr)
        return 2
    try:
        a = atlas_mod.load(args.build)
        result = site.export_site(
            args.out,
            a,
            keys,
            args.territory,
            title=args.title,
            atlas_url=args.atlas_url,
            communes_mode=args.communes,
        )
        # Atom feeds of the accepted proposals, per theme and per région (DIR/feeds/)
        feeds = write_feeds(a, args.out / "feeds", args.atlas_url or "http://localhost:8501")
    except (ValueError, FileNotFoundError) as error:
        print(f"atlas embed: {printable(str(error))}", file=sys.stderr)
        return 2
    except OSError as error:
        print(
            f"atlas embed : impossible d'écrire dans {printable(str(args.out))} "
            f"({error.strerror}) : donnez un dossier où vous pouvez écrire",
            file=sys.stderr,
        )
        return 2
    if result.replaced:
        print(
            f"atlas embed : remplace l'export précédent de {printable(str(result.out_dir))} "
            f"({len(result.removed)} fichier(s) de l'ancien export supprimé(s), "
            "les autres fichiers du dossier sont laissés tels quels)"
        )
    for key, n in result.features.items():
        print(f"  {key}: {n:,} features")
        if key in result.tiles:
            files, size = result.tiles[key]
            print(
                f"    vector tiles: {files:,} files, {size:,} bytes ({size / 1e6:.1f} MB) "
                f"in tiles/{key}/"
            )
    for key in result.missing:
        print(f"  {key}: not in the build, left out (atlas info says how to load it)")
    for notice in site.export_notices(result):
        print(f"  {notice}")
    if result.masked:
        print(f"  contact details masked in {result.masked} text field(s)")
    if feeds:
        print(f"  {len(feeds)} Atom feed(s) of accepted proposals in feeds/")
    print(f"wrote {len(result.files)} files, {result.size_bytes:,} bytes, to {result.out_dir}")
    return 0
