"""Text folding and contact details: one definition for search, validation and export."""

from __future__ import annotations

import time

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


def test_contact_patterns_take_linear_time_on_hostile_text():
    """A long run of address characters without '@' once took minutes (quadratic)."""
    for hostile in ("a" * 60_000, "a." * 30_000, "0 " * 30_000, "x@" + "a-" * 30_000):
        start = time.perf_counter()
        EMAIL_RE.search(hostile)
        PHONE_RE.search(hostile)
        assert time.perf_counter() - start < 0.5, hostile[:10]


@given(st.text(alphabet=st.sampled_from("ab0123456789@.+- ()é"), max_size=80) | st.text())
def test_masked_text_holds_no_contact(text):
    assert not contains_contact(mask_contacts(text))
