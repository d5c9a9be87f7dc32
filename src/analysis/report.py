"""The report index: every dataset with its provenance and relation checks.

Markdown is the primary rendering; the HTML page is rendered from the same Markdown by
markdown-it, so the two never disagree. Nothing in the output depends on the time of the
run.
"""

from __future__ import annotations

import html
import re

import pandas as pd
from markdown_it import MarkdownIt

from analysis.i18n import fmt_number, label
from analysis.store import write_text

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:72rem;margin:2rem auto;
  padding:0 1rem;color:#1b1b1b;line-height:1.45}
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.25rem .5rem;vertical-align:top}
th{background:#f3f3f3;text-align:left}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
code{font-size:.85em}
img{max-width:100%;height:auto}
ul.toc{columns:2;font-size:.9rem;border:1px solid #ddd;padding:.5rem 1.5rem;list-style:none}
ul.toc li.sub{margin-left:1.2rem}
blockquote{border-left:4px solid #ccc;margin:1rem 0;padding:.25rem 1rem;color:#333}
"""


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


def render_html(markdown: str, title: str, language: str, contents: bool = False) -> str:
    """Self-contained HTML page from Markdown (CommonMark + tables), optionally with contents."""
    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    if contents:
        body, toc = _contents(body)
        body = toc + "\n" + body
    body = body.replace('<th style="text-align:right">', '<th class="num">').replace(
        '<td style="text-align:right">', '<td class="num">'
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{language}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


def index_markdown(
    catalog: pd.DataFrame,
    validation: pd.DataFrame,
    known: pd.DataFrame,
    codebook: pd.DataFrame,
    language: str,
) -> str:
    """Markdown of the data catalogue in ``language`` (``en`` or ``sv``)."""
    L = lambda k: label(k, language)  # noqa: E731
    n = lambda x: fmt_number(x, language, 0)  # noqa: E731
    out = [f"# {L('index_title')}", "", L("index_intro"), ""]

    out += [f"## {L('sources')}", ""]
    src = (
        catalog.groupby(["source_id", "publisher", "source_title", "published"], sort=True).size().reset_index(name="n")
    )
    out.append(
        md_table(
            [L("source"), L("publisher"), L("title"), L("published"), L("n_datasets")],
            [[f"`{r.source_id}`", r.publisher, r.source_title, r.published, n(r.n)] for r in src.itertuples()],
            numeric={4},
        )
    )
    out.append("")

    out += [f"## {L('datasets')}", ""]
    rows = []
    for r in catalog.itertuples():
        title = r.title if language == "sv" else r.title_en
        name = f"{r.number}: {title}" if r.kind == "table" else L(r.kind)
        rows.append(
            [
                f"`{r.source_id}/{r.dataset}`",
                name,
                r.location or "",
                n(r.rows),
                n(r.checks_holds),
                n(r.checks_known_issue),
                n(r.checks_skipped),
                r.known_issues or "",
            ]
        )
    out.append(
        md_table(
            [
                L("dataset"),
                L("title"),
                L("location"),
                L("rows"),
                L("holds"),
                L("known_issue"),
                L("skipped"),
                L("known_issues"),
            ],
            rows,
            numeric={3, 4, 5, 6},
        )
    )
    out.append("")

    out += [f"## {L('checks')}", ""]
    if not validation.empty:
        counts = (
            validation.groupby(["relation", "type", "source_id", "table_id"], sort=True)["status"]
            .value_counts()
            .unstack(fill_value=0)
        )
        rows = []
        for (rel, typ, sid, tid), c in counts.iterrows():
            rows.append(
                [
                    f"`{sid}/{tid}`",
                    f"`{rel}`",
                    typ,
                    n(c.get("holds", 0)),
                    n(c.get("known_issue", 0)),
                    n(c.get("skipped", 0)),
                ]
            )
        out.append(
            md_table(
                [
                    L("dataset"),
                    L("relation"),
                    L("status"),
                    L("holds"),
                    L("known_issue"),
                    L("skipped"),
                ],
                rows,
                numeric={3, 4, 5},
            )
        )
        out.append("")

    out += [f"## {L('known_issues')}", ""]
    if known.empty:
        out += [L("no_known_issues"), ""]
    else:
        out.append(
            md_table(
                [
                    L("id"),
                    L("dataset"),
                    L("relation"),
                    L("group"),
                    L("description"),
                    L("evidence"),
                    L("state"),
                ],
                [
                    [
                        f"`{r.id}`",
                        f"`{r.source_id}/{r.table_id}`",
                        f"`{r.relation}`",
                        r.group,
                        r.description,
                        r.evidence,
                        r.state,
                    ]
                    for r in known.itertuples()
                ],
            )
        )
        out.append("")

    return "\n".join(out)


def codebook_markdown(codebook: pd.DataFrame, language: str) -> str:
    """Markdown of every dimension category with its printed and English label."""
    L = lambda k: label(k, language)  # noqa: E731
    out = [f"# {L('codebook')}", ""]
    cb = codebook[codebook["kind"] != "measure"] if not codebook.empty else codebook
    out.append(
        md_table(
            [L("dataset"), "column", "label", "English"],
            [[f"`{r.source_id}/{r.table_id}`", f"`{r.column}`", r.label, r.label_en] for r in cb.itertuples()],
        )
    )
    out.append("")
    return "\n".join(out)


def build_index(
    catalog_path, validation_path, known_issues_path, codebook_path, language, out_md, out_codebook
) -> None:
    """Read the ingest summaries and write ``reports/index.md`` and ``reports/codebook.md``."""
    catalog = pd.read_parquet(catalog_path)
    validation = pd.read_parquet(validation_path)
    known = pd.read_parquet(known_issues_path)
    codebook = pd.read_parquet(codebook_path)
    write_text(index_markdown(catalog, validation, known, codebook, language), out_md)
    write_text(codebook_markdown(codebook, language), out_codebook)


def build_html(sections: list[str], figures: list[str], language: str, out_html: str) -> None:
    """One self-contained HTML page: the sections in order, figures embedded as data URIs.

    A figure a section links as ``figures/<name>.png`` must be among ``figures`` (the
    rule's declared inputs); it is embedded so the page can be mailed or archived alone.
    """
    import base64
    from pathlib import Path

    from analysis.errors import InputError

    md = "\n\n".join(Path(p).read_text(encoding="utf-8") for p in sections)
    page = render_html(md, label("index_title", language), language, contents=True)
    by_name = {f"figures/{Path(p).name}": p for p in figures}
    for ref in sorted(set(re.findall(r'src="(figures/[^"]+)"', page))):
        if ref not in by_name:
            raise InputError(
                sections[0],
                None,
                None,
                ref,
                "every linked figure declared as input of the html rule",
                "undeclared figure",
            )
        data = base64.b64encode(Path(by_name[ref]).read_bytes()).decode("ascii")
        page = page.replace(f'src="{ref}"', f'src="data:image/png;base64,{data}"')
    write_text(page, out_html)
