"""Cross-programme facts per territory, on synthetic communes and points."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geodata.model import facts
from tests.support import anct_fixtures as fx


@pytest.fixture
def communes() -> gpd.GeoDataFrame:
    """The synthetic communes layer."""
    return fx.communes()


def _points(communes: gpd.GeoDataFrame, codes: list[str], **extra) -> gpd.GeoDataFrame:
    where = communes.set_index("insee_com").geometry.representative_point()
    frame = pd.DataFrame({"insee_com": codes, "nom_commune": "", **extra})
    return gpd.GeoDataFrame(frame, geometry=[where.get(c) for c in codes], crs="EPSG:4326")


@pytest.fixture
def points(communes) -> dict[str, gpd.GeoDataFrame]:
    """ACV, PVD, France services and case studies, including cases without commune."""
    cases = _points(
        communes,
        ["01004", "", "", ""],
        siren_epci=["", "240100883", "", ""],
        insee_dep=["", "01", "", ""],
        insee_reg=["", "84", "", ""],
        pays_id=["pays-01", "pays-01", "", "pays-01"],
    )
    epci = communes[communes["siren_epci"] == "240100883"].geometry.union_all()
    inside_paris = communes.set_index("insee_com").at["75056", "geometry"].representative_point()
    cases.loc[1, "geometry"] = epci  # a case placed on its EPCI's area
    cases.loc[2, "geometry"] = inside_paris  # own coordinates, no commune code
    cases.loc[3, "geometry"] = epci  # known only by its Pays, drawn on the Pays area
    return {
        "acv": _points(communes, ["01001", "75056", "01001"]),  # 01001 listed in two phases
        "pvd": _points(communes, ["01001", "01004"]),
        "france_services": _points(communes, ["01001", "01001", "93001"]),
        "cases": cases,
    }


@pytest.fixture
def ti_layer() -> pd.DataFrame:
    """Two TI: one of an EPCI plus a commune member, one of an EPT's communes."""
    return pd.DataFrame(
        {
            "id_ti": ["ti-0101", "ti-0102"],
            "lib_ti": ["Ain", "Plaine"],
            "phase": ["2023-2027", "2023-2027"],
            "siren_epci": ["200029999", ""],
            "member_communes": ["01004", "93001;93066"],
        }
    )


def _row(table: pd.DataFrame, kind: str, ident: str) -> pd.Series:
    return table[(table["territory_type"] == kind) & (table["territory_id"] == ident)].iloc[0]


def _names(codes: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"code": codes, "siren_epci": codes, "nom": codes})


@pytest.fixture
def table(communes, points, ti_layer) -> pd.DataFrame:
    """The facts of the synthetic territories, Pays included."""
    pays = pd.DataFrame({"pays_id": ["pays-01"], "nom": ["Pays test"], "members": ["240100883"]})
    return facts.territory_facts(
        communes,
        points,
        ti_layer,
        {"pays": pays},
        epci=_names(["200029999", "240100883", "200054781", "242010056", "249740119"]),
        departements=_names(["01", "75", "93", "2A", "974"]),
        regions=_names(["84", "11"]),
    )


def test_counts_per_epci_departement_region(table):
    ain = _row(table, "epci", "200029999")
    assert (ain["n_acv"], ain["n_pvd"], ain["n_france_services"]) == (1, 1, 2)
    dombes = _row(table, "epci", "240100883")
    # a case on 01004, one on the EPCI, one on the Pays made of exactly this EPCI
    assert (dombes["n_pvd"], dombes["n_cases"]) == (1, 3)
    assert _row(table, "region", "11")["n_cases"] == 1  # placed by its coordinates in Paris
    assert _row(table, "departement", "01")["n_cases"] == 3
    assert _row(table, "epci", "242010056")[["n_acv", "n_cases"]].sum() == 0


def test_ti_and_pays_count_by_membership(table):
    ain = _row(table, "ti", "ti-0101")
    assert ain["phase"] == "2023-2027"
    # 01001 (EPCI member) and 01004 (commune member); the EPCI-only case is not in it
    assert (ain["n_acv"], ain["n_pvd"], ain["n_france_services"], ain["n_cases"]) == (1, 2, 2, 1)
    plaine = _row(table, "ti", "ti-0102")
    assert (plaine["n_france_services"], plaine["n_acv"]) == (1, 0)
    pays = _row(table, "pays", "pays-01")
    # the Pays-level case counts in the Pays and in territories holding the whole Pays
    assert (pays["nom"], pays["n_pvd"], pays["n_cases"]) == ("Pays test", 1, 3)
    assert _row(table, "ti", "ti-0101")["cases_in"] == "0"  # not the Pays-wide cases


def test_every_count_column_is_present_even_without_points(communes, ti_layer):
    out = facts.territory_facts(
        communes,
        {},
        ti_layer,
        epci=_names(["200029999"]),
        departements=_names(["01"]),
        regions=_names(["84"]),
    )
    assert list(out.columns) == [*facts.HEAD, *facts.COUNTS.values(), facts.CASE_IDS]
    assert (out[list(facts.COUNTS.values())] == 0).all().all()
    assert set(out["territory_type"]) == {"commune", "epci", "departement", "region", "ti"}


def test_extra_territories_without_members_are_refused(communes, points):
    with pytest.raises(ValueError, match="members"):
        facts.territory_facts(
            communes,
            points,
            None,
            {"pays": pd.DataFrame({"pays_id": ["p"], "nom": ["P"]})},
            epci=_names([]),
            departements=_names([]),
            regions=_names([]),
        )


def test_programme_points_split_tiers_lieux_by_family_code(communes):
    # The split follows the family code, not the label shown: relabelling a family on the
    # map must not drop its sites from the counts.
    tiers = _points(
        communes,
        ["01001", "01002", "01004"],
        family=["fabriques", "tiers_lieux_2019", "tiers_lieux_2019"],
        source=["Fabrique de territoire (ANCT)", "Recensement", "Recensement"],
    )
    out = facts.programme_points({"tiers_lieux": tiers, "acv": None})
    assert {k: len(v) for k, v in out.items()} == {
        "fabriques": 1,
        "manufactures": 0,
        "tiers_lieux_2019": 2,
    }
    assert isinstance(out["fabriques"].geometry.iloc[0], shapely.Point)


def test_a_case_counts_only_where_its_whole_place_lies():
    places = pd.DataFrame(
        {"case_id": ["town", "pays", "pays", "wide", "wide"], "insee_com": list("abcde")}
    )
    members = pd.DataFrame({"tid": ["T", "T", "T", "T", "U"], "insee_com": list("abcdx")})
    pairs = facts.cases_within(places, members)
    # "wide" reaches e, outside T: not in T (a reader finds it among the nearby cases)
    assert sorted(map(tuple, pairs.to_numpy())) == [("T", "pays"), ("T", "town")]


def test_case_ids_and_counts_read_the_same_row(table):
    for kind, ident in (("pays", "pays-01"), ("epci", "240100883"), ("region", "11")):
        ids = facts.case_ids_of(table, kind, ident)
        assert len(ids) == facts.counts_of(table, kind, ident)["cases"] > 0
    assert facts.case_ids_of(table, "epci", "000000000") is None
