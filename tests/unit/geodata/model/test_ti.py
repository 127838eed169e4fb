"""Territoires d'industrie and Fabriques prospectives perimeters on synthetic communes."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geodata.model import prospectives, ti
from geodata.sources import anct
from tests.support import anct_fixtures as fx


@pytest.fixture
def communes() -> gpd.GeoDataFrame:
    """The synthetic communes layer."""
    return fx.communes()


@pytest.fixture
def built(tmp_path, communes) -> tuple[gpd.GeoDataFrame, dict]:
    """The TI of a synthetic 2023-2027 list, and their report."""
    path = fx.write(tmp_path / "ti_groupements.csv", fx.TI_TEXT)
    members = anct.read_list(path, anct.CATALOGUE["ti"])
    return ti.build_ti(members, "2023-2027", communes, fx.reference(), fx.groupements_table())


def test_every_member_is_placed_or_reported(built):
    gdf, problems = built
    unplaced = {p.line: (p.code, p.reason) for p in problems if p.severity == "error"}
    assert set(unplaced) == {5, 7}
    assert unplaced[5][0] == "999999999" and "Groupement inconnu" in unplaced[5][1]
    assert "groupements_hors_epci.csv" in unplaced[5][1]
    assert "n'est pas un numéro SIREN (9 chiffres)" in unplaced[7][1]
    assert [p.code for p in problems if p.kind == "no geometry"] == ["ti-0104"]


def test_commune_and_ept_members_contribute_their_communes(built):
    gdf, problems = built
    row = gdf.set_index("id_ti")
    assert row.at["ti-0101", "members"] == "200029999;210100046"
    assert row.at["ti-0101", "siren_epci"] == "200029999"
    assert row.at["ti-0101", "member_communes"] == "01004"
    assert row.at["ti-0102", "member_communes"] == "93001;93066"
    assert row.at["ti-0102", "n_members"] == 2  # the unplaced member is still listed
    notes = {n.line: n for n in problems if n.severity == "info"}
    assert notes[3].kind == "commune" and notes[3].value == "01004"
    assert notes[4].kind == "EPT" and "Plaine Commune" in notes[4].fix


def test_perimeters_are_exact_unions_measured_in_metres(built, communes):
    gdf, _ = built
    row = gdf.set_index("id_ti")
    assert row.at["ti-0101", "area_km2"] == pytest.approx(300.0)
    assert row.at["ti-0101", "population"] == 600
    assert row.at["ti-0101", "insee_dep"] == "01"
    union = shapely.union_all(
        communes[communes["insee_com"].isin(["01001", "01002", "01004"])].geometry.values
    )
    assert row.at["ti-0101", "geometry"].symmetric_difference(union).area < 1e-12
    drawn = gdf[~gdf.geometry.isna()]
    assert drawn.is_valid.all() and not drawn.is_empty.any()
    assert gdf.crs.equals("EPSG:4326") and gdf["phase"].unique().tolist() == ["2023-2027"]


def test_overlapping_ti_are_simplified_in_separate_groups(built):
    gdf, _ = built
    drawn = gdf[~gdf.geometry.isna()]
    groups = ti._non_overlapping_groups(drawn)
    assert len(groups) == 2  # ti-0101 and ti-0103 share commune 01004
    display = ti.simplified(gdf, tolerance_m=500)
    assert sorted(display["id_ti"]) == ["ti-0101", "ti-0102", "ti-0103"]
    assert display.is_valid.all() and not display.is_empty.any()


def test_ti_communes_lists_the_membership(built, communes):
    gdf, _ = built
    membership = ti.ti_communes(gdf, communes)
    codes = membership.groupby("id_ti")["insee_com"].agg(list).to_dict()
    assert codes["ti-0101"] == ["01001", "01002", "01004"]
    assert codes["ti-0103"] == ["01004", "01005"]
    assert "ti-0104" not in codes


def test_fabriques_prospectives_accept_a_ti_id_as_member(tmp_path, built, communes):
    gdf, _ = built
    text = (
        "id_fabp,lib_fabp,siren_groupement,lib_groupement\n"
        "fabp-01,Test,ti-0103,Dombes\n"
        "fabp-01,Test,210100038,Ancienne commune\n"  # commune SIREN of a COMD (01003)
        "fabp-02,Autre,ti-9999,Inconnu\n"
    )
    members = anct.read_list(
        fx.write(tmp_path / "fp.csv", text), anct.CATALOGUE["fabriques_prospectives"]
    )
    layer, problems = prospectives.build_prospectives(
        members, communes, fx.reference(), fx.groupements_table(), gdf
    )
    assert [(p.line, p.code) for p in problems if p.severity == "error"] == [(4, "ti-9999")]
    assert layer["member_kind"].tolist() == ["ti", "commune"]
    assert layer["n_communes"].tolist() == [2, 1]
    assert layer["area_km2"].tolist() == pytest.approx([200.0, 100.0])


def test_empty_member_list_gives_no_territory(communes):
    members = pd.DataFrame(
        {c: pd.Series(dtype=str) for c in ["id_ti", "lib_ti", "siren_groupement", "lib_groupement"]}
    )
    members.insert(0, "line", pd.Series(dtype="int64"))
    gdf, problems = ti.build_ti(
        members, "2018-2022", communes, fx.reference(), fx.groupements_table()
    )
    assert len(gdf) == 0 and problems == []
