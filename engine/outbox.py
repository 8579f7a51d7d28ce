"""The transactional outbox: case events for the outside world, written in the same transaction as the
change that caused them, then delivered by workers (engine.delivery) to subscribed webhooks.

``execution.save`` calls ``collect`` for every case it writes. Events:

- ``instance.started``, ``instance.completed``, ``instance.terminated``, ``instance.suspended``,
  ``instance.resumed``, ``task.created``, ``task.completed``
- the business events named on diagram elements with the extension property ``govflow.event``
  (``accepted``, ``rejected``, ``supplement_requested``, ``decision``, ``delivered``), emitted when the
  element completes; each also sends the applicant a notice (engine.notify), as does an end no decision
  made (``instance.terminated``; ``instance.completed`` of a case its diagram deemed withdrawn)
- whatever other modules ``emit`` in their own transaction (``supervision.overdue``, ``message.expired``, ``notice``)
- ``document.issued`` when an element marked ``govflow.document`` issued a document (engine.documents
  records it in the history right after that element's completion, so it comes before later steps' events),
  and, emitted by engine.documents, when an extension of the time limit issued its notice

Each event fans out to one delivery row per matching webhook in the same transaction, so no event is
lost between the change and its delivery, and no event is sent for a change that rolled back.

Those of a case's own events (the ``CASE_EVENTS``, the business events and ``document.issued``) say where
the event left the case: ``case_state`` (已接件, 已受理, 不予受理, 办结(通过) ... engine.case_state); an end
(``instance.completed``, ``instance.terminated``) adds ``end_kind`` (withdrawn, terminated, or null when a
decision ended it) and ``end_reason`` (a termination's recorded reason, or a deemed withdrawal's end as the
diagram names it).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast
from uuid import uuid4

from sqlalchemy import Table, insert

from . import notify
from .clock import utcnow
from .models import OutboxEvent, ProcessInstance, WebhookDelivery
from .unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from .case_state import CaseState
    from .execution import Case

EVENT_PROPERTY = "govflow.event"
BUSINESS_EVENTS = ("accepted", "rejected", "supplement_requested", "decision", "delivered")
CASE_EVENTS = ("instance.started", "instance.completed", "instance.terminated", "instance.suspended",
               "instance.resumed", "task.created", "task.completed")
# Every event type a webhook may ask for (modules that emit new ones add them here).
EVENT_TYPES = CASE_EVENTS + BUSINESS_EVENTS + ("notice", "message.expired", "message.refused",
                                              "extended", "document.issued",
                                              # supervision (engine.supervision_sweep): yellow, red, a late step,
                                              # a special procedure open past the guide's limit, a late delivery
                                              "supervision.reminder", "supervision.overdue",
                                              "supervision.step_overrun", "supervision.procedure_overrun",
                                              "supervision.delivery_overdue")
_ENDS = ("instance.completed", "instance.terminated")
_SUMMARY_KEYS = ("element_id", "element_name", "task_id", "actor")


def collect(uow: UnitOfWork, case: Case) -> None:
    """Outbox events for the history items a command produced on a case (called by execution.save,
    before the history is written). Helper: the caller's transaction."""
    events: list[tuple[str, dict[str, Any]]] = []
    items: list[int] = []  # the history item (index) each event comes from
    business: list[str] = []
    for index, item in enumerate(case.history):
        name = item["event"]
        if name in CASE_EVENTS:
            events.append((name, _summary(item)))
            items.append(index)
        elif name == "element.completed" and item.get("task_id"):
            declared = _declared_event(uow, case, item["task_id"])
            if declared is not None:
                events.append((declared, _summary(item)))
                items.append(index)
                business.append(declared)
        elif name == "document.issued":  # engine.documents put it right after the step that issued it
            events.append((name, {**_summary(item), **(item.get("data") or {})}))
            items.append(index)
    if not events:
        return
    hooks = uow.runtime.webhook_targets.get(uow.session)
    stands: dict[int, CaseState] = {}
    if any(not wanted or name in wanted for _, wanted in hooks for name, _ in events):
        stands = _add_case_state(uow, case, events, items)  # only a delivery reads it: no receiver, no history read
    write(uow, case.row, events)
    # The end of the case, when this command ended it: the applicant is told one no decision made.
    ended = next(((name, index) for (name, _), index in zip(events, items) if name in _ENDS), None)
    if business or ended:
        from .execution import case_variables  # execution imports this module

        variables = case_variables(case.workflow)
        for name in business:
            notice = notify.applicant_notice(case.row, name, variables, case.hidden)
            notify.send(uow, notice)
        if ended is not None:
            _tell_end(uow, case, variables, ended, stands)


def emit(uow: UnitOfWork, event: str, *, instance: ProcessInstance | None = None,
         data: dict[str, Any] | None = None, business_key: str | None = None) -> None:
    """Add one event to the outbox in the caller's transaction (e.g. ``supervision.overdue`` from the sweep).
    ``business_key``: the case number an event of no case (yet) names, such as an expired message's."""
    write(uow, instance, [(event, data or {})], business_key=business_key)


# Built once: every command that changes a case runs these (see DESIGN.md on per-request SQL).
# Which webhooks are active (a deactivated owner's are not) is engine.webhook_targets' answer.
_INSERT = insert(cast(Table, OutboxEvent.__table__))  # the table: the ORM's bulk path costs more per command
_INSERT_RETURNING_IDS = insert(OutboxEvent).returning(OutboxEvent.id, sort_by_parameter_order=True)
_INSERT_DELIVERIES = insert(WebhookDelivery)


def write(uow: UnitOfWork, instance: ProcessInstance | None, events: Iterable[tuple[str, dict[str, Any]]],
          *, business_key: str | None = None) -> None:
    """Outbox rows for a case (or none, naming ``business_key`` if given), and a pending delivery for every
    webhook that wants each. Multi-row INSERTs, as for history: an ORM flush here would also flush the
    command's other rows."""
    from .execution import clip

    now = utcnow()
    case_id = instance.id if instance is not None else None
    rows = [{"event_id": str(uuid4()), "event": name, "data": clip(data), "created_at": now, "instance_id": case_id,
             "business_key": instance.business_key if instance is not None else business_key,
             "definition_key": instance.definition_key if instance is not None else None}
            for name, data in events]
    hooks = uow.runtime.webhook_targets.get(uow.session)
    if not hooks:
        uow.session.execute(_INSERT, rows)
        return
    ids = uow.session.scalars(_INSERT_RETURNING_IDS, rows).all()
    deliveries = [{"webhook_id": hook_id, "outbox_id": outbox_id, "instance_id": case_id, "state": "pending",
                   "attempts": 0, "next_attempt_at": now, "created_at": now}
                  for outbox_id, row in zip(ids, rows)
                  for hook_id, wanted in hooks if not wanted or row["event"] in wanted]
    if deliveries:
        uow.session.execute(_INSERT_DELIVERIES, deliveries)


def _add_case_state(uow: UnitOfWork, case: Case, events: list[tuple[str, dict[str, Any]]],
                    items: list[int]) -> dict[int, CaseState]:
    """Where each event left the case (engine.case_state), and how an ending event ended it. Returns
    where each history item at ``items`` left it."""
    from .case_state import as_of  # it reads timelines, which read cases through execution, which imports this

    stands = as_of(uow, case.row, case.history, items)
    for (name, data), index in zip(events, items):
        found = stands[index]
        data["case_state"] = found.state
        if name in _ENDS:
            data["end_kind"] = found.end_kind
            data["end_reason"] = case.row.end_reason if name == "instance.terminated" else found.end_step
    return stands


def _tell_end(uow: UnitOfWork, case: Case, variables: dict[str, Any], ended: tuple[str, int],
              stands: dict[int, CaseState]) -> None:
    """The applicant's notice of the case's end (engine.notify.case_ended), where no decision made it:
    withdrawn, deemed withdrawn by its diagram, terminated by the office."""
    from .case_state import as_of, as_of_command, may_end_withdrawn_by

    name, index = ended
    if index not in stands and name == "instance.completed" and not may_end_withdrawn_by(case.row.definition):
        return  # a decision ended it: no history read to learn so
    # The command's own steps usually tell how it ended (the end event's state): no history read then either.
    found = stands.get(index) or as_of_command(case.row, case.history, index) \
        or as_of(uow, case.row, case.history, [index])[index]
    notice = notify.case_ended(case.row, variables, case.hidden, terminated=name == "instance.terminated",
                               end_kind=found.end_kind, end_step=found.end_step)
    if notice is not None:
        notify.send(uow, notice)


def _declared_event(uow: UnitOfWork, case: Case, task_id: str) -> str | None:
    from .execution import completed_element  # execution imports this module

    found = completed_element(uow, case, task_id)
    value = (found[1].get("properties") or {}).get(EVENT_PROPERTY) if found is not None else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def _summary(item: dict[str, Any]) -> dict[str, Any]:
    """What a receiver learns from the event itself; case data stays behind the authenticated API."""
    summary = {key: item[key] for key in _SUMMARY_KEYS if item.get(key) is not None}
    data = item.get("data") or {}
    if item["event"] == "task.created":
        summary.update({k: data.get(k) for k in ("candidate_groups", "assignee")})
        summary.update({k: data[k] for k in ("kind", "topic") if data.get(k)})  # an external task's worker
    if item["event"] in ("instance.terminated", "instance.suspended") and data.get("reason"):
        summary["reason"] = data["reason"]
    return summary
