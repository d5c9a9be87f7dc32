"""Names the rules read at parse time (light on import: no pandas)."""

FINDINGS_TABLES = ("findings_sources", "findings", "findings_claims")
"""The findings stage's result tables (reports/tables/<name>.{parquet,csv})."""
