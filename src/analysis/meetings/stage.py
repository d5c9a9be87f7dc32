"""Meetings stage entry point: the Försäkringskassan tables -> result tables.

No language, no figures, no prose: the figures job
(:func:`analysis.report.meetings_figures.run`) and the report job
(:func:`analysis.report.meetings.run`) read what this stage writes.
"""

from __future__ import annotations

import pandas as pd

from analysis.core.errors import InputError
from analysis.core.stage import stage_run
from analysis.core.store import read_meta, write_results
from analysis.meetings import TABLES


def run(input, output, params, log=None) -> None:
    """Stage: ``input.tables`` (+ ``input.events``) -> every result table of :data:`TABLES`."""
    with stage_run("meetings", output, log) as record:
        from analysis.meetings.analysis import analyse_meetings
        from analysis.meetings.models import SeriesGap

        settings = params.settings
        tables, raw_files = {}, {}
        for p in input.tables:
            meta = read_meta(p)
            tables[meta["table"]["id"]] = frame = pd.read_parquet(p)
            raw_files[meta["table"]["id"]] = meta.get("raw_file", p)
            record.read(p, frame)
        events = pd.read_parquet(input.events)
        record.read(input.events, events)
        try:
            results = analyse_meetings(tables, events, settings)
        except KeyError as exc:
            raise InputError(
                "config.yaml", None, None, str(exc).strip("\"'"), "ids that exist in the source's data", "meetings:"
            ) from None
        except SeriesGap as exc:
            raw = raw_files.get(settings["series_table"], settings["series_table"])
            line = exc.row.get("raw_line")  # the period label is the first column
            raise InputError(
                raw,
                None if line is None else int(line),
                None if line is None else 1,
                str(exc.row.get("period")),
                f"consecutive half-years in every series ({exc.column})",
                "a half-year is missing or repeated before",
            ) from None
        meta = {"settings": settings, "source_tables": list(input.tables)}
        write_results({name: getattr(results, name) for name in TABLES}, output, meta, record)
