"""Rate limits of the endpoints anyone may call without login: ``/api/public/*`` (progress, ratings,
complaints), ``/api/catalogue*`` (the published guides) and the public pages ``/public/*``.

Flask-Limiter counts requests per client address, per endpoint (GET and HEAD alike), in memory by default
(``RATELIMIT_STORAGE_URI=memory://``: each server process counts on its own); point it at Redis
(``redis://host:6379``, with ``pip install govflow[redis]``) so that every worker shares one count.
``GOVFLOW_PUBLIC_RATE_LIMIT`` bounds reads, ``GOVFLOW_PUBLIC_WRITE_RATE_LIMIT`` ratings and complaints
(Flask-Limiter's notation, e.g. ``60 per minute;600 per hour``). Behind a reverse proxy, the client
address is the proxy's unless the proxy's ``X-Forwarded-For`` is trusted (werkzeug's ProxyFix).

A request over the limit gets 429 in the one error shape (api/errors.py) with ``Retry-After``.
"""
from __future__ import annotations

import math
import time

from flask import Flask, current_app, request
from flask.typing import ResponseReturnValue
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address

from .context import PUBLIC_API
from .errors import error_response

PUBLIC_PREFIXES = (*PUBLIC_API, "/public/")  # and the applicants' pages
READ_METHODS = ("GET", "HEAD", "OPTIONS")
# The public pages' progress lookup is a form POST (with its CSRF token) that only reads: limited as a read.
READ_POSTS = ("/public/progress",)


def is_public() -> bool:
    return request.path.startswith(PUBLIC_PREFIXES)


def _limit() -> str:
    read = request.method in READ_METHODS or request.path in READ_POSTS
    setting = "GOVFLOW_PUBLIC_RATE_LIMIT" if read else "GOVFLOW_PUBLIC_WRITE_RATE_LIMIT"
    return str(current_app.config[setting])


def _too_many(exc: RateLimitExceeded) -> ResponseReturnValue:
    limiter: Limiter = current_app.extensions["govflow_limiter"]
    current = limiter.current_limit
    wait = max(1, math.ceil(current.reset_at - time.time())) if current is not None else 60
    response = error_response(429, "too_many_requests", "请求过于频繁，请稍后再试",
                              [{"limit": str(exc.limit.limit), "retry_after_seconds": wait}])
    response.headers["Retry-After"] = str(wait)  # type: ignore[union-attr]
    return response


def register(app: Flask) -> None:
    """One limiter per app (its counters live with it); every route outside the public prefixes is exempt."""
    limiter = Limiter(get_remote_address, app=app, default_limits=[_limit], default_limits_per_method=False,
                      headers_enabled=True, key_prefix="govflow")
    # A filter, not an exemption: an exempt request still resolves every limit first, on every API call.
    limiter.request_filter(lambda: not is_public())
    app.extensions["govflow_limiter"] = limiter
    app.register_error_handler(RateLimitExceeded, _too_many)
