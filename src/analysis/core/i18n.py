"""Number formatting for the reports in English or Swedish.

Number formatting is Babel's (CLDR): Swedish uses a decimal comma, U+00A0 as the
thousands separator and U+2212 as the minus sign; nothing here formats by hand.
"""

from __future__ import annotations

import math

from babel.numbers import format_decimal, get_minus_sign_symbol

LOCALES = {"en": "en_GB", "sv": "sv_SE"}


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
    pattern = None if decimals is None else "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    text = format_decimal(x, format=pattern, locale=LOCALES[language])
    # CLDR's minus sign of the locale (U+2212 in Swedish); Babel's patterns write '-'.
    return text.replace("-", get_minus_sign_symbol(LOCALES[language]))


# Display names of the interval methods named in config.yaml (proper names: the same in
# every language; report sections translate their other method words with gettext).
METHOD_NAMES = {"wilson": "Wilson", "clopper_pearson": "Clopper–Pearson", "agresti_coull": "Agresti–Coull"}


def method_name(key: str) -> str:
    return METHOD_NAMES.get(key, key)
