"""``Idempotency-Key`` on every state-changing POST of the API, implemented once as request hooks.

A POST under /api/ carrying the header reserves the key for the caller before the view runs; the response is
stored and replayed for a retry with the same key and the same request (method, path, body), marked
``Idempotent-Replayed: true``. The same key with a different request is 422; a retry while the first is
still running is 409 ``in_progress``. Only successes (2xx) are stored: a refusal changed nothing, and what
refused it may pass (the process deployed since, the case now waiting for the message), so the key is
released and the retry runs. Keys belong to a user; an applicant's POST to the public endpoints (a
rating, a complaint) has no user, so its key belongs to the client address. Other requests without
credentials never get here: api.context answers them 401 first. Fields shown once (``SHOWN_ONCE``) are left
out of the stored response: a replayed webhook subscription answers without its secret. An endpoint may
renew what its replay answers (``renew_replays``): a replayed complaint shows the same complaint with a new
query code, so that an applicant whose first answer was lost can still follow it.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, g, request
from flask_limiter.util import get_remote_address

from engine import idempotency as keys
from engine.errors import InvalidRequest
from engine.storage import read_chunks

from .context import PUBLIC_API, actor, uow

HEADER = "Idempotency-Key"
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII: UUIDs, ULIDs, client-made strings


def fingerprint() -> str:
    """SHA-256 of what makes a request the same request: method, path and query, and the body — JSON
    by its content (key order and spacing aside), multipart by fields and file contents (a client's
    retry draws a new boundary).

    Keyed with the app's secret (HMAC): a stored fingerprint of a public rating, whose body holds a
    query code, is then no shortcut for guessing that code from a copy of the database."""
    secret = current_app.secret_key
    key = secret.encode() if isinstance(secret, str) else secret or b""
    digest = hmac.new(key, f"{request.method} {request.full_path}\n".encode(), hashlib.sha256)
    if request.mimetype == "multipart/form-data":
        # A part whose name werkzeug cannot read is named None: sorted as "" rather than failing the request.
        for name, value in sorted(request.form.items(multi=True), key=lambda item: (item[0] or "", item[1])):
            digest.update(f"field {name}={value}\n".encode())
        for name, upload in sorted(request.files.items(multi=True),
                                   key=lambda item: (item[0] or "", item[1].filename or "")):
            digest.update(f"file {name} {upload.filename} {upload.mimetype}\n".encode())
            for chunk in read_chunks(upload.stream):
                digest.update(chunk)
            upload.stream.seek(0)  # the view reads it again
        return digest.hexdigest()
    body = request.get_data(cache=True)
    if request.is_json:
        try:
            body = json.dumps(json.loads(body or b"null"), sort_keys=True, separators=(",", ":")).encode()
        except ValueError:
            pass  # invalid JSON: the view will say so; hash the bytes as they came
    digest.update(body)
    return digest.hexdigest()


def honours(method: str, path: str) -> bool:
    """Whether requests of this method and path (a concrete one, or a route's template) take a key: every
    POST of the API. The OpenAPI document (api.openapi) lists the header on exactly these."""
    return method.upper() == "POST" and path.startswith("/api/")


def reserve() -> Response | None:
    key = request.headers.get(HEADER)
    if key is None or not honours(request.method, request.path):
        return None
    public = "Authorization" not in request.headers and request.path.startswith(PUBLIC_API)
    if "Authorization" not in request.headers and not public:
        return None  # keys belong to a user (api.context refused the caller without one already)
    if not _KEY.match(key):
        raise InvalidRequest(f"{HEADER} must be 1 to 255 visible ASCII characters")
    # An applicant has no account: the key is theirs per client address, as the rate limits count them.
    user = f"public:{get_remote_address()}"[:100] if public else actor().name
    stored = keys.begin(uow(), user=user, key=key, fingerprint=fingerprint())
    if stored is not None:
        renew = RENEWERS.get(request.path)
        body = renew(stored.body) if renew is not None and 200 <= stored.status < 300 else stored.body
        replay = Response(body, status=stored.status, content_type=stored.content_type)
        replay.headers["Idempotent-Replayed"] = "true"
        return replay
    g.idempotency_key = (user, key)
    return None


# Per path: what a successful replay answers in place of the stored body (which it is given). The renewed
# answer is not stored: the stored body stays without what is shown once.
RENEWERS: dict[str, Callable[[bytes], bytes]] = {}


def renew_replays(path: str) -> Callable[[Callable[[bytes], bytes]], Callable[[bytes], bytes]]:
    """Register the function that renews the replays of a path's POSTs (see RENEWERS)."""
    def register_renewer(renew: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
        RENEWERS[path] = renew
        return renew
    return register_renewer


def remember(response: Response) -> Response:
    pending = g.pop("idempotency_key", None)
    if pending is not None:
        user, key = pending
        if not 200 <= response.status_code < 300 or response.is_streamed:
            keys.release(uow(), user=user, key=key)
        else:
            keys.finish(uow(), user=user, key=key, status=response.status_code,
                        content_type=response.content_type, body=_storable(response))
    return response


# Secrets shown once (an applicant's query code, a webhook's signing secret) are not kept in clear: a
# replay answers without them.
SHOWN_ONCE = ("query_code", "secret", "token")


def _storable(response: Response) -> bytes:
    body = response.get_data()
    if not response.is_json or not any(f'"{name}"'.encode() in body for name in SHOWN_ONCE):
        return body
    data = json.loads(body)
    if isinstance(data, dict):
        for name in SHOWN_ONCE:
            data.pop(name, None)
    return json.dumps(data, ensure_ascii=False).encode()


def forget(_exc: BaseException | None) -> Any:
    """A request that ended without a response to store (a crash past the error handlers) frees its key."""
    pending = g.pop("idempotency_key", None)
    if pending is not None:
        keys.release(uow(), user=pending[0], key=pending[1])


def register(app: Flask) -> None:
    app.before_request(reserve)
    app.after_request(remember)
    app.teardown_request(forget)
