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

from .document_templates import cn_date
from .models import CaseClock, ProcessInstance
from .unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

# What the applicant reads for each business event (bpmn/README.md: govflow.event), and for the other moves
# of a case told to them: an extension of the time limit (engine.time_limits.grant_extension), a special
# procedure started by hand (``special_procedure``), an end no decision made (``case_ended``). Placeholders
# other than business_key are the fields of ``applicant_notice``.
TEXTS = {
    "accepted": "您的办件（编号{business_key}）已受理。",
    "rejected": "您的办件（编号{business_key}）不予受理，请查阅不予受理通知书。",
    "supplement_requested": "您的办件（编号{business_key}）需补正材料，请查阅一次性告知通知书。",
    "decision": "您的办件（编号{business_key}）已作出决定。",
    "delivered": "您的办件（编号{business_key}）办理结果已送达。",
    "extended": "您的办件（编号{business_key}）办理期限经批准延长{days}个工作日，{deadline}。",
    "special_procedure": "您的办件（编号{business_key}）进入特别程序{kind}{duration}，所需时间不计入办理期限。",
    # As the progress page says how a case ended (engine.progress.END_REASONS), never staff's reason.
    "withdrawn": "您的办件（编号{business_key}）已按您的申请撤回，不再办理。",
    "terminated": "您的办件（编号{business_key}）已由办理机关终止办理，如有疑问请咨询办理机关。",
    "deemed_withdrawn": "您的办件（编号{business_key}）已终止办理：{reason}。",
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
                     hidden: frozenset[str] = frozenset(), **fields: Any) -> Notice:
    """The notice of an event; ``hidden``: the case's confidential variables; ``fields``: the text's
    placeholders besides ``business_key``."""
    name = next((v for v in RECIPIENT_VARIABLES if variables.get(v)), None)
    text = TEXTS.get(event, "您的办件（编号{business_key}）有新进展。").format(business_key=case.business_key, **fields)
    return Notice(event=event, text=text, recipient=str(variables[name]) if name else None, instance_id=case.id,
                  business_key=case.business_key, recipient_confidential=name in hidden)


def tell(uow: UnitOfWork, row: ProcessInstance, event: str, **fields: Any) -> Notice:
    """Send the applicant of the case ``row`` the notice of ``event`` (TEXTS, with ``fields``), to the number
    its variables hold, as a business event's. Helper: the caller's transaction."""
    from .execution import case_variables, read_case  # execution imports this module (through outbox)

    case = read_case(uow, row.id)  # a clock command's document may have read it already
    notice = applicant_notice(row, event, case_variables(case.workflow), case.hidden, **fields)
    send(uow, notice)
    return notice


def extension_granted(uow: UnitOfWork, clock: CaseClock, days: int) -> Notice:
    """Tell the applicant of the clock's case an extension of ``days`` working days was granted, and the
    deadline it gives (Administrative Licensing Law Art 42), as the written notice says it: a paused clock
    has no date yet. ``clock``: moved already. Helper: the caller's transaction."""
    row = uow.session.get_one(ProcessInstance, clock.instance_id)
    if clock.state == "paused":
        deadline = "暂停计时期间不计入办理期限，恢复计时后相应顺延"
    else:
        estimate = "（估算）" if clock.provisional else ""
        deadline = f"将于{cn_date(clock.deadline_at)}{estimate}前作出决定"
    return tell(uow, row, "extended", days=days, deadline=deadline)


def special_procedure(uow: UnitOfWork, row: ProcessInstance, kind: str | None, days: int | None) -> Notice:
    """Tell the applicant a special procedure started (Administrative Licensing Law Art 45): ``kind`` as
    pages name it (time_limits.KIND_NAMES; None for one no kind names), ``days``: the working days the item's guide lets it last, None
    when it says none. Helper: the caller's transaction."""
    return tell(uow, row, "special_procedure", kind=f"（{kind}）" if kind else "",
                duration=f"，最长{days}个工作日" if days else "")


def case_ended(row: ProcessInstance, variables: dict[str, Any], hidden: frozenset[str], *, terminated: bool,
               end_kind: str | None, end_step: str | None) -> Notice | None:
    """The notice of an end no decision made (engine.case_state: ``end_kind``, ``end_step``), None for
    any other end: the applicant's own withdrawal confirmed (it may have been made for them, at the window
    or by an agent), a termination by the office, a case its diagram deemed withdrawn (a supplement not made
    in time), in the words of its end step (an end without its own words: case_state.DEEMED_REASON, never
    that the applicant withdrew)."""
    from .case_state import DEEMED_REASON, TERMINATED, WITHDRAWN  # it reads timelines, which read cases

    if end_kind == WITHDRAWN:
        if terminated:
            return applicant_notice(row, "withdrawn", variables, hidden)
        return applicant_notice(row, "deemed_withdrawn", variables, hidden, reason=end_step or DEEMED_REASON)
    if end_kind == TERMINATED:
        return applicant_notice(row, "terminated", variables, hidden)
    return None


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
