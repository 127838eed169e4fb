"""Joining cases to communes, EPCI and Pays on tiny synthetic geometries."""

from __future__ import annotations

import pandas as pd
import pytest

from geodata.model.pays import build_pays
from geodata.model.placement import place_cases


@pytest.fixture
def communes(four_communes):
    """The four synthetic communes with the columns of the communes layer."""
    gdf = four_communes.assign(nom=["A", "B", "C", "D"], insee_reg="84", area_km2=100.0)
    gdf["population"] = gdf["population"].astype("Int64")
    return gdf


@pytest.fixture
def epci(communes):
    """Two EPCI dissolved from the communes."""
    out = communes.dissolve("siren_epci", as_index=False)[["siren_epci", "insee_dep", "geometry"]]
    return out


@pytest.fixture
def pays(communes):
    """One Pays made of the first EPCI, one whose only member is unknown."""
    table = pd.DataFrame({"pays_id": ["pays-a", "pays-b"], "nom": ["Pays A", "Pays B"]})
    members = pd.DataFrame(
        {"pays_id": ["pays-a", "pays-b"], "siren_epci": ["200029999", "999999999"]}
    )
    gdf, problems = build_pays(table, members, communes, source="test")
    return gdf, problems


def _cases(**cols):
    base = {
        "id": ["c1"],
        "name": ["Cas"],
        "insee_com": [""],
        "siren_epci": [""],
        "pays_id": [""],
        "lat": [""],
        "lon": [""],
        "note": [""],
        "line": [2],
        "source": ["t.csv"],
    }
    base.update({k: [v] for k, v in cols.items()})
    return pd.DataFrame(base)


def test_pays_is_the_union_of_its_epci_with_reconstructed_figures(pays):
    gdf, problems = pays
    a = gdf.set_index("pays_id").loc["pays-a"]
    assert (a.n_epci, a.n_communes, a.population) == (1, 2, 300)
    assert a.area_km2 == pytest.approx(200.0)
    assert a.geometry.geom_type == "Polygon"
    assert [(p.code, p.value, p.reason, p.severity) for p in problems] == [
        ("pays-b", "999999999", "n'est pas un EPCI au 1er janvier 2025 : membre ignoré", "error"),
        ("pays-b", "", "aucun EPCI membre placé : pas de contour", "warning"),
    ]


def test_case_with_a_commune_is_a_point_inside_it_and_inherits_the_chain(communes, epci, pays):
    placed, unplaced = place_cases(_cases(insee_com="01002"), communes, epci, pays[0])
    row = placed.iloc[0]
    assert unplaced == []
    assert row.placement == "commune" and row.geometry.geom_type == "Point"
    assert communes.set_index("insee_com").geometry["01002"].contains(row.geometry)
    assert (row.siren_epci, row.insee_dep, row.insee_reg, row.pays_id) == (
        "200029999",
        "01",
        "84",
        "pays-a",
    )


def test_case_known_only_by_its_epci_is_drawn_on_the_epci_area(communes, epci, pays):
    placed, _ = place_cases(_cases(siren_epci="240100883"), communes, epci, pays[0])
    assert placed.iloc[0].placement == "epci"
    assert placed.iloc[0].geometry.equals(epci.set_index("siren_epci").geometry["240100883"])


def test_case_known_only_by_its_pays_is_drawn_on_the_pays(communes, epci, pays):
    placed, _ = place_cases(_cases(pays_id="pays-a"), communes, epci, pays[0])
    assert placed.iloc[0].placement == "pays"
    # its départements and régions, so a map limited to one of them still draws it
    assert (placed.iloc[0].insee_dep, placed.iloc[0].insee_reg) == ("01", "84")


def test_own_coordinates_win_over_the_commune(communes, epci, pays):
    table = _cases(insee_com="01001", lat="46.2", lon="5.2")
    placed, _ = place_cases(table, communes, epci, pays[0])
    assert placed.iloc[0].placement == "coordonnées"
    assert (placed.iloc[0].geometry.x, placed.iloc[0].geometry.y) == (5.2, 46.2)


def test_case_with_nothing_to_place_it_is_reported_with_its_note(communes, epci, pays):
    placed, unplaced = place_cases(_cases(note="commune non précisée"), communes, epci, pays[0])
    assert len(placed) == 0
    assert unplaced[0].code == "c1" and "commune non précisée" in unplaced[0].reason


def _two_deps(communes):
    """The communes with the second EPCI moved to the Ain's neighbour, the Rhône (69)."""
    out = communes.copy()
    out.loc[out["siren_epci"] == "240100883", ["insee_dep", "insee_reg"]] = ["69", "84"]
    return out


def test_case_on_several_epci_covers_all_of_them_and_lists_both_departements(communes, epci, pays):
    communes = _two_deps(communes)
    placed, unplaced = place_cases(
        _cases(siren_epci="200029999;240100883"), communes, epci, pays[0]
    )
    row = placed.iloc[0]
    assert unplaced == []
    assert row.placement == "epci"
    assert row.geometry.area == pytest.approx(epci.geometry.union_all().area)
    assert row.insee_dep == "01;69" and row.insee_reg == "84"


def test_case_named_by_its_territoire_d_industrie_is_drawn_on_the_ti(communes, epci, pays):
    communes = _two_deps(communes)
    ti = epci.dissolve().assign(id_ti="ti-8408", siren_epci="200029999;240100883")
    placed, unplaced = place_cases(_cases(id_ti="ti-8408"), communes, epci, pays[0], ti)
    row = placed.iloc[0]
    assert unplaced == []
    assert row.placement == "ti" and row.insee_dep == "01;69"
    assert row.geometry.equals(ti.geometry.iloc[0])


def test_case_on_an_unknown_ti_is_reported_with_the_reason(communes, epci, pays):
    placed, unplaced = place_cases(_cases(id_ti="ti-0000"), communes, epci, pays[0])
    assert placed.empty
    assert [p.code for p in unplaced] == ["c1"]
    assert unplaced[0].reason == (
        "le Territoire d'industrie « ti-0000 » n'est pas dans la liste chargée"
    )
