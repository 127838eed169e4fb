"""End-to-end: the real app in headless Chromium on 127.0.0.1 (Playwright, Debian's chromium).

What only a browser shows: the map draws, layers toggle, search zooms and opens the
panel, a permalink reproduces a view, and nothing leaves 127.0.0.1. Waits are on DOM
conditions, never fixed sleeps.
"""

from __future__ import annotations

import pytest

from tests.browser import MAP_FRAME, SHAPES, skip_without_chromium, streamlit_server, watch_hosts

pytestmark = [pytest.mark.browser, pytest.mark.integration]
skip_without_chromium()

TIMEOUT = 45_000


@pytest.fixture
def page(browser):
    """A fresh page that records the host of every request it makes."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    watch_hosts(pg)
    yield pg
    context.close()


def map_frame(page):
    """The map's iframe. A rerun briefly mounts a new one beside the old: take the newest."""
    return page.locator(MAP_FRAME).last.content_frame


def count_shapes(page, selector: str = SHAPES) -> int:
    return map_frame(page).locator(selector).count()


def wait_shapes(page, at_least: int, selector: str = SHAPES) -> int:
    frame = map_frame(page)
    frame.locator(selector).nth(at_least - 1).wait_for(state="attached", timeout=TIMEOUT)
    return frame.locator(selector).count()


def map_eval(page, script: str):
    """Evaluate JS in the map's iframe (where st_folium exposes ``window.map``)."""
    frame = map_frame(page).locator("body")
    return frame.evaluate(f"() => {{ {script} }}")


def test_national_map_draws_every_epci_and_only_talks_to_127_0_0_1(server, page):
    page.goto(server)
    assert wait_shapes(page, 1000) >= 1000
    assert page.requested_hosts <= {"127.0.0.1"}, page.requested_hosts


def test_turning_on_the_ti_layer_draws_its_polygons(server, page, real_build):
    if not (real_build / "ti.parquet").exists():
        pytest.skip("the Territoires d'industrie list is not loaded: set ATLAS_DATA_DIR "
                    "(CI points it at ../shared/data/anct)")
    page.goto(server)
    wait_shapes(page, 1000)
    before = count_shapes(page)
    page.get_by_text("Territoires d'industrie", exact=False).first.click()
    frame = map_frame(page)
    ti_paths = frame.locator(f'{SHAPES}[stroke="#0072B2"]')
    ti_paths.nth(99).wait_for(state="attached", timeout=TIMEOUT)
    assert ti_paths.count() >= 100 and count_shapes(page) > before


def test_search_roanne_zooms_there_and_opens_the_panel(server, page):
    page.goto(server)
    wait_shapes(page, 1000)
    box = page.get_by_label("Rechercher une commune, un EPCI, un Pays ou un Territoire d'industrie")
    box.fill("Roanne")
    box.press("Enter")
    page.get_by_role("heading", name="Roanne").first.wait_for(timeout=TIMEOUT)
    page.wait_for_url("**sel=commune%3A42187**", timeout=TIMEOUT)
    map_frame(page).locator(SHAPES).first.wait_for(state="attached", timeout=TIMEOUT)
    inside = map_eval(page, "return map.getBounds().contains([46.036, 4.068]) && map.getZoom() >= 9;")
    assert inside
    assert page.requested_hosts <= {"127.0.0.1"}, page.requested_hosts


def test_a_permalink_reproduces_the_view(server, page):
    page.goto(f"{server}/?dep=42&sel=epci%3A200035731&couches=epci%2Ccases")
    page.get_by_role("heading", name="Roannais Agglomération").wait_for(timeout=TIMEOUT)
    frame = map_frame(page)
    frame.locator(f'{SHAPES}[stroke-width="4"]').first.wait_for(state="attached", timeout=TIMEOUT)
    assert map_eval(page, "return map.getBounds().contains([46.036, 4.068]);")
    assert page.get_by_label("Études de cas").first.is_checked()
    assert not page.get_by_label("Pays / PETR").first.is_checked()


def test_a_deep_link_as_first_visit_opens_its_page_with_the_atlas_navigation(real_build, browser):
    """Streamlit's old pages-directory mode must not take over a fresh server (pages/__init__)."""
    with streamlit_server() as srv:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(f"{srv.url}/cas?cas=roanne-territoire")
        page.get_by_role("heading", name="Roanne Territoire").wait_for(timeout=TIMEOUT)
        nav = page.locator('[data-testid="stSidebarNav"] a')
        nav.first.wait_for(timeout=TIMEOUT)
        labels = [text.split("\n")[-1] for text in nav.all_inner_texts()]
        assert labels == ["Carte", "Études de cas", "Territoire", "Données et sources",
                          "À propos"]
        context.close()
