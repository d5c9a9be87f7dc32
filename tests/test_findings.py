"""The findings registers and the findings stage (reports/findings*.md and tables)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis.core.errors import InputError
from analysis.core.stage import StageError
from analysis.report import findings

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = str(ROOT / "schemas/findings.schema.yaml")
TEMPLATES = ROOT / "src/analysis/report/templates"

REGISTER = """\
caveat: Few cases.
caveat_sv: Få fall.
findings:
  - id: most_agree
    headline: Most agree.
    headline_sv: De flesta håller med.
    claims: [c_ok, c_bad]
    result:
      table: s1_shares
      where: {table_id: tabell_1, group: B}
      estimate: share
      low: lower
      high: upper
      scale: 100
      unit: percent
      decimals: 1
      interval: confidence
      label: Share of B
      label_sv: Andel B
      datasets: [tabell_1]
  - id: from_the_audit
    headline: Seventy.
    headline_sv: Sjuttio.
    claims: [c_ok, c_bad]
    result:
      table: claims
      where: {id: c_bad}
      estimate: computed
      unit: percent
      decimals: 1
      interval: none
      label: Recomputed
      label_sv: Omräknat
  - id: unknown_median
    headline: The median doubled.
    headline_sv: Medianen fördubblades.
    claims: [c_missing]
"""

CLAIMS = pd.DataFrame(
    {
        "report": ["s1", "s1", "s1", "s2"],
        "id": ["c_ok", "c_bad", "c_missing", "c_ok"],
        "verdict": ["consistent", "inconsistent", "not reproducible", "inconsistent"],
        "basis": ["point", "", "", ""],
        "printed": ["60 procent", "drygt 70 procent", "fördubblats", "x"],
        "computed": [60.2, 65.0, float("nan"), 1.0],
        "computed_lo": [60.1, 64.9, float("nan"), 1.0],
        "computed_hi": [60.3, 65.1, float("nan"), 1.0],
        "location": ["4.1", "4.2", "Bilaga 1", "x"],
        "location_sv": ["4.1", "4.2", "Bilaga 1", "x"],
        "seed_line": [10, 20, 30, 1],
        "claim": ["Sixty.", "Seventy.", "Doubled.", "x"],
        "claim_sv": ["Sextio.", "Sjuttio.", "Fördubblad.", "x"],
        "an_added_column": [1, 2, 3, 4],  # columns added by the audit later are ignored
    }
)
SHARES = pd.DataFrame(
    {
        "table_id": ["tabell_1", "tabell_1", "tabell_1"],
        "group": ["A", "B", "C"],
        "share": [0.5, 0.3320964749536178, 0.2],
        "lower": [0.45, 0.2936479, 0.15],
        "upper": [0.55, 0.3729213, 0.25],
    }
)
SOURCES = {"s1": {"publisher": "Myndigheten, Avdelningen", "title": "Rapport", "published": "2020-04"}}


def register(tmp_path: Path, text: str = REGISTER) -> str:
    path = tmp_path / "s1" / "findings.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


def tables_of(tmp_path: Path, text: str = REGISTER):
    doc = findings.load_findings(register(tmp_path, text), SCHEMA)
    return findings.findings_tables(
        SOURCES, {"s1": doc}, CLAIMS, {"s1_shares": SHARES, "claims": CLAIMS}, {"s1": {"tabell_1"}}
    )


def test_findings_take_the_worst_verdict_and_the_selected_row(tmp_path):
    frames = tables_of(tmp_path)
    f = frames["findings"].set_index("finding")
    # c_ok consistent + c_bad inconsistent: the worst, inconsistent, means not supported.
    assert (f.at["most_agree", "verdict"], f.at["most_agree", "outcome"]) == ("inconsistent", "not_supported")
    assert f.at["unknown_median", "outcome"] == "cannot_check" and f.at["unknown_median", "result_table"] == ""
    # Row B is the second row of the table; the share is shown in percent (scale 100).
    assert f.at["most_agree", "result_row"] == 2
    assert f.at["most_agree", "estimate"] == pytest.approx(33.20964749536178)
    assert (f.at["most_agree", "low"], f.at["most_agree", "high"]) == pytest.approx((29.36479, 37.29213))
    assert list(frames["findings"].columns) == findings.FINDING_COLUMNS
    claims = frames["findings_claims"]
    # The register's order, only s1's claims (one row per finding and claim).
    assert list(claims["claim"]) == ["c_ok", "c_bad", "c_ok", "c_bad", "c_missing"]
    assert list(claims["outcome"]) == ["supported", "not_supported"] * 2 + ["cannot_check"]
    # A key number from the audit's own table: the row of claim c_bad (the second), its computation.
    audit = f.loc["from_the_audit"]
    assert (audit["result_row"], audit["result_claim"], audit["estimate"]) == (2, "c_bad", 65.0)
    assert np.isnan(audit["low"]) and np.isnan(audit["high"])
    src = frames["findings_sources"].iloc[0]
    assert (src["publisher"], src["n_findings"], src["caveat_sv"]) == ("Myndigheten, Avdelningen", 3, "Få fall.")


def at(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column of the first occurrence of ``needle`` (the reference)."""
    before = text[: text.index(needle)]
    return before.count("\n") + 1, len(before) - before.rfind("\n")


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        ("claims: [c_ok, c_bad]", "claims: [c_ok, c_nope]", "c_nope", "bad value 'c_nope'; expected a claim id"),
        ("table: s1_shares", "table: s1_nothing", "s1_nothing", "no table 's1_nothing'"),
        ("group: B}", "grp: B}", "grp", "no column 'grp'; expected a column of s1_shares (table_id, group,"),
        ("group: B}", "group: D}", "{table_id", "selector"),
        ("{table_id: tabell_1, group: B}", "{table_id: tabell_1}", "{table_id", "(3 rows match)"),
        ("estimate: share", "estimate: portion", "portion", "no column 'portion'"),
        ("datasets: [tabell_1]", "datasets: [tabell_2]", "tabell_2]", "a table of data/raw/s1/tables/"),
        ("    headline_sv: De flesta håller med.\n", "", "id: most_agree", "missing required key 'headline_sv'"),
        ("unit: percent", "unit: percents", "percents", "invalid value 'percents'"),
        ("id: unknown_median", "id: most_agree", "most_agree\n    headline: The", "duplicate 'most_agree'"),
    ],
)
def test_bad_register_is_a_located_error(tmp_path, old, new, needle, message):
    text = REGISTER.replace(old, new)
    assert text != REGISTER
    with pytest.raises(InputError) as err:
        tables_of(tmp_path, text)
    line, col = at(text, needle)
    assert f"findings.yaml:{line}:{col}:" in str(err.value), str(err.value)
    assert message in str(err.value)


def test_numbers_in_either_language():
    en = findings.words(lambda s: s)
    sv = findings.words({"to": "till", "million SEK": "miljoner kronor"}.get)
    assert findings.format_value(62.5616, "percent", 1, "en", en) == "62.6%"
    assert findings.format_value(62.5616, "percent", 1, "sv", sv) == "62,6\u00a0%"
    assert findings.format_value(-8.0509, "percent_change", 1, "sv", sv) == "\u22128,1\u00a0%"
    assert findings.format_value(19.94678, "million_sek", 1, "sv", sv) == "19,9\u00a0miljoner kronor"
    assert findings.format_value(10.8618, "odds_ratio", 1, "en", en) == "10.9"
    assert findings.format_value(float("nan"), "count", 0, "en", en) == "–"
    assert findings.format_interval(-11.4038, -4.5712, 1, "sv", sv) == "\u221211,4 till \u22124,6"
    assert findings.format_interval(1234.5, 2345.0, 0, "en", en) == "1,234 to 2,345"  # half to even: 1,234
    # No interval where there is none or it is one point at the shown precision.
    assert findings.format_interval(62.56, 62.56, 1, "en", en) == ""
    assert findings.format_interval(float("nan"), 1.0, 1, "en", en) == ""


def stage_io(tmp_path: Path, language: str = "en", catalogs=()):
    reg = register(tmp_path)
    claims = tmp_path / "claims.parquet"
    CLAIMS.to_parquet(claims)
    shares = tmp_path / "s1_shares.parquet"
    SHARES.to_parquet(shares)
    catalog = tmp_path / "catalog.parquet"
    pd.DataFrame(
        {
            "source_id": ["s1", "s1"],
            "publisher": ["Myndigheten, Avdelningen"] * 2,
            "source_title": ["Rapport"] * 2,
            "published": ["2020-04"] * 2,
            "dataset": ["tabell_1", "facts"],
            "kind": ["table", "facts"],
            "number": ["Bilaga 1, Tabell 1", ""],
            "appendix": ["Bilaga 1", ""],
            "chapter": ["", ""],
            "section": ["Tabeller", ""],
            "page": ["18", ""],
        }
    ).to_parquet(catalog)
    inp = SimpleNamespace(
        registers=[reg],
        schema=SCHEMA,
        claims=str(claims),
        tables=[str(shares), str(claims)],
        catalog=str(catalog),
        overview_template=str(TEMPLATES / "findings.md.j2"),
        source_template=str(TEMPLATES / "findings_source.md.j2"),
        catalogs=list(catalogs),
    )
    out = {}
    for name in ("findings_sources", "findings", "findings_claims"):
        out[name] = str(tmp_path / f"{name}.parquet")
        out[f"{name}_csv"] = str(tmp_path / f"{name}.csv")
    out["md"] = str(tmp_path / "findings.md")
    out["md_s1"] = str(tmp_path / "findings_s1.md")
    out["part_s1"] = str(tmp_path / "findings_s1.json")
    return inp, SimpleNamespace(**out), SimpleNamespace(language=language)


def test_stage_writes_tables_and_linked_markdown(tmp_path):
    inp, out, params = stage_io(tmp_path)
    findings.run(inp, out, params, str(tmp_path / "log"))
    table = pd.read_parquet(out.findings)
    assert table["finding"].tolist() == ["most_agree", "from_the_audit", "unknown_median"]
    overview = Path(out.md).read_text(encoding="utf-8")
    assert (
        "| [Most agree.](findings_s1.md#f-s1-most_agree) | not supported | "
        "[33.2%](findings_s1.md#r-s1-most_agree) | 95% CI 29.4 to 37.3 |" in overview
    )
    assert "| [The median doubled.](findings_s1.md#f-s1-unknown_median) | cannot be checked | – |  |" in overview
    detail = Path(out.md_s1).read_text(encoding="utf-8")
    # Each claim row carries its anchor and location; the result row its table, row and printed table.
    assert (
        '| <a id="c-s1-most_agree-c_bad"></a>Seventy. (`c_bad`) | “drygt 70 procent” | 65.0 (64.9 to 65.1) |' in detail
    )
    assert "| inconsistent | 4.2, line 20 |" in detail
    assert (
        '| <a id="r-s1-most_agree"></a>[Share of B](#f-s1-most_agree) | 33.2% | 95% CI 29.4 to 37.3 | '
        "[s1_shares.csv](tables/s1_shares.csv), data row 2 | "
        "[Bilaga 1, Tabell 1, Tabeller, p. 18](index.md#d-s1-tabell_1) |" in detail
    )
    # The audit's row comes from its claim's place in the text, not from every claim of the finding.
    assert "[claims.csv](tables/claims.csv), data row 2 | [4.2, line 20](#c-s1-from_the_audit-c_bad) |" in detail
    anchors = re.findall(r'<a id="([^"]+)">', detail)
    links = set(re.findall(r"\]\(#([^)]+)\)", detail))
    assert links <= set(anchors) and len(anchors) == len(set(anchors))  # every target there, once


def test_stage_in_swedish(tmp_path):
    from analysis.report import catalogs

    po = ROOT / "src/analysis/report/locale/sv/LC_MESSAGES/findings.po"
    compiled = tmp_path / "findings.mo"
    catalogs.run(SimpleNamespace(po=str(po)), SimpleNamespace(mo=str(compiled)), None, None)
    inp, out, params = stage_io(tmp_path, "sv", [str(compiled)])
    findings.run(inp, out, params)
    overview = Path(out.md).read_text(encoding="utf-8")
    assert "[De flesta håller med.](findings_s1.md#f-s1-most_agree) | stöds inte | [33,2\u00a0%]" in overview
    assert "95 % KI 29,4 till 37,3" in overview and "**Förbehåll.** Få fall." in overview


def test_stage_failure_leaves_no_output(tmp_path):
    inp, out, params = stage_io(tmp_path)
    Path(inp.registers[0]).write_text(REGISTER.replace("[c_ok, c_bad]", "[c_ok, c_gone]"), encoding="utf-8")
    with pytest.raises(StageError, match=r"findings.yaml:7:\d+: bad value 'c_gone'"):
        findings.run(inp, out, params)
    assert not Path(out.md).exists() and not Path(out.findings).exists()


@pytest.mark.parametrize("path", sorted((ROOT / "data/raw").glob("*/findings.yaml")), ids=lambda p: p.parent.name)
def test_registers_in_the_repository_are_valid_and_cite_registered_claims(path):
    doc = findings.load_findings(str(path), SCHEMA)
    claims = yaml.safe_load((path.parent / "claims.yaml").read_text(encoding="utf-8"))["claims"]
    ids = {c["id"] for c in claims}
    for f in doc.data["findings"]:
        assert set(f["claims"]) <= ids, f["id"]
        tables = {p.stem for p in (path.parent / "tables").glob("*.csv")}
        assert set(f.get("result", {}).get("datasets", [])) <= tables
    assert {"caveat", "caveat_sv", "findings"} <= set(doc.data)


def test_selectors_compare_numbers_as_numbers_and_flags_as_flags(tmp_path):
    frame = pd.DataFrame({"t": [1, 2, 2], "label": ["a", "b", "x"], "flag": [True, False, True]})
    doc = findings.load_findings(register(tmp_path), SCHEMA)
    assert findings.select_row(frame, {"t": 2.0, "flag": True}, doc, ["findings", 0, "result"], "f") == 2
    assert findings.select_row(frame, {"t": 1, "flag": "true"}, doc, ["findings", 0, "result"], "f") == 0
    # A number never equals a label, and '2' as text is not the number 2 unless the column holds text.
    with pytest.raises(InputError, match=r"\(no row match\)"):
        findings.select_row(frame, {"label": 2}, doc, ["findings", 0, "result"], "f")


def test_the_rule_declares_only_the_tables_the_registers_name(tmp_path):
    from analysis.report.names import named_result_tables

    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(REGISTER, encoding="utf-8")
    second.write_text(REGISTER.replace("table: s1_shares", "table: s2_odds"), encoding="utf-8")
    assert named_result_tables([str(first)]) == {"s1_shares", "claims"}
    assert named_result_tables([str(first), str(second)]) == {"s1_shares", "s2_odds", "claims"}
    assert named_result_tables([]) == set()
    # A register that cannot be read at startup: every table is declared (None), and the
    # job reports the located error.
    for broken in ("findings: [unclosed", "findings: 3", "- a list"):
        second.write_text(broken, encoding="utf-8")
        assert named_result_tables([str(first), str(second)]) is None, broken
    assert named_result_tables([str(tmp_path / "missing.yaml")]) is None


def test_an_unknown_table_is_reported_with_every_table_a_register_may_name(tmp_path):
    inp, out, params = stage_io(tmp_path)
    Path(inp.registers[0]).write_text(REGISTER.replace("table: s1_shares", "table: s1_nothing"), encoding="utf-8")
    inp.tables = [str(tmp_path / "claims.parquet")]  # only the named tables that exist are declared
    params.result_tables = ["s1_odds", "s1_shares"]
    with pytest.raises(
        StageError, match=r"no table 's1_nothing'; expected a result table \(claims, s1_odds, s1_shares\)"
    ):
        findings.run(inp, out, params)
    assert not Path(out.md).exists()
