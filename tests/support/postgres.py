"""A throwaway PostgreSQL server for the tests: ``initdb`` into a temporary folder, then start.

Debian's ``postgresql`` package provides the binaries (``/usr/lib/postgresql/<v>/bin``;
``.ci/run`` and ``make test`` install it when missing). The server listens on 127.0.0.1
on a free port and on a socket in its own folder, runs as ``postgres`` when the tests run
as root (PostgreSQL refuses root), without fsync (a test server), and is stopped and
removed at the end. Each test gets a fresh database (:func:`new_database`).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.browser import free_port


def bindir() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl`` (Debian's newest), or None when missing."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    return Path(versions[-1]).parent if versions else None


def _version(path: str) -> float:
    try:
        return float(Path(path).parts[-3])
    except ValueError:
        return 0.0


@contextmanager
def throwaway_server() -> Iterator[str]:
    """Start a PostgreSQL server in a temporary folder; yield its admin URL; remove it after."""
    bins = bindir()
    if bins is None:
        raise RuntimeError("PostgreSQL is not installed: apt-get install -y postgresql")
    folder = Path(tempfile.mkdtemp(prefix="atlas-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(folder, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", free_port()
    run = lambda *cmd: subprocess.run(  # noqa: E731
        [*as_user, *cmd], check=True, capture_output=True, text=True
    )
    run(str(bins / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-N")
    options = f"-k {folder} -h 127.0.0.1 -p {port} -F -c max_connections=60"
    run(
        str(bins / "pg_ctl"),
        "-D",
        str(data),
        "-o",
        options,
        "-l",
        str(folder / "log"),
        "-w",
        "start",
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*as_user, str(bins / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


def new_database(admin_url: str) -> str:
    """Create an empty database on the server; return its URL."""
    import psycopg

    name = f"atlas_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A PostgreSQL server for the session (``$ATLAS_TEST_PG`` when set); yields its URL."""
    given = os.environ.get("ATLAS_TEST_PG", "").strip()
    if given:
        yield given
        return
    with throwaway_server() as url:
        yield url
