"""Where the atlas reads and writes its data. Read from the environment on each call.

- ``ATLAS_BUILD_DIR``: directory of the built GeoParquet files (default ``build/`` at the
  project root, git-ignored).
- ``ATLAS_DATA_DIR``: directory of the official ANCT programme lists (tidy CSV); optional.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def build_dir() -> Path:
    """Return the build directory: ``$ATLAS_BUILD_DIR`` or ``<project>/build``."""
    value = os.environ.get("ATLAS_BUILD_DIR", "").strip()
    return Path(value).expanduser() if value else PROJECT_ROOT / "build"


def data_dir() -> Path | None:
    """Return ``$ATLAS_DATA_DIR`` (the ANCT lists) or ``None`` when it is not set."""
    value = os.environ.get("ATLAS_DATA_DIR", "").strip()
    return Path(value).expanduser() if value else None


def curated_dir() -> Path:
    """Return the directory of the curated, human-edited tables shipped in the repository."""
    return PROJECT_ROOT / "geodata" / "data"
