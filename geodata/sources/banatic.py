"""Read the BANATIC extracts (DGCL): every grouping with its legal nature, and memberships.

Source: Direction générale des collectivités locales (DGCL), BANATIC, Licence Ouverte 2.0
(attribution "DGCL, BANATIC" and the date of the extract). Two tidy CSV files (UTF-8,
comma) in the ``banatic/`` folder of the data directory (see ``opendata/banatic/README.md``):

- ``groupements_<year>.csv``: ``siren, libelle, region_code, departement_code, nature,
  population``, one row per grouping (the snapshot: list of 1 January 2022, 124 PETR);
- ``adhesions_<year>.csv``: ``siren_groupement, siren_membre``, one row per membership
  (the snapshot: export of 2025).

How to read a membership row: ``siren_groupement`` is the grouping that *adheres* and
``siren_membre`` the grouping it adheres *to* (the reference repository's import reads the
columns as ``groupementSiren, adhesionSiren``). Hence an EPCI member of a PETR is a row
``siren_groupement = <EPCI>, siren_membre = <PETR>``; the file has no commune members.
``atlas fetch --only banatic`` writes the current export in the same layout, the year of
the download in the file names. The year in a file name is its vintage; when several are
present, the most recent is read.

Codes are read as strings; each row keeps the line of the file where it starts (header =
line 1). A row whose SIREN is not 9 digits is not used and is returned as a problem.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geodata import config
from geodata.checksum import file_digest
from geodata.problems import Problem
from geodata.report import Source

PRODUCER = "DGCL, BANATIC"
LICENCE = "Licence Ouverte 2.0"
FOLDER = "banatic"
LINE = "line"
GROUPEMENTS = "groupements"
ADHESIONS = "adhesions"
COLUMNS = {
    GROUPEMENTS: ("siren", "libelle", "region_code", "departement_code", "nature", "population"),
    ADHESIONS: ("siren_groupement", "siren_membre"),
}
SIREN_COLUMNS = {GROUPEMENTS: ("siren",), ADHESIONS: ("siren_groupement", "siren_membre")}
_NAME = re.compile(r"(groupements|adhesions)_(\d{4})\.csv")
_SIREN = re.compile(r"\d{9}")


@dataclass(frozen=True)
class BanaticFiles:
    """The two BANATIC files of a data directory, with the year of each (its vintage)."""

    groupements: Path
    adhesions: Path

    @property
    def list_year(self) -> str:
        """Vintage of the list of groupings (the year in its file name)."""
        return _year(self.groupements)

    @property
    def members_year(self) -> str:
        """Vintage of the memberships (the year in its file name)."""
        return _year(self.adhesions)


def _year(path: Path) -> str:
    match = _NAME.fullmatch(path.name)
    return match.group(2) if match else ""


def find_files(data_dir: Path | None) -> BanaticFiles | None:
    """Return the most recent ``groupements_<year>.csv`` and ``adhesions_<year>.csv``.

    Looks in ``banatic/`` of ``data_dir`` (:func:`geodata.config.source_dir`); ``None``
    when there is no data directory or either file is missing.
    """
    folder = config.source_dir(data_dir, FOLDER)
    if folder is None or not folder.is_dir():
        return None
    found: dict[str, list[Path]] = {GROUPEMENTS: [], ADHESIONS: []}
    for path in folder.iterdir():
        match = _NAME.fullmatch(path.name)
        if match and path.is_file():
            found[match.group(1)].append(path)
    if not found[GROUPEMENTS] or not found[ADHESIONS]:
        return None
    return BanaticFiles(max(found[GROUPEMENTS], key=_year), max(found[ADHESIONS], key=_year))


def read_file(path: Path, kind: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Read one BANATIC file (``kind`` ``"groupements"`` or ``"adhesions"``).

    Parameters
    ----------
    path : Path
        The tidy CSV.
    kind : str
        Which of the two files it is (decides the expected columns).

    Returns
    -------
    (DataFrame, list of Problem)
        The columns of :data:`COLUMNS` as strings plus ``line`` (where the row starts),
        rows with a valid SIREN only; and one problem per row not used (bad SIREN).

    Raises
    ------
    ValueError
        Naming the file, the missing column(s), those found and the fix.

    """
    header, rows = _read_rows(path)
    missing = [c for c in COLUMNS[kind] if c not in header]
    if missing:
        raise ValueError(
            f"{path.name}: missing column(s) {missing}; columns found: {header}. Expected the "
            f"tidy BANATIC layout ({', '.join(COLUMNS[kind])}): see opendata/banatic/README.md, "
            "or run atlas fetch --only banatic again"
        )
    table = pd.DataFrame(
        [dict(zip(header, values, strict=False)) | {LINE: line} for line, values in rows],
        columns=[*header, LINE],
    ).fillna("")
    table = table[[*COLUMNS[kind], LINE]]
    for col in COLUMNS[kind]:
        table[col] = table[col].astype(str).str.strip()
    return _drop_bad_sirens(table, path.name, kind)


def _read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and rows of a CSV, each row with the line where its record starts."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = [h.strip() for h in next(reader, [])]
        rows, start = [], reader.line_num + 1
        for values in reader:
            if any(v.strip() for v in values):
                rows.append((start, values))
            start = reader.line_num + 1
    return header, rows


def _drop_bad_sirens(
    table: pd.DataFrame, file: str, kind: str
) -> tuple[pd.DataFrame, list[Problem]]:
    bad = pd.Series(False, index=table.index)
    problems = []
    for col in SIREN_COLUMNS[kind]:
        wrong = ~table[col].str.fullmatch(_SIREN) & ~bad
        problems += [
            Problem(
                file,
                int(r[LINE]),
                r[col],
                col,
                r[col],
                "pas un numéro SIREN à 9 chiffres : ligne non utilisée",
                "écrire le numéro SIREN du groupement (9 chiffres, par exemple 200042083)",
                kind="bad code",
            )
            for _, r in table[wrong].iterrows()
        ]
        bad |= wrong
    return table[~bad].reset_index(drop=True), problems


def sources(files: BanaticFiles) -> list[Source]:
    """Return the provenance of the two files (checksum, vintage, producer, licence, edition).

    The edition is ``"snapshot"`` (``opendata/`` of the repository), ``"fetched"`` (a folder
    written by ``atlas fetch``) or ``"dir"`` (a user's folder).
    """
    edition = config.edition(files.groupements.parent)
    return [
        Source(
            f"BANATIC — liste des groupements {files.list_year}",
            file_digest(files.groupements)[:12],
            f"liste des groupements au 1er janvier {files.list_year}",
            PRODUCER,
            LICENCE,
            file=files.groupements.name,
            edition=edition,
        ),
        Source(
            f"BANATIC — adhésions {files.members_year}",
            file_digest(files.adhesions)[:12],
            f"adhésions des groupements, export {files.members_year}",
            PRODUCER,
            LICENCE,
            file=files.adhesions.name,
            edition=edition,
        ),
    ]
