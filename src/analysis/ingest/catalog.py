"""The catalog, codebook and validation tables that describe every processed dataset."""

from __future__ import annotations

import pandas as pd

from analysis.ingest.source import IngestedSource, relation_summary

CATALOG_COLUMNS = [
    "source_id",
    "publisher",
    "source_title",
    "published",
    "dataset",
    "kind",
    "number",
    "title",
    "title_en",
    "location",
    "unit",
    "dimensions",
    "derived",
    "measures",
    "rows",
    "not_available",
    "relations",
    "checks_holds",
    "checks_known_issue",
    "checks_skipped",
    "known_issues",
    "raw_file",
    "raw_sha256",
    "sidecar_file",
    "appendix",
    "chapter",
    "section",
    "page",
]


def _location(loc: dict) -> str:
    parts = [
        loc.get("appendix"),
        f"chapter {loc['chapter']}" if loc.get("chapter") else None,
        loc.get("section"),
    ]
    if loc.get("page"):
        parts.append(f"p. {loc['page']}")
    return ", ".join(p for p in parts if p)


def _location_parts(loc: dict) -> dict:
    """The location as structured columns (the report words them in its language)."""
    return {k: str(loc.get(k) or "") for k in ("appendix", "chapter", "section", "page")}


def _source_cols(s: IngestedSource) -> dict:
    return {
        "source_id": s.source_id,
        "publisher": s.source["publisher"],
        "source_title": s.source["title"],
        "published": s.source["published"],
    }


def catalog(sources: list[IngestedSource]) -> pd.DataFrame:
    """One row per dataset (table, facts, events) with its provenance and check counts."""
    rows = []
    for s in sources:
        for it in s.tables:
            sc, t = it.table.sidecar, it.table
            summ = relation_summary(it.checks)
            known = sorted(set(it.checks.loc[it.checks["known_issue"] != "", "known_issue"]))
            rows.append(
                {
                    **_source_cols(s),
                    "dataset": t.table_id,
                    "kind": "table",
                    "number": sc["number"],
                    "title": sc["title"],
                    "title_en": sc["title_en"],
                    "location": _location(sc["location"]),
                    "unit": sc["unit"],
                    "dimensions": ", ".join(t.dim_columns),
                    "derived": ", ".join(t.derived_columns),
                    "measures": ", ".join(sorted(t.frame["measure"].unique())),
                    "rows": len(t.frame),
                    "not_available": int(t.frame["value"].isna().sum()),
                    "relations": ", ".join(r["id"] for r in sc["relations"]),
                    "checks_holds": summ["holds"],
                    "checks_known_issue": summ["known_issue"],
                    "checks_skipped": summ["skipped"],
                    "known_issues": ", ".join(known),
                    "raw_file": it.raw_path,
                    "raw_sha256": it.raw_sha256,
                    "sidecar_file": it.sidecar_path,
                    **_location_parts(sc["location"]),
                }
            )
        for kind, frame in (("facts", s.facts), ("events", s.events)):
            if frame.empty:
                continue
            path = next(p for p in s.files if p.endswith(f"/{kind}.csv"))
            rows.append(
                {
                    **_source_cols(s),
                    "dataset": kind,
                    "kind": kind,
                    "number": "",
                    "title": "",
                    "title_en": f"{kind.capitalize()} printed in {s.source['title']}",
                    "location": "",
                    "unit": "mixed" if kind == "facts" else "date",
                    "dimensions": "id",
                    "derived": "",
                    "measures": "value" if kind == "facts" else "",
                    "rows": len(frame),
                    "not_available": int(frame["value"].isna().sum()) if kind == "facts" else 0,
                    "relations": "",
                    "checks_holds": 0,
                    "checks_known_issue": 0,
                    "checks_skipped": 0,
                    "known_issues": "",
                    "raw_file": path,
                    "raw_sha256": s.files[path],
                    "sidecar_file": "",
                    **_location_parts({}),
                }
            )
    frame = pd.DataFrame.from_records(rows, columns=CATALOG_COLUMNS)
    return frame.sort_values(["source_id", "kind", "dataset"], kind="stable").reset_index(drop=True)


def codebook(sources: list[IngestedSource]) -> pd.DataFrame:
    """Every dimension, category and measure with its printed and English label."""
    parts = [it.table.codebook for s in sources for it in s.tables]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def validation(sources: list[IngestedSource]) -> pd.DataFrame:
    """Every relation check of every table, with its status and any known issue."""
    parts = []
    for s in sources:
        for it in s.tables:
            c = it.checks.copy()
            c.insert(0, "table_id", it.table.table_id)
            c.insert(0, "source_id", s.source_id)
            c.insert(len(c.columns), "raw_file", it.raw_path)
            parts.append(c)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def known_issue_report(sources: list[IngestedSource]) -> pd.DataFrame:
    """The known-issues registers with whether each entry still matches a failing check."""
    rows = []
    for s in sources:
        stale = {e["id"] for e in s.stale_issues}
        for e in s.known_issues:
            rows.append(
                {
                    "source_id": s.source_id,
                    "id": e["id"],
                    "table_id": e["table"],
                    "relation": e["relation"],
                    "group": ", ".join(f"{k}={v}" for k, v in e["group"].items()),
                    "description": e["description"],
                    "description_sv": e["description_sv"],
                    "evidence": e["evidence"],
                    "evidence_sv": e["evidence_sv"],
                    "state": "stale" if e["id"] in stale else "confirmed",
                }
            )
    return pd.DataFrame.from_records(
        rows,
        columns=[
            "source_id",
            "id",
            "table_id",
            "relation",
            "group",
            "description",
            "description_sv",
            "evidence",
            "evidence_sv",
            "state",
        ],
    )
