"""The channel-shift analysis: every result frame from Tabell 1, the facts and the cost model."""

from __future__ import annotations

import pandas as pd

from analysis.channels import TABLES
from analysis.channels.composition import composition, indicators, staff_table, weighted_mean_check
from analysis.costmodel.model import FactTable, cost_model, factor_table, sensitivity

__all__ = ["TABLES", "analyse_channels"]


def analyse_channels(tables: dict[str, pd.DataFrame], facts: pd.DataFrame, config: dict) -> dict[str, pd.DataFrame]:
    """Every result frame of the channel analysis, keyed as in :data:`TABLES`."""
    c, iv = config["channels"], config["intervals"]
    ft = FactTable(facts, iv["qualifiers"], iv["trailing_zeros_significant"], c["overrides"])
    t1 = tables[c["composition_table"]]
    return {
        "composition": composition(t1, c["direct"], c["local"], c["confidence"]),
        "weighted_mean": weighted_mean_check(t1, c["direct"], c["local"]),
        "indicators": indicators(ft, t1, c["direct"], c["local"]),
        "staff": staff_table(ft),
        "cost_model": cost_model(c["estimates"], ft),
        "sensitivity": sensitivity(c["estimates"], ft, c["sensitivity_range"], c["alternatives"]),
        "factors": factor_table(c["estimates"], ft),
    }
