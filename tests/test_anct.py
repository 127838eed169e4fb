"""Reading the ANCT lists and reconciling their codes, on tiny synthetic files."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from geodata.model import reconcile, tierslieux
from geodata.sources import anct
from tests import anct_fixtures as fx

ACV = anct.CATALOGUE["acv"]
CENSUS = anct.CATALOGUE["tiers_lieux_2019"]
ACV_TEXT = (
    "insee_com,lib_com,id_acv,lib_acv,date_signature\n"
    "01001,L'Abergement,acv-001,\"Cœur de ville\n(sur deux lignes)\",\n"  # lines 2-3
    "01003,Ancienne commune,acv-002,Ancienne,\n"  # line 4: commune déléguée
    "75101,Paris 1er,acv-003,Paris Centre,\n"  # line 5: arrondissement
    "1002,Abergement-de-Varey,acv-004,Varey,\n"  # line 6: leading zero lost
    "01999,Inconnue,acv-005,Inconnue,\n"  # line 7: unknown to the COG
    "97801,Saint-Martin,acv-006,Marigot,\n"  # line 8: collectivité d'outre-mer
    "01001,L'Abergement,acv-007,Second site,\n"  # line 9: same commune again
    ",Sans code,acv-008,Sans code,\n"  # line 10: no code
)


@pytest.fixture
def communes() -> gpd.GeoDataFrame:
    """The synthetic communes layer."""
    return fx.communes()


@pytest.fixture
def reference() -> pd.DataFrame:
    """The synthetic COG reference (with a COMD and an ARM)."""
    return fx.reference()


@pytest.fixture
def acv_file(tmp_path):
    """An ACV list covering every kind of code."""
    return fx.write(tmp_path / "acv.csv", ACV_TEXT)


def test_read_keeps_codes_as_text_and_the_line_where_each_record_starts(acv_file):
    df = anct.read_commune_list(acv_file, ACV)
    assert df["line"].tolist() == [2, 4, 5, 6, 7, 8, 9, 10]
    assert df["insee_com"].tolist()[:4] == ["01001", "01003", "75101", "1002"]
    assert list(df.columns) == ["line", *ACV.columns]


def test_missing_column_names_the_file_the_columns_missing_and_found(tmp_path):
    path = fx.write(tmp_path / "acv.csv", "code,lib_com,id_acv\n01001,X,acv-1\n")
    with pytest.raises(ValueError, match=r"acv\.csv.*line 1.*\['insee_com', 'lib_acv'\].*found"):
        anct.read_commune_list(path, ACV)


def test_optional_column_absent_is_added_empty(tmp_path):
    path = fx.write(tmp_path / "acv.csv", "insee_com,lib_com,id_acv,lib_acv\n01001,X,a-1,Y\n")
    assert anct.read_commune_list(path, ACV)["date_signature"].tolist() == [""]


def test_contact_columns_are_never_read(tmp_path):
    text = ("ID,NOM_TL,INSEECOM,NOMCOM,LAT,LONG,MAIL,TEL,NOM_CONTACT\n"
            "1,Lieu,01001,X,46.1,5.2,jean@exemple.fr,0601020304,Jean Dupont\n")
    df = anct.read_list(fx.write(tmp_path / "tl.csv", text), CENSUS)
    assert not {"MAIL", "TEL", "NOM_CONTACT"} & set(df.columns)
    assert "jean" not in df.to_csv()


@pytest.mark.parametrize("text", ["", "insee_com,lib_com,id_acv,lib_acv\n"])
def test_empty_file_is_reported_not_a_crash(tmp_path, text):
    fx.write(tmp_path / "acv.csv", text)
    loaded = anct.load_list(ACV, tmp_path)
    assert loaded.status == "empty"
    assert loaded.table.empty and "line" in loaded.table.columns
    assert loaded.source()["sha256"]


def test_absent_file_or_no_data_dir_is_not_loaded(tmp_path):
    assert anct.load_list(ACV, tmp_path).status == "not loaded"
    assert anct.load_list(ACV, None).status == "not loaded"
    assert anct.load_list(ACV, tmp_path / "missing").status == "not loaded"
    assert "atlas fetch --dest DIR" in anct.load_hint(ACV)


def test_reconcile_places_or_reports_every_row(acv_file, reference, communes):
    df = anct.read_commune_list(acv_file, ACV)
    placed, problems = reconcile.reconcile_communes(df, reference, communes)
    report = reconcile.summarise(len(df), len(placed), problems)
    assert report["rows"] == report["placed"] + report["n_unplaced"] == 8
    assert placed["insee_com"].tolist() == ["01001", "01001", "75056", "01002", "01001"]
    assert placed["insee_com_source"].tolist() == ["01001", "01003", "75101", "1002", "01001"]
    remapped = {(p["line"], p["code"], p["new_code"]) for p in report["remapped"]}
    assert remapped == {(4, "01003", "01001"), (5, "75101", "75056")}
    assert [(p["line"], p["code"], p["new_code"]) for p in report["padded"]] == [
        (6, "1002", "01002")]
    unplaced = {p["line"]: (p["code"], p["reason"]) for p in report["unplaced"]}
    assert set(unplaced) == {7, 8, 10}
    assert "unknown to the COG" in unplaced[7][1]
    assert "collectivité d'outre-mer" in unplaced[8][1]
    assert "no INSEE code" in unplaced[10][1]


def test_reconciled_points_lie_inside_their_commune(acv_file, reference, communes):
    placed, _ = reconcile.reconcile_communes(anct.read_commune_list(acv_file, ACV),
                                             reference, communes)
    polygons = communes.set_index("insee_com").geometry
    assert all(polygons[c].contains(p) for c, p in zip(placed["insee_com"], placed.geometry))
    assert placed.crs.equals("EPSG:4326")
    assert {"nom_commune", "siren_epci", "insee_dep", "insee_reg", "id_acv"} <= set(placed)
    assert placed.loc[placed["insee_com"] == "75056", "siren_epci"].tolist() == ["200054781"]


def test_summarise_refuses_rows_lost_in_accounting():
    with pytest.raises(RuntimeError, match="bug"):
        reconcile.summarise(3, 1, [{"kind": "unplaced", "line": 2, "code": "x"}])


def test_coordinates_are_validated_and_swapped_pairs_put_right():
    lat = pd.Series(["46.2", "5.24", "abc", "", "0", "40.0", "-20.9"])
    lon = pd.Series(["5.24", "46.2", "5.2", "5.2", "0", "-30.0", "55.45"])
    checked = tierslieux.validate_coordinates(lat, lon)
    assert checked["note"].tolist() == ["", "swapped", "not numeric", "no coordinates",
                                        "0, 0 placeholder", "outside France", ""]
    assert checked.loc[1, ["lat", "lon"]].tolist() == [46.2, 5.24]
    assert checked["ok"].tolist() == [True, True, False, False, False, False, True]


def _census(tmp_path, communes):
    points = communes.set_index("insee_com").geometry.representative_point()
    inside, reunion = points["01002"], points["97411"]
    text = (
        "ID,NOM_TL,INSEECOM,NOMCOM,WEB,TYPO,LAT,LONG,EMAIL\n"
        f"1,Coworking A,01002,X,www.a.fr,Coworking,{inside.y},{inside.x},a@b.fr\n"
        f"2,Fablab B,0,,b@exemple.fr,Fablab,{inside.y},{inside.x},\n"  # no code, e-mail as WEB
        f"3,Lieu C,01004,X,,,{inside.x},{inside.y},\n"  # swapped: placed at 01002
        "4,Lieu D,75101,Paris,,,abc,,\n"  # bad coordinates: falls back to Paris
        "5,Lieu E,0,,,,,,\n"  # nothing to place it with
        f"6,Lieu F,97411,Saint-Denis,,,{reunion.y},{reunion.x},\n"  # overseas
    )
    return anct.read_list(fx.write(tmp_path / "tiers_lieux_2019.csv", text), CENSUS)


def test_census_uses_valid_coordinates_and_reports_the_rest(tmp_path, reference, communes):
    df = _census(tmp_path, communes)
    placed, problems = tierslieux.census_points(df, reference, communes)
    assert placed["id"].tolist() == ["1", "2", "3", "4", "6"]
    assert placed["insee_com"].tolist() == ["01002", "01002", "01002", "75056", "97411"]
    assert placed["placement"].tolist() == ["coordonnées"] * 3 + ["commune", "coordonnées"]
    kinds = {(p["line"], p["kind"]) for p in problems}
    assert {(3, "located"), (4, "located"), (4, "coordinates"), (5, "remapped"),
            (5, "coordinates"), (6, "unplaced"), (3, "privacy")} == kinds
    unplaced = [p for p in problems if p["kind"] == "unplaced"]
    assert len(df) == len(placed) + len(unplaced)
    assert "coordinates: no coordinates" in unplaced[0]["reason"]
    assert placed.crs.equals("EPSG:4326")


def test_census_drops_an_email_given_as_website(tmp_path, reference, communes):
    placed, problems = tierslieux.census_points(_census(tmp_path, communes), reference,
                                                communes)
    assert placed["web"].tolist()[:2] == ["www.a.fr", ""]
    assert not placed.apply(lambda r: r.astype(str).str.contains("@").any(), axis=1).any()
    assert [p["line"] for p in problems if p["kind"] == "privacy"] == [3]
    assert "EMAIL" not in placed.columns
