"""Figures of the channel-shift analysis (data in, Figure out; object API only, no saving)."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from figures.style import LOCALES, finish, new_figure, percent_formatter

DIRECT, LOCAL, GREY = "#2166ac", "#b2182b", "#999999"


def wrap(text: str, width: int, lines: int = 2) -> str:
    """A long label on at most ``lines`` lines of about ``width`` characters (cut with …)."""
    parts = textwrap.wrap(text, width)
    if len(parts) > lines:
        parts = [*parts[: lines - 1], textwrap.shorten(" ".join(parts[lines - 1 :]), width, placeholder=" …")]
    return "\n".join(parts)


def _num(language: str, decimals: int = 0):
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return FuncFormatter(lambda v, _: format_decimal(v, format=pattern, locale=LOCALES[language]))


def composition_dots(
    frame: pd.DataFrame, direct: str, local: str, labels: dict, caption_text: str, language: str
) -> Figure:
    """Subgroup shares of the two organisations at week 5 (open) and week 35 (filled)."""
    pct = frame[(frame["measure"] == "percent") & frame["organisation"].isin([direct, local])]
    groups = list(dict.fromkeys(pct["group"]))
    fig, ax = new_figure(width=8.5, height=1.2 + 0.38 * len(groups))
    y = {g: len(groups) - 1 - i for i, g in enumerate(groups)}
    for org, colour, dy in ((direct, DIRECT, 0.12), (local, LOCAL, -0.12)):
        for week, fill in (("V 5", "none"), ("V 35", colour)):
            s = pct[(pct["organisation"] == org) & (pct["week"] == week) & pct["value"].notna()]
            ax.plot(
                s["value"],
                [y[g] + dy for g in s["group"]],
                linestyle="none",
                marker="o",
                markersize=6,
                markerfacecolor=fill,
                markeredgecolor=colour,
                label=f"{labels[org]}, {labels[week]}",
            )
    ax.set_yticks(list(y.values()), [labels.get(g, g) for g in y], fontsize=8)
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: percent_formatter(v, language)))
    ax.set_xlabel(labels["xlabel"])
    ax.legend(fontsize=8, ncols=2, loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False)
    return finish(fig, ax, labels["title"], caption_text, grid="x")


def transfers(values: pd.Series, labels: dict, caption_text: str, language: str) -> Figure:
    """Transfers between channels in each direction (bars) with the net flow in the title."""
    fig, ax = new_figure(width=8.5, height=2.6)
    y = np.arange(len(values))[::-1]
    ax.barh(y, values.to_numpy(), color=[DIRECT if i == 0 else LOCAL for i in range(len(values))], height=0.6)
    for yy, v in zip(y, values.to_numpy(), strict=True):
        ax.text(v, yy, " " + _num(language)(v, 0), va="center", fontsize=8)
    ax.set_yticks(y, [labels[k] for k in values.index], fontsize=9)
    ax.xaxis.set_major_formatter(_num(language))
    ax.set_xlim(0, values.max() * 1.2)
    ax.set_xlabel(labels["xlabel"])
    return finish(fig, ax, labels["title"], caption_text)


def staff_shift(staff: pd.DataFrame, labels: dict, caption_text: str, language: str) -> Figure:
    """Customer-facing staff by organisation in January and August (grouped bars)."""
    fig, ax = new_figure(width=8.5, height=3.0)
    months = list(dict.fromkeys(staff["month"]))
    orgs = list(dict.fromkeys(staff["organisation"]))
    x = np.arange(len(orgs))
    for k, month in enumerate(months):
        s = staff[staff["month"] == month].set_index("organisation").loc[orgs]
        bars = ax.bar(
            x + (k - 0.5) * 0.38,
            s["staff"],
            width=0.36,
            color=[DIRECT, LOCAL][k],
            alpha=0.55 + 0.45 * k,
            label=labels[month],
        )
        for b, v in zip(bars, s["staff"], strict=True):
            ax.text(b.get_x() + b.get_width() / 2, v, _num(language)(v, 0), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, [labels[o] for o in orgs], fontsize=9)
    ax.yaxis.set_major_formatter(_num(language))
    ax.set_ylabel(labels["ylabel"])
    ax.legend(fontsize=8, frameon=False)
    return finish(fig, ax, labels["title"], caption_text)


def printed_vs_reproduced(model: pd.DataFrame, labels: dict, caption_text: str, language: str) -> Figure:
    """Each estimate relative to its printed value: the printed interval (grey band) and
    the value computed from the printed inputs with its input-rounding interval (dot,
    coloured by verdict). ``labels`` maps estimates to readable labels and holds the
    legend texts ``printed_interval``, ``reproduced``, ``within``, ``not_reproduced``."""
    fig, ax = new_figure(width=8.5, height=1.2 + 0.42 * len(model))
    y = np.arange(len(model))[::-1]
    for yy, r in zip(y, model.itertuples(), strict=True):
        ax.plot(
            [r.printed_lo / r.printed_value, r.printed_hi / r.printed_value],
            [yy, yy],
            color=GREY,
            linewidth=7,
            alpha=0.5,
            solid_capstyle="butt",
        )
        colour = {"reproduced": DIRECT, "not reproduced": LOCAL}.get(r.verdict, "#e08214")
        rel = r.computed / r.printed_value
        ax.errorbar(
            [rel],
            [yy],
            xerr=[[rel - r.computed_lo / r.printed_value], [r.computed_hi / r.printed_value - rel]],
            fmt="o",
            color=colour,
            markersize=5,
            capsize=2,
            linewidth=1,
        )
    ax.axvline(1.0, color="#333333", linewidth=0.8)
    ax.set_xscale("log")
    lo = min(
        (model["computed_lo"] / model["printed_value"]).min(), (model["printed_lo"] / model["printed_value"]).min()
    )
    hi = max(
        (model["computed_hi"] / model["printed_value"]).max(), (model["printed_hi"] / model["printed_value"]).max()
    )
    left, right = min(lo, 0.9) / 1.1, max(hi, 1.1) * 1.1
    ax.set_xlim(left, right)
    # readable ticks on both sides of 1 (a log axis would otherwise label only the decades)
    candidates = (0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 2, 3, 5, 7, 10, 20, 30, 50)
    ticks = [t for t in candidates if left <= t <= right]
    if len(ticks) > 9:  # a wide axis: the coarser ticks are enough
        ticks = [t for t in ticks if t not in (0.8, 0.9, 1.25, 7)]
    ax.set_xticks(ticks)
    ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
    ax.xaxis.set_major_formatter(
        FuncFormatter(lambda v, _: _num(language, 1)(v, 0) if v < 1 or v % 1 else _num(language)(v, 0))
    )
    ax.set_yticks(y, [wrap(labels.get(e, e), 55) for e in model["estimate"]], fontsize=7)
    ax.set_xlabel(labels["xlabel"])
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], color=GREY, alpha=0.5, linewidth=7, label=labels["printed_interval"]),
        *(
            Line2D([], [], color=c, marker="o", linewidth=1, label=labels[k])
            for k, c in (("reproduced", DIRECT), ("within", "#e08214"), ("not_reproduced", LOCAL))
        ),
    ]
    ax.legend(handles=handles, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=4, frameon=False)
    return finish(fig, ax, labels["title"], caption_text)


def tornado(sens: pd.DataFrame, labels: dict, caption_text: str, language: str, top: int = 10) -> Figure:
    """The most influential pairs of estimate and input on one percent-change axis.

    Each pair's bar spans the change of the estimate when that input moves over the range
    (``variation`` not starting with 'alternative'); diamonds mark the report's own
    alternative values. Pairs are ranked by the width of their bar; the ``top`` widest are
    drawn one by one (fewer when the next pair ties with the last one shown, so that the
    cut does not fall inside a tie), and every other pair is pooled in one last bar
    spanning all their changes (``labels["others"]`` with ``%(n)s``). A row is labelled
    'input → estimate' from ``labels`` (fact and estimate ids -> readable labels)."""
    ranged = sens[~sens["variation"].str.startswith("alternative")]
    width = ranged.groupby(["estimate", "fact"], sort=False)["change_pct"].agg(lambda c: c.max() - c.min())
    order = sorted(range(len(width)), key=lambda i: (-round(width.iloc[i], 9), i))
    pairs = [width.index[i] for i in order]
    shown = pairs[:top]
    while len(shown) < len(pairs) and shown and round(width[shown[-1]], 9) == round(width[pairs[len(shown)]], 9):
        shown = shown[:-1]
    rest = pairs[len(shown) :]
    groups = [[p] for p in shown] + ([rest] if rest else [])
    # each row's label: the input and the estimate on up to two lines each
    fig, ax = new_figure(width=8.5, height=1.4 + 0.62 * len(groups))
    key = list(zip(sens["estimate"], sens["fact"], strict=True))
    yticks, ylabels = [], []
    for k, group in enumerate(groups):
        pos = len(groups) - 1 - k
        rows = sens[[kk in set(group) for kk in key]]
        alternative = rows["variation"].str.startswith("alternative")
        r = rows[~alternative]["change_pct"]
        pooled = len(group) > 1
        ax.barh(pos, r.max() - r.min(), left=r.min(), color="#a6cee3" if pooled else "#67a9cf", height=0.6)
        alt = rows[alternative]
        ax.plot(alt["change_pct"], [pos] * len(alt), linestyle="none", marker="D", markersize=4, color=LOCAL)
        yticks.append(pos)
        if pooled:
            ylabels.append(wrap(labels["others"] % {"n": len(group)}, 60))
        else:
            est, fact = group[0]
            ylabels.append(wrap(labels.get(fact, fact), 56) + "\n→ " + wrap(labels.get(est, est), 54))
    ax.axvline(0, color="#333333", linewidth=0.6)
    ax.set_yticks(yticks, ylabels, fontsize=7)
    ax.margins(x=0.03)  # the widest bar does not touch the axis
    ax.set_ylim(-0.7, len(groups) - 0.3)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: percent_formatter(v, language)))
    ax.set_xlabel(labels["xlabel"])
    ax.grid(axis="x", color="#eeeeee", linewidth=0.6)
    ax.set_axisbelow(True)
    return finish(fig, ax, labels["title"], caption_text)
