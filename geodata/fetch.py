"""Download the current editions of the official programme lists (``atlas fetch``).

Sources, resolved at run time so each run gets the publisher's current edition:

- ANCT on data.gouv.fr (Licence Ouverte 2.0): Action cœur de ville
  (``programme-action-coeur-de-ville``, "Liste des communes bénéficiaires (COG 2025)",
  ``liste-acv-com2025-*.csv``), Petites villes de demain
  (``programme-petites-villes-de-demain``, ``liste-pvd-com2025-*.csv``), Territoires
  d'industrie member groupings (``programme-territoires-dindustrie``,
  ``liste-ti-grpt2023-*.csv``), Fabriques de territoire and Manufactures de proximité;
- DGCL, BANATIC national export (one row per grouping × member, XLSX; Licence Ouverte
  2.0), reduced to the Pays/PETR and their member EPCI;
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
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sys
import tempfile
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from http.client import HTTPException, HTTPResponse
from pathlib import Path

import pandas as pd
from openpyxl.utils.exceptions import InvalidFileException

from geodata import config
from geodata.schema import Schema, check_schema

DATA_GOUV_API = "https://www.data.gouv.fr/api/1"
CACHE_FILE = ".fetch_cache.json"
RAW_DIR = "raw"
USER_AGENT = "atlas-cooperations/0.1 (atlas fetch; Python urllib)"
CHUNK = 64 * 1024
DOWNLOADED, UNCHANGED, FAILED = "downloaded", "unchanged", "failed"
LICENCE_OUVERTE = "Licence Ouverte 2.0 (Etalab)"
_RAW_EXTS = {"csv", "xlsx", "xls", "json", "zip", "7z", "gpkg", "txt"}


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
    data = path.read_bytes()
    if not data.strip():
        raise ValueError(f"{path.name}: the file is empty; the publisher sent no data")
    if data[:4] == b"PK\x03\x04":
        table = _read_xlsx(path)
    else:
        text = _decode(data)
        if text.lstrip()[:15].lower().startswith(("<!doctype html", "<html")):
            raise ValueError(f"{path.name}: an HTML page, not a table; check the source URL")
        table = pd.read_csv(
            io.StringIO(text), sep=_sniff_sep(text), dtype=str, keep_default_na=False
        )
    table.columns = [str(c).strip() for c in table.columns]
    return table


def _read_xlsx(path: Path) -> pd.DataFrame:
    try:
        return pd.read_excel(path, dtype=str, engine="openpyxl").fillna("")
    except (zipfile.BadZipFile, InvalidFileException, KeyError) as exc:
        raise ValueError(f"{path.name}: not a readable XLSX workbook ({exc})") from exc


def _decode(data: bytes) -> str:
    # The publishers use UTF-8 (often with a BOM) or Windows-1252; latin-1 never fails.
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _sniff_sep(text: str) -> str:
    header = text.split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


def _fold(text: str) -> str:
    """Fold a header for comparison: no accents, lower case, punctuation as ``_``."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")


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
        bad += [f"line {i + 2}, {col}={table.at[i, col]!r}: expected {_CODE_HELP[kind]}"
                for i in out.index[wrong][:5]]
    if bad:
        raise ValueError(f"{path.name}: {n_bad} invalid code(s), e.g. " + "; ".join(bad[:5]))
    for col in tidy.dates:
        out[col] = out[col].map(_iso_date)
    key = next(iter(tidy.codes), next(iter(tidy.columns)))
    out = out[out[key] != ""].drop_duplicates().reset_index(drop=True)
    if out.empty:
        raise ValueError(f"{path.name}: no row with a {key} for {tidy.name}; the file is empty "
                         "or its format has changed")
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
_CODE_HELP = {"insee": "an INSEE commune code of 5 characters, e.g. '01004' or '2A004'",
              "siren": "a SIREN of 9 digits, e.g. '200029999'"}


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
    {"id_ti": (), "lib_ti": ("nom_ti",), "siren_groupement": ("siren", "siren_epci"),
     "lib_groupement": ("nom_groupement", "lib_epci", "raison_sociale")},
    codes={"siren_groupement": "siren"},
    fallbacks={"lib_groupement": None},
)
FABRIQUES = Tidy(
    "fabriques_territoire",
    {**_COMMUNE, "id_fabt": ("id_fabrique", "identifiant"),
     "lib_fabt": ("nom_fabt", "nom_fabrique", "nom_du_tiers_lieu", "nom_tiers_lieu", "nom")},
    codes={"insee_com": "insee"},
)
MANUFACTURES = Tidy(
    "manufactures_proximite",
    {**_COMMUNE, "id_manuprox": ("id_manufacture", "identifiant"),
     "lib_manuprox": ("nom_manuprox", "nom_manufacture", "nom_du_tiers_lieu", "nom")},
    codes={"insee_com": "insee"},
)
# BANATIC national export headers (XLSX, first sheet): "N° SIREN", "Nom du groupement",
# "Nature juridique", "Siren membre", "Nom membre", "Catégorie des membres du groupement".
BANATIC_EXPORT = Tidy(
    "banatic",
    {"id_petr": ("n_siren", "siren", "siren_groupement"),
     "lib_petr": ("nom_du_groupement", "raison_sociale", "nom_groupement"),
     "nature_juridique": (),
     "siren_membre": ("n_siren_membre",),
     "lib_membre": ("nom_membre", "raison_sociale_membre"),
     "categorie_membre": ("categorie_des_membres_du_groupement", "type_membre")},
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
        raise ValueError(f"{path.name}: no grouping of legal nature PETR among {len(table):,} "
                         f"rows (natures found: {natures}); the export's format has changed")
    category = petr["categorie_membre"].map(_fold)
    members = petr[~category.str.startswith("commune")]
    return clean_codes(members[list(PETR_MEMBRES.columns)], PETR_MEMBRES, path)


# --------------------------------------------------------------------------------------
# The catalogue
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One official list: where to find it and how to make it tidy.

    Give either ``url`` (a direct link) or ``dataset`` (a data.gouv.fr dataset slug, its
    resource chosen by ``match``: substrings all found in the resource's title or URL,
    and ``formats``; the most recently modified one wins). ``output`` is the tidy file
    written in the destination by ``normalise(raw_path) -> DataFrame``; both ``None``
    keep the raw download as the product (``raw/<name>.<ext>``). ``optional`` sources are
    fetched only when named with ``--only``.
    """

    name: str
    description: str
    output: str | None
    normalise: Callable[[Path], pd.DataFrame] | None
    publisher: str
    licence: str
    url: str | None = None
    dataset: str | None = None
    match: tuple[str, ...] = ()
    formats: tuple[str, ...] = ("csv", "xlsx")
    raw_ext: str = "bin"
    optional: bool = False

    def __post_init__(self) -> None:
        """Check that the source is located one way and produces one thing."""
        if (self.url is None) == (self.dataset is None):
            raise ValueError(f"source {self.name!r}: give exactly one of url= or dataset=, "
                             f"got url={self.url!r}, dataset={self.dataset!r}")
        if (self.output is None) != (self.normalise is None):
            raise ValueError(f"source {self.name!r}: output= and normalise= go together "
                             f"(got output={self.output!r})")


ANCT = "Agence nationale de la cohésion des territoires (ANCT)"
CATALOGUE: tuple[Source, ...] = (
    Source("acv", "Action cœur de ville: communes and conventions", "acv.csv",
           partial(normalise_table, tidy=ACV), ANCT, LICENCE_OUVERTE,
           dataset="programme-action-coeur-de-ville", match=("liste-acv-com",), formats=("csv",),
           raw_ext="csv"),
    Source("pvd", "Petites villes de demain: communes", "pvd.csv",
           partial(normalise_table, tidy=PVD), ANCT, LICENCE_OUVERTE,
           dataset="programme-petites-villes-de-demain", match=("liste-pvd-com",),
           formats=("csv",), raw_ext="csv"),
    Source("ti", "Territoires d'industrie: member groupings", "ti_groupements.csv",
           partial(normalise_table, tidy=TI_GROUPEMENTS), ANCT, LICENCE_OUVERTE,
           dataset="programme-territoires-dindustrie", match=("liste-ti-grpt",),
           formats=("csv",), raw_ext="csv"),
    # Unconfirmed slug (no look-up reached the dataset page): the most recent CSV/XLSX wins.
    Source("fabriques", "Fabriques de territoire (tiers-lieux)", "fabriques_territoire.csv",
           partial(normalise_table, tidy=FABRIQUES), ANCT, LICENCE_OUVERTE,
           dataset="fabriques-de-territoire", raw_ext="csv"),
    # Unconfirmed slug, as above.
    Source("manufactures", "Manufactures de proximité (productive tiers-lieux)",
           "manufactures_proximite.csv", partial(normalise_table, tidy=MANUFACTURES), ANCT,
           LICENCE_OUVERTE, dataset="manufactures-de-proximite", raw_ext="csv"),
    Source("banatic", "BANATIC national export: Pays/PETR and their member EPCI",
           "petr_membres.csv", normalise_banatic,
           "Direction générale des collectivités locales (DGCL)", LICENCE_OUVERTE,
           url="https://www.banatic.interieur.gouv.fr/consultation/api/export/pregenere/"
               "telecharger/France", raw_ext="xlsx"),
    # Edition name seen in use; URL built on the confirmed geopf pattern of the 2024-02-22
    # edition. Update the date to the current edition from https://geoservices.ign.fr/adminexpress
    Source("admin_express", "IGN ADMIN EXPRESS COG CARTO, France entière, WGS84 (7z, large)",
           None, None, "Institut national de l'information géographique et forestière (IGN)",
           LICENCE_OUVERTE,
           url="https://data.geopf.fr/telechargement/download/ADMIN-EXPRESS-COG-CARTO/"
               "ADMIN-EXPRESS-COG-CARTO_3-2__SHP_WGS84G_FRA_2025-04-02/"
               "ADMIN-EXPRESS-COG-CARTO_3-2__SHP_WGS84G_FRA_2025-04-02.7z",
           raw_ext="7z", optional=True),
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


@dataclass(frozen=True)
class _Options:
    dest: Path
    timeout: float
    live: bool
    api_base: str


def fetch(
    dest: Path,
    only: Sequence[str] | None = None,
    *,
    sources: Sequence[Source] | None = None,
    timeout: float = 30,
    progress: bool = True,
    api_base: str = DATA_GOUV_API,
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

    Returns
    -------
    FetchReport
        One result per source: downloaded, unchanged or failed (with the reason). A
        failed source leaves its previous files in ``dest`` untouched.

    Raises
    ------
    ValueError
        When ``only`` names an unknown source (the message lists the valid names), or
        ``timeout`` is not positive.
    """
    selected = select_sources(only, sources)
    if not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    dest = Path(dest)
    (dest / RAW_DIR).mkdir(parents=True, exist_ok=True)
    opts = _Options(dest, float(timeout), progress and sys.stderr.isatty(), api_base.rstrip("/"))
    cache = _load_cache(dest)
    results = []
    for source in selected:
        results.append(_fetch_one(source, opts, cache))
        _save_cache(dest, cache)
    return FetchReport(dest, tuple(results))


def _fetch_one(source: Source, opts: _Options, cache: dict[str, dict]) -> SourceResult:
    target = source.url or _api_url(source, opts)
    try:
        target = _resolve_url(source, opts)
        return _download(source, target, opts, cache)
    except urllib.error.HTTPError as exc:
        why = f"HTTP {exc.code} {exc.reason} for {exc.filename or target}"
        return _failed(source, target, f"{why}; the lists in {opts.dest} are unchanged")
    except urllib.error.URLError as exc:
        return _failed(source, target, _url_error_message(exc, target, opts))
    except TimeoutError:
        return _failed(source, target, f"timed out after {opts.timeout:g} s reading {target}: "
                       "the server is slow; retry later or raise --timeout")
    except (FetchError, ValueError) as exc:
        return _failed(source, target, f"{exc} (from {target})")
    except (HTTPException, OSError) as exc:
        return _failed(source, target, f"transfer of {target} failed ({exc}); the lists in "
                       f"{opts.dest} are unchanged")


def _failed(source: Source, url: str, message: str) -> SourceResult:
    return SourceResult(source.name, FAILED, None, 0, message, url)


def _url_error_message(exc: urllib.error.URLError, url: str, opts: _Options) -> str:
    host = urllib.parse.urlsplit(url).netloc or url
    if not isinstance(exc.reason, OSError):
        return f"cannot open {url}: {exc.reason}"
    if isinstance(exc.reason, TimeoutError):
        return (f"timed out after {opts.timeout:g} s connecting to {host}: the server is slow "
                "or unreachable; retry later or raise --timeout")
    return (f"cannot reach {host} ({exc.reason}): you seem to be offline; the lists in "
            f"{opts.dest} are unchanged")


def _open(url: str, timeout: float, headers: Mapping[str, str] | None = None) -> HTTPResponse:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})
    return urllib.request.urlopen(request, timeout=timeout)


def _api_url(source: Source, opts: _Options) -> str:
    return f"{opts.api_base}/datasets/{source.dataset}/"


def _resolve_url(source: Source, opts: _Options) -> str:
    """Return the file URL: the direct one, or the data.gouv.fr resource that matches."""
    if source.url:
        return source.url
    api = _api_url(source, opts)
    with _open(api, opts.timeout, {"Accept": "application/json"}) as resp:
        body = resp.read()
    try:
        meta = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FetchError(f"{api} did not return dataset JSON ({exc}); check --api-base") from exc
    resources = meta.get("resources") if isinstance(meta, dict) else None
    if not isinstance(resources, list):
        raise FetchError(f"{api}: no 'resources' list in the dataset JSON")
    return _pick_resource(source, [r for r in resources if isinstance(r, dict)])["url"]


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
        resp = _open(url, opts.timeout, _conditional_headers(source, url, entry, opts.dest))
    except urllib.error.HTTPError as exc:
        if exc.code != 304:
            raise
        exc.close()
        return _unchanged(source, url, entry, opts.dest, "not modified (HTTP 304)")
    with resp:
        ext = _raw_ext(resp, url, source)
        work = Path(tempfile.mkdtemp(prefix=f".{source.name}.", suffix=".part",
                                     dir=opts.dest / RAW_DIR))
        try:
            raw_tmp = work / f"{source.name}.{ext}"
            digest, size = _receive(resp, raw_tmp, source.name, opts.live)
            if digest == entry.get("sha256") and _product(source, entry, opts.dest).is_file():
                cache[source.name] = {**entry, **_validators(resp, url)}
                return _unchanged(source, url, entry, opts.dest, "same content (sha256)")
            path, raw_path = _install(source, raw_tmp, opts.dest)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    cache[source.name] = _cache_entry(source, resp, url, raw_path, digest, size, opts.dest)
    return SourceResult(source.name, DOWNLOADED, path, size, f"{_human(size)} from {url}", url)


def _receive(resp: HTTPResponse, out_path: Path, name: str, live: bool) -> tuple[str, int]:
    """Stream the body to ``out_path``; return its sha256 and size.

    Raises
    ------
    FetchError
        When fewer bytes than ``Content-Length`` arrived (a truncated transfer).
    """
    length = resp.headers.get("Content-Length")
    total = int(length) if length and length.isdigit() else None
    digest, size = hashlib.sha256(), 0
    bar = _Progress(name, total, live)
    with out_path.open("wb") as out:
        while chunk := resp.read(CHUNK):
            out.write(chunk)
            digest.update(chunk)
            size += len(chunk)
            bar.update(size)
    bar.close(size)
    if total is not None and size != total:
        raise FetchError(f"truncated transfer: received {_human(size)} of {_human(total)} "
                         "announced; the previous files are kept, retry later")
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
    tidy_tmp = raw_tmp.with_name(f"tidy-{source.output}")  # same file system as dest
    table.to_csv(tidy_tmp, index=False, encoding="utf-8")
    os.replace(raw_tmp, raw_path)
    os.replace(tidy_tmp, dest / source.output)
    return dest / source.output, raw_path


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
    return SourceResult(source.name, UNCHANGED, _product(source, entry, dest), size,
                        f"{why}; kept the list of {entry.get('fetched_at', '?')}", url)


# --------------------------------------------------------------------------------------
# The cache
# --------------------------------------------------------------------------------------


def _conditional_headers(
    source: Source, url: str, entry: Mapping[str, str], dest: Path
) -> dict[str, str]:
    # Ask for changes only when the files of the last download are still in place.
    raw = dest / entry.get("raw", "-")
    if entry.get("url") != url or not raw.is_file() or not _product(source, entry, dest).is_file():
        return {}
    headers = {}
    if entry.get("etag"):
        headers["If-None-Match"] = entry["etag"]
    if entry.get("last_modified"):
        headers["If-Modified-Since"] = entry["last_modified"]
    return headers


def _validators(resp: HTTPResponse, url: str) -> dict[str, str | None]:
    return {"url": url, "etag": resp.headers.get("ETag"),
            "last_modified": resp.headers.get("Last-Modified")}


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
        tmp.write_text(json.dumps(cache, ensure_ascii=False, indent=2, sort_keys=True),
                       encoding="utf-8")
        os.replace(tmp, dest / CACHE_FILE)
    finally:
        tmp.unlink(missing_ok=True)


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------


def default_dest() -> Path:
    """Return where ``atlas fetch`` writes by default: ``$ATLAS_DATA_DIR`` or ``build/anct``."""
    return config.data_dir() or config.PROJECT_ROOT / "build" / "anct"


def run_fetch(
    dest: Path | None, only: list[str] | None, timeout: float = 30, progress: bool = True
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

    Returns
    -------
    int
        0 when every source was downloaded or unchanged, 1 when some failed, 2 for an
        unknown source name or a bad timeout (the message lists the valid names).
    """
    target = dest if dest is not None else default_dest()
    try:
        report = fetch(target, only, timeout=timeout, progress=progress)
    except ValueError as exc:
        print(f"atlas fetch: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"atlas fetch: cannot write to {target} ({exc}); choose another --dest",
              file=sys.stderr)
        return 1
    print(report)
    if report.ok:
        print(f"Use them with: ATLAS_DATA_DIR={target}")
    return 0 if report.ok else 1
