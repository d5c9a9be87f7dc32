"""Swedish number parsing: examples, rejects, and a round trip through Babel's sv formatting."""

import math

import pytest
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from analysis.core.numbers import parse_number


@pytest.mark.parametrize(
    ("text", "value", "decimals", "percent"),
    [
        ("44,5 %", 44.5, 1, True),
        ("44,5%", 44.5, 1, True),
        ("77 746", 77746.0, 0, False),
        ("1\u00a0234\u00a0567", 1234567.0, 0, False),  # no-break space grouping
        ("1\u202f234", 1234.0, 0, False),  # narrow no-break space
        ("0,6 %", 0.6, 1, True),
        ("27", 27.0, 0, False),
        ("\u22123,25", -3.25, 2, False),  # U+2212 minus, as Babel prints it for sv
        ("-0,5", -0.5, 1, False),
        ("  12,0  ", 12.0, 1, False),  # surrounding spaces tolerated
        ("1234", 1234.0, 0, False),  # ungrouped is fine
    ],
)
def test_parse_examples(text, value, decimals, percent):
    p = parse_number(text)
    assert p.value == value
    assert p.decimals == decimals
    assert p.percent is percent


@pytest.mark.parametrize(
    "text",
    ["12.5", "1,234.5", "12 34", "abc", "", "12,", ",5", "1 2345", "%", "12 %%", "1,2,3", "12 % x"],
)
def test_parse_rejects(text):
    with pytest.raises(ValueError, match="Swedish"):
        parse_number(text)


def test_half_unit_is_the_rounding_half_width():
    assert parse_number("44,5 %").half_unit == pytest.approx(0.05)
    assert parse_number("27").half_unit == pytest.approx(0.5)
    assert parse_number("0,125").half_unit == pytest.approx(0.0005)


@given(
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=3),
)
def test_babel_swedish_round_trip(x, decimals):
    """Any number Babel formats the Swedish way parses back to the same rounded number."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    text = format_decimal(x, format=pattern, locale="sv_SE")
    p = parse_number(text)
    expected = float(format_decimal(x, format=pattern, locale="en_US").replace(",", ""))
    assert p.decimals == decimals
    assert math.isclose(p.value, expected, rel_tol=0, abs_tol=10 ** -(decimals + 6))


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=9))
def test_percent_with_space_round_trip(whole, tenth):
    text = f"{format_decimal(whole, locale='sv_SE')},{tenth} %"
    p = parse_number(text)
    assert p.percent
    assert p.value == pytest.approx(whole + tenth / 10)
