"""The in-browser modeler (bpmn-js with the properties panel and Camunda moddle): open a version or
start blank; saving deploys through the same path as an upload, so it becomes the next version.

A save says what it was based on, so that nobody's work is taken over unnoticed: the blank page posts to
``/analyst/modeler`` (its process ids must not be deployed yet), an edit page to its own address with the
latest version it knew of for every process of the file (``latest.KEY``: a file of two pools has two; a
newer one refuses the save until the analyst ticks "save anyway", ``overwrite.KEY``; a process added while
editing saves as a new one). The page keeps a draft in the browser (api/assets/modeler.js); a successful
save names the draft it saved in a cookie the page reads, so the draft is dropped, and a save whose session
ended comes back to the page by way of the login.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import BadRequest

from engine import definitions, versions
from engine.clock import LOCAL_TZ
from engine.errors import Conflict, DeploymentInvalid, EngineError, Forbidden, InvalidRequest, Unauthenticated

from ..context import actor, uow
from ..errors import status_of
from .analyst import after_deploy
from .errors import error_page
from .i18n import gettext as _
from .problem_texts import shown

bp = Blueprint("modeler", __name__, url_prefix="/analyst/modeler")
# A diagram file as deploy takes one (.bpmn, .bpmn20.xml, .bpmn2: definitions.BPMN_SUFFIXES).
FILE_NAME = re.compile(r"^[\w.\-]{1,200}$")
DRAFT_ID = re.compile(r"^[0-9a-z]{8,40}$")
SAVED_COOKIE = "govflow_modeler_saved"  # the drafts saved since the page last looked, for it to drop
SAVED_KEPT = 20
LATEST, OVERWRITE = "latest.", "overwrite."  # + a process key: the version known of it, the one saved over
SAVES = ("pages.modeler.save", "pages.modeler.save_edit")


@bp.before_request
def _analysts_only() -> None:
    actor().require("analyst", action="model diagrams")


@bp.get("")
def blank() -> ResponseReturnValue:
    return _page(None)


@bp.get("/<key>/<int:version>")
def edit(key: str, version: int) -> ResponseReturnValue:
    found = versions.diagram_version(uow(), key, version=version, actor=actor())
    return _page(found, xml=found.xml, file_name=savable_name(found.info.resource_name), seen=found.processes)


def savable_name(name: str) -> str:
    """A deployed file's name as the save takes it (FILE_NAME): the API and the command line keep any name
    (受理流程 v1.bpmn, a folder before it); the modeler offers its last part with other characters as '_'."""
    return re.sub(r"[^\w.\-]", "_", name.rsplit("/", 1)[-1])[-200:]


@bp.post("")
def save() -> ResponseReturnValue:
    return _save(None, {})


@bp.post("/<key>/<int:version>")
def save_edit(key: str, version: int) -> ResponseReturnValue:
    found = versions.diagram_version(uow(), key, version=version, actor=actor())
    try:
        based_on = _based_on(key, version)
    except InvalidRequest as exc:
        return _refused(exc, found)
    return _save(found, based_on)


def session_ended() -> ResponseReturnValue:
    """A save whose session ended though its form still matched (the password changed, the token logged in
    with was revoked or ran out, the account was switched off): as one whose form expired, back to the page
    by way of the login, and not to the home page the login leads to after a post."""
    return _back_to_page()


@bp.errorhandler(BadRequest)
def _expired(exc: BadRequest) -> ResponseReturnValue:
    """A save whose form outlived its session (the CSRF token no longer matches): back to the page, by way of
    the login when the session ended, where the browser's draft of the diagram is offered again."""
    if exc.description != "csrf":
        return error_page(400, _("请求无效。"))
    return _back_to_page()


def _back_to_page() -> ResponseReturnValue:
    # The page's own address: a save posts there (api/pages/__init__.py sends a GET without a session
    # on to the login, which comes back to it). A new diagram's page by its draft: each tab drafts its own.
    flash(_("登录已失效或页面已过期，流程图未保存。草稿保存在本浏览器中，可在此恢复后再保存。"), "error")
    draft = request.form.get("draft", "")
    if request.endpoint == "pages.modeler.save" and DRAFT_ID.match(draft):
        return redirect(url_for(".blank", draft=draft))
    return redirect(request.path)


def _save(found: versions.DiagramVersion | None, based_on: Mapping[str, int]) -> ResponseReturnValue:
    file_name, xml = request.form.get("file_name", "").strip(), request.form.get("xml", "")
    try:
        if not FILE_NAME.match(file_name) or definitions.kind_of(file_name) != "bpmn":
            raise InvalidRequest("the file name must be letters, digits, '.', '_' or '-' and end in "
                                 + ", ".join(definitions.BPMN_SUFFIXES))
        if not xml.strip():
            raise InvalidRequest("the diagram is empty")
        result = definitions.deploy(uow(), [(file_name, xml.encode())], actor=actor(),
                                    name=request.form.get("name", "").strip() or None, based_on=based_on)
    except (Unauthenticated, Forbidden):
        raise  # the login page or the error page, as everywhere else
    except EngineError as exc:
        return _refused(exc, found)
    response = make_response(after_deploy(result))
    _name_saved_draft(response)
    return response


def _based_on(key: str, version: int) -> dict[str, int]:
    """For each process of the file: the newer version the analyst chose to save over, else the latest the
    page knew of; for the page's own process (a page that sent none for it), the version it opened. "Save
    anyway" is for a process the page knew of: one it did not is someone else's item."""
    based_on = {k: _version(LATEST + k, v) for k, v in _fields(LATEST).items() if v}
    based_on.setdefault(key, version)
    based_on.update({k: _version(OVERWRITE + k, v) for k, v in _fields(OVERWRITE).items() if v and k in based_on})
    return based_on


def _fields(prefix: str) -> dict[str, str]:
    """The form's fields named prefix + a process key, by key."""
    return {name[len(prefix):]: value.strip() for name, value in request.form.items()
            if name.startswith(prefix) and len(name) > len(prefix)}


def _version(field: str, value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise InvalidRequest(f"{field} must be a version number")
    return int(value)


def _name_saved_draft(response: Any) -> None:
    """Add the page's draft to the ones the modeler drops when it next loads (a cookie it reads)."""
    draft = request.form.get("draft", "")
    if not DRAFT_ID.match(draft):
        return
    saved = [d for d in request.cookies.get(SAVED_COOKIE, "").split(".") if DRAFT_ID.match(d)]
    # Read by the page's script, so not HttpOnly: it holds only the random names of drafts.
    response.set_cookie(SAVED_COOKIE, ".".join([*saved[-(SAVED_KEPT - 1):], draft]), path=url_for(".blank"),
                        max_age=30 * 24 * 3600, samesite="Lax", httponly=False,
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False))


def _refused(exc: EngineError, found: versions.DiagramVersion | None) -> ResponseReturnValue:
    """Show why the save was refused above the diagram as it was submitted, with the typed names, so no
    edit is lost: a deployment's problems as a table, versions in the way each with what to do, any other
    refusal as its message."""
    xml = request.form.get("xml", "")
    problems = shown(exc.details) if isinstance(exc, DeploymentInvalid) else []
    conflicts = [_in_the_way(d) for d in exc.details] if isinstance(exc, Conflict) and exc.details else []
    message = None if problems or conflicts else exc.message
    # A newer version the analyst chose to save over is known to the page from now on.
    seen = {k: v for k, v in _fields(LATEST).items() if v.isdigit()}
    seen.update({k: v for k, v in _fields(OVERWRITE).items() if k in seen and v.isdigit()})
    return _page(found, xml=xml if xml.strip() else None, file_name=request.form.get("file_name", ""),
                 name=request.form.get("name", ""), seen=seen, unsaved=True,
                 problems=problems, conflicts=conflicts, message=message), status_of(exc)


def _in_the_way(detail: Mapping[str, Any]) -> dict[str, Any]:
    return {**detail, "deployed_at": datetime.fromisoformat(detail["deployed_at"])}


def _page(found: versions.DiagramVersion | None, *, xml: str | None = None, file_name: str = "", name: str = "",
          seen: Mapping[str, int | str] | None = None, unsaved: bool = False, **refusal: Any) -> str:
    # A refused save's draft; a new diagram's page opened for its draft (?draft=, the link to it).
    draft = request.form.get("draft", "") if unsaved else request.args.get("draft", "") if found is None else ""
    return render_template("pages/modeler.html", found=found, xml=xml, file_name=file_name, name=name, seen=seen or {},
                           unsaved=unsaved, draft=draft if DRAFT_ID.match(draft) else "", time_zone=LOCAL_TZ.key,
                           problems=refusal.get("problems", []), conflicts=refusal.get("conflicts", []),
                           message=refusal.get("message"))
