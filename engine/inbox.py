"""Work queues as a clerk sees them: my tasks, each of my groups' claimable tasks, with counts and
deadline warnings, in one read."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, true
from sqlalchemy.sql import Select

from . import calendar
from .clock import utcnow
from .errors import InvalidRequest
from .execution import latest_definition
from .models import Task, TaskCandidate
from .tasks import SORTS, _visible
from .unit_of_work import UnitOfWork
from .users import Actor

URGENCIES = ("overdue", "due_soon")
# Until supervision rules exist: due by the end of the next working day, or within 24 hours, is "due
# soon" (yellow); past due is overdue (red).
DUE_SOON = timedelta(hours=24)


@dataclass(frozen=True)
class InboxQuery:
    queue: str = "all"  # all | mine | group:<name> | offered
    process_key: str | None = None
    case_number: str | None = None  # part of the business key
    urgency: str | None = None  # overdue | due_soon
    sort: str = "due"
    limit: int = 50
    offset: int = 0


@dataclass
class Queue:
    key: str
    kind: str  # all | mine | group | offered
    group: str | None
    count: int


@dataclass
class InboxRow:
    task: Task
    urgency: str | None  # overdue (red) | due_soon (yellow) | None


@dataclass
class Inbox:
    query: InboxQuery
    queues: list[Queue]
    rows: list[InboxRow]
    total: int
    items: list[tuple[str, str]] = field(default_factory=list)  # (process key, item name) for filters
    now: datetime = field(default_factory=utcnow)


def urgency(due_at: datetime | None, now: datetime, soon: datetime) -> str | None:
    """overdue, due_soon (due before ``soon``, see ``due_soon_until``) or None."""
    if due_at is None:
        return None
    if due_at <= now:
        return "overdue"
    return "due_soon" if due_at <= soon else None


def due_soon_until(uow: UnitOfWork, now: datetime) -> datetime:
    """The end of the next working day (national calendar), or 24 hours from now if that is later."""
    return max(now + DUE_SOON, calendar.for_runtime(uow).deadline_at(now, 1).at)


def inbox(uow: UnitOfWork, *, actor: Actor, query: InboxQuery) -> Inbox:
    """The actor's queues with counts, and one queue's open tasks filtered and sorted.

    Raises InvalidRequest: unknown queue, sort or urgency.
    """
    if query.sort not in SORTS:
        raise InvalidRequest(f"unknown sort {query.sort!r}; use one of {', '.join(SORTS)}")
    if query.urgency is not None and query.urgency not in URGENCIES:
        raise InvalidRequest(f"unknown urgency {query.urgency!r}; use one of {', '.join(URGENCIES)}")
    now = utcnow()
    queues = _queue_defs(actor)
    if query.queue not in {key for key, _ in queues}:
        raise InvalidRequest(f"unknown queue {query.queue!r}")
    with uow:
        session = uow.session
        soon = due_soon_until(uow, now)
        counted = []
        for key, where in queues:
            count = session.scalar(select(func.count()).select_from(_open(actor).where(where).subquery())) or 0
            kind, _, group = key.partition(":")
            if kind != "offered" or count:  # tasks offered outside my groups are rare: show them only if any
                counted.append(Queue(key, kind, group or None, count))
        selected = _open(actor).where(dict(queues)[query.queue])
        filtered = _filter(selected, query, now, soon)
        total = session.scalar(select(func.count()).select_from(filtered.subquery())) or 0
        tasks = list(session.scalars(filtered.order_by(*SORTS[query.sort]).limit(query.limit).offset(query.offset)))
        keys = sorted(set(session.scalars(select(Task.definition_key).where(
            Task.id.in_(selected.with_only_columns(Task.id))).distinct())))
        items = [(key, _item_name(uow, key)) for key in keys]
    rows = [InboxRow(task, urgency(task.due_at, now, soon)) for task in tasks]
    return Inbox(query=query, queues=counted, rows=rows, total=total, items=items, now=now)


def _open(actor: Actor) -> Select[Any]:
    return _visible(select(Task), actor).where(Task.state == "READY", Task.kind == "user")


def _queue_defs(actor: Actor) -> list[tuple[str, Any]]:
    """Queue key -> the SQL condition picking its tasks (among the open tasks the actor may see)."""
    me = Task.assignee == actor.name
    unclaimed = Task.assignee.is_(None)
    # Supervisors oversee every open task; a clerk's "all" is theirs plus what they may claim.
    everyone = true() if actor.has("supervisor") else or_(me, unclaimed)
    queues: list[tuple[str, Any]] = [("all", everyone), ("mine", me)]
    for group in sorted(actor.groups):
        queues.append((f"group:{group}", and_(unclaimed, exists().where(
            TaskCandidate.task_id == Task.id, TaskCandidate.kind == "group", TaskCandidate.value == group))))
    named_me = exists().where(TaskCandidate.task_id == Task.id, TaskCandidate.kind == "user",
                              TaskCandidate.value == actor.name)
    nobody_named = ~exists().where(TaskCandidate.task_id == Task.id)
    queues.append(("offered", and_(unclaimed, or_(named_me, nobody_named))))
    return queues


def _filter(query: Select[Any], where: InboxQuery, now: datetime, soon: datetime) -> Select[Any]:
    if where.process_key:
        query = query.where(Task.definition_key == where.process_key)
    if where.case_number:
        query = query.where(Task.business_key.contains(where.case_number.strip(), autoescape=True))
    if where.urgency == "overdue":
        query = query.where(Task.due_at <= now)
    elif where.urgency == "due_soon":
        query = query.where(Task.due_at > now, Task.due_at <= soon)
    return query


def _item_name(uow: UnitOfWork, key: str) -> str:
    definition = latest_definition(uow, key)
    return (definition.name if definition is not None else None) or key
