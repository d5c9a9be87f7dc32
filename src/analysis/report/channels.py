"""The channel-shift section: reports/arbetsformedlingen.md from the result tables.

Rows for the template ``channels.md.j2`` are built here from the tables of the
``channels`` analysis, the source's facts (readable labels: a fact's ``description``,
or ``description_sv`` in Swedish) and its codebook (Tabell 1 labels). The template holds
the sentences; the words inside table cells (verdicts, units, indicator names) are
``_()`` calls below. :func:`captions` is shared with the figures job
(:mod:`analysis.report.channels_figures`), so the Markdown quotes the captions the
figures draw. Light on import: no matplotlib, scipy or statsmodels.
"""

from __future__ import annotations

import pandas as pd

from analysis.channels import TABLES
from analysis.core.i18n import fmt_number
from analysis.core.stage import stage_run
from analysis.report.markdown import write_markdown
from analysis.report.render import catalog_path, render, translations


def N_(text: str) -> str:
    """Mark ``text`` for extraction into the catalog; it is translated where it is shown."""
    return text


# Fact units (facts.csv ``unit``) as a reader sees them after a number.
UNITS = {
    "hours": N_("hours"),
    "SEK_million": N_("SEK million"),
    "SEK_per_hour": N_("SEK per hour"),
    "minutes": N_("minutes"),
    "calls": N_("calls"),
    "visits": N_("visits"),
    "units": N_("units"),
    "reports": N_("reports"),
    "registrations": N_("registrations"),
    "transfers": N_("transfers"),
    "staff": N_("staff"),
    "percent": N_("%"),
}

VERDICTS = {
    "reproduced": N_("reproduced"),
    "reproduced within input rounding": N_("within input rounding"),
    "not reproduced": N_("**not reproduced**"),
}

# The indicators table names each indicator and its note in English (its text is part
# of the result table); these are the same texts as messages to translate.
INDICATORS = {
    "direct registration share, August 2019": N_("direct registration share, August 2019"),
    "digital share of activity reports, Jan-Aug 2019": N_("digital share of activity reports, Jan-Aug 2019"),
    "answered share of PDM activity-report calls": N_("answered share of PDM activity-report calls"),
    "automatic review, actual / planned": N_("automatic review, actual / planned"),
    "transfers VO Direkt -> local per transfer local -> PDM": N_(
        "transfers VO Direkt -> local per transfer local -> PDM"
    ),
    "VO Direkt share of customer-facing staff, January": N_("VO Direkt share of customer-facing staff, January"),
    "VO Direkt share of customer-facing staff, August": N_("VO Direkt share of customer-facing staff, August"),
    "customer-facing staff, change January-August": N_("customer-facing staff, change January-August"),
    "VO Direkt staff, change January-August": N_("VO Direkt staff, change January-August"),
    "net transfers to local offices, Jan-Aug 2019": N_("net transfers to local offices, Jan-Aug 2019"),
    "local staff (total - VO Direkt), change January-August": N_(
        "local staff (total - VO Direkt), change January-August"
    ),
    "VO Direkt job seekers, week 35 / week 5": N_("VO Direkt job seekers, week 35 / week 5"),
}
JOB_SEEKER_SHARE = "VO Direkt share of job seekers, "

NOTES = {
    "printed as 85 %": N_("printed as 85 %"),
    "printed as 'över 90' and 'närmare 92' %": N_("printed as 'över 90' and 'närmare 92' %"),
    "printed as 12 %": N_("printed as 12 %"),
    "printed as 17 %": N_("printed as 17 %"),
    "printed as -17 %": N_("printed as -17 %"),
    "printed as 'cirka 15' %": N_("printed as 'cirka 15' %"),
    "printed as -22 %": N_("printed as -22 %"),
    "printed as 6 % (week 5) and 10 % (week 35)": N_("printed as 6 % (week 5) and 10 % (week 35)"),
    "printed as 'i det närmaste fördubblats'": N_("printed as 'i det närmaste fördubblats'"),
}

# Organisations of the staff table (as the analysis names them).
ORGANISATIONS = {
    "VO Direkt": "VO Direkt",
    "local (VO Arbetssökande and VO Arbetsgivare)": N_("local (VO Arbetssökande and VO Arbetsgivare)"),
}

MONTHS = {"2019-01": N_("January 2019"), "2019-08": N_("August 2019")}


def translate(mapping: dict[str, str], text: str, _) -> str:
    """The translation of a known text of a result table; unknown text as it is."""
    return _(mapping[text]) if text in mapping else text


def minus(x: float, language: str, decimals: int = 0) -> str:
    """A magnitude with a real minus sign in front: '−20'."""
    return "−" + fmt_number(abs(x), language, decimals)


def captions(_, settings: dict, language: str) -> dict[str, str]:
    """Caption of every figure, keyed as ``analysis.channels.FIGURES`` (both jobs use it).

    Each says where its data come from and whether it redraws a figure of the source (the
    source's Figur 1-4 print no data, so none of them can be redrawn)."""
    lo, hi = settings["sensitivity_range"]
    return {
        "composition": _(
            "Source: Arbetsförmedlingen 2019, Analys 2019:14, Tabell 1 (printed shares). Drawn from the table; "
            "the source has no figure of these data."
        ),
        "transfers": _(
            "Source: Arbetsförmedlingen 2019, Analys 2019:14, section on transfers between channels (printed "
            "totals for January–August). Not a redrawing of the source's Figur 4 (transfers per week), whose "
            "data are not printed."
        ),
        "staff": _(
            "Source: Arbetsförmedlingen 2019, Analys 2019:14, section on staff and footnote 40 (printed counts). "
            "Local = total − VO Direkt. The source has no figure of these data."
        ),
        "cost_model": _(
            "Source: Arbetsförmedlingen 2019, Analys 2019:14; the estimates written out in "
            "data/raw/arbetsformedlingen_2019/cost_model.yaml. Each estimate computed from the printed inputs, "
            "over its printed value; bars: interval from the rounding of the inputs. Blue: reproduced; orange: "
            "within input rounding; red: not reproduced. The source has no figure of these data."
        ),
        "tornado": _(
            "Source: as the cost model. Bars: change of an estimate when one of its inputs moves from %(lo)s %% "
            "to +%(hi)s %%, for the pairs of estimate and input with the largest changes; the last bar pools all "
            "other pairs. Diamonds: the report's own alternative values. The source has no figure of these data."
        )
        % {"lo": minus(100 * lo, language), "hi": fmt_number(100 * abs(hi), language, 0)},
    }


# -- labels ---------------------------------------------------------------------------


def text(value) -> str:
    """A text cell of a table: missing (None, NaN) is empty."""
    return value if isinstance(value, str) else ""


def sv(row, column: str, language: str) -> str:
    """``<column>_sv`` of a row in Swedish when given, else ``<column>``."""
    return (text(row.get(f"{column}_sv")) if language == "sv" else "") or text(row.get(column))


def fact_labels(facts: pd.DataFrame, language: str) -> dict[str, str]:
    """A readable label of every fact: its description (Swedish when available)."""
    return {r["id"]: sv(r, "description", language) for r in facts.to_dict("records")}


def estimate_labels(model: pd.DataFrame, facts: dict[str, str]) -> dict[str, str]:
    """Each estimate labelled by the description of the printed figure it reproduces."""
    return {r.estimate: facts.get(r.printed_fact, r.estimate.replace("_", " ")) for r in model.itertuples()}


def unit(name: str, _) -> str:
    return _(UNITS[name]) if name in UNITS else name.replace("_", " ")


def with_unit(shown: str, unit_name: str, _) -> str:
    """A printed value followed by its unit: '28 000 reports', '60 %'."""
    return f"{shown} {unit(unit_name, _)}"


def codebook_names(codebook: pd.DataFrame, table_id: str, language: str) -> dict[str, str]:
    """Printed labels of a table -> label shown (as printed in Swedish, label_en in English)."""
    cb = codebook[codebook["table_id"] == table_id]
    return {r.label: (r.label if language == "sv" else r.label_en) for r in cb.itertuples()}


# -- rows -----------------------------------------------------------------------------


def _decimals(v: float) -> int:
    return 2 if abs(v) < 100 else 0


def interval(lo: float, hi: float, language: str, decimals: int) -> str:
    """An interval '[lo; hi]': the ends are separated by a semicolon in both languages,
    since a comma is the decimal mark in Swedish and the group separator in English."""
    return f"[{fmt_number(lo, language, decimals)}; {fmt_number(hi, language, decimals)}]"


def value_decimals(printed: str) -> int:
    """Decimals of a number as printed ('4,5' -> 1, '28 000' -> 0)."""
    return len(printed.split(",")[1].strip()) if "," in printed else 0


def printed_text(qualifier: str, printed: str, value: float, language: str) -> str:
    """A printed figure in the report's number format, its Swedish qualifier in italics."""
    number = fmt_number(value, language, value_decimals(str(printed)))
    return f"*{qualifier}* {number}" if qualifier else number


def cost_model_rows(model: pd.DataFrame, labels: dict[str, str], _, language: str) -> list[list[str]]:
    """Printed value, computed value with its interval, the verdict of each estimate, and
    whether one of its choices was made because it reproduces the printed figure."""
    rows = []
    for r in model.itertuples():
        d = _decimals(r.computed)
        printed = printed_text(r.qualifier, r.printed, r.printed_value, language) + f" {unit(r.unit, _)}"
        rows.append(
            [
                labels[r.estimate],
                printed,
                fmt_number(r.computed, language, d),
                interval(r.computed_lo, r.computed_hi, language, d),
                translate(VERDICTS, r.verdict, _),
                _("chosen to reproduce it") if r.chosen_to_reproduce else "",
            ]
        )
    return rows


def allocation_rows(alloc: pd.DataFrame, labels: dict[str, str], _, language: str) -> list[list[str]]:
    """Every open choice of the model: the choice made (first) and its alternatives, each
    with the value it gives and its verdict."""
    basis = {"reproduces": _("chosen because it reproduces the printed figure"), "assumed": _("assumed")}
    rows = []
    for r in alloc.to_dict("records"):
        d = _decimals(r["computed"])
        first = r["variant"] == 0
        rows.append(
            [
                labels.get(r["estimate"], r["estimate"]) if first else "",
                sv(r, "what", language) if first else "",
                (basis[r["basis"]] if first else _("alternative")),
                sv(r, "label", language),
                fmt_number(r["computed"], language, d),
                interval(r["computed_lo"], r["computed_hi"], language, d),
                translate(VERDICTS, r["verdict"], _),
            ]
        )
    return rows


def assumptions(factors: pd.DataFrame, units: dict[str, str], facts: pd.DataFrame, language: str, _) -> dict[str, str]:
    """Per estimate, the stated assumption of each factor: '28,000 reports: footnote 24; ...'."""
    f = facts.set_index("id")
    out = {}
    for est, sub in factors.groupby("estimate", sort=False):
        texts = []
        for r in sub.to_dict("records"):
            if not text(r["why"]):
                continue
            if r["fact"]:
                fr = f.loc[r["fact"]]
                shown = printed_text(fr["qualifier"], fr["printed"], float(r["value"]), language)
                what = f"{shown} {unit(units[r['fact']], _)}"
            else:
                what = f"{fmt_number(r['value'], language)} ({sv(r, 'name', language)})"
            texts.append(f"{what}: {sv(r, 'why', language)}")
        out[est] = "; ".join(dict.fromkeys(texts))
    return out


def formula_text(sub: pd.DataFrame, facts: pd.DataFrame, language: str) -> str:
    """An estimate written out with its printed inputs in the report's number format:
    '(28,000 × 5 / 60) − (...)'."""
    f = facts.set_index("id")
    terms = []
    for (_t, sign), fs in sub.groupby(["term", "sign"], sort=False):
        parts = []
        for r in fs.to_dict("records"):
            if r["fact"]:
                fr = f.loc[r["fact"]]
                shown = printed_text(fr["qualifier"], fr["printed"], float(r["value"]), language)
            else:
                shown = fmt_number(r["value"], language)
            parts.append(("/ " if r["divide"] else "× ") + shown)
        body = " ".join(parts)[2:]
        terms.append(("− " if sign < 0 else "+ ") + f"({body})")
    return " ".join(terms).removeprefix("+ ")


def formula_rows(
    model: pd.DataFrame,
    factors: pd.DataFrame,
    facts: pd.DataFrame,
    labels: dict[str, str],
    units: dict[str, str],
    language: str,
    _,
) -> list[list[str]]:
    """Each estimate written out with the printed inputs, and its assumptions."""
    why = assumptions(factors, units, facts, language, _)
    by = {est: sub for est, sub in factors.groupby("estimate", sort=False)}
    return [
        [labels[r.estimate], formula_text(by[r.estimate], facts, language), why.get(r.estimate, "")]
        for r in model.itertuples()
    ]


def sensitivity_rows(
    sens: pd.DataFrame,
    labels: dict[str, str],
    facts: pd.DataFrame,
    language: str,
    _,
) -> list[list[str]]:
    """Per estimate: the most influential input, the range of results and the result
    under each of the report's own alternative values ('320 SEK per hour → 289 SEK per
    hour: -9.7 %')."""
    names = fact_labels(facts, language)
    f = facts.set_index("id")

    def shown(fid):
        r = f.loc[fid]
        return printed_text(r["qualifier"], r["printed"], float(r["value"]), language) + f" {unit(r['unit'], _)}"

    rows = []
    for est, sub in sens.groupby("estimate", sort=False):
        alternative = sub["variation"].str.startswith("alternative")
        ranged, alts = sub[~alternative], sub[alternative]
        top = ranged.loc[ranged["change_pct"].abs().idxmax()]
        alt_text = "; ".join(
            f"{shown(a.fact)} → {shown(a.variation.split(': ')[1])}: {fmt_number(a.change_pct, language, 1)} %"
            for a in alts.itertuples()
        )
        d = _decimals(sub["result"].abs().max())
        rows.append(
            [
                labels[est],
                names.get(top["fact"], top["fact"]),
                interval(sub["result"].min(), sub["result"].max(), language, d),
                alt_text,
            ]
        )
    return rows


CONCLUSIONS = {
    "beyond sampling": N_("beyond sampling noise whatever the overlap"),
    "within sampling": N_("within sampling noise whatever the overlap"),
    "depends on the overlap": N_("cannot be tested: depends on the overlap"),
}


def difference_rows(diff: pd.DataFrame, names: dict[str, str], language: str) -> list[list[str]]:
    """Direct minus local share of each subgroup and week: rounding and combined interval."""
    n = lambda x: fmt_number(x, language, 1)  # noqa: E731
    return [
        [
            names.get(r.group, r.group),
            names.get(r.week, r.week),
            n(r.share_direct),
            n(r.share_local),
            n(r.diff_pp),
            interval(r.rounding_lo, r.rounding_hi, language, 2),
            interval(r.lower, r.upper, language, 2),
        ]
        for r in diff.itertuples()
    ]


def change_rows(changes: pd.DataFrame, names: dict[str, str], language: str, _) -> list[list[str]]:
    """Week 5 to week 35 within each organisation: the change, its rounding interval, the
    narrowest and widest sampling intervals any overlap allows, and the conclusion."""
    return [
        [
            names.get(r.group, r.group),
            names.get(r.organisation, r.organisation),
            fmt_number(r.change_pp, language, 1),
            interval(r.rounding_lo, r.rounding_hi, language, 2),
            interval(r.narrowest_lo, r.narrowest_hi, language, 2),
            interval(r.widest_lo, r.widest_hi, language, 2),
            translate(CONCLUSIONS, r.conclusion, _),
        ]
        for r in changes.itertuples()
    ]


def indicator_name(text: str, _) -> str:
    if text.startswith(JOB_SEEKER_SHARE):
        return _("VO Direkt share of job seekers, %(week)s") % {"week": text[len(JOB_SEEKER_SHARE) :]}
    return translate(INDICATORS, text, _)


INDICATOR_DECIMALS = {"percent": 1, "percent change": 1, "ratio": 2, "transfers": 0}


def indicator_rows(ind: pd.DataFrame, language: str, _) -> list[list[str]]:
    """Each channel indicator with its interval, inputs and what the report printed."""
    rows = []
    for r in ind.itertuples():
        d = INDICATOR_DECIMALS.get(r.unit, 2)
        ci = "" if r.lower != r.lower else interval(r.lower, r.upper, language, d)
        op = " − " if r.unit == "transfers" else " / "
        inputs = fmt_number(r.numerator, language) + op + fmt_number(r.denominator, language)
        rows.append(
            [indicator_name(r.indicator, _), fmt_number(r.value, language, d), ci, inputs, translate(NOTES, r.note, _)]
        )
    return rows


def staff_rows(staff: pd.DataFrame, language: str, _) -> list[list[str]]:
    return [
        [
            translate(MONTHS, r.month, _),
            translate(ORGANISATIONS, r.organisation, _),
            fmt_number(r.staff, language, 0),
            fmt_number(r.share, language, 1),
        ]
        for r in staff.itertuples()
    ]


# -- stage ----------------------------------------------------------------------------


def context(frames: dict[str, pd.DataFrame], settings: dict, language: str, figures: dict[str, str], _) -> dict:
    """Everything the template ``channels.md.j2`` shows, formatted for ``language``."""
    facts, model = frames["facts"], frames["cost_model"]
    labels = estimate_labels(model, fact_labels(facts, language))
    units = dict(zip(facts["id"], facts["unit"], strict=True))
    names = codebook_names(frames["codebook"], settings["composition_table"], language)
    w = frames["weighted_mean"]
    lo, hi = settings["sensitivity_range"]
    shares = frames["shares"]
    changes = frames["week_changes"]
    return {
        "example": {k: fmt_number(v, language, 0) for k, v in (("v", 28000), ("lo", 27500), ("hi", 28500))},
        "model": cost_model_rows(model, labels, _, language),
        "formulas": formula_rows(model, frames["factors"], facts, labels, units, language, _),
        "allocations": allocation_rows(frames["allocations"], labels, _, language),
        "n_reproduce": fmt_number(int(model["chosen_to_reproduce"].sum()), language, 0),
        "sensitivity": sensitivity_rows(frames["sensitivity"], labels, facts, language, _),
        "range_lo": minus(100 * lo, language),
        "range_hi": fmt_number(100 * abs(hi), language, 0),
        "confidence": fmt_number(100 * settings["confidence"], language, 0) + " %",
        "direct": names.get(settings["direct"], settings["direct"]),
        "local": names.get(settings["local"], settings["local"]),
        "differences": difference_rows(frames["org_differences"], names, language),
        "changes": change_rows(changes, names, language, _),
        "n_shares": fmt_number(len(shares), language, 0),
        "n_rounding_half": fmt_number(int((shares["rounding_fraction"] >= 0.5).sum()), language, 0),
        "max_rounding": fmt_number(100 * shares["rounding_fraction"].max(), language, 0) + " %",
        "n_changes": fmt_number(len(changes), language, 0),
        "n_beyond": fmt_number(int((changes["conclusion"] == "beyond sampling").sum()), language, 0),
        "n_depends": fmt_number(int((changes["conclusion"] == "depends on the overlap").sum()), language, 0),
        "n_within": fmt_number(int((changes["conclusion"] == "within sampling").sum()), language, 0),
        "holds": fmt_number(int(w["holds"].sum()), language, 0),
        "checked": fmt_number(len(w), language, 0),
        "indicators": indicator_rows(frames["indicators"], language, _),
        "staff": staff_rows(frames["staff"], language, _),
        "figures": figures,
        "captions": captions(_, settings, language),
    }


def run(input, output, params, log=None) -> None:
    """Stage: result tables, facts and codebook -> ``output.md`` (template ``input.template``).

    ``params.figures`` maps a figure key to its path relative to reports/.
    """
    with stage_run("report_channels", output, log) as record:
        frames = {}
        for name in (*TABLES, "facts", "codebook"):
            frames[name] = pd.read_parquet(getattr(input, name))
            record.read(getattr(input, name), frames[name])
        language = params.language
        trans = translations(language, catalog_path(input.catalogs))
        ctx = context(frames, params.settings, language, dict(params.figures), trans.gettext)
        write_markdown(render(input.template, language, trans, **ctx), output.md, output.part, record)
