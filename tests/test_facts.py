"""facts.csv and events.csv: parsing, date precision and bad input."""

import pytest

from analysis.core.errors import InputError
from analysis.ingest.facts import date_range, parse_events, parse_facts

FACTS = (
    "id;value;unit;period;qualifier;location;description;seed_line\n"
    "respondents;539;respondents;2022-04;;4.1.1;Survey respondents;76\n"
    "staff_aug;5 237;persons;2019-08;;p. 19;Staff working with customers;393\n"
    "added_direct;100;persons;2019-01/2019-08;drygt;fn 40;Staff added to VO Direkt;413\n"
    "share;17;percent;2019-08;;p. 19;VO Direkt share of staff;393\n"
)


def test_parse_facts():
    f = parse_facts("s", "facts.csv", FACTS.encode())
    assert f["id"].tolist() == ["respondents", "staff_aug", "added_direct", "share"]
    assert f.loc[1, "value"] == 5237.0 and f.loc[1, "printed"] == "5 237"
    assert f.loc[2, "qualifier"] == "drygt" and f.loc[2, "qualifier_en"] == "just over"
    assert f["raw_line"].tolist() == [2, 3, 4, 5]
    assert f["seed_line"].tolist() == [76, 393, 413, 393]


@pytest.mark.parametrize(
    ("bad_line", "col", "text"),
    [
        ("x;12.5;persons;2019;;a;b;1", 2, "12.5"),
        ("x;12;persons;2019;typ;a;b;1", 5, "typ"),
        ("respondents;1;persons;2019;;a;b;1", 1, "respondents"),
        ("X-1;1;persons;2019;;a;b;1", 1, "X-1"),
        ("x;1;persons;2019;;;b;1", 6, ""),
        ("x;1;persons;2019;;a;b;p3", 8, "p3"),
    ],
)
def test_bad_facts(bad_line, col, text):
    with pytest.raises(InputError) as exc:
        parse_facts("s", "facts.csv", (FACTS + bad_line + "\n").encode())
    assert (exc.value.line, exc.value.column, exc.value.text) == (6, col, text)


def test_facts_header_checked():
    with pytest.raises(InputError) as exc:
        parse_facts("s", "facts.csv", FACTS.replace("qualifier", "qual").encode())
    assert (exc.value.line, exc.value.column, exc.value.text) == (1, 5, "qual")


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
    text = "id;date;precision;description;location\na;2016-02;month;Something;p. 1\n"
    e = parse_events("s", "events.csv", text.encode())
    assert (e.loc[0, "start"], e.loc[0, "end"]) == ("2016-02-01", "2016-02-29")
    with pytest.raises(InputError) as exc:
        parse_events("s", "events.csv", (text + "b;2016-02;season;X;p. 2\n").encode())
    assert (exc.value.line, exc.value.column, exc.value.text) == (3, 3, "season")
