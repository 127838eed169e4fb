"""Accessibility (RGAA 4.1 / WCAG 2.1 AA) in headless Chromium: axe-core on every page, keyboard.

axe-core comes from npm (``package.json``), vendored to ``static/vendor/axe-core`` by
``make assets`` (:data:`layers.assets.VENDORED_FILES`); no page loads it: the test
injects it into every frame of a page (the Streamlit page, the map's frame, the hidden
language frame…) and runs the WCAG 2.0 and 2.1 A/AA rules there. A violation fails the
test unless :data:`EXCEPTIONS` lists it with its reason and RGAA criterion.

Pages audited: every page of the dashboard (:data:`APP_PAGES`: add a new page there, with
what shows it is drawn), the public embed, the static export of ``atlas embed`` served
by ``python -m http.server`` and the HTML briefing of ``atlas briefing --format html``.
The keyboard test goes from the map to a territory's PDF with ``page.keyboard`` only.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from layers.assets import AXE_CORE, ROOT
from pages.ui.accessibility import SKIP_TEXT
from tests.support.browser import (
    MAP_FRAME,
    SHAPES,
    free_port,
    skip_without_chromium,
    streamlit_server,
)

pytestmark = [pytest.mark.browser, pytest.mark.integration]
skip_without_chromium()

TIMEOUT = 120_000  # the first page of a fresh server loads every layer
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# rule id -> why it is accepted, and the RGAA criterion. Keep it short; explain each entry
# in pages/accessibilite.py too. Empty: every page passes every rule.
EXCEPTIONS: dict[str, str] = {}


@dataclass(frozen=True)
class AppPage:
    """A dashboard page to audit: its address and what shows it is drawn."""

    path: str
    ready: str  # a CSS selector in the page (or, with ``in_map``, in the map's frame)
    in_map: bool = False


APP_PAGES = [
    AppPage("/", SHAPES, in_map=True),
    AppPage("/?embed=1&couches=epci,cases", SHAPES, in_map=True),
    AppPage("/cas", "[data-testid='stDataFrame'], [data-testid='stTable']"),
    AppPage("/cas?cas=roanne-territoire", "h1"),
    AppPage("/territoire?t=ti-8408", "img[alt^='Carte de']"),
    AppPage("/sources", "h1"),
    AppPage("/apropos", "h1"),
    AppPage("/accessibilite", "h1"),
    AppPage("/proposer", "h1"),
    AppPage("/moderation", "h1"),
]


def axe_source() -> str:
    """The vendored axe-core script (``make assets``), or skip the module."""
    path = ROOT / "static" / "vendor" / AXE_CORE
    if not path.is_file():
        pytest.skip(f"{path} is missing: run `make assets` (axe-core from npm)")
    return path.read_text(encoding="utf-8")


def audit(page) -> list[str]:
    """Run axe-core in every frame of ``page``; return the violations not in EXCEPTIONS."""
    source, found = axe_source(), []
    for frame in page.frames:
        if frame.is_detached():
            continue
        frame.evaluate(source)
        violations = frame.evaluate(
            """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, iframes: false})
                .then(r => r.violations.map(v => [v.id, v.impact, v.help,
                    v.nodes.slice(0, 3).map(n => n.target.join(' '))]))""",
            AXE_TAGS,
        )
        found += [
            f"{frame.url[:80]}: {rule} ({impact}) {text} — {targets}"
            for rule, impact, text, targets in violations
            if rule not in EXCEPTIONS
        ]
    return found


@pytest.fixture
def audit_page(browser):
    """A page whose context ignores the pages' CSP, so axe can be injected into each frame."""
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, bypass_csp=True, accept_downloads=True
    )
    yield context.new_page()
    context.close()


def wait_drawn(page, target: AppPage) -> None:
    """Wait until the page shows ``target.ready``, its language is set and Streamlit is idle."""
    if target.in_map:
        frame = page.locator(MAP_FRAME).last.content_frame
        frame.locator(target.ready).first.wait_for(state="attached", timeout=TIMEOUT)
    else:
        page.locator(target.ready).first.wait_for(timeout=TIMEOUT)
    page.locator("html[lang='fr']").wait_for(state="attached", timeout=TIMEOUT)
    skip = page.locator("[data-testid='stSkipToContent']")  # Streamlit's, worded in French
    skip.filter(has_text=SKIP_TEXT).wait_for(state="attached", timeout=TIMEOUT)
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=TIMEOUT
    )
    # Streamlit shows pulsing placeholders until an element's code has loaded (longer on a
    # busy machine): axe measured text near a half-transparent one as low contrast.
    page.locator("[data-testid='stSkeleton']").first.wait_for(state="detached", timeout=TIMEOUT)


@pytest.mark.parametrize("target", APP_PAGES, ids=[p.path for p in APP_PAGES])
def test_dashboard_page_has_no_wcag_violation(app_url, audit_page, target):
    audit_page.goto(app_url + target.path)
    wait_drawn(audit_page, target)
    assert audit(audit_page) == []


def test_a_fresh_servers_first_visitor_on_a_deep_link_gets_the_atlas_page(real_build, browser):
    # Streamlit runs a deep link's file directly until st.navigation is first called: the
    # first visitor of /apropos got module names in the sidebar, lang="en" and no page CSS
    # (Streamlit's old pages-directory mode must not take over: pages/__init__).
    with streamlit_server(env={"ATLAS_BUILD_DIR": str(real_build)}) as server:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        try:
            page.goto(server.url + "/apropos")
            wait_drawn(page, AppPage("/apropos", "h1"))
            nav = page.locator("[data-testid='stSidebarNav']")
            assert nav.get_by_text("À propos", exact=True).count() == 1
            assert nav.get_by_text("apropos", exact=True).count() == 0
            labels = [t.split("\n")[-1] for t in nav.locator("a").all_inner_texts()]
            assert labels[0] == "Carte"  # the atlas's navigation (other pages may be added)
            assert {"Études de cas", "Territoire", "Données et sources", "À propos"} <= set(labels)
            styles = page.evaluate(
                "[...document.querySelectorAll('style')].map(s => s.textContent)"
            )
            assert any("stCaptionContainer" in s for s in styles)  # app.py's page-wide CSS
        finally:
            context.close()


def test_embed_panel_with_its_preview_has_no_wcag_violation(app_url, audit_page):
    audit_page.goto(f"{app_url}/?sel=ti-8408")
    wait_drawn(audit_page, APP_PAGES[0])
    audit_page.get_by_text("Intégrer cette carte dans un autre site").click()
    # a click while the expander opens can be lost: click the toggle until the preview is there
    frame = audit_page.locator("iframe[src*='embed=1']")
    for _ in range(3):
        audit_page.get_by_text("Aperçu de la carte intégrée").click()
        try:
            frame.wait_for(state="attached", timeout=30_000)
            break
        except PlaywrightTimeout:
            if audit_page.get_by_label("Aperçu de la carte intégrée").is_checked():
                break  # on, but slow: wait below rather than switch it off again
    frame.wait_for(state="attached", timeout=TIMEOUT)
    preview = audit_page.frame_locator("iframe[src*='embed=1']")
    preview.frame_locator(MAP_FRAME).locator(SHAPES).first.wait_for(
        state="attached", timeout=TIMEOUT
    )
    copy = audit_page.frame_locator("iframe[title='Copier le code']")
    assert copy.get_by_role("button", name="Copier le code").is_visible()
    assert audit(audit_page) == []  # the panel, the copy button's frame, the preview's frames


@pytest.fixture(scope="module")
def served_outputs(real_build, tmp_path_factory) -> Iterator[str]:
    """``atlas embed`` and ``atlas briefing --format html`` outputs, served on 127.0.0.1."""
    root = tmp_path_factory.mktemp("a11y")
    env = {**os.environ, "ATLAS_BUILD_DIR": str(real_build)}
    for args in (
        # One territory: the same page as the national export, with fewer shapes for axe.
        ["embed", "--out", str(root / "export"), "--layers", "epci,ti,cases"]
        + ["--territory", "ti-8408", "--atlas-url", "https://atlas.example.fr/"],
        ["briefing", "ti-8408", "--format", "html", "--out", str(root / "fiche")],
    ):
        subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, env=env, check=True)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_listening(port)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_listening(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"http.server did not listen on 127.0.0.1:{port}")


def test_static_export_has_no_wcag_violation(served_outputs, audit_page):
    audit_page.goto(f"{served_outputs}/export/index.html")
    audit_page.wait_for_selector("body[data-ready='1']", timeout=TIMEOUT)
    assert audit(audit_page) == []


def test_html_briefing_has_no_wcag_violation(served_outputs, audit_page):
    with urllib.request.urlopen(f"{served_outputs}/fiche/fiche-ti-8408.html") as response:
        assert response.status == 200
    audit_page.goto(f"{served_outputs}/fiche/fiche-ti-8408.html")
    assert audit_page.locator("html").get_attribute("lang") == "fr"
    assert audit_page.get_by_role("img", name=re.compile(r"^Carte de ")).count() == 1
    assert audit(audit_page) == []


# --- keyboard only -------------------------------------------------------------------------

FOCUSED = """() => {
  let doc = document, el = doc.activeElement;
  while (el && el.tagName === 'IFRAME' && el.contentDocument) {
    doc = el.contentDocument; el = doc.activeElement;
  }
  if (!el) { return {}; }
  const outline = getComputedStyle(el).outlineStyle;
  return {tag: el.tagName.toLowerCase(), role: el.getAttribute('role') || '',
          text: (el.innerText || el.value || '').trim().slice(0, 120),
          label: el.getAttribute('aria-label') || '', outline: outline,
          shadow: getComputedStyle(el).boxShadow};
}"""


def tab_to(page, matches, limit: int = 120) -> dict:
    """Press Tab until the focused element satisfies ``matches``; return its description."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if matches(focused):
            return focused
    pytest.fail(f"Tab never reached the element wanted (last focused: {focused})")


def test_keyboard_only_search_open_the_fiche_and_download_its_pdf(app_url, audit_page, tmp_path):
    page = audit_page
    page.goto(app_url)
    wait_drawn(page, APP_PAGES[0])
    tab_to(
        page,
        lambda f: (
            f.get("tag") == "input"
            and "Nom ou code" in page.evaluate("() => document.activeElement.placeholder || ''")
        ),
    )
    page.keyboard.type("ti-8408")
    page.keyboard.press("Enter")
    page.get_by_role("link", name=re.compile("Fiche territoire")).wait_for(timeout=TIMEOUT)
    link = tab_to(page, lambda f: f.get("tag") == "a" and "Fiche territoire" in f["text"])
    assert link["outline"] != "none" or link["shadow"] != "none"  # focus is visible
    page.keyboard.press("Enter")
    page.locator("img[alt^='Carte de']").wait_for(timeout=TIMEOUT)
    assert "/territoire" in page.url and "ti-8408" in page.url

    def pdf_or_exports_tab(f: dict) -> bool:
        if f.get("role") == "tab" and f["text"] == "Exports":
            page.keyboard.press("Enter")  # show the tab's panel; its buttons come next
            return False
        return f.get("tag") == "button" and "PDF" in f["text"]

    # the PDF is made while the page renders: its button comes after the map image
    page.get_by_role("button", name=re.compile("PDF")).first.wait_for(timeout=TIMEOUT)
    tab_to(page, pdf_or_exports_tab)
    with page.expect_download(timeout=TIMEOUT) as download:
        page.keyboard.press("Enter")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == "fiche-ti-8408.pdf" and path.read_bytes()[:5] == b"%PDF-"
