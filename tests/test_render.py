"""Templates, translations and the report pages built from them."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

from analysis.core.stage import StageError
from analysis.report import catalogs, html, index
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
    ):
        files[name] = str(tmp_path / f"{name}.parquet")
        frame.to_parquet(files[name])
    inp = SimpleNamespace(
        **files,
        index_template=str(TEMPLATES / "index.md.j2"),
        codebook_template=str(TEMPLATES / "index_codebook.md.j2"),
        catalogs=catalogs_,
    )
    out = SimpleNamespace(md=str(tmp_path / "index.md"), codebook=str(tmp_path / "codebook.md"))
    return inp, out, SimpleNamespace(language=language)


def test_index_page_in_english(tmp_path):
    inp, out, params = index_io(tmp_path, "en", [])
    index.run(inp, out, params, str(tmp_path / "log"))
    md = Path(out.md).read_text()
    assert "| `s1/tabell_1` | Tabell 1: Counts | chapter 2, 2.1 Möten, p. 18 | 1,234 | 3 | 1 | 0 | k1 |" in md
    assert "| `k1` | `s1/tabell_1` | `r1` | x=1 | d | e | confirmed |" in md
    assert "| `s1/facts` | Facts printed in the text |" in md
    # Relation r1: two checks hold and one is a known issue.
    assert "| `s1/tabell_1` | `r1` | `sum` | 2 | 1 | 0 |" in md
    cb = Path(out.codebook).read_text()
    assert "| `s1/tabell_1` | `kon` | Kvinnor | Women |" in cb and "antal" not in cb


def test_index_page_in_swedish(tmp_path):
    po = ROOT / "src/analysis/report/locale/sv/LC_MESSAGES/index.po"
    compiled = tmp_path / "index.mo"
    catalogs.run(SimpleNamespace(po=str(po)), SimpleNamespace(mo=str(compiled)), None, None)
    inp, out, params = index_io(tmp_path, "sv", [str(compiled)])
    index.run(inp, out, params)
    md = Path(out.md).read_text()
    assert md.startswith("# servicestat: datakatalog")
    assert "| `s1/tabell_1` | Tabell 1: Antal | kapitel 2, 2.1 Möten, s. 18 | 1\u00a0234 |" in md
    assert "| `k1` | `s1/tabell_1` | `r1` | x=1 | b | f | bekräftat |" in md
    assert "Siffror i löptext" in md and "## Kända fel i källorna" in md


def test_html_page_embeds_declared_figures_and_refuses_others(tmp_path):
    png = tmp_path / "figures/a.png"
    png.parent.mkdir()
    png.write_bytes(b"\x89PNG fake")
    sec = tmp_path / "s.md"
    sec.write_text("# Title\n\n## Part\n\n![cap](figures/a.png)\n\n| a | b |\n| ---: | --- |\n| 1 | x |\n")
    inp = SimpleNamespace(
        sections=[str(sec)], figures=[str(png)], template=str(TEMPLATES / "html_page.html.j2"), catalogs=[]
    )
    out = SimpleNamespace(html=str(tmp_path / "index.html"))
    html.run(inp, out, SimpleNamespace(language="en"))
    page = Path(out.html).read_text()
    assert '<html lang="en">' in page and 'src="data:image/png;base64,iVBORyBmYWtl"' in page
    assert '<h1 id="s1">Title</h1>' in page and '<a href="#s2">Part</a>' in page
    assert '<td class="num">1</td>' in page
    inp.figures = []
    with pytest.raises(StageError, match=r"undeclared figure 'figures/a\.png'"):
        html.run(inp, out, SimpleNamespace(language="en"))
    assert not Path(out.html).exists()


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
