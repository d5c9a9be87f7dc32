"""Time the pipeline against the cost of importing the scientific stack.

Runs on a temporary copy of the project (never touches the working tree):

* baseline: ``python -c "import pandas, scipy.stats, statsmodels.api, matplotlib.pyplot"``
  and ``snakemake --version``;
* cold build: every output from scratch;
* no-op build: nothing to do;
* one-table rebuild: after one raw table changes;
* scaling: a cold build with 40 extra copies of a raw table in a source without analyses,
  to show that ingest cost does not grow with the number of tables (one ingest job
  imports pandas once; each table costs only its own parsing and checks).

Each timing is the median of ``--repeat`` runs. Targets (issue 2): no-op at most 1.3x
``snakemake --version``; cold build at most 4x the import time.

Usage: ``python benchmarks/bench.py [--repeat 3] [--extra-tables 40]``
"""

from __future__ import annotations

import argparse
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


def make_copy(dest: Path) -> Path:
    for item in COPY:
        src = ROOT / item
        if src.is_dir():
            shutil.copytree(src, dest / item)
        else:
            (dest / item).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / item)
    return dest


def timed(cmd: list[str], cwd: Path, prepare=None) -> float:
    if prepare:
        prepare()
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def median(cmd, cwd, repeat, prepare=None) -> float:
    return statistics.median(timed(cmd, cwd, prepare) for _ in range(repeat))


def add_tables(work: Path, n: int) -> None:
    """Copies of a printed table in a source without analyses (isf_2017), so the scaling
    run measures ingest and the catalog, not the survey's per-table figures."""
    source = work / "data/raw/riksrevisionen_2022/tables"
    target = work / "data/raw/isf_2017/tables"
    target.mkdir(exist_ok=True)
    sidecar = (source / "tabell_6.yaml").read_text(encoding="utf-8")
    for i in range(n):
        tid = f"bench_{i:03d}"
        shutil.copy(source / "tabell_6.csv", target / f"{tid}.csv")
        (target / f"{tid}.yaml").write_text(sidecar.replace("id: tabell_6", f"id: {tid}"), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--extra-tables", type=int, default=40)
    args = parser.parse_args()
    imports = [sys.executable, "-c", "import pandas, scipy.stats, statsmodels.api, matplotlib.pyplot"]
    with tempfile.TemporaryDirectory() as tmp:
        work = make_copy(Path(tmp) / "work")
        t_import = median(imports, work, args.repeat)
        t_version = median([*SNAKEMAKE, "--version"], work, args.repeat)

        def clean():
            for d in ("data/processed", "reports", ".snakemake", "logs"):
                shutil.rmtree(work / d, ignore_errors=True)

        t_cold = median(SNAKEMAKE, work, args.repeat, prepare=clean)
        # The no-op build is compared with `snakemake --version` run right next to it, pair
        # by pair: both take about a second, so drift of the machine would bias the ratio.
        pairs = [(timed(SNAKEMAKE, work), timed([*SNAKEMAKE, "--version"], work)) for _ in range(args.repeat)]
        t_noop = statistics.median(a for a, _ in pairs)
        noop_ratio = statistics.median(a / b for a, b in pairs)
        raw = work / "data/raw/forsakringskassan_2020/tables/bilaga1_tabell_1.csv"

        def change_one_table():
            # A content change (Snakemake 9 ignores a bare mtime change when the checksum
            # is unchanged); a trailing blank line is tolerated by the parser.
            with raw.open("a", encoding="utf-8") as f:
                f.write("\n")

        t_one = median(SNAKEMAKE, work, args.repeat, prepare=change_one_table)
        n_tables = len(list((work / "data/raw").glob("*/tables/*.csv")))
        add_tables(work, args.extra_tables)
        t_scaled = median(SNAKEMAKE, work, args.repeat, prepare=clean)

    rows = [
        ("import pandas, scipy.stats, statsmodels.api, matplotlib.pyplot", t_import, None),
        ("snakemake --version", t_version, None),
        (f"cold build ({n_tables} tables)", t_cold, ("import", t_cold / t_import, 4.0)),
        ("no-op build", t_noop, ("snakemake --version (paired)", noop_ratio, 1.3)),
        ("rebuild after one raw table changes", t_one, ("import", t_one / t_import, None)),
        (f"cold build ({n_tables + args.extra_tables} tables)", t_scaled, ("import", t_scaled / t_import, None)),
    ]
    print(f"{'step':<66} {'seconds':>8}  ratio")
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
    print(f"per extra table: {(t_scaled - t_cold) / args.extra_tables * 1000:.0f} ms")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
