"""Request size limits on every request, checked before a byte of the body is parsed.

- JSON and other bodies: ``GOVFLOW_MAX_BODY_BYTES`` (1 MiB): commands carry variables, not files.
- Form submissions and uploads (multipart, urlencoded: deployments, the pages): ``MAX_CONTENT_LENGTH``.
- A view class may set ``body_limit`` (a function of the engine settings) for its own uploads, e.g.
  materials: the configured file size plus room for the multipart envelope.

Werkzeug refuses a larger body with 413, which api/errors.py answers in the one error shape.
"""
from __future__ import annotations

from flask import Flask, current_app, request

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


def register(app: Flask) -> None:
    """Install the limits; registered before any hook that reads the body (idempotency)."""
    app.before_request(apply_limit)
