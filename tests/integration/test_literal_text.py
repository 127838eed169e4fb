"""Text from a user's case table or from the URL is shown as written, never as Markdown.

A hostile case table (an image that every visitor's browser would fetch, a link dressed
as an official download) is built into a copy of the real build; each page that shows a
case or a URL value is run on it, and no element may hold unescaped Markdown markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geodata.build import runner
from geodata.config import PROJECT_ROOT
from pages.ui import embed_panel
from tests.support.builds import copy_build

pytestmark = pytest.mark.integration
APP = str(PROJECT_ROOT / "app.py")
IMAGE = "![](http://host/px.png)"
PHISH = "**[Télécharger la fiche officielle](http://host/phish)**"
HOSTILE_CASES = (
    "id,name,kinds,insee_com,theme,partners,summary,source_file\n"
    f'hostile-img,{IMAGE},cluster,42187,industrie,"[p](http://host/p)",'
    f'"{PHISH} <img src=x onerror=alert(1)>",000_33414ee02cc712e8.txt\n'
)
# The hostile links and images as Markdown or HTML would read them (not the page's own links).
MARKUP = re.compile(r"(?<!\\)\]\(http://host/|(?<!\\)<img", re.IGNORECASE)


@pytest.fixture(scope="module")
def hostile_build(real_build: Path, tmp_path_factory) -> Path:
    """The real build plus a user case table with Markdown and HTML in its text."""
    out = copy_build(real_build, tmp_path_factory.mktemp("hostile") / "build")
    table = out.parent / "mes_cas.csv"
    table.write_text(HOSTILE_CASES, encoding="utf-8")
    report = runner.build(out, cases=(table,), log=lambda _: None)
    assert not report.stage("cases").problems_of(kind="case table")
    return out


@pytest.fixture
def hostile_app(hostile_build: Path, monkeypatch) -> Iterator[None]:
    """Pages read the hostile build (Streamlit's caches cleared before and after)."""
    monkeypatch.setenv("ATLAS_BUILD_DIR", str(hostile_build))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


def run(page: str | None = None, **params: str) -> AppTest:
    """Run ``page`` (default: the map) with ``params`` in its URL."""
    at = AppTest.from_file(APP, default_timeout=90)
    if page:
        at.run()
        at.switch_page(f"pages/{page}.py")
    at.query_params.update(params)
    at.run()
    assert not at.exception, at.exception
    return at


def shown_texts(at: AppTest) -> list[str]:
    """Every text an element reads as Markdown, with the label of every page link."""
    texts = [
        e.value
        for kind in ("title", "header", "subheader", "caption", "markdown")
        for e in getattr(at, kind)
    ]
    texts += [
        e.value for kind in ("warning", "error", "info", "success") for e in getattr(at, kind)
    ]
    texts += [link.label for link in at.page_link]
    for table in at.table:
        frame = table.value
        texts += [str(v) for v in frame.index] + [str(v) for v in frame.to_numpy().ravel()]
    return texts


def read(text: str) -> str:
    """The text a reader sees once Markdown escapes are removed."""
    return re.sub(r"\\(.)", r"\1", text)


def assert_literal(at: AppTest, *expected: str) -> None:
    texts = shown_texts(at)
    rendered = [t for t in texts if MARKUP.search(t)]
    assert not rendered, rendered
    for text in expected:
        assert any(text in read(t) for t in texts), (text, texts)


def test_case_fiche_shows_a_hostile_case_as_written(hostile_app):
    assert_literal(run("cas", cas="hostile-img"), IMAGE, PHISH)


def test_map_panel_of_a_hostile_case_shows_it_as_written(hostile_app):
    assert_literal(run(sel="case:hostile-img"), IMAGE, PHISH)


def test_map_panel_of_a_commune_links_its_hostile_case_as_written(hostile_app):
    assert_literal(run(sel="42187"), IMAGE)


def test_territoire_page_lists_a_hostile_case_as_written(hostile_app):
    assert_literal(run("territoire", t="42187"), IMAGE)


def test_embed_table_shows_a_hostile_case_as_written(hostile_app):
    at = run(embed="1", couches="cases", sel="42187")
    assert_literal(at, IMAGE)


def test_unknown_territory_in_the_url_is_named_as_written(real_build):
    assert_literal(run("territoire", t=PHISH), PHISH)


def test_unknown_case_in_the_url_is_named_as_written(real_build):
    assert_literal(run("cas", cas=PHISH), PHISH)


def test_map_page_names_the_ignored_url_parameters_as_written(real_build):
    at = run(couches="epci,inconnue", fond="satellite", reg=PHISH)
    notices = [read(i.value) for i in at.info]
    assert f"Paramètres d'adresse ignorés : couches=inconnue, fond=satellite, reg={PHISH}" in (
        notices
    )
    assert_literal(at, PHISH)


def test_a_refused_embed_address_is_named_as_written(real_build):
    at = run()
    at.session_state[embed_panel.OPEN] = True  # the reader opens *Intégrer…*
    at.run()
    at.text_input(key="embed_base").input(f"ftp://{PHISH}").run()
    assert not at.exception, at.exception
    assert_literal(at, f"ftp://{PHISH}")
    assert any("attendu une adresse http" in e.value for e in at.error)
