"""Data-derived text printed by ``atlas info`` and ``atlas check``: controls escaped."""

from __future__ import annotations

from cli import main
from cli.info import print_summary
from cli.terminal import printable
from geodata.problems import Problem
from geodata.report import BuildReport, ListReport, Source, StageReport

RED = "\x1b[31m"


def test_printable_escapes_controls_and_keeps_french_text():
    assert printable(f"ti-1{RED}\nx\u202ey") == "ti-1\\x1b[31m\\nx\\u202ey"
    assert printable("Cœur de ville « Ambérieu » — 2A004 \\ ok") == (
        "Cœur de ville « Ambérieu » — 2A004 \\ ok"
    )


def test_info_prints_no_raw_escape_sequence(capsys):
    stage = StageReport(
        sources=[Source(f"ANCT{RED}", "abc", "2024", "ANCT", "LO 2.0")],
        counts={f"ti{RED}": 1},
        problems=[Problem("ti.csv", 3, f"ti-1{RED}", "id_ti", "", f"id {RED}bad", "fix")],
        lists={f"ti{RED}": ListReport("ti.csv", "TI", "loaded", rows=1, placed=1)},
    )
    print_summary(BuildReport(stages={"programmes": stage}), faults=True)
    out = capsys.readouterr().out
    assert "\x1b" not in out and out.count("\\x1b[31m") == 4


def test_check_prints_no_raw_escape_sequence(tmp_path, capsys):
    assert main(["check", str(tmp_path / f"cas{RED}\n.csv")]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "cas\\x1b[31m\\n.csv: no such file" in err
