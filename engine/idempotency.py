"""Idempotency keys: a client retrying a command with the same ``Idempotency-Key`` gets the first
response again instead of a second execution.

A key belongs to one user and lives ``Settings.idempotency_ttl_seconds`` (24 h by default). The HTTP
layer reserves it before the command runs (``begin``), then stores the response (``finish``) or, when
the outcome is worth retrying (a server error, a conflict), releases it (``release``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from . import db
from .clock import utcnow
from .errors import InProgress, KeyReused
from .models import IdempotencyKey
from .unit_of_work import UnitOfWork

IN_PROGRESS, DONE = "in_progress", "done"
# A reservation older than this belongs to a process that died mid-request: the key is free again.
STALE_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class StoredResponse:
    status: int
    content_type: str | None
    body: bytes


def begin(uow: UnitOfWork, *, user: str, key: str, fingerprint: str,
          now: datetime | None = None) -> StoredResponse | None:
    """Reserve the key for this request (None: go ahead and execute it), or return the response the
    first request with this key got.

    Raises:
        KeyReused: the key came before with a different request (method, path or body).
        InProgress: the first request with this key is still running.
    """
    now = now or utcnow()
    with uow:
        existing = _find(uow, user, key)
        if existing is not None and (existing.expires_at <= now or
                                     (existing.state == IN_PROGRESS and existing.created_at <= now - STALE_AFTER)):
            uow.session.delete(existing)
            uow.session.flush()
            existing = None
        if existing is None:
            uow.session.add(IdempotencyKey(
                user_name=user, key=key, fingerprint=fingerprint, state=IN_PROGRESS, created_at=now,
                expires_at=now + timedelta(seconds=uow.settings.idempotency_ttl_seconds)))
            try:
                uow.commit()
                return None
            except IntegrityError:  # a concurrent request with the same key reserved it first
                uow.session.rollback()
                existing = _find(uow, user, key)
                if existing is None:
                    raise InProgress("a request with this Idempotency-Key just finished; retry it") from None
        return _answer(existing, fingerprint)


def finish(uow: UnitOfWork, *, user: str, key: str, status: int, content_type: str | None, body: bytes) -> None:
    """Store the response of the request that reserved the key."""
    with uow:
        row = _find(uow, user, key)
        if row is not None and row.state == IN_PROGRESS:
            row.state, row.status_code, row.content_type, row.body = DONE, status, content_type, body
            uow.commit()


def release(uow: UnitOfWork, *, user: str, key: str) -> None:
    """Forget a reservation whose request should be executable again."""
    with uow:
        uow.session.execute(delete(IdempotencyKey).where(
            IdempotencyKey.user_name == user, IdempotencyKey.key == key, IdempotencyKey.state == IN_PROGRESS))
        uow.commit()


def purge(uow: UnitOfWork, *, now: datetime | None = None) -> int:
    """Delete expired keys; returns how many."""
    with uow:
        result = uow.session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at <= (now or utcnow())))
        uow.commit()
        return db.affected(result)


def _find(uow: UnitOfWork, user: str, key: str) -> IdempotencyKey | None:
    return uow.session.scalars(select(IdempotencyKey).where(IdempotencyKey.user_name == user,
                                                            IdempotencyKey.key == key)).first()


def _answer(row: IdempotencyKey, fingerprint: str) -> StoredResponse:
    if row.fingerprint != fingerprint:
        raise KeyReused("this Idempotency-Key was used for a different request; use a new key for a new request",
                        details=[{"field": "Idempotency-Key", "message": "already used with another request"}])
    if row.state == IN_PROGRESS:
        raise InProgress("a request with this Idempotency-Key is still in progress; retry later")
    return StoredResponse(status=row.status_code or 200, content_type=row.content_type, body=row.body or b"")
