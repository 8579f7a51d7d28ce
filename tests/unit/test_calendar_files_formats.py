"""Calendar files as people make them: dates as spreadsheets write them, a Chinese header, a day that does
not exist named as such, and a stray line of another year refused instead of announcing that year."""
from __future__ import annotations

from datetime import date

import pytest

from engine._calendar_files import announced, parse_file, validate_year
from engine.errors import ValidationFailed

# A 2027 notice (State Council, 2026) as a CSV: 元旦 starts on 31 December 2026.
NOTICE_2027 = """date,kind,name
2026-12-31,holiday,元旦
2027-01-01,holiday,元旦
2027-01-02,holiday,元旦
2027-01-03,holiday,元旦
2027-02-06,holiday,春节
2027-02-07,holiday,春节
2027-02-08,holiday,春节
2027-02-09,holiday,春节
2027-02-10,holiday,春节
2027-02-11,holiday,春节
2027-02-12,holiday,春节
2027-02-14,workday,春节
2027-04-05,holiday,清明节
2027-05-01,holiday,劳动节
2027-05-02,holiday,劳动节
2027-05-03,holiday,劳动节
2027-06-09,holiday,端午节
2027-09-15,holiday,中秋节
2027-10-01,holiday,国庆节
2027-10-02,holiday,国庆节
2027-10-03,holiday,国庆节
2027-10-04,holiday,国庆节
2027-10-05,holiday,国庆节
2027-10-06,holiday,国庆节
2027-10-07,holiday,国庆节
"""


def problems(filename: str, text: str, years: tuple[int, ...] = ()) -> list[tuple[int | None, str, str]]:
    with pytest.raises(ValidationFailed) as caught:
        announced(parse_file(filename, text.encode()), years)
    return [(p.get("line"), p["field"], p["message"]) for p in caught.value.details]


def days_of(text: str) -> list[tuple[date, str, str | None]]:
    return [(d.day, d.kind, d.name) for y in parse_file("x.csv", text) for d in y.days]


def test_dates_as_excel_writes_them_are_read():
    text = "date,kind,name\n2027/1/1,holiday,元旦\n2027-2-6,holiday,春节\n2027/02/14,workday,春节\n"
    assert days_of(text) == [(date(2027, 1, 1), "holiday", "元旦"), (date(2027, 2, 6), "holiday", "春节"),
                             (date(2027, 2, 14), "workday", "春节")]
    assert validate_year(2027, [{"date": "2027/1/1"}], [])[0].day == date(2027, 1, 1)


def test_a_chinese_header_is_read():
    text = "日期,类型,名称\n2027/1/1,休,元旦\n2027/2/14,班,春节\n"
    assert days_of(text) == [(date(2027, 1, 1), "holiday", "元旦"), (date(2027, 2, 14), "workday", "春节")]
    assert days_of("日期,类型\n2027-01-01,休\n") == [(date(2027, 1, 1), "holiday", None)]


def test_a_day_that_does_not_exist_is_named_as_such_with_its_line():
    text = "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-30,holiday,春节\n2027/13/1,holiday,x\n2027.01.02,holiday,y\n"
    with pytest.raises(ValidationFailed) as caught:
        parse_file("x.csv", text)
    assert [(p["line"], p["message"]) for p in caught.value.details] == [
        (3, "2027-02-30 is not a day: February 2027 has 28 days"),
        (4, "2027/13/1 is not a day: there is no month 13"),
        (5, "date must be YYYY-MM-DD (or YYYY/M/D), not '2027.01.02'"),
    ]


def test_a_notice_loads_its_year_and_adds_new_year_s_eve_without_announcing_the_year_before():
    loaded, adjoining = announced(parse_file("2027.csv", NOTICE_2027))
    assert [y.year for y in loaded] == [2027] and len(loaded[0].days) == 24
    assert [(d.day, d.name) for d in adjoining] == [(date(2026, 12, 31), "元旦")]


def test_a_stray_line_of_another_year_is_refused_naming_its_line():
    text = NOTICE_2027 + "2028-01-01,holiday,元旦\n"
    assert problems("2027.csv", text) == [
        (27, "date", ("2028-01-01 is one of only 1 line(s) of 2028 against 24 for the file's fullest year: too "
                      "few to announce 2028, and loading it would replace all of 2028 (a typo?); to load it anyway, "
                      "name the years to load (--year)"))]
    # A day of the year before, other than 元旦's last days of December, is a stray line too.
    assert [p[0] for p in problems("2027.csv", NOTICE_2027 + "2026-10-01,holiday,国庆节\n")] == [27]


def test_named_years_are_loaded_whole_and_others_refused():
    text = NOTICE_2027 + "2028-01-01,holiday,元旦\n"
    loaded, adjoining = announced(parse_file("x.csv", text), (2027, 2028))
    assert [(y.year, len(y.days)) for y in loaded] == [(2027, 24), (2028, 1)]
    assert [d.day for d in adjoining] == [date(2026, 12, 31)]
    assert problems("x.csv", text, (2027,)) == [
        (27, "date", "2028-01-01 is in 2028, which is not among the years named to load (2027)")]
    assert problems("x.csv", NOTICE_2027, (2027, 2029)) == [
        (None, "year", "the file has no day in 2029, a year named to load")]


def test_years_of_a_file_with_as_many_lines_each_are_all_announced():
    text = "date,kind,name\n2024-01-01,holiday,元旦\n2025-01-01,holiday,元旦\n2027-01-01,holiday,元旦\n"
    assert [y.year for y in announced(parse_file("x.csv", text))[0]] == [2024, 2025, 2027]


# A small 2028 file starting 元旦 on 31 December 2027: as many lines of 2027 as a quarter of 2028's.
SMALL_2028 = "date,kind,name\n2028/1/1,holiday,元旦\n2028/1/2,holiday,元旦\n2028/1/3,holiday,元旦\n2027/12/31,holiday,元旦\n"


def test_late_december_days_of_a_small_file_are_added_without_announcing_their_year():
    loaded, adjoining = announced(parse_file("c2.csv", SMALL_2028))
    assert [(y.year, len(y.days)) for y in loaded] == [(2028, 3)]
    assert [(d.day, d.name) for d in adjoining] == [(date(2027, 12, 31), "元旦")]


def test_a_year_of_late_december_days_alone_is_never_announced_even_with_more_lines_than_the_next():
    week = "".join(f"2027-12-{d},holiday,元旦\n" for d in range(25, 32))
    loaded, adjoining = announced(parse_file("x.csv", "date,kind,name\n" + week + "2028-01-01,holiday,元旦\n"))
    assert [(y.year, len(y.days)) for y in loaded] == [(2028, 1)]
    assert [d.day for d in adjoining] == [date(2027, 12, d) for d in range(25, 32)]
    # A large file: a week of late December is more than a quarter of the next year's 24 lines.
    lines_2028 = "".join(f"2028-{m:02d}-0{d},holiday,节日\n" for m in range(1, 13) for d in (1, 2))
    loaded, adjoining = announced(parse_file("2028.csv", "date,kind,name\n" + lines_2028 + week))
    assert [(y.year, len(y.days)) for y in loaded] == [(2028, 24)]
    assert len(adjoining) == 7


def test_a_year_of_late_december_days_alone_is_not_announced_when_named_either():
    loaded, adjoining = announced(parse_file("c2.csv", SMALL_2028), (2027, 2028))
    assert [y.year for y in loaded] == [2028]
    assert [d.day for d in adjoining] == [date(2027, 12, 31)]


def test_late_december_days_alone_before_a_year_not_announced_are_refused_naming_their_lines():
    # 2028 is itself only 元旦 starting early: 2027's day adjoins no announced year.
    text = "date,kind,name\n2027-12-31,holiday,元旦\n2028-12-31,holiday,元旦\n" + "".join(
        f"2029-01-0{d},holiday,元旦\n" for d in (1, 2, 3))
    assert problems("x.csv", text) == [
        (2, "date", ("2027-12-31 is late December of 2027, the file's only days of 2027: such days are added next "
                     "to 2028 (元旦 starting early), which the file does not announce; to load 2027 itself, import "
                     "a file of its own"))]
    # 2029 is a stray line of a 2027 file: 2028's 31 December adjoins nothing either.
    lines = problems("2027.csv", NOTICE_2027 + "2028-12-31,holiday,元旦\n2029-01-01,holiday,元旦\n")
    assert [(line, message.split(":")[0]) for line, _, message in lines] == [
        (27, "2028-12-31 is late December of 2028, the file's only days of 2028"),
        (28, "2029-01-01 is one of only 1 line(s) of 2029 against 24 for the file's fullest year")]
