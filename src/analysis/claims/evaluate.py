"""The claims audit: numeric statements in a report's text recomputed from its own tables.

A claim (``data/raw/<source>/claims.yaml``) names a printed value with its qualifier and
says how to recompute it: an operation from a fixed vocabulary (:data:`NUMERIC_OPS`,
:data:`RANKING_OPS`, :data:`COMPARISON_OPS`) applied to inputs that are table cells, printed
facts, constants, cost-model estimates or nested operations. Nothing in a data file is
executed as code.

Every input is an interval: a table count is exact, a printed share covers its rounding
interval (``44,5 %`` is [44,45, 44,55]), a fact its rounding interval widened by its
qualifier (``intervals.qualifiers`` in config.yaml). Operations use interval arithmetic
(Moore 1966), so the recomputed value is a point (from the printed values) and an
interval (everything the printed inputs allow). The claimed value is an interval too:
its rounding interval widened by its qualifier; one-sided qualifiers such as *mer än*
are open on one side and strict.

Verdicts, per group where the claim speaks of several groups:

* ``consistent``: the recomputed point lies in the claimed interval (basis ``point``), or
  at least the two intervals meet (basis ``input rounding``);
* ``inconsistent``: the intervals do not meet; the gap is the distance between them;
* ``not reproducible``: the documents do not print what the claim needs (``missing``);
* ``ambiguous``: the text allows several readings whose verdicts differ.

A claim is inconsistent when any of its groups is. Readings marked ``evidence_only`` are
computed and shown (for instance a reading that would explain a discrepancy) but do not
enter the verdict.

Results are data, not prose: each group carries its numbers and the labelled values its
evidence shows (:class:`GroupResult`), each reading its computation as a tree of
:class:`Term` s; :mod:`analysis.claims.audit` makes tables of them and the report puts
them into words.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd

from analysis.claims import VERDICTS
from analysis.core.intervals import Interval, rounding_interval, widen
from analysis.core.numbers import parse_number
from analysis.costmodel.model import qualified_interval

NUMERIC_OPS = (
    "value",
    "sum",
    "difference",
    "product",
    "ratio",
    "share",
    "percent_change",
    "decline",
    "complement",
    "mean",
    "span",
)
RANKING_OPS = ("top", "bottom", "rank")
COMPARISON_OPS = ("greater", "less", "similar", "increasing", "decreasing")
OPS = NUMERIC_OPS + RANKING_OPS + COMPARISON_OPS
# One-sided qualifiers exclude their bound ('mer än hälften' is not 50 %).
STRICT = {"mer än", "över", "fler än", "färre än", "mindre än", "under"}
SCALAR = ""


class ClaimError(ValueError):
    """A claim refers to something that does not exist or is malformed (a register error)."""

    def __init__(self, keypath: list, text: str, expected: str) -> None:
        super().__init__(f"{text}: expected {expected}")
        self.keypath, self.text, self.expected = keypath, text, expected
        self.source: str | None = None


class NotAvailable(Exception):
    """An input cell is printed as not available ('-'): the claim cannot be recomputed."""

    def __init__(self, table: str, line: int, printed: str) -> None:
        super().__init__(f"{table} line {line} is printed as '{printed}'")
        self.cell = (table, line, printed)


@dataclass(frozen=True)
class Iv:
    """A recomputed value: the point from printed values and the interval they allow."""

    point: float
    lo: float
    hi: float

    @staticmethod
    def exact(x: float) -> Iv:
        return Iv(x, x, x)


@dataclass
class Context:
    """Everything a claim may refer to, per source: processed tables, facts, estimates."""

    tables: dict[tuple[str, str], pd.DataFrame]
    facts: dict[str, pd.DataFrame]
    widths: dict[str, list]
    trailing_zeros_significant: bool = False
    similar_within: float = 5.0
    count_units: frozenset[str] = frozenset()
    directional: bool = True  # one-sided widths bound that side at the printed number
    estimates: dict[str, dict] = field(default_factory=dict)
    fact_table: object | None = None  # analysis.channels.FactTable of the cost model's source
    _made: dict = field(default_factory=dict, repr=False, compare=False)  # labels(), records()

    def table(self, source: str, table: str, keypath: list) -> pd.DataFrame:
        if (source, table) not in self.tables:
            known = ", ".join(sorted(t for s, t in self.tables if s == source)) or "none"
            raise ClaimError(keypath, f"{source}/{table}", f"a processed table of {source} ({known})")
        return self.tables[(source, table)]

    def labels(self, frame: pd.DataFrame, col: str) -> tuple[np.ndarray, frozenset[str]]:
        """Column ``col`` of one of the context's tables as text, and its distinct labels.

        Made once per column (claims select from the same tables hundreds of times; a
        selection through pandas cost more than the rest of the audit)."""
        key = (id(frame), col)
        if key not in self._made:
            text = frame[col].astype(str).to_numpy()
            self._made[key] = (text, frozenset(text))
        return self._made[key]

    def records(self, frame: pd.DataFrame) -> list[dict]:
        """The rows of one of the context's tables as dicts (made once per table)."""
        key = (id(frame), None)
        if key not in self._made:
            self._made[key] = frame.to_dict("records")
        return self._made[key]

    def fact(self, source: str, fid: str, keypath: list) -> pd.Series:
        facts = self.facts.get(source)
        if facts is None or fid not in facts.index:
            raise ClaimError(keypath, fid, f"a fact id in data/raw/{source}/facts.csv")
        return facts.loc[fid]


Values = dict[str, Iv]  # group label -> value; a scalar has the single key SCALAR


@dataclass
class Term:
    """One node of a computation as the register spells it, with what it resolved to.

    ``kind`` is ``op`` (``name`` the operation, ``children`` its inputs, ``per`` its scale;
    an operation without children stands for one that could not be carried out), ``table``
    (``name`` the table id, ``where`` the selection, ``by`` the grouping column or ``value``
    the cell's value, ``source`` another report's id), ``facts`` (``children`` the facts,
    each with its ``label``), ``fact`` (``name`` the id, ``printed`` as printed with its
    qualifier), ``const`` (``name`` the number as written, ``label`` its name) or
    ``estimate`` (``name`` the cost-model estimate, ``printed`` its formula with the
    printed values).
    """

    kind: str
    name: str
    children: list[Term] = field(default_factory=list)
    where: str = ""
    by: str = ""
    source: str = ""
    value: float = math.nan
    printed: str = ""
    label: str = ""
    per: str = ""


# -- inputs -----------------------------------------------------------------------------


def _cell(row) -> Iv:
    """A table cell: counts are exact, other measures cover their rounding interval."""
    if row["status"] != "ok" or pd.isna(row["value"]):
        raise NotAvailable(str(row["table_id"]), int(row["raw_line"]), str(row["printed"]))
    v = float(row["value"])
    if row["unit"] == "count":
        return Iv.exact(v)
    lo, hi = rounding_interval(row["printed"], trailing_zeros_significant=True)
    return Iv(v, lo, hi)


def _select(frame: pd.DataFrame, where: dict, keypath: list, ctx: Context) -> np.ndarray:
    """Positions of the rows of ``frame`` that match every ``column: label(s)`` of ``where``."""
    mask = np.ones(len(frame), dtype=bool)
    for col, want in where.items():
        if col not in frame.columns:
            raise ClaimError([*keypath, "where", col], col, f"a column of the table ({', '.join(frame.columns)})")
        wanted = want if isinstance(want, list) else [want]
        text, present = ctx.labels(frame, col)
        unknown = [w for w in wanted if w not in present]
        if unknown:
            shown = ", ".join(sorted(present))
            raise ClaimError([*keypath, "where", col], unknown[0], f"a label of column '{col}' ({shown})")
        mask &= np.isin(text, [str(w) for w in wanted])
    return np.flatnonzero(mask)


def _cells(rows: list[dict], add: bool, keypath: list) -> Iv:
    if not rows:
        raise ClaimError(keypath, "where", "a selection of at least one cell")
    if len(rows) > 1 and not add:
        lines = ", ".join(str(r["raw_line"]) for r in rows[:4])
        raise ClaimError(keypath, f"{len(rows)} cells (raw lines {lines})", "one cell, or 'sum: true'")
    return _sum([_cell(r) for r in rows])


def _fmt(x: float) -> str:
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    return f"{x:.6g}"


def _input(spec: dict, ctx: Context, source: str, keypath: list) -> tuple[Values, Term]:
    """Resolve one input to values by group and the term saying where they came from."""
    src = spec.get("source", source)
    if "op" in spec:
        return _compute(spec["op"], spec.get("inputs", []), spec, ctx, src, keypath)
    if "table" in spec:
        frame = ctx.table(src, spec["table"], [*keypath, "table"])
        positions = _select(frame, spec.get("where", {}), keypath, ctx)
        records = ctx.records(frame)
        rows = [records[i] for i in positions]
        where = ", ".join(f"{k}={'|'.join(v) if isinstance(v, list) else v}" for k, v in spec.get("where", {}).items())
        term = Term("table", spec["table"], where=where, source="" if src == source else src)
        by = spec.get("by")
        if by is None:
            iv = _cells(rows, spec.get("sum", False), keypath)
            term.value = iv.point
            return {SCALAR: iv}, term
        if by not in frame.columns:
            raise ClaimError([*keypath, "by"], by, f"a column of {spec['table']}")
        selected = ctx.labels(frame, by)[0][positions]
        groups = list(dict.fromkeys(selected))
        listed = spec.get("where", {}).get(by)
        if isinstance(listed, list):  # the order given in the register (matters for trends)
            groups = [g for g in listed if g in groups]
        if not groups:
            raise ClaimError(keypath, "where", "a selection of at least one cell")
        add = spec.get("sum", False)
        out = {g: _cells([r for r, t in zip(rows, selected, strict=True) if t == g], add, keypath) for g in groups}
        term.by = by
        return out, term
    if "facts" in spec:  # several printed figures as one grouped input: {label: fact id}
        out, term = {}, Term("facts", "")
        for label, fid in spec["facts"].items():
            values, child = _input({"fact": fid, "source": src}, ctx, source, [*keypath, "facts", label])
            out[label] = values[SCALAR]
            child.label = label
            term.children.append(child)
        return out, term
    if "fact" in spec:
        row = ctx.fact(src, spec["fact"], [*keypath, "fact"])
        lo, hi = qualified_interval(
            row["printed"], row["qualifier"], ctx.widths, ctx.trailing_zeros_significant, ctx.directional
        )
        if row["unit"] in ctx.count_units and math.isfinite(lo) and math.isfinite(hi):
            # whole things: only the integers in the interval
            lo, hi = float(math.ceil(lo)), float(math.floor(hi))
        shown = f"{row['qualifier']} {row['printed']}".strip()
        return {SCALAR: Iv(float(row["value"]), lo, hi)}, Term("fact", spec["fact"], printed=shown)
    if "const" in spec:
        v = _number(spec["const"], [*keypath, "const"])
        return {SCALAR: Iv.exact(v)}, Term("const", spec["const"], label=spec.get("name", ""))
    if "estimate" in spec:
        est = ctx.estimates.get(spec["estimate"])
        if est is None or ctx.fact_table is None:
            raise ClaimError([*keypath, "estimate"], spec["estimate"], "an estimate id of the cost model")
        from analysis.costmodel.model import evaluate, formula

        point, lo, hi = evaluate(est, ctx.fact_table)
        return {SCALAR: Iv(point, lo, hi)}, Term("estimate", spec["estimate"], printed=formula(est, ctx.fact_table))
    raise ClaimError(keypath, "input", "one of table, fact, const, estimate or op")


def _number(text: str, keypath: list) -> float:
    """A printed number ('62,7', '37 600') or an exact fraction ('1/3')."""
    try:
        if "/" in text:
            return float(Fraction(text.replace(" ", "")))
        return parse_number(text).value
    except (ValueError, ZeroDivisionError):
        raise ClaimError(keypath, text, "a number as printed ('62,7', '37 600') or a fraction ('1/3')") from None


# -- interval arithmetic ---------------------------------------------------------------


def _interval(i: Iv) -> Interval:
    return Interval(i.lo, i.hi)


def _with(point: float, iv: Interval) -> Iv:
    return Iv(point, iv.lo, iv.hi)


def _sum(ivs: list[Iv]) -> Iv:
    total = Interval.point(0.0)
    for i in ivs:
        total = total + _interval(i)
    return _with(sum(i.point for i in ivs), total)


def _product(ivs: list[Iv]) -> Iv:
    total = Interval.point(1.0)
    for i in ivs:
        total = total * _interval(i)
    return _with(math.prod(i.point for i in ivs), total)


def _ratio(a: Iv, b: Iv) -> Iv:
    if b.lo <= 0 <= b.hi:
        raise ZeroDivisionError("the denominator's interval contains zero")
    return _with(a.point / b.point, _interval(a) / _interval(b))


def _scale(i: Iv, k: float, offset: float = 0.0) -> Iv:
    return _with(offset + k * i.point, _interval(i) * k + offset)


ARITY = {
    "value": 1,
    "difference": 2,
    "ratio": 2,
    "share": 2,
    "percent_change": 2,
    "decline": 2,
    "complement": 1,
    "span": 2,
}


def _apply(op: str, ivs: list[Iv], spec: dict) -> Iv:
    if op == "value":
        return ivs[0]
    if op == "sum":
        return _sum(ivs)
    if op == "mean":
        return _scale(_sum(ivs), 1 / len(ivs))
    if op == "difference":
        a, b = ivs
        return _with(a.point - b.point, _interval(a) - _interval(b))
    if op == "product":
        return _product(ivs)
    if op == "ratio":
        return _ratio(*ivs)
    if op == "share":
        return _scale(_ratio(*ivs), float(spec.get("per", 100)))
    if op == "percent_change":  # 100 (to - from) / from, inputs [from, to]
        return _scale(_ratio(ivs[1], ivs[0]), 100, -100)
    if op == "decline":  # 100 (from - to) / from, inputs [from, to]
        return _scale(_ratio(ivs[1], ivs[0]), -100, 100)
    if op == "complement":
        return _scale(ivs[0], -1, 100)
    if op == "span":  # a printed range 'X-Y' as one value: midpoint, from X's low to Y's high
        a, b = ivs
        return Iv((a.point + b.point) / 2, min(a.lo, b.lo), max(a.hi, b.hi))
    raise AssertionError(op)


def _broadcast(values: list[Values], keypath: list) -> list[str]:
    """The group labels of a computation: scalars broadcast; vectors must share labels."""
    keys = [list(v) for v in values if list(v) != [SCALAR]]
    if not keys:
        return [SCALAR]
    for k in keys[1:]:
        if set(k) != set(keys[0]):
            raise ClaimError(keypath, " vs ".join("|".join(x) for x in (keys[0], k)), "inputs with the same groups")
    return keys[0]


def _compute(op: str, inputs: list, spec: dict, ctx: Context, source: str, keypath: list) -> tuple[Values, Term]:
    if op not in NUMERIC_OPS:
        raise ClaimError([*keypath, "op"], op, f"a numeric operation inside a computation ({', '.join(NUMERIC_OPS)})")
    if op in ARITY and len(inputs) != ARITY[op]:
        raise ClaimError([*keypath, "inputs"], f"{len(inputs)} inputs", f"{ARITY[op]} for '{op}'")
    if not inputs:
        raise ClaimError([*keypath, "inputs"], "no inputs", f"inputs for '{op}'")
    resolved = [_input(s, ctx, source, [*keypath, "inputs", i]) for i, s in enumerate(inputs)]
    values = [v for v, _ in resolved]
    groups = _broadcast(values, keypath)
    out = {}
    for g in groups:
        try:
            out[g] = _apply(op, [v[g] if g in v else v[SCALAR] for v in values], spec)
        except ZeroDivisionError as exc:
            raise ClaimError(keypath, op, f"a computable operation ({exc})") from None
    per = str(spec["per"]) if "per" in spec else ""
    return out, Term("op", op, [t for _, t in resolved], per=per)


# -- verdicts --------------------------------------------------------------------------


@dataclass
class Claimed:
    """The interval a claim's printed value and qualifier allow; strict ends excluded."""

    lo: float
    hi: float
    lo_strict: bool = False
    hi_strict: bool = False

    def contains(self, x: float) -> bool:
        above = x > self.lo if self.lo_strict else x >= self.lo
        below = x < self.hi if self.hi_strict else x <= self.hi
        return above and below

    def meets(self, iv: Iv) -> bool:
        above = iv.hi > self.lo if self.lo_strict else iv.hi >= self.lo
        below = iv.lo < self.hi if self.hi_strict else iv.lo <= self.hi
        return above and below

    def gap(self, iv: Iv) -> float:
        """Signed distance from the recomputed interval to the claimed one (0 when they meet)."""
        if self.meets(iv):
            return 0.0
        return iv.hi - self.lo if iv.hi <= self.lo else iv.lo - self.hi

    @property
    def open_lo(self) -> bool:
        """The lower end is excluded (strict, or minus infinity)."""
        return self.lo_strict or math.isinf(self.lo)

    @property
    def open_hi(self) -> bool:
        return self.hi_strict or math.isinf(self.hi)


def claimed_interval(claim: dict, widths: dict, trailing: bool, keypath: list, directional: bool = True) -> Claimed:
    """The claimed interval of a numeric claim.

    * ``value`` (and ``value_high`` for a range 'mellan X och Y'): printed numbers, each
      covering its rounding interval; ``exact: true`` (numbers in words, fractions,
      thresholds) takes the value as exact;
    * the qualifier widens the interval by its config widths; a one-sided qualifier
      (width ``null``) uses the printed number itself as a strict or closed bound;
    * with ``directional``, a qualifier that widens one side only (*drygt* [0, 0.1],
      *knappt*, *närmare* [-0.1, 0]) also fixes the other side at the printed number:
      'närmare 92' is [82,8; 92], so 92,6 is inconsistent with it although 92,6 lies
      within the rounding of '92' widened downwards.
    """
    if "value" not in claim:
        raise ClaimError(keypath, "value", "the printed value of a numeric claim")
    qualifier = claim.get("qualifier", "")
    exact = claim.get("exact", False) or "/" in claim["value"]

    def interval(text: str, key: str) -> tuple[float, float]:
        v = _number(text, [*keypath, key])
        return (v, v) if exact or "/" in text else rounding_interval(text, trailing)

    lo, hi = interval(claim["value"], "value")
    if "value_high" in claim:
        hi = interval(claim["value_high"], "value_high")[1]
    if qualifier and qualifier not in widths:
        raise ClaimError(
            [*keypath, "qualifier"], qualifier, "a qualifier with widths in config.yaml intervals.qualifiers"
        )
    below, above = widths.get(qualifier, [0, 0]) if qualifier else (0, 0)
    v = _number(claim["value"], [*keypath, "value"])
    if below is None or above is None:  # one-sided: the printed number is the bound itself
        strict = qualifier in STRICT
        if below is None:
            return Claimed(-math.inf, v, hi_strict=strict)
        return Claimed(v, math.inf, lo_strict=strict)
    wlo, whi = widen(lo, hi, qualifier, widths)
    if directional and qualifier:
        # the qualifier's direction is part of the claim: 'närmare 92' is at most 92
        if below == 0 and above > 0:
            wlo = v
        elif above == 0 and below < 0:
            whi = v
    return Claimed(wlo, whi)


@dataclass
class GroupResult:
    group: str
    verdict: str
    basis: str = ""
    computed: float = math.nan
    lo: float = math.nan
    hi: float = math.nan
    claimed: Claimed | None = None
    gap: float = math.nan
    # How the evidence reads: 'interval' (recomputed against claimed), 'highest_first' or
    # 'lowest_first' (a ranking), 'rank', 'greater' or 'less' (a comparison), 'trend'
    # (one value to the next), 'similar', 'not_available' (an input printed as '-').
    form: str = "interval"
    items: list[tuple[str, float]] = field(default_factory=list)  # labelled values, in the order shown
    rank: int | None = None  # rank: the expected group's rank and the claimed position
    position: int | None = None
    within: float = math.nan  # similar: the spread allowed
    cell: tuple[str, int, str] | None = None  # not available: table, raw line, as printed


def _numeric(values: Values, claimed: Claimed) -> list[GroupResult]:
    out = []
    for g, iv in values.items():
        if claimed.contains(iv.point):
            verdict, basis = "consistent", "point"
        elif claimed.meets(iv):
            verdict, basis = "consistent", "input rounding"
        else:
            verdict, basis = "inconsistent", ""
        out.append(GroupResult(g, verdict, basis, iv.point, iv.lo, iv.hi, claimed, claimed.gap(iv)))
    return out


def _ranking(op: str, values: Values, spec: dict, keypath: list) -> list[GroupResult]:
    """Does the expected group set hold the top (bottom, or given) rank(s)?

    Point: by the recomputed points. Input rounding: some values inside the intervals
    give that order (every expected hi >= every other lo, for 'top').
    """
    expect = spec.get("expect")
    expect = [expect] if isinstance(expect, str) else list(expect or [])
    unknown = [e for e in expect if e not in values]
    if not expect or unknown:
        raise ClaimError([*keypath, "expect"], (unknown or ["(none)"])[0], f"group labels ({', '.join(values)})")
    sign = -1 if op == "bottom" or spec.get("order") == "ascending" else 1
    v = {g: Iv(sign * i.point, *sorted((sign * i.lo, sign * i.hi))) for g, i in values.items()}
    order = sorted(v, key=lambda g: -v[g].point)
    if op == "rank":
        position = int(spec.get("position", 1))
        (label,) = expect
        above_sure = [g for g in v if g != label and v[g].lo > v[label].hi]
        above_maybe = [g for g in v if g != label and v[g].hi >= v[label].lo]
        point_ok = order.index(label) + 1 == position
        possible = len(above_sure) <= position - 1 <= len(above_maybe)
        shown = {"form": "rank", "rank": order.index(label) + 1, "position": position}
        gap = 0.0 if possible else math.nan
    else:
        others = [g for g in v if g not in expect]
        point_ok = set(order[: len(expect)]) == set(expect)
        worst_expected = min(v[g].hi for g in expect)
        best_other = max((v[g].lo for g in others), default=-math.inf)
        possible = worst_expected >= best_other
        gap = 0.0 if possible else sign * (worst_expected - best_other)
        shown = {"form": "lowest_first" if sign < 0 else "highest_first"}
    verdict = "consistent" if point_ok or possible else "inconsistent"
    basis = "point" if point_ok else ("input rounding" if possible else "")
    items = [(g, values[g].point) for g in order]
    return [GroupResult(", ".join(expect), verdict, basis, gap=gap, items=items, **shown)]


def _compare(op: str, left: Values, right: Values) -> list[GroupResult]:
    """left > right (``greater``) or left < right (``less``), per group or for all pairs."""
    if op == "less":
        left, right = right, left
    same = list(left) == list(right) or set(left) == set(right) != {SCALAR}
    pairs = [(g, g) for g in left] if same else [(a, b) for a in left for b in right]
    out = []
    for a, b in pairs:
        x, y = left[a], right[b]
        point_ok, possible = x.point > y.point, x.hi > y.lo
        verdict = "consistent" if point_ok or possible else "inconsistent"
        basis = "point" if point_ok else ("input rounding" if possible else "")
        pair = (b, a) if op == "less" else (a, b)
        name = a if same else " vs ".join(s for s in pair if s)
        # in the order of the register: left, then right
        items = [(b, y.point), (a, x.point)] if op == "less" else [(a, x.point), (b, y.point)]
        gap = 0.0 if possible else x.hi - y.lo
        out.append(GroupResult(name, verdict, basis, x.point - y.point, gap=gap, form=op, items=items))
    return out


def _monotone(op: str, values: Values) -> list[GroupResult]:
    """Each value above (``increasing``) or below (``decreasing``) the one before it, in order."""
    labels = list(values)
    out = []
    for prev, cur in itertools.pairwise(labels):
        a, b = (values[prev], values[cur]) if op == "increasing" else (values[cur], values[prev])
        point_ok, possible = b.point > a.point, b.hi > a.lo
        verdict = "consistent" if point_ok or possible else "inconsistent"
        basis = "point" if point_ok else ("input rounding" if possible else "")
        items = [(prev, values[prev].point), (cur, values[cur].point)]
        gap = 0.0 if possible else b.hi - a.lo
        out.append(GroupResult(f"{prev}→{cur}", verdict, basis, b.point - a.point, gap=gap, form="trend", items=items))
    return out


def _similar(values: Values, within: float) -> list[GroupResult]:
    pts = [i.point for i in values.values()]
    spread = max(pts) - min(pts)
    least = max(i.lo for i in values.values()) - min(i.hi for i in values.values())
    point_ok, possible = spread <= within, max(least, 0.0) <= within
    verdict = "consistent" if point_ok or possible else "inconsistent"
    basis = "point" if point_ok else ("input rounding" if possible else "")
    items = [(g, i.point) for g, i in values.items()]
    gap = 0.0 if possible else least - within
    return [GroupResult(", ".join(values), verdict, basis, spread, gap=gap, form="similar", items=items, within=within)]


@dataclass
class ReadingResult:
    label: str
    term: Term
    groups: list[GroupResult]
    evidence_only: bool = False
    note: str = ""
    label_sv: str = ""  # the label in Swedish, from the register (the report shows it)

    @property
    def verdict(self) -> str:
        return worst(g.verdict for g in self.groups)

    @property
    def basis(self) -> str:
        if self.verdict != "consistent":
            return ""
        return "input rounding" if any(g.basis == "input rounding" for g in self.groups) else "point"


def worst(verdicts) -> str:
    """The verdict of a set of groups: inconsistent if any group is."""
    vs = list(verdicts)
    for v in VERDICTS:
        if v in vs:
            return v
    return "not reproducible"


def evaluate_reading(claim: dict, reading: dict, ctx: Context, source: str, keypath: list) -> ReadingResult:
    op = reading.get("op")
    if op not in OPS:
        raise ClaimError([*keypath, "op"], str(op), f"an operation ({', '.join(OPS)})")
    label, note, evidence = reading.get("label", ""), reading.get("note", ""), reading.get("evidence_only", False)
    inputs = reading.get("inputs", [])
    try:
        if op in NUMERIC_OPS:
            values, term = _compute(op, inputs, reading, ctx, source, keypath)
            claimed = claimed_interval(claim, ctx.widths, ctx.trailing_zeros_significant, keypath, ctx.directional)
            return ReadingResult(label, term, _numeric(values, claimed), evidence, note)
        if op in (*RANKING_OPS, "similar", "increasing", "decreasing") and len(inputs) != 1:
            raise ClaimError([*keypath, "inputs"], f"{len(inputs)} inputs", f"one grouped input for '{op}'")
        if op in RANKING_OPS:
            values, term = _input(inputs[0], ctx, source, [*keypath, "inputs", 0])
            groups = _ranking(op, values, reading, keypath)
            return ReadingResult(label, Term("op", op, [term]), groups, evidence, note)
        if op in ("increasing", "decreasing"):
            values, term = _input(inputs[0], ctx, source, [*keypath, "inputs", 0])
            return ReadingResult(label, Term("op", op, [term]), _monotone(op, values), evidence, note)
        if op == "similar":
            values, term = _input(inputs[0], ctx, source, [*keypath, "inputs", 0])
            within = float(reading.get("within", ctx.similar_within))
            return ReadingResult(label, Term("op", op, [term]), _similar(values, within), evidence, note)
        if len(inputs) != 2:
            raise ClaimError([*keypath, "inputs"], f"{len(inputs)} inputs", f"two inputs (left, right) for '{op}'")
        (left, lt), (right, rt) = (_input(s, ctx, source, [*keypath, "inputs", i]) for i, s in enumerate(inputs))
        groups = _compare(op, left, right)
        return ReadingResult(label, Term("op", op, [lt, rt]), groups, evidence, note)
    except NotAvailable as exc:
        group = GroupResult("", "not reproducible", form="not_available", cell=exc.cell)
        return ReadingResult(label, Term("op", op), [group], evidence, note)


COMPUTATION_KEYS = ("op", "inputs", "expect", "position", "order", "per", "within")


@dataclass
class ClaimResult:
    claim: dict
    source: str
    readings: list[ReadingResult]

    @property
    def verdict(self) -> str:
        if "missing" in self.claim:
            return "not reproducible"
        counted = {r.verdict for r in self.readings if not r.evidence_only}
        if len(counted) > 1:
            return "ambiguous"
        return counted.pop() if counted else "not reproducible"


def _check_printed_fact(claim: dict, ctx: Context, source: str, keypath: list) -> None:
    """The fact(s) a claim names as its printed value exist; a single one prints the same number."""
    named = claim.get("printed_fact")
    if named is None:
        return
    ids = [named] if isinstance(named, str) else named
    rows = [ctx.fact(source, fid, [*keypath, "printed_fact"]) for fid in ids]
    if isinstance(named, str) and "value" in claim:
        printed, value = (" ".join(str(x).split()) for x in (rows[0]["printed"], claim["value"]))
        if printed != value:
            raise ClaimError([*keypath, "value"], claim["value"], f"the value printed by fact '{named}' ({printed})")


def evaluate_claim(claim: dict, ctx: Context, source: str, keypath: list, by_id: dict) -> ClaimResult:
    """Evaluate every reading of one claim (``same_as`` reuses another claim's computation)."""
    spec = claim
    if "same_as" in claim:
        if claim["same_as"] not in by_id:
            raise ClaimError([*keypath, "same_as"], claim["same_as"], "the id of another claim in this register")
        base = by_id[claim["same_as"]]
        spec = {**{k: v for k, v in base.items() if k in COMPUTATION_KEYS or k == "readings"}, **claim}
    _check_printed_fact(claim, ctx, source, keypath)
    if "missing" in spec:
        return ClaimResult(claim, source, [])
    if "readings" in spec:
        readings = [
            evaluate_reading(spec, r, ctx, source, [*keypath, "readings", i]) for i, r in enumerate(spec["readings"])
        ]
        for result, r in zip(readings, spec["readings"], strict=True):
            result.label_sv = r.get("label_sv", "")
    elif "op" in spec:
        readings = [evaluate_reading(spec, spec, ctx, source, keypath)]
    else:
        raise ClaimError(keypath, claim.get("id", "?"), "'op' and 'inputs', 'readings', 'same_as' or 'missing'")
    return ClaimResult(claim, source, readings)
