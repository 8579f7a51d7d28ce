"""Entrusted acceptance management (委托受理管理) for admins: the entrustments with their state; record one
(principal, agent, items, basis, validity) and revoke one, kept with the reason. The same engine.delegations
calls the API and the command line make."""
from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from engine import delegations
from engine.errors import Conflict, EngineError, NotFound, ValidationFailed

from ..context import actor, uow
from .admin import admin_blueprint
from .i18n import gettext as _

bp = admin_blueprint("admin_delegations")
STATE_NAMES = {"active": "有效", "not_yet_valid": "未生效", "expired": "已过期", "revoked": "已撤销"}
FIELDS = ("principal_code", "agent_code", "items", "basis", "valid_from", "valid_until")
# The engine's refusals (``details[].rule``) in the administrator's words, beside their fields.
RULES = {delegations.SELF: "委托机关与受托受理机构不能是同一部门。",
         delegations.ENDS_BEFORE: "截止日期不能早于生效日期。",
         delegations.NO_DEPARTMENT: "该部门尚未设立，请先在部门管理中新增。",
         delegations.TOO_MANY_ITEMS: "委托事项至多 200 项，每项至多 255 个字符。",
         delegations.NOT_PRINCIPALS_ITEM: "{item} 不是委托机关的事项（其最新办事指南未写明由委托机关实施）。"}
# A refusal naming a field but no rule (the basis, the revoking reason: engine.text.required_text).
FIELD_WORDS = {"basis": "请填写委托依据（至多 500 个字符，单行）。", "reason": "请填写撤销理由（至多 2000 个字符）。"}


@bp.get("/admin/delegations")
def index() -> ResponseReturnValue:
    return _page({}, {})


def _page(typed: dict[str, str], problems: dict[str, str], status: int = 200) -> ResponseReturnValue:
    from engine import departments

    with uow() as unit:
        options = departments.options(unit)
    return render_template("pages/admin_delegations.html", entries=delegations.list_delegations(uow(), actor=actor()),
                           departments=options, typed=typed, problems=problems, state_names=STATE_NAMES,
                           today=delegations.today().isoformat()), status


def _day(text: str, field: str, problems: dict[str, str]) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems[field] = _("请按 年-月-日 填写日期。")
        return None


@bp.post("/admin/delegations")
def add() -> ResponseReturnValue:
    typed = {name: request.form.get(name, "").strip() for name in FIELDS}
    problems: dict[str, str] = {}
    valid_from = _day(typed["valid_from"], "valid_from", problems) or delegations.today()
    valid_until = _day(typed["valid_until"], "valid_until", problems)
    if problems:
        return _page(typed, problems, 422)
    items = [i for i in typed["items"].replace("，", ",").replace(",", " ").split() if i]
    try:
        view = delegations.add_delegation(uow(), actor=actor(), principal_code=typed["principal_code"],
                                          agent_code=typed["agent_code"], items=items, basis=typed["basis"],
                                          valid_from=valid_from, valid_until=valid_until)
    except ValidationFailed as exc:
        return _page(typed, _problems(exc), 422)
    flash(_("已新增委托受理（编号 {id}）：{agent}受{principal}委托。", id=view.id, agent=view.agent_name,
            principal=view.principal_name), "success")
    return redirect(url_for(".index"), 303)


@bp.post("/admin/delegations/<int:delegation_id>/revoke")
def revoke(delegation_id: int) -> ResponseReturnValue:
    try:
        view = delegations.revoke_delegation(uow(), delegation_id, actor=actor(), reason=request.form.get("reason", ""))
    except (ValidationFailed, Conflict, NotFound) as exc:
        said = (_("该委托已撤销。") if isinstance(exc, Conflict) else _("委托不存在。") if isinstance(exc, NotFound)
                else "；".join(_problems(exc).values()))
        flash(_("未撤销委托（编号 {id}）：{message}", id=delegation_id, message=said), "error")
        return redirect(url_for(".index"), 303)
    if view.returned_tasks:  # acceptance waiting at the agent's window goes back to the principal's
        flash(_("已撤销委托（编号 {id}）。{n} 个待受理的办件已退回{principal}的窗口受理，{agent}不能再受理。",
                id=delegation_id, n=len(view.returned_tasks), principal=view.principal_name, agent=view.agent_name),
              "success")
    else:
        flash(_("已撤销委托（编号 {id}）。", id=delegation_id), "success")
    return redirect(url_for(".index"), 303)


def _problems(exc: EngineError) -> dict[str, str]:
    """The engine's refusal beside each field it names, in Chinese: by its ``rule``, else by the field."""
    found: dict[str, list[str]] = {}
    for detail in exc.details:
        if not isinstance(detail, dict):
            continue
        field = str(detail.get("field") or "form")
        form_field = "items" if field.startswith("items.") else field
        rule = RULES.get(str(detail.get("rule")))
        if rule is not None:
            message = _(rule, item=str(detail.get("item", "")))
        elif field in FIELD_WORDS:
            message = _(FIELD_WORDS[field])
        else:
            message = _("请检查此项。")
        said = found.setdefault(form_field, [])
        if message not in said:
            said.append(message)
    return {field: "".join(messages) for field, messages in found.items()} or {"form": _("委托未保存，请检查填写的内容。")}
