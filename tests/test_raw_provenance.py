"""The raw data against the source documents it was transcribed from.

Every printed table cell must occur in the seed text near the table's title, every
fact's printed value on the seed line it cites, and each table title on its cited line.
Every English text of the raw data (fact and event descriptions, claims, reading labels,
notes, cost-model names and assumptions) has a Swedish paraphrase beside it, and no
Swedish paraphrase copies a run of the document's own sentences.
The seeds live in shared/seeds beside the clone (as in CI) or beside a directory above
it (a git worktree under a common parent); SERVICESTAT_SEEDS names another place. Without
them the tests that read the seeds are skipped, saying why, except when CI is set: there
they fail.
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

# Without the documents these tests are skipped, except in CI (the CI variable set), where
# a missing document must fail the run rather than pass it silently.
needs_seeds = pytest.mark.skipif(
    not SEEDS.is_dir() and not os.environ.get("CI"), reason=f"no shared/seeds beside the clone (looked for {SEEDS})"
)


def test_source_documents_are_found_in_ci():
    if not os.environ.get("CI"):
        pytest.skip("only required in CI")
    assert SEEDS.is_dir(), f"CI: the source documents are missing (looked for {SEEDS}; set SERVICESTAT_SEEDS)"


# A Swedish paraphrase may share names, titles and short phrases with the document (a law's
# title, "andra halvåret 2018 och första halvåret 2019"); this many words in a row, outside
# quoted labels, would be a copied sentence.
COPIED_WORDS = 10


def norm(text: str) -> str:
    return SPACE.sub(" ", text.replace("**", "").replace("<b>", "").replace("</b>", ""))


def seed_lines(source_dir: Path) -> list[str]:
    src = yaml.safe_load((source_dir / "source.yaml").read_text(encoding="utf-8"))
    return [norm(x) for x in (SEEDS / src["seed_file"]).read_text(encoding="utf-8").splitlines()]


def sources_with(name: str) -> list[Path]:
    return sorted(p.parent for p in RAW.glob(f"*/{name}"))


def table_files() -> list[Path]:
    return sorted(RAW.glob("*/tables/*.yaml"))


@needs_seeds
@pytest.mark.parametrize("sidecar", table_files(), ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_table_cells_are_printed_in_the_seed(sidecar: Path):
    meta = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    lines = seed_lines(sidecar.parent.parent)
    start = meta["location"]["seed_line"]
    title_start = " ".join(norm(meta["title"]).split()[:6])
    assert title_start in " ".join(lines[start - 1 : start + 1]), f"title not at seed line {start}"  # may wrap
    # The table stands between its title and its last line (seed_line_last), no further.
    last = meta["location"]["seed_line_last"]
    region = "\n".join(lines[start - 1 : last])
    rows = list(csv.reader(sidecar.with_suffix(".csv").open(encoding="utf-8"), delimiter=";"))
    n_head = len(meta["layout"]["header"])
    missing = [
        cell
        for row in rows[n_head:]
        for cell in row[len(meta["layout"]["stub"]) :]
        if cell and cell not in meta["fields"]["missingValues"] and norm(cell) not in region
    ]
    assert not missing, f"printed values not found in seed lines {start}-{last}: {missing}"
    for row in rows[n_head:]:
        assert norm(row[0]) in region, f"row label {row[0]!r} not found in seed lines {start}-{last}"
    assert norm(rows[-1][0]) in "\n".join(lines[last - 12 : last]), f"the last row does not end near line {last}"


def fact_rows(name: str):
    for source_dir in sources_with(name):
        for row in csv.DictReader((source_dir / name).open(encoding="utf-8"), delimiter=";"):
            yield pytest.param(source_dir, row, id=f"{source_dir.name}/{row['id']}")


@needs_seeds
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


@needs_seeds
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


# -- Swedish text --------------------------------------------------------------------------

TRANSLATED = ("claim", "label", "note", "missing", "explanation", "name", "why", "shows", "why_not", "what", "chosen")


def english_and_swedish(node, where: str):
    """(where, key, English, Swedish or None) for each translated key in a register, recursively.

    The ``name`` of a claim input's constant is formula text, not prose, and is skipped.
    """
    if isinstance(node, dict):
        for key in TRANSLATED:
            if key in node and not (key == "name" and "const" in node):
                yield where, key, node[key], node.get(f"{key}_sv")
        for k, v in node.items():
            yield from english_and_swedish(v, f"{where}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from english_and_swedish(v, f"{where}.{v.get('id', i) if isinstance(v, dict) else i}")


def swedish_texts() -> list[tuple[str, str, str, str | None]]:
    """(source, where, English, Swedish) for every translated text of the raw data."""
    out = []
    for name in ("facts.csv", "events.csv"):
        for source_dir in sources_with(name):
            rows = csv.DictReader((source_dir / name).open(encoding="utf-8"), delimiter=";")
            out += [(source_dir.name, f"{name}:{r['id']}", r["description"], r.get("description_sv")) for r in rows]
    for name in ("claims.yaml", "cost_model.yaml", "figures.yaml"):
        for source_dir in sources_with(name):
            doc = yaml.safe_load((source_dir / name).read_text(encoding="utf-8"))
            out += [(source_dir.name, f"{name}{w}.{k}", en, sv) for w, k, en, sv in english_and_swedish(doc, "")]
    return out


def test_every_english_text_has_a_swedish_paraphrase():
    texts = swedish_texts()
    missing = [f"{s}/{w}" for s, w, _, sv in texts if not (isinstance(sv, str) and sv.strip())]
    assert not missing, f"no Swedish text beside: {missing}"
    # figures, names and labels may read the same in both languages; whole sentences may not
    same = [f"{s}/{w}" for s, w, en, sv in texts if sv == en and len(re.findall(r"[^\W\d]{2,}", en)) > 3]
    assert not same, f"Swedish text is the English one: {same}"
    counts = {k: sum(1 for _, w, _, _ in texts if w.endswith(k)) for k in (".claim", ".label", ".name", ".why")}
    assert counts == {".claim": 150, ".label": 54, ".name": 36, ".why": 24}, counts
    assert sum(1 for _, w, _, _ in texts if w.startswith(("facts.csv", "events.csv"))) >= 164 + 53
    assert sum(1 for _, w, _, _ in texts if w.startswith("figures.yaml")) == 12 + 9  # shows; why_not where not redrawn


WORD = re.compile(r"\w+(?:[.,:/–-]\w+)*")
QUOTED = re.compile(r"'[^']*'|”[^”]*”|\"[^\"]*\"")


def words(text: str) -> list[str]:
    return [w.casefold() for w in WORD.findall(norm(text))]


@needs_seeds
def test_swedish_paraphrases_do_not_copy_the_documents():
    """No Swedish text repeats COPIED_WORDS or more words in a row of its source document."""
    seeds: dict[str, set[tuple[str, ...]]] = {}
    copied = []
    for source, where, _, sv in swedish_texts():
        if source not in seeds:
            w = words("\n".join(seed_lines(RAW / source)))
            seeds[source] = {tuple(w[i : i + COPIED_WORDS]) for i in range(len(w) - COPIED_WORDS + 1)}
        for part in QUOTED.split(sv or ""):
            w = words(part)
            runs = [" ".join(w[i : i + COPIED_WORDS]) for i in range(len(w) - COPIED_WORDS + 1)]
            copied += [f"{source}/{where}: {r!r}" for r in runs if tuple(r.split(" ")) in seeds[source]]
    assert not copied, f"Swedish text copied from the document: {copied}"


@needs_seeds
@pytest.mark.parametrize("source_dir", sorted(p.parent for p in RAW.glob("*/source.yaml")), ids=lambda p: p.name)
def test_source_records_the_documents_line_count_and_hash(source_dir):
    import hashlib

    src = yaml.safe_load((source_dir / "source.yaml").read_text(encoding="utf-8"))
    raw = (SEEDS / src["seed_file"]).read_bytes()
    assert src["seed_lines"] == len(raw.decode("utf-8").splitlines())
    assert src["seed_sha256"] == hashlib.sha256(raw).hexdigest()


@needs_seeds
@pytest.mark.parametrize("source_dir", sorted(p.parent for p in RAW.glob("*/source.yaml")), ids=lambda p: p.name)
def test_page_anchors_are_the_headings_of_the_table_of_contents(source_dir):
    """Each page anchor's heading stands on its line, and the document's table of contents
    prints that heading with that page."""
    src = yaml.safe_load((source_dir / "source.yaml").read_text(encoding="utf-8"))
    if src["pages"] is None:
        assert src["page_note"].strip()
        return
    lines = seed_lines(source_dir)
    clean = lambda s: re.sub(r"[#*]|</?b>|\s+", " ", s).split()  # noqa: E731
    for a in src["pages"]["anchors"]:
        assert clean(a["heading"]) == clean(lines[a["line"] - 1]), f"heading not on line {a['line']}: {a['heading']}"
    # The table of contents stands before the first anchor: one line per heading ending in
    # its page. Headings are matched by their last two words (the contents misspell some).
    tail = lambda words: [w.strip(".").casefold() for w in words if w.strip(".")][-2:]  # noqa: E731
    toc = [clean(x) for x in lines[: src["pages"]["anchors"][0]["line"] - 1]]
    toc = [(tail(t[:-1]), t[-1].strip(".")) for t in toc if len(t) > 1 and t[-1].strip(".").isdigit()]
    for a in src["pages"]["anchors"]:
        assert (tail(clean(a["heading"])), str(a["page"])) in toc, (
            f"{a['heading']}: page {a['page']} not in the contents"
        )


def figure_rows():
    for path in sorted(RAW.glob("*/figures.yaml")):
        for f in yaml.safe_load(path.read_text(encoding="utf-8"))["figures"]:
            yield pytest.param(path.parent, f, id=f"{path.parent.name}/{f['number']}")


@needs_seeds
@pytest.mark.parametrize(("source_dir", "figure"), list(figure_rows()))
def test_figure_number_and_title_are_on_their_seed_line(source_dir: Path, figure: dict):
    line = re.sub(r"[*]", "", seed_lines(source_dir)[figure["location"]["seed_line"] - 1])
    assert line.lstrip().startswith(figure["number"]), f"{figure['number']} not at the start of the line"
    assert " ".join(norm(figure["title"]).split()[:6]) in line, "title not on the line"
    if figure.get("source_note"):
        after = "\n".join(
            seed_lines(source_dir)[figure["location"]["seed_line"] : figure["location"]["seed_line"] + 12]
        )
        assert figure["source_note"] in after, "source note not below the title"


def test_the_figures_the_issue_names_are_registered():
    """Arbetsförmedlingen Figur 1-4 and Försäkringskassan Figur 1-8 (all drawn, none with data in the text)."""
    got = {
        p.parent.name: [f["number"] for f in yaml.safe_load(p.read_text(encoding="utf-8"))["figures"]]
        for p in RAW.glob("*/figures.yaml")
    }
    assert got == {
        "arbetsformedlingen_2019": [f"Figur {i}" for i in range(1, 5)],
        "forsakringskassan_2020": [f"Figur {i}" for i in range(1, 9)],
    }


@needs_seeds
@pytest.mark.parametrize(("source_dir", "row"), list(fact_rows("events.csv")))
def test_event_date_is_on_its_seed_line(source_dir: Path, row: dict):
    """The line an event cites dates it: it prints a year of the date, or, for a day, the
    day with its month (a year the context gives, as in 'den 24 april'; an end the text
    gives as a length, as in 'startade i september 2016 ... 16 månader')."""
    line = seed_lines(source_dir)[int(row["seed_line"]) - 1].casefold()
    years = re.findall(r"\d{4}", row["date"])
    months = "januari februari mars april maj juni juli augusti september oktober november december"
    days = []
    if row["precision"] == "day":
        y, m, d = row["date"].split("-")
        days = [f"{int(d)} {months.split()[int(m) - 1]}", f"{y[2:]}{m}{d}"]  # '24 april'; '181102' in a file name
    dated = any(y in line for y in years) or any(d in line for d in days)
    assert dated, f"{row['id']}: {row['date']} not on line {row['seed_line']}"
