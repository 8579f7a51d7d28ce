"""Entrusted acceptance management (委托受理管理) for admins: the entrustments with their state; record one
(principal, agent, items, basis, validity) and revoke one, kept with the reason. The same engine.delegations
calls the API and the command line make.

Also a template global, ``accepted_on_behalf(instance_id)``, that the case page reads for its 受理机构 (the
caller has checked the reader may read the case)."""
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
STATE_NAMES = {"active": "有效", "not_yet_valid": "尚未生效", "expired": "已过期", "revoked": "已撤销"}
FIELDS = ("principal_code", "agent_code", "items", "basis", "valid_from", "valid_until")


@bp.app_template_global("accepted_on_behalf")
def accepted_on_behalf(instance_id: int) -> delegations.OnBehalf | None:
    return delegations.case_on_behalf(uow(), instance_id)


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
        delegations.revoke_delegation(uow(), delegation_id, actor=actor(), reason=request.form.get("reason", ""))
    except (ValidationFailed, Conflict, NotFound) as exc:
        flash(_("未撤销委托（编号 {id}）：{message}", id=delegation_id, message=exc.message), "error")
        return redirect(url_for(".index"), 303)
    flash(_("已撤销委托（编号 {id}）。", id=delegation_id), "success")
    return redirect(url_for(".index"), 303)


def _problems(exc: EngineError) -> dict[str, str]:
    found: dict[str, str] = {}
    for detail in exc.details:
        if isinstance(detail, dict):
            found.setdefault(str(detail.get("field") or "form"), str(detail.get("message") or ""))
    return found or {"form": exc.message}
