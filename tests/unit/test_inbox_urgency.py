"""Deadline marks in the queues (engine.inbox): red when past due, yellow when due by the end of the
next working day or within 24 hours; beyond 24 hours, only once half the step's time is gone."""
from __future__ import annotations

from datetime import datetime, timedelta

from engine import inbox
from engine.clock import LOCAL_TZ


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LOCAL_TZ)


def test_past_due_is_overdue_and_soon_is_due_soon():
    now, soon = local(2026, 11, 24, 10), local(2026, 11, 25, 23, 59, 59)
    assert inbox.urgency(now - timedelta(seconds=1), now, soon) == "overdue"
    assert inbox.urgency(now, now, soon) == "overdue"
    assert inbox.urgency(soon, now, soon) == "due_soon"
    assert inbox.urgency(soon + timedelta(seconds=1), now, soon) is None
    assert inbox.urgency(None, now, soon) is None


def test_a_step_is_due_soon_beyond_24_hours_only_in_the_second_half_of_its_time():
    opened, now = local(2026, 11, 24, 10), local(2026, 11, 24, 10, 5)
    due_tomorrow = local(2026, 11, 25, 23, 59, 59)  # a one-day window step, within the reminder
    assert inbox.urgency(due_tomorrow, now, due_tomorrow) == "due_soon"  # no opening time: the reminder alone
    assert inbox.urgency(due_tomorrow, now, due_tomorrow, opened) is None  # just opened: the mark would say nothing
    assert inbox.urgency(due_tomorrow, local(2026, 11, 25, 0, 0, 0), due_tomorrow, opened) == "due_soon"  # 24 hours
    in_three_hours = now + timedelta(hours=3)  # within 24 hours: yellow however recently it opened
    assert inbox.urgency(in_three_hours, now, due_tomorrow, now) == "due_soon"

    due_friday, reminder = local(2026, 11, 27, 23, 59, 59), local(2026, 11, 30)  # a longer reminder (5 days)
    halfway = opened + (due_friday - opened) / 2  # Wednesday night, two days before it is due
    assert inbox.urgency(due_friday, halfway, reminder, opened) == "due_soon"
    assert inbox.urgency(due_friday, halfway - timedelta(minutes=1), reminder, opened) is None
    assert inbox.urgency(due_friday, now, reminder) == "due_soon"


def test_due_soon_reaches_over_a_weekend_to_the_end_of_the_next_working_day(runtime):
    friday_evening = local(2026, 11, 27, 18)
    with runtime.uow() as uow:
        until = inbox.due_soon_until(uow, friday_evening)
    assert until.astimezone(LOCAL_TZ).date() == local(2026, 11, 30).date()  # Monday, not Saturday
    assert until > friday_evening + inbox.DUE_SOON


def test_due_soon_is_at_least_24_hours(runtime):
    tuesday_morning = local(2026, 11, 24, 9)
    with runtime.uow() as uow:
        until = inbox.due_soon_until(uow, tuesday_morning)
    assert until.astimezone(LOCAL_TZ) == local(2026, 11, 25, 23, 59, 59)  # end of Wednesday beats +24 h
