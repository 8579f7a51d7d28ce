"""Jobs: durable BPMN timers. Claim due rows with a lease, fire each in its own transaction, retry
failures with back-off, and turn the last failure into an incident that supervisors retry or resolve.

The jobs table is the truth; schedulers (engine.worker) only decide when to look at it. Execution
writes one pending row per waiting timer in the transaction that reached it (``execution._sync_waits``).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import or_, select, update

from . import _spiff, execution, instances
from .clock import utcnow
from .errors import Conflict, EngineError, NotFound
from .models import HistoryEvent, Job, ProcessInstance
from .text import required_text
from .unit_of_work import Runtime, UnitOfWork
from .users import Actor

log = logging.getLogger(__name__)

PENDING, DONE, FAILED, CANCELLED = "pending", "done", "failed", "cancelled"
# What fire() did with a job.
FIRED, SKIPPED, DROPPED, HELD, RETRYING, INCIDENT, CONFLICT = (
    "fired", "skipped", "dropped", "held", "retrying", "incident", "conflict")
# Seconds before each retry; a failure after the last one makes the job an incident.
BACKOFF = (5, 30, 120, 600, 3600)
MAX_NOTE = 2000  # how a supervisor says an incident was dealt with


@dataclass
class IncidentView:
    id: int
    instance_id: int
    business_key: str
    definition_key: str
    kind: str
    bpmn_id: str
    task_id: str
    state: str
    due_at: datetime
    attempts: int
    last_error: str | None
    created_at: datetime


# ---- the worker's side: claim and fire ---------------------------------------------------------

def _lease_free(now: datetime) -> Any:
    return or_(Job.lock_expires_at.is_(None), Job.lock_expires_at < now)


def claim_due(uow: UnitOfWork, *, worker_id: str, now: datetime | None = None, limit: int = 50) -> list[int]:
    """Lease up to ``limit`` due pending jobs to ``worker_id`` (earliest first) and commit the lease.

    A job is due when its due time has passed, its case is not suspended, and nobody holds an unexpired
    lease on it (a crashed worker's lease runs out, then another worker takes the job). Concurrent
    claimers never get the same job. Raises nothing of its own; database errors propagate.
    """
    now = now or utcnow()
    lease_until = now + timedelta(seconds=uow.settings.job_lease_seconds)
    # A suspended case keeps its timers pending; skipping them here spares a load per poll until resume.
    due = (select(Job.id).join(ProcessInstance, ProcessInstance.id == Job.instance_id)
           .where(Job.state == PENDING, Job.kind.in_(HANDLERS), Job.due_at <= now, _lease_free(now),
                  ProcessInstance.state != "suspended")
           .order_by(Job.due_at, Job.id).limit(limit))
    with uow:
        session = uow.session
        if uow.dialect == "postgresql":
            ids = list(session.scalars(due.with_for_update(of=Job, skip_locked=True)))
            if ids:
                session.execute(update(Job).where(Job.id.in_(ids))
                                .values(lock_owner=worker_id, lock_expires_at=lease_until)
                                .execution_options(synchronize_session=False))
        else:
            # SQLite: the plain read takes no lock, so idle polls never block writers. The update is
            # one atomic statement that repeats the lease test: rows another worker leased since the
            # read are left alone, and RETURNING tells which rows this claim won.
            candidates = list(session.scalars(due))
            if not candidates:
                return []
            won = set(session.scalars(
                update(Job).where(Job.id.in_(candidates), Job.state == PENDING, _lease_free(now))
                .values(lock_owner=worker_id, lock_expires_at=lease_until)
                .returning(Job.id).execution_options(synchronize_session=False)))
            ids = [job_id for job_id in candidates if job_id in won]
        uow.commit()
        return ids


def fire(uow: UnitOfWork, job_id: int, *, worker_id: str, now: datetime | None = None) -> str:
    """Fire one leased job in one transaction; returns what happened (FIRED, SKIPPED, ...).

    Idempotent: a job no longer pending, leased by another worker, or whose timer no longer waits
    (its task completed, its case ended) fires nothing. A suspended case keeps the job pending. A
    failure rolls the case back and retries the job after BACKOFF; after the last retry the job is
    an incident (state ``failed``) and its case keeps running.

    Raises nothing for what happens while firing: a failure is recorded on the job (RETRYING,
    INCIDENT), a concurrent change of the case returns CONFLICT and the next poll tries again.
    Database errors while holding or committing propagate, and the lease expires.
    """
    now = now or utcnow()
    with uow:
        held = _hold(uow, job_id, worker_id, now)
        if held is None:
            return SKIPPED
        job, _case_row = held  # kept referenced: open_case then finds the row in the (weak) identity map
        try:
            outcome = HANDLERS[job.kind](uow, job, now)
            job.lock_owner = job.lock_expires_at = None
        except Conflict:
            uow.session.rollback()
            outcome = CONFLICT if _release(uow, job_id, worker_id) else SKIPPED
        except Exception as exc:
            uow.session.rollback()
            outcome = _record_failure(uow, job_id, worker_id, now, exc)
        uow.commit()
        return outcome


def run_due(runtime: Runtime, *, worker_id: str, now: datetime | None = None, limit: int = 50) -> int:
    """Claim due jobs and fire each in its own unit of work; returns how many fired.

    A job that raises unexpectedly is logged and left to its lease, so one bad row cannot stop the
    others. Raises database errors of the claim itself.
    """
    fired = 0
    for job_id in claim_due(runtime.uow(), worker_id=worker_id, now=now, limit=limit):
        try:
            fired += fire(runtime.uow(), job_id, worker_id=worker_id, now=now) == FIRED
        except Exception:
            log.exception("job %s could not be fired; it is tried again when its lease expires", job_id)
    return fired


def _hold(uow: UnitOfWork, job_id: int, worker_id: str, now: datetime
          ) -> tuple[Job, ProcessInstance] | None:
    """Re-check and renew our lease in the firing transaction: the job and its case row, if the job is
    still ours and due.

    Both rows stay locked until commit (PostgreSQL; SQLite has one writer anyway): a worker that took
    over an expired lease waits, then sees the outcome. The case row is locked first because every
    command writes the case and then its jobs; the same order means a timer firing while a clerk
    completes the same case makes one wait (and then conflict), never a deadlock.
    """
    ours = (Job.id == job_id, Job.state == PENDING, Job.lock_owner == worker_id, Job.due_at <= now)
    instance_id = select(Job.instance_id).where(*ours).scalar_subquery()
    case_row = uow.session.scalars(select(ProcessInstance).where(ProcessInstance.id == instance_id)
                                   .with_for_update(of=ProcessInstance)).first()
    if case_row is None:
        return None
    lease_until = now + timedelta(seconds=uow.settings.job_lease_seconds)
    job = uow.session.scalars(
        update(Job).where(*ours).values(lock_expires_at=lease_until).returning(Job)
        .execution_options(synchronize_session=False)).one_or_none()
    return None if job is None else (job, case_row)


def _release(uow: UnitOfWork, job_id: int, worker_id: str) -> bool:
    return uow.session.scalar(
        update(Job).where(Job.id == job_id, Job.state == PENDING, Job.lock_owner == worker_id)
        .values(lock_owner=None, lock_expires_at=None).returning(Job.id)
        .execution_options(synchronize_session=False)) is not None


def _record_failure(uow: UnitOfWork, job_id: int, worker_id: str, now: datetime, exc: Exception) -> str:
    job = uow.session.get(Job, job_id)
    if job is None or job.state != PENDING or job.lock_owner != worker_id:
        return SKIPPED  # taken over or settled by someone else meanwhile
    job.attempts += 1
    job.last_error = exc.message if isinstance(exc, EngineError) else \
        f"internal error ({type(exc).__name__}); see the worker log"
    job.lock_owner = None
    if job.attempts <= len(BACKOFF):
        # The back-off goes in the lease expiry, not in due_at: execution resets a due_at that differs
        # from the timer's own due time (that is how cycles move on) whenever the case changes.
        job.lock_expires_at = now + timedelta(seconds=BACKOFF[job.attempts - 1])
        log.warning("job %s (%s) failed, attempt %s, retry at %s: %s", job.id, job.bpmn_id, job.attempts,
                    job.lock_expires_at, job.last_error, exc_info=not isinstance(exc, EngineError))
        return RETRYING
    job.state, job.lock_expires_at = FAILED, None
    log.error("job %s (%s) failed %s times and is now an incident: %s", job.id, job.bpmn_id, job.attempts,
              job.last_error, exc_info=not isinstance(exc, EngineError))
    _log(uow, job, "incident.created", actor=None, error=job.last_error, attempts=job.attempts)
    return INCIDENT


# ---- timers ------------------------------------------------------------------------------------

def _fire_timer(uow: UnitOfWork, job: Job, now: datetime) -> str:
    case = execution.open_case(uow, job.instance_id)
    if case.row.state == "suspended":
        return HELD  # stays pending; resuming the case makes it fire
    task = _waiting_timer(case, job.task_id)
    if case.row.state != "running" or task is None:
        job.state = CANCELLED
        return DROPPED
    cycle_next = _make_expired(task, job.due_at)
    case.workflow.refresh_timers()
    if cycle_next is not None:
        _keep_cycle_schedule(task, cycle_next)
    spec = task.task_spec
    case.record("timer.fired", actor=None, element_id=job.bpmn_id, element_name=spec.bpmn_name,
                element_type=type(spec).__name__, task_id=job.task_id,
                data={"job_id": job.id, "due_at": job.due_at.isoformat(), "fired_at": now.isoformat(),
                      "worker": job.lock_owner})
    execution.run(case)
    instances.settle(uow, case)
    # settle re-synced the case's timer rows through this same object: a cycle with occurrences
    # left kept it pending with its next due time; otherwise the timer is gone and the job is done.
    if job.state == CANCELLED:
        job.state = DONE
    return FIRED


def _waiting_timer(case: execution.Case, task_id: str) -> Any:
    task = _spiff.task_by_id(case.workflow, task_id)
    if task is None:
        return None
    event = getattr(task.task_spec, "event_definition", None)
    is_timer = isinstance(event, TimerEventDefinition) or (
        isinstance(event, MultipleEventDefinition)
        and any(isinstance(e, TimerEventDefinition) for e in event.event_definitions))
    if not is_timer or not task.has_state(TaskState.WAITING) or not task.internal_data.get("event_value"):
        return None
    return task


def _make_expired(task: Any, due_at: datetime) -> datetime | None:
    """Our clock decides that the timer is due; SpiffWorkflow compares the stored due time with the
    wall clock. So the stored time is moved just behind the wall clock. Returns a cycle's real next
    occurrence, which SpiffWorkflow would otherwise count from the moved time."""
    expired = (min(due_at, datetime.now(UTC)) - timedelta(milliseconds=1)).isoformat()
    value = task.internal_data["event_value"]
    if isinstance(value, dict):
        scheduled = datetime.fromisoformat(value["next"])
        value["next"] = expired
        return scheduled
    task.internal_data["event_value"] = expired
    return None


def _keep_cycle_schedule(task: Any, scheduled: datetime) -> None:
    value = task.internal_data.get("event_value")
    if isinstance(value, dict) and value.get("cycles"):
        value["next"] = (scheduled + timedelta(seconds=value["duration"])).isoformat()


# What fires a job of each kind; claim_due only takes kinds listed here.
HANDLERS: dict[str, Callable[[UnitOfWork, Job, datetime], str]] = {"timer": _fire_timer}


# ---- incidents ---------------------------------------------------------------------------------

def list_incidents(uow: UnitOfWork, *, actor: Actor) -> list[IncidentView]:
    """Jobs that failed after their last retry, oldest due first. Raises Forbidden."""
    actor.require("supervisor", action="see incidents")
    with uow:
        rows = uow.session.execute(
            select(Job, ProcessInstance.business_key, ProcessInstance.definition_key)
            .join(ProcessInstance, ProcessInstance.id == Job.instance_id)
            .where(Job.state == FAILED).order_by(Job.due_at, Job.id))
        return [_view(job, business_key, key) for job, business_key, key in rows]


def retry_incident(uow: UnitOfWork, job_id: int, *, actor: Actor) -> IncidentView:
    """Put a failed job back: pending, due at once, for one more attempt. A supervisor retries after fixing
    the cause and wants the answer now: failing again, it is an incident again at once (with the new error),
    not hidden behind another hour of automatic retries.

    Raises:
        Forbidden; NotFound (no such job); Conflict (the job is not an incident).
    """
    actor.require("supervisor", action="retry incidents")
    with uow:
        job = _incident(uow, job_id)
        # due_at is already past (the job failed firing), so clearing the lease makes it due now.
        job.state, job.attempts, job.lock_owner, job.lock_expires_at = PENDING, len(BACKOFF), None, None
        _log(uow, job, "incident.retried", actor=actor.name)
        uow.commit()
        return _view(job, *_case_keys(uow, job))


def resolve_incident(uow: UnitOfWork, job_id: int, *, actor: Actor, note: str) -> IncidentView:
    """Close an incident without firing its timer (handled by other means); the note goes to history.

    The case still waits at the timer: if the case changes later and the timer still waits, it is
    scheduled again. Raises:
        Forbidden; ValidationFailed (no note a reader would see); NotFound (no such job); Conflict (not an incident).
    """
    actor.require("supervisor", action="resolve incidents")
    note = required_text(note, field="note", longest=MAX_NOTE)
    with uow:
        job = _incident(uow, job_id)
        job.state = CANCELLED
        _log(uow, job, "incident.resolved", actor=actor.name, note=note)
        uow.commit()
        return _view(job, *_case_keys(uow, job))


def _incident(uow: UnitOfWork, job_id: int) -> Job:
    job = uow.session.get(Job, job_id)
    if job is None:
        raise NotFound(f"job {job_id} not found")
    if job.state != FAILED:
        raise Conflict(f"job {job_id} is {job.state}, not an incident", state=job.state)
    return job


def _case_keys(uow: UnitOfWork, job: Job) -> tuple[str, str]:
    row = uow.session.get(ProcessInstance, job.instance_id)
    assert row is not None  # jobs are deleted with their case
    return row.business_key, row.definition_key


def _view(job: Job, business_key: str, definition_key: str) -> IncidentView:
    return IncidentView(id=job.id, instance_id=job.instance_id, business_key=business_key,
                        definition_key=definition_key, kind=job.kind, bpmn_id=job.bpmn_id,
                        task_id=job.task_id, state=job.state, due_at=job.due_at, attempts=job.attempts,
                        last_error=job.last_error, created_at=job.created_at)


def _log(uow: UnitOfWork, job: Job, event: str, *, actor: str | None, **data: Any) -> None:
    uow.session.add(HistoryEvent(instance_id=job.instance_id, actor=actor, event=event,
                                 element_id=job.bpmn_id, task_id=job.task_id,
                                 data={"job_id": job.id, **data}))
