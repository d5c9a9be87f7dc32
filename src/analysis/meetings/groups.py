"""The registers of follow-up meetings by group (Bilaga 1, Tabell 2-4): shares with a
meeting, risk differences and ratios, odds ratios, the spread over groups, and how the
meetings are distributed over diagnosis groups.

The registers are whole populations: the comparisons describe the cases, and their
intervals cover only the random variation of a process that produced them (a
superpopulation view), not sampling. Cases not yet ended are censored (a meeting may still
come): they are left out of the comparisons and added back as a sensitivity.

Everything here has a closed form, so this part of the analysis needs neither statsmodels
nor scipy.stats (rule ``meetings_groups`` runs beside the models, which import both); the
tests compare each formula with statsmodels' binomial GLM and scipy.

References
----------
Woolf, B. (1955). On estimating the relation between blood group and disease. Ann. Hum.
Genet. 19, 251-253 (the log odds ratio and its standard error).
Newcombe, R. G. (1998). Interval estimation for the difference between independent
proportions. Stat. Med. 17, 873-890.
Agresti, A. (2013). Categorical Data Analysis, 3rd ed., 3.1-3.2 (Pearson chi-square,
Wald intervals for the log odds ratio and the log risk ratio).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import special

from analysis.core.contingency import pearson_chi2
from analysis.core.proportions import newcombe_diff_ci, proportion_ci


def group_shares(x: pd.Series, n: pd.Series, method: str, confidence: float) -> pd.DataFrame:
    """Share with a meeting per group with its interval (columns ``group, x, n, share, lower, upper``)."""
    rows = []
    for g in x.index:
        lo, hi = proportion_ci(x[g], n[g], method, confidence)
        rows.append({"group": g, "x": int(x[g]), "n": int(n[g]), "share": x[g] / n[g], "lower": lo, "upper": hi})
    return pd.DataFrame.from_records(rows)


def odds_ratios(x: pd.Series, n: pd.Series, reference: str, confidence: float = 0.95) -> pd.DataFrame:
    """Risk differences, risk ratios and odds ratios of having a meeting against ``reference``.

    The risk difference and risk ratio are the primary descriptions; the odds ratio is
    kept for comparison with logistic models and overstates the risk ratio when the
    outcome is common. It is what a binomial GLM (logit link) of the grouped counts on
    the group gives: with one categorical variable that model is saturated, so its
    estimate is the empirical ``(x_g/(n_g-x_g)) / (x_r/(n_r-x_r))`` and its Wald standard
    error Woolf's ``se log OR = sqrt(1/x_g + 1/(n_g-x_g) + 1/x_r + 1/(n_r-x_r))``; the p-value
    is the Wald test's (the tests compare all three with statsmodels' ``GLM``).

    Intervals: risk difference by Newcombe's hybrid score method; risk ratio and odds
    ratio by Wald on the log scale (``se log RR = sqrt(1/x_g - 1/n_g + 1/x_r - 1/n_r)``).

    Returns
    -------
    DataFrame
        ``group, odds_ratio, lower, upper, p_value, reference, share, reference_share,
        risk_difference, rd_lower, rd_upper, risk_ratio, rr_lower, rr_upper`` (``lower,
        upper`` belong to the odds ratio; risk differences are proportions; the reference
        row has 0 and 1).
    """
    if ((x <= 0) | (x >= n)).any():
        raise ValueError("a group where no case or every case had a meeting has no finite odds ratio")
    z = float(special.ndtri(0.5 + confidence / 2))
    xr, nr = float(x[reference]), float(n[reference])
    rows = [
        {
            "group": reference,
            "odds_ratio": 1.0,
            "lower": np.nan,
            "upper": np.nan,
            "p_value": np.nan,
            "reference": True,
            "share": xr / nr,
            "reference_share": xr / nr,
            "risk_difference": 0.0,
            "rd_lower": np.nan,
            "rd_upper": np.nan,
            "risk_ratio": 1.0,
            "rr_lower": np.nan,
            "rr_upper": np.nan,
        }
    ]
    for g in x.index:
        if g == reference:
            continue
        xg, ng = float(x[g]), float(n[g])
        log_or = math.log(xg / (ng - xg)) - math.log(xr / (nr - xr))
        se_or = math.sqrt(1 / xg + 1 / (ng - xg) + 1 / xr + 1 / (nr - xr))
        rd, rd_lo, rd_hi = newcombe_diff_ci(xg, ng, xr, nr, confidence)
        log_rr = math.log((xg / ng) / (xr / nr))
        se_rr = math.sqrt(1 / xg - 1 / ng + 1 / xr - 1 / nr)
        rows.append(
            {
                "group": g,
                "odds_ratio": math.exp(log_or),
                "lower": math.exp(log_or - z * se_or),
                "upper": math.exp(log_or + z * se_or),
                "p_value": float(2 * special.ndtr(-abs(log_or / se_or))),
                "reference": False,
                "share": xg / ng,
                "reference_share": xr / nr,
                "risk_difference": rd,
                "rd_lower": rd_lo,
                "rd_upper": rd_hi,
                "risk_ratio": math.exp(log_rr),
                "rr_lower": math.exp(log_rr - z * se_rr),
                "rr_upper": math.exp(log_rr + z * se_rr),
            }
        )
    order = {g: i for i, g in enumerate(x.index)}
    return pd.DataFrame.from_records(rows).sort_values("group", key=lambda s: s.map(order)).reset_index(drop=True)


def homogeneity(x: pd.Series, n: pd.Series) -> dict:
    """How much the share with a meeting varies over the groups of a whole register.

    Descriptive: the lowest and highest share, the range in percentage points, and
    Cramér's V of the groups x meeting table. The Pearson chi-square and its p-value are
    kept for comparison only: with the whole population there is no sampling for the
    p-value to describe, and with hundreds of thousands of cases it is ~0 for any
    difference.
    """
    table = np.column_stack([x.to_numpy(float), (n - x).to_numpy(float)])
    chi2, dof, expected = pearson_chi2(table)
    share = x.to_numpy(float) / n.to_numpy(float)
    return {
        "chi_square": float(chi2),
        "df": int(dof),
        "p_value": float(special.chdtrc(dof, chi2)),
        "min_expected": float(expected.min()),
        "share_min": float(share.min()),
        "share_max": float(share.max()),
        "range_points": float(100 * (share.max() - share.min())),
        "cramers_v": float(math.sqrt(chi2 / table.sum())),
    }


def group_counts(frame: pd.DataFrame, group_col: str, exclude: list[str]) -> tuple[pd.Series, pd.Series]:
    """Cases with a meeting and all cases per group of a register table (long format:
    measures ``cases`` and ``cases_with_meeting``), without the printed totals ``exclude``."""
    cases = frame[frame["measure"] == "cases"].set_index(group_col)["value"]
    with_meeting = frame[frame["measure"] == "cases_with_meeting"].set_index(group_col)["value"]
    keep = [g for g in cases.index if g not in exclude]
    return with_meeting[keep], cases[keep]


def comparisons(tid: str, var: str, x: pd.Series, n: pd.Series, settings: dict):
    """Shares, risk/odds-ratio rows and the spread of one grouping variable. Censored
    groups (cases still open) are left out of the comparisons and added back as a
    sensitivity: their own row (``censored``) and a spread row with them included."""
    censored = [g for g in x.index if g in settings["censored_groups"]]
    ended = [g for g in x.index if g not in censored]
    sh = group_shares(x, n, settings["interval_method"], settings["confidence"])
    sh.insert(0, "variable", var)
    sh.insert(0, "table_id", tid)
    sh["censored"] = sh["group"].isin(censored)
    reference = n[ended].idxmax()  # the largest group: the most precise baseline
    o = odds_ratios(x, n, reference, settings["confidence"])
    o.insert(0, "variable", var)
    o.insert(0, "table_id", tid)
    o["censored"] = o["group"].isin(censored)
    tests = []
    for included in (False, True) if censored else (False,):
        keep = list(x.index) if included else ended
        tests.append(
            {
                "table_id": tid,
                "variable": var,
                "reference": reference,
                **homogeneity(x[keep], n[keep]),
                "n": float(n[keep].sum()),
                "x": float(x[keep].sum()),
                "pooled_share": float(x[keep].sum() / n[keep].sum()),
                "censored_included": included,
            }
        )
    return sh, o, tests


def analyse_groups(
    tables: dict[str, pd.DataFrame], settings: dict, periods: dict[str, str] | None = None
) -> dict[str, pd.DataFrame]:
    """The group comparisons of the registers: {result table: frame} for
    :data:`analysis.meetings.GROUP_TABLES`.

    ``tables``: {table id: long frame} with the end-reason, group and diagnosis tables
    named in ``settings``; ``periods``: {table id: period as the sidecar states it} (for
    the diagnosis table).
    """
    end_tid, g4_tid = settings["end_reason_table"], settings["group_table"]
    x, n = group_counts(tables[end_tid], "end_reason", settings["exclude_groups"])
    variables = [(end_tid, "end_reason", x, n)]
    g4 = tables[g4_tid]
    for var in dict.fromkeys(g4["variable"]):
        x, n = group_counts(g4[g4["variable"] == var], "group", settings["exclude_groups"])
        variables.append((g4_tid, var, x, n))
    share_rows, or_rows, test_rows = [], [], []
    for tid, var, x, n in variables:
        sh, o, tests = comparisons(tid, var, x, n, settings)
        share_rows.append(sh)
        or_rows.append(o)
        test_rows.extend(tests)

    diag = tables[settings["diagnosis_table"]]
    meetings = diag[diag["measure"] == "meetings"].set_index("diagnosis_group")["value"]
    total = meetings[[g for g in meetings.index if g in settings["exclude_groups"]]].sum()
    parts = meetings[[g for g in meetings.index if g not in settings["exclude_groups"]]]
    dist = group_shares(parts, pd.Series(total, index=parts.index), settings["interval_method"], settings["confidence"])
    printed = diag[diag["measure"] == "share_of_meetings"].set_index("diagnosis_group")["printed"]
    dist["printed_percent"] = dist["group"].map(printed)
    dist.insert(0, "table_id", settings["diagnosis_table"])
    dist["period"] = (periods or {}).get(settings["diagnosis_table"], "")
    return {
        "shares": pd.concat(share_rows, ignore_index=True),
        "odds_ratios": pd.concat(or_rows, ignore_index=True),
        "group_tests": pd.DataFrame.from_records(test_rows),
        "diagnosis_meetings": dist,
    }
