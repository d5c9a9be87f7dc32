"""config.yaml is data: parsed safely, validated whole, every error located at startup."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis.core.config import load_config, merge, read_text
from analysis.core.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = str(ROOT / "schemas/config.schema.yaml")
TEXT = (ROOT / "config.yaml").read_text(encoding="utf-8")


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def line_of(text: str, needle: str) -> int:
    return next(i for i, t in enumerate(text.splitlines(), 1) if needle in t)


def test_the_project_config_is_valid():
    cfg = load_config(str(ROOT / "config.yaml"), SCHEMA, raw_dir=str(ROOT / "data/raw"))
    assert cfg["language"] in ("en", "sv")
    assert cfg["figure_formats"][0] == "png"
    assert cfg["survey"]["source"] in cfg["sources"]


def test_misspelled_nested_key_is_located_at_the_key(tmp_path):
    text = TEXT.replace("  similar_within: 5", "  similar_witin: 5")
    with pytest.raises(InputError) as exc:
        load_config(write(tmp_path, text), SCHEMA)
    e = exc.value
    assert (e.line, e.column, e.text) == (line_of(text, "similar_witin"), 3, "similar_witin")
    assert "similar_within" in e.expected


def test_wrong_type_at_depth_is_located_at_the_value(tmp_path):
    text = TEXT.replace("  hac_maxlags: 2", "  hac_maxlags: two")
    with pytest.raises(InputError) as exc:
        load_config(write(tmp_path, text), SCHEMA)
    assert exc.value.line == line_of(text, "hac_maxlags: two")
    assert "integer" in exc.value.expected


def test_bad_enum_names_the_allowed_values(tmp_path):
    text = TEXT.replace("language: en\n", "language: de\n")
    with pytest.raises(InputError) as exc:
        load_config(write(tmp_path, text), SCHEMA)
    assert exc.value.line == line_of(text, "language: de")
    assert "'en', 'sv'" in exc.value.expected


def test_template_engine_is_refused(tmp_path):
    text = "__use_yte__: true\n" + TEXT
    with pytest.raises(InputError) as exc:
        load_config(write(tmp_path, text), SCHEMA)
    assert (exc.value.line, exc.value.text) == (1, "__use_yte__")


def test_python_tags_are_refused_with_their_line(tmp_path):
    text = TEXT.replace("language: en\n", "language: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(InputError) as exc:
        load_config(write(tmp_path, text), SCHEMA)
    assert exc.value.line == line_of(text, "python/object")
    assert exc.value.problem == "YAML tag refused:"


def test_yaml_syntax_error_is_located(tmp_path):
    text = TEXT.replace("language: en\n", "language: [en\n")
    with pytest.raises(InputError) as exc:
        load_config(write(tmp_path, text), SCHEMA)
    assert exc.value.line is not None and exc.value.column is not None


def test_unknown_source_is_located_at_its_list_item(tmp_path):
    raw = tmp_path / "raw"
    for sid in ("riksrevisionen_2022", "arbetsformedlingen_2019", "forsakringskassan_2020", "isf_2017"):
        (raw / sid).mkdir(parents=True)
        shutil.copy(ROOT / "data/raw" / sid / "source.yaml", raw / sid / "source.yaml")
    with pytest.raises(InputError) as exc:
        load_config(str(ROOT / "config.yaml"), SCHEMA, raw_dir=str(raw))
    assert (exc.value.line, exc.value.column, exc.value.text) == (line_of(TEXT, "- publikt_2017"), 5, "publikt_2017")


def test_analysis_source_must_be_configured(tmp_path):
    text = TEXT.replace("claims:\n  # The reports", "claims:\n  # The reports").replace(
        "sources: [riksrevisionen_2022, arbetsformedlingen_2019, forsakringskassan_2020]",
        "sources: [riksrevisionen_2022, nowhere_2020]",
    )
    with pytest.raises(InputError) as exc:
        load_config(write(tmp_path, text), SCHEMA, raw_dir=str(ROOT / "data/raw"))
    assert exc.value.text == "nowhere_2020"
    assert exc.value.line == line_of(text, "nowhere_2020")


def test_overrides_apply_at_depth_and_are_validated(tmp_path):
    cfg = load_config(str(ROOT / "config.yaml"), SCHEMA, overrides={"language": "sv", "claims": {"similar_within": 2}})
    assert cfg["language"] == "sv" and cfg["claims"]["similar_within"] == 2
    assert cfg["claims"]["sources"]  # untouched siblings stay
    with pytest.raises(InputError) as exc:
        load_config(str(ROOT / "config.yaml"), SCHEMA, overrides={"language": "de"})
    # The bad value came from the command line, not from a line of config.yaml.
    assert (exc.value.path, exc.value.line, exc.value.text) == ("--config", None, "de")


def test_merge_does_not_modify_its_inputs():
    base = {"a": {"b": 1, "c": 2}}
    out = merge(base, {"a": {"b": 5}})
    assert out == {"a": {"b": 5, "c": 2}} and base == {"a": {"b": 1, "c": 2}}


def test_top_level_must_be_a_mapping(tmp_path):
    with pytest.raises(InputError) as exc:
        load_config(write(tmp_path, "- a\n- b\n"), SCHEMA)
    assert "mapping" in exc.value.expected


def test_undecodable_byte_is_located(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_bytes(b"a: 1\nb: caf\xe9\n")
    with pytest.raises(InputError) as exc:
        read_text(path)
    assert (exc.value.line, exc.value.column) == (2, 7)


def test_a_validated_config_is_not_validated_again_until_it_changes(tmp_path):
    import os

    stamp = tmp_path / "config.validated"
    path = write(tmp_path, TEXT)
    first = load_config(path, SCHEMA, raw_dir=str(ROOT / "data/raw"), stamp=str(stamp))
    os.utime(stamp, (1, 1))
    again = load_config(path, SCHEMA, raw_dir=str(ROOT / "data/raw"), stamp=str(stamp))
    assert again == first and stamp.stat().st_mtime == 1  # same config: read, not validated again
    sv = load_config(path, SCHEMA, raw_dir=str(ROOT / "data/raw"), stamp=str(stamp), overrides={"language": "sv"})
    assert sv == {**first, "language": "sv"} and stamp.stat().st_mtime != 1  # overrides: validated
    bad = TEXT.replace("language: en\n", "language: de\n")
    with pytest.raises(InputError):  # a changed config is validated again
        load_config(write(tmp_path, bad), SCHEMA, raw_dir=str(ROOT / "data/raw"), stamp=str(stamp))


def test_settings_files_change_only_with_their_content(tmp_path):
    import os

    from analysis.core.config import read_settings, write_settings

    path = tmp_path / "settings/job.yaml"
    values = {"settings": {"split": {2: "two", 1: "one"}}, "language": "sv"}
    assert write_settings(path, values) == str(path)
    os.utime(path, (1, 1))
    write_settings(path, values)
    assert path.stat().st_mtime == 1  # unchanged content: not rewritten
    ns = read_settings(path)
    assert ns.language == "sv" and list(ns.settings["split"]) == [2, 1]  # order and int keys kept
    write_settings(path, {**values, "language": "en"})
    assert path.stat().st_mtime != 1 and read_settings(path).language == "en"


def test_figure_formats_must_include_png(tmp_path):
    # The HTML page embeds the PNGs and every section links them.
    text = TEXT.replace("figure_formats: [png]", "figure_formats: [svg]")
    with pytest.raises(InputError) as exc:
        load_config(write(tmp_path, text), SCHEMA)
    assert exc.value.line == line_of(text, "figure_formats: [svg]")
