"""French number formats for every surface that shows a figure (fiche, briefing, exports).

One writer for numbers, as :mod:`geodata.dates` is for dates: thousands are separated by
a narrow no-break space (U+202F, the French typographic rule, which never breaks a number
across two lines), the decimal mark is a comma, and an unknown value reads "inconnue".

>>> fmt_int(109553)
'109\u202f553'
>>> fmt_km2(16.34)
'16,3\u202fkm²'
"""

from __future__ import annotations

import math

NNBSP = "\u202f"  # narrow no-break space: thousands separator and before a unit
UNKNOWN = "inconnue"


def _missing(value: object) -> bool:
    """Tell whether a value is None, NaN or pandas' NA (without importing pandas)."""
    if value is None:
        return True
    try:
        return bool(value != value) or math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def fmt_int(value: float | int | None, unit: str = "") -> str:
    """Round to a whole number with French thousands: 109553 -> "109 553".

    ``unit`` is appended after a narrow no-break space ("109 553 hab."); None or NaN give
    "inconnue" (without the unit).
    """
    if _missing(value):
        return UNKNOWN
    text = f"{round(float(value)):,}".replace(",", NNBSP).replace("-", "−")
    return f"{text}{NNBSP}{unit}" if unit else text


def fmt_decimal(value: float | int | None, digits: int = 1, unit: str = "") -> str:
    """Write a decimal number the French way: 16.34 -> "16,3"; 1234.5 -> "1 234,5"."""
    if _missing(value):
        return UNKNOWN
    text = f"{float(value):,.{digits}f}".replace(",", NNBSP).replace(".", ",")
    text = text.replace("-", "−")
    return f"{text}{NNBSP}{unit}" if unit else text


def fmt_km2(value: float | None) -> str:
    """Write an area: one decimal below 100 km² ("16,3 km²"), whole km² above ("3 383 km²")."""
    if _missing(value):
        return UNKNOWN
    if abs(float(value)) < 100:  # type: ignore[arg-type]
        return fmt_decimal(value, 1, "km²")
    return fmt_int(value, "km²")


def fmt_population(value: float | int | None) -> str:
    """Write a population: "109 553 hab." ("inconnue" when unknown)."""
    return fmt_int(value, "hab.")


def fmt_rate(value: float | None, digits: int = 2) -> str:
    """Write a rate for a table ("0,37"); an em dash when it cannot be computed."""
    return "—" if _missing(value) else fmt_decimal(value, digits)


def fmt_percent_change(value: float, reference: float) -> str:
    """Relative change for reading: "+12 %", "−4 %", "=" (narrow space before %)."""
    change = round((float(value) / float(reference) - 1) * 100)
    if change == 0:
        return "="
    return f"{'+' if change > 0 else '−'}{abs(change)}{NNBSP}%"
