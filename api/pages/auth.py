"""Log in and out; choose the page language."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from engine import users
from engine.errors import Unauthenticated

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
