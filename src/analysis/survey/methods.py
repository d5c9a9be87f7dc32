"""Survey cross-tabulations published as rounded percentages only.

Riksrevisionen printed agency x response tables of one-decimal percentages with no
per-agency N. This module recovers the respondent counts that can have produced each
printed row (a GRIM-style search, Brown & Heathers 2017, extended to rows that must add
up to N), estimates each share with a confidence interval, and tests differences between
agencies on the reconstructed counts.

All searches use exact integer arithmetic: a count ``c`` of ``n`` rounds to the printed
percent ``P / 10**d`` when ``(2P - 1) n <= 2 * 100 * 10**d * c <= (2P + 1) n``, with the
two boundary cases (an exact tie at ``x,x5``) decided by the rounding rule.

References
----------
Brown, N. J. L. & Heathers, J. A. J. (2017). The GRIM test. Social Psychological and
Personality Science 8, 363-369.
Agresti, A. (2013). Categorical Data Analysis, 3rd ed., section 8.4 (mean-score test for
ordered responses and nominal groups) and 3.1 (Pearson chi-square).
Fréchet, M. (1951). Sur les tableaux de corrélation dont les marges sont données. Ann.
Univ. Lyon A 14, 53-77 (bounds on a joint table with given margins).
Brunner, E. & Munzel, U. (2000). The nonparametric Behrens-Fisher problem. Biometrical
Journal 42, 17-25.
Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scand. J.
Statist. 6, 65-70.
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from analysis.core.contingency import pearson_chi2
from analysis.core.proportions import proportion_ci

ROUNDING_RULES = ("half_up", "half_even")


class SmallExpectedWarning(UserWarning):
    """Expected counts below 5: the chi-square approximation is weak."""


def count_range(scaled: int, decimals: int, n: int, rule: str) -> tuple[int, int]:
    """Integer counts ``c`` of ``n`` whose percentage rounds to the printed value.

    Parameters
    ----------
    scaled : int
        The printed percent times ``10**decimals`` (``44,5 %`` with one decimal -> 445).
    decimals : int
        Printed decimals.
    n : int
        Denominator.
    rule : {"half_up", "half_even"}
        How the publisher rounded an exact tie.

    Returns
    -------
    (lo, hi)
        Inclusive range; empty when ``lo > hi``.
    """
    if rule not in ROUNDING_RULES:
        raise ValueError(f"unknown rounding rule {rule!r}; expected one of {ROUNDING_RULES}")
    m = 2 * 100 * 10**decimals  # x = 100 * 10**d * c / n; compare 2x with 2P +- 1 in integers
    lo_num, hi_num = (2 * scaled - 1) * n, (2 * scaled + 1) * n
    lo = -(-lo_num // m)  # ceil: smallest c with m*c >= (2P-1)n
    hi = hi_num // m  # floor: largest c with m*c <= (2P+1)n
    even = scaled % 2 == 0
    # Exact ties: x = P - 0.5 rounds up to P under half-up, and to P under half-even only
    # if P is even; x = P + 0.5 rounds away from P under half-up, and stays at P under
    # half-even only if P is even.
    if lo * m == lo_num and rule == "half_even" and not even:
        lo += 1
    if hi * m == hi_num and (rule == "half_up" or not even):
        hi -= 1
    return max(lo, 0), min(hi, n)


def round_percent(c: int, n: int, decimals: int, rule: str) -> int:
    """The printed (scaled) percent of ``c / n`` under ``rule``; exact integer arithmetic."""
    num, den = 100 * 10**decimals * c, n
    q, r = divmod(2 * num, 2 * den)  # num/den = q + r/(2 den)
    if 2 * r > 2 * den or (2 * r == 2 * den and (rule == "half_up" or q % 2 == 1)):
        return q + 1
    return q


@dataclass(frozen=True)
class RowRecovery:
    """Feasible denominators of one printed row."""

    feasible: tuple[int, ...]
    counts_at_min: tuple[int, ...] | None


def count_ranges_vector(scaled: int, decimals: int, n: np.ndarray, rule: str) -> tuple[np.ndarray, np.ndarray]:
    """:func:`count_range` for many denominators at once (same exact integer arithmetic)."""
    m = 2 * 100 * 10**decimals
    lo_num, hi_num = (2 * scaled - 1) * n, (2 * scaled + 1) * n
    lo = -(-lo_num // m)
    hi = hi_num // m
    even = scaled % 2 == 0
    if rule == "half_even" and not even:
        lo = lo + (lo * m == lo_num)
    if rule == "half_up" or not even:
        hi = hi - (hi * m == hi_num)
    return np.maximum(lo, 0), np.minimum(hi, n)


def recover_row(scaled: list[int], decimals: int, n_max: int, rule: str, n_min: int = 1) -> RowRecovery:
    """All N in ``[n_min, n_max]`` for which integer counts round to every printed percent
    of the row and add up to N, with the counts at the smallest such N.

    The counts at the smallest N are made deterministic by taking each cell's lowest
    feasible count and giving the remainder to the cells in printed order.
    """
    if rule not in ROUNDING_RULES:
        raise ValueError(f"unknown rounding rule {rule!r}; expected one of {ROUNDING_RULES}")
    n = np.arange(max(n_min, 1), n_max + 1, dtype=np.int64)
    ok = np.ones(len(n), dtype=bool)
    lo_sum = np.zeros(len(n), dtype=np.int64)
    hi_sum = np.zeros(len(n), dtype=np.int64)
    for s in scaled:
        lo, hi = count_ranges_vector(s, decimals, n, rule)
        ok &= lo <= hi
        lo_sum += lo
        hi_sum += hi
    ok &= (lo_sum <= n) & (n <= hi_sum)
    feasible = tuple(int(x) for x in n[ok])
    counts_at_min = counts_for(scaled, decimals, feasible[0], rule) if feasible else None
    return RowRecovery(feasible, counts_at_min)


def counts_for(scaled: list[int], decimals: int, n: int, rule: str) -> tuple[int, ...] | None:
    """Integer counts at denominator ``n`` that round to every printed percent and add up
    to ``n`` (each cell's lowest count, the remainder given in printed order), or None."""
    ranges = [count_range(s, decimals, n, rule) for s in scaled]
    if any(lo > hi for lo, hi in ranges):
        return None
    lo_sum, hi_sum = sum(lo for lo, _ in ranges), sum(hi for _, hi in ranges)
    if not lo_sum <= n <= hi_sum:
        return None
    counts = [lo for lo, _ in ranges]
    rest = n - lo_sum
    for i, (lo, hi) in enumerate(ranges):
        add = min(rest, hi - lo)
        counts[i] += add
        rest -= add
    return tuple(counts)


def compact_ranges(values: tuple[int, ...] | list[int]) -> str:
    """``[3, 4, 5, 9]`` -> ``"3-5, 9"``."""
    out = []
    for _, grp in itertools.groupby(enumerate(values), key=lambda t: t[1] - t[0]):
        run = [v for _, v in grp]
        out.append(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}")
    return ", ".join(out)


def cramers_v(chi2: float, n: float, shape: tuple[int, int]) -> float:
    """Cramér's V = sqrt(chi2 / (n * (min(r, c) - 1)))."""
    k = min(shape) - 1
    return math.sqrt(chi2 / (n * k)) if k > 0 and n > 0 else float("nan")


def mean_score_test(counts: np.ndarray, scores: np.ndarray | None = None) -> tuple[float, int]:
    """CMH mean-score statistic for nominal rows and ordered columns (Agresti 2013, 8.4).

    ``Q = (n - 1) * sum_i n_i (mean_i - mean)^2 / sum_j n_j (a_j - mean)^2`` with column
    scores ``a_j`` (default: mid-ranks, which makes Q the tie-corrected Kruskal-Wallis H).
    Chi-square with ``rows - 1`` degrees of freedom.
    """
    counts = np.asarray(counts, dtype=float)
    col_tot = counts.sum(axis=0)
    n = counts.sum()
    if scores is None:
        cum = np.cumsum(col_tot)
        scores = cum - (col_tot - 1) / 2  # mid-ranks of each category
    scores = np.asarray(scores, dtype=float)
    mean = (scores * col_tot).sum() / n
    row_tot = counts.sum(axis=1)
    row_mean = (counts * scores).sum(axis=1) / row_tot
    ss_total = (col_tot * (scores - mean) ** 2).sum()
    q = (n - 1) * (row_tot * (row_mean - mean) ** 2).sum() / ss_total
    return float(q), counts.shape[0] - 1


def homogeneity_statistics(stack: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pearson's chi-square and the mean-score statistic for many count tables at once.

    ``stack`` is ``K x rows x categories`` (one table per choice of denominators, with the
    same rows and categories); categories nobody chose in a table contribute nothing.
    Returns the two statistics as arrays of length K (the same values as
    ``scipy.stats.chi2_contingency`` and :func:`mean_score_test` on each table, which the
    tests check), computed without a Python loop so that thousands of denominator choices
    cost milliseconds.
    """
    t = np.asarray(stack, dtype=float)
    n = t.sum(axis=(1, 2))
    rows, cols = t.sum(axis=2), t.sum(axis=1)
    expected = rows[:, :, None] * cols[:, None, :] / n[:, None, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        chi2 = np.where(expected > 0, (t - expected) ** 2 / expected, 0.0).sum(axis=(1, 2))
    scores = np.cumsum(cols, axis=1) - (cols - 1) / 2  # mid-ranks per table
    mean = (scores * cols).sum(axis=1) / n
    row_mean = (t * scores[:, None, :]).sum(axis=2) / rows
    ss_total = (cols * (scores - mean[:, None]) ** 2).sum(axis=1)
    q = (n - 1) * (rows * (row_mean - mean[:, None]) ** 2).sum(axis=1) / ss_total
    return chi2, q


def small_expected_note(expected: np.ndarray) -> str:
    """The diagnostic for expected counts below 5 ("" when there are none)."""
    small = int((expected < 5).sum())
    if not small:
        return ""
    return (
        f"{small} of {expected.size} expected counts are below 5 (smallest {expected.min():.2f}); "
        "the chi-square approximation is weak"
    )


def homogeneity_table(counts: pd.DataFrame, ordinal: bool = True) -> tuple[pd.DataFrame, str]:
    """Chi-square test of homogeneity (and the ordinal mean-score test) on a count table.

    Both tests treat the rows as independent samples. When the same respondents answer
    every row (agencies rated by one set of service handlers) that is an assumption the
    published margins cannot check: the p-values describe how different the row
    distributions are on the scale of an independent-samples test, not a valid paired
    test (which needs the joint answers, i.e. microdata).

    Parameters
    ----------
    counts : DataFrame
        Rows are groups (agencies), columns response categories in printed order.
    ordinal : bool
        Also run the mean-score test (columns are ordered).

    Returns
    -------
    (DataFrame, str)
        ``test, statistic, df, p_value, cramers_v, min_expected, n_expected_below_5, n``
        (one row per test), and the note on small expected counts
        (:func:`small_expected_note`, "" if none). The note is returned, not warned, so
        that callers in threads need no ``warnings.catch_warnings`` (not thread-safe).
    """
    table = counts.to_numpy(dtype=float)
    keep = table.sum(axis=0) > 0  # a category nobody chose carries no information
    table = table[:, keep]
    n = table.sum()
    chi2, dof, expected = pearson_chi2(table)
    small = int((expected < 5).sum())
    tests = [("chi_square_homogeneity", chi2, dof)]
    if ordinal:
        q, qdf = mean_score_test(table)
        tests.append(("mean_score_ordinal", q, qdf))
    rows = [
        {
            "test": name,
            "statistic": stat,
            "df": int(df),
            "p_value": float(special.chdtrc(df, stat)),
            "cramers_v": cramers_v(chi2, n, table.shape) if name == "chi_square_homogeneity" else np.nan,
            "min_expected": float(expected.min()),
            "n_expected_below_5": small,
            "n": int(n),
        }
        for name, stat, df in tests
    ]
    return pd.DataFrame.from_records(rows), small_expected_note(expected)


def homogeneity_tests(counts: pd.DataFrame, ordinal: bool = True) -> pd.DataFrame:
    """:func:`homogeneity_table` that warns (:class:`SmallExpectedWarning`) instead of
    returning the note on small expected counts."""
    frame, note = homogeneity_table(counts, ordinal)
    if note:
        warnings.warn(note, SmallExpectedWarning, stacklevel=2)
    return frame


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjusted p-values (Holm 1979).

    Sorted ascending, the k-th smallest (k = 0, 1, ...) becomes ``(m - k) p_(k)``, made
    monotone by a running maximum and capped at 1. (statsmodels' ``multipletests``
    computes the same but forces a garbage collection on every call, which costs about
    50 ms inside a long-lived process; the tests compare the two.)
    """
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p, kind="stable")
    m = len(p)
    adjusted = np.minimum(np.maximum.accumulate((m - np.arange(m)) * p[order]), 1.0)
    out = np.empty(m)
    out[order] = adjusted
    return out


VERDICTS = ("every_joint_table", "no_joint_table", "depends_on_joint_table")
"""Verdicts of a paired comparison from margins only: significant whatever the joint
table, under none of them, or significant under some joint tables and not others."""


def paired_share_bounds(x_a, n_a, x_b, n_b, confidence: float = 0.95, comparisons: int = 1) -> dict[str, np.ndarray]:
    """Bounds on the paired comparison of two shares whose joint table is unknown.

    The same respondents give both answers (agency A and agency B rated by one service
    handler), but only the margins ``x_a / n_a`` and ``x_b / n_b`` are published. The
    variance of ``d = p_a - p_b`` is

    ``Var(d) = p_a q_a / n_a + p_b q_b / n_b - 2 m (pi_11 - p_a p_b) / (n_a n_b)``

    with ``m`` respondents answering both and ``pi_11`` the share of them positive on
    both. ``pi_11`` is bounded by the Fréchet bounds ``max(0, p_a + p_b - 1) <= pi_11 <=
    min(p_a, p_b)``; the covariance term is linear in ``m (pi_11 - p_a p_b)``, so the
    extremes of the variance lie at full overlap ``m = min(n_a, n_b)`` with ``pi_11`` at
    either Fréchet bound (the respondents in the overlap are assumed to have the published
    margins). With ``n_a = n_b = n`` this is the variance of the paired (McNemar-type)
    difference ``(p_10 + p_01 - d^2) / n`` over every joint 2 x 2 table with the two
    margins. Independent samples (``pi_11 = p_a p_b``) lie in between.

    The Wald statistic ``z = d / se`` and the interval ``d +- z_(1 - a/2) se`` come from
    the same variance, at the Bonferroni level ``a = (1 - confidence) / comparisons``, so
    an interval excludes 0 exactly when the test rejects. The outer interval (largest
    variance) contains every interval a joint table allows; the inner one (smallest
    variance) is contained in every one.

    Parameters
    ----------
    x_a, n_a, x_b, n_b : array-like
        Positive counts and denominators of the two rows.
    confidence : float
        Family-wise coverage of the intervals.
    comparisons : int
        Number of comparisons in the family (Bonferroni).

    Returns
    -------
    dict of arrays
        ``difference, se_min, se_max, se_independent, z_min, z_max, z_independent,
        p_min, p_max, p_independent`` (two-sided, unadjusted), ``lower_outer,
        upper_outer, lower_inner, upper_inner`` (level ``1 - a``), ``verdict``
        (:data:`VERDICTS`: significant at level ``a`` under every joint table, none, or
        it depends on the joint table).

    References
    ----------
    Fréchet, M. (1951). Sur les tableaux de corrélation dont les marges sont données.
    Ann. Univ. Lyon A 14, 53-77. Agresti (2013), section 11.1 (paired proportions).
    """
    x_a, n_a, x_b, n_b = (np.asarray(v, dtype=float) for v in (x_a, n_a, x_b, n_b))
    if np.any(n_a <= 0) or np.any(n_b <= 0):
        raise ValueError("denominators must be positive")
    if np.any((x_a < 0) | (x_a > n_a) | (x_b < 0) | (x_b > n_b)):
        raise ValueError("counts must lie between 0 and their denominator")
    if comparisons < 1:
        raise ValueError("comparisons must be at least 1")
    p_a, p_b = x_a / n_a, x_b / n_b
    d = p_a - p_b
    m = np.minimum(n_a, n_b)
    var_ind = p_a * (1 - p_a) / n_a + p_b * (1 - p_b) / n_b
    lo11, hi11 = np.maximum(0.0, p_a + p_b - 1), np.minimum(p_a, p_b)
    scale = 2 * m / (n_a * n_b)
    # Clip tiny negative round-off (the variance is >= 0 for every joint table).
    var_min = np.maximum(var_ind - scale * (hi11 - p_a * p_b), 0.0)
    var_max = np.maximum(var_ind - scale * (lo11 - p_a * p_b), 0.0)
    se_min, se_max, se_ind = np.sqrt(var_min), np.sqrt(var_max), np.sqrt(var_ind)
    alpha = (1 - confidence) / comparisons
    crit = -special.ndtri(alpha / 2)

    def z_of(se):
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(d == 0, 0.0, np.abs(d) / se)
        return np.where(np.isnan(z), 0.0, z)

    z_min, z_max, z_ind = z_of(se_max), z_of(se_min), z_of(se_ind)
    verdict = np.where(z_min > crit, VERDICTS[0], np.where(z_max > crit, VERDICTS[2], VERDICTS[1]))
    return {
        "difference": d,
        "se_min": se_min,
        "se_max": se_max,
        "se_independent": se_ind,
        "z_min": z_min,
        "z_max": z_max,
        "z_independent": z_ind,
        "p_min": 2 * special.ndtr(-z_max),
        "p_max": 2 * special.ndtr(-z_min),
        "p_independent": 2 * special.ndtr(-z_ind),
        "lower_outer": d - crit * se_max,
        "upper_outer": d + crit * se_max,
        "lower_inner": d - crit * se_min,
        "upper_inner": d + crit * se_min,
        "verdict": verdict,
    }


def mcnemar_bounds(x_a, x_b, n) -> dict[str, np.ndarray]:
    """Range of McNemar's statistic over every joint 2 x 2 table with the given margins.

    With ``n`` respondents answering both items, ``x_a`` positive on A and ``x_b`` on B,
    the discordant counts satisfy ``n_10 - n_01 = x_a - x_b`` and ``n_10 + n_01 = x_a +
    x_b - 2 n_11`` with ``max(0, x_a + x_b - n) <= n_11 <= min(x_a, x_b)`` (Fréchet).
    ``X^2 = (n_10 - n_01)^2 / (n_10 + n_01)`` (no continuity correction) is therefore
    largest with the fewest discordant pairs, ``|x_a - x_b|``, and smallest with the most,
    ``min(x_a + x_b, 2n - x_a - x_b)``. Only defined when both rows have the same N.

    Returns
    -------
    dict of arrays
        ``statistic_min, statistic_max, p_min, p_max`` (chi-square, 1 df; a statistic of
        0 where ``x_a = x_b``).

    References
    ----------
    McNemar, Q. (1947). Note on the sampling error of the difference between correlated
    proportions or percentages. Psychometrika 12, 153-157.
    """
    x_a, x_b, n = (np.asarray(v, dtype=float) for v in (x_a, x_b, n))
    if np.any((x_a < 0) | (x_a > n) | (x_b < 0) | (x_b > n)):
        raise ValueError("counts must lie between 0 and n")
    d2 = (x_a - x_b) ** 2
    fewest = np.abs(x_a - x_b)
    most = np.minimum(x_a + x_b, 2 * n - x_a - x_b)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat_max = np.where(d2 == 0, 0.0, d2 / fewest)
        stat_min = np.where(d2 == 0, 0.0, d2 / most)
    return {
        "statistic_min": stat_min,
        "statistic_max": stat_max,
        "p_min": special.chdtrc(1, stat_max),
        "p_max": special.chdtrc(1, stat_min),
    }


def brunner_munzel_grouped(counts_a, counts_b, confidence: float = 0.95) -> dict[str, float]:
    """Probability of superiority of ordered categories with the Brunner-Munzel interval.

    ``ps = P(A < B) + P(A = B) / 2`` for one answer drawn from each row, with categories
    in printed order (score 1 = most positive, so ``ps`` is the probability that A is
    rated more positively than B, ties halved); Cliff's delta is ``2 ps - 1``. The
    standard error is Brunner & Munzel's (2000), computed from mid-ranks of the grouped
    counts (ties handled exactly), with the Welch-Satterthwaite degrees of freedom and a
    t interval, as ``scipy.stats.brunnermunzel`` tests it. It assumes independent
    samples: for rows answered by the same respondents the joint answers are needed.

    Returns
    -------
    dict
        ``ps, ps_lower, ps_upper, delta, delta_lower, delta_upper, statistic, df,
        p_value`` (NaN where both rows fall in one category and the variance is 0).

    References
    ----------
    Brunner, E. & Munzel, U. (2000). The nonparametric Behrens-Fisher problem. Biometrical
    Journal 42, 17-25. Cliff, N. (1993). Dominance statistics. Psychological Bulletin
    114, 494-509.
    """
    a, b = np.asarray(counts_a, dtype=float), np.asarray(counts_b, dtype=float)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError("the two rows need the same categories")
    if np.any(a < 0) or np.any(b < 0):
        raise ValueError("counts must not be negative")
    na, nb = a.sum(), b.sum()
    if na < 2 or nb < 2:
        raise ValueError("each row needs at least two answers")

    def midranks(c):
        cum = np.cumsum(c)
        return cum - (c - 1) / 2  # mid-rank of each category within counts c

    rc = midranks(a + b)  # combined ranks by category
    ra, rb = midranks(a), midranks(b)
    mean_ca, mean_cb = (a * rc).sum() / na, (b * rc).sum() / nb
    ps = (mean_cb - (nb + 1) / 2) / na  # P(A < B) + P(A = B) / 2
    dev_a = rc - ra - mean_ca + (na + 1) / 2
    dev_b = rc - rb - mean_cb + (nb + 1) / 2
    s_a = (a * dev_a**2).sum() / (na - 1)
    s_b = (b * dev_b**2).sum() / (nb - 1)
    var = na * s_a + nb * s_b
    nan = float("nan")
    if var <= 0:
        return dict.fromkeys(
            ("ps", "ps_lower", "ps_upper", "delta", "delta_lower", "delta_upper", "statistic", "df", "p_value"), nan
        ) | {"ps": float(ps), "delta": float(2 * ps - 1)}
    se = math.sqrt(var) / (na * nb)
    df = var**2 / ((na * s_a) ** 2 / (na - 1) + (nb * s_b) ** 2 / (nb - 1))
    t = (ps - 0.5) / se
    # scipy.special's t quantile and tail (what scipy.stats.t computes, without its
    # per-call overhead: this runs for every pair of every table and scenario).
    crit = float(special.stdtrit(df, 1 - (1 - confidence) / 2))
    lo, hi = max(ps - crit * se, 0.0), min(ps + crit * se, 1.0)
    return {
        "ps": float(ps),
        "ps_lower": float(lo),
        "ps_upper": float(hi),
        "delta": float(2 * ps - 1),
        "delta_lower": float(2 * lo - 1),
        "delta_upper": float(2 * hi - 1),
        "statistic": float(t),
        "df": float(df),
        "p_value": float(2 * special.stdtr(df, -abs(t))),
    }


def share_estimates(counts: pd.Series, n: int, method: str, confidence: float) -> pd.DataFrame:
    """Share of each category with its confidence interval (columns ``share, lower, upper``)."""
    rows = []
    for cat, c in counts.items():
        lo, hi = proportion_ci(c, n, method, confidence)
        rows.append({"category": cat, "count": int(c), "n": int(n), "share": c / n, "lower": lo, "upper": hi})
    return pd.DataFrame.from_records(rows)
