"""The claims-audit section: reports/claims.md from the audit's result tables.

Everything the section shows comes from the tables of rule ``claims`` (see
:mod:`analysis.claims.audit`): the claims with their verdicts, and the readings, evidence,
listed values and computations as data, which this module puts into words in the
report's language (``_()``: domain ``claims``; numbers through Babel). The template
``claims.md.j2`` holds the section's headings and sentences.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable

import pandas as pd
from babel.numbers import format_decimal, get_minus_sign_symbol

from analysis.claims import REPORT_TABLES, VERDICTS
from analysis.core.i18n import LOCALES, fmt_number
from analysis.core.stage import stage_run
from analysis.report.markdown import write_markdown
from analysis.report.render import catalog_path, render, translations

Gettext = Callable[[str], str]


# -- numbers ------------------------------------------------------------------------------


def _babel(pattern: str | None, language: str) -> Callable[[float], str]:
    locale = LOCALES[language]
    minus = get_minus_sign_symbol(locale)

    def fmt(x: float, pattern=pattern) -> str:
        if math.isnan(x):
            return "–"
        if math.isinf(x):
            return "∞" if x > 0 else "−∞"
        if callable(pattern):
            pattern = pattern(x)
        return format_decimal(x, format=pattern, locale=locale).replace("-", minus)

    return fmt


def number_formatter(language: str) -> Callable[[float], str]:
    """Numbers in the evidence: about four significant digits, in the report's language."""

    def pattern(x: float) -> str:
        decimals = 0 if x == 0 else min(4, max(1, 3 - math.floor(math.log10(abs(x)))))
        return "#,##0." + "#" * decimals

    return _babel(pattern, language)


def formula_formatter(language: str) -> Callable[[float], str]:
    """Numbers in a computation: up to six significant digits, no grouping."""
    return _babel("@#####", language)


def interval(lo: float, hi: float, num, language: str, open_lo: bool = False, open_hi: bool = False) -> str:
    """An interval with its ends separated by '; ' in every language: a comma is the decimal
    mark in Swedish (ISO 80000-2) and the group separator in English ('[137,325; 137,475]')."""
    return f"{'(' if open_lo else '['}{num(lo)}; {num(hi)}{')' if open_hi else ']'}"


# -- words ---------------------------------------------------------------------------------


def verdict_name(verdict: str, _: Gettext) -> str:
    names = {
        "consistent": _("consistent"),
        "inconsistent": _("inconsistent"),
        "not reproducible": _("not reproducible"),
        "ambiguous": _("ambiguous"),
    }
    return names[verdict]


def basis_name(basis: str, _: Gettext) -> str:
    return {"point": _("point"), "input rounding": _("input rounding")}.get(basis, basis)


def kind_name(kind: str, _: Gettext) -> str:
    return {"claim": _("claims in the text"), "cross_source": _("same statistic printed twice")}[kind]


def verdict_text(verdict: str, basis: str, _: Gettext) -> str:
    """'consistent (point)': the verdict with its basis, if any."""
    return f"{verdict_name(verdict, _)} ({basis_name(basis, _)})" if basis else verdict_name(verdict, _)


def where(claim: dict, language: str, _: Gettext) -> str:
    """'report, location (line n)': the report as a reader names it (``report_name``) and in
    Swedish the register's ``location_sv``, if any."""
    location = (claim.get("location_sv") or claim["location"]) if language == "sv" else claim["location"]
    values = {"report": claim.get("report_name") or claim["report"], "location": location, "line": claim["seed_line"]}
    first, last = claim.get("page"), claim.get("page_last")
    if first is None or pd.isna(first):
        return _("%(report)s, %(location)s (line %(line)s)") % values
    if last is None or pd.isna(last) or int(last) == int(first):
        return _("%(report)s, p. %(page)s, %(location)s (line %(line)s)") % {**values, "page": int(first)}
    pages = f"{int(first)}\u2013{int(last)}"
    return _("%(report)s, pp. %(pages)s, %(location)s (line %(line)s)") % {**values, "pages": pages}


def fact_location(location: str, _: Gettext) -> str:
    """A fact's location as facts.csv gives it ('Chapter 2, footnote 6'), its fixed English
    words in the report's language; printed titles and numbers stay as they are."""
    words = {
        "case loads at the observed offices": _("case loads at the observed offices"),
        "interview quote": _("interview quote"),
        "note to": _("note to"),
        "titles of": _("titles of"),
        "introduction": _("introduction"),
        "footnotes": _("footnotes"),
        "footnote": _("footnote"),
        "chapter": _("chapter"),
        "diagnoses": _("diagnoses"),
        "summary": _("summary"),
        "area": _("area"),
        "and": _("and"),
    }

    def swap(m: re.Match) -> str:
        text = words[m.group(0).lower()]
        return text[:1].upper() + text[1:] if m.group(0)[0].isupper() else text

    return re.sub(r"\b(?:" + "|".join(words) + r")\b", swap, location, flags=re.IGNORECASE)


def group_evidence(e: dict, items: list[dict], language: str, _: Gettext, num=None) -> str:
    """One group's evidence in words: recomputed against claimed, a ranking, a comparison...
    (a row of ``claims_evidence`` and its rows of ``claims_items``; ``num`` formats numbers,
    by default :func:`number_formatter`)."""
    num = num or number_formatter(language)
    listed = ", ".join(f"{i['label']} {num(i['value'])}" for i in items)
    form = e["form"]
    if form == "interval":
        values = {
            "computed": num(e["computed"]),
            "interval": interval(e["computed_lo"], e["computed_hi"], num, language),
            "claimed": interval(
                e["claimed_lo"], e["claimed_hi"], num, language, e["claimed_lo_open"], e["claimed_hi_open"]
            ),
            "gap": num(e["gap"]),
        }
        if e["verdict"] == "inconsistent":
            text = _("%(computed)s in %(interval)s vs %(claimed)s, gap %(gap)s") % values
        else:
            text = _("%(computed)s in %(interval)s vs %(claimed)s") % values
    elif form == "highest_first":
        text = _("highest first: %(values)s") % {"values": listed}
    elif form == "lowest_first":
        text = _("lowest first: %(values)s") % {"values": listed}
    elif form == "rank":
        text = _("order: %(order)s; '%(label)s' is #%(rank)s, claimed #%(position)s") % {
            "order": " > ".join(i["label"] for i in items),
            "label": e["label"],
            "rank": e["rank"],
            "position": e["position"],
        }
    elif form in ("greater", "less"):
        first, second = items
        text = f"{num(first['value'])} {'>' if form == 'greater' else '<'} {num(second['value'])}"
    elif form == "trend":
        first, second = items
        text = f"{first['label']} {num(first['value'])} → {second['label']} {num(second['value'])}"
    elif form == "similar":
        text = _("spread %(spread)s (allowed %(within)s): %(values)s") % {
            "spread": num(e["computed"]),
            "within": num(e["within"]),
            "values": listed,
        }
    else:  # not_available
        text = _("%(table)s line %(line)s is printed as '%(printed)s'") % {
            "table": e["cell_table"],
            "line": e["cell_line"],
            "printed": e["cell_printed"],
        }
    label = e["label"]
    if form in ("greater", "less") and label == " vs ".join(i["label"] for i in items):
        # every pair of two grouped inputs: the pair's labels, left first
        label = _("%(left)s vs %(right)s") % {"left": items[0]["label"], "right": items[1]["label"]}
    return f"{label}: {text}" if label else text


def formula(terms: list[dict], language: str, _: Gettext, num=None, readable: bool = False) -> str:
    """A reading's computation (its rows of ``claims_terms``) in the register's notation;
    with ``readable``, facts, tables and cost-model estimates are named as a reader knows
    them (``display``, ``display_sv`` in Swedish) instead of by their ids."""
    num = num or formula_formatter(language)

    def named(t: dict) -> str:
        if readable:
            shown = t.get("display_sv") if language == "sv" else t.get("display")
            if isinstance(shown, str) and shown:
                return shown
        return t["name"]

    children = defaultdict(list)
    for t in terms:
        children[t["parent"]].append(t)

    def text(t: dict) -> str:
        kids = children[t["term"]]
        kind = t["kind"]
        if kind == "op":
            if not kids:
                return t["name"]
            per = _(", per %(per)s") % {"per": t["per"]} if t["per"] else ""
            return f"{t['name']}({'; '.join(text(c) for c in kids)}{per})"
        if kind == "table":
            label = f"{named(t)}[{t['where']}]" + (f" ({t['source']})" if t["source"] else "")
            if t["by"]:
                return _("%(table)s by %(column)s") % {"table": label, "column": t["by"]}
            return f"{label} = {num(t['value'])}"
        if kind == "facts":
            return "{" + "; ".join(f"{c['label']}: {text(c)}" for c in kids) + "}"
        if kind == "fact":
            return f"{named(t)} = {t['printed']}"
        if kind == "const":
            name = t["label"] or _("constant")
            return f"{t['name']} ({name})"
        return _("cost model %(estimate)s: %(formula)s") % {"estimate": named(t), "formula": t["printed"]}

    return text(children[0][0]) if children[0] else ""


# -- the section ---------------------------------------------------------------------------


def _grouped(frame: pd.DataFrame, keys: list[str]) -> dict[tuple, list[dict]]:
    out: dict[tuple, list[dict]] = defaultdict(list)
    for row in frame.to_dict("records"):
        out[tuple(row[k] for k in keys)].append(row)
    return out


def report_names(claims: pd.DataFrame) -> dict[str, str]:
    """Report id -> the name a reader knows ('Riksrevisionen 2022'), from ``report_name``."""
    if "report_name" not in claims:
        return {}
    return {r: n for r, n in zip(claims["report"], claims["report_name"], strict=True) if isinstance(n, str) and n}


def summary_rows(claims: pd.DataFrame, language: str, _: Gettext) -> list[list[str]]:
    """Claims per verdict per report and kind, with a total row."""

    def n(x) -> str:
        return fmt_number(int(x), language, 0)

    names = report_names(claims)
    counts = claims.groupby(["report", "kind", "verdict"]).size().unstack("verdict", fill_value=0)
    counts = counts.reindex(columns=list(VERDICTS), fill_value=0)
    counts["total"] = counts.sum(axis=1)
    rows = [
        [names.get(report, report), kind_name(kind, _), *(n(c[v]) for v in VERDICTS), n(c["total"])]
        for (report, kind), c in counts.iterrows()
    ]
    total = _("Total")
    rows.append([f"**{total}**", "", *(n(counts[v].sum()) for v in VERDICTS), n(counts["total"].sum())])
    return rows


def section(frames: dict[str, pd.DataFrame], language: str, _: Gettext) -> dict:
    """What the template shows: the claims with their evidence in words, the summary, the
    table of every claim and the standalone facts."""
    num = number_formatter(language)
    readings = _grouped(frames["claims_readings"], ["report", "id"])
    evidence = _grouped(frames["claims_evidence"], ["report", "id", "reading"])
    items = _grouped(frames["claims_items"], ["report", "id", "reading", "group"])
    terms = _grouped(frames["claims_terms"], ["report", "id", "reading"])
    sv = language == "sv"
    claims = []
    for c in frames["claims"].to_dict("records"):
        key = (c["report"], c["id"])
        rs = [{**r, "label": (r["label_sv"] or r["label"]) if sv else r["label"]} for r in readings.get(key, [])]
        many = len(rs) > 1
        texts = []
        for r in rs:
            groups = [
                group_evidence(e, items.get((*key, r["reading"], e["group"]), []), language, _)
                for e in evidence.get((*key, r["reading"]), [])
            ]
            texts.append((f"{r['label']}: " if many else "") + "; ".join(groups))
        counted = [r for r in rs if not r["evidence_only"]] or rs
        shown_readings = []
        for r in rs:
            values = {"label": r["label"] or _("reading"), "verdict": verdict_name(r["verdict"], _)}
            if r["evidence_only"]:
                shown_readings.append(_("%(label)s: %(verdict)s (evidence only)") % values)
            else:
                shown_readings.append(f"{values['label']}: {values['verdict']}")
        claims.append(
            {
                **c,
                "where": where(c, language, _),
                "paraphrase": (c["claim_sv"] or c["claim"]) if sv else c["claim"],
                **{k: (c[f"{k}_sv"] or c[k]) if sv else c[k] for k in ("missing", "explanation", "note")},
                "formula": formula(terms.get((*key, counted[0]["reading"]), []), language, _, readable=True)
                if counted
                else "",
                "readings": "; ".join(shown_readings) if many else "",
                "evidence": " | ".join(texts),
                "gap_shown": num(c["gap"]) if c["verdict"] == "inconsistent" and not math.isnan(c["gap"]) else "",
                "verdict_text": verdict_text(c["verdict"], c["basis"], _),
            }
        )
    order = {v: i for i, v in enumerate(VERDICTS)}
    ranked = sorted(claims, key=lambda c: (order[c["verdict"]], c["report"]))
    every = [
        # the printed words are a quotation (Swedish number format in either language)
        [c["paraphrase"], c["where"], f"“{c['printed']}”", c["verdict_text"], c["evidence"].replace("|", "/")]
        for c in ranked
    ]
    names = report_names(frames["claims"])

    def described(r) -> str:
        d = getattr(r, "description_sv", "") if sv else ""
        return (d if isinstance(d, str) and d else "") or (
            r.description if isinstance(getattr(r, "description", ""), str) else ""
        )

    standalone = [
        [
            names.get(r.report, r.report),
            described(r),
            r.printed,
            fact_location(r.location, _) if sv else r.location,
        ]
        for r in frames["claims_standalone"].itertuples()
    ]
    text_claims = [c for c in claims if c["kind"] == "claim"]
    example = {"share": fmt_number(44.5, language, 1), "lo": fmt_number(44.45, language, 2)}
    example["hi"] = fmt_number(44.55, language, 2)
    return {
        "example": example,
        "summary": summary_rows(frames["claims"], language, _),
        "verdicts": [verdict_name(v, _) for v in VERDICTS],
        "inconsistent": [c for c in text_claims if c["verdict"] == "inconsistent"],
        "ambiguous": [c for c in text_claims if c["verdict"] == "ambiguous"],
        "not_reproducible": [c for c in text_claims if c["verdict"] == "not reproducible"],
        "cross_source": [c for c in claims if c["kind"] == "cross_source"],
        "every": every,
        "standalone": standalone,
    }


def run(input, output, params, log=None) -> None:
    """Stage: the audit's tables (``input.<name>`` for each of ``REPORT_TABLES``) and
    ``input.template`` -> ``output.md``, in ``params.language``."""
    with stage_run("report_claims", output, log) as record:
        frames = {}
        for name in REPORT_TABLES:
            frames[name] = pd.read_parquet(getattr(input, name))
            record.read(getattr(input, name), frames[name])
        language = params.language
        trans = translations(language, catalog_path(input.catalogs))
        text = render(input.template, language, trans, **section(frames, language, trans.gettext))
        write_markdown(text, output.md, output.part, record)
