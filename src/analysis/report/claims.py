"""The claims-audit section: reports/claims.md from the audit's results."""

from __future__ import annotations

import math

import pandas as pd
from babel.numbers import format_decimal

from analysis.claims.evaluate import VERDICTS, ClaimResult, evidence_text, summary
from analysis.core.i18n import LOCALES
from analysis.report.markdown import md_table

TEXT = {
    "en": {
        "title": "Claims audit: the reports' numbers recomputed from their own tables",
        "intro": (
            "Every statement in the transcribed chapters that gives a number, share, change, ratio, ranking "
            "or comparison derivable from the chapter's tables or other printed figures is registered in "
            "`data/raw/<source>/claims.yaml` with how to recompute it, and recomputed here. The paraphrases "
            "are in English; the printed words are quoted as printed."
        ),
        "method": (
            "**Method.** Every printed number is an interval: a table count is exact, a printed share covers "
            "its rounding interval (44,5 % is 44,45–44,55), a figure in the text its rounding interval widened "
            "by its qualifier (`intervals.qualifiers` in config.yaml: *drygt* +10 %, *knappt* −10 %, *cirka* "
            "±5 %; *mer än* and *färre än* are strict one-sided bounds). Operations use interval arithmetic. "
            "A claim is **consistent** when the value recomputed from the printed inputs lies in the claimed "
            "interval (basis *point*) or at least the two intervals meet (basis *input rounding*); "
            "**inconsistent** when they do not (the gap is the distance between the intervals); **not "
            "reproducible** when the documents do not print what it needs; **ambiguous** when readings the "
            "text allows give different verdicts. A claim about several groups is evaluated for each and is "
            "inconsistent when any group is. Rankings hold when the expected groups come first by the printed "
            "values (or could, within rounding)."
        ),
        "summary": "Summary",
        "report": "Report",
        "kind": "Kind",
        "claim": "claims in the text",
        "cross_source": "same statistic printed twice",
        "total": "Total",
        "inconsistent_title": "Inconsistent claims",
        "ambiguous_title": "Ambiguous claims",
        "missing_title": "Claims that cannot be reproduced",
        "cross_title": "The same statistic printed twice",
        "all_title": "Every claim",
        "standalone_title": "Printed figures with nothing to recompute them from",
        "standalone_text": (
            "Facts of the audited reports (facts.csv) that no claim uses as an input or records as its "
            "printed value: single figures, often from sources outside the report or from figures whose data "
            "are not printed, that the documents give no way to derive."
        ),
        "none": "None.",
        "id": "Claim",
        "location": "Location",
        "printed": "Printed",
        "verdict": "Verdict",
        "basis": "Basis",
        "evidence": "Evidence",
        "formula": "Recomputed as",
        "readings": "Readings",
        "missing": "Missing",
        "explanation": "Explanation in the documents",
        "note": "Note",
        "line": "line",
        "fact": "Fact",
        "value": "Value",
        "gap": "gap",
        "groups_failed": "{bad} of {n} groups inconsistent",
        "verdicts": {
            "consistent": "consistent",
            "inconsistent": "inconsistent",
            "not reproducible": "not reproducible",
            "ambiguous": "ambiguous",
        },
        "bases": {"point": "point", "input rounding": "input rounding", "": ""},
    },
    "sv": {
        "title": "Granskning av påståenden: rapporternas siffror räknade om från deras egna tabeller",
        "intro": (
            "Varje påstående i de transkriberade kapitlen som anger ett tal, en andel, förändring, kvot, "
            "rangordning eller jämförelse som kan härledas ur kapitlets tabeller eller andra tryckta uppgifter "
            "finns i `data/raw/<källa>/claims.yaml` med hur det räknas om, och räknas om här. Parafraserna är "
            "på engelska; de tryckta orden citeras som de står."
        ),
        "method": (
            "**Metod.** Varje tryckt tal är ett intervall: ett antal i en tabell är exakt, en tryckt andel "
            "täcker sitt avrundningsintervall (44,5 % är 44,45–44,55), en uppgift i texten sitt "
            "avrundningsintervall vidgat med sin kvalificering (`intervals.qualifiers` i config.yaml: *drygt* "
            "+10 %, *knappt* −10 %, *cirka* ±5 %; *mer än* och *färre än* är strikta ensidiga gränser). "
            "Beräkningarna använder intervallaritmetik. Ett påstående är **förenligt** när värdet räknat ur "
            "de tryckta uppgifterna ligger i det påstådda intervallet (grund *punkt*) eller åtminstone "
            "intervallen möts (grund *indataavrundning*); **oförenligt** när de inte möts (gapet är avståndet "
            "mellan intervallen); **ej reproducerbart** när dokumenten inte trycker det som behövs; "
            "**tvetydigt** när läsningar som texten tillåter ger olika utslag. Ett påstående om flera grupper "
            "prövas för var och en och är oförenligt när någon grupp är det."
        ),
        "summary": "Sammanfattning",
        "report": "Rapport",
        "kind": "Typ",
        "claim": "påståenden i texten",
        "cross_source": "samma uppgift tryckt två gånger",
        "total": "Totalt",
        "inconsistent_title": "Oförenliga påståenden",
        "ambiguous_title": "Tvetydiga påståenden",
        "missing_title": "Påståenden som inte kan reproduceras",
        "cross_title": "Samma uppgift tryckt två gånger",
        "all_title": "Alla påståenden",
        "standalone_title": "Tryckta uppgifter som inget kan räknas om ur",
        "standalone_text": (
            "Uppgifter i de granskade rapporterna (facts.csv) som inget påstående använder eller anger som "
            "sitt tryckta värde: enstaka siffror, ofta från källor utanför rapporten eller från diagram vars "
            "data inte är tryckta, som dokumenten inte ger något sätt att härleda."
        ),
        "none": "Inga.",
        "id": "Påstående",
        "location": "Plats",
        "printed": "Tryckt",
        "verdict": "Utslag",
        "basis": "Grund",
        "evidence": "Underlag",
        "formula": "Omräknat som",
        "readings": "Läsningar",
        "missing": "Saknas",
        "explanation": "Förklaring i dokumenten",
        "note": "Anmärkning",
        "line": "rad",
        "fact": "Uppgift",
        "value": "Värde",
        "gap": "gap",
        "groups_failed": "{bad} av {n} grupper oförenliga",
        "verdicts": {
            "consistent": "förenligt",
            "inconsistent": "oförenligt",
            "not reproducible": "ej reproducerbart",
            "ambiguous": "tvetydigt",
        },
        "bases": {"point": "punkt", "input rounding": "indataavrundning", "": ""},
    },
}


def _verdict(t: dict, row: pd.Series) -> str:
    text = t["verdicts"][row["verdict"]]
    basis = t["bases"].get(row["basis"], row["basis"])
    return f"{text} ({basis})" if basis else text


def _where(t: dict, row: pd.Series) -> str:
    return f"{row['report']}, {row['location']} ({t['line']} {row['seed_line']})"


def number_formatter(language: str):
    """Numbers in evidence text: about four significant digits, in the report's language."""

    def num(x: float) -> str:
        if math.isnan(x):
            return "–"
        if math.isinf(x):
            return "∞" if x > 0 else "−∞"
        decimals = 0 if x == 0 else min(4, max(1, 3 - math.floor(math.log10(abs(x)))))
        return format_decimal(x, format="#,##0." + "#" * decimals, locale=LOCALES[language])

    num.interval_sep = "; " if language == "sv" else ", "  # ISO 80000-2 with a decimal comma
    return num


def localized_evidence(results: list[ClaimResult], language: str) -> dict[tuple[str, str], str]:
    """(report, claim id) -> the evidence in words with numbers in the report's language."""
    num = number_formatter(language)
    out = {}
    for res in results:
        many = len(res.readings) > 1
        out[(res.source, res.claim["id"])] = " | ".join(
            (f"{r.label}: " if many else "") + evidence_text(r, num) for r in res.readings
        )
    return out


def _block(t: dict, row: pd.Series, language: str) -> list[str]:
    lines = [f"**{row['id']}** — {_where(t, row)}: {row['claim']}", ""]
    lines.append(f"- {t['printed']}: “{row['printed']}”")
    if row["formula"]:
        lines.append(f"- {t['formula']}: `{row['formula']}`")
    if row["groups"] > 1 and row["groups_inconsistent"]:
        lines.append(f"- {t['groups_failed'].format(bad=row['groups_inconsistent'], n=row['groups'])}")
    if row["readings"]:
        lines.append(f"- {t['readings']}: {row['readings']}")
    if row["evidence"]:
        lines.append(f"- {t['evidence']}: {row['evidence']}")
    if not math.isnan(row["gap"]) and row["verdict"] == "inconsistent":
        lines.append(f"- {t['gap']}: {number_formatter(language)(row['gap'])}")
    for key in ("missing", "explanation", "note"):
        if row[key]:
            lines.append(f"- {t[key]}: {row[key]}")
    return [*lines, ""]


def claims_markdown(claims: pd.DataFrame, results: list[ClaimResult], standalone: pd.DataFrame, language: str) -> str:
    """reports/claims.md: summary counts, the inconsistent, ambiguous and not reproducible
    claims with their evidence, the cross-source pairs, every claim, the standalone facts."""
    t = TEXT[language]
    evidence = localized_evidence(results, language)
    claims = claims.assign(evidence=[evidence[(r, i)] for r, i in zip(claims["report"], claims["id"], strict=True)])
    out = [f"# {t['title']}", "", t["intro"], "", t["method"], "", f"## {t['summary']}", ""]
    counts = summary(claims)
    rows = [
        [r["report"], t[r["kind"]]] + [str(int(r[v])) for v in VERDICTS] + [str(int(r["total"]))]
        for _, r in counts.iterrows()
    ]
    totals = [str(int(counts[v].sum())) for v in VERDICTS] + [str(int(counts["total"].sum()))]
    rows.append([f"**{t['total']}**", "", *totals])
    header = [t["report"], t["kind"]] + [t["verdicts"][v] for v in VERDICTS] + [t["total"]]
    out += [md_table(header, rows, numeric=set(range(2, 3 + len(VERDICTS)))), ""]
    text_claims = claims[claims["kind"] == "claim"]
    for verdict, title in (
        ("inconsistent", "inconsistent_title"),
        ("ambiguous", "ambiguous_title"),
        ("not reproducible", "missing_title"),
    ):
        out += [f"## {t[title]}", ""]
        chosen = text_claims[text_claims["verdict"] == verdict]
        if chosen.empty:
            out += [t["none"], ""]
        for _, row in chosen.iterrows():
            out += _block(t, row, language)
    out += [f"## {t['cross_title']}", ""]
    cross = claims[claims["kind"] == "cross_source"]
    if cross.empty:
        out += [t["none"], ""]
    for _, row in cross.iterrows():
        out += _block(t, row, language)
    out += [f"## {t['all_title']}", ""]
    order = {v: i for i, v in enumerate(VERDICTS)}
    ranked = claims.assign(_o=claims["verdict"].map(order)).sort_values(["_o", "report"], kind="stable")
    rows = [
        [f"`{r['id']}`", _where(t, r), r["printed"], _verdict(t, r), r["evidence"].replace("|", "/")]
        for _, r in ranked.iterrows()
    ]
    out += [md_table([t["id"], t["location"], t["printed"], t["verdict"], t["evidence"]], rows), ""]
    out += [f"## {t['standalone_title']}", "", t["standalone_text"], ""]
    if standalone.empty:
        out += [t["none"], ""]
    else:
        rows = [[r["report"], f"`{r['fact']}`", r["printed"], r["location"]] for _, r in standalone.iterrows()]
        out += [md_table([t["report"], t["fact"], t["value"], t["location"]], rows), ""]
    return "\n".join(out).rstrip("\n") + "\n"
