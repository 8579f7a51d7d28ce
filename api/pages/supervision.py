"""The supervision board for supervisors and admins: the warned cases, and the on-time statistics per item
and per lead department, each with a chart of on-time rates; and the incidents (timers that failed their
last retry) to retry or close."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from engine import jobs, supervision_board

from ..context import actor, uow
from .charts import percent, rate_chart
from .i18n import gettext as _
from .paging import page_number

bp = Blueprint("supervision", __name__)
PAGE_SIZE = 100


@bp.get("/supervision")
def board() -> ResponseReturnValue:
    level = request.args.get("level") or supervision_board.WARNINGS
    item = request.args.get("item") or None
    page = page_number(request.args)
    found = supervision_board.board(uow(), actor=actor(), level=level, process_key=item, limit=PAGE_SIZE,
                                    offset=(page - 1) * PAGE_SIZE)
    chart = rate_chart([(row.item_name, row.stats.on_time_rate) for row in found.stats], empty_text=_("暂无办结"))
    no_lead = _("未确定牵头部门")
    department_chart = rate_chart([(s.department_name or s.department_code or no_lead, s.on_time_rate)
                                   for s in found.department_stats], empty_text=_("暂无办结"))
    return render_template("pages/supervision.html", board=found, filters=supervision_board.FILTERS,
                           chart=chart, department_chart=department_chart, percent=percent, page=page,
                           page_size=PAGE_SIZE)


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
