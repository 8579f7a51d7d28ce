"""The webhooks an outbox event fans out to (engine.outbox), read without a query per command when
there are none."""
from __future__ import annotations

import time
from typing import Any, cast

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .db import transaction_memo
from .models import User, Webhook

# A deactivated user's webhooks receive nothing more: case data must not outlive their access. Nor does a
# disabled one (its owner lost the integrator role: engine.webhooks.disable_owned).
# FOR KEY SHARE of the webhooks (PostgreSQL; SQLite's writers take turns): a webhook being deleted is waited
# for and then not read, so the command's delivery rows never name a webhook gone before they are written;
# a delete coming later waits for the command and sees its deliveries (engine.webhooks.unsubscribe).
_ACTIVE_WEBHOOKS = (select(Webhook.id, Webhook.events).outerjoin(User, User.name == Webhook.owner)
                    .where(or_(User.id.is_(None), User.active), Webhook.disabled_at.is_(None))
                    .with_for_update(read=True, key_share=True, of=Webhook))
_SESSION_KEY = "govflow.webhook_targets"
NONE_TTL_SECONDS = 1.0


class WebhookTargets:
    """(id, events) of the active webhooks, per process.

    Only the answer "there are none" is kept, for NONE_TTL_SECONDS: most installations have no webhook,
    and every command that changes a case would otherwise read the table to learn it. ``invalidate``
    (engine.webhooks.subscribe) drops it at once in this process; another process sees a new first
    webhook within NONE_TTL_SECONDS, so events committed there in that second may not reach it. A
    non-empty set is read again in every command (once per transaction), so a deleted or disabled webhook,
    or a deactivated owner's, never gets a delivery row.
    """

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._clock = clock
        self._none_until = 0.0

    def get(self, session: Session) -> list[tuple[int, list[str] | None]]:
        memo = transaction_memo(session, _SESSION_KEY)  # read once per transaction: a command writes several events
        if "found" in memo:
            return cast(list[tuple[int, list[str] | None]], memo["found"])
        if self._clock() < self._none_until:
            return []
        found = [(hook_id, events) for hook_id, events in session.execute(_ACTIVE_WEBHOOKS)]
        if not found:
            self._none_until = self._clock() + NONE_TTL_SECONDS
        memo["found"] = found
        return found

    def invalidate(self) -> None:
        self._none_until = 0.0
