"""Read and validate case-study tables: the curated ``cases.csv`` and users' own tables.

A case table has one row per place-based case (columns :data:`CASE_COLUMNS`, described
in ``geodata/data/README.md``). :func:`read_case_table` reads a CSV (``,`` or ``;``,
UTF-8 with or without BOM) or an XLSX sheet and records the line number a user sees in
the file; :func:`validate_cases` checks every row against the COG 2025 communes, the EPCI
of 1 January 2025 and the curated Pays, normalises what can safely be normalised (with a
warning), and returns the usable rows with the list of :class:`geodata.problems.Problem`.
One bad row never stops the others, and no cell content can make it raise.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geodata.problems import Problem
from geodata.text import EMAIL_RE, PHONE_RE, fold_words
from geodata.vocab import (
    ID_MAX_LENGTH,
    ID_PATTERN,
    ID_TI,
    INSEE_COM,
    KINDS,
    LIST_SEP,
    PAYS_ID,
    SIREN_EPCI,
    in_france,
)

CASE_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "kinds",
    "programmes",
    INSEE_COM,
    SIREN_EPCI,
    ID_TI,
    PAYS_ID,
    "lat",
    "lon",
    "theme",
    "start_year",
    "partners",
    "key_figures",
    "summary",
    "source_file",
    "source_passage",
    "note",
    "note_public",
)
REQUIRED: tuple[str, ...] = ("id", "name", "kinds", "source_file")
# Longest text a cell may hold, in characters: the name is a title, the summary a paragraph
# of the map's panel; any other cell MAX_TEXT_LENGTH. A longer cell is an error (never cut).
MAX_LENGTHS: dict[str, int] = {"name": 200, "summary": 1_000}
MAX_TEXT_LENGTH = 2_000
LINE = "line"
EXTRA = "_extra_cells"  # cells beyond the header (an unquoted separator in a cell)
FORMULAS = "_formula_cells"  # XLSX cells holding a formula with no stored value

INSEE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
SIREN_RE = re.compile(r"^\d{9}$")
CHILD_LABELS = {"COMD": "commune déléguée", "COMA": "commune associée", "ARM": "arrondissement"}
HINT_COLUMNS = ("commune", "nom_commune", "libelle_commune", "ville", "city", "com_nom")

# Lambert-93 (EPSG:2154) metres: x (easting) and y (northing) of metropolitan France.
L93_X = (100_000.0, 1_300_000.0)
L93_Y = (6_000_000.0, 7_200_000.0)


REASON = {"error": "ligne non utilisée", "warning": "ligne utilisée, valeur normalisée"}


def case_problem(
    file: str, line: int, field: str, value: str, expected: str, severity: str = "error"
) -> Problem:
    """Return a problem of a case table; the fix reads ``attendu : <expected>`` (French).

    ``severity`` is "error" (row not used) or "warning" (row used, value normalised).
    """
    return Problem(
        file,
        line,
        "",
        field,
        value,
        REASON[severity],
        f"attendu : {expected}",
        severity,
        "case table",
    )


# ---------------------------------------------------------------------------- reading


def read_case_table(path: str | Path, sheet: str | None = None) -> pd.DataFrame:
    """Read a case table (CSV or XLSX) as strings, with the line number of each row.

    Parameters
    ----------
    path : str or Path
        A ``.csv`` file (UTF-8, BOM allowed, ``,`` or ``;`` separated) or an ``.xlsx``
        workbook. The header is the first non-empty line or row.
    sheet : str, optional
        The workbook's sheet to read; default: the sheet the workbook opens on (its active
        sheet), or its first visible sheet when that one is hidden.

    Returns
    -------
    DataFrame
        Every column as ``str`` ("" when empty), header names stripped and lowercased,
        unknown columns kept, plus ``line``: the row's line in the file as a user sees it
        (with the header on line 1, the first row is line 2). Blank lines are skipped.
        Cells beyond the header go to ``_extra_cells``, XLSX formulas whose value was
        never stored (a file written by a program, not saved by a spreadsheet) to
        ``_formula_cells`` (both reported by :func:`validate_cases`); a user column named
        ``line`` is renamed ``line_<n>``.

    Raises
    ------
    ValueError
        If the file cannot be decoded, the named sheet does not exist, or a required
        column is missing (the message names the file, the missing columns and the
        available ones).
    """
    path = Path(path)
    formulas: dict[int, list[str]] = {}
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        header, records, formulas = _xlsx_records(path, sheet)
    else:
        header, records = _csv_records(path)
    frame = _records_frame(header, records)
    if formulas:
        frame[FORMULAS] = frame[LINE].map(lambda line: LIST_SEP.join(formulas.get(line, [])))
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        available = [c for c in frame.columns if c not in (LINE, EXTRA, FORMULAS)]
        raise ValueError(
            f"{path.name} : colonne(s) obligatoire(s) manquante(s) {', '.join(missing)} ; "
            f"colonnes présentes : {', '.join(available) or '(aucune)'}"
        )
    return frame


def _csv_records(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{path.name} : texte qui n'est pas en UTF-8 (enregistrer le tableau en « CSV UTF-8 »)"
        ) from exc
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    sep = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    header: list[str] | None = None
    records, last = [], 0
    try:
        for cells in reader:
            start, last = last + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = cells
            else:
                records.append((start, cells))
    except csv.Error as exc:
        raise ValueError(f"{path.name}:{reader.line_num} : CSV illisible ({exc})") from exc
    return header or [], records


def _xlsx_records(
    path: Path, sheet_name: str | None = None
) -> tuple[list[str], list[tuple[int, list[str]]], dict[int, list[str]]]:
    """Header, rows and formula cells without a stored value (by line) of one sheet."""
    import openpyxl

    try:
        values = openpyxl.load_workbook(path, data_only=True, read_only=False)
        formulas = openpyxl.load_workbook(path, data_only=False, read_only=False)
    except Exception as exc:  # openpyxl raises many types on a damaged or non-XLSX file
        raise ValueError(f"{path.name} : classeur XLSX illisible ({exc})") from exc
    name = sheet_name or _sheet_to_read(values)
    if name not in values.sheetnames:
        raise ValueError(
            f"{path.name} : aucune feuille nommée « {name} » ; "
            f"feuilles : {', '.join(values.sheetnames)}"
        )
    sheet, raw = values[name], formulas[name]
    rows, missing = [], {}
    for i, (row, raw_row) in enumerate(
        zip(sheet.iter_rows(min_row=1), raw.iter_rows(min_row=1), strict=False), start=1
    ):
        rows.append((i, [_cell_text(c.value) for c in row]))
        lost = [
            c.coordinate
            for c, f in zip(row, raw_row, strict=False)
            if c.value is None and isinstance(f.value, str) and f.value.startswith("=")
        ]
        if lost:
            missing[i] = lost
    rows = [(i, cells) for i, cells in rows if any(c.strip() for c in cells)]
    if not rows:
        return [], [], {}
    return rows[0][1], rows[1:], missing


def _sheet_to_read(book: object) -> str:
    """Return the active sheet, or the first visible one when the active sheet is hidden."""
    active = book.active
    if active is not None and active.sheet_state == "visible":
        return active.title
    visible = [ws.title for ws in book.worksheets if ws.sheet_state == "visible"]
    return visible[0] if visible else book.sheetnames[0]


def _cell_text(value: object) -> str:
    """Text of one spreadsheet cell: integral floats lose their ``.0``; None is ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _records_frame(header: list[str], records: list[tuple[int, list[str]]]) -> pd.DataFrame:
    names = _unique_names([str(h).strip().lower() for h in header])
    width = len(names)
    rows = []
    for line, cells in records:
        cells = list(cells) + [""] * (width - len(cells))
        row = dict(zip(names, cells[:width], strict=True))
        extra = [c for c in cells[width:] if c.strip()]
        row[EXTRA] = LIST_SEP.join(extra)
        row[LINE] = line
        rows.append(row)
    frame = pd.DataFrame(rows, columns=[*names, EXTRA, LINE])
    frame[LINE] = frame[LINE].astype("int64")
    if not frame[EXTRA].astype(bool).any():
        frame = frame.drop(columns=EXTRA)
    return frame


def _unique_names(
    names: list[str], reserved: tuple[str, ...] = (LINE, EXTRA, FORMULAS)
) -> list[str]:
    """Header names made unique; a name reserved by this module gets a suffix too."""
    out: list[str] = []
    for i, name in enumerate(names):
        name = name or f"column_{i + 1}"
        out.append(name if name not in out and name not in reserved else f"{name}_{i + 1}")
    return out


# ---------------------------------------------------------------------------- reference


@dataclass(frozen=True)
class _Reference:
    com_type: dict[str, str]  # code -> COM / COMD / COMA / ARM
    parent: dict[str, str]  # code of COMD/COMA/ARM -> today's commune
    names: dict[str, str]  # code -> name
    com_by_name: dict[str, str]  # name of a current commune -> its code (first one)
    sirens: frozenset[str]
    pays: frozenset[str]
    ti: frozenset[str] | None  # ids of the Territoires d'industrie (None: list not loaded)
    kind_labels: dict[str, str]  # folded French label -> kind code


def _reference(
    communes: pd.DataFrame,
    epci_sirens: Iterable[str],
    pays_ids: Iterable[str],
    ti_ids: Iterable[str] | None = None,
) -> _Reference:
    type_col = "type" if "type" in communes.columns else "com_type"
    ref = communes.fillna("").astype(str)
    order = ref[type_col].map({"COM": 0, "ARM": 1, "COMD": 2, "COMA": 3}).fillna(9)
    ref = ref.assign(_o=order).sort_values("_o", kind="stable").drop_duplicates(INSEE_COM)
    com = ref[ref[type_col] == "COM"]
    return _Reference(
        com_type=dict(zip(ref[INSEE_COM], ref[type_col], strict=True)),
        parent={
            c: p
            for c, t, p in zip(ref[INSEE_COM], ref[type_col], ref["parent_insee"], strict=True)
            if t != "COM" and p
        },
        names=dict(zip(ref[INSEE_COM], ref["nom"], strict=True)),
        com_by_name=dict(zip(com["nom"][::-1], com[INSEE_COM][::-1], strict=True)),
        sirens=frozenset(str(s) for s in epci_sirens),
        pays=frozenset(str(p) for p in pays_ids),
        ti=None if ti_ids is None else frozenset(str(t) for t in ti_ids),
        kind_labels={_fold(label): code for code, label in KINDS.items()},
    )


def _fold(text: str) -> str:
    """Lowercase ASCII form of a label, for tolerant matching ("Tiers-lieu" -> "tiers lieu")."""
    return fold_words(text)


# ---------------------------------------------------------------------------- validation


class _Report:
    """Collects the problems of one row."""

    def __init__(self, file: str, line: int) -> None:
        self.file, self.line, self.problems = file, line, []

    def error(self, field: str, value: str, expected: str) -> None:
        self.problems.append(case_problem(self.file, self.line, field, value, expected))

    def warning(self, field: str, value: str, expected: str) -> None:
        self.problems.append(case_problem(self.file, self.line, field, value, expected, "warning"))

    @property
    def has_error(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


def validate_cases(
    df: pd.DataFrame,
    *,
    file: str,
    communes: pd.DataFrame,
    epci_sirens: set[str],
    pays_ids: set[str],
    ti_ids: set[str] | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Check a case table row by row; return the usable rows and every problem found.

    Parameters
    ----------
    df : DataFrame
        A table as returned by :func:`read_case_table` (a missing ``line`` column is
        derived from the row order; missing optional columns are added empty).
    file : str
        The file name used in the problems.
    communes : DataFrame
        ``insee_com, nom, type, parent_insee``: every COG code (COM, COMD, COMA, ARM),
        ``parent_insee`` being today's commune of a COMD/COMA/ARM.
    epci_sirens, pays_ids : set of str
        The SIREN of today's EPCI and the known Pays ids.
    ti_ids : set of str, optional
        The ids of the Territoires d'industrie (2023-2027 list); ``None`` when the list is
        not loaded: an ``id_ti`` is then kept with a warning.

    Returns
    -------
    (DataFrame, list of Problem)
        The rows without error (codes normalised, ``lat``/``lon`` as floats, NaN when
        empty, ``line`` as int), all columns of the input plus :data:`CASE_COLUMNS`; and
        the problems, errors (row excluded) and warnings (row kept), in line order.
    """
    table = _prepare(df)
    ref = _reference(communes, epci_sirens, pays_ids, ti_ids)
    problems: list[Problem] = []
    kept: list[dict] = []
    seen: set[str] = set()
    for rec in table.to_dict("records"):
        report = _Report(file, rec[LINE])
        row = _check_row(rec, ref, report, seen)
        problems += report.problems
        if not report.has_error:
            kept.append(row)
    out = pd.DataFrame(kept, columns=list(table.columns))
    out[LINE] = out[LINE].astype("int64")
    for col in ("lat", "lon"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    return out, problems


def _prepare(df: pd.DataFrame) -> pd.DataFrame:
    table = df.copy()
    table.columns = _unique_names([str(c).strip().lower() for c in table.columns], reserved=())
    fallback = range(2, len(table) + 2)
    lines = table[LINE] if LINE in table.columns else fallback
    table[LINE] = [_as_line(v, d) for v, d in zip(lines, fallback, strict=True)]
    for col in CASE_COLUMNS:
        if col not in table.columns:
            table[col] = ""
    others = [c for c in table.columns if c != LINE]
    table[others] = table[others].map(_as_text)
    return table.reset_index(drop=True)


def _as_line(value: object, default: int) -> int:
    try:
        number = float(str(value).strip())
        return int(number) if math.isfinite(number) else default
    except (TypeError, ValueError, OverflowError):
        return default


def _as_text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _check_row(rec: dict, ref: _Reference, report: _Report, seen: set[str]) -> dict:
    row = dict(rec)
    _check_personal_data(row, report)
    _check_lengths(row, report)
    _check_required(row, report)
    _check_id(row, report, seen)
    if EXTRA in row and row[EXTRA]:
        report.error(
            EXTRA,
            row[EXTRA],
            "aucune cellule au-delà des colonnes de l'en-tête (mettre entre guillemets "
            "les cellules qui contiennent le séparateur)",
        )
    if row.get(FORMULAS):
        report.warning(
            FORMULAS,
            row[FORMULAS],
            "des valeurs, pas des formules : ces cellules contiennent une formule dont "
            "le résultat n'a jamais été enregistré (lues comme vides) ; ouvrir et "
            "enregistrer le fichier dans un tableur, ou coller les valeurs",
        )
    row["kinds"] = _check_kinds(row["kinds"], ref, report)
    row[INSEE_COM] = _check_insee(row, ref, report)
    row[SIREN_EPCI] = _check_sirens(row[SIREN_EPCI], ref, report)
    row[ID_TI] = _check_ti(row[ID_TI], ref, report)
    _check_pays(row[PAYS_ID], ref, report)
    row["lat"], row["lon"] = _check_coordinates(row["lat"], row["lon"], report)
    return row


def _check_lengths(row: dict, report: _Report) -> None:
    for col, value in row.items():
        limit = MAX_LENGTHS.get(col, MAX_TEXT_LENGTH)
        if col != LINE and isinstance(value, str) and len(value) > limit:
            report.error(  # the length, not the text: it may be huge or hold contacts
                col,
                f"<{len(value)} caractères>",
                f"au plus {limit} caractères dans la colonne {col} : raccourcir le texte",
            )


def _check_required(row: dict, report: _Report) -> None:
    for col in REQUIRED:
        if not row[col]:
            report.error(col, "", "une valeur non vide (colonne obligatoire)")


def _check_id(row: dict, report: _Report, seen: set[str]) -> None:
    ident = row["id"]
    if not ident:
        return
    if len(ident) > ID_MAX_LENGTH or not re.fullmatch(ID_PATTERN, ident):
        report.error(
            "id",
            ident,
            "un identifiant fait de lettres minuscules, de chiffres et de - ou _ "
            f"(au plus {ID_MAX_LENGTH} caractères), par exemple « {slug(ident)} »",
        )
    elif ident in seen:
        report.error("id", ident, "un identifiant qu'aucune ligne précédente n'utilise (doublon)")
    seen.add(ident)


def slug(text: str) -> str:
    """Return a valid id made from ``text`` ("Mon Cluster !" -> "mon-cluster")."""
    return fold_words(text, "-")[:ID_MAX_LENGTH].strip("-") or "cas"


def _check_personal_data(row: dict, report: _Report) -> None:
    for col, value in row.items():
        if col == LINE or not isinstance(value, str):
            continue
        if EMAIL_RE.search(value):
            report.error(
                col,
                "<adresse e-mail retirée>",
                "aucune donnée personnelle : retirer l'adresse e-mail",
            )
        if PHONE_RE.search(value):
            report.error(
                col,
                "<numéro de téléphone retiré>",
                "aucune donnée personnelle : retirer le numéro de téléphone",
            )


def _check_kinds(value: str, ref: _Reference, report: _Report) -> str:
    codes = []
    for token in (t.strip() for t in value.split(LIST_SEP)):
        if not token:
            continue
        code = token.lower()
        if code not in KINDS:
            label = ref.kind_labels.get(_fold(token))
            if label is None:
                report.error(
                    "kinds",
                    token,
                    f"l'un des codes {', '.join(KINDS)} (séparés par « {LIST_SEP} »)",
                )
                continue
            report.warning("kinds", token, f"le code « {label} » (libellé français converti)")
            code = label
        codes.append(code)
    if value and not any(t.strip() for t in value.split(LIST_SEP)):
        report.error("kinds", value, f"au moins l'un des codes {', '.join(KINDS)}")
    return LIST_SEP.join(dict.fromkeys(codes))


def _check_insee(row: dict, ref: _Reference, report: _Report) -> str:
    raw = row[INSEE_COM]
    code = raw.replace(" ", "").upper()
    if not code:
        return ""
    if code.isdigit() and len(code) == 4:
        report.warning(
            INSEE_COM, raw, f"5 caractères : lu comme « 0{code} » (zéro initial rétabli)"
        )
        code = "0" + code
    if not INSEE_RE.match(code):
        report.error(
            INSEE_COM, raw, "un code commune INSEE de 5 caractères, par exemple 01053 ou 2A004"
        )
        return code
    kind = ref.com_type.get(code)
    if kind is None:
        report.error(INSEE_COM, raw, f"un code commune du COG 2025 ; {_suggest(code, row, ref)}")
        return code
    if kind == "COM":
        return code
    parent = ref.parent.get(code, "")
    if not parent:
        report.error(INSEE_COM, raw, f"une commune actuelle ({kind} sans commune de rattachement)")
        return code
    label = CHILD_LABELS.get(kind, kind)
    parent_name = ref.names.get(parent, "")
    report.warning(
        INSEE_COM,
        raw,
        f"une commune actuelle : {label} de {parent_name} ({parent}), ligne reportée sur {parent}",
    )
    return parent


def _suggest(code: str, row: dict, ref: _Reference) -> str:
    hint = next((row[c] for c in HINT_COLUMNS if row.get(c)), "") or row.get("name", "")
    if hint:
        close = difflib.get_close_matches(hint, list(ref.com_by_name), n=3, cutoff=0.6)
        if close:
            names = ", ".join(f"{n} ({ref.com_by_name[n]})" for n in close)
            return f"communes au nom le plus proche : {names}"
    same_dep = [c for c in ref.com_type if c[:2] == code[:2]] or list(ref.com_type)
    close = difflib.get_close_matches(code, same_dep, n=3, cutoff=0.6)
    if close:
        return "codes les plus proches : " + ", ".join(
            f"{c} ({ref.names.get(c, '')})" for c in close
        )
    return "aucun code proche trouvé"


def _check_sirens(value: str, ref: _Reference, report: _Report) -> str:
    """Check one SIREN or a ``;`` list of them (a case spanning several EPCI)."""
    sirens = [re.sub(r"\s", "", s) for s in value.split(LIST_SEP)]
    sirens = list(dict.fromkeys(s for s in sirens if s))  # duplicates kept once
    for siren in sirens:
        if not SIREN_RE.match(siren):
            report.error(
                SIREN_EPCI, siren, "un SIREN de 9 chiffres (plusieurs : les séparer par ;)"
            )
        elif siren not in ref.sirens:
            report.error(SIREN_EPCI, siren, "le SIREN d'un EPCI au 1er janvier 2025 (EPCI inconnu)")
    return LIST_SEP.join(sirens)


def _check_ti(value: str, ref: _Reference, report: _Report) -> str:
    ident = value.strip().lower()
    if not ident:
        return ""
    if ref.ti is None:
        report.warning(
            ID_TI,
            value,
            "un identifiant de Territoire d'industrie ; la liste des Territoires "
            "d'industrie n'est pas chargée, il n'a donc pas pu être vérifié",
        )
    elif ident not in ref.ti:
        close = difflib.get_close_matches(ident, sorted(ref.ti), n=3, cutoff=0.6)
        hint = f" ; les plus proches : {', '.join(close)}" if close else ""
        report.error(
            ID_TI,
            value,
            "l'identifiant d'un Territoire d'industrie 2023-2027 "
            f"(comme dans ti_groupements.csv, par exemple ti-8408){hint}",
        )
    return ident


def _check_pays(value: str, ref: _Reference, report: _Report) -> None:
    if value and value not in ref.pays:
        close = difflib.get_close_matches(value, sorted(ref.pays), n=3, cutoff=0.6)
        hint = f" ; les plus proches : {', '.join(close)}" if close else ""
        report.error(PAYS_ID, value, f"un pays_id de pays.csv{hint}")


def _check_coordinates(lat_text: str, lon_text: str, report: _Report) -> tuple[float, float]:
    nan = float("nan")
    if not lat_text and not lon_text:
        return nan, nan
    lat, lon = _number(lat_text), _number(lon_text)
    for field, text, value in (("lat", lat_text, lat), ("lon", lon_text, lon)):
        if value is None:
            report.error(field, text, "un nombre décimal (lat et lon, en degrés WGS 84)")
    if lat is None or lon is None:
        return nan, nan
    point = f"({lat_text}, {lon_text})"
    if _is_lambert93(lat, lon) or _is_lambert93(lon, lat):
        expected = "des degrés WGS 84, pas des mètres Lambert-93 : convertir depuis EPSG:2154"
    elif in_france(lon, lat):
        return lat, lon
    elif in_france(lat, lon):
        expected = (
            f"une latitude en premier : le point {point} est en France une fois "
            "lat et lon échangés, les échanger"
        )
    else:
        expected = f"un point en France, outre-mer compris ; {point} est hors de France"
    report.error("lat", lat_text, expected)
    return lat, lon


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", ".").replace("\u2212", "-"))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _is_lambert93(y: float, x: float) -> bool:
    return L93_X[0] <= x <= L93_X[1] and L93_Y[0] <= y <= L93_Y[1]
