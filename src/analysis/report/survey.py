"""The survey section (reports/riksrevisionen.md) and the captions of its figures.

The report job (rule ``report_survey``) reads the survey's result tables, the processed
tables it analysed (printed values and titles), the codebook (English labels) and the
facts (respondents, bounds), formats the cells of every table in the report language and
renders ``templates/survey.md.j2``. Every sentence is in that template or in a ``_()``
call here (gettext domain ``survey``); the figure job
(:mod:`analysis.report.survey_figures`) takes its captions from :func:`figure_captions`
so the two jobs print the same text. Nothing here imports matplotlib, scipy or
statsmodels: a wording change rebuilds the section in well under a second.
"""

from __future__ import annotations

import pandas as pd

from analysis.core.errors import InputError
from analysis.core.i18n import fmt_number, fmt_p, fmt_pct
from analysis.core.numbers import parse_number
from analysis.core.stage import stage_run
from analysis.core.store import read_meta
from analysis.report.markdown import write_markdown
from analysis.report.render import catalog_path, render, translations
from analysis.survey import TABLES
from analysis.survey.shared import CHECKS, classify_tables, select_bound


def method_name(key: str, _) -> str:
    """The display name of a method identifier of config.yaml, in the report language."""
    names = {
        "wilson": _("Wilson"),
        "clopper_pearson": _("Clopper–Pearson"),
        "agresti_coull": _("Agresti–Coull"),
        "half_up": _("round-half-up"),
        "half_even": _("round-half-even"),
        "smallest": _("smallest"),
        "largest": _("largest"),
        "median": _("median"),
    }
    return names.get(key, key)


def read_source(paths, record=None) -> tuple[dict[str, pd.DataFrame], dict[str, dict]]:
    """The processed tables of the survey source by table id, and their sidecars (from
    the Parquet metadata, not the file names)."""
    tables, sidecars = {}, {}
    for p in paths:
        sidecar = read_meta(p)["table"]
        tables[sidecar["id"]], sidecars[sidecar["id"]] = pd.read_parquet(p), sidecar
        if record is not None:
            record.read(p, tables[sidecar["id"]])
    return tables, sidecars


def labeller(codebook: pd.DataFrame, language: str):
    """label(table_id, printed_label) -> the label in the report language: as printed in
    Swedish, the codebook's ``label_en`` in English."""
    en = dict(zip(zip(codebook["table_id"], codebook["label"], strict=True), codebook["label_en"], strict=True))
    return lambda tid, label: label if language == "sv" else en.get((tid, label), label)


def table_title(sidecar: dict, language: str) -> str:
    """``Tabell 3: <question>``: the number as printed, the title in the report language."""
    return f"{sidecar['number']}: {sidecar['title'] if language == 'sv' else sidecar['title_en']}"


def respondents(facts: pd.DataFrame, settings: dict) -> int:
    """All respondents of the survey (the fact ``settings['respondents_fact']``)."""
    fact = settings["respondents_fact"]
    hit = facts.loc[facts["id"] == fact, "value"]
    if hit.empty:
        raise InputError("config.yaml", None, None, fact, "a fact id of the source's facts.csv", "survey: unknown fact")
    return int(hit.iloc[0])


def interval_name(settings: dict, language: str, _) -> str:
    """``95 % Wilson``: the confidence level and the interval method."""
    conf = fmt_number(100 * settings["confidence"], language, 0)
    return f"{conf} % {method_name(settings['interval_method'], _)}"


def figure_captions(
    _,
    settings: dict,
    sidecars: dict[str, dict],
    likert: list[str],
    answers: list[str],
    n_respondents: int,
    language: str,
) -> dict[str, str]:
    """The caption of every figure of the section, keyed like the figures: a table id
    for each Likert and answer table, ``dotplot`` for the positive shares.

    One function for the figure job (which draws the captions) and the report job
    (which prints them under the linked figures).
    """
    den = method_name(settings["denominator"], _)
    rule = method_name(settings["rounding"][0], _)
    method = interval_name(settings, language, _)
    out = {}
    for tid in likert:
        out[tid] = _(
            "Source: Riksrevisionen 2022, chapter 4, %(number)s (printed as a table; the report has no figure of "
            "it). Shares as printed; N = the %(den)s number of respondents that reproduces the printed "
            "percentages (%(rule)s)."
        ) % {"number": sidecars[tid]["number"], "den": den, "rule": rule}
    if likert:
        out["dotplot"] = _(
            "Source: Riksrevisionen 2022, %(numbers)s (printed as tables; no source figure). Positive share "
            "(%(coding)s) with %(method)s intervals at the %(den)s feasible N (thick) and the range of the "
            "intervals over every feasible N (thin)."
        ) % {
            "numbers": ", ".join(sidecars[t]["number"] for t in likert),
            "coding": coding_name(settings["middle_codings"][0], _),
            "method": method,
            "den": den,
        }
    for tid in answers:
        cap = _(
            "Source: Riksrevisionen 2022, %(number)s (printed as a table; no source figure). Printed counts over "
            "the %(n)s respondents; %(method)s intervals."
        ) % {
            "number": sidecars[tid]["number"],
            "n": fmt_number(n_respondents, language, 0),
            "method": method,
        }
        if tid == settings["multiple_response_table"]:
            cap += " " + _("Up to two answers per respondent: the shares add up to more than 100 %%.") % {}
        out[tid] = cap
    return out


def coding_name(key: str, _) -> str:
    """How a middle coding reads in a column header or caption."""
    return {
        "positive": _("middle categories counted as positive"),
        "negative": _("middle categories not counted as positive"),
    }.get(key, key)


def scenario_name(key: str, chosen: bool, _) -> str:
    """``largest feasible N (used)``: a denominator scenario in the report language."""
    name = {
        "smallest": _("smallest feasible N"),
        "largest": _("largest feasible N"),
        "median": _("median feasible N"),
    }.get(key, key)
    return name + " " + _("(used)") if chosen else name


def verdict_name(key: str, _) -> str:
    """What a paired comparison from margins only concludes."""
    return {
        "every_joint_table": _("significant under every joint table"),
        "no_joint_table": _("not significant under any joint table"),
        "depends_on_joint_table": _("depends on the joint answers (needs microdata)"),
    }.get(key, key)


def methods(_) -> list[list[str]]:
    """The methods table: per method what it assumes, why it fits, its limits and a
    one-line reference."""
    return [
        [
            _("Denominator recovery (GRIM-type search)"),
            _(
                "Each row comes from integer counts of one N, rounded by the stated rule; N is at most the "
                "printed bound."
            ),
            _("Only rounded percentages are printed; exact integer arithmetic lists every N that reproduces the row."),
            _(
                "Several N fit most rows and the true N is unknown, so every result is shown over that range; "
                "the bound for Migrationsverket assumes that only the 64 respondents at its offices rate it."
            ),
            _("Brown & Heathers (2017), The GRIM test, Soc. Psychol. Personal. Sci. 8, 363–369."),
        ],
        [
            _("Choice of N (largest feasible by default)"),
            _("Item non-response is small: every respondent was asked about every agency."),
            _(
                "All 539 respondents answered Tabell 5; the smallest feasible N is an arithmetic artifact "
                "(Pensionsmyndigheten 139 in Tabell 3 but at least 509 in Tabell 6)."
            ),
            _(
                "A respondent may skip an agency they never deal with; the results at the smallest feasible N "
                "are shown beside."
            ),
            "–",
        ],
        [
            _("Wilson intervals for shares"),
            _(
                "Respondents answer independently of each other; the respondents are a random sample of "
                "service handlers."
            ),
            _("Good coverage also for shares near either end of the scale and for small N."),
            _("Covers sampling error only, not non-response or the choice of N (shown separately)."),
            _("Wilson (1927), JASA 22, 209–212; Brown, Cai & DasGupta (2001), Stat. Sci. 16, 101–133."),
        ],
        [
            _("Paired comparisons bounded over every joint table (Fréchet bounds)"),
            _(
                "The same respondents rate both agencies, with the published margins; normal approximation to "
                "the paired difference; Bonferroni over the pairs of a table."
            ),
            _(
                "The agency rows are ratings by the same respondents; the bounds cover every joint table the "
                "margins allow, so a verdict that holds at both bounds holds whatever the joint answers were."
            ),
            _(
                "A paired test needs the microdata (the joint answers); the normal approximation is rough for "
                "shares near either end of the scale and with few discordant answers; Bonferroni is conservative."
            ),
            _(
                "Fréchet (1951), Ann. Univ. Lyon A 14, 53–77; McNemar (1947), Psychometrika 12, 153–157 (the range "
                "of McNemar's statistic is in the result table); Agresti (2013), Categorical Data Analysis, 3rd ed., "
                "11.1."
            ),
        ],
        [
            _("Chi-square test of homogeneity and mean-score test"),
            _("Independent samples per agency; expected counts of at least 5."),
            _(
                "They describe how different the agencies' answer distributions are; the mean-score test uses "
                "the order of the answers."
            ),
            _(
                "The rows are not independent samples (the same respondents), so the p-values are not valid "
                "paired tests; they are shown at the smallest and the largest feasible N."
            ),
            _("Agresti (2013), Categorical Data Analysis, 3rd ed., 3.1 and 8.4."),
        ],
        [
            _("Probability of superiority and Cliff's delta (Brunner–Munzel)"),
            _("Ordered answers; independent samples for the interval."),
            _(
                "An effect size on the ordinal scale, exact with tied answers: the probability that one agency "
                "is rated better than the other, minus the reverse."
            ),
            _(
                "The interval treats the rows as independent samples; the same respondents rate both, which "
                "only microdata can take into account."
            ),
            _("Brunner & Munzel (2000), Biom. J. 42, 17–25; Cliff (1993), Psychol. Bull. 114, 494–509."),
        ],
        [
            _("Coding of the middle categories"),
            _("Whether a partly positive answer counts as positive is a reading, not data."),
            _(
                "Riksrevisionen counts “partly” answers as positive; the alternative counts only the clear or "
                "complete agreement."
            ),
            _("Neither coding is the right one; both are shown and the verdicts that differ are marked."),
            "–",
        ],
    ]


def _interval(share: float, lower: float, upper: float, language: str) -> str:
    return f"{fmt_pct(share, language)} ({fmt_pct(lower, language)}–{fmt_pct(upper, language)})"


class SurveySection:
    """The cells of every table of the section, formatted in the report language."""

    def __init__(self, results, tables, sidecars, codebook, facts, settings, language, _) -> None:
        self.r, self.tables, self.sidecars = results, tables, sidecars
        self.facts = facts.set_index("id")
        self.settings, self.language, self._ = settings, language, _
        self.label = labeller(codebook, language)
        self.likert, self.answer_tables = classify_tables(tables, settings)
        self.codings = list(settings["middle_codings"])
        self._parts: dict[str, dict[str, pd.DataFrame]] = {}

    def part(self, name: str, tid: str) -> pd.DataFrame:
        """The rows of result table ``name`` for the printed table ``tid``, in their order
        (each result table is split by table once: the section reads every table's rows
        many times, and a filter over the whole frame each time was most of this job)."""
        if name not in self._parts:
            frame = self.r[name]
            self._parts[name] = {} if frame.empty else dict(tuple(frame.groupby("table_id", sort=False)))
        return self._parts[name].get(tid, self.r[name].iloc[:0])

    def n(self, x, decimals: int = 0) -> str:
        return fmt_number(x, self.language, decimals)

    # Likert tables -------------------------------------------------------------------

    def printed(self, tid: str) -> dict:
        """The table as printed: header and rows of printed strings."""
        row_dim, col_dim = self.settings["row_dimension"], self.settings["response_dimension"]
        frame = self.tables[tid]
        frame = frame[frame["measure"] == "percent"]
        rows, cols = list(dict.fromkeys(frame[row_dim])), list(dict.fromkeys(frame[col_dim]))
        wide = frame.pivot(index=row_dim, columns=col_dim, values="printed").loc[rows, cols]
        return {
            "header": ["", *[self.label(tid, c) for c in cols]],
            "rows": [[self.label(tid, r), *[self.printed_pct(v) for v in wide.loc[r]]] for r in rows],
            "numeric": list(range(1, len(cols) + 1)),
        }

    def printed_pct(self, text: str) -> str:
        """A printed percentage with its printed decimals, in the report language's number
        format (one format per table: the printed "44,5 %" reads "44.5%" in English)."""
        p = parse_number(text)
        return fmt_pct(p.value / 100, self.language, p.decimals)

    def fact(self, fact_id: str) -> tuple[float, str]:
        """A fact's value and its description in the report language."""
        f = self.facts.loc[fact_id]
        text = f.get("description_sv") if self.language == "sv" else None
        return f["value"], text if isinstance(text, str) and text else f["description"]

    def bound_reason(self, tid: str, row: str) -> str:
        """Why a row's N is bounded: every respondent, or a configured bound. In English
        the bound's own ``why`` of config.yaml; in other languages a reason built from the
        facts the bound names (config.yaml holds English text only)."""
        _ = self._
        b = select_bound(tid, row, self.settings["bounds"])
        if b is None:
            return _("all respondents")
        if self.language == "en":
            return b["why"]
        value, text = self.fact(b["at_most"])
        if "minus" not in b:
            return text  # the bound is the fact's value, printed before the reason
        minus, minus_text = self.fact(b["minus"])
        return _("%(at_most)s (%(value)s) minus %(minus)s (%(minus_value)s)") % {
            "at_most": text,
            "value": self.n(value),
            "minus": minus_text,
            "minus_value": self.n(minus),
        }

    def denominators(self, tid: str) -> list[list[str]]:
        """One row per agency: bound, feasible N under each rounding rule, N used, counts."""
        rules = self.settings["rounding"]
        rows = []
        for label, d in self.part("denominators", tid).groupby("row", sort=False):
            d = d.set_index("rule")
            cells = [
                f"{self.n(d.loc[r, 'n_feasible'])}: {self.n(d.loc[r, 'n_min'])}–{self.n(d.loc[r, 'n_max'])}"
                if d.loc[r, "consistent"]
                else self._("none: no N reproduces the printed row")
                for r in rules
            ]
            first = d.loc[rules[0]]
            rows.append(
                [
                    self.label(tid, label),
                    f"{self.n(first['bound'])}: {self.bound_reason(tid, label)}",
                    *cells,
                    self.n(first["chosen_n"]),
                    first["counts_at_chosen"],
                ]
            )
        return rows

    def _range(self, lower: float, upper: float) -> str:
        return f"{fmt_pct(lower, self.language)}–{fmt_pct(upper, self.language)}"

    def estimates(self, tid: str) -> list[list[str]]:
        """Per agency: N used (feasible range), the positive share under each coding at the
        N used with its interval, and the range of the intervals over every feasible N."""
        sh = self.part("positive_shares", tid)
        est = self.part("estimates", tid)
        est = est[est["score"] == 0].drop_duplicates("row").set_index("row")
        rows = []
        for label, e in sh[sh["chosen"]].groupby("row", sort=False):
            e = e.set_index("coding")
            first, n_range = e.loc[self.codings[0]], est.loc[label]
            cells = [
                self.label(tid, label),
                f"{self.n(first['n'])} ({self.n(n_range['n_smallest'])}–{self.n(n_range['n_largest'])})",
            ]
            for coding in self.codings:
                c = e.loc[coding]
                cells += [
                    _interval(c["share"], c["lower"], c["upper"], self.language),
                    self._range(c["lower_range"], c["upper_range"]),
                ]
            rows.append(cells)
        return rows

    def positive_categories(self, tid: str) -> list[str]:
        """The categories counted as positive under each coding, in the report language."""
        sh = self.part("positive_shares", tid)
        sh = sh[sh["chosen"]]
        out = []
        for coding in self.codings:
            cats = sh.loc[sh["coding"] == coding, "categories"]
            text = " + ".join(self.label(tid, c) for c in cats.iloc[0].split(" + ")) if not cats.empty else ""
            out.append(f"{coding_name(coding, self._)}: {text}")
        return out

    def tests(self, tid: str) -> tuple[list[list[str]], dict | None, bool, list[dict]]:
        """The tests under every denominator scenario, the note on small expected counts,
        whether significance changes within the feasible range, and each test's p-value
        range over the searched choices of N."""
        _ = self._
        names = {
            "chi_square_homogeneity": _("Chi-square (homogeneity)"),
            "mean_score_ordinal": _("Mean score (ordinal)"),
        }
        tests = self.part("tests", tid)
        rows = [
            [
                names.get(t.test, t.test),
                scenario_name(t.denominator, t.chosen, _),
                self.n(t.n),
                self.n(t.statistic, 1),
                self.n(t.df),
                fmt_p(t.p_value, self.language),
                "" if t.cramers_v != t.cramers_v else self.n(t.cramers_v, 2),
            ]
            for t in tests.itertuples()
        ]
        small = None
        warn = tests[tests["n_expected_below_5"] > 0] if len(tests) else tests
        if len(warn):
            w = warn.iloc[0]
            small = {
                "small": self.n(w["n_expected_below_5"]),
                "scenario": scenario_name(w["denominator"], w["chosen"], _),
                "smallest": self.n(w["min_expected"], 2),
            }
        changes = bool(len(tests) and tests["conclusion_changes"].any())
        ranges = [
            {
                "test": names.get(t.test, t.test),
                "low": fmt_p(t.p_value_min, self.language),
                "high": fmt_p(t.p_value_max, self.language),
                "choices": self.n(t.choices_searched),
            }
            for t in tests.drop_duplicates("test").itertuples()
        ]
        return rows, small, changes, ranges

    def delta(self, o) -> str:
        """Cliff's delta with its interval; marked where its significance changes within
        the feasible denominators."""
        if o["delta_lower"] != o["delta_lower"]:
            return self.n(o["delta"], 2)
        text = f"{self.n(o['delta'], 2)} ({self.n(o['delta_lower'], 2)} – {self.n(o['delta_upper'], 2)})"
        return text + " " + self._("(changes within the feasible N)") if o["conclusion_changes"] else text

    def pairwise(self, tid: str) -> dict:
        """Every pair: the paired difference of the positive share (primary coding, N used)
        with the interval valid for every joint table, the verdict, whether it changes
        within the feasible N or under the other coding, and Cliff's delta."""
        _ = self._
        pw = self.part("pairwise", tid)
        main = pw[(pw["coding"] == self.codings[0]) & pw["chosen"]]
        # Per pair (first row of each): the verdict under the other coding, Cliff's delta.
        other = {}
        for r in pw[(pw["coding"] != self.codings[0]) & pw["chosen"]].itertuples():
            other.setdefault((r.group_a, r.group_b), r.verdict)
        oe = self.part("ordinal_effects", tid)
        effects = {}
        for r in oe[oe["chosen"]].to_dict("records"):
            effects.setdefault((r["group_a"], r["group_b"]), r)
        rows = []
        for r in main.itertuples():
            key = (r.group_a, r.group_b)
            alt = ""
            if r.coding_changes and key in other:
                alt = verdict_name(other[key], _)
            o = effects[key]
            rows.append(
                [
                    f"{self.label(tid, r.group_a)} – {self.label(tid, r.group_b)}",
                    self.n(100 * r.difference, 1),
                    f"{self.n(100 * r.diff_lower, 1)} – {self.n(100 * r.diff_upper, 1)}",
                    f"{fmt_p(r.p_min_adjusted, self.language)} – {fmt_p(r.p_adjusted, self.language)}",
                    verdict_name(r.verdict, _)
                    + (" " + _("(changes within the feasible N)") if r.verdict_changes else ""),
                    f"{self.n(100 * r.diff_lower_range, 1)} – {self.n(100 * r.diff_upper_range, 1)}",
                    alt or "–",
                    self.delta(o),
                ]
            )
        counts = main["verdict"].value_counts()
        return {
            "rows": rows,
            "comparisons": self.n(int(main["comparisons"].iloc[0])) if len(main) else "0",
            "every": self.n(int(counts.get("every_joint_table", 0))),
            "depends": self.n(int(counts.get("depends_on_joint_table", 0))),
            "none": self.n(int(counts.get("no_joint_table", 0))),
            "changes_n": self.n(int(main["verdict_changes"].sum())),
            "changes_coding": self.n(int(main["coding_changes"].sum())),
        }

    def likert_table(self, tid: str) -> dict:
        tests, small, changes, ranges = self.tests(tid)
        return {
            "id": tid,
            "title": table_title(self.sidecars[tid], self.language),
            "printed": self.printed(tid),
            "denominators": self.denominators(tid),
            "estimates": self.estimates(tid),
            "positive": self.positive_categories(tid),
            "tests": tests,
            "tests_change": changes,
            "test_ranges": ranges,
            "small_expected": small,
            "pairwise": self.pairwise(tid) if tests else None,
        }

    def intersections(self) -> list[list[str]]:
        """Agencies whose rows in several tables one N reproduces (first rounding rule)."""
        inter = self.r["intersections"]
        if inter.empty or not self.likert:
            return []
        numbers = {t: s["number"] for t, s in self.sidecars.items()}
        return [
            [
                self.label(self.likert[0], r.row),
                ", ".join(numbers.get(t, t) for t in r.tables.split(", ")),
                self.n(r.n_feasible),
                r.feasible if isinstance(r.feasible, str) and r.feasible else "–",
            ]
            for r in inter[inter["rule"] == self.settings["rounding"][0]].itertuples()
        ]

    def middle_labels(self) -> list[str]:
        """The configured middle categories in the report language (each labelled by the
        first table that has it)."""
        resp = self.settings["response_dimension"]
        out = []
        for c in self.settings["middle_categories"]:
            tid = next((t for t in self.likert if c in set(self.tables[t][resp])), None)
            out.append(self.label(tid, c) if tid else c)
        return out

    # Answer tables -------------------------------------------------------------------

    def answers(self, tid: str) -> list[list[str]]:
        a = self.part("answers", tid)
        return [
            [
                self.label(tid, r.answer),
                self.n(r.count),
                self.printed_pct(r.printed_percent),
                _interval(r.share, r.lower, r.upper, self.language),
            ]
            for r in a.itertuples()
        ]

    def checks(self, tid: str, n_respondents: int) -> list[list[str]]:
        """The answer-count checks, named and spelled out in the report language."""
        _ = self._
        names = {
            "answers_given": _("answers given = sum of answers per respondent x respondents"),
            "respondents_by_answers": _("respondents by number of answers add up to all respondents"),
            "single_response": _("answers add up to all respondents (single response)"),
        }
        keys = {text: key for key, text in CHECKS.items()}
        split = {int(k): int(self.fact(v)[0]) for k, v in self.settings["answer_split_facts"].items()}
        rows = []
        for r in self.part("answer_checks", tid).itertuples():
            key = keys.get(r.check)
            if key == "answers_given":
                terms = " + ".join(f"{self.n(k)} x {self.n(v)}" for k, v in sorted(split.items(), reverse=True))
                detail = f"{terms} = {self.n(r.expected)}"
            elif key == "respondents_by_answers":
                left = " + ".join(self.n(v) for v in split.values())
                detail = _("%(left)s vs %(right)s") % {"left": left, "right": self.n(n_respondents)}
            else:
                detail = _("%(left)s vs %(right)s") % {"left": self.n(r.printed), "right": self.n(r.expected)}
            rows.append([names.get(key, r.check), detail, _("yes") if r.holds else _("no")])
        return rows


def section_context(results, tables, sidecars, codebook, facts, settings, figures, language, _) -> dict:
    """Everything the template ``survey.md.j2`` prints; ``figures`` maps a figure key to
    its path relative to the report (``figures/<file>.png``)."""
    s = SurveySection(results, tables, sidecars, codebook, facts, settings, language, _)
    n_resp = respondents(facts, settings)
    captions = figure_captions(_, settings, sidecars, s.likert, s.answer_tables, n_resp, language)

    def figure(key):
        return {"path": figures[key], "caption": captions[key]} if key in figures and key in captions else None

    likert = [s.likert_table(tid) | {"figure": figure(tid)} for tid in s.likert]
    answers = [
        {
            "id": tid,
            "title": table_title(sidecars[tid], language),
            "rows": s.answers(tid),
            "checks": s.checks(tid, n_resp),
            "figure": figure(tid),
        }
        for tid in s.answer_tables
    ]
    return {
        "respondents": fmt_number(n_resp, language, 0),
        "denominator": method_name(settings["denominator"], _),
        "rule": method_name(settings["rounding"][0], _),
        "rule_names": [method_name(r, _) for r in settings["rounding"]],
        "confidence": fmt_number(100 * settings["confidence"], language, 0) + " %",
        "alpha": fmt_number(100 * (1 - settings["confidence"]), language, 0) + " %",
        "interval_method": method_name(settings["interval_method"], _),
        "coding_headers": [coding_name(c, _) for c in settings["middle_codings"]],
        "middle": ", ".join((f"”{c}”" if language == "sv" else f"“{c}”") for c in s.middle_labels()),
        "likert": likert,
        "methods": methods(_),
        "intersections": s.intersections(),
        "dotplot": figure("dotplot"),
        "answers": answers,
    }


def run(input, output, params, log=None) -> None:
    """Stage: the survey's result tables (+ processed tables, codebook, facts) -> ``output.md``."""
    with stage_run("report_survey", output, log) as record:
        language, settings = params.language, params.settings
        trans = translations(language, catalog_path(input.catalogs))
        results = {}
        for name in TABLES:
            results[name] = pd.read_parquet(getattr(input, name))
            record.read(getattr(input, name), results[name])
        tables, sidecars = read_source(input.tables, record)
        codebook, facts = pd.read_parquet(input.codebook), pd.read_parquet(input.facts)
        record.read(input.codebook, codebook)
        record.read(input.facts, facts)
        likert, _answers = classify_tables(tables, settings)
        missing = sorted(set(likert) - set(results["denominators"].get("table_id", pd.Series(dtype=str))))
        if missing:
            raise InputError(
                input.denominators,
                None,
                None,
                missing[0],
                "a row for every Likert table of the source",
                "no results for",
            )
        context = section_context(
            results, tables, sidecars, codebook, facts, settings, dict(params.figures), language, trans.gettext
        )
        write_markdown(render(input.template, language, trans, **context), output.md, output.part, record)
