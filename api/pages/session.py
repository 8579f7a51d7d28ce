"""Page sessions: the signing key, who is logged in, CSRF tokens, and safe redirects.

Pages use Flask's signed-cookie session; the API keeps bearer tokens. The session holds the user name
and a stamp of the credential used to log in (engine.users.login), checked on every request, so a
changed password or a revoked token ends the session. Every POST carries the session's CSRF token.
"""
from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, abort, g, request, session

from engine import Actor, users
from engine.errors import Unauthenticated

from ..context import uow

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def configure(app: Flask, data_dir: Path) -> None:
    """Signing key from GOVFLOW_SECRET_KEY, else one generated once and kept in the data directory,
    so every worker process and every restart signs alike. The cookie's settings are in api.config."""
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ.get("GOVFLOW_SECRET_KEY") or _persisted_key(data_dir / "secret_key")


def _persisted_key(path: Path) -> str:
    try:
        key = path.read_text().strip()
    except FileNotFoundError:
        pass
    else:
        if not key:  # signing with an empty key would sign nothing (and Flask would refuse every login)
            raise RuntimeError(f"{path} is empty: delete it to have a new key made, or set GOVFLOW_SECRET_KEY")
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    candidate = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(32))
    try:
        os.link(candidate, path)  # atomic: of several workers starting at once, the first key wins
    except FileExistsError:
        pass
    finally:
        os.unlink(candidate)
    return path.read_text().strip()


def start(actor: Actor, stamp: str) -> None:
    """A fresh session for a user who just logged in (nothing of the anonymous one is kept)."""
    lang = session.get("lang")
    session.clear()
    session.permanent = True
    session.update(user=actor.name, stamp=stamp, csrf=secrets.token_urlsafe(32))
    if lang:
        session["lang"] = lang


def end() -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def load_actor() -> Actor | None:
    """The logged-in actor (also what api.context.actor() returns during the request), or None."""
    name, stamp = session.get("user"), session.get("stamp")
    if not name or not stamp:
        return None
    try:
        g.actor = users.session_actor(uow(), name, stamp)
    except Unauthenticated:
        end()
        return None
    return g.actor


def current_actor() -> Actor | None:
    return g.get("actor")


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


def check_csrf() -> None:
    if request.method in SAFE_METHODS:
        return
    sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    expected = session.get("csrf") or ""
    if not expected or not hmac.compare_digest(sent, expected):
        abort(400, description="csrf")


def safe_next(target: str | None, default: str) -> str:
    """Only local paths: a ``next`` parameter must not send people to another site."""
    if not target:
        return default
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return default  # a header cannot carry them: a redirect there would fail
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
