"""Rate limits of the endpoints anyone may call without login: ``/api/public/*`` (progress, ratings,
complaints), ``/api/catalogue*`` (the published guides) and the public pages ``/public/*``.

Flask-Limiter counts requests per client address, per endpoint (GET and HEAD alike), in memory by default
(``RATELIMIT_STORAGE_URI=memory://``: each server process counts on its own); point it at Redis
(``redis://host:6379``, with ``pip install govflow[redis]``) so that every worker shares one count.
``GOVFLOW_PUBLIC_RATE_LIMIT`` bounds reads, ``GOVFLOW_PUBLIC_WRITE_RATE_LIMIT`` ratings and complaints
(Flask-Limiter's notation, e.g. ``60 per minute;600 per hour``). Behind a reverse proxy, the client
address is the proxy's unless the proxy's ``X-Forwarded-For`` is trusted (werkzeug's ProxyFix).

A request over the limit gets 429 in the one error shape (api/errors.py) with ``Retry-After``.

Page logins (``POST /login``) are limited too, by their failures only: ``GOVFLOW_LOGIN_RATE_LIMIT`` failed
attempts per client address (one address guessing many passwords) and ``GOVFLOW_LOGIN_NAME_RATE_LIMIT`` per
user name typed (many addresses guessing one account's; looser, as anyone may type a colleague's name). Over
either, even the right password waits until the window passes. A failure is counted once answered: guesses
sent at the same moment are checked against the count before them.
"""
from __future__ import annotations

import time
from typing import Any

from flask import Flask, Response, current_app, g, request
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


def retry_after() -> int:
    """Seconds until the limit this request broke lets the next one through."""
    limiter: Limiter = current_app.extensions["govflow_limiter"]
    current = limiter.current_limit
    return max(1, int(current.reset_at - time.time())) if current is not None else 60  # as the limiter counts


def _too_many(exc: RateLimitExceeded) -> ResponseReturnValue:
    wait = retry_after()
    response = error_response(429, "too_many_requests", "请求过于频繁，请稍后再试",
                              [{"limit": str(exc.limit.limit), "retry_after_seconds": wait}])
    response.headers["Retry-After"] = str(wait)  # type: ignore[union-attr]
    g.retry_after = wait
    return response


def _retry_after_as_said(response: Response) -> Response:
    """flask-limiter sets Retry-After again after the answer is made, rounding the other way (59 where the
    answer's details say 60): the header says what the details say, and only on a refusal (an answer let
    through keeps the X-RateLimit headers)."""
    wait = g.pop("retry_after", None)
    if wait is not None:
        response.headers["Retry-After"] = str(wait)
    elif response.status_code not in (429, 503):  # the limiter sets it on every answer; it means "refused"
        response.headers.pop("Retry-After", None)
    return response


def register(app: Flask) -> None:
    """One limiter per app (its counters live with it); every route outside the public prefixes and the
    login is exempt."""
    app.after_request(_retry_after_as_said)  # before the limiter's own: run after it (Flask runs them in reverse)
    limiter = Limiter(get_remote_address, app=app, default_limits=[_limit], default_limits_per_method=False,
                      headers_enabled=True, key_prefix="govflow")
    # A filter, not an exemption: an exempt request still resolves every limit first, on every API call.
    limiter.request_filter(lambda: not (is_public() or request.endpoint == LOGIN_ENDPOINT))
    app.extensions["govflow_limiter"] = limiter
    app.register_error_handler(RateLimitExceeded, _too_many)


LOGIN_ENDPOINT = "pages.auth.login_post"


def limit_logins(app: Flask) -> None:
    """Failed logins per client address and per user name typed; called once the pages are registered."""
    limiter: Limiter = app.extensions["govflow_limiter"]
    view: Any = app.view_functions[LOGIN_ENDPOINT]  # a sync view: the limits wrap it as one
    per_name = limiter.limit(_login_name_limit, key_func=_typed_name, deduct_when=_failed, scope="login-name")
    per_address = limiter.limit(_login_limit, deduct_when=_failed, scope="login-address")
    app.view_functions[LOGIN_ENDPOINT] = per_address(per_name(view))


def _login_limit() -> str:
    return str(current_app.config["GOVFLOW_LOGIN_RATE_LIMIT"])


def _login_name_limit() -> str:
    return str(current_app.config["GOVFLOW_LOGIN_NAME_RATE_LIMIT"])


def _typed_name() -> str:
    return request.form.get("name", "").strip().casefold() or "-"


def _failed(response: Response) -> bool:
    return response.status_code == 401
