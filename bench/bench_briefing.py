"""Benchmark of the territory briefing: seconds per PDF and for all Territoires d'industrie.

Prints figures; checks nothing. Run (the TI need the ANCT lists in the build):

    ATLAS_DATA_DIR=../shared/data/anct .venv/bin/python bench/bench_briefing.py [--limit N]

The batch (``atlas briefing --all-ti``) loads the build once and shares its per-atlas
tables (programme counts per commune, peer tables for the comparables) between
territories. The naive way it is compared with reloads the build for every territory
(what one ``atlas briefing ID`` run per territory does, imports aside); it is timed on a
sample and extrapolated to all TI.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from geodata import atlas as atlas_mod
from geodata.briefing import model as briefing
from geodata.briefing import pdf as briefing_pdf


def one(a: atlas_mod.Atlas, ident: str, out: Path) -> float:
    """Write one PDF briefing; return wall seconds."""
    start = time.perf_counter()
    b = briefing.make_briefing(a, *briefing.resolve_id(a, ident))
    (out / f"fiche-{ident}.pdf").write_bytes(briefing_pdf.pdf_bytes(a, b))
    return time.perf_counter() - start


def main() -> None:
    """Print load time, seconds per briefing, total for all TI, and the naive comparison."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--limit", type=int, help="only the first N TI (default: all 183)")
    p.add_argument("--naive-sample", type=int, default=5, help="TI timed the naive way")
    args = p.parse_args()
    start = time.perf_counter()
    a = atlas_mod.load()
    load_s = time.perf_counter() - start
    ids = briefing.all_ti_ids(a)[: args.limit]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        start = time.perf_counter()
        times = [one(a, ident, out) for ident in ids]
        batch_s = time.perf_counter() - start
        size = sum(f.stat().st_size for f in out.iterdir())
        naive = []
        for ident in ids[: args.naive_sample]:
            t0 = time.perf_counter()
            one(atlas_mod.load(), ident, out)  # a fresh atlas: nothing shared
            naive.append(time.perf_counter() - t0)
    per = statistics.median(times)
    naive_per = statistics.median(naive)
    naive_total = load_s + naive_per * len(ids)
    print(f"build loaded once:                  {load_s:6.2f} s")
    print(f"briefing PDF, first (shared tables): {times[0]:6.2f} s")
    print(f"briefing PDF, median / max:          {per:6.2f} s / {max(times):.2f} s")
    print(
        f"all {len(ids)} TI, batch (one load):     {load_s + batch_s:6.1f} s   "
        f"({size / 1e6:.1f} MB of PDF)"
    )
    print(f"naive, median per TI (fresh load):   {naive_per:6.2f} s   (sample of {len(naive)})")
    print(
        f"all {len(ids)} TI, naive (extrapolated): {naive_total:6.1f} s   "
        f"ratio naive/batch {naive_total / (load_s + batch_s):.1f}x"
    )


if __name__ == "__main__":
    main()
