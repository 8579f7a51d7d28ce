"""Deadline marks in the queues (engine.inbox): red when past due, yellow when due by the end of the
next working day or within 24 hours."""
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
