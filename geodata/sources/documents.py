"""The five source documents of the case studies, by title, publisher and date.

``geodata/data/documents.csv`` is curated by hand from the documents themselves
(``/work/shared/seeds/README.md``): one row per plain-text file (``source_file``, as the
case table names it), with the document's ``title``, ``publisher`` and a French
``date_label`` — the date printed in the document or, where none is, inferred from its
content ("vers 2017"). A reader is shown these, never the file name.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd

from geodata import config

TABLE = "documents.csv"
COLUMNS = ["source_file", "title", "publisher", "date_label"]
UNKNOWN = "document source non référencé"


def read_documents(path: Path | None = None) -> pd.DataFrame:
    """Read the document table, indexed by ``source_file``.

    The curated table (no ``path``) is read once per process and shared: treat it as
    read-only (page reruns and briefings then cost no file read).

    Raises
    ------
    ValueError
        Naming the file, the missing columns and those found, or a file listed twice.

    """
    return _read(path) if path is not None else _curated()


@functools.cache
def _curated() -> pd.DataFrame:
    return _read(config.curated_dir() / TABLE)


def _read(path: Path) -> pd.DataFrame:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}; found {list(table.columns)}")
    twice = sorted(set(table.loc[table["source_file"].duplicated(), "source_file"]))
    if twice:
        raise ValueError(f"{path}: source_file listed more than once: {twice}")
    return table[COLUMNS].set_index("source_file")


def document_label(source_file: object, documents: pd.DataFrame | None = None) -> str:
    """Name a document for a reader: ``Title, publisher, date`` (never its file name).

    Parameters
    ----------
    source_file
        The case table's ``source_file`` cell (may be empty or NaN).
    documents
        :func:`read_documents` (read here when not given).

    Returns
    -------
    str
        ``""`` for an empty cell; a French placeholder for a file the table lacks.

    """
    if source_file is None or pd.isna(source_file) or not str(source_file).strip():
        return ""
    documents = read_documents() if documents is None else documents
    if str(source_file) not in documents.index:
        return UNKNOWN
    doc = documents.loc[str(source_file)]
    return ", ".join(part for part in (doc["title"], doc["publisher"], doc["date_label"]) if part)
