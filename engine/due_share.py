"""A step's due date as a share of the case's remaining time (``govflow.dueShare``, bpmn/README.md).

A user task with the extension property ``govflow.dueShare`` = ``0.3`` is due after 30% of the working
days the case has left when the task is created (rounded down, at least 1), counted in the case's
calendar to the end of that working day. It needs a running (or paused) clock: before acceptance and
after the decision the task keeps whatever ``camunda:dueDate`` says, if anything.

``execution.save`` calls ``apply`` after ``time_limits.apply``, so a task reached in the same command
that accepts the case (and starts its clock) already gets its share.
"""
from __future__ import annotations

import logging
import math
from datetime import datetime
from typing import TYPE_CHECKING

from .models import CaseClock, Task
from .time_limits import STOPPED, _calendar, clock_view
from .unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from .execution import Case

log = logging.getLogger(__name__)

DUE_SHARE = "govflow.dueShare"


def apply(uow: UnitOfWork, case: Case, now: datetime) -> None:
    """Set the due date of the tasks this command created whose element has a share. Helper: the
    caller's transaction."""
    created = {item["task_id"] for item in case.history if item["event"] == "task.created"}
    if not created:
        return
    rows = [row for row in _rows(uow, created) if DUE_SHARE in (row.properties or {})]
    if not rows:
        return
    clock = uow.session.get(CaseClock, case.row.id)
    if clock is None or clock.state == STOPPED:
        return
    remaining = clock_view(uow, clock, [], now).remaining_working_days
    for row in rows:
        share = parse_share(row.properties[DUE_SHARE])
        if share is None:
            log.warning("%s of %s in %s is not a number in (0, 1]: %r", DUE_SHARE, row.bpmn_id,
                        case.row.definition_key, row.properties[DUE_SHARE])
            continue
        days = max(1, math.floor(remaining * share))
        row.due_at = _calendar(uow, clock.calendar).deadline_at(now, days).at


def parse_share(value: object) -> float | None:
    try:
        share = float(str(value).strip())
    except ValueError:
        return None
    return share if 0 < share <= 1 else None


def _rows(uow: UnitOfWork, task_ids: set[str]) -> list[Task]:
    """The task rows of this command: still pending in the session, or flushed (then in its identity map)."""
    pending = [obj for obj in uow.session.new if isinstance(obj, Task) and obj.id in task_ids]
    flushed = [uow.session.get(Task, task_id) for task_id in task_ids - {row.id for row in pending}]
    return pending + [row for row in flushed if row is not None]
