"""INSEE indicators on the real build: sums against the commune file, accounting, CLI comparison."""

from __future__ import annotations

import argparse
import io
import re

import pandas as pd
import pytest
from pypdf import PdfReader

from cli import briefing as briefing_cli
from geodata import config
from geodata.briefing import compare
from geodata.briefing.indicators import indicator_table
from geodata.model import indicators
from geodata.sources import insee

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def table(real_atlas) -> pd.DataFrame:
    """The ``territory_indicators`` table of the real build."""
    out = indicator_table(real_atlas)
    assert out is not None, "the indicators stage wrote its table"
    return out


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    """The commune file as shipped, codes as strings, figures as numbers."""
    path = config.source_dir(config.data_dir(), "insee") / insee.FILE
    df = pd.read_csv(path, dtype={"CODGEO": str})
    return df


def _jobs(table: pd.DataFrame, kind: str) -> float:
    return float(table.loc[table["territory_type"] == kind, "emplois_2018"].sum())


def test_epci_jobs_are_national_jobs_minus_communes_outside_any_epci(real_atlas, table, raw):
    stage = real_atlas.report.stage("indicators")
    details = stage.details
    # France recomputed from the file: every row, minus the arrondissements (their commune
    # is in the file too) and minus the codes reported as unplaced.
    not_summed = {p.code for p in stage.problems if p.kind in ("arrondissement", "unplaced")}
    from_file = raw.loc[~raw["CODGEO"].isin(not_summed), "P18_EMPLT"].sum()
    france = indicators.lookup(table, "france", "fr")
    assert france["emplois_2018"] == pytest.approx(from_file, rel=1e-9)
    assert 26e6 < france["emplois_2018"] < 27.5e6  # INSEE: ~26.6 million jobs in 2018
    outside = details["outside_epci"]
    assert outside["communes"], "the build reports the communes outside any EPCI"
    assert _jobs(table, "epci") == pytest.approx(
        france["emplois_2018"] - outside["emplois_2018"], rel=1e-9
    )
    # and the départements / régions cover everything
    assert _jobs(table, "region") == pytest.approx(france["emplois_2018"], rel=1e-9)


def test_every_commune_row_is_used_or_reported(real_atlas, raw):
    stage = real_atlas.report.stage("indicators")
    acc = stage.details["accounting"]
    assert acc["rows"] == len(raw)
    assert acc["rows"] == (
        acc["summed"] + acc["arrondissements"] + acc["unplaced"] + acc["rejected_by_reader"]
    )
    unplaced = stage.problems_of(kind="unplaced")
    assert len(unplaced) == acc["unplaced"] and all(p.line for p in unplaced)
    assert all(p.dataset == insee.FILE and p.severity == "error" for p in unplaced)
    assert len(stage.problems_of(kind="arrondissement")) == acc["arrondissements"] == 45
    assert stage.problems_of(kind="remapped"), "communes merged since 2021 are summed"
    assert any(s.producer == "INSEE" and "2022" in s.vintage for s in stage.sources)


def test_merged_commune_sums_its_2021_communes_and_secret_stays_missing(table, raw, real_atlas):
    stage = real_atlas.report.stage("indicators")
    merged = stage.problems_of(kind="remapped")[0]
    parent = merged.value
    sources = [p.code for p in stage.problems_of(kind="remapped") if p.value == parent]
    expected = raw.loc[raw["CODGEO"].isin([parent, *sources]), "P18_POP"].sum()
    row = indicators.lookup(table, "commune", parent)
    assert row["pop_2018"] == pytest.approx(expected)
    assert pd.isna(row["revenu_median_2019"])  # a median is not summed
    mayotte = indicators.lookup(table, "commune", "97611")  # census not in this file
    assert pd.isna(mayotte["emplois_2018"])
    assert indicators.value_text(indicators.BY_KEY["emplois_2018"], mayotte) == indicators.SECRET


def _cli(argv: list[str], capsys) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="atlas")
    briefing_cli.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args), capsys.readouterr().err


def _pdf_text(path) -> str:
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages)
    return re.sub(r"\s+", " ", text.replace("\u202f", " "))


@pytest.mark.parametrize(
    ("other", "kind", "code", "name"),
    [
        ("ti-8418", "ti", "ti-8418", "Rumilly Usses et Rhône"),
        ("reg-84", "region", "84", "Auvergne-Rhône-Alpes"),
    ],
)
def test_briefing_compare_pdf_names_both_and_shows_their_jobs(
    real_atlas, table, tmp_path, capsys, other, kind, code, name
):
    code_rc, err = _cli(
        [
            "briefing",
            "ti-8408",
            "--compare",
            other,
            "--format",
            "pdf",
            "--out",
            str(tmp_path),
            "--no-progress",
        ],
        capsys,
    )
    assert code_rc == 0, err
    (path,) = tmp_path.glob("fiche-ti-8408-comparaison-*.pdf")
    text = _pdf_text(path)
    assert "Lezoux" in text and name in text
    for k, c in (("ti", "ti-8408"), (kind, code)):
        jobs = indicators.lookup(table, k, c)["emplois_2018"]
        shown = indicators.fmt_number(jobs).replace("\u202f", " ")
        assert shown in text, f"jobs 2018 of {c} ({shown}) in the PDF"
    assert "INSEE, comparateur de territoires 2022 — recensement 2018" in text


def test_compare_region_keyword_is_the_territorys_region(real_atlas):
    ref = compare.parse_reference(real_atlas, "region", compare.Ref("ti", "ti-8408"))
    assert ref.id == "reg-84"
    assert compare.parse_reference(real_atlas, "fr").id == "fr"
    with pytest.raises(ValueError, match="ti-9999"):
        compare.parse_reference(real_atlas, "ti-9999")
