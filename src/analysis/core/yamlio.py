"""YAML loading that remembers where each node stands, so errors can point at it.

Every YAML file of the project (config.yaml, sidecars, source.yaml, the registers) is
data, never code: it is parsed by PyYAML's safe loader, and anything that could make a
YAML tool build objects or evaluate expressions is refused with its line and column:
an explicit tag (``!!python/object``, ``!!str``, a custom ``!tag``), an anchor or alias,
Snakemake's template-engine switch ``__use_yte__`` and YTE expressions (a key or value
starting with ``?``, as in ``?if``, ``?__import__('os')``).
"""

from __future__ import annotations

from typing import Any

import yaml

from analysis.core.errors import InputError


class Located:
    """A parsed YAML document plus the node tree that knows line and column of each value."""

    def __init__(self, path: str, data: Any, root: yaml.Node | None) -> None:
        self.path = path
        self.data = data
        self.root = root

    def where(self, keypath: tuple | list) -> tuple[int | None, int | None]:
        """1-based (line, column) of the node at ``keypath`` (the deepest existing parent)."""
        node = self.root
        if node is None:
            return None, None
        for key in keypath:
            child = None
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if k.value == key:
                        child = v
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
                child = node.value[key]
            if child is None:
                break
            node = child
        return node.start_mark.line + 1, node.start_mark.column + 1

    def where_key(self, keypath: tuple | list, key: str) -> tuple[int | None, int | None]:
        """1-based (line, column) of the key ``key`` in the mapping at ``keypath``."""
        node = self.root
        for k in keypath:
            node = _child(node, k)
            if node is None:
                return self.where(keypath)
        if isinstance(node, yaml.MappingNode):
            for k, _v in node.value:
                if k.value == key:
                    return k.start_mark.line + 1, k.start_mark.column + 1
        return self.where(keypath)

    def error(self, keypath, text, expected, problem="bad value") -> InputError:
        line, col = self.where(keypath)
        return InputError(self.path, line, col, str(text), expected, problem)


def _child(node, key):
    if isinstance(node, yaml.MappingNode):
        return next((v for k, v in node.value if k.value == key), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        return node.value[key]
    return None


TEMPLATE_ENGINE_KEY = "__use_yte__"
_PLAIN = "plain YAML data (no tags, anchors or expressions: nothing in the project's YAML is evaluated)"


class _Refused(Exception):
    def __init__(self, mark, text: str, problem: str) -> None:
        self.mark, self.text, self.problem = mark, text, problem


class _DataLoader(yaml.SafeLoader):
    """The safe loader, refusing explicit tags and anchors/aliases where they stand."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(event.start_mark, f"*{event.anchor}", "YAML alias refused:")
        if getattr(event, "anchor", None) is not None:
            raise _Refused(event.start_mark, f"&{event.anchor}", "YAML anchor refused:")
        if getattr(event, "tag", None) is not None:
            raise _Refused(event.start_mark, event.tag, "YAML tag refused:")
        return super().compose_node(parent, index)


def _expression(node) -> yaml.Node | None:
    """The first key or value that YTE would evaluate (a string starting with '?')."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, yaml.ScalarNode):
            if n.tag == "tag:yaml.org,2002:str" and n.value.startswith("?") and n.value.strip() != "?":
                return n
        elif isinstance(n, yaml.MappingNode):
            stack += [x for kv in reversed(n.value) for x in reversed(kv)]
        elif isinstance(n, yaml.SequenceNode):
            stack += reversed(n.value)
    return None


_C_LOADER = getattr(yaml, "CSafeLoader", None)  # libyaml, where PyYAML was built with it
SAFE_LOADER = _C_LOADER or yaml.SafeLoader


def safe_load(text: str) -> Any:
    """``yaml.safe_load`` through libyaml (PyYAML's C loader, about 5x faster) where the
    located reading of :func:`load_yaml` is not needed (schemas, project files)."""
    return yaml.load(text, Loader=SAFE_LOADER)


def _fast(text: str) -> tuple[Any, yaml.Node | None] | None:
    """(data, root) parsed by libyaml (PyYAML's C loader, about 5x faster), or None when
    the text needs the careful path: a tag, anchor or alias, or a syntax error (the pure
    Python loader then refuses or reports it, with its own wording and location)."""
    if _C_LOADER is None:
        return None
    try:
        for event in yaml.parse(text, Loader=_C_LOADER):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) or getattr(event, "tag", None):
                return None
        loader = _C_LOADER(text)
        try:
            root = loader.get_single_node()
            return (loader.construct_document(root) if root is not None else None), root
        finally:
            loader.dispose()
    except yaml.YAMLError:
        return None


def load_yaml(path: str, text: str) -> Located:
    """Parse YAML text as plain data (safe loader), keeping the node tree for locations.

    Raises
    ------
    InputError
        A syntax error, a tag, an anchor or alias, ``__use_yte__`` or a YTE expression,
        located at line and column.
    """
    if (parsed := _fast(text)) is not None:
        data, root = parsed
        return _checked(Located(path, data, root))
    try:
        loader = _DataLoader(text)
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except _Refused as exc:
        raise InputError(path, exc.mark.line + 1, exc.mark.column + 1, exc.text, _PLAIN, exc.problem) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        raise InputError(path, line, col, str(exc.problem), "valid YAML", "YAML syntax error") from None
    return _checked(Located(path, data, root))


def _checked(doc: Located) -> Located:
    """``doc``, unless it asks for YTE (``__use_yte__`` or an expression): refused, located."""
    if isinstance(doc.data, dict) and TEMPLATE_ENGINE_KEY in doc.data:
        line, col = doc.where_key([], TEMPLATE_ENGINE_KEY)
        raise InputError(doc.path, line, col, TEMPLATE_ENGINE_KEY, _PLAIN, "template engine refused:")
    expr = _expression(doc.root) if doc.root is not None else None
    if expr is not None:
        mark = expr.start_mark
        raise InputError(doc.path, mark.line + 1, mark.column + 1, expr.value, _PLAIN, "expression refused:")
    return doc


def validate(doc: Located, schema: dict, what: str) -> None:
    """Validate ``doc.data`` against a JSON Schema; raise the first error, located.

    Errors are sorted by their position in the document so the report is stable.
    """
    import jsonschema  # here, not at the top: a no-op run with a validated config never needs it

    validator = jsonschema.Draft202012Validator(schema)
    errors = list(validator.iter_errors(doc.data))
    if not errors:
        return
    errors.sort(key=lambda e: (doc.where(list(e.absolute_path)), list(map(str, e.absolute_path))))
    err = errors[0]
    keypath = list(err.absolute_path)
    dotted = ".".join(str(k) for k in keypath) or "(top level)"
    if err.validator == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        raise doc.error(
            keypath,
            missing,
            f"{what} at '{dotted}' to have the required key '{missing}'",
            problem="missing required key",
        )
    if err.validator == "additionalProperties":
        allowed = sorted(err.schema.get("properties", {}))
        extra = sorted(set(err.instance) - set(allowed)) if isinstance(err.instance, dict) else []
        if extra and allowed and not isinstance(err.schema.get("additionalProperties"), dict):
            line, col = doc.where_key(keypath, extra[0])
            where = f"'{dotted}'" if keypath else "the top level"
            raise InputError(
                doc.path, line, col, extra[0], f"one of {', '.join(allowed)} (in {what}, {where})", "unknown key"
            )
        raise doc.error(keypath, dotted, f"{what}: {err.message}", problem="unknown key in")
    shown = err.instance if not isinstance(err.instance, dict | list) else dotted
    raise doc.error(keypath, shown, f"{what} '{dotted}': {err.message}", problem="invalid value")
