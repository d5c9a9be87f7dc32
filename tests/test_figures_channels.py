"""Channel figures draw what the tables say: tornado bars and pooling, readable labels,
transfers and staff bars, Swedish tick labels."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from matplotlib.patches import Rectangle

from analysis.costmodel.model import FactTable, cost_model, sensitivity
from analysis.ingest.facts import parse_facts
from figures.channels import printed_vs_reproduced, staff_shift, tornado, transfers, wrap

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data/raw/arbetsformedlingen_2019"
CONFIG = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
ESTIMATES = {e["id"]: e for e in yaml.safe_load((RAW / "cost_model.yaml").read_text(encoding="utf-8"))["estimates"]}
FACTS = parse_facts("a", "facts.csv", (RAW / "facts.csv").read_bytes())
TABLE = FactTable(FACTS, CONFIG["intervals"]["qualifiers"], False, {})
DESCRIPTIONS = dict(zip(FACTS["id"], FACTS["description"], strict=True))


def bars(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def tornado_of(ids, language="en", top=10):
    sens = sensitivity([ESTIMATES[i] for i in ids], TABLE, [-0.2, 0.2], CONFIG["channels"]["alternatives"])
    labels = DESCRIPTIONS | {
        "transfer_calls_cost": "Transfer calls",
        "digital_reports_hours": "Digital reports",
        "title": "T",
        "xlabel": "x",
        "others": "%(n)s other inputs",
    }
    return tornado(sens, labels, "c", language, top=top)


def test_tornado_pools_the_least_influential_inputs():
    fig = tornado_of(["transfer_calls_cost"], top=3)
    ax = fig.axes[0]
    # (13 700 x 30 + 23 900 x 48) / 60 x 352: the first term is 411 000 / 1 558 200 of the sum,
    # so +-20 % on its volume or minutes moves the estimate by +-5,275 %; the second term's
    # inputs by +-14,72 %; the hourly rate by +-20 %.
    share = 13700 * 30 / (13700 * 30 + 23900 * 48)
    spans = [(r.get_x(), r.get_x() + r.get_width()) for r in bars(ax)]
    assert spans[0] == pytest.approx((-20, 20))
    assert spans[1] == pytest.approx((-20 * (1 - share), 20 * (1 - share)))
    assert spans[3] == pytest.approx((-20 * share, 20 * share))  # the two pooled inputs, same span
    assert len(spans) == 4
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0].replace("\n", " ").startswith("Hourly cost of a case officer")
    assert labels[0].endswith("→ Transfer calls")  # 'input → estimate'
    assert labels[3] == "2 other inputs"
    assert not any("_" in t for t in labels)  # readable labels, no fact ids


def test_tornado_does_not_cut_inside_a_tie():
    # top=2 would split the two inputs of the second term (both +-14,72 %): only the rate is
    # drawn alone and the four others share one bar spanning +-14,72 %.
    ax = tornado_of(["transfer_calls_cost"], top=2).axes[0]
    share = 13700 * 30 / (13700 * 30 + 23900 * 48)
    spans = [x for r in bars(ax) for x in (r.get_x(), r.get_x() + r.get_width())]
    assert spans == pytest.approx([-20, 20, -20 * (1 - share), 20 * (1 - share)])
    assert [t.get_text() for t in ax.get_yticklabels()][1] == "4 other inputs"


def test_tornado_of_the_whole_model_has_few_rows():
    ids = list(ESTIMATES)
    ax = tornado_of(ids).axes[0]
    sens = sensitivity([ESTIMATES[i] for i in ids], TABLE, [-0.2, 0.2], CONFIG["channels"]["alternatives"])
    pairs = sens[["estimate", "fact"]].drop_duplicates()
    assert len(pairs) > 40 and len(bars(ax)) <= 11  # ten at most, plus the pooled bar
    # every label whole: input and estimate on up to two lines each, nothing cut with '…'
    texts = [t.get_text() for t in ax.get_yticklabels()]
    assert not any("…" in t for t in texts) and max(t.count("\n") for t in texts) <= 3


def test_tornado_alternatives_are_diamonds():
    ax = tornado_of(["transfer_calls_cost"]).axes[0]
    diamonds = [x for line in ax.lines if line.get_marker() == "D" for x in line.get_xdata()]
    # 30 -> 48 minutes at PDM: (13 700 x 48 + 23 900 x 48) / (13 700 x 30 + 23 900 x 48) - 1.
    moved = (13700 * 48 + 23900 * 48) / (13700 * 30 + 23900 * 48) - 1
    assert max(diamonds) == pytest.approx(100 * moved)
    assert min(d for d in diamonds if d > -25) == pytest.approx(100 * (289 / 352 - 1))


def test_tornado_swedish_ticks_and_no_pooling_for_few_inputs():
    ax = tornado_of(["digital_reports_hours"], "sv").axes[0]
    assert len(bars(ax)) == 2  # two inputs: nothing pooled
    assert ax.xaxis.get_major_formatter()(20, 0) == "20\u00a0%"


def test_wrap_keeps_at_most_the_given_lines():
    assert wrap("short", 10) == "short"
    text = wrap("one two three four five six seven eight nine ten", 10, lines=2)
    assert len(text.split("\n")) == 2 and text.endswith("…")


def test_cost_model_figure_labels_and_points():
    model = cost_model([ESTIMATES["digital_reports_cost"], ESTIMATES["new_tasks_cost"]], TABLE)
    legend = {"printed_interval": "P", "reproduced": "R", "within": "W", "not_reproduced": "N"}
    labels = {"digital_reports_cost": "Digital reports " * 6, "title": "T", "xlabel": "x"} | legend
    ax = printed_vs_reproduced(model, labels, "c", "en").axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert len(ticks[0].split("\n")) == 2 and ticks[1] == "new_tasks_cost"  # unknown: the id
    # new_tasks_cost: 34 x 58 x 35 x 289 / 1e6 = 19,946 over the printed 2,4.
    points = [line.get_xdata()[0] for line in ax.lines if line.get_marker() == "o"]
    assert points[1] == pytest.approx(34 * 58 * 35 * 289 / 1e6 / 2.4)
    # ticks on both sides of 1 (not only the decades), and a legend for every drawn element
    xt = list(ax.get_xticks())
    assert any(t < 1 for t in xt) and 1 in xt and any(1 < t < 10 for t in xt)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["P", "R", "W", "N"]


def test_transfers_and_staff_bars():
    values = pd.Series({"direct_to_local": 23900.0, "local_to_pdm": 13700.0})
    ax = transfers(values, {"direct_to_local": "a", "local_to_pdm": "b", "title": "T", "xlabel": "x"}, "c", "sv").axes[
        0
    ]
    assert sorted(r.get_width() for r in bars(ax)) == [13700, 23900]
    assert ax.xaxis.get_major_formatter()(10000, 0) == "10\u00a0000"
    staff = pd.DataFrame(
        {"month": ["m1", "m1", "m2", "m2"], "organisation": ["A", "B", "A", "B"], "staff": [789, 5541, 904, 4333]}
    )
    labels = {"m1": "Jan", "m2": "Aug", "A": "A", "B": "B", "title": "T", "ylabel": "y"}
    ax = staff_shift(staff, labels, "c", "en").axes[0]
    assert sorted(r.get_height() for r in bars(ax)) == [789, 904, 4333, 5541]
