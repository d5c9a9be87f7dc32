"""The meetings figures as a reader sees them (issue 14, item 5): the title follows the
data, every drawn element is in a legend, the legend stays clear of the data, log ratio
axes have readable ticks on both sides of 1, every axis has a label, no internal ids,
labels in the report language, and each caption says which source figure it redraws."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.text import Text
from test_meetings_stage import SETTINGS, compiled_catalog, processed, results  # noqa: F401  (fixtures)

from analysis.meetings import FIGURES, figure_tables

pytestmark = pytest.mark.filterwarnings("ignore:Perfect separation or prediction detected")


def draw(results, processed, language, tmp_path=None):  # noqa: F811
    from analysis.report.meetings_figures import meetings_figures
    from analysis.report.render import translations

    frames = {n: pd.read_parquet(results[n]) for n in figure_tables(FIGURES)}
    codebook = pd.read_parquet(processed["codebook"])
    catalog = compiled_catalog(tmp_path) if language == "sv" else None
    _ = translations(language, catalog).gettext
    figs = meetings_figures(frames, codebook, SETTINGS, language, _)
    for fig in figs.values():
        fig.canvas.draw()
    return frames, figs


def texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def legend_labels(ax_or_fig) -> list[str]:
    legends = [ax_or_fig.get_legend()] if hasattr(ax_or_fig, "get_legend") else []
    return [t.get_text() for lg in legends if lg is not None for t in lg.get_texts()]


@pytest.fixture(scope="module")
def english(results, processed):  # noqa: F811
    return draw(results, processed, "en")


def test_series_legend_has_every_band_and_line_and_sits_above_the_data(english):
    _, figs = english
    ax = figs["series"].axes[0]
    labels = legend_labels(ax)
    bands = [c.get_label() for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 2 and all(b in labels for b in bands)  # both shaded bands are explained
    drawn = {line.get_label() for line in ax.lines if not line.get_label().startswith("_")}
    assert drawn <= set(labels) and "95 % prediction interval without the interruptions" in labels
    assert "outside the observed range (extrapolation)" in labels
    legend = ax.get_legend().get_window_extent()
    assert legend.y0 >= ax.get_window_extent().y1  # above the panel: never over the band


def test_series_marks_extrapolated_points(english):
    frames, figs = english
    ax = figs["series"].axes[0]
    marked = next(line for line in ax.lines if line.get_label() == "outside the observed range (extrapolation)")
    f = frames["fitted"]
    outside = f[(f["series"] == "meetings") & f["outside_observed"]]
    assert list(marked.get_xdata()) == list(outside["t"]) and len(outside) > 0


def test_series_title_is_the_period_of_the_data(results, processed):  # noqa: F811
    from analysis.report.meetings_figures import figure_labels

    frames = {n: pd.read_parquet(results[n]) for n in figure_tables(FIGURES)}
    codebook = pd.read_parquet(processed["codebook"])
    frames["fitted"] = frames["fitted"][~frames["fitted"]["label"].str.startswith("2011")]
    assert figure_labels(frames, codebook, SETTINGS, "en", str)["series"]["title"].endswith("2012–2019")


def test_every_axis_is_labelled(english):
    _, figs = english
    for key, fig in figs.items():
        for ax in fig.axes:
            assert ax.get_ylabel() or ax.get_yticklabels(), key
        bottom = fig.axes[-1]
        assert bottom.get_xlabel(), key
    for ax in figs["scan"].axes:
        assert ax.get_ylabel() == "F statistic (break vs no break)"
    assert all("count per half-year" in ax.get_ylabel() for ax in figs["series"].axes)


def test_scan_draws_the_search_adjusted_threshold(english):
    frames, figs = english
    ax = figs["scan"].axes[0]
    assert "5 % threshold adjusted for the search (bootstrap)" in legend_labels(ax)
    scan = frames["scan"]
    threshold = next(line for line in ax.lines if line.get_label().startswith("5 %"))
    assert threshold.get_ydata()[0] == scan.loc[scan["series"] == "meetings", "sup_f_critical"].iloc[0]


@pytest.mark.parametrize("language", ["en", "sv"])
def test_ratio_axis_has_readable_ticks_on_both_sides_of_one(results, processed, language, tmp_path):  # noqa: F811
    _, figs = draw(results, processed, language, tmp_path)
    ax = figs["odds_ratios"].axes[0]
    low, high = ax.get_xlim()
    ticks = [v for v in ax.get_xticks() if low <= v <= high]
    assert sum(v < 1 for v in ticks) >= 2 and sum(v > 1 for v in ticks) >= 2 and 1.0 in ticks
    shown = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert ("0,5" if language == "sv" else "0.5") in shown and "10" in shown
    labels = legend_labels(ax)
    assert len(labels) == 3  # reference, risk ratio, odds ratio


@pytest.mark.parametrize("language", ["en", "sv"])
def test_no_internal_ids_and_labels_in_the_report_language(results, processed, language, tmp_path):  # noqa: F811
    _, figs = draw(results, processed, language, tmp_path)
    ids = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")
    for key, fig in figs.items():
        for text in texts(fig):
            assert not ids.search(text), (key, text)
    if language == "sv":
        english_words = ("observed", "fitted", "Share", "Half-year", "threshold", "reference", "interval ")
        for key, fig in figs.items():
            for text in texts(fig):
                assert not any(w in text for w in english_words), (key, text)


def test_captions_say_which_source_figure_they_redraw():
    from analysis.report.meetings import captions

    cap = captions(SETTINGS, "en", str)
    assert set(cap) == set(FIGURES)
    assert "Figur 2" in cap["series"] and "Figur 7" in cap["end_reason"] and "Figur 8" in cap["groups"]
    assert cap["scan"].startswith("New figure") and cap["odds_ratios"].startswith("New figure")
