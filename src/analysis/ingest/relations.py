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
from json.encoder import encode_basestring as _encode

import numpy as np
import pandas as pd

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


def _group_keys(rows: pd.DataFrame, by: list[str]) -> list[str]:
    """:func:`_group_key` of every row of ``rows[by]`` (the same JSON, built column-wise:
    each value is encoded by the json module's string encoder, keys sorted)."""
    if not by:
        return ["{}"] * len(rows)
    columns = [[f"{_encode(c)}: {_encode(str(v))}" for v in rows[c].tolist()] for c in sorted(by)]
    return ["{" + ", ".join(parts) + "}" for parts in zip(*columns, strict=True)]


def _cells(sub: pd.DataFrame) -> str:
    return " ".join(f"{a}:{b}" for a, b in zip(sub["raw_line"], sub["raw_column"], strict=True))


def _cell_text(sel: pd.DataFrame) -> np.ndarray:
    """``line:column`` of every row, as an array of str (one vectorised pass)."""
    return (sel["raw_line"].astype("int64").astype(str) + ":" + sel["raw_column"].astype("int64").astype(str)).to_numpy(
        dtype=object
    )


def _joined(codes: np.ndarray, text: np.ndarray, n: int) -> list[str]:
    """The ``text`` of the rows of each group 0..n-1 joined by spaces, in row order."""
    out = [""] * n
    if len(codes) == 0:
        return out
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    bounds = np.flatnonzero(np.diff(sorted_codes)) + 1
    for chunk, code in zip(np.split(text[order], bounds), sorted_codes[np.r_[0, bounds]], strict=True):
        out[code] = " ".join(chunk)
    return out


def _results(rel: dict, keys, exp_lo, exp_hi, prn_lo, prn_hi, cells) -> pd.DataFrame:
    """One check row per group, vectorised: the gap between the expected and printed
    intervals (0 when they meet, NaN when either is unknown) and the status."""
    exp_lo, exp_hi = np.asarray(exp_lo, dtype=float), np.asarray(exp_hi, dtype=float)
    prn_lo, prn_hi = np.asarray(prn_lo, dtype=float), np.asarray(prn_hi, dtype=float)
    with np.errstate(invalid="ignore"):
        gap = np.maximum(np.maximum(exp_lo - prn_hi, prn_lo - exp_hi), 0.0)
    gap[np.isnan(exp_lo) | np.isnan(exp_hi) | np.isnan(prn_lo) | np.isnan(prn_hi)] = np.nan
    status = np.where(np.isnan(gap), SKIPPED, np.where(gap <= EPS, HOLDS, FAILS))
    n = len(gap)
    return pd.DataFrame(
        {
            "relation": [rel["id"]] * n,
            "type": [rel["type"]] * n,
            "group": list(keys),
            "expected_lo": exp_lo,
            "expected_hi": exp_hi,
            "printed_lo": prn_lo,
            "printed_hi": prn_hi,
            "gap": gap,
            "status": status.astype(object),
            "cells": list(cells),
        },
        columns=CHECK_COLUMNS,
    )


def _result(rel, group, exp, prn, cells) -> pd.DataFrame:
    (elo, ehi), (plo, phi) = exp, prn
    return _results(rel, [group], [elo], [ehi], [plo], [phi], [cells])


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


def _codes(sel: pd.DataFrame, by: list[str]) -> tuple[np.ndarray, list[str]]:
    """The group of each row (0, 1, ... in order of first appearance) and each group's key."""
    if not by:
        return np.zeros(len(sel), dtype=np.int64), ["{}"]
    grouped = sel.groupby(by, sort=False, dropna=False)
    codes = grouped.ngroup().to_numpy(dtype=np.int64)
    first = sel[by].iloc[np.unique(codes, return_index=True)[1]]
    return codes, _group_keys(first, by)


def _sums(codes: np.ndarray, mask: np.ndarray, sel: pd.DataFrame, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per group, the interval sum of the rows in ``mask`` (NaN when a value is missing or
    the group has no such row, as :func:`_interval_sum`)."""
    c = codes[mask]
    lo = sel["lo"].to_numpy(dtype=float)[mask]
    hi = sel["hi"].to_numpy(dtype=float)[mask]
    count = np.bincount(c, minlength=n)
    lo_sum = np.bincount(c, weights=np.nan_to_num(lo), minlength=n)
    hi_sum = np.bincount(c, weights=np.nan_to_num(hi), minlength=n)
    missing = np.bincount(c, weights=np.isnan(lo), minlength=n) > 0
    bad = missing | (count == 0)
    lo_sum[bad] = np.nan
    hi_sum[bad] = np.nan
    return lo_sum, hi_sum


def check_shares_sum(frame, rel, dim_columns, derived):
    """Shares over ``dimension`` add up to ``target`` (default 100) within rounding."""
    sel = _select(frame[frame["measure"] == rel.get("measure", "percent")], rel.get("where"))
    if "parts" in rel:
        sel = sel[sel[rel["dimension"]].isin(rel["parts"])]
    if sel.empty:
        return _results(rel, [], [], [], [], [], [])
    target = float(rel.get("target", 100.0))
    codes, keys = _codes(sel, _default_by(sel, rel, dim_columns, derived))
    n = len(keys)
    everything = np.ones(len(sel), dtype=bool)
    lo, hi = _sums(codes, everything, sel, n)
    all_missing = np.bincount(codes, weights=sel["lo"].isna().to_numpy(), minlength=n) == np.bincount(
        codes, minlength=n
    )
    # A group with no printed value at all: nothing to compare (skipped), the target shown as printed.
    exp = np.where(all_missing, np.nan, target)
    lo, hi = np.where(all_missing, target, lo), np.where(all_missing, target, hi)
    return _results(rel, keys, exp, exp, lo, hi, _joined(codes, _cell_text(sel), n))


def check_sum(frame, rel, dim_columns, derived):
    """The ``total`` category (or ``total_value``) equals the sum of the parts."""
    dim = rel["dimension"]
    sel = _select(frame[frame["measure"] == rel["measure"]], rel.get("where"))
    if sel.empty:
        return _results(rel, [], [], [], [], [], [])
    codes, keys = _codes(sel, _default_by(sel, rel, dim_columns, derived))
    n = len(keys)
    labels = sel[dim]
    in_parts = labels.isin(rel["parts"]).to_numpy() if "parts" in rel else np.ones(len(sel), dtype=bool)
    text = _cell_text(sel)
    if "total_value" in rel:
        lo, hi = _sums(codes, in_parts, sel, n)
        total = np.full(n, float(rel["total_value"]))
        return _results(rel, keys, lo, hi, total, total, _joined(codes[in_parts], text[in_parts], n))
    is_total = (labels == rel["total"]).fillna(False).to_numpy(dtype=bool)
    parts = ~is_total & in_parts
    lo, hi = _sums(codes, parts, sel, n)
    n_total = np.bincount(codes[is_total], minlength=n)
    t_lo, t_hi = np.full(n, np.nan), np.full(n, np.nan)
    t_lo[codes[is_total]] = sel["lo"].to_numpy(dtype=float)[is_total]
    t_hi[codes[is_total]] = sel["hi"].to_numpy(dtype=float)[is_total]
    t_cells = _joined(codes[is_total], text[is_total], n)
    p_cells = _joined(codes[parts], text[parts], n)
    keep = np.flatnonzero(n_total == 1)  # a group without exactly one total cell is not checked
    return _results(
        rel,
        [keys[i] for i in keep],
        lo[keep],
        hi[keep],
        t_lo[keep],
        t_hi[keep],
        [f"{t_cells[i]} {p_cells[i]}" for i in keep],
    )


def check_ratio(frame, rel, dim_columns, derived):
    """Each ``measure`` cell equals scale × numerator / denominator within rounding.

    The numerator (and a denominator measure) is the cell with the same coordinates
    (``category`` of the relation's ``dimension`` for a denominator category); a cell
    without exactly one denominator is not checked. Interval arithmetic as
    :class:`analysis.core.intervals.Interval`, on whole columns.
    """
    scale = float(rel.get("scale", 100.0))
    coords = [c for c in dim_columns if c in frame.columns]
    target = _select(frame[frame["measure"] == rel["measure"]], rel.get("where"))
    on = coords or ["_all"]
    if not coords:
        frame = frame.assign(_all=0)
        target = target.assign(_all=0)
    t = target[[*on, "lo", "hi", "raw_line", "raw_column"]].reset_index(drop=True)
    t["_row"] = np.arange(len(t))
    num = frame.loc[frame["measure"] == rel["numerator"]["measure"], [*on, "lo", "hi"]]
    num = num.drop_duplicates(subset=on, keep="first").rename(columns={"lo": "n_lo", "hi": "n_hi"})
    m = t.merge(num, on=on, how="inner", sort=False)
    den_spec = rel["denominator"]
    if "value" in den_spec:
        m["d_lo"] = m["d_hi"] = float(den_spec["value"])
    else:
        den = frame[frame["measure"] == den_spec["measure"]]
        den_on = list(on)
        if "category" in den_spec:
            den = den[den[rel["dimension"]] == den_spec["category"]]
            den_on = [c for c in on if c != rel["dimension"]]
        den = den[[*den_on, "lo", "hi"]].rename(columns={"lo": "d_lo", "hi": "d_hi"})
        if den_on:
            den = den[~den.duplicated(subset=den_on, keep=False)]  # exactly one denominator cell
            m = m.merge(den, on=den_on, how="inner", sort=False)
        else:
            m = m.merge(den, how="cross") if len(den) == 1 else m.iloc[:0].assign(d_lo=np.nan, d_hi=np.nan)
    m = m.sort_values("_row", kind="stable")
    n_lo, n_hi = m["n_lo"].to_numpy(dtype=float) * scale, m["n_hi"].to_numpy(dtype=float) * scale
    if scale < 0:
        n_lo, n_hi = n_hi, n_lo
    d_lo, d_hi = m["d_lo"].to_numpy(dtype=float), m["d_hi"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        ends = np.stack([n_lo / d_lo, n_lo / d_hi, n_hi / d_lo, n_hi / d_hi])
        lo = np.where(n_lo >= 0, n_lo / d_hi, ends.min(axis=0))
        hi = np.where(n_lo >= 0, n_hi / d_lo, ends.max(axis=0))
    undefined = ~(d_lo > 0)  # a denominator interval reaching 0 (or unknown): no ratio
    lo[undefined] = np.nan
    hi[undefined] = np.nan
    keys = _group_keys(m, coords)
    return _results(rel, keys, lo, hi, m["lo"], m["hi"], list(_cell_text(m)))


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
    # The weight cells of each combination of the matched columns, looked up once.
    weights_of = {k if isinstance(k, tuple) else (k,): g for k, g in w_all.groupby(match, sort=False)} if match else {}
    out = []
    for key, sub in _groups(sel, by):
        tot = sub[sub[dim] == rel["total"]]
        parts = sub[sub[dim] != rel["total"]]
        if len(tot) != 1 or parts.empty:
            continue
        first = parts.iloc[0]
        w = weights_of.get(tuple(first[c] for c in match), w_all.iloc[:0]) if match else w_all
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
    return pd.concat(out, ignore_index=True) if out else _results(rel, [], [], [], [], [], [])


def _groups(sel: pd.DataFrame, by: list[str]):
    if sel.empty:
        return
    if not by:
        yield "{}", sel
        return
    for values, sub in sel.groupby(by, sort=False, dropna=False):
        yield _group_key(by, values), sub


def check_equal_sums(frame, rel, dim_columns, derived):
    """The sums over each partition (``group`` column) of ``dimension`` are equal."""
    sel = _select(frame[frame["measure"] == rel["measure"]], rel.get("where"))
    group_col = rel["group"]
    sums = {g: (_interval_sum(sub), _cells(sub)) for g, sub in sel.groupby(group_col, sort=False)}
    common = (max(lo for (lo, _), _c in sums.values()), min(hi for (_, hi), _c in sums.values())) if sums else None
    out = []
    for g, ((lo, hi), cells) in sums.items():
        others = [(a, b) for h, ((a, b), _c) in sums.items() if h != g]
        exp = (max(a for a, _ in others), min(b for _, b in others)) if others else common
        out.append(_result(rel, _group_key([group_col], g), exp, (lo, hi), cells))
    return pd.concat(out, ignore_index=True) if out else _results(rel, [], [], [], [], [], [])


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
        if rows.empty:
            raise ValueError(f"relation '{rel['id']}' selects no cells to check")
        out.append(rows)
    if not out:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    return pd.concat(out, ignore_index=True)
