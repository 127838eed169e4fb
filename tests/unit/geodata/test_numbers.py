"""French number formats: narrow no-break space for thousands, comma for decimals."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from geodata.numbers import (
    NNBSP,
    fmt_decimal,
    fmt_int,
    fmt_km2,
    fmt_percent_change,
    fmt_population,
    fmt_rate,
)


@pytest.mark.parametrize(
    "value, expected",
    [
        (109553, f"109{NNBSP}553"),
        (1_234_567.6, f"1{NNBSP}234{NNBSP}568"),
        (999, "999"),
        (0, "0"),
        (-4200, f"−4{NNBSP}200"),
    ],
)
def test_fmt_int_groups_thousands_with_a_narrow_no_break_space(value, expected):
    assert fmt_int(value) == expected


@pytest.mark.parametrize("missing", [None, math.nan, pd.NA, float("nan")])
def test_unknown_values_say_so_in_french(missing):
    assert fmt_int(missing) == "inconnue"
    assert fmt_km2(missing) == "inconnue"
    assert fmt_population(missing) == "inconnue"
    assert fmt_rate(missing) == "—"


@pytest.mark.parametrize(
    "value, expected",
    [
        (16.34, f"16,3{NNBSP}km²"),
        (0.46, f"0,5{NNBSP}km²"),
        (99.94, f"99,9{NNBSP}km²"),
        (3383.2, f"3{NNBSP}383{NNBSP}km²"),
    ],
)
def test_fmt_km2_keeps_a_decimal_for_small_areas_only(value, expected):
    assert fmt_km2(value) == expected


def test_decimal_population_rate_and_change():
    assert fmt_decimal(1234.56, 2) == f"1{NNBSP}234,56"
    assert fmt_population(109553) == f"109{NNBSP}553{NNBSP}hab."
    assert fmt_rate(0.3749) == "0,37"
    assert fmt_percent_change(112, 100) == f"+12{NNBSP}%"
    assert fmt_percent_change(96, 100) == f"−4{NNBSP}%"
    assert fmt_percent_change(100.2, 100) == "="
    # no ASCII space and no comma as thousands separator anywhere
    assert " " not in fmt_int(48_511) and "," not in fmt_int(48_511)
