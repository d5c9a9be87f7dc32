"""Figures printed in prose or footnotes (facts.csv) and dated events (events.csv).

Both are semicolon-separated UTF-8 files with a fixed header. A fact keeps its value as
printed, the unit, the period it refers to and the qualifier printed with it ("drygt",
"cirka", ...); an event keeps its date at the precision the document gives. Each row is
described twice, in English (``description``) and in Swedish (``description_sv``): both
are paraphrases written for this project, never the document's own sentences, so that a
report in either language can quote them.
"""

from __future__ import annotations

import calendar
import re

import numpy as np
import pandas as pd

from analysis.core.errors import InputError
from analysis.core.numbers import EXPECTED, parse_number
from analysis.ingest.tables import decode_utf8, read_rows

FACT_COLUMNS = ["id", "value", "unit", "period", "qualifier", "location", "description", "description_sv", "seed_line"]
EVENT_COLUMNS = ["id", "date", "precision", "description", "description_sv", "location", "seed_line"]
# The free-text columns that must not be empty, with what each should hold.
TEXT_COLUMNS = {
    "location": "the place in the document (section, table or footnote)",
    "description": "an English description",
    "description_sv": "a Swedish description (a paraphrase of the English one)",
}

# Qualifiers as printed in the documents, with their English gloss. An unlisted
# qualifier is an error: the claims audit maps each of these to an interval.
QUALIFIERS = {
    "": "exact as printed",
    "knappt": "just under",
    "drygt": "just over",
    "cirka": "about",
    "omkring": "around",
    "närmare": "nearly",
    "nära": "close to",
    "mellan": "between (one end of a printed range)",
    "nästan": "almost",
    "ungefär": "approximately",
    "runt": "around",
    "ca": "about (abbreviated)",
    "mer än": "more than",
    "över": "over",
    "fler än": "more than",
    "färre än": "fewer than",
    "mindre än": "less than",
    "under": "under",
    "minst": "at least",
    "högst": "at most",
    "hela": "as many as",
    "endast": "only",
    "i det närmaste": "very nearly",
    "upp till": "up to",
}

PRECISIONS = ("day", "month", "half_year", "quarter", "year", "period")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_UNIT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_DATE = {
    "day": re.compile(r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})$"),
    "month": re.compile(r"^(?P<y>\d{4})-(?P<m>\d{2})$"),
    "half_year": re.compile(r"^(?P<y>\d{4})-H(?P<h>[12])$"),
    "quarter": re.compile(r"^(?P<y>\d{4})-Q(?P<q>[1-4])$"),
    "year": re.compile(r"^(?P<y>\d{4})$"),
}


def _header(path: str, rows, expected: list[str]) -> None:
    """A located error at the first header cell that differs from ``expected`` (missing or extra columns too)."""
    line, cells = rows[0]
    width = max(len(cells), len(expected))
    padded = zip(cells + [""] * (width - len(cells)), expected + [""] * (width - len(expected)), strict=True)
    for i, (got, want) in enumerate(padded):
        if got != want:
            here = f"'{want}'" if want else "no further column"
            raise InputError(
                path, line, i + 1, got, f"{here} (the header is {';'.join(expected)})", "unexpected column"
            )


def parse_facts(source_id: str, path: str, raw: bytes) -> pd.DataFrame:
    """Parse facts.csv into one row per fact.

    Returns
    -------
    DataFrame
        ``source_id, id, value, decimals, unit, period, qualifier, qualifier_en, location,
        description, description_sv, status, printed, seed_line, raw_line``; ``value`` is
        the printed number (float), NaN with status ``not_available`` when the printed
        value is ``-``.
    """
    records = []
    for line, rec in _records(path, raw, FACT_COLUMNS, "fact"):
        if not _UNIT.match(rec["unit"]):
            raise InputError(
                path,
                line,
                3,
                rec["unit"],
                "a unit word such as 'persons', 'percent', 'SEK'",
                "bad unit",
            )
        if rec["qualifier"] not in QUALIFIERS:
            raise InputError(path, line, 5, rec["qualifier"], f"one of {sorted(QUALIFIERS)}", "unknown qualifier")
        _require_text(path, line, rec, FACT_COLUMNS, ("location", "description", "description_sv"))
        _require_seed_line(path, line, rec, FACT_COLUMNS, "the value")
        if rec["value"] == "-":
            value, decimals, status = np.nan, 0, "not_available"
        else:
            try:
                p = parse_number(rec["value"])
            except ValueError:
                raise InputError(path, line, 2, rec["value"], EXPECTED, "not a number:") from None
            value, decimals, status = p.value, p.decimals, "ok"
        records.append(
            {
                "source_id": source_id,
                "id": rec["id"],
                "value": value,
                "decimals": decimals,
                "unit": rec["unit"],
                "period": rec["period"],
                "qualifier": rec["qualifier"],
                "qualifier_en": QUALIFIERS[rec["qualifier"]],
                "location": rec["location"],
                "description": rec["description"],
                "description_sv": rec["description_sv"],
                "status": status,
                "printed": rec["value"],
                "seed_line": int(rec["seed_line"]),
                "raw_line": line,
            }
        )
    columns = ["source_id", "id", "value", "decimals", "unit", "period", "qualifier", "qualifier_en"]
    columns += ["location", "description", "description_sv", "status", "printed", "seed_line", "raw_line"]
    frame = pd.DataFrame.from_records(records, columns=columns)
    return _typed(frame, floats=["value"], ints=["decimals", "seed_line", "raw_line"])


def _records(path: str, raw: bytes, columns: list[str], kind: str):
    """Yield (line, row dict) after checking the header and that ids are unique snake_case."""
    rows = read_rows(path, decode_utf8(path, raw))
    _header(path, rows, columns)
    seen: dict[str, int] = {}
    for line, cells in rows[1:]:
        rec = dict(zip(columns, cells, strict=True))
        if not _ID.match(rec["id"]):
            raise InputError(path, line, 1, rec["id"], "a snake_case id", f"bad {kind} id")
        if rec["id"] in seen:
            expected = f"a unique id (first at line {seen[rec['id']]})"
            raise InputError(path, line, 1, rec["id"], expected, f"duplicate {kind} id")
        seen[rec["id"]] = line
        yield line, rec


def _require_text(path: str, line: int, rec: dict, columns: list[str], required: tuple[str, ...]) -> None:
    """A located error for the first required text cell that is empty (or only blanks)."""
    for col in required:
        if not rec[col]:
            raise InputError(
                path, line, columns.index(col) + 1, rec[col], f"{TEXT_COLUMNS[col]} in column '{col}'", "missing text"
            )


def _require_seed_line(path: str, line: int, rec: dict, columns: list[str], what: str) -> None:
    if not rec["seed_line"].isdigit() or int(rec["seed_line"]) < 1:
        raise InputError(
            path,
            line,
            columns.index("seed_line") + 1,
            rec["seed_line"],
            f"the line number in the seed text where {what} is printed",
            "bad seed_line",
        )


def _typed(frame: pd.DataFrame, floats=(), ints=()) -> pd.DataFrame:
    for c in frame.columns:
        if c in floats:
            frame[c] = frame[c].astype("float64")
        elif c in ints:
            frame[c] = frame[c].astype("int64")
        else:
            frame[c] = frame[c].astype("string")
    return frame


def date_range(text: str, precision: str) -> tuple[str, str]:
    """First and last day covered by an ISO date at the given precision.

    ``period`` takes ``START/END`` where each end is itself day, month, half-year,
    quarter or year precision, e.g. ``2016-09/2017-12``.
    """
    if precision == "period":
        if text.count("/") != 1:
            raise ValueError("START/END, e.g. 2016-09/2017-12")
        a, b = text.split("/")
        start = date_range(a, _infer(a))[0]
        end = date_range(b, _infer(b))[1]
        if end < start:
            raise ValueError("an END after START")
        return start, end
    m = _DATE[precision].match(text)
    if m is None:
        raise ValueError(f"a {precision} date like {_EXAMPLES[precision]}")
    y = int(m["y"])
    if precision == "year":
        return f"{y:04d}-01-01", f"{y:04d}-12-31"
    if precision == "half_year":
        h = int(m["h"])
        return (f"{y:04d}-01-01", f"{y:04d}-06-30") if h == 1 else (f"{y:04d}-07-01", f"{y:04d}-12-31")
    if precision == "quarter":
        q = int(m["q"])
        first, last = 3 * q - 2, 3 * q
        return (
            f"{y:04d}-{first:02d}-01",
            f"{y:04d}-{last:02d}-{calendar.monthrange(y, last)[1]:02d}",
        )
    mo = int(m["m"])
    if not 1 <= mo <= 12:
        raise ValueError("a month 01-12")
    if precision == "month":
        return f"{y:04d}-{mo:02d}-01", f"{y:04d}-{mo:02d}-{calendar.monthrange(y, mo)[1]:02d}"
    d = int(m["d"])
    if not 1 <= d <= calendar.monthrange(y, mo)[1]:
        raise ValueError("a valid day of the month")
    return text, text


_EXAMPLES = {
    "day": "2016-02-01",
    "month": "2016-02",
    "half_year": "2016-H1",
    "quarter": "2016-Q3",
    "year": "2016",
}


def _infer(text: str) -> str:
    for prec, pat in _DATE.items():
        if pat.match(text):
            return prec
    raise ValueError("START/END made of ISO dates (YYYY, YYYY-MM, YYYY-MM-DD, YYYY-H1, YYYY-Q1)")


def parse_events(source_id: str, path: str, raw: bytes) -> pd.DataFrame:
    """Parse events.csv: one row per dated event with its covered ``start`` and ``end`` day.

    Returns
    -------
    DataFrame
        ``source_id, id, date, precision, description, description_sv, location,
        seed_line, start, end, raw_line``; ``seed_line`` is the line of the seed text that
        dates the event.
    """
    records = []
    for line, rec in _records(path, raw, EVENT_COLUMNS, "event"):
        if rec["precision"] not in PRECISIONS:
            raise InputError(path, line, 3, rec["precision"], f"one of {list(PRECISIONS)}", "unknown precision")
        try:
            start, end = date_range(rec["date"], rec["precision"])
        except ValueError as exc:
            raise InputError(path, line, 2, rec["date"], str(exc), "bad date") from None
        _require_text(path, line, rec, EVENT_COLUMNS, ("description", "description_sv", "location"))
        _require_seed_line(path, line, rec, EVENT_COLUMNS, "the event's date")
        records.append({"source_id": source_id, **rec, "start": start, "end": end, "raw_line": line})
    frame = pd.DataFrame.from_records(records, columns=["source_id", *EVENT_COLUMNS, "start", "end", "raw_line"])
    return _typed(frame, ints=["seed_line", "raw_line"])
