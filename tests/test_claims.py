"""Claims audit: claimed intervals at their boundaries, every operation on hand-made data,
verdict aggregation, register errors, the result tables, and real claims of the three
reports worked by hand through the stages (one audit per report, then combined)."""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml

from analysis.claims import SOURCE_TABLES, TABLES, stage
from analysis.claims.audit import (
    combine,
    formula_text,
    frame,
    interval_text,
    other_uses,
    standalone_facts,
    structured,
    tidy,
)
from analysis.claims.evaluate import (
    ClaimError,
    Context,
    claimed_interval,
    evaluate_claim,
)
from analysis.core.stage import StageError
from analysis.core.store import read_meta

ROOT = Path(__file__).resolve().parent.parent
# Widths written out here, independent of config.yaml: knappt/drygt 10 %, cirka 5 %,
# one-sided qualifiers open (None).
WIDTHS = {
    "knappt": [-0.10, 0.0],
    "drygt": [0.0, 0.10],
    "cirka": [-0.05, 0.05],
    "nästan": [-0.10, 0.0],
    "mer än": [0.0, None],
    "minst": [0.0, None],
    "färre än": [None, 0.0],
    "mellan": [0.0, 0.0],
    "hela": [0.0, 0.0],
}


def claimed(**claim):
    return claimed_interval(claim, WIDTHS, False, [0])


# -- claimed intervals at their boundaries ------------------------------------------------


def test_plain_value_covers_its_rounding_interval_closed():
    c = claimed(value="62")
    assert (c.lo, c.hi) == (61.5, 62.5)
    assert c.contains(61.5) and c.contains(62.5)
    assert not c.contains(62.5000001) and not c.contains(61.4999999)


def test_decimal_value_and_thousands():
    c = claimed(value="4,3")
    assert (c.lo, c.hi) == pytest.approx((4.25, 4.35))
    c = claimed(value="37 600")  # trailing zeros: rounded to hundreds
    assert (c.lo, c.hi) == (37550, 37650)


def test_drygt_and_knappt_widen_one_side_by_ten_percent_and_point_one_way():
    # 'drygt 40': at least 40 itself (not 39,5, its rounding end), up to 40,5 x 1,1.
    c = claimed(value="40", qualifier="drygt")
    assert (c.lo, c.hi) == pytest.approx((40.0, 40.5 * 1.1))
    c = claimed(value="30", qualifier="knappt")
    assert (c.lo, c.hi) == pytest.approx((29.5 * 0.9, 30.0))
    # 'nästan (närmare) 92' for 92,6: inside the rounding of 92 widened downwards, but above 92.
    c = claimed(value="92", qualifier="nästan")
    assert (c.lo, c.hi) == pytest.approx((91.5 * 0.9, 92.0))
    assert not c.contains(92.3) and c.contains(91.9)
    c = claimed(value="10", qualifier="cirka")
    assert (c.lo, c.hi) == pytest.approx((9.5 * 0.95, 10.5 * 1.05))


def test_more_than_is_strict_and_open_above():
    c = claimed(value="50", exact=True, qualifier="mer än")
    assert not c.contains(50.0)
    assert c.contains(50.000001) and c.contains(1e9)
    assert interval_text(c) == "(50; ∞)"


def test_at_least_includes_the_bound():
    c = claimed(value="50", exact=True, qualifier="minst")
    assert c.contains(50.0) and not c.contains(49.9999)


def test_fewer_than_is_strict_and_open_below():
    c = claimed(value="50", exact=True, qualifier="färre än")
    assert c.contains(49.9999) and c.contains(-1e9)
    assert not c.contains(50.0)


def test_fraction_is_exact():
    c = claimed(value="100/3", qualifier="mer än")
    assert c.lo == pytest.approx(33.333333333)
    assert not c.contains(179 / 539 * 100)  # 179 * 3 = 537 < 539


def test_range_between_two_printed_values():
    c = claimed(value="30", value_high="40", qualifier="mellan")
    assert (c.lo, c.hi) == (29.5, 40.5)
    assert c.contains(40.5) and not c.contains(40.6)


def test_nearly_an_exact_value():
    c = claimed(value="2", exact=True, qualifier="nästan")
    assert (c.lo, c.hi) == pytest.approx((1.8, 2.0))


def test_unknown_qualifier_is_a_register_error():
    with pytest.raises(ClaimError) as err:
        claimed(value="5", qualifier="typ")
    assert err.value.keypath == [0, "qualifier"]


def test_missing_value_is_a_register_error():
    with pytest.raises(ClaimError):
        claimed(qualifier="drygt")


# -- operations on hand-made data ------------------------------------------------------------


def _table() -> pd.DataFrame:
    """A small processed table in the long format of data/processed (region x measure)."""
    rows = [
        ("A", "count", "count", 30.0, "30"),
        ("B", "count", "count", 50.0, "50"),
        ("C", "count", "count", 20.0, "20"),
        ("A", "percent", "percent", 30.0, "30,0 %"),
        ("B", "percent", "percent", 50.0, "50,0 %"),
        ("C", "percent", "percent", 20.0, "20,0 %"),
        ("D", "percent", "percent", math.nan, "-"),
    ]
    return pd.DataFrame(
        [
            {
                "source_id": "s",
                "table_id": "t",
                "region": r,
                "measure": m,
                "unit": u,
                "value": v,
                "status": "ok" if v == v else "not_available",
                "printed": p,
                "raw_line": i + 2,
                "raw_column": 2,
            }
            for i, (r, m, u, v, p) in enumerate(rows)
        ]
    )


def _facts() -> pd.DataFrame:
    rows = [
        ("n", "539", 539.0, "respondents", ""),
        ("k", "254", 254.0, "respondents", ""),
        ("hours", "12 300", 12300.0, "hours", "omkring"),
        ("share", "75", 75.0, "percent", ""),
    ]
    return pd.DataFrame(
        [{"id": i, "printed": p, "value": v, "unit": u, "qualifier": q} for i, p, v, u, q in rows]
    ).set_index("id", drop=False)


def ctx(**kw) -> Context:
    widths = {**WIDTHS, "omkring": [-0.05, 0.05]}
    return Context(
        tables={("s", "t"): _table()},
        facts={"s": _facts()},
        widths=widths,
        count_units=frozenset({"respondents"}),
        **kw,
    )


def run(claim: dict, by_id=None):
    claim = {"id": "c", "location": "x", "seed_line": 1, "claim": "x", "printed": "x", **claim}
    return evaluate_claim(claim, ctx(), "s", [0], by_id or {})


def cell(region, measure="count"):
    return {"table": "t", "where": {"region": region, "measure": measure}}


def only(result):
    (reading,) = result.readings
    (group,) = reading.groups
    return group


def test_share_of_two_counts_is_exact():
    g = only(
        run({"value": "37,5", "op": "share", "inputs": [cell("A"), {"op": "sum", "inputs": [cell("B"), cell("C")]}]})
    )
    assert g.computed == pytest.approx(100 * 30 / (50 + 20))
    assert g.lo == g.hi == pytest.approx(42.857142857)
    assert g.verdict == "inconsistent"
    # Gap = distance from the recomputed interval to the claimed [37,45; 37,55].
    assert g.gap == pytest.approx(42.857142857 - 37.55)


def test_printed_percent_cell_carries_its_rounding():
    g = only(run({"value": "30", "op": "value", "inputs": [cell("A", "percent")]}))
    assert (g.lo, g.hi) == pytest.approx((29.95, 30.05))
    assert g.verdict == "consistent" and g.basis == "point"


def test_difference_product_ratio_mean_complement_by_hand():
    # A printed percent 30,0 % is [29,95; 30,05]; B 50,0 % is [49,95; 50,05].
    a, b = cell("A", "percent"), cell("B", "percent")
    g = only(run({"value": "20", "op": "difference", "inputs": [b, a]}))
    assert (g.computed, g.lo, g.hi) == pytest.approx((20, 49.95 - 30.05, 50.05 - 29.95))
    g = only(run({"value": "1500", "op": "product", "inputs": [a, b]}))
    assert (g.lo, g.hi) == pytest.approx((29.95 * 49.95, 30.05 * 50.05))
    g = only(run({"value": "0,6", "op": "ratio", "inputs": [a, b]}))
    assert (g.lo, g.hi) == pytest.approx((29.95 / 50.05, 30.05 / 49.95))
    g = only(run({"value": "40", "op": "mean", "inputs": [a, b]}))
    assert (g.computed, g.lo, g.hi) == pytest.approx((40, (29.95 + 49.95) / 2, (30.05 + 50.05) / 2))
    g = only(run({"value": "70", "op": "complement", "inputs": [a]}))
    assert (g.lo, g.hi) == pytest.approx((100 - 30.05, 100 - 29.95))


def test_percent_change_and_decline_by_hand():
    g = only(run({"value": "66,7", "op": "percent_change", "inputs": [cell("A"), cell("B")]}))
    assert g.computed == pytest.approx(100 * (50 - 30) / 30)
    assert g.verdict == "consistent"
    g = only(run({"value": "60", "op": "decline", "inputs": [cell("B"), cell("C")]}))
    assert g.computed == pytest.approx(100 * (50 - 20) / 50)


def test_span_of_a_printed_range():
    g = only(run({"value": "40", "op": "span", "inputs": [cell("A", "percent"), cell("B", "percent")]}))
    assert (g.computed, g.lo, g.hi) == pytest.approx((40, 29.95, 50.05))


def test_count_facts_cover_only_whole_numbers():
    # 254 / 406 in the Riksrevisionen chapter: respondents are whole, so 254 / 539 is exact.
    g = only(run({"value": "47", "op": "share", "inputs": [{"fact": "k"}, {"fact": "n"}]}))
    assert g.lo == g.hi == pytest.approx(100 * 254 / 539)


def test_fact_with_qualifier_is_widened():
    g = only(run({"value": "12 300", "qualifier": "omkring", "op": "value", "inputs": [{"fact": "hours"}]}))
    assert (g.lo, g.hi) == pytest.approx((12250 * 0.95, 12350 * 1.05))


def test_grouped_input_gives_one_verdict_per_group():
    res = run(
        {
            "value": "25",
            "value_high": "40",
            "qualifier": "mellan",
            "op": "value",
            "inputs": [{"table": "t", "where": {"measure": "percent", "region": ["A", "B", "C"]}, "by": "region"}],
        }
    )
    verdicts = {g.group: g.verdict for g in res.readings[0].groups}
    assert verdicts == {"A": "consistent", "B": "inconsistent", "C": "inconsistent"}
    assert res.verdict == "inconsistent"


def test_ranking_point_rounding_and_failure():
    grouped = {"table": "t", "where": {"measure": "count", "region": ["A", "B", "C"]}, "by": "region"}
    assert only(run({"op": "top", "inputs": [grouped], "expect": "B"})).basis == "point"
    assert only(run({"op": "bottom", "inputs": [grouped], "expect": "C"})).verdict == "consistent"
    assert only(run({"op": "top", "inputs": [grouped], "expect": ["B", "A"]})).verdict == "consistent"
    g = only(run({"op": "top", "inputs": [grouped], "expect": "A"}))
    assert g.verdict == "inconsistent" and g.gap == pytest.approx(30 - 50)
    assert only(run({"op": "rank", "position": 2, "inputs": [grouped], "expect": "A"})).verdict == "consistent"
    assert only(run({"op": "rank", "position": 3, "inputs": [grouped], "expect": "A"})).verdict == "inconsistent"


def test_ranking_tie_within_rounding():
    # 61,2 % against 61,1 %: the second could be the first within the printed rounding.
    frame = _table()
    frame.loc[frame["region"] == "A", ["value", "printed"]] = [61.2, "61,2 %"]
    frame.loc[frame["region"] == "B", ["value", "printed"]] = [61.1, "61,1 %"]
    c = ctx()
    c.tables[("s", "t")] = frame
    claim = {
        "id": "c",
        "location": "x",
        "seed_line": 1,
        "claim": "x",
        "printed": "x",
        "op": "top",
        "expect": "B",
        "inputs": [{"table": "t", "where": {"measure": "percent", "region": ["A", "B", "C"]}, "by": "region"}],
    }
    g = only(evaluate_claim(claim, c, "s", [0], {}))
    assert g.verdict == "consistent" and g.basis == "input rounding"


def test_comparisons_elementwise_and_all_pairs():
    res = run({"op": "greater", "inputs": [cell("B"), cell("A")]})
    assert only(res).verdict == "consistent"
    res = run({"op": "less", "inputs": [cell("B"), cell("A")]})
    assert only(res).verdict == "inconsistent"
    left = {"table": "t", "where": {"measure": "count", "region": ["A", "B"]}, "by": "region"}
    res = run({"op": "greater", "inputs": [left, cell("C")]})
    assert [g.verdict for g in res.readings[0].groups] == ["consistent", "consistent"]
    pct = {"table": "t", "where": {"measure": "percent", "region": ["A", "B"]}, "by": "region"}
    res = run({"op": "greater", "inputs": [left, pct]})  # same groups: per group, 30 > 30,0 % only within rounding
    assert [g.basis for g in res.readings[0].groups] == ["input rounding", "input rounding"]


def test_monotone_and_similar():
    ordered = {"table": "t", "where": {"measure": "count", "region": ["C", "A", "B"]}, "by": "region"}
    res = run({"op": "increasing", "inputs": [ordered]})
    assert res.verdict == "consistent" and len(res.readings[0].groups) == 2
    assert run({"op": "decreasing", "inputs": [ordered]}).verdict == "inconsistent"
    g = only(run({"op": "similar", "within": 10, "inputs": [ordered]}))
    assert g.verdict == "inconsistent" and g.computed == pytest.approx(50 - 20)
    assert only(run({"op": "similar", "within": 30, "inputs": [ordered]})).verdict == "consistent"


def test_not_available_cell_makes_a_claim_not_reproducible():
    assert run({"value": "5", "op": "value", "inputs": [cell("D", "percent")]}).verdict == "not reproducible"


def test_missing_inputs_are_not_reproducible():
    assert run({"value": "5", "missing": "Figur 3's data"}).verdict == "not reproducible"


def test_readings_that_disagree_are_ambiguous_and_evidence_does_not_count():
    readings = [
        {"label": "one", "op": "value", "inputs": [cell("A")]},
        {"label": "two", "op": "value", "inputs": [cell("B")]},
    ]
    assert run({"value": "30", "readings": readings}).verdict == "ambiguous"
    readings[1]["evidence_only"] = True
    assert run({"value": "30", "readings": readings}).verdict == "consistent"


def test_same_as_reuses_the_computation():
    base = {"id": "base", "value": "30", "op": "value", "inputs": [cell("A")]}
    res = run({"value": "50", "same_as": "base"}, by_id={"base": base})
    assert only(res).verdict == "inconsistent"


@pytest.mark.parametrize(
    "spec, where",
    [
        ({"op": "value", "inputs": [{"table": "t", "where": {"regio": "A"}}]}, [0, "inputs", 0, "where", "regio"]),
        ({"op": "value", "inputs": [{"table": "t", "where": {"region": "Z"}}]}, [0, "inputs", 0, "where", "region"]),
        ({"op": "value", "inputs": [{"table": "t", "where": {"region": "A"}}]}, [0, "inputs", 0]),
        ({"op": "value", "inputs": [{"table": "u"}]}, [0, "inputs", 0, "table"]),
        ({"op": "value", "inputs": [{"fact": "nope"}]}, [0, "inputs", 0, "fact"]),
        ({"op": "ratio", "inputs": [cell("A")]}, [0, "inputs"]),
        ({"op": "pow", "inputs": [cell("A")]}, [0, "op"]),
        ({"op": "similar", "inputs": []}, [0, "inputs"]),
        ({"op": "top", "inputs": [cell("A"), cell("B")], "expect": "A"}, [0, "inputs"]),
        (
            {"op": "top", "inputs": [{"table": "t", "where": {"measure": "count"}, "by": "region"}], "expect": "Z"},
            [0, "expect"],
        ),
        ({"op": "ratio", "inputs": [cell("A"), {"const": "0"}]}, [0]),
    ],
)
def test_register_errors_point_at_the_claim(spec, where):
    with pytest.raises(ClaimError) as err:
        run({"value": "1", **spec})
    assert err.value.keypath == where


def test_printed_fact_must_print_the_claimed_value():
    assert run({"value": "539", "printed_fact": "n", "op": "value", "inputs": [{"fact": "n"}]}).verdict == "consistent"
    with pytest.raises(ClaimError) as err:
        run({"value": "540", "printed_fact": "n", "op": "value", "inputs": [{"fact": "n"}]})
    assert err.value.keypath == [0, "value"]
    with pytest.raises(ClaimError) as err:
        run({"value": "5", "printed_fact": ["n", "nope"], "missing": "x"})
    assert err.value.keypath == [0, "printed_fact"]


# -- result tables ---------------------------------------------------------------------------


def test_tables_of_a_claim_and_a_missing_one():
    results = [run({"value": "30", "op": "value", "inputs": [cell("A")]}), run({"value": "5", "missing": "x"})]
    claims, detail = tidy(results)
    assert list(claims["verdict"]) == ["consistent", "not reproducible"]
    assert claims.loc[0, "evidence"] == "30 in [30; 30] vs [29.5; 30.5]"
    assert claims.loc[0, "formula"] == "value(t[region=A, measure=count] = 30)"
    sv_columns = ["claim_sv", "missing_sv", "explanation_sv", "note_sv", "location_sv"]
    assert [c for c in claims.columns if c.endswith("_sv")] == sv_columns and (claims.loc[0, sv_columns] == "").all()
    assert list(detail["group"]) == [""]
    tables = structured(results)
    e = tables["claims_evidence"].iloc[0]
    assert (e["form"], e["claimed_lo"], e["claimed_hi"]) == ("interval", 29.5, 30.5)
    assert not e["claimed_lo_open"] and not e["claimed_hi_open"]
    assert list(tables["claims_readings"]["reading"]) == [1] and tables["claims_items"].empty
    terms = tables["claims_terms"]
    assert list(terms["kind"]) == ["op", "table"] and list(terms["parent"]) == [0, 1]
    assert terms.loc[1, "value"] == 30 and terms.loc[1, "where"] == "region=A, measure=count"


def _evidence(spec):
    res = run(spec)
    tables = structured([res])
    _, detail = tidy([res])
    return tables["claims_evidence"], tables["claims_items"], list(detail["detail"])


def test_evidence_as_data_and_in_english_for_each_form():
    grouped = {"table": "t", "where": {"measure": "count", "region": ["A", "B", "C"]}, "by": "region"}
    e, items, text = _evidence({"op": "top", "inputs": [grouped], "expect": "B"})
    assert e.loc[0, "form"] == "highest_first"
    assert list(zip(items["label"], items["value"], strict=True)) == [("B", 50), ("A", 30), ("C", 20)]
    assert text == ["highest first: B 50, A 30, C 20"]
    e, _, text = _evidence({"op": "bottom", "inputs": [grouped], "expect": "C"})
    assert e.loc[0, "form"] == "lowest_first" and text == ["lowest first: C 20, A 30, B 50"]
    e, _, text = _evidence({"op": "rank", "position": 3, "inputs": [grouped], "expect": "A"})
    assert (e.loc[0, "rank"], e.loc[0, "position"], e.loc[0, "verdict"]) == (2, 3, "inconsistent")
    assert text == ["order: B > A > C; 'A' is #2, claimed #3"]
    e, items, text = _evidence({"op": "less", "inputs": [cell("C"), cell("A")]})  # 20 < 30, left first
    assert e.loc[0, "form"] == "less" and list(items["value"]) == [20, 30] and text == ["20 < 30"]
    e, items, text = _evidence({"op": "greater", "inputs": [cell("B"), cell("A")]})
    assert list(items["value"]) == [50, 30] and text == ["50 > 30"]
    ordered = {"table": "t", "where": {"measure": "count", "region": ["C", "A", "B"]}, "by": "region"}
    e, items, text = _evidence({"op": "increasing", "inputs": [ordered]})
    assert list(e["label"]) == ["C→A", "A→B"] and text == ["C 20 → A 30", "A 30 → B 50"]
    assert list(items["group"]) == [1, 1, 2, 2]
    e, items, text = _evidence({"op": "similar", "within": 10, "inputs": [ordered]})
    assert (e.loc[0, "computed"], e.loc[0, "within"], e.loc[0, "gap"]) == (30, 10, 20)
    assert text == ["spread 30 (allowed 10): C 20, A 30, B 50"]
    e, _, text = _evidence({"value": "5", "op": "value", "inputs": [cell("D", "percent")]})
    # row D percent is the 7th data row of the hand-made table: raw line 8
    assert (e.loc[0, "form"], e.loc[0, "cell_table"], e.loc[0, "cell_line"], e.loc[0, "cell_printed"]) == (
        "not_available",
        "t",
        8,
        "-",
    )
    assert text == ["t line 8 is printed as '-'"]


def test_open_claimed_interval_as_data():
    e, _, _ = _evidence({"value": "50", "exact": True, "qualifier": "mer än", "op": "value", "inputs": [cell("A")]})
    assert (e.loc[0, "claimed_lo"], e.loc[0, "claimed_hi"]) == (50, math.inf)
    assert e.loc[0, "claimed_lo_open"] and e.loc[0, "claimed_hi_open"]
    assert e.loc[0, "gap"] == pytest.approx(30 - 50)


def test_input_from_another_report_and_facts_it_uses_there():
    c = ctx()
    c.tables[("o", "u")] = _table().assign(source_id="o", table_id="u")
    c.facts["o"] = _facts()
    claim = {
        "id": "c",
        "location": "x",
        "seed_line": 1,
        "claim": "x",
        "printed": "x",
        "value": "30",
        "op": "value",
        "inputs": [{"table": "u", "source": "o", "where": {"region": "A", "measure": "count"}}],
    }
    res = evaluate_claim(claim, c, "s", [0], {})
    assert res.verdict == "consistent"
    assert formula_text(res.readings[0].term) == "value(u[region=A, measure=count] (o) = 30)"
    terms = structured([res])["claims_terms"]
    assert list(terms["source"]) == ["", "o"]
    register = [{"id": "r", "op": "ratio", "inputs": [{"fact": "n", "source": "o"}, {"fact": "k"}]}]
    uses = other_uses("s", register, {})
    assert list(zip(uses["source"], uses["fact"], strict=True)) == [("o", "n")]
    # n of 'o' is used by the register of 's', so it is not standalone in 'o' (k of 's' is used)
    alone = standalone_facts({"s": register}, {"s": _facts().assign(location="x")}, {})
    assert list(alone["fact"]) == ["n", "hours", "share"]


def test_combine_keeps_report_order_types_and_drops_facts_another_register_uses():
    def standalone(report, facts):
        rows = [{"report": report, "fact": f, "printed": "1", "unit": "count", "location": "x"} for f in facts]
        return frame("claims_standalone", rows)

    parts = {name: [frame(name, []), frame(name, [])] for name in SOURCE_TABLES}
    parts["claims_standalone"] = [standalone("a", ["x", "y"]), standalone("b", ["z", "w"])]
    parts["claims_uses"] = [frame("claims_uses", [{"source": "b", "fact": "z"}]), frame("claims_uses", [])]
    out = combine(parts)
    assert set(out) == set(TABLES)
    assert list(zip(out["claims_standalone"]["report"], out["claims_standalone"]["fact"], strict=True)) == [
        ("a", "x"),
        ("a", "y"),
        ("b", "w"),
    ]
    assert out["claims"]["seed_line"].dtype == "int64" and out["claims_evidence"]["rank"].dtype == "Int64"


# -- the real registers through the stages, worked by hand -------------------------------------

SOURCES = ("riksrevisionen_2022", "arbetsformedlingen_2019", "forsakringskassan_2020")
CONFIG = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
SUMMARIES = ("catalog", "codebook", "validation", "known_issues")


def ingest(root: Path, sid: str) -> None:
    """data/raw/<sid> -> root/data/processed/<sid>, written as the ingest stage writes it."""
    from analysis.core.stage import StageLog
    from analysis.ingest.source import ingest_source
    from analysis.ingest.stage import write_source

    schemas = {
        n: yaml.safe_load((ROOT / "schemas" / f"{n}.schema.yaml").read_text(encoding="utf-8"))
        for n in ("table", "source", "known_issues")
    }
    files = {
        str(p.relative_to(ROOT)): p.read_bytes()
        for p in sorted((ROOT / "data/raw" / sid).rglob("*"))
        if p.is_file() and p.name not in ("claims.yaml", "cost_model.yaml")
    }
    s = ingest_source(sid, files, schemas)
    folder = root / "data/processed" / sid
    folder.mkdir(parents=True)
    tables = [it.table.table_id for it in s.tables]
    kinds = [k for k in ("facts", "events") if any(p.endswith(f"/{k}.csv") for p in files)]
    out = {name: str(folder / f"{name}.parquet") for name in [*tables, *kinds, *SUMMARIES]}
    write_source(s, SimpleNamespace(**out), tables, StageLog("ingest"))


def audit_inputs(root: Path, sid: str, register: Path | None = None) -> SimpleNamespace:
    folder = root / "data/processed" / sid
    cost_model = ROOT / "data/raw" / sid / "cost_model.yaml"
    skip = {"facts", "events", *SUMMARIES}
    return SimpleNamespace(
        claims=str(register or ROOT / "data/raw" / sid / "claims.yaml"),
        tables=sorted(str(p) for p in folder.glob("*.parquet") if p.stem not in skip),
        facts=[str(folder / "facts.parquet")],
        cost_model=[str(cost_model)] if cost_model.is_file() else [],
        schema=str(ROOT / "schemas/registers.schema.yaml"),
    )


def audit_params(sid: str) -> SimpleNamespace:
    return SimpleNamespace(source=sid, similar_within=CONFIG["claims"]["similar_within"], intervals=CONFIG["intervals"])


def audit_outputs(root: Path, sid: str) -> SimpleNamespace:
    return SimpleNamespace(**{n: str(root / "reports/tables" / f"{sid}_{n}.parquet") for n in SOURCE_TABLES})


def combined_outputs(root: Path) -> SimpleNamespace:
    tables = root / "reports/tables"
    return SimpleNamespace(
        **{n: str(tables / f"{n}.parquet") for n in TABLES}, **{f"{n}_csv": str(tables / f"{n}.csv") for n in TABLES}
    )


def build(root: Path) -> SimpleNamespace:
    """The three reports ingested and audited, each on its own, then combined."""
    for sid in SOURCES:
        ingest(root, sid)
        stage.run(audit_inputs(root, sid), audit_outputs(root, sid), audit_params(sid), root / f"logs/claims_{sid}.log")
    inputs = SimpleNamespace(**{n: [getattr(audit_outputs(root, sid), n) for sid in SOURCES] for n in SOURCE_TABLES})
    params = SimpleNamespace(
        sources=list(SOURCES),
        settings=CONFIG["claims"],
        registers=[f"data/raw/{sid}/claims.yaml" for sid in SOURCES],
    )
    outputs = combined_outputs(root)
    stage.run_combine(inputs, outputs, params, root / "logs/claims.log")
    return SimpleNamespace(root=root, outputs=outputs, frames={n: pd.read_parquet(getattr(outputs, n)) for n in TABLES})


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build(tmp_path_factory.mktemp("claims"))


def test_more_than_a_third_fails_by_hand(built):
    claims = built.frames["claims"].set_index("id")
    # Tabell 5: 179 'Nej' of 64 + 291 + 179 + 5 = 539; a third of 539 is 179,67.
    assert 64 + 291 + 179 + 5 == 539 and 179 < 539 / 3
    row = claims.loc["t5_no_shared_view_over_third"]
    # Of all respondents: inconsistent; of the 534 with a view (without 5 'Vet ej'):
    # 179 / 534 = 33,52 % > 33,33 %. The two readings disagree: ambiguous.
    assert row["verdict"] == "ambiguous"
    assert row["computed"] == pytest.approx(100 * 179 / 539)
    assert row["gap"] == pytest.approx(100 * 179 / 539 - 100 / 3)
    evidence = built.frames["claims_evidence"]
    ev = evidence[evidence["id"] == "t5_no_shared_view_over_third"].set_index("reading")
    assert ev.loc[1, "verdict"] == "inconsistent"
    assert ev.loc[2, "computed"] == pytest.approx(100 * 179 / 534) and ev.loc[2, "verdict"] == "consistent"


def test_partial_agreement_readings_by_hand(built):
    claims = built.frames["claims"].set_index("id")
    evidence = built.frames["claims_evidence"]
    # Tabell 8, 'Instämmer helt' alone: Arbetsförmedlingen 18,9 %, not more than half.
    for cid in ("t8_clear_majority", "t6_most_get_help"):
        assert claims.loc[cid, "verdict"] == "ambiguous"
        ev = evidence[(evidence["id"] == cid) & (evidence["reading"] == 2)].set_index("label")
        assert ev.loc["Arbetsförmedlingen", "verdict"] == "inconsistent"
    ev = evidence[(evidence["id"] == "t8_clear_majority") & (evidence["reading"] == 2)].set_index("label")
    assert ev.loc["Arbetsförmedlingen", "computed"] == pytest.approx(18.9)


def test_swedish_location_from_the_register(built):
    claims = built.frames["claims"].set_index("id")
    assert "location_sv" in claims.columns
    row = claims.loc["t5_no_shared_view_over_third"]
    assert (row["location"], row["location_sv"]) == ("4.1.1, text after Tabell 5", "4.1.1, texten efter Tabell 5")
    row = claims.loc["longest_cases_per_1000_chapter_4"]
    assert (row["location"], row["location_sv"]) == ("Chapter 4, the long cases", "Kapitel 4, de långa sjukfallen")
    # a location that is all printed Swedish has no location_sv
    assert claims.loc["median_day_summary", ["location", "location_sv"]].tolist() == ["Sammanfattning", ""]


def test_second_half_2019_fall_by_hand(built):
    claims = built.frames["claims"].set_index("id")
    # Tabell 1: 23 712 meetings in 2019 H1, 16 151 in H2: a fall of 31,9 %, not 'knappt 20'
    # ([17,55; 20] with knappt -10 %, at most 20); 7 561 of the year's 39 863 would be 19,0 %.
    fall = 100 * (23712 - 16151) / 23712
    assert fall == pytest.approx(31.887, abs=1e-3)
    for cid in ("h2_2019_drop_summary", "h2_2019_drop_bilaga_summary", "h2_2019_drop_text"):
        row = claims.loc[cid]
        assert row["verdict"] == "inconsistent"
        assert row["computed"] == pytest.approx(fall)
        assert row["gap"] == pytest.approx(fall - 20.0)
    detail = built.frames["claims_detail"]
    share = detail[(detail["id"] == "h2_2019_drop_summary") & detail["evidence_only"]]["computed"].item()
    assert share == pytest.approx(100 * 7561 / 39863)
    readings = built.frames["claims_readings"]
    readings = readings[readings["id"] == "h2_2019_drop_summary"]
    assert list(readings["evidence_only"]) == [False, False, True]
    # Net of the usual second-half dip: H2/H1 of 2011-2018, their mean, and the fall of
    # 2019 H2 from 2019 H1 times that mean (written out from Tabell 1).
    h1 = [41926, 49388, 56526, 51688, 48124, 37371, 29493, 19750]
    h2 = [35820, 43394, 47027, 43161, 35708, 26491, 19841, 20893]
    mean_ratio = sum(b / a for a, b in zip(h1, h2, strict=True)) / 8
    expected = 23712 * mean_ratio
    net = 100 * (expected - 16151) / expected
    assert net == pytest.approx(17.206, abs=1e-3)
    evidence = built.frames["claims_evidence"]
    row = evidence[(evidence["id"] == "h2_2019_drop_summary") & (evidence["reading"] == 2)].iloc[0]
    assert row["computed"] == pytest.approx(net)
    assert row["verdict"] == "inconsistent"  # below 0,9 x 19,5 = 17,55
    assert list(readings["verdict"]) == ["inconsistent", "inconsistent", "consistent"]


def test_nearly_doubled_by_hand(built):
    # Tabell 1: VO Direkt 34 195 in week 5, 61 704 in week 35: 1,804, inside [1,8; 2].
    row = built.frames["claims"].set_index("id").loc["t1_direkt_nearly_doubled"]
    assert row["computed"] == pytest.approx(61704 / 34195)
    assert row["verdict"] == "consistent" and 1.8 <= 61704 / 34195 <= 2


def test_62_percent_of_406_by_hand(built):
    # 254 / 406 = 62,56 %: rounds to 63, so the printed 62 is off by 0,06 points.
    row = built.frames["claims"].set_index("id").loc["feedback_used_62"]
    assert row["verdict"] == "inconsistent"
    assert row["gap"] == pytest.approx(100 * 254 / 406 - 62.5)


def test_between_30_and_40_per_agency_by_hand(built):
    detail = built.frames["claims_detail"]
    rows = detail[detail["id"] == "t7_between_30_and_40"].set_index("group")
    # Tabell 7, agreeing fully + partly: Pensionsmyndigheten 10,6 + 33,0 = 43,6 (outside),
    # Skatteverket 6,3 + 23,7 = 30,0 (inside).
    assert rows.loc["Pensionsmyndigheten", "computed"] == pytest.approx(10.6 + 33.0)
    assert rows.loc["Pensionsmyndigheten", "verdict"] == "inconsistent"
    assert rows.loc["Skatteverket", "verdict"] == "consistent"
    assert rows.loc["Arbetsförmedlingen", "computed"] == pytest.approx(5.7 + 22.3)
    evidence = built.frames["claims_evidence"]
    rows = evidence[evidence["id"] == "t7_between_30_and_40"]
    # 'mellan 30 och 40': [29,5; 40,5], closed
    assert set(rows["claimed_lo"]) == {29.5} and set(rows["claimed_hi"]) == {40.5}
    assert list(rows["group"]) == [1, 2, 3, 4, 5]


def test_cross_source_annual_report_figures(built):
    claims = built.frames["claims"].set_index("id")
    row = claims.loc["meetings_2018_annual_report_vs_tabell_1"]
    assert row["kind"] == "cross_source" and row["verdict"] == "inconsistent"
    assert row["computed"] == 40643 and row["explanation"]
    row = claims.loc["tabell_3_total_vs_tabell_1"]
    # Tabell 1's yearly counts 2011-2019 sum to 646 464; Tabell 3 prints 582 252.
    yearly = [77746, 92782, 103553, 94849, 83832, 63862, 49334, 40643, 39863]
    assert row["computed"] == sum(yearly) == 646464


def test_new_tasks_estimate_by_hand(built):
    row = built.frames["claims"].set_index("id").loc["new_tasks_cost"]
    assert row["computed"] == pytest.approx(34 * 58 * 35 * 289 / 1e6)
    # January-August gives 19,9 million; per month (/ 8) 2,49 lies in 'omkring 2,4'
    # ([2,35 x 0,95; 2,45 x 1,05] = [2,2325; 2,5725]): the two readings disagree.
    assert row["verdict"] == "ambiguous"
    evidence = built.frames["claims_evidence"]
    ev = evidence[evidence["id"] == "new_tasks_cost"].set_index("reading")
    assert ev.loc[1, "verdict"] == "inconsistent" and ev.loc[2, "verdict"] == "consistent"
    assert ev.loc[2, "computed"] == pytest.approx(34 * 58 * 35 * 289 / 1e6 / 8)
    assert (ev.loc[2, "claimed_lo"], ev.loc[2, "claimed_hi"]) == pytest.approx((2.35 * 0.95, 2.45 * 1.05))
    terms = built.frames["claims_terms"]
    estimate = terms[(terms["id"] == "new_tasks_cost") & (terms["kind"] == "estimate")]
    assert list(estimate["name"]) == ["new_tasks_cost", "new_tasks_cost"]
    assert list(estimate["printed"]) == ["(omkring 34 × 58 × 35 × 289 / 1 000 000)"] * 2


def test_every_registered_claim_has_a_verdict_per_report_and_combined(built):
    registers = {
        sid: yaml.safe_load((ROOT / "data/raw" / sid / "claims.yaml").read_text(encoding="utf-8"))["claims"]
        for sid in SOURCES
    }
    claims = built.frames["claims"]
    assert len(claims) == sum(len(r) for r in registers.values()) and claims["id"].is_unique
    assert list(dict.fromkeys(claims["report"])) == list(SOURCES)
    for sid in SOURCES:
        path = audit_outputs(built.root, sid).claims
        assert len(pd.read_parquet(path)) == len(registers[sid])
        assert read_meta(path)["register"].endswith(f"data/raw/{sid}/claims.yaml")
    assert read_meta(built.outputs.claims)["registers"] == [f"data/raw/{sid}/claims.yaml" for sid in SOURCES]
    assert pd.read_csv(built.outputs.claims_csv).shape == claims.shape
    log = (built.root / "logs/claims_riksrevisionen_2022.log").read_text(encoding="utf-8")
    assert "read " in log and "riksrevisionen_2022_claims.parquet (33 rows)" in log


def test_standalone_facts_by_hand(built):
    standalone = built.frames["claims_standalone"]
    pairs = set(zip(standalone["report"], standalone["fact"], strict=True))
    # Riksrevisionen's 8 months of training are printed once and used by no claim; the 539
    # respondents are the denominator of several.
    assert ("riksrevisionen_2022", "training_months") in pairs
    assert ("riksrevisionen_2022", "respondents") not in pairs
    # facts inside a cost-model estimate a claim uses count as used
    assert ("arbetsformedlingen_2019", "local_units_total") not in pairs
    row = standalone[standalone["fact"] == "staff_redeployed_to_direkt"].iloc[0]
    assert row["printed"] == "cirka 700"


def test_bad_register_fails_located_and_writes_nothing(tmp_path, built):
    """The stage names the register, the line and column of the bad reference, and writes nothing."""
    sid = "riksrevisionen_2022"
    text = (ROOT / "data/raw" / sid / "claims.yaml").read_text(encoding="utf-8")
    good = "where: {answer: Via erfarenhet och utbyte med kollegor, measure: count}"
    bad = text.replace(good, "where: {answer: Via erfarenhet, measure: count}", 1)
    assert bad != text
    register = tmp_path / "claims.yaml"
    register.write_text(bad, encoding="utf-8")
    outputs = audit_outputs(tmp_path, sid)
    with pytest.raises(StageError) as err:
        stage.run(audit_inputs(built.root, sid, register), outputs, audit_params(sid), tmp_path / "claims.log")
    line = next(i for i, t in enumerate(bad.splitlines(), 1) if "answer: Via erfarenhet, measure: count" in t)
    message = str(err.value)
    assert message.startswith(f"error: {register}:{line}:"), message
    assert "'Via erfarenhet'" in message and "expected a label of column 'answer'" in message
    assert not any(Path(getattr(outputs, n)).exists() for n in SOURCE_TABLES)
    assert message in (tmp_path / "claims.log").read_text(encoding="utf-8")


def test_register_without_its_reports_tables_fails_located(tmp_path, built):
    """A register citing another report whose tables the rule did not pass is a located error."""
    sid = "riksrevisionen_2022"
    text = (ROOT / "data/raw" / sid / "claims.yaml").read_text(encoding="utf-8")
    bad = text.replace("{table: tabell_3,", "{table: tabell_3, source: forsakringskassan_2020,", 1)
    register = tmp_path / "claims.yaml"
    register.write_text(bad, encoding="utf-8")
    with pytest.raises(StageError, match="a processed table of forsakringskassan_2020"):
        stage.run(audit_inputs(built.root, sid, register), audit_outputs(tmp_path, sid), audit_params(sid))


def test_a_claim_citing_a_line_beyond_the_report_is_located(tmp_path, built):
    sid = "riksrevisionen_2022"
    n = yaml.safe_load((ROOT / "data/raw" / sid / "source.yaml").read_text(encoding="utf-8"))["seed_lines"]
    text = (ROOT / "data/raw" / sid / "claims.yaml").read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if line.strip().startswith("seed_line:"))
    bad = text.replace(first, first.split(":")[0] + ": 999999", 1)
    register = tmp_path / "claims.yaml"
    register.write_text(bad, encoding="utf-8")
    line = next(i for i, t in enumerate(bad.splitlines(), 1) if "999999" in t)
    with pytest.raises(StageError) as err:
        stage.run(audit_inputs(built.root, sid, register), audit_outputs(tmp_path, sid), audit_params(sid))
    message = str(err.value)
    assert message.startswith(f"error: {register}:{line}:") and "line beyond the document: '999999'" in message
    assert f"1 to {n}" in message


def test_readme_counts_match_the_registers():
    """The README states how many claims each register holds; keep it true."""
    import re

    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    m = re.search(r"\((\d+) claims: Riksrevisionen (\d+), Arbetsförmedlingen (\d+), Försäkringskassan (\d+)\)", text)
    assert m, "README: claim counts not found"
    counts = [
        len(yaml.safe_load((ROOT / "data/raw" / sid / "claims.yaml").read_text(encoding="utf-8"))["claims"])
        for sid in SOURCES
    ]
    assert [int(x) for x in m.groups()] == [sum(counts), *counts]


def test_near_92_is_inconsistent_and_a_year_reading_of_the_registration_cost(built):
    claims = built.frames["claims"].set_index("id")
    row = claims.loc["activity_reports_digital_near_92"]
    # 237 000 / 256 000 = 92,58 %; even its lowest value (236 500 / 256 500 = 92,20 %) is
    # above 92, which 'närmare 92' does not exceed.
    assert row["computed"] == pytest.approx(100 * 237000 / 256000)
    assert row["computed_lo"] == pytest.approx(100 * 236500 / 256500)
    assert row["verdict"] == "inconsistent"
    assert row["gap"] == pytest.approx(100 * 236500 / 256500 - 92)
    # 'på ett år ... under perioden januari-augusti': 4,29 for the period, 6,44 for a year.
    evidence = built.frames["claims_evidence"]
    ev = evidence[evidence["id"] == "pdm_registration_cost"].set_index("reading")
    period = 101600 * 0.6 * 12 / 60 * 352 / 1e6
    assert ev.loc[1, "computed"] == pytest.approx(period) and ev.loc[1, "verdict"] == "consistent"
    assert ev.loc[2, "computed"] == pytest.approx(period * 12 / 8) and ev.loc[2, "verdict"] == "inconsistent"
    assert claims.loc["pdm_registration_cost", "verdict"] == "ambiguous"


def test_claims_carry_the_page_of_their_line(built):
    claims = built.frames["claims"].set_index("id")
    fk = claims[claims["report"] == "forsakringskassan_2020"]
    # Försäkringskassan's table of contents: 'Bilaga 1' starts on page 81 at line 1200 and
    # 'Bilaga 2' on page 91 at line 1427, so a claim on a line between lies on pp. 81-91.
    inside = fk[(fk["seed_line"] > 1200) & (fk["seed_line"] < 1427)]
    assert len(inside) > 0
    assert (inside["page"] == 81).all() and (inside["page_last"] == 91).all()
    # Riksrevisionen's chapter is a web page without page numbers: no page is invented.
    rr = claims[claims["report"] == "riksrevisionen_2022"]
    assert rr["page"].isna().all() and rr["page_last"].isna().all()
