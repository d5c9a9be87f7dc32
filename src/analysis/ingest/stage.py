"""Ingest stage entry points: one source's raw files -> its Parquet datasets and summaries,
and the summaries of every source combined into the project catalogue.

One job per source, so a change in one source's raw files reruns only that source's
ingest and what reads its datasets.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.core import yamlio
from analysis.core.stage import flatten, stage_run
from analysis.core.store import read_meta, write_csv, write_parquet
from analysis.ingest import catalog as cat
from analysis.ingest.source import IngestedSource, RelationFailure, ingest_source, relation_summary

SUMMARIES = ("catalog", "codebook", "validation", "known_issues")


def _schemas(paths) -> dict[str, dict]:
    """Parsed JSON Schemas keyed by name (``table.schema.yaml`` -> ``table``)."""
    return {Path(p).name.split(".")[0]: yamlio.safe_load(Path(p).read_text(encoding="utf-8")) for p in paths}


def write_source(s: IngestedSource, output, tables: list[str], record) -> None:
    """Write one ingested source: a dataset per table, facts, events and its summaries."""
    for it in s.tables:
        meta = {
            "source": s.source,
            "table": it.table.sidecar,
            "raw_file": it.raw_path,
            "raw_sha256": it.raw_sha256,
            "sidecar_file": it.sidecar_path,
            "sidecar_sha256": it.sidecar_sha256,
            "dimensions": it.table.dim_columns,
            "derived": it.table.derived_columns,
            # Counts by status; every check, cell by cell, is in the source's validation.parquet.
            "relation_checks": relation_summary(it.checks),
        }
        path = getattr(output, it.table.table_id)
        frame = it.table.public_frame()
        write_parquet(frame, path, meta)
        record.wrote(path, frame)
    produced = {it.table.table_id for it in s.tables}
    if produced != set(tables):
        missing = sorted(set(tables) ^ produced)
        raise RelationFailure(f"data/raw/{s.source_id}/tables: tables {missing} declared but not produced")
    if s.figures is not None and getattr(output, "figures", None):
        raw = next(p for p in s.files if p.endswith("/figures.yaml"))
        write_parquet(s.figures, output.figures, {"source": s.source, "raw_file": raw, "raw_sha256": s.files[raw]})
        record.wrote(output.figures, s.figures)
    for kind, frame in (("facts", s.facts), ("events", s.events)):
        path = getattr(output, kind, None)
        if path:
            raw = next(p for p in s.files if p.endswith(f"/{kind}.csv"))
            write_parquet(frame, path, {"source": s.source, "raw_file": raw, "raw_sha256": s.files[raw]})
            record.wrote(path, frame)
    frames = {
        "catalog": with_coverage(cat.catalog([s]), s),
        "codebook": cat.codebook([s]),
        "validation": cat.validation([s]),
        "known_issues": cat.known_issue_report([s]),
    }
    for name, frame in frames.items():
        write_parquet(frame, getattr(output, name), {"files": {s.source_id: s.files}})
        record.wrote(getattr(output, name), frame)


COVERAGE = ("numbers", "numbers_registered", "numbers_waived", "numbers_unaccounted")


def with_coverage(catalog: pd.DataFrame, s: IngestedSource) -> pd.DataFrame:
    """The catalog rows of a source with more provenance as columns: ``page_last`` and
    ``page_note`` of each table's location (``page`` is there already), the table's first
    and last line in the seed text (``seed_line``, ``seed_line_last``; NA for facts and
    events, whose every row has its own line), and the number
    coverage of the document (from numbers.csv): how many numbers it prints, registered,
    waived and unaccounted (NA without a register)."""
    out = catalog.copy()
    locs = {it.table.table_id: it.table.sidecar["location"] for it in s.tables}
    tables = out["kind"] == "table"
    out["page_last"] = [
        str(locs[d].get("page_last") or "") if t else "" for d, t in zip(out["dataset"], tables, strict=True)
    ]
    out["page_note"] = [
        locs[d].get("page_note", "") if t else s.source.get("page_note") or (s.source["pages"] or {}).get("note", "")
        for d, t in zip(out["dataset"], tables, strict=True)
    ]
    for key in ("seed_line", "seed_line_last"):
        lines = [locs[d].get(key) if t else None for d, t in zip(out["dataset"], tables, strict=True)]
        out[key] = pd.array(lines, dtype="Int64")
    for key in COVERAGE:
        out[key] = pd.array([s.numbers.get(key)] * len(out), dtype="Int64")
    return out


def run(input, output, params, log=None) -> None:
    """Stage: every raw file of one source (``params.source``) -> data/processed/<source>/."""
    with stage_run(f"ingest {params.source}", output, log, errors=(RelationFailure,)) as record:
        files = {}
        optional = [getattr(input, k, []) for k in ("numbers", "figures")]
        for p in flatten([input.source, input.known_issues, input.facts, input.events, input.tables, *optional]):
            files[p] = Path(p).read_bytes()
            record.read(p)
        s = ingest_source(params.source, files, _schemas(input.schemas), stale=params.stale)
        for e in s.stale_issues:
            record.info(f"warning: known issue '{e['id']}' of {s.source_id} no longer fails")
        if s.numbers.get("numbers_unaccounted"):
            record.info(
                f"warning: {s.numbers['numbers_unaccounted']} numbers of {s.source_id} are unaccounted in numbers.csv"
            )
        write_source(s, output, list(params.tables), record)


def combine(frames: list[pd.DataFrame], name: str) -> pd.DataFrame:
    """The per-source summaries as one table (sources in config order; catalog sorted)."""
    parts = [f for f in frames if not f.empty]
    if not parts:
        return frames[0] if frames else pd.DataFrame()
    out = pd.concat(parts, ignore_index=True)
    if name == "catalog":
        out = out.sort_values(["source_id", "kind", "dataset"], kind="stable").reset_index(drop=True)
    if name == "figures":
        number = out["number"].str.extract(r"(\d+)$", expand=False).astype("int64")
        out = out.assign(_n=number).sort_values(["source_id", "_n"], kind="stable").drop(columns="_n")
        out = out.reset_index(drop=True)
    return out


def run_catalog(input, output, params=None, log=None) -> None:
    """Stage: per-source summaries -> data/processed/{catalog,codebook,validation,known_issues},
    and the figures registers of the sources -> data/processed/figures (when declared)."""
    with stage_run("catalog", output, log) as record:
        names = [*SUMMARIES, "figures"] if getattr(output, "figures", None) else SUMMARIES
        for name in names:
            paths = list(getattr(input, name, []))
            frames = [pd.read_parquet(p) for p in paths]
            if name == "figures" and not frames:
                frames = [pd.DataFrame()]  # no source draws figures
            files = {}
            for p in paths:
                files |= read_meta(p).get("files", {})
                record.read(p)
            frame = combine(frames, name)
            write_parquet(frame, getattr(output, name), {"files": files})
            write_csv(frame, getattr(output, f"{name}_csv"))
            record.wrote(getattr(output, name), frame)
