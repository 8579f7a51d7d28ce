"""The supervision board for supervisors and admins: the warned cases, and the on-time statistics per item
and per lead department, each with a chart of on-time rates; the incidents (timers that failed their
last retry) to retry or close; and the audit log of administrative changes."""
from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from engine import audit, jobs, overdue_reasons, supervision_board, supervision_delivery
from engine.clock import LOCAL_TZ
from engine.errors import ValidationFailed
from engine.supervision import LEVELS

from ..context import actor, uow
from .charts import percent, rate_chart
from .i18n import gettext as _
from .paging import page_number, past_last_page

bp = Blueprint("supervision", __name__)
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
PAGE_SIZE = 100
# engine.audit's ACTIONS and TARGET_KINDS as an administrator says them (each has its English in i18n.EN).
ACTION_LABELS = {"user.added": "新增用户", "user.changed": "修改用户", "user.deactivated": "停用用户",
                 "user.activated": "启用用户", "user.password_set": "设置密码", "token.issued": "签发令牌",
                 "token.revoked": "吊销令牌", "department.put": "新增或修改部门", "department.deleted": "删除部门",
                 "webhook.subscribed": "订阅回调", "webhook.changed": "修改回调", "webhook.secret_rotated": "更换回调密钥",
                 "webhook.unsubscribed": "取消回调", "webhook.replayed": "重发回调", "webhook.disabled": "停用回调",
                 "webhook.enabled": "启用回调", "calendar.created": "新建工作日历",
                 "calendar.changed": "修改工作日历", "supervision_rules.changed": "修改监察规则",
                 "delegation.added": "新增委托受理", "delegation.revoked": "撤销委托受理"}
KIND_LABELS = {"user": "用户", "department": "部门", "webhook": "回调", "calendar": "工作日历",
               "supervision_rule": "监察规则", "delegation": "委托受理"}


@bp.get("/supervision")
def board() -> ResponseReturnValue:
    level = request.args.get("level") or supervision_board.WARNINGS
    if level not in supervision_board.FILTERS:  # an address typed or kept from another version: the default
        level = supervision_board.WARNINGS
    item = request.args.get("item") or None
    page = page_number(request.args)
    found = supervision_board.board(uow(), actor=actor(), level=level, process_key=item, limit=PAGE_SIZE,
                                    offset=(page - 1) * PAGE_SIZE)
    if moved := past_last_page(page, PAGE_SIZE, found.total):
        return moved
    chart = rate_chart([(row.item_name, row.stats.on_time_rate) for row in found.stats], empty_text=_("暂无办结"))
    no_lead = _("未确定牵头部门")
    department_chart = rate_chart([(s.department_name or s.department_code or no_lead, s.on_time_rate)
                                   for s in found.department_stats], empty_text=_("暂无办结"))
    return render_template("pages/supervision.html", board=found, filters=supervision_board.FILTERS,
                           chart=chart, department_chart=department_chart, percent=percent, page=page,
                           page_size=PAGE_SIZE)


@bp.get("/supervision/deliveries")
def deliveries() -> ResponseReturnValue:
    """The decided cases whose result has not reached the applicant yet (Administrative Licensing Law Art 44),
    red first."""
    level = request.args.get("level") or None
    if level not in LEVELS:  # an address typed or kept from another version: every level
        level = None
    page = page_number(request.args)
    found = supervision_delivery.list_undelivered(uow(), actor=actor(), level=level)
    if moved := past_last_page(page, PAGE_SIZE, len(found)):
        return moved
    return render_template("pages/deliveries.html", cases=found[(page - 1) * PAGE_SIZE:page * PAGE_SIZE],
                           total=len(found), level=level, levels=LEVELS, page=page, page_size=PAGE_SIZE)


@bp.get("/supervision/unjustified")
def unjustified() -> ResponseReturnValue:
    """The report of cases overdue without a justified reason (SX45): every reason judged unjustified."""
    page = page_number(request.args)
    found, total = overdue_reasons.unjustified(uow(), actor=actor(), limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    if moved := past_last_page(page, PAGE_SIZE, total):
        return moved
    return render_template("pages/unjustified.html", cases=found, total=total, page=page, page_size=PAGE_SIZE)


@bp.get("/supervision/incidents")
def incidents() -> ResponseReturnValue:
    return render_template("pages/incidents.html", incidents=jobs.list_incidents(uow(), actor=actor()))


@bp.post("/supervision/incidents/<int:job_id>/retry")
def retry_incident(job_id: int) -> ResponseReturnValue:
    job = jobs.retry_incident(uow(), job_id, actor=actor())
    flash(_("已安排立即重试（办件 {number}）；再次失败会重新列在这里。", number=job.business_key), "success")
    return redirect(url_for("pages.supervision.incidents"))


@bp.post("/supervision/incidents/<int:job_id>/resolve")
def resolve_incident(job_id: int) -> ResponseReturnValue:
    job = jobs.resolve_incident(uow(), job_id, actor=actor(), note=request.form.get("note", ""))
    flash(_("已关闭（办件 {number}），处理情况已记入办件历史。", number=job.business_key), "success")
    return redirect(url_for("pages.supervision.incidents"))


@bp.get("/supervision/audit")
def audit_log() -> ResponseReturnValue:
    """The audit log, newest first, narrowed by who, what action, which target and local dates (both
    days included); the engine checks the reader's role and the action and target kind named. A filter
    refused is said beside its field, on the page with the filters as typed (400), and nothing is listed."""
    args = request.args
    page = page_number(args)
    problems: dict[str, str] = {}
    since, until = local_day(args, "from", problems), local_day(args, "to", problems)
    found = audit.AuditPage(items=[], total=0, limit=PAGE_SIZE, offset=0)
    if not problems:
        try:
            found = audit.list_entries(
                uow(), actor=actor(), by=args.get("by", "").strip() or None, action=args.get("action") or None,
                target_kind=args.get("kind") or None, target_key=args.get("key", "").strip() or None,
                since=since, until=until + timedelta(days=1) if until else None,
                limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        except ValidationFailed as exc:  # an action or target kind not offered: an address edited by hand
            fields = {d.get("field") for d in exc.details}
            if "action" in fields:
                problems["action"] = _("没有这种操作类型：{value}", value=args.get("action", ""))
            if "target_kind" in fields:
                problems["kind"] = _("没有这种对象类型：{value}", value=args.get("kind", ""))
            if not problems:
                raise
    if not problems and (moved := past_last_page(page, PAGE_SIZE, found.total)):
        return moved
    page_html = render_template("pages/audit.html", log=found, actions=audit.ACTIONS, kinds=audit.TARGET_KINDS,
                                action_labels=ACTION_LABELS, kind_labels=KIND_LABELS, page=page,
                                page_size=PAGE_SIZE, shown=_shown, problems=problems)
    return page_html, 400 if problems else 200


def _shown(value: Any) -> str:
    """A value of a change as a reader reads it: text as is, anything else as JSON with its characters."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def local_day(args: dict[str, str], name: str, problems: dict[str, str]) -> datetime | None:
    """The start of a day (YYYY-MM-DD) in local time; None when the field is empty, or not such a day (said
    in ``problems`` under ``name``)."""
    raw = args.get(name, "").strip()
    if not raw:
        return None
    try:  # the form YYYY-MM-DD alone: fromisoformat takes 20261124 and week dates (2026-W47-1) too
        day = date.fromisoformat(raw) if DAY.fullmatch(raw) else None
    except ValueError:
        day = None
    # Year 1 or 9999 would overflow on the way to UTC or to the next day; no entry is that old or new.
    if day is None or not 1900 <= day.year <= 9998:
        problems[name] = _("日期格式应为 YYYY-MM-DD：{value}", value=raw)
        return None
    return datetime.combine(day, time(), LOCAL_TZ)
