"""End-to-end: a proposal made on one app server is accepted on another, and shows on both.

Two app servers (two ports) share one PostgreSQL database, as replicas behind a load
balancer would: a visitor proposes a cooperation on the first, a moderator created by
``atlas moderators add`` logs in on the second and accepts it; both then show it on the
map's panel and in *Études de cas*. Hostile text stays text and the contact e-mail is
shown on no public page.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from geodata.contributions import publish
from geodata.contributions.db import Database
from geodata.contributions.store import Store
from tests.support.browser import ROOT, skip_without_chromium, streamlit_server
from tests.support.postgres import new_database, pg_server  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.integration]
skip_without_chromium()
TIMEOUT = 60_000

NAME = "Réseau <img src=x onerror=window.__pwned=1> **roannais**"
SUMMARY = "Coopération [lien](javascript:window.__pwned=1) <script>window.__pwned=1</script>"
EMAIL = "claire.durand@example.org"
PASSWORD = "un mot de passe assez long"


def add_moderator(db: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "cli", "moderators", "add", "alice"],
        input=PASSWORD + "\n",
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "ATLAS_DB": db},
        capture_output=True,
    )


def propose(page, url: str) -> str:
    page.goto(f"{url}/proposer")
    page.get_by_label("Nom de la coopération").fill(NAME)
    page.get_by_label("Type(s)").click()
    page.get_by_role("option", name="Cluster", exact=True).click()
    page.keyboard.press("Escape")
    place = page.get_by_label(
        "Territoire (commune, intercommunalité, Pays, Territoire d'industrie)"
    )
    place.fill("42187")
    place.press("Enter")
    page.get_by_label("Territoire choisi").wait_for(timeout=TIMEOUT)
    page.get_by_label("Résumé").fill(SUMMARY)
    page.get_by_label("Source (adresse d'une page web publique ou titre d'un document)").fill(
        "https://example.org/reseau"
    )
    page.get_by_label("E-mail de contact (facultatif, modérateurs seulement)").fill(EMAIL)
    page.get_by_label("E-mail de contact (facultatif, modérateurs seulement)").press("Enter")
    page.get_by_role("button", name="Envoyer la proposition").click()
    done = page.get_by_text("enregistrée sous la référence")
    done.wait_for(timeout=TIMEOUT)
    return re.search(r"CT-[A-Z0-9]{4}-[A-Z0-9]{4}", done.inner_text()).group(0)


def moderate(page, url: str) -> None:
    page.goto(f"{url}/moderation")
    page.get_by_label("Nom du modérateur").fill("alice")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_text("Connecté").wait_for(timeout=TIMEOUT)
    page.get_by_text(EMAIL).wait_for(timeout=TIMEOUT)  # the moderators see the contact
    page.get_by_role("button", name="Accepter", exact=True).click()
    page.get_by_text("acceptée.").wait_for(timeout=TIMEOUT)


def assert_public_and_inert(page) -> None:
    assert page.evaluate("() => window.__pwned") is None
    assert EMAIL not in page.content()
    assert not page.locator("img[src=x], a[href^='javascript']").count()


def test_a_proposal_made_on_one_server_is_moderated_on_another_and_shows_on_both(
    real_build,
    browser,
    pg_server,  # noqa: F811
):
    db = new_database(pg_server)
    add_moderator(db)
    env = {"ATLAS_BUILD_DIR": str(real_build), "ATLAS_DB": db}
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    with streamlit_server(env=env) as first, streamlit_server(env=env) as second:
        reference = propose(page, first.url)
        proposal = Store(Database.from_url(db)).by_reference(reference)
        assert proposal.status == "pending" and proposal.name == NAME
        moderate(page, second.url)
        case = publish.case_id(proposal)
        for server in (first, second):
            page.goto(f"{server.url}/cas?cas={case}")
            page.get_by_role("heading", name=NAME).wait_for(timeout=TIMEOUT)
            page.get_by_text("Proposé par le territoire, validé le").first.wait_for(timeout=TIMEOUT)
            page.get_by_text("Toutes les études de cas").wait_for(timeout=TIMEOUT)
            assert_public_and_inert(page)
            page.goto(f"{server.url}/carte?sel=case:{case}")
            page.get_by_role("heading", name=NAME).wait_for(timeout=TIMEOUT)
            page.get_by_text(SUMMARY).wait_for(timeout=TIMEOUT)
            assert_public_and_inert(page)
        page.goto(f"{first.url}/proposer")
        page.get_by_text("Suivre une proposition").click()
        page.get_by_label("Numéro de référence").fill(reference)
        page.get_by_label("Numéro de référence").press("Enter")
        page.get_by_text(re.compile("» : acceptée$")).wait_for(timeout=TIMEOUT)
    assert Store(Database.from_url(db)).contact(proposal.id) is None
    context.close()
