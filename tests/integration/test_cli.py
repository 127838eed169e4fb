"""The ``atlas`` command line: ``check`` and ``build --cases`` on the real embedded data."""

from __future__ import annotations

import shutil

import geopandas as gpd
import pytest

from cli import main
from geodata.build import runner as build
from geodata.report import BuildReport, write_report
from tests.support.builds import copy_build

pytestmark = pytest.mark.integration
HEADER = "id,name,kinds,insee_com,siren_epci,source_file\n"


def test_check_passes_on_the_curated_table(capsys):
    assert main(["check"]) == 0
    assert "0 error(s)" in capsys.readouterr().err


def test_check_names_file_line_field_and_a_fix(tmp_path, capsys):
    table = tmp_path / "annuaire.csv"
    table.write_text(
        HEADER
        + "ok,Un cluster,cluster,42187,,annuaire\n"
        + "faux,Code inconnu,cluster,42999,,annuaire\n"
        + "mail,Contact,cluster,42187,,écrire à jean.dupont@example.org\n",
        encoding="utf-8",
    )
    assert main(["check", str(table)]) == 1
    out = capsys.readouterr().out.splitlines()
    unknown = next(line for line in out if line.startswith("annuaire.csv:3: insee_com='42999'"))
    assert "[erreur]" in unknown and "attendu : un code commune du COG 2025" in unknown
    assert any(line.startswith("annuaire.csv:4:") and "[erreur]" in line for line in out)
    assert not any(line.startswith("annuaire.csv:2:") for line in out)


def test_check_reports_a_user_id_already_used_by_the_curated_table(tmp_path, capsys):
    table = tmp_path / "mes_cas.csv"
    table.write_text(HEADER + "roanne-territoire,Doublon,cluster,42187,,moi\n", encoding="utf-8")
    assert main(["check", str(table)]) == 1
    line = capsys.readouterr().out.strip()
    assert line.startswith("mes_cas.csv:2: id='roanne-territoire'")
    assert "la table des cas de l'atlas (cases.csv)" in line


def test_check_an_unreadable_table_is_one_clear_error(tmp_path, capsys):
    table = tmp_path / "sans_colonnes.csv"
    table.write_text("a,b\n1,2\n", encoding="utf-8")
    assert main(["check", str(table)]) == 1
    line = capsys.readouterr().out.strip()
    assert line.startswith("sans_colonnes.csv:1:") and "attendu : un tableau lisible" in line
    assert "colonne(s) obligatoire(s) manquante(s) id, name, kinds, source_file" in line


@pytest.fixture
def base_only(real_build, tmp_path, monkeypatch):
    """A build directory holding the real base and tiles stages only (copied), no ANCT lists.

    The tiles are copied so that a build whose lists match the session's skips re-cutting
    them (their key names the stages they read); one with other lists re-cuts them.
    """
    monkeypatch.delenv("ATLAS_DATA_DIR", raising=False)
    report = build.read_report(real_build)
    for stage in ("base", "tiles"):
        for name in report.stage(stage).files:
            if name.endswith("/"):
                shutil.copytree(real_build / name, tmp_path / name)
            else:
                shutil.copy(real_build / f"{name}.parquet", tmp_path / f"{name}.parquet")
    write_report(BuildReport({s: report.stage(s) for s in ("base", "tiles")}), tmp_path)
    return tmp_path


@pytest.fixture
def whole_build(real_build, tmp_path, monkeypatch):
    """A copy of the session's whole build (every stage up to date, same snapshot)."""
    monkeypatch.delenv("ATLAS_DATA_DIR", raising=False)
    return copy_build(real_build, tmp_path / "build")


def test_build_adds_a_user_table_and_reports_its_bad_row(whole_build, tmp_path_factory, capsys):
    table = tmp_path_factory.mktemp("user") / "grappes.csv"
    table.write_text(
        HEADER
        + "grappe-roanne,Grappe du Roannais,grappe,42187,,annuaire régional\n"
        + "grappe-bourg,Grappe de Bourg,grappe,1053,,annuaire régional\n"
        + "grappe-rien,Grappe sans lieu,grappe,99999,,annuaire régional\n",
        encoding="utf-8",
    )
    assert main(["build", "--out", str(whole_build), "--cases", str(table)]) == 0
    cases = gpd.read_parquet(whole_build / "cases.parquet")
    mine = cases[cases["source"] == "user:grappes.csv"].set_index("id")
    assert set(mine.index) == {"grappe-roanne", "grappe-bourg"}
    assert mine.loc["grappe-bourg", "insee_com"] == "01053"  # the lost leading zero, restored
    assert (cases["source"] == "curated").sum() > 60
    stage = build.read_report(whole_build).stage("cases")
    bad = stage.problems_of("grappes.csv")
    assert {(p.line, p.field, p.severity) for p in bad} == {
        (3, "insee_com", "warning"),
        (4, "insee_com", "error"),
    }
    clusters = gpd.read_parquet(whole_build / "clusters.parquet")
    assert "grappe-roanne" in set(clusters["id"])
    capsys.readouterr()
    assert main(["info", "--out", str(whole_build)]) == 0
    lines = capsys.readouterr().out.splitlines()
    line = next(x for x in lines if x.strip().startswith("grappes.csv:4: insee_com='99999'"))
    assert "ligne non utilisée" in line and "[erreur]" in line  # where, what and the fix


def test_build_refuses_a_missing_case_table(base_only, capsys):
    assert main(["build", "--out", str(base_only), "--cases", "nowhere.csv"]) == 2
    assert "nowhere.csv" in capsys.readouterr().err


def test_a_new_case_table_rebuilds_only_the_stages_that_read_it(
    whole_build, tmp_path_factory, capsys
):
    assert main(["build", "--out", str(whole_build)]) == 0
    assert "building" not in capsys.readouterr().out  # the copy is up to date
    table = tmp_path_factory.mktemp("user") / "mine.csv"
    table.write_text(
        HEADER + "mine-roanne,Un cluster,cluster,42187,,mon annuaire\n", encoding="utf-8"
    )
    assert main(["build", "--out", str(whole_build), "--cases", str(table)]) == 0
    log = capsys.readouterr().out
    assert "base: up to date" in log and "programmes: up to date" in log
    assert "cases: building" in log and "facts: building" in log


def test_banatic_petr_are_drawn_beside_the_curated_pays_and_bad_members_are_reported(
    base_only, tmp_path_factory, monkeypatch
):
    data_dir = tmp_path_factory.mktemp("data")
    (data_dir / "banatic").mkdir()
    (data_dir / "banatic" / "groupements_2022.csv").write_text(
        "siren,libelle,region_code,departement_code,nature,population\n"
        "200000001,PETR du Roannais,84,42,PETR,150000\n",
        encoding="utf-8",
    )
    (data_dir / "banatic" / "adhesions_2025.csv").write_text(
        "siren_groupement,siren_membre\n"
        "200035731,200000001\n200035202,200000001\n123456789,200000001\n",
        encoding="utf-8",
    )
    assert main(["build", "--out", str(base_only), "--data-dir", str(data_dir)]) == 0
    petr = gpd.read_parquet(base_only / "petr.parquet")
    assert list(petr["pays_id"]) == ["pays-200000001"]
    assert petr.loc[0, "members"] == "200035202;200035731" and petr.loc[0, "n_epci"] == 2
    assert petr.loc[0, "source"].startswith("DGCL, BANATIC")
    stage = build.read_report(base_only).stage("petr")
    assert [(p.line, p.value) for p in stage.problems_of("adhesions_2025.csv")] == [
        (4, "123456789")
    ]
    assert gpd.read_parquet(base_only / "pays.parquet")["pays_id"].str.startswith("pays-").all()
    from geodata import atlas, territory

    monkeypatch.setenv("ATLAS_DATA_DIR", str(data_dir))  # the app sees the same data dir
    loaded = atlas.load(base_only)
    assert {"pays-200000001", "pays-langres"} <= set(loaded.get("pays")["pays_id"])
    assert territory.describe(loaded, "pays", "pays-200000001").name == "PETR du Roannais"
