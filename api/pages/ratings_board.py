"""The ratings board (好差评统计) for supervisors and admins: the ratings of a period by item, by department and
by clerk, on a page and as a CSV file for a spreadsheet; from the supervision board."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from engine import ratings

from ..context import actor, uow
from ..downloads import send_download
from .charts import percent
from .i18n import gettext as _
from .supervision import local_day

bp = Blueprint("ratings_board", __name__)
# The three tables: the figures of ratings.stats they show (by_item ...), their heading, the column naming a row.
TABLES = (("item", "按事项", "事项"), ("department", "按部门", "部门"), ("clerk", "按经办人", "经办人员"))
# A spreadsheet runs a cell starting so as a formula: text from guides and users is written as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Period:
    """The local days asked for, both included (None: open on that side); ratings.stats takes the end as the
    start of the day after (``until_exclusive``)."""

    since: datetime | None
    until: datetime | None

    @property
    def until_exclusive(self) -> datetime | None:
        return self.until + timedelta(days=1) if self.until else None

    def words(self) -> str:
        first, last = (d.date().isoformat() if d else "" for d in (self.since, self.until))
        if first and last:
            return _("{first} 至 {last}", first=first, last=last)
        if first:
            return _("{first} 起", first=first)
        return _("截至 {last}", last=last) if last else _("不限日期")

    def file_part(self) -> str:
        first, last = (d.date().isoformat() if d else "" for d in (self.since, self.until))
        if first and last:
            return f"{first}_{last}"
        if first:
            return f"from_{first}"
        return f"until_{last}" if last else "all"


@bp.get("/supervision/ratings")
def board() -> ResponseReturnValue:
    """The figures of the period typed (自/至, local days, both included); a date refused is said beside its
    field, on the page with the filters as typed (400), and nothing is counted."""
    period, problems = _period(request.args)
    found = None if problems else ratings.stats(uow(), actor=actor(), since=period.since,
                                                until=period.until_exclusive)
    kept = {name: value for name in ("from", "to") if (value := request.args.get(name, "").strip())}
    page = render_template("pages/ratings.html", stats=found, period=period, problems=problems, tables=TABLES,
                           export_query=kept, percent=percent, average_words=average_words, row_name=row_name)
    return page, 400 if problems else 200


@bp.get("/supervision/ratings.csv")
def export() -> ResponseReturnValue:
    """The same figures as a CSV file in UTF-8 with a BOM (Excel reads Chinese text right only with it), one
    line a row of the page's tables, each saying its table and the period; a refused date gets the page."""
    period, problems = _period(request.args)
    if problems:
        return board()
    found = ratings.stats(uow(), actor=actor(), since=period.since, until=period.until_exclusive)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("统计期间"), _("统计维度"), _("标识"), _("名称"), _("评价数"), _("平均满意度"),
                     _("满意度说明"), _("差评数"), _("差评率"), _("整改完成"), _("未整改")])
    lines = [("合计", "", found.overall)] + [(heading, row_name(row), row) for kind, heading, _column in TABLES
                                            for row in getattr(found, f"by_{kind}")]
    for heading, name, row in lines:
        writer.writerow([period.words(), _(heading), _cell(row.key or ""), _cell(name), row.count,
                         row.average_level if row.count else "", average_words(row) if row.count else "",
                         row.bad, percent(row.bad_share), row.rectified, row.bad - row.rectified])
    name = _("好差评统计_{period}.csv", period=period.file_part())
    return send_download(out.getvalue().encode("utf-8-sig"), mimetype="text/csv", name=name,
                         fallback=f"ratings_{period.file_part()}")


def average_words(row: ratings.RatingStat) -> str:
    """What an average level means: the nearest of the five levels (a tie reads as the worse one)."""
    nearest = min(5, max(1, int(row.average_level + 0.5)))
    return _("接近“{level}”", level=_(ratings.LEVELS[nearest]))


def row_name(row: ratings.RatingStat) -> str:
    """A row's name: the item's or department's name, the clerk's display name, else its key; only a
    department row can lack a key, counting the ratings of cases no group handled."""
    return row.name or row.key or _("未确定部门")


def _period(args: Any) -> tuple[Period, dict[str, str]]:
    problems: dict[str, str] = {}
    period = Period(local_day(args, "from", problems), local_day(args, "to", problems))
    if period.since and period.until and period.since > period.until:
        problems["to"] = _("“至”的日期不能早于“自”的日期：{value}", value=args.get("to", "").strip())
    # Everyone else is refused as on the other supervision pages, whatever dates they typed.
    actor().require("supervisor", action="read rating statistics")
    return period, problems


def _cell(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text
