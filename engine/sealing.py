"""Sealed steps: what a step marked ``govflow.sealedUntil`` submitted stays unread until one of the elements
it names completes after it (sealed ballots, opened when they are counted). This module alone says which
history events are still sealed; the task page's 办理意见, the case history and timeline, and the archive
ask it. Who and when stay on record: only the submitted values are withheld."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select

from . import confidential, execution
from .models import HistoryEvent, ProcessInstance
from .unit_of_work import UnitOfWork
from .users import Actor

# On a step: element ids, comma-separated, whose completion after the step opens what it submitted.
SEALED_UNTIL = "govflow.sealedUntil"
# Set in a withheld event's data in place of the values (the case page says 计票前不公开).
SEALED = "sealed"
# The events that carry a step's submitted values: its completion (``variables``) and the element
# completions after it (``changed``, also those of the sub-processes around it, which pass the values on).
CARRIERS = ("task.completed", "element.completed")
WITHHELD_KEYS = ("variables", "changed")


def sealed_ids(uow: UnitOfWork, row: ProcessInstance,
               events: Iterable[tuple[int, str | None, str, datetime]]) -> set[int]:
    """The history ids of ``events`` (id, element id, event name, time) of the case ``row`` still sealed: the
    completion of a sealed step, or of a sub-process around one, none of whose openers has completed since.
    An opener completed by the same command (the same time) opens it too, wherever the command wrote it.
    Helper: the caller's transaction."""
    until = _openers(uow, row)
    pending = [(event_id, at, until[element]) for event_id, element, name, at in events
               if element in until and name in CARRIERS]
    if not pending:
        return set()
    openers = frozenset().union(*(names for *_, names in pending))
    opened = uow.session.execute(select(HistoryEvent.id, HistoryEvent.element_id, HistoryEvent.at).where(
        HistoryEvent.instance_id == row.id, HistoryEvent.event == "element.completed",
        HistoryEvent.element_id.in_(openers))).all()
    return {event_id for event_id, at, names in pending
            if not any((later > event_id or when == at) and element in names for later, element, when in opened)}


def for_reader(uow: UnitOfWork, row: ProcessInstance, events: list[HistoryEvent], actor: Actor) -> list[HistoryEvent]:
    """The case's ``events`` as ``actor`` may read them: a still sealed one as a copy without its values
    (``SEALED`` set instead); supervision and administration (电子监察) read them all. The session's rows
    stay untouched: a change to them would be flushed. Helper: the caller's transaction."""
    if confidential.sees_all(actor):
        return events
    sealed = sealed_ids(uow, row, ((e.id, e.element_id, e.event, e.at) for e in events))
    return [_withheld(e) if e.id in sealed else e for e in events]


def _withheld(event: HistoryEvent) -> HistoryEvent:
    """A transient copy (never added to a session) with the submitted values left out."""
    data: dict[str, Any] = {k: v for k, v in (event.data or {}).items() if k not in WITHHELD_KEYS}
    return HistoryEvent(id=event.id, instance_id=event.instance_id, at=event.at, actor=event.actor,
                        event=event.event, element_id=event.element_id, element_name=event.element_name,
                        element_type=event.element_type, task_id=event.task_id, data={**data, SEALED: True})


def _openers(uow: UnitOfWork, row: ProcessInstance) -> dict[str, frozenset[str]]:
    """Per element id whose completions carry sealed values, the elements that open them: each sealed step,
    and the embedded sub-processes around it (a multi-instance round passes each ballot on as it ends)."""
    until: dict[str, frozenset[str]] = {}
    for definition in execution.definitions_of(uow, row):
        cached = uow.runtime.specs.get(definition)
        for element, meta in cached.elements.get(definition.key, {}).items():
            named = str((meta.get("properties") or {}).get(SEALED_UNTIL) or "")
            openers = frozenset(part.strip() for part in named.split(",") if part.strip())
            if not openers:
                continue
            until.setdefault(element, openers)
            for around in _enclosing(cached.subprocess_specs, element):
                until[around] = until.get(around, frozenset()) | openers
    return until


def _enclosing(subprocess_specs: dict[str, Any], element: str) -> set[str]:
    """The embedded sub-processes (their element ids: SpiffWorkflow names their specs so) holding
    ``element``, however deep."""
    holders = {name: {getattr(s, "bpmn_id", None) for s in spec.task_specs.values()}
               for name, spec in subprocess_specs.items()}
    found: set[str] = set()
    inner = {element}
    while inner:
        outer = {name for name, ids in holders.items() if ids & inner} - found
        found |= outer
        inner = outer
    return found
