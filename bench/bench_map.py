"""Benchmark of the map path in a real browser (headless Debian Chromium, 127.0.0.1).

Prints figures; checks nothing. Run: ``.venv/bin/python bench/bench_map.py [--sessions 20]``.
Measures, for the atlas (``app.py``) and the naive way (``bench/naive_app.py``, the
unsimplified EPCI GeoJSON inlined through st_folium), on a warm server:
- first map drawn: navigation until all 1,253 EPCI shapes are in the page (median of N);
- map data sent to the browser for the national view (GeoJSON files + component args);
- a filter change redrawn (atlas only: département 42 chosen in the sidebar);
- server memory (RSS) idle and with K concurrent sessions open.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.support.browser import CHROMIUM_ARGS, chromium_path, streamlit_server  # noqa: E402

FRAME = 'iframe[title="streamlit_folium.st_folium"]'
SHAPES = "path.leaflet-interactive"


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (from /proc)."""
    total = 0
    for p in [pid, *_children(pid)]:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in path.read_text().split()] if path.exists() else []


def first_draw(browser, url: str) -> tuple[float, int]:
    """Seconds from navigation to all EPCI shapes drawn, and bytes of map data received."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    received = []
    page.on("response", lambda r: received.append(r) if r.url.endswith(".geojson") else None)
    ws_bytes = []
    page.on(
        "websocket",
        lambda ws: ws.on("framereceived", lambda f: ws_bytes.append(len(f) if f else 0)),
    )
    start = time.perf_counter()
    page.goto(url)
    page.frame_locator(FRAME).locator(SHAPES).nth(1252).wait_for(state="attached", timeout=120_000)
    elapsed = time.perf_counter() - start
    data = sum(len(r.body()) for r in received) + sum(ws_bytes)
    ctx.close()
    return elapsed, data


def filter_redraw(browser, url: str) -> float:
    """Seconds from choosing département 42 to the map redrawn with only its EPCI."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.goto(url)
    frame = page.frame_locator(FRAME)
    frame.locator(SHAPES).nth(1252).wait_for(state="attached", timeout=120_000)
    page.get_by_role("combobox", name="Département", exact=True).click()
    page.keyboard.type("42 Loire")
    start = time.perf_counter()
    page.keyboard.press("Enter")
    page.wait_for_function(
        """() => { const f = [...document.querySelectorAll('iframe')]
                                 .find(i => i.title.includes('st_folium'));
                   const n = f && f.contentDocument
                                 .querySelectorAll('path.leaflet-interactive').length;
                   return n > 0 && n < 100; }""",
        timeout=60_000,
    )
    elapsed = time.perf_counter() - start
    ctx.close()
    return elapsed


class HealthProbe:
    """Polls the server's health check every 0.1 s, in a thread, while sessions open."""

    def __init__(self, url: str) -> None:
        self.url, self.latencies, self._stop = url + "/_stcore/health", [], threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            start = time.perf_counter()
            try:
                urllib.request.urlopen(self.url, timeout=60).read()
            except OSError:
                pass  # counted by its latency (the timeout)
            self.latencies.append(time.perf_counter() - start)
            self._stop.wait(0.1)

    def __enter__(self) -> HealthProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def quantile(self, q: float) -> float:
        """Return the ``q`` quantile of the latencies measured (s)."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def concurrent_sessions(browser, url: str, pid: int, sessions: int) -> dict[str, float]:
    """Return server memory and health-check latency while ``sessions`` open the map.

    RSS (MB) with every session showing the map; the health check's max and 95th
    percentile (s) while they opened.
    """
    contexts = []
    with HealthProbe(url) as health:
        for _ in range(sessions):
            ctx = browser.new_context(viewport={"width": 1200, "height": 900})
            page = ctx.new_page()
            page.goto(url, wait_until="commit", timeout=300_000)
            contexts.append((ctx, page))
        for _, page in contexts:
            page.frame_locator(FRAME).locator(SHAPES).nth(1252).wait_for(
                state="attached", timeout=300_000
            )
        mem = rss_mb(pid)
    for ctx, _ in contexts:
        ctx.close()
    return {
        "rss_sessions_mb": mem,
        "health_max_s": health.quantile(1.0),
        "health_p95_s": health.quantile(0.95),
    }


def measure(browser, app: Path, runs: int, sessions: int, with_filter: bool) -> dict:
    """All figures for one app."""
    with streamlit_server(app) as (url, pid):
        first_draw(browser, url)  # warm the server (caches, static files)
        idle = rss_mb(pid)
        draws = [first_draw(browser, url) for _ in range(runs)]
        out = {
            "first_draw_s": statistics.median(d[0] for d in draws),
            "map_data_mb": statistics.median(d[1] for d in draws) / 1e6,
            "rss_idle_mb": idle,
            **concurrent_sessions(browser, url, pid, sessions),
        }
        if with_filter:
            out["filter_redraw_s"] = statistics.median(
                filter_redraw(browser, url) for _ in range(runs)
            )
    return out


def main() -> None:
    """Run both apps and print the figures side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sessions", type=int, default=20)
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        atlas = measure(browser, ROOT / "app.py", args.runs, args.sessions, with_filter=True)
        naive = measure(
            browser, ROOT / "bench" / "naive_app.py", args.runs, args.sessions, with_filter=False
        )
        browser.close()
    print(f"{'':38}{'atlas':>10}{'naive':>10}{'ratio':>8}")
    for key, label in [
        ("first_draw_s", "first map drawn, warm server (s)"),
        ("map_data_mb", "map data, national view (MB)"),
        ("rss_idle_mb", "server memory, idle (MB)"),
        ("rss_sessions_mb", f"server memory, {args.sessions} sessions (MB)"),
        ("health_max_s", f"health check, {args.sessions} opening, max (s)"),
        ("health_p95_s", f"health check, {args.sessions} opening, p95 (s)"),
    ]:
        print(f"{label:38}{atlas[key]:10.2f}{naive[key]:10.2f}{naive[key] / atlas[key]:7.1f}x")
    print(f"{'filter change redrawn (s)':38}{atlas['filter_redraw_s']:10.2f}")


if __name__ == "__main__":
    main()
