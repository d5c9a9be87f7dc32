"""Inference from published margins: Fréchet bounds on paired comparisons, the
Brunner-Munzel probability of superiority, vectorised intervals, denominator scenarios
and middle codings, each against an independent computation (brute-force enumeration of
joint tables, scipy, statsmodels, hand calculations)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import proportion_confint

from analysis.core.proportions import proportion_ci_array
from analysis.survey.analysis import pick_n, positive_mask
from analysis.survey.methods import (
    VERDICTS,
    brunner_munzel_grouped,
    homogeneity_statistics,
    mcnemar_bounds,
    mean_score_test,
    paired_share_bounds,
)
from analysis.survey.shared import natural_key


def joint_tables(x_a: int, x_b: int, n: int):
    """Every 2 x 2 table of n respondents with margins x_a (positive on A) and x_b (on B)."""
    for n11 in range(n + 1):
        n10, n01 = x_a - n11, x_b - n11
        n00 = n - n11 - n10 - n01
        if min(n10, n01, n00) >= 0:
            yield n11, n10, n01, n00


def microdata_variance(n11: int, n10: int, n01: int, n00: int) -> float:
    """Var of the paired difference of two shares from respondent-level answers:
    var(a_i - b_i) / n, numpy on the expanded microdata."""
    a = np.repeat([1, 1, 0, 0], [n11, n10, n01, n00])
    b = np.repeat([1, 0, 1, 0], [n11, n10, n01, n00])
    return float(np.var(a - b) / len(a))


@pytest.mark.parametrize("n", [1, 2, 5, 9, 14])
def test_frechet_bounds_equal_brute_force_over_every_joint_table(n):
    for x_a, x_b in itertools.product(range(n + 1), repeat=2):
        variances = [microdata_variance(*t) for t in joint_tables(x_a, x_b, n)]
        b = paired_share_bounds([x_a], [n], [x_b], [n])
        assert b["se_min"][0] ** 2 == pytest.approx(min(variances), abs=1e-12)
        assert b["se_max"][0] ** 2 == pytest.approx(max(variances), abs=1e-12)
        # Independent samples lie inside the bounds.
        assert b["se_min"][0] - 1e-12 <= b["se_independent"][0] <= b["se_max"][0] + 1e-12


def test_statistic_bounds_contain_every_joint_tables_statistic_and_mcnemar_ordering():
    # n = 40, 28 positive on A and 20 on B: every joint table's Wald statistic lies within
    # [z_min, z_max], and both ends are attained. McNemar's statistic (statsmodels) is
    # monotone in the discordant count too, largest where our z is largest.
    n, x_a, x_b = 40, 28, 20
    b = paired_share_bounds([x_a], [n], [x_b], [n])
    d = (x_a - x_b) / n
    zs, chi = [], []
    for t in joint_tables(x_a, x_b, n):
        zs.append(abs(d) / math.sqrt(microdata_variance(*t)))
        chi.append(mcnemar([[t[0], t[1]], [t[2], t[3]]], exact=False, correction=False).statistic)
    assert min(zs) == pytest.approx(b["z_min"][0]) and max(zs) == pytest.approx(b["z_max"][0])
    assert int(np.argmax(zs)) == int(np.argmax(chi)) and int(np.argmin(zs)) == int(np.argmin(chi))
    assert b["p_max"][0] == pytest.approx(2 * stats.norm.sf(b["z_min"][0]))


@pytest.mark.parametrize("n", [1, 3, 8, 13])
def test_mcnemar_bounds_equal_statsmodels_over_every_joint_table(n):
    for x_a, x_b in itertools.product(range(n + 1), repeat=2):
        chi = []
        for n11, n10, n01, n00 in joint_tables(x_a, x_b, n):
            if n10 + n01 == 0:
                chi.append(0.0)  # no discordant pair: no evidence of a difference
                continue
            res = mcnemar([[n11, n10], [n01, n00]], exact=False, correction=False)
            chi.append(float(res.statistic))
        b = mcnemar_bounds([x_a], [x_b], [n])
        assert b["statistic_min"][0] == pytest.approx(min(chi))
        assert b["statistic_max"][0] == pytest.approx(max(chi))
        assert b["p_max"][0] == pytest.approx(stats.chi2.sf(min(chi), 1))


def test_outer_interval_covers_under_strong_dependence_simulation():
    # Known truth: 300 respondents, P(A positive) = 0.6, P(B positive) = 0.5, and the
    # joint table at the negative Fréchet bound (pi_11 = 0.1), where the paired variance
    # is largest. The outer interval (largest variance over every joint table) must hold
    # its 95 % coverage; the independent-samples interval is too narrow here.
    rng = np.random.default_rng(1947)
    n, reps = 300, 4000
    cells = rng.multinomial(n, [0.1, 0.5, 0.4, 0.0], size=reps)  # n11, n10, n01, n00
    x_a, x_b = cells[:, 0] + cells[:, 1], cells[:, 0] + cells[:, 2]
    b = paired_share_bounds(x_a, np.full(reps, n), x_b, np.full(reps, n))
    outer = np.mean((b["lower_outer"] <= 0.1) & (b["upper_outer"] >= 0.1))
    z = stats.norm.isf(0.025)
    ind = np.mean(np.abs(b["difference"] - 0.1) <= z * b["se_independent"])
    assert outer >= 0.94  # nominal 0.95, Monte Carlo error about 0.0035
    assert ind < 0.9  # about 0.85: treating the rows as independent understates the variance


def test_unequal_denominators_by_hand():
    # n_a = 100, p_a = 0.6; n_b = 50, p_b = 0.5; full overlap m = 50.
    # Independent: 0.24/100 + 0.25/50 = 0.0074. Covariance term 2 m (pi11 - pa pb)/(na nb):
    # pi11 = min(0.6, 0.5) = 0.5 -> 100 x 0.2 / 5000 = 0.004 -> var_min = 0.0034;
    # pi11 = max(0, 0.1) = 0.1 -> 100 x (-0.2) / 5000 = -0.004 -> var_max = 0.0114.
    b = paired_share_bounds([60], [100], [25], [50])
    assert b["se_independent"][0] ** 2 == pytest.approx(0.0074)
    assert b["se_min"][0] ** 2 == pytest.approx(0.0034)
    assert b["se_max"][0] ** 2 == pytest.approx(0.0114)


def test_intervals_and_verdicts_come_from_one_method_with_bonferroni():
    rng = np.random.default_rng(20220401)
    n = rng.integers(20, 600, 400)
    x_a = rng.integers(0, n + 1)
    x_b = rng.integers(0, n + 1)
    b = paired_share_bounds(x_a, n, x_b, n, confidence=0.95, comparisons=10)
    crit = stats.norm.isf(0.05 / 10 / 2)  # Bonferroni over 10 comparisons
    assert b["upper_outer"] - b["difference"] == pytest.approx(crit * b["se_max"])
    outer_excludes = (b["lower_outer"] > 0) | (b["upper_outer"] < 0)
    inner_excludes = (b["lower_inner"] > 0) | (b["upper_inner"] < 0)
    assert np.array_equal(outer_excludes, b["verdict"] == VERDICTS[0])
    assert np.array_equal(~inner_excludes, b["verdict"] == VERDICTS[1])
    assert np.array_equal(b["p_max"] * 10 < 0.05, b["verdict"] == VERDICTS[0])
    assert set(b["verdict"]) == set(VERDICTS)  # the sample exercises all three


def test_paired_bounds_edge_cases_and_bad_input():
    b = paired_share_bounds([5], [10], [5], [10])  # no difference: never significant
    assert b["z_max"][0] == 0 and b["verdict"][0] == VERDICTS[1]
    b = paired_share_bounds([10], [10], [0], [10])  # 100 % vs 0 %: every table is discordant
    assert b["se_min"][0] == 0 and b["verdict"][0] == VERDICTS[0]
    with pytest.raises(ValueError, match="between 0"):
        paired_share_bounds([11], [10], [1], [10])
    with pytest.raises(ValueError, match="positive"):
        paired_share_bounds([0], [0], [1], [10])


def expand(counts) -> np.ndarray:
    return np.repeat(np.arange(len(counts)), counts)


@pytest.mark.parametrize(
    "a,b",
    [
        ([30, 40, 20, 10], [15, 35, 30, 20]),
        ([240, 251, 48], [311, 196, 32]),
        ([3, 0, 21, 13, 22], [10, 18, 12, 5, 0]),
        ([5, 5], [9, 1]),
    ],
)
def test_brunner_munzel_against_scipy_and_brute_force(a, b):
    res = brunner_munzel_grouped(a, b)
    x, y = expand(a), expand(b)
    ref = stats.brunnermunzel(x, y)
    assert res["statistic"] == pytest.approx(ref.statistic)
    assert res["p_value"] == pytest.approx(ref.pvalue)
    # Probability of superiority by enumerating every pair of answers.
    diff = np.subtract.outer(x, y)
    assert res["ps"] == pytest.approx(((diff < 0).sum() + 0.5 * (diff == 0).sum()) / diff.size)
    assert res["delta"] == pytest.approx(2 * res["ps"] - 1)
    # Interval from the same t statistic: se from scipy's statistic, df from the
    # Welch-Satterthwaite formula on the expanded data's placements.
    se = (res["ps"] - 0.5) / ref.statistic
    rc = stats.rankdata(np.concatenate([x, y]))
    px = rc[: len(x)] - stats.rankdata(x)
    py = rc[len(x) :] - stats.rankdata(y)
    sx, sy = np.var(px, ddof=1), np.var(py, ddof=1)
    df = (len(x) * sx + len(y) * sy) ** 2 / ((len(x) * sx) ** 2 / (len(x) - 1) + (len(y) * sy) ** 2 / (len(y) - 1))
    half = stats.t.ppf(0.975, df) * se
    assert res["ps_lower"] == pytest.approx(max(0.0, res["ps"] - half))
    assert res["ps_upper"] == pytest.approx(min(1.0, res["ps"] + half))
    assert (res["p_value"] < 0.05) == (res["ps_lower"] > 0.5 or res["ps_upper"] < 0.5)


def test_brunner_munzel_degenerate_and_bad_input():
    res = brunner_munzel_grouped([4, 0], [4, 0])  # both rows in one category: no variance
    assert res["ps"] == 0.5 and math.isnan(res["p_value"])
    with pytest.raises(ValueError, match="same categories"):
        brunner_munzel_grouped([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="two answers"):
        brunner_munzel_grouped([1, 0], [3, 2])


@pytest.mark.parametrize(
    "method,sm", [("wilson", "wilson"), ("agresti_coull", "agresti_coull"), ("clopper_pearson", "beta")]
)
def test_vectorised_intervals_against_statsmodels(method, sm):
    c = np.array([0, 1, 13, 65, 239, 538, 539])
    n = np.array([539, 10, 146, 146, 539, 539, 539])
    lo, hi = proportion_ci_array(c, n, method, 0.9)
    ref_lo, ref_hi = proportion_confint(c, n, alpha=0.1, method=sm)
    assert lo == pytest.approx(np.clip(ref_lo, 0, 1), abs=1e-10)
    assert hi == pytest.approx(np.clip(ref_hi, 0, 1), abs=1e-10)


def test_pick_n_and_middle_coding():
    assert [pick_n((139, 201, 219, 539), h) for h in ("smallest", "largest", "median")] == [139, 539, 201]
    assert pick_n((), "largest") is None
    with pytest.raises(ValueError, match="unknown denominator"):
        pick_n((1,), "mean")
    cats = ["Instämmer helt", "Instämmer delvis", "Tar delvis avstånd", "Tar helt avstånd"]
    dirs = ["positive", "positive", "negative", "negative"]
    middle = {"Instämmer delvis"}
    assert positive_mask(cats, dirs, "positive", middle).tolist() == [True, True, False, False]
    assert positive_mask(cats, dirs, "negative", middle).tolist() == [True, False, False, False]
    with pytest.raises(ValueError, match="unknown middle coding"):
        positive_mask(cats, dirs, "half", middle)


def test_natural_sort():
    assert sorted(["tabell_10", "tabell_9", "tabell_3"], key=natural_key) == ["tabell_3", "tabell_9", "tabell_10"]


def test_batched_homogeneity_statistics_equal_scipy_and_the_mean_score_test():
    rng = np.random.default_rng(7)
    stack = rng.integers(0, 60, size=(25, 5, 4))
    stack[3, :, 2] = 0  # a category nobody chose in one table
    chi2, q = homogeneity_statistics(stack)
    for k, table in enumerate(stack):
        kept = table[:, table.sum(axis=0) > 0]
        assert chi2[k] == pytest.approx(stats.chi2_contingency(kept, correction=False)[0])
        assert q[k] == pytest.approx(mean_score_test(kept)[0])
