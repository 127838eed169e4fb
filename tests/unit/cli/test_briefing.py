"""``atlas briefing``: output paths stay in --out, bad targets and --base-url are refused."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from cli import briefing as briefing_cli
from cli import main


@pytest.fixture
def fake_briefings(embed_atlas, monkeypatch):
    """Every id resolves to a TI; a briefing is its id, its HTML a fixed page."""
    mod = briefing_cli.briefing
    monkeypatch.setattr(briefing_cli.atlas_mod, "load", lambda build=None: embed_atlas)
    monkeypatch.setattr(mod, "resolve_id", lambda a, ident: ("ti", ident))
    monkeypatch.setattr(mod, "make_briefing", lambda a, k, i, radius_km: SimpleNamespace(id=i))
    monkeypatch.setattr(briefing_cli.briefing_pdf, "html_text", lambda a, b, url: "<p>fiche</p>")


def _briefing(out, *argv: str) -> int:
    return main(["briefing", "--format", "html", "--no-progress", "--out", str(out), *argv])


def test_writes_one_file_per_id(fake_briefings, tmp_path):
    assert _briefing(tmp_path / "out", "ti-0101", "--base-url", "https://atlas.example") == 0
    assert (tmp_path / "out" / "fiche-ti-0101.html").read_text() == "<p>fiche</p>"


def test_an_id_leading_outside_out_is_refused_before_any_write(
    fake_briefings, tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(briefing_cli.briefing, "all_ti_ids", lambda a: ["ti-/../../../../x"])
    (tmp_path / "out" / "fiche-ti-").mkdir(parents=True)  # so that the path could resolve
    assert _briefing(tmp_path / "out", "ti-0101", "--all-ti") == 2
    err = capsys.readouterr().err
    assert "hors du dossier --out" in err and len(err.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["fiche-ti-", "out"]  # no x.html


@pytest.mark.parametrize("url", ["javascript:alert(1)", "atlas.example", "ftp://x/", "https://"])
def test_base_url_must_be_http(fake_briefings, tmp_path, capsys, url):
    assert _briefing(tmp_path, "ti-0101", "--base-url", url) == 2
    err = capsys.readouterr().err
    assert "--base-url" in err and "http(s)" in err
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("kind", ["file", "dangling", "proc"])
def test_a_bad_output_target_is_one_french_line_and_exit_2(fake_briefings, tmp_path, capsys, kind):
    out = {"file": tmp_path / "f", "dangling": tmp_path / "link", "proc": "/proc/x"}[kind]
    (tmp_path / "f").write_text("x")
    (tmp_path / "link").symlink_to(tmp_path / "nowhere")
    assert _briefing(out, "ti-0101") == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and str(out) in err and "Traceback" not in err
    assert (tmp_path / "f").read_text() == "x" and not (tmp_path / "nowhere").exists()
