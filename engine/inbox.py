"""Work queues as a clerk sees them: my tasks, each of my groups' claimable tasks, with counts and
deadline warnings, in one read."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Float, and_, func, or_, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import Select
from sqlalchemy.sql.functions import FunctionElement

from . import calendar, execution, query_codes, supervision_rules
from .candidates import lists_candidate, names_nobody
from .clock import utcnow
from .errors import InvalidRequest
from .execution import item_names, latest_definition
from .models import Task
from .tasks import SORTS, _visible
from .unit_of_work import UnitOfWork
from .users import Actor

URGENCIES = ("overdue", "due_soon")
# A task is "due soon" (yellow) when due within its item's supervision reminder (remind_days working
# days, engine.supervision_rules; by default the end of the next working day), and never less than 24
# hours ahead; past due is overdue (red). Beyond those 24 hours, a step's reminder covers at most the
# second half of its own time: a one-day window step would otherwise be yellow from the moment it opens,
# and the mark would tell the clerk nothing.
DUE_SOON = timedelta(hours=24)


@dataclass(frozen=True)
class InboxQuery:
    queue: str = "all"  # all | mine | group:<name> | offered
    process_key: str | None = None
    case_number: str | None = None  # part of the business key
    applicant: str | None = None  # part of the applicant's name (engine.execution.applicant_matches)
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


def urgency(due_at: datetime | None, now: datetime, soon: datetime, opened_at: datetime | None = None) -> str | None:
    """overdue, due_soon (due before ``soon``, see ``due_soon_until``; beyond 24 hours only once past half
    the time from ``opened_at``, when given) or None."""
    if due_at is None:
        return None
    if due_at <= now:
        return "overdue"
    left = due_at - now
    if opened_at is not None and left > DUE_SOON and left > (due_at - opened_at) / 2:
        return None
    return "due_soon" if due_at <= soon else None


class _EpochSeconds(FunctionElement[float]):
    """Seconds since 1970 of a UTC datetime column, for arithmetic on instants in SQL."""

    type = Float()
    inherit_cache = True


@compiles(_EpochSeconds, "sqlite")
def _sqlite_epoch(element: _EpochSeconds, compiler: Any, **kw: Any) -> str:
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"


@compiles(_EpochSeconds, "postgresql")
def _postgresql_epoch(element: _EpochSeconds, compiler: Any, **kw: Any) -> str:
    return f"EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})"


def _past_half(now: datetime) -> Any:
    """SQL: the task is past half its time (opened + due <= 2 now)."""
    return _EpochSeconds(Task.created_at) + _EpochSeconds(Task.due_at) <= 2 * now.timestamp()


def due_soon_until(uow: UnitOfWork, now: datetime, remind_days: int = 1) -> datetime:
    """The end of the ``remind_days``-th working day (national calendar), or 24 hours from now if that
    is later; no reminder (0 days) means nothing is due soon before it is due."""
    if remind_days <= 0:
        return now
    return max(now + DUE_SOON, calendar.for_runtime(uow).deadline_at(now, remind_days).at)


@dataclass(frozen=True)
class DueSoon:
    """The due-soon cutoff per item (process key), from the supervision rules in force."""

    now: datetime
    default: datetime
    by_key: dict[str, datetime]

    def until(self, key: str) -> datetime:
        return self.by_key.get(key, self.default)

    def condition(self) -> Any:
        """SQL: the task is due by its item's cutoff, and within 24 hours or past half its time."""
        by_item = or_(and_(Task.definition_key.not_in(self.by_key), Task.due_at <= self.default),
                      *(and_(Task.definition_key == key, Task.due_at <= at) for key, at in self.by_key.items()))
        return and_(by_item, or_(Task.due_at <= self.now + DUE_SOON, _past_half(self.now)))


def due_soon(uow: UnitOfWork, now: datetime, keys: Iterable[str]) -> DueSoon:
    """Cutoffs for the items ``keys``: only those whose reminder differs from the global rule get their own."""
    book = supervision_rules.RuleBook(uow)
    usual = book.for_process(supervision_rules.GLOBAL).remind_days
    days = {key: book.for_process(key).remind_days for key in set(keys)}
    return DueSoon(now, due_soon_until(uow, now, usual),
                   {key: due_soon_until(uow, now, n) for key, n in days.items() if n != usual})


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
        raise InvalidRequest(f"unknown queue {query.queue!r}", field="queue")
    with uow:
        session = uow.session
        selected = _open(actor).where(dict(queues)[query.queue])
        keys = sorted(set(session.scalars(select(Task.definition_key).where(
            Task.id.in_(selected.with_only_columns(Task.id))).distinct())))
        soon = due_soon(uow, now, keys)
        counted = []
        # Every queue counted in one pass over the open tasks the actor may see, not one pass per queue.
        counts = session.execute(_open(actor).with_only_columns(
            *(func.count(Task.id).filter(where) for _, where in queues))).one()
        for (key, _), count in zip(queues, counts, strict=True):
            kind, _, group = key.partition(":")
            if kind != "offered" or count:  # tasks offered outside my groups are rare: show them only if any
                counted.append(Queue(key, kind, group or None, count))
        filtered = _filter(selected, query, now, soon)
        total = session.scalar(select(func.count()).select_from(filtered.subquery())) or 0
        tasks = list(session.scalars(filtered.order_by(*SORTS[query.sort]).limit(query.limit).offset(query.offset)))
        # The item filtered on is offered even with no task left in the queue (the filter says what is shown),
        # if it is an item at all (an address typed).
        names = item_names(uow, keys)
        if query.process_key is not None and query.process_key not in names \
                and latest_definition(uow, query.process_key) is not None:
            names |= item_names(uow, [query.process_key])
        items = list(names.items())
    rows = [InboxRow(task, urgency(task.due_at, now, soon.until(task.definition_key), task.created_at))
            for task in tasks]
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
        queues.append((f"group:{group}", and_(unclaimed, lists_candidate("group", group))))
    queues.append(("offered", and_(unclaimed, or_(lists_candidate("user", actor.name), names_nobody()))))
    return queues


def _filter(query: Select[Any], where: InboxQuery, now: datetime, soon: DueSoon) -> Select[Any]:
    if where.process_key:
        query = query.where(Task.definition_key == where.process_key)
    if where.case_number:  # as typed, or with a Chinese input method's full-width forms read as NFKC
        typed = where.case_number.strip()
        forms = sorted({typed, query_codes.case_number(typed)})
        query = query.where(or_(*(Task.business_key.contains(form, autoescape=True) for form in forms)))
    if where.applicant and (of_applicant := execution.of_applicant(where.applicant)) is not None:
        query = query.where(of_applicant)
    if where.urgency == "overdue":
        query = query.where(Task.due_at <= now)
    elif where.urgency == "due_soon":
        query = query.where(Task.due_at > now, soon.condition())
    return query


