"""Request size limits on every request, checked before a byte of the body is parsed.

- JSON and other bodies: ``GOVFLOW_MAX_BODY_BYTES`` (1 MiB): commands carry variables, not files.
- Form submissions and uploads (multipart, urlencoded: deployments, the pages): ``MAX_CONTENT_LENGTH``.
- A view class may set ``body_limit`` (a function of the engine settings) for its own uploads, e.g.
  materials: the configured file size plus room for the multipart envelope.

Werkzeug refuses a larger body with 413, which api/errors.py answers in the one error shape.

NUL characters are refused in every input (path, query, JSON): no text in this domain holds one, and
PostgreSQL cannot store them, so letting one through would fail deep inside a command.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request

from engine.errors import ValidationFailed

from .context import runtime

FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
MULTIPART_SLACK = 64 * 1024  # the boundaries, part headers and small fields around an uploaded file


def upload_limit(max_file_bytes: int) -> int:
    return max_file_bytes + MULTIPART_SLACK


def apply_limit() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    custom = getattr(getattr(view, "view_class", None), "body_limit", None)
    if custom is not None:
        request.max_content_length = custom(runtime().settings)
    elif request.mimetype not in FORM_TYPES:
        request.max_content_length = current_app.config["GOVFLOW_MAX_BODY_BYTES"]


def refuse_nul() -> None:
    fields = [name for name, value in {**request.args, **(request.view_args or {})}.items()
              if isinstance(value, str) and "\x00" in value]
    # JSON writes a NUL as the escape \u0000: only a body holding that text is walked (or any zero byte, as
    # UTF-16 and UTF-32 bodies have, where the escape's bytes differ).
    body = request.get_data(cache=True) if request.is_json and request.content_length else b""
    if b"\\u0000" in body or b"\x00" in body:
        fields += _nul_paths(request.get_json(silent=True), "")
    if fields:
        raise ValidationFailed("NUL characters are not allowed in input",
                               details=[{"field": field or "(body)", "message": "contains a NUL character"}
                                        for field in fields])


def _nul_paths(value: Any, path: str) -> list[str]:
    if isinstance(value, str):
        return [path] if "\x00" in value else []
    if isinstance(value, dict):
        return [found for key, item in value.items()
                for found in ([f"{path}.{key}".lstrip(".")] if "\x00" in str(key) else [])
                + _nul_paths(item, f"{path}.{key}".lstrip("."))]
    if isinstance(value, list):
        return [found for index, item in enumerate(value) for found in _nul_paths(item, f"{path}[{index}]")]
    return []


def register(app: Flask) -> None:
    """Install the limits; registered before any hook that reads the body (idempotency)."""
    app.before_request(apply_limit)
    app.before_request(refuse_nul)
