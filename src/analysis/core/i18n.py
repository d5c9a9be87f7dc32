"""Number formatting for the reports in English or Swedish.

Number formatting is Babel's (CLDR): Swedish uses a decimal comma, U+00A0 as the
thousands separator and U+2212 as the minus sign; nothing here formats by hand.
"""

from __future__ import annotations

import functools
import math

from babel import Locale
from babel.numbers import NumberPattern, format_decimal, get_minus_sign_symbol, parse_pattern

LOCALES = {"en": "en_GB", "sv": "sv_SE"}


@functools.cache
def _format(language: str, decimals: int | None) -> tuple[Locale, NumberPattern, str]:
    """The Babel locale, the number pattern and the locale's minus sign, parsed once per
    language and number of decimals (a report formats thousands of numbers; parsing the
    locale name and the pattern again for each was a fifth of a report job)."""
    locale = Locale.parse(LOCALES[language])
    pattern = None if decimals is None else "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return (
        locale,
        parse_pattern(locale.decimal_formats[None] if pattern is None else pattern),
        get_minus_sign_symbol(locale),
    )


def fmt_p(p: float, language: str) -> str:
    """A p-value: '< 0.001' below a thousandth, else three decimals."""
    if p != p:
        return "–"
    if p < 0.001:
        return "< " + fmt_number(0.001, language, 3)
    return fmt_number(p, language, 3)


def fmt_pct(share: float, language: str, decimals: int = 1) -> str:
    """A proportion (0-1) as a percentage string in the report language."""
    if share != share:
        return "–"
    return fmt_number(100 * share, language, decimals) + ("\u00a0%" if language == "sv" else "%")


def fmt_number(x: float, language: str, decimals: int | None = None) -> str:
    """Format a number for the report in the given language (Babel/CLDR rules)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    locale, pattern, minus = _format(language, decimals)
    text = format_decimal(x, format=pattern, locale=locale)
    # CLDR's minus sign of the locale (U+2212 in Swedish); Babel's patterns write '-'.
    return text.replace("-", minus)


# Display names of the interval methods named in config.yaml (proper names: the same in
# every language; report sections translate their other method words with gettext).
METHOD_NAMES = {"wilson": "Wilson", "clopper_pearson": "Clopper–Pearson", "agresti_coull": "Agresti–Coull"}


def method_name(key: str) -> str:
    return METHOD_NAMES.get(key, key)
