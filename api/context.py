"""Per-request access to the engine runtime and the calling actor."""
from __future__ import annotations

from flask import current_app, g, request

from engine import Actor, Runtime, UnitOfWork, users
from engine.errors import Unauthenticated


def runtime() -> Runtime:
    return current_app.extensions["govflow"]


def uow() -> UnitOfWork:
    return runtime().uow()


# The endpoints anyone may call: the applicants' ones and the published catalogue (rate-limited by client
# address, api.rate_limits). Everything else under /api/ takes a bearer token but the API's own
# description and the health check.
PUBLIC_API = ("/api/public/", "/api/catalogue")
ANONYMOUS = (*PUBLIC_API, "/api/openapi.json", "/api/health")


def authenticate_first() -> None:
    """Check the token before anything reads the body: a caller without one learns that (401), not what
    its body got wrong, and no parser runs for it. Unknown endpoints stay 404s."""
    if request.path.startswith("/api/") and request.endpoint and request.method != "OPTIONS" \
            and not request.path.startswith(ANONYMOUS):
        actor()


def actor() -> Actor:
    """The user behind the request's bearer token (or the page session). Raises Unauthenticated."""
    found = g.get("actor")
    if found is not None:
        return found
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("missing bearer token (Authorization: Bearer ...)")
    g.actor = users.authenticate(uow(), token.strip())
    return g.actor
