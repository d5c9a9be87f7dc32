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


def _contents(body: str) -> tuple[str, str]:
    """Give every h1/h2 an id and return (body, a nested list of links to them)."""
    items = []

    def anchor(match):
        level, text = match.group(1), match.group(2)
        ident = f"s{len(items) + 1}"
        items.append((level, ident, text))
        return f'<h{level} id="{ident}">{text}</h{level}>'

    body = re.sub(r"<h([12])>(.*?)</h\1>", anchor, body)
    lines = ['<nav><ul class="toc">']
    for level, ident, text in items:
        css = "" if level == "1" else ' class="sub"'
        lines.append(f'<li{css}><a href="#{ident}">{text}</a></li>')
    lines.append("</ul></nav>")
    return body, "\n".join(lines)


def markdown_to_html(markdown: str) -> tuple[str, str]:
    """HTML of Markdown (CommonMark + tables) and a contents list linking its h1/h2."""
    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    body, toc = _contents(body)
    body = body.replace('<th style="text-align:right">', '<th class="num">').replace(
        '<td style="text-align:right">', '<td class="num">'
    )
    return body, toc
