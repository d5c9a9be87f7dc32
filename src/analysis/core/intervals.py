"""Printed numbers as intervals: their rounding interval, widened by the printed qualifier.

A value printed as ``28 000`` is taken to be rounded to its last non-zero digit, keeping at
least two significant digits (any value in [27 500, 28 500]), ``5,2`` to its last decimal
([5,15, 5,25]); a qualifier such as
``cirka`` or ``drygt`` widens the interval by the relative widths set in config.yaml
(``intervals.qualifiers``). Interval arithmetic on such inputs shows whether a printed
result can follow from printed inputs (Moore 1966).
"""

from __future__ import annotations

import math
from decimal import Decimal

from analysis.core.numbers import clean_cell, parse_number


def rounding_interval(printed: str, trailing_zeros_significant: bool = False) -> tuple[float, float]:
    """(lo, hi) of the values that round to the printed number.

    With ``trailing_zeros_significant=False`` a whole number ending in zeros is read as
    rounded to its last non-zero digit but keeping at least two significant digits:
    ``37 600`` -> half-width 50, ``28 000`` -> 500, ``10 000`` -> 500, ``60`` -> 0,5.
    Otherwise every whole number is read as rounded to units.
    """
    p = parse_number(printed)
    half = p.half_unit
    if p.decimals == 0 and not trailing_zeros_significant and p.value != 0:
        digits = clean_cell(printed).replace("\u00a0", " ").replace(" ", "").rstrip("%").strip()
        zeros = len(digits) - len(digits.rstrip("0"))
        zeros = max(0, min(zeros, len(digits) - 2))  # keep two significant digits
        half = 0.5 * 10**zeros
    # In decimal arithmetic, so that adjacent printed values share their boundary exactly
    # (61,1 + 0,05 and 61,2 - 0,05 are the same float).
    v, h = Decimal(repr(p.value)), Decimal(repr(half))
    return float(v - h), float(v + h)


def printed_interval(
    printed: str, qualifier: str, widths: dict[str, list[float]], trailing_zeros_significant: bool = False
) -> tuple[float, float]:
    """The rounding interval widened by the qualifier's relative widths ``[below, above]``.

    ``cirka: [-0.05, 0.05]`` gives [0.95 lo, 1.05 hi]; ``drygt: [0, 0.1]`` gives [lo, 1.1 hi].
    A width of ``None`` (``null`` in config) leaves that side open: ``mer än: [0, null]``
    gives [lo, +inf). An unknown qualifier is an error (the config must say what it means).
    """
    lo, hi = rounding_interval(printed, trailing_zeros_significant)
    return widen(lo, hi, qualifier, widths)


def widen(lo: float, hi: float, qualifier: str, widths: dict[str, list]) -> tuple[float, float]:
    """Widen [lo, hi] by the qualifier's relative widths (``None``: unbounded on that side)."""
    if not qualifier:
        return lo, hi
    if qualifier not in widths:
        raise KeyError(f"qualifier {qualifier!r} has no width in config.yaml intervals.qualifiers")
    below, above = widths[qualifier]
    # Relative to the magnitude, so that a negative value widens outwards as well.
    lo = -math.inf if below is None else lo + below * abs(lo)
    hi = math.inf if above is None else hi + above * abs(hi)
    return lo, hi
