"""Registers beside the raw tables (cost model, claims): validated and located."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.core.errors import InputError
from analysis.core.registers import load_claims, load_cost_model

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = str(ROOT / "schemas/registers.schema.yaml")


def test_project_registers_load():
    estimates = load_cost_model(str(ROOT / "data/raw/arbetsformedlingen_2019/cost_model.yaml"), SCHEMA)
    assert all(e["terms"] for e in estimates)
    doc = load_claims(str(ROOT / "data/raw/riksrevisionen_2022/claims.yaml"), SCHEMA)
    assert len({c["id"] for c in doc.data["claims"]}) == len(doc.data["claims"])


def test_duplicate_claim_id_is_located(tmp_path):
    text = (ROOT / "data/raw/riksrevisionen_2022/claims.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    first = next(i for i, t in enumerate(lines) if t.lstrip().startswith("- id:"))
    second = next(i for i, t in enumerate(lines) if i > first and t.lstrip().startswith("- id:"))
    dup = lines[first].split("id:")[1].strip()
    lines[second] = lines[second].split("id:")[0] + "id: " + dup
    path = tmp_path / "claims.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_claims(str(path), SCHEMA)
    assert (exc.value.line, exc.value.text, exc.value.problem) == (second + 1, dup, "duplicate")


def test_cost_model_unknown_key_is_located(tmp_path):
    path = tmp_path / "cost_model.yaml"
    path.write_text("estimates:\n  - id: a\n    printed: '1'\n    terms: [{factors: [{value: 2, colour: red}]}]\n")
    with pytest.raises(InputError) as exc:
        load_cost_model(str(path), SCHEMA)
    assert exc.value.line == 4 and exc.value.text == "colour"


def test_cost_model_choice_needs_a_known_basis_and_alternatives(tmp_path):
    path = tmp_path / "cost_model.yaml"
    path.write_text(
        "estimates:\n  - id: a\n    printed: '1'\n    terms: [{factors: [{value: 2}]}]\n"
        "    choices:\n      - {what: w, basis: convenient, chosen: c, alternatives: [{label: l, replace: {x: y}}]}\n"
    )
    with pytest.raises(InputError) as exc:
        load_cost_model(str(path), SCHEMA)
    assert exc.value.line == 6 and exc.value.text == "convenient"
    path.write_text(
        "estimates:\n  - id: a\n    printed: '1'\n    terms: [{factors: [{value: 2}]}]\n"
        "    choices:\n      - {what: w, basis: assumed, chosen: c, alternatives: []}\n"
    )
    with pytest.raises(InputError) as exc:
        load_cost_model(str(path), SCHEMA)
    assert exc.value.line == 6
