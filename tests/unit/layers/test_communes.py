"""The commune layer drawn from vector tiles: specs per colouring, legend, tile set, serving."""

from __future__ import annotations

import json
import os
import re

import mapbox_vector_tile
import pandas as pd
import pytest

from geodata.tiles.communes import GROUP_COLOURS
from geodata.tiles.tileset import read_tile
from layers import communes, site
from layers.compose import ATTRIBUTION, compose_live, compose_map
from layers.geojson import InlineData, parse_tooltip
from layers.legend import legend_html
from layers.registry import LAYERS, REGISTRY, MapView, layer_frames
from layers.tiles import TileSource, publish, read_tileset
from pages.ui.viewstate import ViewState, from_query
from tests.support.tiles import with_commune_tiles
from tests.unit.layers.test_accessibility import contrast


@pytest.fixture
def tiled_atlas(embed_atlas, tmp_path):
    """The four Ain communes of ``embed_atlas``, with a tile set in its build directory."""
    return with_commune_tiles(embed_atlas, tmp_path / "build")


def _digest(atlas) -> str:
    return read_tileset(atlas.out / "tiles").digest


def _source(atlas) -> TileSource:
    return layer_frames(atlas)["communes"]


def test_the_map_draws_the_communes_from_the_build_tiles(tiled_atlas):
    frames = layer_frames(tiled_atlas)
    assert isinstance(frames["communes"], TileSource)
    digest = _digest(tiled_atlas)
    assert len(digest) == 16 and frames["communes"].tileset.digest == digest
    m, drawn, missing = compose_map(frames, MapView(layers=("communes", "epci")), InlineData())
    assert [s.name for s in drawn] == ["communes", "epci"] and missing == []
    html = m.get_root().render()
    assert "atlas.tileLayer(" in html
    assert f"/app/static/tiles/{digest}/communes/{{z}}/{{x}}/{{y}}.pbf.gz" in html
    assert "/app/static/vendor/pbf/pbf.js" in html
    assert "/app/static/atlas/atlas-tiles.js" in html
    spec = drawn[0].to_js()
    assert (spec["minNativeZoom"], spec["maxNativeZoom"]) == (4, 6)
    assert spec["ranges"]["5"] and spec["filters"] == {}


def test_without_tiles_in_the_build_the_layer_is_missing_not_broken(embed_atlas):
    frames = layer_frames(embed_atlas)  # no build directory, no tiles
    assert frames["communes"] is None
    _, drawn, missing = compose_map(frames, MapView(layers=("communes",)), InlineData())
    assert drawn == [] and missing == ["communes"]


def test_the_tiles_carry_the_properties_the_layer_reads(tiled_atlas):
    tile = next((tiled_atlas.out / "tiles" / "communes" / "6").rglob("*.pbf.gz"))
    layer = mapbox_vector_tile.decode(read_tile(tile))["communes"]
    props = {f["properties"]["code"]: f["properties"] for f in layer["features"]}
    assert props["01001"]["prog"] == "acv;pvd" and props["01001"]["nom"] == "L'Abergement"


@pytest.mark.parametrize("mode", list(communes.MODES))
def test_every_colouring_has_a_legend_whose_colours_stand_out_from_white(tiled_atlas, mode):
    spec = communes.communes_layer(_source(tiled_atlas), mode).spec
    assert spec.mode == mode
    assert spec.coloring["by"] in {"prog", "n_prog", "epci_c", "pays_c", "ti_c", "pop"}
    c = spec.coloring
    drawn = [*c.get("palette", []), *c.get("classes", []), c.get("color", communes.NONE_COLOR)]
    legend = [c for c in spec.colors.values() if c.startswith("#")]
    meaningful = {c for c in [*drawn, *legend] if c != communes.NONE_COLOR}
    assert meaningful and all(contrast(c, "#ffffff") >= 3 for c in meaningful)
    assert communes.NONE_COLOR in spec.colors.values()  # "none" has its row
    html = legend_html([spec], "Sources")
    assert html.count("atlas-legend-row") == len(spec.colors)
    assert "Commune : " in html


def test_a_programme_colours_its_communes_and_greys_the_others(tiled_atlas):
    spec = communes.communes_layer(_source(tiled_atlas), "pvd").spec
    assert spec.coloring == {"by": "prog", "member": "pvd", "color": communes.MEMBER_COLOR}
    assert spec.colors == {
        "Petites villes de demain": communes.MEMBER_COLOR,
        "hors Petites villes de demain": communes.NONE_COLOR,
    }


def test_the_count_of_programmes_has_one_class_per_count_then_four_or_more(tiled_atlas):
    spec = communes.communes_layer(_source(tiled_atlas), "nombre").spec
    assert spec.coloring["breaks"] == [1, 2, 3, 4]
    assert spec.coloring["classes"][0] == communes.NONE_COLOR
    assert list(spec.colors) == [
        "aucun programme",
        "1 programme",
        "2 programmes",
        "3 programmes",
        "4 programmes ou plus",
    ]


def test_population_classes_come_from_the_communes_frame(tiled_atlas):
    spec = communes.communes_layer(_source(tiled_atlas), "population").spec
    breaks = spec.coloring["breaks"]
    assert breaks == sorted(set(breaks)) and 100 < breaks[0] and breaks[-1] <= 400
    assert len(spec.coloring["classes"]) == len(breaks) + 1
    assert list(spec.colors)[0] == f"moins de {breaks[0]} hab."
    assert list(spec.colors)[-1] == "population inconnue"


def test_population_breaks_are_rounded_quantiles_and_survive_odd_frames():
    pops = pd.Series([50, 120, 480, 1_234, 3_900, 12_345, 98_000, -1, None])
    breaks = communes.population_breaks(pops, 5)
    assert breaks == sorted(set(breaks)) and all(len(str(b).rstrip("0")) <= 2 for b in breaks)
    assert communes.population_breaks(pd.Series([], dtype=float), 5) == []
    assert communes.population_breaks(pd.Series([7, 7, 7]), 5) == [7]
    assert communes.class_labels([500, 2_000], "hab.") == [
        "moins de 500 hab.",
        "500 à 1\u202f999 hab.",
        "2\u202f000 hab. ou plus",
    ]


def test_groupings_are_coloured_by_the_colour_index_the_build_gave_them(tiled_atlas):
    spec = communes.communes_layer(_source(tiled_atlas), "territoire").spec
    assert spec.coloring == {"by": "ti_c", "palette": list(communes.QUALITATIVE)}
    assert len(communes.QUALITATIVE) == GROUP_COLOURS  # one colour per index the build gives
    assert "une couleur par Territoire d'industrie, jamais celle d'un voisin" in spec.colors


def test_the_scope_and_the_selection_reach_the_tile_spec(tiled_atlas):
    view = MapView(layers=("communes",), departements=["01"], highlight={"commune": "01002"})
    spec = REGISTRY["communes"].draw(_source(tiled_atlas), InlineData(), view).spec
    assert spec.filters == {"dep": ["01"]} and spec.highlight == "01002"
    # a click on a commune selects it: its tooltip names the layer's kind label
    tooltip = "Ambérieu — Commune 01002"
    assert parse_tooltip(tooltip) == (communes.KIND_LABEL, "01002")
    assert REGISTRY["communes"].selects == "commune"


def test_only_one_territory_keeps_its_communes_in_the_tile_spec(tiled_atlas):
    view = MapView(layers=("communes",), departements=["42"], territory=("ti", "ti-8408"))
    spec = REGISTRY["communes"].draw(_source(tiled_atlas), InlineData(), view).spec
    assert spec.filters == {"dep": ["42"], "ti": ["ti-8408"]}  # both must hold in the browser
    for kind, field in communes.TERRITORY_FIELDS.items():
        only = communes.communes_layer(_source(tiled_atlas), territory=(kind, "x")).spec
        assert only.filters == {field: ["x"]}
    with pytest.raises(ValueError, match="epci"):
        communes.communes_layer(_source(tiled_atlas), territory=("cas", "c1"))


def test_an_unknown_colouring_is_refused_naming_the_known_ones(tiled_atlas):
    with pytest.raises(ValueError, match="nombre"):
        communes.communes_layer(_source(tiled_atlas), "couleur")


def test_publishing_the_tiles_is_atomic_and_done_once(tiled_atlas, tmp_path):
    tileset = read_tileset(tiled_atlas.out / "tiles")
    digest = tileset.digest
    static = tmp_path / "static"
    (static / "tiles").mkdir(parents=True)
    (static / "tiles" / f".{digest}.tmp99999").mkdir()  # left by a killed server
    target = publish(tileset, static)
    assert target == static / "tiles" / digest
    tile = next((target / "communes").rglob("*.pbf.gz"))
    source = tiled_atlas.out / "tiles" / tile.relative_to(target)
    assert tile.read_bytes() == source.read_bytes()
    assert os.stat(tile).st_ino == os.stat(source).st_ino  # hard link, same file system
    assert json.loads((target / "tileset.json").read_text())["digest"] == digest
    before = {p: p.stat().st_mtime_ns for p in target.rglob("*")}
    assert publish(tileset, static) == target  # again: nothing rewritten
    assert {p: p.stat().st_mtime_ns for p in target.rglob("*")} == before
    assert not list((static / "tiles").glob(f".{digest}.tmp{os.getpid()}"))


def test_a_tile_set_of_another_format_is_refused_with_the_file_named(tmp_path):
    (tmp_path / "tileset.json").write_text(json.dumps({"format": 9, "digest": "x", "layers": {}}))
    with pytest.raises(ValueError, match="tileset.json"):
        read_tileset(tmp_path)


def test_the_table_twin_does_not_list_the_communes_and_says_so(tiled_atlas):
    frames = layer_frames(tiled_atlas)
    _, drawn, _ = compose_map(frames, MapView(layers=("communes", "epci")), InlineData())
    table = site.features_table(frames, drawn, tiled_atlas.communes)
    assert set(table["Type"]) == {"EPCI"}
    assert site.not_listed([s.name for s in drawn]) == (
        "La couche « Communes » n'est pas listée dans ce tableau."
    )
    assert site.not_listed(["epci"]) == ""


def test_the_colouring_is_kept_in_the_url_and_an_unknown_one_reported():
    view = ViewState(layers=("communes",), communes="acv")
    assert view.to_query()["communes"] == "acv"
    assert from_query(view.to_query()) == view
    assert "communes" not in ViewState(layers=("communes",)).to_query()  # the default
    odd = from_query({"couches": "communes", "communes": "<b>rouge</b>"})
    assert odd.communes == communes.DEFAULT_MODE
    assert odd.ignored == ("communes=<b>rouge</b>",)
    assert "communes" in LAYERS


def _base_script(m) -> str:
    """The base map's script as st_folium keys its frame on it (element ids left out)."""
    m.get_root().render()
    return re.sub(r"_[0-9a-f]{32}", "", m.get_root().script.render())


def test_a_filter_or_a_selection_redraws_the_overlay_in_the_same_frame(tiled_atlas):
    frames = layer_frames(tiled_atlas)
    plain = compose_live(frames, MapView(layers=("epci", "cases"), fit_key="a"), InlineData())
    outline = frames["epci"].iloc[[0]].rename(columns={"siren_epci": "id", "nom": "name"})
    view = MapView(
        layers=("epci", "ti", "cases"),
        departements=["01"],
        highlight={"epci": str(outline["id"].iloc[0])},
        selection=outline[["id", "name", "geometry"]],
        fit_key="b",
    )
    filtered = compose_live(frames, view, InlineData())
    # the base (st_folium's frame) is the same: only the overlay is swapped
    assert _base_script(plain.base) == _base_script(filtered.base)
    names = [type(c).__name__ for c in filtered.overlay._children.values()]
    assert names.count("AtlasGeoJson") == len(filtered.drawn) + 1  # and the selection outline
    assert names[-3:] == ["LiveLegend", "KeepView", "OverlayDrawn"]
    children = list(filtered.overlay._children.values())
    legend = children[-3]
    assert legend.html == legend_html(filtered.drawn, ATTRIBUTION)  # the layers drawn now
    # the overlay places and counts the base map, not itself
    assert children[-2].map is filtered.base and children[-1].map is filtered.base


def test_a_layer_needing_other_scripts_gets_a_new_frame(tiled_atlas):
    frames = layer_frames(tiled_atlas)
    epci = compose_live(frames, MapView(layers=("epci",)), InlineData())
    both = compose_live(frames, MapView(layers=("communes", "epci")), InlineData())
    assert _base_script(epci.base) != _base_script(both.base)
    # the frame loads the overlay's scripts with its base (st_folium loads them once)
    (assets,) = [c for c in both.base._children.values() if type(c).__name__ == "OverlayAssets"]
    urls = [url for _, url in assets.default_js]
    assert any(u.endswith("atlas-tiles.js") for u in urls)
    assert any(u.endswith("vendor/pbf/pbf.js") for u in urls)
