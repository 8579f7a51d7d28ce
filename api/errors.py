"""One place maps engine errors to HTTP, with one JSON shape:
``{"error": {"code": ..., "message": ..., "details": [...]}}``."""
from __future__ import annotations

import json
import logging
from typing import Any

from flask import Flask, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError
from werkzeug.exceptions import BadRequest, HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge

from engine import errors

log = logging.getLogger(__name__)

STATUS = {
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.InvalidRequest: 400,
    errors.ValidationFailed: 422,
    errors.DeploymentInvalid: 422,
    errors.ProcessError: 422,
    errors.TooLarge: 413,
    errors.UnsupportedType: 415,
}


def error_response(status: int, code: str, message: str, details: list[Any] | None = None,
                   **extra: Any) -> ResponseReturnValue:
    body: dict[str, Any] = {"code": code, "message": message, "details": details or []}
    body.update({k: v for k, v in extra.items() if v is not None})
    response = jsonify({"error": body})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


def status_of(exc: errors.EngineError) -> int:
    """The HTTP status an engine error answers with (400 for a kind STATUS does not name)."""
    return next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 400)


def handle_engine_error(exc: errors.EngineError) -> ResponseReturnValue:
    status = status_of(exc)
    context = {k: v for k, v in exc.context.items() if isinstance(v, (str, int, float, bool))}
    details = in_body(exc.details) if isinstance(exc, errors.ValidationFailed) else exc.details
    return error_response(status, exc.code, exc.message, details, **context)


def in_body(details: list[Any]) -> list[Any]:
    """Each ``field`` as the path within the request body. A view whose body carries a form's values sets
    ``form_values`` to the body field holding them (``variables``). The details a form's rules give (those
    with a ``rule``: engine.errors.ValidationFailed) name a field by its data path among those values, as a
    page places it beside the field; the API names it under that body field (``variables.amount``), as the
    checks of every variable do (engine.variables)."""
    view = current_app.view_functions.get(request.endpoint or "")
    holder = getattr(getattr(view, "view_class", None), "form_values", None)
    if holder is None:
        return details
    return [{**d, "field": f"{holder}.{d['field']}"} if isinstance(d, dict) and "rule" in d and "field" in d
            else d for d in details]


def handle_http_error(exc: HTTPException) -> ResponseReturnValue:
    status = exc.code or 500
    malformed = getattr(exc, "exc", None)  # what webargs' parser raised, kept on its 400
    if isinstance(exc, BadRequest) and isinstance(malformed, (json.JSONDecodeError, UnicodeDecodeError)):
        return _not_json(malformed)
    data = getattr(exc, "data", None) or {}
    details = _flatten(data.get("messages") or data.get("errors") or {})
    if status == 422 and details:
        return error_response(422, "validation_failed", "the request is invalid", details)
    code = (exc.name or "error").lower().replace(" ", "_")
    if isinstance(exc, RequestEntityTooLarge):
        message, limit = _too_large()
        return error_response(413, code, message, details, limit=limit)
    return error_response(status, code, _plain_message(exc, details), details)


def _not_json(exc: json.JSONDecodeError | UnicodeDecodeError) -> ResponseReturnValue:
    """A body that is not JSON: a 400 with the code of the body's other refusals (nested too deeply, not in
    UTF-8: api.json_body), saying where the parser stopped and why."""
    undecodable = exc if isinstance(exc, UnicodeDecodeError) else exc.__cause__
    if isinstance(undecodable, UnicodeDecodeError):  # webargs counts its position in a repr of the bytes
        before = undecodable.object[:undecodable.start].decode("utf-8", "replace")
        line, column = before.count("\n") + 1, len(before) - before.rfind("\n")
        reason = f"not UTF-8 text ({undecodable.reason})"
    elif isinstance(exc, json.JSONDecodeError):
        line, column, reason = exc.lineno, exc.colno, exc.msg
    # As Python's json module says it ("Invalid control character at: line 1 column 9"), without the offset.
    message = f"the request body is not valid JSON: {reason}: line {line} column {column}"
    return error_response(400, errors.InvalidRequest.code, message,
                          [{"line": line, "column": column, "message": reason}])


def _plain_message(exc: HTTPException, details: list[dict[str, str]]) -> str:
    """Werkzeug's stock sentences are written for browsers; an integrator wants to know what to fix."""
    if exc.description != type(exc).description:
        return exc.description or exc.name or "error"  # raised with its own message
    if isinstance(exc, NotFound):
        return f"no such endpoint: {request.method} {request.path} (the API is described at /api/openapi.json)"
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        return f"{request.method} is not allowed here; allowed: {', '.join(sorted(exc.valid_methods))}"
    return exc.description or exc.name or "error"


def _too_large() -> tuple[str, int | None]:
    """Werkzeug says "The data value transmitted exceeds the capacity limit."; say which limit, how large it
    is and the setting that raises it (the limits themselves: api/limits.py)."""
    from .context import runtime  # here: the app's modules import this one
    from .limits import FORM_TYPES
    view = current_app.view_functions.get(request.endpoint or "")
    limit: int | None
    if getattr(getattr(view, "view_class", None), "body_limit", None) is not None:
        limit = runtime().settings.max_material_bytes  # the file's limit; the request may be 64 KiB more
        message = (f"the file is larger than the limit of {_mib(limit)} for one upload here; an operator raises "
                   "it with GOVFLOW_MAX_MATERIAL_BYTES (in bytes)")
    elif request.mimetype in FORM_TYPES:
        limit = request.max_content_length
        message = (f"the request is larger than the limit of {_mib(limit)} for uploads and form posts (a "
                   "deployment's files together); an operator raises it with GOVFLOW_MAX_REQUEST_BYTES (in bytes)")
    else:
        limit = request.max_content_length
        message = (f"the request body is larger than the limit of {_mib(limit)} for JSON and other bodies; an "
                   "operator raises it with GOVFLOW_MAX_BODY_BYTES (in bytes)")
    return message, limit


def _mib(limit: int | None) -> str:
    if limit is None:
        return "the server's"
    if limit % 2**20 == 0:
        return f"{limit // 2**20} MiB"
    return f"{limit / 2**20:.1f} MiB ({limit} bytes)" if limit >= 2**20 else f"{limit} bytes"


def handle_schema_error(exc: ValidationError) -> ResponseReturnValue:
    """Input a view loads with a schema itself (multipart form fields) fails like any other input."""
    return error_response(422, "validation_failed", "the request is invalid", _flatten(exc.messages))


def handle_unexpected(exc: Exception) -> ResponseReturnValue:
    log.exception("unexpected error")  # the traceback stays in the log, never in the response
    return error_response(500, "internal_error", "internal server error")


def _flatten(messages: Any, prefix: str = "") -> list[dict[str, str]]:
    """webargs nests messages by location and field; clients want a flat list of field + message."""
    out: list[dict[str, str]] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key in ("json", "query", "files", "form", "headers", "path") and not prefix:
                out.extend(_flatten(value, ""))
            else:
                out.extend(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(messages, list):
        for item in messages:
            if isinstance(item, (dict, list)):
                out.extend(_flatten(item, prefix))
            else:
                out.append({"field": prefix or "_schema", "message": str(item)})
    else:
        out.append({"field": prefix or "_schema", "message": str(messages)})
    return out


def register(app: Flask) -> None:
    app.register_error_handler(errors.EngineError, handle_engine_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(ValidationError, handle_schema_error)
    app.register_error_handler(Exception, handle_unexpected)
