"""Ingest one source document: its tables, facts, events and known-issues register.

Pure with respect to the file system: callers hand in file contents keyed by the path to
show in messages; results are frames plus the provenance that travels with them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import pandas as pd

from analysis.core.errors import InputError
from analysis.core.yamlio import Located, load_yaml, validate
from analysis.ingest.completeness import coverage, read_register
from analysis.ingest.facts import EVENT_COLUMNS, FACT_COLUMNS, parse_events, parse_facts
from analysis.ingest.figures import check_figures, figures_frame
from analysis.ingest.pages import check_anchors, page_range
from analysis.ingest.relations import FAILS, HOLDS, SKIPPED, check_relations
from analysis.ingest.tables import Table, decode_utf8, parse_table

KNOWN = "known_issue"


class RelationFailure(ValueError):
    """One or more declared relations fail and the known-issues register does not list them."""


@dataclass
class IngestedTable:
    table: Table
    checks: pd.DataFrame
    raw_path: str
    sidecar_path: str
    raw_sha256: str
    sidecar_sha256: str


@dataclass
class IngestedSource:
    source_id: str
    source: dict
    tables: list[IngestedTable]
    facts: pd.DataFrame
    events: pd.DataFrame
    known_issues: list[dict]
    stale_issues: list[dict] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # display path -> sha256
    numbers: dict[str, int] = field(default_factory=dict)  # completeness counts (numbers.csv)
    figures: pd.DataFrame | None = None  # the register of the document's figures (figures.yaml)


def sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _load(path: str, raw: bytes, schema: dict, what: str) -> Located:
    doc = load_yaml(path, decode_utf8(path, raw))
    validate(doc, schema, what)
    return doc


def _match_known(checks: pd.DataFrame, table_id: str, register: list[dict]) -> tuple[pd.DataFrame, set[str]]:
    """Mark failing checks that the register lists; return the ids of entries used."""
    checks = checks.copy()
    checks["known_issue"] = ""
    used: set[str] = set()
    for i, row in checks[checks["status"] == FAILS].iterrows():  # only failing checks can match
        group = json.loads(row["group"])
        for entry in register:
            if entry["table"] != table_id or entry["relation"] != row["relation"]:
                continue
            if all(group.get(k) == v for k, v in entry["group"].items()):
                checks.at[i, "status"] = KNOWN
                checks.at[i, "known_issue"] = entry["id"]
                used.add(entry["id"])
                break
    return checks, used


def _failure_message(path: str, checks: pd.DataFrame, known_path: str, limit: int = 10) -> str:
    lines = []
    failing = checks[checks["status"] == FAILS]
    for _, row in failing.head(limit).iterrows():
        first = row["cells"].split()[0] if row["cells"] else ""
        lines.append(
            f"{path}:{first}: relation '{row['relation']}' ({row['type']}) fails for {row['group']}: "
            f"printed [{row['printed_lo']:.6g}, {row['printed_hi']:.6g}] vs "
            f"[{row['expected_lo']:.6g}, {row['expected_hi']:.6g}] from the other cells "
            f"(gap {row['gap']:.6g}; cells at line:column {row['cells']}); "
            f"expected a transcription that satisfies it, or an entry in {known_path} "
            f"if the source prints it so"
        )
    if len(failing) > limit:
        lines.append(f"{path}: ... and {len(failing) - limit} more failing checks of this table")
    return "\n".join(lines)


def ingest_source(
    source_id: str,
    files: dict[str, bytes],
    schemas: dict[str, dict],
    stale: str = "error",
) -> IngestedSource:
    """Parse and check everything of one source folder.

    Parameters
    ----------
    source_id : str
        Folder name under ``data/raw``.
    files : dict
        Display path -> content, for ``source.yaml``, ``known_issues.yaml``, ``facts.csv``,
        ``events.csv`` (each optional but ``source.yaml``) and ``tables/<id>.csv`` with
        ``tables/<id>.yaml``. Paths end in these names.
    schemas : dict
        Parsed JSON Schemas keyed ``table``, ``source``, ``known_issues`` and, to read a
        ``figures.yaml``, ``figures``.
    stale : {"error", "warn"}
        What to do with a register entry that no longer matches a failing check.

    Raises
    ------
    InputError
        Bad input, located.
    RelationFailure
        Relations fail that the register does not list, or stale entries (``stale='error'``).
    """
    by_name = {p.split("/")[-1] if "/tables/" not in p else "tables/" + p.split("/tables/")[-1]: p for p in files}
    src_path = by_name.get("source.yaml")
    if src_path is None:
        raise InputError(
            f"data/raw/{source_id}/source.yaml",
            None,
            None,
            "",
            "a source.yaml for every source",
            "missing file",
        )
    source_doc = _load(src_path, files[src_path], schemas["source"], "source.yaml")
    if source_doc.data["id"] != source_id:
        raise source_doc.error(["id"], source_doc.data["id"], f"the folder name '{source_id}'", "source id differs:")

    register: list[dict] = []
    known_path = by_name.get("known_issues.yaml", f"data/raw/{source_id}/known_issues.yaml")
    if "known_issues.yaml" in by_name:
        reg_doc = _load(known_path, files[known_path], schemas["known_issues"], "known_issues.yaml")
        register = reg_doc.data or []
        ids = [e["id"] for e in register]
        for i, e in enumerate(register):
            if ids.index(e["id"]) != i:
                raise reg_doc.error([i, "id"], e["id"], "unique ids", "duplicate known-issue id")

    # Every line a table or fact cites must exist in the source document (its line count
    # is recorded in source.yaml, so this holds without the document at hand).
    seed_lines = source_doc.data["seed_lines"]
    beyond = f"a line of the source document (1 to {seed_lines}, seed_lines in {src_path})"
    pages = source_doc.data["pages"]
    if pages and (why := check_anchors(pages["anchors"], seed_lines)):
        raise source_doc.error(["pages", "anchors"], "anchors", why, "bad page anchors:")
    table_ids = sorted({n[len("tables/") :].rsplit(".", 1)[0] for n in by_name if n.startswith("tables/")})
    tables: list[IngestedTable] = []
    failures: list[str] = []
    used: set[str] = set()
    hashes = {src_path: sha256(files[src_path])}
    for tid in table_ids:
        csv_path = by_name.get(f"tables/{tid}.csv")
        yml_path = by_name.get(f"tables/{tid}.yaml")
        if csv_path is None or yml_path is None:
            have = csv_path or yml_path
            want = "a .yaml sidecar beside each .csv" if csv_path else "a .csv beside each .yaml sidecar"
            raise InputError(have, None, None, have, want, "unpaired table file")
        doc = _load(yml_path, files[yml_path], schemas["table"], "table sidecar")
        cited = doc.data["location"].get("seed_line")
        if cited is not None and cited > seed_lines:
            raise doc.error(["location", "seed_line"], cited, beyond, "line beyond the document:")
        last = doc.data["location"].get("seed_line_last")
        if last is not None and not (cited or 1) <= last <= seed_lines:
            raise doc.error(
                ["location", "seed_line_last"],
                last,
                f"a line from seed_line ({cited}) to {seed_lines}",
                "bad last line:",
            )
        _check_page(doc, pages, src_path)
        table = parse_table(source_id, csv_path, files[csv_path], doc)
        try:
            checks = check_relations(table.frame, doc.data["relations"], table.dim_columns, table.derived_columns)
        except (KeyError, ValueError) as exc:
            raise doc.error(
                ["relations"],
                str(exc),
                "relations that select existing cells and columns",
                "bad relation:",
            ) from None
        checks, used_here = _match_known(checks, tid, register)
        used |= used_here
        if (checks["status"] == FAILS).any():
            failures.append(_failure_message(csv_path, checks, known_path))
        hashes[csv_path] = sha256(files[csv_path])
        hashes[yml_path] = sha256(files[yml_path])
        tables.append(IngestedTable(table, checks, csv_path, yml_path, hashes[csv_path], hashes[yml_path]))

    stale_entries = [e for e in register if e["id"] not in used]
    if stale_entries and stale == "error":
        for e in stale_entries:
            failures.append(
                f"{known_path}: known issue '{e['id']}' (table '{e['table']}', relation '{e['relation']}', "
                f"group {json.dumps(e['group'], ensure_ascii=False)}) no longer fails; expected the register to list "
                f"only relations the source breaks: remove the entry or correct it"
            )
    if failures:
        raise RelationFailure("\n".join(failures))

    facts = pd.DataFrame()
    events = pd.DataFrame()
    if "facts.csv" in by_name:
        p = by_name["facts.csv"]
        facts = parse_facts(source_id, p, files[p])
        far = facts[facts["seed_line"] > seed_lines]
        if not far.empty:
            r = far.iloc[0]
            column = FACT_COLUMNS.index("seed_line") + 1
            raise InputError(p, int(r["raw_line"]), column, str(r["seed_line"]), beyond, "line beyond the document:")
        hashes[p] = sha256(files[p])
        facts = with_pages(facts, pages)
    if "events.csv" in by_name:
        p = by_name["events.csv"]
        events = parse_events(source_id, p, files[p])
        far = events[events["seed_line"] > seed_lines]
        if not far.empty:
            r = far.iloc[0]
            column = EVENT_COLUMNS.index("seed_line") + 1
            raise InputError(p, int(r["raw_line"]), column, str(r["seed_line"]), beyond, "line beyond the document:")
        events = with_pages(events, pages)
        hashes[p] = sha256(files[p])
    if "known_issues.yaml" in by_name:
        hashes[known_path] = sha256(files[known_path])
    numbers: dict[str, int] = {}
    if "numbers.csv" in by_name:
        p = by_name["numbers.csv"]
        rows = read_register(
            p,
            decode_utf8(p, files[p]),
            seed_lines,
            facts if "facts.csv" in by_name else None,
            set(table_ids),
            events if "events.csv" in by_name else None,
        )
        numbers = coverage(rows)
        hashes[p] = sha256(files[p])
    figures = None
    # The figures register is read when its schema is given (the ingest stage always gives
    # it); callers that only need tables, facts and events may leave it out.
    if "figures.yaml" in by_name and "figures" in schemas:
        p = by_name["figures.yaml"]
        doc = _load(p, files[p], schemas["figures"], "figures register")
        ids = {k: set(f["id"]) if not f.empty else set() for k, f in (("facts", facts), ("events", events))}
        check_figures(doc, seed_lines, set(table_ids), ids["facts"], ids["events"])
        figures = figures_frame(source_id, doc, source_doc.data)
        hashes[p] = sha256(files[p])
    return IngestedSource(
        source_id, source_doc.data, tables, facts, events, register, stale_entries, hashes, numbers, figures
    )


def _check_page(doc: Located, pages: dict | None, src_path: str) -> None:
    """A sidecar's page (and page_last) must be the range source.yaml's pages give its line."""
    loc = doc.data["location"]
    if "page" not in loc:
        raise doc.error(
            ["location"], "location", "a page (null with a page_note where the document shows no pages)", "no page in"
        )
    if loc.get("seed_line") is None:
        return
    first, last = page_range(pages, loc["seed_line"])
    if pages is None:
        if loc["page"] is not None:
            raise doc.error(["location", "page"], loc["page"], f"null: {src_path} records no pages", "page not shown:")
        return
    want_last = last if last != first else None
    if loc["page"] != first or loc.get("page_last") != want_last:
        shown = f"{first}" if want_last is None else f"{first} and page_last {last}"
        got = f"{loc['page']}" + (f", page_last {loc['page_last']}" if loc.get("page_last") else "")
        raise doc.error(
            ["location", "page"],
            got,
            f"page {shown} (line {loc['seed_line']} by the pages of {src_path})",
            "page differs:",
        )


def with_pages(facts: pd.DataFrame, pages: dict | None) -> pd.DataFrame:
    """Facts (or events) with the first and last page their seed line may stand on (NA
    where unknown)."""
    out = facts.copy()
    ranges = [page_range(pages, int(line)) for line in out["seed_line"]]
    out["page"] = pd.array([r[0] for r in ranges], dtype="Int64")
    out["page_last"] = pd.array([r[1] for r in ranges], dtype="Int64")
    return out


def relation_summary(checks: pd.DataFrame) -> dict[str, int]:
    """Counts of checks by status (holds, known_issue, skipped, fails)."""
    counts = checks["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in (HOLDS, KNOWN, SKIPPED, FAILS)}
