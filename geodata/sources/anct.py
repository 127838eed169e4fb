"""Read the official ANCT programme lists (tidy CSV) from a data directory.

Source: Agence nationale de la cohésion des territoires (ANCT), lists published under the
Licence Ouverte 2.0 (Etalab): attribution "ANCT" and the date of the list wherever they
are shown. The reference copies (``/work/shared/data/anct``, see its README) were taken
from ANCT's open cartography repositories and flattened to one row per member; ``atlas
fetch --dest DIR`` writes the current editions under the same file names. Vintages of the
reference copies:

- Action cœur de ville, first phase (2018): list of 5 September 2024 (``acv.csv``);
  second phase (2023): ``acv2.csv``;
- Petites villes de demain: list of 7 August 2024 (``pvd.csv``);
- Territoires d'industrie 2023-2027: lists of 4 July 2024 (``ti_groupements.csv``);
  first phase 2018-2022 (``ti_2019_groupements.csv``);
- Fabriques de territoire: January 2024; Manufactures de proximité: first wave, 2022;
- France services, Villages d'avenir, Fabriques prospectives: lists of 2024;
- CGET "Mission coworking" census of tiers-lieux, 2019 (``tiers_lieux_2019.csv``).

Only the columns a list's spec names are ever read (an allow-list): contact columns
(e-mail, phone, person names) never enter the atlas, even when a file carries them.
Inside the columns read, an e-mail address or a phone number (one Fabrique's name carries
one) is replaced by "[coordonnées masquées]" as the list is read, so that no surface (map,
briefing, exports, static site) can show it.
Codes are read as strings (``dtype=str, keep_default_na=False``). Each row keeps the line
of the file where its record starts (header = line 1), for reporting.

Ids (each spec's ``id_col``) end up in file names (``fiche-ti-8408.pdf``), URLs and HTML
attributes: a row whose id is not a slug (:data:`geodata.vocab.ID_PATTERN`, at most
:data:`geodata.vocab.ID_MAX_LENGTH` characters) is reported and not used
(:func:`check_ids`). The commune lists' ids may be upper case (``pvd-94-2A-1``: Corsica's
département codes) and may name several ids (``fs-703; fs-2907``: one site, two entries).
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geodata import config
from geodata.checksum import file_digest
from geodata.problems import Problem
from geodata.text import mask_contacts
from geodata.vocab import ID_MAX_LENGTH, ID_PATTERN, LIST_SEP, programme_of_list

LICENCE = "Licence Ouverte 2.0"
PUBLISHER = "ANCT"
LINE = "line"  # column holding the line where each record starts (header = line 1)
# Codes and coordinates: never masked (a latitude's decimals can look like a phone number);
# the census's WEB column is checked by geodata.model.tierslieux (an e-mail there is dropped
# and reported).
NUMERIC_COLUMNS = ("insee_com", "siren_groupement", "CP", "INSEECOM", "LAT", "LONG", "WEB")


@dataclass(frozen=True)
class ListSpec:
    """One ANCT list: its file, the columns read and what it is.

    ``kind`` is ``"communes"`` (one row per commune-based site, code in ``insee_com``),
    ``"groupements"`` (one row per member grouping of a territory, ``siren_groupement``)
    or ``"census"`` (the 2019 tiers-lieux census, own coordinates).
    """

    name: str
    file: str
    programme: str  # French label shown in the interface
    vintage: str
    kind: str
    code_col: str  # the member's code: INSEE commune code or SIREN
    id_col: str
    label_col: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    phase: str = ""
    producer: str = PUBLISHER
    licence: str = LICENCE

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column read from the file (required, then optional)."""
        return (*self.required, *self.optional)


def _commune_list(
    name: str, file: str, vintage: str, ident: str, label: str, optional: tuple[str, ...] = ()
) -> ListSpec:
    """Declare a commune-based list of the programme naming ``name`` in ``vocab.PROGRAMMES``."""
    programme = programme_of_list(name)
    return ListSpec(
        name,
        file,
        programme.label,
        vintage,
        "communes",
        "insee_com",
        ident,
        label,
        ("insee_com", "lib_com", ident, label),
        optional,
        programme.phase_of(name),
    )


def _group_list(name: str, file: str, vintage: str, ident: str, label: str) -> ListSpec:
    """Declare a list of member groupings of the programme naming ``name``."""
    programme = programme_of_list(name)
    return ListSpec(
        name,
        file,
        programme.label,
        vintage,
        "groupements",
        "siren_groupement",
        ident,
        label,
        (ident, label, "siren_groupement"),
        ("lib_groupement",),
        programme.phase_of(name),
    )


# The reader spec of each list (its programme, phase and label: geodata.vocab.PROGRAMMES).
CATALOGUE: dict[str, ListSpec] = {
    spec.name: spec
    for spec in (
        _commune_list(
            "acv", "acv.csv", "liste du 5 septembre 2024", "id_acv", "lib_acv", ("date_signature",)
        ),
        _commune_list("acv2", "acv2.csv", "seconde phase (liste de 2023)", "id_acv", "lib_acv"),
        _commune_list(
            "pvd", "pvd.csv", "liste du 7 août 2024", "id_pvd", "lib_pvd", ("date_signature",)
        ),
        _commune_list(
            "fabriques", "fabriques_territoire.csv", "liste de janvier 2024", "id_fabt", "lib_fabt"
        ),
        _commune_list(
            "manufactures",
            "manufactures_proximite.csv",
            "première vague (2022)",
            "id_manuprox",
            "lib_manuprox",
        ),
        _commune_list("france_services", "france_services.csv", "liste de 2024", "id_fs", "lib_fs"),
        _commune_list("villages_avenir", "villages_avenir.csv", "liste de 2024", "id_va", "lib_va"),
        _group_list(
            "ti", "ti_groupements.csv", "listes du 4 juillet 2024 (2023-2027)", "id_ti", "lib_ti"
        ),
        _group_list(
            "ti_2019", "ti_2019_groupements.csv", "première phase (2018-2022)", "id_ti", "lib_ti"
        ),
        _group_list(
            "fabriques_prospectives",
            "fabriques_prospectives.csv",
            "liste de 2024",
            "id_fabp",
            "lib_fabp",
        ),
        ListSpec(  # the census's own title, not the programme's label: it names the dataset
            "tiers_lieux_2019",
            "tiers_lieux_2019.csv",
            "Recensement des tiers-lieux 2019",
            "recensement 2019 (CGET, Mission coworking)",
            "census",
            "INSEECOM",
            "ID",
            "NOM_TL",
            ("ID", "NOM_TL", "INSEECOM", "NOMCOM", "LAT", "LONG"),
            ("TYPO", "WEB"),
            producer="CGET (aujourd'hui ANCT)",
        ),
    )
}


def record_lines(path: Path) -> list[int]:
    """Line (1-based) where each data record of a CSV starts; blank lines are skipped.

    A quoted field may hold line breaks, so a record can span several lines: the line
    reported is the record's first.
    """
    starts = []
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        end = 0
        for record in reader:
            start, end = end + 1, reader.line_num
            if record:
                starts.append(start)
    return starts[1:]  # the first record is the header


def read_header(path: Path) -> list[str]:
    """Return the column names of a CSV file ([] when it is empty)."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [c.strip() for c in next(csv.reader(f), [])]


def read_list(path: Path, spec: ListSpec) -> pd.DataFrame:
    """Read one ANCT list: the spec's columns only, as strings, with the ``line`` column.

    Parameters
    ----------
    path : Path
        The CSV file (UTF-8, comma-separated, header on line 1).
    spec : ListSpec
        Which columns to read; optional columns missing from the file are added empty.

    Returns
    -------
    DataFrame
        ``line`` then ``spec.columns``, every value a stripped string ("" when empty).
        An empty file (0 bytes or a header only) gives an empty frame, not an error.

    Raises
    ------
    ValueError
        Naming the file, the missing required columns and the columns found; or the file
        when it is not UTF-8.
    """
    try:
        header = read_header(path)
        if not header:
            return _empty(spec)
        missing = [c for c in spec.required if c not in header]
        if missing:
            raise ValueError(
                f"{path}, line 1 (header): missing column(s) {missing}; found {header}. "
                f"The {spec.programme} list needs {list(spec.required)}: fix the header or "
                f"fetch the list again (atlas fetch --dest DIR)"
            )
        usecols = [c for c in spec.columns if c in header]
        df = pd.read_csv(
            path, dtype=str, keep_default_na=False, usecols=usecols, encoding="utf-8-sig"
        )
        lines = record_lines(path)
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text ({exc}); save the file as UTF-8") from exc
    return _tidy(df, lines, spec, path)


def _tidy(df: pd.DataFrame, lines: list[int], spec: ListSpec, path: Path) -> pd.DataFrame:
    if len(lines) != len(df):
        raise ValueError(
            f"{path}: {len(df)} rows read but {len(lines)} records found; "
            "check the file's quoting (a quote left open?)"
        )
    df = df.copy()
    codes = {spec.code_col, spec.id_col, *NUMERIC_COLUMNS}
    for col in spec.columns:
        df[col] = df[col].str.strip() if col in df.columns else ""
        if col not in codes:  # personal contacts never enter the atlas, whatever the column
            df[col] = df[col].map(mask_contacts)
    df.insert(0, LINE, lines)
    return df[[LINE, *spec.columns]]


def _empty(spec: ListSpec) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=str) for c in spec.columns})
    frame.insert(0, LINE, pd.Series(dtype="int64"))
    return frame


def read_commune_list(path: Path, spec: ListSpec) -> pd.DataFrame:
    """Read a commune-based list (ACV, PVD, Fabriques, France services…): see :func:`read_list`.

    Raises
    ------
    ValueError
        When ``spec`` is not a commune-based list, or as :func:`read_list`.
    """
    if spec.kind != "communes":
        raise ValueError(
            f"read_commune_list: {spec.name!r} is a {spec.kind!r} list, not a "
            f"commune-based one; use read_list"
        )
    return read_list(Path(path), spec)


@dataclass
class LoadedList:
    """One list as found in the data directory.

    ``status`` is ``"loaded"``, ``"empty"`` (file present, no data row) or ``"not loaded"``
    (no data directory, or the file is absent: not an error).
    """

    spec: ListSpec
    path: Path | None
    status: str
    table: pd.DataFrame
    sha256: str = ""
    fetched: dict | None = None  # the ``atlas fetch`` cache entry of this file, if any
    problems: list[Problem] = field(default_factory=list)  # rows not used (bad ids)

    def source(self) -> dict[str, str]:
        """Provenance for the build report (JSON-serialisable)."""
        vintage = self.spec.vintage
        edition = config.edition(self.path.parent) if self.path else ""
        if self.fetched:
            vintage = f"téléchargée le {self.fetched.get('fetched_at', '?')}"
            edition = "fetched"
        return {
            "edition": edition,  # snapshot shipped in the repository, fetched, or a user's folder
            "name": f"{self.spec.programme} ({self.spec.file})",
            "version": self.sha256[:12],
            "vintage": vintage,
            "producer": self.spec.producer,
            "licence": self.spec.licence,
            "file": self.spec.file,
            "sha256": self.sha256,
            **({"url": str(self.fetched.get("url", ""))} if self.fetched else {}),
        }


def load_list(spec: ListSpec, data_dir: Path | None) -> LoadedList:
    """Load one list from ``data_dir`` (``None``: no data directory, the list is not loaded).

    Never fails for an absent directory or file (status ``"not loaded"``) nor for an empty
    file (status ``"empty"``); a file with missing columns raises (see :func:`read_list`).
    """
    if data_dir is None or not (Path(data_dir) / spec.file).is_file():
        path = None if data_dir is None else Path(data_dir) / spec.file
        return LoadedList(spec, path, "not loaded", _empty(spec))
    path = Path(data_dir) / spec.file
    table, problems = check_ids(read_list(path, spec), spec)
    status = "loaded" if len(table) or problems else "empty"
    fetched = fetched_entries(Path(data_dir)).get(spec.file)
    return LoadedList(spec, path, status, table, file_digest(path), fetched, problems)


def check_ids(table: pd.DataFrame, spec: ListSpec) -> tuple[pd.DataFrame, list[Problem]]:
    """Split off the rows whose ``spec.id_col`` is not a valid id; one problem for each.

    A valid id is a slug (:data:`geodata.vocab.ID_PATTERN`, at most
    :data:`geodata.vocab.ID_MAX_LENGTH` characters). In a commune list, upper case is
    allowed and the cell may list several slugs joined by ``;``.

    Returns
    -------
    (DataFrame, list of Problem)
        The rows kept (as given), and an error (row not used, ``kind`` "bad id", named by
        the list's file and line) for each row set aside.
    """
    several = spec.kind == "communes"
    ok = table[spec.id_col].map(lambda v: _valid_id(v, several)).astype(bool)
    problems = [
        Problem(
            spec.file,
            int(line),
            "",
            spec.id_col,
            value,
            _ID_RULE[spec.kind == "communes"],
            "ligne non utilisée ; corrigez l'identifiant dans la liste",
            "error",
            "bad id",
        )
        for line, value in zip(table.loc[~ok, LINE], table.loc[~ok, spec.id_col], strict=True)
    ]
    return table.loc[ok].reset_index(drop=True), problems


_ID_RULE = {
    False: "identifiant invalide : lettres minuscules, chiffres, - ou _ seulement "
    f"(au plus {ID_MAX_LENGTH} caractères), par exemple ti-8408",
    True: "identifiant invalide : lettres, chiffres, - ou _ seulement (au plus "
    f"{ID_MAX_LENGTH} caractères), plusieurs identifiants séparés par « {LIST_SEP} »",
}


def _valid_id(value: str, several: bool) -> bool:
    parts = [p.strip() for p in value.split(LIST_SEP)] if several else [value]
    flags = re.IGNORECASE if several else 0
    return all(len(p) <= ID_MAX_LENGTH and re.fullmatch(ID_PATTERN, p, flags) for p in parts)


def fetched_entries(data_dir: Path) -> dict[str, dict]:
    """Return the ``atlas fetch`` cache entries of ``data_dir`` by output file ({} if none)."""
    path = data_dir / config.FETCH_CACHE
    if not path.is_file():
        return {}
    try:
        cache = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}  # a damaged cache only loses the download dates, never the lists
    entries = cache.values() if isinstance(cache, dict) else []
    return {e["output"]: e for e in entries if isinstance(e, dict) and e.get("output")}


def load_hint(spec: ListSpec) -> str:
    """How to load a list that is not loaded (shown in the report)."""
    return (
        f"{spec.file} not loaded: run `atlas fetch --dest DIR` then "
        f"`ATLAS_DATA_DIR=DIR atlas build` (or put {spec.file} in ATLAS_DATA_DIR)"
    )
