"""Pages of a source document, derived from the line of its extracted text.

The extracted texts have no page breaks. Where the document prints a table of contents,
``source.yaml`` lists its headings as anchors (the heading's line and the page the table of
contents gives it): a line then lies between the page of the nearest heading above it and
the page of the next heading, both inclusive. Where the document shows no page numbers
(a web page), ``pages`` is null and ``page_note`` says so; every page is then unknown.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import pairwise


def check_anchors(anchors: list[dict], seed_lines: int) -> str | None:
    """Why the anchors are unusable (lines not increasing, pages decreasing, beyond the
    document), or None."""
    for a, b in pairwise(anchors):
        if b["line"] <= a["line"]:
            return f"anchor lines in increasing order (line {b['line']} follows {a['line']})"
        if b["page"] < a["page"]:
            return f"pages that never decrease (page {b['page']} at line {b['line']} follows {a['page']})"
    if anchors and anchors[-1]["line"] > seed_lines:
        return f"lines of the source document (1 to {seed_lines})"
    return None


def page_range(pages: dict | None, line: int) -> tuple[int | None, int | None]:
    """(first, last) page on which ``line`` may stand; (None, None) without pages.

    ``last`` is None after the last anchor (the document's end page is not known). Before
    the first anchor the range starts at page 1.
    """
    if not pages:
        return None, None
    anchors = pages["anchors"]
    i = bisect_right([a["line"] for a in anchors], line)
    first = anchors[i - 1]["page"] if i else 1
    if i and anchors[i - 1]["line"] == line:
        return first, first
    last = anchors[i]["page"] if i < len(anchors) else None
    return first, last
