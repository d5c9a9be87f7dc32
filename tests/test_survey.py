"""Survey methods against independent references: Decimal rounding, scipy, hand formulas."""

from __future__ import annotations

import math
import warnings
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from analysis.core.proportions import newcombe_diff_ci, proportion_ci, two_proportion_z
from analysis.survey.methods import (
    SmallExpectedWarning,
    compact_ranges,
    count_range,
    holm,
    homogeneity_table,
    homogeneity_tests,
    mean_score_test,
    recover_row,
    round_percent,
)

QUANT = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}


def decimal_counts(scaled: int, decimals: int, n: int, rule: str) -> list[int]:
    """Reference: every c whose percentage, rounded by Python's decimal module, prints as scaled."""
    q = Decimal(1).scaleb(-decimals)
    return [
        c
        for c in range(n + 1)
        if int((Decimal(100 * c) / Decimal(n)).quantize(q, rounding=QUANT[rule]).scaleb(decimals)) == scaled
    ]


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=600),
    decimals=st.integers(min_value=0, max_value=2),
    frac=st.floats(min_value=0, max_value=1),
    rule=st.sampled_from(["half_up", "half_even"]),
)
def test_count_range_matches_decimal_rounding(n, decimals, frac, rule):
    scaled = round(frac * 100 * 10**decimals)
    expected = decimal_counts(scaled, decimals, n, rule)
    lo, hi = count_range(scaled, decimals, n, rule)
    assert (list(range(lo, hi + 1)) if lo <= hi else []) == expected


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(1, 600),
    c=st.integers(0, 600),
    decimals=st.integers(0, 2),
    rule=st.sampled_from(["half_up", "half_even"]),
)
def test_round_percent_matches_decimal(n, c, decimals, rule):
    c = min(c, n)
    q = Decimal(1).scaleb(-decimals)
    ref = int((Decimal(100 * c) / Decimal(n)).quantize(q, rounding=QUANT[rule]).scaleb(decimals))
    assert round_percent(c, n, decimals, rule) == ref


def test_exact_tie_depends_on_the_rounding_rule():
    # 1/8 = 12.5 % and 7/8 = 87.5 % exactly. Half-up prints 13 and 88; half-even prints
    # 12 (12 is even) and 88 (88 is even). So [13, 88] needs half-up, [12, 88] half-even.
    assert 8 in recover_row([13, 88], 0, 20, "half_up").feasible
    assert 8 not in recover_row([13, 88], 0, 20, "half_even").feasible
    assert 8 in recover_row([12, 88], 0, 20, "half_even").feasible
    assert 8 not in recover_row([12, 88], 0, 20, "half_up").feasible


def test_row_summing_to_99_9():
    # 1/3 = 33.33 % prints 33,3 three times (sum 99,9): N = 3 with counts 1/1/1.
    rec = recover_row([333, 333, 333], 1, 50, "half_up")
    assert rec.feasible[0] == 3
    assert rec.counts_at_min == (1, 1, 1)


def test_split_50_1_49_9_needs_n_335():
    # c/N must round to 50,1 and (N-c)/N to 49,9: c/N - 1/2 lies in (0.0005, 0.0015).
    # With 2c - N = k, k/(2N) in (0.0005, 0.0015) gives N in (k/0.003, k/0.001);
    # k = 1 allows odd N in (333.3, 1000): the smallest is 335 (c = 168: 50.149 % and 49.851 %).
    rec = recover_row([501, 499], 1, 539, "half_up")
    assert rec.feasible[0] == 335
    assert rec.counts_at_min == (168, 167)


def test_zero_cell_and_impossible_row():
    assert recover_row([0, 1000], 1, 10, "half_up").feasible[0] == 1  # 0/1 and 1/1
    assert recover_row([500, 400], 1, 539, "half_up").feasible == ()  # sums to 90 %


def test_migrationsverket_tabell_8_only_n_45():
    # Printed 22,2 / 40,0 / 26,7 / 11,1 %. At N = 45: 10/45 = 22.22, 18/45 = 40.00,
    # 12/45 = 26.67, 5/45 = 11.11 (hand division). The bound is 64 - 19 = 45 (footnote 126).
    rec = recover_row([222, 400, 267, 111], 1, 45, "half_up")
    assert rec.feasible == (45,)
    assert rec.counts_at_min == (10, 18, 12, 5)


def test_pensionsmyndigheten_tabell_6_needs_at_least_509():
    # Printed 86,1 / 13,2 / 0,6 / 0,2 %. Reference: the smallest N <= 539 for which each
    # cell has a count rounding to it (Decimal) and the counts can add up to N.
    scaled = [861, 132, 6, 2]
    ref = None
    for n in range(1, 540):
        sets = [decimal_counts(s, 1, n, "half_up") for s in scaled]
        if all(sets) and sum(min(x) for x in sets) <= n <= sum(max(x) for x in sets):
            ref = n
            break
    assert ref == 509
    assert recover_row(scaled, 1, 539, "half_up").feasible[0] == ref


def test_compact_ranges():
    assert compact_ranges([1, 2, 3, 7, 9, 10]) == "1-3, 7, 9-10"
    assert compact_ranges([]) == ""


def wilson_by_hand(c, n, z=1.959963984540054):
    p = c / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


@pytest.mark.parametrize(("c", "n"), [(45, 139), (0, 20), (20, 20), (1, 509), (438, 509)])
def test_wilson_against_hand_formula(c, n):
    lo, hi = proportion_ci(c, n, "wilson", 0.95)
    ref_lo, ref_hi = wilson_by_hand(c, n)
    assert lo == pytest.approx(max(ref_lo, 0), abs=1e-12)
    assert hi == pytest.approx(min(ref_hi, 1), abs=1e-12)


def test_clopper_pearson_against_beta_quantiles():
    lo, hi = proportion_ci(7, 40, "clopper_pearson", 0.95)
    assert lo == pytest.approx(stats.beta.ppf(0.025, 7, 34))
    assert hi == pytest.approx(stats.beta.ppf(0.975, 8, 33))


def test_newcombe_against_hand_formula():
    x1, n1, x2, n2 = 56, 70, 48, 80
    l1, u1 = wilson_by_hand(x1, n1)
    l2, u2 = wilson_by_hand(x2, n2)
    p1, p2 = x1 / n1, x2 / n2
    d, lo, hi = newcombe_diff_ci(x1, n1, x2, n2)
    assert d == pytest.approx(0.2)  # 0.8 - 0.6
    assert lo == pytest.approx(d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2))
    assert hi == pytest.approx(d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))


def test_two_proportion_z_and_design_effect():
    z, p = two_proportion_z(56, 70, 48, 80)
    pool = 104 / 150
    z_ref = (56 / 70 - 48 / 80) / math.sqrt(pool * (1 - pool) * (1 / 70 + 1 / 80))
    assert z == pytest.approx(z_ref)
    assert p == pytest.approx(2 * stats.norm.sf(z_ref))
    z2, _ = two_proportion_z(56, 70, 48, 80, deff=2)
    assert z2 == pytest.approx(z_ref / math.sqrt(2))


COUNTS = pd.DataFrame(
    [[65, 68, 13], [127, 80, 13], [85, 47, 7], [44, 45, 25], [15, 24, 22]],
    index=["A", "B", "C", "D", "E"],
    columns=["clear", "partly", "unclear"],
)


def test_chi_square_against_scipy_and_cramers_v_by_hand():
    res = homogeneity_tests(COUNTS)
    chi2, p, dof, _ = stats.chi2_contingency(COUNTS.to_numpy(), correction=False)
    row = res[res["test"] == "chi_square_homogeneity"].iloc[0]
    assert row["statistic"] == pytest.approx(chi2)
    assert row["p_value"] == pytest.approx(p)
    assert row["df"] == dof == 8
    n = COUNTS.to_numpy().sum()
    assert row["cramers_v"] == pytest.approx(math.sqrt(chi2 / (n * (3 - 1))))


def test_mean_score_with_midranks_equals_kruskal_wallis():
    expanded = [np.repeat(np.arange(3), row) for row in COUNTS.to_numpy()]
    h, p = stats.kruskal(*expanded)
    q, df = mean_score_test(COUNTS.to_numpy())
    assert q == pytest.approx(h)
    assert df == 4
    assert stats.chi2.sf(q, df) == pytest.approx(p)


def test_mean_score_with_integer_scores_by_hand():
    # Two groups, scores 1 and 2: group 1 = (3, 1), group 2 = (1, 3); n = 8.
    # Means: 1.25 and 1.75, overall 1.5; sum n_i (m_i - m)^2 = 4(0.0625) x 2 = 0.5;
    # sum n_j (a_j - m)^2 = 4(0.25) + 4(0.25) = 2; Q = (8 - 1) x 0.5 / 2 = 1.75.
    q, df = mean_score_test(np.array([[3, 1], [1, 3]]), scores=np.array([1.0, 2.0]))
    assert q == pytest.approx(1.75)
    assert df == 1


def test_small_expected_counts_warn():
    with pytest.warns(SmallExpectedWarning, match="below 5"):
        homogeneity_tests(pd.DataFrame([[10, 1], [12, 0]]))


def test_small_expected_counts_are_returned_as_a_note():
    # Rows (10, 1) and (12, 0): totals 11 and 12, columns 22 and 1, n = 23. Expected counts
    # 11 x 22 / 23 = 10.52, 11 x 1 / 23 = 0.48, 12 x 22 / 23 = 11.48, 12 x 1 / 23 = 0.52.
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # returned, not warned
        frame, note = homogeneity_table(pd.DataFrame([[10, 1], [12, 0]]))
    assert note == "2 of 4 expected counts are below 5 (smallest 0.48); the chi-square approximation is weak"
    assert frame["n_expected_below_5"].iloc[0] == 2
    assert frame["min_expected"].iloc[0] == pytest.approx(11 / 23)
    assert homogeneity_table(COUNTS)[1] == ""


def test_table_specific_bound_wins():
    from analysis.survey.shared import select_bound

    bounds = [
        {"agency": "A", "at_most": "all_a", "why": "general"},
        {"agency": "A", "at_most": "all_a", "minus": "untrained", "table": "t8", "why": "t8 only"},
        {"agency": "B", "at_most": "all_b", "table": "t8", "why": "b in t8"},
    ]
    assert select_bound("t8", "A", bounds)["why"] == "t8 only"
    assert select_bound("t3", "A", bounds)["why"] == "general"
    assert select_bound("t3", "B", bounds) is None
    assert select_bound("t8", "C", bounds) is None


@pytest.mark.parametrize("p", [[0.01, 0.04, 0.03, 0.005], [0.5, 0.5, 0.01], [0.2], [0.03, 0.03, 0.9, 0.001, 0.04]])
def test_holm_against_statsmodels(p):
    from statsmodels.stats.multitest import multipletests

    assert holm(p) == pytest.approx(multipletests(p, method="holm")[1])
