"""End-to-end: the Territoire page in headless Chromium, from a link to a downloaded PDF."""

from __future__ import annotations

import pytest

from tests.support.browser import skip_without_chromium, watch_hosts

pytestmark = [pytest.mark.browser, pytest.mark.integration]
skip_without_chromium()
TIMEOUT = 60_000


def test_briefing_page_from_its_url_downloads_a_pdf(app_url, browser, tmp_path):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    try:
        page = context.new_page()
        hosts = watch_hosts(page)
        page.goto(f"{app_url}/territoire?t=pays-langres")
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
    finally:
        context.close()
