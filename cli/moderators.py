"""``atlas moderators add NAME [--role moderator|admin]``: who may log in to *Modération*.

The password is read without echo (``getpass``) and asked twice; when the standard input
is not a terminal (a script, a test), it is read from its first line instead. It is
stored as an argon2id hash (``argon2-cffi``), never in clear. Running ``add`` again for an
existing name replaces its password and role.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from cli.terminal import printable
from geodata.contributions.store import ROLES, Store


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``atlas moderators add NAME [--role moderator|admin]``."""
    p = subparsers.add_parser("moderators", help="create the moderators of the proposals")
    sub = p.add_subparsers(dest="action", required=True)
    add = sub.add_parser("add", help="create a moderator (password read without echo)")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", choices=ROLES, default="moderator")
    add.set_defaults(func=run_add)
    return p


def read_password() -> str:
    """Read the password: twice without echo on a terminal, else the first line of stdin."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Mot de passe : ")
    if getpass.getpass("Mot de passe (encore) : ") != first:
        raise ValueError("les deux mots de passe diffèrent")
    return first


def run_add(args: argparse.Namespace) -> int:
    """Create or update a moderator; exit 2 on a refused name, role or password."""
    try:
        Store().add_moderator(args.name, read_password(), args.role)
    except ValueError as error:
        print(f"atlas moderators : {printable(error)}", file=sys.stderr)
        return 2
    print(printable(f"modérateur « {args.name} » enregistré (rôle {args.role})"))
    return 0
