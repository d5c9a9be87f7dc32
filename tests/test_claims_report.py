"""The claims section (reports/claims.md) from the audit's result tables: numbers through
Babel, the evidence and computations in words in English and Swedish, the template, the
report stage in both languages."""

from __future__ import annotations

import gettext
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from test_claims import build

from analysis.claims import REPORT_TABLES
from analysis.claims.audit import frame
from analysis.claims.evaluate import _fmt
from analysis.report import claims as report
from analysis.report.catalogs import run as compile_catalog
from analysis.report.render import render, translations

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "src/analysis/report/templates/claims.md.j2"
EN = gettext.NullTranslations().gettext
MINUS = "\u2212"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build(tmp_path_factory.mktemp("claims_report"))


@pytest.fixture(scope="module")
def mo(tmp_path_factory):
    out = tmp_path_factory.mktemp("locale") / "claims.mo"
    compile_catalog(
        SimpleNamespace(po=str(ROOT / "src/analysis/report/locale/sv/LC_MESSAGES/claims.po")),
        SimpleNamespace(mo=str(out)),
    )
    return str(out)


@pytest.fixture(scope="module")
def sv(mo):
    return translations("sv", mo).gettext


# -- numbers ---------------------------------------------------------------------------------


def test_number_formatter_in_both_languages():
    en, sv = report.number_formatter("en"), report.number_formatter("sv")
    assert en(33.2096) == "33.21" and sv(33.2096) == "33,21"
    assert en(12192.0) == "12,192" and sv(12192.0) == "12\u00a0192"
    assert en(-1.4) == "-1.4" and sv(-1.4) == f"{MINUS}1,4"
    assert sv(0.06160) == "0,0616" and en(0) == "0"
    assert en(float("inf")) == "∞" and sv(float("-inf")) == f"{MINUS}∞" and en(float("nan")) == "–"


def test_formula_numbers_have_six_digits_and_no_grouping():
    en, sv = report.formula_formatter("en"), report.formula_formatter("sv")
    assert en(23712.0) == "23712" and en(61.2) == "61.2" and sv(61.2) == "61,2"
    assert en(100 / 3) == _fmt(100 / 3) == "33.3333"


def test_intervals_use_a_semicolon_in_both_languages():
    # A comma is the decimal mark in Swedish and the group separator in English: with ', '
    # between the ends, '[137,325, 137,475]' could be read as four numbers.
    en, sv = report.number_formatter("en"), report.number_formatter("sv")
    assert report.interval(29.5, 40.5, en, "en") == "[29.5; 40.5]"
    assert report.interval(137325, 137475, en, "en") == "[137,325; 137,475]"
    assert report.interval(29.5, 40.5, sv, "sv") == "[29,5; 40,5]"
    assert report.interval(100 / 3, float("inf"), en, "en", True, True) == "(33.33; ∞)"


# -- words -------------------------------------------------------------------------------------


def evidence(form, items=(), **fields):
    row = {
        "label": "",
        "form": form,
        "verdict": "consistent",
        "computed": float("nan"),
        "computed_lo": float("nan"),
        "computed_hi": float("nan"),
        "claimed_lo": float("nan"),
        "claimed_hi": float("nan"),
        "claimed_lo_open": False,
        "claimed_hi_open": False,
        "gap": float("nan"),
        "rank": None,
        "position": None,
        "within": float("nan"),
        "cell_table": "",
        "cell_line": None,
        "cell_printed": "",
        **fields,
    }
    return row, [{"label": label, "value": v} for label, v in items]


def test_interval_evidence_in_english_and_swedish(sv):
    row, items = evidence(
        "interval",
        label="Migrationsverket",
        verdict="inconsistent",
        computed=40.7,
        computed_lo=40.6,
        computed_hi=40.8,
        claimed_lo=29.5,
        claimed_hi=40.5,
        gap=0.1,
    )
    assert (
        report.group_evidence(row, items, "en", EN) == "Migrationsverket: 40.7 in [40.6; 40.8] vs [29.5; 40.5], gap 0.1"
    )
    assert (
        report.group_evidence(row, items, "sv", sv)
        == "Migrationsverket: 40,7 i [40,6; 40,8] mot [29,5; 40,5], avstånd 0,1"
    )
    row["verdict"] = "consistent"
    assert report.group_evidence(row, items, "sv", sv) == "Migrationsverket: 40,7 i [40,6; 40,8] mot [29,5; 40,5]"


def test_every_form_of_evidence_in_swedish(sv):
    ranking = [("B", 50.0), ("A", 30.0), ("C", 20.5)]
    cases = [
        (evidence("highest_first", ranking, label="B"), "B: högst först: B 50, A 30, C 20,5"),
        (evidence("lowest_first", ranking[::-1]), "lägst först: C 20,5, A 30, B 50"),
        (evidence("rank", ranking, label="A", rank=2, position=3), "A: ordning: B > A > C; ”A” är nr 2, påstått nr 3"),
        (evidence("greater", [("", 50.0), ("", 30.0)]), "50 > 30"),
        (evidence("less", [("", 20.5), ("", 30.0)]), "20,5 < 30"),
        (
            evidence("trend", [("2015", 1200.0), ("2016", 1500.5)], label="2015→2016"),
            "2015→2016: 2015 1\u00a0200 → 2016 1\u00a0500,5",
        ),
        (evidence("similar", ranking, computed=29.5, within=10.0), "spridning 29,5 (tillåten 10): B 50, A 30, C 20,5"),
        (
            evidence("not_available", cell_table="tabell_2", cell_line=7, cell_printed="-"),
            "tabell_2 rad 7 är tryckt som ”-”",
        ),
    ]
    for (row, items), expected in cases:
        assert report.group_evidence(row, items, "sv", sv) == expected


def terms(*rows):
    keys = ("term", "parent", "kind", "name", "where", "by", "source", "value", "printed", "label", "per")
    defaults = {"where": "", "by": "", "source": "", "value": float("nan"), "printed": "", "label": "", "per": ""}
    return [{**defaults, **dict(zip(keys, r, strict=False))} for r in rows]


def test_formula_in_english_and_swedish(sv):
    tree = terms(
        (1, 0, "op", "share", "", "", "", float("nan"), "", "", "100"),
        (2, 1, "table", "tabell_7", "direction=positive", "agency", "other_2020"),
        (3, 1, "facts", ""),
        (4, 3, "fact", "n", "", "", "", float("nan"), "cirka 1 200", "all"),
        (5, 1, "const", "365,25"),
        (6, 1, "estimate", "cost", "", "", "", float("nan"), "(34 × 58)"),
        (7, 1, "table", "tabell_1", "period=2019", "", "", 23712.5),
    )
    assert report.formula(tree, "en", EN) == (
        "share(tabell_7[direction=positive] (other_2020) by agency; {all: n = cirka 1 200}; 365,25 (constant); "
        "cost model cost: (34 × 58); tabell_1[period=2019] = 23712.5, per 100)"
    )
    assert report.formula(tree, "sv", sv) == (
        "share(tabell_7[direction=positive] (other_2020) efter agency; {all: n = cirka 1 200}; 365,25 (konstant); "
        "kostnadsmodell cost: (34 × 58); tabell_1[period=2019] = 23712,5, per 100)"
    )
    assert report.formula(terms((1, 0, "op", "value")), "en", EN) == "value"
    assert report.formula([], "en", EN) == ""


def test_summary_rows_count_verdicts_per_report_and_kind():
    rows = [
        {"report": "a", "kind": "claim", "verdict": "consistent"},
        {"report": "a", "kind": "claim", "verdict": "consistent"},
        {"report": "a", "kind": "claim", "verdict": "inconsistent"},
        {"report": "a", "kind": "cross_source", "verdict": "ambiguous"},
        {"report": "b", "kind": "claim", "verdict": "not reproducible"},
    ]
    got = report.summary_rows(pd.DataFrame(rows), "en", EN)
    # columns: report, kind, inconsistent, ambiguous, not reproducible, consistent, total
    assert got == [
        ["a", "claims in the text", "1", "0", "0", "2", "3"],
        ["a", "same statistic printed twice", "0", "1", "0", "0", "1"],
        ["b", "claims in the text", "0", "0", "1", "0", "1"],
        ["**Total**", "", "1", "1", "1", "2", "5"],
    ]


# -- the section from the real tables --------------------------------------------------------


def test_english_evidence_and_formulas_match_the_published_tables(built):
    """The report's words come from the structured tables alone; in English with the tables'
    number format they give back the published English evidence and computation exactly."""
    frames = built.frames

    def plain(x):
        return _fmt(x)

    evidence = report._grouped(frames["claims_evidence"], ["report", "id", "reading"])
    items = report._grouped(frames["claims_items"], ["report", "id", "reading", "group"])
    readings = report._grouped(frames["claims_readings"], ["report", "id"])
    tree = report._grouped(frames["claims_terms"], ["report", "id", "reading"])
    for c in frames["claims"].itertuples():
        key = (c.report, c.id)
        rs = readings.get(key, [])
        texts = []
        for r in rs:
            groups = evidence.get((*key, r["reading"]), [])
            words = [
                report.group_evidence(e, items.get((*key, r["reading"], e["group"]), []), "en", EN, plain)
                for e in groups
            ]
            texts.append((f"{r['label']}: " if len(rs) > 1 else "") + "; ".join(words))
        assert " | ".join(texts) == c.evidence, c.id
        counted = [r for r in rs if not r["evidence_only"]] or rs
        shown = report.formula(tree.get((*key, counted[0]["reading"]), []), "en", EN, plain) if counted else ""
        assert shown == c.formula, c.id


def test_section_context_from_the_tables(built, sv):
    context = report.section(built.frames, "sv", sv)
    ids = [c["id"] for c in context["ambiguous"]]
    assert "t5_no_shared_view_over_third" in ids and "meetings_2018_annual_report_vs_tabell_1" not in ids
    assert [c["id"] for c in context["cross_source"]][:1] == ["tabell_3_total_vs_tabell_1"] or context["cross_source"]
    t5 = next(c for c in context["ambiguous"] if c["id"] == "t5_no_shared_view_over_third")
    # 179 / 539 = 33,2096 % against more than a third: gap 33,2096 - 33,3333 = -0,1237;
    # 179 / 534 = 33,5206 % of those with a view
    first, second = t5["evidence"].split(" | ")
    assert first.endswith(f"33,21 i [33,21; 33,21] mot (33,33; ∞), avstånd {MINUS}0,1237")
    assert second.endswith("33,52 i [33,52; 33,52] mot (33,33; ∞)")
    assert t5["where"] == "Riksrevisionen 2022, 4.1.1, texten efter Tabell 5 (rad 156)"  # publisher, year
    assert len(context["every"]) == len(built.frames["claims"])
    assert context["verdicts"] == ["oförenligt", "tvetydigt", "ej reproducerbart", "förenligt"]


def test_swedish_paraphrase_when_the_register_gives_one(built, sv):
    frames = dict(built.frames)
    claims = frames["claims"].copy()
    claims.loc[claims["id"] == "feedback_used_62", "claim_sv"] = "Av dem som vet hur har 62 procent använt funktionen."
    claims.loc[claims["id"] == "t5_no_shared_view_over_third", "claim_sv"] = ""
    frames["claims"] = claims
    sv_claims = {c["id"]: c for k in ("inconsistent", "ambiguous") for c in report.section(frames, "sv", sv)[k]}
    en_claims = {c["id"]: c for k in ("inconsistent", "ambiguous") for c in report.section(frames, "en", EN)[k]}
    assert sv_claims["feedback_used_62"]["paraphrase"].startswith("Av dem som vet hur")
    assert en_claims["feedback_used_62"]["paraphrase"].startswith("Of those who know how")
    # without claim_sv the English paraphrase stands
    assert sv_claims["t5_no_shared_view_over_third"]["paraphrase"].startswith("More than a third")


def test_where_in_swedish_with_location_sv_and_without(sv):
    claim = {"report": "r", "location": "Chapter 4, the long cases", "seed_line": 595}
    shown = {"location_sv": "Kapitel 4, de långa sjukfallen"}
    assert report.where({**claim, **shown}, "sv", sv) == "r, Kapitel 4, de långa sjukfallen (rad 595)"
    assert report.where({**claim, **shown}, "en", EN) == "r, Chapter 4, the long cases (line 595)"
    # no (or an empty) location_sv: the location as the register gives it
    assert report.where(claim, "sv", sv) == "r, Chapter 4, the long cases (rad 595)"
    assert report.where({**claim, "location_sv": ""}, "sv", sv) == "r, Chapter 4, the long cases (rad 595)"


def test_fact_location_in_swedish(sv):
    assert report.fact_location("Chapter 2, footnote 6", sv) == "Kapitel 2, fotnot 6"
    assert report.fact_location("Footnotes 24, 25 and 28", sv) == "Fotnoter 24, 25 och 28"
    assert report.fact_location("Interview quote, chapter 4", sv) == "Intervjucitat, kapitel 4"
    assert report.fact_location("Bilaga 1, note to Figur 5", sv) == "Bilaga 1, anmärkningen till Figur 5"
    assert report.fact_location("Chapter 4 (diagnoses), footnote 31", sv) == "Kapitel 4 (diagnoser), fotnot 31"
    # printed Swedish titles stay as printed, also where they hold an English word's letters
    printed = "Bilaga 1, area 4 Digitalisering av infoträffar"
    assert report.fact_location(printed, sv) == "Bilaga 1, område 4 Digitalisering av infoträffar"
    assert report.fact_location("Metod och material, footnote 10", sv) == "Metod och material, fotnot 10"
    assert report.fact_location("Chapter 2, footnote 6", EN) == "Chapter 2, footnote 6"


def test_fact_locations_of_every_facts_csv_have_no_english_word_in_swedish(sv):
    english = {"chapter", "footnote", "footnotes", "note", "to", "titles", "of", "and", "area", "summary"}
    english |= {"interview", "quote", "introduction", "diagnoses", "case", "loads", "the", "observed", "offices"}
    locations = {
        loc for path in ROOT.glob("data/raw/*/facts.csv") for loc in pd.read_csv(path, sep=";", dtype=str)["location"]
    }
    assert "Chapter 2, footnote 6" in locations
    for loc in locations:
        words = {w.lower() for w in re.findall(r"[A-Za-zÅÄÖåäö]+", report.fact_location(loc, sv))}
        assert not words & english, loc


def test_every_claim_location_in_swedish_has_no_english_word(built, sv):
    english = {"chapter", "footnote", "note", "to", "titles", "of", "and", "summary", "text", "after", "before"}
    english |= {"against", "the", "section", "introduction", "diagnoses", "long", "cases", "it", "line"}
    context = report.section(built.frames, "sv", sv)
    for row in context["every"]:
        words = {w.lower() for w in re.findall(r"[A-Za-zÅÄÖåäö]+", row[1])}
        assert not words & english, row[1]


def test_template_writes_none_for_an_empty_list():
    context = {
        "summary": [],
        "verdicts": ["inconsistent", "ambiguous", "not reproducible", "consistent"],
        "inconsistent": [],
        "ambiguous": [],
        "not_reproducible": [],
        "cross_source": [],
        "every": [],
        "standalone": [],
        "example": {"share": "44.5", "lo": "44.45", "hi": "44.55"},
    }
    md = render(TEMPLATE, "en", gettext.NullTranslations(), **context)
    assert "## Ambiguous claims\n\nNone.\n\n## Claims that cannot be reproduced\n\nNone.\n\n## The same" in md
    assert "the documents give no way to derive.\n\nNone.\n\n## Methods" in md


def run_report(built, tmp_path, language, catalogs):
    inputs = SimpleNamespace(
        **{name: getattr(built.outputs, name) for name in REPORT_TABLES},
        template=str(TEMPLATE),
        catalogs=catalogs,
    )
    out = SimpleNamespace(md=str(tmp_path / f"claims_{language}.md"), part=str(tmp_path / f"claims_{language}.json"))
    report.run(inputs, out, SimpleNamespace(language=language), tmp_path / f"report_claims_{language}.log")
    return Path(out.md).read_text(encoding="utf-8")


def test_report_stage_in_english(built, tmp_path):
    md = run_report(built, tmp_path, "en", [])
    assert md.startswith("# Claims audit: the reports' numbers recomputed from their own tables\n")
    # 'närmare 92' (92,6) is inconsistent; the registration cost ('på ett år ... januari-
    # augusti'), the new-tasks cost (period or per month), 'more than a third' (of all or of
    # those with a view) and two majorities ('delvis' counted or not) are ambiguous.
    assert "| **Total** |  | 12 | 11 | 16 | 111 | 150 |" in md
    assert (
        "- Evidence: of all respondents: 33.21 in [33.21; 33.21] vs (33.33; ∞), gap -0.1237 | "
        "of the respondents with a view (without 'Vet ej'): 33.52 in [33.52; 33.52] vs (33.33; ∞)\n" in md
    )
    # readable names, no internal ids where a reader looks (the anchor keeps the id for links)
    assert '<a id="claim-digital_reports_hours"></a>' not in md or "`digital_reports_hours`" not in md
    assert "`digital_reports_hours`" not in md and "| arbetsformedlingen_2019 |" not in md
    assert "| Arbetsförmedlingen 2019 | claims in the text |" in md
    assert "## Methods" in md and "44.5 % is 44.45–44.55" in md
    # inputs named as a reader knows them: facts by description, tables by printed number
    assert (
        "- Recomputed as: `share(Activity reports submitted digitally per month on average, January to August "
        "2019 = 237 000; Activity reports submitted per month on average, January to August 2019 = 256 000)`" in md
    )
    assert "`decline(Bilaga 1, Tabell 1[series=Avstämningsmöte, antal, period=2019 halvår 1] = 23712;" in md
    assert (
        "| Riksrevisionen 2022 | Months during which new service handlers take most of their training "
        "alongside practical work | 8 | 4.4 |" in md
    )
    log = (tmp_path / "report_claims_en.log").read_text(encoding="utf-8")
    assert "claims_evidence.parquet" in log and "wrote" in log


def test_report_stage_in_swedish(built, tmp_path, mo):
    md = run_report(built, tmp_path, "sv", [mo])
    assert md.startswith("# Granskning av påståenden")
    assert "## Oförenliga påståenden" in md and "| **Totalt** |  | 12 | 11 | 16 | 111 | 150 |" in md
    # the estimate named by the Swedish description of the figure it reproduces
    assert (
        "kostnadsmodell Kostnad för de nya arbetsuppgifterna, uppräknad till samtliga lokala enheter, "
        "januari–augusti 2019: (omkring 34 × 58 × 35 × 289 / 1 000 000)" in md
    )
    assert "högst först: Pensionsmyndigheten 61,2, Försäkringskassan 57,7" in md
    # locations in Swedish: the register's location_sv, a fact's location word by word
    assert "Riksrevisionen 2022, 4.1.1, texten efter Tabell 5 (rad 156)" in md
    assert "## Metoder" in md and "44,5 % är 44,45–44,55" in md
    assert "| Försäkringskassan 2020 | Lokala sjukförsäkringskontor i hela landet | 52 | Kapitel 2, fotnot 6 |" in md


def test_swedish_evidence_has_no_english_words(built, sv):
    """Apart from the register's own words (reading labels, here left out), the evidence,
    computations and verdicts are Swedish."""
    frames = {**built.frames, "claims_readings": built.frames["claims_readings"].assign(label="")}
    context = report.section(frames, "sv", sv)
    claims = context["inconsistent"] + context["ambiguous"] + context["not_reproducible"] + context["cross_source"]
    shown = [c[k] for c in claims for k in ("evidence", "formula", "readings")] + [r[3] for r in context["every"]]
    english = (" vs ", "gap", " in [", "highest", "lowest", "cost model", " by ", "spread", "evidence only", "order:")
    for word in english:
        assert not any(word in text for text in shown), word
    assert any(" mot " in text for text in shown) and any("efter" in text for text in shown)


def test_report_module_imports_no_heavy_library():
    code = (
        "import sys, analysis.report.claims; "
        "heavy = [m for m in ('matplotlib', 'scipy', 'statsmodels', 'analysis.claims.evaluate') if m in sys.modules]; "
        "sys.exit(repr(heavy) if heavy else 0)"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={"PYTHONPATH": str(ROOT / "src")}
    )
    assert res.returncode == 0, res.stderr


def test_empty_tables_render(tmp_path, sv):
    frames = {name: frame(name, []) for name in REPORT_TABLES}
    context = report.section(frames, "sv", sv)
    assert context["every"] == [] and context["summary"] == [["**Totalt**", "", "0", "0", "0", "0", "0"]]


def test_where_gives_the_page_or_page_range_when_the_source_has_pages(sv):
    claim = {"report": "r", "location": "Chapter 4", "seed_line": 595}
    one = {**claim, "page": 47, "page_last": 47}
    assert report.where(one, "en", EN) == "r, p. 47, Chapter 4 (line 595)"
    assert report.where(one, "sv", sv) == "r, s. 47, Chapter 4 (rad 595)"
    span = {**claim, "page": 81, "page_last": 90}
    assert report.where(span, "en", EN) == "r, pp. 81\u201390, Chapter 4 (line 595)"
    # the page after the last heading is open: only the first page is known
    assert report.where({**claim, "page": 91, "page_last": pd.NA}, "en", EN) == "r, p. 91, Chapter 4 (line 595)"
    assert report.where({**claim, "page": pd.NA, "page_last": pd.NA}, "en", EN) == "r, Chapter 4 (line 595)"
