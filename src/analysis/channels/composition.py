"""Arbetsförmedlingen's channel shift: Tabell 1 composition and channel indicators.

Tabell 1 counts every job seeker registered in week 5 and in week 35 of 2019 (a whole
population, not a sample) and prints subgroup shares to one decimal. Two sources of
uncertainty are kept apart:

* **printed rounding**: a share printed as 61,3 % is any share in [61,25; 61,35]; with the
  printed N that is a range of whole counts, and the population share certainly lies
  between those counts over N (``rounding_lo``, ``rounding_hi``). This is the description
  of the population;
* **sampling**, only under a *superpopulation* reading (the week's stock as one draw of
  the process that registers job seekers): Wilson intervals (Wilson 1927) for a share,
  Newcombe's hybrid score interval (Newcombe 1998, method 10) for a difference between the
  two organisations, which hold different people in the same week.

The combined interval is the union of the sampling intervals over every count the
printed share allows (Wilson and Newcombe bounds are monotone in the counts, so the union
is reached at the ends of the count ranges; a test checks this by brute force).

Week 5 and week 35 are *overlapping stocks*: many job seekers are registered in both
weeks, and Tabell 1 does not say how many, so the covariance of the two shares is
unknown. :func:`week_changes` therefore gives the change as a description (rounding
interval) and, for the superpopulation reading, the two extreme sampling intervals that
any overlap allows (Cauchy–Schwarz: the standard error of a difference lies between
``|s5 - s35|`` and ``s5 + s35``); a change is called beyond sampling noise only when the
widest of them excludes zero. An independent-samples test is not valid here and is not
computed.

The indicators use printed facts through :class:`analysis.costmodel.model.FactTable`
(point value and printed interval).
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd

from analysis.costmodel.model import FactTable

TOTAL = "Totalt"


def wilson(x, n, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval (lower, upper) for ``x`` successes in ``n`` (vectorised)."""
    x, n = np.asarray(x, dtype=float), np.asarray(n, dtype=float)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def newcombe(x1, n1, x2, n2, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's hybrid score interval (lower, upper) for ``x1/n1 - x2/n2`` (independent)."""
    p1, p2 = np.asarray(x1, float) / n1, np.asarray(x2, float) / n2
    l1, u1 = wilson(x1, n1, confidence)
    l2, u2 = wilson(x2, n2, confidence)
    d = p1 - p2
    return d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def count_range(printed: str, share: float, n: float) -> tuple[int, int]:
    """The whole counts out of ``n`` whose share rounds to the printed one (ends included).

    The half-width is half a unit of the printed last decimal (0,05 for '61,3').
    """
    decimals = len(printed.split(",")[1]) if "," in printed else 0
    half = 0.5 * 10.0**-decimals
    lo = math.ceil(round((share - half) * n / 100, 9))
    hi = math.floor(round((share + half) * n / 100, 9))
    return max(lo, 0), min(hi, int(n))


def _cells(frame: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    counts = frame[frame["measure"] == "count"].set_index(["organisation", "week"])["value"]
    pct = frame[(frame["measure"] == "percent") & frame["value"].notna()]
    return counts, pct


def shares(frame: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Every printed subgroup share with its rounding, sampling and combined interval.

    Returns
    -------
    DataFrame
        ``organisation, week, block, group, printed, share, n, count_lo, count_hi,
        rounding_lo, rounding_hi, sampling_lo, sampling_hi, lower, upper,
        rounding_fraction`` (percent). ``sampling_*`` is the Wilson interval at the
        printed share as if it were exact; ``lower``/``upper`` the union of Wilson
        intervals over ``count_lo..count_hi``; ``rounding_fraction`` the part of the
        combined width that the printed rounding alone accounts for.
    """
    counts, pct = _cells(frame)
    rows = []
    for r in pct.itertuples():
        n = float(counts[(r.organisation, r.week)])
        lo, hi = count_range(str(r.printed), float(r.value), n)
        (s_lo,), (s_hi,) = wilson([r.value * n / 100], n, confidence)
        (c_lo,), _ = wilson([lo], n, confidence)
        _, (c_hi,) = wilson([hi], n, confidence)
        rows.append(
            {
                "organisation": r.organisation,
                "week": r.week,
                "block": r.block,
                "group": r.group,
                "printed": r.printed,
                "share": float(r.value),
                "n": int(n),
                "count_lo": lo,
                "count_hi": hi,
                "rounding_lo": 100 * lo / n,
                "rounding_hi": 100 * hi / n,
                "sampling_lo": 100 * s_lo,
                "sampling_hi": 100 * s_hi,
                "lower": 100 * c_lo,
                "upper": 100 * c_hi,
                "rounding_fraction": (hi - lo) / n / (c_hi - c_lo),
            }
        )
    return pd.DataFrame.from_records(rows)


def org_differences(table: pd.DataFrame, direct: str, local: str, confidence: float = 0.95) -> pd.DataFrame:
    """Direct minus local share of each subgroup in each week (percentage points).

    ``table`` is :func:`shares`. The organisations hold different people in the same week,
    so under the superpopulation reading the two shares are independent; the interval is
    Newcombe's over every pair of counts the printed shares allow (its extremes over the
    corners of the count box).

    Returns
    -------
    DataFrame
        ``week, block, group, share_direct, share_local, diff_pp, rounding_lo,
        rounding_hi, lower, upper, n_direct, n_local``.
    """
    s = {(r["organisation"], r["week"], r["group"]): r for r in table.to_dict("records")}
    rows = []
    for r in table[table["organisation"] == direct].itertuples():
        if (local, r.week, r.group) not in s:
            continue
        b = s[(local, r.week, r.group)]
        corners = [(xa, xb) for xa in (r.count_lo, r.count_hi) for xb in (b["count_lo"], b["count_hi"])]
        xa, xb = np.array(corners, dtype=float).T
        lo, hi = newcombe(xa, r.n, xb, b["n"], confidence)
        rows.append(
            {
                "week": r.week,
                "block": r.block,
                "group": r.group,
                "share_direct": r.share,
                "share_local": float(b["share"]),
                "diff_pp": r.share - float(b["share"]),
                "rounding_lo": r.rounding_lo - b["rounding_hi"],
                "rounding_hi": r.rounding_hi - b["rounding_lo"],
                "lower": 100 * float(lo.min()),
                "upper": 100 * float(hi.max()),
                "n_direct": r.n,
                "n_local": int(b["n"]),
            }
        )
    return pd.DataFrame.from_records(rows)


def week_changes(table: pd.DataFrame, confidence: float = 0.95, first: str = "V 5", last: str = "V 35") -> pd.DataFrame:
    """Change of each subgroup share from week 5 to week 35 within an organisation.

    The two weeks' stocks overlap in people by an unknown amount. The change of the
    population share is certain to lie in ``rounding_lo..rounding_hi``. Under the
    superpopulation reading the sampling standard error of the change lies between
    ``|s5 - s35|`` (correlation +1) and ``s5 + s35`` (correlation -1) whatever the
    overlap (binomial ``s`` at the printed share); ``widest_*`` and ``narrowest_*`` add
    ``z`` times each to the rounding interval. ``conclusion``: ``beyond sampling`` when the
    widest interval excludes 0, ``within sampling`` when even the narrowest includes 0,
    ``depends on the overlap`` otherwise (not testable from the published table).

    Returns
    -------
    DataFrame
        ``organisation, block, group, share_first, share_last, change_pp, rounding_lo,
        rounding_hi, se_first, se_last, narrowest_lo, narrowest_hi, widest_lo,
        widest_hi, conclusion`` (percentage points).
    """
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    s = {(r["organisation"], r["week"], r["group"]): r for r in table.to_dict("records")}
    rows = []
    for r in table[table["week"] == last].itertuples():
        if (r.organisation, first, r.group) not in s:
            continue
        a = s[(r.organisation, first, r.group)]
        se = [100 * math.sqrt(p / 100 * (1 - p / 100) / n) for p, n in ((a["share"], a["n"]), (r.share, r.n))]
        lo, hi = r.rounding_lo - a["rounding_hi"], r.rounding_hi - a["rounding_lo"]
        narrow, wide = z * abs(se[0] - se[1]), z * (se[0] + se[1])
        if lo - wide > 0 or hi + wide < 0:
            conclusion = "beyond sampling"
        elif lo - narrow <= 0 <= hi + narrow:
            conclusion = "within sampling"
        else:
            conclusion = "depends on the overlap"
        rows.append(
            {
                "organisation": r.organisation,
                "block": r.block,
                "group": r.group,
                "share_first": float(a["share"]),
                "share_last": r.share,
                "change_pp": r.share - float(a["share"]),
                "rounding_lo": lo,
                "rounding_hi": hi,
                "se_first": se[0],
                "se_last": se[1],
                "narrowest_lo": lo - narrow,
                "narrowest_hi": hi + narrow,
                "widest_lo": lo - wide,
                "widest_hi": hi + wide,
                "conclusion": conclusion,
            }
        )
    return pd.DataFrame.from_records(rows)


def weighted_mean_check(frame: pd.DataFrame, direct: str, local: str, total: str = "Totalt") -> pd.DataFrame:
    """The total column against the count-weighted mean of the two organisations.

    Returns
    -------
    DataFrame
        ``group, week, printed_total, weighted_mean, mean_lo, mean_hi, holds``: the mean
        from the printed shares and its range over their rounding (+-0,05); ``holds`` when
        that range meets the printed total's own rounding interval.
    """
    counts, pct = _cells(frame)
    n = counts.to_dict()
    value = {(r["group"], r["week"], r["organisation"]): r["value"] for r in pct.to_dict("records")}
    rows = []
    for group, week in dict.fromkeys(zip(pct["group"], pct["week"], strict=True)):
        if not all((group, week, o) in value for o in (direct, local, total)):
            continue
        nd, nl = n[(direct, week)], n[(local, week)]
        sd, sl = value[(group, week, direct)], value[(group, week, local)]
        mean = (nd * sd + nl * sl) / (nd + nl)
        lo = (nd * (sd - 0.05) + nl * (sl - 0.05)) / (nd + nl)
        hi = lo + 0.1
        printed = float(value[(group, week, total)])
        rows.append(
            {
                "group": group,
                "week": week,
                "printed_total": printed,
                "weighted_mean": mean,
                "mean_lo": lo,
                "mean_hi": hi,
                "holds": (lo <= printed + 0.05) and (printed - 0.05 <= hi),
            }
        )
    return pd.DataFrame.from_records(rows)


def indicators(facts: FactTable, frame: pd.DataFrame, direct: str, local: str) -> pd.DataFrame:
    """Channel indicators computed from printed facts and Tabell 1 (value with interval).

    Returns
    -------
    DataFrame
        ``indicator, value, lower, upper, unit, inputs, note, numerator, denominator``:
        ``lower``/``upper`` from the printed intervals of the inputs (NaN where not
        computed); ``numerator`` and ``denominator`` are the input values (minuend and
        subtrahend of a difference).
    """

    def ratio(name, num, den, scale=100.0, unit="percent", note=""):
        n0, (nlo, nhi) = facts.value(num), facts.interval(num)
        d0, (dlo, dhi) = facts.value(den), facts.interval(den)
        return {
            "indicator": name,
            "value": scale * n0 / d0,
            "lower": scale * nlo / dhi,
            "upper": scale * nhi / dlo,
            "unit": unit,
            "inputs": f"{facts.shown(num)} / {facts.shown(den)}",
            "note": note,
            "numerator": n0,
            "denominator": d0,
        }

    def change(name, new, old, note=""):
        r = ratio(name, new, old, 100.0, "percent change", note)
        return {**r, "value": r["value"] - 100, "lower": r["lower"] - 100, "upper": r["upper"] - 100}

    rows = [
        ratio(
            "direct registration share, August 2019",
            "direct_registrations_aug",
            "new_registrations_aug",
            note="printed as 85 %",
        ),
        ratio(
            "digital share of activity reports, Jan-Aug 2019",
            "activity_reports_digital_per_month",
            "activity_reports_per_month",
            note="printed as 'över 90' and 'närmare 92' %",
        ),
        ratio(
            "answered share of PDM activity-report calls",
            "pdm_report_calls_answered_per_month",
            "pdm_report_calls_per_month",
        ),
        ratio("automatic review, actual / planned", "auto_reviews_actual_per_month", "auto_reviews_planned_per_month"),
        ratio(
            "transfers VO Direkt -> local per transfer local -> PDM",
            "transfers_direkt_to_local",
            "transfers_local_to_pdm",
            scale=1.0,
            unit="ratio",
        ),
        ratio(
            "VO Direkt share of customer-facing staff, January",
            "staff_direkt_jan",
            "staff_customer_jan",
            note="printed as 12 %",
        ),
        ratio(
            "VO Direkt share of customer-facing staff, August",
            "staff_direkt_aug",
            "staff_customer_aug",
            note="printed as 17 %",
        ),
        change(
            "customer-facing staff, change January-August",
            "staff_customer_aug",
            "staff_customer_jan",
            note="printed as -17 %",
        ),
        change(
            "VO Direkt staff, change January-August",
            "staff_direkt_aug",
            "staff_direkt_jan",
            note="printed as 'cirka 15' %",
        ),
    ]
    net = facts.value("transfers_direkt_to_local") - facts.value("transfers_local_to_pdm")
    rows.append(
        {
            "indicator": "net transfers to local offices, Jan-Aug 2019",
            "value": net,
            "lower": np.nan,
            "upper": np.nan,
            "unit": "transfers",
            "inputs": f"{facts.shown('transfers_direkt_to_local')} - {facts.shown('transfers_local_to_pdm')}",
            "note": "",
            "numerator": facts.value("transfers_direkt_to_local"),
            "denominator": facts.value("transfers_local_to_pdm"),
        }
    )
    local_jan = facts.value("staff_customer_jan") - facts.value("staff_direkt_jan")
    local_aug = facts.value("staff_customer_aug") - facts.value("staff_direkt_aug")
    rows.append(
        {
            "indicator": "local staff (total - VO Direkt), change January-August",
            "value": 100 * (local_aug / local_jan - 1),
            "lower": np.nan,
            "upper": np.nan,
            "unit": "percent change",
            "inputs": f"{local_aug:.0f} / {local_jan:.0f}",
            "note": "printed as -22 %",
            "numerator": local_aug,
            "denominator": local_jan,
        }
    )
    counts = frame[frame["measure"] == "count"].set_index(["organisation", "week"])["value"]
    total = "Totalt"
    for week in ("V 5", "V 35"):
        share = 100 * counts[(direct, week)] / counts[(total, week)]
        rows.append(
            {
                "indicator": f"VO Direkt share of job seekers, {week}",
                "value": share,
                "lower": np.nan,
                "upper": np.nan,
                "unit": "percent",
                "inputs": f"Tabell 1: {counts[(direct, week)]:.0f} / {counts[(total, week)]:.0f}",
                "note": "printed as 6 % (week 5) and 10 % (week 35)",
                "numerator": float(counts[(direct, week)]),
                "denominator": float(counts[(total, week)]),
            }
        )
    growth = counts[(direct, "V 35")] / counts[(direct, "V 5")]
    rows.append(
        {
            "indicator": "VO Direkt job seekers, week 35 / week 5",
            "value": growth,
            "lower": np.nan,
            "upper": np.nan,
            "unit": "ratio",
            "inputs": "Tabell 1",
            "note": "printed as 'i det närmaste fördubblats'",
            "numerator": float(counts[(direct, "V 35")]),
            "denominator": float(counts[(direct, "V 5")]),
        }
    )
    return pd.DataFrame.from_records(rows)


def staff_table(facts: FactTable) -> pd.DataFrame:
    """Customer-facing staff by organisation in January and August 2019."""
    rows = []
    for month, total, direkt in (
        ("2019-01", "staff_customer_jan", "staff_direkt_jan"),
        ("2019-08", "staff_customer_aug", "staff_direkt_aug"),
    ):
        t, d = facts.value(total), facts.value(direkt)
        rows += [
            {"month": month, "organisation": "VO Direkt", "staff": d, "share": 100 * d / t},
            {
                "month": month,
                "organisation": "local (VO Arbetssökande and VO Arbetsgivare)",
                "staff": t - d,
                "share": 100 * (t - d) / t,
            },
        ]
    return pd.DataFrame.from_records(rows)
