"""Deterministic Parquet and CSV writing with provenance in the Parquet key-value metadata."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

META_KEY = b"servicestat"


def to_json(obj) -> str:
    """Stable JSON: sorted keys, no ASCII escaping, NaN written as null."""
    return json.dumps(_clean(obj), ensure_ascii=False, sort_keys=True, indent=None, separators=(",", ":"))


def _clean(obj):
    if isinstance(obj, float) and obj != obj:
        return None
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item"):
        return _clean(obj.item())
    return obj


def write_parquet(frame: pd.DataFrame, path: str | Path, meta: dict | None = None) -> None:
    """Write ``frame`` to Parquet with ``meta`` as JSON under the ``servicestat`` key.

    Written to a temporary name and renamed, so a reader never sees a partial file.
    The output is byte-identical for identical input (no timestamps are stored).
    """
    table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
    md = dict(table.schema.metadata or {})
    if meta is not None:
        md[META_KEY] = to_json(meta).encode("utf-8")
    table = table.replace_schema_metadata(md)
    _atomic(path, lambda tmp: pq.write_table(table, tmp, compression="zstd"))


def write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """Write CSV (UTF-8, comma separated, '.' decimals, LF) atomically."""
    _atomic(path, lambda tmp: frame.to_csv(tmp, index=False, lineterminator="\n", float_format="%.10g"))


def write_text(text: str, path: str | Path) -> None:
    def _w(tmp):
        Path(tmp).write_text(text, encoding="utf-8")

    _atomic(path, _w)


def _atomic(path, writer) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        writer(str(tmp))
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def read_meta(path: str | Path) -> dict:
    """The ``servicestat`` provenance stored in a Parquet file's metadata."""
    md = pq.read_schema(path).metadata or {}
    return json.loads(md[META_KEY]) if META_KEY in md else {}


def write_figure(fig, paths: dict[str, str | Path], dpi: int = 120) -> None:
    """Save a Figure in each format of ``paths`` ({"png": path, "svg": path, "pdf": path}).

    Nothing varies between runs, so reruns are byte-identical: the PNG carries no
    metadata, SVG ids come from a fixed hash salt and its 'Date' is dropped (text stays
    text: searchable, and faster to write than glyph paths), the PDF has no dates.
    The figure is closed afterwards (figures are drawn in threads of one process).
    """
    import matplotlib

    options = {
        "png": {"dpi": dpi, "metadata": {"Software": None}},
        "svg": {"metadata": {"Date": None}},
        "pdf": {"metadata": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None}},
    }
    with matplotlib.rc_context({"svg.hashsalt": "servicestat", "svg.fonttype": "none", "pdf.fonttype": 42}):
        for n, (fmt, path) in enumerate(sorted(paths.items(), key=lambda kv: kv[0] != "png")):
            _atomic(path, lambda tmp, fmt=fmt: fig.savefig(tmp, format=fmt, **options[fmt]))
            if n == 0:
                # The layout was computed for the first format; keep it for the others.
                fig.set_layout_engine("none")


def write_results(frames: dict, output, meta: dict, record=None, csv_precision=None) -> None:
    """Write each result table ``name -> frame`` to the rule's named outputs ``<name>``
    (Parquet, with ``meta``) and ``<name>_csv``, logging each to ``record``.

    The Parquet table keeps full precision (the reports, findings and figures round once,
    when they print); ``csv_precision`` (frame -> frame) rounds the CSV for reading."""
    for name, frame in frames.items():
        write_parquet(frame, getattr(output, name), meta)
        write_csv(frame if csv_precision is None else csv_precision(frame), getattr(output, f"{name}_csv"))
        if record is not None:
            record.wrote(getattr(output, name), frame)


def read_tables(input, names, record=None) -> dict[str, pd.DataFrame]:
    """The Parquet tables of the rule's named inputs ``names``, logged to ``record``."""
    frames = {}
    for name in names:
        frames[name] = pd.read_parquet(getattr(input, name))
        if record is not None:
            record.read(getattr(input, name), frames[name])
    return frames
