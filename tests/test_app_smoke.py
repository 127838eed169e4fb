"""AppTest smoke tests: every page renders without exception on the real build."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.integration
APP = Path(__file__).resolve().parent.parent / "app.py"


def _run(page: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    if page != "carte":
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def test_map_page_search_opens_the_side_panel(real_build):
    at = _run("carte")
    assert "Roanne" not in [h.value for h in at.subheader]  # no side panel yet
    at.text_input[0].input("Roanne").run()
    assert not at.exception, at.exception
    assert at.selectbox[0].options[0].startswith("Roanne — Commune (42)")
    assert "Roanne" in [h.value for h in at.subheader]
    figures = next(m.value for m in at.markdown if m.value.startswith("**Population**"))
    population = re.search(r"Population\*\* : ([\d ]+) hab", figures).group(1)
    assert int(population.replace(" ", "")) > 30_000
    assert "**Communes** : 1" in figures
    assert any("Roannais Agglomération" in m.value for m in at.markdown)


def test_map_page_says_how_to_load_a_missing_layer(real_build):
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["couches"] = "epci,ti"
    at.run()
    assert not at.exception, at.exception
    ti_built = (real_build / "ti.parquet").exists()
    warnings = [w.value for w in at.warning]
    if ti_built:
        assert not any("non chargée" in w for w in warnings)
    else:
        assert any("Territoires d'industrie" in w and "atlas fetch" in w for w in warnings)


def test_sources_page_shows_licence_and_faults(real_build):
    at = _run("sources")
    text = " ".join(m.value for m in at.markdown)
    assert "Licence Ouverte 2.0" in text
    assert "Anomalies des sources signalées" in text


def test_case_fiche_names_its_places_and_its_source(real_build):
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.switch_page("pages/cas.py")
    at.query_params["cas"] = "roanne-territoire"
    at.run()
    assert not at.exception, at.exception
    assert [h.value for h in at.header] == ["Roanne Territoire"]
    fiche = at.table[0].value
    cells = dict(zip(fiche.iloc[:, 0], fiche.iloc[:, 1], strict=True))
    assert cells["Commune"] == "Roanne (42187)"
    assert cells["Source"].startswith("000_33414ee02cc712e8.txt")


def test_sources_page_compares_pays_figures(real_build):
    at = _run("sources")
    pays = next(df.value for df in at.dataframe if "Population 2015" in df.value.columns)
    langres = pays[pays["Pays"] == "pays-langres"].iloc[0]
    assert langres["Population 2015"] == 46462
    assert 40_000 < langres["Population (périmètre 2025)"] < 50_000


@pytest.mark.parametrize("page, title", [("apropos", "À propos de l'atlas"), ("territoire", "Fiche territoire"),
                                         ("cas", "Études de cas"), ("sources", "Données et sources")])
def test_every_page_renders_its_title(real_build, page, title):
    at = _run(page)
    assert title in [t.value for t in at.title]
