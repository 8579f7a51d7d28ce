"""Webhooks: subscriptions to outbox events (subscribed, changed, their secret rotated, deleted), their
dead letters, and how deliveries are signed.

A webhook whose owner loses the integrator role is disabled in that change's transaction, with the reason
(``disable_owned``): no event is queued for it, those queued before wait (engine.delivery claims none of
them), and its owner with the role back, or an admin, enables it again (``enable``).

Each delivery is a POST of the event as JSON with these headers:

- ``X-Govflow-Event``: the event type; ``X-Govflow-Event-Id``: the event's id (receivers deduplicate
  by it: a delivery may arrive twice when a worker dies between sending and recording)
- ``X-Govflow-Timestamp``: unix seconds of this attempt
- ``X-Govflow-Signature``: ``sha256=`` + hex HMAC-SHA256 with the webhook's secret over
  ``<timestamp>.<raw body>``. The timestamp is signed with the body so that a captured request cannot be
  replayed later: receivers refuse timestamps older than a few minutes (``verify`` does all of this).
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import socket
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import SplitResult, urlsplit

from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from . import audit
from .clock import utcnow
from .errors import Conflict, NotFound, ValidationFailed, check_page
from .models import OutboxEvent, User, Webhook, WebhookDelivery
from .outbox import EVENT_TYPES
from .unit_of_work import UnitOfWork
from .users import Actor

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"
SIGNATURE_TOLERANCE = 300  # seconds a receiver should accept a timestamp for


@dataclass
class WebhookView:
    id: int
    url: str
    events: list[str]
    owner: str
    description: str | None
    created_at: datetime
    disabled_at: datetime | None = None
    disabled_reason: str | None = None
    secret: str | None = None  # only in the answer to its creation


@dataclass
class LastAttempt:
    """The latest delivery attempt to a webhook: when, the receiver's HTTP status (None: no answer), and the
    error (None: delivered)."""

    at: datetime
    status: int | None
    error: str | None


@dataclass
class WebhookStatus(WebhookView):
    """A webhook with how its deliveries are going."""

    deliveries: dict[str, int] = field(default_factory=dict)  # how many are pending, delivered, dead
    last_attempt: LastAttempt | None = None
    next_attempt_at: datetime | None = None  # when its first due delivery is; None: none waits, or disabled


@dataclass
class DeliveryView:
    id: int
    webhook_id: int
    url: str
    event: str
    event_id: str
    outbox_id: int
    process_instance_id: int | None
    business_key: str | None
    state: str
    attempts: int
    last_status: int | None
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime | None  # None once delivered or dead
    delivered_at: datetime | None


@dataclass
class DeliveryPage:
    items: list[DeliveryView]
    total: int
    limit: int
    offset: int


# ---- signing -----------------------------------------------------------------------------------

def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, *, timestamp: str, body: bytes, signature: str, tolerance: int = SIGNATURE_TOLERANCE,
           now: float | None = None) -> bool:
    """A receiver's check: the signature matches and the timestamp is recent."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - sent) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, sent, body), signature or "")


# ---- commands ----------------------------------------------------------------------------------

def subscribe(uow: UnitOfWork, *, actor: Actor, url: str, events: list[str] | None = None,
              description: str | None = None) -> WebhookView:
    """Subscribe a URL to events (all when none are listed); the answer carries the signing secret,
    which is never shown again. Events that happen from now on are delivered (by other server processes
    within a second when it is the first webhook: engine.webhook_targets).

    Raises:
        Forbidden (integrators and admins only); ValidationFailed (URL or event types).
    """
    actor.require("integrator", action="manage webhooks")
    url = check_url(url, allow_http=uow.settings.webhook_allow_http)
    wanted = _check_events(events or [])
    with uow:
        hook = Webhook(url=url, events=wanted, secret=_new_secret(), owner=actor.name,
                       description=(description or "").strip()[:500] or None, created_at=utcnow())
        uow.session.add(hook)
        uow.session.flush()
        view = _webhook_view(hook)
        view.secret = hook.secret
        audit.record(uow, actor, "webhook.subscribed", _target(hook), _masked(audit.diff({}, _audited(hook))))
        uow.commit()
        uow.runtime.webhook_targets.invalidate()  # this process delivers to it from now on
        return view


def list_webhooks(uow: UnitOfWork, *, actor: Actor) -> list[WebhookView]:
    """The caller's webhooks (an admin's: all). Raises Forbidden."""
    actor.require("integrator", action="manage webhooks")
    with uow:
        query = select(Webhook).order_by(Webhook.id)
        if not actor.has("admin"):
            query = query.where(Webhook.owner == actor.name)
        return [_webhook_view(hook) for hook in uow.session.scalars(query)]


def get_webhook(uow: UnitOfWork, webhook_id: int, *, actor: Actor) -> WebhookStatus:
    """A webhook with its deliveries counted by state, its latest attempt, and when its next one is due: the
    earliest pending delivery that waits for no earlier event of its case (a past time: at the workers' next
    poll); None when nothing is pending or the webhook is disabled.

    Raises:
        Forbidden; NotFound (not the caller's webhook, unless an admin's).
    """
    actor.require("integrator", action="manage webhooks")
    with uow:
        hook = _own_webhook(uow, webhook_id, actor)
        counts = dict.fromkeys((PENDING, DELIVERED, DEAD), 0)
        for state, count in uow.session.execute(select(WebhookDelivery.state, func.count())
                                                .where(WebhookDelivery.webhook_id == hook.id)
                                                .group_by(WebhookDelivery.state)):
            counts[state] = count
        earlier = aliased(WebhookDelivery)
        waits = exists().where(earlier.webhook_id == WebhookDelivery.webhook_id,  # as engine.delivery claims
                               earlier.instance_id == WebhookDelivery.instance_id,
                               earlier.state == PENDING, earlier.outbox_id < WebhookDelivery.outbox_id)
        next_at = None if hook.disabled_at is not None else uow.session.scalar(
            select(func.min(WebhookDelivery.next_attempt_at))
            .where(WebhookDelivery.webhook_id == hook.id, WebhookDelivery.state == PENDING, ~waits))
        view = _webhook_view(hook)
        last = (LastAttempt(at=hook.last_attempt_at, status=hook.last_status, error=hook.last_error)
                if hook.last_attempt_at is not None else None)
        return WebhookStatus(**vars(view), deliveries=counts, last_attempt=last, next_attempt_at=next_at)


def list_deliveries(uow: UnitOfWork, webhook_id: int, *, actor: Actor, state: str | None = None,
                    limit: int = 50, offset: int = 0) -> DeliveryPage:
    """A webhook's deliveries, newest first, of one state (pending, delivered, dead) or all.

    Raises:
        Forbidden; NotFound (not the caller's webhook, unless an admin's); ValidationFailed (the state, the page).
    """
    actor.require("integrator", action="manage webhooks")
    check_page(limit, offset, 500)
    if state is not None and state not in (PENDING, DELIVERED, DEAD):
        raise ValidationFailed(f"unknown state {state!r}", details=[
            {"field": "state", "message": f"one of {PENDING}, {DELIVERED}, {DEAD}"}])
    with uow:
        hook = _own_webhook(uow, webhook_id, actor)
        filters = [WebhookDelivery.webhook_id == hook.id]
        if state is not None:
            filters.append(WebhookDelivery.state == state)
        total = uow.session.scalar(select(func.count()).select_from(WebhookDelivery).where(*filters)) or 0
        rows = uow.session.execute(_delivery_query().where(*filters).order_by(WebhookDelivery.id.desc())
                                   .limit(limit).offset(offset))
        return DeliveryPage(items=[_delivery_view(*row) for row in rows], total=total, limit=limit, offset=offset)


def change(uow: UnitOfWork, webhook_id: int, *, actor: Actor, url: str | None = None,
           events: list[str] | None = None, description: str | None = None) -> WebhookView:
    """Change what is given: the URL (checked as a subscription's), the events (none listed: all), the
    description (empty: none). Deliveries not made yet go to the new URL; events already queued are still
    sent, those from now on only if wanted.

    Raises:
        Forbidden; NotFound (not the caller's webhook, unless an admin's); ValidationFailed (URL or event types).
    """
    actor.require("integrator", action="manage webhooks")
    if url is not None:
        url = check_url(url, allow_http=uow.settings.webhook_allow_http)
    wanted = _check_events(events) if events is not None else None
    with uow:
        hook = _own_webhook(uow, webhook_id, actor, lock=True)  # the "before" the log records is this one's
        before = _audited(hook)
        if url is not None:
            hook.url = url
        if wanted is not None:
            hook.events = wanted
        if description is not None:
            hook.description = description.strip()[:500] or None
        audit.record(uow, actor, "webhook.changed", _target(hook), _masked(audit.diff(before, _audited(hook))))
        uow.commit()
        return _webhook_view(hook)


def rotate_secret(uow: UnitOfWork, webhook_id: int, *, actor: Actor) -> WebhookView:
    """A new signing secret, in the answer only (as at subscription); the old one stops at once: every
    delivery sent from now on, queued ones included, is signed with the new one. For a secret that leaked.

    Raises Forbidden, NotFound (not the caller's webhook, unless an admin's).
    """
    actor.require("integrator", action="manage webhooks")
    with uow:
        hook = _own_webhook(uow, webhook_id, actor, lock=True)
        hook.secret = _new_secret()
        view = _webhook_view(hook)
        view.secret = hook.secret
        audit.record(uow, actor, "webhook.secret_rotated", _target(hook), audit.diff({}, {}))  # never the secret
        uow.commit()
        return view


def unsubscribe(uow: UnitOfWork, webhook_id: int, *, actor: Actor, discard: bool = False) -> None:
    """Delete a webhook. Events it has not received (deliveries pending or dead-lettered) would go with it:
    it is refused while there are any, unless ``discard`` says to drop them.

    Raises:
        Forbidden; NotFound (not the caller's webhook, unless an admin's); Conflict (undelivered events,
        counted in its details).
    """
    actor.require("integrator", action="manage webhooks")
    with uow:
        # Locked: a command fanning an event out to it now waits, so nothing is dropped unseen.
        hook = _own_webhook(uow, webhook_id, actor, lock=True)
        undelivered: dict[str, int] = {state: count for state, count in uow.session.execute(
            select(WebhookDelivery.state, func.count()).where(WebhookDelivery.webhook_id == hook.id,
                                                               WebhookDelivery.state.in_((PENDING, DEAD)))
            .group_by(WebhookDelivery.state))}
        if undelivered and not discard:
            pending, dead = undelivered.get(PENDING, 0), undelivered.get(DEAD, 0)
            raise Conflict(f"webhook {webhook_id} has events it has not received ({pending} pending, {dead} dead "
                           "letters) that deleting it would lose: let them be delivered (replay the dead "
                           "letters), or delete it with discard=true to drop them",
                           details=[{"pending": pending, "dead_letters": dead}])
        discarded = {"discarded": {"pending": undelivered.get(PENDING, 0),
                                   "dead_letters": undelivered.get(DEAD, 0)}} if undelivered else {}
        audit.record(uow, actor, "webhook.unsubscribed", _target(hook),
                     _masked(audit.diff(_audited(hook), {}, **discarded)))
        uow.session.delete(hook)
        uow.commit()


def enable(uow: UnitOfWork, webhook_id: int, *, actor: Actor) -> WebhookView:
    """Enable a disabled webhook again: events from now on are queued for it, and those waiting are sent.
    Enabling one that is not disabled changes nothing.

    Raises:
        Forbidden (integrators and admins only: an owner without the role is refused here); NotFound (not the
        caller's webhook, unless an admin's); Conflict (its owner still may not receive its events).
    """
    actor.require("integrator", action="manage webhooks")
    with uow:
        hook = _own_webhook(uow, webhook_id, actor, lock=True)
        owner = uow.session.execute(select(User.active, User.roles).where(User.name == hook.owner)).first()
        refused = owner_refused(*owner) if owner is not None else None
        if hook.disabled_at is None:  # nothing to enable, nothing to record
            return _webhook_view(hook)
        if refused:
            raise Conflict(f"webhook {webhook_id} stays disabled while {refused}")
        before = {"disabled_reason": hook.disabled_reason}
        hook.disabled_at = hook.disabled_reason = None
        audit.record(uow, actor, "webhook.enabled", _target(hook), audit.diff(before, {"disabled_reason": None}))
        uow.commit()
        uow.runtime.webhook_targets.invalidate()  # this process queues its events from now on
        return _webhook_view(hook)


def disable_owned(uow: UnitOfWork, owner: str, *, reason: str, actor: Actor) -> list[int]:
    """Disable ``owner``'s enabled webhooks with ``reason`` (a helper: the caller's transaction, which changed
    the owner's roles); returns their ids. Each is recorded as changed by ``actor``."""
    # FOR NO KEY UPDATE: commands fanning events out hold FOR KEY SHARE on the webhooks, and do not wait.
    hooks = uow.session.scalars(select(Webhook).where(Webhook.owner == owner, Webhook.disabled_at.is_(None))
                                .order_by(Webhook.id).with_for_update(key_share=True)).all()
    now = utcnow()
    for hook in hooks:
        hook.disabled_at, hook.disabled_reason = now, reason[:500]
        audit.record(uow, actor, "webhook.disabled", _target(hook),
                     audit.diff({"disabled_reason": None}, {"disabled_reason": hook.disabled_reason}))
    return [hook.id for hook in hooks]


def owner_refused(active: bool | None, roles: list[str] | None) -> str | None:
    """Why a webhook's owner may no longer receive its events; None while they may (subscribing takes the
    integrator or admin role). No user row (None): an owner of the command line, who always may."""
    if active is None:
        return None
    if not active:
        return "the webhook's owner is deactivated"
    if not Actor("webhook owner", roles=frozenset(roles or ())).has("integrator"):
        return "the webhook's owner has no integrator role"
    return None


def lost_role_reason(owner: str) -> str:
    """The reason a webhook is disabled with when ``owner`` lost the integrator role."""
    return (f"its owner {owner} no longer has the integrator role; once it is given back, the owner or an admin "
            "enables the webhook again")


def deactivated_reason(owner: str) -> str:
    """The reason a webhook is disabled with when ``owner`` was deactivated (a leaver)."""
    return (f"its owner {owner} is deactivated; once they are activated again, the owner or an admin enables "
            "the webhook again")


def dead_letters(uow: UnitOfWork, *, actor: Actor, limit: int = 50,
                 offset: int = 0) -> tuple[list[DeliveryView], int]:
    """A page of the deliveries that failed their last retry, newest first (of the caller's webhooks), and
    how many there are. Raises Forbidden."""
    actor.require("integrator", action="see webhook dead letters")
    with uow:
        query = _delivery_query().where(WebhookDelivery.state == DEAD)
        if not actor.has("admin"):
            query = query.where(Webhook.owner == actor.name)
        total = uow.session.scalar(select(func.count()).select_from(
            query.with_only_columns(WebhookDelivery.id).subquery())) or 0
        rows = uow.session.execute(query.order_by(WebhookDelivery.id.desc()).limit(limit).offset(offset))
        return [_delivery_view(*row) for row in rows], total


def replay(uow: UnitOfWork, delivery_id: int, *, actor: Actor) -> DeliveryView:
    """Queue a dead letter again with a fresh count of attempts; it is sent at the next poll, and the
    case's later events wait for it again. Raises Forbidden, NotFound, Conflict (not a dead letter)."""
    actor.require("integrator", action="replay webhook deliveries")
    with uow:
        found = uow.session.execute(_delivery_query().where(WebhookDelivery.id == delivery_id)).first()
        if found is None or (not actor.has("admin") and found[1].owner != actor.name):
            raise NotFound(f"delivery {delivery_id} not found")
        delivery = found[0]
        if delivery.state != DEAD:
            raise Conflict(f"delivery {delivery_id} is {delivery.state}, not a dead letter", state=delivery.state)
        before = {"state": delivery.state, "attempts": delivery.attempts}
        delivery.state, delivery.attempts, delivery.next_attempt_at = PENDING, 0, utcnow()
        delivery.lock_owner = delivery.lock_expires_at = None
        audit.record(uow, actor, "webhook.replayed", _target(found[1]),
                     audit.diff(before, {"state": delivery.state, "attempts": delivery.attempts},
                                delivery_id=delivery.id, event_id=found[2].event_id))
        uow.commit()
        return _delivery_view(*found)


# ---- helpers -----------------------------------------------------------------------------------

def check_url(url: str, *, allow_http: bool) -> str:
    """http(s) only, no credentials; plain http only to this machine unless the settings allow it.

    Raises ValidationFailed (its details name the field ``url``).
    """
    url = (url or "").strip()
    parts = urlsplit(url)
    if len(url) > 2000 or parts.scheme not in ("http", "https") or not parts.hostname:
        raise _bad_url("the webhook URL must be an http(s) URL of at most 2000 characters")
    if parts.username or parts.password:
        raise _bad_url("the webhook URL must not carry credentials; deliveries are signed instead")
    if not _valid_host_and_port(parts):
        raise _bad_url("the webhook URL's host or port is not valid (a port is 1 to 65535)")
    if never_a_receiver(parts.hostname) or never_a_receiver(_as_resolved(parts.hostname)):
        raise _bad_url("the webhook URL's address is link-local, multicast or unspecified (such as a cloud "
                             "metadata service), never a receiver of case events")
    if parts.scheme == "http" and not allow_http and not _loopback(parts.hostname):
        raise _bad_url("use https for webhooks (case data travels in them); plain http is allowed only "
                             "to this machine unless GOVFLOW_WEBHOOK_ALLOW_HTTP is set")
    return url


def _as_resolved(host: str) -> str:
    """The host as a resolver is handed it: IDNA maps full-width and circled digits and the ideographic full
    stop (１６９。２５４…) to ASCII, so such a spelling of an address is that address."""
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _bad_url(message: str) -> ValidationFailed:
    return ValidationFailed(message, details=[{"field": "url", "message": message}])


def _valid_host_and_port(parts: SplitResult) -> bool:
    """A host a delivery could reach (an address, or a name IDNA encodes and decodes again) and a port in
    range: refused here rather than found out by deliveries failing for ever."""
    host = parts.hostname or ""
    try:
        port = parts.port  # raises ValueError outside 0-65535 or for a non-number
    except ValueError:
        return False
    if port == 0 or any(c in "%\\" or c.isspace() or ord(c) < 0x20 for c in host):
        return False
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass  # a name
    try:
        return bool(host.encode("idna").decode("idna"))
    except UnicodeError:
        return False


# Cloud metadata services outside the link-local range: Alibaba Cloud's (where many government clouds run).
METADATA_ADDRESSES = frozenset({ipaddress.ip_address("100.100.100.200")})
NAT64 = ipaddress.ip_network("64:ff9b::/96")


def never_a_receiver(host: str) -> bool:
    """Addresses no webhook receiver has: link-local ones hold cloud metadata services (169.254.169.254),
    which a delivery must never be pointed at, as do METADATA_ADDRESSES; an IPv4 address written as IPv6
    (mapped, 6to4, NAT64) counts as that address."""
    host = host.rstrip(".")
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(host)
    except ValueError:
        try:  # the spellings a resolver still reads as IPv4: 2852039166, 0xa9fea9fe, 0251.0376.0251.0376
            address = ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return False  # a name
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # ::ffff:169.254.169.254
        elif address.sixtofour is not None:
            address = address.sixtofour  # 2002:a9fe:a9fe::
        elif address in NAT64:
            address = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)  # 64:ff9b::a9fe:a9fe
    return address.is_link_local or address.is_multicast or address.is_unspecified or address in METADATA_ADDRESSES


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_events(events: list[str]) -> list[str]:
    unknown = [e for e in events if e not in EVENT_TYPES]
    if unknown:
        message = f"unknown event type {unknown[0]!r}; types are {', '.join(EVENT_TYPES)}"
        raise ValidationFailed(message, details=[{"field": f"events.{events.index(unknown[0])}", "message": message}])
    return list(dict.fromkeys(events))


def _new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def _own_webhook(uow: UnitOfWork, webhook_id: int, actor: Actor, *, lock: bool = False) -> Webhook:
    hook = uow.session.get(Webhook, webhook_id, with_for_update=lock or None)
    if hook is None or (not actor.has("admin") and hook.owner != actor.name):
        raise NotFound(f"webhook {webhook_id} not found")
    return hook


def _target(hook: Webhook) -> tuple[str, str]:
    return "webhook", str(hook.id)


def _audited(hook: Webhook) -> dict[str, Any]:
    """What the audit log compares of a webhook: never its secret (``_masked`` before it is recorded)."""
    return {"url": hook.url, "events": list(hook.events or []), "description": hook.description,
            "owner": hook.owner}


def _masked(change: dict[str, Any]) -> dict[str, Any]:
    """The change with its URLs cut to scheme and host: a receiver may take a key in the path or the query,
    and the log is read by supervisors too. A digest of the whole URL stands beside it, so a new key alone
    still shows as a changed URL."""
    for side in ("before", "after"):
        if "url" in change[side]:
            url = change[side]["url"]
            change[side]["url"] = _masked_url(url)
            change[side]["url_sha256"] = hashlib.sha256(url.encode()).hexdigest()[:16]
    return change


def _masked_url(url: str) -> str:
    parts = urlsplit(url)
    rest = "/…" if parts.path.strip("/") or parts.query or parts.fragment else ""
    return f"{parts.scheme}://{parts.netloc}{rest}"


def _delivery_query() -> Any:
    return (select(WebhookDelivery, Webhook, OutboxEvent)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.outbox_id))


def _webhook_view(hook: Webhook) -> WebhookView:
    return WebhookView(id=hook.id, url=hook.url, events=list(hook.events or []), owner=hook.owner,
                       description=hook.description, created_at=hook.created_at, disabled_at=hook.disabled_at,
                       disabled_reason=hook.disabled_reason)


def _delivery_view(delivery: WebhookDelivery, hook: Webhook, event: OutboxEvent) -> DeliveryView:
    return DeliveryView(id=delivery.id, webhook_id=hook.id, url=hook.url, event=event.event,
                        event_id=event.event_id, outbox_id=event.id, process_instance_id=event.instance_id,
                        business_key=event.business_key, state=delivery.state, attempts=delivery.attempts,
                        last_status=delivery.last_status, last_error=delivery.last_error,
                        created_at=delivery.created_at,
                        next_attempt_at=delivery.next_attempt_at if delivery.state == PENDING else None,
                        delivered_at=delivery.delivered_at)
