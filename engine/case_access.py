"""Which cases a user may read: one rule for every read path (the case, the case list, its timeline and
history, materials, archive, clock, documents, departments).

Reading cases takes a role whose work needs them: clerk, supervisor, integrator, head or admin (``READERS``).
Case data holds applicants' personal data, and an analyst draws and deploys processes: a user whose
only role is ``analyst`` (or who has no role) reads no case at all: Forbidden, the answer every role
check gives, for the case list and every case alike, raised here before any case is looked up
(materials, documents and the archive refuse them by their own rule, engine.materials, also Forbidden).
What analysts need stays theirs: definitions, their XML and deployments, and the count of cases per
version (engine.versions, an aggregate that names no case). A user with analyst and another role reads
as that role does.

A clerk is scoped, and so is an agency head (head) without another reading role: they read only the
cases their departments (engine.departments) take part in (``case_departments``), plus the cases they
started or have a task in themselves (as assignee, candidate user, or through one of their groups, or an
open task nobody was named for, which any clerk may work).
A clerk whose groups belong to no department reads just those.
Any other case does not exist for them: NotFound, never Forbidden, so case numbers cannot be probed.
Supervisors and admins read everything, integrators the cases they always saw (all of them: they start
cases for every item and read them back).

A one-thing bundle (一件事) runs its member items as call activities inside one case, so the departments
of every member take part in that one case and all of them read it, materials included (SX32, LY47).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.sql import ColumnElement

from .candidates import cases_of_candidate, open_to_every_clerk
from .departments import LEAD, department_of_groups
from .errors import Forbidden, NotFound
from .models import CaseDepartment, ProcessInstance, Task
from .unit_of_work import UnitOfWork
from .users import Actor

# The roles whose work needs case data (admins through Actor.has); analysts' does not.
READERS = ("clerk", "supervisor", "integrator", "head")


@dataclass(frozen=True)
class CaseScope:
    """The cases an actor may read: ``departments`` None means no limit applies (supervisors, integrators,
    admins); a set, possibly empty, limits a clerk to those departments' cases and their own."""

    actor: Actor
    departments: frozenset[str] | None

    @property
    def limited(self) -> bool:
        return self.departments is not None

    def condition(self) -> ColumnElement[bool] | None:
        """SQL on ProcessInstance (in the query's FROM): the case is readable. None: every case is."""
        if self.departments is None:
            return None
        name = self.actor.name
        # Each branch is a set of case ids found through its own index, computed once per query. Written as
        # EXISTS correlated with the case, SQLite drove the candidate join from every candidate row for every
        # case (over 10 s for 10,000 cases) and PostgreSQL scanned every task.
        return or_(
            ProcessInstance.started_by == name,
            ProcessInstance.id.in_(select(CaseDepartment.case_id).where(
                CaseDepartment.department_code.in_(sorted(self.departments)))),
            ProcessInstance.id.in_(select(Task.instance_id).where(Task.assignee == name)),
            ProcessInstance.id.in_(cases_of_candidate(self.actor)),
            # An open task nobody was named for is every clerk's to work (engine.tasks.may_work): its case too.
            ProcessInstance.id.in_(select(Task.instance_id).where(open_to_every_clerk())),
        )


def scope_of(uow: UnitOfWork, actor: Actor) -> CaseScope:
    """The actor's scope. A helper: runs in the caller's transaction (one query, for scoped clerks only).

    Raises Forbidden: the actor has none of the ``READERS`` roles (an analyst alone).
    """
    actor.require(*READERS, action="read cases")
    # An agency head (head) is scoped as a clerk is: the head of a department reads its cases.
    if not actor.has("clerk", "head") or actor.has("supervisor", "integrator"):
        return CaseScope(actor, None)
    # A clerk in no department is scoped too, to the cases they started or have a task in: case data is
    # applicants' personal data, and no department means no department's cases, not every case.
    return CaseScope(actor, frozenset(department_of_groups(uow, actor.groups).values()))


def require_case(uow: UnitOfWork, actor: Actor, instance_id: int) -> CaseScope:
    """Check that the actor may read the case (or a case of its bundle); returns the actor's scope.

    A helper: runs in the caller's transaction. It does not check that an unscoped actor's case exists;
    the caller loads the case anyway.

    Raises:
        Forbidden: the actor has no role that reads cases (an analyst alone), whatever the case.
        NotFound: a scoped clerk asked for a case outside their departments (or one that does not exist).
    """
    scope = scope_of(uow, actor)
    condition = scope.condition()
    if condition is None:
        return scope
    # The bundle rule lives with the materials it was made for (and materials imports this module).
    from .materials import bundle_ids

    found = uow.session.scalar(select(ProcessInstance.id).where(
        ProcessInstance.id.in_(bundle_ids(uow, instance_id)), condition).limit(1))
    if found is None:
        raise NotFound(f"process instance {instance_id} not found")
    return scope


def require_clerk_of_case(uow: UnitOfWork, actor: Actor, instance_id: int, *, action: str) -> None:
    """For acts on a case's behalf (explaining a delay, handing the applicant a new query code): admins,
    and clerks who may work one of its tasks or completed one. A helper: the caller's transaction.

    Raises Forbidden: anyone else.
    """
    from .tasks import may_work  # tasks imports this module for its reads

    if "admin" in actor.roles:
        return
    if "clerk" in actor.roles and any(
            may_work(actor, t) or t.completed_by == actor.name
            for t in uow.session.scalars(select(Task).where(Task.instance_id == instance_id))):
        return
    raise Forbidden(f"{actor.name} may not {action} of process instance {instance_id} "
                    "(clerks of the case and admins may)")


def require_clerk_or_supervisor_of_case(uow: UnitOfWork, actor: Actor, instance_id: int, *, action: str) -> None:
    """For acts on a case's clock (a special procedure's start and end): supervisors and admins, and clerks
    who see one of its tasks, open or done. A helper: the caller's transaction.

    Raises Forbidden: anyone else.
    """
    from .tasks import may_see  # tasks imports this module for its reads

    if actor.has("supervisor"):
        return
    if actor.has("clerk") and any(may_see(actor, t) for t in uow.session.scalars(
            select(Task).where(Task.instance_id == instance_id))):
        return
    raise Forbidden(f"{actor.name} may not {action} of process instance {instance_id} "
                    "(clerks of the case, supervisors and admins may)")


# Art 42: 经本行政机关负责人批准 -- the role that approves extensions of a time limit.
HEAD = "head"


def require_head_of_case(uow: UnitOfWork, actor: Actor, instance_id: int, *, action: str) -> None:
    """Admins, and agency heads of the case's lead department (its ``case_departments`` row of role lead;
    the head's departments found by their groups as a clerk's are): Art 42's approving head is the head of
    the agency deciding the case, not of a department taking part in it (the service centre whose
    window received it). Helper: the caller's transaction.

    Raises Forbidden: anyone else (a head of no department, or of a participating one only)."""
    if "admin" in actor.roles:
        return
    if HEAD in actor.roles and lead_department(uow, instance_id) in actor_departments(uow, actor):
        return
    raise Forbidden(f"{actor.name} may not {action} of process instance {instance_id} "
                    "(heads of its lead department and admins may)")


def require_clerk_of_lead(uow: UnitOfWork, actor: Actor, instance_id: int, *, action: str) -> None:
    """Clerks of the case's lead department, as its head decides (a window clerk of the service centre that
    received the case is not one); a case without a lead (no departments set up) takes the clerks who see
    one of its tasks, and supervisors. Admins always. Helper: the caller's transaction.

    Raises NotFound (no such case); Forbidden (anyone else)."""
    if "admin" in actor.roles:
        return
    lead = lead_department(uow, instance_id)
    if lead is None:
        require_clerk_or_supervisor_of_case(uow, actor, instance_id, action=action)
        return
    if actor.has("clerk") and lead in actor_departments(uow, actor):
        return
    if uow.session.get(ProcessInstance, instance_id) is None:
        raise NotFound(f"process instance {instance_id} not found")
    raise Forbidden(f"{actor.name} may not {action} of process instance {instance_id} "
                    "(clerks of its lead department and admins may)")


def lead_department(uow: UnitOfWork, instance_id: int) -> str | None:
    """The code of the case's lead department (engine.departments), None when it has none. Helper."""
    return uow.session.scalar(select(CaseDepartment.department_code).where(
        CaseDepartment.case_id == instance_id, CaseDepartment.role == LEAD))


def actor_departments(uow: UnitOfWork, actor: Actor) -> set[str]:
    """The departments the actor's groups belong to. Helper: the caller's transaction."""
    return set(department_of_groups(uow, actor.groups).values())
