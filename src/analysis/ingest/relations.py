"""Rounding-aware checks of the arithmetic relations a published table declares.

Every printed number stands for an interval: a percent printed with one decimal as
``44,5`` is any true value in [44.45, 44.55]; a count printed exactly is a point. A
relation between printed numbers *holds* when some true values inside those intervals
satisfy it exactly, i.e. when the interval computed from one side overlaps the interval
of the other side (interval arithmetic; Moore, *Interval Analysis*, 1966). So a row of
one-decimal percents printed as summing to 100,1 passes, and one summing to 100,3 with
three cells does not.

Each check returns one row per group checked with a fixed column order (see
:data:`CHECK_COLUMNS`).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from analysis.core.intervals import Interval

EPS = 1e-9  # float slack on interval ends; far below any printed precision

CHECK_COLUMNS = [
    "relation",
    "type",
    "group",
    "expected_lo",
    "expected_hi",
    "printed_lo",
    "printed_hi",
    "gap",
    "status",
    "cells",
]
HOLDS, FAILS, SKIPPED = "holds", "fails", "skipped"


def _select(frame: pd.DataFrame, where: dict | None) -> pd.DataFrame:
    if not where:
        return frame
    mask = pd.Series(True, index=frame.index)
    for col, vals in where.items():
        vals = [vals] if isinstance(vals, str) else list(vals)
        mask &= frame[col].isin(vals)
    return frame[mask]


def _group_key(by: list[str], values) -> str:
    if not isinstance(values, tuple):
        values = (values,)
    return json.dumps(dict(zip(by, [str(v) for v in values], strict=True)), ensure_ascii=False, sort_keys=True)


def _cells(sub: pd.DataFrame) -> str:
    return " ".join(f"{a}:{b}" for a, b in zip(sub["raw_line"], sub["raw_column"], strict=True))


def _result(rel, group, exp, prn, cells) -> dict:
    (elo, ehi), (plo, phi) = exp, prn
    gap = Interval(elo, ehi).gap(Interval(plo, phi))
    status = SKIPPED if np.isnan(gap) else HOLDS if gap <= EPS else FAILS
    return {
        "relation": rel["id"],
        "type": rel["type"],
        "group": group,
        "expected_lo": elo,
        "expected_hi": ehi,
        "printed_lo": plo,
        "printed_hi": phi,
        "gap": gap,
        "status": status,
        "cells": cells,
    }


def _default_by(frame: pd.DataFrame, rel: dict, dim_columns: list[str], derived: list[str]) -> list[str]:
    """Grouping columns of a relation: those given, or every other varying column that is
    not a function of the relation's own dimension (e.g. a category's derived score)."""
    if "by" in rel:
        return list(rel["by"])
    dim = rel.get("dimension")
    by = []
    for c in dim_columns + derived:
        if c == dim or frame[c].nunique(dropna=False) <= 1:
            continue
        if dim in frame.columns and frame.groupby(dim, sort=False)[c].nunique(dropna=False).max() <= 1:
            continue  # determined by the relation's dimension
        by.append(c)
    return by


def _interval_sum(sub: pd.DataFrame) -> tuple[float, float]:
    if sub.empty or sub["lo"].isna().any():
        return np.nan, np.nan
    return float(sub["lo"].sum()), float(sub["hi"].sum())


def _groups(sel: pd.DataFrame, by: list[str]):
    if sel.empty:
        return
    if not by:
        yield "{}", sel
        return
    for values, sub in sel.groupby(by, sort=False, dropna=False):
        yield _group_key(by, values), sub


def check_shares_sum(frame, rel, dim_columns, derived):
    """Shares over ``dimension`` add up to ``target`` (default 100) within rounding."""
    sel = _select(frame[frame["measure"] == rel.get("measure", "percent")], rel.get("where"))
    if "parts" in rel:
        sel = sel[sel[rel["dimension"]].isin(rel["parts"])]
    target = float(rel.get("target", 100.0))
    by = _default_by(sel, rel, dim_columns, derived)
    out = []
    for key, sub in _groups(sel, by):
        if sub["lo"].isna().all():
            out.append(_result(rel, key, (np.nan, np.nan), (target, target), _cells(sub)))
            continue
        out.append(_result(rel, key, (target, target), _interval_sum(sub), _cells(sub)))
    return out


def check_sum(frame, rel, dim_columns, derived):
    """The ``total`` category (or ``total_value``) equals the sum of the parts."""
    dim = rel["dimension"]
    sel = _select(frame[frame["measure"] == rel["measure"]], rel.get("where"))
    by = _default_by(sel, rel, dim_columns, derived)
    out = []
    for key, sub in _groups(sel, by):
        if "total_value" in rel:
            total = (float(rel["total_value"]),) * 2
            parts = sub if "parts" not in rel else sub[sub[dim].isin(rel["parts"])]
            tcells = ""
        else:
            tot = sub[sub[dim] == rel["total"]]
            parts = sub[sub[dim] != rel["total"]]
            if "parts" in rel:
                parts = parts[parts[dim].isin(rel["parts"])]
            if len(tot) != 1:
                continue
            total = (float(tot["lo"].iloc[0]), float(tot["hi"].iloc[0]))
            tcells = _cells(tot) + " "
        out.append(_result(rel, key, _interval_sum(parts), total, tcells + _cells(parts)))
    return out


def check_ratio(frame, rel, dim_columns, derived):
    """Each ``measure`` cell equals scale × numerator / denominator within rounding."""
    scale = float(rel.get("scale", 100.0))
    coords = [c for c in dim_columns if c in frame.columns]
    target = _select(frame[frame["measure"] == rel["measure"]], rel.get("where"))
    num = frame[frame["measure"] == rel["numerator"]["measure"]].set_index(coords)
    den_spec = rel["denominator"]
    den = None
    if "measure" in den_spec:
        den = frame[frame["measure"] == den_spec["measure"]]
    out = []
    for _, row in target.iterrows():
        key_vals = tuple(row[c] for c in coords)
        key = _group_key(coords, key_vals)
        try:
            n = num.loc[key_vals if len(coords) > 1 else key_vals[0]]
        except KeyError:
            continue
        n_lo, n_hi = float(np.atleast_1d(n["lo"])[0]), float(np.atleast_1d(n["hi"])[0])
        if "value" in den_spec:
            d_lo = d_hi = float(den_spec["value"])
        else:
            sel = den
            look = dict(zip(coords, key_vals, strict=True))
            if "category" in den_spec:
                look[rel["dimension"]] = den_spec["category"]
            for c, v in look.items():
                sel = sel[sel[c] == v]
            if len(sel) != 1:
                continue
            d_lo, d_hi = float(sel["lo"].iloc[0]), float(sel["hi"].iloc[0])
        ratio = Interval(np.nan, np.nan) if d_lo <= 0 else Interval(n_lo, n_hi) * scale / Interval(d_lo, d_hi)
        exp = (ratio.lo, ratio.hi)
        out.append(
            _result(
                rel,
                key,
                exp,
                (float(row["lo"]), float(row["hi"])),
                f"{row['raw_line']}:{row['raw_column']}",
            )
        )
    return out


def check_weighted_mean(frame, rel, dim_columns, derived):
    """The ``total`` category is the weight-averaged mean of the other categories.

    Weights are the cells of ``weights.measure`` (selected by ``weights.where``) that share
    the part's category and every ``by`` column that the weight cells also vary over.
    """
    dim = rel["dimension"]
    sel = _select(frame[frame["measure"] == rel["measure"]], rel.get("where"))
    w_all = _select(frame[frame["measure"] == rel["weights"]["measure"]], rel["weights"].get("where"))
    by = _default_by(sel, rel, dim_columns, derived)
    match = [c for c in by if c in w_all.columns and w_all[c].nunique() > 1]
    out = []
    for key, sub in _groups(sel, by):
        tot = sub[sub[dim] == rel["total"]]
        parts = sub[sub[dim] != rel["total"]]
        if len(tot) != 1 or parts.empty:
            continue
        w = w_all
        first = parts.iloc[0]
        for c in match:
            w = w[w[c] == first[c]]
        w = w.set_index(dim)["value"]
        weights = parts[dim].map(w).astype(float)
        if weights.isna().any() or parts["lo"].isna().any():
            exp = (np.nan, np.nan)
        else:
            total_w = weights.sum()
            exp = (
                float((weights * parts["lo"]).sum() / total_w),
                float((weights * parts["hi"]).sum() / total_w),
            )
        out.append(
            _result(
                rel,
                key,
                exp,
                (float(tot["lo"].iloc[0]), float(tot["hi"].iloc[0])),
                _cells(tot) + " " + _cells(parts),
            )
        )
    return out


def check_equal_sums(frame, rel, dim_columns, derived):
    """The sums over each partition (``group`` column) of ``dimension`` are equal."""
    sel = _select(frame[frame["measure"] == rel["measure"]], rel.get("where"))
    group_col = rel["group"]
    sums = {g: _interval_sum(sub) for g, sub in sel.groupby(group_col, sort=False)}
    common = (max(lo for lo, _ in sums.values()), min(hi for _, hi in sums.values()))
    out = []
    for g, (lo, hi) in sums.items():
        others = [(a, b) for h, (a, b) in sums.items() if h != g]
        exp = (max(a for a, _ in others), min(b for _, b in others)) if others else common
        out.append(_result(rel, _group_key([group_col], g), exp, (lo, hi), _cells(sel[sel[group_col] == g])))
    return out


CHECKS = {
    "shares_sum": check_shares_sum,
    "sum": check_sum,
    "ratio": check_ratio,
    "weighted_mean": check_weighted_mean,
    "equal_sums": check_equal_sums,
}


def check_relations(
    frame: pd.DataFrame, relations: list[dict], dim_columns: list[str], derived: list[str]
) -> pd.DataFrame:
    """Run every declared relation on a parsed table.

    Parameters
    ----------
    frame : DataFrame
        Long table with interval columns ``lo`` and ``hi``.
    relations : list of dict
        The ``relations`` of the sidecar.
    dim_columns, derived : list of str
        Dimension and derived columns of the table.

    Returns
    -------
    DataFrame
        Columns :data:`CHECK_COLUMNS`: relation id and type, the group checked (JSON of its
        grouping values), the interval implied by the other cells (``expected_lo/hi``),
        the printed interval, the gap between them (0 when they overlap), the status
        (``holds``, ``fails``, ``skipped`` where a cell is not available) and the raw
        ``line:column`` of every cell involved.
    """
    out = []
    for rel in relations:
        rows = CHECKS[rel["type"]](frame, rel, dim_columns, derived)
        if not rows:
            raise ValueError(f"relation '{rel['id']}' selects no cells to check")
        out.extend(rows)
    return pd.DataFrame.from_records(out, columns=CHECK_COLUMNS)
