"""Agency heads (role ``head``) decide extensions of the cases their departments lead (牵头): the
departments they head, set up as scripts/run.sh sets up the demo's (the window's and the food licence's)."""
from __future__ import annotations

from typing import Any

from engine import Runtime, departments
from engine.users import SYSTEM, Actor

# Code -> (name, groups): the head of tests.helpers.CAST belongs to window (ZWFW) and food_review (SCJG).
# The regulator first: set up after a food licence was accepted, it leads the licence it decides (as its
# guide names it), and the service centre whose window received it takes part (engine.departments).
DEPARTMENTS = {"SCJG": ("市市场监督管理局", ["review", "chief", "food_review", "certificate", "scjg"]),
               "ZWFW": ("市政务服务管理局", ["window", "zwfw", "meeting_chair"]),
               "OFFICE": ("市发展和改革委员会", ["office"])}


def set_up_departments(runtime: Runtime, *codes: str) -> None:
    """The departments (all by default), taking part in the cases their groups worked on already."""
    for code in codes or tuple(DEPARTMENTS):
        name, groups = DEPARTMENTS[code]
        with runtime.uow() as uow:
            if departments.department_of_groups(uow, groups[:1]):
                continue
        departments.put_department(runtime.uow(), code, actor=SYSTEM, name=name, groups=groups)


def head(api: Any) -> Any:
    """The API client as the agency head, with the departments they head set up."""
    set_up_departments(api.runtime)
    return api.as_("head")


def head_of(api: Any, case_id: int) -> Any:
    """The API client as an agency head of the case's lead department (``head_actor``)."""
    return api.as_(head_actor(api.runtime, case_id).name)


def head_actor(runtime: Runtime, case_id: int) -> Actor:
    """An agency head of the case's lead department (行政许可法 Art 42: 本行政机关负责人): in a group of the
    lead that its tasks named, else in any group of the lead. A case without departments gets one owning
    the groups its tasks named, which leads it. The head is in tests.helpers.CAST, for the API."""
    from sqlalchemy import select

    from engine import case_access
    from engine.models import DepartmentGroup, TaskCandidate
    from tests.helpers import CAST

    with runtime.uow() as uow:
        groups = sorted(set(uow.session.scalars(select(TaskCandidate.value).where(
            TaskCandidate.instance_id == case_id, TaskCandidate.kind == "group"))))
        lead = case_access.lead_department(uow, case_id)
    assert groups, f"case {case_id} has no task for a group: no department to head"
    if lead is None:
        departments.put_department(runtime.uow(), "CASE", actor=SYSTEM, name="办理机关", groups=groups)
    with runtime.uow() as uow:
        lead = case_access.lead_department(uow, case_id)
        assert lead is not None, f"case {case_id} has no lead department"
        of_lead = sorted(uow.session.scalars(select(DepartmentGroup.group_name).where(
            DepartmentGroup.department_code == lead)))
    group = min([g for g in groups if g in of_lead] or of_lead)
    name = f"head_of_{group}"  # one name, one group: CAST outlives the test
    CAST.setdefault(name, {"groups": [group], "roles": ["head"]})
    return Actor(name, frozenset({group}), frozenset({"head"}))
