"""The survey's three jobs called directly, as their rules call them: the analysis stage,
the figure job and the report job, on the real Riksrevisionen tables ingested into a
temporary folder. Values are checked against hand calculations."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from types import SimpleNamespace as NS

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from analysis.core.i18n import fmt_number
from analysis.core.stage import StageError
from analysis.core.store import read_meta, to_json, write_parquet
from analysis.survey import FIGURES, TABLES

ROOT = Path(__file__).resolve().parent.parent
SID = "riksrevisionen_2022"
RAW = ROOT / "data/raw" / SID
TEMPLATE = ROOT / "src/analysis/report/templates/survey.md.j2"
PO = ROOT / "src/analysis/report/locale/sv/LC_MESSAGES/survey.po"
TABLE_IDS = sorted(p.stem for p in (RAW / "tables").glob("*.csv"))
KEYS = [*TABLE_IDS, *FIGURES]
LINKS = {k: f"figures/{SID}_{k}.png" for k in KEYS}


class Files(NS):
    """Named files as Snakemake passes them: attributes, and iteration over the paths."""

    def __iter__(self):
        return iter(vars(self).values())


@pytest.fixture(scope="module")
def settings() -> dict:
    return yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))["survey"]


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> Path:
    """The survey source ingested by the ingest stage into a temporary data/processed/<source>."""
    from analysis.ingest.stage import run

    out = tmp_path_factory.mktemp("processed")
    outputs = {t: str(out / f"{t}.parquet") for t in TABLE_IDS}
    outputs |= {k: str(out / f"{k}.parquet") for k in ("facts", "catalog", "codebook", "validation", "known_issues")}
    known = [str(RAW / "known_issues.yaml")] if (RAW / "known_issues.yaml").is_file() else []
    run(
        NS(
            source=str(RAW / "source.yaml"),
            known_issues=known,
            facts=[str(RAW / "facts.csv")],
            events=[],
            tables=sorted(str(p) for p in (RAW / "tables").iterdir()),
            schemas=[str(p) for p in sorted((ROOT / "schemas").glob("*.schema.yaml"))],
        ),
        Files(**outputs),
        NS(source=SID, tables=TABLE_IDS, stale="error"),
        None,
    )
    return out


def stage_input(processed: Path, tables=None, facts=None) -> NS:
    return NS(
        tables=tables or [str(processed / f"{t}.parquet") for t in TABLE_IDS],
        facts=facts or str(processed / "facts.parquet"),
        codebook=str(processed / "codebook.parquet"),
    )


def result_output(folder: Path) -> NS:
    out = {}
    for name in TABLES:
        out[name] = str(folder / f"{SID}_{name}.parquet")
        out[f"{name}_csv"] = str(folder / f"{SID}_{name}.csv")
    return Files(**out)


@pytest.fixture(scope="module")
def results(processed, settings, tmp_path_factory) -> NS:
    """The result tables written by the analysis stage."""
    from analysis.survey.stage import run

    folder = tmp_path_factory.mktemp("tables")
    output = result_output(folder)
    log = folder / "survey.log"
    run(stage_input(processed), output, NS(settings=settings), str(log))
    output.log = log
    return output


def wilson(c: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson's score interval by its formula (Agresti 2013, 1.4.4)."""
    p = c / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


# Analysis stage ----------------------------------------------------------------------


def test_stage_writes_every_table_with_provenance(results, settings):
    for name in TABLES:
        frame = pd.read_parquet(getattr(results, name))
        csv = pd.read_csv(getattr(results, f"{name}_csv"))
        assert len(frame) == len(csv) > 0
        assert read_meta(getattr(results, name))["settings"] == json.loads(to_json(settings))
    log = results.log.read_text(encoding="utf-8")
    assert log.count("read ") == len(TABLE_IDS) + 2  # every table, facts, codebook
    assert log.count("wrote ") == len(TABLES)


def test_stage_bound_and_counts_of_migrationsverket_tabell_8(results):
    den = pd.read_parquet(results.denominators)
    mv = den[(den["table_id"] == "tabell_8") & (den["row"] == "Migrationsverket") & (den["rule"] == "half_up")].iloc[0]
    # Footnote 126: 64 respondents serve Migrationsverket, 19 of them had no training: 64 - 19 = 45.
    assert mv["bound"] == 45 and mv["bound_why"].startswith("footnote 126: 19 of those 64")
    # 10/45 = 22.2 %, 18/45 = 40.0 %, 12/45 = 26.7 %, 5/45 = 11.1 % (hand division), and only N = 45.
    assert (mv["feasible"], mv["chosen_n"], mv["counts_at_chosen"]) == ("45", 45, "10/18/12/5")
    sk = den[(den["table_id"] == "tabell_3") & (den["row"] == "Skatteverket") & (den["rule"] == "half_up")].iloc[0]
    assert (sk["bound"], sk["bound_why"]) == (539, "all respondents")


def test_stage_estimates_are_wilson_intervals(results):
    est = pd.read_parquet(results.estimates)
    pos = est[(est["table_id"] == "tabell_8") & (est["row"] == "Migrationsverket") & (est["direction"] == "positive")]
    total = pos[pos["score"] == 0].iloc[0]
    assert (total["count"], total["n"]) == (10 + 18, 45)
    lo, hi = wilson(28, 45)
    # Written to four decimals (0.01 percentage points).
    assert (total["share"], total["lower"], total["upper"]) == pytest.approx((28 / 45, lo, hi), abs=5e-5)
    assert total["category"] == "Instämmer helt + Instämmer delvis"


def test_stage_tests_note_small_expected_counts_and_carry_no_prose(results):
    tests = pd.read_parquet(results.tests)
    assert "caveat" not in tests.columns  # the caveat is report text (template)
    est = pd.read_parquet(results.estimates)
    cells = est[(est["table_id"] == "tabell_6") & (est["score"] > 0)].pivot(
        index="row", columns="category", values="count"
    )
    table = cells.to_numpy(dtype=float)
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()  # E_ij = r_i c_j / n
    small = int((expected < 5).sum())
    row = tests[(tests["table_id"] == "tabell_6") & tests["chosen"]].iloc[0]
    assert row["denominator"] == "largest"
    assert row["n_expected_below_5"] == small > 0
    assert row["warning"].startswith(f"{small} of {expected.size} expected counts are below 5")
    log = results.log.read_text(encoding="utf-8")
    assert f"warning: tabell_6 at the largest feasible N: {small} of 20" in log


def test_stage_evaluates_every_test_at_the_smallest_and_largest_n(results):
    tests = pd.read_parquet(results.tests)
    t7 = tests[(tests["table_id"] == "tabell_7") & (tests["test"] == "chi_square_homogeneity")].set_index("denominator")
    est = pd.read_parquet(results.estimates)
    den = pd.read_parquet(results.denominators)
    den = den[(den["table_id"] == "tabell_7") & (den["rule"] == "half_up")].set_index("row")
    # The smallest N of each row: its counts by the rounding search, then scipy's chi-square.
    printed = est[(est["table_id"] == "tabell_7") & (est["score"] > 0)].pivot(
        index="row", columns="category", values="printed"
    )
    counts = []
    for row, cells in printed.iterrows():
        n = int(den.loc[row, "n_min"])
        # For N < 1000 each one-decimal percent pins the count: the integer nearest p N / 100.
        counts.append([round(float(c.replace(" %", "").replace(",", ".")) * n / 100) for c in cells])
    chi2, p, _, _ = stats.chi2_contingency(np.array(counts), correction=False)
    assert t7.loc["smallest", "statistic"] == pytest.approx(chi2, abs=1e-3)
    assert t7.loc["smallest", "p_value"] == pytest.approx(p, rel=1e-2)
    # The p-value moves over more than an order of magnitude inside the feasible range.
    assert t7.loc["smallest", "p_value"] / t7.loc["largest", "p_value"] > 10
    assert t7.loc["largest", "chosen"] and not t7.loc["smallest", "chosen"]
    # The searched range contains both corners; the flag says whether 5 % lies inside it.
    for row in t7.itertuples():
        assert row.statistic_min <= row.statistic <= row.statistic_max
        assert row.p_value_min <= row.p_value <= row.p_value_max
        assert row.conclusion_changes == ((row.p_value_min < 0.05) != (row.p_value_max < 0.05))
    assert (t7["choices_searched"] == 2000 + 2).all()


def test_stage_pairwise_intervals_and_flags_agree(results):
    pw = pd.read_parquet(results.pairwise)
    excludes = (pw["diff_lower"] > 0) | (pw["diff_upper"] < 0)
    assert (excludes == pw["significant"]).all()
    # The Bonferroni p-values printed beside the verdict say the same (up to the rounding
    # of the written p to three significant digits).
    clear = (pw["p_adjusted"] - 0.05).abs() > 1e-3
    assert ((pw["p_adjusted"] < 0.05) == pw["significant"])[clear].all()
    none = pw["verdict"] == "no_joint_table"
    clear = (pw["p_min_adjusted"] - 0.05).abs() > 1e-3
    assert ((pw["p_min_adjusted"] >= 0.05) == none)[clear].all()
    assert set(pw["coding"]) == {"positive", "negative"} and set(pw["denominator"]) == {"smallest", "largest"}
    # Pensionsmyndigheten in Tabell 3: N = 139 at the smallest, 539 at the largest feasible N.
    pm = pw[(pw["table_id"] == "tabell_3") & (pw["group_b"] == "Pensionsmyndigheten")]
    assert set(pm.loc[pm["denominator"] == "smallest", "n_b"]) == {139}
    assert set(pm.loc[pm["chosen"], "n_b"]) == {539}


def expand_ranges(text: str) -> list[int]:
    """``"146, 191, 236-238"`` -> every N listed."""
    out = []
    for part in text.split(", "):
        lo, _, hi = part.partition("-")
        out += list(range(int(lo), int(hi or lo) + 1))
    return out


def test_stage_pairwise_verdict_over_every_combination_of_feasible_n(results):
    from analysis.survey.methods import paired_share_bounds

    pw = pd.read_parquet(results.pairwise)
    den = pd.read_parquet(results.denominators)
    den = den[(den["table_id"] == "tabell_3") & (den["rule"] == "half_up")].set_index("row")
    printed = {"Skatteverket": (44.5, 46.6), "Försäkringskassan": (57.7, 36.4)}  # clear + partly clear
    # For N < 1000 each one-decimal percent pins its count: the integer nearest p N / 100.
    rows = {
        agency: [(n, sum(round(p * n / 100) for p in shares)) for n in expand_ranges(den.loc[agency, "feasible"])]
        for agency, shares in printed.items()
    }
    verdicts, lowers, uppers = set(), [], []
    for (n_a, x_a), (n_b, x_b) in itertools.product(rows["Skatteverket"], rows["Försäkringskassan"]):
        b = paired_share_bounds([x_a], [n_a], [x_b], [n_b], 0.95, comparisons=10)
        verdicts.add(b["verdict"][0])
        lowers.append(b["lower_outer"][0])
        uppers.append(b["upper_outer"][0])
    row = pw[
        (pw["table_id"] == "tabell_3")
        & (pw["group_a"] == "Skatteverket")
        & (pw["group_b"] == "Försäkringskassan")
        & (pw["coding"] == "positive")
        & pw["chosen"]
    ].iloc[0]
    assert row["n_choices"] == len(rows["Skatteverket"]) * len(rows["Försäkringskassan"]) == 38 * 36
    assert row["verdict_changes"] == (len(verdicts) > 1)
    assert (row["diff_lower_range"], row["diff_upper_range"]) == pytest.approx((min(lowers), max(uppers)), abs=5e-5)


def test_stage_middle_coding_negative_counts_only_the_top_category(results):
    sh = pd.read_parquet(results.positive_shares)
    row = sh[
        (sh["table_id"] == "tabell_3") & (sh["row"] == "Skatteverket") & (sh["coding"] == "negative") & sh["chosen"]
    ].iloc[0]
    # 44,5 % of N = 539: 0.445 x 539 = 239.9 -> 240 (240 / 539 = 44.53 % prints as 44,5 %).
    assert (row["count"], row["n"], row["categories"]) == (240, 539, "Det är tydligt")


def test_stage_unknown_middle_category_is_an_error(processed, settings, tmp_path):
    from analysis.survey.stage import run

    bad = settings | {"middle_categories": ["Instämmer nästan"]}
    with pytest.raises(StageError, match=r"config\.yaml.*middle_categories.*'Instämmer nästan'.*as printed"):
        run(stage_input(processed), result_output(tmp_path / "out"), NS(settings=bad), str(tmp_path / "log"))


def test_stage_answer_checks_by_hand(results):
    checks = pd.read_parquet(results.answer_checks)
    given = checks[checks["check"].str.startswith("answers given")].iloc[0]
    # Tabell 4 prints 147 + 227 + 166 + 338 + 69 + 25 = 972 answers; 433 gave two and 106 one: 2 x 433 + 106 = 972.
    assert (given["printed"], given["expected"], given["holds"]) == (972, 972, True)
    answers = pd.read_parquet(results.answers)
    dont_know = answers[(answers["table_id"] == "tabell_5") & (answers["answer"] == "Vet ej")].iloc[0]
    assert dont_know["share"] == pytest.approx(5 / 539, abs=5e-5)  # four decimals
    assert dont_know["printed_percent"] == "0,9 %"


def test_stage_unknown_fact_is_a_located_error_and_leaves_no_outputs(processed, settings, tmp_path):
    from analysis.survey.stage import run

    output = result_output(tmp_path)
    Path(output.denominators).write_text("stale")  # a previous run's output is removed too
    log = tmp_path / "survey.log"
    with pytest.raises(StageError, match=r"config\.yaml: .*respondents_missing"):
        run(stage_input(processed), output, NS(settings=settings | {"respondents_fact": "respondents_missing"}), log)
    assert not list(tmp_path.glob("*.parquet")) and not list(tmp_path.glob("*.csv"))
    assert "error: config.yaml" in log.read_text(encoding="utf-8")


def test_stage_rejects_a_table_that_is_not_a_survey_table(processed, settings, tmp_path):
    from analysis.survey.stage import run

    odd = tmp_path / "odd.parquet"
    write_parquet(pd.DataFrame({"year": ["2020"], "measure": ["count"], "value": [1.0]}), odd, {"table": {"id": "odd"}})
    tables = [*stage_input(processed).tables, str(odd)]
    output = result_output(tmp_path / "out")
    with pytest.raises(StageError, match=f"{odd}.*odd"):
        run(stage_input(processed, tables=tables), output, NS(settings=settings), None)
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


# Report job --------------------------------------------------------------------------


def report_input(processed: Path, results: NS, catalogs=()) -> NS:
    return NS(
        **{name: getattr(results, name) for name in TABLES},
        tables=[str(processed / f"{t}.parquet") for t in TABLE_IDS],
        facts=str(processed / "facts.parquet"),
        codebook=str(processed / "codebook.parquet"),
        template=str(TEMPLATE),
        catalogs=list(catalogs),
    )


@pytest.fixture(scope="module")
def swedish_catalog(tmp_path_factory) -> str:
    from analysis.report.catalogs import run

    mo = tmp_path_factory.mktemp("locale") / "survey.mo"
    run(NS(po=str(PO)), NS(mo=str(mo)))
    return str(mo)


@pytest.fixture(scope="module")
def english(processed, results, settings, tmp_path_factory) -> str:
    from analysis.report.survey import run

    md = tmp_path_factory.mktemp("en") / "riksrevisionen.md"
    run(
        report_input(processed, results),
        Files(md=str(md), part=f"{md}.json"),
        NS(settings=settings, language="en", figures=LINKS),
    )
    return md.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def swedish(processed, results, settings, swedish_catalog, tmp_path_factory) -> str:
    from analysis.report.survey import run

    md = tmp_path_factory.mktemp("sv") / "riksrevisionen.md"
    run(
        report_input(processed, results, [swedish_catalog]),
        Files(md=str(md), part=f"{md}.json"),
        NS(settings=settings, language="sv", figures=LINKS),
    )
    return md.read_text(encoding="utf-8")


def test_report_english_rows_by_hand(english):
    lo, hi = wilson(28, 45)
    interval = f"{100 * 28 / 45:.1f}% ({100 * lo:.1f}%–{100 * hi:.1f}%)"
    # Only N = 45 fits, so the range over every feasible N is the interval itself.
    assert f"| Swedish Migration Agency | 45 (45–45) | {interval} | {100 * lo:.1f}%–{100 * hi:.1f}% |" in english
    assert (
        "| Swedish Migration Agency | 45: footnote 126: 19 of those 64 had no training and are excluded "
        "| 1: 45–45 | 1: 45–45 | 45 | 10/18/12/5 |"
    ) in english
    assert "| answers given = sum of answers per respondent x respondents | 2 x 433 + 1 x 106 = 972 | yes |" in english
    assert "expected counts are below 5 at the smallest feasible N" in english
    assert "the same respondents, so a comparison between agencies is a paired comparison" in english
    assert "## Methods, assumptions and limits" in english
    assert "Chi-square (homogeneity): p from < 0.001 to 0.011 over 2,002 choices of N" in english  # Tabell 7
    # Readable table numbers, not internal ids.
    assert "| Swedish Pensions Agency | Tabell 3, Tabell 6, Tabell 7, Tabell 9 | 1 | 539 |" in english
    assert "tabell_" not in english.replace(".png", "").split("figures/")[0]


def test_report_links_figures_with_the_shared_captions(english, processed, settings):
    from analysis.report.render import translations
    from analysis.report.survey import figure_captions, read_source

    _tables, sidecars = read_source([str(processed / f"{t}.parquet") for t in TABLE_IDS])
    likert = ["tabell_3", "tabell_6", "tabell_7", "tabell_8", "tabell_9"]
    captions = figure_captions(
        translations("en", None).gettext, settings, sidecars, likert, ["tabell_4", "tabell_5"], 539, "en"
    )
    assert set(captions) == set(KEYS)
    for key in KEYS:
        assert f"![{captions[key]}]({LINKS[key]})" in english
        assert f"*Figure: {captions[key]}*" in english
    assert captions["tabell_4"].endswith("the shares add up to more than 100 %.")  # %% in the message


def test_report_swedish_has_no_english_sentence(swedish):
    assert swedish.startswith("# Riksrevisionen: enkäten till servicehandläggare (2022)")
    for english_word in (
        "Recovered",
        "Shares with",
        "Warning",
        "Pairwise",
        "respondents",
        "Figure:",
        " vs ",
        "joint",
        "feasible",
        "Verdict",
        "Methods",
        "middle categories",
        "(used)",
    ):
        assert english_word not in swedish
    lo, hi = wilson(28, 45)
    sv = f"{100 * 28 / 45:.1f}\u00a0% ({100 * lo:.1f}\u00a0%–{100 * hi:.1f}\u00a0%)".replace(".", ",")
    assert f"| Migrationsverket | 45 (45–45) | {sv} |" in swedish
    assert "| Skatteverket | 539: alla svarande |" in swedish
    # Skatteverket - Pensionsmyndigheten in Tabell 7 at N = 539: 6,3 % + 23,7 % of 539 are
    # 34 + 128 = 162, 10,6 % + 33,0 % are 57 + 178 = 235: (162 - 235) / 539 = -13.54 pp.
    assert f"| Skatteverket – Pensionsmyndigheten | {fmt_number(-13.5, 'sv', 1)} |" in swedish
    assert "Möjliga N (avrundning uppåt vid 5)" in swedish
    assert "*Varning:*" in swedish and "förväntade antal är under 5 vid minsta möjliga N" in swedish
    assert "| 433 + 106 jämfört med 539 | ja |" in swedish


def test_report_swedish_bound_reason_from_the_facts(processed, results, settings, swedish_catalog, tmp_path):
    from analysis.report.survey import run

    facts = pd.read_parquet(processed / "facts.parquet")
    facts["description_sv"] = facts["id"].map(
        {
            "respondents_migrationsverket_offices": "Svarande på kontor för Migrationsverket",
            "no_training_migrationsverket": "",
        }
    )
    path = tmp_path / "facts.parquet"
    write_parquet(facts, path)
    inp = report_input(processed, results, [swedish_catalog])
    inp.facts = str(path)
    md = tmp_path / "riksrevisionen.md"
    run(inp, Files(md=str(md), part=f"{md}.json"), NS(settings=settings, language="sv", figures=LINKS))
    text = md.read_text(encoding="utf-8")
    assert "| Migrationsverket | 64: Svarande på kontor för Migrationsverket |" in text
    # An empty Swedish description falls back to the English one.
    no_training = facts.set_index("id").loc["no_training_migrationsverket", "description"]
    assert f"| Migrationsverket | 45: Svarande på kontor för Migrationsverket (64) minus {no_training} (19) |" in text


def test_report_without_results_for_a_table_fails_cleanly(processed, results, settings, tmp_path):
    from analysis.report.survey import run

    den = pd.read_parquet(results.denominators)
    path = tmp_path / "denominators.parquet"
    write_parquet(den[den["table_id"] != "tabell_9"], path)
    inp = report_input(processed, results)
    inp.denominators = str(path)
    md = tmp_path / "riksrevisionen.md"
    with pytest.raises(StageError, match=r"denominators\.parquet.*tabell_9"):
        run(
            inp,
            Files(md=str(md), part=f"{md}.json"),
            NS(settings=settings, language="en", figures=LINKS),
            str(tmp_path / "log"),
        )
    assert not md.exists()


def test_report_job_imports_no_heavy_library():
    import subprocess
    import sys

    code = (
        "import sys, analysis.report.survey; "
        "print([m for m in ('matplotlib', 'scipy', 'statsmodels') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# Figure job --------------------------------------------------------------------------


def figure_input(processed: Path, results: NS, catalogs=()) -> NS:
    return NS(
        tables=[str(processed / f"{t}.parquet") for t in TABLE_IDS],
        facts=str(processed / "facts.parquet"),
        codebook=str(processed / "codebook.parquet"),
        estimates=results.estimates,
        answers=results.answers,
        catalogs=list(catalogs),
    )


def test_figure_job_draws_every_key(processed, results, settings, tmp_path):
    from analysis.report.survey_figures import run

    output = Files(**{f"{k}_png": str(tmp_path / f"{SID}_{k}.png") for k in KEYS})
    log = tmp_path / "figures.log"
    run(
        figure_input(processed, results),
        output,
        NS(settings=settings, language="en", formats=["png"], figures=KEYS),
        log,
    )
    for k in KEYS:
        assert Path(getattr(output, f"{k}_png")).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert log.read_text(encoding="utf-8").count("wrote ") == len(KEYS)


def test_figure_job_draws_only_the_keys_of_its_part(processed, results, settings, tmp_path):
    """A part (rule figures_survey runs one per worker) draws its keys, as the whole job would."""
    from analysis.report.survey_figures import run

    whole = Files(**{f"{k}_png": str(tmp_path / f"{SID}_{k}.png") for k in KEYS})
    params = NS(settings=settings, language="en", formats=["png"], figures=KEYS)
    run(figure_input(processed, results), whole, params)
    part = Files(**{f"{k}_png": str(tmp_path / f"part_{k}.png") for k in KEYS})
    lines = run(figure_input(processed, results), part, params, None, ["tabell_6", "dotplot"])
    assert sorted(p.name for p in tmp_path.glob("part_*")) == ["part_dotplot.png", "part_tabell_6.png"]
    for k in ("tabell_6", "dotplot"):
        assert Path(getattr(part, f"{k}_png")).read_bytes() == Path(getattr(whole, f"{k}_png")).read_bytes()
    assert [line for line in lines if line.startswith("wrote")] == [
        f"wrote {part.tabell_6_png}",
        f"wrote {part.dotplot_png}",
    ]
    assert lines[-1].startswith("figures_survey tabell_6 dotplot: ")


def test_figures_swedish_labels_and_shared_captions(processed, results, settings, swedish_catalog):
    from analysis.report.render import translations
    from analysis.report.survey import figure_captions, read_source
    from analysis.report.survey_figures import survey_figures

    tables, sidecars = read_source([str(processed / f"{t}.parquet") for t in TABLE_IDS])
    _ = translations("sv", swedish_catalog).gettext
    codebook = pd.read_parquet(processed / "codebook.parquet")
    est, ans = pd.read_parquet(results.estimates), pd.read_parquet(results.answers)
    figs = survey_figures(est, ans, tables, sidecars, codebook, settings, 539, "sv", _)
    assert set(figs) == set(KEYS)
    likert = ["tabell_3", "tabell_6", "tabell_7", "tabell_8", "tabell_9"]
    captions = figure_captions(_, settings, sidecars, likert, ["tabell_4", "tabell_5"], 539, "sv")
    for key, fig in figs.items():
        drawn = fig.get_supxlabel()
        assert "".join(drawn.split()) == "".join(captions[key].split())  # wrapped, same words
    t8 = figs["tabell_8"]
    n_labels = [t.get_text() for t in t8.axes[1].get_yticklabels()]
    assert "N = 45" in n_labels  # Migrationsverket: 64 - 19, the only feasible N
    assert "N = 482 (130–482)" in n_labels  # SSC: 506 at most, 130 to 482 feasible
    assert t8.axes[0].get_xlabel() == "Andel svarande (%), negativa svar till vänster"
    assert t8.axes[0].get_ylabel() == "Bedömd myndighet" and t8.axes[1].get_ylabel() == "Använt N (möjligt intervall)"
    assert [t.get_text() for t in t8.axes[0].get_yticklabels()][-1] == "Migrationsverket"  # as printed
    assert figs["tabell_4"].axes[0].get_xlabel() == "Andel av alla 539 svarande (%)"
    dot_rows = [t.get_text() for t in figs["dotplot"].axes[0].get_yticklabels()]
    assert dot_rows[-1] == "Statens servicecenter"  # rated in Tabell 8 only, labelled from it
    assert figs["dotplot"].axes[0].get_xlabel() == "Positiv andel (%)"
    legend = [t.get_text() for t in figs["dotplot"].axes[0].get_legend().get_texts()]
    assert [" ".join(t.split()) for t in legend[-2:]] == [
        "95 % Wilson-intervall vid använt N",
        "Intervallens omfång över alla möjliga N",
    ]
    for fig in figs.values():  # every axis labelled, no internal id anywhere a reader looks
        ax = fig.axes[0]
        assert ax.get_xlabel() and ax.get_ylabel()
        texts = [t.get_text() for t in ax.get_yticklabels()] + [fig.get_suptitle()]
        assert not any("tabell_" in t or "_" in t for t in texts)


def test_figure_job_without_a_declared_figure_fails_cleanly(processed, results, settings, tmp_path):
    from analysis.report.survey_figures import run

    keys = [*KEYS, "tabell_99"]
    output = Files(**{f"{k}_png": str(tmp_path / f"{SID}_{k}.png") for k in keys})
    with pytest.raises(StageError, match=r"estimates\.parquet.*tabell_99"):
        run(
            figure_input(processed, results),
            output,
            NS(settings=settings, language="en", formats=["png"], figures=keys),
        )
    assert not list(tmp_path.glob("*.png"))
