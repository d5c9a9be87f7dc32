"""The ingest stage entry points on real raw folders copied to a temporary directory."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml

from analysis.core.stage import StageError
from analysis.core.store import read_meta
from analysis.ingest import stage

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = [str(ROOT / f"schemas/{n}.schema.yaml") for n in ("known_issues", "source", "table", "figures")]
SUMMARIES = ("catalog", "codebook", "validation", "known_issues")


def source_io(tmp_path: Path, sid: str):
    raw = tmp_path / "data/raw" / sid
    shutil.copytree(ROOT / "data/raw" / sid, raw)
    tables = sorted(p.stem for p in (raw / "tables").glob("*.csv"))
    opt = {
        k: [str(raw / f"{k}.{e}")] if (raw / f"{k}.{e}").exists() else []
        for k, e in (
            ("known_issues", "yaml"),
            ("facts", "csv"),
            ("events", "csv"),
            ("numbers", "csv"),
            ("figures", "yaml"),
        )
    }
    inp = SimpleNamespace(
        source=str(raw / "source.yaml"),
        tables=sorted(str(p) for p in (raw / "tables").glob("*.*")),
        schemas=SCHEMAS,
        **opt,
    )
    proc = tmp_path / "data/processed" / sid
    names = {t: str(proc / f"{t}.parquet") for t in tables}
    names |= {k: str(proc / f"{k}.parquet") for k in ("facts", "events", "figures") if opt[k]}
    names |= {k: str(proc / f"{k}.parquet") for k in SUMMARIES}
    params = SimpleNamespace(source=sid, tables=tables, stale="error")
    return inp, SimpleNamespace(**names), params, raw


def test_one_source_becomes_its_datasets_and_summaries(tmp_path):
    inp, out, params, raw = source_io(tmp_path, "forsakringskassan_2020")
    log = tmp_path / "logs/ingest.log"
    stage.run(inp, out, params, str(log))
    t1 = pd.read_parquet(out.bilaga1_tabell_1)
    meetings = t1[t1["series"] == "Avstämningsmöte, antal"].set_index("period")["value"]
    # Bilaga 1, Tabell 1 as printed: 2013 total 103 553 = its two halves.
    assert meetings["Antal 2013"] == 103553
    assert meetings["2013 halvår 1"] + meetings["2013 halvår 2"] == 103553
    meta = read_meta(out.bilaga1_tabell_1)
    assert meta["table"]["id"] == "bilaga1_tabell_1" and meta["source"]["id"] == "forsakringskassan_2020"
    cat = pd.read_parquet(out.catalog)
    assert set(cat["dataset"]) == {*params.tables, "facts", "events"}
    # Each table's lines in the seed text, as its sidecar gives them (facts and events: NA,
    # every row has its own line).
    lines = cat.set_index("dataset")[["seed_line", "seed_line_last"]]
    sidecar = yaml.safe_load((raw / "tables/bilaga1_tabell_1.yaml").read_text(encoding="utf-8"))["location"]
    assert lines.loc["bilaga1_tabell_1"].tolist() == [sidecar["seed_line"], sidecar["seed_line_last"]]
    assert lines.loc["facts"].isna().all() and str(lines["seed_line"].dtype) == "Int64"
    known = pd.read_parquet(out.known_issues)
    assert list(known["state"]) == ["confirmed"]
    # The number coverage of the document, counted independently from numbers.csv here.
    import csv as _csv

    statuses = [r["status"] for r in _csv.DictReader((raw / "numbers.csv").open(encoding="utf-8"), delimiter=";")]
    row = cat.iloc[0]
    assert row["numbers"] == len(statuses) > 900
    assert row["numbers_registered"] == statuses.count("registered")
    assert row["numbers_waived"] == statuses.count("waived")
    assert row["numbers_unaccounted"] == 0
    assert (cat["numbers"] == row["numbers"]).all()  # the same counts on every row of the source
    text = log.read_text()
    assert f"read {raw / 'numbers.csv'}" in text
    assert f"read {raw / 'source.yaml'}" in text and f"wrote {out.bilaga1_tabell_1} (54 rows)" in text


def test_a_bad_cell_fails_only_this_source_located_without_outputs(tmp_path):
    inp, out, params, raw = source_io(tmp_path, "riksrevisionen_2022")
    csv = raw / "tables/tabell_6.csv"
    lines = csv.read_text(encoding="utf-8").splitlines(keepends=True)
    cells = lines[2].split(";")
    cells[1] = "4x,5 %"
    lines[2] = ";".join(cells)
    csv.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(StageError) as exc:
        stage.run(inp, out, params, str(tmp_path / "log"))
    assert str(exc.value).startswith(f"error: {csv}:3:")
    assert "'4x,5 %'" in str(exc.value)
    assert not any(Path(p).exists() for p in vars(out).values())


def test_a_fact_or_table_citing_a_line_beyond_the_document_is_located(tmp_path):
    inp, out, params, raw = source_io(tmp_path, "riksrevisionen_2022")
    facts = raw / "facts.csv"
    lines = facts.read_text(encoding="utf-8").splitlines(keepends=True)
    cells = lines[1].rstrip("\n").split(";")
    cells[-1] = "999999"  # seed_line is the last column
    lines[1] = ";".join(cells) + "\n"
    facts.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(StageError) as exc:
        stage.run(inp, out, params)
    assert str(exc.value).startswith(f"error: {facts}:2:{len(cells)}: line beyond the document: '999999'")
    assert "1 to 553" in str(exc.value)  # Riksrevisionen's seed text has 553 lines (source.yaml)
    shutil.copy(ROOT / "data/raw/riksrevisionen_2022/facts.csv", facts)
    sidecar = raw / "tables/tabell_6.yaml"
    text = sidecar.read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.strip().startswith("seed_line:"))
    sidecar.write_text(text.replace(old, old.split(":")[0] + ": 600"), encoding="utf-8")
    with pytest.raises(StageError, match=r"tabell_6.yaml:\d+:\d+: line beyond the document: '600'"):
        stage.run(inp, out, params)
    # The table's last line lies between its title line and the end of the document.
    sidecar.write_text(text.replace("seed_line_last: 244", "seed_line_last: 100"), encoding="utf-8")
    with pytest.raises(
        StageError, match=r"tabell_6.yaml:\d+:\d+: bad last line: '100'; expected a line from seed_line \(184\)"
    ):
        stage.run(inp, out, params)


def test_a_bad_numbers_register_is_located(tmp_path):
    inp, out, params, raw = source_io(tmp_path, "riksrevisionen_2022")
    numbers = raw / "numbers.csv"
    good = numbers.read_text(encoding="utf-8")
    lines = good.splitlines(keepends=True)
    # A waiver needs a category from the list.
    lines[1] = lines[1].replace(";waived;heading;", ";waived;because;")
    numbers.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(StageError, match=rf"{numbers}:2:5: unknown category 'because'"):
        stage.run(inp, out, params)
    # A registration must name a fact printed on that line with that value.
    lines = good.splitlines(keepends=True)
    i = next(i for i, line in enumerate(lines) if ";registered;fact;" in line)
    cells = lines[i].rstrip("\n").split(";")
    cells[0] = str(int(cells[0]) + 1)
    lines[i] = ";".join(cells) + "\n"
    numbers.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(StageError, match=rf"{numbers}:{i + 1}:6: stale reference"):
        stage.run(inp, out, params)
    # Unaccounted numbers do not fail ingest (the tests do): they are counted and logged.
    lines = good.splitlines(keepends=True)
    lines[1] = lines[1].split(";waived;")[0] + ";unaccounted;;\n"
    numbers.write_text("".join(lines), encoding="utf-8")
    stage.run(inp, out, params, str(tmp_path / "log"))
    assert pd.read_parquet(out.catalog)["numbers_unaccounted"].eq(1).all()
    assert "1 numbers of riksrevisionen_2022 are unaccounted" in (tmp_path / "log").read_text()


def test_pages_come_from_the_table_of_contents_and_disagreement_is_located(tmp_path):
    inp, out, params, raw = source_io(tmp_path, "arbetsformedlingen_2019")
    stage.run(inp, out, params)
    facts = pd.read_parquet(out.facts).set_index("id")
    # Seed line 211 lies under the heading at line 202 (page 12 in the table of contents)
    # and before the next at line 235 (page 14): pages 12-14, read off source.yaml by hand.
    assert facts.loc["direct_registrations_aug", ["seed_line", "page", "page_last"]].tolist() == [211, 12, 14]
    cat = pd.read_parquet(out.catalog).set_index("dataset")
    assert (cat.loc["tabell_1", "page"], cat.loc["tabell_1", "page_last"]) == ("18", "19")
    sidecar = raw / "tables/tabell_1.yaml"
    text = sidecar.read_text(encoding="utf-8")
    sidecar.write_text(text.replace("  page: 18\n", "  page: 17\n"), encoding="utf-8")
    with pytest.raises(StageError, match=r"tabell_1.yaml:7:\d+: page differs: '17, page_last 19'; expected page 18"):
        stage.run(inp, out, params)
    # Where the document shows no pages, page null needs a reason (the schema says so).
    inp, out, params, raw = source_io(tmp_path / "rr", "riksrevisionen_2022")
    sidecar = raw / "tables/tabell_3.yaml"
    lines = sidecar.read_text(encoding="utf-8").splitlines(keepends=True)
    sidecar.write_text("".join(x for x in lines if "page_note" not in x), encoding="utf-8")
    with pytest.raises(StageError, match=r"tabell_3.yaml:\d+:\d+: .*page_note"):
        stage.run(inp, out, params)
    # Every sidecar says where the table stands: no page at all is an error too.
    sidecar.write_text("".join(x for x in lines if not x.strip().startswith("page")), encoding="utf-8")
    with pytest.raises(StageError, match=r"tabell_3.yaml:\d+:\d+: no page in 'location'"):
        stage.run(inp, out, params)


def test_the_figures_register_is_validated_and_carried_forward(tmp_path):
    inp, out, params, raw = source_io(tmp_path, "forsakringskassan_2020")
    stage.run(inp, out, params)
    figs = pd.read_parquet(out.figures).set_index("number")
    assert list(figs.index) == [f"Figur {i}" for i in range(1, 9)]
    # Figur 2, 7 and 8 show what Bilaga 1 Tabell 1, 2 and 4 print; the others cannot be redrawn.
    assert figs.index[figs["redrawn"]].tolist() == ["Figur 2", "Figur 7", "Figur 8"]
    assert figs.loc["Figur 7", "tables"] == "bilaga1_tabell_2"
    assert (figs.loc[~figs["redrawn"], "why_not"].str.len() > 0).all()
    assert figs.loc["Figur 3", "facts"] == "short_case_meetings_2013, short_case_meetings_2019"
    # Figur 1's title is on seed line 401: after the heading at line 382 (page 27 in the
    # contents), before the one at 480 (page 33), read off source.yaml by hand.
    assert (figs.loc["Figur 1", "page"], figs.loc["Figur 1", "page_last"]) == (27, 33)
    register = raw / "figures.yaml"
    text = register.read_text(encoding="utf-8")
    register.write_text(text.replace("[short_case_meetings_2013,", "[short_case_meetings_2031,"), encoding="utf-8")
    with pytest.raises(StageError, match=r"figures.yaml:\d+:\d+: unknown fact: 'short_case_meetings_2031'"):
        stage.run(inp, out, params)
    # A figure that is not redrawn must say why (the schema requires why_not).
    lines = [x for x in text.splitlines(keepends=True) if "why_not: Neither" not in x]
    register.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(StageError, match=r"figures.yaml:\d+:\d+: .*why_not"):
        stage.run(inp, out, params)


def test_catalog_combines_sources_in_order(tmp_path):
    outs = []
    for sid in ("riksrevisionen_2022", "publikt_2017"):
        inp, out, params, _ = source_io(tmp_path, sid)
        stage.run(inp, out, params)
        outs.append(out)
    combined = {n: str(tmp_path / f"{n}.parquet") for n in (*SUMMARIES, "figures")}
    combined |= {f"{n}_csv": str(tmp_path / f"{n}.csv") for n in (*SUMMARIES, "figures")}
    inp = SimpleNamespace(**{n: [getattr(o, n) for o in outs] for n in SUMMARIES}, figures=[])
    stage.run_catalog(inp, SimpleNamespace(**combined))
    assert pd.read_parquet(combined["figures"]).empty  # neither source draws figures
    cat = pd.read_parquet(combined["catalog"])
    assert list(cat["source_id"].unique()) == ["publikt_2017", "riksrevisionen_2022"]  # sorted
    parts = [len(pd.read_parquet(o.catalog)) for o in outs]
    assert len(cat) == sum(parts)
    assert set(read_meta(combined["catalog"])["files"]) == {"riksrevisionen_2022", "publikt_2017"}
    assert pd.read_csv(combined["codebook_csv"])["source_id"].eq("riksrevisionen_2022").all()


def test_combine_of_nothing_is_empty():
    assert stage.combine([pd.DataFrame()], "codebook").empty
    assert stage.combine([], "catalog").empty


def test_figures_sort_by_their_printed_number():
    part = pd.DataFrame({"source_id": ["s", "s", "s"], "number": ["Figur 10", "Figur 2", "Figur 1"]})
    assert stage.combine([part], "figures")["number"].tolist() == ["Figur 1", "Figur 2", "Figur 10"]
