"""Entrusted acceptance (委托受理, 代为受理): a department (the agent, a township service centre's window)
accepts items of another department (the principal, the items' implementing body) on its behalf.

An admin records an entrustment: principal, agent, the items it covers (item codes or process keys, each
an item whose latest guide names the principal as its department; none listed: every such item), its basis
(the 委托书 or the document's number) and its validity (Beijing dates, inclusive; no end: until revoked).
Revoking keeps it, with who revoked it and why; both acts are in the audit log. Entrustments are read by
supervisors and admins.

A clerk of the agent department (a group of theirs belongs to it) who is not a starter the item's diagram
names starts a case of a covered item as that department's window: the start is not bounded by the
diagram's starters (engine.starters), the case records the entrustment and the clerk's groups within the
agent department (``case_delegations``), its history says so, and the agent department takes part in it.
An entrustment not valid today, or revoked, refuses the start (Forbidden, naming its state). Such a clerk
(their department the agent of any entrustment) starts nothing else but their own department's items and
those the diagram names them a starter of: an item no entrustment covers is refused (Forbidden, reason
``not_entrusted``), not started as the principal's own window would.

The front desk of a case accepted on behalf is the agent's window. Which steps are the front desk is read
from the diagram, narrowly: the acceptance step (engine.acceptance) and every other user task of the case's
own process whose candidate groups are written exactly as the acceptance step's (the window's lane:
receiving, accepting, handing out the result). Those go to the agent's groups that started the case, every
time they are reached (a supplement loops back to acceptance); every other step goes as the diagram says.
Nothing else is guessed: a step drawn for another group of the same window stays the diagram's. Revoking an
entrustment hands acceptance back: the open acceptance tasks of its cases return to the diagram's groups in
the revoking transaction (unassigned, with ``case.acceptance_returned`` in each case's history), and an
acceptance step reached again goes to them too; the case still comes back to the agent for its result.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update

from . import _spiff, acceptance, audit, execution, starters
from .case_lock import lock_case
from .clock import LOCAL_TZ, utcnow
from .departments import department_of_groups, join_with_groups
from .errors import Conflict, Forbidden, NotFound, ValidationFailed
from .models import (
    AcceptanceDelegation,
    CaseDelegation,
    Department,
    Guide,
    HistoryEvent,
    ProcessDefinition,
    ProcessInstance,
    Task,
    TaskCandidate,
)
from .text import required_text
from .unit_of_work import UnitOfWork
from .users import Actor

ACTIVE, NOT_YET_VALID, EXPIRED, REVOKED = "active", "not_yet_valid", "expired", "revoked"
STATES = (ACTIVE, NOT_YET_VALID, EXPIRED, REVOKED)
STATE_WORDS = {NOT_YET_VALID: "is not valid yet", EXPIRED: "has expired", REVOKED: "was revoked"}
ACCEPTED_ON_BEHALF = "case.accepted_on_behalf"  # the history item of a case's start under an entrustment
ACCEPTANCE_RETURNED = "case.acceptance_returned"  # its open acceptance task back to the diagram's groups
OPEN_STATES = ("READY", "SUSPENDED")  # a task still to be done (suspended: with its case)
# Why an entrustment is refused (``details[].rule``) or a start under none (``reason``): pages say these.
SELF, ENDS_BEFORE, NO_DEPARTMENT, TOO_MANY_ITEMS = "self", "ends_before_start", "no_department", "too_many_items"
NOT_PRINCIPALS_ITEM, NOT_ENTRUSTED = "not_principals_item", "not_entrusted"
MAX_BASIS, MAX_REASON, MAX_ITEMS, MAX_ITEM = 500, 2000, 200, 255


@dataclass
class DelegationView:
    id: int
    principal_code: str
    principal_name: str
    agent_code: str
    agent_name: str
    items: list[str]
    basis: str
    valid_from: date
    valid_until: date | None
    created_by: str
    created_at: datetime
    revoked_by: str | None
    revoked_at: datetime | None
    revoke_reason: str | None
    state: str
    returned_tasks: list[str] = field(default_factory=list)  # revoking: acceptance tasks given back


@dataclass(frozen=True)
class OnBehalf:
    """A case accepted under an entrustment: what its pages and its 受理通知书 say (受理机构)."""

    delegation_id: int
    agent_code: str
    agent_name: str
    principal_code: str
    principal_name: str
    basis: str
    groups: tuple[str, ...]


def today() -> date:
    return utcnow().astimezone(LOCAL_TZ).date()


def state_of(row: AcceptanceDelegation, on: date | None = None) -> str:
    on = on or today()
    if row.revoked_at is not None:
        return REVOKED
    if on < row.valid_from:
        return NOT_YET_VALID
    if row.valid_until is not None and on > row.valid_until:
        return EXPIRED
    return ACTIVE


# ---- commands and queries ----------------------------------------------------------------------

def add_delegation(uow: UnitOfWork, *, actor: Actor, principal_code: str, agent_code: str, basis: str,
                   valid_from: date, valid_until: date | None = None, items: Iterable[str] = ()) -> DelegationView:
    """Record an entrustment; returns it.

    Raises:
        Forbidden (not admin); ValidationFailed (a department not set up, the agent being the principal, no
        basis, too many or too long items, an item not the principal's, an end before the start: ``details``
        name the field, ``items.N`` for an item, and the ``rule``).
    """
    actor.require(action="manage entrustments")
    basis = required_text(basis, field="basis", longest=MAX_BASIS, lines=False)
    wanted = list(dict.fromkeys(str(i).strip() for i in items if str(i).strip()))
    problems: list[dict[str, Any]] = []
    if len(wanted) > MAX_ITEMS or any(len(i) > MAX_ITEM for i in wanted):
        problems.append({"field": "items", "rule": TOO_MANY_ITEMS,
                         "message": f"at most {MAX_ITEMS} items of {MAX_ITEM} characters each"})
    if valid_until is not None and valid_until < valid_from:
        problems.append({"field": "valid_until", "rule": ENDS_BEFORE,
                         "message": "the entrustment ends before it begins"})
    if (principal_code or "").strip() == (agent_code or "").strip():
        problems.append({"field": "agent_code", "rule": SELF, "message": "a department does not entrust itself"})
    with uow:
        session = uow.session
        for named, code in (("principal_code", principal_code), ("agent_code", agent_code)):
            if session.get(Department, (code or "").strip()) is None:
                problems.append({"field": named, "rule": NO_DEPARTMENT, "message": f"no department {code!r} is set up"})
        if not any(p["field"] == "items" for p in problems):
            problems.extend(_foreign_items(uow, (principal_code or "").strip(), wanted))
        if problems:
            raise ValidationFailed("the entrustment is invalid", details=problems)
        row = AcceptanceDelegation(principal_code=principal_code.strip(), agent_code=agent_code.strip(),
                                   items=wanted, basis=basis, valid_from=valid_from, valid_until=valid_until,
                                   created_by=actor.name[:100], created_at=utcnow())
        session.add(row)
        session.flush()
        view = _view(uow, row)
        audit.record(uow, actor, "delegation.added", ("delegation", str(row.id)), audit.diff({}, _audited(view)))
        uow.commit()
        return view


def revoke_delegation(uow: UnitOfWork, delegation_id: int, *, actor: Actor, reason: str) -> DelegationView:
    """Revoke an entrustment (kept, never deleted): no new case starts under it; the open acceptance tasks of
    its cases go back to the diagram's groups (``_return_acceptance``); its cases go on otherwise.

    Raises Forbidden (not admin); NotFound; ValidationFailed (no reason); Conflict (revoked already).
    """
    actor.require(action="manage entrustments")
    reason = required_text(reason, field="reason", longest=MAX_REASON)
    with uow:
        row = uow.session.get(AcceptanceDelegation, delegation_id, with_for_update=True)
        if row is None:
            raise NotFound(f"entrustment {delegation_id} not found")
        if row.revoked_at is not None:
            raise Conflict(f"entrustment {delegation_id} was revoked already", state=REVOKED)
        row.revoked_by, row.revoked_at, row.revoke_reason = actor.name[:100], utcnow(), reason
        returned = _return_acceptance(uow, row, actor, reason)
        view = _view(uow, row)
        view.returned_tasks = returned
        audit.record(uow, actor, "delegation.revoked", ("delegation", str(row.id)),
                     audit.diff({"state": ACTIVE}, {"state": REVOKED}, reason=reason,
                                **({"returned_tasks": returned} if returned else {})))
        uow.commit()
        return view


def get_delegation(uow: UnitOfWork, delegation_id: int, *, actor: Actor) -> DelegationView:
    """Raises Forbidden (neither supervisor nor admin); NotFound."""
    actor.require("supervisor", action="read entrustments")
    with uow:
        row = uow.session.get(AcceptanceDelegation, delegation_id)
        if row is None:
            raise NotFound(f"entrustment {delegation_id} not found")
        return _view(uow, row)


def list_delegations(uow: UnitOfWork, *, actor: Actor, department: str | None = None,
                     state: str | None = None) -> list[DelegationView]:
    """Entrustments, newest first; ``department``: as principal or agent; ``state``: one of ``STATES``.

    Raises Forbidden (neither supervisor nor admin); ValidationFailed (an unknown state)."""
    actor.require("supervisor", action="read entrustments")
    if state is not None and state not in STATES:
        raise ValidationFailed("unknown state", details=[{"field": "state", "message": f"one of {', '.join(STATES)}"}])
    with uow:
        query = select(AcceptanceDelegation).order_by(AcceptanceDelegation.id.desc())
        if department:
            query = query.where((AcceptanceDelegation.principal_code == department)
                                | (AcceptanceDelegation.agent_code == department))
        names = _names(uow)
        views = [_view(uow, row, names) for row in uow.session.scalars(query)]
        return [v for v in views if state is None or v.state == state]


# ---- starting a case on the principal's behalf (engine.instances.start, the intake page) ---------

def for_start(uow: UnitOfWork, definition: ProcessDefinition, actor: Actor) -> OnBehalf | None:
    """The entrustment under which ``actor`` starts a case of ``definition``; None when none applies (the
    start is then bounded by the diagram's starters as always). A helper: the caller's transaction.

    Raises Forbidden: the entrustments that would apply are none of them valid today, naming their state;
    or ``actor``'s department accepts on another's behalf and no entrustment covers this item, which is not
    their own department's (``reason`` ``not_entrusted``).
    """
    if not _at_a_window(actor) or _named_starter(uow, definition, actor):
        return None  # the diagram lets this clerk start it at their own window
    mine = _agent_groups(uow, actor)
    found = _covering(uow, {definition.key}, actor, mine).get(definition.key, [])
    if not found:
        if _is_agent(uow, mine) and not _own_items(uow, {definition.key}, mine):
            raise Forbidden(f"{actor.name} may not start a case of {definition.key!r}: their window accepts on "
                            "another department's behalf only the items an entrustment covers, and none covers "
                            "this one", reason=NOT_ENTRUSTED, process_key=definition.key)
        return None
    active = [(row, groups) for row, groups in found if state_of(row) == ACTIVE]
    if not active:
        row = found[0][0]
        raise Forbidden(f"{actor.name} may not accept a case of {definition.key!r} on behalf of "
                        f"{row.principal_code}: entrustment {row.id} ({row.basis}) {STATE_WORDS[state_of(row)]}",
                        delegation_id=row.id, state=state_of(row))
    row, groups = active[0]
    names = _names(uow, (row.agent_code, row.principal_code))
    return OnBehalf(row.id, row.agent_code, names.get(row.agent_code, row.agent_code), row.principal_code,
                    names.get(row.principal_code, row.principal_code), row.basis, tuple(groups))


@dataclass(frozen=True)
class WindowOffer:
    """What an agent department's window receives (the intake page): the entrusted items, each with its
    entrustment (an active one first, else the newest) whatever its state, and the items it starts as
    itself (its department's own, or its diagram naming the clerk a starter)."""

    entrusted: dict[str, DelegationView]
    own: set[str]

    def receivable(self, key: str) -> bool:
        found = self.entrusted.get(key)
        return key in self.own or (found is not None and found.state == ACTIVE)


def window_offer(uow: UnitOfWork, keys: Iterable[str], actor: Actor) -> WindowOffer | None:
    """Of processes ``keys``, what ``actor`` receives as the window of a department that is the agent of an
    entrustment (any state); None for anyone else, whose window offers what the diagrams' starters allow."""
    if not _at_a_window(actor):
        return None
    wanted = set(keys)
    with uow:
        mine = _agent_groups(uow, actor)
        if not _is_agent(uow, mine):
            return None
        names = _names(uow)
        entrusted = {key: _view(uow, found[0][0], names) for key, found in _covering(uow, wanted, actor, mine).items()}
        own = _own_items(uow, wanted, mine)
        for key in sorted(wanted - own - set(entrusted)):
            definition = _latest_definition(uow, key)
            if definition is not None and _named_starter(uow, definition, actor):
                own.add(key)
        return WindowOffer(entrusted, own)


def begin(case: execution.Case, on_behalf: OnBehalf, actor: Actor) -> None:
    """Mark a new case, before it runs, as accepted on behalf, and say so in its history: its window steps go
    to the agent from the entrustment it carries (``accepting_groups``) until the start writes its row
    (``record``)."""
    case.row.accepted_on_behalf = True
    case.on_behalf = on_behalf
    case.record(ACCEPTED_ON_BEHALF, actor=actor.name, data={
        "delegation_id": on_behalf.delegation_id, "agent_code": on_behalf.agent_code,
        "agent_name": on_behalf.agent_name, "principal_code": on_behalf.principal_code,
        "principal_name": on_behalf.principal_name, "basis": on_behalf.basis, "groups": list(on_behalf.groups)})


def record(uow: UnitOfWork, row: ProcessInstance, on_behalf: OnBehalf, actor: Actor) -> None:
    """Write the case's entrustment, and bring the agent department into the case (engine.departments: as a
    participant where the principal leads). A helper of the start: its transaction."""
    now = utcnow()
    uow.session.add(CaseDelegation(case_id=row.id, delegation_id=on_behalf.delegation_id,
                                   agent_code=on_behalf.agent_code, groups=list(on_behalf.groups),
                                   started_by=actor.name[:100], at=now))
    uow.session.flush()
    join_with_groups(uow, row.id, on_behalf.groups, now)


def accepting_groups(uow: UnitOfWork, case: execution.Case, task: Any, groups: list[str]) -> list[str]:
    """The candidate groups of a new task: for a front-desk step (engine.acceptance.front_desk) of a case
    accepted on behalf, the agent's groups that started it, except an acceptance step once the entrustment is
    revoked; else ``groups`` as the diagram gives them. An ordinary case reads nothing."""
    if not case.row.accepted_on_behalf:
        return groups
    step = acceptance.front_desk(uow, case, task)
    if step is None:
        return groups
    if case.on_behalf is not None:  # being started: its row is written once the start has settled
        return list(case.on_behalf.groups)
    stored = uow.session.get(CaseDelegation, case.row.id)
    assert stored is not None  # written by the start with the flag
    if step == acceptance.ACCEPTANCE_STEP:
        row = uow.session.get(AcceptanceDelegation, stored.delegation_id)
        if row is not None and row.revoked_at is not None:
            return groups  # revoked: the principal's window accepts (_return_acceptance)
    return list(stored.groups)


def of_case(uow: UnitOfWork, row: ProcessInstance) -> OnBehalf | None:
    """The entrustment a case was accepted under, for its pages and documents (the caller checked the
    reader may read the case); None: accepted by the principal's own window (nothing read). A helper: the
    caller's transaction."""
    if not row.accepted_on_behalf:
        return None
    stored = uow.session.get(CaseDelegation, row.id)
    assert stored is not None  # written by the start with the flag
    entrustment = uow.session.get(AcceptanceDelegation, stored.delegation_id)
    assert entrustment is not None  # never deleted
    principal = entrustment.principal_code
    names = _names(uow, (stored.agent_code, principal))
    return OnBehalf(entrustment.id, stored.agent_code, names.get(stored.agent_code, stored.agent_code), principal,
                    names.get(principal, principal), entrustment.basis, tuple(stored.groups))


def document_fields(uow: UnitOfWork, case: execution.Case) -> dict[str, Any] | None:
    """What a document template reads as ``accepted_by`` (engine.document_templates): the accepting agent, the
    principal and the entrustment of a case accepted on behalf; None otherwise. A case being started has it
    in memory (its row is written once the start has settled). A helper: the caller's transaction."""
    found = case.on_behalf if case.on_behalf is not None else of_case(uow, case.row)
    return None if found is None else {"agent": found.agent_name, "principal": found.principal_name,
                                       "basis": found.basis, "delegation_id": found.delegation_id}


def case_on_behalf(uow: UnitOfWork, instance_id: int) -> OnBehalf | None:
    """``of_case`` in its own read transaction, for pages."""
    with uow:
        row = uow.session.get(ProcessInstance, instance_id)
        return None if row is None else of_case(uow, row)


# ---- helpers -----------------------------------------------------------------------------------

def _at_a_window(actor: Actor) -> bool:
    return "clerk" in actor.roles and "admin" not in actor.roles


def _agent_groups(uow: UnitOfWork, actor: Actor) -> dict[str, list[str]]:
    """Department code -> ``actor``'s groups in it."""
    mine: dict[str, list[str]] = {}
    for group, code in sorted(department_of_groups(uow, actor.groups).items()):
        mine.setdefault(code, []).append(group)
    return mine


def _is_agent(uow: UnitOfWork, mine: dict[str, list[str]]) -> bool:
    """Whether one of these departments is the agent of an entrustment, in any state."""
    return bool(mine) and uow.session.scalar(select(AcceptanceDelegation.id).where(
        AcceptanceDelegation.agent_code.in_(sorted(mine))).limit(1)) is not None


def _named_starter(uow: UnitOfWork, definition: ProcessDefinition, actor: Actor) -> bool:
    named = starters.stored_starters(uow, definition)
    return named is not None and (actor.name in named["users"] or bool(actor.groups.intersection(named["groups"])))


def _latest_definition(uow: UnitOfWork, key: str) -> ProcessDefinition | None:
    return execution.latest_definition(uow, key)


def _latest_guides(uow: UnitOfWork, keys: set[str]) -> dict[str, Guide]:
    latest: dict[str, Guide] = {}
    for guide in uow.session.scalars(select(Guide).where(Guide.process_key.in_(sorted(keys))).order_by(Guide.id)):
        latest[guide.process_key] = guide  # the most recently stored, as engine.guides.latest_for_process
    return latest


def _own_items(uow: UnitOfWork, keys: set[str], mine: dict[str, list[str]]) -> set[str]:
    """Of ``keys``, those whose latest guide names one of ``mine`` as its department."""
    return {key for key, guide in _latest_guides(uow, keys).items() if guide.department_code in mine} if keys else set()


def _foreign_items(uow: UnitOfWork, principal_code: str, items: list[str]) -> list[dict[str, Any]]:
    """A refusal for each item (an item code or a process key) whose latest guide does not name the
    principal as its department, or that no guide has."""
    if not items:
        return []
    by_code: dict[str, Guide] = {}
    by_key: dict[str, Guide] = {}
    for guide in uow.session.scalars(select(Guide).where(
            Guide.code.in_(items) | Guide.process_key.in_(items)).order_by(Guide.id)):
        by_code[guide.code] = guide
        by_key[guide.process_key] = guide
    problems: list[dict[str, Any]] = []
    for n, item in enumerate(items):
        guides = [g for g in (by_code.get(item), by_key.get(item)) if g is not None]
        if not any(g.department_code == principal_code for g in guides):
            owner = guides[0].department_code if guides else None
            problems.append({"field": f"items.{n}", "rule": NOT_PRINCIPALS_ITEM, "item": item, "department": owner,
                             "message": f"{item!r} is not an item of {principal_code!r}"
                                        + (f" (its guide names {owner!r})" if owner else " (no guide names it)")})
    return problems


def _return_acceptance(uow: UnitOfWork, row: AcceptanceDelegation, actor: Actor, reason: str) -> list[str]:
    """Give the open acceptance tasks of the cases accepted under ``row`` back to the groups the diagram
    names (unassigned), each said in its case's history; the ids of the tasks given back. A helper of
    ``revoke_delegation``: its transaction."""
    waiting_cases = select(Task.instance_id).where(
        Task.instance_id.in_(select(CaseDelegation.case_id).where(CaseDelegation.delegation_id == row.id)),
        Task.state.in_(OPEN_STATES), Task.kind == "user").distinct()
    returned: list[str] = []
    now = utcnow()
    for case_id in sorted(uow.session.scalars(waiting_cases)):  # one case's lock at a time, in case order
        instance = uow.session.get(ProcessInstance, case_id)
        assert instance is not None
        steps = acceptance.steps_of(instance.definition)
        if not steps:
            continue
        lock_case(uow.session, case_id)  # behind a command running on the case: its tasks as it left them
        waiting = list(uow.session.scalars(select(Task).where(
            Task.instance_id == case_id, Task.state.in_(OPEN_STATES), Task.kind == "user",
            Task.bpmn_id.in_(sorted(steps))).order_by(Task.id).execution_options(populate_existing=True)))
        if not waiting:
            continue
        case = execution.open_case(uow, case_id)
        for task in waiting:
            spiff = _spiff.task_by_id(case.workflow, task.id)
            if spiff is None or execution.definition_of(case, spiff) is not case.row.definition:
                continue
            expression = execution.element_meta(uow, case, spiff).get("candidate_groups")
            groups = execution.names_of(execution.evaluate(spiff, expression)) if expression else []
            before, previous = list(task.candidate_groups or []), task.assignee
            if before == groups:
                continue
            uow.session.execute(update(Task).where(Task.id == task.id).values(
                candidate_groups=groups, assignee=None, claimed_at=None).execution_options(synchronize_session=False))
            uow.session.execute(delete(TaskCandidate).where(TaskCandidate.task_id == task.id,
                                                            TaskCandidate.kind == "group"))
            if groups:
                uow.session.execute(insert(TaskCandidate), [
                    {"task_id": task.id, "kind": "group", "value": g, "instance_id": case_id}
                    for g in dict.fromkeys(groups)])
            uow.session.add(HistoryEvent(
                instance_id=case_id, at=now, actor=actor.name, event=ACCEPTANCE_RETURNED, element_id=task.bpmn_id,
                element_name=task.name, element_type="UserTask", task_id=task.id, data={
                    "delegation_id": row.id, "agent_code": row.agent_code, "principal_code": row.principal_code,
                    "from_groups": before, "candidate_groups": groups, "previous_assignee": previous,
                    "reason": reason}))
            join_with_groups(uow, case_id, groups, now)
            returned.append(task.id)
    return returned


def _covering(uow: UnitOfWork, keys: set[str], actor: Actor, mine: dict[str, list[str]] | None = None
              ) -> dict[str, list[tuple[AcceptanceDelegation, list[str]]]]:
    """Process key -> the entrustments (newest first) whose agent is a department of ``actor``'s groups and
    which cover the item's latest guide, each with ``actor``'s groups in the agent department. An item is
    the principal's when its guide names the principal as its department; one the actor's own department
    implements is not accepted on behalf."""
    if not keys:
        return {}
    mine = _agent_groups(uow, actor) if mine is None else mine
    if not mine:
        return {}
    rows = list(uow.session.scalars(select(AcceptanceDelegation).where(
        AcceptanceDelegation.agent_code.in_(sorted(mine))).order_by(AcceptanceDelegation.id.desc())))
    if not rows:
        return {}
    found: dict[str, list[tuple[AcceptanceDelegation, list[str]]]] = {}
    for key, guide in _latest_guides(uow, keys).items():
        if guide.department_code in mine:
            continue
        for row in rows:
            if row.principal_code == guide.department_code and (
                    not row.items or guide.code in row.items or key in row.items):
                found.setdefault(key, []).append((row, mine[row.agent_code]))
    for key, entries in found.items():  # an active one first, else the newest
        entries.sort(key=lambda e: (state_of(e[0]) != ACTIVE, -e[0].id))
    return found


def _names(uow: UnitOfWork, codes: Iterable[str] | None = None) -> dict[str, str]:
    """Department names by code: of ``codes``, or of every department (a list of entrustments)."""
    query = select(Department.code, Department.name)
    if codes is not None:
        query = query.where(Department.code.in_(sorted(set(codes))))
    return {code: name for code, name in uow.session.execute(query)}


def _view(uow: UnitOfWork, row: AcceptanceDelegation, names: dict[str, str] | None = None) -> DelegationView:
    names = names if names is not None else _names(uow, (row.principal_code, row.agent_code))
    return DelegationView(
        id=row.id, principal_code=row.principal_code, principal_name=names.get(row.principal_code, row.principal_code),
        agent_code=row.agent_code, agent_name=names.get(row.agent_code, row.agent_code), items=list(row.items or []),
        basis=row.basis, valid_from=row.valid_from, valid_until=row.valid_until, created_by=row.created_by,
        created_at=row.created_at, revoked_by=row.revoked_by, revoked_at=row.revoked_at,
        revoke_reason=row.revoke_reason, state=state_of(row))


def _audited(view: DelegationView) -> dict[str, Any]:
    return {"principal_code": view.principal_code, "agent_code": view.agent_code, "items": view.items,
            "basis": view.basis, "valid_from": view.valid_from.isoformat(),
            "valid_until": view.valid_until.isoformat() if view.valid_until else None}

