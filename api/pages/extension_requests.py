"""延期审批: the extension requests awaiting the agency head (and, by state, those decided), each with its case,
days and reason; a head decides one here as on its case page (api/pages/cases.py ``decide_extension``).
Heads see their departments' requests, supervisors every one, read-only."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from engine import extensions

from ..context import actor, uow
from .paging import page_number, past_last_page, without_arg

bp = Blueprint("extension_requests", __name__)
PAGE_SIZE = 25


@bp.get("/extensions")
def index() -> ResponseReturnValue:
    args = request.args
    if "state" in args and args["state"] not in extensions.STATES:
        return without_arg("state")  # an address typed: the pending ones, the address saying so
    state = args.get("state", extensions.PENDING)
    page = page_number(args)
    found, total = extensions.list_requests(uow(), actor=actor(), state=state, limit=PAGE_SIZE,
                                            offset=(page - 1) * PAGE_SIZE)
    if moved := past_last_page(page, PAGE_SIZE, total):
        return moved
    return render_template("pages/extension_requests.html", requests=found, total=total, page=page,
                           page_size=PAGE_SIZE, state=state, states=extensions.STATES,
                           decides=actor().has(extensions.HEAD))
