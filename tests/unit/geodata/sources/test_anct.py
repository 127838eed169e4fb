"""Reading the ANCT lists and reconciling their codes, on tiny synthetic files."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from geodata.model import facts, reconcile, tierslieux
from geodata.sources import anct
from geodata.vocab import PROGRAMMES, programme_of_list
from tests.support import anct_fixtures as fx

ACV = anct.CATALOGUE["acv"]
CENSUS = anct.CATALOGUE["tiers_lieux_2019"]


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
    return fx.write(tmp_path / "acv.csv", fx.ACV_TEXT)


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
    text = (
        "ID,NOM_TL,INSEECOM,NOMCOM,LAT,LONG,MAIL,TEL,NOM_CONTACT\n"
        "1,Lieu,01001,X,46.1,5.2,jean@exemple.fr,0601020304,Jean Dupont\n"
    )
    df = anct.read_list(fx.write(tmp_path / "tl.csv", text), CENSUS)
    assert not {"MAIL", "TEL", "NOM_CONTACT"} & set(df.columns)
    assert "jean" not in df.to_csv()


def test_an_email_or_phone_inside_a_read_column_is_masked_where_the_list_enters(tmp_path):
    text = (
        "insee_com,lib_com,id_fabt,lib_fabt\n"
        "61001,Alençon,fabt-109,"
        "SCENE NATIONALE 61 = modifier mail alimoes@scenenationale61.fr\n"
        "01004,Ambérieu,fabt-2,Le Touche@tout ; appeler le 04 77 12 34 56\n"
    )
    df = anct.read_list(fx.write(tmp_path / "f.csv", text), anct.CATALOGUE["fabriques"])
    assert list(df["lib_fabt"]) == [
        "SCENE NATIONALE 61 = modifier mail [coordonnées masquées]",
        "Le Touche@tout ; appeler le [coordonnées masquées]",  # a name with @ is not an e-mail
    ]
    assert list(df["insee_com"]) == ["61001", "01004"]  # codes untouched


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
    remapped = {(p.line, p.code, p.value) for p in problems if p.kind == "remapped"}
    assert remapped == {(4, "01003", "01001"), (5, "75101", "75056")} and report["n_remapped"] == 2
    assert [(p.line, p.code, p.value) for p in problems if p.kind == "padded"] == [
        (6, "1002", "01002")
    ]
    assert {p.severity for p in problems if p.kind != "unplaced"} == {"warning"}  # rows used
    unplaced = {p.line: (p.code, p.reason) for p in problems if p.severity == "error"}
    assert set(unplaced) == {7, 8, 10}
    assert "inconnu du COG" in unplaced[7][1]
    assert "collectivité d'outre-mer" in unplaced[8][1]
    assert "aucun code INSEE" in unplaced[10][1]


def test_reconciled_points_lie_inside_their_commune(acv_file, reference, communes):
    placed, _ = reconcile.reconcile_communes(
        anct.read_commune_list(acv_file, ACV), reference, communes
    )
    polygons = communes.set_index("insee_com").geometry
    pairs = zip(placed["insee_com"], placed.geometry, strict=True)
    assert all(polygons[c].contains(p) for c, p in pairs)
    assert placed.crs.equals("EPSG:4326")
    assert {"nom_commune", "siren_epci", "insee_dep", "insee_reg", "id_acv"} <= set(placed)
    assert placed.loc[placed["insee_com"] == "75056", "siren_epci"].tolist() == ["200054781"]


def test_summarise_refuses_rows_lost_in_accounting():
    with pytest.raises(RuntimeError, match="bug"):
        reconcile.summarise(3, 1, [reconcile.list_problem(2, "x", "unplaced", "", "unknown")])


def test_coordinates_are_validated_and_swapped_pairs_put_right():
    lat = pd.Series(["46.2", "5.24", "abc", "", "0", "40.0", "-20.9"])
    lon = pd.Series(["5.24", "46.2", "5.2", "5.2", "0", "-30.0", "55.45"])
    checked = tierslieux.validate_coordinates(lat, lon)
    assert checked["note"].tolist() == [
        "",
        "swapped",
        "not numeric",
        "no coordinates",
        "0, 0 placeholder",
        "outside France",
        "",
    ]
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
    kinds = {(p.line, p.kind) for p in problems}
    assert {
        (3, "located"),
        (4, "located"),
        (4, "coordinates"),
        (5, "remapped"),
        (5, "coordinates"),
        (6, "unplaced"),
        (3, "privacy"),
    } == kinds
    unplaced = [p for p in problems if p.severity == "error"]
    assert len(df) == len(placed) + len(unplaced) and unplaced[0].kind == "unplaced"
    assert unplaced[0].reason.endswith(" ; pas de coordonnées")
    assert placed.crs.equals("EPSG:4326")


def test_census_drops_an_email_given_as_website(tmp_path, reference, communes):
    placed, problems = tierslieux.census_points(_census(tmp_path, communes), reference, communes)
    assert placed["web"].tolist()[:2] == ["www.a.fr", ""]
    assert not placed.apply(lambda r: r.astype(str).str.contains("@").any(), axis=1).any()
    assert [p.line for p in problems if p.kind == "privacy"] == [3]
    assert "EMAIL" not in placed.columns


def test_every_programme_list_has_one_reader_and_every_reader_a_programme():
    named = [name for p in PROGRAMMES.values() for name in p.lists]
    assert sorted(named) == sorted(anct.CATALOGUE)  # a list added on one side only fails
    for name, spec in anct.CATALOGUE.items():
        assert spec.phase == programme_of_list(name).phase_of(name)
    with pytest.raises(ValueError, match="'france_servises' belongs to no programme"):
        programme_of_list("france_servises")


def test_tiers_lieux_rows_carry_their_family_code_and_are_counted_by_it(
    tmp_path, reference, communes
):
    text = "insee_com,lib_com,id_fabt,lib_fabt\n01002,X,F1,La Fabrique\n"
    fab = anct.read_list(
        fx.write(tmp_path / "fabriques_territoire.csv", text), anct.CATALOGUE["fabriques"]
    )
    placed, _ = tierslieux.place_list(fab, "fabriques", "id_fabt", "lib_fabt", reference, communes)
    census, _ = tierslieux.census_points(_census(tmp_path, communes), reference, communes)
    layer = tierslieux.tiers_lieux([placed, census])
    assert layer.groupby("family")["source"].first().to_dict() == {
        "fabriques": "Fabrique de territoire",
        "tiers_lieux_2019": "Recensement 2019",
    }
    points = facts.programme_points({"tiers_lieux": layer})
    assert {k: len(v) for k, v in points.items()} == {
        "fabriques": 1,
        "manufactures": 0,
        "tiers_lieux_2019": 5,
    }


def test_a_row_whose_id_is_not_a_slug_is_reported_and_not_used(tmp_path):
    fx.write(
        tmp_path / "ti_groupements.csv",
        "id_ti,lib_ti,siren_groupement,lib_groupement\n"
        "ti-0101,Ain industriel,200029999,CC de test\n"  # line 2: kept
        "ti-/../../../../x,Évasion,200029999,CC de test\n"  # line 3: a path
        "ti-0102\x1b[31m,Rouge,200029999,CC de test\n"  # line 4: an escape sequence
        ",Sans id,200029999,CC de test\n",  # line 5: no id
    )
    loaded = anct.load_list(anct.CATALOGUE["ti"], tmp_path)
    assert loaded.table["id_ti"].tolist() == ["ti-0101"] and loaded.status == "loaded"
    assert [(p.dataset, p.line, p.field) for p in loaded.problems] == [
        ("ti_groupements.csv", n, "id_ti") for n in (3, 4, 5)
    ]
    assert {p.severity for p in loaded.problems} == {"error"}
    assert loaded.problems[0].value == "ti-/../../../../x"


def test_commune_lists_keep_corsican_and_joined_ids(tmp_path):
    fx.write(
        tmp_path / "pvd.csv",
        "insee_com,lib_com,id_pvd,lib_pvd,date_signature\n"
        "2A004,Ajaccio,pvd-94-2A-1,Ajaccio,\n"  # Corsica: upper case, as ANCT writes it
        "01001,L'Abergement,pvd-1; pvd-2,Deux entrées,\n"  # one site, two ids
        "01002,Varey,pvd-3/../x,Chemin,\n",  # line 4: not an id
    )
    loaded = anct.load_list(anct.CATALOGUE["pvd"], tmp_path)
    assert loaded.table["id_pvd"].tolist() == ["pvd-94-2A-1", "pvd-1; pvd-2"]
    assert [p.line for p in loaded.problems] == [4]
