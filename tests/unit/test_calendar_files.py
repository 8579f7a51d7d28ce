"""Reading calendar files: the JSON and CSV formats, and errors that name the line and the field."""
from __future__ import annotations

import json
from datetime import date

import pytest

from engine._calendar_files import SpecialDay, parse_file, validate_year
from engine.errors import ValidationFailed

GOOD_JSON = """{
  "calendar": "CN",
  "year": 2027,
  "holidays": [
    {"date": "2027-02-06", "name": "春节"},
    {"date": "2027-02-07", "name": "春节"}
  ],
  "workdays": [
    {"date": "2027-02-14", "name": "春节"}
  ]
}
"""


def problems(filename: str, text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(ValidationFailed) as caught:
        parse_file(filename, text.encode())
    return [(p.get("line"), p["field"], p["message"]) for p in caught.value.details]


def test_a_json_year_reads_holidays_and_make_up_days_in_date_order():
    (year,) = parse_file("2027.json", GOOD_JSON.encode())
    assert (year.calendar, year.year) == ("CN", 2027)
    assert year.days == [SpecialDay(date(2027, 2, 6), "holiday", "春节"), SpecialDay(date(2027, 2, 7), "holiday", "春节"),
                         SpecialDay(date(2027, 2, 14), "workday", "春节")]


def test_a_json_error_names_the_line_and_the_field_of_the_bad_entry():
    text = GOOD_JSON.replace("2027-02-07", "2027-02-30")
    assert problems("2027.json", text) == [(6, "holidays.1.date", '2027-02-30 is not a day: February 2027 has 28 days')]


def test_broken_json_reports_the_line_of_the_syntax_error():
    text = GOOD_JSON.replace('"name": "春节"},\n    {"date": "2027-02-07"', '"name": "春节"}\n    {"date": "2027-02-07"')
    ((line, _, message),) = problems("2027.json", text)
    assert line == 6 and message.startswith("invalid JSON: Expecting ',' delimiter")


def test_a_number_too_long_to_read_is_broken_json_at_its_line():
    ((line, _, message),) = problems("2027.json", GOOD_JSON.replace('"year": 2027', '"year": ' + "2" * 5000))
    assert message.startswith("invalid JSON: a number of more than 4300 digits") and line == 3


def test_every_problem_in_a_file_is_reported_at_once():
    data = {"year": 2027, "holiday": [], "holidays": [{"date": "2026-12-31"}, {"date": "2027-10-01", "nmae": "x"},
                                                     {"date": "2027-10-01"}],
            "workdays": [{"date": "2027-02-10"}]}
    found = {(field, message) for _, field, message in problems("x.json", json.dumps(data, indent=1))}
    assert found == {
        ("holiday", "unknown field 'holiday' (fields: calendar, year, holidays, workdays)"),
        ("holidays.0.date", "2026-12-31 is not in 2027: each year holds only its own days"),
        ("holidays.1.nmae", "unknown field 'nmae' (an entry has date and name)"),
        ("holidays.2.date", "2027-10-01 is listed twice (also at holidays.1)"),
        ("workdays.0.date", ("2027-02-10 is a Wednesday, a working day anyway: a make-up working day (调休) "
                             "falls on a Saturday or Sunday")),
    }


def test_a_json_file_needs_a_year():
    assert problems("x.json", '{"holidays": []}') == [
        (1, "year", "year must be a whole number from 1900 to 2200, not None")]


def test_a_csv_file_may_hold_several_years_with_comments_and_chinese_kinds():
    text = "# 2026 and 2027\ndate,kind,name\n2026-12-31,holiday,元旦\n\n2027-01-01,休,元旦\n2027-02-14,班,春节\n"
    years = parse_file("days.csv", text)
    assert [(y.year, [(d.day.isoformat(), d.kind, d.name) for d in y.days]) for y in years] == [
        (2026, [("2026-12-31", "holiday", "元旦")]),
        (2027, [("2027-01-01", "holiday", "元旦"), ("2027-02-14", "workday", "春节")])]


def test_csv_errors_name_their_line():
    text = "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-02,off,x\n2027-13-3,holiday\n2027-01-01,holiday,a,b\n"
    assert problems("days.csv", text) == [
        (3, "kind", "kind must be holiday or workday (or 休/班), not 'off'"),
        (4, "date", "2027-13-3 is not a day: there is no month 13"),
        (5, "", "expected date,kind,name: found 4 field(s)"),
    ]


def test_a_csv_file_without_the_header_is_refused():
    assert problems("days.csv", "2027-01-01,holiday,元旦\n") == [
        (1, "", "the first line must be the header: date,kind,name (or 日期,类型,名称)")]


def test_a_file_not_named_json_or_csv_is_read_by_its_content():
    assert parse_file("calendar.txt", GOOD_JSON)[0].year == 2027
    assert parse_file("calendar.txt", "date,kind\n2027-01-01,holiday\n")[0].days[0].name is None


def test_api_bodies_follow_the_same_rules_without_lines():
    with pytest.raises(ValidationFailed) as caught:
        validate_year(2027, [{"date": date(2027, 1, 1), "name": "元旦"}], [{"date": date(2027, 1, 1)}])
    assert caught.value.details == [{"field": "workdays.0.date", "message": "2027-01-01 is listed twice "
                                                                            "(also at holidays.0)"},
                                    {"field": "workdays.0.date", "message": "2027-01-01 is a Friday, a working day "
                                     "anyway: a make-up working day (调休) falls on a Saturday or Sunday"}]
