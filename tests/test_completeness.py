"""Every number of every source document is registered or waived (analysis.ingest.completeness).

The registers ``data/raw/<source>/numbers.csv`` are compared with a register built afresh
from the seed text and the raw data: a number printed but missing from the register, an
entry no longer printed (stale), a registration that no longer holds, or a number left
unaccounted fails. The seeds are found as in tests/test_raw_provenance.py (SERVICESTAT_SEEDS,
else shared/seeds in a parent directory); without them these tests are skipped, except in
CI, where they fail.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
from pathlib import Path

import pytest
import yaml

from analysis.core.errors import InputError
from analysis.ingest import completeness as c

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
SOURCES = sorted(p.parent for p in RAW.glob("*/source.yaml"))


def find_seeds() -> Path:
    if os.environ.get("SERVICESTAT_SEEDS"):
        return Path(os.environ["SERVICESTAT_SEEDS"])
    candidates = [d / "shared" / "seeds" for d in ROOT.parents]
    return next((p for p in candidates if p.is_dir()), candidates[0])


SEEDS = find_seeds()
needs_seeds = pytest.mark.skipif(
    not SEEDS.is_dir() and not os.environ.get("CI"), reason=f"no shared/seeds beside the clone (looked for {SEEDS})"
)


def seed_text(source_dir: Path) -> str:
    src = yaml.safe_load((source_dir / "source.yaml").read_text(encoding="utf-8"))
    path = SEEDS / src["seed_file"]
    assert path.is_file(), f"the source document {path} is missing (set SERVICESTAT_SEEDS)"
    return path.read_text(encoding="utf-8")


def committed(source_dir: Path) -> list[dict]:
    return list(csv.DictReader((source_dir / "numbers.csv").open(encoding="utf-8"), delimiter=";"))


# -- tokens ---------------------------------------------------------------------------------


def test_tokens_read_swedish_number_formats():
    text = "Hjälplinjen 30\u00a0000 och 44,5 % av 573 738.\nVecka 5 2019¹ gav 2 × 433 + 1 × 106"
    got = [(t.line, t.column, t.token) for t in c.tokens(text)]
    # Written out by hand: grouped thousands (no-break space too) and decimal commas are
    # one number; a year after a small number is not a thousands group; a superscript
    # footnote mark is not a digit.
    assert got == [
        (1, 13, "30 000"),
        (1, 24, "44,5"),
        (1, 34, "573 738"),
        (2, 7, "5"),
        (2, 9, "2019"),
        (2, 19, "2"),
        (2, 23, "433"),
        (2, 29, "1"),
        (2, 33, "106"),
    ]


def test_tokens_edge_cases():
    assert c.tokens("") == []
    assert [t.token for t in c.tokens("1 2 3 4 5")] == ["1", "2", "3", "4", "5"]  # no 3-digit groups
    assert [t.token for t in c.tokens("12 3456")] == ["12", "3456"]  # a group is exactly three digits
    assert [t.token for t in c.tokens("2019-12-19")] == ["2019", "12", "19"]
    assert [t.token for t in c.tokens("0,2 procent")] == ["0,2"]


@pytest.mark.parametrize(
    ("line", "token", "category"),
    [
        ("Datum: 2019-12-19", "12", "date"),
        ("Sedan 23 oktober styrs", "23", "date"),
        ("under augusti 2019 uppgick", "2019", "date"),
        ("mellan vecka 5 och vecka 35", "35", "date"),
        ("enligt SFS 2000:628 om", "628", "reference"),
        ("(30 kap. 8–11 §§ SFB)", "30", "reference"),
        ("se <http://www.example.se/a.5.4a30.html>", "30", "reference"),
        ("tar emot.<sup>24</sup> Det", "24", "heading"),
        ("ringa 30 000.[112] En", "112", "heading"),
        ("**Figur 3** Andel", "3", "heading"),
        ("4.1.1 Gränsen för uppdraget", "1", "heading"),
        ("Metod och material.....\t10", "10", "furniture"),
        ("e-leg osv. 1 2 3 4 5", "3", "label"),
        ("handläggare inom K3-flödet", "3", "label"),
    ],
)
def test_rules_waive_what_is_not_data(line, token, category):
    column = line.index(token) + 1
    assert c.classify(line, column, token)[0] == category


@pytest.mark.parametrize(
    ("line", "token"),
    [
        ("inkom 101 600 samtal", "101 600"),
        ("var 28 000 fler än 2018", "28 000"),
        ("totalt genomfört 30 intervjuer", "30"),
        ("aktiveras 10 timmar per vecka", "10"),  # 'akt' inside a word is no case number
        ("varav 789 (12 procent) på VO Direkt", "12"),
    ],
)
def test_rules_leave_data_alone(line, token):
    assert c.classify(line, line.index(token) + 1, token) is None


# -- registrations and the register ---------------------------------------------------------


def test_registrations_match_by_line_and_value():
    text = "Tabell 1 Antal 2019\nA;12;7\nB;12;3\nI text 12 och 7 och 44\nSedan 44 igen"
    toks = c.tokens(text)
    tables = [
        (
            "t1",
            1,
            3,
            c.table_tokens({"number": "Tabell 1", "title": "Antal 2019", "source_note": "x 9"}, "A;12;7\nB;12;3"),
        )
    ]
    facts = [("f44", 4, "44")]
    claims = [("c7", 4, "12 och 7")]
    refs = c.registrations(toks, tables, facts, claims)
    by_pos = {(t.line, t.token): r for t, r in refs.items()}
    # The table's numbers are consumed in reading order from its title: both 12s and the 7
    # of lines 2-3, and nothing after them.
    assert by_pos[(1, "1")] == ["table:t1"] and by_pos[(1, "2019")] == ["table:t1"]
    assert by_pos[(2, "12")] == by_pos[(3, "12")] == ["table:t1"]
    assert by_pos[(4, "12")] == by_pos[(4, "7")] == ["claim:c7"]
    assert by_pos[(4, "44")] == ["fact:f44"]
    assert (5, "44") not in by_pos  # the fact cites line 4 only
    # The '9' of the source note is not printed within lines 1-3: nothing later is taken for it.
    assert c.Token(6, 1, "9") not in c.registrations(c.tokens(text + "\n9"), tables, [], [])


def test_events_register_the_year_and_day_of_their_date():
    text = "Från och med 23 oktober 2019 gäller nya regler.\nI 23 fall under 2019."
    toks = c.tokens(text)
    refs = c.registrations(toks, [], [], [], [("rules", 1, "2019-10-23", "day"), ("year", 2, "2019-H2", "half_year")])
    by_pos = {(t.line, t.token): r for t, r in refs.items()}
    assert by_pos == {(1, "23"): ["event:rules"], (1, "2019"): ["event:rules"], (2, "2019"): ["event:year"]}
    assert c.date_numbers("2016-09/2017-12", "period") == {"2016", "2017"}
    assert c.date_numbers("2020-02-01", "day") == {"2020", "1"}


def make_source(tmp_path: Path, facts: str) -> Path:
    d = tmp_path / "src"
    d.mkdir(parents=True)
    (d / "facts.csv").write_text(
        "id;value;unit;period;qualifier;location;description;description_sv;seed_line\n" + facts, encoding="utf-8"
    )
    return d


def test_build_keeps_waivers_and_flags_the_rest(tmp_path):
    d = make_source(tmp_path, "n;539;persons;2022;;4.1;x;x;1\n")
    text = "Enkäten fick 539 svar och 42 kommentarer.\nDatum 2022-12-15"
    first = c.build_register(text, d)
    status = {(r["line"], r["token"]): (r["status"], r["category"]) for r in first}
    assert status[(1, "539")] == ("registered", "fact")
    assert status[(1, "42")] == ("unaccounted", "")
    assert status[(2, "2022")][0] == "waived"
    assert c.coverage(first) == {"numbers": 5, "numbers_registered": 1, "numbers_waived": 3, "numbers_unaccounted": 1}
    # A person waives the 42; a rebuild keeps it, and the register then checks clean.
    for r in first:
        if r["token"] == "42":
            r.update(status="waived", category="quotation", reference="free-text answer")
    again = c.build_register(text, d, first)
    assert c.check_register(first, again) == []
    # The text changes: a number no longer printed is stale, a new one is missing.
    moved = c.build_register(text.replace("42", "43"), d, first)
    problems = c.check_register(first, moved)
    assert any("'42' is in the register but no longer printed" in p for p in problems)
    assert any("'43' is printed but not in the register" in p for p in problems)
    # The fact moves to another line: its registration is stale.
    d2 = make_source(tmp_path / "b", "n;539;persons;2022;;4.1;x;x;2\n")
    problems = c.check_register(again, c.build_register(text, d2, again))
    assert problems == [
        "1:14: '539' is registered 'fact:n' in the register, but the raw data gives unaccounted '' (stale)"
    ]


def register_text(*rows: str) -> str:
    return ";".join(c.COLUMNS) + "\n" + "".join(r + "\n" for r in rows)


@pytest.mark.parametrize(
    ("rows", "where", "message"),
    [
        (["1;1;4;waived;heading"], ":2:6", "ragged row"),
        (["x;1;4;waived;heading;section"], ":2:1", "bad line"),
        (["700;1;4;waived;heading;section"], ":2:1", "line beyond the document"),
        (["1;1;4a;waived;heading;section"], ":2:3", "bad token"),
        (["1;1;4;waived;heading;section", "1;1;4;waived;heading;section"], ":3:1", "duplicate number"),
        (["1;1;4;lost;heading;section"], ":2:4", "unknown status"),
        (["1;1;4;waived;whim;section"], ":2:5", "unknown category"),
        (["1;1;4;waived;heading; "], ":2:6", "missing note"),
        (["1;1;4;registered;fact;fact:nope"], ":2:6", "unknown fact"),
        (["1;1;4;registered;fact;fact:n"], ":2:6", "stale reference"),
        (["1;1;4;registered;table;table:t9"], ":2:6", "unknown table"),
        (["1;1;4;registered;fact;table:t1"], ":2:6", "bad reference"),
        (["1;1;4;waived;repeat;fact:n"], ":2:6", "stale reference"),
        (["1;1;4;registered;event;event:nope"], ":2:6", "unknown event"),
        (["2;1;2016;registered;event;event:e"], ":2:6", "stale reference"),
    ],
)
def test_read_register_rejects_bad_rows_located(tmp_path, rows, where, message):
    from analysis.ingest.facts import parse_events, parse_facts

    facts = parse_facts(
        "s", "facts.csv", (make_source(tmp_path, "n;539;persons;2022;;4.1;x;x;1\n") / "facts.csv").read_bytes()
    )
    events = parse_events(
        "s",
        "events.csv",
        b"id;date;precision;description;description_sv;location;seed_line\ne;2016-02;month;X;Y;p. 1;1\n",
    )
    with pytest.raises(InputError) as exc:
        c.read_register("numbers.csv", register_text(*rows), 553, facts, {"t1"}, events)
    assert str(exc.value).startswith(f"numbers.csv{where}: {message}")


def test_read_register_header_and_good_rows(tmp_path):
    with pytest.raises(InputError, match=r"numbers\.csv:1:1: unexpected header"):
        c.read_register("numbers.csv", "line;col\n1;1\n")
    rows = c.read_register("numbers.csv", register_text("1;14;539;registered;fact;fact:n", "2;7;2022;waived;date;year"))
    assert c.coverage(rows)["numbers_registered"] == 1


# -- the committed registers against the source documents ----------------------------------


def test_every_source_has_a_register():
    assert SOURCES and all((s / "numbers.csv").is_file() for s in SOURCES)


@needs_seeds
@pytest.mark.parametrize("source_dir", SOURCES, ids=lambda p: p.name)
def test_every_number_is_accounted_for(source_dir: Path):
    have = committed(source_dir)
    fresh = c.build_register(seed_text(source_dir), source_dir, have)
    problems = c.check_register(have, fresh)
    hint = f"run: python -m analysis.ingest.completeness {source_dir.relative_to(ROOT)}"
    assert not problems, f"{source_dir.name}: {len(problems)} problems ({hint}):\n" + "\n".join(problems[:30])
    assert c.coverage(have)["numbers_unaccounted"] == 0


@needs_seeds
@pytest.mark.parametrize("source_dir", [s for s in SOURCES if (s / "tables").is_dir()], ids=lambda p: p.name)
def test_every_printed_table_value_is_registered_by_its_table(source_dir: Path):
    """Independently of the matcher: each table's value cells (the CSV without its stub and
    header) are at least as many as the numbers its register entries name, and each is found."""
    have = committed(source_dir)
    for sc_path in sorted((source_dir / "tables").glob("*.yaml")):
        sc = yaml.safe_load(sc_path.read_text(encoding="utf-8"))
        rows = list(csv.reader(io.StringIO(sc_path.with_suffix(".csv").read_text(encoding="utf-8")), delimiter=";"))
        n_head, n_stub = len(sc["layout"]["header"]), len(sc["layout"]["stub"])
        values = [cell for row in rows[n_head:] for cell in row[n_stub:] if any(ch.isdigit() for ch in cell)]
        registered = [r for r in have if f"table:{sc['id']}" in r["reference"].split()]
        assert len(registered) >= len(values), (
            f"{sc['id']}: {len(registered)} registered < {len(values)} printed values"
        )
        tokens = {r["token"] for r in registered}
        missing = [v for v in values if c.norm(v).replace(" %", "").strip() not in tokens]
        assert not missing, f"{sc['id']}: values not registered: {missing[:5]}"


def test_the_tool_rewrites_a_register(tmp_path, monkeypatch):
    """python -m analysis.ingest.completeness on a copied source with a stub seed folder."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    d = tmp_path / "riksrevisionen_2022"
    shutil.copytree(RAW / "riksrevisionen_2022", d)
    src = yaml.safe_load((d / "source.yaml").read_text(encoding="utf-8"))
    (seeds / src["seed_file"]).write_text("Tabell 3 har 539 svar och 7 nya tal.\n", encoding="utf-8")
    (d / "numbers.csv").unlink()
    assert c.main([str(d), "--seeds", str(seeds)]) == 1  # the 7 is unaccounted
    rows = committed(d)
    assert [(r["token"], r["status"]) for r in rows] == [("3", "waived"), ("539", "unaccounted"), ("7", "unaccounted")]
