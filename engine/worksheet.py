"""A task as a clerk works it: the task, its form prefilled, the case summary with its statutory clock, and
what earlier steps decided; and a completion that says what it issued."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Self

from sqlalchemy import Row, and_, event, inspect, or_, select
from sqlalchemy.orm import Session

from . import (
    calendar,
    case_access,
    case_state,
    confidential,
    delivery_methods,
    execution,
    form_merge,
    forms,
    sealing,
    tasks,
    time_limits,
)
from .clock import utcnow
from .errors import EngineError, NotFound, ProcessError
from .inbox import due_soon, urgency
from .instances import InstanceView
from .materials import NewMark, bundle_ids
from .models import (
    CaseClock,
    Document,
    HistoryEvent,
    Material,
    MaterialMark,
    ProcessDefinition,
    ProcessInstance,
    Task,
)
from .unit_of_work import Runtime, UnitOfWork
from .users import Actor

APPLICANT_KEYS = execution.APPLICANT_KEYS  # where integrators and forms commonly store the applicant (申请人)
OPEN_CASE_STATES = ("running", "suspended")


@dataclass
class CaseSummary:
    instance_id: int
    business_key: str
    item_key: str
    item_name: str
    item_version: int
    state: str
    started_at: datetime
    started_by: str | None
    applicant: str | None
    # The statutory clock (限时办结) as GET /api/process-instances/ID/clock reads it: supplement waits before
    # acceptance and excluded periods are not counted. None: the case has no clock.
    clock: time_limits.ClockView | None
    clock_pending: bool  # no clock yet, and the process starts one at acceptance (受理) still to come
    provisional: bool  # the step's days left counted in a year without calendar data (weekdays only)
    # How the case ended other than by a decision (engine.case_state: withdrawn, terminated); None while it
    # runs or once decided. Only then does a stopped clock say how early or late the case concluded.
    end_kind: str | None = None


@dataclass
class Opinion:
    """An earlier step of the case as it was completed: who, when, and the values its form submitted."""

    task_id: str | None
    name: str | None
    actor: str | None
    at: datetime
    values: dict[str, Any]  # history's copy: confidential variables are stored as *** (engine.confidential)
    schema: dict[str, Any] | None  # the step's deployed form-js form, for labels; None: none or not deployed
    # The meeting round the step belongs to (ROUND_COUNTER); None: before the first round, or no rounds.
    round: int | None = None


@dataclass
class TaskSheet:
    task: Task
    form: forms.TaskForm | None  # None: the task has no form, or its form is not deployed
    form_missing: bool  # a formKey is set but no such form is deployed
    case: CaseSummary
    urgency: str | None  # overdue | due_soon | None
    working_days_left: int | None  # to the task's due date; negative when overdue
    materials: list[Material]  # submitted to the case, so nobody asks for them twice (SX32)
    opinions: list[Opinion] = field(default_factory=list)  # the case's completed steps, oldest first
    # Materials the window received otherwise (engine.materials.record: a paper original checked, not
    # applicable, obtained through data sharing), by name, in the order recorded: received all the same.
    marks: dict[str, MaterialMark] = field(default_factory=dict)
    # The case's data as this reader may read it (confidential values masked), and the schema of the form it
    # was started with (a bundle's merged application), by whose labels the page shows the application.
    data: dict[str, Any] = field(default_factory=dict)
    start_schema: dict[str, Any] | None = None
    # The checklist choices saved with the task (暂存, engine.tasks.save), by material name: shown chosen.
    draft_marks: dict[str, str] = field(default_factory=dict)


def task_sheet(uow: UnitOfWork, task_id: str, *, actor: Actor) -> TaskSheet:
    """Raises NotFound (no such task, or not visible to the actor); ProcessError (a broken form, or the
    clock's calendar missing)."""
    with uow:
        reading = tasks.read(uow, task_id, actor)
        task, data = reading.task, reading.data
        form, missing = None, False
        if task.form_key:
            try:  # prefilled with what was saved with the task (暂存), the case's data shown as it stands
                form = forms.describe(uow, task.form_key, reading.definition, tasks.with_draft(data, reading.draft))
            except NotFound:
                missing = True  # the task can still be completed; the page says the form is missing
        row = uow.session.get(ProcessInstance, task.instance_id)
        assert row is not None  # a task row never outlives its case
        if form is not None:  # a delivery step offers the ways the item's guide lists
            delivery_methods.narrow(uow, row, form)
        now = utcnow()
        left, provisional = None, False
        if task.due_at is not None:
            days, ahead = calendar.for_runtime(uow), task.due_at > now
            count = days.working_days_between(now, task.due_at) if ahead else days.working_days_between(task.due_at, now)
            left, provisional = (count.days if ahead else -count.days), count.provisional
        soon = due_soon(uow, now, [task.definition_key]).until(task.definition_key)
        shown = confidential.for_reader(data, reading.hidden, actor)  # the form shows what it lists
        applicant = next((str(shown[k]) for k in APPLICANT_KEYS if shown.get(k) not in (None, "")), None)
        clock, pending = _clock(uow, row, now)
        summary = CaseSummary(
            instance_id=row.id, business_key=row.business_key, item_key=row.definition_key,
            item_name=row.definition.name or row.definition_key, item_version=row.definition.version,
            state=row.state, started_at=row.started_at, started_by=row.started_by, applicant=applicant,
            clock=clock, clock_pending=pending, provisional=provisional,
            end_kind=None if row.state == "running" else case_state.of_case(uow, row).end_kind)
        # Whoever may see one of the case's tasks may see its materials (engine.materials.require_access).
        cases = bundle_ids(uow, row.id)
        submitted = list(uow.session.scalars(select(Material).where(  # a withdrawn upload is no material
            Material.instance_id.in_(cases), Material.withdrawn_at.is_(None)).order_by(Material.id)))
        marks = {mark.name: mark for mark in uow.session.scalars(  # a mark taken back is deleted
            select(MaterialMark).where(MaterialMark.instance_id.in_(cases)).order_by(MaterialMark.id))}
        sheet = TaskSheet(task=task, form=form, form_missing=missing, case=summary,
                          urgency=urgency(task.due_at, now, soon, task.created_at), working_days_left=left, materials=submitted,
                          opinions=opinions(uow, row), marks=marks, data=shown, draft_marks=reading.draft_marks)
    sheet.start_schema = _start_schema(uow, summary.item_key, summary.item_version)
    return sheet


def _clock(uow: UnitOfWork, row: ProcessInstance, now: datetime) -> tuple[time_limits.ClockView | None, bool]:
    """The case's clock as its API reads it (without the special procedures); else whether one is to come."""
    clock = uow.session.get(CaseClock, row.id)
    if clock is not None:
        return time_limits.clock_view(uow, clock, [], now), False
    marks = time_limits.marks_of(uow, row.definition)
    return None, row.state in OPEN_CASE_STATES and marks is not None and bool(marks.starts)


# The variable a diagram counts its rounds in, raised by a script task as each round opens: the joint review
# meeting's meeting_round (bpmn/ZWFW-LH-0001: met again for want of a quorum, or as the chair asked).
ROUND_COUNTER = "meeting_round"
_COMPLETIONS = (select(HistoryEvent.id, HistoryEvent.element_id, HistoryEvent.task_id, HistoryEvent.element_name,
                       HistoryEvent.actor, HistoryEvent.at, HistoryEvent.data, Task.form_key, HistoryEvent.event)
                .outerjoin(Task, Task.id == HistoryEvent.task_id)
                .where(or_(HistoryEvent.event.in_(("task.completed", "task.bpmn_error")),
                           and_(HistoryEvent.event == "element.completed", HistoryEvent.element_type == "ScriptTask"))))
# How a task another ended through its diagram's leave (govflow.thrownBy) reads among the opinions: the reason.
_ENDED_BY_OTHERS = {"components": [{"type": "textarea", "key": "message", "label": "原因"}]}


def opinions(uow: UnitOfWork, row: ProcessInstance) -> list[Opinion]:
    """The case's completed user tasks from its history (one query), each with the deployed form of its
    step for labels and its meeting round (_rounds); a step sealed until a later element (engine.sealing)
    only once that element has completed after it, whoever reads. A task another user ended through its
    diagram's leave (the centre recording a member absent: govflow.thrownBy) is among them, named by the
    event and the member, with the reason given. Helper: the caller's transaction."""
    rows = uow.session.execute(_COMPLETIONS.where(HistoryEvent.instance_id == row.id)
                               .order_by(HistoryEvent.id)).all()
    rounds = _rounds(rows)
    found = [r for r in rows if r.event != "element.completed"]
    sealed = sealing.sealed_ids(uow, row, [(event_id, element, "task.completed", at)
                                           for event_id, element, _task, _name, _who, at, *_ in found])
    schemas: dict[str, dict[str, Any] | None] = {}
    result = []
    for event_id, _element, task_id, name, who, at, data, form_key, event in found:
        if event == "task.bpmn_error":
            if (data or {}).get("thrown_by"):  # an external worker's errors are no one's opinion
                said = data.get("boundary_name") or data.get("code")
                member = data.get("member")
                result.append(Opinion(task_id=task_id, name=f"{said}（{member}）" if member else said, actor=who,
                                      at=at, values={"message": data.get("message")}, schema=_ENDED_BY_OTHERS,
                                      round=rounds.get(event_id)))
            continue
        if event_id in sealed:
            continue
        if form_key and form_key not in schemas:
            schemas[form_key] = _schema(uow, form_key, row.definition)
        values = (data or {}).get("variables")
        result.append(Opinion(task_id=task_id, name=name, actor=who, at=at,
                              values=values if isinstance(values, dict) else {},
                              schema=schemas.get(form_key) if form_key else None, round=rounds.get(event_id)))
    return result


def _rounds(rows: Sequence[Row[Any]]) -> dict[int, int]:
    """Per completion (history id) of ``rows`` (_COMPLETIONS, in order), the round ROUND_COUNTER held once
    the command that completed it had run: convening a meeting opens its round in the same command, and
    the chair asking to meet again closes the round it decided. The script steps a command ran carry the
    time of its completion and follow it before any later completion. Completions before the first round,
    or of a case without rounds, are left out."""
    rounds: dict[int, int] = {}
    held: int | None = None
    last: tuple[int, datetime] | None = None  # the latest completion and its command's time
    for row in rows:
        event_id = row.id
        if row.event == "element.completed":
            value = ((row.data or {}).get("changed") or {}).get(ROUND_COUNTER)
            if type(value) is not int:  # not raised here (a bool is no count either)
                continue
            held = value
            if last is None or last[1] != row.at:  # raised by a command of its own (a timer, a message)
                continue
            event_id = last[0]  # raised by the command that completed it
        else:
            last = (event_id, row.at)
        if held is not None and held >= 1:
            rounds[event_id] = held
        else:
            rounds.pop(event_id, None)
    return rounds


def case_forms(uow: UnitOfWork, instance_id: int, *, actor: Actor) -> list[dict[str, Any]]:
    """The schemas of the forms a case was started and worked with — its start form, then each task's form in
    the order the tasks came, each once — by whose labels the case page names the case's data. Forms not
    deployed any more, broken, or drawn by a client application are left out. Raises NotFound (no such case,
    or not the actor's to read)."""
    with uow:
        case_access.require_case(uow, actor, instance_id)
        row = uow.session.get(ProcessInstance, instance_id)
        if row is None:
            raise NotFound(f"process instance {instance_id} not found")
        key, version = row.definition_key, row.definition.version
        keys = uow.session.scalars(select(Task.form_key).where(Task.instance_id == instance_id, Task.form_key.is_not(None))
                                   .order_by(Task.created_at, Task.id))
        task_schemas = [schema for form_key in dict.fromkeys(keys)
                        if form_key and (schema := _schema(uow, form_key, row.definition)) is not None]
    start = _start_schema(uow, key, version)
    return ([start] if start is not None else []) + task_schemas


def _start_schema(uow: UnitOfWork, key: str, version: int) -> dict[str, Any] | None:
    """The schema of the form a case of this version starts with (a bundle's merged application); None: no
    start form, or one the server has no schema of (the data keeps its names). Outside the caller's
    transaction: start_form opens a unit of work of its own."""
    try:
        return form_merge.start_form(uow.runtime.uow(), key, version=version).schema
    except EngineError:
        return None


def _schema(uow: UnitOfWork, form_key: str, definition: ProcessDefinition) -> dict[str, Any] | None:
    try:
        return forms.describe(uow, form_key, definition, {}).schema
    except (NotFound, ProcessError):  # not deployed (any more), or broken: the values show under their names
        return None


# ---- completing ------------------------------------------------------------------------------------

@dataclass
class Completion:
    case: InstanceView  # as tasks.complete answers
    documents: list[Document]  # issued to the applicant by this completion's steps, as the actor may read them
    # Submitted values the following steps changed (a script overruling a decision): key -> (sent, now).
    changed: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    schema: dict[str, Any] | None = None  # the task's form, to name the changed fields; read only for them


class _Issuing(UnitOfWork):
    """A completion's unit of work that keeps the documents its steps issue (engine.documents adds each to
    the session): what the command issued is known without reading it back."""

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime)
        self.issued: list[Document] = []

    def __enter__(self) -> Self:
        super().__enter__()
        if not event.contains(self.session, "pending_to_persistent", self._stored):  # a nested ``with``
            event.listen(self.session, "pending_to_persistent", self._stored)
        return self

    def _stored(self, session: Session, instance: object) -> None:
        if isinstance(instance, Document):
            self.issued.append(instance)


def complete(uow: UnitOfWork, task_id: str, *, actor: Actor, variables: dict[str, Any] | None = None,
             marks: list[NewMark] | None = None) -> Completion:
    """tasks.complete, answering also with the documents it issued and the submitted values it changed. The
    command runs in a unit of work of ``uow``'s runtime; a second, read-only one names the task's form only
    when a submitted value was changed. Raises as tasks.complete."""
    issuing = _Issuing(uow.runtime)
    case = tasks.complete(issuing, task_id, actor=actor, variables=variables, marks=marks)
    issued = [d for d in issuing.issued if inspect(d).has_identity and d.instance_id == case.id
              and (not d.confidential or confidential.sees_all(actor))]
    changed = _changed(variables or {}, case.variables or {})
    schema = _task_schema(uow, task_id, case) if changed else None
    return Completion(case=case, documents=issued, changed=changed, schema=schema)


def _changed(sent: dict[str, Any], now: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Plain submitted values the case now holds otherwise (concealed ones and groups left out)."""
    return {key: (value, now[key]) for key, value in sent.items()
            if key in now and now[key] != value and now[key] != confidential.CONCEALED
            and not isinstance(value, dict) and not isinstance(now[key], dict)}


def _task_schema(uow: UnitOfWork, task_id: str, case: InstanceView) -> dict[str, Any] | None:
    with uow:
        form_key = uow.session.scalar(select(Task.form_key).where(Task.id == task_id))
        definition = uow.session.get(ProcessDefinition, case.definition_id)
        if not form_key or definition is None:
            return None
        return _schema(uow, form_key, definition)
