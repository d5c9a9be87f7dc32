"""facts.csv and events.csv: parsing, date precision and bad input."""

import pytest

from analysis.core.errors import InputError
from analysis.ingest.facts import date_range, parse_events, parse_facts

FACTS = (
    "id;value;unit;period;qualifier;location;description;description_sv;seed_line\n"
    "respondents;539;respondents;2022-04;;4.1.1;Survey respondents;Svarande i enkäten;76\n"
    "staff_aug;5 237;persons;2019-08;;p. 19;Staff working with customers;Personal i kundarbete;393\n"
    "added_direct;100;persons;2019-01/2019-08;drygt;fn 40;Staff added to VO Direkt;Tillförd personal;413\n"
    "share;17;percent;2019-08;;p. 19;VO Direkt share of staff;VO Direkts andel;393\n"
)
EVENTS = "id;date;precision;description;description_sv;location;seed_line\na;2016-02;month;Something;Något;p. 1;12\n"


def test_parse_facts():
    f = parse_facts("s", "facts.csv", FACTS.encode())
    assert f["id"].tolist() == ["respondents", "staff_aug", "added_direct", "share"]
    assert f.loc[1, "value"] == 5237.0 and f.loc[1, "printed"] == "5 237"
    assert f.loc[2, "qualifier"] == "drygt" and f.loc[2, "qualifier_en"] == "just over"
    assert f["raw_line"].tolist() == [2, 3, 4, 5]
    assert f["seed_line"].tolist() == [76, 393, 413, 393]
    assert f.loc[3, "description_sv"] == "VO Direkts andel"


def test_facts_carry_description_sv_after_description():
    """The Swedish description sits right after the English one in the parsed frame."""
    cols = parse_facts("s", "facts.csv", FACTS.encode()).columns.tolist()
    assert cols[cols.index("description") + 1] == "description_sv"
    assert parse_facts("s", "facts.csv", FACTS.encode())["description_sv"].dtype == "string"


@pytest.mark.parametrize(
    ("bad_line", "col", "text"),
    [
        ("x;12.5;persons;2019;;a;b;c;1", 2, "12.5"),
        ("x;12;persons;2019;typ;a;b;c;1", 5, "typ"),
        ("respondents;1;persons;2019;;a;b;c;1", 1, "respondents"),
        ("X-1;1;persons;2019;;a;b;c;1", 1, "X-1"),
        ("x;1;persons;2019;;;b;c;1", 6, ""),
        ("x;1;persons;2019;;a;;c;1", 7, ""),
        ("x;1;persons;2019;;a;b;c;p3", 9, "p3"),
    ],
)
def test_bad_facts(bad_line, col, text):
    with pytest.raises(InputError) as exc:
        parse_facts("s", "facts.csv", (FACTS + bad_line + "\n").encode())
    assert (exc.value.line, exc.value.column, exc.value.text) == (6, col, text)


def test_empty_description_sv_is_a_located_error():
    """An empty (or blank) Swedish description names file, line, column and what belongs there."""
    for cell in ("", "   "):
        with pytest.raises(InputError) as exc:
            parse_facts("s", "data/raw/s/facts.csv", (FACTS + f"x;1;persons;2019;;a;b;{cell};1\n").encode())
        assert (exc.value.line, exc.value.column, exc.value.text) == (6, 8, "")
        assert "description_sv" in exc.value.expected and "Swedish" in exc.value.expected
        assert str(exc.value).startswith("data/raw/s/facts.csv:6:8: missing text ''")
    with pytest.raises(InputError) as exc:
        parse_events("s", "data/raw/s/events.csv", (EVENTS + "b;2016;year;Else;;p. 2;13\n").encode())
    assert (exc.value.line, exc.value.column, exc.value.text) == (3, 5, "")
    assert "description_sv" in exc.value.expected


def test_facts_header_checked():
    with pytest.raises(InputError) as exc:
        parse_facts("s", "facts.csv", FACTS.replace("qualifier", "qual").encode())
    assert (exc.value.line, exc.value.column, exc.value.text) == (1, 5, "qual")


@pytest.mark.parametrize(
    ("header", "col", "text", "expected"),
    [
        # a file from before the Swedish column: the position where it belongs is reported
        ("id;value;unit;period;qualifier;location;description;seed_line", 8, "seed_line", "'description_sv'"),
        ("id;value;unit;period;qualifier;location;description;description_sv", 9, "", "'seed_line'"),
        ("id;value;unit;period;qualifier;location;description;description_sv;seed_line;x", 10, "x", "no further"),
    ],
)
def test_facts_header_missing_or_extra_column(header, col, text, expected):
    with pytest.raises(InputError) as exc:
        parse_facts("s", "facts.csv", (header + "\n").encode())
    assert (exc.value.line, exc.value.column, exc.value.text) == (1, col, text)
    assert exc.value.expected.startswith(expected)


def test_events_header_requires_description_sv():
    with pytest.raises(InputError) as exc:
        parse_events("s", "events.csv", b"id;date;precision;description;location\na;2016;year;X;p. 1\n")
    assert (exc.value.line, exc.value.column, exc.value.text) == (1, 5, "location")
    assert exc.value.expected.startswith("'description_sv'")


@pytest.mark.parametrize(
    ("text", "precision", "start", "end"),
    [
        ("2016-02-01", "day", "2016-02-01", "2016-02-01"),
        ("2016-02", "month", "2016-02-01", "2016-02-29"),  # leap year
        ("2015-02", "month", "2015-02-01", "2015-02-28"),
        ("2019-H2", "half_year", "2019-07-01", "2019-12-31"),
        ("2019-Q1", "quarter", "2019-01-01", "2019-03-31"),
        ("2018", "year", "2018-01-01", "2018-12-31"),
        ("2016-09/2017-12", "period", "2016-09-01", "2017-12-31"),
        ("2011/2019-H1", "period", "2011-01-01", "2019-06-30"),
    ],
)
def test_date_range(text, precision, start, end):
    assert date_range(text, precision) == (start, end)


@pytest.mark.parametrize(
    ("text", "precision"),
    [
        ("2016-13", "month"),
        ("2016-02-30", "day"),
        ("2016", "month"),
        ("2017/2016", "period"),
        ("2016-H3", "half_year"),
    ],
)
def test_bad_dates(text, precision):
    with pytest.raises(ValueError):
        date_range(text, precision)


def test_parse_events_and_errors():
    e = parse_events("s", "events.csv", EVENTS.encode())
    assert (e.loc[0, "start"], e.loc[0, "end"]) == ("2016-02-01", "2016-02-29")
    assert e.columns.tolist()[4:7] == ["description", "description_sv", "location"]
    assert e.loc[0, "description_sv"] == "Något"
    with pytest.raises(InputError) as exc:
        parse_events("s", "events.csv", (EVENTS + "b;2016-02;season;X;Y;p. 2;13\n").encode())
    assert (exc.value.line, exc.value.column, exc.value.text) == (3, 3, "season")
    assert e.loc[0, "seed_line"] == 12


@pytest.mark.parametrize("seed_line", ["", "x", "0", "-3"])
def test_an_event_needs_the_line_that_dates_it(seed_line):
    with pytest.raises(InputError) as exc:
        parse_events("s", "events.csv", (EVENTS + f"b;2016;year;X;Y;p. 2;{seed_line}\n").encode())
    assert (exc.value.line, exc.value.column, exc.value.text) == (3, 7, seed_line)
    assert exc.value.problem == "bad seed_line"
