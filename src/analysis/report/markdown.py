"""Markdown building blocks shared by the report sections: tables, and HTML from Markdown."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt


def md_table(header: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    """A GitHub-flavoured Markdown table; pipes in cells are escaped."""

    def cell(x) -> str:
        return str(x).replace("|", "\\|").replace("\n", " ")

    align = ["---:" if i in numeric else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(cell(h) for h in header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def _contents(body: str, prefix: str = "") -> tuple[str, str]:
    """Give every h1/h2 an id (``<prefix>s<n>``) and return (body, a list of links to them);
    the list's text drops any markup of the heading (an anchor, a code span)."""
    items = []

    def anchor(match):
        level, text = match.group(1), match.group(2)
        ident = f"{prefix}s{len(items) + 1}"
        items.append((level, ident, re.sub(r"<[^>]+>", "", text)))
        return f'<h{level} id="{ident}">{text}</h{level}>'

    body = re.sub(r"<h([12])>(.*?)</h\1>", anchor, body)
    lines = ['<ul class="toc">']
    for level, ident, text in items:
        css = "" if level == "1" else ' class="sub"'
        lines.append(f'<li{css}><a href="#{ident}">{text}</a></li>')
    lines.append("</ul>")
    return body, "\n".join(lines) if items else ""


def markdown_to_html(markdown: str, html: bool = False, prefix: str = "") -> tuple[str, str]:
    """HTML of Markdown (CommonMark + tables) and a contents list linking its h1/h2.

    ``html=True`` keeps raw HTML (only for Markdown this package writes, e.g. the
    ``<a id>`` anchors of table rows); ``prefix`` keeps heading ids unique on a page
    that joins several files.
    """
    body = MarkdownIt("commonmark", {"html": html}).enable("table").render(markdown)
    body, toc = _contents(body, prefix)
    body = body.replace('<th style="text-align:right">', '<th class="num">').replace(
        '<td style="text-align:right">', '<td class="num">'
    )
    return body, toc
