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

from .models import CaseClock
from .time_limits import STOPPED, _calendar, clock_view
from .unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from .execution import Case

log = logging.getLogger(__name__)

DUE_SHARE = "govflow.dueShare"


def apply(uow: UnitOfWork, case: Case, now: datetime) -> None:
    """Set the due date of the tasks this save creates whose element has a share (before their rows are
    written). Helper: the caller's transaction."""
    rows = [row for row in case.new_tasks if DUE_SHARE in (row.properties or {})]
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
