"""Copies of a build for tests that change it (the session's real build stays read-only)."""

from __future__ import annotations

import shutil
from pathlib import Path


def copy_build(build: Path, dest: Path) -> Path:
    """Copy the whole of ``build`` (every stage up to date) to ``dest``; return ``dest``.

    Left out: the build's lock, temporary files and the contributions database (a copy
    starts without the session's proposals).
    """
    shutil.copytree(build, dest, ignore=shutil.ignore_patterns(".lock", "*.tmp", "*.sqlite3*"))
    return dest
