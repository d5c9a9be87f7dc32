"""Shared figure conventions: size, fonts, captions and locale-aware percent ticks."""

from __future__ import annotations

import textwrap

from babel.numbers import format_decimal
from matplotlib.figure import Figure

LOCALES = {"en": "en_GB", "sv": "sv_SE"}


def new_figure(width: float, height: float):
    """A Figure with one Axes, without pyplot (thread-safe, no global state)."""
    fig = Figure(figsize=(width, height), layout="constrained")
    ax = fig.add_subplot()
    return fig, ax


def percent_formatter(value: float, language: str) -> str:
    """Tick label for a percentage: '20 %' in Swedish (no-break space), '20%' in English."""
    number = format_decimal(round(value), locale=LOCALES[language])
    return f"{number}\u00a0%" if language == "sv" else f"{number}%"


def title(fig: Figure, text: str) -> None:
    """Left-aligned figure title, wrapped to the figure width (not clipped by long tick labels)."""
    width = int(fig.get_figwidth() * 13)  # about 13 characters per inch at 10 pt
    fig.suptitle("\n".join(textwrap.wrap(text, width)), fontsize=10, ha="left", x=0.01)


def heading(ax, pos: float, text: str, fontsize: float = 8) -> None:
    """A bold group heading at the left edge of the axes, at data height ``pos``."""
    ax.text(
        0.0, pos, text, fontsize=fontsize, fontweight="bold", transform=ax.get_yaxis_transform(), ha="left", va="center"
    )


def caption(fig: Figure, text: str) -> None:
    """Put the caption (source table and method) under the figure, wrapped."""
    fig.get_layout_engine().set(h_pad=0.1)
    fig.supxlabel("\n".join(textwrap.wrap(text, 130)), fontsize=7, color="#444444", ha="left", x=0.01)


def finish(fig: Figure, axes, title_text: str, caption_text: str, grid: str | None = None) -> Figure:
    """The common last touches: no top/right spines, an optional light grid on ``grid``
    ('x' or 'y'), the figure title and the caption. Returns the Figure."""
    for ax in axes if isinstance(axes, list | tuple) else [axes]:
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if grid:
            ax.grid(axis=grid, color="#dddddd", linewidth=0.6)
            ax.set_axisbelow(True)
    title(fig, title_text)
    caption(fig, caption_text)
    return fig
