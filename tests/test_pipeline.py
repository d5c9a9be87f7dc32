"""End to end: Snakemake on a temporary copy of the project, asserting on real outputs."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import make_copy

from analysis.core.store import read_meta

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["riksrevisionen_2022", "arbetsformedlingen_2019", "forsakringskassan_2020", "isf_2017", "publikt_2017"]

pytestmark = pytest.mark.pipeline


def snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", "--quiet", *args],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=600,
    )


def digest_tree(*dirs: Path) -> dict[str, str]:
    out = {}
    for d in dirs:
        for p in sorted(d.rglob("*")):
            if p.is_file():
                out[str(p.relative_to(d.parent))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    work = make_copy(tmp_path_factory.mktemp("build1"))
    res = snakemake(work)
    assert res.returncode == 0, res.stderr
    return work


def test_bilaga1_tabell_1_values(built):
    f = pd.read_parquet(built / "data/processed/forsakringskassan_2020/bilaga1_tabell_1.parquet")
    meetings = f[f["series"] == "Avstämningsmöte, antal"].set_index("period")["value"]
    # Values as printed in Bilaga 1, Tabell 1 of the Försäkringskassan report (seed 004, lines 1355-1382).
    assert meetings["Antal 2013"] == 103553
    assert meetings["2019 halvår 2"] == 16151
    assert meetings["2011 halvår 1"] + meetings["2011 halvår 2"] == meetings["Antal 2011"]
    row = f[(f["period"] == "2016 halvår 2") & (f["series"] == "SASSAM-kartläggning, antal")].iloc[0]
    assert (row["year"], row["half"], row["printed"], row["value"]) == (
        "2016",
        "2",
        "2 614",
        2614.0,
    )
    assert len(f) == 27 * 2


def test_tabell_6_values_and_provenance(built):
    path = built / "data/processed/riksrevisionen_2022/tabell_6.parquet"
    f = pd.read_parquet(path)
    cell = f[(f["agency"] == "Pensionsmyndigheten") & (f["response"] == "Instämmer helt")].iloc[0]
    assert (cell["value"], cell["printed"], cell["measure"]) == (86.1, "86,1 %", "percent")
    raw = built / "data/raw/riksrevisionen_2022/tables/tabell_6.csv"
    line = raw.read_text(encoding="utf-8").splitlines()[cell["raw_line"] - 1]
    assert line.split(";")[cell["raw_column"] - 1] == "86,1 %"
    meta = read_meta(path)
    assert meta["raw_sha256"] == hashlib.sha256(raw.read_bytes()).hexdigest()
    assert meta["source"]["publisher"] == "Riksrevisionen"
    assert meta["table"]["number"] == "Tabell 6"
    assert {s for s, n in meta["relation_checks"].items() if n} == {"holds"}


def test_catalog_and_report(built):
    cat = pd.read_csv(built / "data/processed/catalog.csv")
    assert {"riksrevisionen_2022", "forsakringskassan_2020"} <= set(cat["source_id"])
    row = cat[cat["dataset"] == "bilaga1_tabell_1"].iloc[0]
    assert (row["rows"], row["checks_holds"], row["relations"]) == (
        54,
        18,
        "half_years_sum_to_year",
    )
    md = (built / "reports/index.md").read_text(encoding="utf-8")
    assert "Bilaga 1, Tabell 1" in md and "half_years_sum_to_year" in md
    assert "Antal 2011" in (built / "reports/codebook.md").read_text(encoding="utf-8")
    html = (built / "reports/appendix.html").read_text(encoding="utf-8")  # the catalogue's page
    assert html.startswith("<!DOCTYPE html>") and "<table>" in html


def test_two_clean_builds_are_byte_identical(built, tmp_path):
    other = make_copy(tmp_path / "build2")
    res = snakemake(other)
    assert res.returncode == 0, res.stderr
    a = digest_tree(built / "data/processed", built / "reports")
    b = digest_tree(other / "data/processed", other / "reports")
    assert a.keys() == b.keys() and len(a) > 10
    assert a == b


def test_no_op_build_does_nothing(built):
    res = snakemake(built, "-n")
    assert res.returncode == 0
    assert "Nothing to be done" in res.stdout + res.stderr


def test_swedish_report(tmp_path):
    work = make_copy(tmp_path)
    cfg = work / "config.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("language: en", "language: sv"), encoding="utf-8")
    res = snakemake(work)
    assert res.returncode == 0, res.stderr
    md = (work / "reports/index.md").read_text(encoding="utf-8")
    assert "# servicestat: datakatalog" in md
    assert "Antal möten per sjukfall samt SASSAM-utredningar" in md  # Swedish title as printed


def test_transcription_error_fails_only_its_source(tmp_path):
    """A bad value in one table fails that source's jobs and what depends on them; every
    independent source and analysis still completes; the run ends with one summary."""
    work = make_copy(tmp_path)
    raw = work / "data/raw/forsakringskassan_2020/tables/bilaga1_tabell_1.csv"
    raw.write_text(raw.read_text(encoding="utf-8").replace("47 027", "47 072"), encoding="utf-8")
    before = hashlib.sha256(raw.read_bytes()).hexdigest()
    res = snakemake(work)
    assert res.returncode != 0
    log = (work / "logs/ingest_forsakringskassan_2020.log").read_text(encoding="utf-8")
    assert "bilaga1_tabell_1.csv:8:2: relation 'half_years_sum_to_year'" in log
    assert '"year": "2013"' in log
    assert not list((work / "data/processed/forsakringskassan_2020").glob("*.parquet"))
    # Independent sources and analyses completed.
    assert (work / "data/processed/riksrevisionen_2022/tabell_6.parquet").exists()
    assert (work / "reports/tables/riksrevisionen_2022_estimates.parquet").exists()
    assert (work / "reports/tables/arbetsformedlingen_2019_cost_model.parquet").exists()
    # One summary: what failed, where, and which outputs are missing.
    out = res.stderr + res.stdout
    assert "servicestat: the run failed." in out
    assert "ingest_forsakringskassan_2020: data/raw/forsakringskassan_2020/tables/bilaga1_tabell_1.csv:8:2" in out
    assert "  reports/index.html" in out and "  data/processed/forsakringskassan_2020/bilaga1_tabell_1.parquet" in out
    assert hashlib.sha256(raw.read_bytes()).hexdigest() == before  # raw data untouched


def dry_run_jobs(work: Path) -> set[str]:
    res = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", "-n"], cwd=work, capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0, res.stderr
    text = res.stdout + res.stderr
    # The job-stats table of the dry run: 'rule_name   count' per line.
    return {m[0] for m in re.findall(r"^(\w+)\s+(\d+)$", text, flags=re.M)} - {"total"}


def test_a_change_reruns_only_what_reads_it(built, tmp_path):
    work = make_copy(tmp_path)
    for d in ("data/processed", "reports", "logs", "build", ".snakemake"):
        if (built / d).exists():
            shutil.copytree(built / d, work / d, symlinks=True)
    assert snakemake(work).returncode == 0
    raw = work / "data/raw/riksrevisionen_2022/tables/tabell_6.csv"
    original = raw.read_text(encoding="utf-8")
    raw.write_text(original + "\n", encoding="utf-8")  # a content change (a blank line is ignored)
    jobs = dry_run_jobs(work)
    assert "ingest_riksrevisionen_2022" in jobs and "survey" in jobs and "report_html" in jobs
    assert not {j for j in jobs if "forsakringskassan" in j or "arbetsformedlingen" in j}
    assert not jobs & {"meetings", "meetings_groups", "channels", "figures_meetings", "report_meetings"}
    raw.write_text(original, encoding="utf-8")
    template = work / "src/analysis/report/templates/survey.md.j2"
    text = template.read_text(encoding="utf-8")
    template.write_text(text + "{# one more word #}\n", encoding="utf-8")
    assert dry_run_jobs(work) == {"report_survey", "report_html", "all"}
    template.write_text(text, encoding="utf-8")
    cfg = work / "config.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("similar_within: 5", "similar_within: 4"), encoding="utf-8")
    jobs = dry_run_jobs(work)
    allowed = {"claims", "report_claims", "report_findings", "report_html", "all"}
    assert jobs <= allowed | {j for j in jobs if j.startswith("claims_")}
    assert "report_html" in jobs
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("similar_within: 4", "similar_within: 5"), encoding="utf-8")
    # The two meetings jobs read their own keys of the section: a group setting never
    # refits the models, a model setting never recomputes the groups (the figures and the
    # report text read the whole section).
    text = cfg.read_text(encoding="utf-8")
    group_setting = "interval_method: wilson            # shares with a meeting by group"
    assert text.count(group_setting) == 1
    cfg.write_text(text.replace(group_setting, "interval_method: agresti_coull"), encoding="utf-8")
    jobs = dry_run_jobs(work)
    assert "meetings_groups" in jobs and "meetings" not in jobs
    assert not {j for j in jobs if j.startswith(("survey", "channels", "ingest", "claims"))}
    cfg.write_text(text.replace("seed: 20200601 ", "seed: 20200602 "), encoding="utf-8")
    jobs = dry_run_jobs(work)
    assert "meetings" in jobs and "meetings_groups" not in jobs


def test_known_issue_register_accepts_and_reports_then_goes_stale(tmp_path):
    work = make_copy(tmp_path)
    raw = work / "data/raw/riksrevisionen_2022/tables/tabell_6.csv"
    raw.write_text(raw.read_text(encoding="utf-8").replace("71,6 %", "72,6 %"), encoding="utf-8")
    register = work / "data/raw/riksrevisionen_2022/known_issues.yaml"
    original = register.read_text(encoding="utf-8") if register.exists() else ""
    register.write_text(
        original
        + (
            "- id: test_issue\n  table: tabell_6\n  relation: responses_sum_to_100\n"
            "  group: {agency: Skatteverket}\n  description: Test entry.\n  description_sv: Testpost.\n"
            "  evidence: Row sums to 101,0 %.\n  evidence_sv: Raden summerar till 101,0 %.\n"
        ),
        encoding="utf-8",
    )
    res = snakemake(work)
    assert res.returncode == 0, res.stderr
    known = pd.read_csv(work / "data/processed/known_issues.csv")
    assert "test_issue" in set(known["id"])
    val = pd.read_csv(work / "data/processed/validation.csv")
    hit = val[val["known_issue"] == "test_issue"]
    assert len(hit) == 1 and hit.iloc[0]["status"] == "known_issue"
    assert "test_issue" in (work / "reports/index.md").read_text(encoding="utf-8")
    # 72,6 + 25,4 + 2,4 + 0,6 = 101,0 %: no N can produce the row; the survey says so.
    den = pd.read_csv(work / "reports/tables/riksrevisionen_2022_denominators.csv")
    skv = den[(den["table_id"] == "tabell_6") & (den["row"] == "Skatteverket")]
    assert not skv["consistent"].any() and (skv["n_feasible"] == 0).all()
    # The source gets fixed (or the transcription corrected): the entry is now stale.
    raw.write_text(raw.read_text(encoding="utf-8").replace("72,6 %", "71,6 %"), encoding="utf-8")
    res = snakemake(work)
    assert res.returncode != 0
    assert "known issue 'test_issue'" in (work / "logs/ingest_riksrevisionen_2022.log").read_text(encoding="utf-8")


def test_unknown_source_in_config(tmp_path):
    work = make_copy(tmp_path)
    cfg = work / "config.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("  - isf_2017 ", "  - isf_2018 "), encoding="utf-8")
    res = snakemake(work, "-n")
    assert res.returncode != 0
    out = res.stdout + res.stderr
    assert "unknown source 'isf_2018'" in out
    assert "config.yaml:11:5:" in out  # the line of the list entry in config.yaml


def test_adding_a_table_needs_no_code(tmp_path):
    work = make_copy(tmp_path)
    tables = work / "data/raw/riksrevisionen_2022/tables"
    shutil.copy(tables / "tabell_6.csv", tables / "tabell_99.csv")
    sidecar = (tables / "tabell_6.yaml").read_text(encoding="utf-8").replace("id: tabell_6", "id: tabell_99")
    (tables / "tabell_99.yaml").write_text(sidecar, encoding="utf-8")
    res = snakemake(work)
    assert res.returncode == 0, res.stderr
    f = pd.read_parquet(work / "data/processed/riksrevisionen_2022/tabell_99.parquet")
    assert len(f) == 20
    assert "tabell_99" in set(pd.read_csv(work / "data/processed/catalog.csv")["dataset"])


def test_survey_outputs(built):
    den = pd.read_csv(built / "reports/tables/riksrevisionen_2022_denominators.csv")
    pm = den[(den["table_id"] == "tabell_6") & (den["row"] == "Pensionsmyndigheten") & (den["rule"] == "half_up")].iloc[
        0
    ]
    # the largest feasible N by default: 86,1/13,2/0,6/0,2 % of 539 round to 464/71/3/1
    assert (pm["n_min"], pm["chosen_n"], pm["counts_at_chosen"]) == (509, 539, "464/71/3/1")
    mv = den[(den["table_id"] == "tabell_8") & (den["row"] == "Migrationsverket") & (den["rule"] == "half_up")].iloc[0]
    assert (mv["bound"], mv["feasible"]) == (45, "45")  # 64 - 19 by footnote 126
    est = pd.read_parquet(built / "reports/tables/riksrevisionen_2022_estimates.parquet")
    row = est[
        (est["table_id"] == "tabell_8") & (est["row"] == "Migrationsverket") & (est["category"] == "Instämmer helt")
    ]
    assert (row["count"].iloc[0], row["n"].iloc[0]) == (10, 45)
    checks = pd.read_csv(built / "reports/tables/riksrevisionen_2022_answer_checks.csv")
    assert checks["holds"].all() and len(checks) == 3
    md = (built / "reports/riksrevisionen.md").read_text(encoding="utf-8")
    for tid in ("Tabell 3", "Tabell 4", "Tabell 5", "Tabell 6", "Tabell 7", "Tabell 8", "Tabell 9"):
        assert f"## {tid}:" in md
    assert "figures/riksrevisionen_2022_tabell_6.png" in md
    for name in ("tabell_3", "tabell_4", "dotplot"):
        assert (built / f"reports/figures/riksrevisionen_2022_{name}.png").stat().st_size > 10_000
    assert not list((built / "reports/figures").glob("*.svg"))  # PNG only by default (figure_formats)
    html = (built / "reports/riksrevisionen_2022.html").read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") >= 8  # every survey figure embedded: 7 tables + dot plot


def test_meetings_outputs(built):
    tables = built / "reports/tables"
    breaks = pd.read_csv(tables / "forsakringskassan_2020_breaks.csv")
    assert list(breaks["label"]) == ["2015H1", "2016H1"]  # from events.csv via config, not hard-coded
    fitted = pd.read_parquet(tables / "forsakringskassan_2020_fitted.parquet")
    assert len(fitted) == 2 * 18
    trend = pd.read_parquet(tables / "forsakringskassan_2020_trend.parquet")
    y2019 = trend[(trend["series"] == "meetings") & (trend["period"] == "2019")].iloc[0]
    assert y2019["count"] == 39863 and y2019["index"] == pytest.approx(100 * 39863 / 103553)
    odds = pd.read_parquet(tables / "forsakringskassan_2020_odds_ratios.parquet")
    days = odds[odds["group"] == "Dagar slut"].iloc[0]
    assert days["odds_ratio"] == pytest.approx((607 / 150) / (33707 / 90474))
    md = (built / "reports/forsakringskassan.md").read_text(encoding="utf-8")
    assert "Reason missing" in md and "Education unknown" in md  # 'Saknas' read per table
    pages = {"riksrevisionen_2022": 8, "forsakringskassan_2020": 5, "arbetsformedlingen_2019": 5}
    for page, figures in pages.items():  # every figure embedded in its source's page
        html = (built / f"reports/{page}.html").read_text(encoding="utf-8")
        assert html.count("data:image/png;base64,") == figures, page


def test_a_new_half_year_extends_every_output(tmp_path):
    work = make_copy(tmp_path)
    raw = work / "data/raw/forsakringskassan_2020/tables/bilaga1_tabell_1.csv"
    raw.write_text(raw.read_text(encoding="utf-8") + "2020 halvår 1;21 000;1 400\n", encoding="utf-8")
    res = snakemake(work)
    assert res.returncode == 0, res.stdout + res.stderr
    tables = work / "reports/tables"
    fitted = pd.read_parquet(tables / "forsakringskassan_2020_fitted.parquet")
    assert len(fitted) == 2 * 19 and "2020H1" in set(fitted["label"])
    trend = pd.read_parquet(tables / "forsakringskassan_2020_trend.parquet")
    assert "2020H1" in set(trend["period"])
    scan = pd.read_csv(tables / "forsakringskassan_2020_scan.csv")
    assert len(scan[scan["series"] == "meetings"]) == 19 - 2 * 3 + 1


def test_unknown_breakpoint_event_is_a_clear_error(tmp_path):
    work = make_copy(tmp_path)
    cfg = work / "config.yaml"
    text = cfg.read_text(encoding="utf-8")
    old = "breakpoints: [dg_production_steering_2015, time_limit_removed]"
    assert old in text
    cfg.write_text(text.replace(old, "breakpoints: [no_such_event]"), encoding="utf-8")
    res = snakemake(work)
    assert res.returncode != 0
    log = (work / "logs/meetings.log").read_text(encoding="utf-8")
    assert "config.yaml" in log and "no_such_event" in log and "events.csv" in log
    assert not (work / "reports/forsakringskassan.md").exists()  # no partial output


def test_channels_outputs_and_rate_override(built, tmp_path):
    model = pd.read_parquet(built / "reports/tables/arbetsformedlingen_2019_cost_model.parquet").set_index("estimate")
    # Parquet at full precision (the CSVs carry four significant digits)
    expected = (13700 * 30 + 23900 * 48) / 60 * 352 / 1e6
    assert model.loc["transfer_calls_cost", "computed"] == pytest.approx(expected, rel=1e-12)
    assert model.loc["new_tasks_cost", "verdict"] == "not reproduced"
    # The findings' key number is rounded once, from the exact value: 34 x 58 x 35 x 289 / 1e6
    # = 19,94678 million is 19.9, as the claims audit prints it (not 20.0 from 19.95).
    overview = (built / "reports/findings.md").read_text(encoding="utf-8")
    key = re.search(
        r"\[([\d.]+)\s+million SEK\]\(findings_arbetsformedlingen_2019\.md#r-\w+-new_tasks_cost\)", overview
    )
    assert key and key.group(1) == "19.9"  # (a no-break space before the unit)
    assert "## Printed and reproduced estimates" in (built / "reports/arbetsformedlingen.md").read_text(
        encoding="utf-8"
    )
    work = make_copy(tmp_path)
    cfg = work / "config.yaml"
    cfg.write_text(
        cfg.read_text(encoding="utf-8").replace("  overrides: {}", "  overrides: {hourly_cost_case_officer: 400}"),
        encoding="utf-8",
    )
    res = snakemake(work)
    assert res.returncode == 0, res.stdout + res.stderr
    new = pd.read_parquet(work / "reports/tables/arbetsformedlingen_2019_cost_model.parquet").set_index("estimate")
    assert new.loc["transfer_calls_cost", "computed"] == pytest.approx(expected * 400 / 352, rel=1e-3)
    assert new.loc["digital_reports_cost", "computed"] == pytest.approx(model.loc["digital_reports_cost", "computed"])


def test_bad_analysis_setting_is_located_at_startup(tmp_path):
    work = make_copy(tmp_path)
    cfg = work / "config.yaml"
    lines = cfg.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("meetings:"))
    k = next(i for i in range(start, len(lines)) if lines[i].startswith("  confidence: 0.95"))
    lines[k] = lines[k].replace("0.95", "1.95")
    cfg.write_text("".join(lines), encoding="utf-8")
    res = snakemake(work)
    assert res.returncode != 0
    assert f"error: config.yaml:{k + 1}:15: invalid value '1.95'" in res.stderr
    assert "meetings.confidence" in res.stderr
    assert not (work / "logs").exists() and not (work / "data/processed").exists()  # no job ran


def test_svg_figures_on_request(built, tmp_path):
    work = make_copy(tmp_path)
    cfg = work / "config.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("figure_formats: [png]", "figure_formats: [png, svg]"))
    res = snakemake(work)
    assert res.returncode == 0, res.stderr
    svg = (work / "reports/figures/riksrevisionen_2022_dotplot.svg").read_text(encoding="utf-8")
    assert "<dc:date>" not in svg  # no timestamp in the figure
    png = "reports/figures/riksrevisionen_2022_dotplot.png"
    assert (work / png).read_bytes() == (built / png).read_bytes()


def test_claims_audit_outputs(built):
    claims = pd.read_parquet(built / "reports/tables/claims.parquet")
    registered = sum(
        len(yaml.safe_load(p.read_text(encoding="utf-8"))["claims"]) for p in (built / "data/raw").glob("*/claims.yaml")
    )
    assert len(claims) == registered and claims["id"].is_unique
    assert set(claims["verdict"]) <= {"consistent", "inconsistent", "not reproducible", "ambiguous"}
    # Tabell 6: Pensionsmyndigheten's 86,1 + 13,2 % agree; the claim ranks it first on both readings.
    row = claims.set_index("id").loc["t6_best_pensionsmyndigheten"]
    assert row["verdict"] == "consistent" and "86.1" in row["evidence"]
    detail = pd.read_csv(built / "reports/tables/claims_detail.csv")
    assert set(detail["id"]) <= set(claims["id"])
    md = (built / "reports/claims.md").read_text(encoding="utf-8")
    assert md.startswith("# Claims audit") and "## Inconsistent claims" in md
    html = (built / "reports/claims.html").read_text(encoding="utf-8")
    assert "Claims audit" in html and "t5_no_shared_view_over_third" in html


def test_bad_claim_reference_fails_located_and_leaves_no_output(tmp_path):
    work = make_copy(tmp_path)
    register = work / "data/raw/forsakringskassan_2020/claims.yaml"
    text = register.read_text(encoding="utf-8")
    register.write_text(text.replace("period: Antal 2013}", "period: Antal 2031}", 1), encoding="utf-8")
    res = snakemake(work)
    assert res.returncode != 0
    line = next(i for i, t in enumerate(register.read_text(encoding="utf-8").splitlines(), 1) if "Antal 2031" in t)
    assert f"data/raw/forsakringskassan_2020/claims.yaml:{line}:" in res.stderr + res.stdout
    assert not (work / "reports/claims.md").exists()
    assert register.read_text(encoding="utf-8").count("Antal 2031") == 1  # raw data untouched


def test_architecture_picture_matches_the_workflow():
    res = subprocess.run(
        [sys.executable, "-m", "snakemake", "--rulegraph", "mermaid-js"], cwd=ROOT, capture_output=True, text=True
    )
    assert res.returncode == 0, res.stderr
    graph = {line.strip() for line in res.stdout.splitlines() if line.strip() and not line.strip().startswith("style ")}
    doc = (ROOT / "docs/architecture.md").read_text(encoding="utf-8")
    block = doc.split("```mermaid\n", 1)[1].split("```", 1)[0]
    # Snakemake lists the edges in no fixed order: compare the sets of nodes and edges.
    assert {line.strip() for line in block.splitlines() if line.strip()} == graph, (
        "docs/architecture.md: run `make rulegraph` and paste the graph"
    )
