"""Which result tables changed between two builds: a short Markdown summary for CI.

``python -m analysis.report.diff BASE NEW`` compares the CSV result tables of two
folders (e.g. ``reports/tables`` of the parent commit's build and of this one) and prints
which tables were added, removed or changed; for a changed table, how many rows were
added, removed and changed (rows matched by position: result tables are sorted, so a
shift shows as changed rows), which columns differ, and the first few changed cells.
Cells are compared as text, so a change in the last printed digit counts. It exits 0
whatever changed: a change of results is information, not a failure.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass, field
from pathlib import Path

SHOWN = 5
"""Changed cells listed per table."""


@dataclass
class TableDiff:
    name: str
    status: str  # added, removed, changed, unchanged
    rows_added: int = 0
    rows_removed: int = 0
    rows_changed: int = 0
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)
    cells: list[tuple[int, str, str, str]] = field(default_factory=list)  # row, column, old, new


def read_table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def diff_table(name: str, old: Path | None, new: Path | None) -> TableDiff:
    """The difference of one table between two builds (either side may be missing)."""
    if old is None:
        return TableDiff(name, "added", rows_added=len(read_table(new)[1]))
    if new is None:
        return TableDiff(name, "removed", rows_removed=len(read_table(old)[1]))
    old_cols, old_rows = read_table(old)
    new_cols, new_rows = read_table(new)
    d = TableDiff(name, "unchanged")
    d.columns_added = [c for c in new_cols if c not in old_cols]
    d.columns_removed = [c for c in old_cols if c not in new_cols]
    common = [c for c in new_cols if c in old_cols]
    d.rows_added = max(0, len(new_rows) - len(old_rows))
    d.rows_removed = max(0, len(old_rows) - len(new_rows))
    for i, (a, b) in enumerate(zip(old_rows, new_rows, strict=False)):
        changed = [c for c in common if a.get(c) != b.get(c)]
        if changed:
            d.rows_changed += 1
            d.cells += [(i + 1, c, a.get(c, ""), b.get(c, "")) for c in changed]
    if d.rows_added or d.rows_removed or d.rows_changed or d.columns_added or d.columns_removed:
        d.status = "changed"
    return d


def diff_folders(base: Path, new: Path) -> list[TableDiff]:
    """Every CSV table in either folder, sorted by name."""
    old_files = {p.name: p for p in base.glob("*.csv")} if base.is_dir() else {}
    new_files = {p.name: p for p in new.glob("*.csv")} if new.is_dir() else {}
    return [diff_table(n, old_files.get(n), new_files.get(n)) for n in sorted(old_files.keys() | new_files.keys())]


def summary(diffs: list[TableDiff], shown: int = SHOWN) -> str:
    """A Markdown summary: one line per table that changed, the cells that differ first."""
    changed = [d for d in diffs if d.status != "unchanged"]
    lines = [
        "## Result tables",
        "",
        f"{len(changed)} of {len(diffs)} tables differ from the base build.",
    ]
    if not changed:
        return "\n".join(lines) + "\n"
    lines += [
        "",
        "| table | status | rows added | rows removed | rows changed | columns |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    for d in changed:
        cols = ", ".join([*(f"+{c}" for c in d.columns_added), *(f"−{c}" for c in d.columns_removed)])
        lines.append(f"| `{d.name}` | {d.status} | {d.rows_added} | {d.rows_removed} | {d.rows_changed} | {cols} |")
    for d in changed:
        if d.cells:
            lines += ["", f"`{d.name}`: first changed cells (row, column: old → new)", ""]
            lines += [f"- {r}, `{c}`: `{a}` → `{b}`" for r, c, a, b in d.cells[:shown]]
            if len(d.cells) > shown:
                lines.append(f"- … and {len(d.cells) - shown} more cells")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m analysis.report.diff BASE_TABLES NEW_TABLES", file=sys.stderr)
        return 2
    base, new = Path(args[0]), Path(args[1])
    if not new.is_dir():
        print(f"error: {new}: no such folder; expected the result tables of a build", file=sys.stderr)
        return 2
    sys.stdout.write(summary(diff_folders(base, new)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
