"""Log in and out; choose the page language."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_limiter.errors import RateLimitExceeded

from engine import users
from engine.errors import Unauthenticated

from .. import rate_limits
from ..context import uow
from . import session as page_session
from .i18n import LANGUAGES
from .i18n import gettext as _

bp = Blueprint("auth", __name__)


@bp.get("/login")
def login() -> ResponseReturnValue:
    return render_template("pages/login.html", next=request.args.get("next", ""), name="")


@bp.post("/login")
def login_post() -> ResponseReturnValue:
    name, secret = request.form.get("name", "").strip(), request.form.get("secret", "")
    actor, stamp = users.login(uow(), name, secret)
    page_session.start(actor, stamp)
    return redirect(page_session.safe_next(request.form.get("next"), url_for("pages.queue.home")))


@bp.errorhandler(Unauthenticated)
def _wrong_credentials(exc: Unauthenticated) -> ResponseReturnValue:
    if request.endpoint != "pages.auth.login_post":
        return redirect(url_for("pages.auth.login"))
    return render_template("pages/login.html", next=request.form.get("next", ""), name=request.form.get("name", ""),
                           error=_("用户名或密码错误。")), 401


@bp.errorhandler(RateLimitExceeded)
def _too_many_failures(exc: RateLimitExceeded) -> ResponseReturnValue:
    """Too many failed logins from this address or for this name (api/rate_limits.py): the login page says
    when to try again; the password typed is not checked."""
    wait = rate_limits.retry_after()
    error = _("登录失败次数过多，请 {n} 分钟后再试。", n=max(1, round(wait / 60)))
    page = render_template("pages/login.html", next=request.form.get("next", ""), name=request.form.get("name", ""),
                           error=error)
    return page, 429, {"Retry-After": str(wait)}


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    page_session.end()
    flash(_("已退出登录。"), "info")
    return redirect(url_for("pages.auth.login"))


@bp.get("/lang/<code>")
def language(code: str) -> ResponseReturnValue:
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(page_session.safe_next(request.args.get("next"), url_for("pages.queue.home")))
