"""config.yaml read as data and validated as a whole when the workflow starts.

The Snakefile calls :func:`load_config` before any rule is defined, so every config error
(YAML syntax, an unknown or misspelled key at any depth, a wrong type, a value outside
its enum, an id that cannot be a path, a table file whose name is not an id) stops the
run at once with one line ``config.yaml:line:column: problem 'text'; expected ...``. The
file is parsed as plain data (:func:`analysis.core.yamlio.load_yaml`: safe loader; tags,
anchors, ``__use_yte__`` and template expressions refused): configuration is data,
never code.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import Path
from types import SimpleNamespace

import yaml

from analysis.core import yamlio
from analysis.core.errors import InputError
from analysis.core.yamlio import Located, load_yaml, validate

ID = re.compile(r"^[a-z][a-z0-9_]*$")  # ids that become file names (sources, tables)
# libyaml's safe loader and dumper when PyYAML was built with it (same documents, faster).
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


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
    for sid in sources:
        # A table's file name becomes the names of its outputs (data/processed/<source>/<table>.parquet).
        for p in sorted(Path(raw_dir, sid, "tables").glob("*")):
            if p.suffix in (".csv", ".yaml") and not ID.match(p.stem):
                raise InputError(
                    str(p), None, None, p.stem, "a table id matching ^[a-z][a-z0-9_]*$ as the file name", "bad table id"
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


def load_config(
    path: str,
    schema_path: str,
    overrides: dict | None = None,
    raw_dir: str | None = None,
    stamp: str | None = None,
) -> dict:
    """The validated configuration: ``path`` parsed safely, ``overrides`` applied, checked.

    With ``raw_dir``, the sources it names must exist there (:func:`check_sources`).
    With ``stamp`` (a file path), a configuration identical to the last one that passed
    (same text, schema, overrides and source folders) is not validated again: every
    Snakemake invocation, a no-op included, reads the config, and validation costs more
    than the no-op itself.

    Raises
    ------
    InputError
        located at the offending key or value of ``path`` (for a value given only in
        ``overrides``, at its deepest parent present in the file).
    """
    text, schema_text = read_text(path), read_text(schema_path)
    digest = None
    if stamp is not None:
        # The source folders and table file names are checked too (ids that become paths).
        globs = ("*/source.yaml", "*/tables/*") if raw_dir else ()
        sources = sorted(str(p) for g in globs for p in Path(raw_dir).glob(g))
        key = json.dumps([text, schema_text, overrides or {}, sources], sort_keys=True, default=str)
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        if Path(stamp).is_file() and Path(stamp).read_text(encoding="utf-8") == digest:
            data = yamlio.safe_load(text)  # already validated: the fast C loader
            return merge(data, overrides) if overrides else data
    doc = load_yaml(path, text)
    if not isinstance(doc.data, dict):
        raise doc.error([], type(doc.data).__name__, "a mapping of settings at the top level", "not a mapping:")
    schema = yamlio.safe_load(schema_text)
    validate(doc, schema, "config.yaml")
    if overrides:
        # Values given on the command line (--config key=value) are checked on their own
        # terms: an error there is not config.yaml's, so it names --config, not a line.
        doc.data = merge(doc.data, overrides)
        try:
            validate(Located("--config", doc.data, None), schema, "--config")
        except InputError as exc:
            raise InputError("--config", None, None, exc.text, exc.expected, exc.problem) from None
    if raw_dir is not None:
        check_sources(doc, raw_dir)
    if digest is not None:
        Path(stamp).parent.mkdir(parents=True, exist_ok=True)
        Path(stamp).write_text(digest, encoding="utf-8")
    return doc.data


def write_settings(path: str | Path, values: dict) -> str:
    """Write a job's settings as YAML, only when they differ from the file's content.

    Returns the path, for use as a rule input: the file's time changes only with its
    content, so Snakemake reruns just the jobs whose settings changed.
    """
    path = Path(path)
    text = yaml.dump(values, Dumper=_DUMPER, allow_unicode=True, sort_keys=False)  # config order is meaningful
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return str(path)


def read_settings(path: str | Path) -> SimpleNamespace:
    """A job's settings file as attributes (what the stage functions take as ``params``)."""
    return SimpleNamespace(**yamlio.safe_load(Path(path).read_text(encoding="utf-8")))
