"""Statutory time limits (限时办结): each case's clock, its special procedures (特别程序) and extensions.

The rules (DOMAIN.md rules 3-4; 行政许可法 Arts 42, 45, 82; bpmn/README.md for the properties):
  * the clock starts when an element marked ``govflow.clock=start`` completes (受理) and stops when one
    marked ``stop`` completes (决定); a case that ends without a decision (撤件) stops it too. A start
    marker with ``govflow.clockFrom=<element ids>`` counts from when the latest of those elements completed
    (收件, the case's start when none did): acceptance deemed by law (视为受理, 行政许可法 Art 32) dates from
    the receipt of the materials, not from the day the authority's silence became an acceptance;
  * the markers that start and stop the clock are those of the case's own diagram; a called process's
    decision is its own step, not the case's, unless the case's diagram marks no start (the called
    items then own the clock: their starts start it, their stops stop it). Excluded periods pause it
    wherever they are;
  * limits are the process properties ``govflow.promisedDays`` / ``govflow.statutoryDays`` in working
    days of the calendar ``govflow.calendar`` (default CN); the promised limit is the deadline (SX22),
    the statutory one only falls back for it when no promised limit is given;
  * the latest guide (``guide.json``) naming the process overrides those three when it exists (read once,
    when the clock starts); a guide's promised limit of 0 (即办件) is a deadline at the end of the day;
  * an activity or subprocess marked ``govflow.excluded=<kind>`` pauses the clock while it is active
    (ready, started or waiting) and resumes it when it ends; ``pause``/``resume`` do the same by hand.
    Overlapping procedures pause once: the clock runs again when the last one closes;
  * a pause costs ``working_days_between(paused, resumed)`` working days: a pause that starts and ends
    on the same day moves nothing, one from Tuesday to Thursday moves the deadline by two;
  * an extension (延长审批, Art 42) adds working days, approved by an agency head (role ``head``) of the
    case's lead department (the agency deciding it), with a reason (on a clerk's request,
    engine.extensions, which the head decides while it is pending, or their own), while
    the deadline has not passed (after it the case stays overdue, with its reason recorded); all of a case's
    extensions together may add at most 10 working days, or 15 where the item is handled jointly, unified
    or centrally (Art 42 ¶2), which is the item whose statutory limit is that paragraph's 45 days, unless
    the item's guide sets its own allowance with its basis (a special law's rule: Art 42 "法律、法规另有规定
    的，依照其规定"), read once when the clock starts.
    Art 42 is part of the licensing law: the clock of an item whose guide gives another type (a complaint,
    the rectification of a bad rating: public services, type 20) and no allowance of its own may not be
    extended, its promised limit being the final deadline (SX22). An item without a guide keeps Art 42
    (the limits of its diagram are those of a licence);
  * a special procedure started by hand is one of the kinds the latest guide of the item lists
    (``excluded_periods``: SX22, the guide states the periods that are not counted; a guide listing none
    allows none), named as the pages name it (``KIND_NAMES``); without a guide, any kind of Art 45;
  * the deadline is always recomputed from the totals, ``deadline_at(started, promised + extension +
    paused)``, so a year imported later (a provisional deadline) gives the answer it would have given
    had it been known from the start; ``on_years_loaded`` does that for the open clocks the loaded years
    touch. A stopped clock keeps its deadline and the working days it used, counted when it stopped,
    unless they were provisional.
Every change is a special-procedure row (GB/T 39046: kind, start, end, reason or legal basis, result,
opinion) and a history item (``clock.started|paused|resumed|extended|stopped``) on the case. A clock stopping
lapses the case's pending extension request in the same step (``clock.extension_lapsed``, with how it stopped).

After the decision of a licence (行政许可法 Art 44: the licence issued and delivered within 10 days) the
result is due to reach the applicant within ``DELIVERY_DAYS`` working days: a clock stopped by its decision,
in a diagram marking a delivery step (``govflow.event = delivered``) of an item the licensing law governs
(its latest guide's type is 01, or it has no guide, as for Art 42), keeps that due time (the end of the 10th
working day after the decision day, in the case's calendar) and when the step completed; a denial is held
to the same days, its written decision being the result delivered. engine.supervision_delivery lists the
results not delivered yet.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import and_, func, or_, select, update

from . import calendar, case_access, notify, outbox
from ._workdays import Deadline, local_date
from .clock import utcnow
from .errors import Conflict, NotFound, ProcessError, ValidationFailed
from .models import (
    CaseClock,
    ExtensionRequest,
    Guide,
    HistoryEvent,
    ProcessDefinition,
    ProcessInstance,
    SpecialProcedure,
    Task,
)
from .text import optional_text, required_text
from .timeparse import parse_due
from .unit_of_work import UnitOfWork
from .users import Actor

if TYPE_CHECKING:
    from .execution import Case

log = logging.getLogger("engine.time_limits")

CLOCK, EXCLUDED = "govflow.clock", "govflow.excluded"
# On a start marker: element ids (comma-separated) whose latest completion is when the clock counts from.
CLOCK_FROM = "govflow.clockFrom"
DELIVERED = "delivered"  # the govflow.event of the step that delivers the result (engine.outbox.EVENT_PROPERTY)
DELIVERY_DAYS = 10  # 行政许可法 Art 44: working days from the decision to deliver the licence or decision
PROMISED, STATUTORY, CALENDAR = "govflow.promisedDays", "govflow.statutoryDays", "govflow.calendar"
# A case variable holding this case's own promised working days (e.g. a 差评's rectification deadline,
# set by the rated item's guide): it wins over the guide and the diagram when it holds a positive number.
PROMISED_VARIABLE = "govflow.promisedDaysVariable"
# 行政许可法 Art 45's excluded periods, plus "other" for a procedure started by hand that none names.
EXCLUDED_KINDS = ("hearing", "testing", "inspection", "quarantine", "appraisal", "expert_review", "bidding",
                  "auction", "other")
EXTENSION = "extension"
KINDS = (EXTENSION,) + EXCLUDED_KINDS
# The kinds as pages and guides name them: the guides list an on-site check as inspection.
KIND_NAMES = {"extension": "延长审批", "hearing": "听证", "testing": "检验检测", "inspection": "现场核查",
              "quarantine": "检疫", "appraisal": "鉴定", "expert_review": "专家评审", "bidding": "招标",
              "auction": "拍卖", "other": "其他特别程序"}
# 行政许可法 Art 42: a decision due in 20 days may be extended by 10; joint, unified or centralised handling
# (Art 26) is due in 45 days and may be extended by 15. The 45-day statutory limit is how an item says it is
# handled jointly (guide.json statutory_days or govflow.statutoryDays), so no other field can contradict it.
EXTENSION_ALLOWANCE_DAYS = 10
MAX_TEXT = 2000  # a reason, result or opinion of a special procedure or an extension
JOINT_STATUTORY_DAYS, JOINT_EXTENSION_ALLOWANCE_DAYS = 45, 15
RUNNING, PAUSED, STOPPED = "running", "paused", "stopped"
_ACTIVE = TaskState.READY | TaskState.STARTED | TaskState.WAITING
_ENDED = TaskState.COMPLETED | TaskState.CANCELLED | TaskState.ERROR


# ---- what a diagram marks, cached per diagram content ----------------------------------------------

@dataclass(frozen=True)
class Marks:
    """A definition's clock properties; a diagram's content never changes under its hash."""

    starts: frozenset[str]
    stops: frozenset[str]
    excluded: dict[str, str]  # element id -> kind
    promised: int | None
    statutory: int | None
    calendar: str
    promised_variable: str | None = None
    # start marker -> the elements whose latest completion it counts from (govflow.clockFrom)
    starts_from: dict[str, tuple[str, ...]] = field(default_factory=dict)
    delivers: frozenset[str] = frozenset()  # the steps that deliver the result (Art 44)

    @property
    def elements(self) -> frozenset[str]:
        return self.starts | self.stops | frozenset(self.excluded) | self.delivers


# (key, content hash) -> Marks, or None for the (usual) diagram without any: keyed by content, not by id,
# because ids are reused by another database (tests) while content always means the same marks.
_marks: dict[tuple[str, str], Marks | None] = {}


def marks_of(uow: UnitOfWork, definition: ProcessDefinition) -> Marks | None:
    cache_key = (definition.key, definition.content_hash)
    if cache_key in _marks:
        return _marks[cache_key]
    elements = uow.runtime.specs.get(definition).elements.get(definition.key, {})
    from .bpmn_xml import PROCESS_KEY

    process = elements.get(PROCESS_KEY, {}).get("properties", {})
    starts, stops, excluded, starts_from, delivers = set(), set(), {}, {}, set()
    for element_id, meta in elements.items():
        props = meta.get("properties") or {}
        if element_id == PROCESS_KEY or not props:
            continue
        clock = str(props.get(CLOCK, "")).strip().lower()
        if clock == "start":
            starts.add(element_id)
            counted_from = tuple(e.strip() for e in str(props.get(CLOCK_FROM) or "").split(",") if e.strip())
            if counted_from:
                starts_from[element_id] = counted_from
        elif clock == "stop":
            stops.add(element_id)
        if str(props.get(outbox.EVENT_PROPERTY, "")).strip() == DELIVERED:
            delivers.add(element_id)
        kind = str(props.get(EXCLUDED, "")).strip().lower()
        if kind:
            # An unknown kind still pauses (the diagram says time is not counted), recorded as "other".
            excluded[element_id] = kind if kind in EXCLUDED_KINDS else "other"
    found = None
    if starts or stops or excluded:
        found = Marks(frozenset(starts), frozenset(stops), excluded, _days(process, PROMISED, definition),
                      _days(process, STATUTORY, definition), str(process.get(CALENDAR) or calendar.NATIONAL),
                      str(process.get(PROMISED_VARIABLE) or "").strip() or None, starts_from, frozenset(delivers))
    _marks[cache_key] = found
    return found


def _days(properties: dict[str, Any], name: str, definition: ProcessDefinition) -> int | None:
    value = properties.get(name)
    if value in (None, ""):
        return None
    try:
        days = int(str(value).strip())
    except ValueError:
        days = -1
    if days <= 0:
        # Failing the acceptance for a bad property would block applicants; the clock just has no limit.
        log.warning("%s of %s v%s is not a positive whole number: %r", name, definition.key, definition.version,
                    value)
        return None
    return days


# ---- the pipeline hook --------------------------------------------------------------------------

def apply(uow: UnitOfWork, case: Case, now: datetime) -> None:
    """Start, pause, resume or stop the case's clock for the steps this command took (called by
    execution.save before the history is written). Helper: the caller's transaction.

    Task states are diffed here rather than read from the history items because a subprocess entering
    (an excluded period's usual shape) is an engine step the history does not record.
    Raises ProcessError when the diagram names a calendar that does not exist.
    """
    from .execution import definition_of

    marked = {d.id: m for d in case.definitions.values() if (m := marks_of(uow, d)) is not None}
    if not marked:
        return  # the usual case: nothing in these diagrams touches the clock
    owners = _owners(case, marked)
    watched = frozenset().union(*(m.elements for m in marked.values()))
    starts: list[tuple[Any, ProcessDefinition, Marks]] = []
    entered: list[tuple[Any, str]] = []
    left: list[Any] = []
    stops: list[Any] = []
    delivered = False
    for task in case.tasks:  # as execution.save walked them
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        previous = case.before.get(task.id)
        if bpmn_id not in watched or previous == task.state:
            continue
        definition = definition_of(case, task)
        marks = marked.get(definition.id)
        if marks is None:
            continue
        was_active = previous is not None and bool(previous & _ACTIVE)
        if bpmn_id in marks.excluded:
            if task.state & _ACTIVE and not was_active:
                entered.append((task, marks.excluded[bpmn_id]))
            elif task.state & _ENDED and was_active:
                left.append(task)
        if task.state == TaskState.COMPLETED and definition.id in owners:
            if bpmn_id in marks.starts:
                starts.append((task, definition, marks))
            if bpmn_id in marks.stops:
                stops.append(task)
            delivered = delivered or bpmn_id in marks.delivers
    ended = case.row.state in ("completed", "terminated") and case.row.ended_at == now
    if not (starts or entered or left or stops or ended or delivered):
        return
    session = uow.session
    session.flush()  # autoflush is off: a second save in this command must see what the first wrote
    clock = session.get(CaseClock, case.row.id, with_for_update=True)
    if clock is None and starts:
        clock = _start(uow, case, starts, now)
    if clock is None:
        return  # steps before acceptance
    if clock.state != STOPPED:  # after the decision only the delivery is watched
        for task in left:
            procedure = session.scalars(select(SpecialProcedure).where(
                SpecialProcedure.instance_id == case.row.id, SpecialProcedure.task_id == str(task.id),
                SpecialProcedure.ended_at.is_(None))).first()
            if procedure is not None:
                item = _close(uow, clock, procedure, now, result=TaskState.get_name(task.state).lower())
                if item:
                    case.record(item["event"], actor=None, element_id=procedure.element_id,
                                element_name=task.task_spec.bpmn_name, task_id=str(task.id), data=item["data"])
        for task, kind in entered:
            item = _open(uow, clock, now, kind=kind, reason=task.task_spec.bpmn_name, element_id=task.task_spec.bpmn_id,
                         task_id=str(task.id), actor=None)
            if item:
                case.record(item["event"], actor=None, element_id=task.task_spec.bpmn_id,
                            element_name=task.task_spec.bpmn_name, task_id=str(task.id), data=item["data"])
        if stops or ended:
            task = stops[0] if stops else None
            data = _stop(uow, clock, now)
            if task is not None and any(marked[d].delivers for d in owners if d in marked) \
                    and _licensing(uow, definition_of(case, task).key):  # the deciding item's own guide
                clock.delivery_due_at = _calendar(uow, clock.calendar).deadline_at(now, DELIVERY_DAYS).at
                data["delivery_due_at"] = clock.delivery_due_at.isoformat()
            if task is None:
                data["reason"] = f"case {case.row.state}"
            case.record("clock.stopped", actor=None, element_id=task.task_spec.bpmn_id if task else None,
                        element_name=task.task_spec.bpmn_name if task else None,
                        task_id=str(task.id) if task else None, data=data)
            because = DECIDED if task is not None else _ended_because(case)
            for request in _lapse_pending(uow, clock, because, now):
                case.record("clock.extension_lapsed", actor=None, data={
                    "request_id": request.id, "days": request.days, "reason": request.reason, "because": because})
    if delivered and clock.delivery_due_at is not None and clock.delivered_at is None:
        clock.delivered_at = now
    session.flush()


def _licensing(uow: UnitOfWork, process_key: str) -> bool:
    """Whether the licensing law's limits hold for the item: its latest guide is a licence's, or it has none."""
    from .guides import LICENCE, latest_for_process

    guide = latest_for_process(uow, process_key)
    return guide is None or guide.item_type == LICENCE


def _owners(case: Case, marked: dict[int, Marks]) -> frozenset[int]:
    """The definitions whose start and stop markers move the case's clock: the case's own diagram when it
    marks a start; else every called process that does (an item called by a case without a clock of its
    own). A called item's decision inside a case that has its own clock is the item's step, not the case's."""
    root = marked.get(case.row.definition_id)
    if root is not None and root.starts:
        return frozenset({case.row.definition_id})
    return frozenset(definition_id for definition_id, marks in marked.items() if marks.starts)


def _start(uow: UnitOfWork, case: Case, starts: list[tuple[Any, ProcessDefinition, Marks]],
           now: datetime) -> CaseClock | None:
    """The clock, started by the earliest-counting of the start markers completed in this command (a
    deemed acceptance counting from receipt wins over the acceptance notice the same step issues)."""
    from .guides import LICENCE, limits_for

    moments = [(_counted_from(uow, case, marks, task, now), index) for index, (task, _, marks) in enumerate(starts)]
    started_at, index = min(moments)
    task, definition, marks = starts[index]
    # The item's guide wins over the diagram's properties (bpmn/README.md): one query, once per case.
    guide = limits_for(uow, definition.key)
    allowance, basis = (guide.extension_days, guide.extension_basis) if guide is not None else (None, None)
    if guide is not None:
        marks = replace(marks, promised=guide.promised_days, statutory=guide.statutory_days,
                        calendar=guide.calendar or marks.calendar)
        if allowance is None and guide.item_type != LICENCE:
            allowance = 0  # Art 42 extends licences only: no allowance, and no basis (_no_extension)
    promised = marks.promised if guide is not None else marks.promised or marks.statutory
    own = task.data.get(marks.promised_variable) if marks.promised_variable else None
    if isinstance(own, int) and not isinstance(own, bool) and own > 0:
        promised = own
        marks = replace(marks, statutory=max(marks.statutory or own, own))  # promised ≤ statutory holds
    if promised is None:
        log.warning("%s marks a clock start but no govflow.promisedDays or statutoryDays: no clock",
                    definition.key)
        return None
    clock = CaseClock(instance_id=case.row.id, promised_days=promised, statutory_days=marks.statutory,
                      calendar=marks.calendar, started_at=started_at, deadline_at=started_at, provisional=False,
                      paused_working_days=0, extension_days=0, state=RUNNING,
                      extension_allowance_days=allowance, extension_basis=basis)
    _recompute(uow, clock)
    uow.session.add(clock)
    uow.session.flush()
    data = _summary(clock)
    if started_at != now:
        data["counted_from"] = {"at": started_at.isoformat(),
                                "elements": list(marks.starts_from.get(task.task_spec.bpmn_id, ()))}
    case.record("clock.started", actor=None, element_id=task.task_spec.bpmn_id,
                element_name=task.task_spec.bpmn_name, task_id=str(task.id), data=data)
    return clock


def _counted_from(uow: UnitOfWork, case: Case, marks: Marks, task: Any, now: datetime) -> datetime:
    """When a start marker's clock counts from: now, or for ``govflow.clockFrom`` the latest completion of
    the elements it names (materials received: the start event, a supplement arriving), else the case's
    start. One indexed read of the case's history, only on such a start."""
    elements = marks.starts_from.get(task.task_spec.bpmn_id)
    if not elements:
        return now
    if any(item["event"] == "element.completed" and item.get("element_id") in elements for item in case.history):
        return now  # received in this very command
    latest = uow.session.scalar(select(func.max(HistoryEvent.at)).where(
        HistoryEvent.instance_id == case.row.id, HistoryEvent.event == "element.completed",
        HistoryEvent.element_id.in_(elements)))
    return min(latest or case.row.started_at or now, now)


# ---- state changes shared by the hook and the commands (caller's transaction) ---------------------

def _open(uow: UnitOfWork, clock: CaseClock, now: datetime, *, kind: str, reason: str | None,
          element_id: str | None, task_id: str | None, actor: str | None) -> dict[str, Any] | None:
    """Open a procedure; the first open one pauses the clock. Returns the history item, if it paused."""
    uow.session.add(SpecialProcedure(instance_id=clock.instance_id, kind=kind, started_at=now,
                                     reason_or_basis=reason, element_id=element_id, task_id=task_id,
                                     created_by=actor))
    if clock.state != RUNNING:
        return None  # already paused by another procedure: one pause, whatever overlaps it
    clock.state, clock.paused_since = PAUSED, now
    return {"event": "clock.paused", "data": {"kind": kind, "reason": reason}}


def _close(uow: UnitOfWork, clock: CaseClock, procedure: SpecialProcedure, now: datetime, *,
           result: str | None = None, opinion: str | None = None) -> dict[str, Any] | None:
    """Close a procedure; closing the last open one resumes the clock and moves the deadline.
    Returns the history item, if it resumed."""
    cal = _calendar(uow, clock.calendar)
    procedure.ended_at = now
    procedure.days = max(0, cal.working_days_between(procedure.started_at, now).days)
    if result is not None:
        procedure.result = result
    if opinion is not None:
        procedure.opinion = opinion
    uow.session.flush()
    if _open_procedures(uow, clock.instance_id) or clock.paused_since is None:
        return None
    paused = max(0, cal.working_days_between(clock.paused_since, now).days)
    clock.paused_working_days += paused
    clock.state, clock.paused_since = RUNNING, None
    _recompute(uow, clock)
    return {"event": "clock.resumed", "data": {"kind": procedure.kind, "paused_working_days": paused,
                                               **_summary(clock)}}


def _stop(uow: UnitOfWork, clock: CaseClock, now: datetime) -> dict[str, Any]:
    for procedure in _open_procedures(uow, clock.instance_id):
        _close(uow, clock, procedure, now, result="closed by the decision")
    clock.state, clock.stopped_at = STOPPED, now
    clock.used_working_days = _used_days(uow, clock, now)
    return {**_summary(clock), "used_working_days": clock.used_working_days, "on_time": now <= clock.deadline_at}


# How a clock stopped: the decision (a stop marker), or the case ending without one.
DECIDED, WITHDRAWN, TERMINATED, ENDED = "decided", "withdrawn", "terminated", "completed"
STOP_CAUSES = (DECIDED, WITHDRAWN, TERMINATED, ENDED)


def _ended_because(case: Case) -> str:
    """How a case that ended without a decision ended: withdrawn by the applicant, terminated by the office
    (as its termination in this command says, engine.timeline), or completed without reaching a decision."""
    from .timeline import withdrawn_by_applicant

    if case.row.state != "terminated":
        return ENDED
    termination = next((i for i in reversed(case.history) if i["event"] == "instance.terminated"), None)
    said = dict((termination or {}).get("data") or {})
    said.setdefault("reason", case.row.end_reason)
    return WITHDRAWN if withdrawn_by_applicant(said) else TERMINATED


def _lapse_pending(uow: UnitOfWork, clock: CaseClock, because: str, now: datetime) -> list[ExtensionRequest]:
    """A request pending when the clock stops can never be approved (extend refuses a stopped clock): it
    lapses with the stop, so that no head finds it waiting (engine.extensions)."""
    pending = list(uow.session.scalars(select(ExtensionRequest).where(
        ExtensionRequest.instance_id == clock.instance_id, ExtensionRequest.state == "pending")))
    for request in pending:
        request.state, request.decided_at, request.lapsed_because = "lapsed", now, because
    return pending


def stop_cause(uow: UnitOfWork, clock: CaseClock) -> str | None:
    """How a stopped clock stopped (``STOP_CAUSES``), read from its ``clock.stopped`` history item and its
    case; None while it runs. Helper: the caller's transaction."""
    if clock.state != STOPPED:
        return None
    stopped = uow.session.scalars(select(HistoryEvent).where(
        HistoryEvent.instance_id == clock.instance_id, HistoryEvent.event == "clock.stopped")
        .order_by(HistoryEvent.id.desc()).limit(1)).first()
    if stopped is None or not (stopped.data or {}).get("reason"):
        return DECIDED
    row = uow.session.get(ProcessInstance, clock.instance_id)
    if row is None or row.state != "terminated":
        return ENDED
    from .timeline import withdrawn_by_applicant

    termination = uow.session.scalars(select(HistoryEvent).where(
        HistoryEvent.instance_id == clock.instance_id, HistoryEvent.event == "instance.terminated")
        .order_by(HistoryEvent.id.desc()).limit(1)).first()
    said = dict(termination.data or {}) if termination is not None else {}
    said.setdefault("reason", row.end_reason)
    return WITHDRAWN if withdrawn_by_applicant(said) else TERMINATED


def _open_procedures(uow: UnitOfWork, instance_id: int) -> list[SpecialProcedure]:
    uow.session.flush()  # autoflush is off: procedures opened in this command count
    return list(uow.session.scalars(select(SpecialProcedure).where(
        SpecialProcedure.instance_id == instance_id, SpecialProcedure.ended_at.is_(None),
        SpecialProcedure.kind != EXTENSION).order_by(SpecialProcedure.id)))


def _recompute(uow: UnitOfWork, clock: CaseClock) -> None:
    found = _calendar(uow, clock.calendar).deadline_at(
        clock.started_at, clock.promised_days + clock.extension_days + clock.paused_working_days)
    clock.deadline_at, clock.provisional = found.at, found.provisional


def _calendar(uow: UnitOfWork, name: str) -> calendar.WorkingCalendar:
    try:
        return calendar.for_runtime(uow, name)
    except NotFound as exc:
        raise ProcessError(f"the case's working-day calendar {name!r} does not exist") from exc


def _summary(clock: CaseClock) -> dict[str, Any]:
    return {"deadline_at": clock.deadline_at.isoformat(), "provisional": clock.provisional,
            "promised_days": clock.promised_days, "extension_days": clock.extension_days,
            "paused_working_days_total": clock.paused_working_days}


# ---- provisional deadlines ----------------------------------------------------------------------

@calendar.on_years_loaded
def recompute_deadlines(uow: UnitOfWork, calendars: list[str], years: list[int]) -> None:
    """Years were loaded (same transaction as the load): every open clock counted with weekdays only,
    or over those years, gets the deadline the new days give. Its view counts with the current days
    anyway; the stored deadline must agree, as supervision narrows its queries by it. Paused days already
    counted stay as counted when they ended. A stopped clock keeps the deadline it was held to and the
    days it used, unless they were provisional: those are counted again with the announced days."""
    # Two days either side: a local new year is still the old year in UTC, whatever the zone.
    first = datetime(min(years), 1, 1, tzinfo=UTC) - timedelta(days=2)
    last = datetime(max(years) + 1, 1, 1, tzinfo=UTC) + timedelta(days=2)
    # Due dates and timers first: they lock their cases, and a case's lock comes before its clock's row, as
    # in every command (a completion stopping a clock), so that the two never wait for each other.
    recount_workdays(uow, calendars, years, first, last)
    touched = and_(CaseClock.started_at < last, CaseClock.deadline_at >= first)
    clocks = uow.session.scalars(select(CaseClock).where(
        CaseClock.calendar.in_(calendars),
        or_(CaseClock.provisional.is_(True), and_(CaseClock.state != STOPPED, touched))))
    for clock in clocks:
        _recompute(uow, clock)
        if clock.state == STOPPED and clock.stopped_at is not None:
            clock.used_working_days = _used_days(uow, clock, clock.stopped_at)
    # A result not delivered yet is due as the loaded days count from the decision.
    undelivered = uow.session.scalars(select(CaseClock).where(
        CaseClock.calendar.in_(calendars), CaseClock.delivered_at.is_(None), CaseClock.delivery_due_at >= first,
        CaseClock.stopped_at < last))
    for clock in undelivered:
        if clock.stopped_at is not None:
            clock.delivery_due_at = _calendar(uow, clock.calendar).deadline_at(clock.stopped_at, DELIVERY_DAYS).at


def recount_workdays(uow: UnitOfWork, calendars: list[str], years: list[int], first: datetime,
                     last: datetime) -> None:
    """Due times a diagram counted with ``workdays(n)`` follow the loaded years, as clocks do: an open
    task's due date (``camunda:dueDate`` calling workdays) counted again from when the task was created,
    and a waiting ``timeDate`` timer calling workdays counted again from when it started waiting (its
    job's creation), on the calendar as now loaded. Only those whose count spans the loaded years
    [``first``, ``last``) are read; a timer already due stays as it is (it fires as it was due).

    A task's due date is its inbox row alone; a timer's lives in the case's workflow state too, so each
    case with a timer moved is saved with its version check (a command that read it before gets 409), its
    row locked first, one case at a time in case order. Helper: the loading transaction."""
    from . import case_lock, execution, timer_refresh
    from .models import Job

    now, session = utcnow(), uow.session
    open_states = (execution.OPEN, execution.HELD)
    spans = or_(and_(Task.created_at < last, Task.due_at >= first), and_(Task.due_at < last, Task.created_at >= first))
    dated = select(Task.instance_id).where(Task.state.in_(open_states), Task.due_at.is_not(None), spans)
    timed = select(Job.instance_id).where(Job.state == "pending", Job.kind == "timer", Job.due_at > now,
                                          Job.due_at >= first, Job.created_at < last)
    cases = session.execute(select(ProcessInstance.id, ProcessInstance.definition_id, ProcessInstance.called_versions)
                            .where(or_(ProcessInstance.id.in_(dated), ProcessInstance.id.in_(timed)))
                            .order_by(ProcessInstance.id)).all()
    reason = f"calendar {', '.join(calendars)} loaded for {', '.join(str(y) for y in years)}"
    counting: dict[int, tuple[str, bool]] = {}  # definition id -> (its calendar, its diagram calls workdays())
    for instance_id, definition_id, called in cases:
        if definition_id not in counting:
            counting[definition_id] = _counting(uow, definition_id)
        name, calls = counting[definition_id]
        # A case that calls other processes may count in them: only its own calendar rules it out then.
        if name not in calendars or not (calls or called):
            continue
        case_lock.lock_case(session, instance_id)
        case = execution.open_case(uow, instance_id)
        days = _calendar(uow, name)
        _recount_task_dues(uow, case, days)
        moved = False
        for job in session.scalars(select(Job).where(Job.instance_id == instance_id, Job.state == "pending",
                                                     Job.kind == "timer", Job.due_at > now)):
            due = timer_refresh.recounted_due(case, job, calendar.working_days_function(days, job.created_at))
            if due is not None and due != job.due_at:
                timer_refresh.move(case, job, due, reason)
                moved = True
        if moved:
            execution.save(uow, case)


def _counting(uow: UnitOfWork, definition_id: int) -> tuple[str, bool]:
    """A definition's calendar (``govflow.calendar``, else the national one) and whether its diagram calls
    workdays() anywhere (a due date, a timer): read once per definition, so that a load opens and locks
    no case that cannot have counted with it."""
    from . import execution
    from .timer_refresh import CALLS_WORKDAYS

    definition = uow.session.get(ProcessDefinition, definition_id)
    assert definition is not None  # cases reference their definition
    name = execution.process_properties(uow, definition).get(CALENDAR) or calendar.NATIONAL
    return name, CALLS_WORKDAYS.search(definition.resource.content.decode("utf-8", "replace")) is not None


def _recount_task_dues(uow: UnitOfWork, case: Case, days: calendar.WorkingCalendar) -> None:
    """The case's open tasks whose dueDate calls workdays(), counted again from their creation."""
    from . import _spiff, execution, timer_refresh

    session, instance_id = uow.session, case.row.id
    for row in session.execute(select(Task.id, Task.created_at, Task.due_at, Task.properties).where(
            Task.instance_id == instance_id, Task.state.in_((execution.OPEN, execution.HELD)),
            Task.due_at.is_not(None))):
        task = _spiff.task_by_id(case.workflow, row.id)
        if task is None:
            continue
        expression = execution.element_meta(uow, case, task).get("due_date")
        if not isinstance(expression, str) or not timer_refresh.CALLS_WORKDAYS.search(expression) \
                or _shared(uow, instance_id, row):
            continue
        workdays = calendar.working_days_function(days, row.created_at)
        try:
            due = parse_due(execution.evaluate(task, expression, {**task.data, "workdays": workdays}),
                            row.created_at)
        except Exception as exc:  # noqa: BLE001 -- any failure of a diagram's expression: the task keeps its date
            log.warning("due date of task %s of case %s not recounted: %s", row.id, instance_id, exc)
            continue
        if due != row.due_at:
            session.execute(update(Task).where(Task.id == row.id).values(due_at=due))


def _shared(uow: UnitOfWork, instance_id: int, row: Any) -> bool:
    """Whether the task's due date is its share of the case's time (govflow.dueShare), not its dueDate:
    it has a share and the clock ran when the task was created (as due_share.apply decides)."""
    from .due_share import DUE_SHARE, parse_share  # due_share imports this module

    if parse_share((row.properties or {}).get(DUE_SHARE)) is None:
        return False
    clock = uow.session.get(CaseClock, instance_id)
    return clock is not None and clock.started_at <= row.created_at and (
        clock.stopped_at is None or row.created_at < clock.stopped_at)


# ---- commands and the query ----------------------------------------------------------------------

@dataclass(frozen=True)
class ProcedureKind:
    """A kind of special procedure a case may start by hand: its name, and the working days the guide says
    it may last (None: the guide says not, or the item has no guide)."""

    kind: str
    name: str
    max_days: int | None = None


@dataclass
class ClockView:
    instance_id: int
    state: str
    calendar: str
    promised_days: int
    statutory_days: int | None
    extension_days: int
    started_at: datetime
    stopped_at: datetime | None
    deadline_at: datetime  # while paused: as if the pause ended now (it can only move later)
    deadline_date: date
    provisional: bool
    paused_since: datetime | None
    paused_working_days: int  # closed pauses plus the open one so far
    used_working_days: int
    remaining_working_days: int  # negative once overdue
    overdue: bool
    extension_allowance_days: int  # what all extensions may add up to (Art 42)
    extension_remaining_days: int  # what a further extension may still add; 0 once stopped
    extension_basis: str
    extension_law: str  # the law alone, as written (行政许可法第四十二条第一款, or the guide's): for pages to word
    procedures: list[SpecialProcedure] = field(default_factory=list)
    # What pause takes, filled by the commands here (get, pause, resume, extend); empty elsewhere.
    procedure_kinds: list[ProcedureKind] = field(default_factory=list)
    delivery_due_at: datetime | None = None  # Art 44: set once the decision stopped the clock (DELIVERY_DAYS)
    delivery_due_date: date | None = None
    delivered_at: datetime | None = None
    # Past the due time undelivered, or delivered after it (as of the view's time)
    delivery_overdue: bool = False


def get(uow: UnitOfWork, instance_id: int, *, actor: Actor, now: datetime | None = None) -> ClockView:
    """The case's clock: deadline, working days used and remaining, its special procedures.

    Raises NotFound: no such case, or the case has no clock (not accepted yet, or no time limit)."""
    with uow:
        case_access.require_case(uow, actor, instance_id)  # outside a scoped clerk's departments: NotFound
        clock = case_clock(uow, instance_id, lock=False)
        return _view(uow, clock, now or utcnow())


def pause(uow: UnitOfWork, instance_id: int, *, actor: Actor, kind: str, reason: str,
          now: datetime | None = None) -> ClockView:
    """Start a special procedure by hand (an excluded period, 行政许可法 Art 45): the clock pauses, and the
    applicant is issued the notice of it and of the time it takes (engine.documents, ``special_procedure_notice``).

    Raises:
        Forbidden: not a clerk of the case, a supervisor or an admin.
        NotFound: no such case, or no clock.
        ValidationFailed: an unknown kind, a kind the guide of the item does not list (SX22: the guide
            states the periods that are not counted; a guide that lists none allows none), or no reason.
        Conflict: the clock is stopped or already paused.
        ProcessError: the notice's template fails on the case's data (nothing changes).
    """
    now = now or utcnow()
    if kind not in EXCLUDED_KINDS:
        raise ValidationFailed(f"unknown special procedure {kind!r}", details=[
            {"field": "kind", "message": f"one of {', '.join(EXCLUDED_KINDS)}"}])
    reason = _required_text(reason, "reason")
    with uow:
        case_access.require_clerk_or_supervisor_of_case(uow, actor, instance_id,
                                                        action="start or end special procedures")
        clock = case_clock(uow, instance_id, lock=True)
        _require_not_stopped(uow, clock)
        max_days = _require_listed(uow, instance_id, kind)
        if clock.state == PAUSED:
            raise Conflict(f"the clock of process instance {instance_id} is already paused", state=clock.state)
        item = _open(uow, clock, now, kind=kind, reason=reason, element_id=None, task_id=None, actor=actor.name)
        _history(uow, instance_id, actor, now, item)
        _history(uow, instance_id, actor, now, _tell_procedure(uow, clock, actor=actor, kind=kind, reason=reason,
                                                               max_days=max_days, now=now))
        uow.commit()
        return _view(uow, clock, now)


def _tell_procedure(uow: UnitOfWork, clock: CaseClock, *, actor: Actor, kind: str, reason: str,
                    max_days: int | None, now: datetime) -> dict[str, Any]:
    """The applicant's written notice of a special procedure started by hand and how long it takes (Art 45:
    ``max_days``, the working days the item's guide lets it last, when it says), and a text at once
    (engine.notify). Returns the written notice's history item."""
    from .documents import issue_special_procedure_notice  # documents reads guides, which import this module

    ends = _calendar(uow, clock.calendar).add_working_days(now, max_days) if max_days else None
    item = issue_special_procedure_notice(uow, clock, actor=actor, kind=kind, name=KIND_NAMES[kind], reason=reason,
                                          max_days=max_days, ends=ends, now=now)
    notify.special_procedure(uow, uow.session.get_one(ProcessInstance, clock.instance_id),
                             None if kind == "other" else KIND_NAMES[kind], max_days)
    return item


def resume(uow: UnitOfWork, instance_id: int, *, actor: Actor, result: str | None = None,
           opinion: str | None = None, now: datetime | None = None) -> ClockView:
    """End the special procedure started by hand, with its result and opinion: the clock runs again
    (unless a diagram's excluded period is still open) and the deadline moves by the paused working days.

    Raises:
        Forbidden: not a clerk of the case, a supervisor or an admin.
        NotFound: no such case, or no clock.
        Conflict: the clock is stopped, or no procedure started by hand is open (a diagram's ends with its step).
    """
    now = now or utcnow()
    with uow:
        case_access.require_clerk_or_supervisor_of_case(uow, actor, instance_id,
                                                        action="start or end special procedures")
        clock = case_clock(uow, instance_id, lock=True)
        _require_not_stopped(uow, clock)
        manual = [p for p in _open_procedures(uow, instance_id) if p.element_id is None]
        if not manual:
            raise Conflict(f"process instance {instance_id} has no special procedure started by hand open"
                           + (" (the diagram's excluded period resumes the clock when its step ends)"
                              if clock.state == PAUSED else ""), state=clock.state)
        item = None
        for procedure in manual:
            item = _close(uow, clock, procedure, now, result=_optional_text(result, "result"),
                          opinion=_optional_text(opinion, "opinion")) or item
        _history(uow, instance_id, actor, now, item)
        uow.commit()
        return _view(uow, clock, now)


def extend(uow: UnitOfWork, instance_id: int, *, actor: Actor, days: int, reason: str,
           now: datetime | None = None) -> ClockView:
    """Extend the time limit (延长审批, 行政许可法 Art 42) by ``days`` working days with a reason, on the agency
    head's own initiative (a clerk's request goes through engine.extensions, which the head decides): a
    special procedure of kind ``extension``, the deadline moved, an ``extended`` event for the applicant's
    channels. All of a case's extensions together stay within ``extension_allowance`` (10 working days, 15
    for joint handling); the clock row is locked, so two approvals at once cannot pass it together.

    Raises:
        Forbidden: not an agency head (role ``head``) or an admin, or not a head of the case's lead department.
        NotFound: no such case, or no clock.
        ValidationFailed: days not a whole number of at least 1, or no reason.
        Conflict: a clerk's request of the case is pending (``pending_request_id``: the head decides it
            instead), the clock is stopped, the deadline has passed (an extension is approved within the time
            limit, Art 42; afterwards the case stays overdue and its reason is recorded instead), or ``days`` is
            more than the allowance has left (nothing at all for an item that is not a licence and whose
            guide sets no allowance of its own). Nothing changes.
    """
    actor.require(case_access.HEAD, action="extend time limits")
    now = now or utcnow()
    days = whole_days(days)
    reason = _required_text(reason, "reason")
    with uow:
        case_access.require_head_of_case(uow, actor, instance_id, action="extend the time limit")
        clock = case_clock(uow, instance_id, lock=True)  # a request locks it too before it writes its row
        _require_no_pending_request(uow, instance_id)
        require_extensible(uow, clock, days, now)
        grant_extension(uow, clock, actor=actor, days=days, reason=reason, now=now)
        uow.commit()
        return _view(uow, clock, now)


def whole_days(days: Any) -> int:
    """The working days of an extension, checked. Raises ValidationFailed: not a whole number of at least 1."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValidationFailed("an extension is a whole number of working days, at least 1", details=[
            {"field": "days", "message": "a whole number of at least 1"}])
    return days


def require_extensible(uow: UnitOfWork, clock: CaseClock, days: int, now: datetime) -> None:
    """What an approval checks, and a request up front: the clock runs (or is paused), the deadline has not
    passed, and ``days`` fit in what the allowance has left. Helper: the caller's transaction.

    Raises Conflict (see ``extend``)."""
    _require_not_stopped(uow, clock)
    _require_within_time_limit(uow, clock, now)
    _require_allowance(clock, days)


def _require_no_pending_request(uow: UnitOfWork, instance_id: int) -> None:
    # A head extending on their own while a clerk's request waits would leave the request to be approved
    # on top of it, or to lapse unanswered: the head decides the request (with fewer days, if need be).
    pending = uow.session.scalar(select(ExtensionRequest).where(
        ExtensionRequest.instance_id == instance_id, ExtensionRequest.state == "pending"))
    if pending is not None:
        raise Conflict(f"process instance {instance_id} has extension request {pending.id} pending "
                       f"({pending.days} working days, requested by {pending.requested_by}): approve or refuse it "
                       "instead", pending_request_id=pending.id, state="pending")


def grant_extension(uow: UnitOfWork, clock: CaseClock, *, actor: Actor, days: int, reason: str, now: datetime,
                    opinion: str | None = None, request_id: int | None = None) -> dict[str, Any]:
    """Extend the locked, checked clock (``require_extensible``): the special procedure, the deadline moved,
    the ``clock.extended`` history item, the ``extended`` event and the applicant's notice of it (Art 42,
    engine.documents). Returns the item's data. Helper: the caller's transaction."""
    from .documents import issue_extension_notice  # documents reads guides, which import this module

    instance_id = clock.instance_id
    uow.session.add(SpecialProcedure(instance_id=instance_id, kind=EXTENSION, started_at=now, ended_at=now,
                                     reason_or_basis=reason, result="approved", opinion=opinion, days=days,
                                     created_by=actor.name))
    previous_deadline = clock.deadline_at
    clock.extension_days += days
    _recompute(uow, clock)
    data: dict[str, Any] = {"days": days, "reason": reason, **_summary(clock),
                            "extension_remaining_days": _extension_left(clock)}
    if request_id is not None:
        data["request_id"] = request_id
    _history(uow, instance_id, actor, now, {"event": "clock.extended", "data": data})
    outbox.emit(uow, "extended", instance=uow.session.get(ProcessInstance, instance_id), data=data)
    _history(uow, instance_id, actor, now, issue_extension_notice(
        uow, clock, actor=actor, days=days, reason=reason, previous_deadline=previous_deadline, now=now))
    notify.extension_granted(uow, clock, days)  # a text at once; the written notice above is the formal one
    return data


NO_EXTENSION = ("none: the item is not an administrative licence (行政许可), so 行政许可法第四十二条 does not "
                "apply, and its guide names no law that extends its time limit (extension): its promised limit "
                "is the final deadline")


def extension_allowance(clock: CaseClock) -> int:
    """The working days all of a case's extensions may add up to: what the item's guide set when the clock
    started (a special law's rule; 0 for an item that is not a licence and whose guide sets none), else
    行政许可法 Art 42's."""
    if clock.extension_allowance_days is not None:
        return clock.extension_allowance_days
    return JOINT_EXTENSION_ALLOWANCE_DAYS if _joint(clock) else EXTENSION_ALLOWANCE_DAYS


def extension_basis(clock: CaseClock) -> str:
    """The legal basis of the case's extension allowance, as refusals and the clock view name it."""
    if _no_extension(clock):
        return NO_EXTENSION
    if clock.extension_allowance_days is not None:
        return f"{clock.extension_basis or 'the item guide'}: {clock.extension_allowance_days} working days in all"
    if _joint(clock):
        return (f"行政许可法第四十二条第二款 (Art 42 ¶2, joint, unified or centralised handling with the "
                f"{JOINT_STATUTORY_DAYS}-day limit): {JOINT_EXTENSION_ALLOWANCE_DAYS} working days in all")
    return f"行政许可法第四十二条第一款 (Art 42 ¶1): {EXTENSION_ALLOWANCE_DAYS} working days in all"


def extension_law(clock: CaseClock) -> str:
    """The law setting the case's extension allowance, as written: the guide's, or the article of the
    Administrative Licensing Law (its paragraph 2 for joint handling); empty when a guide names none."""
    if clock.extension_allowance_days is not None:
        return clock.extension_basis or ""
    return "行政许可法第四十二条第二款" if _joint(clock) else "行政许可法第四十二条第一款"


def _no_extension(clock: CaseClock) -> bool:
    """Whether no law extends the time limit of the case: an allowance of 0 with no basis, which only a
    clock of an item that is not a licence and whose guide sets no allowance gets (a guide that sets one
    names its basis)."""
    return clock.extension_allowance_days == 0 and not clock.extension_basis


def _joint(clock: CaseClock) -> bool:
    return clock.statutory_days == JOINT_STATUTORY_DAYS


def _extension_left(clock: CaseClock) -> int:
    # Never negative, for a case extended further before the allowance was enforced.
    return max(0, extension_allowance(clock) - clock.extension_days)


def _require_allowance(clock: CaseClock, days: int) -> None:
    allowance, left = extension_allowance(clock), _extension_left(clock)
    if _no_extension(clock):
        raise Conflict(f"process instance {clock.instance_id} may not be extended; legal basis: {NO_EXTENSION}",
                       state=clock.state, extension_remaining_days=0, extension_allowance_days=0)
    if days > left:
        raise Conflict(f"process instance {clock.instance_id} may be extended by at most {left} more working "
                       f"days, not {days}: {clock.extension_days} of the {allowance} allowed are already approved "
                       f"(legal basis: {extension_basis(clock)})",
                       state=clock.state, extension_remaining_days=left, extension_allowance_days=allowance)


# ---- helpers --------------------------------------------------------------------------------------

def case_clock(uow: UnitOfWork, instance_id: int, *, lock: bool) -> CaseClock:
    """The case's clock row, locked with ``lock``. Raises NotFound: no such case, or no clock (yet)."""
    clock = uow.session.get(CaseClock, instance_id, with_for_update=lock or None)
    if clock is None:
        if uow.session.get(ProcessInstance, instance_id) is None:
            raise NotFound(f"process instance {instance_id} not found")
        raise NotFound(f"process instance {instance_id} has no time-limit clock (not accepted yet, "
                       "or its process sets no time limit)")
    return clock


def _view(uow: UnitOfWork, clock: CaseClock, now: datetime) -> ClockView:
    """The clock view the commands answer with: its procedures, and the kinds a pause takes."""
    view = clock_view(uow, clock, _procedures(uow, clock.instance_id), now)
    view.procedure_kinds = procedure_kinds(uow, clock.instance_id)
    if view.delivery_overdue and clock.delivered_at is None:
        state = uow.session.scalar(select(ProcessInstance.state).where(ProcessInstance.id == clock.instance_id))
        # Ended without its delivery step, it owes none (engine.supervision_delivery).
        view.delivery_overdue = state in ("running", "suspended")
    return view


def _listed(uow: UnitOfWork, instance_id: int) -> tuple[Guide | None, dict[str, int | None]]:
    """The latest guide of the case and the special procedures it lists (kind -> max days); every kind of
    Art 45 when the item has no guide."""
    from .guides import latest_for_process, listed_periods

    row = uow.session.get(ProcessInstance, instance_id)
    guide = latest_for_process(uow, row.definition_key) if row is not None else None
    if guide is None:
        return None, dict.fromkeys(EXCLUDED_KINDS)
    return guide, {kind: days for kind, days in listed_periods(guide.content).items() if kind in EXCLUDED_KINDS}


def procedure_kinds(uow: UnitOfWork, instance_id: int) -> list[ProcedureKind]:
    """The kinds of special procedure the case may start by hand, named, with how long the guide lets each
    last (caller's transaction)."""
    return [ProcedureKind(kind, KIND_NAMES[kind], days) for kind, days in _listed(uow, instance_id)[1].items()]


def _require_listed(uow: UnitOfWork, instance_id: int, kind: str) -> int | None:
    """The working days the guide lets the special procedure ``kind`` last (None: it says none, or no guide)."""
    # SX22: the periods that are not counted are stated in the guide; one the guide does not state would
    # stretch the time limit the applicant was promised.
    guide, listed = _listed(uow, instance_id)
    if kind in listed or guide is None:
        return listed.get(kind)
    item = f"the guide of item {guide.code} ({guide.name}, version {guide.version})"
    allowed = ", ".join(f"{k} ({KIND_NAMES[k]})" for k in listed)
    raise ValidationFailed(
        f"{item} does not list the special procedure {kind} ({KIND_NAMES[kind]}): "
        + (f"it lists {allowed}" if listed else "it lists none, so no time of this case goes uncounted"),
        details=[{"field": "kind", "message": f"one of {allowed}" if listed else "none listed in the guide"}])


def _procedures(uow: UnitOfWork, instance_id: int) -> list[SpecialProcedure]:
    return list(uow.session.scalars(select(SpecialProcedure).where(SpecialProcedure.instance_id == instance_id)
                                    .order_by(SpecialProcedure.id)))


def clock_view(uow: UnitOfWork, clock: CaseClock, procedures: list[SpecialProcedure], now: datetime) -> ClockView:
    """A clock as of ``now``: a paused one as if its pause ended now, so paused time never counts. A
    stopped one as it was counted when it stopped (its deadline and used days stay, whatever a calendar
    says later)."""
    cal = _calendar(uow, clock.calendar)
    end = clock.stopped_at or now
    paused, counted = _counted(cal, clock, end)
    limit = clock.promised_days + clock.extension_days
    if clock.state == STOPPED and clock.used_working_days is not None:
        used = counted = clock.used_working_days
        deadline = Deadline(local_date(clock.deadline_at), clock.deadline_at, clock.provisional)
    else:
        used = max(0, counted)
        deadline = cal.deadline_at(clock.started_at, limit + paused)
    # The days left are those to the deadline, even where a calendar changed after pauses were counted
    # and the used days would come out below 0 (shown as 0): supervision narrows by the deadline. Past
    # the deadline they are negative, also before the next working day comes (a weekend, a holiday).
    remaining = limit - counted
    if end > deadline.at:
        remaining = min(remaining, -1)
    return ClockView(instance_id=clock.instance_id, state=clock.state, calendar=clock.calendar,
                     promised_days=clock.promised_days, statutory_days=clock.statutory_days,
                     extension_days=clock.extension_days, started_at=clock.started_at, stopped_at=clock.stopped_at,
                     deadline_at=deadline.at, deadline_date=deadline.date,
                     provisional=clock.provisional or deadline.provisional, paused_since=clock.paused_since,
                     paused_working_days=paused, used_working_days=used, remaining_working_days=remaining,
                     overdue=end > deadline.at, extension_allowance_days=extension_allowance(clock),
                     # stopped or overdue: nothing more may be extended (see extend)
                     extension_remaining_days=0 if clock.state == STOPPED or end > deadline.at
                     else _extension_left(clock),
                     extension_basis=extension_basis(clock), extension_law=extension_law(clock),
                     procedures=procedures, delivery_due_at=clock.delivery_due_at,
                     delivery_due_date=local_date(clock.delivery_due_at) if clock.delivery_due_at else None,
                     delivered_at=clock.delivered_at,
                     delivery_overdue=clock.delivery_due_at is not None
                     and (clock.delivered_at or now) > clock.delivery_due_at)


def _counted(cal: calendar.WorkingCalendar, clock: CaseClock, end: datetime) -> tuple[int, int]:
    """(working days paused, working days counted) from the clock's start to ``end``: an open pause as if
    it ended then. The counted days fall below 0 only where pauses counted earlier became holidays since."""
    paused = clock.paused_working_days
    if clock.paused_since is not None:
        paused += max(0, cal.working_days_between(clock.paused_since, end).days)
    return paused, cal.working_days_between(clock.started_at, end).days - paused


def _used_days(uow: UnitOfWork, clock: CaseClock, stopped_at: datetime) -> int:
    """The working days a clock stopping at ``stopped_at`` used, as its view counts them."""
    return max(0, _counted(_calendar(uow, clock.calendar), clock, stopped_at)[1])


def _history(uow: UnitOfWork, instance_id: int, actor: Actor, now: datetime, item: dict[str, Any] | None) -> None:
    if item is not None:
        uow.session.add(HistoryEvent(instance_id=instance_id, at=now, actor=actor.name, event=item["event"],
                                     data=item["data"]))


def _require_within_time_limit(uow: UnitOfWork, clock: CaseClock, now: datetime) -> None:
    # An extension approved once the deadline passed would turn a red case green after the fact: 电子监察
    # would lose the overdue case, and Art 42 extends a limit that is still running.
    view = clock_view(uow, clock, [], now)
    if view.overdue:
        raise Conflict(f"process instance {clock.instance_id} is past its deadline ({view.deadline_date}): an "
                       "extension is approved before the time limit runs out (行政许可法第四十二条); record the "
                       "overdue reason instead", state=clock.state, deadline_date=view.deadline_date.isoformat())


_STOPPED_BY = {DECIDED: "at the decision", WITHDRAWN: "as the applicant withdrew the case",
               TERMINATED: "as the office terminated the case", ENDED: "as the case ended without a decision"}


def _require_not_stopped(uow: UnitOfWork, clock: CaseClock) -> None:
    # The context says how it stopped: a withdrawn case was not decided, and pages must not say it was.
    if clock.state == STOPPED:
        because = stop_cause(uow, clock) or DECIDED
        raise Conflict(f"the clock of process instance {clock.instance_id} stopped {_STOPPED_BY[because]}",
                       state=clock.state, stopped_because=because)


def _required_text(value: str | None, name: str) -> str:
    return required_text(value, field=name, longest=MAX_TEXT)


def _optional_text(value: str | None, name: str) -> str | None:
    return optional_text(value, field=name, longest=MAX_TEXT)
