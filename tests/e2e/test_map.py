"""End-to-end: the real app in headless Chromium on 127.0.0.1 (Playwright, Debian's chromium).

What only a browser shows: the map draws, layers toggle, search zooms and opens the
panel, a permalink reproduces a view, and nothing leaves 127.0.0.1. Waits are on DOM
conditions, never fixed sleeps.
"""

from __future__ import annotations

import pytest

from tests.support.browser import (
    MAP_FRAME,
    SHAPES,
    skip_without_chromium,
    streamlit_server,
)

pytestmark = [pytest.mark.browser, pytest.mark.integration]
skip_without_chromium()

TIMEOUT = 45_000


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


def test_national_map_draws_every_epci_and_only_talks_to_127_0_0_1(app_url, page):
    page.goto(app_url)
    assert wait_shapes(page, 1000) >= 1000
    assert page.requested_hosts <= {"127.0.0.1"}, page.requested_hosts


def test_turning_on_the_ti_layer_draws_its_polygons(app_url, page, real_build):
    assert (real_build / "ti.parquet").exists()  # built from the snapshot of opendata/
    page.goto(app_url)
    wait_shapes(page, 1000)
    before = count_shapes(page)
    page.get_by_text("Territoires d'industrie", exact=False).first.click()
    frame = map_frame(page)
    ti_paths = frame.locator(f'{SHAPES}[stroke="#0072B2"]')
    ti_paths.nth(99).wait_for(state="attached", timeout=TIMEOUT)
    assert ti_paths.count() >= 100 and count_shapes(page) > before


def test_search_roanne_zooms_there_and_opens_the_panel(app_url, page):
    page.goto(app_url)
    wait_shapes(page, 1000)
    box = page.get_by_label("Rechercher une commune, un EPCI, un Pays ou un Territoire d'industrie")
    box.fill("Roanne")
    box.press("Enter")
    page.get_by_role("heading", name="Roanne").first.wait_for(timeout=TIMEOUT)
    page.wait_for_url("**sel=42187**", timeout=TIMEOUT)
    map_frame(page).locator(SHAPES).first.wait_for(state="attached", timeout=TIMEOUT)
    inside = map_eval(
        page, "return map.getBounds().contains([46.036, 4.068]) && map.getZoom() >= 9;"
    )
    assert inside
    assert page.requested_hosts <= {"127.0.0.1"}, page.requested_hosts


def test_a_permalink_reproduces_the_view(app_url, page):
    page.goto(f"{app_url}/?dep=42&sel=epci%3A200035731&couches=epci%2Ccases")
    page.get_by_role("heading", name="Roannais Agglomération").wait_for(timeout=TIMEOUT)
    frame = map_frame(page)
    frame.locator(f'{SHAPES}[stroke-width="4"]').first.wait_for(state="attached", timeout=TIMEOUT)
    assert map_eval(page, "return map.getBounds().contains([46.036, 4.068]);")
    assert page.get_by_label("Études de cas").first.is_checked()
    assert not page.get_by_label("Pays / PETR").first.is_checked()


def test_a_deep_link_as_first_visit_opens_its_page_with_the_atlas_navigation(real_build, browser):
    """Streamlit's old pages-directory mode must not take over a fresh server (pages/__init__)."""
    with streamlit_server(env={"ATLAS_BUILD_DIR": str(real_build)}) as srv:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(f"{srv.url}/cas?cas=roanne-territoire")
        page.get_by_role("heading", name="Roanne Territoire").wait_for(timeout=TIMEOUT)
        nav = page.locator('[data-testid="stSidebarNav"] a')
        nav.first.wait_for(timeout=TIMEOUT)
        labels = [text.split("\n")[-1] for text in nav.all_inner_texts()]
        assert labels == ["Carte", "Études de cas", "Territoire", "Données et sources", "À propos"]
        context.close()


def test_carte_path_works_on_a_server_that_already_served_a_session(real_build, browser):
    """``/carte?couches=…`` resolves to the map once the server left its first-visit mode."""
    with streamlit_server(env={"ATLAS_BUILD_DIR": str(real_build)}) as srv:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        first = context.new_page()
        first.goto(srv.url)
        first.locator(MAP_FRAME).first.wait_for(timeout=3 * TIMEOUT)  # a cold server loads
        page = context.new_page()
        page.goto(f"{srv.url}/carte?couches=epci,ti")
        page.locator(MAP_FRAME).first.wait_for(timeout=TIMEOUT)
        assert wait_shapes(page, 1000) >= 1000
        assert page.get_by_text("Page not found").count() == 0
        assert page.url.startswith(f"{srv.url}/carte")
        embed = context.new_page()
        embed.goto(f"{srv.url}/carte?embed=1&couches=epci")
        embed.locator(MAP_FRAME).first.wait_for(timeout=TIMEOUT)
        assert embed.get_by_text("Page not found").count() == 0
        unknown = context.new_page()
        unknown.goto(f"{srv.url}/nulle-part")
        unknown.get_by_text("Page introuvable").first.wait_for(timeout=TIMEOUT)
        assert unknown.get_by_text("Page not found").count() == 0
        context.close()


def wait_map(page, script: str) -> None:
    """Wait until ``script`` (JS run in the map's iframe, with ``map``) returns true."""
    frame = page.locator(MAP_FRAME).last.element_handle().content_frame()
    frame.wait_for_function(f"() => {{ {script} }}", timeout=TIMEOUT)


def outline_margin_px(page, bounds) -> float:
    """Smallest distance (pixels) between the outline's box and the map's edges."""
    (x0, y0, x1, y1) = (float(v) for v in bounds)
    return map_eval(
        page,
        f"""
        const a = map.latLngToContainerPoint([{y0}, {x0}]);
        const b = map.latLngToContainerPoint([{y1}, {x1}]);
        const s = map.getSize();
        return Math.min(a.x, s.y - a.y, s.x - b.x, b.y);""",
    )


def test_selecting_an_epci_fits_its_whole_outline_with_a_margin(app_url, page, real_build):
    from geodata import atlas, territory

    bounds = territory.outline(atlas.load(real_build), "epci", "200035731").total_bounds
    page.goto(app_url)
    wait_shapes(page, 1000)
    box = page.get_by_label("Rechercher une commune, un EPCI, un Pays ou un Territoire d'industrie")
    box.fill("200035731")
    box.press("Enter")
    page.get_by_role("heading", name="Roannais Agglomération").first.wait_for(timeout=TIMEOUT)
    frame = map_frame(page)
    frame.locator('path[stroke="#000000"][stroke-width="3"]').first.wait_for(
        state="attached", timeout=TIMEOUT
    )
    wait_map(page, "return map.getBounds().contains([46.036, 4.068]);")
    assert outline_margin_px(page, bounds) >= 20


def test_overseas_buttons_bring_each_drom_into_view(app_url, page):
    page.goto(app_url)
    wait_shapes(page, 1000)
    frame = map_frame(page)
    group = frame.get_by_role("group", name="Aller à la métropole ou à un département d'outre-mer")
    labels = group.get_by_role("button").all_inner_texts()
    assert labels == ["Métropole", "Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte"]
    group.get_by_role("button", name="Guyane").focus()
    page.keyboard.press("Enter")  # keyboard-usable
    wait_map(page, "return map.getBounds().contains([4.9, -52.3]) && map.getZoom() >= 6;")
    group.get_by_role("button", name="Mayotte").click()
    wait_map(page, "return map.getBounds().contains([-12.78, 45.23]) && map.getZoom() >= 9;")
    group.get_by_role("button", name="Métropole").click()
    wait_map(page, "return map.getBounds().contains([48.85, 2.35]) && map.getZoom() < 7;")
