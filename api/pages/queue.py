"""Work queues: my tasks and my groups' claimable tasks, with counts; claim and release in one click."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from engine import inbox, tasks
from engine.inbox import InboxQuery

from ..context import actor, uow
from .i18n import gettext as _
from .paging import page_number
from .session import safe_next

bp = Blueprint("queue", __name__)
PAGE_SIZE = 25


@bp.get("/")
def home() -> ResponseReturnValue:
    who = actor()
    if who.has("analyst") and not who.has("clerk", "supervisor"):
        return redirect(url_for("pages.analyst.definitions"))
    return redirect(url_for("pages.queue.index"))


@bp.get("/queue")
def index() -> ResponseReturnValue:
    args = request.args
    page = page_number(args)
    query = InboxQuery(queue=args.get("queue", "all"), process_key=args.get("item") or None,
                       case_number=args.get("case") or None, urgency=args.get("urgency") or None,
                       sort=args.get("sort", "due"), limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    found = inbox.inbox(uow(), actor=actor(), query=query)
    return render_template("pages/queue.html", inbox=found, page=page, page_size=PAGE_SIZE)


@bp.post("/tasks/<task_id>/claim")
def claim(task_id: str) -> ResponseReturnValue:
    task = tasks.claim(uow(), task_id, actor=actor())
    if request.form.get("open"):
        return redirect(url_for("pages.work.task", task_id=task.id))
    flash(_("已认领：{name}", name=task.name or task.bpmn_id), "success")
    return redirect(safe_next(request.form.get("next"), url_for("pages.queue.index")))


@bp.post("/tasks/<task_id>/unclaim")
def unclaim(task_id: str) -> ResponseReturnValue:
    task = tasks.unclaim(uow(), task_id, actor=actor())
    flash(_("已退回队列：{name}", name=task.name or task.bpmn_id), "success")
    return redirect(safe_next(request.form.get("next"), url_for("pages.queue.index")))
