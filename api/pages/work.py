"""The task page: the form (form-js, prefilled), the case beside it; complete and go back to the queue.

The server validates every completion (engine.forms through tasks.complete); field errors come back
to the same page, next to their fields, with what was typed kept.
"""
from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from engine import tasks, worksheet
from engine.errors import InvalidRequest, ValidationFailed

from ..context import actor, uow
from .i18n import gettext as _

bp = Blueprint("work", __name__)


@bp.get("/tasks/<task_id>")
def task(task_id: str) -> ResponseReturnValue:
    return render_task(task_id)


@bp.post("/tasks/<task_id>")
def complete(task_id: str) -> ResponseReturnValue:
    case = tasks.complete(uow(), task_id, actor=actor(), variables=submitted())
    flash(_("任务已完成（办件 {number}）", number=case.business_key), "success")
    return redirect(url_for("pages.queue.index"))


@bp.errorhandler(ValidationFailed)
def _invalid(exc: ValidationFailed) -> ResponseReturnValue:
    task_id = (request.view_args or {})["task_id"]
    return render_task(task_id, errors=exc.details, data=submitted(), status=422)


def submitted() -> dict[str, Any]:
    """The form-js data the page posts as JSON in the field ``data``."""
    try:
        data = json.loads(request.form.get("data") or "{}")
    except json.JSONDecodeError:
        raise InvalidRequest("the form data is not valid JSON") from None
    if not isinstance(data, dict):
        raise InvalidRequest("the form data must be a JSON object")
    return data


def render_task(task_id: str, *, errors: list[Any] | None = None, data: dict[str, Any] | None = None,
                status: int = 200) -> ResponseReturnValue:
    sheet = worksheet.task_sheet(uow(), task_id, actor=actor())
    form_data = data if data is not None else (sheet.form.data if sheet.form else {})
    labels = field_labels(sheet.form.schema) if sheet.form and sheet.form.schema else {}
    return render_template("pages/task.html", sheet=sheet, errors=errors or [], form_data=form_data,
                           labels=labels), status


def field_labels(schema: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Data path -> field label, to name fields in the error summary (groups add their ``path``)."""
    labels: dict[str, str] = {}
    for component in schema.get("components") or []:
        if not isinstance(component, dict):
            continue
        if component.get("key"):
            path = f"{prefix}{component['key']}"
            labels[path] = str(component.get("label") or path)
        if component.get("components"):
            group = f"{prefix}{component['path']}." if component.get("path") else prefix
            labels.update(field_labels(component, group))
    return labels
