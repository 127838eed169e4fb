"""Text from the data reaches Markdown elements escaped: shown as written, never interpreted."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from pages.ui.markup import literal


def test_markdown_syntax_in_a_name_is_escaped():
    assert literal("**Pays** [lien](http://x) #1 :red[x] $x$") == (
        r"\*\*Pays\*\* \[lien\]\(http\://x\) \#1 \:red\[x\] \$x\$"
    )


def test_an_empty_cell_reads_as_nothing_not_nan():
    assert literal(None) == literal(float("nan")) == ""


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n")))
def test_removing_the_escapes_gives_back_the_text(text):
    escaped = literal(text)
    assert re.sub(r"\\(.)", r"\1", escaped) == text
    assert not re.search(r"(?<!\\)[*_`\[\]<>#$]", escaped.replace("\\\\", ""))
