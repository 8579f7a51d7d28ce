"""Overdue reasons (超期说明原因, SX45/XA33): a case past its deadline needs a recorded reason.

A clerk of the case (or an admin) records it once the deadline has passed: while the clock still runs (a
red case), or after the case ended late (decided, withdrawn or terminated after its deadline: it was
overdue, and stays on supervision's list of unexplained cases until its reason is recorded). Each record
is a row (who, when, reason, category) and a history item ``supervision.overdue_reason`` on the case's
timeline; the latest one is the case's reason on the supervision board (engine.supervision).

A supervisor judges the latest reason (``judge``, SX45: unjustified overdue cases are reported): justified, or
unjustified with an opinion saying why; a history item ``supervision.overdue_verdict`` records each verdict,
a later verdict replaces an earlier one, and a reason recorded after it is judged afresh. ``unjustified``
is the report (通报): every reason judged unjustified in a period, each saying whether it is still the case's
current reason; a department recording a new reason does not take its case off a report already made.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select

from .case_access import require_case, require_clerk_of_case
from .clock import utcnow
from .errors import Conflict, Forbidden, NotFound, ValidationFailed
from .execution import item_names
from .models import CaseClock, HistoryEvent, OverdueReason, ProcessInstance
from .text import optional_text, required_text
from .time_limits import clock_view
from .unit_of_work import UnitOfWork
from .users import Actor

# Why the deadline passed: the applicant (late supplements), the department itself, waiting for another
# department or level, force majeure, or something else the reason explains.
CATEGORIES = ("applicant", "department", "coordination", "force_majeure", "other")
MAX_REASON = 2000
HISTORY_EVENT = "supervision.overdue_reason"
JUSTIFIED, UNJUSTIFIED = "justified", "unjustified"
VERDICTS = (JUSTIFIED, UNJUSTIFIED)
VERDICT_EVENT = "supervision.overdue_verdict"


@dataclass
class OverdueReasonView:
    instance_id: int
    reason: str
    category: str | None
    recorded_by: str
    recorded_at: datetime
    verdict: str | None = None  # justified | unjustified; None until a supervisor judged it
    verdict_opinion: str | None = None
    verdict_by: str | None = None
    verdict_at: datetime | None = None


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


def judge(uow: UnitOfWork, instance_id: int, *, actor: Actor, verdict: str, opinion: str | None = None,
          now: datetime | None = None) -> OverdueReasonView:
    """A supervisor's verdict on the case's current overdue reason: ``justified``, or ``unjustified`` with an
    opinion (what the report says). Judging again replaces the verdict; the history keeps each.

    Raises:
        Forbidden: not a supervisor or an admin, or the one who recorded the reason (nobody judges their own).
        ValidationFailed: an unknown verdict, an unjustified one without an opinion, an opinion over 2000
            characters.
        NotFound: no such case.
        Conflict: the case has no overdue reason recorded.
    """
    actor.require("supervisor", action="judge overdue reasons")
    if verdict not in VERDICTS:
        raise ValidationFailed(f"unknown verdict {verdict!r}", details=[
            {"field": "verdict", "message": f"one of {', '.join(VERDICTS)}"}])
    said = optional_text(opinion, field="opinion", longest=MAX_REASON)
    if verdict == UNJUSTIFIED and said is None:
        raise ValidationFailed("an unjustified reason needs an opinion saying why", details=[
            {"field": "opinion", "message": "required when the verdict is unjustified"}])
    now = now or utcnow()
    with uow:
        if uow.session.get(ProcessInstance, instance_id) is None:
            raise NotFound(f"process instance {instance_id} not found")
        row = uow.session.scalars(select(OverdueReason).where(OverdueReason.instance_id == instance_id)
                                  .order_by(OverdueReason.id.desc()).limit(1).with_for_update()).first()
        if row is None:
            raise Conflict(f"process instance {instance_id} has no overdue reason to judge")
        if row.recorded_by == actor.name:
            raise Forbidden(f"{actor.name} recorded this reason and may not judge it")
        row.verdict, row.verdict_opinion, row.verdict_by, row.verdict_at = verdict, said, actor.name, now
        uow.session.add(HistoryEvent(instance_id=instance_id, at=now, actor=actor.name, event=VERDICT_EVENT,
                                     data={"verdict": verdict, "opinion": said, "reason": row.reason}))
        uow.commit()
        return _view(row)


@dataclass
class ReportedCase:
    """A case whose overdue reason a supervisor judged unjustified (the report, 通报)."""

    instance_id: int
    business_key: str
    process_key: str
    item_name: str
    reason: OverdueReasonView
    current: bool  # still the case's reason: its department has recorded no other since


def unjustified(uow: UnitOfWork, *, actor: Actor, since: datetime | None = None, until: datetime | None = None,
                limit: int | None = None, offset: int = 0) -> tuple[list[ReportedCase], int]:
    """Every reason judged unjustified (as its verdict now stands), latest verdict first, each with its case;
    ``since``/``until``: the verdicts given in that period; ``limit`` of them (all when None) from ``offset``,
    and how many there are.

    Raises Forbidden: not a supervisor or an admin."""
    actor.require("supervisor", action="see supervision")
    with uow:
        newest = select(func.max(OverdueReason.id)).group_by(OverdueReason.instance_id)
        query = (select(OverdueReason, ProcessInstance.business_key, ProcessInstance.definition_key,
                        OverdueReason.id.in_(newest))
                 .join(ProcessInstance, ProcessInstance.id == OverdueReason.instance_id)
                 .where(OverdueReason.verdict == UNJUSTIFIED)
                 .order_by(OverdueReason.verdict_at.desc(), OverdueReason.id.desc()))
        if since is not None:
            query = query.where(OverdueReason.verdict_at >= since)
        if until is not None:
            query = query.where(OverdueReason.verdict_at < until)
        total = uow.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
        rows = list(uow.session.execute(query.offset(offset).limit(limit)))
        names = item_names(uow, sorted({key for _, _, key, _ in rows}))
        return [ReportedCase(row.instance_id, business_key, key, names[key], _view(row), bool(current))
                for row, business_key, key, current in rows], total


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
                             recorded_by=row.recorded_by, recorded_at=row.recorded_at, verdict=row.verdict,
                             verdict_opinion=row.verdict_opinion, verdict_by=row.verdict_by,
                             verdict_at=row.verdict_at)
