"""The channel-shift analysis: every result frame from Tabell 1, the facts and the cost model."""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

import numpy as np
import pandas as pd

from analysis.channels import TABLES
from analysis.channels.composition import (
    indicators,
    org_differences,
    shares,
    staff_table,
    week_changes,
    weighted_mean_check,
)
from analysis.costmodel.model import FactTable, allocations, cost_model, factor_table, sensitivity

__all__ = ["TABLES", "analyse_channels", "meaningful"]

SIGNIFICANT = 4
"""Significant digits of the result CSVs: the inputs are printed with two or three, so a
fourth is a guard digit and anything beyond it is arithmetic noise. (The Parquet tables
keep full precision, so that the reports round once: 19.94678 rounded to 19.95 first
printed as 20.0 at one decimal.)"""


def _round(v: float, digits: int, rounding: str) -> float:
    """``v`` to ``digits`` significant digits in decimal arithmetic (``rounding``: a
    :mod:`decimal` rounding mode)."""
    if not math.isfinite(v) or v == 0:
        return v
    d = Decimal(repr(v))
    exponent = d.adjusted() - (digits - 1)
    return float(d.quantize(Decimal(1).scaleb(exponent), rounding=rounding))


def meaningful(frame: pd.DataFrame, digits: int = SIGNIFICANT) -> pd.DataFrame:
    """``frame`` with every non-integral float column rounded to ``digits`` significant
    digits, value by value in decimal arithmetic; columns holding only whole numbers
    (counts) stay exact. The ends of an interval are rounded outwards (a column named
    ``*_lo`` or ``lower`` down, ``*_hi`` or ``upper`` up), so a rounded interval still
    contains what the exact one contains; other values to the nearest."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype.kind != "f":
            continue
        x = out[col].to_numpy()
        finite = np.isfinite(x)
        if np.all(x[finite] == np.round(x[finite])):
            continue
        if col.endswith(("_lo", "lower")):
            mode = ROUND_FLOOR
        elif col.endswith(("_hi", "upper")):
            mode = ROUND_CEILING
        else:
            mode = ROUND_HALF_EVEN
        out[col] = [_round(float(v), digits, mode) for v in x]
    return out


def analyse_channels(tables: dict[str, pd.DataFrame], facts: pd.DataFrame, config: dict) -> dict[str, pd.DataFrame]:
    """Every result frame of the channel analysis, keyed as in :data:`TABLES`, at full
    precision (:func:`meaningful` rounds what is written as CSV)."""
    c, iv = config["channels"], config["intervals"]
    ft = FactTable(
        facts, iv["qualifiers"], iv["trailing_zeros_significant"], c["overrides"], iv.get("directional", True)
    )
    t1 = tables[c["composition_table"]]
    share_table = shares(t1, c["confidence"])
    frames = {
        "shares": share_table,
        "org_differences": org_differences(share_table, c["direct"], c["local"], c["confidence"]),
        "week_changes": week_changes(share_table, c["confidence"]),
        "weighted_mean": weighted_mean_check(t1, c["direct"], c["local"]),
        "indicators": indicators(ft, t1, c["direct"], c["local"]),
        "staff": staff_table(ft),
        "cost_model": cost_model(c["estimates"], ft),
        "allocations": allocations(c["estimates"], ft),
        "sensitivity": sensitivity(c["estimates"], ft, c["sensitivity_range"], c["alternatives"]),
        "factors": factor_table(c["estimates"], ft),
    }
    return {name: frames[name] for name in TABLES}
