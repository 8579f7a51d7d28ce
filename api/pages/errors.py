"""Engine and HTTP errors on pages: a login redirect, a flash message and back, or an error page.

The JSON handlers in api/errors.py serve the API; these take over inside the pages blueprints.
"""
from __future__ import annotations

import logging
import re

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from engine import errors

from ..multipart import UnreadableForm
from .form_values import file_size
from .i18n import gettext as _
from .session import load_actor, safe_next

log = logging.getLogger(__name__)


def register(bp: Blueprint) -> None:
    bp.register_error_handler(errors.Unauthenticated, _to_login)
    bp.register_error_handler(errors.EngineError, _engine_error)
    bp.register_error_handler(HTTPException, _http_error)
    bp.register_error_handler(Exception, _unexpected)


def error_page(status: int, message: str, *, back: str | None = None) -> ResponseReturnValue:
    """The error page; ``back``: this site's page the user came from (the form a refused upload was sent from)."""
    return render_template("pages/error.html", status=status, message=message, back=back), status


def _to_login(exc: errors.Unauthenticated) -> ResponseReturnValue:
    flash(_("登录已失效，请重新登录。"), "error")
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("pages.auth.login", next=target))


def _engine_error(exc: errors.EngineError) -> ResponseReturnValue:
    if isinstance(exc, errors.Forbidden):
        return error_page(403, _("您无权执行此操作。"))
    if isinstance(exc, errors.NotFound):
        return error_page(404, _("页面不存在或无权查看。"))
    if isinstance(exc, UnreadableForm):  # nothing of the form was read: no field to say it beside
        return error_page(400, _("上传的文件名不是 UTF-8 编码（例如 GBK），无法读取；请重命名文件后再上传。") if exc.not_utf8
                          else _("提交的内容不完整，无法读取，请重试。"))
    said = process_failure(exc) if isinstance(exc, errors.ProcessError) else None
    if request.method == "GET":
        return error_page(409 if isinstance(exc, errors.Conflict) else 400,
                          said or _("操作未完成：{message}", message=exc.message))
    # A command that could not be done (claimed meanwhile, case changed ...): say so where the user was.
    said = said or (_task_conflict(exc) if isinstance(exc, errors.Conflict) else None)
    flash(said or _("操作未完成：{message}", message=exc.message), "error")
    return redirect(safe_next(request.form.get("next") or request.referrer and _local(request.referrer),
                              url_for("pages.queue.index")))


# A condition or script read a variable nothing set: the usual failure of a diagram at run time.
_UNSET = re.compile(r"name '(\w+)' is not defined")


def process_failure(exc: errors.ProcessError) -> str:
    """A step of the diagram failed (engine.execution: nothing of the command was stored): in the clerk's
    words, where it failed and what to do, with the engine's text for whoever mends the diagram."""
    where = exc.context.get("element_name") or exc.context.get("element")
    unset = _UNSET.search(exc.message)
    cause = _("流程用到的变量“{name}”没有值（表单未填写该项，或流程未设置）。", name=unset.group(1)) if unset else ""
    return (_("操作未生效：流程在“{step}”处出错，办件保持原状。", step=where) if where
            else _("操作未生效：流程运行出错，办件保持原状。")) + cause + \
        _("请联系流程分析员修正流程。（技术信息：{message}）", message=exc.message)


def _task_conflict(exc: errors.Conflict) -> str | None:
    """A refused task command (claim, release, complete) in the words of the state the task is in, which
    engine.tasks puts in the Conflict; None for other conflicts."""
    if "task_id" not in (request.view_args or {}):
        return None
    state, assignee = exc.context.get("state"), exc.context.get("assignee")
    if state == "COMPLETED":
        return _("该任务已办结，无需再次提交。") if request.endpoint == "pages.work.complete" else _("该任务已办结。")
    if state == "CANCELLED":  # a timer or another branch ended it (deemed acceptance, a withdrawal ...)
        return _("该任务已取消（流程已转向其他环节）。")
    if state == "SUSPENDED":
        return _("该办件已挂起，任务暂不能办理。")
    if state == "READY":
        me = g.get("actor")
        if assignee and (me is None or assignee != me.name):
            return _("该任务已由 {assignee} 认领。", assignee=assignee)
        if not assignee:  # taken or ended by another command while this one ran
            return _("该任务刚刚被他人认领或已变化，请刷新后重试。")
    return None


def _local(url: str) -> str | None:
    """The path of a referrer on this site (request.host_url), else None."""
    return url[len(request.host_url) - 1:] if url.startswith(request.host_url) else None


def _http_error(exc: HTTPException) -> ResponseReturnValue:
    status = exc.code or 500
    if status == 400 and exc.description == "csrf":
        return error_page(400, _("表单已过期，请刷新页面后重试。"))
    if status == 404:
        return error_page(404, _("页面不存在或无权查看。"))
    if status == 413:
        # Refused before the session was read (api/limits.py): the page is still the signed-in user's.
        try:
            load_actor()
        except Exception:  # whatever failed (the database): the error page, not a second error
            log.exception("reading the session for a refused upload")
        limit = request.max_content_length
        back = _local(request.referrer or "")
        return error_page(413, _("上传的文件过大：每次提交至多 {size}。", size=file_size(limit)) if limit
                          else _("上传的文件过大。"), back=safe_next(back, "") or None)
    return error_page(status, _("请求无效。") if status < 500 else _("服务器内部错误，请稍后再试。"))


def _unexpected(exc: Exception) -> ResponseReturnValue:
    log.exception("unexpected error on a page")  # the traceback stays in the log
    return error_page(500, _("服务器内部错误，请稍后再试。"))
