"""End-to-end: the Territoire page compares two territories from its URL (``&vs=``)."""

from __future__ import annotations

import pytest

from geodata.briefing.indicators import figures_of
from geodata.model import indicators
from tests.support.browser import skip_without_chromium, watch_hosts

pytestmark = [pytest.mark.browser, pytest.mark.integration]
skip_without_chromium()
TIMEOUT = 90_000


def _plain(text: str) -> str:
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


def test_compare_url_shows_both_names_and_both_job_figures(app_url, page, real_atlas):
    hosts = watch_hosts(page)
    page.goto(f"{app_url}/territoire?t=ti-8408&vs=200035731")
    page.get_by_text("Pourquoi comparer ces territoires").wait_for(timeout=TIMEOUT)
    text = _plain(page.locator("body").inner_text())
    assert "Lezoux – Thiers – Ambert – Montbrison" in text
    assert "Communauté d'agglomération Roannais Agglomération" in text
    for kind, code in (("ti", "ti-8408"), ("epci", "200035731")):
        jobs = figures_of(real_atlas, kind, code)["emplois_2018"]
        assert _plain(indicators.fmt_number(jobs)) in text, f"jobs 2018 of {code}"
    assert "INSEE, comparateur de territoires 2022 — recensement 2018" in text
    images = page.locator('img[alt^="Carte : Lezoux"]')
    assert images.first.evaluate("img => img.complete && img.naturalWidth > 300")
    assert hosts <= {"127.0.0.1"}, hosts
