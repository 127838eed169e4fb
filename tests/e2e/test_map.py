"""End-to-end: the real app in headless Chromium on 127.0.0.1 (Playwright, Debian's chromium).

What only a browser shows: the map draws, layers toggle, search zooms and opens the
panel, a permalink reproduces a view, the map keeps its place when layers or filters
change, a région is a scope, and nothing leaves 127.0.0.1. Waits are on DOM conditions,
never fixed sleeps.
"""

from __future__ import annotations

import time
import urllib.request

import pytest
from playwright.sync_api import expect

from layers.tiles import read_tileset
from tests.support.browser import (
    CANVAS_PIXELS,
    MAP_FRAME,
    SHAPES,
    rgb,
    skip_without_chromium,
)

pytestmark = [pytest.mark.browser, pytest.mark.integration]
skip_without_chromium()

TIMEOUT = 45_000
SEARCH = "Rechercher une région, un département, une commune, un EPCI, un Pays ou un TI"


def map_frame(page):
    """The map's iframe. A rerun briefly mounts a new one beside the old: take the newest."""
    return page.locator(MAP_FRAME).last.content_frame


def count_shapes(page, selector: str = SHAPES) -> int:
    return map_frame(page).locator(selector).count()


def wait_shapes(page, at_least: int, selector: str = SHAPES) -> int:
    frame = map_frame(page)
    frame.locator(selector).nth(at_least - 1).wait_for(state="attached", timeout=TIMEOUT)
    return frame.locator(selector).count()


# The search's results are pill buttons in the page (the sidebar's layers are pills too).
SEARCH_RESULTS = '[data-testid="stMain"] [data-testid="stButtonGroup"] button'


def result(page, starting: str):
    """The search result (a pill button) whose text starts with ``starting``."""
    pills = page.locator(SEARCH_RESULTS)
    pills.first.wait_for(timeout=TIMEOUT)
    return pills.filter(has_text=starting).first


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
    box = page.get_by_label(SEARCH)
    box.fill("Roanne")
    box.press("Enter")
    result(page, "Roanne — Commune (42)").click()  # several match: the reader picks
    page.get_by_role("heading", name="Roanne").first.wait_for(timeout=TIMEOUT)
    page.wait_for_url("**sel=42187**", timeout=TIMEOUT)
    map_frame(page).locator(SHAPES).first.wait_for(state="attached", timeout=TIMEOUT)
    wait_map(page, "return map.getBounds().contains([46.036, 4.068]) && map.getZoom() >= 9;")
    assert page.requested_hosts <= {"127.0.0.1"}, page.requested_hosts


def test_a_permalink_reproduces_the_view(app_url, page):
    page.goto(f"{app_url}/?dep=42&sel=epci%3A200035731&couches=epci%2Ccases")
    page.get_by_role("heading", name="Roannais Agglomération").wait_for(timeout=TIMEOUT)
    frame = map_frame(page)
    frame.locator(f'{SHAPES}[stroke-width="4"]').first.wait_for(state="attached", timeout=TIMEOUT)
    assert map_eval(page, "return map.getBounds().contains([46.036, 4.068]);")
    layers = page.get_by_role("toolbar", name="Couches affichées")  # toggle buttons
    assert layers.get_by_role("button", name="Études de cas", pressed=True).count() == 1
    assert layers.get_by_role("button", name="Pays / PETR", pressed=False).count() == 1
    assert layers.get_by_role("button", pressed=True).all_inner_texts() == [
        "Intercommunalités (EPCI)",
        "Études de cas",
    ]  # the ✓ of a pressed layer is CSS, out of its name


def test_carte_path_works_on_a_server_that_already_served_a_session(app_url, browser):
    """``/carte?couches=…`` resolves to the map once the server left its first-visit mode.

    (A fresh server's first visitor on a deep link: ``test_accessibility``.)
    """
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    first = context.new_page()
    first.goto(app_url)
    first.locator(MAP_FRAME).first.wait_for(timeout=3 * TIMEOUT)  # the server has a session
    page = context.new_page()
    page.goto(f"{app_url}/carte?couches=epci,ti")
    page.locator(MAP_FRAME).first.wait_for(timeout=TIMEOUT)
    assert wait_shapes(page, 1000) >= 1000
    assert page.get_by_text("Page not found").count() == 0
    assert page.url.startswith(f"{app_url}/carte")
    embed = context.new_page()
    embed.goto(f"{app_url}/carte?embed=1&couches=epci")
    embed.locator(MAP_FRAME).first.wait_for(timeout=TIMEOUT)
    assert embed.get_by_text("Page not found").count() == 0
    unknown = context.new_page()
    unknown.goto(f"{app_url}/nulle-part")
    unknown.get_by_text("Page introuvable").first.wait_for(timeout=TIMEOUT)
    assert unknown.get_by_text("Page not found").count() == 0
    context.close()


def wait_map(page, script: str, timeout: float = TIMEOUT) -> None:
    """Wait until ``script`` (JS run in the map's iframe, with ``map``) returns true.

    A rerun may replace the map's iframe while we wait: the newest one is looked up again.
    """
    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout / 1000
    while True:
        try:
            frame = page.locator(MAP_FRAME).last.element_handle(timeout=5_000).content_frame()
            if frame is not None:
                frame.wait_for_function(f"() => {{ {script} }}", timeout=2_000)
                return
        except Error:  # the frame was replaced, or the condition is not met yet
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"the map never satisfied: {script}")


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
    box = page.get_by_label(SEARCH)
    box.fill("200035731")  # a code: opened without asking
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


# --- the map keeps its place; the région is a scope; search for a reader (issue 17) ------


def mark_map_old(page) -> None:
    """Mark the map drawn now, so a wait can tell the next redraw from it.

    A rerun redraws the map in place (its overlay, counted by ``atlas.overlayDrawn``) or,
    when it needs other scripts, in a new frame (a new map, not marked).
    """
    map_eval(page, "map._atlasOld = map._atlasDraws; return true;")


def wait_view_kept(page, lat: float, lon: float, zoom: float) -> None:
    """Wait for a redrawn map (not the one marked old) showing ``zoom`` around (lat, lon)."""
    wait_map(
        page,
        "return typeof map !== 'undefined' && map._atlasDraws > 0"
        f" && map._atlasDraws !== map._atlasOld && map.getZoom() === {zoom}"
        f" && map.getCenter().distanceTo([{lat}, {lon}]) < 2000;",
    )


def test_layers_and_filters_keep_the_centre_and_zoom(app_url, page):
    page.goto(f"{app_url}/?couches=epci,cases")
    wait_shapes(page, 1000)
    map_eval(page, "map.setView([45.78, 3.08], 9.75, {animate: false}); return true;")
    mark_map_old(page)
    page.get_by_text("Territoires d'industrie", exact=False).first.click()  # a layer
    page.wait_for_url("**couches=epci%2Cti%2Ccases**", timeout=TIMEOUT)
    wait_view_kept(page, 45.78, 3.08, 9.75)
    # redrawn in place: the same Leaflet map, its overlay drawn a second time (no new frame)
    assert map_eval(page, "return map._atlasDraws;") >= 2
    mark_map_old(page)
    text = page.get_by_label("Texte libre (études de cas)")
    text.fill("industrie")  # a filter
    text.press("Enter")
    page.wait_for_url("**q=industrie**", timeout=TIMEOUT)
    wait_view_kept(page, 45.78, 3.08, 9.75)


def test_a_region_limits_every_layer_and_says_what_it_holds(app_url, page, real_atlas):
    from geodata import scope
    from layers.palette import LAYER_COLORS

    in_region = scope.territories_in(real_atlas, "ti", reg="84")
    ti = real_atlas.get("ti")
    national = ti[ti["phase"] == ti["phase"].max()]
    assert 0 < len(in_region) < len(national)
    page.goto(f"{app_url}/?reg=84&couches=ti")
    frame = map_frame(page)
    ti_paths = frame.locator(f'{SHAPES}[stroke="{LAYER_COLORS["ti"]}"]')
    ti_paths.first.wait_for(state="attached", timeout=TIMEOUT)  # a layer is drawn at once
    assert ti_paths.count() == len(in_region)
    summary = page.get_by_text("En Auvergne-Rhône-Alpes :", exact=False).first
    summary.wait_for(timeout=TIMEOUT)
    assert f"{len(in_region)} TI" in summary.inner_text()
    assert page.get_by_text("au moins une commune dedans", exact=False).count() == 1
    wait_map(page, "return map.getBounds().contains([45.78, 3.08]) && map.getZoom() >= 6;")
    assert not map_eval(page, "return map.getBounds().contains([48.85, 2.35]);")  # not Paris


def test_clermont_lists_clermont_ferrand_first_and_waits_for_the_reader(app_url, page):
    page.goto(app_url)
    wait_shapes(page, 1000)
    box = page.get_by_label(SEARCH)
    box.fill("Clermont")
    box.press("Enter")
    first = result(page, "Clermont")
    assert (
        page.locator(SEARCH_RESULTS)
        .first.inner_text()
        .startswith("Clermont-Ferrand — Commune (63)")
    )
    assert page.get_by_role("heading", name="Clermont-Ferrand").count() == 0  # no jump
    first.click()
    page.get_by_role("heading", name="Clermont-Ferrand").first.wait_for(timeout=TIMEOUT)
    page.get_by_role("button", name="Fermer").click()  # a way out
    page.get_by_role("heading", name="Clermont-Ferrand").wait_for(state="detached", timeout=TIMEOUT)
    # the panel can go one rerun before the search box is emptied and the URL rewritten
    expect(box).to_have_value("", timeout=TIMEOUT)
    page.wait_for_url(lambda url: "sel=" not in url, timeout=TIMEOUT)


def test_a_region_is_found_by_name_and_opens_its_fiche(app_url, page):
    page.goto(app_url)
    wait_shapes(page, 1000)
    box = page.get_by_label(SEARCH)
    box.fill("Auvergne-Rhône-Alpes")  # one match: opened without asking
    box.press("Enter")
    page.get_by_role("heading", name="Auvergne-Rhône-Alpes").first.wait_for(timeout=TIMEOUT)
    page.wait_for_url("**sel=reg-84**", timeout=TIMEOUT)
    wait_map(page, "return map.getBounds().contains([45.78, 3.08]);")
    box.fill("")  # clearing the search closes the selection
    box.press("Enter")
    page.get_by_role("heading", name="Auvergne-Rhône-Alpes").wait_for(
        state="detached", timeout=TIMEOUT
    )
    box.fill("reg-84")
    box.press("Enter")
    link = page.get_by_role("link", name="Fiche territoire")
    link.first.wait_for(timeout=TIMEOUT)
    link.first.click()
    page.wait_for_url("**/territoire?t=reg-84**", timeout=TIMEOUT)


def commune_pixels(page, colour: str) -> int:
    """Pixels of ``colour`` the commune tile layer drew on its canvases."""
    frame = page.locator(MAP_FRAME).last.element_handle(timeout=TIMEOUT).content_frame()
    return frame.evaluate(CANVAS_PIXELS, [".atlas-tiles-communes", [rgb(colour)], 1])


def test_the_commune_layer_draws_its_tiles_and_a_click_opens_the_commune(app_url, page, real_atlas):
    from layers.communes import MEMBER_COLOR

    page.goto(f"{app_url}/?couches=communes&communes=acv&dep=42")
    tiles = map_frame(page).locator(".atlas-tiles-communes[data-loaded='1'] canvas")
    tiles.first.wait_for(state="attached", timeout=TIMEOUT)
    assert commune_pixels(page, MEMBER_COLOR) > 50  # Roanne, Saint-Étienne… in ACV
    roanne = real_atlas.communes.set_index("insee_com").geometry["42187"].representative_point()
    point = map_eval(page, f"return map.latLngToContainerPoint([{roanne.y}, {roanne.x}]);")
    box = page.locator(MAP_FRAME).last.bounding_box()
    page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    tooltip = map_frame(page).locator(".atlas-tiles-tooltip")
    tooltip.wait_for(timeout=TIMEOUT)
    assert tooltip.inner_text() == "Roanne — Commune 42187"
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    page.get_by_role("heading", name="Roanne").first.wait_for(timeout=TIMEOUT)
    page.wait_for_url("**sel=42187**", timeout=TIMEOUT)
    # The map fits Roanne (zoom 12): past the deepest native zoom, tiles cut from z10 ones.
    wait_map(page, "return map.getZoom() > 11;")
    tiles = map_frame(page).locator(".atlas-tiles-communes[data-loaded='1'] canvas")
    tiles.first.wait_for(state="attached", timeout=TIMEOUT)
    assert commune_pixels(page, MEMBER_COLOR) > 1000
    assert commune_pixels(page, "#000000") > 100  # the chosen commune outlined in black
    assert page.requested_hosts <= {"127.0.0.1"}, page.requested_hosts
    assert page.errors == []
    # A tile is sent as the gzip file it is: the server does not compress it again (its
    # gzip middleware would, on the event loop, at every request).
    tileset = read_tileset(real_atlas.out / "tiles")
    x, _, y, _ = tileset.layers["communes"].ranges["5"][0]
    path = f"communes/5/{x}/{y}.pbf.gz"
    request = urllib.request.Request(
        f"{app_url}/app/static/tiles/{tileset.digest}/{path}", headers={"Accept-Encoding": "gzip"}
    )
    with urllib.request.urlopen(request) as response:
        assert response.headers["Content-Type"] == "application/gzip"
        assert response.headers.get("Content-Encoding") is None
        assert response.read() == (real_atlas.out / "tiles" / path).read_bytes()
