"""Meetings stage entry point: the Försäkringskassan tables -> result tables, figures, section."""

from __future__ import annotations

import pandas as pd

from analysis.core.errors import InputError
from analysis.core.stage import stage_run
from analysis.core.store import read_meta, write_csv, write_figure, write_parquet, write_text
from analysis.meetings import TABLES


def run(input, output, params, log=None) -> None:
    """Stage: ``input.tables`` (+ events, codebook) -> ``output`` tables, figures and ``md``."""
    from analysis.meetings.analysis import analyse_meetings
    from analysis.report.meetings import meetings_figures, meetings_markdown

    with stage_run("meetings", output, log) as record:
        settings, language = params.settings, params.language
        tables = {}
        for p in input.tables:
            tables[read_meta(p)["table"]["id"]] = frame = pd.read_parquet(p)
            record.read(p, frame)
        events = pd.read_parquet(input.events)
        codebook = pd.read_parquet(input.codebook)
        try:
            results = analyse_meetings(tables, events, settings)
        except KeyError as exc:
            raise InputError(
                "config.yaml", None, None, str(exc).strip("\"'"), "ids that exist in the source's data", "meetings:"
            ) from None
        meta = {"settings": settings, "source_tables": list(input.tables)}
        for name in TABLES:
            frame = getattr(results, name)
            write_parquet(frame, getattr(output, name), meta)
            write_csv(frame, getattr(output, f"{name}_csv"))
            record.wrote(getattr(output, name), frame)
        shown = {}
        for key, (fig, cap) in meetings_figures(results, codebook, settings, language).items():
            paths = {fmt: getattr(output, f"{key}_{fmt}") for fmt in params.formats}
            write_figure(fig, paths)
            shown[key] = (f"figures/{paths['png'].rsplit('/', 1)[-1]}", cap)
            record.wrote(paths["png"])
        write_text(meetings_markdown(results, codebook, settings, shown, language), output.md)
        record.wrote(output.md)
