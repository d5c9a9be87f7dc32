"""Names the rules read at parse time (light on import: no pandas)."""

FINDINGS_TABLES = ("findings_sources", "findings", "findings_claims")
"""The findings stage's result tables (reports/tables/<name>.{parquet,csv})."""


def named_result_tables(registers: list[str]) -> set[str] | None:
    """The result tables (file stems under reports/tables/) that the findings registers
    ``registers`` (data/raw/<source>/findings.yaml) name, so that report_findings declares
    and waits for those only; None when a register cannot be read here (it is then the
    report_findings job that reports where and why, with file:line:column)."""
    from pathlib import Path

    from analysis.core import yamlio

    named = set()
    for path in registers:
        try:
            data = yamlio.safe_load(Path(path).read_text(encoding="utf-8"))
            named |= {f["result"]["table"] for f in data["findings"] if "result" in f}
        except (OSError, yamlio.yaml.YAMLError, KeyError, TypeError, AttributeError):
            return None
    return named
