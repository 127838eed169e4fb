"""End-to-end: the Territoire page in headless Chromium, from a link to a downloaded PDF."""

from __future__ import annotations

import re

import pytest

from tests.support.browser import skip_without_chromium, watch_hosts

pytestmark = [pytest.mark.browser, pytest.mark.integration]
skip_without_chromium()
TIMEOUT = 60_000
CASES = "Études de cas dans le territoire"  # the words of the panel, the fiche and the PDF


def test_briefing_page_from_its_url_downloads_a_pdf(app_url, browser, tmp_path):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    try:
        page = context.new_page()
        hosts = watch_hosts(page)
        page.goto(f"{app_url}/territoire?t=pays-langres")
        page.get_by_role("heading", name="Pays de Langres").wait_for(timeout=TIMEOUT)
        map_img = page.get_by_role("img", name=re.compile(r"^Carte de Pays de Langres")).first
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


def _pdf_first_page(path) -> str:
    from pypdf import PdfReader

    return " ".join(PdfReader(str(path)).pages[0].extract_text().split())


def test_ti_8408_counts_are_the_same_on_the_panel_the_fiche_and_its_pdf(app_url, browser, tmp_path):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    try:
        page = context.new_page()
        # the map's panel: one line per programme present, then the cases inside
        page.goto(f"{app_url}/?sel=ti-8408")
        page.get_by_text("Programmes présents").first.wait_for(timeout=TIMEOUT)
        panel = {}
        for text in page.locator('[data-testid="stMarkdownContainer"] li').all_inner_texts():
            label, _, n = text.rpartition(" : ")
            if label and n.strip().isdigit():
                panel[label.strip()] = int(n)
        cases = page.get_by_text(re.compile(r"^Études de cas dans le territoire \(\d+\)$"))
        panel_cases = int(re.search(r"\((\d+)\)", cases.first.inner_text()).group(1))
        assert panel.get("Action cœur de ville") == 2  # Thiers and Montbrison, once each
        # the fiche: its table, then the PDF from the button beside the title
        page.goto(f"{app_url}/territoire?t=ti-8408")
        page.get_by_role("heading", name="Lezoux – Thiers – Ambert – Montbrison").wait_for(
            timeout=TIMEOUT
        )
        table = page.locator('[data-testid="stTable"]').filter(has_text=CASES)
        rows = table.locator("tbody tr")
        rows.first.wait_for(timeout=TIMEOUT)
        fiche = {}
        for i in range(rows.count()):
            cells = [" ".join(c.split()) for c in rows.nth(i).locator("th, td").all_inner_texts()]
            fiche[cells[0]] = int(cells[-1].replace("\u202f", "").replace(" ", ""))
        with page.expect_download(timeout=TIMEOUT) as download:
            page.get_by_role("button", name="Télécharger la fiche (PDF)").click()
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        first_page = _pdf_first_page(path)
        assert {k: v for k, v in fiche.items() if v and k != CASES} == panel
        assert fiche[CASES] == panel_cases
        for label, n in fiche.items():
            assert f"{label} {n}" in first_page, label
    finally:
        context.close()
