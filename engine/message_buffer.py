"""Buffered messages: a message that comes before any case waits for it (an integrator's payment notice
racing the case that asks for it) is kept, when the sender asks, for a limited time.

``execution.save`` offers every new message subscription to ``claim``; a match is taken from the buffer
in that transaction and delivered to the case right after it is saved (``instances.settle``). Unclaimed
messages expire: ``expire`` (run by the workers' sweep) drops them with a history note and an outbox
event ``message.expired``, so the sender learns that nobody took them.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from . import confidential, db, outbox
from .case_lock import lock_case
from .clock import utcnow
from .errors import Conflict, InvalidRequest, NotFound
from .models import BufferedMessage, HistoryEvent, ProcessInstance
from .unit_of_work import UnitOfWork
from .users import Actor

BUFFERED, DELIVERED, EXPIRED, REFUSED = "buffered", "delivered", "expired", "refused"


def hold(uow: UnitOfWork, name: str, *, actor: Actor, business_key: str | None, instance_id: int | None,
         correlations: dict[str, Any], variables: dict[str, Any], seconds: int) -> BufferedMessage:
    """Keep a message nobody waits for yet, for ``seconds`` (capped by the settings). Helper: the
    caller's transaction.

    Raises:
        InvalidRequest: no business key, case id or correlation values (any case could take it).
        NotFound / Conflict: the named case does not exist / has ended.
    """
    if not business_key and instance_id is None and not correlations:
        raise InvalidRequest("to buffer a message, name its case: a business key, a case id or correlation values")
    if instance_id is not None:
        case = uow.session.get(ProcessInstance, instance_id)
        if case is None:
            raise NotFound(f"process instance {instance_id} not found")
        if case.state not in ("running", "suspended"):
            raise Conflict(f"process instance {instance_id} is {case.state}", state=case.state)
    now = utcnow()
    seconds = min(seconds, uow.settings.message_buffer_max_seconds)
    row = BufferedMessage(message_name=name, business_key=business_key, instance_id=instance_id,
                          correlations=correlations, variables=variables, sent_by=actor.name, state=BUFFERED,
                          created_at=now, expires_at=now + timedelta(seconds=seconds))
    uow.session.add(row)
    uow.session.flush()
    uow.session.add(HistoryEvent(instance_id=instance_id, actor=actor.name, event="message.buffered", data={
        "message": name, "buffered_id": row.id, "business_key": business_key,
        "expires_at": row.expires_at.isoformat()}))
    return row


def claim(uow: UnitOfWork, case: ProcessInstance, waits: list[tuple[str, dict[str, Any]]]) -> list[BufferedMessage]:
    """Take, for each new wait (message name, the case's correlation values), the oldest live buffered
    message that matches it. Helper: the caller's transaction; of two cases claiming one message, one wins."""
    now = utcnow()
    taken: list[BufferedMessage] = []
    for name, correlations in waits:
        candidates = uow.session.scalars(
            select(BufferedMessage).where(
                BufferedMessage.message_name == name, BufferedMessage.state == BUFFERED,
                BufferedMessage.expires_at > now,
                or_(BufferedMessage.business_key.is_(None), BufferedMessage.business_key == case.business_key),
                or_(BufferedMessage.instance_id.is_(None), BufferedMessage.instance_id == case.id))
            .order_by(BufferedMessage.id))
        for message in candidates:
            if message in taken or not _matches(message, correlations):
                continue
            won = db.affected(uow.session.execute(
                update(BufferedMessage).where(BufferedMessage.id == message.id, BufferedMessage.state == BUFFERED)
                .values(state=DELIVERED, delivered_to=case.id, delivered_at=now)
                .execution_options(synchronize_session=False)))
            if won == 1:
                for attribute, value in (("state", DELIVERED), ("delivered_to", case.id), ("delivered_at", now)):
                    set_committed_value(message, attribute, value)  # already written by the UPDATE
                taken.append(message)
                break
    return taken


def put_back(uow: UnitOfWork, message: BufferedMessage) -> None:
    """Return a claimed message that its case no longer waits for. Helper: the caller's transaction."""
    message.state, message.delivered_to, message.delivered_at = BUFFERED, None, None


def refuse(uow: UnitOfWork, message: BufferedMessage, case: ProcessInstance, error: str) -> None:
    """Drop a claimed message its case cannot take (a step after it fails on its payload), with a history
    note and a ``message.refused`` outbox event saying why; the case goes on waiting. Helper: the caller's
    transaction. Left claimed, it would fail every command that makes the case wait, until it expired."""
    message.state = REFUSED
    data = {"message": message.message_name, "buffered_id": message.id, "sent_by": message.sent_by,
            "buffered_at": message.created_at.isoformat(), "error": error}
    uow.session.add(HistoryEvent(instance_id=case.id, actor=None, event="message.refused", data=data))
    outbox.emit(uow, "message.refused", instance=case, data=data)


def expire(uow: UnitOfWork, *, now: datetime | None = None, limit: int = 500) -> int:
    """Drop buffered messages whose time ran out, each with a history note and a ``message.expired``
    outbox event; returns how many."""
    now = now or utcnow()
    expired = 0
    with uow:
        rows = list(uow.session.execute(
            select(BufferedMessage.id, BufferedMessage.instance_id).where(
                BufferedMessage.state == BUFFERED, BufferedMessage.expires_at <= now)
            .order_by(BufferedMessage.id).limit(limit)))
        uow.commit()
        for message_id, instance_id in rows:  # each in a transaction of its own, holding one case's lock
            if instance_id is not None:  # the case's row lock first, as its commands take it (event order)
                lock_case(uow.session, instance_id)
            # Still buffered? A command on the case may have taken it meanwhile.
            if not db.affected(uow.session.execute(
                    update(BufferedMessage).where(BufferedMessage.id == message_id, BufferedMessage.state == BUFFERED)
                    .values(state=EXPIRED).execution_options(synchronize_session=False))):
                uow.session.rollback()
                continue
            row = uow.session.get(BufferedMessage, message_id, populate_existing=True)
            assert row is not None  # just updated
            data = {"message": row.message_name, "buffered_id": row.id, "business_key": row.business_key,
                    "correlations": row.correlations, "sent_by": row.sent_by,
                    "buffered_at": row.created_at.isoformat(), "expires_at": row.expires_at.isoformat()}
            case = uow.session.get(ProcessInstance, instance_id) if instance_id is not None else None
            if case is not None and confidential.names(uow, [case.definition]):
                # Correlations are the case's values under the names its messages give them.
                data["correlations"] = dict.fromkeys(row.correlations or {}, confidential.CONCEALED)
            uow.session.add(HistoryEvent(instance_id=instance_id, actor=None, event="message.expired", data=data))
            outbox.emit(uow, "message.expired", instance=case, data=data, business_key=row.business_key)
            uow.commit()
            expired += 1
        return expired


def _matches(message: BufferedMessage, correlations: dict[str, Any]) -> bool:
    """Every correlation value the message names and the case knows must agree; a message named by
    correlation values alone must share at least one of them with the case."""
    shared = [k for k in message.correlations if k in correlations]
    if any(correlations[k] != message.correlations[k] for k in shared):
        return False
    return bool(shared) or message.business_key is not None or message.instance_id is not None
