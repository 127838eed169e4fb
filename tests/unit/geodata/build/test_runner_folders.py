"""A stage that writes a folder (the tiles): swapped in whole, never taken as built half-way."""

from __future__ import annotations

import pytest

from geodata.build import runner
from geodata.build.pipeline import BuildOptions, StageResult, staging_folder
from geodata.report import StageReport


@pytest.fixture
def folder_stage(monkeypatch):
    """Stage ``t`` writes the folder ``tiles`` of three files holding its version."""
    state = {"version": "1", "runs": 0, "kill_after": None}

    def key(opts: BuildOptions) -> dict:
        return {"v": state["version"]}

    def run(opts: BuildOptions, log) -> StageResult:
        state["runs"] += 1
        staged = staging_folder(opts.out, "tiles")
        for i in range(3):
            if state["kill_after"] == i:
                raise KeyboardInterrupt  # the process dies while writing the folder
            (staged / f"{i}.pbf").write_text(state["version"])
        return StageResult({}, StageReport(), folders={"tiles": staged})

    monkeypatch.setattr(runner, "stage_table", lambda: {"t": (key, run, ())})
    return state


def _contents(out):
    return {p.name: p.read_text() for p in (out / "tiles").glob("*.pbf")}


def test_the_folder_is_written_in_place_and_a_second_build_skips_it(tmp_path, folder_stage):
    report = runner.build(tmp_path, log=lambda _: None)
    assert _contents(tmp_path) == {"0.pbf": "1", "1.pbf": "1", "2.pbf": "1"}
    assert report.stage("t").files == ["tiles/"]
    logs: list[str] = []
    runner.build(tmp_path, log=logs.append)
    assert logs == ["t: up to date (sources unchanged), not rebuilt"]
    assert folder_stage["runs"] == 1
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".s")] == []


def test_a_build_killed_while_writing_the_folder_keeps_the_old_one_out_of_the_report(
    tmp_path, folder_stage
):
    runner.build(tmp_path, log=lambda _: None)
    folder_stage.update(version="2", kill_after=2)
    with pytest.raises(KeyboardInterrupt):
        runner.build(tmp_path, log=lambda _: None)
    assert _contents(tmp_path)["0.pbf"] == "1"  # the built folder is never half-replaced
    folder_stage.update(kill_after=None)
    logs: list[str] = []
    runner.build(tmp_path, log=logs.append)
    assert "removed .staging-tiles/, left by an interrupted build" in logs
    assert "t: building (sources changed or first build)" in logs
    assert _contents(tmp_path) == {"0.pbf": "2", "1.pbf": "2", "2.pbf": "2"}
    assert not (tmp_path / ".staging-tiles").exists()


def test_a_folder_cut_short_is_rebuilt_even_with_the_same_key(tmp_path, folder_stage):
    runner.build(tmp_path, log=lambda _: None)
    (tmp_path / "tiles" / runner.FOLDER_MARKER).unlink()  # e.g. a copy stopped half-way
    (tmp_path / "tiles" / "2.pbf").unlink()
    logs: list[str] = []
    runner.build(tmp_path, log=logs.append)
    assert "t: building (sources changed or first build)" in logs
    assert len(_contents(tmp_path)) == 3


def test_a_build_killed_between_the_two_renames_is_rebuilt_and_cleaned(
    tmp_path, folder_stage, monkeypatch
):
    runner.build(tmp_path, log=lambda _: None)
    folder_stage["version"] = "2"
    real_replace = runner.os.replace

    def killed_after_moving_the_old_folder(src, dst):
        real_replace(src, dst)
        if str(dst).endswith(".replaced-tiles"):
            raise KeyboardInterrupt

    monkeypatch.setattr(runner.os, "replace", killed_after_moving_the_old_folder)
    with pytest.raises(KeyboardInterrupt):
        runner.build(tmp_path, log=lambda _: None)
    monkeypatch.setattr(runner.os, "replace", real_replace)
    folder_stage["version"] = "1"  # even with the key of the last complete build
    logs: list[str] = []
    runner.build(tmp_path, log=logs.append)
    assert "t: building (sources changed or first build)" in logs
    assert {"removed .replaced-tiles/, left by an interrupted build"} <= set(logs)
    assert _contents(tmp_path) == {"0.pbf": "1", "1.pbf": "1", "2.pbf": "1"}
