"""Constants of ``atlas fetch``: the API, file names, and the limits against a hostile server."""

from __future__ import annotations

from geodata import config

DATA_GOUV_API = "https://www.data.gouv.fr/api/1"
CACHE_FILE = config.FETCH_CACHE
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


def _human(size: int) -> str:
    value = float(size)
    for unit in ("B", "kB", "MB"):
        if value < 1000:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"
