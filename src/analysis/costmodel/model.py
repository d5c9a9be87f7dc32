"""The Arbetsförmedlingen business-case cost model made explicit.

Each printed estimate is a sum of signed products of printed facts and constants
(``data/raw/<source>/cost_model.yaml``). Every fact enters both as its printed value (the
point estimate) and as its printed interval (rounding, widened by its qualifier), so the
result is a point and an interval; the printed result is reproduced when its own
interval overlaps the computed one. No factor is tuned. Used by the channel analysis and
by the claims audit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.intervals import Interval, rounding_interval, widen


def qualified_interval(
    printed: str, qualifier: str, widths: dict, trailing_zeros_significant: bool = False, directional: bool = True
) -> tuple[float, float]:
    """The interval a printed figure with its qualifier allows.

    The rounding interval widened by the qualifier's relative widths (config
    ``intervals.qualifiers``). With ``directional``, a qualifier that widens one side only
    also says on which side of the printed number the value lies, so that side is bounded
    by the printed number itself rather than its rounding end: *knappt*, *närmare* 92
    ([-0.10, 0]) is [82,8; 92], not [82,35; 92,5], so 92,3 is not 'närmare 92'; *drygt*
    1 100 ([0, 0.10]) is [1 100; 1 210]. Symmetric and one-sided open qualifiers are
    unchanged.
    """
    lo, hi = rounding_interval(printed, trailing_zeros_significant)
    if not qualifier:
        return lo, hi
    wlo, whi = widen(lo, hi, qualifier, widths)
    below, above = widths[qualifier]
    if directional and below is not None and above is not None:
        value = (lo + hi) / 2
        if below == 0 and above > 0:
            wlo = value
        elif above == 0 and below < 0:
            whi = value
    return wlo, whi


class FactTable:
    """Printed facts by id: point value, interval, and the printed string with qualifier."""

    def __init__(
        self,
        facts: pd.DataFrame,
        widths: dict,
        trailing_zeros_significant: bool,
        overrides: dict,
        directional: bool = True,
    ):
        # plain dicts: a pandas row lookup per factor made the sensitivity take a second
        self.records = {r["id"]: r for r in facts.to_dict("records")}
        self._intervals: dict[str, tuple[float, float]] = {}
        self.widths = widths
        self.trailing = trailing_zeros_significant
        self.overrides = dict(overrides)
        self.directional = directional

    def has(self, fid: str) -> bool:
        return fid in self.records

    def row(self, fid: str) -> dict:
        if fid not in self.records:
            raise KeyError(fid)
        return self.records[fid]

    def value(self, fid: str) -> float:
        return float(self.overrides.get(fid, self.row(fid)["value"]))

    def interval(self, fid: str) -> tuple[float, float]:
        if fid in self.overrides:
            v = float(self.overrides[fid])
            return v, v
        if fid not in self._intervals:
            r = self.row(fid)
            self._intervals[fid] = qualified_interval(
                r["printed"], r["qualifier"], self.widths, self.trailing, self.directional
            )
        return self._intervals[fid]

    def shown(self, fid: str) -> str:
        r = self.row(fid)
        text = f"{r['qualifier']} {r['printed']}".strip()
        return f"{self.overrides[fid]} (override of {text})" if fid in self.overrides else text


def _factor(
    f: dict, facts: FactTable, values: dict | None = None, replace: dict | None = None
) -> tuple[float, Interval]:
    """(point, interval) of one factor; ``values`` replaces fact points (sensitivity),
    ``replace`` swaps a fact id for another (an alternative allocation)."""
    if "fact" in f:
        fid = (replace or {}).get(f["fact"], f["fact"])
        v = (values or {}).get(fid, facts.value(fid))
        iv = Interval(*facts.interval(fid)) if not values or fid not in values else Interval.point(v)
    else:
        v = float(f["value"])
        iv = Interval.point(v)
    if f.get("divide"):
        return 1 / v, 1 / iv
    return v, iv


def evaluate(
    estimate: dict, facts: FactTable, values: dict | None = None, replace: dict | None = None
) -> tuple[float, float, float]:
    """Point value and interval of an estimate (all factors are positive).

    ``values`` sets fact points (fact id -> value, exact); ``replace`` evaluates the
    estimate with some facts swapped for others (fact id -> fact id, simultaneously).

    A term's interval is the product of its factors' intervals; terms are added or
    subtracted with interval arithmetic (:class:`analysis.core.intervals.Interval`), so a
    negative term contributes its upper end to the lower bound.
    """
    point, total = 0.0, Interval.point(0.0)
    for term in estimate["terms"]:
        sign = term.get("sign", 1)
        p, iv = 1.0, Interval.point(1.0)
        for f in term["factors"]:
            fp, fiv = _factor(f, facts, values, replace)
            p, iv = p * fp, iv * fiv
        point += sign * p
        total = total + iv if sign > 0 else total - iv
    return point, total.lo, total.hi


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


def factor_table(estimates: list[dict], facts: FactTable) -> pd.DataFrame:
    """Every factor of every estimate, in model order, as the report shows it.

    Returns
    -------
    DataFrame
        ``estimate, term, sign, factor, fact, value, divide, shown, name, name_sv, why,
        why_sv``: ``term`` and ``factor`` count from 1; ``fact`` is empty for a
        constant; ``value`` is the point value used (a fact's printed value or its
        override); ``shown`` is the value as printed (with its qualifier) or the
        constant as the report would print it. ``name``/``why`` and their Swedish
        variants are the model's own words (``None`` where the model gives none).
    """
    rows = []
    for est in estimates:
        for t, term in enumerate(est["terms"], start=1):
            for k, f in enumerate(term["factors"], start=1):
                fid = f.get("fact")
                rows.append(
                    {
                        "estimate": est["id"],
                        "term": t,
                        "sign": int(term.get("sign", 1)),
                        "factor": k,
                        "fact": fid or "",
                        "value": facts.value(fid) if fid else float(f["value"]),
                        "divide": bool(f.get("divide", False)),
                        "shown": facts.shown(fid) if fid else _constant(f["value"]),
                        "name": f.get("name"),
                        "name_sv": f.get("name_sv"),
                        "why": f.get("why"),
                        "why_sv": f.get("why_sv"),
                    }
                )
    return pd.DataFrame.from_records(
        rows,
        columns=[
            "estimate",
            "term",
            "sign",
            "factor",
            "fact",
            "value",
            "divide",
            "shown",
            "name",
            "name_sv",
            "why",
            "why_sv",
        ],
    )


def verdict(point: float, lo: float, hi: float, plo: float, phi: float) -> tuple[str, float]:
    """Verdict of a computed value (point, interval) against a printed interval, and the gap."""
    if plo <= point <= phi:
        return "reproduced", 0.0
    if lo <= phi and plo <= hi:
        return "reproduced within input rounding", 0.0
    return "not reproduced", max(lo - phi, plo - hi)


def cost_model(estimates: list[dict], facts: FactTable) -> pd.DataFrame:
    """Printed vs reproduced value of every estimate with its verdict.

    Returns
    -------
    DataFrame
        ``estimate, printed_fact, unit, printed, qualifier, printed_value, printed_lo,
        printed_hi, computed, computed_lo, computed_hi, verdict, gap, relative_gap,
        formula, assumptions, chosen_to_reproduce``. ``verdict`` is ``reproduced`` (the
        computed point lies in the printed interval), ``reproduced within input rounding``
        (only the intervals overlap) or ``not reproduced`` (``gap`` = distance between the
        intervals, in the printed unit; ``relative_gap`` relative to the printed value).
        ``chosen_to_reproduce`` is true when one of the estimate's ``choices`` (see
        :func:`allocations`) was made because it reproduces the printed figure.
    """
    rows = []
    for est in estimates:
        r = facts.row(est["printed"])
        plo, phi = facts.interval(est["printed"])
        point, lo, hi = evaluate(est, facts)
        result, gap = verdict(point, lo, hi, plo, phi)
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
                "verdict": result,
                "gap": gap,
                "relative_gap": gap / float(r["value"]) if r["value"] else np.nan,
                "formula": formula(est, facts),
                "assumptions": "; ".join(dict.fromkeys(why)),
                "chosen_to_reproduce": any(c["basis"] == "reproduces" for c in est.get("choices", [])),
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


def allocations(estimates: list[dict], facts: FactTable) -> pd.DataFrame:
    """Every allocation choice of the model beside its alternatives, each with its verdict.

    An estimate's ``choices`` (cost_model.yaml) name what the text leaves open (which side
    of a transfer holds the call, which hourly rate applies) and why the model's choice was
    made: ``reproduces`` (chosen *because* it reproduces the printed figure: then that the
    figure is reproduced is no independent evidence) or ``assumed`` (a plausible reading
    that was not selected by the result). Each alternative swaps facts of the estimate
    (``replace``) and is evaluated like the model.

    Returns
    -------
    DataFrame
        ``estimate, choice, what, what_sv, basis, variant, label, label_sv, replace,
        computed, computed_lo, computed_hi, verdict, gap``: ``choice`` counts from 1 per
        estimate, ``variant`` is 0 for the model's choice and counts the alternatives from
        1; ``replace`` lists the swaps as ``fact -> fact``.
    """
    rows = []
    for est in estimates:
        plo, phi = facts.interval(est["printed"])
        for c, choice in enumerate(est.get("choices", []), start=1):
            variants = [{"label": choice["chosen"], "label_sv": choice.get("chosen_sv"), "replace": {}}]
            variants += choice["alternatives"]
            for v, alt in enumerate(variants):
                point, lo, hi = evaluate(est, facts, replace=alt["replace"])
                result, gap = verdict(point, lo, hi, plo, phi)
                rows.append(
                    {
                        "estimate": est["id"],
                        "choice": c,
                        "what": choice["what"],
                        "what_sv": choice.get("what_sv"),
                        "basis": choice["basis"],
                        "variant": v,
                        "label": alt["label"],
                        "label_sv": alt.get("label_sv"),
                        "replace": "; ".join(f"{a} -> {b}" for a, b in alt["replace"].items()),
                        "computed": point,
                        "computed_lo": lo,
                        "computed_hi": hi,
                        "verdict": result,
                        "gap": gap,
                    }
                )
    columns = [
        "estimate",
        "choice",
        "what",
        "what_sv",
        "basis",
        "variant",
        "label",
        "label_sv",
        "replace",
        "computed",
        "computed_lo",
        "computed_hi",
        "verdict",
        "gap",
    ]
    return pd.DataFrame.from_records(rows, columns=columns)
