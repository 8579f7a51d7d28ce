"""Helpers for the cases the public side opens by itself (a complaint, the rectification of a 差评) and for
what the public side reads about a case: who handled it, and its item's guide. Helpers take the unit
of work and never commit."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from . import execution, guides
from .errors import NotFound
from .instances import settle
from .models import CaseDepartment, DepartmentGroup, ProcessInstance, Task
from .unit_of_work import UnitOfWork


def start_case(uow: UnitOfWork, key: str, *, prefix: str, variables: dict[str, Any], actor: str) -> execution.Case:
    """Start a case of the latest version of ``key`` under a new number ``prefix`` + date + random part,
    run it until it waits and save it. Raises NotFound (not deployed), ProcessError."""
    definition = execution.latest_definition(uow, key)
    if definition is None:
        raise NotFound(f"process {key!r} is not deployed", process_key=key)
    case = execution.new_case(uow, definition, business_key=prefix + execution.generate_business_key(),
                              variables=variables, actor=actor)
    execution.run(case)
    settle(uow, case)
    return case


@dataclass
class Handling:
    """Who worked a case: the group that handled it (``department``, a group name: ratings count it under
    the department owning it, and a 差评's rectification goes to its queue), and the clerks who completed
    tasks."""

    department: str | None
    clerks: list[str]


def handling(uow: UnitOfWork, instance_id: int) -> Handling:
    """The handling group is that of the last completed user task of the case's lead department (牵头部门,
    the item's own): items end with 统一出件 at a centre's window, which did not decide the case. Without a
    lead department, or no task of it, the last completed task's group."""
    done = list(uow.session.scalars(
        select(Task).where(Task.instance_id == instance_id, Task.state == "COMPLETED", Task.kind == "user")
        .order_by(Task.ended_at, Task.created_at, Task.id)))
    department = None
    if done:
        lead_groups = set(uow.session.scalars(
            select(DepartmentGroup.group_name)
            .join(CaseDepartment, CaseDepartment.department_code == DepartmentGroup.department_code)
            .where(CaseDepartment.case_id == instance_id, CaseDepartment.role == "lead")))
        last = next((t for t in reversed(done) if lead_groups & set(t.candidate_groups or [])), done[-1])
        groups = [g for g in last.candidate_groups or [] if g in lead_groups] or last.candidate_groups or [None]
        department = groups[0] or last.lane
    clerks = list(dict.fromkeys(t.completed_by for t in done if t.completed_by))
    return Handling(department=department, clerks=clerks)


def last_contact(uow: UnitOfWork, instance_id: int) -> Task | None:
    """The user task completed last: the latest service contact of a running case."""
    return uow.session.scalars(
        select(Task).where(Task.instance_id == instance_id, Task.state == "COMPLETED", Task.kind == "user")
        .order_by(Task.ended_at.desc(), Task.id.desc()).limit(1)).first()


def cases_numbered(uow: UnitOfWork, case_no: str) -> list[ProcessInstance]:
    return list(uow.session.scalars(select(ProcessInstance).where(ProcessInstance.business_key == case_no)
                                    .order_by(ProcessInstance.id)))


def guide_for(uow: UnitOfWork, process_key: str) -> dict[str, Any] | None:
    """The latest deployed guide (办事指南) of the item whose ``process`` is ``process_key``, or None."""
    found = guides.latest_for_process(uow, process_key)
    return dict(found.content) if found is not None else None


def item_name(uow: UnitOfWork, row: ProcessInstance, guide: dict[str, Any] | None = None) -> str:
    """The item's name as the public knows it: the guide's, else the process's."""
    if guide and guide.get("name"):
        return str(guide["name"])
    return row.definition.name or row.definition_key
