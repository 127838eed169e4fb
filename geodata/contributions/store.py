"""Proposals, their history and decisions, moderators, sessions and rate limits.

Every write is one transaction (:meth:`geodata.contributions.db.Database.transaction`).
Nothing is lost or doubled under concurrency:

- a proposal has a unique ``dedup_key`` (folded name + place + source): concurrent or
  repeated submissions of the same cooperation store it once (``ON CONFLICT DO NOTHING``)
  and the later ones are told "déjà proposée" with the first one's reference;
- a proposal has a ``version``: an edit or a decision names the version its author saw and
  is applied only if it is still current (``UPDATE … WHERE version = ?``); otherwise
  :class:`Stale` says who changed it and when ("rechargez").

The contact e-mail lives in ``contacts``, apart from the public ``data``; it is read only
by :meth:`Store.contact` (the moderation page) and deleted when a decision is made.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from geodata.contributions import migrations
from geodata.contributions.db import Database, Tx
from geodata.dates import format_datetime_fr
from geodata.text import fold_words
from geodata.vocab import ID_TI, INSEE_COM, PAYS_ID, SIREN_EPCI

PENDING, ACCEPTED, RETURNED = "pending", "accepted", "returned"
STATUS_FR = {PENDING: "en attente", ACCEPTED: "acceptée", RETURNED: "renvoyée"}
ROLES = ("moderator", "admin")
SESSION_HOURS = 8
LOGIN_WINDOW_MIN, LOGIN_MAX_FAILURES = 15, 5
_REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on the phone
_MIGRATED: set[Database] = set()


class Stale(Exception):
    """An edit or decision based on a version someone else changed meanwhile."""


class NotFound(LookupError):
    """No proposal with this id or reference."""


class LoginRefused(Exception):
    """Wrong name or password, or too many failed attempts (French message)."""


@dataclass(frozen=True)
class Proposal:
    """One proposal as stored (``data``: its public case-table fields)."""

    id: int
    reference: str
    status: str
    version: int
    data: dict = field(hash=False)
    origin: str
    reason: str | None
    created_at: str
    updated_at: str
    updated_by: str
    decided_at: str | None
    decided_by: str | None

    @property
    def name(self) -> str:
        """The proposal's name (the case's title)."""
        return str(self.data.get("name", ""))


def now() -> dt.datetime:
    """Return the current time, UTC, to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def stamp(moment: dt.datetime | None = None) -> str:
    """ISO 8601 UTC text: sorts as it compares, the same in SQLite and PostgreSQL."""
    return (moment or now()).isoformat()


def place_key(data: dict) -> str:
    """Where a proposal is: its point (to about 100 m), else its commune, EPCI, TI or Pays."""
    lat, lon = str(data.get("lat", "")).strip(), str(data.get("lon", "")).strip()
    if lat and lon:
        try:
            return f"pt:{float(lat.replace(',', '.')):.3f},{float(lon.replace(',', '.')):.3f}"
        except ValueError:
            pass
    for col in (INSEE_COM, SIREN_EPCI, ID_TI, PAYS_ID):
        if str(data.get(col, "")).strip():
            return f"{col}:{str(data[col]).strip().lower()}"
    return ""


def dedup_key(data: dict) -> str:
    """Digest of the folded name, the place and the source: the same cooperation twice."""
    parts = (
        fold_words(data.get("name", "")),
        place_key(data),
        fold_words(data.get("source_file", "")),
    )
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class Store:
    """The contributions database (migrated on first use in each process)."""

    def __init__(self, db: Database | None = None) -> None:
        self.db = db or Database.from_url()
        if self.db not in _MIGRATED:
            migrations.migrate(self.db)
            _MIGRATED.add(self.db)

    # ------------------------------------------------------------------ proposals

    def submit(
        self, rows: Iterable[tuple[dict, str | None]], origin: str, by: str
    ) -> list[tuple[Proposal, bool]]:
        """Store proposals (public data, private contact); return each with ``created``.

        ``created`` is False when the same cooperation (:func:`dedup_key`) was already
        proposed: the existing proposal is returned and nothing is written for it.
        """
        out = []
        with self.db.transaction() as tx:
            for data, contact in rows:
                out.append(self._insert(tx, data, contact, origin, by))
        return out

    def _insert(
        self, tx: Tx, data: dict, contact: str | None, origin: str, by: str
    ) -> tuple[Proposal, bool]:
        at, key = stamp(), dedup_key(data)
        payload = json.dumps(data, ensure_ascii=False, sort_keys=True)
        row = tx.one(
            "INSERT INTO proposals (reference, dedup_key, place_key, status, version, data,"
            " origin, created_at, updated_at, updated_by) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?)"
            " ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
            (_reference(), key, place_key(data), PENDING, payload, origin, at, at, by),
        )
        if row is None:
            return _proposal(tx.one("SELECT * FROM proposals WHERE dedup_key = ?", (key,))), False
        if contact:
            tx.execute(
                "INSERT INTO contacts (proposal_id, email) VALUES (?, ?)", (row["id"], contact)
            )
        self._log(tx, row["id"], 1, at, by, "proposée", payload)
        return _proposal(tx.one("SELECT * FROM proposals WHERE id = ?", (row["id"],))), True

    def get(self, pid: int) -> Proposal:
        """Return proposal ``pid``; :class:`NotFound` if there is none."""
        rows = self.db.read("SELECT * FROM proposals WHERE id = ?", (int(pid),))
        if not rows:
            raise NotFound(f"aucune proposition n° {pid}")
        return _proposal(rows[0])

    def by_reference(self, reference: str) -> Proposal | None:
        """Return the proposal of a reference number (as given to its proposer), or None."""
        rows = self.db.read(
            "SELECT * FROM proposals WHERE reference = ?", (reference.strip().upper(),)
        )
        return _proposal(rows[0]) if rows else None

    def proposals(self, status: str | None = None) -> list[Proposal]:
        """Every proposal (or those of one status), oldest first."""
        if status:
            rows = self.db.read("SELECT * FROM proposals WHERE status = ? ORDER BY id", (status,))
        else:
            rows = self.db.read("SELECT * FROM proposals ORDER BY id")
        return [_proposal(r) for r in rows]

    def similar(self, data: dict, cutoff: float = 0.75) -> list[Proposal]:
        """Proposals at the same place whose name is close to ``data``'s ("vouliez-vous dire")."""
        key = place_key(data)
        if not key:
            return []
        wanted = fold_words(data.get("name", ""))
        rows = self.db.read(
            "SELECT * FROM proposals WHERE place_key = ? AND status <> ? ORDER BY id",
            (key, RETURNED),
        )
        found = [_proposal(r) for r in rows]
        return [
            p
            for p in found
            if difflib.SequenceMatcher(None, wanted, fold_words(p.name)).ratio() >= cutoff
        ]

    def contact(self, pid: int) -> str | None:
        """Return the private contact e-mail (moderation only); None once decided."""
        rows = self.db.read("SELECT email FROM contacts WHERE proposal_id = ?", (int(pid),))
        return rows[0]["email"] if rows else None

    def history(self, pid: int) -> list[dict]:
        """Every change of a proposal: version, when, who, what, and the data it left."""
        rows = self.db.read(
            "SELECT version, at, by_name, action, data, note FROM history"
            " WHERE proposal_id = ? ORDER BY id",
            (int(pid),),
        )
        return [{**r, "data": json.loads(r["data"])} for r in rows]

    def edit(self, pid: int, by: str, seen_version: int, data: dict) -> Proposal:
        """Replace a pending proposal's data; :class:`Stale` if changed since ``seen_version``."""
        return self._change(pid, by, seen_version, "modifiée", data=data)

    def accept(self, pid: int, by: str, seen_version: int, data: dict | None = None) -> Proposal:
        """Accept a pending proposal (with ``data`` when edited first); erase its contact."""
        return self._change(pid, by, seen_version, "acceptée", status=ACCEPTED, data=data)

    def send_back(self, pid: int, by: str, seen_version: int, reason: str) -> Proposal:
        """Return a pending proposal to its proposer with a reason; erase its contact."""
        if not reason.strip():
            raise ValueError("un motif est nécessaire pour renvoyer une proposition")
        return self._change(pid, by, seen_version, "renvoyée", status=RETURNED, reason=reason)

    def _change(
        self,
        pid: int,
        by: str,
        seen: int,
        action: str,
        *,
        status: str | None = None,
        data: dict | None = None,
        reason: str | None = None,
    ) -> Proposal:
        at = stamp()
        with self.db.transaction() as tx:
            current = tx.one("SELECT * FROM proposals WHERE id = ?", (int(pid),))
            if current is None:
                raise NotFound(f"aucune proposition n° {pid}")
            payload = (
                current["data"]
                if data is None
                else json.dumps(data, ensure_ascii=False, sort_keys=True)
            )
            decided = status is not None
            changed = tx.execute(
                "UPDATE proposals SET version = version + 1, status = ?, data = ?, reason = ?,"
                " updated_at = ?, updated_by = ?, decided_at = ?, decided_by = ?"
                " WHERE id = ? AND version = ? AND status = ?",
                (
                    status or PENDING,
                    payload,
                    reason,
                    at,
                    by,
                    at if decided else None,
                    by if decided else None,
                    int(pid),
                    int(seen),
                    PENDING,
                ),
            )
            if changed != 1:
                raise Stale(_stale_message(_proposal(current), int(seen)))
            if decided:
                tx.execute("DELETE FROM contacts WHERE proposal_id = ?", (int(pid),))
                tx.execute("UPDATE revision SET value = value + 1 WHERE id = 1")
            self._log(tx, int(pid), int(seen) + 1, at, by, action, payload, reason)
            return _proposal(tx.one("SELECT * FROM proposals WHERE id = ?", (int(pid),)))

    @staticmethod
    def _log(
        tx: Tx, pid: int, version: int, at: str, by: str, action: str, data: str, note=None
    ) -> None:
        tx.execute(
            "INSERT INTO history (proposal_id, version, at, by_name, action, data, note)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (pid, version, at, by, action, data, note),
        )

    def revision(self) -> int:
        """Return a number that changes at each decision (cheap: one row)."""
        rows = self.db.read("SELECT value FROM revision WHERE id = 1")
        return int(rows[0]["value"]) if rows else 0

    # ------------------------------------------------------------------ abuse

    def hit(self, bucket: str, limit: int, window_s: int) -> bool:
        """Count one event in ``bucket``; return False when over ``limit`` in this window."""
        slot = int(time.time() // window_s)
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM rate_counters WHERE bucket = ? AND slot < ?", (bucket, slot))
            row = tx.one(
                "INSERT INTO rate_counters (bucket, slot, hits) VALUES (?, ?, 1)"
                " ON CONFLICT (bucket, slot) DO UPDATE SET hits = rate_counters.hits + 1"
                " RETURNING hits",
                (bucket, slot),
            )
        return int(row["hits"]) <= limit

    # ------------------------------------------------------------------ moderators

    def add_moderator(self, name: str, password: str, role: str = "moderator") -> None:
        """Create a moderator, or replace the password and role of an existing one."""
        from argon2 import PasswordHasher

        if role not in ROLES:
            raise ValueError(f"rôle « {role} » inconnu ; attendu : {' ou '.join(ROLES)}")
        if not name.strip() or len(name) > 80:
            raise ValueError("un nom de modérateur non vide, d'au plus 80 caractères")
        if len(password) < 10:
            raise ValueError("un mot de passe d'au moins 10 caractères")
        digest = PasswordHasher().hash(password)
        with self.db.transaction() as tx:
            tx.execute(
                "INSERT INTO moderators (name, password_hash, role, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash,"
                " role = excluded.role",
                (name.strip(), digest, role, stamp()),
            )

    def login(self, name: str, password: str) -> str:
        """Check a moderator's password; return a new session token (valid 8 h).

        Raises
        ------
        LoginRefused
            Wrong name or password (the same message for both), or more than
            :data:`LOGIN_MAX_FAILURES` failures for this name in :data:`LOGIN_WINDOW_MIN` min.
        """
        from argon2 import PasswordHasher
        from argon2.exceptions import VerificationError

        since = stamp(now() - dt.timedelta(minutes=LOGIN_WINDOW_MIN))
        with self.db.transaction() as tx:
            failures = tx.one(
                "SELECT COUNT(*) AS n FROM login_failures WHERE name = ? AND at > ?", (name, since)
            )["n"]
            if failures >= LOGIN_MAX_FAILURES:
                raise LoginRefused(
                    "Trop d'essais manqués pour ce nom : "
                    f"réessayez dans {LOGIN_WINDOW_MIN} minutes."
                )
            row = tx.one("SELECT password_hash FROM moderators WHERE name = ?", (name,))
        try:
            # an unknown name is checked against a dummy hash: same time, same answer
            PasswordHasher().verify(row["password_hash"] if row else _dummy_hash(), password)
            ok = row is not None
        except VerificationError:
            ok = False
        with self.db.transaction() as tx:
            if not ok:
                tx.execute("INSERT INTO login_failures (name, at) VALUES (?, ?)", (name, stamp()))
                raise_after = True
            else:
                raise_after = False
                token = secrets.token_urlsafe(32)
                tx.execute("DELETE FROM login_failures WHERE name = ?", (name,))
                tx.execute("DELETE FROM sessions WHERE expires_at < ?", (stamp(),))
                tx.execute(
                    "INSERT INTO sessions (token_hash, moderator, expires_at) VALUES (?, ?, ?)",
                    (_digest(token), name, stamp(now() + dt.timedelta(hours=SESSION_HOURS))),
                )
        if raise_after:
            raise LoginRefused("Nom ou mot de passe incorrect.")
        return token

    def session(self, token: str | None) -> tuple[str, str] | None:
        """Return ``(name, role)`` of a valid session token, None when unknown or expired."""
        if not token:
            return None
        rows = self.db.read(
            "SELECT m.name, m.role FROM sessions s JOIN moderators m ON m.name = s.moderator"
            " WHERE s.token_hash = ? AND s.expires_at > ?",
            (_digest(token), stamp()),
        )
        return (rows[0]["name"], rows[0]["role"]) if rows else None

    def logout(self, token: str) -> None:
        """End a session."""
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM sessions WHERE token_hash = ?", (_digest(token),))


def _proposal(row: dict) -> Proposal:
    values = {k: row[k] for k in Proposal.__dataclass_fields__ if k != "data"}
    return Proposal(data=json.loads(row["data"]), **values)


def _reference() -> str:
    code = "".join(secrets.choice(_REF_ALPHABET) for _ in range(8))
    return f"CT-{code[:4]}-{code[4:]}"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_DUMMY: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY:
        from argon2 import PasswordHasher

        _DUMMY.append(PasswordHasher().hash(secrets.token_hex(16)))
    return _DUMMY[0]


def _stale_message(current: Proposal, seen: int) -> str:
    when = format_datetime_fr(current.updated_at)
    if current.version != seen:
        return (
            f"La proposition n° {current.id} a été modifiée par {current.updated_by} le {when} "
            f"(version {current.version}, vous aviez la version {seen}) : rechargez-la."
        )
    return (
        f"La proposition n° {current.id} est déjà {STATUS_FR.get(current.status, current.status)}"
        f" ({current.updated_by}, le {when}) : rechargez-la."
    )
