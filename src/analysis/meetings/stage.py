"""Meetings stage entry points: the Försäkringskassan tables -> result tables (:func:`run`
for the series and their models, :func:`run_groups` for the registers by group).

No language, no figures, no prose: the figures job
(:func:`analysis.report.meetings_figures.run`) and the report job
(:func:`analysis.report.meetings.run`) read what this stage writes.
"""

from __future__ import annotations

import pandas as pd

from analysis.core.errors import InputError
from analysis.core.stage import stage_run
from analysis.core.store import read_meta, write_results
from analysis.meetings import GROUP_RESULTS, SERIES_RESULTS

# Result CSVs carry 4 significant digits (the inputs have 3-6; p-values, ratios and
# percentages need no more); whole numbers (counts) stay exact. Parquet keeps full precision.
CSV_DIGITS = 4


def csv_precision(frame: pd.DataFrame, digits: int = CSV_DIGITS) -> pd.DataFrame:
    """``frame`` with every non-integral float rounded to ``digits`` significant digits."""
    import numpy as np

    out = frame.copy()
    for col in out.columns:
        if out[col].dtype.kind != "f":
            continue
        v = out[col].to_numpy(dtype=float)
        finite = np.isfinite(v) & (np.abs(v) > 1e-300) & (v != np.round(v))
        mag = np.floor(np.log10(np.abs(np.where(finite, v, 1.0))))
        scale = 10.0 ** (digits - 1 - mag)
        out[col] = np.where(finite, np.round(v * scale) / scale, v)
    return out


def results_half_years(frame: pd.DataFrame, settings: dict) -> list[str]:
    """Half-year labels ('2015H1') of the first series, by position."""
    from analysis.meetings.models import half_year_series

    half = half_year_series(frame, settings["series"])
    return list(half.loc[half["series"] == next(iter(settings["series"])), "label"])


def read_inputs(paths: list[str], record) -> tuple[dict, dict, dict]:
    """The processed tables ``paths``: {table id: frame}, {table id: raw file} and
    {table id: period as the sidecar states it}."""
    tables, raw_files, periods = {}, {}, {}
    for p in paths:
        meta = read_meta(p)
        tid = meta["table"]["id"]
        tables[tid] = frame = pd.read_parquet(p)
        raw_files[tid] = meta.get("raw_file", p)
        periods[tid] = str(meta["table"].get("period", ""))
        record.read(p, frame)
    return tables, raw_files, periods


def write_tables(results: dict[str, pd.DataFrame], names, input, output, settings: dict, record) -> None:
    """The result tables ``names`` (Parquet at full precision, with the settings and source
    tables in its metadata; CSV to :data:`CSV_DIGITS` significant digits)."""
    meta = {"settings": settings, "source_tables": list(input.tables)}
    write_results({n: results[n] for n in names}, output, meta, record, csv_precision=csv_precision)


def run(input, output, params, log=None) -> None:
    """Stage (rule ``meetings``): the series table (``input.tables``) and the events
    (``input.events``) -> the result tables of :data:`SERIES_RESULTS`."""
    from analysis.meetings.analysis import analyse_series
    from analysis.meetings.models import BreaksNotIdentifiable, SeriesGap

    settings = params.settings
    with stage_run("meetings", output, log) as record:
        tables, raw_files, _ = read_inputs(input.tables, record)
        events = pd.read_parquet(input.events)
        record.read(input.events, events)
        try:
            results = analyse_series(tables[settings["series_table"]], events, settings)
        except KeyError as exc:
            raise InputError(
                "config.yaml", None, None, str(exc).strip("\"'"), "ids that exist in the source's data", "meetings:"
            ) from None
        except BreaksNotIdentifiable as exc:
            first = results_half_years(tables[settings["series_table"]], settings)
            raise InputError(
                "config.yaml",
                None,
                None,
                ", ".join(first[b] for b in exc.breaks if 0 <= b < len(first)),
                "breakpoint events in different half-years, after the first, with at least two half-years "
                "between them and after the last",
                "meetings.breakpoints: the segmented model is not identifiable",
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
        write_tables(results, SERIES_RESULTS, input, output, settings, record)


def run_groups(input, output, params, log=None) -> None:
    """Stage (rule ``meetings_groups``): the end-reason, group and diagnosis tables
    (``input.tables``) -> the result tables of :data:`GROUP_RESULTS`."""
    from analysis.meetings.groups import analyse_groups

    settings = params.settings
    with stage_run("meetings_groups", output, log) as record:
        tables, _, periods = read_inputs(input.tables, record)
        results = analyse_groups(tables, settings, periods)
        write_tables(results, GROUP_RESULTS, input, output, settings, record)
