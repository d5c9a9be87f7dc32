"""The channel-shift section: figures with captions and the Markdown of reports/arbetsformedlingen.md."""

from __future__ import annotations

import pandas as pd

from analysis.core.i18n import fmt_number
from analysis.report.markdown import md_table

TEXT = {
    "en": {
        "title": "Arbetsförmedlingen: channel shift and the business-case cost model (2019)",
        "intro": (
            "The report's savings and costs come from a business-case spreadsheet that is not published; "
            "the text gives volumes, minutes and hourly rates. This section writes every estimate out as "
            "volume × minutes × hourly cost × period from the printed figures, says which it reproduces, "
            "varies every input, and gives the channel statistics of Tabell 1 with intervals."
        ),
        "method": (
            "**Method.** A printed number stands for an interval: its rounding (a whole number keeps at "
            "least two significant digits: 28 000 means 27 500–28 500) widened by its qualifier "
            "(`intervals.qualifiers` in config.yaml, e.g. *omkring* ±5 %). An estimate is *reproduced* when "
            "the value computed from the printed inputs lies in the printed result's interval, *reproduced "
            "within input rounding* when only the intervals overlap, otherwise *not reproduced* (with the "
            "gap). No factor is tuned; assumptions the text does not settle are stated per factor. Shares "
            "of Tabell 1 are compared with Newcombe intervals (counts = share × N)."
        ),
        "model": "Printed and reproduced estimates",
        "estimate": "Estimate",
        "printed": "Printed",
        "computed": "Computed",
        "interval": "Interval from input rounding",
        "verdict": "Verdict",
        "formula": "Formula (printed inputs)",
        "assumptions": "Assumptions",
        "sensitivity": "Sensitivity",
        "sens_text": (
            "Largest change of each estimate when one input moves by {lo} / +{hi} %, and under the report's own "
            "alternative values."
        ),
        "largest": "Most influential input",
        "range": "Range of the result",
        "alternatives": "Alternatives",
        "composition": "Tabell 1: who is registered with VO Direkt",
        "comp_text": (
            "VO Direkt minus VO Arbetssökande/arbetsgivare, percentage points, with {conf} Newcombe intervals."
        ),
        "group": "Subgroup",
        "week": "Week",
        "difference": "Difference (pp)",
        "weighted": "The total column is the count-weighted mean of the two organisations in {holds} of {n} rows.",
        "indicators": "Channel indicators",
        "indicator": "Indicator",
        "value": "Value",
        "inputs": "Inputs",
        "note": "Note",
        "staff": "Customer-facing staff",
        "figure": "Figure",
        "fig_composition": "Subgroup shares by organisation, week 5 (open) and week 35 (filled)",
        "fig_transfers": "Transfers between channels, January–August 2019",
        "fig_staff": "Customer-facing staff, January and August 2019",
        "fig_model": "Estimates relative to the printed value",
        "fig_tornado": "Sensitivity of each estimate to its inputs",
        "share_of": "Share of the organisation's job seekers",
        "transfers_axis": "Job seekers moved",
        "staff_axis": "Staff",
        "model_axis": "Computed / printed (log scale); grey: printed interval",
        "change_axis": "Change of the estimate",
        "cap_composition": "Source: Arbetsförmedlingen 2019, Analys 2019:14, Tabell 1. Printed shares.",
        "cap_transfers": (
            "Source: Arbetsförmedlingen 2019, Analys 2019:14, section on transfers between channels. Printed counts."
        ),
        "cap_staff": (
            "Source: Arbetsförmedlingen 2019, Analys 2019:14, section on staff and footnote 40. "
            "Local = total − VO Direkt."
        ),
        "cap_model": (
            "Source: Arbetsförmedlingen 2019, Analys 2019:14. Each estimate computed from the printed inputs "
            "(config.yaml channels.estimates) over its printed value; bars: interval from the rounding of the inputs. "
            "Blue: reproduced; orange: within input rounding; red: not reproduced."
        ),
        "cap_tornado": (
            "Source: as the cost model. Bars: change of the estimate when one input moves by {lo} to +{hi} %; "
            "diamonds: the report's own alternative values."
        ),
        "direct_to_local": "VO Direkt → local offices",
        "local_to_pdm": "Local offices → PDM",
        "2019-01": "January 2019",
        "2019-08": "August 2019",
    },
    "sv": {
        "title": "Arbetsförmedlingen: kanalförflyttning och kalkylmodellen (2019)",
        "intro": (
            "Rapportens besparingar och kostnader kommer från en kalkylmodell som inte är publicerad; texten anger "
            "volymer, minuter och timkostnader. Avsnittet skriver ut varje skattning som volym × minuter × timkostnad "
            "× period ur de tryckta siffrorna, anger vilka som kan återskapas, varierar varje indata och ger "
            "kanalstatistiken i tabell 1 med intervall."
        ),
        "method": (
            "**Metod.** Ett tryckt tal står för ett intervall: dess avrundning (ett heltal behåller minst två "
            "värdesiffror: 28 000 betyder 27 500–28 500) vidgat med dess kvalificering (`intervals.qualifiers` i "
            "config.yaml, t.ex. *omkring* ±5 %). En skattning är *återskapad* när värdet beräknat ur de tryckta "
            "indata ligger i den tryckta siffrans intervall, *återskapad inom indatas avrundning* när bara "
            "intervallen överlappar, annars *inte återskapad* (med avståndet). Ingen faktor justeras; antaganden "
            "som texten inte avgör anges per faktor. Andelar i tabell 1 jämförs med Newcombe-intervall."
        ),
        "model": "Tryckta och återskapade skattningar",
        "estimate": "Skattning",
        "printed": "Tryckt",
        "computed": "Beräknat",
        "interval": "Intervall från indatas avrundning",
        "verdict": "Bedömning",
        "formula": "Formel (tryckta indata)",
        "assumptions": "Antaganden",
        "sensitivity": "Känslighet",
        "sens_text": (
            "Största förändringen av varje skattning när en indata ändras med {lo} / +{hi} %, och med rapportens "
            "egna alternativa värden."
        ),
        "largest": "Mest inflytelserika indata",
        "range": "Resultatets spann",
        "alternatives": "Alternativ",
        "composition": "Tabell 1: vilka som är inskrivna på VO Direkt",
        "comp_text": "VO Direkt minus VO Arbetssökande/arbetsgivare, procentenheter, med {conf} Newcombe-intervall.",
        "group": "Undergrupp",
        "week": "Vecka",
        "difference": "Skillnad (procentenheter)",
        "weighted": "Totalkolumnen är det antalsvägda medelvärdet av de två organisationerna i {holds} av {n} rader.",
        "indicators": "Kanalindikatorer",
        "indicator": "Indikator",
        "value": "Värde",
        "inputs": "Indata",
        "note": "Not",
        "staff": "Medarbetare som arbetar med kund",
        "figure": "Figur",
        "fig_composition": "Andelar per undergrupp och organisation, vecka 5 (ofyllt) och vecka 35 (fyllt)",
        "fig_transfers": "Överflyttningar mellan kanaler, januari–augusti 2019",
        "fig_staff": "Medarbetare som arbetar med kund, januari och augusti 2019",
        "fig_model": "Skattningar i förhållande till det tryckta värdet",
        "fig_tornado": "Varje skattnings känslighet för sina indata",
        "share_of": "Andel av organisationens arbetssökande",
        "transfers_axis": "Flyttade arbetssökande",
        "staff_axis": "Medarbetare",
        "model_axis": "Beräknat / tryckt (logaritmisk skala); grått: tryckt intervall",
        "change_axis": "Skattningens förändring",
        "cap_composition": "Källa: Arbetsförmedlingen 2019, Analys 2019:14, tabell 1. Tryckta andelar.",
        "cap_transfers": "Källa: Arbetsförmedlingen 2019, Analys 2019:14, avsnittet om överflyttningar. Tryckta antal.",
        "cap_staff": (
            "Källa: Arbetsförmedlingen 2019, Analys 2019:14, avsnittet om medarbetare och fotnot 40. "
            "Lokalt = totalt − VO Direkt."
        ),
        "cap_model": (
            "Källa: Arbetsförmedlingen 2019, Analys 2019:14. Varje skattning beräknad ur tryckta indata "
            "(config.yaml channels.estimates) delat med det tryckta värdet; streck: intervall från indatas avrundning. "
            "Blått: återskapad; orange: inom indatas avrundning; rött: inte återskapad."
        ),
        "cap_tornado": (
            "Källa: som kalkylmodellen. Staplar: skattningens förändring när en indata ändras med {lo} till +{hi} %; "
            "romber: rapportens egna alternativa värden."
        ),
        "direct_to_local": "VO Direkt → lokala kontor",
        "local_to_pdm": "Lokala kontor → PDM",
        "2019-01": "januari 2019",
        "2019-08": "augusti 2019",
    },
}

VERDICTS = {
    "en": {
        "reproduced": "reproduced",
        "reproduced within input rounding": "within input rounding",
        "not reproduced": "**not reproduced**",
    },
    "sv": {
        "reproduced": "återskapad",
        "reproduced within input rounding": "inom indatas avrundning",
        "not reproduced": "**inte återskapad**",
    },
}


def channels_figures(results: dict, tables: dict, facts: pd.DataFrame, codebook: pd.DataFrame, config: dict) -> dict:
    """{key: (Figure, caption)} for every key in :data:`FIGURES`."""
    from figures import channels as fc

    language, c = config["language"], config["channels"]
    T = TEXT[language]
    tid = c["composition_table"]
    en = dict(zip(zip(codebook["table_id"], codebook["label"], strict=True), codebook["label_en"], strict=True))
    lab = {label: (label if language == "sv" else en.get((tid, label), label)) for (t, label) in en if t == tid}
    lo, hi = (fmt_number(100 * abs(x), language, 0) for x in c["sensitivity_range"])
    out = {}
    labels = lab | {"title": T["fig_composition"], "xlabel": T["share_of"]}
    cap = T["cap_composition"]
    out["composition"] = (fc.composition_dots(tables[tid], c["direct"], c["local"], labels, cap, language), cap)
    fv = facts.set_index("id")["value"]
    values = pd.Series(
        {"direct_to_local": fv["transfers_direkt_to_local"], "local_to_pdm": fv["transfers_local_to_pdm"]}
    )
    cap = T["cap_transfers"]
    out["transfers"] = (
        fc.transfers(values, T | {"title": T["fig_transfers"], "xlabel": T["transfers_axis"]}, cap, language),
        cap,
    )
    staff = results["staff"]
    labels = T | {o: o for o in staff["organisation"]} | {"title": T["fig_staff"], "ylabel": T["staff_axis"]}
    cap = T["cap_staff"]
    out["staff"] = (fc.staff_shift(staff, labels, cap, language), cap)
    model = results["cost_model"]
    labels = {e: e.replace("_", " ") for e in model["estimate"]} | {"title": T["fig_model"], "xlabel": T["model_axis"]}
    cap = T["cap_model"]
    out["cost_model"] = (fc.printed_vs_reproduced(model, labels, cap, language), cap)
    labels = {e: e.replace("_", " ") for e in model["estimate"]} | {
        "title": T["fig_tornado"],
        "xlabel": T["change_axis"],
    }
    cap = T["cap_tornado"].format(lo=lo, hi=hi)
    out["tornado"] = (fc.tornado(results["sensitivity"], labels, cap, language), cap)
    return out


def channels_markdown(results: dict, codebook: pd.DataFrame, config: dict, figures: dict) -> str:
    """Markdown of the section; ``figures`` maps a key to (relative path, caption)."""
    language, c = config["language"], config["channels"]
    T, V = TEXT[language], VERDICTS[language]
    n = lambda x, d=0: fmt_number(x, language, d)  # noqa: E731

    def fig(key):
        path, cap = figures[key]
        return [f"![{cap}]({path})", "", f"*{T['figure']}: {cap}*", ""]

    def decimals(v):
        return 2 if abs(v) < 100 else 0

    out = [f"# {T['title']}", "", T["intro"], "", T["method"], ""]
    m = results["cost_model"]
    out += [f"## {T['model']}", ""]
    rows = []
    for r in m.itertuples():
        printed = f"{r.qualifier} {r.printed}".strip() + f" ({r.unit})"
        rows.append(
            [
                f"`{r.estimate}`",
                printed,
                n(r.computed, decimals(r.computed)),
                f"{n(r.computed_lo, decimals(r.computed))} – {n(r.computed_hi, decimals(r.computed))}",
                V[r.verdict],
            ]
        )
    out += [md_table([T["estimate"], T["printed"], T["computed"], T["interval"], T["verdict"]], rows, numeric={2}), ""]
    rows = [[f"`{r.estimate}`", r.formula, r.assumptions] for r in m.itertuples()]
    out += [md_table([T["estimate"], T["formula"], T["assumptions"]], rows), ""]
    out += fig("cost_model")

    s = results["sensitivity"]
    lo, hi = (n(100 * abs(x)) for x in c["sensitivity_range"])
    out += [f"## {T['sensitivity']}", "", T["sens_text"].format(lo=f"−{lo}", hi=hi), ""]
    rows = []
    for est, sub in s.groupby("estimate", sort=False):
        ranged = sub[~sub["variation"].str.startswith("alternative")]
        top = ranged.loc[ranged["change_pct"].abs().idxmax()]
        alts = sub[sub["variation"].str.startswith("alternative")]
        alt_text = "; ".join(
            f"{a.fact} → {a.variation.split(': ')[1]}: {n(a.change_pct, 1)} %" for a in alts.itertuples()
        )
        rows.append(
            [f"`{est}`", f"`{top['fact']}`", f"{n(sub['result'].min(), 2)} – {n(sub['result'].max(), 2)}", alt_text]
        )
    out += [md_table([T["estimate"], T["largest"], T["range"], T["alternatives"]], rows), ""]
    out += fig("tornado")

    out += [f"## {T['composition']}", "", T["comp_text"].format(conf=n(100 * c["confidence"]) + " %"), ""]
    comp = results["composition"]
    d = comp[comp["comparison"] == "direct_minus_local"]
    tid = c["composition_table"]
    en = dict(zip(zip(codebook["table_id"], codebook["label"], strict=True), codebook["label_en"], strict=True))
    name = lambda x: x if language == "sv" else en.get((tid, x), x)  # noqa: E731
    rows = [
        [
            name(r.group),
            r.where,
            n(r.share_a, 1),
            n(r.share_b, 1),
            n(r.diff_pp, 1),
            f"{n(r.lower_pp, 1)} – {n(r.upper_pp, 1)}",
        ]
        for r in d.itertuples()
    ]
    out += [
        md_table(
            [T["group"], T["week"], name(c["direct"]), name(c["local"]), T["difference"], "CI"], rows, numeric={2, 3, 4}
        ),
        "",
    ]
    w = results["weighted_mean"]
    out += [T["weighted"].format(holds=int(w["holds"].sum()), n=len(w)), ""]
    out += fig("composition")

    out += [f"## {T['indicators']}", ""]
    rows = []
    for r in results["indicators"].itertuples():
        ci = "" if r.lower != r.lower else f"{n(r.lower, 2)} – {n(r.upper, 2)}"
        rows.append([r.indicator, n(r.value, 2), ci, r.inputs, r.note])
    out += [md_table([T["indicator"], T["value"], "CI / interval", T["inputs"], T["note"]], rows, numeric={1}), ""]
    out += fig("transfers")
    st = results["staff"]
    rows = [[r.month, r.organisation, n(r.staff), n(r.share, 1)] for r in st.itertuples()]
    out += [f"## {T['staff']}", "", md_table(["", "", T["staff_axis"], "%"], rows, numeric={2, 3}), ""]
    out += fig("staff")
    return "\n".join(out)
