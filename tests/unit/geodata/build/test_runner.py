"""The build orchestrator on two tiny synthetic stages: caching, crashes, user tables."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from geodata.build import runner
from geodata.build.pipeline import BuildOptions, StageResult
from geodata.report import StageReport


def _frame(value: str) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"v": [value]}, geometry=[shapely.Point(5, 45)], crs="EPSG:4326")


@pytest.fixture
def stages(monkeypatch):
    """Stage ``a`` writes one file, ``b`` two; both record the options they were run with."""
    seen: list[BuildOptions] = []
    version = {"a": "1", "b": "1"}

    def make(name: str, files: tuple[str, ...]):
        def key(opts: BuildOptions) -> dict:
            return {"v": version[name], "cases": [str(p) for p in opts.cases]}

        def run(opts: BuildOptions, log) -> StageResult:
            seen.append(opts)
            return StageResult({f: _frame(version[name]) for f in files}, StageReport())

        return key, run

    table = {"a": (*make("a", ("a1",)), ()), "b": (*make("b", ("b1", "b2")), ("a",))}
    monkeypatch.setattr(runner, "stage_table", lambda: table)
    return seen, version


def test_a_second_build_with_nothing_changed_rebuilds_nothing(tmp_path, stages):
    seen, _ = stages
    runner.build(tmp_path, log=lambda _: None)
    logs: list[str] = []
    runner.build(tmp_path, log=logs.append)
    assert len(seen) == 2
    assert logs == [
        "a: up to date (sources unchanged), not rebuilt",
        "b: up to date (sources unchanged), not rebuilt",
    ]


def test_a_build_killed_while_writing_a_stage_is_rebuilt_and_its_litter_removed(
    tmp_path, stages, monkeypatch
):
    seen, version = stages
    runner.build(tmp_path, log=lambda _: None)
    version["b"] = "2"
    real_write = runner._write_parquet

    def killed_after_first_file(gdf, path):
        real_write(gdf, path)
        (tmp_path / "b2.parquet.tmp").write_bytes(b"half-written")
        raise KeyboardInterrupt  # the process dies between two files of stage b

    (tmp_path / "notes.tmp").write_text("mine")
    monkeypatch.setattr(runner, "_write_parquet", killed_after_first_file)
    with pytest.raises(KeyboardInterrupt):
        runner.build(tmp_path, log=lambda _: None)
    monkeypatch.setattr(runner, "_write_parquet", real_write)
    version["b"] = "1"  # back to the sources of the last complete build (its key)
    logs: list[str] = []
    runner.build(tmp_path, log=logs.append)
    assert "b: up to date (sources unchanged), not rebuilt" not in logs
    assert "removed b2.parquet.tmp, left by an interrupted build" in logs
    assert set(gpd.read_parquet(tmp_path / "b1.parquet")["v"]) == {"1"}  # not the killed run's
    assert not list(tmp_path.glob("*.parquet.tmp"))
    assert (tmp_path / "notes.tmp").read_text() == "mine"  # a user's file stays


def test_user_case_tables_are_remembered_until_other_tables_are_given(tmp_path, stages):
    seen, _ = stages
    mine = tmp_path / "mes_cas.csv"
    mine.write_text("id\n", encoding="utf-8")
    out = tmp_path / "build"
    runner.build(out, cases=(mine,), log=lambda _: None)
    logs: list[str] = []
    report = runner.build(out, log=logs.append)  # as the app or `atlas briefing` call it
    assert report.user_cases == [str(mine.resolve())]
    assert "a: up to date (sources unchanged), not rebuilt" in logs  # same tables, same key
    assert any("kept from the last build" in line for line in logs)
    runner.build(out, cases=(), log=lambda _: None)  # atlas build --no-user-cases
    assert seen[-1].cases == () and runner.read_report(out).user_cases == []
