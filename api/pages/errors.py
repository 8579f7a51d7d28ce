"""Engine and HTTP errors on pages: a login redirect, a flash message and back, or an error page.

The JSON handlers in api/errors.py serve the API; these take over inside the pages blueprints.
"""
from __future__ import annotations

import logging

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from engine import errors

from .i18n import gettext as _
from .session import safe_next

log = logging.getLogger(__name__)


def register(bp: Blueprint) -> None:
    bp.register_error_handler(errors.Unauthenticated, _to_login)
    bp.register_error_handler(errors.EngineError, _engine_error)
    bp.register_error_handler(HTTPException, _http_error)
    bp.register_error_handler(Exception, _unexpected)


def error_page(status: int, message: str) -> ResponseReturnValue:
    return render_template("pages/error.html", status=status, message=message), status


def _to_login(exc: errors.Unauthenticated) -> ResponseReturnValue:
    flash(_("登录已失效，请重新登录。"), "error")
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("pages.auth.login", next=target))


def _engine_error(exc: errors.EngineError) -> ResponseReturnValue:
    if isinstance(exc, errors.Forbidden):
        return error_page(403, _("您无权执行此操作。"))
    if isinstance(exc, errors.NotFound):
        return error_page(404, _("页面不存在或无权查看。"))
    if request.method == "GET":
        return error_page(409 if isinstance(exc, errors.Conflict) else 400, _("操作未完成：{message}", message=exc.message))
    # A command that could not be done (claimed meanwhile, case changed ...): say so where the user was.
    assignee = exc.context.get("assignee")
    if isinstance(exc, errors.Conflict) and assignee:
        flash(_("该任务已由 {assignee} 认领。", assignee=assignee), "error")
    else:
        flash(_("操作未完成：{message}", message=exc.message), "error")
    return redirect(safe_next(request.form.get("next") or request.referrer and _local(request.referrer),
                              url_for("pages.queue.index")))


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
        return error_page(413, _("上传的文件过大。"))
    return error_page(status, _("请求无效。") if status < 500 else _("服务器内部错误，请稍后再试。"))


def _unexpected(exc: Exception) -> ResponseReturnValue:
    log.exception("unexpected error on a page")  # the traceback stays in the log
    return error_page(500, _("服务器内部错误，请稍后再试。"))
