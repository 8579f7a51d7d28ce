"""Notices to applicants (SMS, the platform's message centre) when their case moves (DOMAIN rule 9).

A notice is sent through every configured ``Channel``. The default, ``OutboxChannel``, writes it to the
outbox as a ``notice`` event (delivered to webhooks: the provincial platform or an SMS relay sends it
on) and to the log. Adding a real gateway is one class, named in ``GOVFLOW_NOTICE_CHANNELS``
(``package.module:Class``, comma-separated; add ``outbox`` to the list to keep the default too)::

    class AliyunSms:
        \"\"\"Send notices as SMS through the provider's HTTP API, once the command has committed.\"\"\"

        name = "sms"

        def send(self, uow: UnitOfWork, notice: Notice) -> None:
            if notice.recipient:
                after_commit(uow, lambda: sms_client.send(notice.recipient, notice.text))

``send`` runs inside the command's transaction; ``after_commit`` keeps a gateway from texting about
a change that then rolled back.

Where the recipient's variable is confidential in the case's process (engine.confidential), the notice
says so (``recipient_confidential``): the outbox event keeps the number for the SMS relay, and webhook
delivery sends it only to a relay, a webhook subscribed to ``notice`` by name by a supervisor or an
admin; any other webhook reads ``***`` (engine.delivery.is_relay).
"""
from __future__ import annotations

import importlib
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from sqlalchemy import event

from .models import ProcessInstance
from .unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

# What the applicant reads for each business event (bpmn/README.md: govflow.event).
TEXTS = {
    "accepted": "您的办件（编号{business_key}）已受理。",
    "rejected": "您的办件（编号{business_key}）不予受理，请查阅不予受理通知书。",
    "supplement_requested": "您的办件（编号{business_key}）需补正材料，请查阅一次性告知通知书。",
    "decision": "您的办件（编号{business_key}）已作出决定。",
    "delivered": "您的办件（编号{business_key}）办理结果已送达。",
}
# Case variables that may hold the applicant's mobile number, first found wins.
RECIPIENT_VARIABLES = ("applicant_phone", "applicant_mobile")


@dataclass(frozen=True)
class Notice:
    event: str
    text: str
    recipient: str | None  # the applicant's mobile number when the case has one
    instance_id: int | None = None
    business_key: str | None = None
    recipient_confidential: bool = False  # its variable is confidential in the case's process


class Channel(Protocol):
    name: str

    def send(self, uow: UnitOfWork, notice: Notice) -> None:
        """Send or queue the notice; runs in the command's transaction (see ``after_commit``)."""


class OutboxChannel:
    """The default: a ``notice`` outbox event for webhooks, and a log line."""

    name = "outbox"

    def send(self, uow: UnitOfWork, notice: Notice) -> None:
        from . import outbox  # outbox imports this module

        instance = uow.session.get(ProcessInstance, notice.instance_id) if notice.instance_id else None
        outbox.emit(uow, "notice", instance=instance, data=asdict(notice))
        log.info("notice %s for case %s to %s: %s", notice.event, notice.business_key,
                 _masked(notice.recipient), notice.text)


def applicant_notice(case: ProcessInstance, event: str, variables: dict[str, Any],
                     hidden: frozenset[str] = frozenset()) -> Notice:
    """The notice of a business event; ``hidden``: the case's confidential variables."""
    name = next((v for v in RECIPIENT_VARIABLES if variables.get(v)), None)
    text = TEXTS.get(event, "您的办件（编号{business_key}）有新进展。").format(business_key=case.business_key)
    return Notice(event=event, text=text, recipient=str(variables[name]) if name else None, instance_id=case.id,
                  business_key=case.business_key, recipient_confidential=name in hidden)


def send(uow: UnitOfWork, notice: Notice) -> None:
    """Hand a notice to every configured channel. Helper: the caller's transaction."""
    for channel in channels():
        channel.send(uow, notice)


def after_commit(uow: UnitOfWork, action: Callable[[], None]) -> None:
    """Run ``action`` once the current transaction commits; never if it rolls back. A failing action
    is logged: the change it reports on is already stored."""

    def run(_session: Any) -> None:
        try:
            action()
        except Exception:
            log.exception("a notice could not be sent after commit")

    event.listen(uow.session, "after_commit", run, once=True)


_channels: list[Channel] | None = None
_lock = threading.Lock()


def channels() -> list[Channel]:
    """The channels in use: set by ``use_channels``, else from GOVFLOW_NOTICE_CHANNELS, else the outbox."""
    global _channels
    with _lock:
        if _channels is None:
            names = [n.strip() for n in os.environ.get("GOVFLOW_NOTICE_CHANNELS", "").split(",") if n.strip()]
            _channels = [_load(n) for n in names] or [OutboxChannel()]
        return list(_channels)


def use_channels(*chosen: Channel) -> None:
    """Replace the channels of this process (an entrypoint's setup, or a test)."""
    global _channels
    with _lock:
        _channels = list(chosen) or None


def _load(path: str) -> Channel:
    if path == "outbox":
        return OutboxChannel()
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)()  # type: ignore[no-any-return]


def _masked(recipient: str | None) -> str:
    """Logs keep the last four digits only: a phone number is personal data."""
    return "-" if not recipient else "*" * max(len(recipient) - 4, 0) + recipient[-4:]
