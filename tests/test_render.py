"""Templates, translations and the report pages built from them."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

from analysis.core.stage import StageError
from analysis.report import catalogs, html, index
from analysis.report.markdown import markdown_to_html, page_part, write_markdown
from analysis.report.render import catalog_path, render, translations

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "src/analysis/report/templates"


def mo(tmp_path: Path, messages: dict[str, str]) -> str:
    cat = Catalog(locale="sv")
    for k, v in messages.items():
        cat.add(k, v)
    path = tmp_path / "t.mo"
    with open(path, "wb") as f:
        write_mo(f, cat)
    return str(path)


def test_render_translates_and_formats_numbers(tmp_path):
    (tmp_path / "t.md.j2").write_text('{{ _("Share: %(p)s of %(n)s", p=x|pct(1), n=n|num(0)) }} {{ p|pval }}\n')
    trans = translations("sv", mo(tmp_path, {"Share: %(p)s of %(n)s": "Andel: %(p)s av %(n)s"}))
    text = render(tmp_path / "t.md.j2", "sv", trans, x=0.4449, n=12345, p=0.0004)
    # Babel sv_SE: decimal comma, U+00A0 as grouping and before the percent sign.
    assert text == "Andel: 44,5\u00a0% av 12\u00a0345 < 0,001\n"
    en = render(tmp_path / "t.md.j2", "en", translations("en", None), x=0.4449, n=12345, p=0.0123)
    assert en == "Share: 44.5% of 12,345 0.012\n"


def test_undefined_template_names_fail(tmp_path):
    import jinja2

    (tmp_path / "t.md.j2").write_text("{{ missing }}\n")
    with pytest.raises(jinja2.UndefinedError):
        render(tmp_path / "t.md.j2", "en", translations("en", None))


def test_translations_refuse_unknown_language():
    with pytest.raises(ValueError):
        translations("de", None)


def test_catalog_path_takes_the_one_declared_catalog():
    assert catalog_path([]) is None
    assert catalog_path(["a.mo"]) == "a.mo"
    assert catalog_path("b.mo") == "b.mo"
    assert catalog_path(None) is None


def test_compiling_a_catalog_refuses_untranslated_entries(tmp_path):
    cat = Catalog(locale="sv")
    cat.add("Yes", "Ja")
    cat.add("No", "")
    po = tmp_path / "x.po"
    with open(po, "wb") as f:
        write_po(f, cat)
    out = tmp_path / "x.mo"
    with pytest.raises(StageError, match="untranslated: 'No'"):
        catalogs.run(SimpleNamespace(po=str(po)), SimpleNamespace(mo=str(out)), None, None)
    assert not out.exists()
    cat["No"].string = "Nej"
    with open(po, "wb") as f:
        write_po(f, cat)
    catalogs.run(SimpleNamespace(po=str(po)), SimpleNamespace(mo=str(out)), None, str(tmp_path / "log"))
    assert translations("sv", str(out)).gettext("No") == "Nej"


CATALOG = pd.DataFrame(
    {
        "source_id": ["s1", "s1"],
        "publisher": ["Myndigheten", "Myndigheten"],
        "source_title": ["Rapport", "Rapport"],
        "published": ["2020-01-01", "2020-01-01"],
        "dataset": ["tabell_1", "facts"],
        "kind": ["table", "facts"],
        "number": ["Tabell 1", ""],
        "title": ["Antal", ""],
        "title_en": ["Counts", ""],
        "location": ["chapter 2", ""],
        "rows": [1234, 5],
        "checks_holds": [3, 0],
        "checks_known_issue": [1, 0],
        "checks_skipped": [0, 0],
        "known_issues": ["k1", ""],
        "appendix": ["", ""],
        "chapter": ["2", ""],
        "section": ["2.1 Möten", ""],
        "page": ["18", ""],
        # the table's lines in the seed text (facts: each row has its own)
        "seed_line": pd.array([120, None], dtype="Int64"),
        "seed_line_last": pd.array([131, None], dtype="Int64"),
        # the source's number coverage, repeated on each of its rows
        "numbers": [1430, 1430],
        "numbers_registered": [412, 412],
        "numbers_waived": [1018, 1018],
        "numbers_unaccounted": [0, 0],
    }
)
FIGURES = pd.DataFrame(
    {
        "source_id": ["s1", "s1"],
        "number": ["Figur 10", "Figur 2"],
        "title": ["Möten", "Tidslinje"],
        "title_en": ["Meetings", "Timeline"],
        "shows": ["Meetings per half-year", "Changes of guidance"],
        "shows_sv": ["Möten per halvår", "Ändringar av vägledningen"],
        "redrawn": [True, False],
        "why_not": ["", "A drawing without data"],
        "why_not_sv": ["", "En teckning utan data"],
        "reproduced_by": ["series", ""],
        "appendix": ["Bilaga 1", ""],
        "section": ["Möten", "Styrning"],
        "page": ["81", "27"],
        "page_last": ["91", "27"],
    }
)
VALIDATION = pd.DataFrame(
    {
        "relation": ["r1", "r1", "r1"],
        "type": ["sum", "sum", "sum"],
        "source_id": ["s1"] * 3,
        "table_id": ["tabell_1"] * 3,
        "status": ["holds", "holds", "known_issue"],
    }
)
KNOWN = pd.DataFrame(
    {
        "source_id": ["s1"],
        "id": ["k1"],
        "table_id": ["tabell_1"],
        "relation": ["r1"],
        "group": ["x=1"],
        "description": ["d"],
        "description_sv": ["b"],
        "evidence": ["e"],
        "evidence_sv": ["f"],
        "state": ["confirmed"],
    }
)
CODEBOOK = pd.DataFrame(
    {
        "source_id": ["s1", "s1"],
        "table_id": ["tabell_1", "tabell_1"],
        "column": ["kon", "measure"],
        "label": ["Kvinnor", "antal"],
        "label_en": ["Women", "count"],
        "kind": ["category", "measure"],
    }
)


def index_io(tmp_path: Path, language: str, catalogs_: list[str]):
    files = {}
    for name, frame in (
        ("catalog", CATALOG),
        ("validation", VALIDATION),
        ("known_issues", KNOWN),
        ("codebook", CODEBOOK),
        ("figures", FIGURES),
    ):
        files[name] = str(tmp_path / f"{name}.parquet")
        frame.to_parquet(files[name])
    inp = SimpleNamespace(
        **files,
        index_template=str(TEMPLATES / "index.md.j2"),
        codebook_template=str(TEMPLATES / "index_codebook.md.j2"),
        catalogs=catalogs_,
    )
    out = SimpleNamespace(
        md=str(tmp_path / "index.md"),
        codebook=str(tmp_path / "codebook.md"),
        part=str(tmp_path / "index.json"),
        codebook_part=str(tmp_path / "codebook.json"),
    )
    sections = {k: f"{k}.md" for k in ("findings", "survey", "meetings", "channels", "claims", "codebook")}
    return inp, out, SimpleNamespace(language=language, sections=sections)


def test_index_page_in_english(tmp_path):
    inp, out, params = index_io(tmp_path, "en", [])
    index.run(inp, out, params, str(tmp_path / "log"))
    md = Path(out.md).read_text()
    row = (
        '| <a id="d-s1-tabell_1"></a>`s1/tabell_1` | Tabell 1: Counts '
        "| chapter 2, 2.1 Möten, p. 18, lines 120\u2013131 | 1,234 | 3 | 1 |"
    )
    assert row in md
    assert "| `k1` | `s1/tabell_1` | `r1` | x=1 | d | e | confirmed |" in md
    assert '| <a id="d-s1-facts"></a>`s1/facts` | Facts printed in the text |' in md
    # The datasets after the tables; the contents link every section.
    assert md.index("d-s1-tabell_1") < md.index("d-s1-facts")
    assert "- [Findings: each report's main claims and what the data say](findings.md)" in md
    assert "(codebook.md)" in md and "(claims.md)" in md
    # Relation r1: two checks hold and one is a known issue.
    assert "| `s1/tabell_1` | `r1` | `sum` | 2 | 1 | 0 |" in md
    cb = Path(out.codebook).read_text()
    assert "| `s1/tabell_1` | `kon` | Kvinnor | Women |" in cb and "antal" not in cb
    # Coverage of the source's numbers: 412 + 1,018 waived = 1,430 printed, none unaccounted.
    assert "| `s1` | 1,430 | 412 | 1,018 | 0 |" in md
    # The source's figures in their printed order (Figur 2 before Figur 10), with why not.
    fig2 = "| `s1` | Figur 2 | Timeline | Changes of guidance | Styrning, p. 27 | not redrawn: A drawing without data |"
    fig10 = "| `s1` | Figur 10 | Meetings | Meetings per half-year | Bilaga 1, Möten, p. 81\u201391 | redrawn as "
    fig10 += "`s1_series` |"
    assert fig2 in md and fig10 in md and md.index(fig2) < md.index(fig10)


def test_index_page_in_swedish(tmp_path):
    po = ROOT / "src/analysis/report/locale/sv/LC_MESSAGES/index.po"
    compiled = tmp_path / "index.mo"
    catalogs.run(SimpleNamespace(po=str(po)), SimpleNamespace(mo=str(compiled)), None, None)
    inp, out, params = index_io(tmp_path, "sv", [str(compiled)])
    index.run(inp, out, params)
    md = Path(out.md).read_text()
    assert md.startswith("# servicestat: datakatalog")
    assert "`s1/tabell_1` | Tabell 1: Antal | kapitel 2, 2.1 Möten, s. 18, rader 120\u2013131 | 1\u00a0234 |" in md
    assert "## Innehåll" in md
    assert "| `k1` | `s1/tabell_1` | `r1` | x=1 | b | f | bekräftat |" in md
    assert "Siffror i löptext" in md and "## Kända fel i källorna" in md
    assert "## Tal i källorna" in md and "| `s1` | 1\u00a0430 | 412 | 1\u00a0018 | 0 |" in md
    why_not = "ritas inte om: En teckning utan data"
    assert f"| Figur 2 | Tidslinje | Ändringar av vägledningen | Styrning, s. 27 | {why_not} |" in md


def html_io(tmp_path: Path):
    """A report of one source (s1): its findings page and section, the audit, the appendix."""
    from analysis.report.findings import CLAIM_COLUMNS, FINDING_COLUMNS, SOURCE_COLUMNS

    png = tmp_path / "figures/a.png"
    png.parent.mkdir()
    png.write_bytes(b"\x89PNG fake")
    files = {
        "findings_s1.md": '# S1: main findings\n\n## <a id="f-s1-f1"></a>Finding one\n\n'
        "| Finding | Source |\n| --- | --- |\n"
        '| <a id="r-s1-f1"></a>x | [Tabell 1](index.md#d-s1-tabell_1) |\n',
        "sec.md": "# Section\n\n## Part\n\n![Source: s1, Tabell 1.](figures/a.png)\n\n"
        "| a | b |\n| ---: | --- |\n| 1 | x |\n"
        "\nBack to [the finding](findings_s1.md#f-s1-f1) and <b>bold</b>.\n",
        "claims.md": "# Claims audit\n\nSee [the catalogue](index.md).\n",
        "index.md": '# Catalogue\n\n| Dataset |\n| --- |\n| <a id="d-s1-tabell_1"></a>`s1/tabell_1` |\n',
    }
    for name, text in files.items():
        write_markdown(text, tmp_path / name, tmp_path / f"{Path(name).stem}.json")
    frames = {
        "findings_sources": pd.DataFrame(
            [["s1", "Myndigheten, Avdelningen", "Rapport", "2020", 1, "Few cases.", "Få fall."]],
            columns=SOURCE_COLUMNS,
        ),
        "findings": pd.DataFrame(
            [
                [
                    "s1",
                    1,
                    "f1",
                    "Most agree.",
                    "De flesta håller med.",
                    "inconsistent",
                    "not_supported",
                    "c1",
                    "t",
                    2,
                    "",
                    33.2096,
                    29.3648,
                    37.2921,
                    "percent",
                    1,
                    "confidence",
                    "Share",
                    "Andel",
                    "tabell_1",
                ]
            ],
            columns=FINDING_COLUMNS,
        ),
        "findings_claims": pd.DataFrame(
            [
                [
                    "s1",
                    "f1",
                    "c1",
                    "inconsistent",
                    "not_supported",
                    "",
                    "62",
                    62.6,
                    62.6,
                    62.6,
                    "4.1",
                    "4.1",
                    12,
                    "A claim.",
                    "Ett påstående.",
                ]
            ],
            columns=CLAIM_COLUMNS,
        ),
    }
    paths = []
    for name, frame in frames.items():
        paths.append(str(tmp_path / f"{name}.parquet"))
        frame.to_parquet(paths[-1])
    inp = SimpleNamespace(
        page_s1=[str(tmp_path / "findings_s1.json"), str(tmp_path / "sec.json")],
        page_claims=[str(tmp_path / "claims.json")],
        page_appendix=[str(tmp_path / "index.json")],
        findings=paths,
        figures=[str(png)],
        template=str(TEMPLATES / "html_page.html.j2"),
        overview_template=str(TEMPLATES / "findings_overview.html.j2"),
        catalogs=[],
        findings_catalogs=[],
    )
    out = SimpleNamespace(**{f"html_{p}": str(tmp_path / f"{p}.html") for p in ("s1", "claims", "appendix")})
    out.html = str(tmp_path / "index.html")
    return inp, out, SimpleNamespace(language="en", pages=["s1", "claims", "appendix"], sources=["s1"])


def test_html_pages_link_findings_to_rows_and_rows_to_the_catalogue(tmp_path):
    inp, out, params = html_io(tmp_path)
    html.run(inp, out, params)
    overview = Path(out.html).read_text()
    # The overview: the key number (33.2096 % to one decimal) links to its result row.
    assert '<a class="num" href="s1.html#r-s1-f1" title="Share">33.2%</a>' in overview
    assert "(95% CI 29.4 to 37.3)" in overview and 'class="verdict v-not_supported">not supported<' in overview
    assert '<h2><a href="s1.html">Myndigheten</a></h2>' in overview and "Few cases." in overview
    for page in ("index.html", "s1.html", "claims.html", "appendix.html"):
        assert f'href="{page}"' in overview
    s1 = Path(out.html_s1).read_text()
    # A link into the catalogue goes to the appendix page; one to the same page stays a fragment.
    assert 'href="appendix.html#d-s1-tabell_1"' in s1 and 'href="#f-s1-f1"' in s1
    assert '<figure><img src="data:image/png;base64,iVBORyBmYWtl" alt="Source: s1, Tabell 1.">' in s1
    assert "<figcaption>Source: s1, Tabell 1.</figcaption>" in s1
    assert '<td class="num">1</td>' in s1 and 'id="sec-s2"' in s1 and 'href="#sec-s2"' in s1
    # Raw HTML only from this package's own Markdown: the section's <b> stays text.
    assert "&lt;b&gt;bold&lt;/b&gt;" in s1 and '<a id="r-s1-f1"></a>' in s1
    assert 'href="appendix.html"' in Path(out.html_claims).read_text()
    assert 'aria-current="page">Appendix: data<' in Path(out.html_appendix).read_text()


def test_html_pages_refuse_undeclared_figures(tmp_path):
    inp, out, params = html_io(tmp_path)
    inp.figures = []
    with pytest.raises(StageError, match=r"undeclared figure 'figures/a\.png'"):
        html.run(inp, out, params)
    assert not Path(out.html).exists() and not Path(out.html_s1).exists()


def test_natural_order_of_printed_numbers():
    labels = ["Tabell 10", "Tabell 9", "Bilaga 1, Tabell 2", "Tabell 3", "Bilaga 1, Tabell 10", "Tabell 1"]
    assert sorted(labels, key=index.natural_key) == [
        "Bilaga 1, Tabell 2",
        "Bilaga 1, Tabell 10",
        "Tabell 1",
        "Tabell 3",
        "Tabell 9",
        "Tabell 10",
    ]


def test_codebook_lists_at_most_cap_categories_per_column():
    n = 30
    cb = pd.DataFrame(
        {
            "source_id": ["s1"] * (n + 2),
            "table_id": ["tabell_10"] * n + ["tabell_9"] * 2,
            "column": ["grupp"] * n + ["kon"] * 2,
            "label": [f"G{i}" for i in range(n)] + ["Kvinnor", "Män"],
            "label_en": [f"g{i}" for i in range(n)] + ["Women", "Men"],
            "kind": ["category"] * (n + 2),
        }
    )
    rows = index.codebook_rows(cb, "… and {n} more rows", cap=12)
    assert len(rows) == 2 + 12 + 1  # tabell_9 first (natural order), then 12 of 30 and the count
    assert rows[0][2] == "Kvinnor" and rows[2][2] == "G0" and rows[13][2] == "G11"
    assert rows[-1] == ["`s1/tabell_10`", "`grupp`", "… and 18 more rows", ""]


def test_compiling_a_catalog_refuses_text_it_does_not_have(tmp_path):
    cat = Catalog(locale="sv")
    cat.add("Yes", "Ja")
    po = tmp_path / "x.po"
    with open(po, "wb") as f:
        write_po(f, cat)
    tpl = tmp_path / "x.md.j2"
    tpl.write_text('{{ _("Yes") }}\n\n{{ _("Something new") }}\n', encoding="utf-8")
    out = tmp_path / "x.mo"
    inp = SimpleNamespace(po=str(po), sources=[str(tpl)])
    with pytest.raises(StageError, match=r"x.md.j2:3: untranslated 'Something new'; expected a translation in"):
        catalogs.run(inp, SimpleNamespace(mo=str(out)), None, None)
    assert not out.exists()
    tpl.write_text('{{ _("Yes") }}\n', encoding="utf-8")
    catalogs.run(inp, SimpleNamespace(mo=str(out)), None, None)
    assert translations("sv", str(out)).gettext("Yes") == "Ja"


def test_a_report_file_and_its_page_part_come_from_the_same_text(tmp_path):
    text = '# Title\n\n<a id="r-1"></a>Row <b>one</b>\n\n| n |\n| ---: |\n| 1 |\n'
    write_markdown(text, tmp_path / "findings_s1.md", tmp_path / "parts/findings_s1.json")
    assert (tmp_path / "findings_s1.md").read_text(encoding="utf-8") == text
    part = json.loads((tmp_path / "parts/findings_s1.json").read_text(encoding="utf-8"))
    body, toc = markdown_to_html(text, html=True, prefix="findings_s1-")
    assert part == {"markdown": "findings_s1.md", "body": body, "contents": toc}
    # By hand: the heading gets the file's prefix; this package's own anchors stay HTML;
    # a right-aligned column becomes class "num".
    assert '<h1 id="findings_s1-s1">Title</h1>' in body and '<a id="r-1"></a>' in body
    assert '<td class="num">1</td>' in body and toc == (
        '<ul class="toc">\n<li><a href="#findings_s1-s1">Title</a></li>\n</ul>'
    )
    # A section's Markdown (not this package's anchored files) keeps raw HTML as text.
    other = json.loads(page_part(text, "riksrevisionen.md"))
    assert "&lt;b&gt;one&lt;/b&gt;" in other["body"] and 'id="riksrevisionen-s1"' in other["body"]
