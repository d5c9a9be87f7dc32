"""The cost model's public functions (also used by the claims audit): factors, formula,
sensitivity and overrides, each against a hand calculation."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis.channels.analysis import meaningful
from analysis.costmodel.model import (
    FactTable,
    allocations,
    evaluate,
    factor_table,
    formula,
    qualified_interval,
    sensitivity,
)
from analysis.ingest.facts import parse_facts

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data/raw/arbetsformedlingen_2019"
CONFIG = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
ESTIMATES = {e["id"]: e for e in yaml.safe_load((RAW / "cost_model.yaml").read_text(encoding="utf-8"))["estimates"]}
FACTS = parse_facts("a", "facts.csv", (RAW / "facts.csv").read_bytes())
WIDTHS = CONFIG["intervals"]["qualifiers"]


def table(overrides=None) -> FactTable:
    return FactTable(FACTS, WIDTHS, False, overrides or {})


def test_formula_writes_the_printed_inputs():
    assert formula(ESTIMATES["digital_reports_cost"], table()) == "(28 000 × 5 / 60 × 8 × 320 / 1 000 000)"
    assert formula(ESTIMATES["planning_calls_saving_survey"], table()).split(" − ")[1].startswith("(91 600 × cirka 60")


def test_override_is_shown_and_exact():
    t = table({"hourly_cost_case_officer": 400})
    assert t.shown("hourly_cost_case_officer") == "400 (override of 352)"
    assert t.interval("hourly_cost_case_officer") == (400.0, 400.0)
    assert "× 400 (override of 352) /" in formula(ESTIMATES["pdm_report_cost"], t)


def test_unknown_fact_is_a_key_error():
    with pytest.raises(KeyError, match="no_such_fact"):
        table().value("no_such_fact")
    assert not table().has("no_such_fact") and table().has("hourly_cost_blended")


def test_divided_factor_inverts_its_interval():
    est = {
        "id": "x",
        "printed": "x",
        "terms": [{"factors": [{"value": 1}, {"fact": "manual_report_minutes", "divide": True}]}],
    }
    point, lo, hi = evaluate(est, table())
    # 5 minutes printed: 4,5-5,5, so 1/5 with interval 1/5,5-1/4,5.
    assert (point, lo, hi) == pytest.approx((1 / 5, 1 / 5.5, 1 / 4.5))


def test_factor_table_with_swedish_words():
    est = {
        "id": "x",
        "printed": "x",
        "terms": [
            {"factors": [{"fact": "manual_report_minutes", "why": "footnote 23", "why_sv": "fotnot 23"}]},
            {"sign": -1, "factors": [{"value": 0.5, "name": "half", "name_sv": "halv"}]},
        ],
    }
    f = factor_table([est], table())
    assert f[["term", "sign", "factor", "fact", "shown"]].values.tolist() == [
        [1, 1, 1, "manual_report_minutes", "5"],
        [2, -1, 1, "", "0,5"],
    ]
    assert f["why_sv"].tolist()[0] == "fotnot 23" and f["name_sv"].tolist()[1] == "halv"
    assert f["value"].tolist() == [5.0, 0.5]
    assert factor_table([], table()).columns.tolist()[:4] == ["estimate", "term", "sign", "factor"]


def test_sensitivity_by_hand():
    est = [ESTIMATES["digital_reports_cost"]]
    alternatives = CONFIG["channels"]["alternatives"]
    s = sensitivity(est, table(), [-0.2, 0.2], alternatives)
    base = 28000 * 5 / 60 * 8 * 320 / 1e6
    assert s["base"].tolist() == pytest.approx([base] * len(s))
    volume = s[s["fact"] == "activity_reports_digital_increase"].set_index("variation")
    assert volume.loc["-20%", "result"] == pytest.approx(0.8 * base)
    assert volume.loc["+20%", "change_pct"] == pytest.approx(20)
    rate = s[s["fact"] == "hourly_cost_blended"].set_index("variation")
    # The customer host rate 289 instead of the blended 320: 289 / 320 - 1 = -9,6875 %.
    assert rate.loc["alternative: hourly_cost_customer_host", "value"] == 289
    assert rate.loc["alternative: hourly_cost_customer_host", "change_pct"] == pytest.approx(100 * (289 / 320 - 1))
    # One row per fact and variation: 3 facts x 2 moves + 2 alternatives of the rate.
    assert len(s) == 3 * 2 + 2


def test_allocations_by_hand():
    alloc = allocations(list(ESTIMATES.values()), table())
    t = alloc[alloc["estimate"] == "transfer_calls_cost"].set_index("variant")
    # receiving side (the model): 13 700 x 30 + 23 900 x 48 minutes; sending side: swapped.
    assert t.loc[0, "computed"] == pytest.approx((13700 * 30 + 23900 * 48) / 60 * 352 / 1e6)
    assert t.loc[1, "computed"] == pytest.approx((13700 * 48 + 23900 * 30) / 60 * 352 / 1e6)
    # 8,06 against the printed 9 ([8,5; 9,5]): not reproduced, the gap from its upper end
    assert t.loc[1, "verdict"] == "not reproduced"
    # upper ends: 13 700 +-50, 48 +-0,5, 23 900 +-50, 30 +-0,5, 352 +-0,5
    hi = (13750 * 48.5 + 23950 * 30.5) / 60 * 352.5 / 1e6
    assert t.loc[1, "gap"] == pytest.approx(8.5 - hi)
    assert set(t["basis"]) == {"reproduces"} and t.loc[1, "replace"].count("->") == 2
    rate = alloc[alloc["estimate"] == "pdm_registration_cost"].set_index("variant")
    assert list(rate["computed"]) == pytest.approx([101600 * 0.6 * 12 / 60 * r / 1e6 for r in (352, 289, 320)])
    units = alloc[(alloc["estimate"] == "new_tasks_cost") & (alloc["choice"] == 1)].set_index("variant")
    assert units.loc[1, "computed"] == pytest.approx(34 * 59 * 35 * 289 / 1e6) and units.loc[1, "basis"] == "assumed"
    # estimates without choices have no rows
    assert "digital_reports_hours" not in set(alloc["estimate"])


def test_replace_swaps_simultaneously():
    est = ESTIMATES["transfer_calls_cost"]
    swap = {"transfer_call_minutes_pdm": "transfer_call_minutes_local"}
    # only one side swapped: both terms at 48 minutes
    assert evaluate(est, table(), replace=swap)[0] == pytest.approx((13700 + 23900) * 48 / 60 * 352 / 1e6)


@pytest.mark.parametrize(
    ("printed", "qualifier", "directional", "expected"),
    [
        ("92", "närmare", True, (91.5 * 0.9, 92.0)),  # at most the printed number
        ("92", "närmare", False, (91.5 * 0.9, 92.5)),  # the rounding end widened downwards
        ("1 100", "drygt", True, (1100.0, 1150 * 1.1)),  # '1 100': +-50
        ("4,5", "omkring", True, (4.45 * 0.95, 4.55 * 1.05)),  # symmetric: unchanged
        ("90", "över", True, (89.5, float("inf"))),  # one-sided open: unchanged
        ("28 000", "", True, (27500.0, 28500.0)),
    ],
)
def test_qualified_interval_by_hand(printed, qualifier, directional, expected):
    assert qualified_interval(printed, qualifier, WIDTHS, False, directional) == pytest.approx(expected)


def test_meaningful_keeps_counts_and_rounds_the_rest():
    frame = pd.DataFrame(
        {
            "n": [607933.0, 34195.0],
            "share": [9.141443333333, 0.1 + 0.2],
            "ratio": [float("nan"), 1.0 / 3.0],
            "label": ["a", "b"],
            "k": [1, 2],
        }
    )
    out = meaningful(frame)
    assert out["n"].tolist() == [607933.0, 34195.0]  # whole numbers are exact counts
    assert out["share"].tolist() == [9.141, 0.3]
    assert out["ratio"].isna().iloc[0] and out["ratio"].iloc[1] == 0.3333
    assert out["label"].tolist() == ["a", "b"] and out["k"].tolist() == [1, 2]
    assert frame["share"].iloc[0] == 9.141443333333  # the input is not changed
    # interval ends are rounded outwards: [4,45 x 0,95; 4,55 x 1,05] = [4,2275; 4,7775]
    ends = meaningful(pd.DataFrame({"printed_lo": [4.2275, -1.23456], "printed_hi": [4.7775, -1.23456]}))
    assert ends["printed_lo"].tolist() == [4.227, -1.235] and ends["printed_hi"].tolist() == [4.778, -1.234]
