"""Public embed in headless Chromium: the ``?embed=1`` view, its snippet, the static export.

The Streamlit view, its iframe snippet pasted in a plain page, and the static export
served by ``http.server`` on 127.0.0.1.

Checked: the map draws, nothing leaves 127.0.0.1, the export raises no CSP violation,
hostile names show as text and run nothing, the table twin matches the map, Tab reaches
the table, the wheel scrolls the host page (Ctrl + wheel zooms), a click opens a popup
linking to the fiche. Waits are on DOM conditions, never fixed sleeps.
"""

from __future__ import annotations

import io
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from geodata.text import EMAIL_RE, PHONE_RE
from geodata.tiles.neighbours import touching_pairs
from layers import site as embed
from layers.communes import BORDER, MEMBER_COLOR, QUALITATIVE
from layers.registry import layer_frames
from pages.ui import embedding
from pages.ui.viewstate import from_query
from tests.support.browser import (
    CANVAS_PIXELS,
    MAP_FRAME,
    SHAPES,
    rgb,
    skip_without_chromium,
    static_server,
)
from tests.support.export_files import text_of
from tests.support.synthetic import XSS_NAMES

pytestmark = [pytest.mark.browser, pytest.mark.integration]
skip_without_chromium()

TIMEOUT = 45_000


@pytest.fixture(scope="module")
def national_export(real_atlas, tmp_path_factory) -> Path:
    """The static export of the real build: EPCI and case studies, France."""
    out = tmp_path_factory.mktemp("embed")
    embed.export_site(out, real_atlas, ["epci", "cases"], atlas_url="https://atlas.example.fr/")
    return out


def open_export(page, url: str) -> float:
    """Load the export; return seconds until the map and the table are drawn."""
    start = time.monotonic()
    page.goto(f"{url}/index.html")
    page.wait_for_selector("body[data-ready='1']", timeout=TIMEOUT)
    return time.monotonic() - start


# --- the static export -------------------------------------------------------------------


def test_static_export_draws_the_map_offline_under_its_csp(national_export, page):
    with static_server(national_export) as url:
        seconds = open_export(page, url)
        assert page.locator(f'{SHAPES}[stroke="#555555"]').count() >= 1000
        assert page.evaluate("window.__csp") == []
        assert not [e for e in page.errors if "Content Security Policy" in e], page.errors
        assert page.requested_hosts == {"127.0.0.1"}, page.requested_hosts
        assert page.locator("html").get_attribute("lang") == "fr"
        assert page.get_by_text("Sources : IGN, INSEE, ANCT — Licence Ouverte 2.0").count() == 1
        assert (
            page.get_by_role("link", name="Ouvrir l'atlas complet").get_attribute("href")
            == "https://atlas.example.fr/"
        )
        statement = page.get_by_role("link", name="Accessibilité : déclaration")
        assert statement.get_attribute("href") == "https://atlas.example.fr/accessibilite"
        page.locator(f'{SHAPES}[fill="#000000"]').first.click(force=True)  # a case study
        popup = page.locator(".leaflet-popup-content a")
        popup.wait_for(timeout=TIMEOUT)  # its name, its kind, a link to its fiche
        assert popup.get_attribute("href").startswith("https://atlas.example.fr/cas?cas=")
        assert page.evaluate("window.__csp") == []
    size = sum(p.stat().st_size for p in national_export.rglob("*") if p.is_file())
    print(f"\nstatic export (epci, cases): {size:,} bytes, drawn in {seconds:.2f} s")


def test_static_export_of_a_territory_draws_its_communes_from_its_own_tiles(
    real_atlas, tmp_path, page
):
    embed.export_site(
        tmp_path,
        real_atlas,
        ["communes"],
        "200035731",
        atlas_url="https://atlas.example.fr/",
        communes_mode="acv",
    )
    with static_server(tmp_path) as url:  # http.server: no range request, gzip files as is
        open_export(page, url)
        page.locator(".atlas-tiles-communes[data-loaded='1'] canvas").first.wait_for(
            state="attached", timeout=TIMEOUT
        )
        acv = [".atlas-tiles-communes", [rgb(MEMBER_COLOR)], 1]
        assert page.evaluate(CANVAS_PIXELS, acv) > 50  # Roanne is in ACV
        roanne = real_atlas.communes.set_index("insee_com").geometry["42187"]
        point = roanne.representative_point()
        xy = page.evaluate("p => atlasEmbed.map.latLngToContainerPoint(p)", [point.y, point.x])
        box = page.locator("#carte").bounding_box()
        page.mouse.click(box["x"] + xy["x"], box["y"] + xy["y"])
        popup = page.locator(".leaflet-popup-content")
        popup.locator("a").wait_for(timeout=TIMEOUT)
        assert popup.locator("strong").inner_text() == "Roanne"
        assert popup.locator("a").get_attribute("href") == (
            "https://atlas.example.fr/territoire?t=42187"
        )
        note = page.locator("#non-liste").inner_text()  # above the table twin
        assert note.startswith("La couche « Communes » n'est pas listée dans ce tableau.")
        assert page.locator("#tableau tbody tr").count() == 0
        assert page.locator("#compte").inner_text() == "Aucun élément listé dans ce tableau"
        # Zoomed out past the coarsest zoom copied: its tiles scaled down, no other asked for.
        page.evaluate("() => atlasEmbed.map.setZoom(5, {animate: false})")
        page.locator(".atlas-tiles-communes[data-loaded='1'] canvas").first.wait_for(
            state="attached", timeout=TIMEOUT
        )
        assert page.requested_hosts == {"127.0.0.1"}, page.requested_hosts
        assert page.errors == [] and page.evaluate("window.__csp") == []  # no 404, no CSP


def test_static_export_reaches_each_drom_in_one_click(national_export, page):
    with static_server(national_export) as url:
        open_export(page, url)
        group = page.get_by_role(
            "group", name="Aller à la métropole ou à un département d'outre-mer"
        )
        assert group.get_by_role("button").all_inner_texts() == [
            "Métropole",
            "Guadeloupe",
            "Martinique",
            "Guyane",
            "La Réunion",
            "Mayotte",
        ]
        shown = "p => window.atlasEmbed.map.getBounds().contains(p)"
        group.get_by_role("button", name="La Réunion").click()
        page.wait_for_function(shown, arg=[-21.1, 55.5], timeout=TIMEOUT)
        group.get_by_role("button", name="Guadeloupe").focus()
        page.keyboard.press("Enter")
        page.wait_for_function(shown, arg=[16.2, -61.5], timeout=TIMEOUT)
        assert not page.evaluate("() => window.atlasEmbed.map.getBounds().contains([46.5, 2.5])")
        assert page.locator(f'{SHAPES}[stroke="#555555"]').count() >= 1000  # nothing redrawn
        assert not [e for e in page.errors if "Content Security Policy" in e], page.errors


def test_table_twin_lists_what_the_map_shows_for_a_filter(national_export, page, real_atlas):
    with static_server(national_export) as url:
        open_export(page, url)
        n_all = page.locator("#tableau tbody tr").count()
        page.get_by_label("Filtrer la carte et le tableau par nom").fill("roann")
        # Functions, not strings: the page's CSP forbids eval, which string predicates use.
        page.wait_for_function(
            "n => document.querySelectorAll('#tableau tbody tr').length < n",
            arg=n_all,
            timeout=TIMEOUT,
        )
        rows = page.locator("#tableau tbody tr")
        table = {
            (r[0], r[1])
            for r in rows.evaluate_all(
                "rows => rows.map(r => [r.cells[0].textContent, r.cells[1].textContent])"
            )
        }
        epci_paths = page.locator(f'{SHAPES}[stroke="#555555"]').count()
        case_shapes = page.locator(f'{SHAPES}[fill="#000000"]').count()
    assert epci_paths == sum(kind == "EPCI" for _, kind in table) >= 1
    assert case_shapes == sum(kind == "Étude de cas" for _, kind in table) >= 1
    # The Python twin (used by the Streamlit embed) applies the same filters.
    frames = layer_frames(real_atlas)
    specs = [replace(embed.layer_spec(k, frames[k])[0], text="roann") for k in ("epci", "cases")]
    twin = embed.features_table(frames, specs, real_atlas.communes)
    assert set(zip(twin["Nom"], twin["Type"], strict=True)) == table


def test_keyboard_tab_reaches_the_table_rows(national_export, page):
    with static_server(national_export) as url:
        open_export(page, url)
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"
        for _ in range(12):
            page.keyboard.press("Tab")
            if page.evaluate("!!document.activeElement.closest('#tableau tbody tr')"):
                break
        else:
            pytest.fail("Tab never reached a row of the table")
        name = page.evaluate("document.activeElement.textContent")
        zoom = page.evaluate("atlasEmbed.map.getZoom()")
        page.keyboard.press("Enter")  # the row's button centres the map on the feature
        page.wait_for_function("z => atlasEmbed.map.getZoom() > z", arg=zoom, timeout=TIMEOUT)
        assert page.locator(".leaflet-tooltip").filter(has_text=name).count() == 1
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none"  # focus is visible


def test_hostile_case_names_show_as_text_and_run_nothing(embed_atlas, tmp_path, page):
    embed.export_site(tmp_path, embed_atlas, ["epci", "cases"])
    with static_server(tmp_path) as url:
        open_export(page, url)
        cells = page.locator("#tableau tbody th").all_text_contents()
        assert set(XSS_NAMES) <= set(cells)
        for name in XSS_NAMES:
            page.get_by_role("button", name=name, exact=True).click()
            page.locator(".leaflet-tooltip").filter(has_text=name).wait_for(timeout=TIMEOUT)
        assert page.locator("img[src='x'], #carte script, #tableau script").count() == 0
        assert page.locator("h1").text_content() == "Atlas des coopérations territoriales"
        assert page.get_by_text("CC <b>Un</b>").count() >= 1  # EPCI name, as text
        assert page.dialogs == [] and page.evaluate("window.__csp") == []


def test_neighbouring_epci_are_drawn_in_two_different_colours(real_atlas, tmp_path, page):
    # "Colorer les communes par EPCI": two communes on either side of an EPCI border must not
    # read as one territory. The largest such pair of the Loire, sampled on the map.
    loire = real_atlas.communes[real_atlas.communes["insee_dep"] == "42"].reset_index(drop=True)
    i, j = touching_pairs(loire.geometry.values)
    apart = loire["siren_epci"].values[i] != loire["siren_epci"].values[j]
    area = loire.to_crs(2154).area.to_numpy()  # areas in Lambert-93
    best = np.argmax(np.minimum(area[i], area[j]) * apart)
    pair = loire.iloc[[i[best], j[best]]]
    # each drawn in a colour of the palette, at the layer's opacity over the map's background
    opacity, ground = BORDER["fillOpacity"], np.array(rgb("#f3f5f7"))
    palette = np.array([opacity * np.array(rgb(h)) + (1 - opacity) * ground for h in QUALITATIVE])
    embed.export_site(tmp_path, real_atlas, ["communes"], "dep-42", communes_mode="epci")
    with static_server(tmp_path) as url:
        open_export(page, url)
        page.locator(".atlas-tiles-communes[data-loaded='1'] canvas").first.wait_for(
            state="attached", timeout=TIMEOUT
        )
        points = [
            page.evaluate("p => atlasEmbed.map.latLngToContainerPoint(p)", [pt.y, pt.x])
            for pt in pair.geometry.representative_point()
        ]
        for _ in range(40):  # until every tile under the two points is painted
            shot = np.asarray(Image.open(io.BytesIO(page.locator("#carte").screenshot())))
            seen = [_median_colour(shot, p["x"], p["y"]) for p in points]
            # distance of each sample to each palette colour; the closest one is its colour
            gaps = np.abs(palette[None, :, :] - np.array(seen)[:, None, :]).max(axis=2)
            if (gaps.min(axis=1) <= 12).all():
                break
            time.sleep(0.25)
    assert (gaps.min(axis=1) <= 12).all(), seen
    found = gaps.argmin(axis=1)
    assert found[0] != found[1], pair["nom"].tolist()


def _median_colour(shot: np.ndarray, x: float, y: float) -> np.ndarray:
    """The median RGB of the 7 × 7 pixels around ``(x, y)`` of a screenshot."""
    x, y = round(x), round(y)
    return np.median(shot[y - 3 : y + 4, x - 3 : x + 4, :3], axis=(0, 1))


def test_static_export_draws_when_the_server_decompresses_gz_files(real_atlas, page, tmp_path):
    # Some servers label .gz files Content-Encoding: gzip: the browser then hands the page
    # GeoJSON and tiles already decompressed, which it must read as they are.
    embed.export_site(tmp_path, real_atlas, ["communes", "epci"], communes_mode="acv")
    assert list((tmp_path / "data").glob("epci-*.geojson.gz"))
    with static_server(tmp_path, gzip_encoding=True) as url:
        open_export(page, url)
        assert page.locator(f'{SHAPES}[stroke="#555555"]').count() >= 1000  # the EPCI
        page.locator(".atlas-tiles-communes[data-loaded='1'] canvas").first.wait_for(
            state="attached", timeout=TIMEOUT
        )
        acv = [".atlas-tiles-communes", [rgb(MEMBER_COLOR)], 4]
        assert page.evaluate(CANVAS_PIXELS, acv) > 50  # the ACV communes
        assert page.locator("#tableau tbody tr").count() >= 1000  # the EPCI, listed
        assert page.errors == [] and page.evaluate("window.__csp") == []


def test_static_export_holds_no_email_or_phone(national_export):
    vendored = {p for p in national_export.joinpath("vendor").rglob("*")}
    found = []
    for path in national_export.rglob("*"):
        if not path.is_file() or path.suffix == ".png":
            continue
        text = text_of(path)  # the layers' GeoJSON decompressed
        hits = EMAIL_RE.findall(text) + PHONE_RE.findall(text)
        # Leaflet's own code (copied verbatim from npm) holds the Mercator constant
        # 85.0511287798, which has the shape of a phone number; it is not data.
        if path in vendored:
            hits = [h for h in hits if h != "0511287798"]
        found += [(path.name, h) for h in hits]
    assert found == []


# --- the Streamlit embed -----------------------------------------------------------------


def test_embed_view_is_the_map_alone_with_sources_and_a_way_back(app_url, page):
    page.goto(f"{app_url}/?embed=1&couches=epci,cases,pays")
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(SHAPES).nth(999).wait_for(state="attached", timeout=TIMEOUT)
    page.get_by_text("Sources : IGN, INSEE, ANCT — Licence Ouverte 2.0", exact=False).wait_for(
        timeout=TIMEOUT
    )
    assert page.locator('[data-testid="stSidebar"], [data-testid="stSidebarNav"]').count() == 0
    assert (
        page.get_by_label(
            "Rechercher une région, un département, une commune, un EPCI, un Pays ou un TI"
        ).count()
        == 0
    )
    href = page.get_by_role("link", name="Ouvrir l'atlas complet").get_attribute("href")
    assert "embed" not in href and "couches=epci%2Ccases%2Cpays" in href
    assert frame.locator(".atlas-legend-compact").count() == 1
    page.get_by_text("Éléments affichés sur la carte :").wait_for(timeout=TIMEOUT)  # table twin
    assert page.requested_hosts <= {"127.0.0.1"}, page.requested_hosts


def test_embed_of_a_territory_lists_its_features_in_a_table(app_url, page):
    page.goto(f"{app_url}/?embed=1&couches=epci,cases&sel=epci:200035731")
    page.frame_locator(MAP_FRAME).locator(f'{SHAPES}[stroke-width="4"]').first.wait_for(
        state="attached", timeout=TIMEOUT
    )
    page.get_by_text("Éléments affichés sur la carte :").click()  # the folded table twin
    table = page.locator('[data-testid="stTable"] table')
    roannais = "Communauté d'agglomération Roannais Agglomération"
    table.get_by_text(roannais).wait_for(timeout=TIMEOUT)
    assert table.get_by_text("Communauté de communes du Pays d'Urfé").count() == 0  # neighbour


def test_iframe_snippet_pasted_in_a_plain_page_loads_the_embed(app_url, page, tmp_path):
    view = from_query({"couches": "epci,cases", "sel": "epci:200035731"})
    snippet = embedding.iframe_snippet(app_url, view, title="Carte du Roannais")
    page_html = (
        f'<!doctype html><html lang="fr"><title>Site</title><h1>Notre territoire</h1>{snippet}'
    )
    (tmp_path / "index.html").write_text(page_html, encoding="utf-8")
    with static_server(tmp_path) as url:
        page.goto(f"{url}/index.html")
        outer = page.frame_locator('iframe[title="Carte du Roannais"]')
        outer.frame_locator(MAP_FRAME).locator(f'{SHAPES}[stroke-width="4"]').first.wait_for(
            state="attached", timeout=TIMEOUT
        )
        outer.get_by_role("link", name="Ouvrir l'atlas complet").wait_for(timeout=TIMEOUT)
    assert page.requested_hosts <= {"127.0.0.1"}, page.requested_hosts


# --- the embed on a host page: wheel, popup, keyboard, height ------------------------------

PAGE_SCROLL = (
    "() => Math.max(...[document.scrollingElement, ...document.querySelectorAll("
    "'[data-testid=stMain], [data-testid=stAppViewContainer]')].map(e => e.scrollTop))"
)


def embed_map(page, query: str = "couches=epci,cases"):
    """Open the ``?embed=1`` view; return its map frame (a Frame) once shapes are drawn."""
    page.goto(f"{page.app_url}/?embed=1&{query}")
    frame = page.locator(MAP_FRAME).last.content_frame
    frame.locator(SHAPES).first.wait_for(state="attached", timeout=TIMEOUT)
    return page.locator(MAP_FRAME).last.element_handle().content_frame()


def over_the_map(page) -> None:
    """Put the mouse on the middle of the map's frame."""
    box = page.locator(MAP_FRAME).last.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


@pytest.fixture
def short_page(browser, app_url):
    """A page as tall as the default snippet (700 px): the height of the iframe it sits in."""
    context = browser.new_context(viewport={"width": 1200, "height": 700})
    pg = context.new_page()
    pg.app_url = app_url
    yield pg
    context.close()


def test_wheel_scrolls_the_host_page_and_ctrl_wheel_zooms_the_map(app_url, page, tmp_path):
    view = from_query({"couches": "epci"})
    snippet = embedding.iframe_snippet(app_url, view, title="Carte")  # default height
    host = f'<!doctype html><html lang="fr"><title>Site</title>{snippet}<div style="height:3000px">'
    (tmp_path / "index.html").write_text(host, encoding="utf-8")
    with static_server(tmp_path) as url:
        page.goto(f"{url}/index.html")
        outer = page.frame_locator('iframe[title="Carte"]')
        outer.frame_locator(MAP_FRAME).locator(SHAPES).first.wait_for(
            state="attached", timeout=TIMEOUT
        )
        frame = next(f for f in page.frames if "streamlit_folium" in f.url)
        before = frame.evaluate("() => map.getZoom()")  # st_folium's frame names its map `map`
        box = outer.locator(MAP_FRAME).bounding_box()
        middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.move(*middle)
        page.mouse.wheel(0, 100)  # a plain wheel over the map scrolls the host page
        page.wait_for_function("() => window.scrollY > 0", timeout=TIMEOUT)
        box = outer.locator(MAP_FRAME).bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, max(box["y"], 0) + 60)
        page.keyboard.down("Control")
        page.mouse.wheel(0, -100)  # Ctrl + wheel up: one zoom level in
        page.keyboard.up("Control")
        frame.wait_for_function("z => map.getZoom() !== z", arg=before, timeout=TIMEOUT)
        assert frame.evaluate("() => map.getZoom()") == before + 1  # the plain wheel: no zoom


def test_click_opens_a_popup_linking_to_the_fiche_without_a_focus_box(short_page, real_atlas):
    frame = embed_map(short_page, "couches=communes,cases")
    # The topmost feature under a case's point takes the click (a case area may cover it).
    frame.locator(f'{SHAPES}[fill="#000000"]').first.click(force=True)
    link = frame.locator(".leaflet-popup-content a")
    link.wait_for(timeout=TIMEOUT)
    assert link.get_attribute("target") == "_blank"
    assert "/cas?cas=" in link.get_attribute("href")
    assert frame.locator(".leaflet-popup-content strong").inner_text() != ""  # the name
    clicked = frame.evaluate(
        "() => [document.activeElement.tagName, getComputedStyle(document.activeElement)"
        ".outlineStyle]"
    )
    assert clicked == ["path", "none"]  # focused by the click, without a black rectangle
    # A commune of the tile layer (under the case studies, 120 km from any) opens one too.
    frame.locator(".atlas-tiles-communes[data-loaded='1'] canvas").first.wait_for(
        state="attached", timeout=TIMEOUT
    )
    sabres = real_atlas.communes.set_index("insee_com").geometry["40246"].representative_point()
    xy = frame.evaluate("p => map.latLngToContainerPoint(p)", [sabres.y, sabres.x])
    box = short_page.locator(MAP_FRAME).last.bounding_box()
    short_page.mouse.click(box["x"] + xy["x"], box["y"] + xy["y"])  # a fractional zoom
    commune = frame.locator(".leaflet-popup-content").filter(has_text="Sabres").locator("a")
    commune.wait_for(timeout=TIMEOUT)
    assert commune.get_attribute("href").endswith("/territoire?t=40246")


def test_skip_link_leads_to_the_table_and_the_default_height_has_no_second_scrollbar(
    short_page,
):
    page = short_page
    embed_map(page)
    page.get_by_text("Éléments affichés sur la carte :").wait_for(timeout=TIMEOUT)
    overflow = page.evaluate(
        "() => [...document.querySelectorAll("
        "'[data-testid=stMain], [data-testid=stAppViewContainer]')]"
        ".map(e => e.scrollHeight - e.clientHeight)"
    )
    assert max(overflow) <= 0, overflow  # the page fits the 700 px snippet
    for _ in range(5):
        page.keyboard.press("Tab")
        # Streamlit's own skip link ("Aller au contenu principal") comes first: ours is next
        if page.evaluate("() => document.activeElement.textContent").startswith("Aller au tableau"):
            break
    else:
        pytest.fail("no skip link among the first tab stops")
    assert page.evaluate("() => document.activeElement.getBoundingClientRect().left") >= 0
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # next stop: the table twin, past the map's controls
    assert "Éléments affichés sur la carte" in page.evaluate(
        "() => document.activeElement.textContent"
    )
    page.keyboard.press("Enter")
    page.locator("[data-testid='stTable'], [data-testid='stDataFrame']").first.wait_for(
        timeout=TIMEOUT
    )
