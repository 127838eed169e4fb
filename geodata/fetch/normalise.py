"""Read the official files and normalise them to the tidy CSV the build reads."""

from __future__ import annotations

import codecs
import re
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pandas as pd
from openpyxl.utils.exceptions import InvalidFileException

from geodata.fetch.limits import CHUNK, XLSX_MAX_ENTRIES, XLSX_MAX_RATIO, XLSX_MAX_UNPACKED, _human
from geodata.schema import Schema, check_schema
from geodata.text import fold_words

# --------------------------------------------------------------------------------------
# Reading and normalising the official files
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tidy:
    """How an official table maps onto one tidy table.

    ``columns``: tidy column -> other headers the publisher may use (compared without
    case, accents or punctuation; the tidy name itself is always accepted).
    ``codes``: tidy column -> ``"insee"`` or ``"siren"``; the first one is the row key
    (rows without it are dropped). ``fallbacks``: tidy column -> tidy column copied when
    the publisher has no such column (``None``: left empty). ``dates``: columns turned to
    ISO ``YYYY-MM-DD``.
    """

    name: str
    columns: Mapping[str, tuple[str, ...]]
    codes: Mapping[str, str] = field(default_factory=dict)
    fallbacks: Mapping[str, str | None] = field(default_factory=dict)
    dates: tuple[str, ...] = ()

    def schema(self) -> Schema:
        """Return the declared schema of the tidy table (all columns are strings)."""
        lengths = {"insee": (5,), "siren": (9,)}
        return Schema(
            self.name,
            {col: "str" for col in self.columns},
            crs=None,
            code_lengths={col: lengths[kind] for col, kind in self.codes.items()},
        )


def read_table(path: Path) -> pd.DataFrame:
    """Read an official table (CSV with ``;``/``,``/tab, UTF-8 or Windows-1252, or XLSX).

    Parameters
    ----------
    path : Path
        The downloaded file; its format is recognised from its content, not its name.

    Returns
    -------
    DataFrame
        Every column as ``str`` (empty cells as ``""``), headers stripped.

    Raises
    ------
    ValueError
        Naming the file, when it is empty, an HTML page or an unreadable workbook.

    """
    # pandas reads the file itself, in chunks: holding its bytes, then the decoded text,
    # then a StringIO copy (4 bytes per character) cost 5 to 10 times the file's size.
    with path.open("rb") as raw:
        head = raw.read(CHUNK)
    if not head.strip() and _is_blank(path):
        raise ValueError(f"{path.name}: the file is empty; the publisher sent no data")
    if head[:4] == b"PK\x03\x04":
        table = _read_xlsx(path)
    else:
        encoding = _encoding(path)
        text = head.decode(encoding, errors="replace")
        if text.lstrip()[:15].lower().startswith(("<!doctype html", "<html")):
            raise ValueError(f"{path.name}: an HTML page, not a table; check the source URL")
        table = pd.read_csv(
            path, sep=_sniff_sep(text), dtype=str, keep_default_na=False, encoding=encoding
        )
    table.columns = [str(c).strip() for c in table.columns]
    return table


def _read_xlsx(path: Path) -> pd.DataFrame:
    check_xlsx_bounds(path)
    try:
        return pd.read_excel(path, dtype=str, engine="openpyxl").fillna("")
    except (zipfile.BadZipFile, InvalidFileException, KeyError) as exc:
        raise ValueError(f"{path.name}: not a readable XLSX workbook ({exc})") from exc


def check_xlsx_bounds(path: Path) -> None:
    """Refuse a workbook whose declared content is out of proportion (a "zip bomb").

    An XLSX is a zip archive; :mod:`zipfile` never unpacks more than the size each part
    declares, so checking the declared sizes before opening the workbook bounds the time
    and memory openpyxl can spend on it.

    Parameters
    ----------
    path : Path
        The downloaded workbook.

    Raises
    ------
    ValueError
        Naming the file, when it is not a zip archive, has more than
        :data:`XLSX_MAX_ENTRIES` parts, or declares more unpacked bytes than
        :data:`XLSX_MAX_RATIO` times its size or :data:`XLSX_MAX_UNPACKED`.

    """
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise ValueError(f"{path.name}: not a readable XLSX workbook ({exc})") from exc
    if len(parts) > XLSX_MAX_ENTRIES:
        raise ValueError(
            f"{path.name}: refused, a workbook of {len(parts):,} parts (at most "
            f"{XLSX_MAX_ENTRIES:,}); not an export the publisher would send"
        )
    size = path.stat().st_size
    unpacked = sum(part.file_size for part in parts)
    limit = min(XLSX_MAX_UNPACKED, XLSX_MAX_RATIO * size)
    if unpacked > limit:
        raise ValueError(
            f"{path.name}: refused, {_human(size)} that unpack to "
            f"{_human(unpacked)} (at most {_human(limit)}: {XLSX_MAX_RATIO} times "
            "the file); not an export the publisher would send"
        )


def _is_blank(path: Path) -> bool:
    with path.open("rb") as raw:
        return all(not chunk.strip() for chunk in iter(partial(raw.read, CHUNK), b""))


def _encoding(path: Path) -> str:
    # The publishers use UTF-8 (often with a BOM) or Windows-1252; latin-1 never fails.
    # Checked chunk by chunk, so the file is never held whole.
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as raw:
                for chunk in iter(partial(raw.read, CHUNK), b""):
                    decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"


def _sniff_sep(text: str) -> str:
    header = text.split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


def _fold(text: str) -> str:
    """Fold a header for comparison: no accents, lower case, punctuation as ``_``."""
    return fold_words(text, "_")


def pick_columns(raw: pd.DataFrame, tidy: Tidy, path: Path) -> pd.DataFrame:
    """Select and rename the columns of ``tidy`` from ``raw`` (index kept).

    Raises
    ------
    ValueError
        Naming the file, the missing expected column(s) and the columns found, when the
        publisher's format changed.

    """
    found = {_fold(c): c for c in raw.columns}
    picked: dict[str, pd.Series] = {}
    missing = []
    for col, aliases in tidy.columns.items():
        header = next((found[_fold(a)] for a in (col, *aliases) if _fold(a) in found), None)
        if header is not None:
            picked[col] = raw[header].fillna("").astype(str).str.strip()
        elif col not in tidy.fallbacks:
            missing.append(col if not aliases else f"{col} (or {' / '.join(aliases)})")
    if missing:
        raise ValueError(
            f"{path.name}: missing expected column(s) {', '.join(missing)} for {tidy.name}; "
            f"columns found: {list(raw.columns)}. The publisher's format has changed: add "
            f"the new header to the aliases of {tidy.name!r} in geodata/fetch.py"
        )
    for col, fallback in tidy.fallbacks.items():
        if col not in picked:
            picked[col] = picked[fallback] if fallback else pd.Series("", index=raw.index)
    return pd.DataFrame({col: picked[col] for col in tidy.columns}, index=raw.index)


def clean_codes(table: pd.DataFrame, tidy: Tidy, path: Path) -> pd.DataFrame:
    """Zero-pad and check the codes, ISO-format the dates, drop rows without a key.

    Raises
    ------
    ValueError
        Naming the file and up to five bad rows (line, column, value, what is expected);
        or when no row is left.

    """
    out = table.copy()
    bad: list[str] = []
    n_bad = 0
    for col, kind in tidy.codes.items():
        out[col] = out[col].map(_CODE_FIX[kind])
        wrong = (out[col] != "") & ~out[col].str.fullmatch(_CODE_RE[kind])
        n_bad += int(wrong.sum())
        bad += [
            f"line {i + 2}, {col}={table.at[i, col]!r}: expected {_CODE_HELP[kind]}"
            for i in out.index[wrong][:5]
        ]
    if bad:
        raise ValueError(f"{path.name}: {n_bad} invalid code(s), e.g. " + "; ".join(bad[:5]))
    for col in tidy.dates:
        out[col] = out[col].map(_iso_date)
    key = next(iter(tidy.codes), next(iter(tidy.columns)))
    out = out[out[key] != ""].drop_duplicates().reset_index(drop=True)
    if out.empty:
        raise ValueError(
            f"{path.name}: no row with a {key} for {tidy.name}; the file is empty "
            "or its format has changed"
        )
    return check_schema(out, tidy.schema())


def _fix_insee(value: str) -> str:
    # Excel exports lose leading zeros ("1004") or wrap codes as ="01004".
    code = re.sub(r'^="?|"$', "", value.strip()).upper().removesuffix(".0")
    return code.zfill(5) if code.isdigit() and len(code) == 4 else code


def _fix_siren(value: str) -> str:
    code = re.sub(r"\s", "", value.strip()).removesuffix(".0")
    return code.zfill(9) if code.isdigit() and 6 <= len(code) < 9 else code


_CODE_FIX: dict[str, Callable[[str], str]] = {"insee": _fix_insee, "siren": _fix_siren}
_CODE_RE = {"insee": r"\d{5}|2[AB]\d{3}", "siren": r"\d{9}"}
_CODE_HELP = {
    "insee": "an INSEE commune code of 5 characters, e.g. '01004' or '2A004'",
    "siren": "a SIREN of 9 digits, e.g. '200029999'",
}


def _iso_date(value: str) -> str:
    value = value.strip()
    day_first = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", value)
    if day_first:
        day, month, year = day_first.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    iso = re.match(r"\d{4}-\d{2}-\d{2}", value)  # also "2021-03-12 00:00:00" from XLSX
    return iso.group(0) if iso else value


def normalise_table(path: Path, tidy: Tidy) -> pd.DataFrame:
    """Read an official list and return it in the tidy format ``tidy``.

    Parameters
    ----------
    path : Path
        The downloaded file (CSV or XLSX).
    tidy : Tidy
        The target format.

    Returns
    -------
    DataFrame
        Exactly the columns of ``tidy``, strings, codes zero-padded, deduplicated.

    Raises
    ------
    ValueError
        Naming the file and the missing column(s) or the bad codes.

    """
    raw = read_table(path)
    return clean_codes(pick_columns(raw, tidy, path), tidy, path)


_COMMUNE = {
    "insee_com": ("code_insee", "insee", "code_commune", "codgeo", "com_insee"),
    "lib_com": ("nom_commune", "libelle_commune", "nom_com", "commune"),
}
ACV = Tidy(
    "acv",
    {**_COMMUNE, "id_acv": (), "lib_acv": ("nom_acv",), "date_signature": ("date_de_signature",)},
    codes={"insee_com": "insee"},
    fallbacks={"lib_acv": "lib_com", "date_signature": None},
    dates=("date_signature",),
)
PVD = Tidy(
    "pvd",
    {**_COMMUNE, "id_pvd": (), "lib_pvd": ("nom_pvd",), "date_signature": ("date_de_signature",)},
    codes={"insee_com": "insee"},
    fallbacks={"lib_pvd": "lib_com", "date_signature": None},  # the 2025 list has no lib_pvd
    dates=("date_signature",),
)
TI_GROUPEMENTS = Tidy(
    "ti_groupements",
    {
        "id_ti": (),
        "lib_ti": ("nom_ti",),
        "siren_groupement": ("siren", "siren_epci"),
        "lib_groupement": ("nom_groupement", "lib_epci", "raison_sociale"),
    },
    codes={"siren_groupement": "siren"},
    fallbacks={"lib_groupement": None},
)
FABRIQUES = Tidy(
    "fabriques_territoire",
    {
        **_COMMUNE,
        "id_fabt": ("id_fabrique", "identifiant"),
        "lib_fabt": ("nom_fabt", "nom_fabrique", "nom_du_tiers_lieu", "nom_tiers_lieu", "nom"),
    },
    codes={"insee_com": "insee"},
)
MANUFACTURES = Tidy(
    "manufactures_proximite",
    {
        **_COMMUNE,
        "id_manuprox": ("id_manufacture", "identifiant"),
        "lib_manuprox": ("nom_manuprox", "nom_manufacture", "nom_du_tiers_lieu", "nom"),
    },
    codes={"insee_com": "insee"},
)
# BANATIC national export headers (XLSX, first sheet): "N° SIREN", "Nom du groupement",
# "Nature juridique", "Siren membre", "Nom membre", "Catégorie des membres du groupement".
BANATIC_EXPORT = Tidy(
    "banatic",
    {
        "id_petr": ("n_siren", "siren", "siren_groupement"),
        "lib_petr": ("nom_du_groupement", "raison_sociale", "nom_groupement"),
        "nature_juridique": (),
        "siren_membre": ("n_siren_membre",),
        "lib_membre": ("nom_membre", "raison_sociale_membre"),
        "categorie_membre": ("categorie_des_membres_du_groupement", "type_membre"),
    },
    fallbacks={"categorie_membre": None},
)
PETR_MEMBRES = Tidy(
    "petr_membres",
    {"id_petr": (), "lib_petr": (), "siren_membre": (), "lib_membre": ()},
    codes={"id_petr": "siren", "siren_membre": "siren"},
)


def normalise_banatic(path: Path) -> pd.DataFrame:
    """Reduce the BANATIC national export to the PETR and their member groupings.

    Keeps the rows whose legal nature is PETR (pôle d'équilibre territorial et rural) and,
    when the export gives the members' category, only members that are groupings (EPCI):
    a PETR's members are EPCI.

    Returns
    -------
    DataFrame
        ``id_petr, lib_petr, siren_membre, lib_membre`` (SIREN as 9-digit strings).

    Raises
    ------
    ValueError
        Naming the file and the missing column(s); or when it holds no PETR.

    """
    table = pick_columns(read_table(path), BANATIC_EXPORT, path)
    nature = table["nature_juridique"].map(_fold)
    petr = table[(nature == "petr") | nature.str.startswith("pole_d_equilibre")]
    if petr.empty:
        natures = sorted(set(table["nature_juridique"]))[:12]
        raise ValueError(
            f"{path.name}: no grouping of legal nature PETR among {len(table):,} "
            f"rows (natures found: {natures}); the export's format has changed"
        )
    category = petr["categorie_membre"].map(_fold)
    members = petr[~category.str.startswith("commune")]
    return clean_codes(members[list(PETR_MEMBRES.columns)], PETR_MEMBRES, path)


# The tidy layout read by geodata.sources.banatic (the snapshot's opendata/banatic/ too).
BANATIC_GROUPEMENTS = Tidy(
    "banatic_groupements",
    {
        "siren": ("n_siren", "siren_groupement"),
        "libelle": ("nom_du_groupement", "raison_sociale", "nom_groupement"),
        "region_code": ("region_siege", "region"),
        "departement_code": ("departement_siege", "departement"),
        "nature": ("nature_juridique",),
        "population": ("population_totale",),
    },
    codes={"siren": "siren"},
    fallbacks={"region_code": None, "departement_code": None, "population": None},
)
BANATIC_ADHESIONS = Tidy(
    "banatic_adhesions",
    {"siren_groupement": (), "siren_membre": ()},
    codes={"siren_groupement": "siren", "siren_membre": "siren"},
)


def normalise_banatic_layout(path: Path, year: int | None = None) -> dict[str, pd.DataFrame]:
    """Split the BANATIC national export into the two tidy files of ``banatic/``.

    ``groupements_<year>.csv`` holds one row per grouping (``siren, libelle, region_code,
    departement_code, nature, population``; "84 - Auvergne-Rhône-Alpes" read as "84");
    ``adhesions_<year>.csv`` one row per grouping member of a grouping, as the snapshot
    writes it: ``siren_groupement`` (the member) adheres to ``siren_membre`` (the grouping).
    Commune members are left out. ``year`` defaults to the year of the download.

    Raises
    ------
    ValueError
        Naming the file and the missing column(s) or the bad codes.

    """
    raw = read_table(path)
    listed = pick_columns(raw, BANATIC_GROUPEMENTS, path)
    for col in ("region_code", "departement_code"):
        listed[col] = listed[col].str.split(" - ").str[0].str.strip()
    listed = clean_codes(listed.drop_duplicates("siren"), BANATIC_GROUPEMENTS, path)
    links = pick_columns(raw, BANATIC_EXPORT, path)
    links = links[~links["categorie_membre"].map(_fold).str.startswith("commune")]
    links = links.rename(columns={"siren_membre": "siren_groupement", "id_petr": "siren_membre"})
    links = clean_codes(links[list(BANATIC_ADHESIONS.columns)], BANATIC_ADHESIONS, path)
    year = year or datetime.now(UTC).year
    return {f"groupements_{year}.csv": listed, f"adhesions_{year}.csv": links}
