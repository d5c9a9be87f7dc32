"""The figures a source document draws (figures.yaml): what each shows, whether a printed
table carries its data, why not otherwise, and the facts and events the text gives for it.

Validated against ``schemas/figures.schema.yaml`` and against the source's other data:
every table, fact and event named must exist, the title's line must lie within the
document, and figure numbers are unique. The page comes from the title's seed line through
``source.yaml``'s pages (:mod:`analysis.ingest.pages`).
"""

from __future__ import annotations

import pandas as pd

from analysis.core.yamlio import Located
from analysis.ingest.pages import page_range

FIGURE_COLUMNS = [
    "source_id",
    "number",
    "title",
    "title_en",
    "shows",
    "shows_sv",
    "source_note",
    "redrawn",
    "why_not",
    "why_not_sv",
    "tables",
    "reproduced_by",
    "facts",
    "events",
    "appendix",
    "chapter",
    "section",
    "seed_line",
    "page",
    "page_last",
    "page_note",
]


def check_figures(doc: Located, seed_lines: int, tables: set[str], facts: set[str], events: set[str]) -> None:
    """Located errors for unknown ids, lines beyond the document and duplicate numbers."""
    seen: dict[str, int] = {}
    known = {"tables": tables, "facts": facts, "events": events}
    for i, f in enumerate(doc.data["figures"]):
        if f["number"] in seen:
            raise doc.error(
                ["figures", i, "number"],
                f["number"],
                f"a unique number (entry {seen[f['number']] + 1})",
                "duplicate figure:",
            )
        seen[f["number"]] = i
        line = f["location"]["seed_line"]
        if line > seed_lines:
            raise doc.error(
                ["figures", i, "location", "seed_line"],
                line,
                f"a line of the source document (1 to {seed_lines})",
                "line beyond the document:",
            )
        for key, ids in known.items():
            for j, ident in enumerate(f.get(key, [])):
                if ident not in ids:
                    names = (
                        ", ".join(sorted(ids)[:8]) + (" ..." if len(ids) > 8 else "")
                        if ids
                        else f"none: this source has no {key}"
                    )
                    raise doc.error(
                        ["figures", i, key, j], ident, f"an id of the source's {key} ({names})", f"unknown {key[:-1]}:"
                    )


def figures_frame(source_id: str, doc: Located, source: dict) -> pd.DataFrame:
    """One row per figure; list fields joined by ', '; page range from source.yaml's pages.

    Returns
    -------
    DataFrame
        :data:`FIGURE_COLUMNS`; ``page``/``page_last`` nullable integers (NA where the
        document shows no pages), ``page_note`` saying how the page is known.
    """
    pages = source["pages"]
    note = pages["note"] if pages else source.get("page_note", "")
    rows = []
    for f in doc.data["figures"]:
        loc = f["location"]
        first, last = page_range(pages, loc["seed_line"])
        rows.append(
            {
                "source_id": source_id,
                **{k: f.get(k, "") for k in ("number", "title", "title_en", "shows", "shows_sv", "source_note")},
                "redrawn": bool(f["redrawn"]),
                "why_not": f.get("why_not", ""),
                "why_not_sv": f.get("why_not_sv", ""),
                **{k: ", ".join(f.get(k, [])) for k in ("tables", "reproduced_by", "facts", "events")},
                **{k: loc.get(k, "") for k in ("appendix", "chapter", "section")},
                "seed_line": loc["seed_line"],
                "page": first,
                "page_last": last,
                "page_note": note,
            }
        )
    frame = pd.DataFrame.from_records(rows, columns=FIGURE_COLUMNS)
    for c in FIGURE_COLUMNS:
        if c == "redrawn":
            frame[c] = frame[c].astype("bool")
        elif c == "seed_line":
            frame[c] = frame[c].astype("int64")
        elif c in ("page", "page_last"):
            frame[c] = pd.array(frame[c].tolist(), dtype="Int64")
        else:
            frame[c] = frame[c].astype("string")
    return frame
