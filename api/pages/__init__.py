"""Server-rendered pages for clerks, supervisors and analysts, in the same app as the API.

One parent blueprint ``pages`` holds what every page shares — the session's actor, the login
requirement, CSRF checks, the message catalogue, error pages — and one child blueprint per area.
Views stay thin: arguments in, one engine call, a template out.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from engine import time_limits
from engine.clock import LOCAL_TZ
from engine.complaints import PUBLIC
from engine.users import SYSTEM

from .. import errors as api_errors
from . import (
    admin_delegations,
    admin_departments,
    admin_users,
    analyst,
    auth,
    cases,
    errors,
    extension_requests,
    form_values,
    groups,
    intake,
    modeler,
    public,
    queue,
    ratings_board,
    session,
    supervision,
    work,
)
from .i18n import current_language, gettext

pages = Blueprint("pages", __name__)
for child in (auth.bp, queue.bp, work.bp, intake.bp, cases.bp, analyst.bp, modeler.bp, supervision.bp,
              ratings_board.bp, admin_users.bp, admin_departments.bp, public.bp, extension_requests.bp,
              admin_delegations.bp):
    pages.register_blueprint(child)
errors.register(pages)

PUBLIC_ENDPOINTS = {"pages.auth.login", "pages.auth.login_post", "pages.auth.language"}
PUBLIC_BLUEPRINT = "pages.public"  # the catalogue and the progress lookup, for applicants without an account


@pages.before_request
def _authenticate() -> ResponseReturnValue | None:
    session.check_csrf()
    if session.load_actor() is None and request.endpoint not in PUBLIC_ENDPOINTS \
            and request.blueprint != PUBLIC_BLUEPRINT:
        if request.endpoint in modeler.SAVES:  # back to the modeler, where the draft is, not the home page
            return modeler.session_ended()
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("pages.auth.login", next=target))
    return None


# Everything a page uses comes from this server: scripts only from /static (no inline script runs;
# the JSON data blocks are not scripts), styles inline too because bpmn-js draws with style attributes.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; font-src 'self' data:; object-src 'none'; base-uri 'none'; "
                           "form-action 'self'; frame-ancestors 'none'")


@pages.after_request
def _headers(response: Any) -> Any:
    # Pages show personal case data: keep them out of shared caches and the back-button cache.
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


@pages.context_processor
def _template_helpers() -> dict[str, Any]:
    return {"_": gettext, "lang": current_language(), "csrf_token": session.csrf_token,
            "actor": session.current_actor(), "form_js_texts": work.form_js_texts,
            "procedure_names": time_limits.KIND_NAMES}


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return value.astimezone(LOCAL_TZ).strftime(fmt) if value is not None else ""


def _unknown_address(exc: NotFound) -> ResponseReturnValue:
    """An address no route matches: a browser gets the error page, everyone else the API's JSON error.
    (Errors inside the pages blueprints never get here: errors.register handles those.)"""
    wants_page = not request.path.startswith("/api/") and \
        request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"
    if not wants_page:
        return api_errors.handle_http_error(exc)
    session.load_actor()  # no pages blueprint ran: the layout still shows who is signed in
    page = render_template("pages/error.html", status=404, message=gettext("页面不存在或无权查看。"),
                           **_template_helpers())
    return _headers(make_response(page, 404))


def actor_name(name: str | None) -> str:
    """Who did something, as staff read it: the engine's own names said in words."""
    if name is None or name == SYSTEM.name:
        return gettext("系统")
    return gettext("申请人（网上）") if name == PUBLIC else name


def register(app: Flask) -> None:
    """Attach the pages to the app: session signing key, template filters, blueprints, and the error page
    for addresses that match nothing."""
    session.configure(app, app.extensions["govflow"].settings.data_dir)
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(form_values.file_size, "file_size")
    app.add_template_filter(groups.group_names, "group_names")
    app.add_template_filter(groups.group_departments, "group_departments")
    app.add_template_filter(actor_name, "actor_name")
    app.register_blueprint(pages)
    app.register_error_handler(NotFound, _unknown_address)
