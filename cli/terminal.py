r"""Text printed to the terminal: data-derived strings with their control characters escaped.

An id, a name or a file name read from a list may hold an escape sequence (``\x1b[31m``)
or a line break; printed raw, it would recolour the terminal, move the cursor or forge a
line of the report. :func:`printable` shows such characters as Python writes them in a
string literal (``\x1b``, ``\n``, ``\u202e``), and leaves every other character as is.
"""

from __future__ import annotations

import unicodedata

# Controls (C0, C1, DEL), format characters (bidi overrides, zero-width), line and
# paragraph separators, lone surrogates.
ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def printable(text: object) -> str:
    r"""Return ``str(text)`` with every control character escaped (``\x1b`` for ESC)."""
    return "".join(
        repr(c)[1:-1] if unicodedata.category(c) in ESCAPED_CATEGORIES else c for c in str(text)
    )
