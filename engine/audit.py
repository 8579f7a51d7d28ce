"""The audit log: who changed users, tokens, departments, webhooks, calendars and supervision rules, when,
and what changed. Case history (engine.timeline) covers cases; this covers the administration around them.

Each command that changes one of those writes its entry with ``record``, in its own transaction: a change
refused or rolled back leaves none, and a change committed always has one. Entries are never updated or
deleted. ``change`` holds ``before`` and ``after``: the fields that changed, with their values (a field only
on one side was added or removed), and what the action concerns besides (``years``, ``tokens`` ...). A
call that changed nothing still leaves its entry, with both sides empty: what was asked, and by whom.
Secrets never enter it: ``record`` refuses a change naming a token, a password or a secret.

Actors are user names; ``system`` for what govflow does by itself; ``cli:<OS user>`` for the command line
(api.cli_runtime.command_actor: a user name never holds a colon, so the two cannot be confused).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, func, select

from .clock import utcnow
from .errors import ValidationFailed, check_page
from .models import AuditEntry
from .unit_of_work import UnitOfWork

if TYPE_CHECKING:  # engine.users records through this module
    from .users import Actor

ACTIONS = ("user.added", "user.changed", "user.deactivated", "user.activated", "user.password_set",
           "token.issued", "token.revoked",
           "department.put", "department.deleted",
           "webhook.subscribed", "webhook.changed", "webhook.secret_rotated", "webhook.unsubscribed",
           "webhook.replayed", "webhook.disabled", "webhook.enabled",
           "calendar.created", "calendar.changed",
           "supervision_rules.changed",
           "delegation.added", "delegation.revoked")
TARGET_KINDS = ("user", "department", "webhook", "calendar", "supervision_rule", "delegation")
# Keys a change may never hold, at any depth: what would let a reader of the log act as someone else.
SECRET_KEYS = frozenset({"token", "token_hash", "password", "password_hash", "secret"})
MAX_PAGE = 500


@dataclass
class AuditPage:
    items: list[AuditEntry]
    total: int
    limit: int
    offset: int


def record(uow: UnitOfWork, actor: Actor, action: str, target: tuple[str, str], change: Mapping[str, Any]) -> None:
    """Add an entry to the command's transaction (a helper: ``with uow`` open, never commits).

    Raises ValueError (a bug, never the caller's input): an unknown action or target kind, or a change
    holding a secret.
    """
    kind, key = target
    if action not in ACTIONS or kind not in TARGET_KINDS:
        raise ValueError(f"not an audited action or target: {action!r} on {kind!r}")
    stored = _json_safe(dict(change))
    leaked = _secret_keys(stored)
    if leaked:
        raise ValueError(f"an audit entry never holds secrets: {', '.join(sorted(leaked))}")
    uow.session.add(AuditEntry(at=utcnow(), actor=actor.name[:100], action=action, target_kind=kind,
                               target_key=str(key)[:255], change=stored))


def diff(before: Mapping[str, Any], after: Mapping[str, Any], **context: Any) -> dict[str, Any]:
    """``{"before": ..., "after": ..., **context}`` with the fields whose values differ; a field on one
    side only (a day added, a department created) appears on that side only."""
    changed = [k for k in dict.fromkeys([*before, *after]) if k not in before or k not in after
               or _json_safe(before[k]) != _json_safe(after[k])]
    return {"before": {k: before[k] for k in changed if k in before},
            "after": {k: after[k] for k in changed if k in after}, **context}


def list_entries(uow: UnitOfWork, *, actor: Actor, by: str | None = None, action: str | None = None,
                 target_kind: str | None = None, target_key: str | None = None, since: datetime | None = None,
                 until: datetime | None = None, limit: int = 50, offset: int = 0) -> AuditPage:
    """Entries newest first, narrowed to those ``by`` an actor, of one ``action``, on one target (kind
    and/or key), made at or after ``since`` and before ``until``.

    Raises:
        Forbidden: not a supervisor or an admin.
        ValidationFailed: an unknown action or target kind, limit outside 1..500, a negative offset.
    """
    actor.require("supervisor", action="read the audit log")
    if action is not None and action not in ACTIONS:
        raise ValidationFailed(f"unknown action {action!r}", details=[
            {"field": "action", "message": f"one of {', '.join(ACTIONS)}"}])
    if target_kind is not None and target_kind not in TARGET_KINDS:
        raise ValidationFailed(f"unknown target kind {target_kind!r}", details=[
            {"field": "target_kind", "message": f"one of {', '.join(TARGET_KINDS)}"}])
    check_page(limit, offset, MAX_PAGE)
    filters = [column == value for column, value in (
        (AuditEntry.actor, by), (AuditEntry.action, action), (AuditEntry.target_kind, target_kind),
        (AuditEntry.target_key, target_key)) if value is not None]
    if since is not None:
        filters.append(AuditEntry.at >= since)
    if until is not None:
        filters.append(AuditEntry.at < until)
    with uow:
        total = uow.session.scalar(select(func.count()).select_from(AuditEntry).where(*filters)) or 0
        items = list(uow.session.scalars(select(AuditEntry).where(*filters)
                                         .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                                         .offset(offset).limit(limit)))
        return AuditPage(items=items, total=total, limit=limit, offset=offset)


def _json_safe(value: Any) -> Any:
    """Dates and times as ISO text, tuples and sets as lists: what the JSON column stores and gives back."""
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_json_safe(v) for v in value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _secret_keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return {k for k in value if k in SECRET_KEYS}.union(*(_secret_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_secret_keys(v) for v in value))
    return set()


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _append_only(mapper: Any, connection: Any, entry: AuditEntry) -> None:
    raise RuntimeError(f"the audit log is append-only: entry {entry.id} cannot be changed or deleted")
