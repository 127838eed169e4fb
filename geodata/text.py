"""Text helpers shared by search, validation, fetching and the static export, declared once.

- :func:`fold` — accents and case folded, the same way as the browser's ``fold`` in
  ``static/atlas/atlas-layers.js`` (NFD, combining marks dropped, lower case), so a
  filter gives the same rows in Python and in the page;
- :func:`fold_words` — :func:`fold`, then every run of other characters than ``a-z0-9``
  as one separator (tolerant matching of headers and labels);
- :data:`EMAIL_RE`, :data:`PHONE_RE` — the contact details no table or export may hold:
  e-mail addresses, plain or disguised (``nom(at)domaine.fr``, ``nom [at] domaine [dot]
  fr``); French phone numbers written 2-2-2-2-2 or 2-2-3-3 with one separator (space,
  dot, hyphen, slash, or none: ``04/77/12/34/56``, ``04 77 123 456``); and international
  numbers, ``+`` or ``00``, a country code and 8 to 12 digits in any grouping
  (``+33 477 123 456``, ``+44 20 7946 0958``, ``+49 30 123456``). A French number keeps
  one separator throughout, so dates (``01/02/2013 12:30``), year ranges, SIREN, INSEE
  codes, postcodes and amounts (``1 200 emplois``) are not taken for phone numbers.
  Both run in linear time: the e-mail pattern only starts at the beginning of a run of
  address characters and its parts cannot overlap, and the phone pattern has only
  bounded repetition.
"""

from __future__ import annotations

import re
import unicodedata

# "@", or "at" / "arobase" in brackets; ".", or "dot" / "point" in brackets.
_AT = r"(?:@|\s*[(\[{]\s*(?i:at|arobase)\s*[)\]}]\s*)"
_DOT = r"(?:\.|\s*[(\[{]\s*(?i:dot|point)\s*[)\]}]\s*)"
EMAIL_RE = re.compile(rf"(?<![\w.+-])[\w.+-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)+")
# National numbers keep one kind of separator throughout: one alternative per kind (no
# capturing group, so findall returns the numbers themselves).
_NATIONAL = "|".join(
    [r"\d{8}"]
    + [rf"(?:{s}\d{{2}}){{4}}|{s}\d{{2}}{s}\d{{3}}{s}\d{{3}}" for s in (r"\s", r"\.", "-", "/")]
)
PHONE_RE = re.compile(
    r"(?<![\d+])(?:"
    # national: 0X XX XX XX XX or 0X XX XXX XXX
    rf"0[1-9](?:{_NATIONAL})"
    # international: +CC or 00CC, an optional (0), then 8 to 12 digits in any grouping
    r"|(?:\+|00)[1-9]\d{0,2}(?:[\s./-]?\(0\))?(?:[\s./-]?\d){8,12}"
    r")(?!\d)"
)
MASK = "[coordonnées masquées]"
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: object) -> str:
    """Lower-case ``text`` without accents ("Saint-Étienne" -> "saint-etienne").

    Other characters (hyphens, apostrophes, "œ") are kept: see :func:`fold_words`.
    """
    decomposed = unicodedata.normalize("NFD", str(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def fold_words(text: object, sep: str = " ") -> str:
    """:func:`fold` ``text``, then join its ``a-z0-9`` words with ``sep``.

    ``fold_words("Tiers-lieu ")`` is ``"tiers lieu"``; ``fold_words("Code INSEE", "_")``
    is ``"code_insee"``.
    """
    return _NOT_WORD.sub(sep, fold(text)).strip(sep)


def contains_contact(text: str) -> bool:
    """Tell whether ``text`` holds an e-mail address or a phone number."""
    return bool(EMAIL_RE.search(text) or PHONE_RE.search(text))


def mask_contacts(text: str) -> str:
    """Replace each e-mail address and phone number in ``text`` with :data:`MASK`."""
    return PHONE_RE.sub(MASK, EMAIL_RE.sub(MASK, text))
