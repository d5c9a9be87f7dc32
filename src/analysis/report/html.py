"""The HTML report: an overview of the findings and one page per section group.

Pages (``reports/<page>.html``, all in one folder, linked by relative paths so they work
from ``file://``): ``index.html`` shows each source document's main findings on one
screen (rendered from the findings tables); then one page per source document (its
findings in detail, then its analysis section), the claims audit and an appendix (data
catalogue, relation checks, known issues, codebook). Every other page is rendered from
the same Markdown the ``.md`` reports are, by markdown-it, in the job that writes that
Markdown (:func:`analysis.report.markdown.write_markdown`), so the two never disagree.
Figures are embedded as data URIs with their caption (``<figure>``); links between the
Markdown files (``findings_x.md#r-...``, ``#c-...``) are rewritten to the page that holds
the anchor.
"""

from __future__ import annotations

import base64
import html as html_lib
import json
import re
from pathlib import Path

from analysis.core.errors import InputError
from analysis.core.stage import stage_run
from analysis.core.store import write_text
from analysis.report.render import catalog_path, render, translations


def page_file(slug: str) -> str:
    return "index.html" if slug == "index" else f"{slug}.html"


def embed_figures(body: str, figures: list[str], source: str) -> str:
    """Replace each ``src="figures/<name>.png"`` with the declared file as a data URI."""
    by_name = {f"figures/{Path(p).name}": p for p in figures}
    for ref in sorted(set(re.findall(r'src="(figures/[^"]+)"', body))):
        if ref not in by_name:
            raise InputError(
                source, None, None, ref, "every linked figure declared as input of the html rule", "undeclared figure"
            )
        data = base64.b64encode(Path(by_name[ref]).read_bytes()).decode("ascii")
        body = body.replace(f'src="{ref}"', f'src="data:image/png;base64,{data}"')
    return body


_IMAGE = re.compile(r'<p><img src="([^"]*)" alt="([^"]*)"\s*/?></p>\n?(?:<p><em>([^<]*)</em></p>\n?)?')


def figures_with_captions(body: str) -> str:
    """``<p><img alt=...></p>`` (and an italic caption paragraph right after it, as some
    sections write) -> ``<figure>`` with the caption as ``<figcaption>``."""

    def figure(m: re.Match) -> str:
        caption = m.group(3) or m.group(2)
        return f'<figure><img src="{m.group(1)}" alt="{m.group(2)}"><figcaption>{caption}</figcaption></figure>\n'

    return _IMAGE.sub(figure, body)


def ids(body: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', body))


def rewrite_links(body: str, here: str, anchors: dict[str, set[str]], md_pages: dict[str, str]) -> str:
    """Point every link between report files at the page that holds its target.

    ``x.md`` -> the page that shows ``x.md``; ``#id`` not on this page -> the one page
    holding it. Other links (tables/*.csv, external) are left as they are.
    """

    def fix(m: re.Match) -> str:
        target, frag = m.group(1), m.group(2) or ""
        if target.endswith(".md") and Path(target).name in md_pages:
            page = md_pages[Path(target).name]
        elif not target and frag:
            if frag[1:] in anchors[here]:
                return m.group(0)
            holders = [p for p, a in anchors.items() if frag[1:] in a]
            if len(holders) != 1:
                return m.group(0)
            page = holders[0]
        else:
            return m.group(0)
        if page == here and frag:
            return f'href="{frag}"'
        return f'href="{page_file(page)}{frag}"'

    return re.sub(r'href="([^"#:]*)(#[^"]*)?"', fix, body)


def run(input, output, params, log=None) -> None:
    """Stage: the findings tables, the page parts of the report files
    (:func:`analysis.report.markdown.page_part`) and the figures (PNG) -> the pages."""
    import pandas as pd

    from analysis.report.findings import display_findings, words
    from analysis.report.names import FINDINGS_TABLES

    with stage_run("report_html", output, log) as record:
        language = params.language
        trans = translations(language, catalog_path(input.catalogs))
        ftrans = translations(language, catalog_path(input.findings_catalogs))
        _ = trans.gettext
        frames = {}
        for name, path in zip(FINDINGS_TABLES, input.findings, strict=True):
            frames[name] = pd.read_parquet(path)
            record.read(path, frames[name])
        shown = display_findings(frames, language, words(ftrans.gettext))
        publishers = {s["id"]: s["short"] for s in shown}

        bodies: dict[str, tuple[str, str]] = {}
        md_pages: dict[str, str] = {}
        for slug in params.pages:
            parts, tocs = [], []
            for path in getattr(input, f"page_{slug}"):
                part = json.loads(Path(path).read_text(encoding="utf-8"))
                md_pages[part["markdown"]] = slug
                record.read(path)
                parts.append(part["body"])
                tocs.append(part["contents"])
            bodies[slug] = ("\n".join(parts), "\n".join(tocs))
        overview = render(
            input.overview_template,
            language,
            ftrans,
            sources=shown,
            pages={sid for sid in params.sources},
            esc=html_lib.escape,
        )
        bodies = {"index": (overview, ""), **bodies}

        labels = {
            "index": _("Findings"),
            **{sid: publishers.get(sid, sid) for sid in params.sources},
            "claims": _("Claims audit"),
            "appendix": _("Appendix: data"),
        }
        anchors = {slug: ids(body) for slug, (body, _toc) in bodies.items()}
        nav = [(page_file(slug), labels.get(slug, slug), slug) for slug in bodies]
        for slug, (body, toc) in bodies.items():
            body = rewrite_links(body, slug, anchors, md_pages)
            body = embed_figures(figures_with_captions(body), list(input.figures), page_file(slug))
            page = render(
                input.template,
                language,
                trans,
                body=body,
                contents=toc,
                nav=nav,
                current=slug,
                title=labels.get(slug, slug),
            )
            path = output.html if slug == "index" else getattr(output, f"html_{slug}")
            write_text(page, path)
            record.wrote(path)
