"""Every number printed in a source document, accounted for.

The register ``data/raw/<source>/numbers.csv`` lists each numeric token of the document's
extracted text (its line, column and the token as printed) with its status:

* ``registered``: a table cell or label, a fact, a claim or a dated event cites it (matched
  by seed line and value; an event by the year and day of its date); ``category`` says
  which kinds (``table``, ``fact``, ``claim``, ``event``, joined by ``+``) and ``reference``
  names them (``table:tabell_3``, ``fact:respondents``, ``claim:x``, ``event:y``).
* ``waived``: not data, with a reason ``category`` from :data:`WAIVERS` and a short note
  in ``reference``.
* ``unaccounted``: neither; the register is incomplete until each is registered or waived.

:func:`build_register` computes the register from the text and the raw data and keeps the
waivers of an earlier register; :func:`check_register` compares a committed register
with a fresh one (what the tests run); :func:`read_register` validates a register without
the text (what the ingest stage runs) and :func:`coverage` counts it. Run
``python -m analysis.ingest.completeness data/raw/<source>`` to regenerate a register.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from analysis.core import yamlio
from analysis.core.errors import InputError

COLUMNS = ["line", "column", "token", "status", "category", "reference"]
STATUSES = ("registered", "waived", "unaccounted")
REGISTERED_KINDS = ("table", "fact", "claim", "event")
# Why a printed number is not data. Each is a kind of number a reader would not expect in
# a table of the document's findings.
WAIVERS = {
    "date": "a date, year, month, week or period that places something in time",
    "reference": "a legal, document, series, case or address reference (law, SFS, dnr, report number, URL, phone)",
    "heading": "a footnote, section, table, figure or appendix number, or a list item number",
    "bibliography": "a number in a reference list entry",
    "furniture": "page furniture: the table of contents, page numbers, headers and footers",
    "label": "part of a name or label (Hjälplinjen 30 000, ICD chapter codes, organisation names)",
    "quotation": "a number in a quoted interview statement or an example, not a finding of the document",
    "event": "a number recorded with a dated event of events.csv (which has no numeric value)",
    "repeat": "the same figure printed again: the fact named in the note (fact:<id>) registers it where first printed",
}

# A printed number: digits with space-grouped thousands (30 000, 573 738) and a decimal
# comma, or a plain run of digits. Superscript footnote marks (¹) are not ASCII digits.
_SPACE = "[ \u00a0\u202f]"
NUMBER = re.compile(rf"(?<![0-9])(?:[0-9]{{1,3}}(?:{_SPACE}[0-9]{{3}})+(?![0-9])|[0-9]+)(?:,[0-9]+)?")


@dataclass(frozen=True)
class Token:
    line: int
    column: int  # 1-based character column in the line
    token: str  # as printed, any space normalised to a plain space


_SAME_WIDTH = str.maketrans({"\u00a0": " ", "\u202f": " "})  # keeps columns


def norm(text: str) -> str:
    return re.sub(f"{_SPACE}+", " ", text)


def tokens(text: str) -> list[Token]:
    """Every printed number of a text, in reading order."""
    out = []
    for i, line in enumerate(text.splitlines(), start=1):
        for m in NUMBER.finditer(line):
            out.append(Token(i, m.start() + 1, norm(m.group())))
    return out


def text_tokens(text: str) -> list[str]:
    return [norm(m.group()) for m in NUMBER.finditer(text)]


def table_tokens(sidecar: dict, csv_text: str) -> Counter:
    """The numbers a printed table carries: its number, title, labels, cells and source note."""
    parts = [sidecar.get("number", ""), sidecar.get("title", ""), sidecar.get("source_note", "")]
    parts += [f.get("mark", "") for f in sidecar.get("footnotes", [])]
    parts += [cell for row in csv.reader(io.StringIO(csv_text), delimiter=";") for cell in row]
    return Counter(t for p in parts for t in text_tokens(p or ""))


def date_numbers(date: str, precision: str) -> set[str]:
    """The numbers a printed date shows: its years and, at day precision, the day
    (months are printed as words; '2019-10-23' is printed '23 oktober 2019')."""
    out = set(re.findall(r"\d{4}", date))
    if precision == "day":
        out.add(str(int(date[-2:])))
    return out


def registrations(all_tokens: list[Token], tables, facts, claims, events=()) -> dict[Token, list[str]]:
    """The references that register each token.

    ``tables``: (table_id, title line, last line, Counter of its numbers): the numbers are
    matched in reading order between the title line and the table's last line until each
    is found (without a last line, to the end of the text). ``facts``: (id, seed line,
    printed value). ``claims``: (id, seed line, printed words). ``events``: (id, seed line,
    date, precision): the years (and day) of the date on that line.
    """
    refs: dict[Token, list[str]] = {}
    by_line: dict[int, list[Token]] = {}
    for t in all_tokens:
        by_line.setdefault(t.line, []).append(t)
    for tid, start, end, wanted in tables:
        left = Counter(wanted)
        for t in all_tokens:
            if t.line < start:
                continue
            if not +left or (end is not None and t.line > end):
                break
            if left[t.token] > 0:
                left[t.token] -= 1
                refs.setdefault(t, []).append(f"table:{tid}")
    for fid, line, value in facts:
        for t in by_line.get(line, []):
            if t.token == norm(value):
                refs.setdefault(t, []).append(f"fact:{fid}")
    for cid, line, printed in claims:
        numbers = set(text_tokens(printed))
        for t in by_line.get(line, []):
            if t.token in numbers:
                refs.setdefault(t, []).append(f"claim:{cid}")
    for eid, line, date, precision in events:
        numbers = date_numbers(date, precision)
        for t in by_line.get(line, []):
            if t.token in numbers:
                refs.setdefault(t, []).append(f"event:{eid}")
    return {t: sorted(set(r)) for t, r in refs.items()}


def load_raw(source_dir: Path):
    """Tables, facts, claims and events of a raw source folder, for :func:`registrations`."""
    tables = []
    for sc_path in sorted((source_dir / "tables").glob("*.yaml")):
        sc = yamlio.safe_load(sc_path.read_text(encoding="utf-8"))
        csv_text = sc_path.with_suffix(".csv").read_text(encoding="utf-8")
        loc = sc["location"]
        tables.append((sc["id"], loc["seed_line"], loc.get("seed_line_last"), table_tokens(sc, csv_text)))
    facts = []
    if (source_dir / "facts.csv").is_file():
        rows = csv.DictReader(io.StringIO((source_dir / "facts.csv").read_text(encoding="utf-8")), delimiter=";")
        facts = [(r["id"], int(r["seed_line"]), r["value"]) for r in rows]
    claims = []
    if (source_dir / "claims.yaml").is_file():
        doc = yamlio.safe_load((source_dir / "claims.yaml").read_text(encoding="utf-8"))
        claims = [(c["id"], c["seed_line"], c.get("printed", "")) for c in doc["claims"]]
    events = []
    if (source_dir / "events.csv").is_file():
        rows = csv.DictReader(io.StringIO((source_dir / "events.csv").read_text(encoding="utf-8")), delimiter=";")
        events = [(r["id"], int(r["seed_line"]), r["date"], r["precision"]) for r in rows]
    return tables, facts, claims, events


_MONTHS = "januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december"
# Patterns that make a number something other than data: (category, note, pattern). The
# pattern is searched in the line; a number inside a match is waived. Order matters: the
# first rule whose match covers the number wins.
RULES: list[tuple[str, str, re.Pattern]] = [
    ("reference", "web address", re.compile(r"<?https?://\S+|www\.\S+|\S+\.html>?")),
    ("heading", "footnote mark", re.compile(r"<sup>[^<]*</sup>|\[\d+\]")),
    ("date", "ISO date", re.compile(r"\b\d{4}[-‑]\d{2}[-‑]\d{2}\b")),
    (
        "reference",
        "document or case number",
        re.compile(r"(?i)\b(?:dnr:?|diarienummer:?(?:\s*akt)?)\s*(?:[a-z]+-)?\d[\d/ .:–-]*\d|\bAf-\d{4}/\d+(?: \d+)?"),
    ),
    (
        "reference",
        "law, report or series number",
        re.compile(r"\(?\b(?:SFS |SOU |Ds |prop\. ?)?\d{4}(?:/\d{2})?:\d+\)?"),
    ),
    ("reference", "legal reference", re.compile(r"\d+(?:[–-]\d+)?\s*(?:kap\.|§§?)(?:\s*\d+(?:[–-]\d+)?\s*§§?)?")),
    ("reference", "government case number", re.compile(r"\b[SA]\d{4}/\d+[\w/]*")),
    ("reference", "case number", re.compile(r"(?i)dnr\s+\d+[–-]\d{4}(?:,\s*(?:dnr\s+)?\d+[–-]\d{4})*")),
    ("reference", "telephone number", re.compile(r"\b0\d{1,3}-\d{2,3}(?: \d{2}){2,3}\b")),
    (
        "reference",
        "version of a guidance or process document",
        re.compile(r"(?i)\bversion(?:erna)?\s+\d+(?:\s*[–-]\s*\d+)?|versionen \(\d+\)"),
    ),
    (
        "reference",
        "year of a cited publication",
        re.compile(r"\(\d{4}[a-c]?(?::\s*\d+)?\)|\d+\(\d+\)(?::\s*\d+[–-]\d+)?"),
    ),
    (
        "label",
        "customer flow (kundflöde K1-K3)",
        re.compile(r"(?i)\bK[123]\b|\bK[123](?=[-:,]| )|kundflöde(?:na)?\s+\d(?:\s*(?:och|,)\s*\d)*"),
    ),
    ("reference", "day of the rehabilitation chain (a time limit in law)", re.compile(r"(?i)\bdag\s+\d+(?:[–-]\d+)?")),
    ("reference", "page or item reference", re.compile(r"\b(?:s\.|sid\.|nr|MO)\s?\d+")),
    ("reference", "file name", re.compile(r"[\w-]*[_-]\d{6}\b")),
    ("date", "day and month", re.compile(rf"(?i)\b\d{{1,2}}(?:[–-]\d{{1,2}})?\s+(?:{_MONTHS})\b")),
    (
        "date",
        "year",
        re.compile(
            r"(?<![\d,])(?<!\d )(?:19[5-9]\d|20[0-3]\d)(?:[/–-](?:19[5-9]\d|20[0-3]\d|\d{2}))?(?!\d|,\d| \d{3}\b)"
        ),
    ),
    (
        "date",
        "week",
        re.compile(r"(?i)\b(?:vecka|veckorna|v\.?)\s*\d{1,2}(?:\s*(?:[–-]|och|till)\s*(?:vecka\s*)?\d{1,2})*"),
    ),
    (
        "heading",
        "table, figure, appendix or chapter number",
        re.compile(
            r"(?i)\b(?:tabell|tabellerna|figur|figurerna|diagram|bilaga|bilagorna|kapitel|avsnitt|fråga|bilagan)\s+\d+(?:\s*(?:och|,|–|-)\s*\d+)*"
        ),
    ),
    ("heading", "section or list number", re.compile(r"^\s*(?:[#*>•-]+\s*)*(?:\*\*)?\d+(?:\.\d+)*\.?(?=\s|\*|$)")),
    ("heading", "list item number", re.compile(r"(?<![\w,])\d\)")),
    ("label", "response scale of a questionnaire", re.compile(r"skala \d-\d|\b\d=|\b1 2 3 4 5\b")),
    ("furniture", "table of contents entry", re.compile(r"(?:\.{3,}|\t)\s*(?:</?b>)*\s*\d+\s*(?:</?b>)*\s*$")),
]


def classify(line: str, column: int, token: str) -> tuple[str, str] | None:
    """The waiver (category, note) a rule gives a number at ``column`` of ``line``, if any."""
    start, end = column - 1, column - 1 + len(token)
    for category, note, pattern in RULES:
        for m in pattern.finditer(line):
            if m.start() <= start and end <= m.end():
                return category, note
    return None


def build_register(text: str, source_dir: Path, previous: list[dict] | None = None) -> list[dict]:
    """The register of every number in ``text``: registered where the raw data cites it,
    else the waiver of ``previous`` for the same (line, column, token), else a rule's
    waiver, else ``unaccounted``."""
    lines = text.splitlines()
    toks = tokens(text)
    refs = registrations(toks, *load_raw(source_dir))
    kept = {(int(r["line"]), int(r["column"]), r["token"]): r for r in previous or [] if r["status"] == "waived"}
    rows = []
    for t in toks:
        row = {"line": t.line, "column": t.column, "token": t.token}
        if t in refs:
            kinds = sorted({r.split(":")[0] for r in refs[t]})
            row |= {"status": "registered", "category": "+".join(kinds), "reference": " ".join(refs[t])}
        elif (t.line, t.column, t.token) in kept:
            old = kept[(t.line, t.column, t.token)]
            row |= {"status": "waived", "category": old["category"], "reference": old["reference"]}
        elif rule := classify(lines[t.line - 1].translate(_SAME_WIDTH), t.column, t.token):
            row |= {"status": "waived", "category": rule[0], "reference": rule[1]}
        else:
            row |= {"status": "unaccounted", "category": "", "reference": ""}
        rows.append(row)
    return rows


def register_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, COLUMNS, delimiter=";", lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def read_register(
    path: str, text: str, seed_lines: int | None = None, facts=None, tables=(), events=None
) -> list[dict]:
    """Parse and validate ``numbers.csv`` (no source text needed).

    Checks the header, that line and column are positive integers (line within
    ``seed_lines``), the status and category, that each waiver has a note, and that a
    registered reference names an existing fact (on the same seed line, printing the same
    number), event (dated on that line) or table. Bad input is an :class:`InputError` with file, line and column.
    """
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    if not rows or rows[0] != COLUMNS:
        got = ";".join(rows[0]) if rows else ""
        raise InputError(path, 1, 1, got, f"the header {';'.join(COLUMNS)}", "unexpected header")
    fact_at = {}
    if facts is not None:
        fact_at = {r["id"]: (int(r["seed_line"]), norm(str(r["printed"]))) for _, r in facts.iterrows()}
    event_at = {}
    if events is not None:
        event_at = {
            r["id"]: (int(r["seed_line"]), date_numbers(r["date"], r["precision"])) for _, r in events.iterrows()
        }
    out, seen = [], {}
    for n, cells in enumerate(rows[1:], start=2):
        if len(cells) != len(COLUMNS):
            raise InputError(
                path, n, min(len(cells), len(COLUMNS)) + 1, ";".join(cells), f"{len(COLUMNS)} fields", "ragged row"
            )
        r = dict(zip(COLUMNS, cells, strict=True))
        for i, key in enumerate(("line", "column")):
            if not r[key].isdigit() or int(r[key]) < 1:
                raise InputError(path, n, i + 1, r[key], f"a positive {key} number of the source text", f"bad {key}")
        if seed_lines is not None and int(r["line"]) > seed_lines:
            raise InputError(
                path, n, 1, r["line"], f"a line of the source document (1 to {seed_lines})", "line beyond the document:"
            )
        if not text_tokens(r["token"]) == [r["token"]]:
            raise InputError(
                path,
                n,
                3,
                r["token"],
                "one printed number (digits, space-grouped thousands, decimal comma)",
                "bad token",
            )
        key = (int(r["line"]), int(r["column"]))
        if key in seen:
            raise InputError(
                path, n, 1, f"{key[0]}:{key[1]}", f"one row per number (first at line {seen[key]})", "duplicate number"
            )
        seen[key] = n
        status, category, reference = r["status"], r["category"], r["reference"]
        if status not in STATUSES:
            raise InputError(path, n, 4, status, f"one of {', '.join(STATUSES)}", "unknown status")
        if status == "waived":
            if category not in WAIVERS:
                raise InputError(path, n, 5, category, f"a waiver category: {', '.join(WAIVERS)}", "unknown category")
            if not reference.strip():
                raise InputError(path, n, 6, reference, "a short note saying what the number is", "missing note")
            if category == "repeat" and facts is not None:
                printed = {k: v[1] for k, v in fact_at.items()}
                ident = reference.removeprefix("fact:")
                if not reference.startswith("fact:") or ident not in printed:
                    raise InputError(path, n, 6, reference, "fact:<id> of a fact in facts.csv", "unknown fact")
                if printed[ident].replace(" ", "") != r["token"].replace(" ", ""):
                    raise InputError(
                        path,
                        n,
                        6,
                        reference,
                        f"a fact printing {r['token']} (it prints {printed[ident]})",
                        "stale reference",
                    )
        elif status == "registered":
            kinds = category.split("+")
            if not set(kinds) <= set(REGISTERED_KINDS):
                raise InputError(
                    path,
                    n,
                    5,
                    category,
                    f"kinds of registration joined by '+': {', '.join(REGISTERED_KINDS)}",
                    "unknown category",
                )
            for ref in reference.split():
                kind, _, ident = ref.partition(":")
                if kind not in kinds:
                    raise InputError(
                        path, n, 6, ref, f"references of the kinds in column 'category' ({category})", "bad reference"
                    )
                if kind == "fact" and facts is not None:
                    where = fact_at.get(ident)
                    if where is None:
                        raise InputError(path, n, 6, ref, "the id of a fact in facts.csv", "unknown fact")
                    if where != (key[0], r["token"]):
                        raise InputError(
                            path,
                            n,
                            6,
                            ref,
                            f"a fact printing {r['token']} on seed line {key[0]} "
                            f"(it prints {where[1]} on line {where[0]})",
                            "stale reference",
                        )
                if kind == "event" and events is not None:
                    dated = event_at.get(ident)
                    if dated is None:
                        raise InputError(path, n, 6, ref, "the id of an event in events.csv", "unknown event")
                    if dated[0] != key[0] or r["token"] not in dated[1]:
                        raise InputError(
                            path, n, 6, ref, f"an event dated on seed line {key[0]} by {r['token']}", "stale reference"
                        )
                if kind == "table" and tables and ident not in tables:
                    raise InputError(path, n, 6, ref, f"one of the tables {', '.join(sorted(tables))}", "unknown table")
        out.append(r)
    return out


def coverage(rows: list[dict]) -> dict[str, int]:
    """How many numbers the register lists, registers, waives and leaves unaccounted."""
    counts = Counter(r["status"] for r in rows)
    return {
        "numbers": len(rows),
        "numbers_registered": counts["registered"],
        "numbers_waived": counts["waived"],
        "numbers_unaccounted": counts["unaccounted"],
    }


def check_register(committed: list[dict], fresh: list[dict]) -> list[str]:
    """Problems of a committed register against a freshly built one: numbers missing or
    no longer printed (stale), registrations that differ, numbers left unaccounted."""
    key = lambda r: (int(r["line"]), int(r["column"]), r["token"])  # noqa: E731
    have = {key(r): r for r in committed}
    want = {key(r): r for r in fresh}
    problems = [
        f"{k[0]}:{k[1]}: '{k[2]}' is printed but not in the register" for k in sorted(want.keys() - have.keys())
    ]
    problems += [
        f"{k[0]}:{k[1]}: '{k[2]}' is in the register but no longer printed there (stale)"
        for k in sorted(have.keys() - want.keys())
    ]
    for k in sorted(have.keys() & want.keys()):
        h, w = have[k], want[k]
        if w["status"] == "registered" or h["status"] == "registered":
            if (h["status"], h["category"], h["reference"]) != (w["status"], w["category"], w["reference"]):
                problems.append(
                    f"{k[0]}:{k[1]}: '{k[2]}' is {h['status']} {h['reference']!r} in the register, "
                    f"but the raw data gives {w['status']} {w['reference']!r} (stale)"
                )
        elif h["status"] == "unaccounted":
            problems.append(f"{k[0]}:{k[1]}: '{k[2]}' is unaccounted: register it (fact, table, claim) or waive it")
    return problems


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.ingest.completeness data/raw/<source> [--seeds DIR]``: rewrite
    the source's numbers.csv from its seed text, keeping earlier waivers."""
    import argparse
    import os

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("sources", nargs="+", type=Path)
    parser.add_argument("--seeds", type=Path, default=os.environ.get("SERVICESTAT_SEEDS"))
    args = parser.parse_args(argv)
    status = 0
    for source_dir in args.sources:
        seeds = args.seeds or next(
            (d / "shared" / "seeds" for d in source_dir.resolve().parents if (d / "shared" / "seeds").is_dir()), None
        )
        if seeds is None:
            parser.error("no shared/seeds found above the source folder; pass --seeds")
        src = yamlio.safe_load((source_dir / "source.yaml").read_text(encoding="utf-8"))
        text = (seeds / src["seed_file"]).read_text(encoding="utf-8")
        path = source_dir / "numbers.csv"
        previous = list(csv.DictReader(path.open(encoding="utf-8"), delimiter=";")) if path.is_file() else []
        rows = build_register(text, source_dir, previous)
        path.write_text(register_csv(rows), encoding="utf-8")
        c = coverage(rows)
        print(
            f"{path}: {c['numbers']} numbers, {c['numbers_registered']} registered, "
            f"{c['numbers_waived']} waived, {c['numbers_unaccounted']} unaccounted"
        )
        status |= c["numbers_unaccounted"] > 0
    return status


if __name__ == "__main__":
    raise SystemExit(main())
