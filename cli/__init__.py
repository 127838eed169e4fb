"""The ``atlas`` command line: one module per command, assembled here.

``build``, ``check``, ``fetch``, ``info`` (the data), ``briefing`` (documents per
territory), ``embed`` (a static site of the map), ``contributions`` and ``moderators``
(proposals of cooperations and who reviews them). Each module of this package has
``add_parser(subparsers)``, which registers its command, and ``run(args)``; ``terminal``
is the one helper module (data-derived text printed with its control characters escaped).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from cli import briefing, build, check, contributions, embed, fetch, info, moderators

# in the order of ``atlas --help``
COMMANDS = (build, check, fetch, briefing, embed, info, contributions, moderators)


def parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``atlas`` command."""
    p = argparse.ArgumentParser(prog="atlas", description="Atlas des coopérations territoriales")
    sub = p.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``atlas`` command; return its exit code."""
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
