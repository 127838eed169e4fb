"""Contributions on a SQLite temp file: validation, abuse, duplicates, privacy, concurrency."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from geodata.build import cases as cases_stage
from geodata.contributions import intake, migrations, publish, validate
from geodata.contributions.db import Database
from geodata.contributions.store import (
    ACCEPTED,
    PENDING,
    LoginRefused,
    Stale,
    Store,
)
from tests.support import synthetic

EMAIL = "jeanne.martin@example.org"
GOOD = {
    "name": "Réseau des fabricants <b>roannais</b>",
    "kinds": "cluster",
    "insee_com": "01001",
    "source_file": "https://example.org/reseau",
    "theme": "industrie",
    "summary": "Un réseau **gras** [lien](javascript:alert(1))",
}


@pytest.fixture
def store(tmp_path) -> Store:
    """A fresh contributions database in a temporary SQLite file."""
    return Store(Database.from_url(f"sqlite:///{tmp_path / 'c.sqlite3'}"))


def form(store: Store, data: dict, contact: str = "", **kw) -> intake.Outcome:
    return intake.submit_proposal(
        store, data, contact, honeypot=kw.pop("honeypot", ""), session_id="s1", **kw
    )


def test_the_form_gives_the_messages_of_atlas_check_for_the_same_row(tmp_path):
    row = {**GOOD, "summary": "Appelez le 04 77 12 34 56", "start_year": "2019"}
    _, form_problems = validate.check_form(row)
    table = tmp_path / "t.csv"
    table.write_text(
        "id," + ",".join(row) + "\nx," + ",".join(f'"{v}"' for v in row.values()) + "\n",
        encoding="utf-8",
    )
    [(_, check_problems)] = list(cases_stage.check_tables([table]))
    assert [(p.field, p.fix) for p in form_problems] == [(p.field, p.fix) for p in check_problems]
    assert [p.field for p in form_problems] == ["summary"]


def test_a_filled_honeypot_stores_nothing(store):
    assert form(store, GOOD, honeypot="http://spam.example").status == "ignored"
    assert store.proposals() == []


def test_rate_limits_per_session_and_for_the_whole_site(store):
    limits = {"session_limit": (2, 3600), "global_limit": (2, 3600)}
    names = ["Atelier partagé", "Pôle mécanique", "Grappe textile", "Campus numérique"]
    got = [form(store, {**GOOD, "name": n}, **limits).status for n in names[:3]]
    assert got == ["stored", "stored", "limited"]
    other = intake.submit_proposal(
        store, {**GOOD, "name": names[3]}, "", honeypot="", session_id="s2", **limits
    )
    assert other.status == "limited"  # the site's third of the hour
    assert len(store.proposals()) == 2


def test_a_close_name_at_the_same_place_is_offered_and_the_same_one_is_stored_once(store):
    first = form(store, GOOD)
    assert first.status == "stored"
    close = form(store, {**GOOD, "name": "Réseau des fabricants roannais"})
    assert close.status == "similar" and close.similar == [GOOD["name"]]
    again = form(store, GOOD, confirmed_new=True)
    assert again.status == "duplicate" and again.proposal.reference == first.proposal.reference
    elsewhere = form(
        store, {**GOOD, "name": "Réseau des fabricants roannais", "insee_com": "01004"}
    )
    assert elsewhere.status == "stored"
    assert len(store.proposals()) == 2


def test_a_close_name_among_the_atlas_cases_is_offered(store):
    cases = synthetic.embed_atlas().get("cases")
    out = form(store, {**GOOD, "name": "Fabrique d'Amberieu", "insee_com": "01004"}, cases=cases)
    assert out.status == "similar" and out.similar == ["Fabrique d'Ambérieu"]


def test_a_proposal_needs_a_place_and_no_contact_in_public_text(store):
    no_place = form(store, {**GOOD, "insee_com": ""})
    assert no_place.status == "invalid" and [p.field for p in no_place.problems] == ["place"]
    mail = form(store, {**GOOD, "partners": f"écrire à {EMAIL}"})
    assert mail.status == "invalid" and [p.field for p in mail.problems] == ["partners"]
    bad_contact = form(store, GOOD, "pas-une-adresse")
    assert [p.field for p in bad_contact.problems] == ["contact_email"]
    assert store.proposals() == []


def test_the_contact_is_erased_at_the_decision_and_never_public(store, tmp_path):
    out = form(store, GOOD, EMAIL)
    pid = out.proposal.id
    assert store.contact(pid) == EMAIL  # the moderators see it while it is pending
    accepted = store.accept(pid, "alice", out.proposal.version)
    assert accepted.status == ACCEPTED and store.contact(pid) is None
    csv = tmp_path / "export.csv"
    assert publish.export_csv(store.proposals(), csv) == 1
    atlas = publish.with_accepted(synthetic.embed_atlas(), store.proposals(ACCEPTED))
    cases = atlas.get("cases")
    mine = cases[cases["source"] == publish.ORIGIN]
    assert len(mine) == 1 and mine.iloc[0]["name"] == GOOD["name"]
    assert "Proposé par le territoire, validé le" in mine.iloc[0]["summary"]
    feeds = publish.write_feeds(
        mine.assign(insee_reg="84"),
        synthetic.embed_atlas().departements.assign(code="84"),
        tmp_path / "feeds",
        "http://127.0.0.1",
    )
    public = [csv.read_text(encoding="utf-8-sig"), mine.to_json(), *(p.read_text() for p in feeds)]
    public += [str(h) for h in store.history(pid)]
    assert feeds and all(EMAIL not in text for text in public)
    assert "&lt;b&gt;roannais&lt;/b&gt;" in feeds[0].read_text()  # escaped XML


def test_a_decision_on_a_version_changed_meanwhile_is_refused_and_says_by_whom(store):
    p = form(store, GOOD).proposal
    store.edit(p.id, "alice", p.version, {**p.data, "theme": "numérique"})
    with pytest.raises(Stale, match="modifiée par alice"):
        store.accept(p.id, "bruno", p.version)
    assert store.get(p.id).status == PENDING
    store.send_back(p.id, "bruno", p.version + 1, "source introuvable")
    with pytest.raises(Stale, match="déjà renvoyée"):
        store.accept(p.id, "alice", p.version + 2)
    actions = [(h["version"], h["by_name"], h["action"]) for h in store.history(p.id)]
    assert actions == [
        (1, "formulaire", "proposée"),
        (2, "alice", "modifiée"),
        (3, "bruno", "renvoyée"),
    ]
    assert store.by_reference(p.reference.lower()).reason == "source introuvable"


def test_migrations_are_applied_once(store):
    assert migrations.migrate(store.db) == []
    assert store.db.read("SELECT COUNT(*) AS n FROM schema_version")[0]["n"] == len(
        migrations.MIGRATIONS
    )


def test_failed_logins_are_limited_and_sessions_expire(store):
    store.add_moderator("alice", "correct horse battery")
    for _ in range(5):
        with pytest.raises(LoginRefused, match="incorrect"):
            store.login("alice", "wrong password")
    with pytest.raises(LoginRefused, match="Trop d'essais"):
        store.login("alice", "correct horse battery")
    store.add_moderator("bruno", "another long password", role="admin")
    token = store.login("bruno", "another long password")
    assert store.session(token) == ("bruno", "admin")
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat()
    with store.db.transaction() as tx:
        tx.execute("UPDATE sessions SET expires_at = ?", (past,))
    assert store.session(token) is None
    stored = store.db.read("SELECT password_hash FROM moderators WHERE name = 'bruno'")[0]
    assert stored["password_hash"].startswith("$argon2id$")


def test_atlas_moderators_add_reads_the_password_from_stdin(tmp_path, monkeypatch, capsys):
    from cli import main

    db = tmp_path / "m.sqlite3"
    monkeypatch.setenv("ATLAS_DB", str(db))
    monkeypatch.setattr("sys.stdin", io.StringIO("un mot de passe assez long\n"))
    assert main(["moderators", "add", "carla", "--role", "admin"]) == 0
    store = Store(Database.from_url(str(db)))
    assert store.session(store.login("carla", "un mot de passe assez long")) == ("carla", "admin")
    monkeypatch.setattr("sys.stdin", io.StringIO("court\n"))
    assert main(["moderators", "add", "dan"]) == 2
    assert "au moins 10 caractères" in capsys.readouterr().err
