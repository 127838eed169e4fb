"""End-to-end: the Territoire page in headless Chromium, from a link to a downloaded PDF."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.browser import CHROMIUM_ARGS, ROOT, chromium_path, streamlit_server

pytestmark = [pytest.mark.browser, pytest.mark.integration]
playwright = pytest.importorskip("playwright.sync_api")
if chromium_path() is None:
    pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)",
                allow_module_level=True)
TIMEOUT = 60_000
ROUTER = """import streamlit as st
st.navigation([st.Page("pages/cas.py", url_path="cas"),
               st.Page("pages/territoire.py", url_path="territoire")]).run()
"""


@pytest.fixture(scope="module")
def server(real_build):
    """The app (or, until app.py registers the page, a router of our two pages)."""
    if "pages/territoire.py" in (ROOT / "app.py").read_text(encoding="utf-8"):
        with streamlit_server() as srv:
            yield srv.url
        return
    fd, name = tempfile.mkstemp(prefix="_e2e_router_", suffix=".py", dir=ROOT)
    with os.fdopen(fd, "w") as f:
        f.write(ROUTER)
    try:
        with streamlit_server(Path(name)) as srv:
            yield srv.url
    finally:
        os.unlink(name)


def test_briefing_page_from_its_url_downloads_a_pdf(server, tmp_path):
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS,
                                    headless=True)
        context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                      accept_downloads=True)
        page = context.new_page()
        hosts: set[str] = set()
        page.on("request", lambda r: hosts.add(urlparse(r.url).hostname))
        page.goto(f"{server}/territoire?t=pays-langres")
        page.get_by_role("heading", name="Pays de Langres").wait_for(timeout=TIMEOUT)
        map_img = page.locator('[data-testid="stImage"] img').first
        map_img.wait_for(timeout=TIMEOUT)
        assert map_img.evaluate("img => img.complete && img.naturalWidth > 500")
        page.get_by_role("tab", name="Exports").click()
        with page.expect_download(timeout=TIMEOUT) as download:
            page.get_by_role("button", name="PDF (A4)").click()
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        assert path.name == "fiche-pays-langres.pdf"
        assert path.read_bytes()[:5] == b"%PDF-" and path.stat().st_size > 50_000
        assert hosts <= {"127.0.0.1"}, hosts
        browser.close()
