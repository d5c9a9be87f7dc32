"""The YAML reader: libyaml's fast path gives what the careful pure-Python path gives."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from analysis.core import yamlio
from analysis.core.errors import InputError
from analysis.core.yamlio import load_yaml

ROOT = Path(__file__).resolve().parent.parent
PROJECT_YAML = sorted(
    [ROOT / "config.yaml", *(ROOT / "data/raw").glob("*/*.yaml"), *(ROOT / "data/raw").glob("*/tables/*.yaml")]
)


def careful(path: str, text: str, monkeypatch) -> yamlio.Located:
    with monkeypatch.context() as m:
        m.setattr(yamlio, "_fast", lambda text: None)
        return load_yaml(path, text)


def positions(node, out=None) -> list:
    """(kind, value, line, column) of every node, depth first."""
    out = [] if out is None else out
    out.append((type(node).__name__, node.value if isinstance(node, yaml.ScalarNode) else None,
                node.start_mark.line, node.start_mark.column))  # fmt: skip
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            positions(k, out)
            positions(v, out)
    elif isinstance(node, yaml.SequenceNode):
        for v in node.value:
            positions(v, out)
    return out


@pytest.mark.parametrize("path", PROJECT_YAML, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_project_yaml_reads_the_same_on_both_paths(path, monkeypatch):
    text = path.read_text(encoding="utf-8")
    assert yamlio._fast(text) is not None  # plain data: the fast path takes it
    fast, slow = load_yaml(str(path), text), careful(str(path), text, monkeypatch)
    assert fast.data == slow.data
    assert positions(fast.root) == positions(slow.root)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\nb: !!str x\n", "x.yaml:2:4: YAML tag refused: 'tag:yaml.org,2002:str'"),
        ("a: &x 1\nb: *x\n", "x.yaml:1:4: YAML anchor refused: '&x'"),
        ("a: [1, 2\nb: 3\n", "x.yaml:2:2: YAML syntax error \"expected ',' or ']', but got ':'\""),
        ("a: 1\nb: '?x'\n", "x.yaml:2:4: expression refused: '?x'"),
    ],
)
def test_refusals_and_syntax_errors_keep_the_careful_wording(text, message, monkeypatch):
    assert yamlio._fast(text) is None or "?x" in text  # an expression parses; it is refused after
    for reader in (lambda: load_yaml("x.yaml", text), lambda: careful("x.yaml", text, monkeypatch)):
        with pytest.raises(InputError) as exc:
            reader()
        assert str(exc.value).startswith(message)
