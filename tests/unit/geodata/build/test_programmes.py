"""The ``programmes`` build stage on synthetic lists: layers, report, not-loaded lists."""

from __future__ import annotations

import json

import pytest

from geodata.build import programmes
from geodata.build.pipeline import BuildOptions
from geodata.report import StageReport
from tests.support import anct_fixtures as fx


@pytest.fixture
def base_out(tmp_path, monkeypatch):
    """A build directory holding the synthetic communes; COG and table patched in."""
    out = tmp_path / "build"
    out.mkdir()
    fx.communes().to_parquet(out / "communes.parquet")
    monkeypatch.setattr(programmes.datafrance, "commune_reference", fx.reference)
    monkeypatch.setattr(programmes.groupements, "read_table", fx.groupements_table)
    return out


@pytest.fixture
def data_dir(tmp_path):
    """ACV and TI lists, an empty PVD list (header only); every other list absent."""
    data = tmp_path / "anct"
    data.mkdir()
    fx.write(data / "acv.csv", fx.ACV_TEXT)
    fx.write(data / "pvd.csv", "insee_com,lib_com,id_pvd,lib_pvd,date_signature\n")
    fx.write(data / "ti_groupements.csv", fx.TI_TEXT)
    return data


def test_stage_builds_the_loaded_lists_and_reports_every_row(base_out, data_dir):
    result = programmes.run_programmes(BuildOptions(base_out, data_dir), log=lambda _: None)
    assert sorted(result.layers) == ["acv", "ti", "ti_simplified"]
    report = StageReport.from_dict(json.loads(json.dumps(result.report.as_dict())))
    assert report == result.report  # JSON round trip, nothing lost
    acv = report.lists["acv"]
    assert acv.rows == acv.placed + acv.n_unplaced == 8
    assert [p.line for p in report.problems_of("acv.csv", severity="error")] == [7, 8, 10]
    assert set(result.layers["acv"]["phase"]) == {"2018"}
    assert report.lists["ti"].rows == 6 and report.counts["ti"] == 4
    assert report.lists["ti"].n_unplaced == len(
        report.problems_of("ti_groupements.csv", severity="error")
    )
    assert report.lists["pvd"].status == "empty"
    assert "atlas fetch --dest DIR" in report.lists["france_services"].hint
    assert {s.file for s in report.sources} == {"acv.csv", "pvd.csv", "ti_groupements.csv"}
    assert all(s.licence == "Licence Ouverte 2.0" for s in report.sources)


def test_without_data_dir_nothing_is_loaded_and_old_files_are_removed(base_out):
    stale = base_out / "acv.parquet"
    stale.write_bytes(b"from an earlier build")
    result = programmes.run_programmes(BuildOptions(base_out, None), log=lambda _: None)
    assert result.layers == {}
    assert {v.status for v in result.report.lists.values()} == {"not loaded"}
    assert result.report.details["removed_stale"] == ["acv.parquet"] and not stale.exists()


def test_key_follows_the_lists_present(base_out, data_dir):
    opts = BuildOptions(base_out, data_dir)
    before = programmes.programmes_key(opts)
    assert set(before["lists"]) == {"acv.csv", "pvd.csv", "ti_groupements.csv"}
    fx.write(data_dir / "acv.csv", fx.ACV_TEXT.replace("acv-001", "acv-999"))
    assert programmes.programmes_key(opts)["lists"]["acv.csv"] != before["lists"]["acv.csv"]
    assert programmes.programmes_key(BuildOptions(base_out, None))["lists"] == {}


def test_a_bad_id_row_is_counted_and_reported_by_the_stage(base_out, data_dir):
    fx.write(
        data_dir / "ti_groupements.csv",
        fx.TI_TEXT + "ti-/../../x,Évasion,200029999,CC de test\n",  # line 8
    )
    result = programmes.run_programmes(BuildOptions(base_out, data_dir), log=lambda _: None)
    ti = result.report.lists["ti"]
    assert ti.rows == 7 and ti.placed + ti.n_unplaced == 7
    bad = [p for p in result.report.problems_of("ti_groupements.csv") if p.kind == "bad id"]
    assert [(p.line, p.value) for p in bad] == [(8, "ti-/../../x")]
    assert "ti-/../../x" not in set(result.layers["ti"]["id_ti"])
