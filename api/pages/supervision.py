"""The supervision board for supervisors and admins: the warned cases, and the on-time statistics per item
and per lead department, each with a chart of on-time rates."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from engine import supervision_board

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
