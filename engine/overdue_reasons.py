"""Overdue reasons (超期说明原因, SX45/XA33): a case past its deadline needs a recorded reason.

A clerk of the case (or an admin) records it once the deadline has passed: while the clock still runs (a
red case), or after the case ended late (decided, withdrawn or terminated after its deadline: it was
overdue, and stays on supervision's list of unexplained cases until its reason is recorded). Each record
is a row (who, when, reason, category) and a history item ``supervision.overdue_reason`` on the case's
timeline; the latest one is the case's reason on the supervision board (engine.supervision).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select

from .case_access import require_case, require_clerk_of_case
from .clock import utcnow
from .errors import Conflict, NotFound, ValidationFailed
from .models import CaseClock, HistoryEvent, OverdueReason, ProcessInstance
from .text import required_text
from .time_limits import clock_view
from .unit_of_work import UnitOfWork
from .users import Actor

# Why the deadline passed: the applicant (late supplements), the department itself, waiting for another
# department or level, force majeure, or something else the reason explains.
CATEGORIES = ("applicant", "department", "coordination", "force_majeure", "other")
MAX_REASON = 2000
HISTORY_EVENT = "supervision.overdue_reason"


@dataclass
class OverdueReasonView:
    instance_id: int
    reason: str
    category: str | None
    recorded_by: str
    recorded_at: datetime


def record(uow: UnitOfWork, instance_id: int, *, actor: Actor, reason: str, category: str | None = None,
           now: datetime | None = None) -> OverdueReasonView:
    """Record why the case is overdue; a later record replaces the earlier one as the case's reason.

    Raises:
        ValidationFailed: no reason, a reason over 2000 characters, or an unknown category.
        NotFound: no such case (or one outside a scoped clerk's departments).
        Forbidden: neither a clerk who has or had a task in the case nor an admin.
        Conflict: the case is not overdue (no clock, the deadline has not passed, or the clock stopped by it).
    """
    text = required_text(reason, field="reason", longest=MAX_REASON)
    if category is not None and category not in CATEGORIES:
        raise ValidationFailed(f"unknown category {category!r}", details=[
            {"field": "category", "message": f"one of {', '.join(CATEGORIES)}"}])
    now = now or utcnow()
    with uow:
        require_case(uow, actor, instance_id)  # outside a scoped clerk's departments: no such case (404)
        if uow.session.get(ProcessInstance, instance_id) is None:
            raise NotFound(f"process instance {instance_id} not found")
        require_clerk_of_case(uow, actor, instance_id, action="explain the delay")
        clock = uow.session.get(CaseClock, instance_id)
        # A stopped clock is viewed as it stopped: overdue when it stopped after its deadline.
        if clock is None or not clock_view(uow, clock, [], now).overdue:
            raise Conflict(f"process instance {instance_id} is not overdue: a reason is recorded once its "
                           "deadline has passed, while its clock runs or after it stopped late",
                           state=clock.state if clock is not None else None)
        row = OverdueReason(instance_id=instance_id, reason=text, category=category, recorded_by=actor.name,
                            recorded_at=now)
        uow.session.add(row)
        uow.session.add(HistoryEvent(instance_id=instance_id, at=now, actor=actor.name, event=HISTORY_EVENT,
                                     data={"reason": text, "category": category}))
        uow.commit()
        return _view(row)


def latest(uow: UnitOfWork, instance_ids: Iterable[int] | Select[Any]) -> dict[int, OverdueReasonView]:
    """The current reason of each of these cases (ids, or a query of them) that has one. Helper: the
    caller's transaction."""
    ids = instance_ids if isinstance(instance_ids, Select) else list(instance_ids)
    if not isinstance(ids, Select) and not ids:
        return {}
    newest = (select(func.max(OverdueReason.id)).where(OverdueReason.instance_id.in_(ids))
              .group_by(OverdueReason.instance_id))
    rows = uow.session.scalars(select(OverdueReason).where(OverdueReason.id.in_(newest)))
    return {row.instance_id: _view(row) for row in rows}


def _view(row: OverdueReason) -> OverdueReasonView:
    return OverdueReasonView(instance_id=row.instance_id, reason=row.reason, category=row.category,
                             recorded_by=row.recorded_by, recorded_at=row.recorded_at)
