"""French dates: the first of the month is "1er", months in French, Paris time."""

from __future__ import annotations

import datetime as dt

import pytest

from geodata.dates import format_date_fr, format_datetime_fr


@pytest.mark.parametrize(
    "value, expected",
    [
        (dt.date(2026, 12, 1), "1er décembre 2026"),
        (dt.date(2019, 3, 15), "15 mars 2019"),
        (dt.datetime(2025, 8, 2, 23, 59), "2 août 2025"),
        ("2013-04-01", "1er avril 2013"),
        ("2026-02-01T10:25:00+00:00", "1er février 2026"),
    ],
)
def test_format_date_fr(value, expected):
    assert format_date_fr(value) == expected


def test_a_utc_build_stamp_is_given_in_paris_time():
    assert format_datetime_fr("2026-12-01T10:36:04+00:00") == "1er décembre 2026 à 11 h 36"
    assert format_datetime_fr("2026-07-14T22:05:00+00:00") == "15 juillet 2026 à 0 h 05"


def test_a_text_that_is_not_a_date_is_refused_naming_it():
    with pytest.raises(ValueError, match="'hier'"):
        format_date_fr("hier")
