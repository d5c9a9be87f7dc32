"""The summary of changed result tables that CI attaches to a build (make diff-tables)."""

from __future__ import annotations

from pathlib import Path

from analysis.report import diff


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_added_removed_and_changed_tables(tmp_path):
    base, new = tmp_path / "base", tmp_path / "new"
    write(base, "same.csv", "a,b\n1,2\n")
    write(new, "same.csv", "a,b\n1,2\n")
    write(base, "gone.csv", "a\n1\n2\n")
    write(new, "fresh.csv", "a\n1\n2\n3\n")
    # Two rows: the second's b changes from 0.625 to 0.626, a third row and a column c are added.
    write(base, "t.csv", "a,b\nx,0.5\ny,0.625\n")
    write(new, "t.csv", "a,b,c\nx,0.5,1\ny,0.626,1\nz,0.7,1\n")
    diffs = {d.name: d for d in diff.diff_folders(base, new)}
    assert [d for d in diffs] == ["fresh.csv", "gone.csv", "same.csv", "t.csv"]
    assert (diffs["fresh.csv"].status, diffs["fresh.csv"].rows_added) == ("added", 3)
    assert (diffs["gone.csv"].status, diffs["gone.csv"].rows_removed) == ("removed", 2)
    assert diffs["same.csv"].status == "unchanged"
    t = diffs["t.csv"]
    assert (t.status, t.rows_added, t.rows_removed, t.rows_changed) == ("changed", 1, 0, 1)
    assert t.columns_added == ["c"] and t.cells == [(2, "b", "0.625", "0.626")]
    text = diff.summary(list(diffs.values()))
    assert "3 of 4 tables differ from the base build." in text
    assert "| `t.csv` | changed | 1 | 0 | 1 | +c |" in text
    assert "- 2, `b`: `0.625` → `0.626`" in text


def test_summary_caps_the_cells_it_lists(tmp_path):
    base, new = tmp_path / "base", tmp_path / "new"
    write(base, "t.csv", "a\n" + "".join(f"{i}\n" for i in range(8)))
    write(new, "t.csv", "a\n" + "".join(f"{i + 1}\n" for i in range(8)))
    text = diff.summary(diff.diff_folders(base, new), shown=5)
    assert text.count("\n- ") == 6 and "- … and 3 more cells" in text


def test_no_change_and_bad_arguments(tmp_path, capsys):
    write(tmp_path / "a", "t.csv", "a\n1\n")
    write(tmp_path / "b", "t.csv", "a\n1\n")
    assert diff.main([str(tmp_path / "a"), str(tmp_path / "b")]) == 0
    assert "0 of 1 tables differ" in capsys.readouterr().out
    # No base build (a first run): every table is new.
    assert diff.main([str(tmp_path / "none"), str(tmp_path / "b")]) == 0
    assert "| `t.csv` | added | 1 |" in capsys.readouterr().out
    assert diff.main([str(tmp_path / "a")]) == 2
    assert diff.main([str(tmp_path / "a"), str(tmp_path / "missing")]) == 2
    assert "missing: no such folder" in capsys.readouterr().err
