"""The supervision sweep (电子监察): turns warning levels into events, each exactly once.

Every worker runs ``sweep`` on its scheduler (``schedule``, every ``supervision_sweep_seconds``). It finds

  * ``reminder``: an open case whose deadline is at most ``remind_days`` working days away (yellow),
    again after each extension (延长审批) has moved its deadline;
  * ``overdue``: a case whose deadline has passed (red), also one paused after it passed;
  * ``step_overrun``: an open user task past its own due date, where the rule flags overruns;
  * ``procedure_overrun``: a special procedure (特别程序, an excluded period pausing the clock) open longer
    than the item's guide allows its kind (``excluded_periods[].max_days``, working days): once per
    procedure, also when the case's clock runs on under another pause;
  * ``delivery_overdue``: a decided case whose result is still not delivered when the days to deliver it
    have passed (行政许可法 Art 44, ``CaseClock.delivery_due_at``, engine.supervision_delivery);

counted in the case's working-day calendar exactly as the supervision board counts them, with the rules
of engine.supervision_rules. Each event is one ``supervision_events`` row per (case, kind, task, and for
a reminder the clock's extension days; for a procedure overrun the procedure's id in place of the task), a
history item on the case and an outbox event (``supervision.reminder|overdue|step_overrun|procedure_overrun``), in a
transaction of its own, under the case's row lock. The row's unique key makes the sweep idempotent: a
second sweep, or a second worker sweeping at the same moment, inserts nothing (``ON CONFLICT DO
NOTHING``) and so emits nothing.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Exists, String, and_, cast, exists, func, or_, select
from sqlalchemy.orm import defer

from . import guides, outbox, supervision
from ._workdays import local_date
from .case_lock import lock_case
from .clock import utcnow
from .db import insert_unless_present
from .errors import ValidationFailed, check_page
from .models import CaseClock, HistoryEvent, ProcessInstance, SpecialProcedure, SupervisionEvent, Task
from .supervision_rules import RuleBook
from .time_limits import DELIVERY_DAYS, EXTENSION, PAUSED, RUNNING, _calendar, clock_view
from .unit_of_work import Runtime, UnitOfWork
from .users import Actor

log = logging.getLogger(__name__)

REMINDER, OVERDUE, STEP_OVERRUN, PROCEDURE_OVERRUN = "reminder", "overdue", "step_overrun", "procedure_overrun"
DELIVERY_OVERDUE = "delivery_overdue"
KINDS = (REMINDER, OVERDUE, STEP_OVERRUN, PROCEDURE_OVERRUN, DELIVERY_OVERDUE)
EVENTS = {kind: f"supervision.{kind}" for kind in KINDS}  # outbox and history names
MAX_PAGE = 500


@dataclass
class CaseRef:
    """What an event names of its case: read for every running case each minute, so not the whole row."""

    id: int
    business_key: str
    definition_key: str


@dataclass
class Found:
    instance: CaseRef
    kind: str
    task_id: str
    due_at: datetime
    data: dict[str, Any]
    extension_days: int = 0  # a reminder's: the clock's, so an extension makes another one due


@dataclass
class EventPage:
    items: list[SupervisionEvent]
    total: int
    limit: int
    offset: int


def sweep(uow: UnitOfWork, *, now: datetime | None = None) -> dict[str, int]:
    """One pass: record and emit every supervision event not recorded yet; returns how many of each kind.

    Safe to run from any number of workers at once. Raises only database errors."""
    now = now or utcnow()
    emitted = dict.fromkeys(KINDS, 0)
    with uow:
        found = _find(uow, now)
        uow.commit()  # the reading; each event then in a transaction of its own
        for item in found:
            # The case's row lock first, as its commands take it: a command on the case committing while
            # the event is written would otherwise put its later events before this one in the case's
            # delivery order. One case at a time, so the sweep never waits for a lock while holding one.
            lock_case(uow.session, item.instance.id)
            if not _insert(uow, item, now):
                uow.session.rollback()
                continue
            emitted[item.kind] += 1
            uow.session.add(HistoryEvent(instance_id=item.instance.id, at=now, actor=None, event=EVENTS[item.kind],
                                         task_id=item.data.get("task_id") or None, element_id=item.data.get("bpmn_id"),
                                         element_name=item.data.get("task_name"), data=item.data))
            case = uow.session.get(ProcessInstance, item.instance.id, options=[defer(ProcessInstance.workflow)])
            outbox.emit(uow, EVENTS[item.kind], instance=case, data=item.data)
            uow.commit()
    if any(emitted.values()):
        log.info("supervision sweep: %s", emitted)
    return emitted


def schedule(scheduler: Any, runtime: Runtime, *, worker_id: str) -> None:
    """Add the sweep to a worker's APScheduler, every ``supervision_sweep_seconds`` (the first one an
    interval after the start)."""

    def run() -> None:
        try:
            sweep(runtime.uow())
        except Exception:  # the database is away: try again at the next tick
            log.exception("worker %s could not run the supervision sweep", worker_id)

    scheduler.add_job(run, "interval", seconds=runtime.settings.supervision_sweep_seconds,
                      id="govflow-supervision", max_instances=1, coalesce=True)


def list_events(uow: UnitOfWork, *, actor: Actor, instance_id: int | None = None, kind: str | None = None,
                since: datetime | None = None, limit: int = 50, offset: int = 0) -> EventPage:
    """Supervision events, newest first, optionally of one case, one kind, or recorded at or after ``since``.

    Raises:
        Forbidden: not a supervisor or an admin.
        ValidationFailed: an unknown kind, limit outside 1..500, a negative offset.
    """
    actor.require("supervisor", action="see supervision events")
    if kind is not None and kind not in KINDS:
        raise ValidationFailed(f"unknown kind {kind!r}", details=[
            {"field": "kind", "message": f"one of {', '.join(KINDS)}"}])
    check_page(limit, offset, MAX_PAGE)
    filters = []
    if instance_id is not None:
        filters.append(SupervisionEvent.instance_id == instance_id)
    if kind is not None:
        filters.append(SupervisionEvent.kind == kind)
    if since is not None:
        filters.append(SupervisionEvent.created_at >= since)
    with uow:
        total = uow.session.scalar(select(func.count()).select_from(SupervisionEvent).where(*filters)) or 0
        items = list(uow.session.scalars(select(SupervisionEvent).where(*filters)
                                         .order_by(SupervisionEvent.created_at.desc(), SupervisionEvent.id.desc())
                                         .offset(offset).limit(limit)))
        return EventPage(items=items, total=total, limit=limit, offset=offset)


# ---- finding ------------------------------------------------------------------------------------

def _find(uow: UnitOfWork, now: datetime) -> list[Found]:
    """The events not recorded yet. The queries leave out, in SQL, what was recorded and the clocks far
    from their deadline, so a pass over a large database with nothing new reads next to nothing."""
    book = RuleBook(uow)
    found: list[Found] = []
    case = (ProcessInstance.id, ProcessInstance.business_key, ProcessInstance.definition_key)
    # The deadline a clock shows is its stored one, or a later one while paused ("as if the pause ended
    # now"): a clock past its stored deadline may be red; a running one past it can only be red, a paused
    # one may still be yellow (or red, paused after its deadline passed).
    overdue = and_(CaseClock.deadline_at < now, ~_recorded(CaseClock.instance_id, OVERDUE))
    reminder = and_(supervision.may_warn(uow, now, book.most_remind_days()),
                    ~_recorded(CaseClock.instance_id, REMINDER, extension_days=CaseClock.extension_days),
                    or_(CaseClock.state == PAUSED, CaseClock.deadline_at >= now))
    clocks = uow.session.execute(
        select(CaseClock, *case).join(ProcessInstance, ProcessInstance.id == CaseClock.instance_id)
        .where(CaseClock.state.in_((RUNNING, PAUSED)), ProcessInstance.state.in_(("running", "suspended")),
               or_(overdue, reminder))
        .order_by(CaseClock.instance_id))
    for clock, case_id, business_key, definition_key in clocks:
        instance = CaseRef(case_id, business_key, definition_key)
        view = clock_view(uow, clock, [], now)
        rule = book.for_process(instance.definition_key)
        data = {"deadline_at": view.deadline_at.isoformat(), "deadline_date": view.deadline_date.isoformat(),
                "remaining_working_days": view.remaining_working_days, "calendar": clock.calendar,
                "provisional": view.provisional}
        if now > view.deadline_at:  # paused too: a pause after the deadline does not make up for it
            found.append(Found(instance, OVERDUE, "", view.deadline_at, data))
        elif view.remaining_working_days <= rule.remind_days:
            found.append(Found(instance, REMINDER, "", view.deadline_at,
                               {**data, "remind_days": rule.remind_days, "extension_days": clock.extension_days},
                               extension_days=clock.extension_days))
    overrun = uow.session.execute(
        select(Task, *case).join(ProcessInstance, ProcessInstance.id == Task.instance_id)
        .where(Task.state == "READY", Task.kind == "user", Task.due_at.is_not(None), Task.due_at < now,
               ProcessInstance.state == "running", ~_recorded(Task.instance_id, STEP_OVERRUN, Task.id))
        .order_by(Task.due_at, Task.id))
    for task, case_id, business_key, definition_key in overrun:
        instance = CaseRef(case_id, business_key, definition_key)
        if book.for_process(instance.definition_key).step_overrun:
            assert task.due_at is not None  # filtered above
            found.append(Found(instance, STEP_OVERRUN, task.id, task.due_at, {
                "task_id": task.id, "bpmn_id": task.bpmn_id, "task_name": task.name, "assignee": task.assignee,
                "candidate_groups": task.candidate_groups, "due_at": task.due_at.isoformat()}))
    found += _procedure_overruns(uow, now, case)
    undelivered = uow.session.execute(
        select(CaseClock, *case).join(ProcessInstance, ProcessInstance.id == CaseClock.instance_id)
        .where(CaseClock.delivered_at.is_(None), CaseClock.delivery_due_at < now,
               ProcessInstance.state.in_(("running", "suspended")),
               ~_recorded(CaseClock.instance_id, DELIVERY_OVERDUE))
        .order_by(CaseClock.instance_id))
    for clock, case_id, business_key, definition_key in undelivered:
        due = clock.delivery_due_at
        assert due is not None and clock.stopped_at is not None  # a due time is set when the clock stops
        counted = _calendar(uow, clock.calendar).deadline_at(clock.stopped_at, DELIVERY_DAYS)
        found.append(Found(CaseRef(case_id, business_key, definition_key), DELIVERY_OVERDUE, "", due, {
            "delivery_due_at": due.isoformat(), "delivery_due_date": local_date(due).isoformat(),
            "decided_at": clock.stopped_at.isoformat(), "calendar": clock.calendar,
            "provisional": counted.provisional}))
    return found


def _procedure_overruns(uow: UnitOfWork, now: datetime, case: tuple[Any, ...]) -> list[Found]:
    """The open special procedures past the working days the item's guide allows their kind. Only open
    ones not recorded yet are read, and each item's guide once. An open procedure holds its clock paused:
    the paused clocks (few, by the state index) lead to them."""
    rows = uow.session.execute(
        select(SpecialProcedure, CaseClock.calendar, *case).select_from(CaseClock)
        .join(SpecialProcedure, SpecialProcedure.instance_id == CaseClock.instance_id)
        .join(ProcessInstance, ProcessInstance.id == CaseClock.instance_id)
        .where(CaseClock.state == PAUSED, SpecialProcedure.ended_at.is_(None), SpecialProcedure.kind != EXTENSION,
               ProcessInstance.state.in_(("running", "suspended")),
               ~_recorded(SpecialProcedure.instance_id, PROCEDURE_OVERRUN, cast(SpecialProcedure.id, String)))
        .order_by(SpecialProcedure.id))
    allowed: dict[str, dict[str, int]] = {}
    found: list[Found] = []
    for procedure, calendar_name, case_id, business_key, definition_key in rows:
        if definition_key not in allowed:
            allowed[definition_key] = _max_days(uow, definition_key)
        max_days = allowed[definition_key].get(procedure.kind)
        if max_days is None:
            continue  # the guide sets no limit for this kind
        days = _calendar(uow, calendar_name)
        elapsed = max(0, days.working_days_between(procedure.started_at, now).days)
        if elapsed <= max_days:
            continue
        found.append(Found(CaseRef(case_id, business_key, definition_key), PROCEDURE_OVERRUN, str(procedure.id),
                           days.deadline_at(procedure.started_at, max_days).at, {
                               "procedure_id": procedure.id, "kind": procedure.kind,
                               "reason": procedure.reason_or_basis, "bpmn_id": procedure.element_id,
                               "task_id": procedure.task_id,
                               "started_at": procedure.started_at.isoformat(), "max_days": max_days,
                               "elapsed_working_days": elapsed, "started_by": procedure.created_by}))
    return found


def _max_days(uow: UnitOfWork, process_key: str) -> dict[str, int]:
    """Special procedure kind -> the working days the latest guide of the process allows it (the most, where
    it lists a kind twice); a guide's bad entry is left out, never fatal to a sweep."""
    guide = guides.latest_for_process(uow, process_key)
    limits: dict[str, int] = {}
    for period in (guide.content.get("excluded_periods") or []) if guide is not None else []:
        kind, days = (period.get("type"), period.get("max_days")) if isinstance(period, dict) else (None, None)
        if isinstance(kind, str) and isinstance(days, int) and not isinstance(days, bool) and days > 0:
            limits[kind] = max(days, limits.get(kind, 0))
    return limits


def _recorded(instance_id: Any, kind: str, task_id: Any = "", extension_days: Any = 0) -> Exists:
    """Whether an earlier sweep recorded this event (the unique key's own index answers it)."""
    return exists().where(SupervisionEvent.instance_id == instance_id, SupervisionEvent.kind == kind,
                          SupervisionEvent.task_id == task_id, SupervisionEvent.extension_days == extension_days)


def _insert(uow: UnitOfWork, item: Found, now: datetime) -> bool:
    """Insert the event unless another sweep did; True when this transaction's row is the one kept.

    On PostgreSQL a concurrent sweeper's uncommitted row makes this insert wait, then do nothing; on
    SQLite writers take turns, so the later one sees the row."""
    statement = insert_unless_present(uow.session, SupervisionEvent,
                                      ["instance_id", "kind", "task_id", "extension_days"]).values(
        instance_id=item.instance.id, kind=item.kind, task_id=item.task_id, extension_days=item.extension_days,
        business_key=item.instance.business_key,
        process_key=item.instance.definition_key, due_at=item.due_at, data=item.data, created_at=now,
    ).returning(SupervisionEvent.id)
    return uow.session.scalar(statement) is not None


__all__ = ["DELIVERY_OVERDUE", "EVENTS", "KINDS", "OVERDUE", "PROCEDURE_OVERRUN", "REMINDER", "STEP_OVERRUN", "EventPage", "list_events",
           "schedule", "sweep"]
