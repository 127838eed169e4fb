"""AppTest smoke tests: every page renders without exception on the real build."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geodata.config import PROJECT_ROOT

pytestmark = pytest.mark.integration
APP = PROJECT_ROOT / "app.py"


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
    results = at.button_group[0]
    assert results.options[0].startswith("Roanne — Commune (42)")
    assert "Roanne" not in [h.value for h in at.subheader]  # several match: the reader picks
    results.set_value(0).run()
    assert not at.exception, at.exception
    assert "Roanne" in [h.value for h in at.subheader]
    figures = next(m.value for m in at.markdown if m.value.startswith("**Population**"))
    population = re.search(r"Population\*\* : ([\d ]+) hab", figures).group(1)
    assert int(population.replace(" ", "")) > 30_000
    assert "**Communes** : 1" in figures
    assert any("Roannais Agglomération" in m.value for m in at.markdown)
    assert "**Département** : Loire \\(42\\)" in [m.value for m in at.markdown]


def test_map_panel_lists_every_departement_of_a_pays(real_build):
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["sel"] = "pays:pays-langres"
    at.run()
    assert not at.exception, at.exception
    read = [re.sub(r"\\(.)", r"\1", m.value) for m in at.markdown]
    assert "**Départements** : Haute-Marne (52), Haute-Saône (70)" in read


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
    text = re.sub(r"\\(.)", r"\1", " ".join(m.value for m in at.markdown))  # as read
    assert "Licence Ouverte 2.0" in text
    assert "Lignes non utilisées" in text and "corrigées ou signalées" in text
    tables = [d.value for d in at.dataframe if "Correction" in d.value.columns]
    base = tables[0]  # the base stage's repaired source faults, named by dataset and code
    assert "12218" in set(base["Code"]) and set(base["Fichier"]) >= {"communes", "epci"}
    assert {"Raison", "Gravité"} <= set(base.columns)
    assert set(base["Gravité"]) <= {"erreur", "avertissement", "information"}


def test_case_fiche_names_its_places_and_its_source(real_build):
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.switch_page("pages/cas.py")
    at.query_params["cas"] = "roanne-territoire"
    at.run()
    assert not at.exception, at.exception
    assert [h.value for h in at.header] == ["Roanne Territoire"]
    cells = fiche_cells(at)
    assert cells["Commune"] == "Roanne (42187)"
    assert cells["Document source"] == (
        "L'association Roanne Territoire — une coopération multipartenariale en faveur du "
        "développement économique du Roannais (fiche projet), réseau rural villes-campagnes "
        "(CAP Rural), avril 2013"
    )
    assert not any(".txt" in v for v in cells.values())  # never a file name


def test_every_curated_case_fiche_opens_and_names_its_territories(real_build):
    ids = pd.read_csv(PROJECT_ROOT / "geodata" / "data" / "cases.csv", dtype=str)["id"]
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.switch_page("pages/cas.py")
    cells = {}
    for ident in ids:
        at.query_params["cas"] = ident
        at.run()
        assert not at.exception, (ident, at.exception)
        cells[ident] = fiche_cells(at)
    alsace = cells["ti-alsace-centrale"]  # placed on its TI: no commune, no EPCI named
    assert alsace["Territoire d'industrie"] == "Alsace Centrale (ti-4401)"
    assert alsace["Placement sur la carte"] == "sur tout le Territoire d'industrie"
    cognac = cells["ti-angouleme-cognac"]["Intercommunalité"]  # its four EPCI, Cognac too
    assert cognac.count("(2") == 4 and "Cognac" in cognac


def fiche_cells(at: AppTest) -> dict[str, str]:
    """The fiche's table as the reader reads it (Markdown escapes removed)."""
    fiche = at.table[0].value
    return {
        k: re.sub(r"\\(.)", r"\1", v)
        for k, v in zip(fiche.iloc[:, 0], fiche.iloc[:, 1], strict=True)
    }


def test_case_fiche_on_a_pays_lists_its_departements_and_its_public_note(real_build):
    cases = pd.read_csv(
        PROJECT_ROOT / "geodata" / "data" / "cases.csv", dtype=str, keep_default_na=False
    ).set_index("id")
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.switch_page("pages/cas.py")
    at.query_params["cas"] = "cob-sitcob"
    at.run()
    assert not at.exception, at.exception
    cells = fiche_cells(at)
    assert cells["Départements"] == "Finistère (29), Morbihan (56), Côtes-d'Armor (22)"
    assert cells["À noter"] == cases.loc["cob-sitcob", "note_public"]
    internal = cases.loc["cob-sitcob", "note"]
    assert internal and internal not in cells.values() and "Note" not in cells
    assert not {"None", "nan", "NaN", "<NA>"} & set(cells.values())
    listing = next(d.value for d in at.dataframe if "Départements" in d.value.columns)
    assert "Haute-Marne (52), Haute-Saône (70)" in set(listing["Départements"])
    assert not listing.isna().any().any()


def test_sources_page_reads_in_french_dates_and_labels(real_build):
    at = _run("sources")
    captions = [c.value for c in at.caption if c.value.startswith("Construit le")]
    assert captions and all(
        re.fullmatch(r"Construit le (1er|\d{1,2}) [a-zéû]+ 20\d\d à \d{1,2} h \d\d", c)
        for c in captions
    )
    counts = next(d.value for d in at.dataframe if "Élément" in d.value.columns)
    assert "EPCI, contours simplifiés pour la carte" in set(counts["Élément"])
    shown = {v for d in at.dataframe for v in d.value.get("Élément", [])}
    assert not {v for v in shown if "_" in v}, shown  # no build table name


def test_sources_page_says_the_lists_come_from_the_shipped_snapshot(real_build):
    at = _run("sources")
    text = re.sub(r"\\(.)", r"\1", " ".join(m.value for m in at.markdown))
    assert "Petites villes de demain" in text
    assert "Édition : instantané du 1er décembre 2026 livré avec l'atlas" in text


def test_sources_page_compares_pays_figures(real_build):
    at = _run("sources")
    pays = next(df.value for df in at.dataframe if "Population 2015" in df.value.columns)
    langres = pays[pays["Pays"] == "pays-langres"].iloc[0]
    assert langres["Population 2015"] == 46462
    assert 40_000 < langres["Population (périmètre 2025)"] < 50_000


@pytest.mark.parametrize(
    "page, title",
    [
        ("apropos", "À propos de l'atlas"),
        ("territoire", "Fiche territoire"),
        ("cas", "Études de cas"),
        ("sources", "Données et sources"),
    ],
)
def test_every_page_renders_its_title(real_build, page, title):
    at = _run(page)
    assert title in [t.value for t in at.title]
