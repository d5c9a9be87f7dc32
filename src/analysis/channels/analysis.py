"""The channel-shift analysis: every result frame from Tabell 1, the facts and the cost model."""

from __future__ import annotations

import math

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
"""Significant digits kept in the result tables: the inputs are printed with two or three,
so a fourth is a guard digit and anything beyond it is arithmetic noise."""


def meaningful(frame: pd.DataFrame, digits: int = SIGNIFICANT) -> pd.DataFrame:
    """``frame`` with every non-integral float column rounded to ``digits`` significant
    digits (value by value, through decimal text so no binary tail survives); columns
    holding only whole numbers (counts) stay exact."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype.kind != "f":
            continue
        x = out[col].to_numpy()
        finite = np.isfinite(x)
        if np.all(x[finite] == np.round(x[finite])):
            continue
        out[col] = [float(f"{v:.{digits}g}") if math.isfinite(v) else v for v in x]
    return out


def analyse_channels(tables: dict[str, pd.DataFrame], facts: pd.DataFrame, config: dict) -> dict[str, pd.DataFrame]:
    """Every result frame of the channel analysis, keyed as in :data:`TABLES` (values to
    :data:`SIGNIFICANT` significant digits)."""
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
    return {name: meaningful(frames[name]) for name in TABLES}
