"""Supervision (电子监察), first slice: read-only views over the statutory clocks for supervisors.

  * ``list_cases``: the open clocks (running or paused), each with a warning level: ``red`` once the
    deadline has passed, ``yellow`` when it is at most ``remind_days`` working days away (the deadline
    day itself counts as 0), ``green`` otherwise. ``remind_days`` is one threshold per call (default 1);
    per-item rules (a threshold per service item or per process) come later.
  * ``stats``: per process key, the cases with a clock, how many finished (clock stopped) and how many
    of those on time, the on-time rate, the average working days used by finished cases, and the open
    yellow and red counts.
Deadlines, used and remaining working days are counted exactly as the case's clock view counts them
(``time_limits``): a paused clock's deadline is "as if the pause ended now", so a paused case does not
turn red while paused. Pure reads, no tables of its own.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from .clock import utcnow
from .errors import ValidationFailed
from .models import CaseClock, ProcessInstance
from .time_limits import PAUSED, RUNNING, STOPPED, ClockView, clock_view
from .unit_of_work import UnitOfWork
from .users import Actor

GREEN, YELLOW, RED = "green", "yellow", "red"
LEVELS = (GREEN, YELLOW, RED)
DEFAULT_REMIND_DAYS = 1
MAX_REMIND_DAYS = 60
_ORDER = {RED: 0, YELLOW: 1, GREEN: 2}


@dataclass
class SupervisedCase:
    instance_id: int
    business_key: str
    process_key: str
    state: str  # running | paused
    deadline_at: datetime  # while paused: as if the pause ended now
    deadline_date: date
    remaining_working_days: int  # negative once overdue
    level: str  # green | yellow | red
    provisional: bool


@dataclass
class ProcessStats:
    process_key: str
    total: int  # cases with a clock
    finished: int  # clock stopped
    finished_on_time: int  # stopped_at <= deadline_at
    on_time_rate: float | None  # finished_on_time / finished; None when nothing finished
    average_used_working_days: float | None  # over finished cases; None when nothing finished
    open: int
    yellow: int
    red: int


def list_cases(uow: UnitOfWork, *, actor: Actor, level: str | None = None, now: datetime | None = None,
               remind_days: int = DEFAULT_REMIND_DAYS) -> list[SupervisedCase]:
    """The open clocks with their warning level, red first, then yellow, then green, earliest deadline first.

    Raises:
        Forbidden: not a supervisor or an admin.
        ValidationFailed: an unknown level, or remind_days outside 0..60.
    """
    actor.require("supervisor", action="see supervision")
    if level is not None and level not in LEVELS:
        raise ValidationFailed(f"unknown level {level!r}", details=[
            {"field": "level", "message": f"one of {', '.join(LEVELS)}"}])
    _check_remind_days(remind_days)
    now = now or utcnow()
    with uow:
        found = [_case(uow, clock, business_key, key, now, remind_days)
                 for clock, business_key, key in _clocks(uow, open_only=True)]
    found = [case for case in found if level is None or case.level == level]
    return sorted(found, key=lambda c: (_ORDER[c.level], c.deadline_at, c.instance_id))


def stats(uow: UnitOfWork, *, actor: Actor, now: datetime | None = None) -> list[ProcessStats]:
    """Per process key, sorted by key: cases with a clock, finished and on time, open yellow and red
    (with the default ``remind_days``).

    Raises:
        Forbidden: not a supervisor or an admin.
    """
    actor.require("supervisor", action="see supervision")
    now = now or utcnow()
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    with uow:
        for clock, business_key, key in _clocks(uow, open_only=False):
            row = totals[key]
            row["total"] += 1
            if clock.state == STOPPED:
                row["finished"] += 1
                row["on_time"] += int(clock.stopped_at is not None and clock.stopped_at <= clock.deadline_at)
                row["used"] += clock_view(uow, clock, [], now).used_working_days
            else:
                row["open"] += 1
                row[_case(uow, clock, business_key, key, now, DEFAULT_REMIND_DAYS).level] += 1
    return [ProcessStats(process_key=key, total=row["total"], finished=row["finished"],
                         finished_on_time=row["on_time"],
                         on_time_rate=round(row["on_time"] / row["finished"], 4) if row["finished"] else None,
                         average_used_working_days=round(row["used"] / row["finished"], 2) if row["finished"]
                         else None, open=row["open"], yellow=row[YELLOW], red=row[RED])
            for key, row in sorted(totals.items())]


# ---- helpers --------------------------------------------------------------------------------------

def _check_remind_days(remind_days: int) -> None:
    if isinstance(remind_days, bool) or not isinstance(remind_days, int) or \
            not 0 <= remind_days <= MAX_REMIND_DAYS:
        raise ValidationFailed("remind_days is 0 to 60 working days", details=[
            {"field": "remind_days", "message": f"a whole number from 0 to {MAX_REMIND_DAYS}"}])


def _clocks(uow: UnitOfWork, *, open_only: bool) -> list[tuple[CaseClock, str, str]]:
    query = (select(CaseClock, ProcessInstance.business_key, ProcessInstance.definition_key)
             .join(ProcessInstance, ProcessInstance.id == CaseClock.instance_id)
             .order_by(CaseClock.instance_id))
    if open_only:
        query = query.where(CaseClock.state.in_((RUNNING, PAUSED)))
    return [(clock, business_key, key) for clock, business_key, key in uow.session.execute(query)]


def _level(view: ClockView, now: datetime, remind_days: int) -> str:
    if now > view.deadline_at:
        return RED
    return YELLOW if view.remaining_working_days <= remind_days else GREEN


def _case(uow: UnitOfWork, clock: CaseClock, business_key: str, key: str, now: datetime,
          remind_days: int) -> SupervisedCase:
    view = clock_view(uow, clock, [], now)
    return SupervisedCase(instance_id=clock.instance_id, business_key=business_key, process_key=key,
                          state=clock.state, deadline_at=view.deadline_at, deadline_date=view.deadline_date,
                          remaining_working_days=view.remaining_working_days,
                          level=_level(view, now, remind_days), provisional=view.provisional)
