"""The Markdown section of the meetings analysis (reports/forsakringskassan.md), and the
labels and figure captions it shares with the figures job.

The report job (:func:`run`) reads the result tables of the analysis and renders the
template ``meetings.md.j2``, which holds every sentence; this module turns result rows
into formatted table cells and gives the few words that label data (series, variables,
effects, models) through ``_()``. Light on import: pandas, Babel and Jinja2 only (no
scipy, statsmodels or matplotlib), so a wording change rebuilds in well under a second.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import pandas as pd

from analysis.core.i18n import fmt_number, fmt_p, fmt_pct, method_name
from analysis.core.stage import stage_run
from analysis.core.store import read_tables
from analysis.meetings import REPORT_TABLES
from analysis.report.markdown import write_markdown
from analysis.report.render import catalog_path, render, translations

Gettext = Callable[[str], str]


# Labels shared by the report and the figures -------------------------------------------


def confidence_text(confidence: float, language: str) -> str:
    """'95 %' (Swedish with a no-break space)."""
    return fmt_number(100 * confidence, language, 0) + ("\u00a0%" if language == "sv" else " %")


def code_labels(codebook: pd.DataFrame, language: str) -> Callable[[str, str], str]:
    """label(table_id, printed label) -> the label in the report language: as printed in
    Swedish, the codebook's ``label_en`` in English (a printed label such as 'Saknas' means
    different things in different tables)."""
    en = dict(zip(zip(codebook["table_id"], codebook["label"], strict=True), codebook["label_en"], strict=True))
    return lambda tid, label: label if language == "sv" else en.get((tid, label), label)


def variable_names(_: Gettext) -> dict[str, str]:
    """Names of the grouping variables (ids derived in the source's sidecars)."""
    return {
        "end_reason": _("End reason"),
        "sex": _("Sex"),
        "age": _("Age"),
        "education": _("Education"),
        "diagnosis": _("Diagnosis"),
    }


def series_names(settings: dict, codebook: pd.DataFrame, language: str, _: Gettext) -> dict[str, str]:
    """{series id: name}; a series without a name here is named by its printed column."""
    known = {"meetings": _("Follow-up meetings"), "sassam": _("SASSAM mappings")}
    lab = code_labels(codebook, language)
    return {sid: known.get(sid) or lab(settings["series_table"], column) for sid, column in settings["series"].items()}


def half_year_years(labels: Iterable[str]) -> list[int]:
    """Years of half-year labels such as '2011H1'."""
    return [int(re.match(r"^(\d{4})", str(label)).group(1)) for label in labels]


def period_text(years: Iterable[int]) -> str:
    """'2011–2019' (or one year) for the years a series covers."""
    years = [int(y) for y in years]
    first, last = min(years), max(years)
    return str(first) if first == last else f"{first}–{last}"


def section_title(years: Iterable[int], _: Gettext) -> str:
    """Title of the section and of the series figure, with the period of the data."""
    return _("Försäkringskassan: follow-up meetings (avstämningsmöten) %(period)s") % {"period": period_text(years)}


def captions(settings: dict, language: str, _: Gettext) -> dict[str, str]:
    """The caption of each figure (:data:`analysis.meetings.FIGURES`): drawn under the
    figure by the figures job and printed under its link by the report job. Each says
    which figure of the source it redraws, or that it is new."""
    conf = confidence_text(settings["confidence"], language)
    method = method_name(settings["interval_method"])
    return {
        "series": _(
            "Redraws the report's Figur 2 from Bilaga 1, Tabell 1 and adds the models. Points: printed "
            "counts; line and band: quasi-Poisson segmented model with %(conf)s intervals for the mean; "
            "dashed line and band: projection without the interruptions with %(conf)s prediction "
            "intervals, open markers where it leaves the observed range (extrapolation); dotted "
            "verticals: breakpoints; numbered: events (listed in the report)."
        )
        % {"conf": conf},
        "end_reason": _(
            "Redraws the report's Figur 7 from Bilaga 1, Tabell 2. Share of cases with at least one "
            "meeting with %(conf)s %(method)s intervals (random variation of a whole register, not "
            "sampling); cases not yet ended are censored and drawn apart; the printed total row is left out."
        )
        % {"conf": conf, "method": method},
        "groups": _(
            "From Bilaga 1, Tabell 4; the diagnosis panel redraws the report's Figur 8, the others are "
            "new. Share of cases with at least one meeting with %(conf)s %(method)s intervals (random "
            "variation of a whole register, not sampling)."
        )
        % {"conf": conf, "method": method},
        "odds_ratios": _(
            "New figure, from Bilaga 1, Tabell 2 and 4. Risk ratios of having a meeting against the "
            "largest group of each variable, with odds ratios for comparison (they overstate the ratio "
            "of a common outcome); %(conf)s Wald intervals on the log scale; cases not yet ended left out."
        )
        % {"conf": conf},
        "scan": _(
            "New figure, from Bilaga 1, Tabell 1. F statistic of one level-and-slope break at each "
            "half-year against no break (quasi-Poisson); dashed line: the 95 %% point of the largest F "
            "over all candidates under the no-break model (parametric bootstrap, %(b)s replicates), "
            "the threshold that accounts for the search; diamonds: the documented breakpoints."
        )
        % {"b": fmt_number(settings["bootstrap_replicates"], language, 0)},
    }


def event_descriptions(events: pd.DataFrame, language: str) -> dict[str, str]:
    """{event id: description}: Swedish (``description_sv``) when the report is Swedish and
    the events carry it, else the English ``description``."""
    out = {}
    for r in events.to_dict("records"):
        sv = r.get("description_sv") if language == "sv" else None
        out[r["id"]] = sv if isinstance(sv, str) and sv else r["description"]
    return out


# Rows of the section's tables --------------------------------------------------------


def family_names(_: Gettext) -> dict[str, str]:
    return {"quasi_poisson": _("quasi-Poisson"), "negative_binomial": _("negative binomial")}


def effect_names(_: Gettext) -> dict[str, str]:
    return {
        "change_per_half_year": _("change per half-year"),
        "level_change": _("level change"),
        "second_half_year": _("second half-year vs first"),
    }


def segment_name(segment: str, _: Gettext) -> str:
    """A segment of the effects table ('after break 2', ...) in the report language."""
    m = re.fullmatch(r"(after|at) break (\d+)", segment)
    if m:
        text = _("after break %(k)s") if m.group(1) == "after" else _("at break %(k)s")
        return text % {"k": m.group(2)}
    fixed = {"before first break": _("before first break"), "whole series": _("whole series"), "all": _("all")}
    return fixed.get(segment, segment)


def trend_rows(trend: pd.DataFrame, series: Iterable[str], language: str) -> list[list[str]]:
    """Per year: count, change on the previous year and index of each series (and the
    SASSAM ratio when both series are analysed)."""
    series = list(series)
    yearly = trend[trend["period_type"] == "year"]
    ratio = "sassam" in series and "sassam_per_100_meetings" in trend.columns
    rows = []
    for y in sorted(yearly["year"].unique()):
        cells = [str(y)]
        for sid in series:
            r = yearly[(yearly["series"] == sid) & (yearly["year"] == y)].iloc[0]
            change = "" if r["change_pct"] != r["change_pct"] else fmt_pct(r["change_pct"] / 100, language)
            cells += [fmt_number(r["count"], language, 0), change, fmt_number(r["index"], language, 1)]
        if ratio:
            r = yearly[(yearly["series"] == "sassam") & (yearly["year"] == y)].iloc[0]
            cells.append(fmt_number(r["sassam_per_100_meetings"], language, 1))
        rows.append(cells)
    return rows


def break_rows(breaks: pd.DataFrame, described: dict[str, str]) -> list[list[str]]:
    return [[b.date, b.label, described.get(b.event, b.description)] for b in breaks.itertuples()]


def event_items(events: pd.DataFrame, described: dict[str, str]) -> list[dict]:
    """The numbered events of the series figure."""
    return [
        {"number": int(e.number), "date": e.date, "description": described.get(e.id, e.description)}
        for e in events.itertuples()
    ]


def _interval(est: float, lo: float, hi: float, language: str, decimals: int = 1) -> str:
    n = lambda x: fmt_number(x, language, decimals)  # noqa: E731
    return f"{n(est)} ({n(lo)} – {n(hi)})"


def effect_rows(effects: pd.DataFrame, sid: str, language: str, _: Gettext) -> list[list[str]]:
    """Effects of one series: the primary quasi-Poisson estimate with its t interval and
    p-value, the NB2 estimate with its profile-likelihood interval and LR p-value, and the
    HAC interval (sensitivity). Effects resting on an exactly fitted segment get no p-value."""
    names = effect_names(_)
    e = effects[effects["series"] == sid]
    rows = []
    for (effect, segment), sub in e.groupby(["effect", "segment"], sort=False):
        by = {(r["family"], r["se_type"]): r for r in sub.to_dict("records")}
        qp, nb, hac = by[("quasi_poisson", "model")], by[("negative_binomial", "model")], by[("quasi_poisson", "hac")]
        exact = bool(qp["exactly_fitted"])
        no_test = _("no test: fitted exactly")
        rows.append(
            [
                names.get(effect, effect),
                segment_name(segment, _),
                _interval(qp["percent"], qp["lower"], qp["upper"], language),
                no_test if exact else fmt_p(qp["p_value"], language),
                _interval(nb["percent"], nb["lower"], nb["upper"], language),
                no_test if exact else fmt_p(nb["p_value"], language),
                f"({fmt_number(hac['lower'], language, 1)} – {fmt_number(hac['upper'], language, 1)})",
            ]
        )
    return rows


def diagnostic_rows(diagnostics: pd.DataFrame, names: dict[str, str], language: str, _: Gettext) -> list[list[str]]:
    families = family_names(_)
    return [
        [
            names.get(r.series, r.series),
            families.get(r.family, r.family),
            fmt_number(r.phi, language, 1),
            fmt_number(r.alpha, language, 4),
            fmt_number(r.deviance, language, 1),
            fmt_number(r.df_resid, language, 0),
            fmt_number(r.durbin_watson, language, 2),
            fmt_p(r.ljung_box_p, language),
            fmt_number(r.exactly_fitted_obs, language, 0),
        ]
        for r in diagnostics.itertuples()
    ]


def boot_p(p: float, replicates: int, language: str) -> str:
    """A bootstrap p-value; at its floor 1 / (B + 1) it is shown as an upper bound."""
    floor = 1 / (replicates + 1)
    if p != p:
        return "–"
    if p <= floor * (1 + 1e-9):
        return "≤ " + fmt_number(floor, language, 3)
    return fmt_number(p, language, 3)


def model_names(_: Gettext) -> dict[str, str]:
    return {
        "no_break": _("no break"),
        "documented": _("documented breaks"),
        "best_single": _("best single break (searched)"),
        "best_pair": _("best pair of breaks (searched)"),
    }


def comparison_rows(mc: pd.DataFrame, names: dict[str, str], language: str, _: Gettext) -> list[list[str]]:
    models = model_names(_)
    rows = []
    for r in mc.to_dict("records"):
        f = (
            "–"
            if r["f_stat"] != r["f_stat"]
            else f"{fmt_number(r['f_stat'], language, 1)} ({fmt_number(r['f_df1'], language, 0)}, "
            f"{fmt_number(r['f_df2'], language, 0)})"
        )
        rows.append(
            [
                names.get(r["series"], r["series"]),
                models.get(r["model"], r["model"]),
                r["breaks"] or "–",
                fmt_number(r["n_params"], language, 0),
                fmt_number(r["deviance"], language, 0),
                fmt_number(r["delta_qaic"], language, 1),
                fmt_number(r["delta_nb_aic"], language, 1),
                f,
                fmt_p(r["f_p_value"], language),
            ]
        )
    return rows


def comparison_statements(mc: pd.DataFrame, names: dict[str, str], language: str) -> list[dict]:
    """Per series: which of the documented breaks and the best single break the criteria
    prefer (``verdict``: ``single``, ``documented`` or ``mixed``) with the numbers, and
    whether the searched pair is best of all."""
    out = []
    for sid in dict.fromkeys(mc["series"]):
        m = mc[mc["series"] == sid].set_index("model")
        if "documented" not in m.index or not m.loc["documented", "breaks"]:
            continue
        doc, single = m.loc["documented"], m.loc["best_single"]
        q = single["qaic"] < doc["qaic"]
        a = single["nb_aic"] < doc["nb_aic"]
        best = m["qaic"].idxmin()
        out.append(
            {
                "series": names.get(sid, sid),
                "verdict": "single" if q and a else "documented" if not q and not a else "mixed",
                "single": single["breaks"],
                "documented": doc["breaks"].replace("+", ", "),
                "qaic_single": fmt_number(single["qaic"] - m["qaic"].min(), language, 1),
                "qaic_documented": fmt_number(doc["qaic"] - m["qaic"].min(), language, 1),
                "aic_single": fmt_number(single["nb_aic"], language, 1),
                "aic_documented": fmt_number(doc["nb_aic"], language, 1),
                "pair_best": best == "best_pair",
                "pair": m.loc["best_pair", "breaks"].replace("+", ", ") if "best_pair" in m.index else "",
            }
        )
    return out


def scan_rows(scan: pd.DataFrame, names: dict[str, str], language: str, _: Gettext) -> list[list[str]]:
    """The best candidate and each documented breakpoint: rank, F, pointwise and
    search-adjusted p-values."""
    rows = []
    for sid in dict.fromkeys(scan["series"]):
        sub = scan[scan["series"] == sid]
        b = int(sub["replicates"].iloc[0])
        shown = sub[sub["best"] | sub["documented"]].sort_values("rank")
        for r in shown.itertuples():
            role = [_("best candidate")] if r.best else []
            role += [_("documented")] if r.documented else []
            rows.append(
                [
                    names.get(sid, sid),
                    r.label,
                    ", ".join(role),
                    f"{fmt_number(r.rank, language, 0)} / {fmt_number(len(sub), language, 0)}",
                    fmt_number(r.f_stat, language, 1),
                    fmt_p(r.f_p_value, language),
                    boot_p(r.p_search_adjusted, b, language),
                ]
            )
    return rows


def scan_summary(scan: pd.DataFrame, names: dict[str, str], language: str) -> list[dict]:
    out = []
    for sid in dict.fromkeys(scan["series"]):
        sub = scan[scan["series"] == sid]
        b = int(sub["replicates"].iloc[0])
        out.append(
            {
                "series": names.get(sid, sid),
                "critical": fmt_number(sub["sup_f_critical"].iloc[0], language, 1),
                "above": int((sub["f_stat"] > sub["sup_f_critical"]).sum()),
                "candidates": len(sub),
                "naive": int((sub["f_p_value"] < 0.05).sum()),
                "replicates": fmt_number(b, language, 0),
            }
        )
    return out


def shift_rows(shift: pd.DataFrame, names: dict[str, str], language: str, _: Gettext) -> list[list[str]]:
    rows = []
    for r in shift.to_dict("records"):
        if not r["identifiable"]:
            level = slope = "–"
            note = _("not identifiable (a segment shorter than two half-years)")
        else:
            level = _interval(r["level_percent"], r["level_lower"], r["level_upper"], language)
            slope = _interval(r["slope_percent"], r["slope_lower"], r["slope_upper"], language)
            note = _("no test: fitted exactly") if r["exactly_fitted"] else fmt_p(r["level_p_value"], language)
        rows.append(
            [
                names.get(r["series"], r["series"]),
                fmt_number(r["break"], language, 0),
                fmt_number(r["shift"], language, 0),
                r["label"] or "–",
                level,
                slope,
                note,
            ]
        )
    return rows


def counterfactual_items(fitted: pd.DataFrame, names: dict[str, str], language: str) -> list[dict]:
    """Per series: the projection without the interruptions with its prediction interval,
    against the highest observed half-year: the projection furthest above the observed
    range when it leaves it, else the last half-year."""
    out = []
    for sid in dict.fromkeys(fitted["series"]):
        f = fitted[fitted["series"] == sid]
        pre = f[~f["extrapolated"]]
        above = f[f["outside_observed"]]
        r = above.loc[above["counterfactual"].idxmax()] if len(above) else f.iloc[-1]
        top = f.loc[f["count"].idxmax()]
        out.append(
            {
                "series": names.get(sid, sid),
                "label": r["label"],
                "value": fmt_number(r["counterfactual"], language, 0),
                "lower": fmt_number(r["cf_pred_lower"], language, 0),
                "upper": fmt_number(r["cf_pred_upper"], language, 0),
                "outside": bool(r["outside_observed"]),
                "above": fmt_number(100 * (r["counterfactual"] / top["count"] - 1), language, 0),
                "max": fmt_number(top["count"], language, 0),
                "max_label": top["label"],
                "fit_from": pre["label"].iloc[0] if len(pre) else "",
                "fit_to": pre["label"].iloc[-1] if len(pre) else "",
                "n_outside": int(f["outside_observed"].sum()),
            }
        )
    return out


def group_rows(
    shares: pd.DataFrame, odds: pd.DataFrame, lab: Callable, variables: dict[str, str], language: str, _: Gettext
) -> list[list[str]]:
    """Share with a meeting per group, and against the reference group: risk difference
    (percentage points), risk ratio and odds ratio (for comparison), each with interval."""
    n = lambda x, d=0: fmt_number(x, language, d)  # noqa: E731
    p = lambda x: fmt_pct(x, language)  # noqa: E731
    rows = []
    merged = shares.merge(odds, on=["table_id", "variable", "group"], suffixes=("", "_or"))
    for r in merged.to_dict("records"):
        label = lab(r["table_id"], r["group"])
        if r["censored"]:
            label += " (" + _("censored: sensitivity only") + ")"
        if r["reference"]:
            rd = rr = oddsr = _("reference")
        else:
            rd = _interval(100 * r["risk_difference"], 100 * r["rd_lower"], 100 * r["rd_upper"], language)
            rr = _interval(r["risk_ratio"], r["rr_lower"], r["rr_upper"], language, 2)
            oddsr = _interval(r["odds_ratio"], r["lower_or"], r["upper_or"], language, 2)
        rows.append(
            [
                variables.get(r["variable"], r["variable"]),
                label,
                n(r["n"]),
                n(r["x"]),
                f"{p(r['share'])} ({p(r['lower'])} – {p(r['upper'])})",
                rd,
                rr,
                oddsr,
            ]
        )
    return rows


def spread_rows(tests: pd.DataFrame, lab: Callable, variables: dict[str, str], language: str, _: Gettext):
    rows = []
    for r in tests.to_dict("records"):
        name = variables.get(r["variable"], r["variable"])
        if r["censored_included"]:
            name += " (" + _("open cases included: sensitivity") + ")"
        rows.append(
            [
                name,
                lab(r["table_id"], r["reference"]),
                fmt_number(r["n"], language, 0),
                fmt_pct(r["pooled_share"], language),
                f"{fmt_pct(r['share_min'], language)} – {fmt_pct(r['share_max'], language)}",
                fmt_number(r["range_points"], language, 1),
                fmt_number(r["cramers_v"], language, 3),
            ]
        )
    return rows


def censoring_item(tests: pd.DataFrame, language: str) -> dict | None:
    """The pooled share of the end-reason table without and with the open cases."""
    t = tests[tests["variable"] == "end_reason"]
    if len(t) < 2:
        return None
    ended, with_open = t[~t["censored_included"]].iloc[0], t[t["censored_included"]].iloc[0]
    return {
        "ended": fmt_pct(ended["pooled_share"], language),
        "ended_n": fmt_number(ended["n"], language, 0),
        "all": fmt_pct(with_open["pooled_share"], language),
        "all_n": fmt_number(with_open["n"], language, 0),
    }


def diagnosis_rows(dist: pd.DataFrame, lab: Callable, language: str) -> list[list[str]]:
    return [
        [lab(r.table_id, r.group), fmt_number(r.x, language, 0), r.printed_percent, fmt_pct(r.share, language, 2)]
        for r in dist.itertuples()
    ]


def context(
    frames: dict[str, pd.DataFrame],
    events: pd.DataFrame,
    codebook: pd.DataFrame,
    settings: dict,
    figures: dict[str, str],
    language: str,
    _: Gettext,
) -> dict:
    """Everything the template ``meetings.md.j2`` prints, formatted in ``language``."""
    lab = code_labels(codebook, language)
    names = series_names(settings, codebook, language, _)
    variables = variable_names(_)
    described = event_descriptions(events, language)
    trend, diagnostics, scan = frames["trend"], frames["diagnostics"], frames["scan"]
    series = [sid for sid in settings["series"] if sid in set(trend["series"])]
    dist = frames["diagnosis_meetings"]
    period = str(dist["period"].iloc[0]) if "period" in dist and len(dist) else ""
    years = [int(y) for y in re.findall(r"\d{4}", period)]
    return {
        "title": section_title(trend["year"], _),
        "conf": confidence_text(settings["confidence"], language),
        "method": method_name(settings["interval_method"]),
        "lags": settings["hac_maxlags"],
        "min_segment": settings["min_segment"],
        "replicates": fmt_number(settings["bootstrap_replicates"], language, 0),
        "n_obs": int(diagnostics["n_obs"].iloc[0]),
        "n_params": int(diagnostics["n_params"].min()),
        "df_resid": int(diagnostics.loc[diagnostics["family"] == "quasi_poisson", "df_resid"].iloc[0]),
        "series_names": [names[sid] for sid in series],
        "base_year": settings["index_base_year"],
        "sassam_ratio": "sassam" in series and "sassam_per_100_meetings" in trend.columns,
        "trend": trend_rows(trend, series, language),
        "breaks": break_rows(frames["breaks"], described),
        "events": event_items(frames["events_marked"], described),
        "models": [{"name": names[sid], "rows": effect_rows(frames["effects"], sid, language, _)} for sid in series],
        "exactly_fitted": bool(frames["effects"]["exactly_fitted"].any()),
        "diagnostics": diagnostic_rows(diagnostics, names, language, _),
        "ljung_box_lag": int(diagnostics["ljung_box_lag"].iloc[0]),
        "comparison": comparison_rows(frames["model_comparison"], names, language, _),
        "statements": comparison_statements(frames["model_comparison"], names, language),
        "candidates": int(scan.groupby("series").size().iloc[0]),
        "scan": scan_rows(scan, names, language, _),
        "scan_summary": scan_summary(scan, names, language),
        "shifts": shift_rows(frames["break_shift"], names, language, _),
        "counterfactuals": counterfactual_items(frames["fitted"], names, language),
        "groups": group_rows(frames["shares"], frames["odds_ratios"], lab, variables, language, _),
        "spread": spread_rows(frames["group_tests"], lab, variables, language, _),
        "censoring": censoring_item(frames["group_tests"], language),
        "censored_groups": ", ".join(lab(settings["end_reason_table"], g) for g in settings["censored_groups"]),
        "diagnosis": diagnosis_rows(dist, lab, language),
        "diagnosis_period": period_text(years) if years else "",
        "captions": captions(settings, language, _),
        "figures": figures,
    }


def run(input, output, params, log=None) -> None:
    """Stage: the result tables (+ events, codebook) -> ``output.md`` (the section)."""
    with stage_run("report_meetings", output, log) as record:
        frames = read_tables(input, REPORT_TABLES, record)
        events = pd.read_parquet(input.events)
        codebook = pd.read_parquet(input.codebook)
        record.read(input.events, events)
        record.read(input.codebook, codebook)
        language = params.language
        trans = translations(language, catalog_path(input.catalogs))
        ctx = context(frames, events, codebook, params.settings, dict(params.figures), language, trans.gettext)
        write_markdown(render(input.template, language, trans, **ctx), output.md, output.part, record)
