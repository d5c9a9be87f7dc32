"""The raw data against the source documents it was transcribed from.

Every printed table cell must occur in the seed text near the table's title, every
fact's printed value on the seed line it cites, and each table title on its cited line.
The seeds live in shared/seeds beside the clone (as in CI) or beside a directory above
it (a git worktree under a common parent); SERVICESTAT_SEEDS names another place. Without
them these tests are skipped, saying why.
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent

def find_seeds() -> Path:
    if os.environ.get("SERVICESTAT_SEEDS"):
        return Path(os.environ["SERVICESTAT_SEEDS"])
    candidates = [d / "shared" / "seeds" for d in ROOT.parents]
    return next((c for c in candidates if c.is_dir()), candidates[0])


SEEDS = find_seeds()
RAW = ROOT / "data" / "raw"
SPACE = re.compile(r"[\u00a0\u202f\t ]+")
NUMBER_WORDS = {"2": "två", "4": "fyra", "7": "sju"}  # numbers the documents print in words

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"no shared/seeds beside the clone (looked for {SEEDS})")


def norm(text: str) -> str:
    return SPACE.sub(" ", text.replace("**", "").replace("<b>", "").replace("</b>", ""))


def seed_lines(source_dir: Path) -> list[str]:
    src = yaml.safe_load((source_dir / "source.yaml").read_text(encoding="utf-8"))
    return [norm(x) for x in (SEEDS / src["seed_file"]).read_text(encoding="utf-8").splitlines()]


def sources_with(name: str) -> list[Path]:
    return sorted(p.parent for p in RAW.glob(f"*/{name}"))


def table_files() -> list[Path]:
    return sorted(RAW.glob("*/tables/*.yaml"))


@pytest.mark.parametrize("sidecar", table_files(), ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_table_cells_are_printed_in_the_seed(sidecar: Path):
    meta = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    lines = seed_lines(sidecar.parent.parent)
    start = meta["location"]["seed_line"]
    title_start = " ".join(norm(meta["title"]).split()[:6])
    assert title_start in " ".join(lines[start - 1 : start + 1]), f"title not at seed line {start}"  # may wrap
    region = "\n".join(lines[start - 1 : start + 200])
    rows = list(csv.reader(sidecar.with_suffix(".csv").open(encoding="utf-8"), delimiter=";"))
    n_head = len(meta["layout"]["header"])
    missing = [
        cell
        for row in rows[n_head:]
        for cell in row[len(meta["layout"]["stub"]) :]
        if cell and cell not in meta["fields"]["missingValues"] and norm(cell) not in region
    ]
    assert not missing, f"printed values not found after seed line {start}: {missing}"
    for row in rows[n_head:]:
        assert norm(row[0]) in region, f"row label {row[0]!r} not found after seed line {start}"


def fact_rows(name: str):
    for source_dir in sources_with(name):
        for row in csv.DictReader((source_dir / name).open(encoding="utf-8"), delimiter=";"):
            yield pytest.param(source_dir, row, id=f"{source_dir.name}/{row['id']}")


@pytest.mark.parametrize(("source_dir", "row"), list(fact_rows("facts.csv")))
def test_fact_value_is_on_its_seed_line(source_dir: Path, row: dict):
    lines = seed_lines(source_dir)
    line = lines[int(row["seed_line"]) - 1]
    value = norm(row["value"])
    pattern = re.compile(r"(?<![\d,])" + re.escape(value) + r"(?![\d]|,\d)")
    words = NUMBER_WORDS.get(value)
    assert pattern.search(line) or (words and words in line), f"{value!r} not on seed line {row['seed_line']}"
    if row["qualifier"]:
        assert row["qualifier"].lower() in line.lower(), f"qualifier {row['qualifier']!r} not on the line"


def test_every_source_folder_is_complete():
    """Per source document: the tables and the number of facts and events transcribed."""
    expected_tables = {
        "riksrevisionen_2022": {f"tabell_{i}" for i in range(3, 10)},
        "arbetsformedlingen_2019": {"tabell_1"},
        "forsakringskassan_2020": {f"bilaga1_tabell_{i}" for i in range(1, 5)},
        "isf_2017": set(),
        "publikt_2017": set(),
    }
    for sid, tables in expected_tables.items():
        have = {p.stem for p in (RAW / sid / "tables").glob("*.csv")}
        assert have == tables, sid
    facts = {p.parent.name: sum(1 for _ in p.open(encoding="utf-8")) - 1 for p in RAW.glob("*/facts.csv")}
    events = {p.parent.name: sum(1 for _ in p.open(encoding="utf-8")) - 1 for p in RAW.glob("*/events.csv")}
    # Lower bounds from the inventory in data/raw/README.md; a shrinking file fails here.
    assert facts.get("arbetsformedlingen_2019", 0) >= 85
    assert facts.get("riksrevisionen_2022", 0) >= 25
    assert facts.get("forsakringskassan_2020", 0) >= 25
    assert all(events.get(s, 0) >= 1 for s in expected_tables)


def claim_rows() -> list[tuple[Path, dict]]:
    return [
        (p.parent, c)
        for p in sorted(RAW.glob("*/claims.yaml"))
        for c in yaml.safe_load(p.read_text(encoding="utf-8"))["claims"]
    ]


@pytest.mark.parametrize(
    "source_dir, claim", claim_rows(), ids=lambda x: x.get("id", "") if isinstance(x, dict) else ""
)
def test_claim_printed_words_are_on_their_seed_line(source_dir: Path, claim: dict):
    """Each part of a claim's printed words ('a ... b') occurs on the seed line it cites."""
    line = seed_lines(source_dir)[claim["seed_line"] - 1].casefold()
    parts = [norm(p).strip().casefold() for p in claim["printed"].split("...")]
    missing = [p for p in parts if p and p not in line]
    assert not missing, f"{claim['id']}: {missing} not on seed line {claim['seed_line']}"


def test_every_report_with_tables_has_a_claims_register():
    """The three reports with tables are audited; config lists exactly them."""
    config = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    with_tables = sorted(p.parent.name for p in RAW.glob("*/tables"))
    assert sorted(p.parent.name for p in RAW.glob("*/claims.yaml")) == with_tables
    assert sorted(config["claims"]["sources"]) == with_tables
