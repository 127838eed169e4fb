"""Helpers for the real-browser tests: start the app on 127.0.0.1, drive Debian's Chromium.

Chromium is never downloaded by Playwright: the tests use ``/usr/bin/chromium`` (Debian's
package, installed by ``.ci/run``), with background networking off so that the only
requests are the page's own.
"""

from __future__ import annotations

import functools
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]  # tests/support/browser.py -> the project
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-features=Translate,OptimizationHints,MediaRouter",
]


MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'  # st_folium's iframe
SHAPES = "path.leaflet-interactive"  # every drawn polygon and circle marker
# Run in the map's frame with ``[selector, colours, step]``: how many pixels of the canvases
# under ``selector`` (a tile layer's container) are within 8 of one of ``colours`` ([r, g, b]
# each; any opaque pixel when empty), reading one pixel in ``step``. Tile layers draw on
# canvas: this is how a test or a benchmark sees what they drew.
CANVAS_PIXELS = """([selector, colours, step]) => {
  let hits = 0;
  for (const canvas of document.querySelectorAll(selector + ' canvas')) {
    if (!canvas.width || !canvas.height) { continue; }
    const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 0; i < d.length; i += 4 * step) {
      if (d[i + 3] < 24) { continue; }
      if (!colours.length) { hits++; continue; }
      for (const c of colours) {
        if (Math.abs(d[i] - c[0]) <= 8 && Math.abs(d[i + 1] - c[1]) <= 8
            && Math.abs(d[i + 2] - c[2]) <= 8) { hits++; break; }
      }
    }
  }
  return hits;
}"""


def rgb(colour: str) -> list[int]:
    """Return ``[r, g, b]`` of a ``#rrggbb`` colour."""
    return [int(colour[i : i + 2], 16) for i in (1, 3, 5)]


class Server(NamedTuple):
    """A running app: base URL and process id (benchmarks read its memory)."""

    url: str
    pid: int


def chromium_path() -> str | None:
    """Path of Debian's Chromium, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def skip_without_chromium() -> None:
    """Skip the calling test module when Playwright or Debian's Chromium is missing."""
    import pytest

    pytest.importorskip("playwright.sync_api")
    if chromium_path() is None:
        pytest.skip(
            "Debian's chromium is not installed (apt-get install -y chromium)",
            allow_module_level=True,
        )


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(app: Path = ROOT / "app.py", env: dict | None = None) -> Iterator[Server]:
    """Run ``streamlit run app.py`` on 127.0.0.1; yield its URL and pid; stop it after."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield Server(url, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited: {proc.stdout.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not answer on {url} within {timeout} s")


@contextmanager
def static_server(directory: Path, gzip_encoding: bool = False) -> Iterator[str]:
    """Serve ``directory`` with the standard library on 127.0.0.1; yield its base URL.

    ``gzip_encoding``: label ``.gz`` files ``Content-Encoding: gzip`` (as Apache's
    ``AddEncoding gzip .gz`` does), so the browser decompresses them before the page reads
    them; by default they are sent as they are, like http.server and most static hosts do.
    """

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def end_headers(self) -> None:
            if gzip_encoding and self.path.split("?")[0].endswith(".gz"):
                self.send_header("Content-Encoding", "gzip")
            super().end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=directory))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium() -> Iterator:
    """Debian's Chromium, headless, driven by Playwright; closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


def watch_hosts(page) -> set[str]:
    """Record the host of every request ``page`` makes, as ``page.requested_hosts``."""
    page.requested_hosts = set()
    page.on("request", lambda r: page.requested_hosts.add(urlparse(r.url).hostname))
    return page.requested_hosts
