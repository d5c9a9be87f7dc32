"""The cost model's public functions (also used by the claims audit): factors, formula,
sensitivity and overrides, each against a hand calculation."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from analysis.costmodel.model import FactTable, evaluate, factor_table, formula, sensitivity
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
