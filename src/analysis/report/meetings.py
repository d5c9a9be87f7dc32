"""Figures with captions and the Markdown section of the meetings analysis."""

from __future__ import annotations

import pandas as pd

from analysis.core.i18n import fmt_number, fmt_p, fmt_pct, method_name
from analysis.meetings.analysis import MeetingsResults
from analysis.report.markdown import md_table

TEXT = {
    "en": {
        "title": "Försäkringskassan: follow-up meetings (avstämningsmöten) 2011–2019",
        "intro": (
            "The report says that meetings more than halved between 2013 and 2019, fell again in the "
            "second half of 2019, and that shifts in steering drove the changes. This section gives the "
            "series, a segmented count model with breaks at documented steering changes, a scan over "
            "every possible break, and the group differences behind Figur 7 and 8 of the report."
        ),
        "methods": (
            "**Method.** Half-year counts from Bilaga 1, Tabell 1 are modelled as log E[y] = trend + "
            "second-half-year effect + a level and a slope change at each breakpoint, fitted as "
            "quasi-Poisson (Poisson with the dispersion estimated from the Pearson chi-square) and as "
            "negative binomial (NB2). Standard errors are model-based and Newey–West (HAC, {lags} lags). "
            "Breakpoints are the half-years containing the events {events} (events.csv, set in "
            "config.yaml). The counterfactual continues the pre-break trend and seasonality. The scan "
            "fits one level-and-slope break at every half-year with at least {seg} half-years on each side; "
            "the other candidates act as placebo breakpoints for the documented ones. Group shares have "
            "{conf} {method} intervals; odds ratios come from binomial GLMs on the printed grouped "
            "counts, one variable at a time (only margins are published), against the largest group."
        ),
        "short": (
            "**A short series.** {n} half-years and {p} parameters per model: effects are estimated "
            "imprecisely, the data cannot separate breaks a year apart, and with few residual degrees "
            "of freedom the autocorrelation diagnostics have little power. The group counts are whole "
            "registers, so their intervals describe random variation, not sampling."
        ),
        "trend": "Series",
        "year": "Year",
        "count": "Count",
        "change": "Change on previous year",
        "index": "Index ({base} = 100)",
        "sassam_ratio": "SASSAM per 100 meetings",
        "models": "Segmented models",
        "effect": "Effect",
        "segment": "Segment",
        "family": "Model",
        "se": "SE",
        "estimate": "Estimate (%)",
        "interval": "Interval",
        "p": "p",
        "quasi_poisson": "quasi-Poisson",
        "negative_binomial": "negative binomial",
        "model": "model",
        "hac": "HAC",
        "change_per_half_year": "change per half-year",
        "level_change": "level change",
        "second_half_year": "second half-year vs first",
        "diagnostics": "Diagnostics",
        "dispersion": "Dispersion",
        "deviance": "Deviance",
        "dw": "Durbin–Watson",
        "lb": "Ljung–Box p (lag {lag})",
        "breaks": "Breakpoints",
        "event": "Event",
        "half_year": "Half-year",
        "scan": "Breakpoint scan",
        "scan_text": (
            "Rank of each documented breakpoint among the {n} candidate half-years (1 = best single "
            "break by deviance), and the best candidate."
        ),
        "rank": "Rank",
        "best": "Best candidate",
        "groups": "Share of sick-leave cases with at least one meeting",
        "group": "Group",
        "share": "Share",
        "or": "Odds ratio",
        "tests": "Chi-square tests of equal shares",
        "variable": "Variable",
        "reference": "reference",
        "diagnosis_meetings": "Meetings by diagnosis chapter, 2011–2019 (Bilaga 1, Tabell 3)",
        "printed": "Printed (%)",
        "figure": "Figure",
        "events_list": "Events marked on the figure",
        "series_meetings": "Follow-up meetings",
        "series_sassam": "SASSAM mappings",
        "observed": "observed",
        "fitted": "fitted (quasi-Poisson)",
        "counterfactual": "without the interruptions",
        "documented": "documented breakpoint",
        "rel_deviance": "Deviance / best",
        "or_axis": "Odds ratio of having a meeting (log scale)",
        "share_axis": "Share with at least one meeting",
        "end_reason": "End reason",
        "sex": "Sex",
        "age": "Age",
        "education": "Education",
        "diagnosis": "Diagnosis",
        "cap_series": (
            "Source: Försäkringskassan 2020, Bilaga 1, Tabell 1. Points: printed counts; lines: "
            "quasi-Poisson segmented model with {conf} intervals; dashed: projection without the "
            "interruptions; dotted verticals: breakpoints; numbered: events (listed in the report)."
        ),
        "cap_end_reason": (
            "Source: Försäkringskassan 2020, Bilaga 1, Tabell 2 (the report's Figur 7). Share of cases "
            "with at least one meeting with {conf} {method} intervals; the printed total row is left out."
        ),
        "cap_groups": (
            "Source: Försäkringskassan 2020, Bilaga 1, Tabell 4 (diagnosis: the report's Figur 8). Share "
            "of cases with at least one meeting with {conf} {method} intervals."
        ),
        "cap_forest": (
            "Source: Försäkringskassan 2020, Bilaga 1, Tabell 2 and 4. Odds ratios from binomial GLMs on "
            "the grouped counts, one variable at a time, against the largest group, with {conf} Wald "
            "intervals."
        ),
        "cap_scan": (
            "Source: Försäkringskassan 2020, Bilaga 1, Tabell 1. Deviance of the quasi-Poisson model with "
            "one level-and-slope break at each half-year, relative to the best; diamonds: breakpoints "
            "from the events in config.yaml."
        ),
    },
    "sv": {
        "title": "Försäkringskassan: avstämningsmöten 2011–2019",
        "intro": (
            "Rapporten säger att mötena mer än halverades 2013–2019, minskade igen andra halvåret 2019 "
            "och att förändringar i styrningen låg bakom. Avsnittet visar serien, en segmenterad "
            "räknemodell med brytpunkter vid dokumenterade styrningsförändringar, en genomsökning av alla "
            "möjliga brytpunkter och gruppskillnaderna bakom rapportens figur 7 och 8."
        ),
        "methods": (
            "**Metod.** Halvårsantalen i bilaga 1, tabell 1 modelleras som log E[y] = trend + "
            "andra-halvårseffekt + en nivå- och en lutningsförändring vid varje brytpunkt, skattat som "
            "kvasi-Poisson (dispersion från Pearsons chi-två) och negativ binomial (NB2). Standardfel "
            "anges modellbaserade och enligt Newey–West (HAC, {lags} laggar). Brytpunkterna är de halvår "
            "som innehåller händelserna {events} (events.csv, valda i config.yaml). Det kontrafaktiska "
            "förloppet förlänger trenden och säsongen före brytpunkten. Genomsökningen skattar en "
            "brytpunkt i varje halvår med minst {seg} halvår på var sida; de övriga kandidaterna fungerar "
            "som placebobrytpunkter. Gruppandelar har {conf} {method}-intervall; oddskvoter kommer från "
            "binomiala GLM på de tryckta grupperade antalen, en variabel i taget, mot den största gruppen."
        ),
        "short": (
            "**En kort serie.** {n} halvår och {p} parametrar per modell: effekterna skattas osäkert, "
            "data kan inte skilja brytpunkter ett år isär och testen av autokorrelation har liten styrka. "
            "Gruppantalen är hela register, så intervallen beskriver slumpvariation, inte urval."
        ),
        "trend": "Serie",
        "year": "År",
        "count": "Antal",
        "change": "Förändring mot föregående år",
        "index": "Index ({base} = 100)",
        "sassam_ratio": "SASSAM per 100 möten",
        "models": "Segmenterade modeller",
        "effect": "Effekt",
        "segment": "Segment",
        "family": "Modell",
        "se": "Medelfel",
        "estimate": "Skattning (%)",
        "interval": "Intervall",
        "p": "p",
        "quasi_poisson": "kvasi-Poisson",
        "negative_binomial": "negativ binomial",
        "model": "modell",
        "hac": "HAC",
        "change_per_half_year": "förändring per halvår",
        "level_change": "nivåförändring",
        "second_half_year": "andra halvåret mot första",
        "diagnostics": "Diagnostik",
        "dispersion": "Dispersion",
        "deviance": "Devians",
        "dw": "Durbin–Watson",
        "lb": "Ljung–Box p (lagg {lag})",
        "breaks": "Brytpunkter",
        "event": "Händelse",
        "half_year": "Halvår",
        "scan": "Genomsökning av brytpunkter",
        "scan_text": (
            "Rangen för varje dokumenterad brytpunkt bland de {n} kandidathalvåren (1 = bästa enskilda "
            "brytpunkt enligt devians) och den bästa kandidaten."
        ),
        "rank": "Rang",
        "best": "Bästa kandidat",
        "groups": "Andel sjukfall med minst ett avstämningsmöte",
        "group": "Grupp",
        "share": "Andel",
        "or": "Oddskvot",
        "tests": "Chi-två-test av lika andelar",
        "variable": "Variabel",
        "reference": "referens",
        "diagnosis_meetings": "Möten per diagnoskapitel 2011–2019 (bilaga 1, tabell 3)",
        "printed": "Tryckt (%)",
        "figure": "Figur",
        "events_list": "Händelser i figuren",
        "series_meetings": "Avstämningsmöten",
        "series_sassam": "SASSAM-kartläggningar",
        "observed": "observerat",
        "fitted": "skattat (kvasi-Poisson)",
        "counterfactual": "utan brytpunkterna",
        "documented": "dokumenterad brytpunkt",
        "rel_deviance": "Devians / bästa",
        "or_axis": "Oddskvot för minst ett möte (logaritmisk skala)",
        "share_axis": "Andel med minst ett möte",
        "end_reason": "Avslutsanledning",
        "sex": "Kön",
        "age": "Ålder",
        "education": "Utbildning",
        "diagnosis": "Diagnos",
        "cap_series": (
            "Källa: Försäkringskassan 2020, bilaga 1, tabell 1. Punkter: tryckta antal; linjer: segmenterad "
            "kvasi-Poisson-modell med {conf} intervall; streckat: förlopp utan brytpunkterna; prickat: "
            "brytpunkter; numrerat: händelser (listade i rapporten)."
        ),
        "cap_end_reason": (
            "Källa: Försäkringskassan 2020, bilaga 1, tabell 2 (rapportens figur 7). Andel sjukfall med minst "
            "ett möte med {conf} {method}-intervall; den tryckta totalraden ingår inte."
        ),
        "cap_groups": (
            "Källa: Försäkringskassan 2020, bilaga 1, tabell 4 (diagnos: rapportens figur 8). Andel sjukfall "
            "med minst ett möte med {conf} {method}-intervall."
        ),
        "cap_forest": (
            "Källa: Försäkringskassan 2020, bilaga 1, tabell 2 och 4. Oddskvoter från binomiala GLM på "
            "grupperade antal, en variabel i taget, mot den största gruppen, med {conf} Wald-intervall."
        ),
        "cap_scan": (
            "Källa: Försäkringskassan 2020, bilaga 1, tabell 1. Devians för kvasi-Poisson-modellen med en "
            "brytpunkt i varje halvår, relativt den bästa; romber: brytpunkter från händelserna i config.yaml."
        ),
    },
}


def _labels(codebook: pd.DataFrame, language: str):
    """label(table_id, printed label) -> label in the report language (a printed label such
    as 'Saknas' means different things in different tables)."""
    en = dict(zip(zip(codebook["table_id"], codebook["label"], strict=True), codebook["label_en"], strict=True))
    return lambda tid, label: label if language == "sv" else en.get((tid, label), label)


def meetings_figures(results: MeetingsResults, codebook: pd.DataFrame, settings: dict, language: str) -> dict:
    """{key: (Figure, caption)} for ``series``, ``end_reason``, ``groups``, ``odds_ratios``, ``scan``."""
    from figures import meetings as fm

    T = TEXT[language]
    lab = _labels(codebook, language)
    conf = fmt_number(100 * settings["confidence"], language, 0) + " %"
    method = method_name(settings["interval_method"], language)
    common = {f"variable:{v}": T.get(v, v) for v in results.shares["variable"].unique()}
    common |= {(r.table_id, r.group): lab(r.table_id, r.group) for r in results.shares.itertuples()}
    series_names = {sid: T.get(f"series_{sid}", sid) for sid in settings["series"]}
    out = {}
    labels = {
        **series_names,
        "title": T["title"],
        "observed": T["observed"],
        "fitted": T["fitted"],
        "counterfactual": T["counterfactual"],
    }
    labels |= {f"event:{e.id}": str(e.number) for e in results.events.itertuples()}
    cap = T["cap_series"].format(conf=conf)
    out["series"] = (
        fm.series_with_counterfactual(results.fitted, results.breaks, results.events, labels, cap, language),
        cap,
    )
    end = results.shares[results.shares["variable"] == "end_reason"]
    cap = T["cap_end_reason"].format(conf=conf, method=method)
    out["end_reason"] = (
        fm.group_shares(end, common | {"title": T["groups"], "xlabel": T["share_axis"]}, cap, language),
        cap,
    )
    other = results.shares[results.shares["variable"] != "end_reason"]
    cap = T["cap_groups"].format(conf=conf, method=method)
    out["groups"] = (
        fm.group_shares(other, common | {"title": T["groups"], "xlabel": T["share_axis"]}, cap, language),
        cap,
    )
    cap = T["cap_forest"].format(conf=conf)
    labels = common | {"title": T["or"], "xlabel": T["or_axis"], "reference": T["reference"]}
    out["odds_ratios"] = (fm.forest(results.odds_ratios, labels, cap, language), cap)
    cap = T["cap_scan"]
    labels = {**series_names, "title": T["scan"], "xlabel": T["half_year"], "documented": T["documented"]}
    out["scan"] = (fm.breakpoint_scan(results.scan, labels, cap, language), cap)
    return out


def meetings_markdown(
    results: MeetingsResults, codebook: pd.DataFrame, settings: dict, figures: dict, language: str
) -> str:
    """Markdown of the meetings section; ``figures`` maps a key to (relative path, caption)."""
    T = TEXT[language]
    lab = _labels(codebook, language)
    n = lambda x, d=0: fmt_number(x, language, d)  # noqa: E731
    conf = fmt_number(100 * settings["confidence"], language, 0) + " %"

    def fig(key):
        path, cap = figures[key]
        return [f"![{cap}]({path})", "", f"*{T['figure']}: {cap}*", ""]

    series_names = {sid: T.get(f"series_{sid}", sid) for sid in settings["series"]}
    n_obs = int(results.diagnostics["n_obs"].iloc[0])
    n_par = int(results.diagnostics["n_params"].min())
    out = [f"# {T['title']}", "", T["intro"], ""]
    out += [
        T["methods"].format(
            lags=settings["hac_maxlags"],
            events=", ".join(f"`{e}`" for e in settings["breakpoints"]),
            seg=settings["min_segment"],
            conf=conf,
            method=method_name(settings["interval_method"], language),
        ),
        "",
        "> " + T["short"].format(n=n_obs, p=n_par),
        "",
    ]

    out += [f"## {T['trend']}", ""]
    yearly = results.trend[results.trend["period_type"] == "year"]
    rows = []
    for y in sorted(yearly["year"].unique()):
        cells = [str(y)]
        for sid in settings["series"]:
            r = yearly[(yearly["series"] == sid) & (yearly["year"] == y)].iloc[0]
            change = "" if r["change_pct"] != r["change_pct"] else fmt_pct(r["change_pct"] / 100, language)
            cells += [n(r["count"]), change, n(r["index"], 1)]
        if "sassam" in settings["series"]:
            r = yearly[(yearly["series"] == "sassam") & (yearly["year"] == y)].iloc[0]
            cells.append(n(r["sassam_per_100_meetings"], 1))
        rows.append(cells)
    header = [T["year"]]
    for sid in settings["series"]:
        header += [
            f"{series_names[sid]}: {T['count']}",
            T["change"],
            T["index"].format(base=settings["index_base_year"]),
        ]
    if "sassam" in settings["series"]:
        header.append(T["sassam_ratio"])
    out += [md_table(header, rows, numeric=set(range(1, len(header)))), ""]

    out += [f"## {T['breaks']}", ""]
    out += [
        md_table(
            [T["event"], "", T["half_year"], ""],
            [[f"`{b.event}`", b.date, b.label, b.description] for b in results.breaks.itertuples()],
        ),
        "",
    ]
    out += fig("series")
    out += [f"**{T['events_list']}**", ""]
    out += [f"{e.number}. {e.date}: {e.description}" for e in results.events.itertuples()] + [""]

    out += [f"## {T['models']}", ""]
    for sid in settings["series"]:
        e = results.effects[results.effects["series"] == sid]
        rows = []
        for (effect, segment), sub in e.groupby(["effect", "segment"], sort=False):
            cells = [T[effect], segment]
            for fam in ("quasi_poisson", "negative_binomial"):
                for se in ("model", "hac"):
                    r = sub[(sub["family"] == fam) & (sub["se_type"] == se)].iloc[0]
                    cells.append(f"{n(r['percent'], 1)} ({n(r['lower'], 1)} – {n(r['upper'], 1)})")
            rows.append(cells)
        header = [T["effect"], T["segment"]] + [
            f"{T[f]}, {T['se']} {T[s]}" for f in ("quasi_poisson", "negative_binomial") for s in ("model", "hac")
        ]
        out += [
            f"**{series_names[sid]}**: {T['estimate']}, {conf} {T['interval'].lower()}",
            "",
            md_table(header, rows),
            "",
        ]
    d = results.diagnostics
    rows = [
        [
            series_names[r.series],
            T[r.family],
            n(r.dispersion, 4 if r.family == "negative_binomial" else 1),
            n(r.deviance, 0),
            n(r.durbin_watson, 2),
            fmt_p(r.ljung_box_p, language),
        ]
        for r in d.itertuples()
    ]
    lag = int(d["ljung_box_lag"].iloc[0])
    out += [
        f"**{T['diagnostics']}**",
        "",
        md_table(
            [T["trend"], T["family"], T["dispersion"], T["deviance"], T["dw"], T["lb"].format(lag=lag)],
            rows,
            numeric={2, 3, 4, 5},
        ),
        "",
    ]

    out += [f"## {T['scan']}", ""]
    s = results.scan
    out += [T["scan_text"].format(n=s.groupby("series").size().iloc[0]), ""]
    rows = []
    for sid in settings["series"]:
        sub = s[s["series"] == sid]
        best = sub.sort_values("deviance").iloc[0]
        for r in sub[sub["documented"]].itertuples():
            rows.append([series_names[sid], r.label, f"{r.rank} / {len(sub)}", best["label"]])
    out += [md_table([T["trend"], T["half_year"], T["rank"], T["best"]], rows), ""]
    out += fig("scan")

    out += [f"## {T['groups']}", ""]
    rows = []
    for r in results.shares.merge(results.odds_ratios, on=["table_id", "variable", "group"]).itertuples():
        oddsr = "1" if r.reference else f"{n(r.odds_ratio, 2)} ({n(r.lower_y, 2)} – {n(r.upper_y, 2)})"
        rows.append(
            [
                T.get(r.variable, r.variable),
                lab(r.table_id, r.group),
                n(r.n),
                n(r.x),
                f"{fmt_pct(r.share, language)} ({fmt_pct(r.lower_x, language)} – {fmt_pct(r.upper_x, language)})",
                oddsr,
            ]
        )
    out += [md_table([T["variable"], T["group"], "N", "x", T["share"], T["or"]], rows, numeric={2, 3}), ""]
    rows = [
        [
            T.get(r.variable, r.variable),
            lab(r.table_id, r.reference),
            n(r.chi_square, 1),
            str(r.df),
            fmt_p(r.p_value, language),
        ]
        for r in results.group_tests.itertuples()
    ]
    out += [
        f"**{T['tests']}**",
        "",
        md_table([T["variable"], T["reference"], "χ²", "df", T["p"]], rows, numeric={2, 3, 4}),
        "",
    ]
    out += fig("end_reason") + fig("groups") + fig("odds_ratios")

    out += [f"## {T['diagnosis_meetings']}", ""]
    rows = [
        [lab(r.table_id, r.group), n(r.x), r.printed_percent, f"{fmt_pct(r.share, language, 2)}"]
        for r in results.diagnosis_meetings.itertuples()
    ]
    out += [md_table([T["group"], T["count"], T["printed"], T["share"]], rows, numeric={1, 2, 3}), ""]
    return "\n".join(out)
