"""Benchmark of the base geography build: cold and warm `atlas build`, GeoJSON sizes.

Prints figures; checks nothing. Run: ``.venv/bin/python bench/bench_build.py``.
The naive way it is compared with: the raw (unsimplified) national EPCI layer.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd

ATLAS = [sys.executable, "-m", "cli"]


def timed_build(out: Path, *extra: str) -> float:
    """Run `atlas build` in a subprocess (as a user would) and return wall seconds."""
    start = time.perf_counter()
    subprocess.run([*ATLAS, "build", "--out", str(out), *extra], check=True, capture_output=True)
    return time.perf_counter() - start


def geojson_bytes(gdf: gpd.GeoDataFrame) -> int:
    """Size of the national layer as the map sends it (code, name, geometry)."""
    return len(gdf[["siren_epci", "nom", "geometry"]].to_json(drop_id=True).encode())


def main() -> None:
    """Print cold/warm build times and raw vs simplified EPCI GeoJSON sizes."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        cold = timed_build(out)
        warm = timed_build(out)
        raw = gpd.read_parquet(out / "epci.parquet")
        simple = gpd.read_parquet(out / "epci_simplified.parquet")
    raw_b, simple_b = geojson_bytes(raw), geojson_bytes(simple)
    print(f"atlas build, cold (empty cache):   {cold:6.1f} s")
    print(f"atlas build, warm (nothing to do): {warm:6.1f} s   ratio cold/warm {cold / warm:.0f}x")
    print(f"national EPCI GeoJSON, raw:        {raw_b / 1e6:6.2f} MB")
    print(
        f"national EPCI GeoJSON, simplified: {simple_b / 1e6:6.2f} MB   "
        f"ratio {raw_b / simple_b:.1f}x"
    )


if __name__ == "__main__":
    main()
