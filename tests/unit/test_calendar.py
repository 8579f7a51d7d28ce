"""Working-day arithmetic on the holidays the State Council announced for 2025 and 2026 (as the
chinese-calendar package records them), and weekdays-only provisional counting for 2027."""
from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta, timezone

import chinese_calendar
import pytest
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.calendar import WorkingCalendar, package_years, working_days_function
from engine.timeparse import parse_due

YEARS = package_years()
KINDS = {d.day: d.kind for days in YEARS.values() for d in days}
CN = WorkingCalendar("CN", KINDS, YEARS)


def add(start: date, n: int) -> date:
    found = CN.add_working_days(start, n)
    assert not found.provisional
    return found.date


def between(a: date, b: date) -> int:
    found = CN.working_days_between(a, b)
    assert not found.provisional
    return found.days


# ---- the data -----------------------------------------------------------------------------------

def test_the_package_knows_2004_to_2026_and_raises_for_2027():
    assert min(YEARS) == 2004 and max(YEARS) == 2026
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))


def test_every_day_of_every_known_year_agrees_with_the_package():
    day = date(2004, 1, 1)
    while day.year <= 2026:
        assert CN.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_holidays_carry_their_chinese_names():
    names = {d.day: d.name for d in YEARS[2025]}
    assert names[date(2025, 1, 28)] == "春节"
    assert names[date(2025, 10, 1)] == "国庆节"
    assert names[date(2025, 9, 28)] == "国庆节"  # the make-up Sunday is named for the holiday it pays for


# ---- 2025: Spring Festival 1/28–2/4, make-up Sunday 1/26 and Saturday 2/8 --------------------------

def test_spring_festival_2025_days_off_and_make_up_days():
    assert not any(CN.is_working_day(date(2025, 1, 28) + timedelta(days=i)) for i in range(8))
    assert CN.is_working_day(date(2025, 1, 26))  # Sunday
    assert CN.is_working_day(date(2025, 2, 8))  # Saturday
    assert not CN.is_working_day(date(2025, 2, 9))  # an ordinary Sunday


def test_one_working_day_after_the_monday_before_spring_festival_is_the_wednesday_after_it():
    assert add(date(2025, 1, 27), 1) == date(2025, 2, 5)


def test_the_make_up_sunday_counts_as_a_working_day():
    assert add(date(2025, 1, 24), 1) == date(2025, 1, 26)
    assert add(date(2025, 1, 24), 2) == date(2025, 1, 27)


def test_an_application_received_during_spring_festival_counts_from_the_first_working_day_after_it():
    # Received Monday 2/3 (holiday): treated as received Wednesday 2/5; day 3 is the make-up Saturday.
    assert [add(date(2025, 2, 3), n) for n in range(6)] == [
        date(2025, 2, 5), date(2025, 2, 6), date(2025, 2, 7), date(2025, 2, 8), date(2025, 2, 10), date(2025, 2, 11)]


# ---- 2025: National Day 10/1–10/8, make-up Sunday 9/28 and Saturday 10/11 ----------------------------

def test_national_day_2025_counts_the_make_up_days_and_skips_the_week_off():
    counted = [add(date(2025, 9, 26), n) for n in range(1, 8)]
    assert counted == [date(2025, 9, 28), date(2025, 9, 29), date(2025, 9, 30), date(2025, 10, 9),
                       date(2025, 10, 10), date(2025, 10, 11), date(2025, 10, 13)]


def test_twenty_working_days_from_acceptance_on_30_september_2025_end_on_4_november():
    assert add(date(2025, 9, 30), 20) == date(2025, 11, 4)
    assert between(date(2025, 9, 30), date(2025, 11, 4)) == 20


def test_no_working_day_passes_during_the_national_day_week():
    assert between(date(2025, 9, 30), date(2025, 10, 8)) == 0
    assert between(date(2025, 9, 30), date(2025, 10, 9)) == 1


# ---- 2026, as the package records it ------------------------------------------------------------------

def test_new_year_2026_is_followed_by_a_make_up_sunday():
    assert add(date(2025, 12, 31), 1) == date(2026, 1, 4)


def test_spring_festival_2026_runs_15_to_23_february_with_make_up_saturdays_14_and_28():
    assert add(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert add(date(2026, 2, 13), 2) == date(2026, 2, 24)
    assert CN.is_working_day(date(2026, 2, 28))


def test_national_day_2026_runs_1_to_7_october_with_make_up_saturday_10_october():
    assert [add(date(2026, 9, 30), n) for n in (1, 2, 3)] == [date(2026, 10, 8), date(2026, 10, 9),
                                                              date(2026, 10, 10)]
    assert CN.is_working_day(date(2026, 9, 20))  # the make-up Sunday before Mid-autumn Festival


def test_2025_and_2026_each_have_248_working_days():
    assert CN.working_days_in(2025) == 248
    assert between(date(2024, 12, 31), date(2025, 12, 31)) == 248
    assert CN.working_days_in(2026) == 248


# ---- the convention ---------------------------------------------------------------------------------

def test_zero_working_days_is_the_start_day_when_it_is_a_working_day():
    assert add(date(2025, 3, 12), 0) == date(2025, 3, 12)


def test_zero_working_days_from_a_weekend_or_holiday_is_the_next_working_day():
    assert add(date(2025, 3, 15), 0) == date(2025, 3, 17)  # Saturday → Monday
    assert add(date(2025, 10, 3), 0) == date(2025, 10, 9)


def test_a_start_on_a_saturday_counts_as_a_start_on_monday():
    assert add(date(2025, 3, 15), 1) == date(2025, 3, 18)
    assert between(date(2025, 3, 15), date(2025, 3, 17)) == 0
    assert between(date(2025, 3, 15), date(2025, 3, 18)) == 1


def test_the_start_day_is_not_counted():
    assert between(date(2025, 3, 12), date(2025, 3, 12)) == 0
    assert add(date(2025, 3, 12), 1) == date(2025, 3, 13)


def test_a_start_on_the_last_weekend_of_a_year_counts_from_the_first_working_day_of_the_next():
    # Saturday 31 December 2022; Monday 2 January 2023 was the New Year holiday.
    assert add(date(2022, 12, 31), 0) == date(2023, 1, 3)
    assert between(date(2022, 12, 31), date(2023, 1, 3)) == 0
    assert between(date(2022, 12, 31), date(2023, 1, 4)) == 1


def test_negative_counts_go_backwards_across_holidays():
    assert add(date(2025, 10, 9), -1) == date(2025, 9, 30)
    assert add(date(2025, 2, 5), -2) == date(2025, 1, 26)
    assert between(date(2025, 10, 9), date(2025, 9, 30)) == -1


def test_datetimes_count_from_their_local_date_in_shanghai():
    # 30 Sept 17:00 UTC is 1 October 01:00 in Shanghai: a holiday, so the count starts on 9 October.
    assert add(datetime(2025, 9, 30, 15, 0, tzinfo=UTC), 1) == date(2025, 10, 9)
    assert add(datetime(2025, 9, 30, 17, 0, tzinfo=UTC), 1) == date(2025, 10, 10)
    assert add(datetime(2025, 9, 30, 23, 30), 1) == date(2025, 10, 9)  # naive: already local


def test_a_deadline_ends_at_235959_shanghai_time_of_its_last_day():
    deadline = CN.deadline_at(date(2025, 9, 30), 20)
    assert deadline.date == date(2025, 11, 4)
    assert deadline.at == datetime(2025, 11, 4, 15, 59, 59, tzinfo=UTC)
    assert not deadline.provisional


# ---- 2027: no data yet ------------------------------------------------------------------------------

def test_a_count_reaching_2027_uses_weekdays_only_and_says_it_is_provisional(caplog):
    fresh = WorkingCalendar("CN", KINDS, YEARS)  # warns once per year and instance
    with caplog.at_level(logging.WARNING, logger="engine.calendar"):
        found = fresh.add_working_days(date(2026, 12, 28), 5)
        fresh.add_working_days(date(2026, 12, 28), 6)
    assert found == (date(2027, 1, 4), True)  # 1 January 2027 counted as a plain Friday
    assert [r.getMessage() for r in caplog.records].count(
        "calendar CN has no data for 2027: counting Monday to Friday only; "
        "deadlines in 2027 are provisional until the year is imported") == 1


def test_a_count_inside_known_years_is_not_provisional():
    assert CN.add_working_days(date(2026, 12, 1), 5).provisional is False
    assert CN.working_days_between(date(2026, 12, 1), date(2027, 1, 5)).provisional is True


def test_results_must_be_unpacked_to_reach_the_date():
    day, provisional = CN.add_working_days(date(2025, 1, 27), 1)
    assert (day, provisional) == (date(2025, 2, 5), False)
    count, provisional = CN.working_days_between(date(2025, 1, 27), date(2025, 2, 5))
    assert (count, provisional) == (1, False)


def test_a_calendar_without_data_counts_monday_to_friday():
    empty = WorkingCalendar("empty", {}, ())
    assert empty.add_working_days(date(2025, 10, 1), 3) == (date(2025, 10, 6), True)


# ---- workdays(n) for diagrams -------------------------------------------------------------------------

def test_workdays_gives_an_iso_instant_that_timers_and_due_dates_accept():
    workdays = working_days_function(CN, datetime(2025, 9, 30, 2, 0, tzinfo=UTC))
    text = workdays(20)
    expected = datetime(2025, 11, 4, 15, 59, 59, tzinfo=UTC)
    assert TimerEventDefinition.get_datetime(text) == expected
    assert parse_due(text, datetime.now(UTC)) == expected
    assert workdays.provisional is False


def test_workdays_remembers_that_it_counted_into_a_year_without_data():
    workdays = working_days_function(CN, date(2026, 12, 28))
    workdays(1)
    assert workdays.provisional is False
    workdays(5)
    assert workdays.provisional is True


@pytest.mark.parametrize("bad", [1.5, "5", True])
def test_workdays_takes_only_whole_numbers(bad):
    with pytest.raises(TypeError, match="whole number"):
        working_days_function(CN, date(2025, 1, 2))(bad)
