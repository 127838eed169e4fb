"""Connections to the contributions database: SQLite (embedded default) or PostgreSQL.

``ATLAS_DB`` names the database: a file path or ``sqlite:///path`` (SQLite, WAL journal,
a busy timeout so concurrent writers wait instead of failing) or ``postgresql://…``
(psycopg 3, for a shared deployment). Unset: ``<build dir>/contributions.sqlite3``
(:func:`geodata.config.build_dir`). The SQL of :mod:`geodata.contributions.store` is
written once with ``?`` placeholders; :class:`Database` turns them into ``%s`` for
PostgreSQL (the one dialect difference besides the id column of the migrations).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from geodata import config

DEFAULT_FILE = "contributions.sqlite3"
BUSY_TIMEOUT_MS = 30_000


def database_url() -> str:
    """Return ``$ATLAS_DB``, else the SQLite file under the build directory."""
    value = os.environ.get("ATLAS_DB", "").strip()
    return value or str(config.build_dir() / DEFAULT_FILE)


@dataclass(frozen=True)
class Database:
    """One database: its dialect (``sqlite`` or ``postgresql``) and where it is."""

    dialect: str
    target: str  # a file path (SQLite) or a connection URL (PostgreSQL)

    @classmethod
    def from_url(cls, url: str | None = None) -> Database:
        """Parse ``url`` (default :func:`database_url`).

        Raises
        ------
        ValueError
            For an URL scheme that is neither SQLite nor PostgreSQL (names the fix).
        """
        url = url or database_url()
        if url.startswith(("postgresql://", "postgres://")):
            return cls("postgresql", url)
        if url.startswith("sqlite:///"):
            return cls("sqlite", url.removeprefix("sqlite:///") or DEFAULT_FILE)
        if "://" in url:
            raise ValueError(
                f"ATLAS_DB={url.split('://')[0]}://… : base non prise en charge ; "
                "attendu : un chemin de fichier, sqlite:///chemin ou postgresql://…"
            )
        return cls("sqlite", url)

    def label(self) -> str:
        """Where the data is, without a password (for messages)."""
        if self.dialect == "sqlite":
            return f"SQLite {self.target}"
        from psycopg.conninfo import conninfo_to_dict

        info = conninfo_to_dict(self.target)
        return f"PostgreSQL {info.get('host', '')}:{info.get('port', '')}/{info.get('dbname', '')}"

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """Run a write transaction; commit at the end, roll back on an exception.

        SQLite: ``BEGIN IMMEDIATE`` takes the write lock at once (concurrent writers wait
        up to the busy timeout, none fails half-way); PostgreSQL: READ COMMITTED, the
        statements of :mod:`store` being written to be safe there (conditional updates,
        ``ON CONFLICT``).
        """
        if self.dialect == "sqlite":
            Path(self.target).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                self.target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
            )
            try:
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA foreign_keys = ON")
                conn.execute("PRAGMA secure_delete = ON")  # an erased contact is overwritten
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield Tx(conn, self.dialect)
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            finally:
                conn.close()
            return
        import psycopg

        with psycopg.connect(self.target) as conn:  # commits on success, rolls back on error
            yield Tx(conn, self.dialect)

    def read(self, sql: str, params: Sequence = ()) -> list[dict]:
        """Run one query outside a write lock; return its rows as dicts."""
        if self.dialect == "sqlite":
            if not Path(self.target).exists():
                return []
            conn = sqlite3.connect(self.target, timeout=BUSY_TIMEOUT_MS / 1000)
            try:
                return Tx(conn, self.dialect).all(sql, params)
            finally:
                conn.close()
        with self.transaction() as tx:
            return tx.all(sql, params)


class Tx:
    """A connection inside a transaction: ``?`` placeholders, rows as dicts."""

    def __init__(self, conn: object, dialect: str) -> None:
        self.conn, self.dialect = conn, dialect

    def execute(self, sql: str, params: Sequence = ()) -> int:
        """Run one statement; return the number of rows it changed."""
        cur = self._run(sql, params)
        return cur.rowcount

    def all(self, sql: str, params: Sequence = ()) -> list[dict]:
        """Run a query; return every row as a dict."""
        cur = self._run(sql, params)
        names = [d[0] for d in cur.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def one(self, sql: str, params: Sequence = ()) -> dict | None:
        """Run a query; return its first row as a dict, or None."""
        rows = self.all(sql, params)
        return rows[0] if rows else None

    def _run(self, sql: str, params: Sequence) -> object:
        if self.dialect == "sqlite":
            return self.conn.execute(sql, tuple(params))
        return self.conn.execute(sql.replace("?", "%s"), tuple(params) or None)
