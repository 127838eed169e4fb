"""Text from the data shown literally in Streamlit elements that read Markdown."""

from __future__ import annotations

import re

import pandas as pd

# Every character Markdown (and Streamlit's extensions: colours, LaTeX, emoji shortcodes)
# gives a meaning to; a backslash before it makes it plain text.
# Placeholder of every select box: Streamlit's own is English ("Choose an option").
CHOOSE = "Choisir…"
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^])")


def literal(cell: object) -> str:
    """Return ``cell`` as Markdown that displays exactly its text ("" for None or NaN)."""
    if cell is None or (not isinstance(cell, str) and pd.isna(cell)):
        return ""
    return _MARKDOWN.sub(r"\\\1", str(cell)).replace("\n", "  \n")
