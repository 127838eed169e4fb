"""``atlas embed --out DIR``: what it does to a folder that exists, and bad output targets."""

from __future__ import annotations

import os

import pytest

from cli import embed as embed_cli
from cli import main
from geodata import output
from layers import site


@pytest.fixture
def synthetic_build(embed_atlas, monkeypatch):
    """``atlas embed`` reads the synthetic atlas instead of a build."""
    monkeypatch.setattr(embed_cli.atlas_mod, "load", lambda build=None: embed_atlas)


def _embed(out, *layers: str) -> int:
    return main(["embed", "--out", str(out), "--layers", ",".join(layers or ("epci",))])


def test_a_folder_it_did_not_write_is_refused_untouched(synthetic_build, tmp_path, capsys):
    (tmp_path / "s" / "data").mkdir(parents=True)
    (tmp_path / "s" / "data" / "thesis.docx").write_text("x")
    (tmp_path / "s" / "index.html").write_text("mine")
    assert _embed(tmp_path / "s") == 2
    err = capsys.readouterr().err
    assert "n'est pas vide" in err and ".atlas-embed" in err and len(err.splitlines()) == 1
    assert (tmp_path / "s" / "data" / "thesis.docx").read_text() == "x"
    assert (tmp_path / "s" / "index.html").read_text() == "mine"
    assert sorted(p.name for p in (tmp_path / "s").rglob("*")) == [
        "data",
        "index.html",
        "thesis.docx",
    ]


def test_a_previous_export_is_replaced_and_the_users_files_survive(
    synthetic_build, tmp_path, capsys
):
    out = tmp_path / "s"
    assert _embed(out, "epci", "cases") == 0
    first = (out / site.MARKER).read_text()
    old_cases = next((out / "data").glob("cases-*.geojson.gz"))
    assert f"data/{old_cases.name}" in first and "index.html" in first
    (out / "data" / "thesis.docx").write_text("x")
    (out / "notes.txt").write_text("mine")
    capsys.readouterr()
    assert _embed(out, "epci") == 0
    said = capsys.readouterr().out
    assert f"remplace l'export précédent de {out}" in said
    assert (out / "data" / "thesis.docx").read_text() == "x" and (out / "notes.txt").exists()
    assert not old_cases.exists() and (out / "index.html").is_file()
    listed = [ln for ln in (out / site.MARKER).read_text().splitlines() if not ln.startswith("#")]
    assert f"data/{old_cases.name}" not in listed and "data/thesis.docx" not in listed
    assert all((out / rel).is_file() for rel in listed)


def test_a_file_the_previous_export_did_not_list_is_not_overwritten(
    synthetic_build, tmp_path, capsys
):
    out = tmp_path / "s"
    assert _embed(out) == 0
    marker = out / site.MARKER
    marker.write_text(marker.read_text().replace("index.html\n", ""))
    (out / "index.html").write_text("mine")
    assert _embed(out) == 2
    assert "index.html" in capsys.readouterr().err
    assert (out / "index.html").read_text() == "mine"


def test_a_marker_or_a_link_leading_outside_the_folder_is_refused(
    synthetic_build, tmp_path, capsys
):
    out, elsewhere = tmp_path / "s", tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("x")
    assert _embed(out) == 0
    marker = out / site.MARKER
    marker.write_text(marker.read_text() + "../elsewhere/keep.txt\n")
    assert _embed(out) == 2
    err = capsys.readouterr().err
    assert "../elsewhere/keep.txt" in err and "hors du dossier" in err
    assert (elsewhere / "keep.txt").exists()
    marker.write_text(marker.read_text().replace("../elsewhere/keep.txt\n", ""))
    for f in (out / "data").iterdir():
        f.unlink()
    (out / "data").rmdir()
    (out / "data").symlink_to(elsewhere)  # data/ now leads outside --out
    assert _embed(out) == 2
    assert "hors du dossier" in capsys.readouterr().err
    assert sorted(p.name for p in elsewhere.iterdir()) == ["keep.txt"]


@pytest.mark.parametrize("target", ["file", "dangling", "proc", "read-only"])
def test_a_bad_output_target_is_one_french_line_and_exit_2(
    synthetic_build, tmp_path, capsys, monkeypatch, target
):
    out = _target(tmp_path, target, monkeypatch)
    assert _embed(out) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert str(out) in err and ("dossier" in err or "lien symbolique" in err)


def _target(tmp_path, kind, monkeypatch):
    """An output path that cannot be used as a folder, of the given kind."""
    if kind == "file":
        (tmp_path / "f").write_text("x")
        return tmp_path / "f"
    if kind == "dangling":
        (tmp_path / "link").symlink_to(tmp_path / "nowhere")
        return tmp_path / "link"
    if kind == "proc":
        return "/proc/x"
    (tmp_path / "ro").mkdir()
    (tmp_path / "ro").chmod(0o555)
    if os.geteuid() == 0:  # root writes anyway: make the folder read-only as seen by access()
        real = os.access
        monkeypatch.setattr(
            output.os, "access", lambda p, m: False if str(p).endswith("ro") else real(p, m)
        )
    return tmp_path / "ro"
