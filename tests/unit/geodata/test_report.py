"""The typed build report and the one Problem shape: JSON round trip, old reports, errors."""

from __future__ import annotations

import json

import pytest

from geodata.problems import Problem
from geodata.report import (
    FILE,
    BuildReport,
    ListReport,
    Source,
    StageReport,
    read_report,
    write_report,
)


def _report() -> BuildReport:
    """One stage with a source, a list, a row not used and a repaired one."""
    stage = StageReport(
        key={"format": 1, "code": "abc"},
        files=["acv"],
        built_at="2026-12-01T10:00:00+00:00",
        sources=[
            Source(
                "ACV (acv.csv)",
                "0123abcd",
                "liste 2024",
                "ANCT",
                "Licence Ouverte 2.0",
                file="acv.csv",
            )
        ],
        counts={"acv": 2},
        timings={"total_s": 1.5},
        lists={
            "acv": ListReport(
                "acv.csv", "Action cœur de ville", "loaded", rows=3, placed=2, n_unplaced=1
            )
        },
        problems=[
            Problem(
                "acv.csv",
                7,
                "99999",
                "insee_com",
                "",
                "code 99999 unknown",
                "correct the code",
                "error",
                "unplaced",
            ),
            Problem(
                "communes",
                None,
                "12218",
                "geometry",
                "",
                "Nom : no geometry",
                "rebuilt",
                "warning",
                "no geometry",
            ),
        ],
        details={"removed_stale": []},
    )
    return BuildReport({"programmes": stage})


def test_report_round_trips_through_its_file(tmp_path):
    write_report(_report(), tmp_path)
    back = read_report(tmp_path)
    assert back == _report()
    stage = back.stage("programmes")
    assert [p.code for p in stage.problems_of("acv.csv", severity="error")] == ["99999"]
    assert stage.lists["acv"].rows == stage.lists["acv"].placed + stage.lists["acv"].n_unplaced


def test_no_report_or_an_older_one_is_empty_so_the_next_build_redoes_every_stage(tmp_path):
    assert not read_report(tmp_path)
    (tmp_path / FILE).write_text(json.dumps({"stages": {"base": {"faults": []}}}), encoding="utf-8")
    old = read_report(tmp_path)
    assert not old and old.stage("base").key == {}


def test_problem_prints_where_what_and_the_fix_on_one_line():
    row = _report().stage("programmes").problems[0]
    assert str(row) == ("acv.csv:7: insee_com — code 99999 unknown ; correct the code [erreur]")
    fault = _report().stage("programmes").problems[1]
    assert str(fault).startswith("communes 12218: geometry — Nom : no geometry ; rebuilt")


def test_problem_refuses_an_unknown_severity_or_key():
    with pytest.raises(ValueError, match="severity"):
        Problem("x.csv", 2, severity="fatal")
    with pytest.raises(ValueError, match="expected"):
        Problem.from_dict({"dataset": "x.csv", "message": "?"})
