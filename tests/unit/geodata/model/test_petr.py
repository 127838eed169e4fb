"""The national PETR layer from BANATIC: tiny EPCI squares and tiny membership tables."""

from __future__ import annotations

import io

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geodata.model import petr
from geodata.vocab import CRS_METRIC

FILES = petr.Files("groupements_2022.csv", "adhesions_2025.csv", vintage="2025")


@pytest.fixture
def epci() -> gpd.GeoDataFrame:
    """Three adjacent 10 km EPCI squares in Lambert-93 (Ain), reprojected to 4326."""
    x0, y0 = 850_000, 6_550_000
    boxes = [shapely.box(x0 + i * 10_000, y0, x0 + (i + 1) * 10_000, y0 + 10_000) for i in range(3)]
    gdf = gpd.GeoDataFrame(
        {
            "siren_epci": ["200029999", "240100883", "200040350"],
            "nom": ["CC Un", "CC Deux", "CC Trois"],
            "population": pd.array([1000, 2500, 400], dtype="Int64"),
            "n_communes": [3, 5, 2],
            "area_km2": [100.0, 100.0, 100.0],
            "insee_dep": ["01"] * 3,
        },
        geometry=boxes,
        crs=CRS_METRIC,
    )
    return gdf.to_crs("EPSG:4326")


def _csv(text: str) -> pd.DataFrame:
    table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    return table.assign(line=range(2, len(table) + 2))


GROUPEMENTS = _csv(
    "siren,libelle,region_code,departement_code,nature,population\n"
    "200042083,PETR du Bugey,84,01,PETR,3400\n"  # two members -> drawn
    "200050615,PETR du Lévézou,76,12,PETR,13672\n"  # no member -> reported
    "250100011,SM du Pays de Gex,84,01,SMF,90000\n"  # a "Pays" that is no PETR: counted
    "247000011,CC dissoute,84,01,CC,800\n"  # not an EPCI of 2025
    "250100029,SIVU des eaux,84,01,SIVU,5000\n"
)
ADHESIONS = _csv(
    "siren_groupement,siren_membre\n"
    "200029999,200042083\n"  # line 2: EPCI -> PETR, used
    "240100883,200042083\n"  # line 3: EPCI -> PETR, used
    "247000011,200042083\n"  # line 4: a CC dissolved since -> reported, nature CC
    "200029999,250100029\n"  # line 5: EPCI -> SIVU, counted (other grouping)
    "200029999,200099999\n"  # line 6: two EPCI -> grouping absent from the list: reported
    "200040350,200099999\n"  # line 7
    "200040350,200088888\n"  # line 8: one EPCI -> absent grouping: counted
)


def test_a_petr_is_the_union_of_its_member_epci_with_their_population(epci):
    built = petr.build_petr(GROUPEMENTS, ADHESIONS, epci, FILES)

    layer = built.layer
    assert list(layer["siren"]) == ["200042083"]
    row = layer.iloc[0]
    assert row["pays_id"] == "pays-200042083" and row["nom"] == "PETR du Bugey"
    assert row["population"] == 3500 and row["n_epci"] == 2 and row["n_communes"] == 8
    assert row["members"] == "200029999;240100883"
    assert (row["insee_dep"], row["insee_reg"], row["vintage"]) == ("01", "84", "2025")
    assert layer.crs.equals("EPSG:4326")
    assert row.geometry.geom_type == "Polygon"  # two squares dissolved into one
    area_km2 = gpd.GeoSeries([row.geometry], crs="EPSG:4326").to_crs(CRS_METRIC).area[0] / 1e6
    assert area_km2 == pytest.approx(200, rel=1e-3)


def test_a_member_that_is_not_a_2025_epci_is_reported_with_its_nature(epci):
    built = petr.build_petr(GROUPEMENTS, ADHESIONS, epci, FILES)

    [problem] = [p for p in built.problems if p.kind == "member not an EPCI"]
    assert (problem.dataset, problem.line, problem.value) == ("adhesions_2025.csv", 4, "247000011")
    assert "(CC selon la liste) : membre ignoré" in problem.reason and problem.severity == "error"
    assert "247000011" not in built.layer.loc[0, "members"]


def test_a_petr_with_no_member_is_reported_not_drawn(epci):
    built = petr.build_petr(GROUPEMENTS, ADHESIONS, epci, FILES)

    [problem] = [p for p in built.problems if p.kind == "no member"]
    assert (problem.dataset, problem.line, problem.code) == ("groupements_2022.csv", 3, "200050615")
    assert "PETR du Lévézou" in problem.reason
    assert "200050615" not in set(built.layer["siren"])


def test_every_membership_row_is_used_reported_or_counted(epci):
    built = petr.build_petr(GROUPEMENTS, ADHESIONS, epci, FILES)

    c = built.counts
    assert c["adhesions_rows"] == len(ADHESIONS) == 7
    assert (c["adhesions_used"], c["adhesions_reported"], c["adhesions_other"]) == (2, 3, 2)
    parts = ("adhesions_used", "adhesions_reported", "adhesions_other")
    assert c["adhesions_rows"] == sum(c[k] for k in parts)
    assert (c["adhesions_other_SIVU"], c["adhesions_other_absent"]) == (1, 1)
    [absent] = [p for p in built.problems if p.kind == "absent from list"]
    assert (absent.line, absent.value) == (6, "200099999") and "(lignes 6, 7)" in absent.reason
    assert c["petr_listed"] == c["petr_drawn"] + c["petr_no_member"] == 2


def test_pays_syndicats_that_are_not_petr_are_counted_not_drawn(epci):
    built = petr.build_petr(GROUPEMENTS, ADHESIONS, epci, FILES)

    assert built.counts["pays_not_petr"] == 1
    assert [r["siren"] for r in built.details["pays_not_petr"]] == ["250100011"]
    assert "250100011" not in set(built.layer["siren"])


def test_an_epci_in_two_petr_is_drawn_in_both_and_flagged(epci):
    groupements = pd.concat(
        [
            GROUPEMENTS,
            _csv(
                "siren,libelle,region_code,departement_code,nature,population\n"
                "200052249,PETR Voisin,84,01,PETR,900\n"
            ).assign(line=7),
        ],
        ignore_index=True,
    )
    adhesions = pd.concat(
        [ADHESIONS, _csv("siren_groupement,siren_membre\n240100883,200052249\n").assign(line=9)],
        ignore_index=True,
    )

    built = petr.build_petr(groupements, adhesions, epci, FILES)

    assert len(built.layer) == 2
    [twice] = [p for p in built.problems if p.kind == "several PETR"]
    assert twice.value == "240100883" and twice.severity == "warning"


def test_no_membership_draws_nothing_and_reports_every_petr(epci):
    built = petr.build_petr(GROUPEMENTS, ADHESIONS.iloc[:0], epci, FILES)

    assert built.layer.empty and built.counts["petr_no_member"] == 2
    assert {p.code for p in built.problems if p.kind == "no member"} == {"200042083", "200050615"}


def test_a_membership_row_given_twice_counts_its_epci_once(epci):
    adhesions = pd.concat([ADHESIONS, ADHESIONS.iloc[:1].assign(line=9)], ignore_index=True)

    built = petr.build_petr(GROUPEMENTS, adhesions, epci, FILES)

    assert built.layer.loc[0, "population"] == 3500 and built.layer.loc[0, "n_epci"] == 2
    assert not [p for p in built.problems if p.kind == "several PETR"]
    assert built.counts["adhesions_used"] == 3  # both rows read and used


def test_a_grouping_listed_twice_is_drawn_once_and_its_second_row_reported(epci):
    groupements = pd.concat([GROUPEMENTS, GROUPEMENTS.iloc[:1].assign(line=7)], ignore_index=True)

    built = petr.build_petr(groupements, ADHESIONS, epci, FILES)

    assert list(built.layer["siren"]) == ["200042083"]
    [dup] = [p for p in built.problems if p.kind == "duplicate"]
    assert (dup.line, dup.value) == (7, "200042083")
    assert built.counts["groupements_rows"] == 6 and built.counts["groupements_duplicates"] == 1
