"""config.yaml read as data and validated as a whole when the workflow starts.

The Snakefile calls :func:`load_config` before any rule is defined, so every config error
(YAML syntax, an unknown or misspelled key at any depth, a wrong type, a value outside
its enum, an id that cannot be a path) stops the run at once with one line
``config.yaml:line:column: problem 'text'; expected ...``. The file is parsed with
PyYAML's safe loader (no tags that build objects) and Snakemake's YAML template engine
is refused: configuration is data, never code.
"""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from analysis.core.errors import InputError
from analysis.core.yamlio import load_yaml, validate

TEMPLATE_ENGINE_KEY = "__use_yte__"


def read_text(path: str | Path) -> str:
    """A text file as UTF-8, or a located error naming the first undecodable byte."""
    raw = Path(path).read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            str(path), line, col, repr(raw[exc.start : exc.end]), "UTF-8 text", "undecodable byte"
        ) from None


def merge(base: dict, overrides: dict) -> dict:
    """``base`` with ``overrides`` applied key by key at every depth (as ``--config`` does)."""
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def check_sources(doc, raw_dir: str | Path) -> None:
    """Every configured source has a folder with a source.yaml, and every analysis names
    one of the configured sources (errors located at the offending list item or key)."""
    sources = doc.data["sources"]
    available = sorted(p.parent.name for p in Path(raw_dir).glob("*/source.yaml"))
    for i, sid in enumerate(sources):
        if sid not in available:
            raise doc.error(
                ["sources", i],
                sid,
                f"a folder {Path(raw_dir, sid)}/ with a source.yaml (available: {', '.join(available)})",
                "unknown source",
            )
    for section in ("survey", "meetings", "channels"):
        if doc.data[section]["source"] not in sources:
            raise doc.error(
                [section, "source"],
                doc.data[section]["source"],
                "one of the sources listed under 'sources'",
                "unknown source",
            )
    for i, sid in enumerate(doc.data["claims"]["sources"]):
        if sid not in sources:
            raise doc.error(
                ["claims", "sources", i], sid, "one of the sources listed under 'sources'", "unknown source"
            )


def load_config(path: str, schema_path: str, overrides: dict | None = None, raw_dir: str | None = None) -> dict:
    """The validated configuration: ``path`` parsed safely, ``overrides`` applied, checked.

    With ``raw_dir``, the sources it names must exist there (:func:`check_sources`).

    Raises
    ------
    InputError
        located at the offending key or value of ``path`` (for a value given only in
        ``overrides``, at its deepest parent present in the file).
    """
    doc = load_yaml(path, read_text(path))
    if not isinstance(doc.data, dict):
        raise doc.error([], type(doc.data).__name__, "a mapping of settings at the top level", "not a mapping:")
    if TEMPLATE_ENGINE_KEY in doc.data:
        raise doc.error(
            [TEMPLATE_ENGINE_KEY],
            TEMPLATE_ENGINE_KEY,
            "plain YAML data (expressions are never evaluated in config.yaml)",
            "template engine refused:",
        )
    if overrides:
        doc.data = merge(doc.data, overrides)
    schema = yaml.safe_load(read_text(schema_path))
    validate(doc, schema, "config.yaml")
    if raw_dir is not None:
        check_sources(doc, raw_dir)
    return doc.data
