"""The three channel jobs called directly: analysis -> tables, figures, report section.

The source's processed files are built in a temporary directory from data/raw (ingest,
as the pipeline does); each job is then called with ``SimpleNamespace`` inputs and
outputs, in English and in Swedish (catalog compiled from the .po in version control).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml

from analysis.channels import FIGURES, TABLES
from analysis.channels.stage import run as run_channels
from analysis.core.stage import StageError, StageLog
from analysis.core.store import read_meta
from analysis.ingest.source import ingest_source
from analysis.ingest.stage import write_source
from analysis.report.catalogs import run as compile_catalog
from analysis.report.channels import captions, context, indicator_name, sv, translate, unit
from analysis.report.channels import run as run_report
from analysis.report.channels_figures import run as run_figures
from analysis.report.render import translations

ROOT = Path(__file__).resolve().parent.parent
SID = "arbetsformedlingen_2019"
RAW = ROOT / "data/raw" / SID
CONFIG = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
SETTINGS = CONFIG["channels"]
TEMPLATE = ROOT / "src/analysis/report/templates/channels.md.j2"
PO = ROOT / "src/analysis/report/locale/sv/LC_MESSAGES/channels.po"


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> SimpleNamespace:
    """data/processed/<source>/ of the channel source, built from its raw files."""
    out = tmp_path_factory.mktemp("processed")
    schemas = {
        n: yaml.safe_load((ROOT / "schemas" / f"{n}.schema.yaml").read_text(encoding="utf-8"))
        for n in ("table", "source", "known_issues")
    }
    files = {
        str(p.relative_to(ROOT)): p.read_bytes()
        for p in sorted(RAW.rglob("*"))
        if p.is_file() and p.name not in ("claims.yaml", "cost_model.yaml")
    }
    src = ingest_source(SID, files, schemas)
    tables = [it.table.table_id for it in src.tables]
    names = [*tables, "facts", "events", "catalog", "codebook", "validation", "known_issues"]
    output = SimpleNamespace(**{n: str(out / f"{n}.parquet") for n in names})
    write_source(src, output, tables, StageLog("ingest"))
    return output


def analysis_io(processed, tmp: Path, cost_model: Path = RAW / "cost_model.yaml"):
    input = SimpleNamespace(
        tables=[getattr(processed, SETTINGS["composition_table"])],
        facts=processed.facts,
        cost_model=str(cost_model),
        schema=str(ROOT / "schemas/registers.schema.yaml"),
    )
    output = {}
    for name in TABLES:
        output[name] = str(tmp / f"{SID}_{name}.parquet")
        output[f"{name}_csv"] = str(tmp / f"{SID}_{name}.csv")
    return input, SimpleNamespace(**output)


def params(settings=None, language="en"):
    return SimpleNamespace(
        settings=settings or SETTINGS,
        intervals=CONFIG["intervals"],
        language=language,
        formats=["png"],
        figures={k: f"figures/{SID}_{k}.png" for k in FIGURES},
    )


@pytest.fixture(scope="module")
def results(processed, tmp_path_factory) -> SimpleNamespace:
    tmp = tmp_path_factory.mktemp("tables")
    input, output = analysis_io(processed, tmp)
    run_channels(input, output, params(), str(tmp / "channels.log"))
    return output


@pytest.fixture(scope="module")
def sv_catalog(tmp_path_factory) -> str:
    mo = tmp_path_factory.mktemp("locale") / "channels.mo"
    compile_catalog(SimpleNamespace(po=str(PO)), SimpleNamespace(mo=str(mo)))
    return str(mo)


def report_input(processed, results, catalogs):
    return SimpleNamespace(
        **{name: getattr(results, name) for name in TABLES},
        facts=processed.facts,
        codebook=processed.codebook,
        template=str(TEMPLATE),
        catalogs=catalogs,
    )


# -- analysis -------------------------------------------------------------------------


def test_analysis_writes_every_table_with_hand_values(results, tmp_path):
    for name in TABLES:
        assert Path(getattr(results, name)).is_file() and Path(getattr(results, f"{name}_csv")).is_file()
    model = pd.read_parquet(results.cost_model).set_index("estimate")
    # 9,14144...: full precision in Parquet (the reports round once, when they print) ...
    assert model.loc["transfer_calls_cost", "computed"] == pytest.approx(
        (13700 * 30 + 23900 * 48) / 60 * 352 / 1e6, rel=1e-12
    )
    # ... and (34 x 58 x 35 x 289) / 1e6 = 19,94678...: 19,9 when printed to one decimal
    # (rounded to 19,95 first, it printed as 20,0)
    assert model.loc["new_tasks_cost", "computed"] == pytest.approx(34 * 58 * 35 * 289 / 1e6, rel=1e-12)
    assert model.loc["new_tasks_cost", "verdict"] == "not reproduced"
    assert bool(model.loc["transfer_calls_cost", "chosen_to_reproduce"])
    assert not bool(model.loc["new_tasks_cost", "chosen_to_reproduce"])
    csv = Path(results.cost_model_csv).read_text(encoding="utf-8")
    assert "9.141," in csv and "9.14144" not in csv  # the CSV: four significant digits
    alloc = pd.read_parquet(results.allocations)
    sending = alloc[(alloc["estimate"] == "transfer_calls_cost") & (alloc["variant"] == 1)].iloc[0]
    # the sending side: 13 700 moved to PDM at local minutes, 23 900 moved out at PDM minutes
    assert sending["computed"] == pytest.approx((13700 * 48 + 23900 * 30) / 60 * 352 / 1e6, rel=1e-3)
    assert sending["verdict"] == "not reproduced" and sending["basis"] == "reproduces"
    shares = pd.read_parquet(results.shares)
    assert len(shares) == 60 and shares["count_lo"].dtype.kind == "i"
    changes = pd.read_parquet(results.week_changes)
    assert set(changes["conclusion"]) <= {"beyond sampling", "within sampling", "depends on the overlap"}
    staff = pd.read_parquet(results.staff)
    # Footnote 40: 6 330 customer-facing staff in January, 789 of them at VO Direkt.
    assert staff["staff"].tolist() == [789, 6330 - 789, 904, 5237 - 904]
    meta = read_meta(results.factors)
    assert [e["id"] for e in meta["settings"]["estimates"]][:2] == ["digital_reports_hours", "digital_reports_cost"]
    log = Path(results.cost_model).parent / "channels.log"
    assert f"wrote {results.factors}" in log.read_text(encoding="utf-8").replace(" (", "\n").split("\n")


def test_factor_table_lists_the_model_in_order(results):
    factors = pd.read_parquet(results.factors)
    cost = factors[factors["estimate"] == "digital_reports_cost"]
    assert cost["shown"].tolist() == ["28 000", "5", "60", "8", "320", "1 000 000"]
    assert cost["divide"].tolist() == [False, False, True, False, False, True]
    assert cost["fact"].tolist()[4] == "hourly_cost_blended" and cost["fact"].tolist()[2] == ""
    saving = factors[factors["estimate"] == "planning_calls_saving_survey"]
    assert sorted(set(zip(saving["term"], saving["sign"], strict=True))) == [(1, 1), (2, -1)]
    n_factors = sum(
        len(t["factors"])
        for e in yaml.safe_load((RAW / "cost_model.yaml").read_text(encoding="utf-8"))["estimates"]
        for t in e["terms"]
    )
    assert len(factors) == n_factors


def bad_cost_model(tmp_path: Path, old: str, new: str) -> tuple[Path, int, int]:
    """cost_model.yaml with the first ``old`` replaced; (path, line, column) of the change."""
    text = (RAW / "cost_model.yaml").read_text(encoding="utf-8")
    at = text.index(old) + old.index(old.split(": ")[1])
    line = text.count("\n", 0, at) + 1
    column = at - text.rfind("\n", 0, at)
    path = tmp_path / "cost_model.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path, line, column


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("fact: activity_reports_digital_increase", "fact: no_such_fact"),
        ("printed: digital_reports_saving_msek", "printed: no_such_fact"),
        (
            "replace: {hourly_cost_case_officer: hourly_cost_customer_host}",
            "replace: {hourly_cost_case_officer: no_such_fact}",
        ),
    ],
)
def test_unknown_fact_in_cost_model_is_located_and_leaves_no_output(processed, tmp_path, old, new):
    path, line, column = bad_cost_model(tmp_path, old, new)
    input, output = analysis_io(processed, tmp_path, path)
    with pytest.raises(StageError) as err:
        run_channels(input, output, params(), str(tmp_path / "channels.log"))
    assert f"{path}:{line}:{column}: unknown fact 'no_such_fact'" in str(err.value)
    assert "data/raw/arbetsformedlingen_2019/facts.csv" in str(err.value)
    assert not any(tmp_path.glob("*.parquet")) and not any(tmp_path.glob("*.csv"))
    assert "error:" in (tmp_path / "channels.log").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"overrides": {"no_such_rate": 400}}, "channels.overrides: unknown fact 'no_such_rate'"),
        ({"alternatives": {"hourly_cost_blended": ["no_such_rate"]}}, "channels.alternatives: unknown fact"),
        ({"composition_table": "tabell_99"}, "channels.composition_table: unknown table 'tabell_99'"),
        ({"direct": "VO Indirekt"}, "channels.direct: unknown organisation 'VO Indirekt'"),
    ],
)
def test_bad_settings_name_config_and_leave_no_output(processed, tmp_path, change, message):
    input, output = analysis_io(processed, tmp_path)
    with pytest.raises(StageError, match=r"config\.yaml") as err:
        run_channels(input, output, params({**SETTINGS, **change}), None)
    assert message in str(err.value)
    assert not any(tmp_path.glob("*.parquet"))


def test_missing_fact_of_the_indicators_names_the_facts_file(processed, tmp_path):
    facts = pd.read_parquet(processed.facts)
    path = tmp_path / "facts.parquet"
    facts[facts["id"] != "staff_direkt_jan"].to_parquet(path)
    input, output = analysis_io(processed, tmp_path)
    input.facts = str(path)
    with pytest.raises(StageError) as err:
        run_channels(input, output, params(), None)
    assert f"{path}: missing in the source's data: 'staff_direkt_jan'" in str(err.value)
    assert not any(tmp_path.glob("*_*.parquet"))


# -- report ---------------------------------------------------------------------------


def test_english_report(processed, results, tmp_path):
    out = SimpleNamespace(md=str(tmp_path / "arbetsformedlingen.md"), part=str(tmp_path / "arbetsformedlingen.json"))
    run_report(report_input(processed, results, []), out, params(), str(tmp_path / "report.log"))
    md = Path(out.md).read_text(encoding="utf-8")
    assert md.startswith("# Arbetsförmedlingen: channel shift and the business-case cost model (2019)\n")
    assert "## Printed and reproduced estimates" in md
    # 28 000 x 5 / 60 x 8 x 320 / 1 000 000 = 5,973: two decimals; its printed fact's description labels it.
    assert "| Saving from digital submission of activity reports, January to August 2019 | 6 SEK million | 5.97 |" in md
    assert "320 SEK per hour: footnote 24: mean of 289 and 352" in md
    assert "352 SEK per hour → 289 SEK per hour: -17.9 %" in md  # 289 / 352 - 1
    assert "moves by −20 / +20 %, and under" in md
    assert "| Women | Week 5 | 51.6 | 47.3 | 4.3 | [4.20; 4.40] |" in md
    assert "| *nära* 1,600 hours |" in md  # one number format: not '1 600' in English
    assert "### Week 5 against week 35: overlapping stocks" in md and "## Methods" in md
    assert "| Cost of the transfer calls, January to August 2019 | which side" in md
    assert "in 18 of 18 rows" in md
    assert "| January 2019 | VO Direkt | 789 | 12.5 |" in md  # 789 / 6 330
    assert f"](figures/{SID}_tornado.png)" in md
    assert "`digital_reports_hours`" not in md and "SEK_million" not in md
    cap = captions(lambda s: s, SETTINGS, "en")
    assert f"*Figure: {cap['staff']}*" in md


def test_swedish_report(processed, results, sv_catalog, tmp_path):
    out = SimpleNamespace(md=str(tmp_path / "arbetsformedlingen.md"), part=str(tmp_path / "arbetsformedlingen.json"))
    run_report(report_input(processed, results, [sv_catalog]), out, params(language="sv"), None)
    md = Path(out.md).read_text(encoding="utf-8")
    assert md.startswith("# Arbetsförmedlingen: kanalförflyttning och kalkylmodellen (2019)\n")
    assert "| 6 miljoner kronor | 5,97 |" in md
    assert "**inte återskapad**" in md and "inom indatas avrundning" in md
    assert "| Kvinnor | V 5 | 51,6 | 47,3 | 4,3 | [4,20; 4,40] |" in md  # labels as printed
    assert "## Metoder" in md and "överlappande bestånd" in md
    assert "| januari 2019 | VO Direkt | 789 | 12,5 |" in md
    assert "VO Direkts andel av de arbetssökande, V 35" in md
    assert "Figur: Källa:" in md
    # (references keep their published English titles)
    for english in ("Printed and reproduced", "## Sensitivity", "Source:", "printed as", "SEK"):
        assert english not in md


def test_swedish_texts_of_the_data_are_used_when_given(processed, results, sv_catalog):
    frames = {name: pd.read_parquet(getattr(results, name)) for name in TABLES}
    frames["facts"] = pd.read_parquet(processed.facts)
    frames["codebook"] = pd.read_parquet(processed.codebook)
    facts = frames["facts"]
    facts["description_sv"] = None
    facts.loc[facts["id"] == "new_tasks_cost_msek", "description_sv"] = "Kostnad för de nya uppgifterna"
    factors = frames["factors"]
    factors["why_sv"] = None
    factors.loc[(factors["estimate"] == "new_tasks_cost") & (factors["factor"] == 1), "why_sv"] = "timmar per enhet"
    _ = translations("sv", sv_catalog).gettext
    ctx = context(frames, SETTINGS, "sv", {k: k for k in FIGURES}, _)
    row = next(r for r in ctx["formulas"] if r[1].startswith("(*omkring* 34"))
    assert row[0] == "Kostnad för de nya uppgifterna"
    # Swedish where given, English otherwise (until every text has its translation).
    assert row[2].startswith("*omkring* 34 timmar: timmar per enhet; 58 enheter: grossed up to the 58")
    en = context(frames, SETTINGS, "en", {k: k for k in FIGURES}, lambda s: s)
    assert next(r for r in en["formulas"] if r[1].startswith("(*omkring* 34"))[0].startswith("Cost of the new tasks")


def test_cell_texts():
    sv_ = translations("sv", None).gettext  # no catalog: English
    assert indicator_name("VO Direkt share of job seekers, V 5", sv_) == "VO Direkt share of job seekers, V 5"
    assert translate({}, "anything", sv_) == "anything"
    assert unit("per_10", sv_) == "per 10" and unit("SEK_million", sv_) == "SEK million"
    assert sv({"why": "a", "why_sv": float("nan")}, "why", "sv") == "a"
    assert sv({"why": "a", "why_sv": "b"}, "why", "en") == "a"
    assert sv({"why": None}, "why", "sv") == ""


# -- figures --------------------------------------------------------------------------


def figure_io(processed, results, tmp_path, catalogs):
    input = SimpleNamespace(
        staff=results.staff,
        cost_model=results.cost_model,
        sensitivity=results.sensitivity,
        tables=[getattr(processed, SETTINGS["composition_table"])],
        facts=processed.facts,
        codebook=processed.codebook,
        catalogs=catalogs,
    )
    output = SimpleNamespace(**{f"{k}_png": str(tmp_path / f"{SID}_{k}.png") for k in FIGURES})
    return input, output


@pytest.mark.parametrize("language", ["en", "sv"])
def test_figures_job_draws_every_figure(processed, results, sv_catalog, tmp_path, language):
    input, output = figure_io(processed, results, tmp_path, [sv_catalog] if language == "sv" else [])
    run_figures(input, output, params(language=language), str(tmp_path / "figures.log"))
    for k in FIGURES:
        assert Path(getattr(output, f"{k}_png")).read_bytes()[:4] == b"\x89PNG"
    log = (tmp_path / "figures.log").read_text(encoding="utf-8")
    assert f"wrote {output.tornado_png}" in log


def test_figures_job_part_draws_only_its_keys(processed, results, tmp_path):
    input, output = figure_io(processed, results, tmp_path, [])
    lines = run_figures(input, output, params(), None, ["tornado", "staff"])
    assert sorted(p.name for p in tmp_path.glob("*.png")) == sorted(
        Path(getattr(output, f"{k}_png")).name for k in ("tornado", "staff")
    )
    assert f"wrote {output.tornado_png}" in lines and lines[-1].startswith("figures_channels tornado staff: ")


def test_figures_job_without_its_table_fails_cleanly(processed, results, tmp_path):
    input, output = figure_io(processed, results, tmp_path, [])
    input.tables = []
    with pytest.raises(StageError, match=r"channels\.composition_table"):
        run_figures(input, output, params(), None)
    assert not any(tmp_path.glob("*.png"))


def test_report_job_imports_no_plotting_or_statistics(processed, results, tmp_path):
    """A template change reruns only the report job: it must stay light."""
    paths = {
        "input": {**vars(report_input(processed, results, [])), "template": str(TEMPLATE)},
        "md": str(tmp_path / "a.md"),
        "figures": {k: k for k in FIGURES},
        "settings": SETTINGS,
    }
    code = (
        "import json, sys\n"
        "from types import SimpleNamespace as N\n"
        "from analysis.report.channels import run\n"
        "p = json.loads(sys.argv[1])\n"
        "out = N(md=p['md'], part=p['md'] + '.json')\n"
        "run(N(**p['input']), out, N(settings=p['settings'], language='en', figures=p['figures']))\n"
        "heavy = [m for m in ('matplotlib', 'scipy', 'statsmodels') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code, json.dumps(paths)],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "a.md").is_file()
