"""Agency heads (role ``head``) decide extensions of the cases their departments take part in: the
departments they head, set up as scripts/run.sh sets up the demo's (the window's and the food licence's)."""
from __future__ import annotations

from typing import Any

from engine import Runtime, departments
from engine.users import SYSTEM, Actor

# Code -> (name, groups): the head of tests.helpers.CAST belongs to window (ZWFW) and food_review (SCJG).
DEPARTMENTS = {"ZWFW": ("市政务服务管理局", ["window", "zwfw", "meeting_chair"]),
               "SCJG": ("市市场监督管理局", ["review", "chief", "food_review", "certificate", "scjg"]),
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
    """The API client as an agency head of a department of the case (``head_actor``)."""
    return api.as_(head_actor(api.runtime, case_id).name)


def head_actor(runtime: Runtime, case_id: int) -> Actor:
    """An agency head of a department of the case: the department owning a group its tasks named (set up
    owning all of them when none does), and a head in that group (in tests.helpers.CAST, for the API)."""
    from sqlalchemy import select

    from engine.models import TaskCandidate
    from tests.helpers import CAST

    with runtime.uow() as uow:
        groups = sorted(set(uow.session.scalars(select(TaskCandidate.value).where(
            TaskCandidate.instance_id == case_id, TaskCandidate.kind == "group"))))
        owned = departments.department_of_groups(uow, groups)
    assert groups, f"case {case_id} has no task for a group: no department to head"
    if not owned:
        departments.put_department(runtime.uow(), "CASE", actor=SYSTEM, name="办理机关", groups=groups)
        owned = dict.fromkeys(groups, "CASE")
    group = min(owned)
    name = f"head_of_{group}"  # one name, one group: CAST outlives the test
    CAST.setdefault(name, {"groups": [group], "roles": ["head"]})
    return Actor(name, frozenset({group}), frozenset({"head"}))
