"""Configuration read from the environment; tests pass their own values to create_app."""
from __future__ import annotations

import os
from dataclasses import replace
from datetime import timedelta
from typing import Any

from engine.settings import Settings


class Config:
    API_TITLE = "govflow"
    API_VERSION = "1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"
    # Uploads and JSON bodies: a diagram set is at most a few MiB.
    MAX_CONTENT_LENGTH = int(os.environ.get("GOVFLOW_MAX_REQUEST_BYTES", 16 * 1024 * 1024))
    # Every other request body (JSON commands); upload endpoints have their own limits (api/limits.py).
    GOVFLOW_MAX_BODY_BYTES = int(os.environ.get("GOVFLOW_MAX_BODY_BYTES", 1024 * 1024))
    JSON_SORT_KEYS = False
    # Start the timer scheduler inside the web process (``govflow serve`` does; tests usually don't).
    GOVFLOW_SCHEDULER = False
    # Endpoints open without login (api/rate_limits.py): limits per client address and endpoint, counted
    # in memory per process by default; redis://host:6379 shares the count between workers.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    GOVFLOW_PUBLIC_RATE_LIMIT = os.environ.get("GOVFLOW_PUBLIC_RATE_LIMIT", "60 per minute")
    GOVFLOW_PUBLIC_WRITE_RATE_LIMIT = os.environ.get("GOVFLOW_PUBLIC_WRITE_RATE_LIMIT", "10 per minute")
    # Failed page logins, counted per client address, and (looser: guesses spread over many addresses, without
    # letting anyone lock a colleague out with a few wrong passwords) per user name typed.
    GOVFLOW_LOGIN_RATE_LIMIT = os.environ.get("GOVFLOW_LOGIN_RATE_LIMIT", "10 per 15 minutes")
    GOVFLOW_LOGIN_NAME_RATE_LIMIT = os.environ.get("GOVFLOW_LOGIN_NAME_RATE_LIMIT", "50 per 15 minutes")
    # Page sessions (api/pages/session.py): a cookie of its own name, not sent along by other sites, over
    # https only with GOVFLOW_SECURE_COOKIES=1 (behind TLS), for one working day.
    SESSION_COOKIE_NAME = "govflow_session"
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("GOVFLOW_SECURE_COOKIES", "") == "1"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

    @staticmethod
    def settings(overrides: dict[str, Any]) -> Settings:
        base = Settings.from_env()
        if "DATABASE_URL" in overrides:
            base = replace(base, database_url=overrides["DATABASE_URL"])
        return base
