"""History: a case's file as people read it — the timeline in case-state terms, and which diagram
elements are active or done.

Case states are the terms approval systems report (DOMAIN.md: 已接件, 已受理, 办结(通过) ...). A diagram
names them explicitly with extension properties on an element: ``govflow.caseState`` (or ``govflow.event``)
for the state reached when the element completes, ``govflow.caseStateOnStart`` for the one reached when it
starts (``started``: a task opens, an event begins to wait); diagrams without them get the states their element
names make plain (an end event named "不予受理", a completed "受理" step followed by further work).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from . import case_access, delegations, diagrams, execution, sealing
from .bpmn_xml import NS, local
from .errors import Forbidden
from .instances import InstanceView, case_view
from .materials import bundle_ids, require_access
from .models import HistoryEvent, Job, Material, MessageSubscription
from .unit_of_work import UnitOfWork
from .users import Actor

RECEIVED, ACCEPTED, REJECTED, WITHDRAWN = "已接件", "已受理", "不予受理", "已撤件"
# The properties that name case states (bpmn/README.md): reached on completion, on start, by a case event.
CASE_STATE, CASE_STATE_ON_START, EVENT = "govflow.caseState", "govflow.caseStateOnStart", "govflow.event"
# The elements that start by beginning to wait (``started``); not a boundary event, which waits from its
# activity's start, nor a joining gateway.
WAITING_STARTS = {"IntermediateCatchEvent", "ReceiveTask"}
# A termination (engine.instances.terminate) reaches 已撤件 when it says the applicant withdrew (``withdrawn``),
# or, said by neither, when its recorded reason opens by saying so ("申请人撤回申请", "应申请人要求撤件",
# "申请人主动撤回" ...); else this: the office ended the case.
TERMINATED_BY_OFFICE = "已终止"
_APPLICANT_WITHDREW = re.compile(
    r"^(?:应|经)?申请人(?:本人)?(?:主动|自愿)?(?:申请|要求)?(?:撤回|撤件|撤销申请)"
    r"|^(?:the )?applicant(?: has)? withdr|^withdrawn by (?:the )?applicant", re.IGNORECASE)
# govflow.event values that are case states by themselves (bpmn/README.md).
EVENT_STATES = {"accepted": ACCEPTED, "rejected": REJECTED, "supplement_requested": "补正(开始)"}
# Special procedures (engine.time_limits) in the terms approval systems report.
CLOCK_STATES = {"clock.paused": "特别程序(开始)", "clock.resumed": "特别程序(结束)"}
# End-event names, most specific first: the first pattern found in the name gives the state.
END_NAMES = [
    (re.compile("不予受理"), REJECTED),
    (re.compile("不受理"), "不受理"),
    (re.compile("容缺"), "办结(容缺通过)"),
    (re.compile("不予|不通过|不批准|不准|驳回"), "办结(不通过)"),
    (re.compile("撤销"), "撤销"),
    (re.compile("撤回"), "撤回"),
    (re.compile("办结|准予|通过|批准"), "办结(通过)"),
]
# What the timeline shows; element.* steps only where something visible happened.
SHOWN = {"instance.started", "instance.suspended", "instance.resumed", "instance.terminated", "task.created",
         "task.claimed", "task.unclaimed", "task.assigned", "task.saved", "task.completed", "message.received",
         "message.unhandled", "message.refused", "message.dropped", "element.error",
         "clock.started", "clock.paused", "clock.resumed", "clock.extended", "clock.stopped",
         "clock.extension_requested", "clock.extension_refused", "clock.extension_lapsed",
         "case.accepted_on_behalf",  # 委托受理 (engine.delegations)
         "case.acceptance_returned",  # an entrustment revoked: the acceptance back to the principal
         # supervision (engine.supervision_sweep, engine.overdue_reasons)
         "supervision.reminder", "supervision.overdue", "supervision.step_overrun", "supervision.procedure_overrun",
         "supervision.overdue_reason", "supervision.overdue_verdict", "supervision.delivery_overdue",
         # what else a clerk asks about a case: its documents, materials, query code, timers and incidents
         "document.issued", "document.missing", "material.uploaded", "material.recorded", "material.withdrawn",
         "material.withdrawn_upload", "query_code.issued", "timer.fired",
         "timer.moved", "task.assignee_inactive",
         # external tasks (engine.tasks): a worker's lock, failure and BPMN error, a supervisor's retry
         "task.locked", "task.failed", "task.retried", "task.bpmn_error",
         "incident.created", "incident.retried", "incident.resolved"}
SHOWN_ELEMENT_TYPES = {"EndEvent", "IntermediateCatchEvent", "BoundaryEvent", "IntermediateThrowEvent"}


@dataclass
class TimelineEntry:
    at: datetime
    event: str
    actor: str | None
    element_id: str | None
    element_name: str | None
    element_type: str | None
    case_state: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class CaseFile:
    case: InstanceView
    definition_name: str | None
    xml: str  # the diagram the case runs on, for the viewer
    active: list[str]  # element ids waiting now: open tasks, timers, messages
    done: list[str]  # element ids completed at least once
    timeline: list[TimelineEntry]
    materials: list[Material] | None = None  # None: the actor may not see them (engine.materials)
    accepted_on_behalf: delegations.OnBehalf | None = None  # 委托受理: the agent that accepted it (受理机构)

    @property
    def case_state(self) -> str | None:
        """The latest case state reached (e.g. 已受理)."""
        return next((e.case_state for e in reversed(self.timeline) if e.case_state), None)


def case_file(uow: UnitOfWork, instance_id: int, *, actor: Actor) -> CaseFile:
    """A case with its diagram, active and completed elements, and timeline. Raises NotFound."""
    with uow:
        case_access.require_case(uow, actor, instance_id)  # outside a scoped clerk's departments: NotFound
        case = execution.read_case(uow, instance_id)
        view = case_view(uow, case, actor)
        definition = case.row.definition
        xml = definition.resource.content
        events = sealing.for_reader(uow, case.row, list(uow.session.scalars(
            select(HistoryEvent).where(HistoryEvent.instance_id == instance_id).order_by(HistoryEvent.id))), actor)
        waiting = set(uow.session.scalars(select(Job.bpmn_id).where(
            Job.instance_id == instance_id, Job.state.in_(("pending", "failed")))))
        waiting |= set(uow.session.scalars(select(MessageSubscription.bpmn_id).where(
            MessageSubscription.instance_id == instance_id)))
        submitted = _materials(uow, actor, instance_id)
        on_behalf = delegations.of_case(uow, case.row)
    active = sorted({t.bpmn_id for t in view.tasks} | waiting)
    done = sorted({e.element_id for e in events if e.event == "element.completed" and e.element_id} - set(active))
    return CaseFile(case=view, definition_name=definition.name, xml=xml.decode("utf-8", "replace"),
                    active=active, done=done, timeline=build_timeline(events, element_properties(xml)),
                    materials=submitted, accepted_on_behalf=on_behalf)


def _materials(uow: UnitOfWork, actor: Actor, instance_id: int) -> list[Material] | None:
    try:
        require_access(uow, actor, instance_id)
    except Forbidden:
        return None
    return list(uow.session.scalars(select(Material).where(Material.instance_id.in_(bundle_ids(uow, instance_id)))
                                    .order_by(Material.id)))


def element_properties(xml: bytes) -> dict[str, dict[str, str]]:
    """``govflow.*`` extension properties per element id, from Camunda or SpiffWorkflow properties."""
    root, problem = diagrams.safe_parse("diagram", xml)
    if problem is not None or root is None:
        return {}
    found: dict[str, dict[str, str]] = {}
    for prop in root.xpath("//camunda:property|//spiffworkflow:property", namespaces=NS):
        name, value = prop.get("name") or "", prop.get("value")
        if not name.startswith("govflow.") or value is None:
            continue
        owner = prop.getparent()
        while owner is not None and (local(owner.tag) in ("properties", "extensionElements") or not owner.get("id")):
            owner = owner.getparent()
        if owner is not None:
            found.setdefault(owner.get("id"), {})[name] = value.strip()
    return found


def build_timeline(events: list[HistoryEvent], properties: dict[str, dict[str, str]]) -> list[TimelineEntry]:
    """Turn raw history into the entries a person reads, each with the case state it reached, if any."""
    builder = TimelineBuilder(properties)
    for event in events:
        builder.add(event)
    return builder.entries


class TimelineBuilder:
    """``build_timeline`` an event at a time: after each ``add``, ``entries`` is the timeline of the events
    added so far (engine.case_state reads where a case stood after each step of a command)."""

    def __init__(self, properties: dict[str, dict[str, str]]) -> None:
        self.properties = properties
        self.explicit = names_states(properties)
        self.entries: list[TimelineEntry] = []
        self.acceptance: TimelineEntry | None = None  # a completed 受理 step whose outcome is not known yet
        self.stands: tuple[str, datetime] | None = None  # the case state reached last, and when

    def add(self, event: HistoryEvent) -> None:
        explicit, entries = self.explicit, self.entries
        state = _state_of(event, self.properties.get(event.element_id or "", {}))
        if self.acceptance is not None and not explicit:
            if event.event == "task.created" or (event.event == "element.completed"
                                                 and event.element_type not in ("EndEvent", "ExclusiveGateway")):
                self.acceptance.case_state = ACCEPTED  # the case went on to be worked: it was accepted
                self.acceptance = None
            elif event.event == "element.completed" and event.element_type == "EndEvent":
                self.acceptance = None
        if state is None and not explicit and event.event == "element.completed" and event.element_type == "EndEvent":
            state = _end_state(event.element_name or "")
        if state is not None and self.stands == (state, event.at):
            state = None  # reached again by the same command (a deemed acceptance, then its notice)
        self.stands = (state, event.at) if state else self.stands
        last = entries[-1] if entries else None
        if state and last is not None and last.event == "task.completed" and last.element_id == event.element_id \
                and last.case_state is None:
            last.case_state = state  # the step's own completion carries the state it reached
            return
        if not (event.event in SHOWN or state or (event.event == "element.completed"
                                                   and event.element_type in SHOWN_ELEMENT_TYPES)):
            return
        entry = TimelineEntry(at=event.at, event=event.event, actor=event.actor, element_id=event.element_id,
                              element_name=event.element_name, element_type=event.element_type,
                              case_state=state, data=dict(event.data or {}))
        entries.append(entry)
        if not explicit and event.event == "task.completed" and "受理" in (event.element_name or ""):
            self.acceptance = entry


def _state_of(event: HistoryEvent, props: dict[str, str]) -> str | None:
    if event.event == "instance.started":
        return RECEIVED
    if event.event == "instance.terminated":
        return WITHDRAWN if withdrawn_by_applicant(event.data or {}) else TERMINATED_BY_OFFICE
    if event.event in CLOCK_STATES:
        return CLOCK_STATES[event.event]
    if event.event == "element.completed":
        return props.get(CASE_STATE) or EVENT_STATES.get(props.get(EVENT, ""))
    if started(event):
        return props.get(CASE_STATE_ON_START) or None
    return None


def started(event: HistoryEvent) -> bool:
    """Whether the history item says an element started: its task opened (a user, manual or external task), or
    it began to wait (a catch event, a receive task). Other elements start and complete in one step."""
    return event.event == "task.created" or (event.event == "element.waiting"
                                             and event.element_type in WAITING_STARTS)


def names_states(properties: dict[str, dict[str, str]]) -> bool:
    """Whether a diagram names its case states (its element names are then not read for them)."""
    return any(CASE_STATE in p or CASE_STATE_ON_START in p or EVENT in p for p in properties.values())


def withdrawn_by_applicant(termination: dict[str, Any]) -> bool:
    """Whether a termination's history data says the applicant withdrew: as the terminating call said
    (``withdrawn``), else as its reason reads."""
    said = termination.get("withdrawn")
    return said if isinstance(said, bool) else applicant_withdrew(termination.get("reason"))


def applicant_withdrew(reason: Any) -> bool:
    """Whether a termination's recorded reason says the applicant withdrew (else the office terminated)."""
    return isinstance(reason, str) and _APPLICANT_WITHDREW.match(reason.strip()) is not None


def _end_state(name: str) -> str | None:
    return next((state for pattern, state in END_NAMES if pattern.search(name)), None)
