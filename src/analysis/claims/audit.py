"""The claims audit over every register: evaluation, tidy tables, facts no claim uses."""

from __future__ import annotations

import pandas as pd

from analysis.claims.evaluate import ClaimError, ClaimResult, Context, evaluate_claim, tidy


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


def standalone_facts(registers: dict[str, list[dict]], facts: dict[str, pd.DataFrame], estimates: dict) -> pd.DataFrame:
    """Facts of each audited report that no claim (nor a cost-model estimate it uses) refers to."""
    used: set[tuple[str, str]] = set()
    for source, claims in registers.items():
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
    rows = []
    for source in registers:
        frame = facts.get(source)
        if frame is None:
            continue
        for fid, r in frame.iterrows():
            if (source, fid) not in used:
                rows.append(
                    {
                        "report": source,
                        "fact": fid,
                        "printed": f"{r['qualifier']} {r['printed']}".strip(),
                        "unit": r["unit"],
                        "location": r["location"],
                    }
                )
    return pd.DataFrame(rows, columns=["report", "fact", "printed", "unit", "location"])


def analyse_claims(registers: dict[str, list[dict]], ctx: Context) -> tuple[dict[str, pd.DataFrame], list]:
    """The audit's tables (one row per claim; the per-group evidence) and the results."""
    results = evaluate_registers(registers, ctx)
    claims, detail = tidy(results)
    return {"claims": claims, "claims_detail": detail}, results
