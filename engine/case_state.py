"""Where a case stands in the terms approval systems report (DOMAIN.md: 已接件, 已受理, 补正(开始), 不予受理,
办结(通过), 撤回 ...), and how an ended case ended when no decision ended it (withdrawn, terminated).

One derivation, read from the case's history through engine.timeline, for everyone who asks: the
applicant's progress (engine.progress), the case as the API shows it (engine.instances.case_view), and
the case events webhooks receive (engine.outbox).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, bindparam, case, exists, false, or_, select

from . import timeline
from .clock import utcnow
from .models import HistoryEvent, ProcessDefinition, ProcessInstance
from .unit_of_work import UnitOfWork

# How a case ended other than by a decision (``CaseState.end_kind``).
WITHDRAWN, TERMINATED = "withdrawn", "terminated"
# Case states of an end such as 逾期未补正，视为撤回申请 (engine.timeline; diagrams name either).
DEEMED_WITHDRAWN = ("撤回", "已撤件")
# What the applicant reads of such an end that says no more (unnamed, or named as its state): never that
# they withdrew.
DEEMED_REASON = "视为撤回申请"
# A completed case still in a state of work under way — its diagram names no end state (plain BPMN, a Camunda
# diagram in English) — is concluded all the same: it reads 办结, not 已接件.
CONCLUDED = "办结"
UNDER_WAY = frozenset({timeline.RECEIVED, timeline.ACCEPTED, "部门开始办理", "补正(结束)", "特别程序(结束)"})
# Case states a bundle's member item (a process the case calls) ends in without what was applied for.
DENIED = frozenset({"办结(不通过)", timeline.REJECTED, "不受理"})
# The case's status a command's history item leaves it in, where it ends it.
_ENDING = {"instance.completed": "completed", "instance.terminated": "terminated"}


@dataclass(frozen=True)
class CaseState:
    state: str | None  # the latest case state reached (已受理, 不予受理 ...)
    end_kind: str | None = None  # WITHDRAWN or TERMINATED; None while running or when decided
    # A case deemed withdrawn (its diagram's end in case state 撤回): that end as the diagram names it
    # (逾期未补正，视为撤回申请), when the name says more than the state.
    end_step: str | None = None


@dataclass
class _Item:
    """A history row as engine.timeline reads it, without what no case state depends on."""

    at: datetime
    event: str
    element_id: str | None
    element_name: str | None
    element_type: str | None
    actor: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


# A termination's data (whether the applicant withdrew); no other row's data is read.
_TERMINATION = case((HistoryEvent.event == "instance.terminated", HistoryEvent.data)).label("data")
# Built once: the case view reads it in every command's answer.
_HISTORY = (select(HistoryEvent.at, HistoryEvent.event, HistoryEvent.element_id, HistoryEvent.element_name,
                   HistoryEvent.element_type, _TERMINATION)
            .where(HistoryEvent.instance_id == bindparam("case_id")).order_by(HistoryEvent.id))
_HISTORIES = (select(HistoryEvent.instance_id, HistoryEvent.at, HistoryEvent.event, HistoryEvent.element_id,
                     HistoryEvent.element_name, HistoryEvent.element_type, _TERMINATION)
              .where(HistoryEvent.instance_id.in_(bindparam("case_ids", expanding=True)))
              .order_by(HistoryEvent.instance_id, HistoryEvent.id))
# What a member item's history is read from: its own elements' steps (``members``).
_MEMBER_HISTORY = (select(HistoryEvent.instance_id, HistoryEvent.at, HistoryEvent.event, HistoryEvent.element_id,
                          HistoryEvent.element_name, HistoryEvent.element_type)
                   .where(HistoryEvent.instance_id.in_(bindparam("case_ids", expanding=True)),
                          HistoryEvent.element_id.in_(bindparam("element_ids", expanding=True)))
                   .order_by(HistoryEvent.instance_id, HistoryEvent.id))
# govflow.* properties per diagram, by the definition's content hash (a version's diagram never changes).
_PROPERTIES: dict[str, dict[str, dict[str, str]]] = {}
_OUTLINES: dict[str, tuple[frozenset[str], list[tuple[str, str]]]] = {}
_MAX_DIAGRAMS = 256


def timeline_of(uow: UnitOfWork, row: ProcessInstance) -> list[timeline.TimelineEntry]:
    """The case's timeline from its stored history (engine.timeline)."""
    return timeline.build_timeline(_as_history(_stored(uow, row.id), row.end_reason), properties(row.definition))


def of_case(uow: UnitOfWork, row: ProcessInstance) -> CaseState:
    """Where the case stands now, by its stored history."""
    return derive(timeline_of(uow, row), status=row.state, end_reason=row.end_reason)


@dataclass(frozen=True)
class Outcome:
    """How a case stands, with the end it reached as its diagram names it (办结（准予许可）), for a list."""

    stands: CaseState
    end: str | None


def of_cases(uow: UnitOfWork, rows: list[ProcessInstance]) -> dict[int, Outcome]:
    """Where each case stands, for a page of cases (the case list): their stored history in one query,
    read as ``of_case`` reads one."""
    history: dict[int, list[_Item]] = {row.id: [] for row in rows}
    if history:
        for item in uow.session.execute(_HISTORIES, {"case_ids": sorted(history)}):
            history[item.instance_id].append(_Item(item.at, item.event, item.element_id, item.element_name,
                                                   item.element_type, data=item.data or {}))
    found = {}
    for row in rows:
        entries = timeline.build_timeline(_as_history(history[row.id], row.end_reason), properties(row.definition))
        end = next((e.element_name for e in reversed(entries)
                    if e.event == "element.completed" and e.element_type == "EndEvent"), None)
        found[row.id] = Outcome(derive(entries, status=row.state, end_reason=row.end_reason), end)
    return found


@dataclass(frozen=True)
class Member:
    """A member item of a one-thing bundle (一件事): a call activity of the case's diagram, by its name, and
    the case state the called process reached last in its own diagram's terms (None: none yet)."""

    name: str
    state: str | None


def members(uow: UnitOfWork, rows: list[ProcessInstance]) -> dict[int, list[Member]]:
    """The member items of each of these cases that called processes, in the order its diagram lists its
    call activities: the history of each called process read with that diagram's case states, as
    ``timeline_of`` reads a case (one query for all). A case that called nothing is left out."""
    calls: dict[int, list[tuple[str, ProcessDefinition | None]]] = {}
    owner: dict[int, dict[str, int]] = {}  # per case: the called diagram each of its element ids is in
    # One query for a page of bundles' called versions (the session's identity map holds them only weakly).
    versions = {definition_id for row in rows for definition_id in (row.called_versions or {}).values()}
    loaded = {d.id: d for d in uow.session.scalars(select(ProcessDefinition).where(
        ProcessDefinition.id.in_(versions)))} if versions else {}
    for row in rows:
        pinned = {key: loaded.get(definition_id)
                  for key, definition_id in (row.called_versions or {}).items()}
        if not pinned:
            continue
        calls[row.id] = [(name, pinned.get(key)) for name, key in _call_activities(row.definition)]
        own = _element_ids(row.definition)
        found_in: dict[str, set[int]] = {}
        for place, (_, member) in enumerate(calls[row.id]):
            for element in _element_ids(member) - own if member is not None else ():
                found_in.setdefault(element, set()).add(place)
        # An id two members share (a process called twice, a modeler's default StartEvent_1) says no member.
        owner[row.id] = {element: min(places) for element, places in found_in.items() if len(places) == 1}
    history: dict[tuple[int, int], list[_Item]] = {}
    wanted = sorted({element for found in owner.values() for element in found})
    if wanted:
        for item in uow.session.execute(_MEMBER_HISTORY, {"case_ids": sorted(owner), "element_ids": wanted}):
            index = owner[item.instance_id].get(item.element_id)
            if index is not None:
                history.setdefault((item.instance_id, index), []).append(
                    _Item(item.at, item.event, item.element_id, item.element_name, item.element_type))
    found: dict[int, list[Member]] = {}
    for case_id, called in calls.items():
        found[case_id] = []
        for index, (name, definition) in enumerate(called):
            entries = timeline.build_timeline(cast(list[HistoryEvent], history.get((case_id, index), [])),
                                              properties(definition)) if definition is not None else []
            found[case_id].append(Member(name, next((e.case_state for e in reversed(entries) if e.case_state),
                                                    None)))
    return found


def denied(found: list[Member]) -> list[str]:
    """The member items that ended without what was applied for (DENIED), by name."""
    return [member.name for member in found if member.state in DENIED]


def withdrawn_terminations(uow: UnitOfWork, rows: list[ProcessInstance]) -> set[int]:
    """Which of these terminated cases the applicant withdrew, as ``derive`` reads it, from their termination
    alone (one query): not their whole histories."""
    said = {instance_id: data for instance_id, data in uow.session.execute(
        select(HistoryEvent.instance_id, HistoryEvent.data).where(
            HistoryEvent.instance_id.in_([row.id for row in rows]), HistoryEvent.event == "instance.terminated"))
            } if rows else {}
    return {row.id for row in rows if withdrawn_by_applicant(said.get(row.id), row.end_reason)}


def withdrawn_by_applicant(termination: dict[str, Any] | None, end_reason: str | None) -> bool:
    """Whether the applicant withdrew a terminated case: as its termination's history data says
    (``withdrawn``), else as the case's recorded end reason reads; with no termination in its history, by
    that reason alone. The reason read is always the case's own: a case is terminated once, and its row
    keeps the reason its history records (``_as_history``)."""
    return timeline.withdrawn_by_applicant({**(termination or {}), "reason": end_reason})


def derive(entries: list[timeline.TimelineEntry], *, status: str, end_reason: str | None) -> CaseState:
    """The latest case state of a timeline, and how the case ended: a terminated case was withdrawn by the
    applicant (its recorded reason says so) or terminated by the office; a completed case that reached a
    case state 撤回 or 已撤件 (e.g. materials not supplemented in time) was deemed withdrawn; one that reached
    no end state is 办结 (CONCLUDED)."""
    last = next((e for e in reversed(entries) if e.case_state), None)
    state = last.case_state if last is not None else None
    if status == "terminated":
        # As the termination said, or its reason reads, as it decides the state it reached (engine.timeline).
        ended = next((e for e in reversed(entries) if e.event == "instance.terminated"), None)
        withdrew = withdrawn_by_applicant(ended.data if ended is not None else None, end_reason)
        return CaseState(state, WITHDRAWN if withdrew else TERMINATED)
    if status == "completed" and last is not None and state in DEEMED_WITHDRAWN:
        named = last.element_name if last.element_name and last.element_name != state else None
        return CaseState(state, WITHDRAWN, named)
    if status == "completed" and (state is None or state in UNDER_WAY):
        return CaseState(CONCLUDED)
    return CaseState(state)


def may_end_withdrawn(uow: UnitOfWork) -> ColumnElement[bool]:
    """SQL on ProcessInstance, true for every case ``derive`` may read as withdrawn: a terminated case, and a
    completed one whose history completed an element that may reach a state of DEEMED_WITHDRAWN (one its
    diagram gives that state, or an end named so in a diagram that names no states). More cases than that
    (another diagram's element of the same id): ``of_cases`` tells which are."""
    stated: set[str] = set()  # element ids some diagram gives a state of DEEMED_WITHDRAWN
    explicit: list[int] = []  # the diagrams with such elements
    plain: list[int] = []  # the diagrams naming no states: their ends' names give them (engine.timeline)
    for definition in uow.session.scalars(select(ProcessDefinition)):  # its large columns stay unread
        found = properties(definition)
        if not timeline.names_states(found):
            plain.append(definition.id)
        elif ids := {element for element, p in found.items() if p.get("govflow.caseState") in DEEMED_WITHDRAWN}:
            stated |= ids
            explicit.append(definition.id)
    reached = [and_(ProcessInstance.definition_id.in_(explicit), HistoryEvent.element_id.in_(sorted(stated)))] \
        if explicit else []
    if plain:
        reached.append(and_(ProcessInstance.definition_id.in_(plain), HistoryEvent.element_type == "EndEvent",
                            or_(*(HistoryEvent.element_name.contains(name) for name in DEEMED_WITHDRAWN))))
    deemed = exists().where(HistoryEvent.instance_id == ProcessInstance.id, HistoryEvent.event == "element.completed",
                            or_(*reached)) if reached else false()
    return or_(ProcessInstance.state == "terminated", and_(ProcessInstance.state == "completed", deemed))


def delivered_at(entries: list[timeline.TimelineEntry], properties: dict[str, dict[str, str]]) -> datetime | None:
    """When the result reached the applicant: the first completion of an element marked ``govflow.event =
    delivered``. The applicant's service is concluded then, though the case may go on (告知承诺制: the
    office's checks of the commitment months after the licence)."""
    return reached_at(entries, properties, "delivered")


def reached_at(entries: list[timeline.TimelineEntry], properties: dict[str, dict[str, str]],
               event: str) -> datetime | None:
    """The first completion of an element marked ``govflow.event = event`` (``decision``, ``delivered`` ...)."""
    return next((e.at for e in entries if e.event in ("task.completed", "element.completed") and e.element_id
                 and properties.get(e.element_id, {}).get("govflow.event") == event), None)


def as_of(uow: UnitOfWork, row: ProcessInstance, pending: list[dict[str, Any]],
          indexes: Iterable[int]) -> dict[int, CaseState]:
    """Where the case stood right after each of the ``pending`` history items at ``indexes`` (a command's
    items, not written yet), on top of its stored history: what a case event says it left the case in."""
    wanted = set(indexes)
    if not wanted:
        return {}
    builder = timeline.TimelineBuilder(properties(row.definition))
    for stored in _as_history(_stored(uow, row.id), row.end_reason):
        builder.add(stored)
    now = utcnow()
    found = {}
    # The timeline of each prefix, not of the whole: a later step may still say what an earlier one reached
    # (a 受理 step followed by work), which the event of the earlier one cannot know yet.
    for index, item in enumerate(pending[:max(wanted) + 1]):
        builder.add(_as_history([_Item(now, item["event"], item.get("element_id"), item.get("element_name"),
                                       item.get("element_type"), data=dict(item.get("data") or {}))],
                                row.end_reason)[0])
        if index in wanted:
            found[index] = derive(builder.entries, status=_ENDING.get(item["event"], "running"),
                                  end_reason=row.end_reason)
    return found



def as_of_command(row: ProcessInstance, pending: list[dict[str, Any]], index: int) -> CaseState | None:
    """Where the case stood right after the ``pending`` item at ``index`` when the command's own items tell
    without its stored history: one of them reached a case state (the latest state is then theirs), or the
    item ends it by termination (how is the termination's to say). None when only the stored history tells."""
    builder = timeline.TimelineBuilder(properties(row.definition))
    now = utcnow()
    for item in pending[:index + 1]:
        builder.add(_as_history([_Item(now, item["event"], item.get("element_id"), item.get("element_name"),
                                       item.get("element_type"), data=dict(item.get("data") or {}))],
                                row.end_reason)[0])
    status = _ENDING.get(pending[index]["event"], "running")
    if status != "terminated" and not any(e.case_state for e in builder.entries):
        return None
    return derive(builder.entries, status=status, end_reason=row.end_reason)


def may_end_withdrawn_by(definition: ProcessDefinition) -> bool:
    """Whether a completed case of this definition may read as withdrawn (``may_end_withdrawn`` for one
    diagram): it names no states (its ends' names give them), or gives an element a state of DEEMED_WITHDRAWN."""
    found = properties(definition)
    return not timeline.names_states(found) \
        or any(p.get("govflow.caseState") in DEEMED_WITHDRAWN for p in found.values())


def properties(definition: ProcessDefinition) -> dict[str, dict[str, str]]:
    """``govflow.*`` properties per element of the definition's diagram (engine.timeline), parsed once per
    diagram in this process."""
    found = _PROPERTIES.get(definition.content_hash)
    if found is None:
        found = timeline.element_properties(definition.resource.content)
        if len(_PROPERTIES) >= _MAX_DIAGRAMS:
            _PROPERTIES.clear()
        _PROPERTIES[definition.content_hash] = found
    return found


def _call_activities(definition: ProcessDefinition) -> list[tuple[str, str]]:
    """The call activities of a definition's diagram, in its order: (name, the process key it calls)."""
    return _outline(definition)[1]


def _element_ids(definition: ProcessDefinition) -> frozenset[str]:
    return _outline(definition)[0]


def _outline(definition: ProcessDefinition) -> tuple[frozenset[str], list[tuple[str, str]]]:
    """A definition's element ids and call activities (engine.diagrams' metadata), read once per diagram."""
    found = _OUTLINES.get(definition.content_hash)
    if found is None:
        elements = {element: meta for by_process in (definition.elements or {}).values()
                    for element, meta in by_process.items()}
        found = (frozenset(elements), [(meta.get("name") or element, meta["called"])
                                       for element, meta in elements.items() if meta.get("called")])
        if len(_OUTLINES) >= _MAX_DIAGRAMS:
            _OUTLINES.clear()
        _OUTLINES[definition.content_hash] = found
    return found


def _stored(uow: UnitOfWork, case_id: int) -> list[_Item]:
    return [_Item(row.at, row.event, row.element_id, row.element_name, row.element_type, data=row.data or {})
            for row in uow.session.execute(_HISTORY, {"case_id": case_id})]


def _as_history(items: list[_Item], end_reason: str | None) -> list[HistoryEvent]:
    # engine.timeline reads these attributes of a history row and nothing else: no ORM row is built for it.
    # Of the data it reads a termination's (the state it reached): whether the applicant withdrew, and the
    # reason, which the case's row keeps too: a case is terminated once, with the reason its history records.
    for item in items:
        if item.event == "instance.terminated":
            said = item.data.get("withdrawn")
            item.data = {"reason": end_reason, **({"withdrawn": said} if isinstance(said, bool) else {})}
    return cast(list[HistoryEvent], items)
