"""Arbetsförmedlingen's channel shift: Tabell 1 composition and channel indicators.

The indicators use printed facts through :class:`analysis.costmodel.model.FactTable`
(point value and printed interval).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.costmodel.model import FactTable


def composition(frame: pd.DataFrame, direct: str, local: str, confidence: float = 0.95) -> pd.DataFrame:
    """Subgroup shares of the two organisations compared at each week, and over time.

    Counts behind a printed share are ``share x N / 100``; their rounding interval comes
    from the printed decimals (``count_lo``, ``count_hi``). Differences in percentage
    points have Newcombe's hybrid score interval (independent samples). Week 5 and week
    35 overlap in people, so the change over time is not between independent samples and
    its interval is only indicative.

    Returns
    -------
    DataFrame
        ``comparison, group, block, week_or_org, share_a, share_b, diff_pp, lower_pp,
        upper_pp, n_a, n_b, count_a_lo, count_a_hi`` with ``comparison`` either
        ``direct_minus_local`` (per week) or ``week35_minus_week5`` (per organisation).
    """
    counts = frame[frame["measure"] == "count"].set_index(["organisation", "week"])["value"]
    pct = frame[(frame["measure"] == "percent") & frame["value"].notna()]
    rows = []
    for (block, group), sub in pct.groupby(["block", "group"], sort=False):
        s = sub.set_index(["organisation", "week"])
        for week in dict.fromkeys(sub["week"]):
            if (direct, week) in s.index and (local, week) in s.index:
                rows.append(
                    _diff(
                        "direct_minus_local", group, block, week, s, counts, (direct, week), (local, week), confidence
                    )
                )
        for org in (direct, local):
            if (org, "V 35") in s.index and (org, "V 5") in s.index:
                rows.append(
                    _diff("week35_minus_week5", group, block, org, s, counts, (org, "V 35"), (org, "V 5"), confidence)
                )
    return pd.DataFrame.from_records(rows)


def _diff(kind, group, block, where, s, counts, a, b, confidence) -> dict:
    pa, pb = float(s.loc[a, "value"]), float(s.loc[b, "value"])
    na, nb = float(counts[a]), float(counts[b])
    half = 0.05 if "," in str(s.loc[a, "printed"]) else 0.5
    # Imported here: the cost model (FactTable, evaluate) is also used by the light claims
    # stage, which should not pay for statsmodels.
    from analysis.core.proportions import newcombe_diff_ci

    d, lo, hi = newcombe_diff_ci(pa * na / 100, na, pb * nb / 100, nb, confidence)
    return {
        "comparison": kind,
        "group": group,
        "block": block,
        "where": where,
        "share_a": pa,
        "share_b": pb,
        "diff_pp": 100 * d,
        "lower_pp": 100 * lo,
        "upper_pp": 100 * hi,
        "n_a": na,
        "n_b": nb,
        "count_a_lo": (pa - half) * na / 100,
        "count_a_hi": (pa + half) * na / 100,
    }


def weighted_mean_check(frame: pd.DataFrame, direct: str, local: str, total: str = "Totalt") -> pd.DataFrame:
    """The total column against the count-weighted mean of the two organisations."""
    counts = frame[frame["measure"] == "count"].set_index(["organisation", "week"])["value"]
    pct = frame[(frame["measure"] == "percent") & frame["value"].notna()]
    rows = []
    for (group, week), sub in pct.groupby(["group", "week"], sort=False):
        s = sub.set_index("organisation")
        if not {direct, local, total} <= set(s.index):
            continue
        nd, nl = counts[(direct, week)], counts[(local, week)]
        mean = (nd * s.loc[direct, "value"] + nl * s.loc[local, "value"]) / (nd + nl)
        lo = (nd * (s.loc[direct, "value"] - 0.05) + nl * (s.loc[local, "value"] - 0.05)) / (nd + nl)
        hi = lo + 0.1
        printed = float(s.loc[total, "value"])
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
    """Channel indicators computed from printed facts and Tabell 1 (value with interval)."""

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
            "inputs": f"({local_aug:.0f} / {local_jan:.0f})",
            "note": "printed as -22 %",
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
