"""The claims audit as tables: evaluation of a register, the tidy result tables, the facts
no claim uses, and the tables of several audited reports combined.

Tables (one row each per):

* ``claims``: claim (verdict, the single group's numbers, the evidence in English);
* ``claims_detail``: claim x reading x group, the evidence in English;
* ``claims_readings``: claim x reading (number from 1, label, verdict);
* ``claims_evidence``: claim x reading x group (number from 1) with every number the
  evidence shows: recomputed value and interval, claimed interval with its open ends, gap,
  how the evidence reads (``form``), rank and claimed position, the spread allowed, the
  cell printed as not available;
* ``claims_items``: the labelled values a group's evidence lists, in order (a ranking's
  order, the two sides of a comparison, a trend's two values, the values said similar);
* ``claims_terms``: each reading's computation as a tree (``parent`` the number of the
  parent term, 0 for the root; see :class:`analysis.claims.evaluate.Term`);
* ``claims_standalone``: facts of an audited report that no claim uses;
* ``claims_uses`` (per report only): facts of other reports its register uses.

The English evidence in ``claims`` and ``claims_detail`` is for readers of the published
tables; the report writes the evidence in its own language from the structured tables.
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.claims.evaluate import (
    Claimed,
    ClaimError,
    ClaimResult,
    Context,
    GroupResult,
    ReadingResult,
    Term,
    _fmt,
    evaluate_claim,
)

STR, INT, FLOAT, BOOL, OPT_INT = "str", "int64", "float64", "bool", "Int64"
COLUMNS = {
    "claims": {
        "report": STR,
        "id": STR,
        "kind": STR,
        "location": STR,
        "seed_line": INT,
        "claim": STR,
        "printed": STR,
        "qualifier": STR,
        "verdict": STR,
        "basis": STR,
        "groups": INT,
        "groups_inconsistent": INT,
        "claimed": STR,
        "computed": FLOAT,
        "computed_lo": FLOAT,
        "computed_hi": FLOAT,
        "gap": FLOAT,
        "readings": STR,
        "formula": STR,
        "evidence": STR,
        "missing": STR,
        "explanation": STR,
        "note": STR,
        "claim_sv": STR,
        "missing_sv": STR,
        "explanation_sv": STR,
        "note_sv": STR,
        "location_sv": STR,
        "report_name": STR,
        "page": OPT_INT,
        "page_last": OPT_INT,
    },
    "claims_detail": {
        "report": STR,
        "id": STR,
        "reading": STR,
        "evidence_only": BOOL,
        "group": STR,
        "verdict": STR,
        "basis": STR,
        "claimed": STR,
        "computed": FLOAT,
        "computed_lo": FLOAT,
        "computed_hi": FLOAT,
        "gap": FLOAT,
        "detail": STR,
        "formula": STR,
    },
    "claims_readings": {
        "report": STR,
        "id": STR,
        "reading": INT,
        "label": STR,
        "evidence_only": BOOL,
        "verdict": STR,
        "basis": STR,
        "label_sv": STR,
    },
    "claims_evidence": {
        "report": STR,
        "id": STR,
        "reading": INT,
        "group": INT,
        "label": STR,
        "form": STR,
        "verdict": STR,
        "basis": STR,
        "computed": FLOAT,
        "computed_lo": FLOAT,
        "computed_hi": FLOAT,
        "claimed_lo": FLOAT,
        "claimed_hi": FLOAT,
        "claimed_lo_open": BOOL,
        "claimed_hi_open": BOOL,
        "gap": FLOAT,
        "rank": OPT_INT,
        "position": OPT_INT,
        "within": FLOAT,
        "cell_table": STR,
        "cell_line": OPT_INT,
        "cell_printed": STR,
    },
    "claims_items": {
        "report": STR,
        "id": STR,
        "reading": INT,
        "group": INT,
        "item": INT,
        "label": STR,
        "value": FLOAT,
    },
    "claims_terms": {
        "report": STR,
        "id": STR,
        "reading": INT,
        "term": INT,
        "parent": INT,
        "kind": STR,
        "name": STR,
        "where": STR,
        "by": STR,
        "source": STR,
        "value": FLOAT,
        "printed": STR,
        "label": STR,
        "per": STR,
        "display": STR,
        "display_sv": STR,
    },
    "claims_standalone": {
        "report": STR,
        "fact": STR,
        "printed": STR,
        "unit": STR,
        "location": STR,
        "description": STR,
        "description_sv": STR,
    },
    "claims_uses": {"source": STR, "fact": STR},
}


def frame(name: str, rows: list[dict] | pd.DataFrame) -> pd.DataFrame:
    """Rows as table ``name`` with its columns in order and their types (also when empty)."""
    return pd.DataFrame(rows, columns=list(COLUMNS[name])).astype(COLUMNS[name])


# -- evaluation ---------------------------------------------------------------------------


def evaluate_registers(registers: dict[str, list[dict]], ctx: Context) -> list[ClaimResult]:
    """Evaluate every claim of every register (source id -> list of claims), in order."""
    results = []
    for source, claims in registers.items():
        by_id = {c["id"]: c for c in claims}
        try:
            results += [evaluate_claim(c, ctx, source, [i], by_id) for i, c in enumerate(claims)]
        except ClaimError as exc:
            exc.source = source  # which register the error points into
            raise
    return results


def _nodes(spec):
    """Every mapping in a claim's nested inputs (depth first)."""
    if isinstance(spec, dict):
        yield spec
        for v in spec.values():
            yield from _nodes(v)
    elif isinstance(spec, list):
        for v in spec:
            yield from _nodes(v)


def referenced_facts(spec) -> set[tuple[str | None, str]]:
    """(source or None, fact id) of every fact an input tree refers to."""
    out = set()
    for node in _nodes(spec):
        if isinstance(node.get("fact"), str):
            out.add((node.get("source"), node["fact"]))
        if isinstance(node.get("facts"), dict):
            out |= {(node.get("source"), fid) for fid in node["facts"].values()}
    return out


def referenced_estimates(spec) -> set[str]:
    """Ids of the cost-model estimates an input tree refers to."""
    return {node["estimate"] for node in _nodes(spec) if isinstance(node.get("estimate"), str)}


def facts_used(source: str, claims: list[dict], estimates: dict) -> set[tuple[str, str]]:
    """(source, fact id) of every fact a register uses: as an input, as a claim's printed
    value, or inside a cost-model estimate a claim uses (the estimates are the report's own)."""
    used: set[tuple[str, str]] = set()
    for c in claims:
        for src, fid in referenced_facts(c):
            used.add((src or source, fid))
        named = c.get("printed_fact", [])
        used |= {(source, fid) for fid in ([named] if isinstance(named, str) else named)}
        for est in referenced_estimates(c):
            for _, fid in referenced_facts(estimates.get(est, {})):
                used.add((source, fid))
            if est in estimates:
                used.add((source, estimates[est]["printed"]))
    return used


def _text(value) -> str:
    """A text cell: missing (None, NaN) is empty."""
    return value if isinstance(value, str) else ""


def standalone_facts(registers: dict[str, list[dict]], facts: dict[str, pd.DataFrame], estimates: dict) -> pd.DataFrame:
    """Facts of each audited report that no claim (nor a cost-model estimate it uses) refers to."""
    used: set[tuple[str, str]] = set()
    for source, claims in registers.items():
        used |= facts_used(source, claims, estimates)
    rows = []
    for source in registers:
        table = facts.get(source)
        if table is None:
            continue
        for fid, r in table.iterrows():
            if (source, fid) not in used:
                printed = f"{r['qualifier']} {r['printed']}".strip()
                rows.append(
                    {
                        "report": source,
                        "fact": fid,
                        "printed": printed,
                        "unit": r["unit"],
                        "location": r["location"],
                        "description": _text(r.get("description")),
                        "description_sv": _text(r.get("description_sv")),
                    }
                )
    return frame("claims_standalone", rows)


def other_uses(source: str, claims: list[dict], estimates: dict) -> pd.DataFrame:
    """The facts of other reports that a register uses (they are not standalone there)."""
    rows = [{"source": s, "fact": f} for s, f in sorted(facts_used(source, claims, estimates)) if s != source]
    return frame("claims_uses", rows)


# -- the evidence in English (the published tables) -------------------------------------


def formula_text(term: Term) -> str:
    """A computation in the register's notation, in English."""
    if term.kind == "op":
        if not term.children:
            return term.name
        per = f", per {term.per}" if term.per else ""
        return f"{term.name}({'; '.join(formula_text(c) for c in term.children)}{per})"
    if term.kind == "table":
        label = f"{term.name}[{term.where}]" + (f" ({term.source})" if term.source else "")
        return f"{label} by {term.by}" if term.by else f"{label} = {_fmt(term.value)}"
    if term.kind == "facts":
        return "{" + "; ".join(f"{c.label}: {formula_text(c)}" for c in term.children) + "}"
    if term.kind == "fact":
        return f"{term.name} = {term.printed}"
    if term.kind == "const":
        return f"{term.name} ({term.label or 'constant'})"
    return f"cost model {term.name}: {term.printed}"


def interval_text(claimed: Claimed) -> str:
    """A claimed interval: '[29.5; 40.5]', '(33.3333; ∞)' (ends separated by a semicolon, as
    in the report, where a comma may be a decimal mark or a group separator)."""
    left, right = "(" if claimed.open_lo else "[", ")" if claimed.open_hi else "]"
    return f"{left}{_fmt(claimed.lo)}; {_fmt(claimed.hi)}{right}"


def detail_text(g: GroupResult) -> str:
    """The evidence of a group other than an interval, in English ('' for an interval)."""
    if g.form in ("highest_first", "lowest_first"):
        word = "highest" if g.form == "highest_first" else "lowest"
        return f"{word} first: " + ", ".join(f"{label} {_fmt(v)}" for label, v in g.items)
    if g.form == "rank":
        order = " > ".join(label for label, _ in g.items)
        return f"order: {order}; '{g.group}' is #{g.rank}, claimed #{g.position}"
    if g.form in ("greater", "less"):
        (_, x), (_, y) = g.items
        return f"{_fmt(x)} {'>' if g.form == 'greater' else '<'} {_fmt(y)}"
    if g.form == "trend":
        (a, x), (b, y) = g.items
        return f"{a} {_fmt(x)} → {b} {_fmt(y)}"
    if g.form == "similar":
        values = ", ".join(f"{label} {_fmt(v)}" for label, v in g.items)
        return f"spread {_fmt(g.computed)} (allowed {_fmt(g.within)}): {values}"
    if g.form == "not_available":
        table, line, printed = g.cell
        return f"{table} line {line} is printed as '{printed}'"
    return ""


def evidence_text(r: ReadingResult) -> str:
    """The evidence of one reading in English: per group, recomputed vs claimed (and the gap)."""
    parts = []
    for g in r.groups:
        where = f"{g.group}: " if g.group else ""
        if g.form != "interval":
            parts.append(where + detail_text(g))
        else:
            gap = f", gap {_fmt(g.gap)}" if g.verdict == "inconsistent" else ""
            claimed = interval_text(g.claimed) if g.claimed else ""
            parts.append(f"{where}{_fmt(g.computed)} in [{_fmt(g.lo)}; {_fmt(g.hi)}] vs {claimed}{gap}")
    return "; ".join(parts)


def _claimed(g: GroupResult | None) -> str:
    return interval_text(g.claimed) if g is not None and g.claimed is not None else ""


def tidy(results: list[ClaimResult]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per claim, and one per claim x reading x group (the evidence in English)."""
    rows, detail = [], []
    for res in results:
        c = res.claim
        counted = [r for r in res.readings if not r.evidence_only] or res.readings
        first = counted[0] if counted else None
        single = first.groups[0] if first and len(first.groups) == 1 else None
        groups = first.groups if first else []
        rows.append(
            {
                "report": res.source,
                "id": c["id"],
                "kind": c.get("kind", "claim"),
                "location": c["location"],
                "seed_line": int(c["seed_line"]),
                "claim": c["claim"],
                "printed": c["printed"],
                "qualifier": c.get("qualifier", ""),
                "verdict": res.verdict,
                "basis": first.basis if first and res.verdict == "consistent" else "",
                "groups": len(groups),
                "groups_inconsistent": sum(g.verdict == "inconsistent" for g in groups),
                "claimed": _claimed(single or (groups[0] if groups else None)),
                "computed": single.computed if single else math.nan,
                "computed_lo": single.lo if single else math.nan,
                "computed_hi": single.hi if single else math.nan,
                "gap": single.gap if single else math.nan,
                "readings": "; ".join(
                    f"{r.label or 'reading'}: {r.verdict}{' (evidence only)' if r.evidence_only else ''}"
                    for r in res.readings
                )
                if len(res.readings) > 1
                else "",
                "formula": formula_text(first.term) if first else "",
                "evidence": " | ".join(
                    (f"{r.label}: " if len(res.readings) > 1 else "") + evidence_text(r) for r in res.readings
                ),
                "missing": c.get("missing", ""),
                "explanation": c.get("explanation", ""),
                "note": c.get("note", ""),
                "claim_sv": c.get("claim_sv", ""),
                "missing_sv": c.get("missing_sv", ""),
                "explanation_sv": c.get("explanation_sv", ""),
                "note_sv": c.get("note_sv", ""),
                "location_sv": c.get("location_sv", ""),
                "report_name": "",
                "page": None,
                "page_last": None,
            }
        )
        for r in res.readings:
            for g in r.groups:
                detail.append(
                    {
                        "report": res.source,
                        "id": c["id"],
                        "reading": r.label,
                        "evidence_only": r.evidence_only,
                        "group": g.group,
                        "verdict": g.verdict,
                        "basis": g.basis,
                        "claimed": _claimed(g),
                        "computed": g.computed,
                        "computed_lo": g.lo,
                        "computed_hi": g.hi,
                        "gap": g.gap,
                        "detail": detail_text(g),
                        "formula": formula_text(r.term),
                    }
                )
    return frame("claims", rows), frame("claims_detail", detail)


# -- the evidence as data (the report) -----------------------------------------------------


def _terms(term: Term, parent: int, out: list[dict], key: dict) -> None:
    """Append ``term`` and its children depth first, numbered from 1 within the reading."""
    number = len(out) + 1
    fields = {
        k: getattr(term, k) for k in ("kind", "name", "where", "by", "source", "value", "printed", "label", "per")
    }
    out.append({**key, "term": number, "parent": parent, **fields, "display": "", "display_sv": ""})
    for child in term.children:
        _terms(child, number, out, key)


def structured(results: list[ClaimResult]) -> dict[str, pd.DataFrame]:
    """The readings, the evidence with every number it shows, the values it lists, and the
    computations as trees: what the report needs to write the evidence in its language."""
    readings, evidence, items, terms = [], [], [], []
    for res in results:
        for i, r in enumerate(res.readings, 1):
            key = {"report": res.source, "id": res.claim["id"], "reading": i}
            readings.append(
                {
                    **key,
                    "label": r.label,
                    "evidence_only": r.evidence_only,
                    "verdict": r.verdict,
                    "basis": r.basis,
                    "label_sv": r.label_sv,
                }
            )
            reading_terms: list[dict] = []
            _terms(r.term, 0, reading_terms, key)
            terms += reading_terms
            for j, g in enumerate(r.groups, 1):
                claimed = g.claimed
                evidence.append(
                    {
                        **key,
                        "group": j,
                        "label": g.group,
                        "form": g.form,
                        "verdict": g.verdict,
                        "basis": g.basis,
                        "computed": g.computed,
                        "computed_lo": g.lo,
                        "computed_hi": g.hi,
                        "claimed_lo": claimed.lo if claimed else math.nan,
                        "claimed_hi": claimed.hi if claimed else math.nan,
                        "claimed_lo_open": claimed.open_lo if claimed else False,
                        "claimed_hi_open": claimed.open_hi if claimed else False,
                        "gap": g.gap,
                        "rank": g.rank,
                        "position": g.position,
                        "within": g.within,
                        "cell_table": g.cell[0] if g.cell else "",
                        "cell_line": g.cell[1] if g.cell else None,
                        "cell_printed": g.cell[2] if g.cell else "",
                    }
                )
                items += [
                    {**key, "group": j, "item": k, "label": label, "value": v}
                    for k, (label, v) in enumerate(g.items, 1)
                ]
    return {
        "claims_readings": frame("claims_readings", readings),
        "claims_evidence": frame("claims_evidence", evidence),
        "claims_items": frame("claims_items", items),
        "claims_terms": frame("claims_terms", terms),
    }


def analyse_claims(registers: dict[str, list[dict]], ctx: Context) -> tuple[dict[str, pd.DataFrame], list]:
    """The audit's tables of the registers (all but the standalone facts) and the results."""
    results = evaluate_registers(registers, ctx)
    claims, detail = tidy(results)
    return {"claims": claims, "claims_detail": detail, **structured(results)}, results


def describe_terms(
    terms: pd.DataFrame, facts: dict[str, pd.DataFrame], table_names: dict[tuple[str, str], str], estimates: dict
) -> pd.DataFrame:
    """``terms`` (table ``claims_terms``) with ``display``/``display_sv``: what a reader calls
    each input instead of its id. A fact by its description, a table by its printed number
    ('Bilaga 1, Tabell 1', the same in both languages), a cost-model estimate by the
    description of the printed figure it reproduces; empty where nothing is known."""
    out = terms.copy()
    display, display_sv = [], []
    for r in out.to_dict("records"):
        source = r["source"] or r["report"]
        en = sv = ""
        fid = None
        if r["kind"] == "fact":
            fid = r["name"]
        elif r["kind"] == "estimate" and r["name"] in estimates:
            fid = estimates[r["name"]]["printed"]
        elif r["kind"] == "table":
            en = sv = table_names.get((source, r["name"]), "")
        table = facts.get(source)
        if fid is not None and table is not None and fid in table.index:
            en = _text(table.loc[fid].get("description"))
            sv = _text(table.loc[fid].get("description_sv")) or en
        display.append(en)
        display_sv.append(sv)
    out["display"], out["display_sv"] = display, display_sv
    return frame("claims_terms", out)


def combine(parts: dict[str, list[pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """The tables of several audited reports (in order) as one set: each table concatenated,
    and a fact standalone only when no report's register uses it."""
    out = {name: frame(name, pd.concat(frames, ignore_index=True)) for name, frames in parts.items()}
    uses = out.pop("claims_uses", frame("claims_uses", []))
    standalone = out["claims_standalone"]
    used = set(zip(uses["source"], uses["fact"], strict=True))
    keep = [(r, f) not in used for r, f in zip(standalone["report"], standalone["fact"], strict=True)]
    out["claims_standalone"] = standalone[keep].reset_index(drop=True)
    return out
