"""YAML registers kept beside the raw tables (cost model, claims), read with locations."""

from __future__ import annotations

from pathlib import Path

from analysis.core import yamlio
from analysis.core.config import read_text
from analysis.core.yamlio import Located, load_yaml, validate


def load_register(path: str, schema_path: str, definition: str, what: str) -> Located:
    """A register validated against ``$defs/<definition>`` of the registers schema."""
    schema = yamlio.safe_load(Path(schema_path).read_text(encoding="utf-8"))
    doc = load_yaml(path, read_text(path))
    validate(doc, {**schema["$defs"][definition], "$defs": schema["$defs"]}, what)
    return doc


def load_cost_model(path: str, schema_path: str) -> list[dict]:
    """The estimates of data/raw/<source>/cost_model.yaml, validated with line and column."""
    return load_register(path, schema_path, "cost_model", "cost model").data["estimates"]


def load_claims(path: str, schema_path: str) -> Located:
    """One report's claims.yaml, validated, ids unique; returns the located document."""
    doc = load_register(path, schema_path, "claims", "claims register")
    seen: dict[str, int] = {}
    for i, c in enumerate(doc.data["claims"]):
        if c["id"] in seen:
            raise doc.error(["claims", i, "id"], c["id"], f"a unique id (also claim #{seen[c['id']] + 1})", "duplicate")
        seen[c["id"]] = i
    return doc
