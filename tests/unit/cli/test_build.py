"""``atlas build --out``: a target that cannot be a folder is refused before building."""

from __future__ import annotations

import pytest

from cli import build as build_cli
from cli import main


def test_build_refuses_an_out_that_is_a_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(build_cli.runner, "build", lambda *a, **k: pytest.fail("built"))
    (tmp_path / "f").write_text("x")
    assert main(["build", "--out", str(tmp_path / "f")]) == 2
    err = capsys.readouterr().err
    assert "est un fichier, pas un dossier" in err and len(err.splitlines()) == 1
