"""Tasks: the inbox. Query, claim, unclaim, assign, save (暂存), complete; and for external tasks, what a worker
standing in for a system does besides completing (Camunda's external-task service): take a task for a
while, report a failure, throw a BPMN error."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ErrorEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Table, and_, bindparam, false, func, insert, or_, select, update
from sqlalchemy.sql import Select

from . import (
    _form_compiler,
    _spiff,
    acceptance,
    bpmn_xml,
    confidential,
    db,
    delivery_methods,
    departments,
    execution,
    forms,
    jobs,
    materials,
    query_codes,
)
from .candidates import candidate_of, lists_candidate, open_to_every_clerk
from .case_access import require_case
from .case_lock import lock_case
from .clock import utcnow
from .errors import Conflict, Forbidden, InvalidRequest, NotFound, ProcessError, ValidationFailed
from .instances import InstanceView, _check_note, _member, case_view, settle
from .models import HistoryEvent, Job, ProcessDefinition, ProcessInstance, Task, TaskCandidate, User
from .text import required_text, without_controls
from .unit_of_work import UnitOfWork
from .users import SYSTEM, Actor, actor_of
from .variables import check_variables

# Each ends on the id: parallel steps share due dates and creation times, and a page boundary between
# equal rows would repeat some and skip others.
SORTS = {
    "due": (Task.due_at.is_(None), Task.due_at, Task.priority.desc(), Task.created_at, Task.id),
    "-due": (Task.due_at.is_(None), Task.due_at.desc(), Task.created_at, Task.id),
    "priority": (Task.priority.desc(), Task.due_at.is_(None), Task.due_at, Task.created_at, Task.id),
    "created": (Task.created_at, Task.id),
    "-created": (Task.created_at.desc(), Task.id),
}
TASK_STATES = ("READY", "SUSPENDED", "COMPLETED", "CANCELLED")
MAX_LOCK_SECONDS = 7 * 24 * 3600
LOCK_JOB = "task_lock"  # the job that ends a worker's lock on an external task when it expires
# On an error boundary event: the groups whose clerks may throw its error from a user task it catches for (the
# convening centre records that a member department did not attend, ending that department's ballot).
THROWN_BY = "govflow.thrownBy"
MAX_FAILURE_MESSAGE = 2000  # a worker's account of why an external task failed
# A ready task's internal data (SpiffWorkflow's, stored with the case, never passed on to the next step):
# its form's values saved without completing it (暂存). Not case data: only its form shows them.
DRAFT, DRAFT_MARKS = execution.TASK_DRAFT, execution.TASK_DRAFT_MARKS


@dataclass
class TaskFilter:
    candidate_group: str | None = None
    candidate_user: str | None = None
    assignee: str | None = None
    unassigned: bool = False
    mine: bool = False
    process_key: str | None = None
    business_key: str | None = None
    applicant: str | None = None  # part of the applicant's name (execution.applicant_matches)
    process_instance_id: int | None = None
    due_before: datetime | None = None
    state: str = "READY"
    kind: str | None = None
    topic: str | None = None
    # Failed external tasks: True lists only them, False none; None: none for workers, all for supervisors.
    failed: bool | None = None
    sort: str = "due"
    limit: int = 50
    offset: int = 0


# ---- rights ------------------------------------------------------------------------------------

def may_work(actor: Actor, task: Task) -> bool:
    if actor.has("admin"):
        return True
    if task.kind == "external":
        return actor.has("integrator")
    if not actor.has("clerk"):
        return False
    if task.assignee == actor.name or actor.name in (task.candidate_users or []):
        return True
    if set(task.candidate_groups or []) & actor.groups:
        return True
    # An open task nobody was named for is every clerk's; naming candidates narrows it. Once it ended (or
    # its case is held), it is its completer's and supervision's, as its case is (engine.case_access).
    return (not task.candidate_groups and not task.candidate_users and task.assignee is None
            and task.state == "READY")


def may_see(actor: Actor, task: Task) -> bool:
    return actor.has("supervisor") or may_work(actor, task) or task.completed_by == actor.name


def _visible(query: Select[Any], actor: Actor) -> Select[Any]:
    if actor.has("supervisor"):
        return query
    clauses = []
    if actor.has("clerk"):
        clauses += [Task.assignee == actor.name, candidate_of(actor), open_to_every_clerk()]
    if actor.has("integrator"):
        clauses.append(Task.kind == "external")
    clauses.append(Task.completed_by == actor.name)
    return query.where(or_(*clauses))


# ---- queries -----------------------------------------------------------------------------------

def list_tasks(uow: UnitOfWork, *, actor: Actor, where: TaskFilter) -> tuple[list[Task], int]:
    """Tasks the actor may see, filtered and sorted for queues. Raises InvalidRequest."""
    if where.sort not in SORTS:
        raise InvalidRequest(f"unknown sort {where.sort!r}; use one of {', '.join(SORTS)}")
    if where.state not in TASK_STATES + ("all",):
        raise InvalidRequest(f"unknown state {where.state!r}; use one of {', '.join(TASK_STATES)} or all")
    query = _visible(select(Task), actor)
    if where.state != "all":
        query = query.where(Task.state == where.state)
    if where.kind:
        query = query.where(Task.kind == where.kind)
    if where.topic is not None:
        query = query.where(Task.topic == where.topic)
    failed = where.failed if where.failed is not None else (None if actor.has("supervisor") else False)
    if failed is not None:  # a failed task waits for a supervisor's retry, not for the next worker
        query = query.where(Task.failed_at.is_not(None) if failed else Task.failed_at.is_(None))
    if where.candidate_group:
        query = query.where(lists_candidate("group", where.candidate_group))
    if where.candidate_user:
        query = query.where(lists_candidate("user", where.candidate_user))
    if where.assignee:
        query = query.where(Task.assignee == where.assignee)
    if where.unassigned:
        query = query.where(Task.assignee.is_(None))
    if where.mine:  # assigned to me, or mine to claim: listing me or my groups, or open to every clerk
        query = query.where(or_(Task.assignee == actor.name, and_(Task.assignee.is_(None), candidate_of(actor)),
                                open_to_every_clerk() if actor.has("clerk") else false()))
    if where.process_key:
        query = query.where(Task.definition_key == where.process_key)
    if where.business_key:
        query = query.where(Task.business_key.in_(query_codes.number_forms(where.business_key)))
    if where.applicant and (of_applicant := execution.of_applicant(where.applicant)) is not None:
        query = query.where(of_applicant)
    if where.process_instance_id is not None:
        query = query.where(Task.instance_id == where.process_instance_id)
    if where.due_before:
        query = query.where(Task.due_at < where.due_before)
    with uow:
        total = uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = uow.session.scalars(query.order_by(*SORTS[where.sort]).limit(where.limit).offset(where.offset))
        return list(rows), total


def get_task(uow: UnitOfWork, task_id: str, *, actor: Actor) -> Task:
    """Raises NotFound (also for tasks the actor may not see: no probing of ids)."""
    with uow:
        task = uow.session.get(Task, task_id)
        if task is None or not may_see(actor, task):
            raise NotFound(f"task {task_id} not found")
        return task


def task_data(uow: UnitOfWork, task_id: str, *, actor: Actor) -> tuple[Task, dict[str, Any]]:
    """A task with the case data it would show in its form, confidential variables concealed from all
    but supervision (engine.confidential). Raises NotFound."""
    with uow:
        reading = read(uow, task_id, actor)
        return reading.task, confidential.for_reader(reading.data, reading.hidden, actor)


def task_form(uow: UnitOfWork, task_id: str, *, actor: Actor) -> forms.TaskForm:
    """A task's form (form-js schema) and the current values of its fields, to prefill it: the case's data
    with the values last saved with the task (``save``, 暂存) over it.

    Raises:
        NotFound: no such task (or not visible to the actor), the task has no form, or its form is not
            deployed. ProcessError: the deployed form is broken.
    """
    with uow:
        reading = read(uow, task_id, actor)
        task = reading.task
        try:
            form = forms.describe(uow, task.form_key, reading.definition, with_draft(reading.data, reading.draft))
        except NotFound as exc:
            raise NotFound(f"task {task_id}: {exc.message}") from None
        delivery_methods.narrow(uow, uow.session.get_one(ProcessInstance, task.instance_id), form)
        return form


@dataclass
class TaskReading:
    """A task as its form and page read it (``read``)."""
    task: Task
    definition: ProcessDefinition  # the definition of the task's own process (a called one's, inside a call)
    data: dict[str, Any]  # all the data its form shows, for the form to pick its fields from
    hidden: frozenset[str]  # the case's confidential variable names (engine.confidential)
    draft: dict[str, Any]  # the values saved with the task (``save``, 暂存); empty: none, or the task ended
    draft_marks: dict[str, str]  # the checklist choices saved with them, by material name


def read(uow: UnitOfWork, task_id: str, actor: Actor) -> TaskReading:
    """A task the actor may see, with what its form and page show. Raises NotFound."""
    task = uow.session.get(Task, task_id)
    if task is None or not may_see(actor, task):
        raise NotFound(f"task {task_id} not found")
    case = execution.open_case(uow, task.instance_id)
    spiff_task = _spiff.task_by_id(case.workflow, task_id)
    draft: dict[str, Any] = {}
    draft_marks: dict[str, str] = {}
    if spiff_task is not None:
        definition, data = execution.definition_of(case, spiff_task), dict(spiff_task.data)
        if spiff_task.state == TaskState.READY:
            draft = dict(spiff_task.internal_data.get(DRAFT) or {})
            draft_marks = dict(spiff_task.internal_data.get(DRAFT_MARKS) or {})
    else:  # a finished task may be gone from the workflow: show the case as it stands
        definition, data = case.row.definition, execution.case_variables(case.workflow)
    data.pop("data_objects", None)
    return TaskReading(task, definition, data, case.hidden, draft, draft_marks)


def with_draft(data: dict[str, Any], draft: dict[str, Any]) -> dict[str, Any]:
    """The data a task's form is prefilled from: the values saved with it over the case's."""
    return _form_compiler.merge(data, draft) if draft else data


# ---- commands ----------------------------------------------------------------------------------

# Commands read the row in Core and answer with a transient Task: what they change, they write with their
# own guarded UPDATE (or execution.save does), never through the ORM's unit of work.
_TASKS = cast(Table, Task.__table__)
_TASK_BY_ID = select(_TASKS).where(_TASKS.c.id == bindparam("task_id"))


def _load_for_change(uow: UnitOfWork, task_id: str, actor: Actor) -> Task:
    stored = uow.session.execute(_TASK_BY_ID, {"task_id": task_id}).mappings().first()
    task = Task.from_row(stored) if stored is not None else None
    if task is None or not may_see(actor, task):
        raise NotFound(f"task {task_id} not found")
    if task.state != "READY":
        raise Conflict(f"task {task_id} is {task.state}", state=task.state, assignee=task.assignee)
    if task.failed_at is not None:
        # Still READY (a state the API lists): failed_at says why nobody may take it; ?failed=true lists it.
        raise Conflict(f"task {task_id} failed ({task.error_message}); it waits for a supervisor to retry it",
                       state=task.state, failed_at=task.failed_at.isoformat())
    return task


def _queue_behind_case_commands(uow: UnitOfWork, instance_id: int) -> None:
    """The case's row lock (engine.case_lock): a claim or an assignment then sees the departments a command
    running on the case adds, and two of them never add the same department twice. Taken before the task's
    row, in the order saves take them."""
    lock_case(uow.session, instance_id)


def _log(uow: UnitOfWork, task: Task, event: str, actor: Actor, **data: Any) -> None:
    uow.session.add(HistoryEvent(instance_id=task.instance_id, actor=actor.name, event=event,
                                 element_id=task.bpmn_id, element_name=task.name, element_type="UserTask",
                                 task_id=task.id, data=data))


def claim(uow: UnitOfWork, task_id: str, *, actor: Actor) -> Task:
    """Take a task: exactly one of several concurrent claimers wins.

    Raises:
        NotFound; Forbidden (not a candidate); Conflict (claimed by someone else, or no longer open).
    """
    with uow:
        task = _load_for_change(uow, task_id, actor)
        if not may_work(actor, task):
            raise Forbidden(f"{actor.name} is not a candidate for task {task_id}")
        if task.assignee == actor.name:
            return task
        if task.assignee is not None:
            raise Conflict(f"task {task_id} is claimed by {task.assignee}", state=task.state,
                           assignee=task.assignee)
        _queue_behind_case_commands(uow, task.instance_id)
        _require_still_active(uow, actor)
        now = utcnow()
        won = db.affected(uow.session.execute(
            update(Task).where(Task.id == task_id, Task.state == "READY", Task.assignee.is_(None))
            .values(assignee=actor.name, claimed_at=now).execution_options(synchronize_session=False)))
        if won != 1:
            raise Conflict(f"task {task_id} was claimed by someone else meanwhile", state=task.state)
        task.assignee, task.claimed_at = actor.name, now
        departments.join_with_groups(uow, task.instance_id, actor.groups, now)  # a candidate from elsewhere
        _log(uow, task, "task.claimed", actor)
        uow.commit()
        return task


def unclaim(uow: UnitOfWork, task_id: str, *, actor: Actor) -> Task:
    """Give a claimed task back to its queue. Raises NotFound, Forbidden, Conflict."""
    with uow:
        task = _load_for_change(uow, task_id, actor)
        if task.assignee is None:
            return task
        if task.assignee != actor.name and not actor.has("supervisor"):
            raise Forbidden(f"task {task_id} is claimed by {task.assignee}; only they or a supervisor may release it")
        if not _release(uow, task, actor):
            raise Conflict(f"task {task_id} changed meanwhile", state=task.state)
        uow.commit()
        return task


def _release(uow: UnitOfWork, task: Task, actor: Actor, states: tuple[str, ...] = ("READY",), **why: Any) -> bool:
    """Unassign a task still held by ``task.assignee`` and log it (``task.unclaimed``, with ``previous`` and
    ``why``); False, and nothing written, when the task left ``states`` or changed hands meanwhile. The
    caller's transaction."""
    released = db.affected(uow.session.execute(
        update(Task).where(Task.id == task.id, Task.state.in_(states), Task.assignee == task.assignee)
        .values(assignee=None, claimed_at=None, lock_expires_at=None).execution_options(synchronize_session=False)))
    if released != 1:
        return False
    previous, task.assignee, task.claimed_at, task.lock_expires_at = task.assignee, None, None, None
    _log(uow, task, "task.unclaimed", actor, previous=previous, **why)
    return True


_HELD_BY = select(_TASKS).where(_TASKS.c.assignee == bindparam("name"), _TASKS.c.state.in_(("READY", "SUSPENDED"))
                                ).order_by(_TASKS.c.instance_id, _TASKS.c.id)


def release_held(uow: UnitOfWork, name: str, *, actor: Actor, reason: str,
                 keep: Callable[[Task], bool] | None = None) -> list[Task]:
    """Give back to their queues the open tasks (ready, or held with their case) assigned to ``name``, as
    ``unclaim`` does, each logged with ``reason``; those ``keep`` accepts stay assigned. Returns the tasks
    released, as they now stand. The caller's transaction: a helper of engine.users (a leaver, a role taken
    away), whose change commits with it.

    A task the diagram itself gave to ``name`` (assigned, never claimed) that names no candidate would
    become every clerk's, its case with it: ``name`` stays named as its candidate user instead, so it waits
    unassigned where supervisors see it (and ``name``, should they come back), for one to assign.
    """
    released: list[Task] = []
    for stored in uow.session.execute(_HELD_BY, {"name": name}).mappings().all():
        task = Task.from_row(stored)
        if keep is not None and keep(task):
            continue
        named_by_diagram = task.claimed_at is None and not task.candidate_groups and not task.candidate_users
        if not _release(uow, task, actor, ("READY", "SUSPENDED"), reason=reason):
            continue  # it ended or changed hands meanwhile
        if named_by_diagram:
            task.candidate_users = [name]
            uow.session.execute(update(Task).where(Task.id == task.id).values(candidate_users=[name])
                                .execution_options(synchronize_session=False))
            uow.session.execute(insert(TaskCandidate).values(task_id=task.id, kind="user", value=name,
                                                             instance_id=task.instance_id))
        released.append(task)
    return released


def may_take(user: Actor, task: Task) -> bool:
    """Whether ``user`` may work ``task`` once it is given to them: may_work's rule for the task as if nobody
    held it (the role, and a candidate: named, in a candidate group, or the task naming nobody)."""
    if task.kind == "external" or user.has("admin"):
        return may_work(user, task)
    if not user.has("clerk"):
        return False
    named, groups = task.candidate_users or [], task.candidate_groups or []
    return user.name in named or bool(set(groups) & user.groups) or (not named and not groups)


def _candidate_clerk(user: Actor, task: Task) -> bool:
    """A clerk among the task's candidates (may_take without the admin's right to take any task)."""
    clerk = Actor(user.name, user.groups, user.roles - {"admin"})
    return clerk.has("clerk") and may_take(clerk, task)


def may_assign(actor: Actor, task: Task) -> bool:
    """Supervisors and admins assign any open task; the clerk holding a user task hands it to a colleague
    (转办) while they may still work it."""
    if task.state != "READY" or task.failed_at is not None:
        return False
    return actor.has("supervisor") or (task.kind == "user" and task.assignee == actor.name
                                       and may_work(actor, task))


@dataclass(frozen=True)
class Colleague:
    name: str
    display_name: str | None


_ACTIVE_USERS = select(User.name, User.display_name, User.groups, User.roles).where(User.active).order_by(User.name)


def colleagues(uow: UnitOfWork, task_id: str, *, actor: Actor) -> list[Colleague]:
    """The active users a task may be handed to: its candidates who may work it (``may_take``), by name,
    its holder left out. Users are few: one query reads them all and their groups are matched here, as
    SQLite and PostgreSQL spell JSON searches differently.

    Raises: NotFound (no such task, or not visible); Forbidden (the actor may not assign it).
    """
    with uow:
        task = uow.session.get(Task, task_id)
        if task is None or not may_see(actor, task):
            raise NotFound(f"task {task_id} not found")
        if not may_assign(actor, task):
            raise Forbidden(f"{actor.name} may not assign task {task_id}")
        # A clerk hands the task to a colleague among its candidates: not to an admin, who may take any task
        # but is nobody's colleague at a window; a supervisor assigns to whoever may take it.
        colleague = may_take if actor.has("supervisor") else _candidate_clerk
        return [Colleague(row.name, row.display_name) for row in uow.session.execute(_ACTIVE_USERS)
                if row.name != task.assignee
                and colleague(Actor(row.name, frozenset(row.groups or []), frozenset(row.roles or [])), task)]


def assign(uow: UnitOfWork, task_id: str, *, actor: Actor, assignee: str | None, note: str | None = None) -> Task:
    """Give a task to a named user (or nobody), logged as ``task.assigned`` with the previous holder and the
    optional ``note``. Supervisors and admins give it to anyone with the role to work it; the clerk holding
    it hands it to another active user among its candidates (转办: ``may_take``). Of an assignment and a
    completion or another assignment racing it, one wins and the other is a Conflict.

    Raises:
        Forbidden (neither a supervisor nor the task's holder); NotFound (task); ValidationFailed (no such
        user, a note too long: engine.instances.MAX_NOTE, the user is deactivated or lacks the
        role; for a holder, the user is not a candidate, is the holder, or is nobody: unclaim gives a task
        back); Conflict (task no longer open, or it changed hands meanwhile).
    """
    actor.require("supervisor", "clerk", action="assign tasks")
    note = _check_note(note)
    with uow:
        task = _load_for_change(uow, task_id, actor)
        if not may_assign(actor, task):
            raise Forbidden(f"{actor.name} may not assign task {task_id}: only its holder or a supervisor may")
        handover = not actor.has("supervisor")
        if handover and assignee in (None, actor.name):
            raise ValidationFailed("a task is handed over to a colleague; to give it back to its queue, "
                                   "unclaim it", details=[{"field": "assignee", "message": "another user"}])
        # The case first, then the user, as claims and deactivations (engine.users) take them: in the other
        # order a deactivation of the assignee holding a task of this case deadlocks with this assignment.
        _queue_behind_case_commands(uow, task.instance_id)
        # Locked for share, as in _require_still_active: a deactivation committing meanwhile waits for this
        # assignment, then releases the task; one committed before it is seen here.
        user = uow.session.scalars(select(User).where(User.name == assignee).with_for_update(read=True)
                                   ).first() if assignee else None
        if assignee is not None and user is None:  # named in the body: not the task's 404
            raise ValidationFailed(f"user {assignee!r} not found", details=[
                {"field": "assignee", "message": f"no user {assignee!r}"}])
        if user is not None:
            _require_worker(user, task)
            if handover and not _candidate_clerk(actor_of(user), task):  # a colleague, as colleagues() offers
                raise ValidationFailed(f"user {user.name!r} is not a candidate for task {task_id}", details=[
                    {"field": "assignee", "message": "a candidate of the task"}])
        now = utcnow()
        changed = db.affected(uow.session.execute(
            update(Task).where(Task.id == task_id, Task.state == "READY", Task.failed_at.is_(None),
                               Task.assignee.is_not_distinct_from(task.assignee))
            .values(assignee=assignee, claimed_at=now if assignee else None)
            .execution_options(synchronize_session=False)))
        if changed != 1:
            raise Conflict(f"task {task_id} changed meanwhile", state=task.state)
        if user is not None:
            departments.join_with_groups(uow, task.instance_id, user.groups or [], now)
        previous, task.assignee, task.claimed_at = task.assignee, assignee, now if assignee else None
        _log(uow, task, "task.assigned", actor, assignee=assignee, previous=previous,
             **({"note": note} if note else {}))
        uow.commit()
        return task


_ACTIVE = select(User.active).where(User.name == bindparam("name")).with_for_update(read=True)


def _require_still_active(uow: UnitOfWork, actor: Actor) -> None:
    """The actor was authenticated when their request began; a deactivation may have committed since, and
    its release of their tasks would miss this claim. The user's row, read (and locked for share) inside the
    claim's transaction: a deactivation committed before is seen, one under way waits for the claim and
    then releases the task. Actors without a user row (the system) pass."""
    active = uow.session.execute(_ACTIVE, {"name": actor.name}).scalar()
    if active is False:
        raise Forbidden(f"user {actor.name!r} is deactivated")


def _require_worker(user: User, task: Task) -> None:
    """Assigned to someone who cannot work it, a task would leave its queue for good."""
    needs = "integrator" if task.kind == "external" else "clerk"
    if not user.active:
        raise ValidationFailed(f"user {user.name!r} is deactivated", details=[
            {"field": "assignee", "message": "an active user"}])
    if not Actor(user.name, roles=frozenset(user.roles or [])).has(needs):
        raise ValidationFailed(f"user {user.name!r} cannot work this task (needs role {needs})", details=[
            {"field": "assignee", "message": f"a user with role {needs}"}])


def complete(uow: UnitOfWork, task_id: str, *, actor: Actor, variables: dict[str, Any] | None = None,
             marks: list[materials.NewMark] | None = None) -> InstanceView:
    """Complete a ready task with variables and run the case until it waits again.

    A task with a deployed form-js form takes only that form's fields, checked by its rules
    (engine.forms); hidden and readonly values are dropped. Every entrypoint gets the same checks.
    ``marks``: materials the window received on paper or that do not apply (engine.materials.record),
    recorded with the completion, before the acceptance step reads the materials; a refused completion
    records none.

    Raises:
        NotFound; Forbidden (not a candidate); Conflict (completed, cancelled, someone else's task, or
        another command changed the case meanwhile), or the case ended; ValidationFailed (a mark too:
        engine.materials.record); Forbidden (marks by someone not of the window: engine.materials.require_window);
        MaterialsMissing (an acceptance
        step accepting while materials are missing: engine.acceptance); ProcessError (a following step
        failed: nothing is stored).
    """
    variables = check_variables(variables)
    with uow:
        task, case, spiff_task = _completable(uow, task_id, actor, "complete")
        definition = execution.definition_of(case, spiff_task)
        variables = forms.validate_submission(uow, task.form_key, definition, spiff_task.data, variables)
        if marks:
            materials.record_marks(uow, case.row, actor=actor, marks=marks)
        spiff_task.internal_data.pop(DRAFT, None)  # what is submitted now is what counts
        spiff_task.internal_data.pop(DRAFT_MARKS, None)
        add = getattr(spiff_task.task_spec, "add_data_from_form", None)
        if add is not None:  # honours spiffworkflow:variableName (the form's data under one name)
            add(spiff_task, variables)
        else:
            spiff_task.set_data(**variables)
        execution.activate(case)  # its post-script may count working days
        try:
            with execution.without_secrets(case):  # a failing post-script may quote the case's data
                _spiff.firm_up(spiff_task)
                spiff_task.run()
        except SpiffWorkflowException as exc:
            error = ProcessError(f"completing {task.name or task.bpmn_id} failed: {str(exc).splitlines()[0]}")
            raise execution.without_secrets_of(case, error) from None
        acceptance.require_materials(uow, case.row, definition, spiff_task)  # 受理 only with the materials
        delivery_methods.require_offered(uow, case.row, variables)  # only the ways the guide offers
        case.completed_by[task_id] = actor.name
        if actor.has("admin"):
            case.claims_overridden.add(task_id)
        case.record("task.completed", actor=actor.name, element_id=task.bpmn_id, element_name=task.name,
                    element_type="UserTask", task_id=task_id, data={"variables": execution.clip(variables)})
        execution.run(case)
        settle(uow, case)
        uow.commit()
        return case_view(uow, case, actor)  # where the case stands too, as GET /api/process-instances/ID


def _completable(uow: UnitOfWork, task_id: str, actor: Actor, action: str
                 ) -> tuple[Task, execution.Case, Any]:
    """A ready task the actor may complete, its case (opened for a command, running) and its SpiffWorkflow
    task. Raises NotFound; Forbidden (not a candidate); Conflict (claimed by someone else, failed, no longer
    ready or in the case, or the case not running)."""
    task = _load_for_change(uow, task_id, actor)
    if not may_work(actor, task):
        raise Forbidden(f"{actor.name} may not {action} task {task_id}")
    if task.assignee is not None and task.assignee != actor.name and not actor.has("admin"):
        raise Conflict(f"task {task_id} is claimed by {task.assignee}", state=task.state, assignee=task.assignee)
    case = execution.open_case(uow, task.instance_id, actor=actor.name)
    if case.row.state != "running":
        raise Conflict(f"process instance {case.row.id} is {case.row.state}", state=case.row.state)
    spiff_task = _spiff.task_by_id(case.workflow, task_id)
    if spiff_task is None:  # its branch ended meanwhile
        raise Conflict(f"task {task_id} is no longer in the case", state=task.state)
    if spiff_task.state != TaskState.READY:
        raise Conflict(f"task {task_id} is no longer ready", state=TaskState.get_name(spiff_task.state))
    return task, case, spiff_task


def save(uow: UnitOfWork, task_id: str, *, actor: Actor, variables: dict[str, Any] | None = None,
         marks: list[materials.NewMark] | None = None) -> Task:
    """Store the form's values with a ready task without completing it (暂存): its form shows them from
    now on, to whoever opens it (the colleague it is handed to too); each save replaces the last. They are
    the task's, not the case's: nothing else reads them, and its completion takes what it is sent then.

    Whoever may complete the task may save it (the same checks). The values are checked as variables are,
    and only the form's fields are kept (readonly ones dropped), but not by the form's rules: a draft may be
    incomplete. History records ``task.saved`` with the names of the fields whose shown value changed (and of
    the materials whose choice changed), never the values (they may be confidential, engine.confidential, and
    are nobody's decision yet).

    ``marks``: the acceptance checklist's choices (纸质原件已核验, 不适用 ...) as the page shows them, kept
    with the values and shown chosen again, but recorded only by the completion (``complete``'s marks);
    checked against the case's checklist as recorded marks are. None keeps those saved before.

    Raises:
        NotFound; Forbidden (not a candidate); Conflict (claimed by someone else, failed, no longer open, the
        case not running, or the task changed hands or the case changed meanwhile); ValidationFailed
        (invalid variables, or a name the task's form does not have); ProcessError (the form is broken).
    """
    variables = check_variables(variables)
    with uow:
        task, case, spiff_task = _completable(uow, task_id, actor, "save")
        if not task.form_key:  # nothing could show the values again: refused rather than kept unread
            raise ValidationFailed(f"task {task_id} has no form whose values could be saved", details=[
                {"field": "variables", "message": "the task has no form"}])
        form = forms._form_for(uow, task.form_key, execution.definition_of(case, spiff_task))
        data = dict(spiff_task.data)
        draft = _draft_values(form, data, variables)
        before = with_draft(data, spiff_task.internal_data.get(DRAFT) or {})
        changed = _changed_fields(form, before, with_draft(data, draft),
                                  set(spiff_task.internal_data.get(DRAFT) or {}) | set(draft))
        saved_marks = dict(spiff_task.internal_data.get(DRAFT_MARKS) or {})
        chosen = saved_marks if marks is None else _draft_marks(uow, case.row, marks)
        remarked = sorted(name for name in set(saved_marks) | set(chosen) if saved_marks.get(name) != chosen.get(name))
        # Still the actor's to work, as the row stands: a claim committed since the row was read wins.
        held = db.affected(uow.session.execute(
            update(Task).where(Task.id == task_id, Task.state == "READY", Task.failed_at.is_(None),
                               Task.assignee.is_not_distinct_from(task.assignee))
            .values(assignee=task.assignee).execution_options(synchronize_session=False)))
        if held != 1:
            raise Conflict(f"task {task_id} changed meanwhile", state=task.state)
        spiff_task.internal_data[DRAFT] = draft
        if chosen:
            spiff_task.internal_data[DRAFT_MARKS] = chosen
        else:
            spiff_task.internal_data.pop(DRAFT_MARKS, None)
        case.record("task.saved", actor=actor.name, element_id=task.bpmn_id, element_name=task.name,
                    element_type="UserTask", task_id=task_id,
                    data={"fields": changed, **({"marks": remarked} if remarked else {})})
        execution.save(uow, case)
        uow.commit()
        return task


def _draft_marks(uow: UnitOfWork, row: ProcessInstance, marks: list[materials.NewMark]) -> dict[str, str]:
    """The checklist choices a save keeps: material name -> kind. Raises ValidationFailed (a material the
    checklist does not list, a kind it does not allow), as recording them would."""
    if not marks:
        return {}
    listed = {item.name: item.kinds for item in materials.case_checklist(uow, row).items}
    problems = materials.mark_problems(marks, listed)
    if problems:
        raise ValidationFailed("the checklist choices cannot be saved", details=problems)
    return {mark.name: mark.kind for mark in marks}


def _draft_values(form: Any, current: dict[str, Any], sent: dict[str, Any]) -> dict[str, Any]:
    """What a save keeps of ``sent``: the values of the form's fields, nested as sent, but those readonly or
    disabled now (the case's data shows there); all of it for a form the server does not hold (one the
    client application renders, which reads them back from the task's form data).
    Raises ValidationFailed for a name the form does not have, as its completion would."""
    if form is None:
        return sent
    heads = {spec.path[0] for spec in form.fields}
    unknown = [key for key in sent if key not in heads]
    if unknown:
        raise ValidationFailed(f"the form {form.name} has no field {', '.join(unknown)}", details=[
            {"field": key, "message": str(_form_compiler.UNKNOWN), "label": None, "rule": "unknown", "params": {}}
            for key in unknown])
    merged = _form_compiler.merge(current, sent)
    draft: dict[str, Any] = {}
    for spec in form.fields:
        found, value = _form_compiler._get(sent, spec.path)
        if not found or _form_compiler._any_holds(spec.locked, merged):
            continue
        target = draft
        for step in spec.path[:-1]:
            target = target.setdefault(step, {})
        target[spec.path[-1]] = value
    return draft


def _changed_fields(form: Any, before: dict[str, Any], after: dict[str, Any], keys: set[str]) -> list[str]:
    """The fields (a form's, in its order; else the names saved) whose value a save changed."""
    paths = [spec.path for spec in form.fields] if form is not None else [(key,) for key in sorted(keys)]
    return [".".join(path) for path in paths
            if _form_compiler._get(before, path) != _form_compiler._get(after, path)]


# ---- external tasks: what a worker does besides completing ---------------------------------------

def lock(uow: UnitOfWork, task_id: str, *, actor: Actor, lock_seconds: int) -> Task:
    """Claim an external task for ``lock_seconds`` (Camunda's fetch-and-lock for one task): unless it is
    completed by then, the claim lapses and the task goes back to its topic's queue. Locking a task one
    holds sets its lock anew, from now (an extension; history says ``task.locked``). A ``task_lock`` job,
    fired by the scheduler, does the release.

    Raises:
        NotFound; InvalidRequest (not an external task, or lock_seconds out of range); Forbidden (not an
        integrator); Conflict (claimed by someone else, failed, or no longer open).
    """
    if not 1 <= lock_seconds <= MAX_LOCK_SECONDS:
        raise InvalidRequest(f"lock_seconds must be 1 to {MAX_LOCK_SECONDS}")
    with uow:
        task = _external_task(uow, task_id, actor, "claim")
        if task.assignee not in (None, actor.name):  # an admin too: a worker's lock is not taken over
            raise Conflict(f"task {task_id} is claimed by {task.assignee}", state=task.state, assignee=task.assignee)
        _queue_behind_case_commands(uow, task.instance_id)
        _require_still_active(uow, actor)
        now = utcnow()
        held, until = task.assignee == actor.name, now + timedelta(seconds=lock_seconds)
        claimed_at = task.claimed_at if held and task.claimed_at is not None else now
        won = db.affected(uow.session.execute(
            update(Task).where(Task.id == task_id, Task.state == "READY", Task.failed_at.is_(None),
                               Task.assignee.is_not_distinct_from(task.assignee))
            .values(assignee=actor.name, claimed_at=claimed_at, lock_expires_at=until)
            .execution_options(synchronize_session=False)))
        if won != 1:
            raise Conflict(f"task {task_id} was claimed by someone else meanwhile", state=task.state)
        task.assignee, task.claimed_at, task.lock_expires_at = actor.name, claimed_at, until
        _schedule_lapse(uow, task, now)
        if not held:
            departments.join_with_groups(uow, task.instance_id, actor.groups, now)  # as claim does
        _log(uow, task, "task.locked" if held else "task.claimed", actor, lock_seconds=lock_seconds,
             lock_expires_at=task.lock_expires_at.isoformat())
        uow.commit()
        return task


def _schedule_lapse(uow: UnitOfWork, task: Task, now: datetime) -> None:
    """One pending lock job per task, due when its lock expires; created_at is when the lock was taken or
    extended, so that the job leaves alone a task given to someone since (engine.tasks.assign)."""
    job = uow.session.scalars(select(Job).where(Job.instance_id == task.instance_id, Job.task_id == task.id,
                                                Job.kind == LOCK_JOB, Job.state == jobs.PENDING)).first()
    if job is None:
        # Its own element id, marked: the case's diagram shows the element done once the task is, whether
        # or not the lock's job has fired yet ('#' never occurs in an XML id).
        job = Job(instance_id=task.instance_id, task_id=task.id, bpmn_id=f"{task.bpmn_id[:250]}#lock", kind=LOCK_JOB)
        uow.session.add(job)
    assert task.lock_expires_at is not None
    job.due_at, job.created_at, job.attempts = task.lock_expires_at, now, 0


def _lapse_lock(uow: UnitOfWork, job: Job, now: datetime) -> str:
    """The lock job's handler (engine.jobs): give the task back to its queue if the lock still holds it."""
    stored = uow.session.execute(_TASK_BY_ID, {"task_id": job.task_id}).mappings().first()
    job.state = jobs.DONE
    task = Task.from_row(stored) if stored is not None else None
    if task is None or task.state != "READY" or task.assignee is None or task.lock_expires_at is None \
            or task.lock_expires_at > now:
        return jobs.DROPPED  # completed, released or failed meanwhile (or extended: a newer job waits)
    if task.claimed_at is not None and task.claimed_at > job.created_at:  # assigned since: not the worker's lock
        uow.session.execute(update(Task).where(Task.id == task.id, Task.lock_expires_at == task.lock_expires_at)
                            .values(lock_expires_at=None).execution_options(synchronize_session=False))
        return jobs.DROPPED
    return jobs.FIRED if _release(uow, task, SYSTEM, reason="lock expired") else jobs.DROPPED


jobs.HANDLERS[LOCK_JOB] = _lapse_lock


def report_failure(uow: UnitOfWork, task_id: str, *, actor: Actor, message: str, details: str | None = None
                   ) -> Task:
    """A worker could not do an external task's work (Camunda's handleFailure with no retries left): the
    task is marked failed, its claim released, and the failure recorded in the case's history. It stays
    open, kept from workers' queues and listed for supervisors (``list_tasks`` with ``failed``), until a
    supervisor retries it.

    Raises:
        NotFound; InvalidRequest (no message, or not an external task); Forbidden (not an integrator);
        Conflict (claimed by someone else, failed already, or no longer open).
    """
    # A worker's account may quote its log (terminal colour codes): kept without them, not refused, or the
    # task would stay locked to a worker that cannot say it failed.
    message = required_text(without_controls(message), field="message", longest=MAX_FAILURE_MESSAGE)
    with uow:
        task = _external_task(uow, task_id, actor, "report a failure of")
        # A worker's words may quote the case's data: its confidential values are taken out, as from any
        # history item (history, webhooks and the task's error are read by every reader of the case).
        secrets = execution.case_secret_texts(uow, task.instance_id)
        if secrets:
            message = confidential.scrub(message, secrets)
            details = confidential.scrub(details, secrets) if details else details
        now = utcnow()
        failed = db.affected(uow.session.execute(
            update(Task).where(Task.id == task_id, Task.state == "READY", Task.failed_at.is_(None),
                               Task.assignee.is_not_distinct_from(task.assignee))
            .values(failed_at=now, error_message=message, assignee=None, claimed_at=None, lock_expires_at=None)
            .execution_options(synchronize_session=False)))
        if failed != 1:
            raise Conflict(f"task {task_id} changed meanwhile", state=task.state)
        _log(uow, task, "task.failed", actor, message=execution.clip(message),
             **({"details": execution.clip(details)} if details else {}), previous=task.assignee)
        task.failed_at, task.error_message, task.assignee, task.claimed_at, task.lock_expires_at = \
            now, message, None, None, None
        uow.commit()
        return task


def retry(uow: UnitOfWork, task_id: str, *, actor: Actor) -> Task:
    """Offer a failed external task to workers again (Camunda: giving it retries). Its last error message
    stays on the task, for the worker that takes it. Supervisors and admins.

    Raises: Forbidden; NotFound; Conflict (the task has not failed, or is no longer open).
    """
    actor.require("supervisor", action="retry failed tasks")
    with uow:
        stored = uow.session.execute(_TASK_BY_ID, {"task_id": task_id}).mappings().first()
        if stored is None:
            raise NotFound(f"task {task_id} not found")
        task = Task.from_row(stored)
        if task.failed_at is None or task.state != "READY":
            raise Conflict(f"task {task_id} has not failed" if task.failed_at is None else
                           f"task {task_id} is {task.state}", state=task.state)
        retried = db.affected(uow.session.execute(
            update(Task).where(Task.id == task_id, Task.state == "READY", Task.failed_at == task.failed_at)
            .values(failed_at=None).execution_options(synchronize_session=False)))
        if retried != 1:
            raise Conflict(f"task {task_id} changed meanwhile", state=task.state)
        _log(uow, task, "task.retried", actor, error=task.error_message)
        task.failed_at = None
        uow.commit()
        return task


def throw_error(uow: UnitOfWork, task_id: str, *, actor: Actor, code: str, message: str | None = None,
                variables: dict[str, Any] | None = None) -> InstanceView:
    """Throw a BPMN error from an external task or a user task (Camunda's handleBpmnError). The error goes outward as in
    Camunda, and the innermost scope that catches it wins: the error boundary events on the task, then
    those on each enclosing embedded subprocess, then those on the call activity in the calling process,
    and so on up; within one scope, an event naming ``code`` comes before one catching every error. The
    event interrupts what it is attached to (the task, or the subprocess or called process with everything
    open in it, the task included: those tasks end cancelled), and the case runs on along the event's path.
    ``variables`` are set on that path, with the code and message under the event's
    camunda:errorCodeVariable and errorMessageVariable.

    Event subprocesses do not catch it: only boundary events do.

    From a user task, only where the catching event names groups in ``govflow.thrownBy``, and only by a clerk
    of those groups (or an admin), whether or not they may work the task, whoever holds it: someone else ends
    the task (the convening centre records that a member department did not attend, ending its ballot), so
    ``message`` says why and is required, and no ``variables`` are set. Who and why are in the history.

    Raises:
        NotFound (also a user task whose case the actor does not read); InvalidRequest (a user task whose
        catching event names no group in govflow.thrownBy);
        Forbidden (not an integrator; from a user task, not of those groups); Conflict (claimed by someone else,
        failed, or no longer open; the case not running); ValidationFailed (no error boundary event of the task
        or of a scope around it catches the code, or invalid variables; from a user task, no message a reader
        sees, one over 500 characters, or any variables: nothing changed); ProcessError (a following step failed: nothing is stored).
    """
    variables = check_variables(variables)
    with uow:
        task = _error_source(uow, task_id, actor)
        case = execution.open_case(uow, task.instance_id, actor=actor.name)
        if case.row.state != "running":
            raise Conflict(f"process instance {case.row.id} is {case.row.state}", state=case.row.state)
        spiff_task = _spiff.task_by_id(case.workflow, task_id)
        if spiff_task is None or spiff_task.state != TaskState.READY:
            raise Conflict(f"task {task_id} is no longer ready", state=task.state)
        boundary = _catching_boundary(spiff_task, code)
        thrown_by: list[str] = []
        if task.kind != "external":
            thrown_by, message = _require_thrower(uow, case, task, boundary, actor, message, variables)
        if boundary is None:
            raise ValidationFailed(
                f"no error boundary event on {task.name or task.bpmn_id} or on a subprocess or call activity "
                f"around it catches error code {code!r}; nothing changed", details=[
                    {"field": "code", "message": f"an error code a boundary event of {task.bpmn_id} or of a "
                                                 "scope around it catches"}])
        names = _error_variables(uow, case, boundary)
        with execution.without_secrets(case), execution.engine_errors():
            # What the library's own throw does for the one event we chose: caught, then ready to run.
            boundary.task_spec.catch(boundary, BpmnEvent(boundary.task_spec.event_definition, payload=variables))
            boundary.task_spec._update(boundary)
        boundary.set_data(**variables, **{names[key]: value for key, value in (("code", code), ("message", message))
                                         if key in names})
        case.record("task.bpmn_error", actor=actor.name, element_id=task.bpmn_id, element_name=task.name,
                    element_type="UserTask", task_id=task_id,
                    data={"code": code, "message": message, "boundary": boundary.task_spec.bpmn_id,
                          "attached_to": _attached_to(boundary).task_spec.bpmn_id,
                          "variables": execution.clip(variables),
                          # The timeline words it by the event (政务服务中心登记未出席: whose ballot), not as
                          # a system's error.
                          **({"thrown_by": thrown_by, "boundary_name": boundary.task_spec.bpmn_name,
                              "member": _member(case, task_id)} if thrown_by else {})})
        execution.run(case)
        settle(uow, case)
        uow.commit()
        return case_view(uow, case, actor)


@dataclass(frozen=True)
class Throwable:
    """An error a user may throw from an open user task of a case (``govflow.thrownBy`` names one of their
    groups): the convening centre recording that a member department did not attend, ending its ballot."""

    task_id: str
    task_name: str | None
    member: str | None  # the multi-instance member the task runs for (市生态环境局), if any
    code: str  # the error code the catching boundary event names
    boundary_name: str | None  # what the diagram calls the event (政务服务中心登记未出席)


def throwables(uow: UnitOfWork, instance_id: int, *, actor: Actor) -> list[Throwable]:
    """What ``actor`` may throw from the open user tasks of a running case, in the tasks' order: for each, the
    nearest error boundary event around it, scope by scope, that names a code and lets the actor's groups
    throw it (clerks of those groups, or admins; see ``throw_error``). Empty for anyone else, or when the
    case is not running. Raises NotFound (no such case, or not one the actor reads)."""
    if not actor.has("admin", "clerk"):
        return []
    with uow:
        require_case(uow, actor, instance_id)
        open_tasks = list(uow.session.scalars(select(Task).where(
            Task.instance_id == instance_id, Task.state == "READY", Task.kind != "external")
            .order_by(Task.created_at, Task.id)))
        if not open_tasks:
            return []
        case = execution.read_case(uow, instance_id)
        if case.row.state != "running":
            return []
        found = []
        for task in open_tasks:
            spiff_task = _spiff.task_by_id(case.workflow, task.id)
            boundary = _throwable_boundary(uow, case, spiff_task, actor) if spiff_task is not None else None
            if boundary is not None:
                found.append(Throwable(task_id=task.id, task_name=task.name, member=_member(case, task.id),
                                       code=boundary.task_spec.event_definition.code,
                                       boundary_name=boundary.task_spec.bpmn_name))
        return found


def _throwable_boundary(uow: UnitOfWork, case: execution.Case, spiff_task: Any, actor: Actor) -> Any:
    """The waiting error boundary event around ``spiff_task`` whose error ``actor`` may throw from it: one that
    names a code its govflow.thrownBy lets the actor throw, and that ``throw_error`` would choose for that
    code (an inner catch-all would take it first); None if none."""
    for activity in _scopes(spiff_task):
        for event in _error_boundaries(activity):
            code = event.task_spec.event_definition.code
            if code and _may_throw(actor, _thrower_groups(uow, case, event)) \
                    and _catching_boundary(spiff_task, code) is event:
                return event
    return None


def _thrower_groups(uow: UnitOfWork, case: execution.Case, boundary: Any) -> list[str]:
    """The groups an error boundary event's govflow.thrownBy names."""
    named = str((execution.element_meta(uow, case, boundary).get("properties") or {}).get(THROWN_BY) or "")
    return sorted({group.strip() for group in named.split(",") if group.strip()})


def _may_throw(actor: Actor, groups: list[str]) -> bool:
    return bool(groups) and (actor.has("admin") or (actor.has("clerk") and bool(actor.groups & set(groups))))


def _error_source(uow: UnitOfWork, task_id: str, actor: Actor) -> Task:
    """The open task an error is thrown from: an external task the actor works (``_external_task``), or a
    user task of a case the actor reads, whose catching event says later who may throw (``_require_thrower``):
    the convening centre is no candidate of a member's ballot."""
    stored = uow.session.execute(_TASK_BY_ID, {"task_id": task_id}).mappings().first()
    task = Task.from_row(stored) if stored is not None else None
    if task is None:
        raise NotFound(f"task {task_id} not found")
    if task.kind == "external":
        return _external_task(uow, task_id, actor, "throw an error from")
    if not may_see(actor, task):
        require_case(uow, actor, task.instance_id)  # NotFound outside the actor's cases
    if task.state != "READY":  # voted, or counted with its round: nothing left to end
        raise Conflict(f"task {task_id} is {task.state}", state=task.state, assignee=task.assignee)
    return task


def _require_thrower(uow: UnitOfWork, case: execution.Case, task: Task, boundary: Any, actor: Actor,
                     message: str | None, variables: dict[str, Any]) -> tuple[list[str], str]:
    """The groups the catching event lets throw its error from the user task ``task`` (``govflow.thrownBy``),
    and the message checked: the actor is of them (or an admin), says why, and sets no variables (the path's
    data is the diagram's, not theirs to write). Raises InvalidRequest, Forbidden, ValidationFailed."""
    groups = _thrower_groups(uow, case, boundary) if boundary is not None else []
    if not groups:
        raise InvalidRequest(f"task {task.id} is not an external task: only a worker can throw an error from one, "
                             f"or from a user task a clerk of the groups its error boundary event names in {THROWN_BY}")
    if not _may_throw(actor, groups):
        raise Forbidden(f"{actor.name} may not end {task.name or task.bpmn_id} through "
                        f"{boundary.task_spec.bpmn_name or boundary.task_spec.bpmn_id}: only clerks of "
                        f"{', '.join(groups)} may")
    if variables:
        raise ValidationFailed("an error thrown from a user task sets no variables", details=[
            {"field": "variables", "message": "none: the message says why"}])
    reason = _check_note(message, "message")
    if reason is None:
        raise ValidationFailed("say why the task ends: the message is required", details=[
            {"field": "message", "message": "why the task ends (e.g. why the member department is absent)"}])
    return groups, reason


def _catching_boundary(spiff_task: Any, code: str) -> Any:
    """The waiting error boundary event that catches ``code`` thrown by the task, scope by scope outward
    (``_scopes``); None if no scope catches it."""
    return next((found for activity in _scopes(spiff_task) if (found := _boundary_on(activity, code)) is not None),
                None)


def _scopes(spiff_task: Any) -> Iterator[Any]:
    """The task, then each activity around it an error boundary event may be attached to, outward: the
    subprocess or call activity whose (sub)workflow holds it, and so on up to the case's process (an instance
    of a multi-instance activity has the activity as its next scope, where its events are attached)."""
    activity = spiff_task
    while activity is not None:
        yield activity
        workflow = activity.workflow
        if activity.parent is not None and isinstance(activity.parent.task_spec, LoopTask):
            activity = activity.parent
        elif workflow.parent_task_id is not None:  # the task running this subprocess or called process
            activity = workflow.top_workflow.get_task_from_id(workflow.parent_task_id)
        else:
            activity = None


def _error_boundaries(activity: Any) -> list[Any]:
    """The waiting error boundary events attached to ``activity``."""
    parent = activity.parent
    return [t for t in (parent.children if parent is not None else []) if t is not activity
            and isinstance(t.task_spec, BoundaryEvent) and t.state == TaskState.WAITING
            and isinstance(t.task_spec.event_definition, ErrorEventDefinition)]


def _boundary_on(activity: Any, code: str) -> Any:
    """The waiting error boundary event attached to ``activity`` that catches ``code``: one naming the code,
    else one that catches every error (no error code), as Camunda chooses; None if none does."""
    events = _error_boundaries(activity)
    named = [t for t in events if t.task_spec.event_definition.code == code]
    return next(iter(named or [t for t in events if t.task_spec.event_definition.code is None]), None)


def _attached_to(boundary: Any) -> Any:
    """The activity a boundary event is attached to: its one sibling that is not a boundary event."""
    return next(t for t in boundary.parent.children if not isinstance(t.task_spec, BoundaryEvent))


def _error_variables(uow: UnitOfWork, case: execution.Case, boundary: Any) -> dict[str, str]:
    """The boundary event's camunda:errorCodeVariable and errorMessageVariable, as ``code`` and ``message``.
    Deploy records (and checks) them for the events on an external task (engine.diagrams); those on a
    subprocess or call activity are read from the diagram of the definition holding the event (the calling
    process's, for a call activity), keeping only names a script can use."""
    bpmn_id = boundary.task_spec.bpmn_id
    recorded = execution.element_meta(uow, case, _attached_to(boundary)).get("error_variables")
    if recorded is not None:
        return cast(dict[str, str], recorded.get(bpmn_id, {}))
    definition = execution.definition_of(case, boundary)
    root, problem = bpmn_xml.safe_parse(definition.resource_name, definition.resource.content)
    if problem is not None or root is None:
        return {}
    found = root.xpath("//bpmn:process[@id=$process]//bpmn:boundaryEvent[@id=$event]/bpmn:errorEventDefinition",
                       namespaces=bpmn_xml.NS, process=definition.key, event=bpmn_id)
    if not found:
        return {}
    names = {key: (found[0].get(bpmn_xml.camunda(attr)) or "").strip() for key, attr in
             (("code", "errorCodeVariable"), ("message", "errorMessageVariable"))}
    return {key: name for key, name in names.items() if name.isidentifier()}


def _external_task(uow: UnitOfWork, task_id: str, actor: Actor, action: str) -> Task:
    """An open external task the actor may work and nobody else holds (an admin may act on any)."""
    task = _load_for_change(uow, task_id, actor)
    if task.kind != "external":
        raise InvalidRequest(f"task {task_id} is not an external task: only a worker can {action} one")
    if not may_work(actor, task):
        raise Forbidden(f"{actor.name} may not {action} task {task_id}")
    if task.assignee is not None and task.assignee != actor.name and not actor.has("admin"):
        raise Conflict(f"task {task_id} is claimed by {task.assignee}", state=task.state, assignee=task.assignee)
    return task
