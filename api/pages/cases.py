"""Cases: find one by number (with each case's item, outcome and deadline), and the case page — diagram
with active and completed steps, the time-limit clock with its warning level, what the case waits for
(a clerk records a message it waits for, e.g. the applicant's supplement brought to the window),
timeline, open tasks."""
from __future__ import annotations

import io
from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue

from engine import (
    case_documents,
    documents,
    instances,
    materials,
    query_codes,
    supervision_board,
    timeline,
)
from engine.clock import LOCAL_TZ
from engine.errors import NotFound

from ..context import actor, uow
from ..documents import HTML_POLICY
from .i18n import gettext as _
from .paging import page_number

bp = Blueprint("cases", __name__)
PAGE_SIZE = 25


@bp.app_template_filter("iso_local")
def iso_local(value: object, fmt: str = "%Y-%m-%d") -> str:
    """An ISO instant kept in a history event's data (UTC) in local time (LOCAL_TZ); a bare date as it is."""
    if not isinstance(value, str) or not value:
        return "" if value is None else str(value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return moment.astimezone(LOCAL_TZ).strftime(fmt) if moment.tzinfo else moment.strftime(fmt)


@bp.get("/cases")
def index() -> ResponseReturnValue:
    args = request.args
    page = page_number(args)
    found, total = instances.case_list(
        uow(), actor=actor(), state=args.get("state") or None, key=None,
        business_key=args.get("number", "").strip() or None, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render_template("pages/cases.html", cases=found, total=total, page=page, page_size=PAGE_SIZE,
                           states=instances.STATES)


@bp.get("/cases/<int:instance_id>")
def case(instance_id: int, issued_code: str | None = None) -> ResponseReturnValue:
    file = timeline.case_file(uow(), instance_id, actor=actor())
    # The time-limit clock and its warning level (None before acceptance or without a time limit).
    clock = supervision_board.case_clock(uow(), instance_id, actor=actor())
    # Documents issued to the applicant, for those who may see the case's materials (else None).
    issued = case_documents.visible_documents(uow(), instance_id, actor=actor())
    waits = instances.waits(uow(), instance_id, actor=actor())
    return render_template("pages/case.html", file=file, clock=clock, documents=issued, issued_code=issued_code,
                           waits=waits)


@bp.post("/cases/<int:instance_id>/messages")
def record_message(instance_id: int) -> ResponseReturnValue:
    """Record a message the case waits for (the applicant brought the supplement): delivered as an
    integrator's message is, with the clerk as its sender and their note in the history."""
    name = request.form.get("message", "")
    wait = next((w for w in instances.waits(uow(), instance_id, actor=actor())
                 if w.kind == "message" and w.message == name), None)
    try:
        if wait is not None:
            instances.send_message(uow(), name, actor=actor(), instance_id=instance_id,
                                   note=request.form.get("note"))
    except NotFound:  # recorded by someone else in between
        wait = None
    if wait is None:  # recorded meanwhile, or the wait ended (its deadline passed)
        flash(_("办件已不在等待此消息，未作记录。"), "error")
    else:
        flash(_("已记录：{name}", name=wait.label), "success")
    return redirect(url_for("pages.cases.case", instance_id=instance_id))


@bp.post("/cases/<int:instance_id>/query-code")
def query_code(instance_id: int) -> ResponseReturnValue:
    """A new query code for the applicant's receipt: shown on this answer only (not flashed through the
    session cookie, not kept), and the old code stops working."""
    code = query_codes.reissue(uow(), instance_id, actor=actor())
    return case(instance_id, issued_code=code)


@bp.get("/cases/<int:instance_id>/materials/<int:material_id>")
def material(instance_id: int, material_id: int) -> ResponseReturnValue:
    found, stream = materials.download(uow(), instance_id, material_id, actor=actor())
    response = send_file(stream, mimetype=found.content_type, as_attachment=True, download_name=found.filename,
                         etag=found.sha256)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/cases/<int:instance_id>/documents/<int:document_id>")
def document(instance_id: int, document_id: int) -> ResponseReturnValue:
    """A document as issued (``?format=pdf``, the default, or ``html``), with the API route's rights and headers."""
    fmt = request.args.get("format", "pdf")
    found, content, sha256 = documents.download(uow(), instance_id, document_id, actor=actor(), fmt=fmt)
    response = send_file(io.BytesIO(content), mimetype=documents.FORMATS[fmt], as_attachment=True,
                         download_name=f"{found.id}-{found.title}.{fmt}", etag=sha256)
    response.headers["X-Content-Type-Options"] = "nosniff"
    if fmt == "html":
        response.headers["Content-Security-Policy"] = HTML_POLICY  # shown, never run
    return response
