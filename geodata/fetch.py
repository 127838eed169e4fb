"""Download the current editions of the official programme lists (``atlas fetch``).

Sources, resolved at run time so each run gets the publisher's current edition:

- ANCT on data.gouv.fr (Licence Ouverte 2.0): Action cœur de ville
  (``programme-action-coeur-de-ville``, "Liste des communes bénéficiaires (COG 2025)",
  ``liste-acv-com2025-*.csv``), Petites villes de demain
  (``programme-petites-villes-de-demain``, ``liste-pvd-com2025-*.csv``), Territoires
  d'industrie member groupings (``programme-territoires-dindustrie``,
  ``liste-ti-grpt2023-*.csv``), Fabriques de territoire and Manufactures de proximité;
- DGCL, BANATIC national export (one row per grouping × member, XLSX; Licence Ouverte
  2.0), written as ``banatic/groupements_<year>.csv`` and ``banatic/adhesions_<year>.csv``
  (the layout of the snapshot, read by :mod:`geodata.sources.banatic`);
- IGN, ADMIN EXPRESS COG CARTO (7z archive, Licence Ouverte 2.0), kept as downloaded and
  fetched only when named (``--only admin_express``): it weighs several hundred MB.

Each list is normalised to the tidy CSV the loaders read from ``ATLAS_DATA_DIR`` (UTF-8,
comma-separated, codes as strings: INSEE 5 characters, SIREN 9 digits). The raw download
is kept under ``<dest>/raw/``; ``<dest>/.fetch_cache.json`` records each source's URL,
ETag, Last-Modified and the sha256 of its raw file, so a rerun asks the server for changes
only (``If-None-Match`` / ``If-Modified-Since``) and reports unchanged lists as such.

HTTP uses the standard library only (``urllib.request``), so tests serve fixture files from
127.0.0.1. Files are written atomically: download to a temporary file in the destination,
check the length against ``Content-Length``, normalise, then ``os.replace`` into place.

A server is not trusted to behave: each file has a byte cap (:attr:`Source.max_bytes`, the
known size with a wide margin) and a deadline for the whole transfer
(:attr:`Source.deadline`, headers included, so a server dripping one byte at a time is
abandoned); bodies are streamed to disk in chunks of :data:`CHUNK`; only ``http(s)`` URLs
are opened, redirects included; the dataset JSON is capped (:data:`API_MAX_BYTES`) before
it is parsed; a workbook's declared unpacked size and number of parts are checked before
it is opened (:func:`check_xlsx_bounds`); temporary files are removed on every failure, and
those of a run that was killed are removed by the next one.
"""

from __future__ import annotations

import codecs
import hashlib
import http.client
import io
import json
import math
import os
import re
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from http.client import HTTPException, HTTPResponse
from pathlib import Path

import pandas as pd
from openpyxl.utils.exceptions import InvalidFileException

from geodata import config
from geodata.schema import Schema, check_schema
from geodata.sources import anct
from geodata.text import fold_words
from geodata.vocab import PROGRAMMES

DATA_GOUV_API = "https://www.data.gouv.fr/api/1"
CACHE_FILE = ".fetch_cache.json"
RAW_DIR = "raw"
USER_AGENT = "atlas-cooperations/0.1 (atlas fetch; Python urllib)"
CHUNK = 64 * 1024
DOWNLOADED, UNCHANGED, FAILED = "downloaded", "unchanged", "failed"
LICENCE_OUVERTE = "Licence Ouverte 2.0 (Etalab)"
_RAW_EXTS = {"csv", "xlsx", "xls", "json", "zip", "7z", "gpkg", "txt"}
BASE_URL_ENV = "ATLAS_FETCH_BASE_URL"
# Limits against a hostile or broken server (see the README, "atlas fetch"). The official
# lists weigh under 1 MB, the BANATIC export tens of MB, ADMIN EXPRESS under 1 GB.
MAX_BYTES = 20_000_000  # per list file, unless its Source says otherwise
DEADLINE = 120.0  # seconds for the whole transfer of one file, unless its Source says otherwise
API_MAX_BYTES = 5_000_000  # a data.gouv.fr dataset JSON (tens of kB in practice)
XLSX_MAX_ENTRIES = 1_000  # parts of a workbook (an XLSX has a few dozen)
XLSX_MAX_RATIO = 100  # declared unpacked size / file size (spreadsheets: 5 to 20)
XLSX_MAX_UNPACKED = 1_000_000_000  # declared unpacked size of a workbook, whatever its size


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


# --------------------------------------------------------------------------------------
# The catalogue
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One official list: where to find it and how to make it tidy.

    Give either ``url`` (a direct link) or ``dataset`` (a data.gouv.fr dataset slug, its
    resource chosen by ``match``: substrings all found in the resource's title or URL,
    and ``formats``; the most recently modified one wins). ``output`` is the tidy file
    written in the destination by ``normalise(raw_path) -> DataFrame`` (or the folder
    written when it returns ``{file name: DataFrame}``, as BANATIC does); both ``None``
    keep the raw download as the product (``raw/<name>.<ext>``). ``optional`` sources are
    fetched only when named with ``--only``. ``max_bytes`` caps the download (the known
    size with a wide margin) and ``deadline`` the seconds its whole transfer may take.
    """

    name: str
    description: str
    output: str | None
    normalise: Callable[[Path], pd.DataFrame | dict[str, pd.DataFrame]] | None
    publisher: str
    licence: str
    url: str | None = None
    dataset: str | None = None
    match: tuple[str, ...] = ()
    formats: tuple[str, ...] = ("csv", "xlsx")
    raw_ext: str = "bin"
    optional: bool = False
    max_bytes: int = MAX_BYTES
    deadline: float = DEADLINE

    def __post_init__(self) -> None:
        """Check that the source is located one way and produces one thing, within limits."""
        if not (self.max_bytes > 0 and self.deadline > 0):
            raise ValueError(
                f"source {self.name!r}: max_bytes and deadline must be positive, "
                f"got {self.max_bytes!r} and {self.deadline!r}"
            )
        if (self.url is None) == (self.dataset is None):
            raise ValueError(
                f"source {self.name!r}: give exactly one of url= or dataset=, "
                f"got url={self.url!r}, dataset={self.dataset!r}"
            )
        if (self.output is None) != (self.normalise is None):
            raise ValueError(
                f"source {self.name!r}: output= and normalise= go together "
                f"(got output={self.output!r})"
            )


ANCT = "Agence nationale de la cohésion des territoires (ANCT)"


def _file(name: str) -> str:
    """Return the file an ANCT list is written to, as its reader expects (anct.CATALOGUE)."""
    return anct.CATALOGUE[name].file


CATALOGUE: tuple[Source, ...] = (
    Source(
        "acv",
        f"{PROGRAMMES['acv'].label}: communes and conventions",
        _file("acv"),
        partial(normalise_table, tidy=ACV),
        ANCT,
        LICENCE_OUVERTE,
        dataset="programme-action-coeur-de-ville",
        match=("liste-acv-com",),
        formats=("csv",),
        raw_ext="csv",
    ),
    Source(
        "pvd",
        f"{PROGRAMMES['pvd'].label}: communes",
        _file("pvd"),
        partial(normalise_table, tidy=PVD),
        ANCT,
        LICENCE_OUVERTE,
        dataset="programme-petites-villes-de-demain",
        match=("liste-pvd-com",),
        formats=("csv",),
        raw_ext="csv",
    ),
    Source(
        "ti",
        f"{PROGRAMMES['ti'].label}: member groupings",
        _file("ti"),
        partial(normalise_table, tidy=TI_GROUPEMENTS),
        ANCT,
        LICENCE_OUVERTE,
        dataset="programme-territoires-dindustrie",
        match=("liste-ti-grpt",),
        formats=("csv",),
        raw_ext="csv",
    ),
    # Unconfirmed slug (no look-up reached the dataset page): the most recent CSV/XLSX wins.
    Source(
        "fabriques",
        f"{PROGRAMMES['fabriques'].plural} (tiers-lieux)",
        _file("fabriques"),
        partial(normalise_table, tidy=FABRIQUES),
        ANCT,
        LICENCE_OUVERTE,
        dataset="fabriques-de-territoire",
        raw_ext="csv",
    ),
    # Unconfirmed slug, as above.
    Source(
        "manufactures",
        f"{PROGRAMMES['manufactures'].plural} (productive tiers-lieux)",
        _file("manufactures"),
        partial(normalise_table, tidy=MANUFACTURES),
        ANCT,
        LICENCE_OUVERTE,
        dataset="manufactures-de-proximite",
        raw_ext="csv",
    ),
    Source(
        "banatic",
        "BANATIC national export: groupings and their grouping members",
        "banatic",
        normalise_banatic_layout,
        "Direction générale des collectivités locales (DGCL)",
        LICENCE_OUVERTE,
        url="https://www.banatic.interieur.gouv.fr/consultation/api/export/pregenere/"
        "telecharger/France",
        raw_ext="xlsx",
        max_bytes=200_000_000,
        deadline=900,
    ),
    # Edition name seen in use; URL built on the confirmed geopf pattern of the 2024-02-22
    # edition. Update the date to the current edition from https://geoservices.ign.fr/adminexpress
    Source(
        "admin_express",
        "IGN ADMIN EXPRESS COG CARTO, France entière, WGS84 (7z, large)",
        None,
        None,
        "Institut national de l'information géographique et forestière (IGN)",
        LICENCE_OUVERTE,
        url="https://data.geopf.fr/telechargement/download/ADMIN-EXPRESS-COG-CARTO/"
        "ADMIN-EXPRESS-COG-CARTO_3-2__SHP_WGS84G_FRA_2025-04-02/"
        "ADMIN-EXPRESS-COG-CARTO_3-2__SHP_WGS84G_FRA_2025-04-02.7z",
        raw_ext="7z",
        optional=True,
        max_bytes=2_000_000_000,
        deadline=3600,
    ),
)


def select_sources(
    only: Sequence[str] | None = None, sources: Sequence[Source] | None = None
) -> tuple[Source, ...]:
    """Return the sources to fetch: those named in ``only``, else all but the optional ones.

    Raises
    ------
    ValueError
        Listing the unknown names and the valid ones.

    """
    catalogue = tuple(CATALOGUE if sources is None else sources)
    if not only:
        return tuple(s for s in catalogue if not s.optional)
    wanted = [only] if isinstance(only, str) else list(only)
    names = [s.name for s in catalogue]
    unknown = [n for n in wanted if n not in names]
    if unknown:
        raise ValueError(f"unknown source name(s) {unknown}; valid names: {', '.join(names)}")
    return tuple(s for s in catalogue if s.name in wanted)


# --------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceResult:
    """What happened to one source.

    ``status`` is ``"downloaded"``, ``"unchanged"`` or ``"failed"``; ``path`` the product
    (tidy CSV, or the raw archive); ``bytes`` the size of the raw download (or of the
    raw file kept, when unchanged); ``url`` the file's URL when it was resolved.
    """

    name: str
    status: str
    path: Path | None
    bytes: int
    message: str
    url: str | None = None


@dataclass(frozen=True)
class FetchReport:
    """The outcome of :func:`fetch`, one :class:`SourceResult` per source."""

    dest: Path
    results: tuple[SourceResult, ...]

    @property
    def ok(self) -> bool:
        """``True`` when no source failed."""
        return all(r.status != FAILED for r in self.results)

    def __getitem__(self, name: str) -> SourceResult:
        """Return the result of source ``name``."""
        for result in self.results:
            if result.name == name:
                return result
        names = [r.name for r in self.results]
        raise KeyError(f"no source {name!r} in this report; it has {names}")

    def __str__(self) -> str:
        """Return a summary: one line per source, its message, and the counts."""
        lines = [f"atlas fetch -> {self.dest}"]
        for r in self.results:
            lines.append(f"  {r.name:<13} {r.status:<10} {_human(r.bytes):>9}  {r.path or '-'}")
            lines.append(f"      {r.message}")
        counts = Counter(r.status for r in self.results)
        lines.append(", ".join(f"{counts[s]} {s}" for s in (DOWNLOADED, UNCHANGED, FAILED)))
        return "\n".join(lines)


def _human(size: int) -> str:
    value = float(size)
    for unit in ("B", "kB", "MB"):
        if value < 1000:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


class _Progress:
    """Bytes received / Content-Length on stderr; one line per file when not live."""

    def __init__(self, name: str, total: int | None, live: bool) -> None:
        self.name, self.total, self.live = name, total, live
        self.stream = sys.stderr
        self.last = 0.0

    def update(self, done: int) -> None:
        now = time.monotonic()
        if self.live and now - self.last >= 0.1:
            self.last = now
            self.stream.write(f"\r  {self.name}: {self._text(done)}\033[K")
            self.stream.flush()

    def close(self, done: int) -> None:
        prefix = "\r" if self.live else ""
        self.stream.write(f"{prefix}  {self.name}: {self._text(done)}\n")
        self.stream.flush()

    def _text(self, done: int) -> str:
        if not self.total:
            return f"{_human(done)}"
        return f"{_human(done)} / {_human(self.total)} {100 * done // self.total:3d}%"


# --------------------------------------------------------------------------------------
# Downloading
# --------------------------------------------------------------------------------------


class FetchError(Exception):
    """A source could not be fetched; the message says why and what to do."""


class DeadlineExceeded(TimeoutError):
    """The whole transfer of one source outlasted its deadline (:attr:`Source.deadline`)."""


@dataclass(frozen=True)
class _Options:
    dest: Path
    timeout: float
    live: bool
    api_base: str
    deadline: float | None = None  # None: each source's own
    base_url: str | None = None
    end: float = math.inf  # time.monotonic() at which the current source is abandoned


def fetch(
    dest: Path,
    only: Sequence[str] | None = None,
    *,
    sources: Sequence[Source] | None = None,
    timeout: float = 30,
    progress: bool = True,
    api_base: str = DATA_GOUV_API,
    deadline: float | None = None,
    base_url: str | None = None,
) -> FetchReport:
    """Download the current official lists into ``dest`` as tidy CSV.

    Parameters
    ----------
    dest : Path
        Destination directory (created); use it as ``ATLAS_DATA_DIR``. Raw downloads go
        to ``dest/raw/``, the cache to ``dest/.fetch_cache.json``.
    only : sequence of str, optional
        Names of the sources to fetch; default: every non-optional source.
    sources : sequence of Source, optional
        The catalogue (default :data:`CATALOGUE`); tests point it at a local server.
    timeout : float
        Seconds allowed to connect and for each read.
    progress : bool
        Show a progress bar on stderr when it is a terminal (else one line per file).
    api_base : str
        The data.gouv.fr API root used to resolve dataset slugs.
    deadline : float, optional
        Seconds allowed for the whole transfer of each source (dataset JSON, redirects,
        headers and body); default: each source's :attr:`Source.deadline`.
    base_url : str, optional
        Send every request to this ``http(s)`` server instead: each URL (the API root, the
        direct links, the links the API returns) keeps its path and query, prefixed by
        the base URL's path. For a mirror, or a test server on 127.0.0.1.

    Returns
    -------
    FetchReport
        One result per source: downloaded, unchanged or failed (with the reason). A
        failed source leaves its previous files in ``dest`` untouched.

    Raises
    ------
    ValueError
        When ``only`` names an unknown source (the message lists the valid names),
        ``timeout`` or ``deadline`` is not positive, or ``base_url`` is not an http(s) URL.

    """
    selected = select_sources(only, sources)
    if not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    if deadline is not None and not deadline > 0:
        raise ValueError(f"deadline must be a positive number of seconds, got {deadline!r}")
    if base_url is not None and not _is_http(base_url):
        raise ValueError(
            f"base URL must be an http:// or https:// URL with a host, got "
            f"{base_url!r} (--base-url or ${BASE_URL_ENV})"
        )
    dest = Path(dest)
    (dest / RAW_DIR).mkdir(parents=True, exist_ok=True)
    _sweep_parts(dest)
    opts = _Options(
        dest,
        float(timeout),
        progress and sys.stderr.isatty(),
        api_base.rstrip("/"),
        deadline,
        base_url,
    )
    cache = _load_cache(dest)
    results = []
    for source in selected:
        results.append(_fetch_one(source, opts, cache))
        _save_cache(dest, cache)
    return FetchReport(dest, tuple(results))


def _fetch_one(source: Source, opts: _Options, cache: dict[str, dict]) -> SourceResult:
    seconds = opts.deadline or source.deadline
    opts = replace(opts, end=time.monotonic() + seconds)
    target = _rebase(source.url, opts) if source.url else _api_url(source, opts)
    try:
        target = _resolve_url(source, opts)
        return _download(source, target, opts, cache)
    except DeadlineExceeded:
        return _failed(
            source,
            target,
            f"abandoned after {seconds:g} s, the deadline for one "
            f"file: {target} sends too slowly; retry later or raise --deadline",
        )
    except urllib.error.HTTPError as exc:
        why = f"HTTP {exc.code} {exc.reason} for {exc.filename or target}"
        return _failed(source, target, f"{why}; the lists in {opts.dest} are unchanged")
    except urllib.error.URLError as exc:
        return _failed(source, target, _url_error_message(exc, target, opts))
    except TimeoutError:
        return _failed(
            source,
            target,
            f"timed out after {opts.timeout:g} s reading {target}: "
            "the server is slow; retry later or raise --timeout",
        )
    except (FetchError, ValueError) as exc:
        return _failed(source, target, f"{exc} (from {target})")
    except (HTTPException, OSError) as exc:
        return _failed(
            source,
            target,
            f"transfer of {target} failed ({exc}); the lists in {opts.dest} are unchanged",
        )


def _failed(source: Source, url: str, message: str) -> SourceResult:
    return SourceResult(source.name, FAILED, None, 0, message, url)


def _url_error_message(exc: urllib.error.URLError, url: str, opts: _Options) -> str:
    host = urllib.parse.urlsplit(url).netloc or url
    if not isinstance(exc.reason, OSError):
        return f"cannot open {url}: {exc.reason}"
    if isinstance(exc.reason, TimeoutError) and time.monotonic() >= opts.end:
        # The connection's timeout is cut to the time left before the deadline.
        return (
            f"abandoned {url}: the deadline for one file passed while connecting to "
            f"{host}; retry later or raise --deadline"
        )
    if isinstance(exc.reason, TimeoutError):
        return (
            f"timed out after {opts.timeout:g} s connecting to {host}: the server is slow "
            "or unreachable; retry later or raise --timeout"
        )
    return (
        f"cannot reach {host} ({exc.reason}): you seem to be offline; the lists in "
        f"{opts.dest} are unchanged"
    )


def _open(url: str, opts: _Options, headers: Mapping[str, str] | None = None) -> HTTPResponse:
    """Open an http(s) URL; its connection, redirects and reads end by ``opts.end``."""
    check_url(url, "URL")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})
    return _opener(opts.end).open(request, timeout=opts.timeout)


def _api_url(source: Source, opts: _Options) -> str:
    return _rebase(f"{opts.api_base}/datasets/{source.dataset}/", opts)


def _resolve_url(source: Source, opts: _Options) -> str:
    """Return the file URL: the direct one, or the data.gouv.fr resource that matches."""
    if source.url:
        return _rebase(source.url, opts)
    api = _api_url(source, opts)
    with _open(api, opts, {"Accept": "application/json"}) as resp:
        # Capped before parsing: an endless JSON would otherwise end in a MemoryError.
        body = b"".join(_chunks(resp, API_MAX_BYTES, api, f"the dataset JSON of {source.name}"))
    try:
        meta = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        why = "nested too deeply" if isinstance(exc, RecursionError) else exc
        raise FetchError(f"{api} did not return dataset JSON ({why}); check --api-base") from None
    resources = meta.get("resources") if isinstance(meta, dict) else None
    if not isinstance(resources, list):
        raise FetchError(f"{api}: no 'resources' list in the dataset JSON")
    url = str(_pick_resource(source, [r for r in resources if isinstance(r, dict)])["url"])
    return _rebase(check_url(url, f"dataset {source.dataset!r} lists"), opts)


def _pick_resource(source: Source, resources: list[dict]) -> dict:
    wanted = [_fold(m) for m in source.match]

    def fits(res: dict) -> bool:
        text = _fold(f"{res.get('title', '')} {res.get('url', '')}")
        return _resource_format(res) in source.formats and all(w in text for w in wanted)

    hits = [r for r in resources if r.get("url") and fits(r)]
    if not hits:
        found = [(r.get("title"), r.get("format")) for r in resources]
        raise FetchError(
            f"dataset {source.dataset!r}: no resource matches {list(source.match)} in format "
            f"{list(source.formats)}; resources found: {found}. Update the selector of "
            f"{source.name!r} in geodata/fetch.py"
        )
    return max(hits, key=lambda r: str(r.get("last_modified") or ""))


def _resource_format(res: dict) -> str:
    declared = str(res.get("format") or "").lower().strip(". ")
    return declared or Path(urllib.parse.urlsplit(str(res["url"])).path).suffix.lower()[1:]


def _download(source: Source, url: str, opts: _Options, cache: dict[str, dict]) -> SourceResult:
    entry = cache.get(source.name, {})
    try:
        resp = _open(url, opts, _conditional_headers(source, url, entry, opts.dest))
    except urllib.error.HTTPError as exc:
        if exc.code != 304:
            raise
        exc.close()
        return _unchanged(source, url, entry, opts.dest, "not modified (HTTP 304)")
    with resp:
        ext = _raw_ext(resp, url, source)
        work = Path(
            tempfile.mkdtemp(prefix=f".{source.name}.", suffix=".part", dir=opts.dest / RAW_DIR)
        )
        try:
            raw_tmp = work / f"{source.name}.{ext}"
            digest, size = _receive(resp, raw_tmp, source, url, opts.live)
            if digest == entry.get("sha256") and _product(source, entry, opts.dest).exists():
                cache[source.name] = {**entry, **_validators(resp, url)}
                return _unchanged(source, url, entry, opts.dest, "same content (sha256)")
            path, raw_path = _install(source, raw_tmp, opts.dest)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    cache[source.name] = _cache_entry(source, resp, url, raw_path, digest, size, opts.dest)
    return SourceResult(source.name, DOWNLOADED, path, size, f"{_human(size)} from {url}", url)


def _receive(
    resp: HTTPResponse, out_path: Path, source: Source, url: str, live: bool
) -> tuple[str, int]:
    """Stream the body to ``out_path``, at most ``source.max_bytes``; return sha256 and size.

    Raises
    ------
    FetchError
        When fewer bytes than ``Content-Length`` arrived (a truncated transfer), or more
        than ``source.max_bytes`` are announced or sent.

    """
    total = _announced(resp)
    digest, size = hashlib.sha256(), 0
    bar = _Progress(source.name, total, live)
    with out_path.open("wb") as out:
        for chunk in _chunks(resp, source.max_bytes, url, source.name):
            out.write(chunk)
            digest.update(chunk)
            size += len(chunk)
            bar.update(size)
    bar.close(size)
    if total is not None and size != total:
        raise FetchError(
            f"truncated transfer: received {_human(size)} of {_human(total)} "
            "announced; the previous files are kept, retry later"
        )
    return digest.hexdigest(), size


def _install(source: Source, raw_tmp: Path, dest: Path) -> tuple[Path, Path]:
    """Normalise the download, then move raw and tidy files into place atomically.

    Returns the product (tidy CSV, or the raw file when there is no normaliser) and the
    raw file's final path.
    """
    raw_path = dest / RAW_DIR / raw_tmp.name
    if source.normalise is None or source.output is None:
        os.replace(raw_tmp, raw_path)
        return raw_path, raw_path
    table = source.normalise(raw_tmp)
    if isinstance(table, dict):  # several files, written in the folder ``output``
        return _install_folder(table, raw_tmp, raw_path, dest / source.output)
    tidy_tmp = raw_tmp.with_name(f"tidy-{source.output}")  # same file system as dest
    table.to_csv(tidy_tmp, index=False, encoding="utf-8")
    os.replace(raw_tmp, raw_path)
    os.replace(tidy_tmp, dest / source.output)
    return dest / source.output, raw_path


def _install_folder(
    tables: dict[str, pd.DataFrame], raw_tmp: Path, raw_path: Path, folder: Path
) -> tuple[Path, Path]:
    """Write each tidy table (file name -> table) into ``folder``, each file atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    staged = []
    for name, table in tables.items():
        tmp = raw_tmp.with_name(f"tidy-{name}")
        table.to_csv(tmp, index=False, encoding="utf-8")
        staged.append((tmp, folder / name))
    os.replace(raw_tmp, raw_path)
    for tmp, final in staged:
        os.replace(tmp, final)
    return folder, raw_path


def _raw_ext(resp: HTTPResponse, url: str, source: Source) -> str:
    for name in (resp.headers.get_filename(), urllib.parse.urlsplit(url).path):
        ext = Path(name or "").suffix.lower().lstrip(".")
        if ext in _RAW_EXTS:
            return ext
    return source.raw_ext


def _product(source: Source, entry: Mapping[str, str], dest: Path) -> Path:
    if source.output:
        return dest / source.output
    return dest / entry.get("raw", f"{RAW_DIR}/{source.name}.{source.raw_ext}")


def _unchanged(
    source: Source, url: str, entry: Mapping[str, object], dest: Path, why: str
) -> SourceResult:
    raw = dest / str(entry.get("raw", ""))
    size = raw.stat().st_size if raw.is_file() else 0
    return SourceResult(
        source.name,
        UNCHANGED,
        _product(source, entry, dest),
        size,
        f"{why}; kept the list of {entry.get('fetched_at', '?')}",
        url,
    )


# --------------------------------------------------------------------------------------
# A client that does not trust the server: http(s) only, bytes capped, a deadline per file
# --------------------------------------------------------------------------------------


def _is_http(url: str) -> bool:
    parts = urllib.parse.urlsplit(str(url))
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def check_url(url: str, what: str = "URL") -> str:
    """Return ``url`` when it is an ``http://`` or ``https://`` URL with a host.

    ``urllib`` would also open ``file://``, ``ftp://`` and ``data:`` URLs, and a server
    or the dataset JSON could name one (``file:///etc/passwd``).

    Parameters
    ----------
    url : str
        The URL about to be opened.
    what : str
        Where it comes from, for the message ("URL", "redirect from ... to").

    Raises
    ------
    FetchError
        Naming the URL, for any other scheme or a URL without a host.

    """
    if not _is_http(url):
        raise FetchError(
            f"refused {what} {str(url)[:200]!r}: only http:// and https:// URLs are fetched"
        )
    return url


def _rebase(url: str, opts: _Options) -> str:
    """Send ``url`` to ``opts.base_url`` when one is set: same path and query."""
    if not opts.base_url:
        return url
    base, parts = urllib.parse.urlsplit(opts.base_url), urllib.parse.urlsplit(url)
    path = base.path.rstrip("/") + (parts.path or "/")
    return urllib.parse.urlunsplit((base.scheme, base.netloc, path, parts.query, ""))


def _sweep_parts(dest: Path) -> None:
    """Remove the temporary folders a killed run left in ``raw/`` (``.<source>.*.part``).

    A run removes its own on any failure; only a killed one (out of memory, power cut)
    leaves them. Two runs must not share a destination (the cache is shared too).
    """
    for stale in (dest / RAW_DIR).glob(".*.part"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)


def _announced(resp: HTTPResponse) -> int | None:
    length = resp.headers.get("Content-Length")
    return int(length) if length and length.isdigit() else None


def _chunks(resp: HTTPResponse, cap: int, url: str, what: str) -> Iterator[bytes]:
    """Yield the body in chunks of at most :data:`CHUNK` bytes, never more than ``cap``.

    Raises
    ------
    FetchError
        When the server announces or sends more than ``cap`` bytes; at most ``cap + 1``
        bytes are read.

    """
    total = _announced(resp)
    if total is not None and total > cap:
        raise FetchError(
            f"refused: {url} announces {_human(total)}, more than the "
            f"{_human(cap)} allowed for {what}; nothing was downloaded"
        )
    size = 0
    while chunk := resp.read(min(CHUNK, cap + 1 - size)):
        size += len(chunk)
        if size > cap:
            raise FetchError(
                f"stopped at {_human(cap)}: {url} sends more than the "
                f"{_human(cap)} allowed for {what}; nothing was kept"
            )
        yield chunk


def _left(end: float) -> float:
    """Seconds left before ``end`` (a ``time.monotonic()``); raise once it has passed."""
    left = end - time.monotonic()
    if left <= 0:
        raise DeadlineExceeded("the deadline for this file has passed")
    return left


class _DeadlineStream(io.RawIOBase):
    """A socket's reads, each waiting at most ``timeout`` and never past ``end``.

    A socket timeout bounds one ``recv``; a server sending one byte per second never
    trips it. Checking the clock before each ``recv`` bounds the status line, the
    headers and the body as a whole.
    """

    def __init__(self, sock, end: float, timeout: float) -> None:
        super().__init__()
        self._sock, self._end, self._timeout = sock, end, timeout
        self._raw = sock.makefile("rb", buffering=0)  # counts as a use of the socket

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._raw.fileno()

    def readinto(self, buffer) -> int | None:
        self._sock.settimeout(min(self._timeout, _left(self._end)))
        try:
            return self._raw.readinto(buffer)
        except TimeoutError:
            if time.monotonic() >= self._end:
                raise DeadlineExceeded("the deadline for this file has passed") from None
            raise

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class _DeadlineResponse(http.client.HTTPResponse):
    """An HTTP response read through a :class:`_DeadlineStream`."""

    def __init__(self, sock, *args, end: float, timeout: float, **kwargs) -> None:
        super().__init__(sock, *args, **kwargs)
        plain, self.fp = self.fp, io.BufferedReader(_DeadlineStream(sock, end, timeout))
        plain.close()


class _DeadlineConnection:
    """Mixin for ``http.client`` connections: connecting and reading end by ``end``."""

    def __init__(self, *args, end: float, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._end = end
        timeout = self.timeout if isinstance(self.timeout, int | float) else DEADLINE
        self.response_class = partial(_DeadlineResponse, end=end, timeout=timeout)

    def connect(self) -> None:
        if isinstance(self.timeout, int | float):
            self.timeout = min(self.timeout, _left(self._end))
        super().connect()


class _HTTPConnection(_DeadlineConnection, http.client.HTTPConnection):
    pass


class _HTTPSConnection(_DeadlineConnection, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, end: float) -> None:
        super().__init__()
        self._end = end

    def do_open(self, http_class, req, **kwargs):
        return super().do_open(partial(_HTTPConnection, end=self._end), req, **kwargs)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, end: float) -> None:
        super().__init__()
        self._end = end

    def do_open(self, http_class, req, **kwargs):
        return super().do_open(partial(_HTTPSConnection, end=self._end), req, **kwargs)


class _HttpOnlyRedirect(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http(s) URLs only, without reading the redirect's body."""

    def http_error_302(self, req, fp, code, msg, headers):
        location = headers.get("Location") or headers.get("URI")
        if location:
            target = urllib.parse.urljoin(req.full_url, location)
            if not _is_http(target):
                fp.close()
                check_url(target, f"redirect from {req.full_url} to")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        fp.close()  # urllib would read its body whole: an endless one never ends
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener(end: float) -> urllib.request.OpenerDirector:
    """Return an opener for http(s) only (no file, ftp or data handler), ending by ``end``."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.UnknownHandler(),
        _HTTPHandler(end),
        _HTTPSHandler(end),
        urllib.request.HTTPDefaultErrorHandler(),
        _HttpOnlyRedirect(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


# --------------------------------------------------------------------------------------
# The cache
# --------------------------------------------------------------------------------------


def _conditional_headers(
    source: Source, url: str, entry: Mapping[str, str], dest: Path
) -> dict[str, str]:
    # Ask for changes only when the files of the last download are still in place.
    raw = dest / entry.get("raw", "-")
    if entry.get("url") != url or not raw.is_file() or not _product(source, entry, dest).exists():
        return {}
    headers = {}
    if entry.get("etag"):
        headers["If-None-Match"] = entry["etag"]
    if entry.get("last_modified"):
        headers["If-Modified-Since"] = entry["last_modified"]
    return headers


def _validators(resp: HTTPResponse, url: str) -> dict[str, str | None]:
    return {
        "url": url,
        "etag": resp.headers.get("ETag"),
        "last_modified": resp.headers.get("Last-Modified"),
    }


def _cache_entry(
    source: Source, resp: HTTPResponse, url: str, raw: Path, digest: str, size: int, dest: Path
) -> dict[str, object]:
    return {
        **_validators(resp, url),
        "sha256": digest,
        "bytes": size,
        "raw": raw.relative_to(dest).as_posix(),
        "output": source.output,
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "publisher": source.publisher,
        "licence": source.licence,
    }


def _load_cache(dest: Path) -> dict[str, dict]:
    path = dest / CACHE_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        # A damaged cache only costs full downloads; the lists themselves are intact.
        return {}
    return data if isinstance(data, dict) else {}


def _save_cache(dest: Path, cache: Mapping[str, dict]) -> None:
    tmp = dest / f"{CACHE_FILE}.part"
    try:
        tmp.write_text(
            json.dumps(cache, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8"
        )
        os.replace(tmp, dest / CACHE_FILE)
    finally:
        tmp.unlink(missing_ok=True)


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------


def default_dest() -> Path:
    """Return where ``atlas fetch`` writes by default: ``$ATLAS_DATA_DIR`` or ``build/opendata``.

    Never the snapshot shipped in the repository (``opendata/``): a download goes beside
    it, and is used once ``ATLAS_DATA_DIR`` points at it.
    """
    directory = config.data_dir()
    if config.is_snapshot(directory):
        return config.PROJECT_ROOT / "build" / "opendata"
    return directory


def run_fetch(
    dest: Path | None,
    only: list[str] | None,
    timeout: float = 30,
    progress: bool = True,
    *,
    base_url: str | None = None,
    deadline: float | None = None,
) -> int:
    """Run ``atlas fetch``: fetch, print the report, return the process exit code.

    Parameters
    ----------
    dest : Path or None
        Destination directory; ``None`` for :func:`default_dest`.
    only : list of str or None
        Source names (``--only``); ``None`` for every non-optional source.
    timeout : float
        Seconds allowed to connect and for each read.
    progress : bool
        Show a progress bar on stderr when it is a terminal.
    base_url : str, optional
        ``--base-url``; default: ``$ATLAS_FETCH_BASE_URL`` when set (see :func:`fetch`).
    deadline : float, optional
        ``--deadline``: seconds for each source as a whole; default: each source's own.

    Returns
    -------
    int
        0 when every source was downloaded or unchanged, 1 when some failed, 2 for an
        unknown source name, a bad timeout or deadline, or a base URL that is not http(s)
        (the message says which).

    """
    target = dest if dest is not None else default_dest()
    if base_url is None:
        base_url = os.environ.get(BASE_URL_ENV, "").strip() or None
    try:
        report = fetch(
            target, only, timeout=timeout, progress=progress, deadline=deadline, base_url=base_url
        )
    except ValueError as exc:
        print(f"atlas fetch: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            f"atlas fetch: cannot write to {target} ({exc}); choose another --dest", file=sys.stderr
        )
        return 1
    print(report)
    if report.ok:
        print(f"Use them with: ATLAS_DATA_DIR={target}")
    return 0 if report.ok else 1
