"""Survey figures draw what the data say: bar geometry, interval ends, byte-identical files."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from matplotlib.patches import Rectangle

from analysis.core.store import write_figure
from figures.survey import agree_dotplot, likert_diverging, share_bars

SHARES = pd.DataFrame(
    {"helt": [60.0, 10.0], "delvis": [30.0, 20.0], "delvis_av": [8.0, 30.0], "helt_av": [2.0, 40.0]},
    index=["A", "B"],
)
LABELS = {
    "A": "Alpha",
    "B": "Beta",
    "helt": "Fully",
    "delvis": "Partly",
    "delvis_av": "Partly not",
    "helt_av": "Not at all",
    "title": "T",
    "xlabel": "Share",
    "n_label": "N ≥",
}


def bars(fig) -> list[Rectangle]:
    ax = fig.axes[0]
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def test_likert_bars_diverge_from_zero():
    fig = likert_diverging(
        SHARES,
        ["positive", "positive", "negative", "negative"],
        pd.Series({"A": 100, "B": 40}),
        LABELS,
        "caption",
        "en",
    )
    rects = bars(fig)
    assert len(rects) == 8
    # Row A is drawn at the top (y = 1): positives span 0..90, negatives -10..0.
    top = [r for r in rects if r.get_y() + r.get_height() / 2 == pytest.approx(1)]
    spans = sorted((min(r.get_x(), r.get_x() + r.get_width()), max(r.get_x(), r.get_x() + r.get_width())) for r in top)
    assert spans == [(-10, -8), (-8, 0), (0, 30), (30, 90)]  # helt_av, delvis_av | delvis, helt
    twin = fig.axes[1]
    by_position = dict(zip(twin.get_yticks(), (t.get_text() for t in twin.get_yticklabels()), strict=True))
    assert by_position == {1: "N ≥ 100", 0: "N ≥ 40"}  # row A on top with its N


def test_likert_row_without_n_says_so():
    fig = likert_diverging(
        SHARES,
        ["positive", "positive", "negative", "negative"],
        pd.Series({"A": 100}),
        LABELS | {"no_n": "no N fits"},
        "c",
        "en",
    )
    assert "no N fits" in [t.get_text() for t in fig.axes[1].get_yticklabels()]


def test_dotplot_intervals_match_estimates():
    est = pd.DataFrame(
        {"row": ["A", "B"], "table_id": ["t1", "t1"], "share": [0.5, 0.25], "lower": [0.4, 0.2], "upper": [0.6, 0.35]}
    )
    labels = {"A": "A", "B": "B", "t1": "Table 1", "title": "T", "xlabel": "x", "ylabel": "y"}
    labels |= {"interval": "95 % interval", "range": "range over N"}
    fig = agree_dotplot(est, labels, "c", "en")
    line = fig.axes[0].lines[0]
    assert list(line.get_xdata()) == [50.0, 25.0]
    segments = fig.axes[0].collections[0].get_segments()
    assert [tuple(s[:, 0]) for s in segments] == [(40.0, 60.0), (20.0, 35.0)]
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["Table 1", "95 % interval"]  # no range columns: no range line, no legend entry


def test_dotplot_draws_and_explains_the_range_over_every_feasible_n():
    est = pd.DataFrame(
        {
            "row": ["A"],
            "table_id": ["t1"],
            "share": [0.5],
            "lower": [0.45],
            "upper": [0.55],
            "lower_range": [0.3],
            "upper_range": [0.7],
        }
    )
    labels = {"A": "A", "t1": "Table 1", "title": "T", "xlabel": "x", "ylabel": "y"}
    labels |= {"interval": "95 % interval", "range": "range over N"}
    fig = agree_dotplot(est, labels, "c", "en")
    ranges = fig.axes[0].collections[0].get_segments()  # drawn first, behind the interval
    assert [tuple(s[:, 0]) for s in ranges] == [(30.0, 70.0)]
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["Table 1", "95 % interval", "range over N"]


def test_share_bars_widths():
    ans = pd.DataFrame({"answer": ["x", "y"], "share": [0.273, 0.046], "lower": [0.24, 0.03], "upper": [0.31, 0.07]})
    fig = share_bars(ans, {"x": "X", "y": "Y", "title": "T", "xlabel": "s"}, "c", "sv")
    widths = sorted(r.get_width() for r in bars(fig))
    assert widths == pytest.approx([4.6, 27.3])
    assert fig.axes[0].xaxis.get_major_formatter()(20, 0) == "20\u00a0%"  # Swedish tick label


def test_saved_figures_are_byte_identical(tmp_path):
    digests = []
    for k in range(2):
        fig = share_bars(
            pd.DataFrame({"answer": ["x"], "share": [0.5], "lower": [0.4], "upper": [0.6]}),
            {"x": "X", "title": "T", "xlabel": "s"},
            "c",
            "en",
        )
        write_figure(fig, {"png": tmp_path / f"f{k}.png", "svg": tmp_path / f"f{k}.svg"})
        digests.append(tuple(hashlib.sha256((tmp_path / f"f{k}.{e}").read_bytes()).hexdigest() for e in ("png", "svg")))
    assert digests[0] == digests[1]
    assert b"<dc:date>" not in (tmp_path / "f0.svg").read_bytes()


def test_likert_n_labels_use_the_report_language():
    fig = likert_diverging(
        SHARES,
        ["positive", "positive", "negative", "negative"],
        pd.Series({"A": 1200, "B": 40}),
        LABELS,
        "c",
        "sv",
    )
    texts = [t.get_text() for t in fig.axes[1].get_yticklabels()]
    assert "N ≥ 1\u00a0200" in texts  # Swedish grouping: a no-break space (Babel)
    assert fig.axes[0].xaxis.get_major_formatter()(-50, 0) == "50\u00a0%"  # left of zero: a share, not negative


def test_likert_n_labels_show_the_feasible_range_where_it_is_wider():
    fig = likert_diverging(
        pd.DataFrame({"x": [60.0, 50.0], "y": [40.0, 50.0]}, index=["A", "B"]),
        ["positive", "negative"],
        pd.Series({"A": 539, "B": 45}),
        {"A": "A", "B": "B", "x": "x", "y": "y", "title": "T", "xlabel": "x", "n_label": "N ="},
        "c",
        "sv",
        pd.DataFrame({"lo": [146, 45], "hi": [1539, 45]}, index=["A", "B"]),
    )
    # Swedish digit grouping (no-break space) in the range; no range where only one N fits.
    assert [t.get_text() for t in fig.axes[1].get_yticklabels()] == ["N = 539 (146–1\u00a0539)", "N = 45"]
