"""Arbetsförmedlingen's channel shift: Tabell 1 composition, channel indicators and the
business-case cost model made explicit.

The cost model evaluates each printed estimate as a sum of signed products of printed
facts and constants (``config.yaml`` ``channels.estimates``). Every fact enters both as
its printed value (the point estimate) and as its printed interval (rounding, widened by
its qualifier), so the result is a point and an interval; the printed result is
reproduced when its own interval overlaps the computed one. No factor is tuned.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.intervals import printed_interval


class FactTable:
    """Printed facts by id: point value, interval, and the printed string with qualifier."""

    def __init__(self, facts: pd.DataFrame, widths: dict, trailing_zeros_significant: bool, overrides: dict):
        self.rows = facts.set_index("id")
        self.widths = widths
        self.trailing = trailing_zeros_significant
        self.overrides = dict(overrides)

    def has(self, fid: str) -> bool:
        return fid in self.rows.index

    def row(self, fid: str):
        if fid not in self.rows.index:
            raise KeyError(f"fact '{fid}' named in config.yaml channels settings is not in facts.csv")
        return self.rows.loc[fid]

    def value(self, fid: str) -> float:
        return float(self.overrides.get(fid, self.row(fid)["value"]))

    def interval(self, fid: str) -> tuple[float, float]:
        if fid in self.overrides:
            v = float(self.overrides[fid])
            return v, v
        r = self.row(fid)
        return printed_interval(r["printed"], r["qualifier"], self.widths, self.trailing)

    def shown(self, fid: str) -> str:
        r = self.row(fid)
        text = f"{r['qualifier']} {r['printed']}".strip()
        return f"{self.overrides[fid]} (override of {text})" if fid in self.overrides else text


def _factor(f: dict, facts: FactTable, values: dict | None = None) -> tuple[float, float, float]:
    """(point, lo, hi) of one factor; ``values`` replaces fact points (sensitivity)."""
    if "fact" in f:
        v = (values or {}).get(f["fact"], facts.value(f["fact"]))
        lo, hi = facts.interval(f["fact"]) if not values or f["fact"] not in values else (v, v)
    else:
        v = lo = hi = float(f["value"])
    if f.get("divide"):
        return 1 / v, 1 / hi, 1 / lo
    return v, lo, hi


def evaluate(estimate: dict, facts: FactTable, values: dict | None = None) -> tuple[float, float, float]:
    """Point value and interval of an estimate (all factors are positive).

    A term's interval is the product of its factors' intervals; a negative term
    contributes its upper end to the lower bound (interval subtraction).
    """
    point = lo = hi = 0.0
    for term in estimate["terms"]:
        sign = term.get("sign", 1)
        p, a, b = 1.0, 1.0, 1.0
        for f in term["factors"]:
            fp, fa, fb = _factor(f, facts, values)
            p, a, b = p * fp, a * fa, b * fb
        point += sign * p
        lo += sign * (a if sign > 0 else b)
        hi += sign * (b if sign > 0 else a)
    return point, lo, hi


def _constant(value: float) -> str:
    """A constant as the report would print it: 1 000 000, 60, 0,5."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", " ")
    return f"{value:g}".replace(".", ",")


def formula(estimate: dict, facts: FactTable) -> str:
    """The estimate written out with the printed values, e.g. '28 000 × 5 / 60'."""
    terms = []
    for term in estimate["terms"]:
        parts = []
        for f in term["factors"]:
            text = facts.shown(f["fact"]) if "fact" in f else _constant(f["value"])
            parts.append(("/ " if f.get("divide") else "× ") + text)
        body = " ".join(parts)[2:]
        terms.append(("− " if term.get("sign", 1) < 0 else "+ ") + f"({body})")
    return " ".join(terms).lstrip("+ ")


def cost_model(estimates: list[dict], facts: FactTable) -> pd.DataFrame:
    """Printed vs reproduced value of every estimate with its verdict.

    Returns
    -------
    DataFrame
        ``estimate, printed_fact, unit, printed, qualifier, printed_value, printed_lo,
        printed_hi, computed, computed_lo, computed_hi, verdict, gap, relative_gap,
        formula, assumptions``. ``verdict`` is ``reproduced`` (the computed point lies in
        the printed interval), ``reproduced within input rounding`` (only the intervals
        overlap) or ``not reproduced`` (``gap`` = distance between the intervals, in the
        printed unit; ``relative_gap`` relative to the printed value).
    """
    rows = []
    for est in estimates:
        r = facts.row(est["printed"])
        plo, phi = facts.interval(est["printed"])
        point, lo, hi = evaluate(est, facts)
        if plo <= point <= phi:
            verdict, gap = "reproduced", 0.0
        elif lo <= phi and plo <= hi:
            verdict, gap = "reproduced within input rounding", 0.0
        else:
            verdict, gap = "not reproduced", max(lo - phi, plo - hi)
        why = [
            f"{f.get('fact', f.get('name', ''))}: {f['why']}"
            for t in est["terms"]
            for f in t["factors"]
            if f.get("why")
        ]
        rows.append(
            {
                "estimate": est["id"],
                "printed_fact": est["printed"],
                "unit": r["unit"],
                "printed": r["printed"],
                "qualifier": r["qualifier"],
                "printed_value": float(r["value"]),
                "printed_lo": plo,
                "printed_hi": phi,
                "computed": point,
                "computed_lo": lo,
                "computed_hi": hi,
                "verdict": verdict,
                "gap": gap,
                "relative_gap": gap / float(r["value"]) if r["value"] else np.nan,
                "formula": formula(est, facts),
                "assumptions": "; ".join(dict.fromkeys(why)),
            }
        )
    return pd.DataFrame.from_records(rows)


def sensitivity(estimates: list[dict], facts: FactTable, rel_range: list[float], alternatives: dict) -> pd.DataFrame:
    """Each fact factor of each estimate varied over ``rel_range`` and set to alternatives.

    Returns
    -------
    DataFrame
        ``estimate, fact, variation, value, result, base, change_pct`` (one row per
        estimate, fact and variation; ``variation`` is ``-20%``/``+20%`` or
        ``alternative: <fact id>``).
    """
    rows = []
    for est in estimates:
        base = evaluate(est, facts)[0]
        fids = list(dict.fromkeys(f["fact"] for t in est["terms"] for f in t["factors"] if "fact" in f))
        for fid in fids:
            v0 = facts.value(fid)
            variations = [(f"{100 * r:+.0f}%", v0 * (1 + r)) for r in rel_range]
            variations += [(f"alternative: {a}", facts.value(a)) for a in alternatives.get(fid, []) if facts.has(a)]
            for name, v in variations:
                result = evaluate(est, facts, {fid: v})[0]
                rows.append(
                    {
                        "estimate": est["id"],
                        "fact": fid,
                        "variation": name,
                        "value": v,
                        "result": result,
                        "base": base,
                        "change_pct": 100 * (result / base - 1) if base else np.nan,
                    }
                )
    return pd.DataFrame.from_records(rows)


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
    from analysis.proportions import newcombe_diff_ci

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
