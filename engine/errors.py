"""Engine errors: one hierarchy that knows nothing of HTTP.

The API maps each class to a status code in one table (api/errors.py); the CLI prints the message.
"""
from __future__ import annotations

from typing import Any


class EngineError(Exception):
    """Base class. ``code`` is a stable machine-readable name, ``details`` a list of problems."""

    code = "error"

    def __init__(self, message: str, *, details: list[Any] | None = None, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []
        self.context = context


class NotFound(EngineError):
    code = "not_found"


class InvalidRequest(EngineError):
    code = "invalid_request"


class Conflict(EngineError):
    """The target changed under the caller: a task already completed, claimed by someone else, a stale version."""

    code = "conflict"


class Forbidden(EngineError):
    code = "forbidden"


class Unauthenticated(EngineError):
    code = "unauthenticated"


class ValidationFailed(EngineError):
    """Submitted data broke rules; ``details`` lists ``{"field", "message"}`` items (a form's check adds
    ``label``, and ``rule`` and ``params`` from which a page says the message in its own language)."""

    code = "validation_failed"


class MaterialsMissing(ValidationFailed):
    """An acceptance step (受理, 容缺受理) completed while materials it needs are missing (engine.acceptance);
    ``details`` names each: ``{"field": "materials", "material", "key", "message"}``."""

    code = "materials_missing"


class DeploymentInvalid(EngineError):
    """A deployment was refused; ``details`` lists ``{"file", "line", "element", "message"}`` problems."""

    code = "deployment_invalid"


class ProcessError(EngineError):
    """The diagram failed while running (a script raised, a condition could not be evaluated)."""

    code = "process_error"


class TooLarge(EngineError):
    """An upload or request body exceeds its configured limit."""

    code = "too_large"


class UnsupportedType(EngineError):
    """A body of a type not taken: an upload not on the allow-list (checked by content, not by the name
    alone), or JSON sent under another Content-Type (api.json_body)."""

    code = "unsupported_media_type"


class InProgress(Conflict):
    """A request with the same idempotency key is still being executed."""

    code = "in_progress"


class KeyReused(ValidationFailed):
    """An idempotency key sent again with a different request."""

    code = "idempotency_key_reused"


def check_page(limit: int, offset: int, most: int) -> None:
    """A list's page: ``limit`` 1 to ``most`` rows from ``offset`` (0 or more). Raises ValidationFailed."""
    if not 1 <= limit <= most or offset < 0:
        raise ValidationFailed("bad page", details=[{"field": "offset" if offset < 0 else "limit",
                                                     "message": f"limit 1 to {most}, offset from 0"}])
