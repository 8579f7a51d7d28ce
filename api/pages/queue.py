"""Work queues: my tasks and my groups' claimable tasks, with counts; claim and release in one click."""
from __future__ import annotations

import dataclasses

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from engine import execution, inbox, tasks
from engine.errors import InvalidRequest
from engine.inbox import InboxQuery

from ..context import actor, uow
from .i18n import gettext as _
from .paging import page_number, past_last_page
from .session import safe_next

bp = Blueprint("queue", __name__)
PAGE_SIZE = 25


@bp.get("/")
def home() -> ResponseReturnValue:
    who = actor()
    if who.has("analyst") and not who.has("clerk", "supervisor"):
        return redirect(url_for("pages.analyst.definitions"))
    if who.has("head") and not who.has("clerk", "supervisor"):  # the agency head's work: 延期审批
        return redirect(url_for("pages.extension_requests.index"))
    return redirect(url_for("pages.queue.index"))


@bp.get("/queue")
def index() -> ResponseReturnValue:
    """The queue an address names. An address is kept (a bookmark, a link in a note): a sort or urgency the
    page does not offer reads as none chosen, and a queue no longer the clerk's (they left its group) as
    all their work, with a word why."""
    args = request.args
    page = page_number(args)
    sort, urgency = args.get("sort", "due"), args.get("urgency")
    sort = sort if sort in tasks.SORTS else "due"
    urgency = urgency if urgency in inbox.URGENCIES else None
    query = InboxQuery(queue=args.get("queue", "all"), process_key=args.get("item") or None,
                       case_number=args.get("case") or None, applicant=args.get("applicant") or None,
                       urgency=urgency,
                       sort=sort, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    try:
        found = inbox.inbox(uow(), actor=actor(), query=query)
    except InvalidRequest as exc:
        if exc.context.get("field") != "queue":
            raise
        flash(_("该队列不存在或已不属于您（例如已调离该组），下面是您的全部待办。"), "info")
        found = inbox.inbox(uow(), actor=actor(), query=dataclasses.replace(query, queue="all", offset=0))
        page = 1
    if moved := past_last_page(page, PAGE_SIZE, found.total):
        return moved
    applicants = execution.applicant_names(uow(), (row.task.instance_id for row in found.rows))
    return render_template("pages/queue.html", inbox=found, page=page, page_size=PAGE_SIZE,
                           applicants=applicants)


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
