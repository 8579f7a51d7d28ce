"""Cases: find one by number, and the case page — diagram with active and completed steps, timeline,
open tasks."""
from __future__ import annotations

from flask import Blueprint, render_template, request, send_file
from flask.typing import ResponseReturnValue

from engine import instances, materials, timeline

from ..context import actor, uow

bp = Blueprint("cases", __name__)
PAGE_SIZE = 25


@bp.get("/cases")
def index() -> ResponseReturnValue:
    args = request.args
    page = max(args.get("page", 1, type=int) or 1, 1)
    found, total = instances.list_instances(
        uow(), actor=actor(), state=args.get("state") or None, key=None,
        business_key=args.get("number", "").strip() or None, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render_template("pages/cases.html", cases=found, total=total, page=page, page_size=PAGE_SIZE,
                           states=instances.STATES)


@bp.get("/cases/<int:instance_id>")
def case(instance_id: int) -> ResponseReturnValue:
    return render_template("pages/case.html", file=timeline.case_file(uow(), instance_id, actor=actor()))


@bp.get("/cases/<int:instance_id>/materials/<int:material_id>")
def material(instance_id: int, material_id: int) -> ResponseReturnValue:
    found, stream = materials.download(uow(), instance_id, material_id, actor=actor())
    response = send_file(stream, mimetype=found.content_type, as_attachment=True, download_name=found.filename,
                         etag=found.sha256)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
