"""Benchmark of the map path in a real browser (headless Debian Chromium, 127.0.0.1).

Prints figures; checks nothing. Run:
``.venv/bin/python bench/bench_map.py [--runs 5] [--sessions 20] [--json]``.
Measures, for the atlas (``app.py``) and the naive way (``bench/naive_app.py``, the
unsimplified EPCI GeoJSON inlined through st_folium), on a warm server:
- first map drawn: navigation until all 1,253 EPCI shapes are in the page (median of N;
  both servers run at once and the draws alternate, so both see the same machine load);
- the same on a return visit (a second visit in the same browser: its HTTP cache warm,
  a new Streamlit session);
- map data received by the browser for that view (see :class:`Traffic`);
- a filter change redrawn (atlas only: département 42 chosen in the sidebar);
- the national commune layer (atlas only, ``/?couches=communes&communes=<mode>``): navigation
  until the tile layer says every visible tile is drawn (``data-loaded="1"``) and pixels of
  the mode's colours are on its canvases, the data received for it, and the view set to one
  département's bounds (``map.fitBounds`` in the map's frame) until redrawn;
- server memory (RSS) idle and with K concurrent sessions open (atlas: default layers plus
  the commune layer) and the health check's latency while they open;
- where the time goes: page boot, map component, data/tile fetch, drawing, from the
  Resource Timing entries of the map's frame and a ``performance.now()`` mark at the draw;
- the same two maps without Streamlit: the static export of the same view (``atlas embed``
  of the default layers, and of the commune layer) served by ``http.server`` on 127.0.0.1,
  first draws taken in turn with the app's: what the map itself costs, the rest of the
  app's time being Streamlit's page, session and component.

The benchmark's Chromium runs at niceness 19 (``--browser-nice``; 0 for the same priority
as the server): see :func:`browser_executable`.

With ``--json`` the figures are one JSON object on stdout (required keys in
:data:`REQUIRED`) and the human-readable lines go to stderr. A figure that could not be
measured is ``null``, with the reason on stderr and under ``"unmeasured"``.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TypeVar

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")
sys.path.insert(0, str(ROOT))
from tests.support.browser import (  # noqa: E402
    CANVAS_PIXELS,
    CHROMIUM_ARGS,
    chromium_path,
    rgb,
    static_server,
    streamlit_server,
)

FRAME = 'iframe[title="streamlit_folium.st_folium"]'
FRAME_URL = "streamlit_folium"  # in the URL of st_folium's frame (its component path)
SHAPES = "path.leaflet-interactive"
EPCI_COUNT = 1253
COMMUNES = ".atlas-tiles-communes"  # the commune tile layer's container (vector-tile contract)
DEPARTEMENT = "42"  # the filter step and the zoom step use the same département
VIEWPORT = {"width": 1400, "height": 1000}
REQUIRED = {
    "atlas": (
        "first_draw_s",
        "map_data_mb",
        "filter_redraw_s",
        "communes_first_draw_s",
        "communes_data_mb",
        "rss_sessions_mb",
    ),
    "naive": ("first_draw_s", "map_data_mb"),
}
TARGETS = {  # issue 13
    "first_draw_s": "<= 1.3 s, >= 4x naive",
    "map_data_mb": "<= 0.6 MB",
    "filter_redraw_s": "<= 0.3 s",
    "communes_first_draw_s": "<= 2.0 s",
    "communes_data_mb": "<= 1.5 MB",
    "zoom_to_departement_s": "<= 0.5 s",
    "rss_sessions_mb": "<= 400 MB (communes on)",
}


def say(*parts: object) -> None:
    """Print a human-readable line on stderr (stdout is kept for ``--json``)."""
    print(*parts, file=sys.stderr, flush=True)


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


class Traffic:
    """Bytes the browser received for the map, from Playwright's events, per step.

    Every finished request whose frame is st_folium's frame (any request of the page for a
    static export, ``static=True``: the map is the page) counts, by its *transferred*
    body size as Chromium reports it (``request.sizes()["responseBodySize"]``: the
    encoded size, i.e. compressed when the server compressed), classified by URL:
    ``tiles`` (``.pbf.gz``), ``data`` (GeoJSON, ``tileset.json``) and ``code`` (the
    component's page, scripts, styles, images). Websocket frames received (``ws``: the
    Streamlit deltas, which carry the map's HTML as the component's arguments, and the
    whole GeoJSON for the naive page) count by payload length (Streamlit does not
    compress its websocket by default). Map data = tiles + data + ws; code is reported
    apart (cached by the browser after the first visit). The earlier figures (before issue
    13) counted decoded bodies: :func:`first_draw` also gives that size
    (``map_data_decoded``, from the frame's Resource Timing ``decodedBodySize``).
    """

    def __init__(self, page, static: bool = False) -> None:
        self.requests: list = []
        self.ws: list[int] = []
        page.on("requestfinished", self._any if static else self._finished)
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _finished(self, request) -> None:
        try:
            in_map = FRAME_URL in request.frame.url or FRAME_URL in request.url
        except PlaywrightError:  # a request without a frame (service worker): not the map's
            in_map = False
        if in_map and request.frame != request.frame.page.main_frame:
            self.requests.append(request)

    def _any(self, request) -> None:
        self.requests.append(request)

    def _frame(self, payload: str | bytes | None) -> None:
        self.ws.append(len(payload) if payload else 0)

    def mark(self) -> None:
        """Start a new step: forget what was received so far."""
        self.requests.clear()
        self.ws.clear()

    def bytes(self) -> dict[str, int]:
        """Bytes received since the last :meth:`mark`, by kind."""
        out = {"tiles": 0, "data": 0, "code": 0, "ws": sum(self.ws), "tile_requests": 0}
        for request in self.requests:
            size = request.sizes()["responseBodySize"]
            path = request.url.split("?")[0]
            kind = "tiles" if path.endswith(".pbf.gz") else "code"
            kind = "data" if path.endswith((".geojson", ".geojson.gz", ".json")) else kind
            out[kind] += size
            out["tile_requests"] += kind == "tiles"
        out["map_data"] = out["tiles"] + out["data"] + out["ws"]
        return out


def map_frame(page, timeout: float = 120_000):
    """Return the st_folium frame of ``page`` (a :class:`playwright.sync_api.Frame`)."""
    return page.wait_for_selector(FRAME, state="attached", timeout=timeout).content_frame()


# Evaluated in the map's frame: the commune layer is complete when its container says so
# and enough pixels of the expected colours are on its canvases (read back with
# getImageData; the fill is translucent, so the alpha is ignored and RGB matched within a
# tolerance). ``window.__benchDrawn`` keeps the frame's clock at that moment.
COMMUNES_DRAWN = (
    """([selector, colours, minimum]) => {
  const el = document.querySelector(selector);
  if (!el || el.getAttribute('data-loaded') !== '1') { return false; }
  if (window.__benchZoom && !window.__benchZoom.sawLoading) { return false; }
  const hits = ("""
    + CANVAS_PIXELS
    + """)([selector, colours, 4]);  // every 4th pixel is plenty
  if (hits < minimum) { return false; }
  window.__benchDrawn = performance.now();
  return hits;
}"""
)

# Evaluated in the map's frame: watch the layer's data-loaded attribute (so the zoom step
# waits for the redraw it caused, not the state before it), then fit the view to a
# département without animation.
ZOOM_TO = """([selector, bounds]) => {
  const el = document.querySelector(selector);
  const zoom = window.__benchZoom = {start: performance.now(), sawLoading: false, end: null};
  new MutationObserver(() => {
    if (el.getAttribute('data-loaded') === '0') { zoom.sawLoading = true; }
    else if (zoom.sawLoading && zoom.end === null) { zoom.end = performance.now(); }
  }).observe(el, {attributes: true, attributeFilter: ['data-loaded']});
  window.map.fitBounds(bounds, {animate: false});
  if (el.getAttribute('data-loaded') === '0') { zoom.sawLoading = true; }
  return window.map.getZoom();
}"""

# Evaluated in the page, then in the map's frame: the clocks and resource timings used to
# split the time of a first draw.
TIMINGS = """() => ({
  origin: performance.timeOrigin,
  loaded: (performance.getEntriesByType('navigation')[0] || {}).domContentLoadedEventEnd,
  drawn: window.__benchDrawn || null,
  resources: performance.getEntriesByType('resource').map(e => ({
    name: e.name, start: e.startTime, end: e.responseEnd, decoded: e.decodedBodySize})),
})"""


def split_time(page, frame, total_s: float) -> dict[str, float] | None:
    """Where the time of a first draw went (s), from the page's and the frame's clocks.

    ``page_boot``: navigation to the creation of the map's frame, in two parts:
    ``page_load`` (Streamlit's page and bundle, to DOMContentLoaded) and ``script_run``
    (the websocket, the script run on the server, the deltas up to the component's);
    ``component``: the frame's creation to its first data or tile request (the component's
    page and scripts, Leaflet, the map's own script); ``fetch``: first data/tile request
    to the last response; ``draw``: last response to the draw observed (``data-loaded`` and
    pixels for tiles; the last shape in the DOM for GeoJSON, measured from Python: less
    precise). Tiles are drawn as they arrive, so ``draw`` is what remains after the last.
    """
    try:
        outer = page.evaluate(TIMINGS)
        inner = frame.evaluate(TIMINGS)
    except PlaywrightError as exc:
        say(f"  timings unavailable: {exc}")
        return None
    offset = (inner["origin"] - outer["origin"]) / 1000
    data = [
        r
        for r in inner["resources"]
        if r["name"].split("?")[0].endswith((".pbf.gz", ".geojson", ".geojson.gz", "tileset.json"))
    ]
    out = {"page_boot": offset, "page_load": outer["loaded"] / 1000}
    out["decoded_bytes"] = sum(r["decoded"] for r in data)
    out["script_run"] = offset - out["page_load"]
    if data:
        first = min(r["start"] for r in data) / 1000
        last = max(r["end"] for r in data) / 1000
        out["component"] = first
        out["fetch"] = last - first
        end = inner["drawn"] / 1000 if inner["drawn"] else total_s - offset
        out["draw"] = max(0.0, end - last)
    return out


def first_draw(
    browser, url: str, wait: Callable, split: bool = False, static: bool = False
) -> dict:
    """Seconds from navigation until ``wait(page)`` returns, and the map data received.

    ``static``: ``url`` is a static export, whose page is the map (no split).
    """
    ctx = browser.new_context(viewport=VIEWPORT)
    page = ctx.new_page()
    traffic = Traffic(page, static)
    start = time.perf_counter()
    page.goto(url)
    wait(page)
    elapsed = time.perf_counter() - start
    out = {"s": elapsed, **traffic.bytes()}
    if split:
        out["split"] = split_time(page, map_frame(page), elapsed)
        if out["split"]:  # the data as decoded (uncompressed), from Resource Timing
            out["map_data_decoded"] = out["split"].pop("decoded_bytes") + out["ws"]
    ctx.close()
    return out


def return_visit(browser, url: str, wait: Callable) -> float:
    """Seconds of a second visit to ``url`` in the same browser (its HTTP cache warm).

    Streamlit's bundle is cached as immutable; a new Streamlit session all the same.
    """
    ctx = browser.new_context(viewport=VIEWPORT)
    page = ctx.new_page()
    page.goto(url)
    wait(page)
    page.goto("about:blank")
    start = time.perf_counter()
    page.goto(url)
    wait(page)
    elapsed = time.perf_counter() - start
    ctx.close()
    return elapsed


def epci_drawn(page) -> None:
    """Wait until all EPCI shapes are in the map's frame."""
    page.frame_locator(FRAME).locator(SHAPES).nth(EPCI_COUNT - 1).wait_for(
        state="attached", timeout=120_000
    )


def epci_drawn_static(page) -> None:
    """Wait until all EPCI shapes are in a static export's page (the map is the page)."""
    page.locator(SHAPES).nth(EPCI_COUNT - 1).wait_for(state="attached", timeout=120_000)


def communes_drawn(
    colours: list[tuple[int, int, int]], timeout: float = 120_000, static: bool = False
) -> Callable:
    """Return a waiter: the commune layer loaded and pixels of ``colours`` on its canvases.

    ``static``: in a static export's page instead of the app's map frame.
    """

    def wait(page) -> None:
        where = page.main_frame if static else map_frame(page, timeout)
        where.wait_for_function(
            COMMUNES_DRAWN, arg=[COMMUNES, colours, 20], polling="raf", timeout=timeout
        )

    return wait


@contextmanager
def static_exports(build: Path, mode: str) -> Iterator[dict[str, Path]]:
    """Write the static exports the benchmark draws: ``{"default": dir, "communes": dir}``.

    ``default``: the app's default layers, all of France (what ``/`` shows); ``communes``:
    the commune layer alone coloured by ``mode`` (what ``/?couches=communes`` shows), when
    the build has tiles. Written in a temporary folder, removed on exit.
    """
    from geodata import atlas as atlas_mod
    from layers import registry, site

    say("writing the static exports of the same views (atlas embed)")
    atlas = atlas_mod.load(build)
    with tempfile.TemporaryDirectory(prefix="atlas-bench-export-") as tmp:
        out = {"default": Path(tmp) / "default"}
        site.export_site(out["default"], atlas, registry.DEFAULT_LAYERS)
        if (build / "tiles" / "tileset.json").exists():  # else the app has no commune layer
            out["communes"] = Path(tmp) / "communes"
            site.export_site(out["communes"], atlas, ["communes"], communes_mode=mode)
        yield out


def _served(folder: Path | None):
    """``static_server(folder)``, or a context giving None when there is no folder."""
    return static_server(folder) if folder else nullcontext()


def filter_redraw(browser, url: str) -> float:
    """Seconds from choosing département 42 to the map redrawn with only its EPCI."""
    ctx = browser.new_context(viewport=VIEWPORT)
    page = ctx.new_page()
    page.goto(url)
    epci_drawn(page)
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


def zoom_redraw(browser, url: str, colours: list, bounds: list) -> dict:
    """Seconds from fitting the commune view to a département to its tiles redrawn."""
    ctx = browser.new_context(viewport=VIEWPORT)
    page = ctx.new_page()
    traffic = Traffic(page)
    page.goto(url)
    communes_drawn(colours)(page)
    frame = map_frame(page)
    traffic.mark()
    start = time.perf_counter()
    zoom = frame.evaluate(ZOOM_TO, [COMMUNES, bounds])
    communes_drawn(colours, 60_000)(page)
    elapsed = time.perf_counter() - start
    state = frame.evaluate("() => window.__benchZoom")
    received = traffic.bytes()
    ctx.close()
    in_frame = (state["end"] - state["start"]) / 1000 if state["end"] else None
    return {"s": elapsed, "zoom": zoom, "in_frame_s": in_frame, **received}


_PROBE = """
import json, sys, threading, time, urllib.request
url, latencies, stop = sys.argv[1], [], threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
while not stop.is_set():
    start = time.perf_counter()
    try:
        urllib.request.urlopen(url, timeout=60).read()
    except OSError:
        pass  # counted by its latency (the timeout)
    latencies.append(time.perf_counter() - start)
    stop.wait(0.1)
print(json.dumps(latencies))
"""


class HealthProbe:
    """Polls the server's health check every 0.1 s, from a process of its own.

    Not a thread of the benchmark: its Playwright event handlers (every response and
    websocket frame of K pages) hold this process's interpreter lock for seconds, and a
    probe thread here measured those waits, not the server's.
    """

    def __init__(self, url: str) -> None:
        self.url, self.latencies = url + "/_stcore/health", []
        self._proc: subprocess.Popen | None = None

    def __enter__(self) -> HealthProbe:
        self._proc = subprocess.Popen(
            [sys.executable, "-c", _PROBE, self.url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        return self

    def __exit__(self, *exc) -> None:
        out, _ = self._proc.communicate("", timeout=120)
        self.latencies = json.loads(out)

    def quantile(self, q: float) -> float:
        """Return the ``q`` quantile of the latencies measured (s)."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def concurrent_sessions(
    browser, url: str, pid: int, sessions: int, waits: list[Callable]
) -> dict[str, float]:
    """Return server memory and health-check latency while ``sessions`` open ``url``.

    RSS (MB) once every session shows the map (every waiter in ``waits`` returned); the
    health check's max and 95th percentile (s) while they opened.
    """
    contexts = []
    with HealthProbe(url) as health:
        for _ in range(sessions):
            ctx = browser.new_context(viewport={"width": 1200, "height": 900})
            page = ctx.new_page()
            page.goto(url, wait_until="commit", timeout=300_000)
            contexts.append((ctx, page))
        for _, page in contexts:
            for wait in waits:
                wait(page)
        mem = rss_mb(pid)
    for ctx, _ in contexts:
        ctx.close()
    return {
        "rss_sessions_mb": mem,
        "health_max_s": health.quantile(1.0),
        "health_p95_s": health.quantile(0.95),
    }


def median_of(draws: list[dict], key: str) -> float:
    """Median of one figure over the runs."""
    return statistics.median(d[key] for d in draws)


def median_split(draws: list[dict]) -> dict[str, float] | None:
    """Median of each part of the time split over the runs that have one."""
    splits = [d["split"] for d in draws if d.get("split")]
    if not splits:
        return None
    keys = [k for k in splits[0] if all(k in s for s in splits)]
    return {k: round(statistics.median(s[k] for s in splits), 3) for k in keys}


def summary(draws: list[dict]) -> dict:
    """Median time, map data and parts of a list of first draws."""
    return {
        "s": median_of(draws, "s"),
        "map_data_mb": median_of(draws, "map_data") / 1e6,
        "map_data_decoded_mb": median_of(draws, "map_data_decoded") / 1e6
        if all("map_data_decoded" in d for d in draws)
        else None,
        "bytes_mb": {
            k: round(median_of(draws, k) / 1e6, 4) for k in ("tiles", "data", "ws", "code")
        },
        "tile_requests": median_of(draws, "tile_requests"),
        "split_s": median_split(draws),
    }


def guarded(what: str, step: Callable[[], T], unmeasured: dict[str, str]) -> T | None:
    """Run one step; on a browser error or a timeout, note why in ``unmeasured``, return None."""
    try:
        return step()
    except PlaywrightError as exc:  # TimeoutError included
        unmeasured[what] = str(exc).splitlines()[0]
        say(f"not measured: {what}: {unmeasured[what]}")
        return None


def measure(browser, build: Path, runs: int, sessions: int, mode: str) -> tuple[dict, dict]:
    """All figures of the atlas and of the naive page: ``(atlas, naive)``.

    Both servers run at once and their first draws alternate (atlas, naive, atlas…), so
    the ratio compares draws made under the same load; the static export's draws of the
    same view are taken in the same turns. The other steps run one server at a time. A
    figure whose step failed is None, its reason under ``"unmeasured"``.
    """
    env = {"ATLAS_BUILD_DIR": str(build)}
    unmeasured: dict[str, str] = {}
    naive_unmeasured: dict[str, str] = {}
    with (
        static_exports(build, mode) as exports,
        streamlit_server(ROOT / "app.py", env) as (url, pid),
        streamlit_server(ROOT / "bench" / "naive_app.py", env) as (naive_url, naive_pid),
        static_server(exports["default"]) as static_url,
        _served(exports.get("communes")) as communes_url,
    ):
        say("warming both servers")
        guarded("warm-up", lambda: first_draw(browser, url, epci_drawn), unmeasured)
        guarded("warm-up", lambda: first_draw(browser, naive_url, epci_drawn), naive_unmeasured)
        idle, naive_idle = rss_mb(pid), rss_mb(naive_pid)
        say(f"{runs} first draws of the national EPCI map, atlas, naive and static in turn")
        draws, naive_draws, static_draws, loads = [], [], [], [os.getloadavg()[0]]
        static_page = f"{static_url}/index.html"
        for _ in range(runs):
            draws.append(
                guarded(
                    "first draw", lambda: first_draw(browser, url, epci_drawn, True), unmeasured
                )
            )
            naive_draws.append(
                guarded(
                    "first draw",
                    lambda: first_draw(browser, naive_url, epci_drawn, True),
                    naive_unmeasured,
                )
            )
            static_draws.append(
                guarded(
                    "static export",
                    lambda: first_draw(browser, static_page, epci_drawn_static, static=True),
                    unmeasured,
                )
            )
        say(f"{runs} return visits (browser cache warm), atlas and naive in turn")
        again, naive_again = [], []
        for _ in range(runs):
            again.append(
                guarded("return visit", lambda: return_visit(browser, url, epci_drawn), unmeasured)
            )
            naive_again.append(
                guarded(
                    "return visit",
                    lambda: return_visit(browser, naive_url, epci_drawn),
                    naive_unmeasured,
                )
            )
        loads.append(os.getloadavg()[0])
        say(f"atlas: {runs} filter changes")
        filtered = guarded(
            "filter change", lambda: [filter_redraw(browser, url) for _ in range(runs)], unmeasured
        )
        static = first_figures(static_draws)
        atlas = first_figures(draws) | {
            "return_visit_s": median_or_none(again),
            "filter_redraw_s": median_or_none(filtered or []),
            "rss_idle_mb": idle,
            "static_first_draw_s": static["first_draw_s"],
            "static_map_data_mb": static["map_data_mb"],
        }
        static_communes = f"{communes_url}/index.html" if communes_url else None
        atlas |= measure_communes(
            browser, url, pid, build, runs, sessions, mode, unmeasured, static_communes
        )
        loads.append(os.getloadavg()[0])
        say(f"naive: {sessions} sessions")
        naive = first_figures(naive_draws) | {
            "return_visit_s": median_or_none(naive_again),
            "rss_idle_mb": naive_idle,
        }
        naive |= guarded(
            "sessions",
            lambda: concurrent_sessions(browser, naive_url, naive_pid, sessions, [epci_drawn]),
            naive_unmeasured,
        ) or {"rss_sessions_mb": None}
        loads.append(os.getloadavg()[0])
    atlas["load_average_1min"] = [round(x, 2) for x in loads]  # start, draws, atlas, naive
    atlas["unmeasured"], naive["unmeasured"] = unmeasured, naive_unmeasured
    return atlas, naive


def median_or_none(values: list[float | None]) -> float | None:
    """Median of the values measured (None when none was)."""
    done = [v for v in values if v is not None]
    return statistics.median(done) if done else None


def first_figures(draws: list[dict | None]) -> dict:
    """Return the first-draw figures of the runs that drew (None when none did)."""
    done = [d for d in draws if d]
    first = summary(done) if done else None
    return {
        "first_draw_s": first["s"] if first else None,
        "map_data_mb": first["map_data_mb"] if first else None,
        "first_draw_runs": len(done),
        "first_draw_detail": first,
    }


def measure_communes(
    browser,
    url: str,
    pid: int,
    build: Path,
    runs: int,
    sessions: int,
    mode: str,
    unmeasured: dict[str, str],
    static_page: str | None = None,
) -> dict:
    """Measure the commune layer, and RSS with ``sessions`` open on it.

    When the layer cannot be measured (not built, not drawn within the timeout), its
    figures are None, the reason in ``unmeasured``, and the sessions open the default map.
    ``static_page``: the static export of the same view (its ``index.html``), whose first
    draws are taken in turn with the app's.
    """
    out = {"communes_first_draw_s": None, "communes_data_mb": None}
    out |= {"static_communes_first_draw_s": None, "static_communes_data_mb": None}
    out |= {"zoom_to_departement_s": None, "rss_sessions_mb": None}
    colours, why = commune_colours(mode, build)
    view = f"{url}/?couches=communes&communes={mode}"
    if why:
        unmeasured["commune layer"] = why
        say(f"not measured: commune layer: {why}")
    else:
        say("atlas: warming the commune layer")
        warm = communes_drawn(colours, 180_000)
        if guarded("commune layer", lambda: first_draw(browser, view, warm), unmeasured) is None:
            why = unmeasured["commune layer"]
    if why:
        say(f"atlas: {sessions} sessions on the default map (the commune layer is not drawn)")
        default = guarded(
            "sessions",
            lambda: concurrent_sessions(browser, url, pid, sessions, [epci_drawn]),
            unmeasured,
        )
        default = default or {"rss_sessions_mb": None}
        return (
            out
            | default
            | {"rss_sessions_mb": None, "rss_sessions_default_mb": default["rss_sessions_mb"]}
        )
    say(f"atlas: {runs} first draws of the commune layer ({mode}), app and static in turn")
    wait, static_wait = communes_drawn(colours), communes_drawn(colours, static=True)
    draws, static = [], []
    for _ in range(runs):
        draws.append(
            guarded("commune layer", lambda: first_draw(browser, view, wait, True), unmeasured)
        )
        if static_page:
            static.append(
                guarded(
                    "static export, communes",
                    lambda: first_draw(browser, static_page, static_wait, static=True),
                    unmeasured,
                )
            )
    done = summary([d for d in draws if d]) if any(draws) else None
    if done:
        out |= {"communes_first_draw_s": done["s"], "communes_data_mb": done["map_data_mb"]}
        out |= {"communes_detail": done, "communes_mode": mode, "communes_colours": colours}
    static_done = first_figures(static)
    out |= {
        "static_communes_first_draw_s": static_done["first_draw_s"],
        "static_communes_data_mb": static_done["map_data_mb"],
    }
    bounds = departement_bounds(build, DEPARTEMENT)
    say(f"atlas: {runs} zooms to département {DEPARTEMENT}")
    zooms = guarded(
        "zoom to a département",
        lambda: [zoom_redraw(browser, view, colours, bounds) for _ in range(runs)],
        unmeasured,
    )
    if zooms:
        out |= {"zoom_to_departement_s": median_of(zooms, "s"), "zoom_detail": zoom_detail(zooms)}
    both = f"{url}/?couches=epci,cases,communes&communes={mode}"
    say(f"atlas: {sessions} sessions with EPCI, cases and communes on")
    opened = guarded(
        "sessions",
        lambda: concurrent_sessions(browser, both, pid, sessions, [epci_drawn, wait]),
        unmeasured,
    )
    return out | (opened or {}) | {"rss_sessions_layers": "epci,cases,communes"}


def zoom_detail(zooms: list[dict]) -> dict:
    """Medians of the zoom step: time in the frame, tiles fetched."""
    in_frame = [z for z in zooms if z["in_frame_s"]]
    return {
        "in_frame_s": median_of(in_frame, "in_frame_s") if in_frame else None,
        "zoom": zooms[0]["zoom"],
        "tiles_mb": median_of(zooms, "tiles") / 1e6,
        "tile_requests": median_of(zooms, "tile_requests"),
    }


def commune_colours(mode: str, build: Path) -> tuple[list[tuple[int, int, int]], str | None]:
    """RGB colours the commune layer fills with in ``mode``, or why it cannot draw.

    Taken from the layer's own colouring (``layers.communes.coloring_of``): every colour
    of the mode but the "none" grey, so the check fails on a layer drawn all grey.
    """
    if not (build / "tiles" / "tileset.json").exists():
        return [], f"no tiles in {build} (the build has no tile stage)"
    try:
        import pandas as pd

        from layers import communes

        frame = pd.DataFrame({"population": []})
        if mode == communes.POPULATION_MODE:
            frame = pd.read_parquet(build / "communes.parquet", columns=["population"])
        coloring, _ = communes.coloring_of(mode, frame)
    except (ImportError, AttributeError, KeyError, ValueError) as exc:
        return [], f"no colouring {mode!r} in layers/communes.py: {exc!r}"
    found = [coloring.get("color"), *coloring.get("classes", []), *coloring.get("palette", [])]
    return [rgb(c) for c in found if c and c != communes.NONE_COLOR], None


def departement_bounds(build: Path, code: str) -> list[list[float]]:
    """Leaflet bounds ``[[south, west], [north, east]]`` of a département (EPSG:4326)."""
    import geopandas as gpd

    deps = gpd.read_parquet(build / "departements.parquet").to_crs(4326)
    w, s, e, n = deps.loc[deps["code"] == code].total_bounds
    return [[s, w], [n, e]]


def ratio(naive: float | None, atlas: float | None) -> float | None:
    """How many times the naive figure is the atlas one (None when either is missing)."""
    return naive / atlas if naive and atlas else None


def report(atlas: dict, naive: dict, sessions: int) -> dict:
    """Return the JSON object: required keys first, extra figures after."""
    atlas["first_draw_ratio"] = ratio(naive["first_draw_s"], atlas["first_draw_s"])
    atlas["map_data_ratio"] = ratio(naive["map_data_mb"], atlas["map_data_mb"])
    out = {
        side: {k: figures.get(k) for k in REQUIRED[side]}
        for side, figures in (("atlas", atlas), ("naive", naive))
    }
    for side, figures in (("atlas", atlas), ("naive", naive)):
        out[side] |= {k: v for k, v in figures.items() if k not in out[side]}
    out["sessions"] = sessions
    return out


def table(figures: dict, sessions: int) -> str:
    """Return the figures side by side: atlas, naive, ratio, target."""
    atlas, naive = figures["atlas"], figures["naive"]
    rows = [
        ("first_draw_s", "first national EPCI map drawn (s)"),
        ("return_visit_s", "  same, return visit (browser cache) (s)"),
        ("static_first_draw_s", "  same map without Streamlit (export) (s)"),
        ("map_data_mb", "map data, national view (MB)"),
        ("filter_redraw_s", "filter change redrawn (s)"),
        ("communes_first_draw_s", "commune layer drawn (s)"),
        ("static_communes_first_draw_s", "  same map without Streamlit (export) (s)"),
        ("communes_data_mb", "commune layer data (MB)"),
        ("zoom_to_departement_s", "zoom to one département (s)"),
        ("rss_idle_mb", "server memory, idle (MB)"),
        ("rss_sessions_mb", f"server memory, {sessions} sessions (MB)"),
        ("rss_sessions_default_mb", "  same, default map only (MB)"),
        ("health_max_s", f"health check, {sessions} opening, max (s)"),
        ("health_p95_s", f"health check, {sessions} opening, p95 (s)"),
    ]
    lines = [f"{'':40}{'atlas':>9}{'naive':>9}{'ratio':>8}  target"]
    for key, label in rows:
        if key not in atlas and key not in naive:
            continue
        a, n = atlas.get(key), naive.get(key)
        r = ratio(n, a)
        lines.append(
            f"{label:40}{_cell(a)}{_cell(n)}{f'{r:7.1f}x' if r else '':>8}  {TARGETS.get(key, '')}"
        )
    if "load_average_1min" in atlas:
        lines.append(
            "load average (1 min) at start, after the first draws, after the atlas's steps,"
            f" after the naive sessions: {atlas['load_average_1min']}"
        )
    return "\n".join(lines)


def _cell(value: float | None) -> str:
    return f"{'—' if value is None else f'{value:.2f}':>9}"


def browser_executable(nice: int) -> str:
    """Return Chromium, or a wrapper that starts it at niceness ``nice`` (when not 0).

    In production the visitors' browsers run on their own machines; here the K sessions'
    renderers share the server's two cores, and at the same priority they starve it (the
    health check then measures the benchmark's browsers, not the server). At niceness 19
    they take only the CPU the server leaves, as remote visitors would.
    """
    path = chromium_path()
    if not nice:
        return path
    wrapper = Path(tempfile.mkdtemp(prefix="atlas-bench-")) / "chromium"
    wrapper.write_text(f'#!/bin/sh\nexec nice -n {int(nice)} {shlex.quote(path)} "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper)


def main() -> None:
    """Run both apps and print the figures side by side (or as JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--communes", default="nombre", help="colouring (?communes=)")
    parser.add_argument("--build-dir", type=Path, help="default: the app's ($ATLAS_BUILD_DIR)")
    parser.add_argument(
        "--browser-nice",
        type=int,
        default=19,
        help="niceness of the benchmark's Chromium (0: same priority as the server)",
    )
    args = parser.parse_args()
    from geodata import config
    from geodata.build import runner

    build = runner.ensure_build(args.build_dir or config.build_dir(), log=say)
    with sync_playwright() as p:
        executable = browser_executable(args.browser_nice)
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        atlas, naive = measure(browser, build, args.runs, args.sessions, args.communes)
        browser.close()
    figures = report(atlas, naive, args.sessions)
    if args.json:
        say(table(figures, args.sessions))
        print(json.dumps(figures, ensure_ascii=False))
    else:
        print(table(figures, args.sessions))


if __name__ == "__main__":
    main()
