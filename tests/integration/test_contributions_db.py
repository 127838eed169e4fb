"""Contributions on both databases: concurrent imports stored exactly once, CLI round trip.

SQLite (a temporary file) and PostgreSQL (a throwaway server, :mod:`tests.support.postgres`).
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli import main
from geodata.contributions import publish, validate
from geodata.contributions.db import Database
from geodata.contributions.store import PENDING, Stale, Store
from tests.support.postgres import new_database, pg_server  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
COMMUNES = ["42187", "63113", "69123", "01053"]  # Roanne, Clermont-Ferrand, Lyon, Bourg
HEADER = ["id", "name", "kinds", "insee_com", "source_file", "theme", "contact_email"]


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """An empty contributions database: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'contributions.sqlite3'}"
    return new_database(request.getfixturevalue("pg_server"))


def write_table(path: Path, file_no: int, rows: int = 40) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for i in range(rows):
            out.writerow(
                [
                    f"f{file_no}-{i}",
                    f"Coopération {file_no}-{i} <i>x</i>",
                    "cluster",
                    COMMUNES[file_no],
                    f"https://example.org/{file_no}/{i}",
                    "industrie",
                    f"contact{file_no}.{i}@example.org",
                ]
            )
    return path


def atlas_cli(*args: str, db: str) -> subprocess.CompletedProcess:
    return subprocess.Popen(
        [sys.executable, "-m", "cli", *args],
        cwd=ROOT,
        env={**os.environ, "ATLAS_DB": db},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_four_concurrent_imports_store_160_proposals_exactly_once(
    db_url, tmp_path, monkeypatch, capsys
):
    Store(Database.from_url(db_url))  # the schema, so the four only insert
    validate.commune_reference()  # the COG cache of the build directory, read by the four
    files = [write_table(tmp_path / f"table{n}.csv", n) for n in range(4)]
    procs = [atlas_cli("contributions", "import", str(f), db=db_url) for f in files]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    assert [rc for rc, _, _ in results] == [0, 0, 0, 0], results
    assert all("40 proposition(s) ajoutée(s)" in err for _, _, err in results)
    stored = Store(Database.from_url(db_url)).proposals(PENDING)
    assert len(stored) == 160
    assert len({p.name for p in stored}) == len({p.reference for p in stored}) == 160
    monkeypatch.setenv("ATLAS_DB", db_url)  # the same command again, in this process
    assert main(["contributions", "import", str(files[2])]) == 0
    out, err = capsys.readouterr()
    assert "0 proposition(s) ajoutée(s), 40 déjà proposée(s)" in err
    assert out.count("déjà proposée") == 40
    assert len(Store(Database.from_url(db_url)).proposals()) == 160


def test_accept_then_export_then_check_finds_no_error(db_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ATLAS_DB", db_url)
    table = write_table(tmp_path / "t.csv", 0, rows=3)
    assert main(["contributions", "import", str(table)]) == 0
    capsys.readouterr()
    assert main(["contributions", "list", "--status", "pending", "--format", "csv"]) == 0
    listed = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    assert len(listed) == 3 and listed[0]["status"] == "pending"
    first, second = listed[0]["id"], listed[1]["id"]
    assert main(["contributions", "accept", first, "--by", "alice"]) == 0
    # a second moderator who saw version 1 is told, not silently overruled
    assert main(["contributions", "return", first, "--by", "bruno", "--version", "1",
                 "--reason", "doublon"]) == 1  # fmt: skip
    assert "rechargez" in capsys.readouterr().err
    assert main(["contributions", "return", second, "--by", "bruno", "--reason", "hors sujet"]) == 0
    out = tmp_path / "F.csv"
    assert main(["contributions", "export", "--out", str(out)]) == 0
    exported = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert [r["name"] for r in exported] == ["Coopération 0-0 <i>x</i>"]
    assert "contact" not in out.read_text(encoding="utf-8-sig")
    capsys.readouterr()
    assert main(["check", str(out)]) == 0
    assert "1 table(s) checked: 0 error(s), 0 warning(s)" in capsys.readouterr().err


def test_an_edit_and_a_concurrent_decision_cannot_both_win(db_url):
    store = Store(Database.from_url(db_url))
    [(p, _)] = store.submit([({"name": "Atelier", "insee_com": "42187"}, None)], "test", "t")
    store.edit(p.id, "alice", p.version, {**p.data, "theme": "bois"})
    with pytest.raises(Stale, match="alice"):
        store.accept(p.id, "bruno", p.version)
    assert store.get(p.id).data["theme"] == "bois"


def test_an_accepted_proposal_is_placed_and_counted_in_its_territories(real_atlas, tmp_path):
    store = Store(Database.from_url(f"sqlite:///{tmp_path / 'c.sqlite3'}"))
    data = {"name": "Atelier <b>partagé</b>", "kinds": "tiers_lieu", "insee_com": "42187"}
    [(p, _)] = store.submit([({**data, "source_file": "https://example.org"}, None)], "t", "t")
    accepted = store.accept(p.id, "alice", p.version)
    grown = publish.with_accepted(real_atlas, [accepted])
    case = publish.case_id(accepted)
    row = grown.get("cases").set_index("id").loc[case]
    assert (row["placement"], row["insee_dep"], row["source"]) == ("commune", "42", "contribution")
    assert case in grown.case_ids("commune", "42187")
    assert case in grown.case_ids("epci", "200035731")  # Roannais Agglomération
    before = real_atlas.counts("epci", "200035731")["cases"]
    assert grown.counts("epci", "200035731")["cases"] == before + 1
    assert case not in set(real_atlas.get("cases")["id"])  # the shared atlas is untouched
