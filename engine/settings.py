"""Explicit engine settings, read from the environment by entrypoints and passed down."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


def default_data_dir() -> Path:
    """GOVFLOW_DATA_DIR (``~`` expanded), else ``var`` under the working directory; absolute."""
    return Path(os.environ.get("GOVFLOW_DATA_DIR") or Path.cwd() / "var").expanduser().resolve()


def default_database_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'govflow.db'}"


def absolute_sqlite_url(url: str) -> str:
    """A SQLite URL whose file path is relative (``sqlite:///var/x.db``), made absolute against the working
    directory now: SQLite would resolve it at each connection, so a process that changed directory later
    would open (or create) another, empty database. ``~`` is expanded, as in GOVFLOW_DATA_DIR (SQLite itself
    would make a folder named ``~``). Other URLs, and ones that do not parse, are unchanged (the engine
    reports the latter when it is made)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or parsed.host or not database or database == ":memory:" \
            or database.startswith("file:") or Path(database).is_absolute():
        return url
    return parsed.set(database=str(Path(database).expanduser().resolve())).render_as_string(hide_password=False)


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    # Timers and jobs: how long a worker's claim on a job lasts before another may take it over.
    job_lease_seconds: int = 60
    token_ttl_days: int | None = None
    extra: dict[str, str] = field(default_factory=dict)
    # Materials: per-file limit, allowed types (file extensions, checked against the content), where the
    # bytes go (None: <data_dir>/materials; "s3://bucket/prefix": S3-compatible storage).
    max_material_bytes: int = 20 * 1024 * 1024
    material_types: tuple[str, ...] = ("pdf", "jpg", "jpeg", "png", "ofd", "docx", "xlsx", "zip")
    storage_url: str | None = None
    s3_endpoint_url: str | None = None
    # Integrations: idempotency keys, buffered messages, webhook delivery.
    idempotency_ttl_seconds: int = 24 * 3600
    message_buffer_max_seconds: int = 24 * 3600
    webhook_timeout_seconds: float = 5.0
    webhook_max_attempts: int = 8
    webhook_backoff_seconds: float = 10.0  # doubled after each failed attempt
    webhook_allow_http: bool = False  # plain http only to loopback unless set
    # Supervision: how often each worker sweeps for reminders, overdue cases and overrun steps.
    supervision_sweep_seconds: int = 60

    def __post_init__(self) -> None:
        # Absolute once, when the process builds its settings: materials and the page session's key stay
        # where they are if the process's working directory changes later (a server or library that chdirs).
        object.__setattr__(self, "data_dir", Path(self.data_dir).expanduser().resolve())

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = default_data_dir()
        url = absolute_sqlite_url(os.environ.get("DATABASE_URL") or default_database_url(data_dir))
        return cls(database_url=url, data_dir=data_dir, **_integration_env())


MAX_TOKEN_DAYS = 36500  # a hundred years: beyond it a token's expiry date would not fit the calendar


class SettingsError(ValueError):
    """A GOVFLOW_* variable that cannot be read; the message names it."""


def _integration_env() -> dict[str, Any]:
    """The GOVFLOW_* variables (unset: defaults). Raises SettingsError naming one that is not a number."""
    env, found = os.environ, {}
    numbers = {"GOVFLOW_JOB_LEASE_SECONDS": ("job_lease_seconds", int),
               "GOVFLOW_MAX_MATERIAL_BYTES": ("max_material_bytes", int),
               "GOVFLOW_IDEMPOTENCY_TTL_SECONDS": ("idempotency_ttl_seconds", int),
               "GOVFLOW_MESSAGE_BUFFER_MAX_SECONDS": ("message_buffer_max_seconds", int),
               "GOVFLOW_WEBHOOK_TIMEOUT_SECONDS": ("webhook_timeout_seconds", float),
               "GOVFLOW_WEBHOOK_MAX_ATTEMPTS": ("webhook_max_attempts", int),
               "GOVFLOW_WEBHOOK_BACKOFF_SECONDS": ("webhook_backoff_seconds", float),
               "GOVFLOW_TOKEN_TTL_DAYS": ("token_ttl_days", int),
               "GOVFLOW_SUPERVISION_SWEEP_SECONDS": ("supervision_sweep_seconds", int)}
    for variable, (name, kind) in numbers.items():
        if env.get(variable):
            try:
                found[name] = kind(env[variable])
            except ValueError:
                raise SettingsError(f"{variable} must be a number, not {env[variable]!r}") from None
    if not 1 <= found.get("token_ttl_days", 1) <= MAX_TOKEN_DAYS:
        raise SettingsError(f"GOVFLOW_TOKEN_TTL_DAYS must be 1 to {MAX_TOKEN_DAYS} days (unset: tokens do not "
                            f"expire), not {found['token_ttl_days']}")
    if env.get("GOVFLOW_MATERIAL_TYPES"):
        found["material_types"] = tuple(t.strip().lower().lstrip(".") for t in env["GOVFLOW_MATERIAL_TYPES"].split(",")
                                        if t.strip())
    found["storage_url"] = env.get("GOVFLOW_STORAGE_URL") or None
    found["s3_endpoint_url"] = env.get("GOVFLOW_S3_ENDPOINT_URL") or None
    found["webhook_allow_http"] = env.get("GOVFLOW_WEBHOOK_ALLOW_HTTP", "").lower() in ("1", "true", "yes")
    return found
