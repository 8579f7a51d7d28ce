"""Tasks: the inbox. Query, claim, unclaim, assign, complete."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Table, and_, bindparam, false, func, insert, or_, select, update
from sqlalchemy.sql import Select

from . import _spiff, confidential, db, departments, execution, forms
from .candidates import candidate_of, lists_candidate, open_to_every_clerk
from .case_lock import lock_case
from .clock import utcnow
from .errors import Conflict, Forbidden, InvalidRequest, NotFound, ProcessError, ValidationFailed
from .instances import InstanceView, case_view, settle
from .models import HistoryEvent, ProcessDefinition, Task, TaskCandidate, User
from .unit_of_work import UnitOfWork
from .users import Actor
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


@dataclass
class TaskFilter:
    candidate_group: str | None = None
    candidate_user: str | None = None
    assignee: str | None = None
    unassigned: bool = False
    mine: bool = False
    process_key: str | None = None
    business_key: str | None = None
    process_instance_id: int | None = None
    due_before: datetime | None = None
    state: str = "READY"
    kind: str | None = None
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
        query = query.where(Task.business_key == where.business_key)
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
        task, _, data, hidden = _read(uow, task_id, actor)
        return task, confidential.for_reader(data, hidden, actor)


def task_form(uow: UnitOfWork, task_id: str, *, actor: Actor) -> forms.TaskForm:
    """A task's form (form-js schema) and the current values of its fields, to prefill it.

    Raises:
        NotFound: no such task (or not visible to the actor), the task has no form, or its form is not
            deployed. ProcessError: the deployed form is broken.
    """
    with uow:
        task, definition, data, _ = _read(uow, task_id, actor)
        try:
            return forms.describe(uow, task.form_key, definition, data)
        except NotFound as exc:
            raise NotFound(f"task {task_id}: {exc.message}") from None


def _read(uow: UnitOfWork, task_id: str, actor: Actor
          ) -> tuple[Task, ProcessDefinition, dict[str, Any], frozenset[str]]:
    """A task the actor may see, its process's definition, the data its form shows (all of it, for the
    form to pick its fields from) and the case's confidential variable names."""
    task = uow.session.get(Task, task_id)
    if task is None or not may_see(actor, task):
        raise NotFound(f"task {task_id} not found")
    case = execution.open_case(uow, task.instance_id)
    spiff_task = _spiff.task_by_id(case.workflow, task_id)
    if spiff_task is not None:
        definition, data = execution.definition_of(case, spiff_task), dict(spiff_task.data)
    else:  # a finished task may be gone from the workflow: show the case as it stands
        definition, data = case.row.definition, execution.case_variables(case.workflow)
    data.pop("data_objects", None)
    return task, definition, data, case.hidden


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
        .values(assignee=None, claimed_at=None).execution_options(synchronize_session=False)))
    if released != 1:
        return False
    previous, task.assignee, task.claimed_at = task.assignee, None, None
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


def assign(uow: UnitOfWork, task_id: str, *, actor: Actor, assignee: str | None) -> Task:
    """Give a task to a named user (or nobody). Supervisors and admins only.

    Raises: Forbidden, NotFound (task or user), Conflict (task no longer open).
    """
    actor.require("supervisor", action="assign tasks")
    with uow:
        task = _load_for_change(uow, task_id, actor)
        # Locked for share, as in _require_still_active: a deactivation committing meanwhile waits for this
        # assignment, then releases the task; one committed before it is seen here.
        user = uow.session.scalars(select(User).where(User.name == assignee).with_for_update(read=True)
                                   ).first() if assignee else None
        if assignee is not None and user is None:
            raise NotFound(f"user {assignee!r} not found")
        if user is not None:
            _require_worker(user, task)
        _queue_behind_case_commands(uow, task.instance_id)
        now = utcnow()
        changed = db.affected(uow.session.execute(
            update(Task).where(Task.id == task_id, Task.state == "READY")
            .values(assignee=assignee, claimed_at=now if assignee else None)
            .execution_options(synchronize_session=False)))
        if changed != 1:
            raise Conflict(f"task {task_id} changed meanwhile", state=task.state)
        if user is not None:
            departments.join_with_groups(uow, task.instance_id, user.groups or [], now)
        previous, task.assignee, task.claimed_at = task.assignee, assignee, now if assignee else None
        _log(uow, task, "task.assigned", actor, assignee=assignee, previous=previous)
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


def complete(uow: UnitOfWork, task_id: str, *, actor: Actor, variables: dict[str, Any] | None = None
             ) -> InstanceView:
    """Complete a ready task with variables and run the case until it waits again.

    A task with a deployed form-js form takes only that form's fields, checked by its rules
    (engine.forms); hidden and readonly values are dropped. Every entrypoint gets the same checks.

    Raises:
        NotFound; Forbidden (not a candidate); Conflict (completed, cancelled, someone else's task, or
        another command changed the case meanwhile); ValidationFailed; ProcessError (a following step
        failed: nothing is stored).
    """
    variables = check_variables(variables)
    with uow:
        task = _load_for_change(uow, task_id, actor)
        if not may_work(actor, task):
            raise Forbidden(f"{actor.name} may not complete task {task_id}")
        if task.assignee is not None and task.assignee != actor.name and not actor.has("admin"):
            raise Conflict(f"task {task_id} is claimed by {task.assignee}", state=task.state, assignee=task.assignee)
        case = execution.open_case(uow, task.instance_id)
        if case.row.state != "running":
            raise Conflict(f"process instance {case.row.id} is {case.row.state}", state=case.row.state)
        spiff_task = _spiff.task_by_id(case.workflow, task_id)
        if spiff_task is None:  # its branch ended meanwhile
            raise Conflict(f"task {task_id} is no longer in the case", state=task.state)
        if spiff_task.state != TaskState.READY:
            raise Conflict(f"task {task_id} is no longer ready", state=TaskState.get_name(spiff_task.state))
        variables = forms.validate_submission(uow, task.form_key, execution.definition_of(case, spiff_task),
                                              spiff_task.data, variables)
        add = getattr(spiff_task.task_spec, "add_data_from_form", None)
        if add is not None:  # honours spiffworkflow:variableName (the form's data under one name)
            add(spiff_task, variables)
        else:
            spiff_task.set_data(**variables)
        try:
            with execution.without_secrets(case):  # a failing post-script may quote the case's data
                spiff_task.run()
        except SpiffWorkflowException as exc:
            error = ProcessError(f"completing {task.name or task.bpmn_id} failed: {str(exc).splitlines()[0]}")
            raise execution.without_secrets_of(case, error) from None
        case.completed_by[task_id] = actor.name
        if actor.has("admin"):
            case.claims_overridden.add(task_id)
        case.record("task.completed", actor=actor.name, element_id=task.bpmn_id, element_name=task.name,
                    element_type="UserTask", task_id=task_id, data={"variables": execution.clip(variables)})
        execution.run(case)
        settle(uow, case)
        uow.commit()
        return case_view(uow, case, actor)
