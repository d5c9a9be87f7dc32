"""The one interval type: every operation contains every result of its members."""

from __future__ import annotations

import math

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from analysis.core.intervals import Interval

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@st.composite
def interval_and_member(draw):
    a, b = sorted((draw(finite), draw(finite)))
    t = draw(st.floats(min_value=0, max_value=1))
    # clamped: a + t * (b - a) can round outside [a, b] (-1 + 1 * (1 - 3.5e-163) == 0.0)
    return Interval(a, b), min(max(a + t * (b - a), a), b)


@given(interval_and_member(), interval_and_member())
@example((Interval(1.0, 1.0), 1.0), (Interval(2.225073858507e-311, 2.225073858507e-311), 2.225073858507e-311))
@example((Interval(0.0, 0.0), 0.0), (Interval(-1.0, -3.5299411444383374e-163), -3.5299411444383374e-163))
def test_operations_contain_the_results_of_members(x, y):
    (a, p), (b, q) = x, y
    tol = 1e-9 * (1 + abs(p) + abs(q)) ** 2
    for iv, v in ((a + b, p + q), (a - b, p - q), (a * b, p * q)):
        assert iv.lo - tol <= v <= iv.hi + tol
    if not b.contains(0.0) and b.lo != 0 and b.hi != 0:
        iv = a / b
        v = p / q
        # Exact containment, or within a relative slack; the first also holds where the
        # quotient overflows (a subnormal divisor: 1 / 2.2e-311 = inf), where the slack is nan.
        slack = abs(v) * 1e-9 + tol
        assert (iv.lo <= v or iv.lo - slack <= v) and (v <= iv.hi or v <= iv.hi + slack)


def test_a_quotient_that_overflows_is_contained():
    # Found by hypothesis: 1 / 2.2e-311 overflows to inf, and so does the interval's quotient.
    tiny = 2.225073858507e-311
    iv = Interval(1.0, 1.0) / Interval(tiny, tiny)
    assert iv.lo == iv.hi == 1.0 / tiny == math.inf


def test_hand_examples():
    # [1, 2] + [10, 20] = [11, 22]; [1, 2] - [10, 20] = [-19, -8]; [-1, 2] x [3, 4] = [-4, 8]
    assert Interval(1, 2) + Interval(10, 20) == Interval(11, 22)
    assert Interval(1, 2) - Interval(10, 20) == Interval(-19, -8)
    assert Interval(-1, 2) * Interval(3, 4) == Interval(-4, 8)
    # 44,5 % printed: [44.45, 44.55] of 100 -> ratio of [4, 6] / [8, 10] = [0.4, 0.75]
    assert Interval(4, 6) / Interval(8, 10) == Interval(0.4, 0.75)
    assert 2 * Interval(1, 3) == Interval(2, 6) and 1 - Interval(0.2, 0.3) == Interval(0.7, 0.8)
    assert -Interval(1, 2) == Interval(-2, -1)
    assert Interval(1, 3).mid == 2


def test_gap_and_meeting():
    assert Interval(1, 2).gap(Interval(3, 5)) == 1
    assert Interval(3, 5).gap(Interval(1, 2)) == 1
    assert Interval(1, 3).gap(Interval(2, 5)) == 0 and Interval(1, 3).meets(Interval(3, 4))
    assert math.isnan(Interval(math.nan, 1).gap(Interval(0, 1)))


def test_unbounded_and_missing_ends():
    assert Interval(0, math.inf) * Interval(2, 3) == Interval(0, math.inf)
    assert (Interval(1, 2) * math.nan).is_nan
    assert (Interval(1, 2) / Interval(math.nan, 1)).is_nan


def test_division_by_an_interval_containing_zero_is_refused():
    with pytest.raises(ZeroDivisionError):
        Interval(1, 2) / Interval(-1, 1)
