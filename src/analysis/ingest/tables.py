"""Read a published table in its printed layout and turn it into one row per printed cell.

The raw CSV keeps the layout of the document (wide, Swedish number formats); the sidecar
says which dimension each stub column and header row holds, which measure each cell is,
and which labels are allowed. Everything unexpected is an :class:`InputError` that names
file, line and column.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.core.errors import InputError
from analysis.core.numbers import EXPECTED, Printed, clean_cell, parse_number
from analysis.core.yamlio import Located

RESERVED_IDS = {"facts", "events", "catalog", "codebook", "validation", "known_issues"}
NOT_AVAILABLE = "not_available"
# The columns of every cell after its dimensions and derived columns (lo, hi: internal).
CELL_COLUMNS = ["measure", "unit", "value", "status", "printed", "raw_line", "raw_column", "lo", "hi"]
OK = "ok"


def decode_utf8(path: str, raw: bytes) -> str:
    """Decode UTF-8 (a BOM is tolerated); a bad byte is an error with its line and column."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        bad = raw[exc.start : exc.end].hex(" ")
        raise InputError(path, line, col, f"byte {bad}", "UTF-8 text", "file is not UTF-8:") from None
    return text.removeprefix("\ufeff")


def read_rows(path: str, text: str, delimiter: str = ";") -> list[tuple[int, list[str]]]:
    """Split CSV text into (line number, cells); blank lines are skipped, ragged rows rejected."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    for cells in reader:
        line = start
        start = reader.line_num + 1
        if not cells or all(clean_cell(c) == "" for c in cells):
            continue
        rows.append((line, [clean_cell(c) for c in cells]))
    if not rows:
        raise InputError(path, None, None, "", "a header row and data rows", "empty table")
    width = len(rows[0][1])
    for line, cells in rows[1:]:
        if len(cells) != width:
            raise InputError(
                path,
                line,
                min(len(cells), width) + 1,
                delimiter.join(cells),
                f"{width} fields like the first row (line {rows[0][0]}), found {len(cells)}",
                "ragged row",
            )
    return rows


@dataclass
class Dimension:
    """A dimension of a table: its printed labels, English labels and derived columns.

    ``seen`` lists the labels met in the table in order of first appearance; labels are
    looked up once each (a table of n rows with a new label per row costs O(n)).
    """

    id: str
    keypath: tuple
    spec: dict
    seen: list[str] = field(default_factory=list)
    _seen: set = field(default_factory=set, repr=False)
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def is_measure(self) -> bool:
        return self.spec.get("role") == "measure"

    @property
    def derived(self) -> list[str]:
        return list(self.spec.get("derived", []))

    def categories(self) -> list[str]:
        return [c["label"] for c in self.spec.get("categories", [])]

    def describe_allowed(self) -> str:
        if "categories" in self.spec:
            return f"one of {self.categories()!r} (dimension '{self.id}' in the sidecar)"
        pats = [p["pattern"] for p in self.spec["patterns"]]
        return f"a label matching {pats!r} (dimension '{self.id}' in the sidecar)"

    def was_seen(self, label: str) -> bool:
        return label in self._seen

    def see(self, label: str) -> None:
        """Record that ``label`` occurs in the table."""
        if label not in self._seen:
            self._seen.add(label)
            self.seen.append(label)

    def lookup(self, label: str) -> dict | None:
        """The category (or pattern match) for a printed label, with derived values and English.

        Categories are looked up once each (a dict per declared label); a label matched by
        a pattern is matched again when asked (a long table has a new one on every row,
        and keeping a dict for each would cost more memory than the matching costs time).
        """
        info = self._cache.get(label)
        if info is None:
            info = self._lookup(label)
            if info is not None and info["pattern"] is False:
                self._cache[label] = info
        return info

    def _lookup(self, label: str) -> dict | None:
        for cat in self.spec.get("categories", []):
            if cat["label"] == label:
                return {
                    "en": cat["en"],
                    "measure": cat.get("measure"),
                    "set": dict(cat.get("set", {})),
                    "pattern": False,
                }
        for pat in self.spec.get("patterns", []):
            m = re.fullmatch(pat["pattern"], label)
            if m:
                groups = {k: v for k, v in m.groupdict().items() if v is not None}
                values = {**groups, **pat.get("set", {})}
                return {"en": pat["en"].format(**values), "measure": None, "set": values, "pattern": True}
        return None


@dataclass
class Table:
    """A parsed raw table: long frame plus what the relations and codebook need."""

    source_id: str
    table_id: str
    sidecar: dict
    frame: pd.DataFrame  # includes internal columns lo/hi
    dim_columns: list[str]
    derived_columns: list[str]
    codebook: pd.DataFrame

    def public_frame(self) -> pd.DataFrame:
        return self.frame.drop(columns=["lo", "hi"])


def _check_sidecar_semantics(doc: Located, table_id: str) -> dict[str, Dimension]:
    """Cross-references a JSON Schema cannot express."""
    sc = doc.data
    if sc["id"] != table_id:
        raise doc.error(["id"], sc["id"], f"the file stem '{table_id}'", "table id differs from file name:")
    if table_id in RESERVED_IDS:
        raise doc.error(["id"], table_id, f"a table id other than {sorted(RESERVED_IDS)}", "reserved id")
    dims = {k: Dimension(k, ("dimensions", k), v) for k, v in sc["dimensions"].items()}
    layout = sc["layout"]
    # Every dimension the layout names, with where it stands in the sidecar.
    placed = [(d, ["layout", "stub", i]) for i, d in enumerate(layout["stub"])]
    placed += [(d, ["layout", "header", i]) for i, d in enumerate(layout["header"])]
    if layout.get("sections"):
        placed.append((layout["sections"], ["layout", "sections"]))
    used = [d for d, _ in placed]
    for d, keypath in placed:
        if d not in dims:
            raise doc.error(
                keypath,
                d,
                f"a dimension declared under 'dimensions' {sorted(dims)}",
                "layout names unknown dimension",
            )
    for d in dims:
        if d not in used:
            raise doc.error(
                ["dimensions", d],
                d,
                "every declared dimension to be used in 'layout'",
                "unused dimension",
            )
    if len(set(used)) != len(used):
        raise doc.error(["layout"], used, "each dimension once in the layout", "duplicate dimension")
    declared: dict[str, str] = {}
    for d in dims.values():
        for i, col in enumerate(d.derived):
            if col in declared or col in dims:
                raise doc.error(
                    [*d.keypath, "derived", i],
                    col,
                    "a derived column name used once in the table (not a dimension, not derived by another)",
                    "duplicate derived column",
                )
            declared[col] = d.id
    measures = sc["measures"]
    default = sc.get("measure")
    if default is not None and default not in measures:
        raise doc.error(
            ["measure"],
            default,
            f"one of the declared measures {sorted(measures)}",
            "unknown measure",
        )
    for d in dims.values():
        for i, cat in enumerate(d.spec.get("categories", [])):
            m = cat.get("measure")
            if m is not None and m not in measures:
                raise doc.error(
                    [*d.keypath, "categories", i, "measure"],
                    m,
                    f"one of {sorted(measures)}",
                    "unknown measure",
                )
            if d.is_measure and m is None:
                raise doc.error(
                    [*d.keypath, "categories", i],
                    cat["label"],
                    "a 'measure' for each category of a measure dimension",
                    "missing measure",
                )
            extra = set(cat.get("set", {})) - set(d.derived)
            if extra:
                raise doc.error(
                    [*d.keypath, "categories", i, "set"],
                    sorted(extra),
                    f"only derived columns {d.derived}",
                    "undeclared derived column",
                )
        labels = d.categories()
        dup = {x for x in labels if labels.count(x) > 1}
        if dup:
            raise doc.error(
                [*d.keypath, "categories"],
                sorted(dup)[0],
                "each category label once",
                "duplicate category label",
            )
        if d.is_measure and d.id not in layout["header"] and d.id not in layout["stub"]:
            raise doc.error(
                list(d.keypath),
                d.id,
                "a measure dimension in the stub or header",
                "misplaced measure dimension",
            )
    return dims


def _labels_info(dims: dict[str, Dimension], pairs) -> tuple[str | None, tuple]:
    """The measure (the last label that names one) and the derived values of (dimension,
    label) pairs, in the order the dimensions declare their derived columns."""
    measure, derived = None, []
    for dim_id, label in pairs:
        info = dims[dim_id].lookup(label)
        if info["measure"]:
            measure = info["measure"]
        derived += [info["set"].get(c) for c in dims[dim_id].derived]
    return measure, tuple(derived)


def _measure_rules(spec: dict) -> tuple[str, bool, float | None, float | None]:
    """A measure's unit, whether its cells are rounded, and its bounds (Frictionless
    ``constraints``; shares lie in [0, 100] and counts are not negative by default)."""
    unit = spec["unit"]
    constraints = spec.get("constraints", {})
    minimum = constraints.get("minimum", 0.0 if unit in ("percent", "count") else None)
    maximum = constraints.get("maximum", 100.0 if unit == "percent" else None)
    return unit, spec.get("rounded", unit == "percent"), minimum, maximum


def _check_cell(p: Printed, path: str, line: int, col: int, text: str, measure: str, unit: str, minimum, maximum):
    """Cell-level checks of a parsed number: its unit, a whole count, the measure's bounds."""
    if p.percent and unit != "percent":
        raise InputError(
            path, line, col, text, f"a {unit} without '%' (measure '{measure}')", "percent sign in a non-percent cell:"
        )
    if unit == "count" and (p.value < 0 or p.decimals):
        raise InputError(
            path, line, col, text, f"a non-negative whole number (measure '{measure}' is a count)", "not a count:"
        )
    if minimum is not None and p.value < minimum:
        raise InputError(
            path,
            line,
            col,
            text,
            f"a value of at least {minimum:g} (measure '{measure}', unit {unit})",
            "below the minimum:" if unit != "percent" else "negative percent:",
        )
    if maximum is not None and p.value > maximum:
        raise InputError(
            path,
            line,
            col,
            text,
            f"a value of at most {maximum:g} (measure '{measure}', unit {unit}; "
            "set constraints.maximum in the sidecar if it may exceed it)",
            "above the maximum:",
        )


def parse_table(
    source_id: str,
    csv_path: str,
    raw: bytes,
    sidecar: Located,
) -> Table:
    """Parse one raw table (CSV bytes in printed layout) with its validated sidecar.

    Parameters
    ----------
    source_id : str
        The source folder name.
    csv_path : str
        Path of the CSV as shown in error messages.
    raw : bytes
        The CSV file content.
    sidecar : Located
        The sidecar, already validated against ``schemas/table.schema.yaml``.

    Returns
    -------
    Table
        ``frame`` has one row per printed cell with columns ``source_id, table_id``, the
        dimension columns (printed labels), derived columns, ``measure, unit, value,
        status, printed, raw_line, raw_column`` and the internal rounding interval
        ``lo, hi``.
    """
    sc = sidecar.data
    # The file name is the table id (it names the outputs); the sidecar's id must agree.
    stem = csv_path.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    dims = _check_sidecar_semantics(sidecar, stem)
    table_id = sc["id"]
    layout = sc["layout"]
    text = decode_utf8(csv_path, raw)
    rows = read_rows(csv_path, text, layout.get("delimiter", ";"))
    stub_ids, header_ids = list(layout["stub"]), list(layout["header"])
    n_stub, n_head = len(stub_ids), len(header_ids)
    if len(rows) <= n_head:
        raise InputError(
            csv_path,
            rows[-1][0],
            1,
            "",
            f"{n_head} header row(s) followed by data rows",
            "no data rows",
        )
    width = len(rows[0][1])
    if width <= n_stub:
        raise InputError(
            csv_path,
            rows[0][0],
            1,
            ";".join(rows[0][1]),
            f"{n_stub} stub column(s) and value columns",
            "no value columns",
        )

    # Stub headings (top-left cells) must match the dimension's printed label.
    for s, dim_id in enumerate(stub_ids):
        printed = " ".join(r[1][s] for r in rows[:n_head] if r[1][s])
        expected = dims[dim_id].spec.get("label") or ""
        if printed != expected:
            line = rows[0][0]
            raise InputError(
                csv_path,
                line,
                s + 1,
                printed,
                f"the stub heading {expected!r} declared as dimensions.{dim_id}.label in the sidecar",
                "stub heading differs:",
            )

    # Column labels: empty header cells repeat the cell to their left (spanned headings).
    col_labels: list[tuple[str, ...]] = [() for _ in range(width - n_stub)]
    for h, dim_id in enumerate(header_ids):
        line, cells = rows[h]
        last = ""
        dim = dims[dim_id]
        for j in range(n_stub, width):
            label = cells[j] or last
            last = label
            if dim.lookup(label) is None:
                raise InputError(csv_path, line, j + 1, cells[j], dim.describe_allowed(), "unknown column label")
            col_labels[j - n_stub] += (label,)
            dim.see(label)
    first_column: dict[tuple, int] = {}
    for j, lab in enumerate(col_labels):
        if first_column.setdefault(lab, j) != j:
            line = rows[n_head - 1][0]
            raise InputError(
                csv_path,
                line,
                j + n_stub + 1,
                " / ".join(lab),
                "each column heading once",
                "duplicate column label",
            )

    section_id = layout.get("sections")
    section = ""
    # One tuple per cell in this column order (tuples, not dicts: a long table's cells
    # are held once, compactly, until they become the frame's columns).
    dim_columns = [d for d in stub_ids + ([section_id] if section_id else []) + header_ids if not dims[d].is_measure]
    derived_columns = [c for d in dims.values() for c in d.derived]
    # Derived columns of the row dimensions first, then of the column dimensions (each
    # column is declared by one dimension only: see _check_sidecar_semantics).
    derived_order = [c for d in stub_ids + ([section_id] if section_id else []) + header_ids for c in dims[d].derived]
    columns = [*dim_columns, *derived_order, *CELL_COLUMNS]
    records: list[tuple] = []
    parsed: dict[str, Printed] = {}  # printed text -> number (tables repeat their values)
    # What each value column's labels give its cells, worked out once per column.
    col_info = []
    for labels in col_labels:
        pairs = list(zip(header_ids, labels, strict=True))
        measure, derived = _labels_info(dims, pairs)
        col_info.append((tuple(label for d, label in pairs if not dims[d].is_measure), measure, derived))
    rules = {m: _measure_rules(spec) for m, spec in sc["measures"].items()}
    seen_rows: dict[tuple, int] = {}
    missing = sc["fields"]["missingValues"]
    missing_status = sc["fields"].get("missingStatus", {})
    for line, cells in rows[n_head:]:
        stub = tuple(cells[:n_stub])
        values = cells[n_stub:]
        if section_id and all(v == "" for v in values):
            sdim = dims[section_id]
            if sdim.lookup(stub[0]) is None:
                raise InputError(csv_path, line, 1, stub[0], sdim.describe_allowed(), "unknown section heading")
            section = stub[0]
            sdim.see(section)
            continue
        for s, dim_id in enumerate(stub_ids):
            if dims[dim_id].lookup(stub[s]) is None:
                raise InputError(
                    csv_path,
                    line,
                    s + 1,
                    stub[s],
                    dims[dim_id].describe_allowed(),
                    "unknown row label",
                )
            dims[dim_id].see(stub[s])
        key = ((section,) if section_id else ()) + stub
        if key in seen_rows:
            raise InputError(
                csv_path,
                line,
                1,
                " / ".join(stub),
                f"each row label once (first at line {seen_rows[key]})",
                "duplicate row label",
            )
        seen_rows[key] = line
        if section_id and not dims[section_id].was_seen(section):
            if dims[section_id].lookup(section) is None:
                raise InputError(
                    csv_path,
                    line,
                    1,
                    stub[0],
                    f"a section heading before this row ({dims[section_id].describe_allowed()})",
                    "row outside any section:",
                )
            dims[section_id].see(section)
        # What the row's labels give every cell of the row: dimension values, measure, derived.
        row_labels = [*zip(stub_ids, stub, strict=True), *([(section_id, section)] if section_id else [])]
        row_measure, row_derived = _labels_info(dims, row_labels)
        row_dims = tuple(label for d, label in row_labels if not dims[d].is_measure)
        for j, text_cell in enumerate(values):
            col_dims, col_measure, col_derived = col_info[j]
            measure = col_measure or row_measure or sc.get("measure")
            col_no = n_stub + j + 1
            if measure is None:
                raise sidecar.error(
                    ["measure"],
                    "",
                    f"a measure for the cell at {csv_path}:{line}:{col_no}",
                    "no measure",
                )
            unit, rounded, minimum, maximum = rules[measure]
            if text_cell in missing:
                value, lo, hi = np.nan, np.nan, np.nan
                status = missing_status.get(text_cell, NOT_AVAILABLE)
            else:
                p = parsed.get(text_cell)
                if p is None:
                    try:
                        p = parsed[text_cell] = parse_number(text_cell)
                    except ValueError:
                        raise InputError(
                            csv_path,
                            line,
                            col_no,
                            text_cell,
                            f"{EXPECTED} ({missing!r})",
                            "not a number:",
                        ) from None
                _check_cell(p, csv_path, line, col_no, text_cell, measure, unit, minimum, maximum)
                value = p.value
                half = p.half_unit if rounded else 0.0
                lo, hi = value - half, value + half
                status = OK
            records.append(
                (
                    *row_dims,
                    *col_dims,
                    *row_derived,
                    *col_derived,
                    measure,
                    unit,
                    value,
                    status,
                    text_cell,
                    line,
                    col_no,
                    lo,
                    hi,
                )
            )

    for d in dims.values():
        if "categories" not in d.spec:
            continue
        for i, label in enumerate(d.categories()):
            if not d.was_seen(label):
                where = "row" if d.id in stub_ids or d.id == section_id else "column"
                raise sidecar.error(
                    [*d.keypath, "categories", i, "label"],
                    label,
                    f"a {where} labelled so in {csv_path}",
                    f"sidecar names a {where} the CSV lacks:",
                )

    frame = pd.DataFrame.from_records(records, columns=columns)
    del records
    frame.insert(0, "table_id", table_id)
    frame.insert(0, "source_id", source_id)
    str_cols = [
        "source_id",
        "table_id",
        *dim_columns,
        *derived_columns,
        "measure",
        "unit",
        "status",
        "printed",
    ]
    for c in str_cols:
        frame[c] = frame[c].astype("string")
    frame["value"] = frame["value"].astype("float64")
    frame["raw_line"] = frame["raw_line"].astype("int64")
    frame["raw_column"] = frame["raw_column"].astype("int64")
    return Table(
        source_id,
        table_id,
        sc,
        frame,
        dim_columns,
        derived_columns,
        _codebook(source_id, table_id, dims, sc),
    )


def _codebook(source_id: str, table_id: str, dims: dict[str, Dimension], sc: dict) -> pd.DataFrame:
    rows = []
    for d in dims.values():
        for order, label in enumerate(d.seen if "patterns" in d.spec else d.categories()):
            info = d.lookup(label)
            rows.append(
                {
                    "source_id": source_id,
                    "table_id": table_id,
                    "kind": "measure_dimension" if d.is_measure else "dimension",
                    "column": d.id,
                    "column_label": d.spec.get("label") or "",
                    "column_label_en": d.spec["label_en"],
                    "label": label,
                    "label_en": info["en"],
                    "order": order,
                }
            )
    for order, (mid, m) in enumerate(sc["measures"].items()):
        rows.append(
            {
                "source_id": source_id,
                "table_id": table_id,
                "kind": "measure",
                "column": "measure",
                "column_label": "",
                "column_label_en": "Measure",
                "label": mid,
                "label_en": f"{m['label_en']} ({m['unit']})",
                "order": order,
            }
        )
    return pd.DataFrame.from_records(rows)
