"""Case tables: reading and validation rules, on tiny hand-made tables."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geodata.problems import Problem
from geodata.sources.cases import (
    CASE_COLUMNS,
    MAX_LENGTHS,
    MAX_TEXT_LENGTH,
    REQUIRED,
    case_problem,
    read_case_table,
    validate_cases,
)
from geodata.vocab import KINDS

# ---------------------------------------------------------------------------- fixtures

SIRENS = {"200029999", "240100883"}
PAYS = {"pays-test"}


@pytest.fixture
def communes() -> pd.DataFrame:
    """A hand-made COG reference: communes, a commune déléguée, an arrondissement, Corsica."""
    return pd.DataFrame(
        {
            "insee_com": ["01001", "01004", "01999", "2A004", "75056", "75119"],
            "nom": [
                "L'Abergement-Clémenciat",
                "Ambérieu-en-Bugey",
                "Ancienne-Commune",
                "Ajaccio",
                "Paris",
                "Paris 19e Arrondissement",
            ],
            "type": ["COM", "COM", "COMD", "COM", "COM", "ARM"],
            "parent_insee": ["", "", "01001", "", "", "75056"],
        }
    )


def _row(**values: str) -> dict[str, str]:
    base = {c: "" for c in CASE_COLUMNS}
    base.update(
        id="cas-1", name="Un cas", kinds="cluster", source_file="test.csv", insee_com="01004"
    )
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
    assert "Ajaccio (2A004)" in p.fix
    assert list(good["id"]) == ["cas-1"]


def test_unknown_insee_without_name_hint_suggests_nearest_codes(communes):
    _, problems = _validate(_table(_row(insee_com="01005", name="")), communes)
    p = [p for p in problems if p.field == "insee_com"][0]
    assert p.line == 2 and "codes les plus proches : 01004" in p.fix


def test_four_digit_insee_gets_its_leading_zero_with_a_warning(communes):
    good, problems = _validate(_table(_row(insee_com="1004")), communes)
    p = _only(problems, "warning")
    assert (p.line, p.field) == (2, "insee_com")
    assert good.loc[0, "insee_com"] == "01004"


def test_commune_deleguee_is_mapped_to_today_s_commune(communes):
    good, problems = _validate(_table(_row(insee_com="01999")), communes)
    p = _only(problems, "warning")
    assert (p.line, p.field, p.value) == (2, "insee_com", "01999")
    assert "01001" in p.fix
    assert good.loc[0, "insee_com"] == "01001"


def test_arrondissement_is_mapped_to_its_commune(communes):
    good, problems = _validate(_table(_row(insee_com="75119")), communes)
    assert _only(problems, "warning").field == "insee_com"
    assert good.loc[0, "insee_com"] == "75056"


def test_corsican_code_is_accepted(communes):
    good, problems = _validate(_table(_row(insee_com="2a004")), communes)
    assert problems == [] and good.loc[0, "insee_com"] == "2A004"


@pytest.mark.parametrize(
    "ident",
    ["../../../x", '">\u2039svg onload=1>', "cas\u202etxt", "Mon Cas", "a" * 81, "ti-/../x"],
)
def test_an_id_that_is_not_a_slug_is_an_error_with_a_suggestion(communes, ident):
    good, problems = _validate(_table(_row(id=ident)), communes)
    assert good.empty
    problem = _only(problems)
    assert (problem.field, problem.value) == ("id", ident)
    assert problem.fix.startswith(
        "attendu : un identifiant fait de lettres minuscules, de chiffres"
    )


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
    assert all(code in p.fix for code in KINDS)
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


def test_several_epci_are_accepted_and_each_one_is_checked(communes):
    sirens = sorted(SIRENS)[:2]
    good, problems = _validate(_table(_row(insee_com="", siren_epci=" ; ".join(sirens))), communes)
    assert problems == [] and good.loc[0, "siren_epci"] == ";".join(sirens)
    good, problems = _validate(
        _table(_row(insee_com="", siren_epci=f"{sirens[0]};999999999")), communes
    )
    assert good.empty and _only(problems).value == "999999999"


def test_id_ti_is_checked_against_the_ti_list(communes):
    table = _table(_row(insee_com="", id_ti="TI-8408"), _row(id="b", insee_com="", id_ti="ti-84"))
    good, problems = validate_cases(
        table,
        file="t.csv",
        communes=communes,
        epci_sirens=SIRENS,
        pays_ids=PAYS,
        ti_ids={"ti-8408"},
    )
    assert list(good["id_ti"]) == ["ti-8408"]
    problem = _only(problems)
    assert (problem.line, problem.field, problem.value) == (3, "id_ti", "ti-84")
    assert "ti-8408" in problem.fix  # the nearest id is suggested


def test_id_ti_without_a_ti_list_is_kept_with_a_warning(communes):
    good, problems = _validate(_table(_row(insee_com="", id_ti="ti-8408")), communes)
    assert list(good["id_ti"]) == ["ti-8408"]
    assert _only(problems, "warning").field == "id_ti"


def test_known_siren_with_spaces_is_accepted(communes):
    good, problems = _validate(_table(_row(insee_com="", siren_epci="240 100 883")), communes)
    assert problems == [] and good.loc[0, "siren_epci"] == "240100883"


def test_unknown_pays_is_an_error(communes):
    good, problems = _validate(_table(_row(pays_id="pays-tset")), communes)
    p = _only(problems)
    assert (p.line, p.field) == (2, "pays_id") and "pays-test" in p.fix
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
    assert (p.line, p.field) == (2, "lat") and "(40.71, -74.0) est hors de France" in p.fix
    assert good.empty


@pytest.mark.parametrize(
    ("lat", "lon"), [("-21.11", "55.53"), ("4.93", "-52.33"), ("41.92", "8.74")]
)
def test_overseas_and_corsican_coordinates_are_accepted(communes, lat, lon):
    _, problems = _validate(_table(_row(lat=lat, lon=lon)), communes)
    assert problems == []


def test_swapped_coordinates_are_reported(communes):
    _, problems = _validate(_table(_row(lat="4.83", lon="45.76")), communes)
    p = _only(problems)
    assert (p.line, p.field) == (2, "lat") and "lat et lon échangés, les échanger" in p.fix


@pytest.mark.parametrize(("lat", "lon"), [("6520000", "842000"), ("842000", "6520000")])
def test_lambert93_metres_are_reported(communes, lat, lon):
    _, problems = _validate(_table(_row(lat=lat, lon=lon)), communes)
    p = _only(problems)
    assert (p.line, p.field) == (2, "lat") and "EPSG:2154" in p.fix


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


@pytest.mark.parametrize(
    "field, limit", [("name", 200), ("summary", 1_000), ("partners", 2_000), ("note", 2_000)]
)
def test_a_text_longer_than_its_limit_is_an_error_naming_the_limit(communes, field, limit):
    at_limit, _ = _validate(_table(_row(**{field: "é" * limit})), communes)
    assert len(at_limit) == 1
    good, problems = _validate(_table(_row(**{field: "é" * (limit + 1)})), communes)
    p = _only(problems)
    assert good.empty and (p.line, p.field) == (2, field)
    assert p.value == f"<{limit + 1} caractères>" and f"au plus {limit} caractères" in p.fix
    assert str(MAX_LENGTHS.get(field, MAX_TEXT_LENGTH)) == str(limit)


def test_a_huge_cell_with_contacts_is_reported_without_its_text(communes):
    summary = "Écrire à jean.dupont@example.org " * 10_000
    _, problems = _validate(_table(_row(summary=summary)), communes)
    assert {p.field for p in problems} == {"summary"} and len(problems) == 2
    assert all(len(str(p)) < 300 and "@" not in str(p) for p in problems)


def test_one_bad_row_does_not_stop_the_good_ones(communes):
    rows = [
        _row(id="a"),
        _row(id="b", insee_com="99999"),
        _row(id="c", lat="x", lon="y"),
        _row(id="d"),
    ]
    good, problems = _validate(_table(*rows), communes)
    assert list(good["id"]) == ["a", "d"]
    assert list(good["line"]) == [2, 5]
    assert {p.line for p in problems} == {3, 4}


def test_problem_prints_on_one_line():
    p = case_problem("cases.csv", 12, "insee_com", "99999\nx", "un code commune\ndu COG 2025")
    text = str(p)
    assert text == (
        "cases.csv:12: insee_com='99999\\nx' — ligne non utilisée ; "
        "attendu : un code commune du COG 2025 [erreur]"
    )
    assert Problem.from_dict(p.as_dict()) == p  # as written in the build report


def test_table_without_line_column_gets_line_numbers(communes):
    df = pd.DataFrame([_row(), _row(id="cas-2", insee_com="99999")])
    _, problems = _validate(df, communes)
    assert _only(problems).line == 3


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.fixed_dictionaries({c: st.text(max_size=30) for c in (*CASE_COLUMNS, "line")}),
        max_size=5,
    )
)
def test_validate_never_raises_on_arbitrary_text(communes, rows):
    df = pd.DataFrame(rows, columns=[*CASE_COLUMNS, "line"])
    good, problems = _validate(df, communes)
    assert isinstance(good, pd.DataFrame) and len(good) <= len(rows)
    assert all(isinstance(p, Problem) and "\n" not in str(p) for p in problems)


# ---------------------------------------------------------------------------- reading


def test_read_semicolon_csv_with_bom_multiline_cell_and_blank_line(tmp_path):
    path = tmp_path / "mes_cas.csv"
    text = (
        "id;Name;kinds;source_file;extra\n"
        "a;Cas A;cluster;moi;x\n"
        "\n"
        'b;"Cas\nsur deux lignes";pvd;moi;y\n'
        "c;Cas C;acv;moi;z\n"
    )
    path.write_bytes(text.encode("utf-8-sig"))
    df = read_case_table(path)
    assert list(df["id"]) == ["a", "b", "c"]
    assert list(df["line"]) == [2, 4, 6]
    assert "extra" in df.columns and "name" in df.columns


def test_read_reports_cells_beyond_the_header(tmp_path, communes):
    path = tmp_path / "t.csv"
    path.write_text(
        "id,name,kinds,source_file\na,Cas, avec virgule,cluster,moi\n", encoding="utf-8"
    )
    _, problems = _validate(read_case_table(path), communes)
    assert any(p.field == "_extra_cells" and p.line == 2 for p in problems)


def test_read_missing_required_columns_names_them(tmp_path):
    path = tmp_path / "incomplet.csv"
    path.write_text("id,nom,type\na,b,c\n", encoding="utf-8")
    pattern = r"incomplet\.csv.*manquante.*name.*kinds.*source_file.*colonnes présentes.*nom"
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


def test_read_xlsx_reads_the_visible_sheet_not_a_hidden_first_one(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    hidden = book.active
    hidden.title, hidden.sheet_state = "brouillon", "hidden"
    hidden.append(["id", "name", "kinds", "source_file"])
    hidden.append(["old", "Ancien", "cluster", "moi"])
    visible = book.create_sheet("cas")
    visible.append(["id", "name", "kinds", "source_file"])
    visible.append(["new", "Nouveau", "cluster", "moi"])
    book.active = 1
    path = tmp_path / "cas.xlsx"
    book.save(path)
    assert list(read_case_table(path)["id"]) == ["new"]
    assert list(read_case_table(path, sheet="brouillon")["id"]) == ["old"]
    with pytest.raises(ValueError, match="aucune feuille nommée « x ».*brouillon, cas"):
        read_case_table(path, sheet="x")


def test_xlsx_formula_without_stored_value_is_a_warning_naming_the_cell(tmp_path, communes):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()  # written by a program: formulas have no cached result
    book.active.append(["id", "name", "kinds", "source_file", "insee_com"])
    book.active.append(["a", '=CONCAT("Cas ", "A")', "cluster", "moi", "01004"])
    path = tmp_path / "cas.xlsx"
    book.save(path)
    good, problems = _validate(read_case_table(path), communes)
    warning = _only(problems, "warning")
    assert (warning.line, warning.value) == (2, "B2")
    assert "des valeurs, pas des formules" in warning.fix
