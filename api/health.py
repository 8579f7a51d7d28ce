"""``GET /api/health`` for load balancers and process managers: 200 while the database answers, else 503.

It is polled every few seconds: an outage is logged once when it starts and once when it ends, one line
each, not a traceback per poll."""
from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask, jsonify
from sqlalchemy.exc import SQLAlchemyError

from engine.db import ping

from .context import runtime
from .errors import error_response

log = logging.getLogger(__name__)


class DatabaseWatch:
    """Whether the last check reached the database, per process; logs only when that changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._down = False

    def check(self) -> bool:
        try:
            ping(runtime().engine)
        except SQLAlchemyError as exc:
            self._changed(True, _first_line(exc))
            return False
        self._changed(False, "")
        return True

    def _changed(self, down: bool, problem: str) -> None:
        with self._lock:
            if down == self._down:
                return
            self._down = down
        if down:
            log.error("health: the database cannot be reached: %s", problem)
        else:
            log.warning("health: the database answers again")


def _first_line(exc: SQLAlchemyError) -> str:
    """The driver's message, without SQLAlchemy's appended SQL and background link."""
    cause = getattr(exc, "orig", None) or exc
    return (str(cause).strip().splitlines() or [type(cause).__name__])[0]


def register(app: Flask) -> None:
    watch = DatabaseWatch()

    @app.get("/api/health")
    def health() -> Any:
        if not watch.check():  # the cause goes to the log only: this endpoint answers anyone
            return error_response(503, "database_unavailable", "the database cannot be reached")
        return jsonify({"status": "ok"})
