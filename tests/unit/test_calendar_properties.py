"""Properties of working-day arithmetic, on the real national calendar and on arbitrary invented ones,
checked against a day-by-day count."""
from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.calendar import WorkingCalendar, package_years

YEARS = package_years()
CN = WorkingCalendar("CN", {d.day: d.kind for days in YEARS.values() for d in days}, YEARS)

dates = st.dates(min_value=date(2003, 1, 1), max_value=date(2028, 12, 31))
known_dates = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 6, 30))
counts = st.integers(min_value=-400, max_value=400)


def working_dates(calendar: WorkingCalendar = CN) -> st.SearchStrategy[date]:
    return dates.filter(calendar.is_working_day)


@given(dates, st.integers(min_value=0, max_value=400))
def test_counting_back_the_days_added_gives_n_from_any_start(a, n):
    assert CN.working_days_between(a, CN.add_working_days(a, n).date).days == n


@given(working_dates(), counts)
def test_between_inverts_add_from_a_working_day_in_both_directions(a, n):
    assert CN.working_days_between(a, CN.add_working_days(a, n).date).days == n


@given(dates, counts)
def test_the_day_reached_is_always_a_working_day(a, n):
    assert CN.is_working_day(CN.add_working_days(a, n).date)


@given(dates, counts, counts)
def test_adding_twice_is_adding_the_sum(a, m, n):
    once = CN.add_working_days(a, m).date
    assert CN.add_working_days(once, n).date == CN.add_working_days(a, m + n).date


@given(dates, st.integers(min_value=1, max_value=400))
def test_adding_at_least_one_working_day_moves_strictly_forward(a, n):
    assert CN.add_working_days(a, n).date > a


@given(dates, counts, counts)
def test_more_working_days_never_end_earlier(a, m, n):
    low, high = sorted((m, n))
    assert CN.add_working_days(a, low).date <= CN.add_working_days(a, high).date


@given(dates, dates, counts)
def test_a_later_start_never_ends_earlier(a, b, n):
    early, late = sorted((a, b))
    assert CN.add_working_days(early, n).date <= CN.add_working_days(late, n).date


@given(working_dates(), working_dates())
def test_between_is_antisymmetric_for_working_days(a, b):
    assert CN.working_days_between(a, b).days == -CN.working_days_between(b, a).days


@given(dates, dates)
def test_between_never_exceeds_the_calendar_days(a, b):
    early, late = sorted((a, b))
    assert 0 <= CN.working_days_between(early, late).days <= (late - early).days


@given(known_dates, st.integers(min_value=0, max_value=180))
def test_counts_in_known_years_match_a_day_by_day_walk_with_the_package(a, span):
    b = a + timedelta(days=span)
    start = a
    while not chinese_calendar.is_workday(start):
        start += timedelta(days=1)
    walked = sum(chinese_calendar.is_workday(start + timedelta(days=i)) for i in range(1, (b - start).days + 1))
    assert CN.working_days_between(a, b) == (max(walked, 0), False)


@given(dates, counts)
def test_provisional_exactly_when_a_year_without_data_is_crossed(a, n):
    found = CN.add_working_days(a, n)
    years = range(min(a.year, found.date.year), max(a.year, found.date.year) + 1)
    assert found.provisional == any(y not in YEARS for y in years)


# ---- invented calendars: any holidays, any make-up weekends, any known years ---------------------------

def _invented() -> st.SearchStrategy[tuple[WorkingCalendar, dict[date, str]]]:
    days = st.dates(min_value=date(2019, 1, 1), max_value=date(2022, 12, 31))
    holidays = st.sets(days, max_size=80)
    weekends = st.sets(days.filter(lambda d: d.weekday() >= 5), max_size=30)
    years = st.sets(st.integers(min_value=2019, max_value=2022))

    def build(h: set[date], w: set[date], y: set[int]) -> tuple[WorkingCalendar, dict[date, str]]:
        kinds = {**{d: "holiday" for d in h}, **{d: "workday" for d in w}}
        return WorkingCalendar("invented", kinds, y), kinds
    return st.builds(build, holidays, weekends, years)


def _walk(kinds: dict[date, str], start: date, n: int) -> date:
    """The n-th working day from start, one day at a time, knowing nothing of the implementation."""
    def working(d: date) -> bool:
        return kinds.get(d, "workday" if d.weekday() < 5 else "holiday") == "workday"
    day = start
    while not working(day):
        day += timedelta(days=1)
    step = 1 if n >= 0 else -1
    for _ in range(abs(n)):
        day += timedelta(days=step)
        while not working(day):
            day += timedelta(days=step)
    return day


@settings(max_examples=200)
@given(_invented(), st.dates(min_value=date(2019, 1, 1), max_value=date(2022, 12, 31)),
       st.integers(min_value=-300, max_value=300))
def test_any_calendar_agrees_with_walking_day_by_day(invented, a, n):
    calendar, kinds = invented
    b = _walk(kinds, a, n)
    assert calendar.add_working_days(a, n).date == b
    if n >= 0 or calendar.is_working_day(a):
        assert calendar.working_days_between(a, b).days == n
