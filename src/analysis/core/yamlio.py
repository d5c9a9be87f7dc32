"""YAML loading that remembers where each node stands, so errors can point at it."""

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


def load_yaml(path: str, text: str) -> Located:
    """Parse YAML text (safe loader), keeping the node tree for error locations."""
    try:
        loader = yaml.SafeLoader(text)
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        raise InputError(path, line, col, str(exc.problem), "valid YAML", "YAML syntax error") from None
    return Located(path, data, root)


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
