"""The Markdown section of the survey analysis (reports/riksrevisionen.md)."""

from __future__ import annotations

import pandas as pd

from analysis.core.i18n import fmt_number, fmt_p, fmt_pct, method_name
from analysis.report.markdown import md_table
from analysis.survey.analysis import CAVEAT, SurveyResults

TEXT = {
    "en": {
        "title": "Riksrevisionen: the survey of service handlers (2022)",
        "intro": (
            "Riksrevisionen printed the survey results as percentages by agency, without the number "
            "of respondents behind each row, without uncertainty and without tests. This section "
            "recovers the respondent counts that can have produced each printed row, gives each "
            "share a confidence interval and tests the differences between agencies."
        ),
        "methods": (
            "**Method.** *Denominators*: for every N up to the row's bound, integer counts are "
            "searched that round to every printed one-decimal percent and add up to N (exact "
            "integer arithmetic, under round-half-up and round-half-even). The bound is the {r} "
            "respondents, or a smaller number the document prints (footnote 126). *Estimates* use "
            "the {den} feasible N under {rule} rounding and its counts; intervals are {conf} "
            "{method} intervals. *Tests*: Pearson's chi-square test of homogeneity with "
            "Cramér's V, and the CMH mean-score test for the ordered responses (agencies are "
            "not ordered, so this, not a linear-by-linear test, is the ordinal test); pairwise "
            "comparisons of the positive share (two-proportion z tests, Newcombe intervals, Holm "
            "adjustment). Each statistic is also shown divided by design effects {deffs}."
        ),
        "caveat": CAVEAT,
        "denominators": "Recovered denominators",
        "estimates": "Shares with intervals",
        "tests": "Tests between agencies",
        "pairwise": "Pairwise differences in the positive share (significant after Holm adjustment at design effect 1)",
        "no_pairs": "No pair differs significantly.",
        "printed": "As printed",
        "row": "Agency",
        "bound": "Bound on N",
        "feasible": "Feasible N",
        "n_used": "N used",
        "counts": "Counts at N used",
        "positive": "Positive",
        "negative": "Negative",
        "test": "Test",
        "deff": "Design effect",
        "statistic": "Statistic",
        "df": "df",
        "p": "p",
        "v": "Cramér's V",
        "pair": "Pair",
        "difference": "Difference (pp)",
        "interval": "Interval",
        "p_holm": "Holm p",
        "none_feasible": "none: no N reproduces the printed row",
        "chi_square_homogeneity": "Chi-square (homogeneity)",
        "mean_score_ordinal": "Mean score (ordinal)",
        "intersections": "Can one N reproduce an agency's rows in several tables?",
        "intersections_text": (
            "If the same respondents had answered Tabell 3, 6, 7 and 9 about an agency, one N "
            "would reproduce all four printed rows. The table lists the N that do; where there "
            "is none, the number answering differed between questions, so the tables cannot be "
            "pooled and each is analysed with its own N."
        ),
        "tables": "Tables",
        "dotplot": "Positive share by agency and question",
        "answers": "Answer shares of all respondents",
        "answer": "Answer",
        "share": "Share",
        "checks": "Checks",
        "check": "Check",
        "holds": "Holds",
        "yes": "yes",
        "no": "no",
        "figure": "Figure",
        "warnings": "Warning",
        "n_sig": "Significant pairs (Holm, 5 %) at design effect",
        "between": "between {a} and {b}",
        "share_of_respondents": "Share of respondents",
        "no_n": "no N fits",
        "share_of_all": "Share of all {n} respondents",
        "positive_share": "Positive share",
        "cap_likert": (
            "Source: Riksrevisionen 2022, chapter 4, {number}. Shares as printed; N = the {den} number of "
            "respondents that reproduces the printed percentages ({rule})."
        ),
        "cap_dotplot": (
            "Source: Riksrevisionen 2022, {numbers}. Positive share (agree completely + partly; clear + partly "
            "clear) with {method} intervals at the {den} feasible N."
        ),
        "cap_bars": (
            "Source: Riksrevisionen 2022, {number}. Printed counts over the {n} respondents; {method} intervals."
        ),
        "cap_multiple": " Up to two answers per respondent: the shares add up to more than 100 %.",
    },
    "sv": {
        "title": "Riksrevisionen: enkäten till servicehandläggare (2022)",
        "intro": (
            "Riksrevisionen redovisade enkätresultaten som procent per myndighet, utan antalet svarande "
            "bakom varje rad, utan osäkerhet och utan tester. Avsnittet återskapar de antal svarande som "
            "kan ha gett varje tryckt rad, ger varje andel ett konfidensintervall och prövar skillnaderna "
            "mellan myndigheterna."
        ),
        "methods": (
            "**Metod.** *Nämnare*: för varje N upp till radens gräns söks heltal som avrundas till varje "
            "tryckt procenttal med en decimal och summerar till N (exakt heltalsaritmetik, med avrundning "
            "uppåt och till jämnt vid 5). Gränsen är de {r} svarande, eller ett mindre antal som rapporten "
            "anger (fotnot 126). *Skattningar* använder {den} möjliga N med {rule} och dess "
            "antal; intervallen är {conf} {method}-intervall. *Tester*: Pearsons chi-två-test av homogenitet "
            "med Cramérs V och CMH-testet för medelpoäng för de ordnade svaren; parvisa jämförelser av den "
            "positiva andelen (z-test, Newcombe-intervall, Holm-justering). Varje statistika visas också "
            "delad med designeffekterna {deffs}."
        ),
        "caveat": (
            "Samma svarande bedömer flera myndigheter, så myndighetsraderna är inte oberoende urval; testerna "
            "behandlar dem som om de vore det. P-värdena vid designeffekt 1,5 och 2 visar hur slutsatserna "
            "ändras om det effektiva urvalet är mindre."
        ),
        "denominators": "Återskapade nämnare",
        "estimates": "Andelar med intervall",
        "tests": "Tester mellan myndigheter",
        "pairwise": "Parvisa skillnader i positiv andel (signifikanta efter Holm-justering vid designeffekt 1)",
        "no_pairs": "Inget par skiljer sig signifikant.",
        "printed": "Som tryckt",
        "row": "Myndighet",
        "bound": "Gräns för N",
        "feasible": "Möjliga N",
        "n_used": "Använt N",
        "counts": "Antal vid använt N",
        "positive": "Positiv",
        "negative": "Negativ",
        "test": "Test",
        "deff": "Designeffekt",
        "statistic": "Statistika",
        "df": "fg",
        "p": "p",
        "v": "Cramérs V",
        "pair": "Par",
        "difference": "Skillnad (procentenheter)",
        "interval": "Intervall",
        "p_holm": "Holm-p",
        "none_feasible": "inget: inget N ger den tryckta raden",
        "chi_square_homogeneity": "Chi-två (homogenitet)",
        "mean_score_ordinal": "Medelpoäng (ordinal)",
        "intersections": "Kan ett N ge en myndighets rader i flera tabeller?",
        "intersections_text": (
            "Om samma svarande hade besvarat tabell 3, 6, 7 och 9 om en myndighet skulle ett N ge alla "
            "fyra tryckta rader. Tabellen visar de N som gör det; där inget finns skilde sig antalet "
            "svarande mellan frågorna, och varje tabell analyseras med sitt eget N."
        ),
        "tables": "Tabeller",
        "dotplot": "Positiv andel per myndighet och fråga",
        "answers": "Svarsandelar av alla svarande",
        "answer": "Svar",
        "share": "Andel",
        "checks": "Kontroller",
        "check": "Kontroll",
        "holds": "Håller",
        "yes": "ja",
        "no": "nej",
        "figure": "Figur",
        "warnings": "Varning",
        "n_sig": "Signifikanta par (Holm, 5 %) vid designeffekt",
        "between": "mellan {a} och {b}",
        "share_of_respondents": "Andel av de svarande",
        "no_n": "inget N passar",
        "share_of_all": "Andel av alla {n} svarande",
        "positive_share": "Positiv andel",
        "cap_likert": (
            "Källa: Riksrevisionen 2022, kapitel 4, {number}. Andelar som tryckta; N = {den} antal svarande som "
            "ger de tryckta procenttalen ({rule})."
        ),
        "cap_dotplot": (
            "Källa: Riksrevisionen 2022, {numbers}. Positiv andel (instämmer helt + delvis; tydligt + delvis "
            "tydligt) med {method}-intervall vid {den} möjliga N."
        ),
        "cap_bars": "Källa: Riksrevisionen 2022, {number}. Tryckta antal delat med {n} svarande; {method}-intervall.",
        "cap_multiple": " Upp till två svar per svarande: andelarna summerar till mer än 100 %.",
    },
}


def _labeller(codebook: pd.DataFrame, language: str):
    """label(table_id, printed_label) -> the label in the report language."""
    en = dict(zip(zip(codebook["table_id"], codebook["label"], strict=True), codebook["label_en"], strict=True))
    return lambda tid, label: label if language == "sv" else en.get((tid, label), label)


def _title(sidecar: dict, language: str) -> str:
    return f"{sidecar['number']}: {sidecar['title'] if language == 'sv' else sidecar['title_en']}"


def survey_figures(results, tables, sidecars, codebook, settings, respondents, language) -> dict:
    """Every figure of the section with its caption: {key: (Figure, caption)}.

    Keys are the table ids (a diverging bar chart for a Likert table, bars with intervals
    for an answer table) and ``dotplot``.
    """
    from figures.survey import agree_dotplot, likert_diverging, share_bars

    T = TEXT[language]
    lab = _labeller(codebook, language)
    row_dim, resp_dim = settings["row_dimension"], settings["response_dimension"]
    conf = fmt_number(100 * settings["confidence"], language, 0)
    method = f"{conf} % {method_name(settings['interval_method'], language)}"
    den = method_name(settings["denominator"], language)
    rule = method_name(settings["rounding"][0], language)
    out = {}
    for tid in results.likert_tables:
        f = tables[tid][tables[tid]["measure"] == "percent"]
        rows, cols = list(dict.fromkeys(f[row_dim])), list(dict.fromkeys(f[resp_dim]))
        shares = f.pivot(index=row_dim, columns=resp_dim, values="value").loc[rows, cols]
        directions = [f.loc[f[resp_dim] == c, "direction"].iloc[0] for c in cols]
        est = results.estimates[(results.estimates["table_id"] == tid) & (results.estimates["score"] > 0)]
        labels = {x: lab(tid, x) for x in rows + cols}
        labels |= {
            "title": _title(sidecars[tid], language),
            "xlabel": T["share_of_respondents"],
            "n_label": "N ≥" if settings["denominator"] == "smallest" else "N ≤",
        }
        cap = T["cap_likert"].format(number=sidecars[tid]["number"], den=den, rule=rule)
        out[tid] = (likert_diverging(shares, directions, est.groupby("row")["n"].first(), labels, cap, language), cap)
    pos = results.estimates[(results.estimates["score"] == 0) & (results.estimates["direction"] == "positive")]
    if not pos.empty:
        labels = {r: lab(results.likert_tables[0], r) for r in pos["row"]}
        labels |= {t: sidecars[t]["number"] for t in results.likert_tables}
        labels |= {"title": T["dotplot"], "xlabel": T["positive_share"]}
        numbers = ", ".join(sidecars[t]["number"] for t in results.likert_tables)
        cap = T["cap_dotplot"].format(numbers=numbers, method=method, den=den)
        out["dotplot"] = (agree_dotplot(pos, labels, cap, language), cap)
    for tid in results.answer_tables:
        a = results.answers[results.answers["table_id"] == tid]
        labels = {x: lab(tid, x) for x in a["answer"]}
        labels |= {"title": _title(sidecars[tid], language), "xlabel": T["share_of_all"].format(n=respondents)}
        cap = T["cap_bars"].format(number=sidecars[tid]["number"], n=respondents, method=method)
        if tid == settings["multiple_response_table"]:
            cap += T["cap_multiple"]
        out[tid] = (share_bars(a, labels, cap, language), cap)
    return out


def _interval(row, language) -> str:
    return f"{fmt_pct(row['share'], language)} ({fmt_pct(row['lower'], language)}–{fmt_pct(row['upper'], language)})"


def printed_table(frame: pd.DataFrame, row_dim: str, col_dim: str, name) -> str:
    """The table as printed (wide, printed strings)."""
    wide = frame.pivot(index=row_dim, columns=col_dim, values="printed")
    rows_order = list(dict.fromkeys(frame[row_dim]))
    cols_order = list(dict.fromkeys(frame[col_dim]))
    wide = wide.loc[rows_order, cols_order]
    return md_table(
        ["", *[name(c) for c in cols_order]],
        [[name(r), *wide.loc[r].tolist()] for r in rows_order],
        numeric=set(range(1, len(cols_order) + 1)),
    )


def survey_markdown(
    results: SurveyResults,
    tables: dict[str, pd.DataFrame],
    sidecars: dict[str, dict],
    codebook: pd.DataFrame,
    settings: dict,
    respondents: int,
    figures: dict[str, tuple[str, str]],
    language: str,
) -> str:
    """Markdown of the survey section; ``figures`` maps a key to (relative path, caption)."""
    T = TEXT[language]
    lab = _labeller(codebook, language)

    def name(tid):
        return lambda label: lab(tid, label)

    def title(tid):
        return _title(sidecars[tid], language)

    def fig(key):
        path, cap = figures[key]
        return [f"![{cap}]({path})", "", f"*{T['figure']}: {cap}*", ""]

    row_dim, col_dim = settings["row_dimension"], settings["response_dimension"]
    out = [f"# {T['title']}", "", T["intro"], ""]
    out += [
        T["methods"].format(
            r=respondents,
            den=method_name(settings["denominator"], language),
            rule=method_name(settings["rounding"][0], language),
            conf=fmt_number(100 * settings["confidence"], language, 0) + " %",
            method=method_name(settings["interval_method"], language),
            deffs=", ".join(fmt_number(d, language, 1) for d in settings["design_effects"]),
        ),
        "",
        f"> {T['caveat']}",
        "",
    ]

    for tid in results.likert_tables:
        nm = name(tid)
        out += [f"## {title(tid)}", "", f"**{T['printed']}**", "", printed_table(tables[tid], row_dim, col_dim, nm), ""]
        den = results.denominators[results.denominators["table_id"] == tid]
        rows = []
        for label in dict.fromkeys(den["row"]):
            d = den[den["row"] == label].set_index("rule")
            cells = []
            for r in settings["rounding"]:
                x = d.loc[r]
                cells.append(
                    f"{int(x['n_feasible'])}: {int(x['n_min'])}–{int(x['n_max'])}"
                    if x["consistent"]
                    else T["none_feasible"]
                )
            first = d.loc[settings["rounding"][0]]
            used = "–" if first["chosen_n"] != first["chosen_n"] else fmt_number(first["chosen_n"], language, 0)
            rows.append(
                [nm(label), f"{int(first['bound'])}: {first['bound_why']}", *cells, used, first["counts_at_chosen"]]
            )
        out += [f"**{T['denominators']}**", ""]
        out.append(
            md_table(
                [
                    T["row"],
                    T["bound"],
                    *[f"{T['feasible']} ({method_name(r, language)})" for r in settings["rounding"]],
                    T["n_used"],
                    T["counts"],
                ],
                rows,
                numeric={4},
            )
        )
        out.append("")
        est = results.estimates[(results.estimates["table_id"] == tid) & (results.estimates["score"] == 0)]
        rows = []
        for label in dict.fromkeys(est["row"]):
            e = est[est["row"] == label].set_index("direction")
            rows.append(
                [
                    nm(label),
                    fmt_number(e.loc["positive", "n"], language, 0),
                    _interval(e.loc["positive"], language),
                    _interval(e.loc["negative"], language),
                ]
            )
        pos_cats = est["category"].iloc[0] if not est.empty else ""
        out += [f"**{T['estimates']}** ({T['positive']}: {' + '.join(nm(c) for c in pos_cats.split(' + '))})", ""]
        out.append(md_table([T["row"], "N", T["positive"], T["negative"]], rows, numeric={1}))
        out.append("")
        tests = results.tests[results.tests["table_id"] == tid]
        if not tests.empty:
            rows = [
                [
                    T[t.test],
                    fmt_number(t.deff, language, 1),
                    fmt_number(t.statistic_adjusted, language, 1),
                    str(t.df),
                    fmt_p(t.p_value, language),
                    "" if t.cramers_v != t.cramers_v else fmt_number(t.cramers_v, language, 2),
                ]
                for t in tests.itertuples()
            ]
            out += [
                f"**{T['tests']}**",
                "",
                md_table(
                    [T["test"], T["deff"], T["statistic"], T["df"], T["p"], T["v"]], rows, numeric={1, 2, 3, 4, 5}
                ),
                "",
            ]
            warning = tests["warning"].iloc[0]
            if warning:
                out += [f"*{T['warnings']}:* {warning}.", ""]
            pw = results.pairwise[results.pairwise["table_id"] == tid]
            counts = [
                f"{fmt_number(d, language, 1)}: {int(g['significant'].sum())}/{len(g)}" for d, g in pw.groupby("deff")
            ]
            out += [f"**{T['pairwise']}**", "", f"{T['n_sig']} " + "; ".join(counts) + ".", ""]
            sig = pw[(pw["deff"] == 1.0) & pw["significant"]].sort_values("difference", key=abs, ascending=False)
            if sig.empty:
                out += [T["no_pairs"], ""]
            else:
                p2 = pw[pw["deff"] == max(settings["design_effects"])].set_index(["group_a", "group_b"])["p_holm"]
                rows = [
                    [
                        f"{nm(r.group_a)} – {nm(r.group_b)}",
                        fmt_number(100 * r.difference, language, 1),
                        fmt_number(100 * r.diff_lower, language, 1)
                        + " – "
                        + fmt_number(100 * r.diff_upper, language, 1),
                        fmt_p(r.p_holm, language),
                        fmt_p(p2[(r.group_a, r.group_b)], language),
                    ]
                    for r in sig.itertuples()
                ]
                dmax = fmt_number(max(settings["design_effects"]), language, 1)
                out += [
                    md_table(
                        [T["pair"], T["difference"], T["interval"], f"{T['p_holm']} (1)", f"{T['p_holm']} ({dmax})"],
                        rows,
                        numeric={1, 3, 4},
                    ),
                    "",
                ]
        out += fig(tid)

    if not results.intersections.empty:
        out += [f"## {T['intersections']}", "", T["intersections_text"], ""]
        rows = []
        for r in results.intersections[results.intersections["rule"] == settings["rounding"][0]].itertuples():
            rows.append([name(results.likert_tables[0])(r.row), r.tables, str(r.n_feasible), r.feasible or "–"])
        out += [md_table([T["row"], T["tables"], T["feasible"], "N"], rows, numeric={2}), ""]
    if "dotplot" in figures:
        out += [f"## {T['dotplot']}", "", *fig("dotplot")]

    for tid in results.answer_tables:
        nm = name(tid)
        out += [f"## {title(tid)}", ""]
        a = results.answers[results.answers["table_id"] == tid]
        rows = [
            [nm(r.answer), fmt_number(r.count, language, 0), r.printed_percent, _interval(r._asdict(), language)]
            for r in a.itertuples()
        ]
        out += [
            f"**{T['answers']}**",
            "",
            md_table([T["answer"], "N", T["printed"], T["share"]], rows, numeric={1, 2}),
            "",
        ]
        c = results.answer_checks[results.answer_checks["table_id"] == tid]
        rows = [[r.check, r.detail, T["yes"] if r.holds else T["no"]] for r in c.itertuples()]
        out += [f"**{T['checks']}**", "", md_table([T["check"], "", T["holds"]], rows), ""]
        out += fig(tid)
    return "\n".join(out)
