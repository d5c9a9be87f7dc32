"""Parsing printed-layout tables: the long format, and every kind of bad input, located."""

import pytest
from conftest import sidecar_doc

from analysis.core.errors import InputError
from analysis.ingest.tables import parse_table


def parse(csv_text, sidecar, schemas, raw=None):
    return parse_table(
        "src",
        "t1.csv",
        raw if raw is not None else csv_text.encode("utf-8"),
        sidecar_doc(sidecar, schemas),
    )


def test_long_format_one_row_per_cell(likert, schemas):
    csv_text, sc = likert
    t = parse(csv_text, sc, schemas)
    f = t.public_frame()
    assert len(f) == 6
    assert list(f.columns) == [
        "source_id",
        "table_id",
        "org",
        "resp",
        "measure",
        "unit",
        "value",
        "status",
        "printed",
        "raw_line",
        "raw_column",
    ]
    beta_inte = f[(f["org"] == "Beta") & (f["resp"] == "Inte")].iloc[0]
    assert beta_inte["value"] == 33.3
    assert beta_inte["printed"] == "33,3 %"
    assert (beta_inte["raw_line"], beta_inte["raw_column"]) == (3, 4)
    assert str(f["value"].dtype) == "float64"


def test_bom_and_trailing_whitespace_are_tolerated(likert, schemas):
    csv_text, sc = likert
    messy = "\ufeff" + csv_text.replace("50,0 %", "50,0 %  ").replace("Alfa;", "Alfa  ;")
    t = parse(messy, sc, schemas)
    assert t.frame["value"].iloc[0] == 50.0


def test_missing_value_marker_gives_nan_and_status(likert, schemas):
    csv_text, sc = likert
    t = parse(csv_text.replace("20,0 %", "-"), sc, schemas)
    row = t.frame[(t.frame["org"] == "Alfa") & (t.frame["resp"] == "Inte")].iloc[0]
    assert row["status"] == "not_available"
    assert row["printed"] == "-"
    assert row["value"] != row["value"]  # NaN


def expect_error(likert, schemas, csv_text=None, sidecar=None, raw=None):
    base_csv, base_sc = likert
    with pytest.raises(InputError) as exc:
        parse(csv_text if csv_text is not None else base_csv, sidecar or base_sc, schemas, raw)
    return exc.value


def test_unparseable_number(likert, schemas):
    e = expect_error(likert, schemas, likert[0].replace("30,0 %", "30.0 %"))
    assert (e.path, e.line, e.column, e.text) == ("t1.csv", 2, 3, "30.0 %")
    assert "Swedish" in e.expected
    assert str(e).startswith("t1.csv:2:3: not a number: '30.0 %'; expected ")


def test_text_in_numeric_cell(likert, schemas):
    e = expect_error(likert, schemas, likert[0].replace("33,3 %;33,3 %;33,3 %", "33,3 %;ca 33;33,3 %"))
    assert (e.line, e.column, e.text) == (3, 3, "ca 33")


def test_ragged_row(likert, schemas):
    e = expect_error(likert, schemas, likert[0].replace("Beta;33,3 %;33,3 %;33,3 %", "Beta;33,3 %;33,3 %"))
    assert (e.line, e.problem) == (3, "ragged row")
    assert "4 fields" in e.expected


def test_duplicate_row_label(likert, schemas):
    e = expect_error(likert, schemas, likert[0].replace("Beta;", "Alfa;"))
    assert (e.line, e.column, e.text, e.problem) == (3, 1, "Alfa", "duplicate row label")
    assert "line 2" in e.expected


def test_duplicate_column_label(likert, schemas):
    e = expect_error(likert, schemas, likert[0].replace(";Delvis;", ";Helt;"))
    assert (e.line, e.column, e.problem) == (1, 3, "duplicate column label")


def test_unknown_row_label(likert, schemas):
    e = expect_error(likert, schemas, likert[0].replace("Beta;", "Gamma;"))
    assert (e.line, e.column, e.text) == (3, 1, "Gamma")
    assert "Alfa" in e.expected and "org" in e.expected


def test_unknown_column_label(likert, schemas):
    e = expect_error(likert, schemas, likert[0].replace(";Inte", ";Ej"))
    assert (e.line, e.column, e.text, e.problem) == (1, 4, "Ej", "unknown column label")


def test_negative_count(likert, schemas):
    _, sc = likert
    sc["measures"] = {"count": {"unit": "count", "label_en": "Number"}}
    sc["measure"] = "count"
    sc["relations"] = []
    csv_text = ";Helt;Delvis;Inte\nAlfa;5;-3;2\nBeta;1;2;3\n"
    e = expect_error(likert, schemas, csv_text, sc)
    assert (e.line, e.column, e.text) == (2, 3, "-3")
    assert "non-negative" in e.expected


def test_percent_sign_in_count_cell(likert, schemas):
    _, sc = likert
    sc["measures"] = {"count": {"unit": "count", "label_en": "Number"}}
    sc["measure"] = "count"
    e = expect_error(likert, schemas, ";Helt;Delvis;Inte\nAlfa;5 %;3;2\nBeta;1;2;3\n", sc)
    assert (e.line, e.column) == (2, 2)


def test_not_utf8(likert, schemas):
    raw = likert[0].replace("Alfa", "Älfa").encode("latin-1")
    e = expect_error(likert, schemas, raw=raw)
    assert (e.line, e.column) == (2, 1)
    assert "UTF-8" in e.expected and e.text == "byte c4"  # "Ä" in Latin-1


def test_sidecar_missing_required_key(likert, schemas):
    _, sc = likert
    del sc["title"]
    with pytest.raises(InputError) as exc:
        sidecar_doc(sc, schemas, path="t1.yaml")
    e = exc.value
    assert e.path == "t1.yaml" and e.line == 1 and e.text == "title"
    assert e.problem == "missing required key"


def test_sidecar_missing_nested_key_points_at_its_line(likert, schemas):
    _, sc = likert
    del sc["dimensions"]["resp"]["categories"][1]["en"]
    with pytest.raises(InputError) as exc:
        sidecar_doc(sc, schemas)
    # The YAML dump puts the second 'resp' category on its own line; the error names it.
    assert exc.value.text == "en"
    assert exc.value.line > 20


def test_sidecar_names_a_column_the_csv_lacks(likert, schemas):
    _, sc = likert
    sc["dimensions"]["resp"]["categories"].append({"label": "Vet ej", "en": "Don't know"})
    e = expect_error(likert, schemas, sidecar=sc)
    assert e.path == "t1.yaml"
    assert e.text == "Vet ej"
    assert "column" in e.problem and "t1.csv" in e.expected


def test_sidecar_names_a_row_the_csv_lacks(likert, schemas):
    _, sc = likert
    sc["dimensions"]["org"]["categories"].append({"label": "Gamma", "en": "Gamma"})
    e = expect_error(likert, schemas, sidecar=sc)
    assert e.text == "Gamma" and "row" in e.problem


def test_stub_heading_must_match_dimension_label(likert, schemas):
    e = expect_error(likert, schemas, "Myndighet" + likert[0])
    assert (e.line, e.column, e.text) == (1, 1, "Myndighet")


def test_spanned_headers_sections_and_measure_rows(schemas):
    """Two header rows with spans, a section heading row and a count row among percents."""
    csv_text = (
        "Grupp;Org A;;Totalt;\n"
        ";V 5;V 35;V 5;V 35\n"
        "Antal;100;200;150;250\n"
        "Kvinnor;40,0;45,0;42,0;46,0\n"
        "Tid;;;;\n"
        "Kort;-;10,0;-;12,0\n"
    )
    sc = {
        "id": "t1",
        "number": "Tabell 1",
        "title": "T",
        "title_en": "T",
        "location": {"section": "x"},
        "unit": "mixed",
        "population": "p",
        "fields": {"decimalChar": ",", "groupChar": " ", "missingValues": ["-"]},
        "layout": {"stub": ["group"], "header": ["org", "week"], "sections": "block"},
        "measure": "percent",
        "measures": {
            "percent": {"unit": "percent", "label_en": "Share"},
            "count": {"unit": "count", "label_en": "N"},
        },
        "dimensions": {
            "group": {
                "label": "Grupp",
                "label_en": "Group",
                "categories": [
                    {"label": "Antal", "en": "Number", "measure": "count"},
                    {"label": "Kvinnor", "en": "Women"},
                    {"label": "Kort", "en": "Short"},
                ],
            },
            "block": {
                "label_en": "Block",
                "categories": [{"label": "", "en": "(none)"}, {"label": "Tid", "en": "Time"}],
            },
            "org": {
                "label_en": "Org",
                "categories": [{"label": "Org A", "en": "A"}, {"label": "Totalt", "en": "Total"}],
            },
            "week": {
                "label_en": "Week",
                "categories": [{"label": "V 5", "en": "W5"}, {"label": "V 35", "en": "W35"}],
            },
        },
        "relations": [],
    }
    t = parse_table("s", "t1.csv", csv_text.encode(), sidecar_doc(sc, schemas))
    f = t.frame
    assert len(f) == 12
    cell = f[(f["group"] == "Antal") & (f["org"] == "Totalt") & (f["week"] == "V 35")].iloc[0]
    assert (cell["value"], cell["measure"], cell["raw_line"], cell["raw_column"]) == (
        250.0,
        "count",
        3,
        5,
    )
    short = f[f["group"] == "Kort"]
    assert set(short["block"]) == {"Tid"}
    assert short["status"].tolist() == ["not_available", "ok", "not_available", "ok"]
    assert set(f.loc[f["group"] == "Kvinnor", "block"]) == {""}


def test_a_share_over_100_percent_is_rejected_per_cell(likert, schemas):
    # 100,1 % in one cell: caught where it stands, not only by the row-sum relation.
    e = expect_error(likert, schemas, likert[0].replace("50,0 %", "100,1 %"))
    assert (e.line, e.column, e.text, e.problem) == (2, 2, "100,1 %", "above the maximum:")
    assert "at most 100" in e.expected


def test_a_negative_share_is_rejected_per_cell(likert, schemas):
    e = expect_error(likert, schemas, likert[0].replace("30,0 %", "-30,0 %"))
    assert (e.line, e.column, e.problem) == (2, 3, "negative percent:")


def test_constraints_can_allow_percent_changes_and_bound_other_units(likert, schemas):
    _, sc = likert
    sc["relations"] = []
    sc["measures"]["percent"]["constraints"] = {"minimum": None, "maximum": None}
    table = parse_table(
        "s1",
        "t1.csv",
        b";Helt;Delvis;Inte\nAlfa;150,0 %;-20,0 %;2,0 %\nBeta;1,0 %;2,0 %;3,0 %\n",
        sidecar_doc(sc, schemas),
    )
    assert sorted(table.frame["value"])[-1] == 150.0 and sorted(table.frame["value"])[0] == -20.0
    sc["measures"] = {"days": {"unit": "days", "label_en": "Days", "constraints": {"maximum": 365}}}
    sc["measure"] = "days"
    e = expect_error(likert, schemas, ";Helt;Delvis;Inte\nAlfa;5;400;2\nBeta;1;2;3\n", sc)
    assert (e.line, e.column, e.text, e.problem) == (2, 3, "400", "above the maximum:")


def test_sidecar_id_must_be_the_file_name(likert, schemas):
    csv_text, sc = likert
    sc["id"] = "t9"
    doc = sidecar_doc(sc, schemas)
    with pytest.raises(InputError) as exc:
        parse_table("s1", "data/raw/s1/tables/t1.csv", csv_text.encode(), doc)
    # yaml.safe_dump writes 'id: t9' on the first line: the value starts at column 5.
    assert (exc.value.path, exc.value.line, exc.value.column, exc.value.text) == ("t1.yaml", 1, 5, "t9")
