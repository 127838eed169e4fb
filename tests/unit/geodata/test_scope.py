"""A région or a département as a scope, the territories at a clicked point, the map's index."""

from __future__ import annotations

import geopandas as gpd
import pytest

from geodata import scope
from geodata.atlas import Atlas
from geodata.search import search
from tests.support.synthetic import embed_atlas


@pytest.fixture
def two_regions() -> Atlas:
    """Four squares: two in the Ain (84), two in the Jura (27); TI across the border."""
    base = embed_atlas()
    com = base.communes.assign(
        insee_dep=["01", "01", "39", "39"], insee_reg=["84", "84", "27", "27"]
    )
    deps = com.dissolve("insee_dep", as_index=False, aggfunc={"insee_reg": "first"})
    deps = deps.rename(columns={"insee_dep": "code"})[["code", "insee_reg", "geometry"]]
    deps = deps.assign(nom=["Ain", "Jura"], population=[300, 700])
    regs = com.dissolve("insee_reg", as_index=False)[["insee_reg", "geometry"]]
    regs = regs.rename(columns={"insee_reg": "code"}).assign(
        nom=["Bourgogne-Franche-Comté", "Auvergne-Rhône-Alpes"], population=[700, 300]
    )
    ti = gpd.GeoDataFrame(
        {
            "id_ti": ["ti-0101", "ti-0102"],
            "lib_ti": ["Ain et Jura", "Bugey"],
            "phase": ["2023-2027", "2023-2027"],
            "members": ["240100883;210100012", "200029999"],
            "siren_epci": ["240100883", "200029999"],
            "member_communes": ["01002", ""],
            "population": [900, 300],
        },
        geometry=[None, None],
        crs="EPSG:4326",
    )
    pays = gpd.GeoDataFrame(
        {
            "pays_id": ["pays-un"],
            "nom": ["Pays Un"],
            "members": ["200029999"],
            "population": [300],
        },
        geometry=[None],
        crs="EPSG:4326",
    )
    epci = base.epci.assign(nature="CC", population=[300, 700])
    optional = {**base.optional, "ti": ti, "pays": pays}
    return Atlas(None, com, epci, deps, regs, optional, base.report)


def test_a_scope_keeps_the_territories_with_a_commune_inside(two_regions):
    assert scope.territories_in(two_regions, "ti") is None  # no scope: every TI
    assert scope.territories_in(two_regions, "ti", reg="84") == ["ti-0101", "ti-0102"]
    assert scope.territories_in(two_regions, "ti", reg="27") == ["ti-0101"]  # across
    assert scope.territories_in(two_regions, "ti", reg="84", dep="39") == ["ti-0101"]
    assert scope.territories_in(two_regions, "pays", reg="27") == []
    assert scope.territories_in(two_regions, "pays", dep="01") == ["pays-un"]


def test_a_point_lists_every_territory_holding_it_smallest_first(two_regions):
    inside = two_regions.communes.set_index("insee_com").geometry["01002"].centroid
    places = scope.territories_at(two_regions, inside.x, inside.y)
    assert [(p.kind, p.ident) for p in places] == [
        ("commune", "01002"),
        ("epci", "200029999"),
        ("ti", "ti-0101"),  # by name: "Ain et Jura" before "Bugey"
        ("ti", "ti-0102"),
        ("pays", "pays-un"),
    ]
    assert places[0].name == "Ambérieu" and places[2].kind_label == "Territoire d'industrie"
    edge = two_regions.communes.set_index("insee_com").geometry["01005"].centroid
    assert [p.kind for p in scope.territories_at(two_regions, edge.x, edge.y)] == [
        "commune",
        "epci",
        "ti",
    ]
    minx, miny, _, _ = two_regions.communes.total_bounds
    assert scope.territories_at(two_regions, minx - 1, miny - 1) == []  # in no commune


def test_the_map_index_finds_regions_and_departements_by_name_or_id(two_regions):
    index = scope.place_index(two_regions)
    assert search(index, "Auvergne-Rhône-Alpes")[["kind", "id"]].values.tolist() == [
        ["region", "84"]
    ]
    assert search(index, "reg-84").iloc[0][["kind", "id"]].tolist() == ["region", "84"]
    assert search(index, "dep-39").iloc[0][["kind", "id"]].tolist() == ["departement", "39"]
    assert search(index, "jura").iloc[0]["kind"] == "departement"  # before the TI "Ain et Jura"
    row = index[(index["kind"] == "ti") & (index["id"] == "ti-0101")].iloc[0]
    assert set(row["regs"].split(";")) == {"27", "84"}
    town = index[(index["kind"] == "commune") & (index["id"] == "01002")].iloc[0]
    assert town["tis"] == "ti-0101;ti-0102"


def test_the_active_region_ranks_its_places_first(two_regions):
    index = scope.place_index(two_regions)
    # Ambronay (Jura here, 300 hab.) before Ambérieu (Ain, 200 hab.)… unless the Ain's
    # région is the active one
    assert search(index, "amb")["id"].tolist()[:2] == ["01004", "01002"]
    assert search(index, "amb", region="84")["id"].tolist()[:2] == ["01002", "01004"]


def test_a_town_brings_its_territoires_d_industrie_next(two_regions):
    index = scope.place_index(two_regions)
    ids = search(index, "Ambérieu")["id"].tolist()
    assert ids[:3] == ["01002", "ti-0101", "ti-0102"]
