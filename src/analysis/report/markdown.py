"""Markdown building blocks shared by the report sections: tables, HTML from Markdown,
and the writing of a report file with its part of the HTML report."""

from __future__ import annotations

import json
import re
from pathlib import Path

from markdown_it import MarkdownIt

OWN_MARKDOWN = re.compile(r"^(findings.*|index)\.md$")
"""Markdown files written by this package with anchors (``<a id>``): raw HTML allowed."""


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


def page_part(markdown: str, name: str) -> str:
    """The HTML of the report file ``name`` (``riksrevisionen.md``) for the HTML report:
    JSON with the file name, its body (:func:`markdown_to_html`, heading ids prefixed by
    the file's stem; raw HTML kept only in :data:`OWN_MARKDOWN`) and its contents list."""
    body, toc = markdown_to_html(markdown, html=bool(OWN_MARKDOWN.match(name)), prefix=f"{Path(name).stem}-")
    return json.dumps({"markdown": name, "body": body, "contents": toc}, ensure_ascii=False, indent=1) + "\n"


def write_markdown(markdown: str, md_path, part_path, record=None) -> None:
    """Write a report file and its part of the HTML report (:func:`page_part`), both from
    the same text: the section job converts its own Markdown, so the HTML job at the end
    of every build only joins the parts and embeds the figures."""
    from analysis.core.store import write_text

    write_text(markdown, md_path)
    write_text(page_part(markdown, Path(md_path).name), part_path)
    if record is not None:
        record.wrote(md_path)
        record.wrote(part_path)
