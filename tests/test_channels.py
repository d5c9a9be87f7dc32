"""Channel analysis: each estimate recomputed by hand from the printed inputs, intervals,
Newcombe on Tabell 1, the weighted-mean check, and overrides."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis.channels.composition import (
    count_range,
    newcombe,
    org_differences,
    shares,
    week_changes,
    weighted_mean_check,
    wilson,
)
from analysis.core.intervals import printed_interval, rounding_interval
from analysis.costmodel.model import FactTable, cost_model, evaluate
from analysis.ingest.facts import parse_facts

ROOT = Path(__file__).resolve().parent.parent
CONFIG = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
CONFIG["channels"]["estimates"] = yaml.safe_load(
    (ROOT / "data/raw/arbetsformedlingen_2019/cost_model.yaml").read_text(encoding="utf-8")
)["estimates"]
FACTS = parse_facts("a", "facts.csv", (ROOT / "data/raw/arbetsformedlingen_2019/facts.csv").read_bytes())
WIDTHS = CONFIG["intervals"]["qualifiers"]


def table(overrides=None) -> FactTable:
    return FactTable(FACTS, WIDTHS, False, overrides or {})


# Each printed estimate of Analys 2019:14 written out by hand from its printed inputs.
BY_HAND = {
    "digital_reports_hours": 28000 * 5 / 60,
    "digital_reports_cost": 28000 * 5 / 60 * 8 * 320 / 1e6,
    "pdm_report_hours": 6400 * 15 / 60,
    "pdm_report_cost": 6400 * 15 / 60 * 8 * 352 / 1e6,
    "pdm_registration_hours": 101600 * 0.60 * 12 / 60,
    "pdm_registration_cost": 101600 * 0.60 * 12 / 60 * 352 / 1e6,
    "office_registration_hours": 4000 * 17 / 60,
    "office_registration_cost": 4000 * 17 / 60 * 35 * 289 / 1e6,
    "auto_review_hours": 28000 * 4 / 60,
    "auto_review_cost": 28000 * 4 / 60 * 8 * 352 / 1e6,
    "auto_review_planned_hours": 49000 * 4 / 60,
    "transfer_calls_cost": (13700 * 30 + 23900 * 48) / 60 * 352 / 1e6,
    "planning_calls_saving_survey": 91600 * (74 - 60) / 60 * 352 / 1e6,
    "planning_calls_saving_model": 91600 * (87 - 60) / 60 * 352 / 1e6,
    "new_tasks_cost": 34 * 58 * 35 * 289 / 1e6,
}


def test_every_estimate_matches_the_hand_calculation():
    model = cost_model(CONFIG["channels"]["estimates"], table()).set_index("estimate")
    assert set(model.index) == set(BY_HAND)
    for est, value in BY_HAND.items():
        assert model.loc[est, "computed"] == pytest.approx(value), est


def test_verdicts():
    model = cost_model(CONFIG["channels"]["estimates"], table()).set_index("estimate")
    # 7,52 lies in [7,45; 7,55]: reproduced.
    assert model.loc["planning_calls_saving_survey", "verdict"] == "reproduced"
    # 5,2565 is outside [5,15; 5,25] but 28 000 may be 27 500-28 500: within input rounding.
    assert model.loc["auto_review_cost", "verdict"] == "reproduced within input rounding"
    # 19,9 million against 'omkring 2,4': [2,2325; 2,5725] (2,35-2,45 widened by 5 %).
    row = model.loc["new_tasks_cost"]
    assert row["verdict"] == "not reproduced"
    assert (row["printed_lo"], row["printed_hi"]) == pytest.approx((2.35 * 0.95, 2.45 * 1.05))
    assert row["gap"] == pytest.approx(row["computed_lo"] - 2.45 * 1.05)


def test_transfer_direction_assumption_matters():
    # Paying each transfer call on the sending side instead gives 8,06 million: outside 9's interval.
    sending = (13700 * 48 + 23900 * 30) / 60 * 352 / 1e6
    assert sending == pytest.approx(8.06432)
    assert not 8.5 <= sending <= 9.5


def test_override_changes_every_dependent_estimate():
    base = cost_model(CONFIG["channels"]["estimates"], table()).set_index("estimate")["computed"]
    new = cost_model(CONFIG["channels"]["estimates"], table({"hourly_cost_case_officer": 400})).set_index("estimate")[
        "computed"
    ]
    uses = {
        e["id"]
        for e in CONFIG["channels"]["estimates"]
        if any(f.get("fact") == "hourly_cost_case_officer" for t in e["terms"] for f in t["factors"])
    }
    assert uses == {
        "pdm_report_cost",
        "pdm_registration_cost",
        "auto_review_cost",
        "transfer_calls_cost",
        "planning_calls_saving_survey",
        "planning_calls_saving_model",
    }
    for est in base.index:
        if est in uses:
            assert new[est] == pytest.approx(base[est] * 400 / 352)
        else:
            assert new[est] == base[est]


@pytest.mark.parametrize(
    ("printed", "lo", "hi"),
    [
        ("28 000", 27500, 28500),
        ("37 600", 37550, 37650),
        ("10 000", 9500, 10500),
        ("60", 59.5, 60.5),
        ("5,2", 5.15, 5.25),
        ("0,2", 0.15, 0.25),
        ("700", 695, 705),
        ("9", 8.5, 9.5),
    ],
)
def test_rounding_interval(printed, lo, hi):
    assert rounding_interval(printed) == pytest.approx((lo, hi))


def test_qualifier_widening_and_unknown_qualifier():
    # "100" keeps two significant digits (95-105); drygt widens the top by 10 %. Footnote 40: 904 - 789 = 115.
    assert printed_interval("100", "drygt", WIDTHS) == pytest.approx((95, 105 * 1.1))
    assert printed_interval("1 600", "nära", WIDTHS) == pytest.approx((1550 * 0.9, 1650))
    with pytest.raises(KeyError, match="qualifier"):
        printed_interval("5", "typ", WIDTHS)


def test_interval_subtraction_in_a_signed_term():
    est = {
        "id": "x",
        "printed": "planning_call_saving_msek",
        "terms": [
            {"factors": [{"fact": "planning_call_minutes_survey"}]},
            {"sign": -1, "factors": [{"fact": "planning_call_minutes_pdm"}]},
        ],
    }
    point, lo, hi = evaluate(est, table())
    # 74 (+-0,5) minus 'cirka 60' (59,5-60,5 widened by 5 %: 56,525-63,525).
    assert point == 14
    assert (lo, hi) == pytest.approx((73.5 - 63.525, 74.5 - 56.525))


def tabell_1_frame() -> pd.DataFrame:
    rows = []
    for org, week, n, share, printed in [
        ("VO Direkt", "V 5", 34195, 61.3, "61,3"),
        ("VO Direkt", "V 35", 61704, 67.8, "67,8"),
        ("Local", "V 5", 573738, 29.4, "29,4"),
        ("Local", "V 35", 530655, 28.2, "28,2"),
        ("Totalt", "V 5", 607933, 31.2, "31,2"),
        ("Totalt", "V 35", 592359, 32.4, "32,4"),
    ]:
        rows.append(
            {
                "organisation": org,
                "week": week,
                "measure": "count",
                "value": float(n),
                "printed": str(n),
                "group": "Antal",
                "block": "",
            }
        )
        rows.append(
            {
                "organisation": org,
                "week": week,
                "measure": "percent",
                "value": share,
                "printed": printed,
                "group": "Öppet arbetslösa",
                "block": "",
            }
        )
    return pd.DataFrame(rows)


def test_wilson_and_newcombe_match_statsmodels():
    from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

    for x, n in [(0, 10), (3, 10), (20945, 34195), (5042, 530655), (50, 50)]:
        lo, hi = wilson([x], n)
        assert (lo[0], hi[0]) == pytest.approx(proportion_confint(x, n, method="wilson"), abs=1e-12)
    for x1, n1, x2, n2 in [(20945, 34195, 168393, 573738), (3, 40, 17, 60), (0, 25, 4, 30)]:
        lo, hi = newcombe([x1], n1, [x2], n2)
        ref = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff")
        assert (lo[0], hi[0]) == pytest.approx(ref, abs=1e-10)


def test_count_range_by_hand():
    # 61,3 % of 34 195: 0,6125 x 34 195 = 20 944,44 -> 20 945; 0,6135 x 34 195 = 20 978,63 -> 20 978.
    assert count_range("61,3", 61.3, 34195) == (20945, 20978)
    # 1,0 % of 530 655: [5 041,2; 5 571,9] -> 5 042..5 571.
    assert count_range("1,0", 1.0, 530655) == (5042, 5571)
    # every count in the range rounds back to the printed share (half-widths included)
    lo, hi = count_range("2,4", 2.4, 34195)
    assert all(2.35 <= 100 * c / 34195 <= 2.45 for c in range(lo, hi + 1))
    assert 100 * (lo - 1) / 34195 < 2.35 and 100 * (hi + 1) / 34195 > 2.45


def small_table(n_direct=40, n_local=60, printed_direct="12,5", printed_local="30,0") -> pd.DataFrame:
    """Tabell 1 in miniature (two weeks, small N) so that brute force over counts is cheap."""
    rows = []
    for org, n, printed in (("D", n_direct, printed_direct), ("L", n_local, printed_local)):
        for week, shift in (("V 5", 0.0), ("V 35", 2.5)):
            share = float(printed.replace(",", ".")) + shift
            text = f"{share:.1f}".replace(".", ",")
            rows.append(
                {
                    "organisation": org,
                    "week": week,
                    "measure": "count",
                    "value": float(n),
                    "printed": str(n),
                    "group": "Antal",
                    "block": "",
                }
            )
            rows.append(
                {
                    "organisation": org,
                    "week": week,
                    "measure": "percent",
                    "value": share,
                    "printed": text,
                    "group": "G",
                    "block": "",
                }
            )
    return pd.DataFrame(rows)


def test_combined_interval_is_the_union_over_feasible_counts_brute_force():
    from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

    t = shares(small_table(n_direct=400, n_local=600))
    for r in t.itertuples():
        feasible = [c for c in range(r.n + 1) if r.share - 0.05 <= 100 * c / r.n <= r.share + 0.05]
        assert (r.count_lo, r.count_hi) == (min(feasible), max(feasible))
        ends = [proportion_confint(c, r.n, method="wilson") for c in feasible]
        assert r.lower == pytest.approx(100 * min(e[0] for e in ends))
        assert r.upper == pytest.approx(100 * max(e[1] for e in ends))
    d = org_differences(t, "D", "L")
    for r in d.itertuples():
        a = t[(t["organisation"] == "D") & (t["week"] == r.week)].iloc[0]
        b = t[(t["organisation"] == "L") & (t["week"] == r.week)].iloc[0]
        ends = [
            confint_proportions_2indep(x1, a.n, x2, b.n, method="newcomb", compare="diff")
            for x1 in range(a.count_lo, a.count_hi + 1)
            for x2 in range(b.count_lo, b.count_hi + 1)
        ]
        assert r.lower == pytest.approx(100 * min(e[0] for e in ends))
        assert r.upper == pytest.approx(100 * max(e[1] for e in ends))
        assert r.rounding_lo == pytest.approx(100 * (a.count_lo / a.n - b.count_hi / b.n))


def test_rounding_fraction_grows_with_n():
    # With 40 people the sampling interval dwarfs the rounding; with 600 000 rounding matters.
    small = shares(small_table(40, 60)).iloc[0]["rounding_fraction"]
    large = shares(small_table(600_000, 600_000)).iloc[0]["rounding_fraction"]
    assert small < 0.1 < 0.2 < large <= 1


def test_week_changes_bounds_by_hand_and_by_simulation():
    t = shares(tabell_1_frame())
    c = week_changes(t).set_index("organisation").loc["VO Direkt"]
    # 67,8 - 61,3 = 6,5; rounding [67,751 - 61,348; 67,850 - 61,252] from the counts.
    z = 1.959963984540054
    s5, s35 = math.sqrt(0.613 * 0.387 / 34195), math.sqrt(0.678 * 0.322 / 61704)
    assert c["change_pp"] == pytest.approx(6.5)
    assert c["widest_lo"] == pytest.approx(c["rounding_lo"] - 100 * z * (s5 + s35))
    assert c["narrowest_hi"] == pytest.approx(c["rounding_hi"] + 100 * z * abs(s5 - s35))
    assert c["conclusion"] == "beyond sampling"
    # Simulation: correlated binary draws with any correlation stay inside the bounds.
    rng = np.random.default_rng(20191219)
    n, p = 2000, 0.4
    for shared in (0.0, 0.5, 1.0):
        x = rng.random((4000, n)) < p
        y = np.where(rng.random((4000, n)) < shared, x, rng.random((4000, n)) < p)
        sd = (x.mean(1) - y.mean(1)).std()
        s = math.sqrt(p * (1 - p) / n)
        assert 0 - 1e-9 <= sd <= 2 * s * 1.05


def test_week_changes_conclusions():
    def table(first, last, n):
        return pd.DataFrame(
            [
                {
                    "organisation": "A",
                    "week": w,
                    "block": "",
                    "group": "G",
                    "share": v,
                    "n": n,
                    "rounding_lo": v - 0.05,
                    "rounding_hi": v + 0.05,
                }
                for w, v in (("V 5", first), ("V 35", last))
            ]
        )

    assert week_changes(table(50.0, 50.1, 10_000_000)).iloc[0]["conclusion"] == "within sampling"
    assert week_changes(table(50.0, 52.0, 1_000_000)).iloc[0]["conclusion"] == "beyond sampling"
    # s5 + s35 = 2 x 0,5 / sqrt(40 000) = 0,5 pp -> widest +-0,98; change 0,9 (rounding 0,8-1,0)
    assert week_changes(table(50.0, 50.9, 40_000)).iloc[0]["conclusion"] == "depends on the overlap"


def test_weighted_mean_check_by_hand():
    w = weighted_mean_check(tabell_1_frame(), "VO Direkt", "Local").set_index("week")
    # (34 195 x 61,3 + 573 738 x 29,4) / 607 933 = 31,194: printed 31,2 holds.
    assert w.loc["V 5", "weighted_mean"] == pytest.approx((34195 * 61.3 + 573738 * 29.4) / 607933)
    assert bool(w.loc["V 5", "holds"]) and bool(w.loc["V 35", "holds"])
    bad = tabell_1_frame()
    bad.loc[(bad["organisation"] == "Totalt") & (bad["week"] == "V 5") & (bad["measure"] == "percent"), "value"] = 31.6
    assert not bool(weighted_mean_check(bad, "VO Direkt", "Local").set_index("week").loc["V 5", "holds"])
