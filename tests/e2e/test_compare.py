"""End-to-end: the Territoire page compares two territories from its URL (``&vs=``)."""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from geodata.briefing.indicators import figures_of
from geodata.model import indicators
from tests.support.browser import skip_without_chromium, watch_hosts

pytestmark = [pytest.mark.browser, pytest.mark.integration]
skip_without_chromium()
TIMEOUT = 90_000


def _plain(text: str) -> str:
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


def _shown(page, needle: str) -> bool:
    """Whether the page shows ``needle`` (spaces normalised), waiting for it to render."""
    try:
        page.wait_for_function(
            "n => document.body.innerText.replace(/[\\u202f\\u00a0\\s]+/g, ' ').includes(n)",
            arg=needle,
            timeout=TIMEOUT,
        )
        return True
    except PlaywrightTimeout:
        return False


def test_compare_url_shows_both_names_and_both_job_figures(app_url, page, real_atlas):
    hosts = watch_hosts(page)
    page.goto(f"{app_url}/territoire?t=ti-8408&vs=200035731")
    page.get_by_text("Pourquoi comparer ces territoires").wait_for(timeout=TIMEOUT)
    assert _shown(page, "Lezoux – Thiers – Ambert – Montbrison")
    assert _shown(page, "Communauté d'agglomération Roannais Agglomération")
    for kind, code in (("ti", "ti-8408"), ("epci", "200035731")):
        jobs = _plain(indicators.fmt_number(figures_of(real_atlas, kind, code)["emplois_2018"]))
        shown = _shown(page, jobs)
        assert shown, f"jobs 2018 of {code} ({jobs}) not in: {page.locator('body').inner_text()}"
    assert _shown(page, "INSEE, comparateur de territoires 2022 — recensement 2018")
    picker = page.locator('[data-testid="stSelectbox"]').filter(has_text="Comparer avec")
    # the territory compared, as written (widget options are plain text, not Markdown)
    assert picker.locator("input").input_value() == (
        "Communauté d'agglomération Roannais Agglomération (200035731)"
    )
    images = page.locator('img[alt^="Carte : Lezoux"]')
    assert images.first.evaluate("img => img.complete && img.naturalWidth > 300")
    assert hosts <= {"127.0.0.1"}, hosts
