"""Department management (部门管理) for admins: the departments with their groups and the groups' titles; add a
department, rename one, give it a group, change a group's title.

The same engine.departments calls the API and the command line make. A department is put whole (its name,
parent and groups at once), so a rename or a new group is put with the groups and parent it has now, read
just before; a form older than the department's last change is refused rather than put over that change.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from engine import departments
from engine.departments import DepartmentView
from engine.errors import Conflict, EngineError, NotFound, ValidationFailed

from ..context import actor, uow
from .admin import DEPARTMENT_RULES, admin_blueprint, group_catalogue, refusals
from .i18n import gettext as _

bp = admin_blueprint("admin_departments")


@dataclass
class Refused:
    """A form the engine (or the page) refused: which (``add``, ``name:CODE``, ``group:CODE``, ``title:GROUP``),
    what was typed in it, and the problems by field."""

    form: str = ""
    typed: dict[str, str] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)

    def value(self, form: str, name: str, default: str | None = "") -> str:
        """What the form holds: as typed after its refusal, else ``default`` (what is stored)."""
        return self.typed.get(name, "") if self.form == form else default or ""

    def problem(self, form: str, name: str) -> str:
        return self.problems.get(name, "") if self.form == form else ""


def _field(engine_field: str) -> str:
    """A field the engine names, as the forms name it: the group's title (``groups.0.title``, ``titles.X``),
    the group (``groups``), the parent, the code, the name."""
    if engine_field.endswith(".title") or engine_field.startswith("titles."):
        return "title"
    return "group" if engine_field.startswith("groups") else engine_field


def _status(exc: EngineError) -> int:
    return 409 if isinstance(exc, Conflict) else 422


@bp.get("/admin/departments")
def index() -> ResponseReturnValue:
    return _page(Refused())


def _page(refused: Refused, status: int = 200) -> ResponseReturnValue:
    """Every department, the one just changed (``open``) or refused open; after a refusal, the form refused
    with what was typed and each problem beside its field."""
    catalogue, known = group_catalogue()
    kind, _colon, target = refused.form.partition(":")
    opened = {"name": target, "group": target}.get(kind) or request.args.get("open", "")
    if kind == "title" and target in known:
        opened = known[target].department_code
    return render_template("pages/admin_departments.html", departments=catalogue,
                           names={d.code: d.name for d in catalogue}, refused=refused, opened=opened), status


@bp.post("/admin/departments")
def add() -> ResponseReturnValue:
    """A new department (put_department with ``only_new``), with its first group and that group's title if
    typed."""
    typed = {name: request.form.get(name, "").strip()
             for name in ("code", "name", "parent_code", "group", "title", "move_groups")}
    group, title = typed["group"], typed["title"]
    if title and not group:
        return _page(Refused("add", typed, {"group": _("填写了组的名称，请同时填写组代码。")}), 422)
    try:
        view, _created = departments.put_department(
            uow(), typed["code"], actor=actor(), name=typed["name"], parent_code=typed["parent_code"] or None,
            groups=[group] if group else [], titles={group: title} if title else None, only_new=True,
            move_groups=typed["move_groups"] == "1")
    except (ValidationFailed, Conflict) as exc:  # a Conflict: the code is taken, or the group is another's
        return _page(Refused("add", typed, refusals(exc, _field, "code", DEPARTMENT_RULES)), _status(exc))
    flash(_("已新增部门 {code}（{name}）。", code=view.code, name=view.name), "success")
    return _back_to(view.code)


@bp.post("/admin/departments/<code>/name")
def rename(code: str) -> ResponseReturnValue:
    typed = {"name": request.form.get("name", "").strip()}
    current = departments.get_department(uow(), code)
    if _stale(current):
        return _page(Refused(f"name:{code}", typed, {"name": _changed_meanwhile()}), 409)
    try:
        view, _created = departments.put_department(uow(), code, actor=actor(), name=typed["name"],
                                                    parent_code=current.parent_code, groups=current.groups,
                                                    unchanged_since=current.updated_at)
    except (ValidationFailed, Conflict) as exc:
        problems = {"name": _changed_meanwhile()} if _raced(exc) else refusals(exc, _field, "name", DEPARTMENT_RULES)
        return _page(Refused(f"name:{code}", typed, problems), _status(exc))
    flash(_("已将部门 {code} 的名称改为 {name}。", code=code, name=view.name), "success")
    return _back_to(code)


@bp.post("/admin/departments/<code>/groups")
def add_group(code: str) -> ResponseReturnValue:
    """Give the department a group, with its title if typed; one another department owns is taken from it only
    when "move" is ticked (a reorganisation)."""
    typed = {name: request.form.get(name, "").strip() for name in ("group", "title", "move_groups")}
    group, title = typed["group"], typed["title"]
    current = departments.get_department(uow(), code)
    problem = _changed_meanwhile() if _stale(current) else \
        _("请填写组代码。") if not group else _("该组已属于本部门。") if group in current.groups else None
    if problem:
        return _page(Refused(f"group:{code}", typed, {"group": problem}), 409 if _stale(current) else 422)
    try:
        departments.put_department(uow(), code, actor=actor(), name=current.name, parent_code=current.parent_code,
                                   groups=[*current.groups, group], titles={group: title} if title else None,
                                   move_groups=typed["move_groups"] == "1", unchanged_since=current.updated_at)
    except (ValidationFailed, Conflict) as exc:  # a Conflict: another department owns the group, or it changed
        problems = {"group": _changed_meanwhile()} if _raced(exc) else refusals(exc, _field, "group", DEPARTMENT_RULES)
        return _page(Refused(f"group:{code}", typed, problems), _status(exc))
    flash(_("已将组 {group} 加入部门 {code}。", group=group, code=code), "success")
    return _back_to(code)


@bp.post("/admin/departments/titles")
def set_title() -> ResponseReturnValue:
    """A group's title, whichever department owns it (set_group_titles); blank clears it, and pages show the
    group's code."""
    group, title = request.form.get("group", ""), request.form.get("title", "").strip()
    where = f"title:{group}"
    try:
        changed = departments.set_group_titles(uow(), {group: title}, actor=actor())
    except (ValidationFailed, NotFound) as exc:  # NotFound: the group left its department meanwhile
        return _page(Refused(where, {"title": title}, refusals(exc, _field, "title", DEPARTMENT_RULES)),
                     404 if isinstance(exc, NotFound) else 422)
    if group not in changed:
        flash(_("组 {group} 的名称未变。", group=group), "info")
    elif changed[group]:
        flash(_("已将组 {group} 的名称改为 {title}。", group=group, title=changed[group]), "success")
    else:
        flash(_("已清除组 {group} 的名称，页面将显示组代码。", group=group), "success")
    return _back_to(request.form.get("code", ""))


def _raced(exc: Exception) -> bool:
    """Whether the engine refused a put because the department changed between this page's read and its write."""
    return isinstance(exc, Conflict) and "updated_at" in exc.context


def _stale(current: DepartmentView) -> bool:
    """Whether the department changed since the form was shown: put whole, it would undo that change."""
    return request.form.get("updated_at", "") != current.updated_at.isoformat()


def _changed_meanwhile() -> str:
    return _("该部门在您打开本页后已被修改（可能是其他管理员），请核对下面的最新内容后重新提交。")


def _back_to(code: str) -> ResponseReturnValue:
    return redirect(url_for(".index", open=code or None, _anchor=f"department-{code}" if code else None), 303)
