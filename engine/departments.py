"""Departments (部门): the groups each one owns, and which departments take part in each case.

A department owns user groups (a window, a review section); a group belongs to at most one department, and
may have a display name (its title) that pages show in the stead of its code.
A case's departments (``case_departments``) are written with its tasks, in the same transaction: the
department of a new task's candidate groups (and of its assignee's groups) takes part from then on. The
first one is the lead (牵头), unless the service item's guide names the lead department at start. A group
newly given to a department brings that department into the cases the group already worked on, in the
transaction of the department's change; a group taken away leaves the cases it worked on as they are.
A case has one lead at most, held by a unique index: a department that would lead a case given a lead
meanwhile by a concurrent command (each saw none) takes part instead.

A department is deleted only when nothing refers to it (a code set up by mistake, or one dissolved once its
groups moved away): no groups, no child departments, no case it took part in, no deployed guide naming it.
The delete holds the department's row while it checks, so a group given or a case joined meanwhile waits
for it or is seen; a case command that read the department before it went leaves it out.

Nothing here decides who sees what; engine.case_access does, from these rows.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, exists, func, or_, select, union, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.selectable import Exists

from . import audit
from .clock import utcnow
from .db import affected, insert_unless_present
from .errors import Conflict, NotFound, ValidationFailed
from .models import (
    AuditEntry,
    CaseDepartment,
    Department,
    DepartmentGroup,
    Guide,
    ProcessInstance,
    Task,
    TaskCandidate,
    User,
)
from .text import TOO_LONG, text_problem
from .unit_of_work import UnitOfWork
from .users import GROUP_RULE, Actor, bad_group_names

if TYPE_CHECKING:
    from .execution import Case

LEAD, PARTICIPANT = "lead", "participant"
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$")
TITLE_LENGTH = 100  # department_groups.title
CODE_TAKEN = "code_taken"  # a Conflict's ``reason`` when a department is added under a code in use


@dataclass
class DepartmentView:
    code: str
    name: str
    parent_code: str | None
    groups: list[str]
    created_at: datetime
    updated_at: datetime
    titles: dict[str, str | None] = field(default_factory=dict)  # each group -> its display name (None: none)


# ---- commands and queries ----------------------------------------------------------------------

def put_department(uow: UnitOfWork, code: str, *, actor: Actor, name: str, parent_code: str | None = None,
                   groups: Iterable[str] = (), titles: Mapping[str, str | None] | None = None,
                   title_entries: Mapping[str, int] | None = None, only_new: bool = False,
                   move_groups: bool = False, unchanged_since: datetime | None = None
                   ) -> tuple[DepartmentView, bool]:
    """Create a department, or replace its name, parent and groups; returns it and whether it is new.

    The groups it gains bring it into the existing cases (any state) they worked on, in the same
    transaction: as lead where a case has none yet, else as participant; groups it loses take it out of none.

    Args:
        groups: the user groups it owns, replacing those it had; a group may belong to one department only.
        titles: display names of some of ``groups`` (pages show them in the stead of the codes); None or ""
            clears one. A group not named here keeps the title it has, one moved from another department too.
        title_entries: where each of ``titles`` was given, as the index of its entry in ``groups`` (a
            group listed twice: the entry with the title), which a bad title's problem names
            (``groups.N.title``); by default the group's first entry.
        only_new: refuse (Conflict) when the department exists already.
        move_groups: take groups another department owns from it (a reorganisation, 机构改革), in the same
            transaction; else such a group is a Conflict.
        unchanged_since: the department's ``updated_at`` as the caller read it: a department changed since
            is a Conflict (a page putting back the groups it read must not undo a change made meanwhile).

    Raises:
        Forbidden (not admin); ValidationFailed (bad code, name, group or parent, or a parent that does not
        exist: ``details`` name the field); Conflict (a group belongs to another department, the parent
        would make a cycle, ``only_new`` and the department exists, or a concurrent command changed the
        department or its groups first).
    """
    actor.require(action="manage departments")
    code, name, wanted, named = _check(code, name, groups, titles or {}, title_entries or {})
    parent_code = (parent_code or "").strip() or None
    with uow:
        try:
            view, created, before, moved = _put(uow.session, code, name, parent_code, wanted, named, only_new,
                                                move_groups, unchanged_since)
            after = _audit_fields(view)
            audit.record(uow, actor, "department.put", ("department", code),
                         audit.diff(before, after, created=created, **({"moved_groups": moved} if moved else {})))
            _record_losses(uow, actor, code, moved)
            uow.commit()
        # A concurrent change took the code or a group first, or (SQLite, where this read took no lock)
        # deleted the department this command read.
        except (IntegrityError, StaleDataError):
            raise Conflict(f"department {code!r} or one of its groups was changed meanwhile; try again") from None
        return view, created


def delete_department(uow: UnitOfWork, code: str, *, actor: Actor) -> DepartmentView:
    """Delete a department nothing refers to; returns it as it was.

    Its row is held from the first statement to the commit (PostgreSQL: FOR UPDATE, which a group given to
    it, a child put under it or a case joining it must wait for; SQLite: the one write lock), so what the
    checks see stays true until the delete. A guide deployed meanwhile may still name the code: guides may
    name departments not set up here, and such a name brings no department into a case.

    Raises:
        Forbidden (not admin); NotFound (no such department); Conflict (it owns groups, has child
        departments, took part in a case, or a deployed guide names it: ``details`` has one item per
        reason, ``{"field", "message"}`` with the groups, departments, case count or guide codes).
    """
    actor.require(action="manage departments")
    with uow:
        session = uow.session
        department = _hold(session, code, uow.dialect)
        if department is None:
            raise NotFound(f"department {code!r} not found")
        held = _references(session, code)
        if held:
            raise Conflict(f"department {code!r} is still referred to and was not deleted", details=held)
        view = DepartmentView(code=code, name=department.name, parent_code=department.parent_code, groups=[],
                              created_at=department.created_at, updated_at=department.updated_at)
        try:
            session.execute(delete(Department).where(Department.code == code))
            audit.record(uow, actor, "department.deleted", ("department", code),
                         audit.diff({"name": view.name, "parent_code": view.parent_code}, {}))
            uow.commit()
        except IntegrityError:  # not expected with the row held; never a partial delete
            raise Conflict(f"department {code!r} was changed meanwhile; try again") from None
        return view


def get_department(uow: UnitOfWork, code: str) -> DepartmentView:
    """Raises NotFound."""
    with uow:
        department = uow.session.get(Department, code)
        if department is None:
            raise NotFound(f"department {code!r} not found")
        return _view(uow.session, department)


def list_departments(uow: UnitOfWork) -> list[DepartmentView]:
    """Every department with its groups and their titles, by code."""
    with uow:
        titles: dict[str, dict[str, str | None]] = {}
        for group, code, title in uow.session.execute(
                select(DepartmentGroup.group_name, DepartmentGroup.department_code, DepartmentGroup.title)
                .order_by(DepartmentGroup.group_name)):
            titles.setdefault(code, {})[group] = title
        return [DepartmentView(code=d.code, name=d.name, parent_code=d.parent_code, groups=list(titles.get(d.code, {})),
                               created_at=d.created_at, updated_at=d.updated_at, titles=titles.get(d.code, {}))
                for d in uow.session.scalars(select(Department).order_by(Department.code))]


def set_group_titles(uow: UnitOfWork, titles: Mapping[str, str | None], *, actor: Actor,
                     only_untitled: bool = False) -> dict[str, str | None]:
    """Set the display names of groups that departments own, whichever department owns each; returns those
    changed (group -> its title, None: cleared). Each department changed gets an audit entry.

    Args:
        titles: group -> its display name; None or "" clears it.
        only_untitled: give a title only to a group that never had one (an admin's title, and an
            admin's clearing of one, stay), and leave out the groups no department owns (a setup script
            filling in titles on every start, never over what an admin chose).

    Raises:
        Forbidden (not admin); ValidationFailed (a bad group name or title: ``details`` name the group);
        NotFound (a group no department owns, unless ``only_untitled``).
    """
    actor.require(action="manage departments")
    problems: list[dict[str, Any]] = [{"field": "groups", "message": f"{g!r}: {GROUP_RULE}"}
                                      for g in bad_group_names(list(titles))]
    wanted = {group: _title(title, f"titles.{group}", problems) for group, title in titles.items()}
    if problems:
        raise ValidationFailed("the group titles are invalid", details=problems)
    with uow:
        session = uow.session
        owners = select(DepartmentGroup.department_code).where(DepartmentGroup.group_name.in_(sorted(wanted)))
        rows = session.execute(select(DepartmentGroup.group_name, DepartmentGroup.department_code,
                                      DepartmentGroup.title).where(DepartmentGroup.department_code.in_(owners))
                               .order_by(DepartmentGroup.group_name).with_for_update()).all()
        owner = {group: code for group, code, _ in rows}
        current = {group: title for group, _, title in rows}
        missing = [group for group in wanted if group not in owner]
        if missing and not only_untitled:
            raise NotFound(f"no department owns the group(s) {', '.join(missing)}")
        changed = {group: title for group, title in wanted.items() if group in owner and title != current[group]
                   and not (only_untitled and current[group] is not None)}
        if only_untitled and changed:  # nor one an admin cleared: it had a title once
            titled_once = _ever_titled(session, set(changed))
            changed = {group: title for group, title in changed.items() if group not in titled_once}
        for group, title in changed.items():
            session.execute(update(DepartmentGroup).where(DepartmentGroup.group_name == group).values(title=title))
        now = utcnow()
        for code in sorted({owner[group] for group in changed}):
            had = {group: title for group, title in current.items() if owner[group] == code}
            has = {**had, **{group: title for group, title in changed.items() if owner[group] == code}}
            session.execute(update(Department).where(Department.code == code).values(updated_at=now))
            audit.record(uow, actor, "department.put", ("department", code), audit.diff(_titled(had), _titled(has)))
        uow.commit()
        return changed


def _ever_titled(session: Session, groups: set[str]) -> set[str]:
    """Those of ``groups`` that had a title at some time, one cleared since too. The audit log is where
    that is kept: every change of titles writes the department's titles before and after it, and its
    entries are never deleted."""
    found: set[str] = set()
    for change in session.scalars(select(AuditEntry.change).where(AuditEntry.target_kind == "department",
                                                                  AuditEntry.action == "department.put")):
        for side in ("before", "after"):
            titles = (change.get(side) or {}).get("titles") if isinstance(change, dict) else None
            if isinstance(titles, dict):
                found.update(groups.intersection(titles))
    return found


def options(uow: UnitOfWork) -> list[dict[str, Any]]:
    """The departments that own user groups, by code, as a form's options: ``{"value": code, "label": name,
    "groups": [...]}`` (a department without groups has nobody to act for it, so it is not offered). A
    helper: runs in the caller's transaction (``with uow``), never opens or commits one."""
    groups: dict[str, list[str]] = {}
    for group, code in uow.session.execute(select(DepartmentGroup.group_name, DepartmentGroup.department_code)
                                           .order_by(DepartmentGroup.group_name)):
        groups.setdefault(code, []).append(group)
    return [{"value": code, "label": name, "groups": groups[code]}
            for code, name in uow.session.execute(select(Department.code, Department.name).order_by(Department.code))
            if code in groups]


def department_of_groups(uow: UnitOfWork, groups: Iterable[str]) -> dict[str, str]:
    """Group -> department code, for the groups that belong to one. A helper: runs in the caller's
    transaction (``with uow``), never opens or commits one."""
    names = sorted({g for g in groups if g})
    if not names:
        return {}
    return {group: code for group, code in uow.session.execute(
        select(DepartmentGroup.group_name, DepartmentGroup.department_code).where(DepartmentGroup.group_name.in_(names)))}


def group_titles(uow: UnitOfWork) -> dict[str, str]:
    """Every group that belongs to a department and has a display name -> that name, for pages naming groups
    (a few rows: one per group)."""
    with uow:
        return {group: title for group, title in uow.session.execute(
            select(DepartmentGroup.group_name, DepartmentGroup.title).where(DepartmentGroup.title.is_not(None)))
            if title is not None}


def group_departments(uow: UnitOfWork) -> dict[str, str]:
    """Every group that belongs to a department -> the department's name, for pages naming groups (a few
    rows: one per group)."""
    with uow:
        return dict(uow.session.execute(select(DepartmentGroup.group_name, Department.name)
                                        .join(Department, Department.code == DepartmentGroup.department_code)).all())


# ---- case participation (called by engine.execution when a case is saved) ------------------------

def _lead_held(case_id: BindParameter[int] | InstrumentedAttribute[int]) -> Exists:
    """SQL: the case already has a lead, so a department joining it takes part; otherwise it leads."""
    held = aliased(CaseDepartment)  # its own alias: the lead may be a department other than the one joined
    return exists().where(held.case_id == case_id, held.role == LEAD)


def _groups_and_case_departments() -> Any:
    """The departments of some groups, each with its role in a case (None: not taking part yet), and
    whether the case has a lead. Built once: take_part runs it in most commands that create a task."""
    case_id: BindParameter[int] = bindparam("case_id")
    return (select(DepartmentGroup.group_name, DepartmentGroup.department_code, CaseDepartment.role,
                   _lead_held(case_id).label("has_lead"))
            .outerjoin(CaseDepartment, (CaseDepartment.department_code == DepartmentGroup.department_code)
                       & (CaseDepartment.case_id == case_id))
            .where(DepartmentGroup.group_name.in_(bindparam("groups", expanding=True))))


_GROUPS_AND_CASE_DEPARTMENTS = _groups_and_case_departments()


def take_part(uow: UnitOfWork, case: Case, tasks: Sequence[Task], now: datetime) -> None:
    """Add the departments of the tasks this save created to the case's departments.

    On the hot path of every command, so it reads nothing unless the save created tasks or started the
    case: then one query maps the tasks' groups to departments together with the case's known ones (plus
    one for assignees' groups when a task has an assignee), and only departments new to the case are
    inserted. The lead is the guide's department when a new case's item names one, else the first
    department the case reaches; the guide's co-departments take part from the start.
    """
    lead, co = guide_departments(uow, case.row.definition_key) if case.is_new else (None, [])
    if not tasks and lead is None and not co:
        return
    by_user = _user_groups(uow.session, {t.assignee for t in tasks if t.assignee})
    ordered: list[str] = []  # groups in the order tasks name them: the first department found may lead
    for task in tasks:
        ordered += [*(task.candidate_groups or []), *by_user.get(task.assignee or "", [])]
    _join(uow.session, case.row.id, [*([lead] if lead else []), *co], ordered, now)


def join_with_groups(uow: UnitOfWork, case_id: int, groups: Iterable[str], now: datetime) -> None:
    """The departments of a user's groups take part in a case when a task of it is claimed by or assigned
    to that user (someone outside the departments the case reached so far). A helper: the caller's
    transaction; one query, an insert only for departments new to the case."""
    _join(uow.session, case_id, [], sorted(groups), now)


def _join(session: Session, case_id: int, named: list[str], groups: list[str], now: datetime) -> None:
    """Add departments to a case: those ``named`` first, then those of ``groups`` in order. The first one
    takes the lead when the case has none yet."""
    wanted = set(groups)
    if not wanted and not named:
        return
    rows = session.execute(_GROUPS_AND_CASE_DEPARTMENTS, {"case_id": case_id, "groups": sorted(wanted)}
                           ).all() if wanted else []
    department_of = {group: code for group, code, _, _ in rows}
    known = {code for _, code, role, _ in rows if role is not None}
    lead_known = any(row.has_lead for row in rows)  # a new case has none: no rows yet
    new: list[dict[str, Any]] = []
    for code in dict.fromkeys([*named, *(department_of[g] for g in groups if g in department_of)]):
        if code in known:
            continue
        role = PARTICIPANT if lead_known else LEAD
        lead_known = True
        known.add(code)
        new.append({"case_id": case_id, "department_code": code, "role": role, "since": now})
    if new:
        _insert(session, new)


def _insert(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert case departments, skipping those present: a concurrent command (an admin giving a department
    groups, a clerk's task) may have brought one in meanwhile. A lead row refused because the case got a
    lead meanwhile goes in as participant, in a second statement made only then.

    No conflict target, so that the partial one-lead index is an arbiter too on PostgreSQL: there a
    concurrent uncommitted lead makes the insert wait, then skip the row rather than fail."""
    rows = _still_set_up(session, rows)
    if not rows:
        return
    inserted = {(case_id, code) for case_id, code in session.execute(insert_unless_present(
        session, CaseDepartment, None).returning(CaseDepartment.case_id, CaseDepartment.department_code), rows)}
    refused = [{**row, "role": PARTICIPANT} for row in rows
               if row["role"] == LEAD and (row["case_id"], row["department_code"]) not in inserted]
    if refused:  # or present already (the same department, joined meanwhile): then nothing is inserted
        session.execute(insert_unless_present(session, CaseDepartment, None), refused)


def lead_of_guide(uow: UnitOfWork, definition_key: str) -> str | None:
    """The lead department the latest guide of a process names (``department.code``), when that
    department is set up here. A helper in the caller's transaction."""
    return guide_departments(uow, definition_key)[0]


def guide_departments(uow: UnitOfWork, definition_key: str) -> tuple[str | None, list[str]]:
    """The lead department and the co-departments the latest guide of a process names, those set up
    here. Two queries, made when a case starts; a helper in the caller's transaction."""
    from .guides import latest_for_process  # guides -> time_limits -> case_access import this module

    guide = latest_for_process(uow, definition_key)
    if guide is None:
        return None, []
    co_named = [str((d or {}).get("code") or "") for d in guide.content.get("co_departments") or []]
    named = [guide.department_code, *co_named]
    known = set(uow.session.scalars(select(Department.code).where(Department.code.in_([n for n in named if n]))))
    co = [code for code in dict.fromkeys(named[1:]) if code in known and code != guide.department_code]
    return (guide.department_code if guide.department_code in known else None), co


def departments_of_case(uow: UnitOfWork, instance_id: int, *, actor: Actor) -> list[CaseDepartment]:
    """The departments taking part in a case, lead first.

    Raises NotFound: no such case, or one outside a scoped clerk's departments (engine.case_access).
    """
    from .case_access import require_case  # it reads this module's tables

    with uow:
        require_case(uow, actor, instance_id)
        if uow.session.get(ProcessInstance, instance_id) is None:
            raise NotFound(f"process instance {instance_id} not found")
        return sorted(uow.session.scalars(select(CaseDepartment).where(CaseDepartment.case_id == instance_id)),
                      key=lambda r: (r.role != LEAD, r.since, r.department_code))


# ---- helpers -----------------------------------------------------------------------------------

def _put(session: Session, code: str, name: str, parent_code: str | None, wanted: list[str],
         titles: dict[str, str | None], only_new: bool, move_groups: bool, unchanged_since: datetime | None
         ) -> tuple[DepartmentView, bool, dict[str, Any], dict[str, str]]:
    """The department as put and whether it is new; for the audit log, what it was and the groups moved to
    it (group -> the department that had it)."""
    # FOR NO KEY UPDATE on PostgreSQL: a concurrent delete (FOR UPDATE) and this change take turns, while
    # the cases joining the department (FOR KEY SHARE, by their foreign key) go on.
    department = session.get(Department, code, with_for_update={"key_share": True})
    before = _audited(session, department)
    if department is not None and only_new:
        raise Conflict(f"department {code!r} exists already", reason=CODE_TAKEN)
    if unchanged_since is not None and (department is None or department.updated_at != unchanged_since):
        raise Conflict(f"department {code!r} changed meanwhile",
                       updated_at=department.updated_at.isoformat() if department is not None else None)
    if parent_code is not None:
        _check_parent(session, code, parent_code)
    others = session.execute(select(DepartmentGroup.group_name, DepartmentGroup.department_code, DepartmentGroup.title)
                             .where(DepartmentGroup.group_name.in_(wanted), DepartmentGroup.department_code != code)).all()
    taken = [(group, owner) for group, owner, _ in others]
    carried = {group: title for group, _, title in others}  # a group moved keeps its title unless given one
    if taken and not move_groups:
        raise Conflict(f"group {taken[0][0]!r} belongs to department {taken[0][1]!r} already (to move it: "
                       "\"move_groups\": true, or govflow department add --move-groups)",
                       details=[{"field": "groups", "group": g, "department": d} for g, d in taken])
    if taken:  # the old department keeps its part in the cases the group worked on, as history has it
        session.execute(delete(DepartmentGroup).where(DepartmentGroup.group_name.in_([g for g, _ in taken])))
    created = department is None
    if department is None:
        department = Department(code=code, name=name, parent_code=parent_code)
        session.add(department)
        session.flush()
    else:
        department.name, department.parent_code, department.updated_at = name, parent_code, utcnow()
    session.execute(delete(DepartmentGroup).where(DepartmentGroup.department_code == code,
                                                  DepartmentGroup.group_name.not_in(wanted)))
    have = set(session.scalars(select(DepartmentGroup.group_name).where(DepartmentGroup.department_code == code)))
    gained = [g for g in wanted if g not in have]
    session.add_all([DepartmentGroup(group_name=g, department_code=code, title=titles.get(g, carried.get(g)))
                     for g in gained])
    for group in sorted(have.intersection(titles)):
        session.execute(update(DepartmentGroup).where(DepartmentGroup.group_name == group)
                        .values(title=titles[group]).execution_options(synchronize_session=False))
    session.flush()
    _join_cases_worked_on(session, code, gained, utcnow())
    return _view(session, department), created, before, {group: owner for group, owner in taken}


def _record_losses(uow: UnitOfWork, actor: Actor, code: str, moved: dict[str, str]) -> None:
    """An entry on each department that groups were moved from (``moved``: group -> that department), so
    that its own log says what it lost and to whom, not only the receiving department's."""
    lost: dict[str, list[str]] = {}
    for group, owner in moved.items():
        lost.setdefault(owner, []).append(group)
    for owner, groups in sorted(lost.items()):
        kept = list(uow.session.scalars(select(DepartmentGroup.group_name)
                                        .where(DepartmentGroup.department_code == owner)
                                        .order_by(DepartmentGroup.group_name)))
        audit.record(uow, actor, "department.put", ("department", owner),
                     audit.diff({"groups": sorted(kept + groups)}, {"groups": kept}, groups_moved_to=code))


def _join_cases_worked_on(session: Session, code: str, groups: list[str], now: datetime) -> None:
    """Bring a department into the existing cases (any state) its newly given ``groups`` worked on: a task
    named one of them as a candidate, or was assigned to or completed by a user in one of them. Set up
    after cases started, it would otherwise miss them. One query for the cases it is not in yet, each
    with whether it has a lead, then one insert; the users are filtered here, their groups being a JSON
    list."""
    if not groups:
        return
    gained = set(groups)
    members = sorted(name for name, user_groups in session.execute(select(User.name, User.groups))
                     if gained.intersection(user_groups or []))
    as_candidates = select(TaskCandidate.instance_id).where(TaskCandidate.kind == "group",
                                                            TaskCandidate.value.in_(groups))
    worked_on = union(as_candidates, select(Task.instance_id).where(
        or_(Task.assignee.in_(members), Task.completed_by.in_(members)))) if members else as_candidates
    taking_part = exists().where(CaseDepartment.case_id == ProcessInstance.id, CaseDepartment.department_code == code)
    cases = session.execute(select(ProcessInstance.id, _lead_held(ProcessInstance.id).label("has_lead"))
                            .where(ProcessInstance.id.in_(worked_on), ~taking_part)
                            .order_by(ProcessInstance.id)).all()
    if cases:
        _insert(session, [{"case_id": case_id, "department_code": code, "role": PARTICIPANT if has_lead else LEAD,
                           "since": now} for case_id, has_lead in cases])


# FOR KEY SHARE on PostgreSQL, as the foreign key's own check: it waits for a delete holding the row, then
# finds the row gone; a delete coming later waits for this transaction, then sees its case departments.
_SET_UP = (select(Department.code).where(Department.code.in_(bindparam("codes", expanding=True)))
           .with_for_update(read=True, key_share=True))


def _still_set_up(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows whose department is still set up, held until the transaction ends. The caller read the
    departments before (from groups, or a guide): one deleted since is left out, so that the command goes
    on rather than fail on the foreign key. Read only when a department is new to a case."""
    kept = set(session.scalars(_SET_UP, {"codes": sorted({row["department_code"] for row in rows})}))
    return [row for row in rows if row["department_code"] in kept]


def _audited(session: Session, department: Department | None) -> dict[str, Any]:
    """The department as the audit log shows it before a put; empty: it is new."""
    return {} if department is None else _audit_fields(_view(session, department))


def _audit_fields(view: DepartmentView) -> dict[str, Any]:
    """A department as the audit log shows it: its titles only when a group has one, so that entries of
    departments without titles read as before they existed."""
    return {"name": view.name, "parent_code": view.parent_code, "groups": view.groups, **_titled(view.titles)}


def _titled(titles: Mapping[str, str | None]) -> dict[str, Any]:
    """``{"titles": {group: title}}`` of the groups that have one; empty when none has."""
    titled = {group: title for group, title in titles.items() if title is not None}
    return {"titles": titled} if titled else {}


def _hold(session: Session, code: str, dialect: str) -> Department | None:
    """A department, its row held until the transaction ends; None: there is none."""
    if dialect == "postgresql":
        return session.scalars(select(Department).where(Department.code == code).with_for_update()).first()
    # SQLite locks no row: a write takes the one write lock now, so the reads after it are the latest and
    # no other writer goes before the commit.
    touch = update(Department).where(Department.code == code).values(updated_at=Department.updated_at)
    if affected(session.execute(touch.execution_options(synchronize_session=False))) != 1:
        return None
    return session.get(Department, code)


def _references(session: Session, code: str) -> list[dict[str, Any]]:
    """What still refers to a department, one item per kind of reference (none: it may go)."""
    found: list[dict[str, Any]] = []
    groups = list(session.scalars(select(DepartmentGroup.group_name).where(DepartmentGroup.department_code == code)
                                  .order_by(DepartmentGroup.group_name)))
    if groups:
        found.append({"field": "groups", "groups": groups, "message": f"it owns the groups {', '.join(groups)}: move them to "
                      "another department first (\"move_groups\": true, or govflow department add --move-groups)"})
    children = list(session.scalars(select(Department.code).where(Department.parent_code == code)
                                    .order_by(Department.code)))
    if children:
        found.append({"field": "children", "departments": children,
                      "message": f"the departments {', '.join(children)} belong to it"})
    roles: dict[str, int] = dict(session.execute(
        select(CaseDepartment.role, func.count()).where(CaseDepartment.department_code == code)
        .group_by(CaseDepartment.role)).all())
    cases, leads = sum(roles.values()), roles.get(LEAD, 0)
    if cases:
        as_lead = f", {leads} as lead" if leads else ""
        found.append({"field": "cases", "count": cases, "lead": leads,
                      "message": f"it took part in {cases} case(s){as_lead}: their history and supervision "
                                 "statistics name it"})
    guides = _guides_naming(session, code)
    if guides:
        found.append({"field": "guides", "guides": guides,
                      "message": f"the guides of {', '.join(guides)} name it: deploy them without it first"})
    return found


def _guides_naming(session: Session, code: str) -> list[str]:
    """The items whose deployed guide names the department: as lead, co-department or a material's
    department. Deployed: the latest version of each item, and the latest guide of each process (the one a
    case start reads); earlier versions are history and bring no department into a case."""
    latest = union(select(func.max(Guide.id)).group_by(Guide.code),
                   select(func.max(Guide.id)).group_by(Guide.process_key))
    return sorted({item for item, lead, content in session.execute(
        select(Guide.code, Guide.department_code, Guide.content).where(Guide.id.in_(latest)))
        if code == lead or code in _named_in(content)})


def _named_in(content: dict[str, Any]) -> set[str]:
    """The department codes a guide's content names besides its lead: co-departments, materials."""
    named = {str(d.get("code") or "") for d in content.get("co_departments") or [] if isinstance(d, dict)}
    for material in content.get("materials") or []:
        if isinstance(material, dict):
            named.update(c for c in material.get("departments") or [] if isinstance(c, str))
    return named


def _user_groups(session: Session, names: set[str]) -> dict[str, list[str]]:
    if not names:
        return {}
    return {name: list(groups or []) for name, groups in
            session.execute(select(User.name, User.groups).where(User.name.in_(sorted(names))))}


def _check(code: str, name: str, groups: Iterable[str], titles: Mapping[str, str | None],
           title_entries: Mapping[str, int]) -> tuple[str, str, list[str], dict[str, str | None]]:
    problems: list[dict[str, Any]] = []
    code = (code or "").strip()
    if not _CODE.match(code):
        problems.append({"field": "code", "message": "1 to 50 letters, digits, '_', '.' or '-', e.g. SCJG"})
    name = re.sub(r"\s+", " ", name or "").strip()
    if not name or len(name) > 200:
        problems.append({"field": "name", "message": "1 to 200 characters"})
    given = [(g or "").strip() for g in groups]
    wanted = list(dict.fromkeys(g for g in given if g))
    problems += [{"field": "groups", "message": f"{g!r}: {GROUP_RULE}"} for g in bad_group_names(wanted)]
    named: dict[str, str | None] = {}
    for key, title in titles.items():
        group = (key or "").strip()
        if group not in wanted:
            problems.append({"field": "groups", "message": f"{group!r} has a title but is not among the groups"})
        else:  # the field as the request has it: groups.1.title
            entry = title_entries.get(key, given.index(group))
            named[group] = _title(title, f"groups.{entry}.title", problems)
    if problems:
        raise ValidationFailed("the department is invalid", details=problems)
    return code, name, wanted, named


def _title(title: str | None, where: str, problems: list[dict[str, Any]]) -> str | None:
    """A display name trimmed, None to clear it (None or blank); a bad one is added to ``problems``."""
    found, problem = text_problem(title, longest=TITLE_LENGTH, lines=False)
    if problem == TOO_LONG:
        message = f"at most {TITLE_LENGTH} characters"
    elif problem is not None:
        message = "no control characters or text-direction marks"
    elif found is None and (title or "").strip():  # as a display name: invisible characters say nothing
        message = "shows nothing: send null or \"\" to clear it"
    else:
        return found
    problems.append({"field": where, "message": f"a title: {message}"})
    return None


def _check_parent(session: Session, code: str, parent_code: str) -> None:
    if parent_code == code:
        raise ValidationFailed("a department cannot be its own parent",
                               details=[{"field": "parent_code", "message": "names the department itself"}])
    seen = {code}
    current: str | None = parent_code
    while current is not None:
        if current in seen:
            raise Conflict(f"parent {parent_code!r} would put department {code!r} under itself",
                           details=[{"field": "parent_code", "message": "makes a cycle"}])
        seen.add(current)
        parent = session.get(Department, current)
        if parent is None:  # the body names it: a 422 naming the field, not a 404 read as the department's own
            raise ValidationFailed(f"parent department {current!r} not found", details=[
                {"field": "parent_code", "message": f"no department {current!r}"}])
        current = parent.parent_code


def _view(session: Session, department: Department) -> DepartmentView:
    titles: dict[str, str | None] = dict(session.execute(
        select(DepartmentGroup.group_name, DepartmentGroup.title)
        .where(DepartmentGroup.department_code == department.code).order_by(DepartmentGroup.group_name)).all())
    return DepartmentView(code=department.code, name=department.name, parent_code=department.parent_code,
                          groups=list(titles), created_at=department.created_at, updated_at=department.updated_at,
                          titles=titles)


__all__ = ["LEAD", "PARTICIPANT", "DepartmentView", "delete_department", "department_of_groups", "departments_of_case",
           "get_department", "group_titles", "join_with_groups", "lead_of_guide", "list_departments", "options",
           "put_department", "set_group_titles", "take_part"]
