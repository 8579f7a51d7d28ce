"""Extension requests (Administrative Licensing Law Art 42): a clerk of the case's lead department asks for
more working days with a reason; the agency head (role ``head``) of that department (the head of the agency
deciding the case, Art 42, not of a department taking part in it) approves or refuses, with an opinion (required
to refuse).

  * one pending request per case: a second is a Conflict naming the pending one;
  * a request is checked as its approval would be (clock not stopped, deadline not passed, days within what
    the allowance has left: engine.time_limits.require_extensible), so that the clerk learns at once; the
    approval checks again, as the deadline may have passed meanwhile: such a request is refused by the
    check (Conflict) and stays pending, for the head to refuse it;
  * an approval is the extension engine.time_limits.extend makes (``grant_extension``), with the request's
    days (or fewer, as the head grants) and reason and the head's opinion; while a request is pending the
    head decides it rather than extending on their own (extend refuses);
  * a request still pending when the clock stops (the decision, a withdrawal, a termination) lapses in the
    same step (``lapsed``, with how the clock stopped: engine.time_limits.apply), as nothing may extend it;
  * heads list the requests of the cases their departments lead, supervisors and admins every one, by an
    index on the state (never by scanning cases).
History items: ``clock.extension_requested``, ``clock.extended`` (the approval, with ``request_id``),
``clock.extension_refused``, ``clock.extension_lapsed``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import Select

from . import case_access, time_limits
from .clock import utcnow
from .departments import LEAD, department_of_groups
from .errors import Conflict, Forbidden, NotFound, ValidationFailed, check_page
from .models import CaseClock, CaseDepartment, ExtensionRequest, HistoryEvent, ProcessDefinition, ProcessInstance
from .text import optional_text, required_text
from .unit_of_work import UnitOfWork
from .users import Actor

PENDING, APPROVED, REFUSED, LAPSED = "pending", "approved", "refused", "lapsed"
STATES = (PENDING, APPROVED, REFUSED, LAPSED)
LAPSE_CAUSES = time_limits.STOP_CAUSES  # decided, withdrawn, terminated, completed
HEAD = case_access.HEAD
MAX_PAGE = 500


@dataclass(frozen=True)
class ExtensionRequestView:
    id: int
    instance_id: int
    business_key: str
    definition_key: str
    item_name: str  # the process's name, else its key
    days: int
    reason: str
    state: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    opinion: str | None
    deadline_date: date | None = None  # the case's deadline now (None: no clock)
    granted_days: int | None = None  # approved: the days granted, at most those requested
    lapsed_because: str | None = None  # lapsed: how the clock stopped (LAPSE_CAUSES)
    overdue: bool = False  # the case is past its deadline: a pending request can only be refused
    remaining_days: int = 0  # what the case's allowance has left now (0 once stopped or overdue)


def request(uow: UnitOfWork, instance_id: int, *, actor: Actor, days: int, reason: str,
            now: datetime | None = None) -> ExtensionRequestView:
    """Ask the agency head to extend the case's time limit by ``days`` working days, with a reason.

    Raises:
        Forbidden: not a clerk of the case's lead department (or an admin); a case without a lead
            department takes the clerks who see one of its tasks.
        NotFound: no such case, or no clock.
        ValidationFailed: days not a whole number of at least 1, or no reason.
        Conflict: a request of the case is pending already (``pending_request_id``), or the extension could not
            be approved: the clock is stopped, its deadline passed, or the days exceed what is left (the
            context of engine.time_limits.extend's refusals).
    """
    actor.require("clerk", action="request time-limit extensions")
    now = now or utcnow()
    days = time_limits.whole_days(days)
    reason = required_text(reason, field="reason", longest=time_limits.MAX_TEXT)
    with uow:
        case_access.require_clerk_of_lead(uow, actor, instance_id, action="request extensions of the time limit")
        clock = time_limits.case_clock(uow, instance_id, lock=True)  # requests of one case take turns on it
        _require_none_pending(uow, instance_id)
        time_limits.require_extensible(uow, clock, days, now)
        row = ExtensionRequest(instance_id=instance_id, days=days, reason=reason, state=PENDING,
                               requested_by=actor.name, requested_at=now)
        uow.session.add(row)
        try:
            uow.session.flush()
        except IntegrityError:  # another request got in between (the unique index of pending requests)
            raise Conflict(f"process instance {instance_id} has an extension request pending already") from None
        _history(uow, instance_id, actor, now, "clock.extension_requested",
                 {"request_id": row.id, "days": days, "reason": reason})
        uow.commit()
        return _view_of(uow, row)


def approve(uow: UnitOfWork, request_id: int, *, actor: Actor, opinion: str | None = None,
            days: int | None = None, now: datetime | None = None) -> ExtensionRequestView:
    """Approve a pending request: the case's time limit is extended by its days, or the fewer ``days`` the
    head grants (engine.time_limits.extend's extension, checked again now), and the request records the
    days granted and the head's opinion.

    Raises:
        Forbidden: not an agency head of the case's lead department (or an admin).
        NotFound: no such request.
        ValidationFailed: an opinion too long or unreadable, or ``days`` not a whole number from 1 to those
            requested.
        Conflict: the request was decided already, or the extension can no longer be approved (the clock
            stopped, the deadline passed, the allowance left is smaller): the request stays pending, to be
            refused.
    """
    now = now or utcnow()
    opinion = optional_text(opinion, field="opinion", longest=time_limits.MAX_TEXT)
    if days is not None:
        days = time_limits.whole_days(days)
    with uow:
        row, clock = _pending(uow, request_id, actor)
        granted = row.days if days is None else days
        if granted > row.days:
            raise ValidationFailed(f"extension request {row.id} asks for {row.days} working days: the head grants "
                                   f"those or fewer, not {granted}", details=[
                                       {"field": "days", "message": f"a whole number from 1 to {row.days}",
                                        "requested": row.days}])
        time_limits.require_extensible(uow, clock, granted, now)
        time_limits.grant_extension(uow, clock, actor=actor, days=granted, reason=row.reason, now=now,
                                    opinion=opinion, request_id=row.id)
        _decide(row, actor, APPROVED, opinion, now)
        row.granted_days = granted
        uow.commit()
        return _view_of(uow, row)


def refuse(uow: UnitOfWork, request_id: int, *, actor: Actor, opinion: str,
           now: datetime | None = None) -> ExtensionRequestView:
    """Refuse a pending request with an opinion (the reasons): the time limit stays as it was.

    Raises:
        Forbidden: not an agency head of the case's lead department (or an admin).
        NotFound: no such request.
        ValidationFailed: no opinion.
        Conflict: the request was decided already.
    """
    now = now or utcnow()
    opinion = required_text(opinion, field="opinion", longest=time_limits.MAX_TEXT)
    with uow:
        row, _ = _pending(uow, request_id, actor)
        _decide(row, actor, REFUSED, opinion, now)
        _history(uow, row.instance_id, actor, now, "clock.extension_refused",
                 {"request_id": row.id, "days": row.days, "reason": row.reason, "opinion": opinion})
        uow.commit()
        return _view_of(uow, row)


def list_requests(uow: UnitOfWork, *, actor: Actor, state: str | None = None, limit: int = 50,
                  offset: int = 0) -> tuple[list[ExtensionRequestView], int]:
    """Requests of one state (or all), ``limit`` from ``offset``, and how many there are: pending ones oldest
    first (a queue), decided ones latest first. A head reads those of the cases their departments lead
    (the requests they may decide); supervisors and admins every one.

    Raises:
        Forbidden: neither a head nor a supervisor (nor an admin).
        ValidationFailed: an unknown state, or a bad page.
    """
    actor.require(HEAD, "supervisor", action="read extension requests")
    if state is not None and state not in STATES:
        raise ValidationFailed(f"unknown state {state!r}", details=[
            {"field": "state", "message": f"one of {', '.join(STATES)}"}])
    check_page(limit, offset, MAX_PAGE)
    with uow:
        query: Select[Any] = select(ExtensionRequest)
        if state is not None:
            query = query.where(ExtensionRequest.state == state)
        if not actor.has("supervisor"):
            departments = sorted(set(department_of_groups(uow, actor.groups).values()))
            query = query.where(ExtensionRequest.instance_id.in_(
                select(CaseDepartment.case_id).where(CaseDepartment.department_code.in_(departments),
                                                     CaseDepartment.role == LEAD)))
        total = uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        order = ExtensionRequest.id.asc() if state == PENDING else ExtensionRequest.id.desc()
        rows = list(uow.session.scalars(query.order_by(order).limit(limit).offset(offset)))
        return _views(uow, rows), total


def of_case(uow: UnitOfWork, instance_id: int, *, actor: Actor) -> list[ExtensionRequestView]:
    """The case's requests, latest first, for whoever reads the case (engine.case_access).

    Raises Forbidden or NotFound as reading the case does."""
    with uow:
        case_access.require_case(uow, actor, instance_id)
        rows = list(uow.session.scalars(select(ExtensionRequest).where(ExtensionRequest.instance_id == instance_id)
                                        .order_by(ExtensionRequest.id.desc())))
        return _views(uow, rows)


def may_request(uow: UnitOfWork, instance_id: int, *, actor: Actor) -> bool:
    """Whether ``request`` takes the actor as a requester of the case (for pages offering the form)."""
    if not actor.has("clerk"):
        return False
    with uow:
        try:
            case_access.require_clerk_of_lead(uow, actor, instance_id, action="request extensions of the time limit")
        except Forbidden:
            return False
        return True


def may_decide(uow: UnitOfWork, instance_id: int, *, actor: Actor) -> bool:
    """Whether the actor may approve or refuse the case's requests (for pages offering the forms)."""
    if not actor.has(HEAD):
        return False
    with uow:
        try:
            case_access.require_head_of_case(uow, actor, instance_id, action="decide extension requests")
        except Forbidden:
            return False
        return True


# ---- helpers (the caller's transaction) ---------------------------------------------------------------

def _pending(uow: UnitOfWork, request_id: int, actor: Actor) -> tuple[ExtensionRequest, CaseClock]:
    """The request and its case's clock, locked, for its decision: the actor is a head of the case's lead
    department, and the request is pending as read after the lock (two decisions at once take turns)."""
    actor.require(HEAD, action="decide extension requests")
    row = uow.session.get(ExtensionRequest, request_id)
    if row is None:
        raise NotFound(f"extension request {request_id} not found")
    case_access.require_head_of_case(uow, actor, row.instance_id, action="decide extension requests")
    # The clock first, as a request locks it before it writes its row: then the row as committed meanwhile.
    clock = time_limits.case_clock(uow, row.instance_id, lock=True)
    uow.session.refresh(row)
    if row.state == LAPSED:
        raise Conflict(f"extension request {request_id} lapsed when the case's clock stopped "
                       f"({row.lapsed_because}): there is nothing left to decide",
                       state=row.state, request_id=row.id, lapsed_because=row.lapsed_because)
    if row.state != PENDING:
        raise Conflict(f"extension request {request_id} was {row.state} already by {row.decided_by}",
                       state=row.state, request_id=row.id)
    return row, clock


def _decide(row: ExtensionRequest, actor: Actor, state: str, opinion: str | None, now: datetime) -> None:
    row.state, row.decided_by, row.decided_at, row.opinion = state, actor.name, now, opinion


def _require_none_pending(uow: UnitOfWork, instance_id: int) -> None:
    pending = uow.session.scalar(select(ExtensionRequest).where(
        ExtensionRequest.instance_id == instance_id, ExtensionRequest.state == PENDING))
    if pending is not None:
        raise Conflict(f"process instance {instance_id} has extension request {pending.id} pending already "
                       f"({pending.days} working days, requested by {pending.requested_by}): the head decides it "
                       "first", pending_request_id=pending.id, state=PENDING)


def _history(uow: UnitOfWork, instance_id: int, actor: Actor, now: datetime, event: str,
             data: dict[str, Any]) -> None:
    uow.session.add(HistoryEvent(instance_id=instance_id, at=now, actor=actor.name, event=event, data=data))


def _view_of(uow: UnitOfWork, row: ExtensionRequest) -> ExtensionRequestView:
    return _views(uow, [row])[0]


def _views(uow: UnitOfWork, rows: list[ExtensionRequest]) -> list[ExtensionRequestView]:
    """Views of the rows, with their cases' numbers, items and deadlines: two queries for the page."""
    ids = sorted({r.instance_id for r in rows})
    cases = {i: (bk, key, name) for i, bk, key, name in uow.session.execute(
        select(ProcessInstance.id, ProcessInstance.business_key, ProcessInstance.definition_key,
               ProcessDefinition.name).join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .where(ProcessInstance.id.in_(ids)))} if ids else {}
    clocks = {c.instance_id: c for c in uow.session.scalars(select(CaseClock).where(CaseClock.instance_id.in_(ids)))} \
        if ids else {}
    now = utcnow()
    views = []
    for r in rows:
        business_key, key, name = cases.get(r.instance_id, ("", "", None))
        clock = clocks.get(r.instance_id)
        view = time_limits.clock_view(uow, clock, [], now) if clock is not None else None
        views.append(ExtensionRequestView(
            id=r.id, instance_id=r.instance_id, business_key=business_key, definition_key=key,
            item_name=name or key, days=r.days, reason=r.reason, state=r.state, requested_by=r.requested_by,
            requested_at=r.requested_at, decided_by=r.decided_by, decided_at=r.decided_at, opinion=r.opinion,
            deadline_date=view.deadline_date if view else None, granted_days=r.granted_days,
            lapsed_because=r.lapsed_because, overdue=bool(view and view.overdue and r.state == PENDING),
            remaining_days=view.extension_remaining_days if view else 0))
    return views
