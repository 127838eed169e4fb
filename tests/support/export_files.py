"""Reading a static export's files as a user of its data would (``atlas embed``)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any


def text_of(path: Path) -> str:
    """The text of an export file; a ``.gz`` one (the layers' GeoJSON) decompressed."""
    data = path.read_bytes()
    return (gzip.decompress(data) if path.name.endswith(".gz") else data).decode("utf-8")


def layer_data(data_dir: Path, layer: str) -> dict[str, Any]:
    """The one GeoJSON FeatureCollection of ``layer`` in an export's ``data/`` folder."""
    (path,) = data_dir.glob(f"{layer}-*.geojson.gz")
    return json.loads(text_of(path))
