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
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Interval:
    """A closed interval [lo, hi] of reals with outward-exact arithmetic on its ends.

    The one interval type of the project: relation checks, the cost model and the claims
    audit combine printed numbers with it. Operations follow interval arithmetic (Moore
    1966): ``a + b = [a.lo + b.lo, a.hi + b.hi]``, products and quotients take the
    extremes of the end-point combinations (a quotient by an interval containing 0 is
    undefined and raises). Scalars act as degenerate intervals. ``nan`` ends propagate
    (a missing printed value makes the result unknown, not wrong).
    """

    lo: float
    hi: float

    @classmethod
    def point(cls, x: float) -> Interval:
        return cls(float(x), float(x))

    @staticmethod
    def of(x: Interval | float) -> Interval:
        return x if isinstance(x, Interval) else Interval.point(x)

    @property
    def is_nan(self) -> bool:
        return math.isnan(self.lo) or math.isnan(self.hi)

    @property
    def mid(self) -> float:
        return (self.lo + self.hi) / 2

    def __add__(self, other: Interval | float) -> Interval:
        o = Interval.of(other)
        return Interval(self.lo + o.lo, self.hi + o.hi)

    __radd__ = __add__

    def __neg__(self) -> Interval:
        return Interval(-self.hi, -self.lo)

    def __sub__(self, other: Interval | float) -> Interval:
        o = Interval.of(other)
        return Interval(self.lo - o.hi, self.hi - o.lo)

    def __rsub__(self, other: float) -> Interval:
        return Interval.of(other) - self

    def __mul__(self, other: Interval | float) -> Interval:
        o = Interval.of(other)
        if self.is_nan or o.is_nan:
            return Interval(math.nan, math.nan)
        if o.lo == o.hi and o.lo >= 0:  # a non-negative scalar keeps the order of the ends
            return Interval(self.lo * o.lo, self.hi * o.lo)
        ends = [self.lo * o.lo, self.lo * o.hi, self.hi * o.lo, self.hi * o.hi]
        ends = [0.0 if math.isnan(e) else e for e in ends]  # 0 x inf: the zero end dominates
        return Interval(min(ends), max(ends))

    __rmul__ = __mul__

    def __truediv__(self, other: Interval | float) -> Interval:
        o = Interval.of(other)
        if o.is_nan or self.is_nan:
            return Interval(math.nan, math.nan)
        if o.lo <= 0 <= o.hi:
            raise ZeroDivisionError(f"division by an interval containing 0: [{o.lo}, {o.hi}]")
        if self.lo >= 0 and o.lo > 0:  # the common case, written so that ends are exact
            return Interval(self.lo / o.hi, self.hi / o.lo)
        ends = [self.lo / o.lo, self.lo / o.hi, self.hi / o.lo, self.hi / o.hi]
        return Interval(min(ends), max(ends))

    def __rtruediv__(self, other: float) -> Interval:
        return Interval.of(other) / self

    def gap(self, other: Interval) -> float:
        """Distance between the two intervals; 0 when they meet (``nan`` if either is unknown)."""
        if self.is_nan or other.is_nan:
            return math.nan
        return max(self.lo - other.hi, other.lo - self.hi, 0.0)

    def meets(self, other: Interval, eps: float = 0.0) -> bool:
        return self.gap(other) <= eps

    def contains(self, x: float) -> bool:
        return self.lo <= x <= self.hi
