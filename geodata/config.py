"""Where the atlas reads and writes its data. Read from the environment on each call.

- ``ATLAS_BUILD_DIR``: directory of the built GeoParquet files (default ``build/`` at the
  project root, git-ignored).
- ``ATLAS_DATA_DIR``: directory of the official open data (tidy CSV), laid out as
  ``anct/``, ``banatic/``, ``insee/`` (a flat folder of the ANCT lists is also read). Default:
  the dated snapshot shipped in the repository, ``opendata/`` (see its README).
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT_DIR = PROJECT_ROOT / "opendata"
SNAPSHOT_DATE = "2026-12-01"  # when the files of opendata/ were copied from their reference


def build_dir() -> Path:
    """Return the build directory: ``$ATLAS_BUILD_DIR`` or ``<project>/build``."""
    value = os.environ.get("ATLAS_BUILD_DIR", "").strip()
    return Path(value).expanduser() if value else PROJECT_ROOT / "build"


def data_dir() -> Path:
    """Return ``$ATLAS_DATA_DIR`` when set, else the shipped snapshot :data:`SNAPSHOT_DIR`."""
    value = os.environ.get("ATLAS_DATA_DIR", "").strip()
    return Path(value).expanduser() if value else SNAPSHOT_DIR


def is_snapshot(directory: Path | None) -> bool:
    """Return True when ``directory`` is the snapshot shipped in the repository."""
    return directory is not None and Path(directory).resolve() == SNAPSHOT_DIR.resolve()


FETCH_CACHE = ".fetch_cache.json"  # written by ``atlas fetch`` at the root of its destination


def edition(folder: Path) -> str:
    """Tell which copy of the official data a source folder holds.

    ``"snapshot"`` (the copy shipped in ``opendata/``), ``"fetched"`` (a destination of
    ``atlas fetch``, which leaves its cache file there) or ``"dir"`` (a folder of the
    user's). ``folder`` is the source's folder (``anct/``…) or, for a flat folder of lists,
    the data directory itself.
    """
    for candidate in (Path(folder), Path(folder).parent):
        if is_snapshot(candidate):
            return "snapshot"
        if (candidate / FETCH_CACHE).is_file():
            return "fetched"
    return "dir"


def source_dir(directory: Path | None, source: str) -> Path | None:
    """Return the folder of one source (``"anct"``, ``"banatic"``, ``"insee"``) in a data dir.

    A data directory holds one folder per source (``anct/``, ``banatic/``…), as the snapshot
    and ``atlas fetch`` lay it out; a flat folder of files (an older ``ATLAS_DATA_DIR``) is
    read as is. ``None`` stays ``None`` (no data directory: nothing is loaded).
    """
    if directory is None:
        return None
    sub = Path(directory) / source
    return sub if sub.is_dir() else Path(directory)


def curated_dir() -> Path:
    """Return the directory of the curated, human-edited tables shipped in the repository."""
    return PROJECT_ROOT / "geodata" / "data"
