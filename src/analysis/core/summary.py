"""The one summary a failed run ends with: which jobs failed, why, what is missing."""

from __future__ import annotations

from pathlib import Path


def failure_summary(log_dir: str, targets) -> str:
    """Every ``error:`` line of the stage logs under ``log_dir`` and every target path
    that does not exist, as one block of text (empty sections are left out)."""
    lines = ["", "servicestat: the run failed."]
    errors = []
    for log in sorted(Path(log_dir).glob("*.log")):
        text = log.read_text(encoding="utf-8", errors="replace").splitlines()
        errors += [f"  {log.stem}: {line[len('error: ') :]}" for line in text if line.startswith("error: ")]
    if errors:
        lines += ["Failed stages (from their logs):", *errors]
    missing = sorted({str(p) for p in targets if not Path(p).exists()})
    if missing:
        lines += ["Outputs not produced by this run:", *(f"  {p}" for p in missing)]
    lines.append("Fix the input named above and run `make` (or `snakemake`) again; independent outputs are kept.")
    return "\n".join(lines)
