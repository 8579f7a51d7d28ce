"""Webhook delivery by workers: claim due deliveries with a lease, POST each outside any transaction,
record the outcome; retry with exponential back-off, then dead-letter (engine.webhooks lists and
replays dead letters).

Strictly in order per case: a delivery is due only when no earlier event of the same case is still
pending for the same webhook, so a case's later event waits until the earlier one is delivered or
dead-lettered. Events of different cases flow independently. A disabled webhook's deliveries wait, pending,
until it is enabled again (engine.webhooks.enable).

The scheduler (engine.worker) calls ``run_due`` every second and ``sweep`` every minute.
"""
from __future__ import annotations

import http.client
import json
import logging
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import aliased

from . import confidential, db, idempotency, message_buffer
from .clock import utcnow
from .models import OutboxEvent, User, Webhook, WebhookDelivery
from .unit_of_work import Runtime, UnitOfWork
from .users import SYSTEM, Actor
from .webhooks import (
    DEAD,
    DELIVERED,
    PENDING,
    deactivated_reason,
    disable_owned,
    lost_role_reason,
    never_a_receiver,
    owner_refused,
    sign,
)

log = logging.getLogger(__name__)

RETRYING, SKIPPED, HELD = "retrying", "skipped", "held"
MAX_BACKOFF_SECONDS = 6 * 3600
# (url, body, headers, timeout) -> (HTTP status or None, error text or None)
Transport = Callable[[str, bytes, dict[str, str], float], tuple[int | None, str | None]]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is a failed delivery: following it would send signed case data to another address."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int | None, str | None]:
    """POST with urllib; a refused connection, a timeout or a TLS error is (None, reason).

    The host is resolved once, here: a name resolving to an address no receiver has (a cloud metadata
    service's) is not posted to, and the connection goes to the addresses checked, never to a second answer
    of the same name (DNS rebinding: the URL's check at subscription sees only the name).
    """
    host = urlsplit(url).hostname or ""
    try:
        addresses = _resolve(host)
    except (OSError, UnicodeError) as exc:
        return None, f"{type(exc).__name__}: {host} does not resolve ({exc})"
    refused = next((a for a in addresses if never_a_receiver(a)), None)
    if refused:
        return None, f"not sent: {host} resolves to {refused}, which is never a receiver"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with opener(addresses).open(request, timeout=timeout) as response:
            return response.status, None
    except urllib.error.HTTPError as exc:
        detail = exc.read(300).decode("utf-8", "replace").strip()
        return exc.code, f"HTTP {exc.code}" + (f": {detail}" if detail else "")
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        return None, f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"


def _resolve(host: str) -> list[str]:
    """The addresses ``host`` resolves to, in the resolver's order, each once."""
    found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in found))


def opener(addresses: list[str]) -> urllib.request.OpenerDirector:
    """urllib connecting to ``addresses`` only (the Host header and TLS name stay the URL's), with no proxy
    from the environment and no redirects."""
    def connect(address: tuple[str, int], timeout: float | None, source_address: Any) -> socket.socket:
        failure: OSError | None = None
        for ip in addresses:  # as socket.create_connection tries each address of a name
            try:
                return socket.create_connection((ip, address[1]), timeout, source_address)
            except OSError as exc:
                failure = exc
        raise failure or OSError(f"no address for {address[0]}")

    def pinned(kind: type[http.client.HTTPConnection]) -> Callable[..., http.client.HTTPConnection]:
        def make(host: str, **options: Any) -> http.client.HTTPConnection:
            connection = kind(host, **options)
            connection._create_connection = connect  # type: ignore[attr-defined]
            return connection
        return make

    class Http(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(pinned(http.client.HTTPConnection), req)

    class Https(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(pinned(http.client.HTTPSConnection), req,
                                context=self._context)  # type: ignore[attr-defined]

    return urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects, Http, Https)


def payload(event: OutboxEvent, *, relay: bool = False) -> bytes:
    """The body sent for an event: the same bytes on every attempt. A notice's confidential recipient
    (engine.notify) goes only to an SMS relay (``relay``: see ``is_relay``); any other webhook reads it
    concealed."""
    data = event.data
    if event.event == "notice" and data.get("recipient_confidential") and not relay:
        data = {**data, "recipient": confidential.CONCEALED}
    return json.dumps({
        "id": event.event_id, "event": event.event, "occurred_at": event.created_at.isoformat(),
        "process_instance_id": event.instance_id, "business_key": event.business_key,
        "process_key": event.definition_key, "data": data,
    }, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def is_relay(subscribed: list[str] | None, owner_roles: list[str] | None) -> bool:
    """A webhook that may receive confidential recipients: it subscribes to ``notice`` by name (its
    purpose) and its owner reads confidential variables (engine.confidential.sees_all: a supervisor or an
    admin). An integrator's webhook does not, whatever it subscribes to: integrators read them concealed."""
    owner = Actor("webhook owner", roles=frozenset(owner_roles or ()))
    return "notice" in (subscribed or []) and confidential.sees_all(owner)


def claim_due(uow: UnitOfWork, *, worker_id: str, now: datetime | None = None, limit: int = 20) -> list[int]:
    """Lease up to ``limit`` due deliveries, each the oldest pending one of its case and webhook, and
    commit the lease. Concurrent claimers never get the same delivery."""
    now = now or utcnow()
    earlier = aliased(WebhookDelivery)
    waits = exists().where(earlier.webhook_id == WebhookDelivery.webhook_id,
                           earlier.instance_id == WebhookDelivery.instance_id,
                           earlier.state == PENDING, earlier.outbox_id < WebhookDelivery.outbox_id)
    free = or_(WebhookDelivery.lock_expires_at.is_(None), WebhookDelivery.lock_expires_at < now)
    disabled = select(Webhook.id).where(Webhook.disabled_at.is_not(None))
    due = (select(WebhookDelivery.id)
           .where(WebhookDelivery.state == PENDING, WebhookDelivery.next_attempt_at <= now, free, ~waits,
                  WebhookDelivery.webhook_id.not_in(disabled))
           .order_by(WebhookDelivery.outbox_id).limit(limit))
    lease = {"lock_owner": worker_id, "lock_expires_at": now + _lease(uow)}
    with uow:
        if uow.dialect == "postgresql":
            ids = list(uow.session.scalars(due.with_for_update(skip_locked=True)))
            if ids:
                uow.session.execute(update(WebhookDelivery).where(WebhookDelivery.id.in_(ids)).values(**lease)
                                    .execution_options(synchronize_session=False))
        else:  # SQLite: one atomic UPDATE repeats the lease test; RETURNING says which rows this claim won
            candidates = list(uow.session.scalars(due))
            if not candidates:
                return []
            won = set(uow.session.scalars(
                update(WebhookDelivery).where(WebhookDelivery.id.in_(candidates), WebhookDelivery.state == PENDING,
                                              free).values(**lease)
                .returning(WebhookDelivery.id).execution_options(synchronize_session=False)))
            ids = [i for i in candidates if i in won]
        uow.commit()
        return ids


def deliver(runtime: Runtime, delivery_id: int, *, worker_id: str, transport: Transport = post) -> str:
    """Send one leased delivery and record the outcome: DELIVERED, RETRYING, DEAD, SKIPPED (the lease was
    lost or the webhook deleted meanwhile), or HELD (the webhook is disabled: the delivery waits, pending).
    No transaction is open while the request runs."""
    settings = runtime.settings
    with runtime.uow() as uow:
        renewed = uow.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id, WebhookDelivery.state == PENDING,
                   WebhookDelivery.lock_owner == worker_id)
            .values(lock_expires_at=utcnow() + _lease(uow)).execution_options(synchronize_session=False))
        found = uow.session.execute(
            select(Webhook.url, Webhook.secret, Webhook.events, OutboxEvent, User.active, User.roles,
                   Webhook.owner, Webhook.disabled_at)
            .join(WebhookDelivery, WebhookDelivery.webhook_id == Webhook.id)
            .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.outbox_id)
            .outerjoin(User, User.name == Webhook.owner).where(WebhookDelivery.id == delivery_id)).first()
        if db.affected(renewed) != 1 or found is None:
            return SKIPPED
        uow.commit()
    url, secret, subscribed, event, owner_active, owner_roles, owner, disabled_at = found
    refused = owner_refused(owner_active, owner_roles)
    if disabled_at is not None or refused:
        # Disabled since the claim, or its owner deactivated or lacking the role while it is not (changed
        # outside govflow's commands): disabled now, and the delivery waits until it is enabled again.
        return _hold(runtime.uow(), delivery_id, worker_id, owner=None if disabled_at is not None else owner)
    body, timestamp = payload(event, relay=is_relay(subscribed, owner_roles)), int(time.time())
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "govflow-webhooks/1",
               "X-Govflow-Event": event.event, "X-Govflow-Event-Id": event.event_id,
               "X-Govflow-Delivery": str(delivery_id), "X-Govflow-Timestamp": str(timestamp),
               "X-Govflow-Signature": sign(secret, timestamp, body)}
    status, error = transport(url, body, headers, settings.webhook_timeout_seconds)
    return _record(runtime.uow(), delivery_id, worker_id, status, error)


def _hold(uow: UnitOfWork, delivery_id: int, worker_id: str, *, owner: str | None) -> str:
    """Give a leased delivery of a disabled webhook back, pending and unleased, without counting an attempt;
    ``owner``: disable the webhooks of this owner first if they are still deactivated or lack the role."""
    with uow:
        if owner is not None:
            found = uow.session.execute(select(User.active, User.roles).where(User.name == owner)).first()
            if found is not None and owner_refused(*found):  # the owner may be back since the delivery was read
                reason = lost_role_reason(owner) if found.active else deactivated_reason(owner)
                disable_owned(uow, owner, reason=reason, actor=SYSTEM)
        delivery = uow.session.get(WebhookDelivery, delivery_id)
        if delivery is not None and delivery.state == PENDING and delivery.lock_owner == worker_id:
            delivery.lock_owner = delivery.lock_expires_at = None
        uow.commit()
        return HELD


def run_due(runtime: Runtime, *, worker_id: str, now: datetime | None = None, limit: int = 20,
            rounds: int = 50, transport: Transport = post) -> int:
    """Claim and deliver until nothing is due (at most ``rounds`` claims); returns how many were
    delivered. A case's next event becomes due as soon as its previous one is delivered, so several
    rounds drain it at once. One failing row is logged and left to its lease."""
    delivered = 0
    for _ in range(rounds):
        ids = claim_due(runtime.uow(), worker_id=worker_id, now=now, limit=limit)
        if not ids:
            break
        for delivery_id in ids:
            try:
                delivered += deliver(runtime, delivery_id, worker_id=worker_id, transport=transport) == DELIVERED
            except Exception:
                log.exception("webhook delivery %s failed unexpectedly; retried when its lease expires", delivery_id)
    return delivered


def sweep(runtime: Runtime) -> None:
    """The minute's chores: drop expired buffered messages, forget expired idempotency keys."""
    message_buffer.expire(runtime.uow())
    idempotency.purge(runtime.uow())


def schedule(scheduler: Any, runtime: Runtime, *, worker_id: str, poll_seconds: float) -> None:
    """Add webhook delivery (every poll) and the sweep (every minute) to a worker's APScheduler."""

    def deliveries() -> None:
        try:
            run_due(runtime, worker_id=worker_id)
        except Exception:  # the database is away: try again at the next tick
            log.exception("worker %s could not deliver webhooks", worker_id)

    def chores() -> None:
        try:
            sweep(runtime)
        except Exception:
            log.exception("worker %s could not sweep buffered messages and idempotency keys", worker_id)

    scheduler.add_job(deliveries, "interval", seconds=poll_seconds, id="govflow-webhooks", max_instances=1,
                      coalesce=True)
    scheduler.add_job(chores, "interval", seconds=60, id="govflow-sweep", max_instances=1, coalesce=True)


def _record(uow: UnitOfWork, delivery_id: int, worker_id: str, status: int | None, error: str | None,
            *, final: bool = False) -> str:
    now = utcnow()
    with uow:
        delivery = uow.session.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.state != PENDING or delivery.lock_owner != worker_id:
            return SKIPPED
        delivery.attempts += 1
        delivery.last_status, delivery.lock_owner, delivery.lock_expires_at = status, None, None
        if status is not None and 200 <= status < 300:
            delivery.state, delivery.delivered_at, delivery.last_error = DELIVERED, now, None
            outcome = DELIVERED
        elif final or delivery.attempts >= uow.settings.webhook_max_attempts:
            delivery.state, delivery.last_error = DEAD, (error or "")[:2000]
            log.warning("webhook delivery %s is dead after %s attempts: %s", delivery_id, delivery.attempts, error)
            outcome = DEAD
        else:
            backoff = min(uow.settings.webhook_backoff_seconds * 2 ** (delivery.attempts - 1), MAX_BACKOFF_SECONDS)
            delivery.last_error, delivery.next_attempt_at = (error or "")[:2000], now + timedelta(seconds=backoff)
            outcome = RETRYING
        # The webhook's latest attempt (GET /api/webhooks/ID). Its row is written before the delivery's (not
        # flushed yet): in the order unsubscribing locks them, so the two never deadlock.
        uow.session.execute(update(Webhook).where(Webhook.id == delivery.webhook_id)
                            .values(last_attempt_at=now, last_status=status, last_error=delivery.last_error)
                            .execution_options(synchronize_session=False))
        uow.commit()
        return outcome


def _lease(uow: UnitOfWork) -> timedelta:
    # Longer than one request can take, so a live worker never loses a delivery it is sending.
    return timedelta(seconds=max(uow.settings.job_lease_seconds, 2 * uow.settings.webhook_timeout_seconds + 5))
