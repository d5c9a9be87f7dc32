"""Pages derived from seed lines (analysis.ingest.pages) and the page anchors of the sources."""

from __future__ import annotations

import pytest

from analysis.ingest.pages import check_anchors, page_range

PAGES = {
    "basis": "table_of_contents",
    "note": "",
    "anchors": [
        {"line": 10, "page": 5, "heading": "A"},
        {"line": 20, "page": 5, "heading": "B"},
        {"line": 30, "page": 8, "heading": "C"},
    ],
}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (1, (1, 5)),  # before the first heading: from the first page to the heading's page
        (10, (5, 5)),  # a heading's own line is on its page
        (15, (5, 5)),  # between two headings on the same page
        (20, (5, 5)),
        (21, (5, 8)),  # between pages 5 and 8: any of 5-8
        (30, (8, 8)),
        (31, (8, None)),  # after the last heading the end page is unknown
    ],
)
def test_page_range_by_hand(line, expected):
    assert page_range(PAGES, line) == expected


def test_no_pages_means_unknown():
    assert page_range(None, 5) == (None, None)


@pytest.mark.parametrize(
    ("anchors", "problem"),
    [
        ([{"line": 10, "page": 5}, {"line": 10, "page": 6}], "increasing order"),
        ([{"line": 10, "page": 5}, {"line": 12, "page": 4}], "never decrease"),
        ([{"line": 900, "page": 5}], "1 to 553"),
    ],
)
def test_bad_anchors_are_named(anchors, problem):
    assert problem in check_anchors(anchors, 553)
    assert check_anchors(PAGES["anchors"], 553) is None
