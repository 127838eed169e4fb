"""Tables written for people: CSV that a spreadsheet opens without running anything.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel, LibreOffice and Google Sheets (CSV injection: ``=HYPERLINK(…)``,
``+cmd|' /C calc'!A0``). Every text cell of a CSV the atlas writes goes through
:func:`spreadsheet_safe`, which prefixes such a cell with an apostrophe, as OWASP advises;
numbers stay numbers.
"""

from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Return ``value`` with a leading ``'`` when it is text a spreadsheet would evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` whose text cells (and column names) are neutralised."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """Return ``frame`` as CSV for spreadsheets: UTF-8 with BOM, no index, cells neutralised."""
    return spreadsheet_safe(frame).to_csv(index=False).encode("utf-8-sig")
