"""The HTML report: every Markdown section rendered into one self-contained page.

Markdown is the primary rendering; the page is rendered from the same Markdown by
markdown-it, so the two never disagree. Figures are embedded as data URIs so the page
works alone (mailed, archived, opened from ``file://``).
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

from analysis.core.errors import InputError
from analysis.core.stage import stage_run
from analysis.core.store import write_text
from analysis.report.markdown import markdown_to_html
from analysis.report.render import catalog_path, render, translations


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


def run(input, output, params, log=None) -> None:
    """Stage: the sections (Markdown) and figures (PNG) -> ``output.html``."""
    with stage_run("report_html", output, log) as record:
        parts = []
        for p in input.sections:
            parts.append(Path(p).read_text(encoding="utf-8"))
            record.read(p)
        body, toc = markdown_to_html("\n\n".join(parts))
        body = embed_figures(body, list(input.figures), input.sections[0])
        trans = translations(params.language, catalog_path(input.catalogs))
        page = render(input.template, params.language, trans, body=body, contents=toc)
        write_text(page, output.html)
        record.wrote(output.html)
