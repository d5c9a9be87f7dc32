"""Scale: time and peak memory as one printed table grows from 10 000 to 1 000 000 rows.

The table is synthetic and of the shape the issue names: one row label per row (a
pattern dimension, so every label is new), two measures, a count and a percent of a
constant base of 1 000, and one relation per row (the percent is 100 x count / 1 000,
checked with rounding) plus one sum over the whole count column. So n rows are 2n cells
and n + 1 relation checks. Counts come from a seeded generator (the same table on every
run).

Two measurements per size, each in a fresh process:

* ``ingest``: the ingest stage of the one source (parse the printed table, check every
  relation, write the dataset and the source's catalog, codebook and validation);
* ``pipeline`` (``--pipeline-rows``): a cold ``snakemake`` of a temporary copy of the
  project with the synthetic source added to ``sources`` (so the catalogue, the index
  report, its codebook and the HTML page carry it too).

Peak memory is the maximum resident set size of the largest process (the Snakemake
process; the figure workers are separate and small). The growth exponent is the slope of
log(time) on log(rows), fitted over the sizes measured, and between consecutive sizes:
1 is linear, 2 quadratic.

Usage: ``python benchmarks/scale.py [--rows 10000 50000 200000 1000000]
[--pipeline-rows 10000 50000 200000]``. Exits non-zero when the 200 000-row pipeline
takes 2 minutes or more or 1 GiB of memory or more.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
COPY = ["Snakefile", "config.yaml", "rules", "schemas", "data/raw", "profiles", "src/analysis", "src/figures"]
SOURCE = "scale_bench"
BASE = 1000
LIMIT_ROWS, LIMIT_SECONDS, LIMIT_MIB = 200_000, 120.0, 1024.0

SOURCE_YAML = f"""id: {SOURCE}
publisher: Benchmark
title: "Syntetisk tabell"
title_en: "Synthetic table"
series: null
published: "2024"
document_type: summary_page
language: sv
seed_file: none.txt
seed_lines: 1
seed_sha256: "{"0" * 64}"
covers: A synthetic table for the scale benchmark.
"""

SIDECAR = {
    "id": "long",
    "number": "Tabell 1",
    "title": "Syntetisk tabell",
    "title_en": "Synthetic table",
    "location": {"section": "1"},
    "unit": "mixed",
    "population": "Synthetic rows",
    "fields": {"decimalChar": ",", "groupChar": " ", "missingValues": ["-"]},
    "layout": {"delimiter": ";", "stub": ["row"], "header": ["statistic"]},
    "measures": {
        "count": {"unit": "count", "label": "Antal", "label_en": "Count"},
        "share": {"unit": "percent", "label": "Andel (%)", "label_en": f"Share of {BASE}"},
    },
    "dimensions": {
        "row": {
            "label": "Rad",
            "label_en": "Row",
            "patterns": [{"pattern": "Rad (?P<n>[0-9]+)", "en": "Row {n}"}],
        },
        "statistic": {
            "label_en": "Statistic",
            "role": "measure",
            "categories": [
                {"label": "Antal", "en": "Count", "measure": "count"},
                {"label": "Andel (%)", "en": "Share (%)", "measure": "share"},
            ],
        },
    },
    "relations": [
        {
            "id": "share_of_base",
            "type": "ratio",
            "measure": "share",
            "numerator": {"measure": "count"},
            "denominator": {"value": BASE},
            "scale": 100,
        },
    ],
}


def write_source(raw: Path, n: int, seed: int = 20240601) -> None:
    """data/raw/scale_bench/ with one table of ``n`` rows under ``raw``."""
    import yaml

    rng = np.random.default_rng(seed)
    counts = rng.integers(0, BASE + 1, size=n)
    tables = raw / SOURCE / "tables"
    tables.mkdir(parents=True, exist_ok=True)
    (raw / SOURCE / "source.yaml").write_text(SOURCE_YAML, encoding="utf-8")
    sidecar = json.loads(json.dumps(SIDECAR))
    sidecar["relations"].append(
        {"id": "counts_total", "type": "sum", "measure": "count", "dimension": "row", "total_value": int(counts.sum())}
    )
    (tables / "long.yaml").write_text(yaml.safe_dump(sidecar, allow_unicode=True, sort_keys=False), encoding="utf-8")
    lines = ["Rad;Antal;Andel (%)"]
    for i, c in enumerate(counts.tolist(), start=1):
        count = f"{c:,}".replace(",", " ")  # 1 000: a space as thousands separator
        share = f"{100 * c / BASE:.1f}".replace(".", ",")
        lines.append(f"Rad {i};{count};{share} %")
    (tables / "long.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _ingest(n: int, work: Path) -> None:
    """In this process: the ingest stage of a fresh n-row source (what ``--_ingest`` runs)."""
    from types import SimpleNamespace

    sys.path.insert(0, str(ROOT / "src"))
    from analysis.ingest.stage import run

    raw = work / "data/raw"
    write_source(raw, n)
    src = raw / SOURCE
    out = work / "data/processed" / SOURCE
    names = ("long", "catalog", "codebook", "validation", "known_issues")
    output = SimpleNamespace(**{k: str(out / f"{k}.parquet") for k in names})
    schemas = [str(ROOT / "schemas" / f"{s}.schema.yaml") for s in ("known_issues", "source", "table")]
    inputs = SimpleNamespace(
        source=str(src / "source.yaml"),
        known_issues=[],
        facts=[],
        events=[],
        tables=[str(src / "tables/long.csv"), str(src / "tables/long.yaml")],
        schemas=schemas,
    )
    params = SimpleNamespace(source=SOURCE, tables=["long"], stale="error")
    start = time.perf_counter()
    run(inputs, output, params, str(work / "ingest.log"))
    print(json.dumps({"seconds": time.perf_counter() - start}))


def measured(cmd: list[str], cwd: Path | None = None) -> dict:
    """Run ``cmd`` in a fresh wrapper process: wall time, peak RSS (MiB), its JSON output."""
    wrapper = [sys.executable, __file__, "--_exec", "--", *cmd]
    res = subprocess.run(wrapper, cwd=cwd, capture_output=True, text=True, timeout=3600)
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def _exec(cmd: list[str]) -> None:
    start = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if res.returncode != 0:
        sys.stdout.write(res.stdout[-3000:])
        sys.stderr.write(res.stderr[-3000:])
        sys.exit(res.returncode)
    inner = {}
    for line in reversed(res.stdout.strip().splitlines()):
        if line.startswith("{"):
            inner = json.loads(line)
            break
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"wall": wall, "peak_mib": peak, **inner}))


def ingest_point(n: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="servicestat-scale-") as tmp:
        return measured([sys.executable, __file__, "--_ingest", str(n), tmp])


def pipeline_point(n: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="servicestat-scale-") as tmp:
        work = Path(tmp)
        for item in COPY:
            src = ROOT / item
            if src.is_dir():
                shutil.copytree(src, work / item)
            else:
                (work / item).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, work / item)
        write_source(work / "data/raw", n)
        cfg = (work / "config.yaml").read_text(encoding="utf-8")
        (work / "config.yaml").write_text(cfg.replace("sources:\n", f"sources:\n  - {SOURCE}\n", 1), encoding="utf-8")
        return measured([sys.executable, "-m", "snakemake", "--quiet"], cwd=work)


def exponent(sizes: list[int], values: list[float]) -> float:
    """Slope of log(value) on log(size): the growth exponent (1 linear, 2 quadratic)."""
    return float(np.polyfit(np.log(sizes), np.log(values), 1)[0])


def report(name: str, sizes: list[int], points: list[dict], key: str) -> None:
    print(f"\n{name}")
    print(f"{'rows':>10} {'seconds':>9} {'peak MiB':>9} {'exponent to here':>17}")
    for i, (n, p) in enumerate(zip(sizes, points, strict=True)):
        step = ""
        if i:
            step = f"{math.log(p[key] / points[i - 1][key]) / math.log(n / sizes[i - 1]):.2f}"
        print(f"{n:>10} {p[key]:>9.2f} {p['peak_mib']:>9.0f} {step:>17}")
    if len(sizes) > 1:
        print(f"growth exponent of time (fit over all sizes): {exponent(sizes, [p[key] for p in points]):.2f}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="*", default=[10_000, 50_000, 200_000, 1_000_000])
    ap.add_argument("--pipeline-rows", type=int, nargs="*", default=[10_000, 50_000, 200_000])
    args = ap.parse_args(argv)
    ok = True
    if args.rows:
        points = [ingest_point(n) for n in args.rows]
        report("ingest stage of the one source (time inside the stage)", args.rows, points, "seconds")
    if args.pipeline_rows:
        points = [pipeline_point(n) for n in args.pipeline_rows]
        report(
            "cold snakemake of the whole project with the table added (wall time)", args.pipeline_rows, points, "wall"
        )
        for n, p in zip(args.pipeline_rows, points, strict=True):
            if n == LIMIT_ROWS and (p["wall"] >= LIMIT_SECONDS or p["peak_mib"] >= LIMIT_MIB):
                print(f"target not met at {n} rows: < {LIMIT_SECONDS:.0f} s and < {LIMIT_MIB:.0f} MiB")
                ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--_exec":
        _exec(sys.argv[3:])
    elif len(sys.argv) > 1 and sys.argv[1] == "--_ingest":
        _ingest(int(sys.argv[2]), Path(sys.argv[3]))
    else:
        sys.exit(main())
