"""Supervision of the delivery limit (行政许可法 Art 44): the decided cases whose result has not reached the
applicant yet.

A clock stopped by its decision, in a diagram that marks a delivery step, is due to deliver within
``time_limits.DELIVERY_DAYS`` working days (``CaseClock.delivery_due_at``, set when it stopped). The list holds
the running or suspended cases whose delivery step has not completed, each with a warning level as the
time-limit list gives one (engine.supervision): ``red`` once the due time has passed, ``yellow`` when it is at
most the case's rule's ``remind_days`` working days away (the due day itself counts as 0), ``green``
otherwise; red first, then by due time. A case that ended without its delivery step (a denial ending the
case at once) has nothing more to deliver here and is not listed. One indexed query, no history read.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from . import calendar
from ._workdays import local_date
from .clock import utcnow
from .errors import ValidationFailed
from .execution import item_names
from .models import CaseClock, ProcessInstance
from .supervision import GREEN, LEVELS, RED, YELLOW
from .supervision_rules import RuleBook
from .unit_of_work import UnitOfWork
from .users import Actor

_ORDER = {RED: 0, YELLOW: 1, GREEN: 2}


@dataclass
class UndeliveredCase:
    instance_id: int
    business_key: str
    process_key: str
    item_name: str  # the process's name as its latest version gives it
    instance_state: str  # running | suspended (挂起)
    decided_at: datetime  # when the decision stopped the clock
    due_at: datetime  # the end of the last working day to deliver
    due_date: date
    remaining_working_days: int  # negative once overdue
    level: str  # green | yellow | red
    remind_days: int  # the yellow threshold of the case's rule (engine.supervision_rules)


def list_undelivered(uow: UnitOfWork, *, actor: Actor, level: str | None = None,
                     now: datetime | None = None) -> list[UndeliveredCase]:
    """The decided cases of running or suspended state whose result is not delivered yet, red first, then
    yellow, then green, earliest due first; of one ``level`` when given.

    Raises:
        Forbidden: not a supervisor or an admin.
        ValidationFailed: an unknown level.
    """
    actor.require("supervisor", action="see supervision")
    if level is not None and level not in LEVELS:
        raise ValidationFailed(f"unknown level {level!r}", details=[
            {"field": "level", "message": f"one of {', '.join(LEVELS)}"}])
    now = now or utcnow()
    with uow:
        book = RuleBook(uow)
        calendars: dict[str, calendar.WorkingCalendar] = {}
        found = []
        rows = list(uow.session.execute(
            select(CaseClock.instance_id, CaseClock.calendar, CaseClock.stopped_at, CaseClock.delivery_due_at,
                   ProcessInstance.business_key, ProcessInstance.definition_key, ProcessInstance.state)
            .join(ProcessInstance, ProcessInstance.id == CaseClock.instance_id)
            .where(CaseClock.delivered_at.is_(None), CaseClock.delivery_due_at.is_not(None),
                   ProcessInstance.state.in_(("running", "suspended")),
                   *([CaseClock.delivery_due_at < now] if level == RED else []))
            .order_by(CaseClock.delivery_due_at, CaseClock.instance_id)))
        names = item_names(uow, sorted({row.definition_key for row in rows}))
        for instance_id, name, decided_at, due_at, business_key, key, state in rows:
            if decided_at is None or due_at is None:
                continue  # never so: the query asks for a due time, which a stopped clock alone gets
            days = calendars.get(name) or calendars.setdefault(name, calendar.for_runtime(uow, name))
            remind_days = book.for_process(key).remind_days
            remaining = days.working_days_between(now, due_at).days
            if now > due_at:
                remaining = min(remaining, -1)
            found.append(UndeliveredCase(
                instance_id=instance_id, business_key=business_key, process_key=key, item_name=names[key],
                instance_state=state, decided_at=decided_at, due_at=due_at, due_date=local_date(due_at),
                remaining_working_days=remaining, remind_days=remind_days,
                level=RED if now > due_at else YELLOW if remaining <= remind_days else GREEN))
    found = [case for case in found if level is None or case.level == level]
    return sorted(found, key=lambda c: (_ORDER[c.level], c.due_at, c.instance_id))
