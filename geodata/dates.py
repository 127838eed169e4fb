"""Dates as a French reader writes them: ``1er décembre 2026``, ``15 mars 2025 à 14 h 05``."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def format_date_fr(value: dt.date | dt.datetime | str) -> str:
    """Write a date in French, the first of the month as ``1er``: ``1er décembre 2026``.

    Parameters
    ----------
    value
        A date, a datetime (its date part) or an ISO 8601 text (``2026-12-01``,
        ``2026-12-01T10:25:00+00:00``).

    Returns
    -------
    str
        ``"<day> <month> <year>"``, the month in lower case.

    Raises
    ------
    ValueError
        If ``value`` is a text that is not an ISO 8601 date.

    """
    day = _as_date(value)
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {MONTHS[day.month - 1]} {day.year}"


def format_datetime_fr(value: dt.datetime | str) -> str:
    """Write a date and time in French: ``1er décembre 2026 à 11 h 25``.

    A time with a zone (the build report's UTC stamps) is given in Paris time.
    """
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo("Europe/Paris"))
    return f"{format_date_fr(moment)} à {moment.hour} h {moment.minute:02d}"


def _as_date(value: dt.date | dt.datetime | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.datetime.fromisoformat(str(value).strip()).date()
    except ValueError:
        raise ValueError(f"not an ISO 8601 date: {value!r} (expected e.g. '2026-12-01')") from None
