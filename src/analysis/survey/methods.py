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
Rao, J. N. K. & Scott, A. J. (1981). The analysis of categorical data from complex
sample surveys. JASA 76, 221-230 (first-order design-effect correction X^2 / deff).
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
from scipy import stats

from analysis.core.proportions import newcombe_diff_ci, proportion_ci, two_proportion_z

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


def small_expected_note(expected: np.ndarray) -> str:
    """The diagnostic for expected counts below 5 ("" when there are none)."""
    small = int((expected < 5).sum())
    if not small:
        return ""
    return (
        f"{small} of {expected.size} expected counts are below 5 (smallest {expected.min():.2f}); "
        "the chi-square approximation is weak"
    )


def homogeneity_table(
    counts: pd.DataFrame, design_effects=(1.0, 1.5, 2.0), ordinal: bool = True
) -> tuple[pd.DataFrame, str]:
    """Chi-square test of homogeneity (and the ordinal mean-score test) on a count table.

    Parameters
    ----------
    counts : DataFrame
        Rows are groups (agencies), columns response categories in printed order.
    design_effects : sequence of float
        Each statistic is divided by the design effect (first-order Rao-Scott correction)
        to show how the p-value changes if the effective sample is smaller than the count.
    ordinal : bool
        Also run the mean-score test (columns are ordered).

    Returns
    -------
    (DataFrame, str)
        ``test, statistic, df, deff, statistic_adjusted, p_value, cramers_v,
        min_expected, n_expected_below_5, n`` (one row per test and design effect), and
        the note on small expected counts (:func:`small_expected_note`, "" if none).
        The note is returned, not warned, so that callers in threads need no
        ``warnings.catch_warnings`` (which is not thread-safe).
    """
    table = counts.to_numpy(dtype=float)
    keep = table.sum(axis=0) > 0  # a category nobody chose carries no information
    table = table[:, keep]
    n = table.sum()
    chi2, _, dof, expected = stats.chi2_contingency(table, correction=False)
    small = int((expected < 5).sum())
    rows = []
    tests = [("chi_square_homogeneity", chi2, dof)]
    if ordinal:
        q, qdf = mean_score_test(table)
        tests.append(("mean_score_ordinal", q, qdf))
    for name, stat, df in tests:
        for deff in design_effects:
            adj = stat / deff
            rows.append(
                {
                    "test": name,
                    "statistic": stat,
                    "df": int(df),
                    "deff": float(deff),
                    "statistic_adjusted": adj,
                    "p_value": float(stats.chi2.sf(adj, df)),
                    "cramers_v": cramers_v(chi2, n, table.shape) if name == "chi_square_homogeneity" else np.nan,
                    "min_expected": float(expected.min()),
                    "n_expected_below_5": small,
                    "n": n,
                }
            )
    return pd.DataFrame.from_records(rows), small_expected_note(expected)


def homogeneity_tests(counts: pd.DataFrame, design_effects=(1.0, 1.5, 2.0), ordinal: bool = True) -> pd.DataFrame:
    """:func:`homogeneity_table` that warns (:class:`SmallExpectedWarning`) instead of
    returning the note on small expected counts."""
    frame, note = homogeneity_table(counts, design_effects, ordinal)
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


def pairwise_share_tests(
    success: pd.Series, n: pd.Series, design_effects=(1.0, 1.5, 2.0), confidence: float = 0.95
) -> pd.DataFrame:
    """Every pair of groups: difference in a share with Newcombe's interval, z test, Holm.

    Returns
    -------
    DataFrame
        ``group_a, group_b, share_a, share_b, difference, diff_lower, diff_upper, deff,
        z, p_value, p_holm, significant`` (Holm over all pairs at each design effect; the
        interval is for independent samples, deff 1).
    """
    rows = []
    for a, b in itertools.combinations(success.index, 2):
        d, lo, hi = newcombe_diff_ci(success[a], n[a], success[b], n[b], confidence)
        for deff in design_effects:
            z, p = two_proportion_z(success[a], n[a], success[b], n[b], deff)
            rows.append(
                {
                    "group_a": a,
                    "group_b": b,
                    "share_a": success[a] / n[a],
                    "share_b": success[b] / n[b],
                    "difference": d,
                    "diff_lower": lo,
                    "diff_upper": hi,
                    "deff": float(deff),
                    "z": z,
                    "p_value": p,
                }
            )
    out = pd.DataFrame.from_records(rows)
    out["p_holm"] = np.nan
    for deff, idx in out.groupby("deff").groups.items():
        _ = deff
        out.loc[idx, "p_holm"] = holm(out.loc[idx, "p_value"])
    out["significant"] = out["p_holm"] < 1 - confidence
    return out


def share_estimates(counts: pd.Series, n: int, method: str, confidence: float) -> pd.DataFrame:
    """Share of each category with its confidence interval (columns ``share, lower, upper``)."""
    rows = []
    for cat, c in counts.items():
        lo, hi = proportion_ci(c, n, method, confidence)
        rows.append({"category": cat, "count": int(c), "n": int(n), "share": c / n, "lower": lo, "upper": hi})
    return pd.DataFrame.from_records(rows)
