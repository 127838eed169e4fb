"""Read INSEE's *base comparateur de territoires* (edition of January 2022), by commune.

Source: INSEE, "base comparateur de territoires", edition of January 2022, Licence Ouverte
2.0 (attribution "INSEE" and the edition wherever a figure is shown). Census 2018 and 2013
(population, jobs, working population), establishments at 31 December 2018 (SIRENE),
disposable income and poverty 2019 (Filosofi). Geography: the communes of 1 January 2021
(COG 2021); :mod:`geodata.model.indicators` maps them to today's communes. The file is
``insee/comparateur_communes_2022.csv`` of the data directory (the snapshot in
``opendata/insee/``, see its README, or ``ATLAS_DATA_DIR``).

Codes are read as strings (``dtype=str``). An empty cell is a figure INSEE does not
publish (statistical secret, or not available): it stays missing (NaN), never 0. A cell
that is not a number ≥ 0 is reported (file, line, column, value) and read as missing; a
row whose ``CODGEO`` is not a commune code, or repeats an earlier one, is reported and not
used. Every row is used or reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from geodata import config
from geodata.checksum import file_digest
from geodata.problems import Problem
from geodata.sources.anct import LINE, read_header, record_lines

FILE = "comparateur_communes_2022.csv"
PRODUCER = "INSEE"
LICENCE = "Licence Ouverte 2.0"
DATASET = "INSEE, comparateur de territoires 2022"  # shown next to every figure
VINTAGE = (
    "édition de janvier 2022 : recensements 2018 et 2013, établissements 2018, "
    "revenus et pauvreté 2019 (communes du COG 2021)"
)
CODE = "CODGEO"
CODE_RE = re.compile(r"^(\d{2}|2[AB])\d{3}$")
# Source column -> atlas column (the figures read; any other column is ignored).
COLUMNS = {
    "P18_POP": "pop_2018",
    "P13_POP": "pop_2013",
    "P18_EMPLT": "emplois_2018",
    "P13_EMPLT": "emplois_2013",
    "P18_EMPLT_SAL": "emplois_sal_2018",
    "P18_POP1564": "pop1564_2018",
    "P18_ACT1564": "actifs1564_2018",
    "P18_CHOM1564": "chomeurs1564_2018",
    "ETTOT18": "etab_2018",
    "ETBE18": "etab_industrie_2018",
    "ETFZ18": "etab_construction_2018",
    "ETGU18": "etab_services_2018",
    "ETOQ18": "etab_admin_2018",
    "MED19": "revenu_median_2019",
    "TP6019": "taux_pauvrete_2019",
}


@dataclass
class Comparateur:
    """The commune file as read: one row per usable commune code, and what was not used.

    ``status`` is ``"loaded"`` or ``"not loaded"`` (no data directory or no file: the
    atlas then shows no INSEE figure, which is not an error).
    """

    path: Path | None
    status: str
    table: pd.DataFrame  # line, code, then the atlas columns of COLUMNS (float, NaN = missing)
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    sha256: str = ""

    def source(self) -> dict[str, str]:
        """Provenance for the build report (JSON-serialisable)."""
        return {
            "name": f"Comparateur de territoires ({FILE})",
            "version": self.sha256[:12],
            "vintage": VINTAGE,
            "producer": PRODUCER,
            "licence": LICENCE,
            "file": FILE,
            "edition": config.edition(self.path.parent) if self.path else "",
        }


def empty_table() -> pd.DataFrame:
    """Return an empty :attr:`Comparateur.table` (its columns, no row)."""
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in COLUMNS.values()})
    frame.insert(0, "code", pd.Series(dtype=str))
    frame.insert(0, LINE, pd.Series(dtype="int64"))
    return frame


def file_path(data_dir: Path | None) -> Path | None:
    """Return where the commune file is expected in a data directory (None: no directory)."""
    folder = config.source_dir(data_dir, "insee")
    return None if folder is None else folder / FILE


def file_sha256(data_dir: Path | None) -> str:
    """Return the commune file's checksum ("" when absent): the stage's cache key."""
    path = file_path(data_dir)
    return file_digest(path) if path is not None and path.is_file() else ""


def load(data_dir: Path | None) -> Comparateur:
    """Load the commune file from a data directory (``None`` or no file: not loaded)."""
    path = file_path(data_dir)
    if path is None or not path.is_file():
        return Comparateur(path, "not loaded", empty_table())
    table, rows, problems = read_comparateur(path)
    return Comparateur(path, "loaded", table, rows, problems, file_digest(path))


def read_comparateur(path: Path) -> tuple[pd.DataFrame, int, list[Problem]]:
    """Read and check the commune file.

    Returns
    -------
    (DataFrame, int, list of Problem)
        The rows used (``line``, ``code`` as a 5-character string, then one float column
        per entry of :data:`COLUMNS`, NaN when secret, missing or not a number), the
        number of data rows in the file, and the problems: ``bad code`` and ``duplicate``
        (errors, row not used), ``bad value`` (warning, the cell read as missing).

    Raises
    ------
    ValueError
        When the file is not UTF-8 or lacks ``CODGEO`` or one of :data:`COLUMNS`
        (naming the missing columns and those found).
    """
    try:
        header = read_header(path)
        missing = [c for c in (CODE, *COLUMNS) if c not in header]
        if missing:
            raise ValueError(
                f"{path}, ligne 1 (en-tête) : colonne(s) manquante(s) {missing} ; trouvées "
                f"{header}. Reprenez le fichier {FILE} de l'édition 2022 (voir son README)"
            )
        raw = pd.read_csv(
            path, dtype=str, keep_default_na=False, usecols=[CODE, *COLUMNS], encoding="utf-8-sig"
        )
        lines = record_lines(path)
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text ({exc}); save the file as UTF-8") from exc
    if len(lines) != len(raw):
        raise ValueError(
            f"{path}: {len(raw)} rows read but {len(lines)} records found; "
            "check the file's quoting (a quote left open?)"
        )
    raw.insert(0, LINE, lines)
    table, problems = _check(raw)
    return table, len(raw), problems


def _check(raw: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Split off bad codes and duplicates; convert the figures to floats (bad → NaN, reported)."""
    codes = raw[CODE].str.strip().str.upper()
    bad = ~codes.str.match(CODE_RE)
    dup = ~bad & codes.duplicated()
    problems = [
        Problem(
            FILE,
            int(line),
            code,
            CODE,
            code,
            "pas un code commune INSEE (5 caractères, comme 01001 ou 2A004)"
            if is_bad
            else "code déjà présent plus haut dans le fichier",
            "ligne non utilisée ; corrigez le code (COG 2021)",
            "error",
            "bad code" if is_bad else "duplicate",
        )
        for line, code, is_bad in zip(
            raw.loc[bad | dup, LINE], codes[bad | dup], bad[bad | dup], strict=True
        )
    ]
    kept = raw.loc[~(bad | dup)]
    out = pd.DataFrame({LINE: kept[LINE].astype("int64"), "code": codes[~(bad | dup)]})
    for src, dst in COLUMNS.items():
        text = kept[src].str.strip().str.replace(",", ".", regex=False)
        values = pd.to_numeric(text, errors="coerce")
        wrong = (text != "") & (values.isna() | (values < 0) | ~np.isfinite(values.fillna(0)))
        for line, code, value in zip(
            kept.loc[wrong, LINE], out.loc[wrong, "code"], kept.loc[wrong, src], strict=True
        ):
            problems.append(
                Problem(
                    FILE,
                    int(line),
                    code,
                    src,
                    value,
                    "pas un nombre positif ou nul",
                    "valeur lue comme manquante ; corrigez la cellule",
                    "warning",
                    "bad value",
                )
            )
        out[dst] = values.where(~wrong).astype("float64")
    return out.reset_index(drop=True), problems
