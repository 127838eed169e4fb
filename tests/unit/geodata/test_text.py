"""Text folding and contact details: one definition for search, validation and export."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geodata.text import EMAIL_RE, MASK, PHONE_RE, contains_contact, fold, fold_words, mask_contacts


def test_fold_drops_accents_and_case_like_the_browser():
    # static/atlas/atlas-layers.js: normalize("NFD"), drop U+0300-U+036F, toLowerCase()
    assert fold("Saint-Étienne") == "saint-etienne"
    assert fold("AMBÉRIEU-EN-BUGEY") == fold("Ambérieu-en-Bugey") == "amberieu-en-bugey"
    assert fold_words("  Pôle d'équilibre  territorial ", "_") == "pole_d_equilibre_territorial"
    assert fold_words("Tiers-Lieu") == "tiers lieu"


def test_contacts_are_found_and_masked():
    text = "écrire à a.b@c.fr ou 04 74 12 34 56, ou +33 (0)4 74 12 34 56"
    assert mask_contacts(text) == f"écrire à {MASK} ou {MASK}, ou {MASK}"
    assert contains_contact(text) and not contains_contact(mask_contacts(text))
    for harmless in ("Roanne 42300, 1 200 habitants", "SIREN 200035731", "45.0511287"):
        assert not contains_contact(harmless) and mask_contacts(harmless) == harmless


@pytest.mark.parametrize(
    "phone",
    [
        "04/77/12/34/56",
        "04 77 123 456",
        "04-77-12-34-56",
        "0477123456",
        "04\u00a077\u00a012\u00a034\u00a056",  # no-break spaces, as French typesetting has
        "+33 477 123 456",
        "+33477123456",
        "0033 4 77 12 34 56",
        "+44 20 7946 0958",
        "+44 (0)20 7946 0958",
        "+49 30 123456",
    ],
)
def test_phone_numbers_in_other_groupings_and_countries_are_found(phone):
    text = f"Contact : {phone}."
    assert PHONE_RE.search(text) and mask_contacts(text) == f"Contact : {MASK}."


def test_findall_returns_the_numbers_themselves():
    text = "Tél. 04/77/12/34/56 ou +44 20 7946 0958, écrire à nom(at)domaine.fr"
    assert PHONE_RE.findall(text) == ["04/77/12/34/56", "+44 20 7946 0958"]
    assert EMAIL_RE.findall(text) == ["nom(at)domaine.fr"]


@pytest.mark.parametrize(
    "email",
    [
        "nom(at)domaine.fr",
        "nom [at] domaine [dot] fr",
        "nom (AT) domaine (point) fr",
        "nom{arobase}domaine.fr",
        "prenom.nom [at] mairie-roanne [dot] fr",
    ],
)
def test_disguised_email_addresses_are_found(email):
    text = f"Écrire à {email} avant juin"
    assert EMAIL_RE.search(text) and mask_contacts(text) == f"Écrire à {MASK} avant juin"


@pytest.mark.parametrize(
    "harmless",
    [
        "de 2013-2015 à 2019-2023",
        "SIREN 200035731 et 200 035 731, SIRET 20003573100018",
        "communes 01053, 2A004 et 01001 01002 01003",
        "42300 Roanne, 01000 Bourg-en-Bresse",
        "1 200 emplois, 12 000 000 €, +1 200 000 € en 2019, +12 %",
        "réunion du 01/02/2013 12:30, puis le 01-02-2013 14:00 et le 01.02.2013",
        "45.0511287, 4.0773",
        "rendez-vous [at] the end. (point) final",
    ],
)
def test_years_codes_amounts_and_dates_are_not_contacts(harmless):
    assert not contains_contact(harmless) and mask_contacts(harmless) == harmless


def test_contact_patterns_take_linear_time_on_hostile_text():
    """A long run of address characters without '@' once took minutes (quadratic)."""
    for hostile in (
        "a" * 60_000,
        "a." * 30_000,
        "0 " * 30_000,
        "x@" + "a-" * 30_000,
        "+" + "1 " * 30_000,
        "04/" * 30_000,
        "a [at] " * 10_000,
        "x(at)y" + " (dot) y" * 10_000 + "(",
        "a" + " " * 60_000,
    ):
        start = time.perf_counter()
        EMAIL_RE.search(hostile)
        PHONE_RE.search(hostile)
        assert time.perf_counter() - start < 0.5, hostile[:10]


@given(st.text(alphabet=st.sampled_from("ab0123456789@.+- ()é"), max_size=80) | st.text())
def test_masked_text_holds_no_contact(text):
    assert not contains_contact(mask_contacts(text))
