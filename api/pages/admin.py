"""What the admin pages (users, departments) share: only admins reach them, groups are named by their titles
and departments, and the engine's refusals are said beside the fields they name."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint

from engine import departments, users
from engine.departments import DepartmentView
from engine.errors import Conflict, EngineError, ValidationFailed

from ..context import actor, uow
from .i18n import gettext as _

# engine.users.ROLES as an administrator says them, with what each lets a user do (each has its English in
# i18n.EN).
ROLE_LABELS = {"admin": "系统管理员", "analyst": "流程分析员", "clerk": "经办人员", "supervisor": "监察人员",
               "integrator": "对接系统", "head": "机关负责人"}
ROLE_HINTS = {"admin": "管理用户、部门和系统设置，并拥有其他全部角色的权限",
              "analyst": "部署流程定义、使用建模器",
              "clerk": "收件、认领和办理所在组的待办",
              "supervisor": "电子监察、好差评统计、操作日志，可查看用户并指派待办",
              "integrator": "外部系统通过 API 启动办件、办理外部任务、订阅回调",
              "head": "审批本部门牵头办件的延期申请，或径行批准延期（行政许可法第四十二条）"}


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


# What a form's field takes, said beside it when the engine refuses what was typed there (its own words are the
# API's, in English); a field not listed shows the engine's.
USER_RULES = {"name": "用户名须为 1 至 100 个字母、数字、汉字或 . @ _ -，不含空格",
              "display_name": "姓名至多 200 个字符，单行，不含控制字符",
              "groups": "组代码须为字母、数字及 . _ -，以空格或逗号分隔",
              "ttl_days": "有效期须为 1 至 36500 天的整数，或留空",
              "label": "用途至多 100 个字符",
              "password": "密码至少 8 个字符"}
DEPARTMENT_RULES = {"code": "部门代码须为 1 至 50 个字母、数字或 _ . -，例如 SCJG",
                    "name": "部门名称须为 1 至 200 个字符，单行，不含控制字符",
                    "group": "组代码须为字母、数字及 . _ -，例如 review",
                    "title": "组的名称至多 100 个字符，单行，不含控制字符"}
# Conflicts the pages meet, by the reason the engine gives, in the administrator's words.
CONFLICT_WORDS = {users.LAST_ADMIN: "此操作将使系统没有在用的管理员：请先给另一用户管理员角色。",
                  users.NAME_TAKEN: "该用户名已被使用，请换一个。",
                  departments.CODE_TAKEN: "该部门代码已被使用，请换一个。"}
RESERVED_NAME = "该用户名为系统保留（system、public），请换一个。"
OWNED_ELSEWHERE = "组 {group} 已属于部门 {department}：如需移入，请勾选“如属其他部门，移入本部门”。"


def refusals(exc: EngineError, field_of: Callable[[str], str], fallback: str, rules: dict[str, str]) -> dict[str, str]:
    """The engine's refusal beside each field of the form, in the administrator's words (``rules``: what each
    field of the page takes): ``field_of`` turns a field the engine names (``roles.1``, ``groups.0.title``) into
    the form's; a refusal naming no field goes beside ``fallback``."""
    found: dict[str, list[str]] = {}
    for detail in exc.details:
        if isinstance(detail, dict) and detail.get("field"):
            field = field_of(str(detail["field"]))
            said = found.setdefault(field, [])
            message = _said(exc, detail, rules.get(field))
            if message not in said:
                said.append(message)
    if not found:
        found[fallback] = [_said(exc, {}, rules.get(fallback))]
    return {field: "；".join(messages) for field, messages in found.items()}


def _said(exc: EngineError, detail: dict[str, object], rule: str | None) -> str:
    if isinstance(exc, Conflict):
        if detail.get("group") and detail.get("department"):  # a group another department owns
            return _(OWNED_ELSEWHERE, group=str(detail["group"]), department=str(detail["department"]))
        words = CONFLICT_WORDS.get(str(exc.context.get("reason")))
        return _(words) if words else exc.message
    if isinstance(exc, ValidationFailed) and detail.get("rule") == users.RESERVED:
        return _(RESERVED_NAME)
    if isinstance(exc, ValidationFailed) and rule is not None:
        return _(rule)
    return str(detail.get("message") or exc.message)
