"""Time the pipeline against the cost of importing the scientific stack.

Runs on a temporary copy of the project (never touches the working tree) and prints
every timing as a ratio to its baseline, each the median of ``--repeat`` runs, every run
paired with a run of its baseline right after it (the ratio is the median of the pairs'
ratios; the baselines' own rows are medians of separate runs, for reference):

* baselines: ``python -c "import pandas, scipy.stats, statsmodels.api, matplotlib"``
  and ``snakemake --version``;
* cold build: every output from scratch (target <= 4x the import);
* no-op build: nothing to do (target <= 1.3x ``snakemake --version``, paired run by run);
* rebuild after a content change to one raw table, for a table of each analysed source
  (target <= 2.5x the import each);
* rebuild after a one-word change in a report template (target <= 1.5x the import);
* scaling: a cold build with extra copies of a raw table in a source without analyses
  (the cost per extra table; no target).

Exit status 0 only when every target is met. Usage:
``python benchmarks/bench.py [--repeat 3] [--extra-tables 40]``
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPY = ["Snakefile", "config.yaml", "rules", "schemas", "data/raw", "profiles", "src/analysis", "src/figures"]
SNAKEMAKE = [sys.executable, "-m", "snakemake", "--quiet"]
IMPORTS = [sys.executable, "-c", "import pandas, scipy.stats, statsmodels.api, matplotlib.pyplot"]
TABLES = {
    "riksrevisionen_2022": "tabell_6",
    "forsakringskassan_2020": "bilaga1_tabell_1",
    "arbetsformedlingen_2019": "tabell_1",
}
TEMPLATE = "src/analysis/report/templates/survey.md.j2"


def make_copy(dest: Path) -> Path:
    for item in COPY:
        src = ROOT / item
        if src.is_dir():
            shutil.copytree(src, dest / item, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (dest / item).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / item)
    return dest


def timed(cmd: list[str], cwd: Path, prepare=None) -> float:
    if prepare:
        prepare()
    start = time.perf_counter()
    res = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if res.returncode:
        sys.exit(f"bench: {' '.join(cmd[2:])} failed in {cwd}:\n{res.stdout[-2000:]}{res.stderr[-2000:]}")
    return time.perf_counter() - start


def median(cmd, cwd, repeat, prepare=None) -> float:
    return statistics.median(timed(cmd, cwd, prepare) for _ in range(repeat))


def paired(cmd, cwd, repeat, base, prepare=None) -> tuple[float, float]:
    """Median seconds of ``cmd`` and the median of its ratios to ``base`` run right after
    it, pair by pair: the speed of this shared machine drifts by a quarter within an
    hour, so a baseline timed minutes earlier would move every ratio with it."""
    pairs = [(timed(cmd, cwd, prepare), timed(base, cwd)) for _ in range(repeat)]
    return statistics.median(a for a, _ in pairs), statistics.median(a / b for a, b in pairs)


def add_tables(work: Path, n: int) -> None:
    """Copies of a printed table in a source without analyses (isf_2017)."""
    source = work / "data/raw/riksrevisionen_2022/tables"
    target = work / "data/raw/isf_2017/tables"
    target.mkdir(exist_ok=True)
    sidecar = (source / "tabell_6.yaml").read_text(encoding="utf-8")
    for i in range(n):
        tid = f"bench_{i:03d}"
        shutil.copy(source / "tabell_6.csv", target / f"{tid}.csv")
        text = sidecar.replace("id: tabell_6", f"id: {tid}")
        # The copy cites line 1 of isf_2017's (shorter) document: a line beyond it is an error.
        text = re.sub(r"seed_line(_last)?: \d+", r"seed_line\1: 1", text)
        (target / f"{tid}.yaml").write_text(text, encoding="utf-8")


def appender(path: Path, text: str):
    """A content change (Snakemake 9 ignores an mtime change with the same checksum)."""

    def change():
        with path.open("a", encoding="utf-8") as f:
            f.write(text)

    return change


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--extra-tables", type=int, default=40)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = make_copy(Path(tmp) / "work")
        t_import = median(IMPORTS, work, args.repeat)
        t_version = median([*SNAKEMAKE, "--version"], work, args.repeat)
        rows += [("import pandas, scipy.stats, statsmodels.api, matplotlib", t_import, None)]
        rows += [("snakemake --version", t_version, None)]

        def clean():
            for d in ("data/processed", "reports", "build", ".snakemake", "logs"):
                shutil.rmtree(work / d, ignore_errors=True)

        # Every timing is paired with its baseline run right after it (the import, or
        # `snakemake --version` for the no-op build), and the ratio is the median of the
        # pairs' ratios.
        n_tables = len(list((work / "data/raw").glob("*/tables/*.csv")))
        t_cold, r_cold = paired(SNAKEMAKE, work, args.repeat, IMPORTS, prepare=clean)
        rows.append((f"cold build ({n_tables} tables)", t_cold, ("import", r_cold, 4.0)))
        t, r = paired(SNAKEMAKE, work, args.repeat, [*SNAKEMAKE, "--version"])
        rows.append(("no-op build", t, ("snakemake --version", r, 1.3)))
        for sid, tid in TABLES.items():
            raw = work / "data/raw" / sid / "tables" / f"{tid}.csv"
            t, r = paired(SNAKEMAKE, work, args.repeat, IMPORTS, prepare=appender(raw, "\n"))
            rows.append((f"rebuild after a change to {sid}/{tid}", t, ("import", r, 2.5)))
        template = work / TEMPLATE
        t, r = paired(SNAKEMAKE, work, args.repeat, IMPORTS, prepare=appender(template, "{# a word #}\n"))
        rows.append((f"rebuild after a one-word change in {template.name}", t, ("import", r, 1.5)))
        if args.extra_tables:
            add_tables(work, args.extra_tables)
            t_scaled, r = paired(SNAKEMAKE, work, args.repeat, IMPORTS, prepare=clean)
            total = n_tables + args.extra_tables
            rows.append((f"cold build ({total} tables)", t_scaled, ("import", r, None)))
            # from the paired ratios (the seconds of two builds minutes apart differ by the
            # machine's drift as much as by the extra tables), in seconds of the import
            per_table = (r - r_cold) * t_import / args.extra_tables * 1000

    print(f"{'step (median of ' + str(args.repeat) + ')':<66} {'seconds':>8}  ratio")
    failed = False
    for name, sec, ratio in rows:
        text = ""
        if ratio:
            base, r, target = ratio
            text = f"{r:4.2f}x {base}"
            if target is not None:
                ok = r <= target
                failed |= not ok
                text += f" (target <= {target}x: {'met' if ok else 'NOT MET'})"
        print(f"{name:<66} {sec:8.2f}  {text}")
    if args.extra_tables:
        print(f"per extra table: {per_table:.0f} ms (from the ratios, at the import's median time)")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
