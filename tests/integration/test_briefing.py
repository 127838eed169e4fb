"""Territory briefing on the real build: PDF, GeoPackage, batch command and the page."""

from __future__ import annotations

import argparse
import io
import re
from collections.abc import Iterator

import geopandas as gpd
import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from cli import briefing as briefing_cli
from geodata.briefing import export as briefing_export
from geodata.briefing import model as briefing
from geodata.briefing import pdf as briefing_pdf
from geodata.config import PROJECT_ROOT
from geodata.numbers import fmt_population

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def langres(real_atlas) -> briefing.Briefing:
    """The briefing of the Pays de Langres (curated Pays: always in the build)."""
    return briefing.make_briefing(real_atlas, "pays", "pays-langres")


def _cli(argv: list[str], capsys) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="atlas")
    briefing_cli.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args), capsys.readouterr().err


def test_pdf_names_the_territory_and_its_epci_and_shows_the_map(real_atlas, langres):
    pdf = PdfReader(io.BytesIO(briefing_pdf.pdf_bytes(real_atlas, langres)))
    assert len(pdf.pages) >= 2
    text = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
    assert "Pays de Langres" in text
    assert len(langres.epci) == 3
    for name in langres.epci["nom"]:
        assert " ".join(name.split()) in text
    assert pdf.pages[0].images, "the cover embeds the map image"
    assert "Licence Ouverte 2.0" in text and "Document généré le" in text


def test_briefing_counts_cases_of_the_pays_and_measures_its_area(langres):
    assert {"langres-gtec-actisud52", "langres-made-in"} <= set(langres.cases_inside["id"])
    assert 2_000 < langres.area_km2 < 2_500  # Lambert-93, today's three EPCI
    assert set(langres.comparables["id"]) and "pays-langres" not in set(langres.comparables["id"])
    assert all("population" in r and "étude" in r for r in langres.comparables["reason"])


def test_geopackage_reopens_with_the_same_rows(real_atlas, langres, tmp_path):
    selection = briefing_export.selection(real_atlas, langres)
    path = briefing_export.write_gpkg(real_atlas, langres, tmp_path / "langres.gpkg")
    for layer, gdf in selection.items():
        back = gpd.read_file(path, layer=layer)
        assert len(back) == len(gdf) and back.crs.to_epsg() == 4326
    back = gpd.read_file(path, layer="communes")
    assert sorted(back["insee_com"]) == sorted(langres.communes["insee_com"])
    assert back["population"].sum() == langres.population


def test_programme_counts_agree_with_the_build_facts(real_atlas, langres):
    facts = real_atlas.get("territory_facts")
    assert real_atlas.get("pvd") is not None and facts is not None  # the shipped lists
    row = facts[facts["territory_id"] == "pays-langres"].iloc[0]
    # the Pays's count is the sum of its communes' rows of the same table (membership right)
    own = facts[
        (facts["territory_type"] == "commune")
        & facts["territory_id"].isin(langres.communes["insee_com"])
    ]
    assert len(own) == len(langres.communes)
    for key in ("pvd", "fabriques", "manufactures", "france_services"):
        assert langres.counts[key] == row[f"n_{key}"] == own[f"n_{key}"].sum(), key
    assert langres.counts["pvd"] > 0  # the shipped PVD list has towns in the Pays de Langres


def test_batch_writes_one_file_per_territory(real_atlas, tmp_path, capsys):
    ids = ["pays-langres", "200035731"]
    code, err = _cli(
        [
            "briefing",
            *ids,
            "--format",
            "html",
            "--out",
            str(tmp_path),
            "--build-dir",
            str(real_atlas.out),
        ],
        capsys,
    )
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "fiche-200035731.html",
        "fiche-pays-langres.html",
    ]
    assert "2/2" in err and "wrote 2 HTML file(s)" in err
    html = (tmp_path / "fiche-pays-langres.html").read_text(encoding="utf-8")
    assert "<h1>Pays de Langres</h1>" in html and "data:image/png;base64," in html


def test_batch_unknown_id_exits_2_naming_close_matches(real_atlas, tmp_path, capsys):
    code, err = _cli(
        [
            "briefing",
            "pays-langre",
            "--out",
            str(tmp_path / "none"),
            "--build-dir",
            str(real_atlas.out),
        ],
        capsys,
    )
    assert code == 2
    assert "unknown territory id 'pays-langre'" in err and "pays-langres (Pays de Langres)" in err
    assert not (tmp_path / "none").exists()  # nothing written when an id is wrong


def test_batch_needs_an_id(real_atlas, tmp_path, capsys):
    code, err = _cli(["briefing", "--out", str(tmp_path)], capsys)
    assert code == 2 and "--all-ti" in err


def test_territoire_of_industry_when_lists_are_loaded(real_atlas):
    assert real_atlas.get("ti") is not None  # loaded from the snapshot of opendata/
    assert len(briefing.all_ti_ids(real_atlas)) == 183
    b = briefing.make_briefing(real_atlas, *briefing.resolve_id(real_atlas, "TI-8408"))
    assert b.name == "Lezoux – Thiers – Ambert – Montbrison"
    assert b.counts["acv"] == 2  # Thiers and Montbrison, each listed in both ACV phases
    assert "dore-esprit-thiers" in set(b.cases_inside["id"])
    with pytest.raises(ValueError, match=r"ti-8408 \(Lezoux"):
        briefing.resolve_id(real_atlas, "ti-8480")


@pytest.fixture
def page_app(real_build) -> Iterator[AppTest]:
    """The app on the Territoire page."""
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page("pages/territoire.py")
    yield at


def test_page_shows_the_briefing_from_the_url(page_app):
    at = page_app
    at.query_params["t"] = "pays-langres"
    at.run()
    assert not at.exception, at.exception
    assert [h.value for h in at.header] == ["Pays de Langres"]
    assert any("**Population**" in m.value for m in at.markdown)
    buttons = at.get("download_button")
    assert len(buttons) == 8  # the PDF beside the title, then the seven exports
    assert buttons[0].proto.label == "Télécharger la fiche (PDF)"
    assert buttons[0].proto.type == "primary"
    labels = [link.proto.label for link in at.get("page_link")]
    assert any("GTEC du Pays de Langres" in label for label in labels)
    at.query_params["t"] = "reg-84"  # a région has its fiche too
    at.run()
    assert not at.exception, at.exception
    # as read: Markdown escapes removed
    assert [re.sub(r"\\(.)", r"\1", h.value) for h in at.header] == ["Auvergne-Rhône-Alpes"]


def test_page_says_which_ids_are_close_for_an_unknown_id(page_app):
    at = page_app
    at.query_params["t"] = "pays-langre"
    at.run()
    assert not at.exception, at.exception
    shown = re.sub(r"\\(.)", r"\1", at.error[0].value)  # as read: Markdown escapes removed
    assert "pays-langres (Pays de Langres)" in shown


def test_a_pays_over_two_departements_names_both_and_dates_read_in_french(real_atlas, langres):
    assert langres.departements_label == "Haute-Marne (52), Haute-Saône (70)"
    text = " ".join(
        " ".join(p.extract_text().split())
        for p in PdfReader(io.BytesIO(briefing_pdf.pdf_bytes(real_atlas, langres))).pages
    )
    assert "Haute-Marne (52), Haute-Saône (70)" in text
    assert re.search(
        r"Document généré le (1er|\d{1,2}) (janvier|février|mars|avril|mai|juin|"
        r"juillet|août|septembre|octobre|novembre|décembre) 20\d\d à",
        text,
    )


def test_case_lists_and_exports_name_the_document_and_the_departements(real_atlas, langres):
    cases = briefing_export.selection(real_atlas, langres)["etudes_de_cas"]
    made_in = cases[cases["id"] == "langres-made-in"].iloc[0]
    assert made_in["document"].startswith("Clusters et territoires locaux")
    assert made_in["departements"] == "Haute-Marne (52), Haute-Saône (70)"
    assert "source_file" not in cases.columns
    assert not cases.astype(str).apply(lambda c: c.str.contains(r"\.txt$")).any().any()


def test_a_national_map_shows_the_five_drom_in_insets(real_atlas, langres):
    from matplotlib.figure import Figure

    from geodata.briefing import figures

    assert figures.is_national((100_000, 6_000_000, 1_200_000, 7_100_000), "EPSG:2154")
    assert not figures.is_national((780_000, 6_500_000, 860_000, 6_560_000), "EPSG:2154")
    fig = Figure(figsize=(7, 6))
    ax = fig.add_axes((0, 0.1, 1, 0.9))
    insets = figures.overseas_insets(fig, ax, real_atlas, langres)
    assert [a.get_title() for a in insets] == [
        "Guadeloupe (971)",
        "Martinique (972)",
        "Guyane (973)",
        "La Réunion (974)",
        "Mayotte (976)",
    ]
    assert all(len(a.collections) == 1 and len(a.collections[0].get_paths()) >= 17 for a in insets)


def test_a_region_and_a_departement_have_a_fiche_and_a_reasonable_pdf(real_atlas):
    assert briefing.resolve_id(real_atlas, "reg-84") == ("region", "84")
    assert briefing.resolve_id(real_atlas, "dep-63") == ("departement", "63")
    region = briefing.make_briefing(real_atlas, "region", "84")
    assert region.name == "Auvergne-Rhône-Alpes" and len(region.departements) == 12
    assert len(region.epci) > 100 and region.counts["acv"] > 10
    # compared with France only (the région is its own région)
    assert list(region.comparison["level"]) == ["Territoire", "France"]
    data = briefing_pdf.pdf_bytes(real_atlas, region)
    reader = PdfReader(io.BytesIO(data))
    assert len(data) < 2_000_000 and len(reader.pages) <= 25  # no 4,000-commune annex
    first = " ".join(reader.pages[0].extract_text().split())
    for r in region.departements.itertuples():  # every département on the cover
        assert f"{r.nom} ({r.code})" in first, r.nom
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "l'export CSV des communes" in text
    dep = briefing.make_briefing(real_atlas, "departement", "63")
    assert list(dep.comparison["level"]) == ["Territoire", "Région", "France"]
    assert briefing_export.file_stem(dep) == "fiche-dep-63"  # not "fiche-63"


def test_pdf_proofread_annex_and_comparables_say_what_they_are(real_atlas):
    b = briefing.make_briefing(real_atlas, "ti", "ti-8408")
    reader = PdfReader(io.BytesIO(briefing_pdf.pdf_bytes(real_atlas, b)))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "territoire d'industries" not in text.lower()
    assert "les Territoires d'industrie ayant au moins une étude de cas" in text
    assert "Population (écart)" in text and "Programmes en commun" in text
    assert "EPSG" not in text and "projection Lambert-93" in text
    # the annex lists every commune, the smallest included
    assert f"Annexe — Les {len(b.communes)} communes" in text
    assert " ".join(b.communes["nom"].iloc[-1].split()) in text
    # French thousands, as the fiche writes them (pypdf reads the narrow space as " ")
    assert " ".join(fmt_population(b.population).split()) in text
    assert f"{b.population:,}" not in text  # no "193,523"
