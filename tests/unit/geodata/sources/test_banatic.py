"""Reading the BANATIC files, and the fetched export written in the same layout."""

from __future__ import annotations

import pandas as pd
import pytest

from geodata import fetch
from geodata.sources import banatic

LIST = (
    "siren,libelle,region_code,departement_code,nature,population\n"
    "200042083,PETR du Bugey,84,01,PETR,3400\n"
    '200018042,"SI ""Les Jeunes\nChênes""",44,88,SIVU,1245\n'  # a name over two lines
    "12345,Code tronqué,84,01,SMF,10\n"
)


@pytest.fixture
def data_dir(tmp_path):
    """A data directory with a BANATIC folder holding a list and a membership file."""
    folder = tmp_path / "banatic"
    folder.mkdir()
    (folder / "groupements_2022.csv").write_text(LIST, encoding="utf-8")
    (folder / "adhesions_2025.csv").write_text(
        "siren_groupement,siren_membre\n200029999,200042083\n", encoding="utf-8"
    )
    return tmp_path


def test_rows_keep_their_line_and_a_bad_siren_is_reported_not_used(data_dir):
    files = banatic.find_files(data_dir)
    table, problems = banatic.read_file(files.groupements, banatic.GROUPEMENTS)

    assert list(table["siren"]) == ["200042083", "200018042"]
    assert list(table["line"]) == [2, 3]
    assert table.loc[1, "libelle"] == 'SI "Les Jeunes\nChênes"'  # literal, quotes kept
    [bad] = problems
    assert (bad.dataset, bad.line, bad.field, bad.value) == (
        "groupements_2022.csv",
        5,
        "siren",
        "12345",
    )
    assert "numéro SIREN à 9 chiffres" in bad.reason and bad.fix


def test_a_missing_column_names_the_file_the_columns_and_the_fix(data_dir):
    path = data_dir / "banatic" / "adhesions_2025.csv"
    path.write_text("groupement,membre\n200029999,200042083\n", encoding="utf-8")
    with pytest.raises(
        ValueError,
        match=r"adhesions_2025.csv: missing column\(s\) "
        r"\['siren_groupement', 'siren_membre'\].*atlas fetch",
    ):
        banatic.read_file(path, banatic.ADHESIONS)


def test_the_most_recent_files_are_read_and_their_years_are_the_vintages(data_dir):
    (data_dir / "banatic" / "adhesions_2026.csv").write_text(
        "siren_groupement,siren_membre\n", encoding="utf-8"
    )
    files = banatic.find_files(data_dir)
    assert (files.list_year, files.members_year) == ("2022", "2026")
    [listed, members] = banatic.sources(files)
    assert listed.producer == "DGCL, BANATIC" and listed.licence == "Licence Ouverte 2.0"
    assert "2022" in listed.vintage and "2026" in members.vintage and len(listed.version) == 12
    assert banatic.find_files(data_dir / "nowhere") is None


def test_the_fetched_export_is_written_in_the_layout_the_reader_reads(tmp_path):
    export = pd.DataFrame(
        {
            "Région siège": ["84 - Auvergne-Rhône-Alpes"] * 4,
            "Département siège": ["01 - Ain"] * 4,
            "N° SIREN": ["200042083", "200042083", "200042083", "240100883"],
            "Nom du groupement": ["PETR du Bugey"] * 3 + ["CC Ain"],
            "Nature juridique": ["PETR", "PETR", "PETR", "CC"],
            "Population": ["3400", "3400", "3400", "800"],
            "Siren membre": ["240100750", "200040350", "210100012", "210100012"],
            "Nom membre": ["CC Bugey Sud", "CC Plateau", "Ambérieu", "Ambérieu"],
            "Catégorie des membres du groupement": [
                "groupement",
                "groupement",
                "commune",
                "commune",
            ],
        }
    )
    raw = tmp_path / "banatic.xlsx"
    export.to_excel(raw, index=False)
    tables = fetch.normalise_banatic_layout(raw, year=2026)
    folder = tmp_path / "dest" / "banatic"
    folder.mkdir(parents=True)
    for name, table in tables.items():
        table.to_csv(folder / name, index=False)

    files = banatic.find_files(tmp_path / "dest")
    listed, _ = banatic.read_file(files.groupements, banatic.GROUPEMENTS)
    members, _ = banatic.read_file(files.adhesions, banatic.ADHESIONS)
    assert (files.list_year, files.members_year) == ("2026", "2026")
    assert listed[["siren", "nature", "departement_code", "region_code"]].values.tolist() == [
        ["200042083", "PETR", "01", "84"],
        ["240100883", "CC", "01", "84"],
    ]
    # an EPCI member of the PETR adheres to it: siren_groupement -> siren_membre
    assert members[["siren_groupement", "siren_membre"]].values.tolist() == [
        ["240100750", "200042083"],
        ["200040350", "200042083"],
    ]
