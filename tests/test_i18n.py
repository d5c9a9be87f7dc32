"""Number formats of the reports (analysis.core.i18n): hand values in both languages, and
the cached locale and patterns against Babel called afresh."""

from __future__ import annotations

from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from analysis.core.i18n import fmt_number, fmt_p, fmt_pct

NBSP, MINUS = "\u00a0", "\u2212"


def test_numbers_by_hand_in_english_and_swedish():
    assert fmt_number(1234567.891, "en", 2) == "1,234,567.89"
    assert fmt_number(1234567.891, "sv", 2) == f"1{NBSP}234{NBSP}567,89"
    assert fmt_number(-8.06, "sv", 1) == f"{MINUS}8,1" and fmt_number(-8.06, "en", 1) == "-8.1"
    assert fmt_number(539, "sv", 0) == "539" and fmt_number(12345, "en") == "12,345"
    assert fmt_number(float("nan"), "en", 1) == fmt_number(None, "sv") == "–"
    assert fmt_pct(0.4567, "sv") == f"45,7{NBSP}%" and fmt_pct(0.4567, "en", 0) == "46%"
    assert fmt_p(0.0004, "en") == "< 0.001" and fmt_p(0.0312, "sv") == "0,031"


@given(
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    st.sampled_from([None, 0, 1, 2, 3]),
    st.sampled_from(["en", "sv"]),
)
def test_cached_formats_equal_babel_called_afresh(x, decimals, language):
    locale = {"en": "en_GB", "sv": "sv_SE"}[language]
    pattern = None if decimals is None else "#,##0" + ("." + "0" * decimals if decimals else "")
    expected = format_decimal(x, format=pattern, locale=locale).replace("-", MINUS if language == "sv" else "-")
    assert fmt_number(x, language, decimals) == expected
