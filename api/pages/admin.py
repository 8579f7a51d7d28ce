"""What the admin pages (users, departments) share: only admins reach them, groups are named by their titles
and departments, and the engine's refusals are said beside the fields they name."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint

from engine import departments
from engine.departments import DepartmentView
from engine.errors import EngineError

from ..context import actor, uow

# engine.users.ROLES as an administrator says them, with what each lets a user do (each has its English in
# i18n.EN).
ROLE_LABELS = {"admin": "系统管理员", "analyst": "流程分析员", "clerk": "经办人员", "supervisor": "监察人员",
               "integrator": "对接系统"}
ROLE_HINTS = {"admin": "管理用户、部门和系统设置，并拥有其他全部角色的权限",
              "analyst": "部署流程定义、使用建模器",
              "clerk": "收件、认领和办理所在组的待办",
              "supervisor": "电子监察、好差评统计、操作日志，可查看用户并指派待办",
              "integrator": "外部系统通过 API 启动办件、办理外部任务、订阅回调"}


def admin_blueprint(name: str) -> Blueprint:
    """A blueprint every request of which needs the admin role, reads too: supervisors may list users over
    the API (whom to assign a task to), but these pages exist to change them."""
    bp = Blueprint(name, __name__)
    bp.before_request(_require_admin)
    return bp


def _require_admin() -> None:
    actor().require(action="manage users and departments")


@dataclass(frozen=True)
class GroupInfo:
    """A group a department owns, as the pages name it."""

    code: str
    title: str | None
    department_code: str
    department_name: str


def group_catalogue() -> tuple[list[DepartmentView], dict[str, GroupInfo]]:
    """Every department with its groups, and each group owned by one with its title and department."""
    found = departments.list_departments(uow())
    known = {group: GroupInfo(group, d.titles.get(group), d.code, d.name) for d in found for group in d.groups}
    return found, known


def refusals(exc: EngineError, field_of: Callable[[str], str], fallback: str) -> dict[str, str]:
    """The engine's words beside each field of the form: ``field_of`` turns a field the engine names (``roles.1``,
    ``groups.0.title``) into the form's; a refusal naming no field goes beside ``fallback``. A detail without a
    message of its own (a group another department owns) reads as the refusal's message."""
    found: dict[str, list[str]] = {}
    for detail in exc.details:
        if isinstance(detail, dict) and detail.get("field"):
            said = found.setdefault(field_of(str(detail["field"])), [])
            message = str(detail.get("message") or exc.message)
            if message not in said:
                said.append(message)
    if not found:
        found[fallback] = [exc.message]
    return {field: "; ".join(messages) for field, messages in found.items()}
