"""Timers that SpiffWorkflow fires by itself while another command runs on the case.

Every command ends its engine steps with SpiffWorkflow's timer refresh, which compares each waiting
timer's due time with the wall clock. A timer that fell due but was not fired by a worker yet (its job
still pending, or leased and about to fire) fires right there, inside the clerk's (or a message's)
command. Its job must then end as fired, with the ``timer.fired`` history item that engine.jobs would
have written, not as cancelled. When engine.jobs itself fires the job it has already recorded the item
in the same command, so nothing is recorded twice; a worker holding a lease on a job fired this way
finds it no longer pending and skips it.

``execution._sync_waits`` calls these for the stored jobs whose timers stopped waiting or moved on.

A timer whose ``timeDate`` calls ``workdays(n)`` was counted on the calendar as it stood when the timer
started waiting; ``recounted_due`` and ``move`` shift it when a calendar year is loaded later
(``time_limits.recount_workdays``, in the loading transaction).
"""
from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimeDateEventDefinition, TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import EventBasedGateway
from SpiffWorkflow.util.task import TaskState

from . import _spiff
from .models import Job

if TYPE_CHECKING:
    from .calendar import WorkdaysFunction
    from .execution import Case

log = logging.getLogger(__name__)

DONE, CANCELLED = "done", "cancelled"
_FIRED = TaskState.COMPLETED | TaskState.READY | TaskState.STARTED
CALLS_WORKDAYS = re.compile(r"\bworkdays\s*\(")


def ended_state(case: Case, job: Job) -> str:
    """The state of a job whose timer no longer waits: ``done`` if the timer fired in this command
    (recorded as ``timer.fired`` unless engine.jobs is the one firing it), else ``cancelled``."""
    task = _spiff.task_by_id(case.workflow, job.task_id)
    if task is None or not _timer_fired(task):
        return CANCELLED  # its task completed first, a message won the gateway, or the case ended
    _record(case, job, task)
    return DONE


def cycle_moved(case: Case, job: Job, next_due: datetime) -> None:
    """A cycle's next occurrence moved later: if the one the job waited for had passed, it fired here."""
    now = case.row.updated_at
    if next_due > job.due_at and job.due_at <= now:
        _record(case, job, _spiff.task_by_id(case.workflow, job.task_id))


def _timer_fired(task: Any) -> bool:
    if not (task.state & _FIRED or task.internal_data.get("event_fired")):
        return False
    if isinstance(task.task_spec, EventBasedGateway):  # it waits for several events: which branch went on?
        return any(isinstance(getattr(child.task_spec, "event_definition", None), TimerEventDefinition)
                   and child.state & _FIRED for child in task.children)
    return True


def _record(case: Case, job: Job, task: Any) -> None:
    if any(item["event"] == "timer.fired" and item.get("task_id") == job.task_id for item in case.history):
        return  # engine.jobs fires this job in this very command and said so
    spec = task.task_spec if task is not None else None
    item = {"event": "timer.fired", "actor": None, "element_id": job.bpmn_id,
            "element_name": getattr(spec, "bpmn_name", None),
            "element_type": type(spec).__name__ if spec is not None else None, "task_id": job.task_id,
            "data": {"job_id": job.id, "due_at": job.due_at.isoformat(), "fired_at": case.row.updated_at.isoformat(),
                     "worker": None, "during_command": True}}
    # Before the timer's own steps, as when engine.jobs fires it.
    at = next((i for i, other in enumerate(case.history) if other.get("task_id") == job.task_id), len(case.history))
    case.history.insert(at, item)


# ---- timers counted in working days ------------------------------------------------------------

def recounted_due(case: Case, job: Job, workdays: WorkdaysFunction) -> datetime | None:
    """The due time of the job's timer counted again with ``workdays`` (counting from when the timer
    started waiting, on the calendar as it now is), or None when the timer is not a waiting ``timeDate``
    whose expression calls workdays(), or its expression no longer evaluates (it stays as it is)."""
    from .execution import evaluate  # execution imports this module

    task = _spiff.task_by_id(case.workflow, job.task_id)
    if task is None or not task.has_state(TaskState.WAITING) or task.internal_data.get("event_fired") \
            or not isinstance(task.internal_data.get("event_value"), str):
        return None
    event = getattr(task.task_spec, "event_definition", None)
    if not isinstance(event, TimeDateEventDefinition) or not CALLS_WORKDAYS.search(event.expression or ""):
        return None
    try:
        value = evaluate(task, event.expression, {**task.data, "workdays": workdays})
        return TimerEventDefinition.get_datetime(value) if isinstance(value, str) else None
    except Exception as exc:  # noqa: BLE001 -- any failure of a diagram's expression: the timer keeps its time
        log.warning("timer %s of case %s not recounted: %s", job.bpmn_id, case.row.id, exc)
        return None


def move(case: Case, job: Job, due: datetime, reason: str) -> None:
    """Move a waiting timer to ``due``: where SpiffWorkflow keeps it (the task's ``event_value``, stored with
    the case by ``execution.save`` and its version check) and the job's due time, so the save finds them
    agreeing; recorded as ``timer.moved``."""
    task = _spiff.task_by_id(case.workflow, job.task_id)
    assert task is not None  # recounted_due found it waiting
    task.internal_data["event_value"] = due.isoformat()
    case.record("timer.moved", actor=None, element_id=job.bpmn_id, element_name=task.task_spec.bpmn_name,
                element_type=type(task.task_spec).__name__, task_id=job.task_id,
                data={"job_id": job.id, "from": job.due_at.isoformat(), "to": due.isoformat(), "reason": reason})
    job.due_at = due
