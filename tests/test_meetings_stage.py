"""The three meetings jobs called as their rules call them (``run(input, output, params,
log)``) on the real Försäkringskassan tables ingested into a temporary folder: the
analysis writes result tables, the figures job draws from them (never fitting a model),
the report job renders the section in English and Swedish (never importing matplotlib,
scipy or statsmodels)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace as NS

import pandas as pd
import pytest
import yaml
from matplotlib.text import Text

from analysis.core.stage import StageError, StageLog
from analysis.core.store import read_meta, write_parquet
from analysis.ingest.source import ingest_source
from analysis.ingest.stage import write_source
from analysis.meetings import (
    FIGURES,
    GROUP_RESULTS,
    GROUP_SETTINGS,
    REPORT_TABLES,
    SERIES_RESULTS,
    SERIES_SETTINGS,
    TABLES,
    figure_tables,
)

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "forsakringskassan_2020"
SETTINGS = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))["meetings"]
PO = ROOT / "src/analysis/report/locale/sv/LC_MESSAGES/meetings.po"
TEMPLATE = ROOT / "src/analysis/report/templates/meetings.md.j2"
LINKS = {k: f"figures/{SOURCE}_{k}.png" for k in FIGURES}
NBSP = "\u00a0"


class Named(NS):
    """Named paths that also iterate over their values, like Snakemake's input and output."""

    def __iter__(self):
        return iter(vars(self).values())


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> dict[str, str]:
    """data/processed/forsakringskassan_2020 rebuilt from data/raw in a temporary folder."""
    schemas = {
        n: yaml.safe_load((ROOT / "schemas" / f"{n}.schema.yaml").read_text(encoding="utf-8"))
        for n in ("table", "source", "known_issues")
    }
    folder = ROOT / "data/raw" / SOURCE
    files = {
        str(p.relative_to(ROOT)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix in (".csv", ".yaml") and p.name != "claims.yaml"
    }
    s = ingest_source(SOURCE, files, schemas)
    out = tmp_path_factory.mktemp("processed")
    tables = [it.table.table_id for it in s.tables]
    names = [*tables, "facts", "events", "catalog", "codebook", "validation", "known_issues"]
    paths = {n: str(out / f"{n}.parquet") for n in names}
    write_source(s, NS(**paths), tables, StageLog("test"))
    return paths


def analysis_io(processed: dict, folder: Path, settings: dict | None = None, job: str = "meetings"):
    """Input, output and params of an analysis job as its rule passes them: ``meetings``
    (the series and their models) or ``meetings_groups`` (the registers by group)."""
    m = settings or SETTINGS
    keys, names, inputs = (
        (SERIES_SETTINGS, SERIES_RESULTS, ("series_table",))
        if job == "meetings"
        else (GROUP_SETTINGS, GROUP_RESULTS, ("end_reason_table", "group_table", "diagnosis_table"))
    )
    inp = {"tables": [processed[m[k]] for k in inputs]} | ({"events": processed["events"]} if job == "meetings" else {})
    output = {}
    for name in names:
        output[name] = str(folder / f"{name}.parquet")
        output[f"{name}_csv"] = str(folder / f"{name}.csv")
    return NS(**inp), Named(**output), NS(settings={k: m[k] for k in keys})


@pytest.fixture(scope="module")
def results(processed, tmp_path_factory) -> dict[str, str]:
    """Both analysis jobs run once: {table name: Parquet path} (+ each job's log)."""
    from analysis.meetings.stage import run, run_groups

    folder = tmp_path_factory.mktemp("tables")
    paths = {}
    for job, stage in (("meetings", run), ("meetings_groups", run_groups)):
        inp, out, params = analysis_io(processed, folder, job=job)
        stage(inp, out, params, str(folder / f"{job}.log"))
        paths |= {name: path for name, path in vars(out).items() if not name.endswith("_csv")}
        paths[f"log_{job}"] = str(folder / f"{job}.log")
    return paths


@pytest.mark.pipeline
def test_both_jobs_in_the_workers_give_the_same_tables_as_in_process(processed, results, tmp_path):
    """Rules meetings and meetings_groups hand their stage to the worker pool (each to one
    worker, at once); the tables written there are byte for byte those of an in-process run."""
    import concurrent.futures

    from analysis.core import pool
    from analysis.meetings.stage import run, run_groups

    jobs = [(stage, *analysis_io(processed, tmp_path, job=job)) for job, stage in
            (("meetings", run), ("meetings_groups", run_groups))]  # fmt: skip
    with concurrent.futures.ThreadPoolExecutor(2) as threads:  # as Snakemake's job threads
        list(threads.map(lambda j: pool.offload(j[0], j[1], j[2], j[3]), jobs))
    pool.shutdown()
    for name in TABLES:
        written = tmp_path / f"{name}.parquet"
        assert written.read_bytes() == Path(results[name]).read_bytes(), name


def compiled_catalog(folder: Path) -> str:
    from analysis.report.catalogs import run

    mo = folder / "meetings.mo"
    run(NS(po=str(PO)), NS(mo=str(mo)))
    return str(mo)


def report(results, processed, folder: Path, language: str, events: str | None = None) -> str:
    from analysis.report.meetings import run

    inp = NS(
        **{n: results[n] for n in REPORT_TABLES},
        events=events or processed["events"],
        codebook=processed["codebook"],
        template=str(TEMPLATE),
        catalogs=[compiled_catalog(folder)] if language == "sv" else [],
    )
    md = folder / f"section_{language}.md"
    run(
        inp,
        NS(md=str(md), part=f"{md}.json"),
        NS(settings=SETTINGS, language=language, figures=LINKS),
        str(folder / "report.log"),
    )
    return md.read_text(encoding="utf-8")


# The analysis ---------------------------------------------------------------------------


def test_analysis_writes_every_table_with_hand_checked_values(results):
    for name in TABLES:
        assert Path(results[name]).is_file() and Path(results[name]).with_suffix(".csv").is_file()
    breaks = pd.read_parquet(results["breaks"])
    assert list(breaks["label"]) == ["2015H1", "2016H1"] and list(breaks["t"]) == [8, 10]  # 2011H1 is t = 0
    trend = pd.read_parquet(results["trend"]).set_index(["series", "period"])
    assert trend.loc[("meetings", "2019"), "index"] == pytest.approx(100 * 39863 / 103553)
    assert trend.loc[("meetings", "2019"), "change_pct"] == pytest.approx(100 * (39863 / 40643 - 1))
    odds = pd.read_parquet(results["odds_ratios"]).set_index("group")
    assert odds.loc["Dagar slut", "odds_ratio"] == pytest.approx((607 / 150) / (33707 / (124181 - 33707)))
    fitted = pd.read_parquet(results["fitted"])
    before = fitted[fitted["t"] < 8]  # no level or slope change before the first break
    assert before["counterfactual"].to_numpy() == pytest.approx(before["fitted"].to_numpy(), rel=1e-12)
    # each job's tables record the settings it read (its keys of the section) and its inputs
    meta = read_meta(results["trend"])
    assert meta["settings"] == {k: SETTINGS[k] for k in SERIES_SETTINGS} and len(meta["source_tables"]) == 1
    meta = read_meta(results["shares"])
    assert meta["settings"] == {k: SETTINGS[k] for k in GROUP_SETTINGS} and len(meta["source_tables"]) == 3
    assert set(SERIES_SETTINGS) | set(GROUP_SETTINGS) == set(SETTINGS)  # every key is read by a job
    log = Path(results["log_meetings"]).read_text(encoding="utf-8")
    assert "read " in log and f"wrote {results['events_marked']} (4 rows)" in log
    log = Path(results["log_meetings_groups"]).read_text(encoding="utf-8")
    assert f"wrote {results['odds_ratios']} (23 rows)" in log and "meetings_groups: " in log


def test_marked_events_are_those_inside_the_series_in_half_year_units(results):
    ev = pd.read_parquet(results["events_marked"]).set_index("id")
    # 2008 lies before 2011H1 and 2020-02-01 after 2019H2: left out. Half-year k spans
    # [k - 0.5, k + 0.5); 1 January of 2015 is 8 half-years after 1 January 2011.
    assert list(ev.index) == [
        "dg_production_steering_2015",
        "time_limit_removed",
        "regleringsbrev_2018_revised",
        "regleringsbrev_2019",
    ]
    assert list(ev["number"]) == [1, 2, 3, 4]
    assert ev.loc["dg_production_steering_2015", "t"] == pytest.approx(7.5)
    assert ev.loc["time_limit_removed", "t"] == pytest.approx(10 + 1 / 6 - 0.5)  # 1 February: a month in
    assert ev.loc["regleringsbrev_2019", "t"] == pytest.approx(15.5)


def test_unknown_breakpoint_event_is_located_in_config_and_leaves_no_output(processed, tmp_path):
    from analysis.meetings.stage import run

    inp, out, params = analysis_io(processed, tmp_path, {**SETTINGS, "breakpoints": ["no_such_event"]})
    Path(out.trend).write_text("stale", encoding="utf-8")  # an old output is removed too
    with pytest.raises(StageError, match=r"config\.yaml.*no_such_event.*events\.csv"):
        run(inp, out, params, str(tmp_path / "meetings.log"))
    assert not any(Path(p).exists() for p in out)
    assert "no_such_event" in (tmp_path / "meetings.log").read_text(encoding="utf-8")


def test_breakpoints_a_segment_apart_are_a_located_config_error(processed, tmp_path):
    from analysis.meetings.stage import run

    # The time limit's removal moved to September 2015: breaks in 2015H1 and 2015H2 leave
    # a segment of one half-year, and the segmented model has no unique fit.
    ev = pd.read_parquet(processed["events"])
    ev.loc[ev["id"] == "time_limit_removed", ["date", "start"]] = ["2015-09", "2015-09-01"]
    path = tmp_path / "events.parquet"
    write_parquet(ev, path)
    inp, out, params = analysis_io({**processed, "events": str(path)}, tmp_path)
    with pytest.raises(StageError, match=r"config\.yaml.*meetings\.breakpoints.*'2015H1, 2015H2'"):
        run(inp, out, params, str(tmp_path / "meetings.log"))
    assert not any(Path(p).exists() for p in out)


def test_a_missing_half_year_is_located_in_the_raw_table(processed, tmp_path):
    from analysis.meetings.stage import run

    series = pd.read_parquet(processed["bilaga1_tabell_1"])
    gap = series[series["period"] != "2013 halvår 1"]
    path = tmp_path / "bilaga1_tabell_1.parquet"
    write_parquet(gap, path, read_meta(processed["bilaga1_tabell_1"]))
    inp, out, params = analysis_io({**processed, "bilaga1_tabell_1": str(path)}, tmp_path)
    with pytest.raises(StageError) as err:
        run(inp, out, params)
    # The raw file's line 10 is '2013 halvår 2', the first half-year after the gap.
    raw = Path(ROOT / "data/raw" / SOURCE / "tables/bilaga1_tabell_1.csv").read_text(encoding="utf-8").splitlines()
    assert raw[9].startswith("2013 halvår 2")
    assert f"data/raw/{SOURCE}/tables/bilaga1_tabell_1.csv:10:1:" in str(err.value)
    assert "'2013 halvår 2'" in str(err.value)
    assert not any(Path(p).exists() for p in out)


# The report -----------------------------------------------------------------------------


def test_english_section(results, processed, tmp_path):
    md = report(results, processed, tmp_path, "en")
    assert md.startswith("# Försäkringskassan: follow-up meetings (avstämningsmöten) 2011–2019\n")
    # 2019: 39 863 meetings, -1.9 % on 40 643 in 2018, index 38.5 against 103 553 in 2013.
    assert "| 2019 | 39,863 | -1.9% | 38.5 |" in md
    assert "| 2016-02 | 2016H1 | The time limit in the sickness insurance (914 days)" in md
    assert "`time_limit_removed`" not in md and "dg_production_steering_2015" not in md  # no internal ids
    assert "2. 2016-02: The time limit in the sickness insurance (914 days) is removed." in md
    assert f"]({LINKS['series']})" in md and md.count("*Figure: ") == 5
    assert "*Figure: Redraws the report's Figur 2" in md and "*Figure: New figure" in md
    # 'Dagar slut' (607 of 757) against 'Arbetsför' (33 707 of 124 181): risk difference,
    # risk ratio and the odds ratio kept for comparison.
    rr = (607 / 757) / (33707 / 124181)
    assert f"| {100 * (607 / 757 - 33707 / 124181):.1f} (" in md and f"| {rr:.2f} (" in md
    assert f"| {(607 / 150) / (33707 / 90474):,.2f} (" in md
    assert "| End reason | Days ran out (time limit, until February 2016) | 757 | 607 | 80.2% (" in md
    assert "Not ended (censored: sensitivity only)" in md
    assert "Reason missing" in md and "Education unknown" in md  # 'Saknas' read per table
    assert "| Follow-up meetings | 2015H1 | documented | 5 / 13 |" in md
    assert "| Follow-up meetings | 2013H2 | best candidate | 1 / 13 |" in md
    assert "**Follow-up meetings**: Estimate (%), 95 % interval" in md
    assert "| change per half-year | after break 2 |" in md
    assert "| level change | at break 1 | -18.2 (-36.3 – 5.0) | no test: fitted exactly |" in md
    assert "the data prefer a single break in 2013H2 to the documented changes (2015H1, 2016H1)" in md
    assert "t tests and intervals on the 11 residual degrees of freedom" in md
    # The counterfactual of the issue: 77 048 for 2019H1, 36 % above the 2013H1 peak.
    assert "gives 77,048 for 2019H1" in md and "36 % above the highest observed half-year (56,526 in 2013H1)" in md
    assert "## Methods" in md and md.count("\n* **") >= 10
    # Registers: no chi-square p-values shown as evidence.
    assert "Chi-square" not in md and "χ²" not in md


def test_swedish_section_with_swedish_event_descriptions(results, processed, tmp_path):
    events = pd.read_parquet(processed["events"])
    events["description_sv"] = "Svensk beskrivning av " + events["id"]
    events.loc[events["id"] == "regleringsbrev_2019", "description_sv"] = None  # falls back to English
    path = tmp_path / "events.parquet"
    write_parquet(events, path)
    md = report(results, processed, tmp_path, "sv", events=str(path))
    assert md.startswith("# Försäkringskassan: avstämningsmöten 2011–2019\n")
    assert f"| 2019 | 39{NBSP}863 | \u22121,9{NBSP}% | 38,5 |" in md
    assert "| 2016-02 | 2016H1 | Svensk beskrivning av time_limit_removed |" in md
    assert "2. 2016-02: Svensk beskrivning av time_limit_removed" in md
    assert "4. 2019: The appropriation directions for 2019" in md
    assert "The time limit" not in md
    assert "| Avslutsanledning | Dagar slut | 757 | 607 | 80,2" in md  # labels as printed
    assert "| nivåförändring | vid brytpunkt 1 |" in md and "| andra halvåret mot första | alla år |" in md
    assert "inget test: skattas exakt" in md and "data föredrar en enda brytpunkt 2013H2" in md
    assert md.count("*Figur: ") == 5 and "## Metoder" in md
    for english in ("Share", "Figure:", "Breakpoints", "half-year", "Source:", "quasi-Poisson,", "after break",
                    "fitted exactly", "data prefer", "censored", "sensitivity"):  # fmt: skip
        assert english not in md, english


def test_report_job_imports_no_scientific_stack(results, processed, tmp_path):
    code = """
import sys, json
from types import SimpleNamespace as NS
from analysis.report.meetings import run
inp = NS(**json.loads(sys.argv[1]))
out = NS(md=sys.argv[2], part=sys.argv[2] + ".json")
run(inp, out, NS(settings=json.loads(sys.argv[3]), language="en", figures=json.loads(sys.argv[4])))
print(sorted(m for m in ("matplotlib", "scipy", "statsmodels") if m in sys.modules))
"""
    inp = {n: results[n] for n in REPORT_TABLES} | {
        "events": processed["events"],
        "codebook": processed["codebook"],
        "template": str(TEMPLATE),
        "catalogs": [],
    }
    args = [json.dumps(inp), str(tmp_path / "s.md"), json.dumps(SETTINGS), json.dumps(LINKS)]
    res = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "[]"


# Figures --------------------------------------------------------------------------------


def frames(results) -> dict[str, pd.DataFrame]:
    return {n: pd.read_parquet(results[n]) for n in figure_tables(FIGURES)}


def codebook(processed) -> pd.DataFrame:
    return pd.read_parquet(processed["codebook"])


def texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text)]


def test_figures_job_writes_every_figure_without_statsmodels(results, processed, tmp_path):
    code = """
import sys, json
from types import SimpleNamespace as NS
from analysis.report.meetings_figures import run
run(NS(**json.loads(sys.argv[1])), NS(**json.loads(sys.argv[2])),
    NS(settings=json.loads(sys.argv[3]), language="sv", formats=["png", "svg"]), sys.argv[4])
print(sorted(m for m in ("scipy", "statsmodels") if m in sys.modules))
"""
    inp = {n: results[n] for n in figure_tables(FIGURES)} | {
        "codebook": processed["codebook"],
        "catalogs": [compiled_catalog(tmp_path)],
    }
    out = {f"{k}_{fmt}": str(tmp_path / f"{k}.{fmt}") for k in FIGURES for fmt in ("png", "svg")}
    log = tmp_path / "figures.log"
    args = [json.dumps(inp), json.dumps(out), json.dumps(SETTINGS), str(log)]
    res = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "[]"
    for path in out.values():
        assert Path(path).stat().st_size > 10_000
    svg = (tmp_path / "series.svg").read_text(encoding="utf-8")
    assert "Försäkringskassan: avstämningsmöten 2011–2019" in svg and "utan brytpunkterna" in svg
    assert f"wrote {out['scan_svg']}" in log.read_text(encoding="utf-8")


def test_figures_job_in_process_is_byte_identical_on_rerun(results, processed, tmp_path):
    from analysis.report.meetings_figures import run

    inp = NS(**{n: results[n] for n in figure_tables(FIGURES)}, codebook=processed["codebook"], catalogs=[])
    digests = []
    for k in range(2):
        out = Named(**{f"{key}_png": str(tmp_path / f"{key}_{k}.png") for key in FIGURES})
        run(inp, out, NS(settings=SETTINGS, language="en", formats=["png"]))
        digests.append([Path(p).read_bytes() for p in out])
    assert digests[0] == digests[1]


def test_figures_job_part_draws_only_its_keys(results, processed, tmp_path):
    from analysis.report.meetings_figures import run

    inp = NS(**{n: results[n] for n in figure_tables(FIGURES)}, codebook=processed["codebook"], catalogs=[])
    params = NS(settings=SETTINGS, language="en", formats=["png"])
    whole = Named(**{f"{key}_png": str(tmp_path / f"{key}.png") for key in FIGURES})
    run(inp, whole, params)
    part = Named(**{f"{key}_png": str(tmp_path / f"part_{key}.png") for key in FIGURES})
    lines = run(inp, part, params, None, ["scan", "series"])
    assert sorted(p.name for p in tmp_path.glob("part_*")) == ["part_scan.png", "part_series.png"]
    assert Path(part.scan_png).read_bytes() == Path(whole.scan_png).read_bytes()
    assert lines[-1].startswith("figures_meetings scan series: ")


def test_series_figure_draws_the_result_tables(results, processed):
    from analysis.report.meetings_figures import meetings_figures

    f = frames(results)
    fig = meetings_figures(f, codebook(processed), SETTINGS, "en", str)["series"]
    top = fig.axes[0]
    meetings = f["fitted"][f["fitted"]["series"] == "meetings"]
    observed = next(line for line in top.lines if line.get_label() == "observed (printed)")
    assert list(observed.get_ydata()) == list(meetings["count"])
    projection = next(line for line in top.lines if line.get_label() == "without the interruptions")
    # Drawn from the last half-year before the first break (t = 7), where it leaves the fit.
    assert list(projection.get_ydata()) == list(meetings["counterfactual"][meetings["t"] >= 7])
    verticals = sorted({line.get_xdata()[0] for line in top.lines if len(set(line.get_xdata())) == 1})
    # Breaks between half-years 7|8 and 9|10; events at their positions on the axis.
    assert verticals == pytest.approx(sorted({7.5, 9.5, *f["events_marked"]["t"]}))
    assert {"1", "2", "3", "4"} <= set(texts(fig))
    assert "Försäkringskassan: follow-up meetings (avstämningsmöten) 2011–2019" in texts(fig)
    assert top.yaxis.get_major_formatter()(40000, 0) == "40,000"


def test_series_figure_title_follows_the_data(results, processed):
    from analysis.report.meetings_figures import figure_labels

    f = frames(results)
    f["fitted"] = f["fitted"].assign(label=f["fitted"]["label"].str.replace("2019", "2021"))
    labels = figure_labels(f, codebook(processed), SETTINGS, "en", str)
    assert labels["series"]["title"] == "Försäkringskassan: follow-up meetings (avstämningsmöten) 2011–2021"


def test_scan_and_forest_figures(results, processed):
    from analysis.report.meetings_figures import meetings_figures

    f = frames(results)
    figs = meetings_figures(f, codebook(processed), SETTINGS, "sv", str)
    scan = f["scan"][f["scan"]["series"] == "meetings"]
    ax = figs["scan"].axes[0]
    profile = ax.lines[0]
    assert list(profile.get_ydata()) == pytest.approx(list(scan["f_stat"]))
    threshold = ax.lines[1]
    assert set(threshold.get_ydata()) == {scan["sup_f_critical"].iloc[0]}
    documented = ax.lines[2]
    assert list(documented.get_xdata()) == [8, 10]
    ax.figure.canvas.draw()
    ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert ticks and all("." not in t for t in ticks)  # Swedish: no decimal point
    forest = figs["odds_ratios"].axes[0]
    reference = [line for line in forest.lines if line.get_marker() == "s"]
    assert len(reference) == 5 and all(line.get_xdata()[0] == 1.0 for line in reference)  # one per variable
    shares = figs["end_reason"].axes[0]
    assert "Dagar slut" in [t.get_text() for t in shares.get_yticklabels()]


# Shared labels -----------------------------------------------------------------------------


def test_labels_and_captions():
    from analysis.report.meetings import (
        captions,
        confidence_text,
        event_descriptions,
        period_text,
        section_title,
        segment_name,
    )

    assert segment_name("after break 12", str) == "after break 12"
    assert segment_name("whole series", str) == "whole series" and segment_name("odd", str) == "odd"
    assert period_text([2016, 2016]) == "2016" and period_text([2019, 2011, 2015]) == "2011–2019"
    assert section_title([2012], str).endswith("(avstämningsmöten) 2012")
    assert confidence_text(0.9, "sv") == f"90{NBSP}%" and confidence_text(0.95, "en") == "95 %"
    cap = captions({"confidence": 0.9, "interval_method": "clopper_pearson", "bootstrap_replicates": 499}, "en", str)
    assert set(cap) == set(FIGURES) and "90 % Clopper–Pearson intervals" in cap["end_reason"]
    events = pd.DataFrame({"id": ["a", "b"], "description": ["A", "B"], "description_sv": ["Å", math.nan]})
    assert event_descriptions(events, "sv") == {"a": "Å", "b": "B"}
    assert event_descriptions(events, "en") == {"a": "A", "b": "B"}
    assert event_descriptions(events.drop(columns="description_sv"), "sv") == {"a": "A", "b": "B"}
