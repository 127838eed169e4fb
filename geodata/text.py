"""Text helpers shared by search, validation, fetching and the static export, declared once.

- :func:`fold` — accents and case folded, the same way as the browser's ``fold`` in
  ``static/atlas/atlas-layers.js`` (NFD, combining marks dropped, lower case), so a
  filter gives the same rows in Python and in the page;
- :func:`fold_words` — :func:`fold`, then every run of other characters than ``a-z0-9``
  as one separator (tolerant matching of headers and labels);
- :data:`EMAIL_RE`, :data:`PHONE_RE` — the contact details no table or export may hold
  (French phone numbers, national or +33 / 0033 form). Both run in linear time: the
  e-mail pattern only starts at the beginning of a run of address characters, and the
  phone pattern has no nested unbounded repetition.
"""

from __future__ import annotations

import re
import unicodedata

EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_RE = re.compile(
    r"(?<!\d)(?:(?:\+|00)33[\s.\-]*(?:\(0\)[\s.\-]*)?|0)[1-9](?:[\s.\-]*\d{2}){4}(?!\d)"
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
    """Tell whether ``text`` holds an e-mail address or a French phone number."""
    return bool(EMAIL_RE.search(text) or PHONE_RE.search(text))


def mask_contacts(text: str) -> str:
    """Replace each e-mail address and phone number in ``text`` with :data:`MASK`."""
    return PHONE_RE.sub(MASK, EMAIL_RE.sub(MASK, text))
