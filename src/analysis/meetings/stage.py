"""Meetings stage entry point: the Försäkringskassan tables -> result tables.

No language, no figures, no prose: the figures job
(:func:`analysis.report.meetings_figures.run`) and the report job
(:func:`analysis.report.meetings.run`) read what this stage writes.
"""

from __future__ import annotations

import pandas as pd

from analysis.core.errors import InputError
from analysis.core.stage import StageError, stage_run
from analysis.core.store import read_meta, write_csv, write_parquet
from analysis.meetings import TABLES, part_keys

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


def run_part(input, output, params, log=None, keys=None) -> tuple[list[str], dict]:
    """Stage part: ``input.tables`` (+ ``input.events``) -> the part of the results named
    by ``keys`` (series ids and/or :data:`~analysis.meetings.GROUPS`; default: all of it),
    with the log lines. :func:`combine` writes the result tables from the parts; rule
    ``meetings`` runs :func:`run`, the whole analysis as one part in one worker (see
    :data:`analysis.meetings.GROUPS`)."""
    from analysis.meetings.analysis import analyse_part
    from analysis.meetings.models import BreaksNotIdentifiable, SeriesGap

    settings = params.settings
    keys = list(keys if keys is not None else part_keys(settings))
    with stage_run("meetings " + " ".join(keys), output, log) as record:
        tables, raw_files, periods = {}, {}, {}
        for p in input.tables:
            meta = read_meta(p)
            tid = meta["table"]["id"]
            tables[tid] = frame = pd.read_parquet(p)
            raw_files[tid] = meta.get("raw_file", p)
            periods[tid] = str(meta["table"].get("period", ""))
            record.read(p, frame)
        events = pd.read_parquet(input.events)
        record.read(input.events, events)
        try:
            part = analyse_part(tables, events, settings, periods, keys)
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
    return record.lines, part


def combine(input, output, params, record, parts: list[dict]) -> None:
    """Write every result table of :data:`TABLES` from the parts (:func:`run_part`)."""
    from analysis.meetings.results import combine_parts

    results = combine_parts(parts, params.settings)
    meta = {"settings": params.settings, "source_tables": list(input.tables)}
    for name in TABLES:
        frame = getattr(results, name)
        write_parquet(frame, getattr(output, name), meta)
        write_csv(csv_precision(frame), getattr(output, f"{name}_csv"))
        record.wrote(getattr(output, name), frame)


def run(input, output, params, log=None) -> None:
    """Stage: ``input.tables`` (+ ``input.events``) -> every result table of :data:`TABLES`
    (the whole analysis in this process: one part)."""
    with stage_run("meetings", output, log, errors=(StageError,)) as record:
        lines, part = run_part(input, output, params)
        record.lines += lines
        combine(input, output, params, record, [part])
