"""INSEE indicators: 2021 codes to today's communes, sums, recomputed ratios, missing values."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from geodata.model import indicators
from geodata.sources import insee

REFERENCE = pd.DataFrame(
    {
        "insee_com": ["01001", "01002", "01003", "75056", "75101"],
        "nom": ["A", "B", "B-déléguée", "Paris", "Paris 1er"],
        "com_type": ["COM", "COM", "COMD", "COM", "ARM"],
        "parent_insee": ["", "", "01002", "", "75056"],
        "insee_dep": ["01", "01", "01", "75", "75"],
    }
)
TODAY = pd.Series(["01001", "01002", "01009", "75056"])  # 01009: no row in the file


def _table(rows: list[dict]) -> pd.DataFrame:
    frame = insee.empty_table()
    out = pd.DataFrame(rows).reindex(columns=frame.columns)
    out["line"] = range(2, 2 + len(out))
    for col in insee.COLUMNS.values():
        out[col] = out[col].astype("float64")
    return out


def _rows() -> pd.DataFrame:
    base = {c: 1.0 for c in insee.COLUMNS.values()}
    return _table(
        [
            {
                **base,
                "code": "01001",
                "emplois_2018": 100.0,
                "actifs1564_2018": 60.0,
                "chomeurs1564_2018": 10.0,
                "revenu_median_2019": 20_000.0,
            },
            {
                **base,
                "code": "01002",
                "emplois_2018": 30.0,
                "actifs1564_2018": 40.0,
                "chomeurs1564_2018": 2.0,
                "revenu_median_2019": 21_000.0,
            },
            {
                **base,
                "code": "01003",
                "emplois_2018": 10.0,
                "actifs1564_2018": 20.0,
                "chomeurs1564_2018": 8.0,
                "revenu_median_2019": 15_000.0,
            },
            {**base, "code": "75056", "emplois_2018": 1000.0},
            {**base, "code": "75101", "emplois_2018": 400.0},
            {**base, "code": "08300", "emplois_2018": 7.0, "pop_2018": 16.0},
        ]
    )


def test_merged_commune_is_summed_into_todays_and_its_median_dropped():
    per, problems, acc = indicators.to_today(_rows(), REFERENCE, TODAY)
    row = per.set_index("insee_com").loc["01002"]
    assert row["emplois_2018"] == 40.0 and row["n_sources"] == 2
    assert math.isnan(row["revenu_median_2019"])  # a median cannot be summed
    assert per.set_index("insee_com").loc["01001", "revenu_median_2019"] == 20_000.0
    assert [p.kind for p in problems if p.code == "01003"] == ["remapped"]


def test_arrondissement_not_counted_twice_and_unknown_code_reported():
    per, problems, acc = indicators.to_today(_rows(), REFERENCE, TODAY)
    assert per.set_index("insee_com").loc["75056", "emplois_2018"] == 1000.0
    unplaced = [p for p in problems if p.kind == "unplaced"]
    assert [(p.code, p.line, p.severity) for p in unplaced] == [("08300", 7, "error")]
    assert "16 habitants" in unplaced[0].reason
    assert acc == {"rows": 6, "summed": 4, "arrondissements": 1, "unplaced": 1}
    assert acc["rows"] == acc["summed"] + acc["arrondissements"] + acc["unplaced"]


def test_sums_and_ratios_are_recomputed_from_the_sums():
    per, _, _ = indicators.to_today(_rows(), REFERENCE, TODAY)
    members = pd.DataFrame(
        {"territory_type": "epci", "territory_id": "200000001", "insee_com": ["01001", "01002"]}
    )
    row = indicators.aggregate(per, members).iloc[0]
    assert row["emplois_2018"] == 140.0
    # unemployment = (10 + 2 + 8) / (60 + 40 + 20), not the mean of the communes' rates
    assert row["taux_chomage"] == pytest.approx(20 / 120 * 100)
    assert row["concentration_emploi"] == pytest.approx(140 / (120 - 20) * 100)
    assert math.isnan(row["revenu_median_2019"])
    assert indicators.value_text(indicators.BY_KEY["revenu_median_2019"], row).startswith(
        "non agrégeable"
    )


def test_secret_stays_missing_and_the_sum_says_how_many_are_missing():
    per, _, _ = indicators.to_today(_rows(), REFERENCE, TODAY)
    members = pd.DataFrame(
        {"territory_type": "epci", "territory_id": "200000001", "insee_com": ["01001", "01009"]}
    )
    row = indicators.aggregate(per, members).iloc[0]
    assert row["emplois_2018"] == 100.0 and row["nm_emplois_2018"] == 1
    text = indicators.value_text(indicators.BY_KEY["emplois_2018"], row)
    assert text.startswith("100") and "1 commune sans donnée" in text
    alone = indicators.aggregate(
        per,
        pd.DataFrame(
            {"territory_type": "commune", "territory_id": "01009", "insee_com": ["01009"]}
        ),
    ).iloc[0]
    assert math.isnan(alone["emplois_2018"])  # never 0
    assert indicators.value_text(indicators.BY_KEY["emplois_2018"], alone) == indicators.SECRET


def test_yearly_change_is_a_compound_rate():
    t = indicators.derive(
        pd.DataFrame(
            {c: [1.0] for c in indicators.SUMS} | {"emplois_2013": [100.0], "emplois_2018": [121.0]}
        )
    )
    assert t["emplois_evol_an"].iloc[0] == pytest.approx((1.21**0.2 - 1) * 100)


def test_reader_reports_bad_codes_duplicates_and_bad_cells(tmp_path):
    header = "CODGEO," + ",".join(insee.COLUMNS)
    ok = ",".join(["1"] * len(insee.COLUMNS))
    path = tmp_path / insee.FILE
    path.write_text(
        "\n".join(
            [
                header,
                "01001," + ok,
                "1001," + ok,
                "01001," + ok,
                "01002," + ok.replace("1", "x", 1),
                "01004," + ",".join([""] * len(insee.COLUMNS)),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    table, rows, problems = insee.read_comparateur(path)
    assert rows == 5 and list(table["code"]) == ["01001", "01002", "01004"]
    assert {(p.line, p.kind) for p in problems} == {
        (3, "bad code"),
        (4, "duplicate"),
        (5, "bad value"),
    }
    assert math.isnan(table.loc[1, "pop_2018"]) and table.loc[1, "pop_2013"] == 1.0
    assert table.loc[2, list(insee.COLUMNS.values())].isna().all()  # empty = secret, not 0


def test_reader_names_missing_columns(tmp_path):
    path = tmp_path / insee.FILE
    path.write_text("CODGEO,P18_POP\n01001,3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="P13_POP"):
        insee.read_comparateur(path)


def test_members_table_covers_every_kind_and_france():
    communes = pd.DataFrame(
        {
            "insee_com": ["01001", "01002"],
            "siren_epci": ["200000001", ""],
            "insee_dep": ["01", "01"],
            "insee_reg": ["84", "84"],
        }
    )
    ti = pd.DataFrame(
        {
            "id_ti": ["ti-1"],
            "phase": ["2023-2027"],
            "siren_epci": ["200000001"],
            "member_communes": ["01002"],
        }
    )
    pays = pd.DataFrame({"pays_id": ["pays-x"], "members": ["200000001"]})
    m = indicators.members_table(communes, ti, pays)
    got = m.groupby("territory_type")["insee_com"].apply(lambda s: sorted(s)).to_dict()
    assert got["epci"] == ["01001"]  # 01002 is outside any EPCI
    assert got["ti"] == ["01001", "01002"] and got["pays"] == ["01001"]
    assert got["france"] == ["01001", "01002"] and got["region"] == ["01001", "01002"]


def test_difference_is_relative_for_counts_and_in_points_for_rates():
    a = pd.Series({"territory_type": "epci", "emplois_2018": 150.0, "taux_chomage": 12.5})
    b = pd.Series({"territory_type": "region", "emplois_2018": 100.0, "taux_chomage": 10.0})
    by = indicators.BY_KEY
    assert indicators.difference_text(by["emplois_2018"], a, b) == "+50 %"
    assert indicators.difference_text(by["taux_chomage"], a, b) == "+2,5 pt"
    assert indicators.difference_text(by["taux_chomage"], b, a) == "−2,5 pt"
    assert indicators.difference_text(by["revenu_median_2019"], a, b) == "—"  # not aggregable
    assert indicators.value_text(by["emplois_2018"], None) == indicators.NOT_LOADED


def test_stage_without_the_file_writes_nothing_and_says_so(tmp_path, four_communes):
    from geodata.build import indicators as stage
    from geodata.build.pipeline import BuildOptions

    four_communes.assign(insee_reg="84").to_parquet(tmp_path / "communes.parquet")
    empty = tmp_path / "data"
    (empty / "insee").mkdir(parents=True)
    result = stage.run_indicators(BuildOptions(tmp_path, empty), lambda _: None)
    assert result.layers == {} and result.report.details == {"status": "not loaded"}
    assert stage.indicators_key(BuildOptions(tmp_path, empty))["file"] == ""


def test_a_label_says_its_year_once():
    assert indicators.with_year("Population 2018", "recensement 2018") == "Population 2018"
    assert (
        indicators.with_year("Taux de chômage des 15-64 ans", "recensement 2018")
        == "Taux de chômage des 15-64 ans (recensement 2018)"
    )
    assert indicators.with_year("Évolution annuelle des emplois", "2013-2018") == (
        "Évolution annuelle des emplois (2013-2018)"
    )
