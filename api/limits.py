"""Request size limits on every request, checked before a byte of the body is parsed.

- JSON and other bodies: ``GOVFLOW_MAX_BODY_BYTES`` (1 MiB): commands carry variables, not files.
- Form submissions and uploads (multipart, urlencoded: deployments, the pages): ``MAX_CONTENT_LENGTH``.
- A view class may set ``body_limit`` (a function of the engine settings) for its own uploads, e.g.
  materials: the configured file size plus room for the multipart envelope.

Werkzeug refuses a larger body with 413, which api/errors.py answers in the one error shape.

NUL characters are refused in every input (path, query, JSON, form fields, file names), and so are
unpaired surrogates (``"\\ud800"``, which JSON can spell but UTF-8 cannot hold): no text in this domain
holds one, and the database cannot store them, so letting one through would fail deep inside a command.
"""
from __future__ import annotations

import re
from typing import Any

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from engine.errors import ValidationFailed

from . import json_body
from .context import runtime
from .json_body import has_body

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


NUL = "contains a NUL character"
SURROGATE = "contains an unpaired surrogate (\\ud800-\\udfff), which is not text"


def refuse_bad_text() -> None:
    """NUL characters anywhere, and lone surrogates in JSON strings, are refused before any view runs."""
    found = [(name, NUL) for name, value in {**request.args, **(request.view_args or {})}.items()
             if isinstance(value, str) and "\x00" in value]
    if request.is_json:
        found += _json_body_problems()
    elif request.mimetype in FORM_TYPES and has_body(request):
        if request.mimetype != "multipart/form-data":
            request.get_data(cache=True)  # kept, so that what reads the raw body later still has it
        # werkzeug names a part without a name None
        found += [(name or "(form)", NUL) for name, value in request.form.items(multi=True)
                  if "\x00" in (name or "") or "\x00" in value]
        found += [(name or "(file)", NUL) for name, upload in request.files.items(multi=True)
                  if "\x00" in (name or "") or "\x00" in (upload.filename or "")]
    if found:
        raise ValidationFailed("NUL characters and unpaired surrogates are not allowed in input",
                               details=[{"field": field or "(body)", "message": message} for field, message in found])


def _json_body_problems() -> list[tuple[str, str]]:
    # JSON writes a NUL as the escape \u0000 and a surrogate as \udXXX: only a body holding such text is
    # parsed and walked here (or any zero byte, as UTF-16 and UTF-32 bodies have), chunked ones included.
    body = request.get_data(cache=True)
    if request.content_length is None and request.max_content_length is not None \
            and len(body) >= request.max_content_length:
        # A chunked body is cut at the limit when read, and would then fail as "not valid JSON".
        raise RequestEntityTooLarge(f"the request body is larger than {request.max_content_length} bytes")
    if not _SUSPECT.search(body) and b"\x00" not in body:
        return []
    try:
        value = json_body.parse_json(body, any_utf=True)
    except ValueError:
        return []  # not JSON: the view's parser answers with what is wrong
    return _bad_strings(value)


_SUSPECT = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _bad_strings(value: Any) -> list[tuple[str, str]]:
    """Where strings (keys too) hold a NUL or an unpaired surrogate, by path; walked without recursion,
    as the JSON may be nested as deep as the parser goes."""
    found: list[tuple[str, str]] = []

    def check(path: str, text: str) -> None:
        if "\x00" in text:
            found.append((path, NUL))
        elif _SURROGATE.search(text):
            found.append((path, SURROGATE))
    pending: list[tuple[str, Any]] = [("", value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, str):
            check(path, item)
        elif isinstance(item, dict):
            for key, child in item.items():
                child_path = f"{path}.{key}".lstrip(".")
                check(child_path, str(key))
                pending.append((child_path, child))
        elif isinstance(item, list):
            pending.extend((f"{path}.{index}".lstrip("."), child) for index, child in enumerate(item))
    return sorted(found)


def register(app: Flask) -> None:
    """Install the limits; registered before any hook that reads the body (idempotency)."""
    app.before_request(apply_limit)
    app.before_request(refuse_bad_text)
