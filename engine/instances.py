"""Runtime: start cases, correlate messages, suspend, resume and terminate; read cases and their history."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import EventBasedGateway
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from . import (
    _spiff,
    acceptance,
    case_access,
    confidential,
    delegations,
    execution,
    form_merge,
    materials,
    message_buffer,
    query_codes,
    sealing,
)
from .clock import utcnow
from .errors import (
    Conflict,
    EngineError,
    Forbidden,
    InvalidRequest,
    MaterialsMissing,
    NotFound,
    ProcessError,
    ValidationFailed,
)
from .execution import Case
from .models import (
    BufferedMessage,
    CaseClock,
    HistoryEvent,
    Job,
    MessageSubscription,
    ProcessDefinition,
    ProcessInstance,
    Task,
)
from .starters import require_starter
from .text import optional_text, required_text
from .unit_of_work import UnitOfWork
from .users import SYSTEM, Actor
from .variables import check_values, check_variables

STATES = ("running", "suspended", "completed", "terminated", "error")
ENDED = ("completed", "terminated")
MAX_CASCADE = 20  # messages thrown by one case to others, and on: a bound against ping-pong loops
MAX_NOTE = 500  # a clerk's note on a message they record
MAX_REASON = 2000  # why a case is suspended or terminated
MAX_BUSINESS_KEY = 50  # GB/T 39046: a case number has at most 50 characters
# On a step that waits for a message (an intermediate catch event, a message boundary event, a receive task):
# a clerk of the case may record the message (the applicant brought the supplement to the window). Unmarked,
# an integration sends it, and only integrators and admins may.
RECORDABLE = "govflow.recordable"
# A message catch event after which the case goes on as if its materials were complete (申请人补齐容缺材料):
# taken only once they are (engine.acceptance.require_complete).
MATERIALS_COMPLETE = "govflow.materialsComplete"


@dataclass
class InstanceView:
    id: int
    business_key: str
    definition_key: str
    definition_id: int
    definition_version: int
    state: str
    started_at: datetime
    started_by: str | None
    ended_at: datetime | None
    end_reason: str | None
    variables: dict[str, Any] | None = None
    tasks: list[Task] = field(default_factory=list)
    query_code: str | None = None  # the applicant's query code, only in the answer to the start that made it
    # Only in the answer to a start that found its case: the variables it gave other values (not applied).
    differing_variables: list[str] | None = None
    # Where the case stands in approval systems' terms, and how it ended if no decision ended it
    # (engine.case_state): in one case's view (a command's answer too) and in a list's.
    case_state: str | None = None
    end_kind: str | None = None


def instance_view(uow: UnitOfWork, row: ProcessInstance, *, variables: dict[str, Any] | None = None,
                  case: Case | None = None, open_tasks: list[Task] | None = None) -> InstanceView:
    """A case as the API shows it: its row, open tasks and (when given) variables.

    A command passes the ``case`` it just saved: the save holds the open task rows already; a list passes
    the ``open_tasks`` it read for all its cases at once."""
    if case is not None and case.row is row and case.saved_version == row.version:
        tasks = list(case.open_tasks)
    elif open_tasks is not None:
        tasks = open_tasks
    else:
        tasks = list(uow.session.scalars(
            select(Task).where(Task.instance_id == row.id, Task.state.in_(("READY", "SUSPENDED")))
            .order_by(Task.created_at, Task.id)))
    return InstanceView(id=row.id, business_key=row.business_key, definition_key=row.definition_key,
                        definition_id=row.definition_id, definition_version=row.definition.version,
                        state=row.state, started_at=row.started_at, started_by=row.started_by,
                        ended_at=row.ended_at, end_reason=row.end_reason, variables=variables, tasks=tasks)


def case_view(uow: UnitOfWork, case: Case, actor: Actor) -> InstanceView:
    """A loaded case with its variables as ``actor`` may read them (engine.confidential), and where it
    stands (engine.case_state, one query of its history): a case deemed withdrawn gives its end's words as
    its ``end_reason``. Every command's answer carries it, so that it says what reading the case says."""
    from . import case_state  # it reads timelines, which read cases through this module

    variables = confidential.for_reader(execution.case_variables(case.workflow), case.hidden, actor)
    view = instance_view(uow, case.row, variables=variables, case=case)
    stands_now = case_state.of_case(uow, case.row)
    view.case_state, view.end_kind = stands_now.state, stands_now.end_kind
    view.end_reason = view.end_reason or stands_now.end_step
    return view


# ---- commands ----------------------------------------------------------------------------------

def start(uow: UnitOfWork, key: str, *, actor: Actor, business_key: str | None = None,
          variables: dict[str, Any] | None = None, version: int | None = None,
          marks: list[materials.NewMark] | None = None,
          beside_form: dict[str, Any] | None = None) -> tuple[InstanceView, bool]:
    """Start a case of the latest (or given) version of a definition and run it until it waits.

    Starting again with a business key that already exists for this key returns the existing case
    (``created`` is False): integrators retry. A new case gets the applicant's query code (查询码),
    returned only here in ``query_code`` and stored hashed (engine.query_codes). ``marks``: the materials
    the window received on paper or that do not apply (收件, engine.materials.record), recorded on a new
    case in the start's transaction; an existing case's are left as its own start recorded them.
    ``beside_form``: start variables the caller asked beside the start form, which lacks them (a window
    asks the applicant's details an item's form does not): stored with the checked ``variables``, not
    checked against the form, whose values win for a name both give.

    Raises:
        Forbidden (also marks by an integrator: engine.materials.require_window; an entrustment to accept the
        item on its department's behalf that is not valid today: engine.delegations), NotFound (definition),
        ValidationFailed (variables, marks), ProcessError (a step failed; nothing is stored).
    """
    actor.require("clerk", "integrator", action="start cases")
    variables = check_variables(variables)
    beside = check_variables(beside_form)
    typed = business_key
    if business_key is not None:
        business_key = _check_business_key(business_key)
    with uow:
        definition = execution.find_definition(uow, key, version)
        on_behalf = delegations.for_start(uow, definition, actor)  # 委托受理: not bounded by the starters
        if on_behalf is None:
            require_starter(uow, definition, actor)
        if business_key is not None:
            existing = _by_business_key(uow, key, business_key, typed)
            if existing is not None:
                started = {**beside, **_as_started(uow, existing, variables)}
                return _with_variables(uow, existing, actor, started), False
        # The start form (a bundle's merged application form) checks ``variables``, not what was asked beside it.
        variables = {**beside, **form_merge.check_start(uow, definition, variables)}
        case = execution.new_case(uow, definition, business_key=business_key, variables=variables,
                                  actor=actor.name)
        if on_behalf is not None:
            delegations.begin(case, on_behalf, actor)
        execution.run(case)
        try:
            settle(uow, case)
            if on_behalf is not None:
                delegations.record(uow, case.row, on_behalf, actor)
            if marks:  # on the case as settled, in its transaction: a refused mark starts nothing
                materials.record_marks(uow, case.row, actor=actor, marks=marks)
            code = query_codes.issue(uow, case.row)  # stored hashed; the answer below is the only copy
            uow.commit()
        except IntegrityError:
            # A start with the same business key committed first: its flush (in settle) or this commit
            # hits the unique index. The retry gets that case, as if it had come second.
            uow.session.rollback()
            existing = _by_business_key(uow, key, case.row.business_key)
            if existing is None:
                raise
            return _with_variables(uow, existing, actor, variables), False
        view = case_view(uow, case, actor)
        view.query_code = code
        return view, True


@dataclass
class MessageOutcome:
    """What became of a message: the cases it reached, or the buffer entry keeping it for later."""

    instances: list[InstanceView]
    buffered: BufferedMessage | None = None


def correlate(uow: UnitOfWork, name: str, *, actor: Actor, business_key: str | None = None,
              instance_id: int | None = None, correlations: dict[str, Any] | None = None,
              variables: dict[str, Any] | None = None, all_matches: bool = False) -> list[InstanceView]:
    """``send_message`` without buffering: the cases the message reached. Raises as send_message."""
    return send_message(uow, name, actor=actor, business_key=business_key, instance_id=instance_id,
                        correlations=correlations, variables=variables, all_matches=all_matches).instances


def send_message(uow: UnitOfWork, name: str, *, actor: Actor, business_key: str | None = None,
                 instance_id: int | None = None, correlations: dict[str, Any] | None = None,
                 variables: dict[str, Any] | None = None, all_matches: bool = False,
                 buffer_seconds: int = 0, note: str | None = None) -> MessageOutcome:
    """Deliver a message to the case(s) waiting for it, or start a case whose start event catches it.

    Waiting cases are found through the subscription table (name, business key, correlation values),
    never by loading waiting cases. The message's variables are merged into the catching step's data.
    With ``buffer_seconds``, a message that nothing waits for (and that starts no case) is kept that
    long (capped by the settings) for the first matching case that starts waiting for it.

    Integrators send any message. A clerk records what a case they work on waits for (the applicant
    brought the supplement to the window): the message must name its case (``instance_id`` or
    ``business_key``) and carry no variables, reaches only cases the clerk reads (engine.case_access,
    the rule materials follow) that wait for it now at a catch event its diagram marks
    ``govflow.recordable`` (a system's answer, such as the credit platform's, is not a clerk's to give),
    and neither starts a case nor is buffered. ``note`` (the clerk's words) is kept in the history entry,
    which names the sender.

    Raises:
        NotFound: nothing waits for the message and no definition starts on it (and no buffering); for a
            clerk, no case of theirs with that number waits for it.
        InvalidRequest: buffering a message that names no case, business key or correlation values; a
            note too long.
        Conflict: several cases wait and ``all_matches`` was not asked; or the case is suspended.
        Forbidden: neither integrator nor clerk; a clerk naming no case, or sending variables, or recording a
            message that their cases wait for only at steps not marked ``govflow.recordable``.
        MaterialsMissing: a step waiting for it is marked ``govflow.materialsComplete`` and a material of the
            item's guide is missing (a buffered message is refused so when the case starts waiting; one another
            case throws is dropped: the thrower's history says so, the waiting case's says why).
        ValidationFailed, ProcessError.
    """
    actor.require("integrator", "clerk", action="send messages")
    on_behalf = not actor.has("integrator")  # a clerk records a message for a case of theirs
    if on_behalf and instance_id is None and business_key is None:
        raise Forbidden(f"{actor.name} may record a message only for a case they work on: "
                        "name it by process_instance_id or business_key")
    if on_behalf and (variables or correlations):  # the message's data is what integrations answer
        raise Forbidden(f"{actor.name} may record that a message came, without variables or correlations")
    variables = check_variables(variables)
    correlations = check_values(correlations, field="correlations")  # they pick the case, never its data
    note = _check_note(note)
    if not name or not name.strip():
        raise InvalidRequest("message name is required")
    typed = business_key
    if business_key is not None:  # it may start a case: checked as a start checks it
        business_key = _check_business_key(business_key)
    with uow:
        targets = _subscribers(uow, name, business_key=business_key, instance_id=instance_id,
                               correlations=correlations or {}, typed=typed)
        if on_behalf:
            # Cases outside the clerk's scope do not exist for them (as everywhere): nothing waits there.
            targets = _workable(uow, actor, targets)
            if not targets:
                raise _nobody_waits(uow, name, business_key, instance_id, starts=False, cases_known=False)
            targets = _recordable(uow, actor, name, targets)
        if not targets:
            starters = _message_starters(uow, name)
            if not starters or instance_id is not None:
                if buffer_seconds <= 0:
                    raise _nobody_waits(uow, name, business_key, instance_id)
                if not _listened_for(uow, name):  # a misspelt name would wait out its time unseen
                    raise ValidationFailed(f"no deployed process waits for or starts on message {name!r}",
                                           details=[{"field": "name", "message": "a message a deployed process "
                                                                                  "waits for"}])
                held = message_buffer.hold(uow, name, actor=actor, business_key=business_key,
                                           instance_id=instance_id, correlations=correlations or {},
                                           variables=variables, seconds=buffer_seconds)
                uow.commit()
                return MessageOutcome([], held)
            started: list[InstanceView] = []
            try:
                for definition in starters:
                    existing = _by_business_key(uow, definition.key, business_key, typed) if business_key else None
                    if existing is not None:  # a retried message: the case it started already, as start does
                        started.append(_with_variables(uow, existing, actor, {}))
                        continue
                    case = execution.new_case(uow, definition, business_key=business_key, variables=variables,
                                              actor=actor.name)
                    _catch_start_message(case, name, variables)
                    execution.run(case)
                    settle(uow, case)
                    started.append(case_view(uow, case, actor))
                uow.commit()
            except IntegrityError:
                raise Conflict(f"a case with business key {business_key!r} was started meanwhile; "
                               "send the message again") from None
            return MessageOutcome(started)
        if len(targets) > 1 and not all_matches:
            raise Conflict(f"{len(targets)} cases wait for message {name!r}; name the case or send to all",
                           details=[{"process_instance_id": i} for i in targets])
        reached = []
        for target in targets:
            case = execution.open_case(uow, target, actor=actor.name)
            _require_running(case)
            _require_materials(uow, case, name)
            _deliver(case, name, variables, actor, correlations or {}, note=note)
            settle(uow, case)
            reached.append(case_view(uow, case, actor))
        uow.commit()
        return MessageOutcome(reached)


def suspend(uow: UnitOfWork, instance_id: int, *, actor: Actor, reason: str | None = None) -> InstanceView:
    """Hold a running case: its tasks leave the inbox and it takes no messages. Raises Conflict."""
    return _set_state(uow, instance_id, actor, "suspended", optional_text(reason, field="reason", longest=MAX_REASON),
                      allowed_from=("running",))


def resume(uow: UnitOfWork, instance_id: int, *, actor: Actor) -> InstanceView:
    """Continue a suspended case. Raises Conflict when it is not suspended."""
    return _set_state(uow, instance_id, actor, "running", None, allowed_from=("suspended",))


def terminate(uow: UnitOfWork, instance_id: int, *, actor: Actor, reason: str,
              withdrawn: bool | None = None) -> InstanceView:
    """End a case now, cancelling its open steps: withdrawn by the applicant (``withdrawn``: 已撤件) or ended by
    the office (已终止); None leaves it to the reason's wording (engine.timeline). Raises Conflict when it has
    ended."""
    return _set_state(uow, instance_id, actor, "terminated", required_text(reason, field="reason", longest=MAX_REASON),
                      allowed_from=("running", "suspended"), withdrawn=withdrawn)


def _set_state(uow: UnitOfWork, instance_id: int, actor: Actor, state: str, reason: str | None,
               *, allowed_from: tuple[str, ...], withdrawn: bool | None = None) -> InstanceView:
    actor.require("supervisor", "integrator", action=f"change cases to {state}")
    with uow:
        case = execution.open_case(uow, instance_id)
        if not actor.has("supervisor") and case.row.started_by != actor.name:
            # One integrator's system (a payment service) must not withdraw another's (the platform's) cases.
            raise Forbidden(f"{actor.name} may change only the cases it started; a supervisor changes others")
        if case.row.state not in allowed_from:
            raise Conflict(f"process instance {instance_id} is {case.row.state}", state=case.row.state)
        if state == "terminated":
            case.workflow.cancel()
            # Kept as history keeps it: every reader of the case reads the reason (engine.confidential).
            case.row.end_reason = confidential.scrub(reason, execution.secret_texts(case))
        case.row.state = state
        event = {"suspended": "instance.suspended", "running": "instance.resumed",
                 "terminated": "instance.terminated"}[state]
        data: dict[str, Any] = {"reason": reason} if reason else {}
        if withdrawn is not None:
            data["withdrawn"] = withdrawn
        case.record(event, actor=actor.name, data=data)
        execution.save(uow, case)
        uow.commit()
        return case_view(uow, case, actor)


# ---- helpers shared by commands ----------------------------------------------------------------

def settle(uow: UnitOfWork, case: Case, depth: int = 0) -> None:
    """Save a case after it ran, passing the messages it threw to the cases that wait for them."""
    events = case.workflow.get_events()
    for event in events:
        if not isinstance(event.event_definition, MessageEventDefinition):
            # An escalation or error nothing in the case caught, a signal nothing in it listened for:
            # no other case takes these, but the timeline says it happened.
            definition = event.event_definition
            case.record("event.uncaught", actor=None, data={
                "type": type(definition).__name__.replace("EventDefinition", "").lower(),
                "name": definition.name, "code": getattr(definition, "code", None),
                "payload": execution.clip(event.payload)})
    execution.save(uow, case)
    for event in events:
        if not isinstance(event.event_definition, MessageEventDefinition):
            continue
        _route_thrown(uow, case, event, depth)
    _take_buffered(uow, case, depth)


def _take_buffered(uow: UnitOfWork, case: Case, depth: int) -> None:
    """Deliver the buffered messages that saving the case took for its new waits, then save again."""
    received, case.buffered = case.buffered, []
    if not received:
        return
    uow.session.flush()  # autoflush is off: the second save must see the rows the first one added
    while received:
        message = received.pop(0)
        if case.row.state != "running" or not any(
                t.has_state(TaskState.WAITING) and _message_definition(t, message.message_name) is not None
                for t in case.workflow.event_manager.tasks.values()):
            message_buffer.put_back(uow, message)  # an earlier one ended this wait (an event gateway)
            continue
        sender = Actor(message.sent_by or SYSTEM.name)
        try:  # on a copy first: a message the case cannot take must not fail the command that made it wait
            _require_materials(uow, case, message.message_name)
            _deliver(_trial(case), message.message_name, message.variables, sender, message.correlations)
        except (ProcessError, Conflict, ValidationFailed) as exc:  # ValidationFailed: a script's refuse(),
            # or materials the step needs still missing (MaterialsMissing)
            # Its error may quote the message's own values, which the case does not hold yet.
            quoted = confidential.texts({**(message.correlations or {}), **(message.variables or {})}, case.hidden)
            message_buffer.refuse(uow, message, case.row, confidential.scrub(exc.message, quoted))
            received += _next_buffered(uow, case, message.message_name)  # the wait is still open
            continue
        case.record("message.unbuffered", actor=None, data={
            "message": message.message_name, "buffered_id": message.id, "buffered_at": message.created_at.isoformat()})
        _deliver(case, message.message_name, message.variables, sender, message.correlations)
        settle(uow, case, depth + 1)


def _next_buffered(uow: UnitOfWork, case: Case, name: str) -> list[BufferedMessage]:
    """The next buffered message for the case's wait on ``name``, after one it refused."""
    uow.session.flush()
    waits = [(name, sub.correlations or {}) for sub in uow.session.scalars(select(MessageSubscription).where(
        MessageSubscription.instance_id == case.row.id, MessageSubscription.message_name == name))]
    return message_buffer.claim(uow, case.row, waits[:1])


def _trial(case: Case) -> Case:
    """A throwaway copy of the case, to try a buffered message on before the case takes it."""
    workflow = case.workflow
    copy = _spiff.loads(_spiff.dumps(workflow), workflow.spec, workflow.subprocess_specs)
    return Case(row=case.row, workflow=copy, definitions=case.definitions, hidden=case.hidden)


def _route_thrown(uow: UnitOfWork, source: Case, event: BpmnEvent, depth: int) -> None:
    name = event.event_definition.name
    if depth >= MAX_CASCADE:
        source.record("message.dropped", actor=None, data={"message": name, "reason": "cascade too deep"})
        return
    targets = [t for t in _subscribers(uow, name, business_key=None, instance_id=None,
                                       correlations=_flat(event.correlations)) if t != source.row.id]
    for target in targets:
        case = execution.open_case(uow, target)
        if case.row.state != "running":
            continue
        try:
            _require_materials(uow, case, name)
        except MaterialsMissing as exc:  # the thrower's command goes on; this case keeps waiting, and says why
            source.record("message.dropped", actor=None, data={"message": name, "reason": "materials missing"})
            case.record("message.refused", actor=None, data={"message": name, "from": source.row.id,
                                                              "error": exc.message})
            execution.write_history(uow, case, utcnow())
            continue
        with execution.engine_errors(case):
            if case.workflow.event_manager.catch(event, internal=False) == 0:
                continue  # waits for this message, but the correlation values differ
        case.record("message.received", actor=None, data={"message": name, "from": source.row.id})
        execution.run(case)
        settle(uow, case, depth + 1)
    if not targets:
        for definition in _message_starters(uow, name):
            case = execution.new_case(uow, definition, business_key=None, variables={}, actor=None)
            _catch_start_message(case, name, event.payload if isinstance(event.payload, dict) else {})
            case.record("message.received", actor=None, data={"message": name, "from": source.row.id})
            execution.run(case)
            settle(uow, case, depth + 1)
            targets.append(case.row.id)
    if not targets:
        source.record("message.unhandled", actor=None, data={"message": name})
    execution.write_history(uow, source, source.row.updated_at)


def _deliver(case: Case, name: str, variables: dict[str, Any], actor: Actor,
             correlations: dict[str, Any], *, note: str | None = None) -> None:
    waiting = [t for t in case.workflow.event_manager.tasks.values() if t.has_state(TaskState.WAITING)
               and _message_definition(t, name) is not None]
    if not waiting:
        raise NotFound(f"process instance {case.row.id} does not wait for message {name!r}")
    definition = _message_definition(waiting[0], name)
    known = dict(waiting[0].workflow.correlations)
    # Correlation retrieval expressions read the payload: the case's own values, then the caller's.
    payload = {**_flat(known), **correlations, **variables}
    event = BpmnEvent(definition, payload=payload, correlations=known)
    try:
        case.workflow.send_event(event)
    except WorkflowException as exc:
        raise execution.without_secrets_of(case, Conflict(f"message {name!r} was not accepted: {exc}")) from None
    except Exception as exc:  # a retrieval expression failed on the payload
        raise execution.without_secrets_of(case, ProcessError(
            f"message {name!r} could not be correlated with process instance {case.row.id}: "
            f"{str(exc).splitlines()[0]}")) from None
    for task in waiting:
        if not task.has_state(TaskState.WAITING):  # it caught the message
            # The correlation values picked the case; only the message's variables become its data (as
            # Camunda keeps correlation keys apart from process variables).
            if name in task.internal_data:
                task.internal_data[name] = dict(variables)
            task.set_data(**variables)
    data: dict[str, Any] = {"message": name, "variables": execution.clip(variables)}
    if note:
        data["note"] = note
    case.record("message.received", actor=actor.name, data=data)
    execution.run(case)


def _catch_start_message(case: Case, name: str, variables: dict[str, Any]) -> None:
    start = case.workflow.task_tree
    start.set_data(**variables)
    event_definition = None
    for spec in case.workflow.spec.task_specs.values():
        ev = getattr(spec, "event_definition", None)
        if isinstance(ev, MessageEventDefinition) and ev.name == name:
            event_definition = ev
            break
    if event_definition is not None:
        with execution.without_secrets(case), execution.engine_errors(case):
            case.workflow.do_engine_steps()  # reach the start events, which then wait
            case.workflow.send_event(BpmnEvent(event_definition, payload=variables))
        for task in case.workflow.get_tasks(state=TaskState.READY):
            task.set_data(**variables)
    case.record("message.received", actor=None, data={"message": name})


def _message_definition(task: Any, name: str) -> Any:
    event = task.task_spec.event_definition
    candidates = getattr(event, "event_definitions", None) or [event]
    return next((e for e in candidates if isinstance(e, MessageEventDefinition) and e.name == name), None)


def _subscribers(uow: UnitOfWork, name: str, *, business_key: str | None, instance_id: int | None,
                 correlations: dict[str, Any], typed: str | None = None) -> list[int]:
    query = select(MessageSubscription.instance_id, MessageSubscription.correlations).where(
        MessageSubscription.message_name == name)
    if business_key is not None:
        query = query.where(MessageSubscription.business_key.in_(_stored_forms(business_key, typed)))
    if instance_id is not None:
        query = query.where(MessageSubscription.instance_id == instance_id)
    found: list[int] = []
    # A message by name alone reaches every case waiting for it (a conflict unless all of them are asked).
    addressed = business_key is not None or instance_id is not None or not correlations
    for target, stored in uow.session.execute(query):
        # Every value the case knows must agree, and a message named by correlation values alone must share
        # one with a case that knows some (a typo must not pick whichever case waits). A case that knows
        # none yet takes the first message of its conversation, as BPMN correlation has it.
        shared = [k for k in correlations if k in stored]
        if all(stored[k] == correlations[k] for k in shared) and (shared or addressed or not stored) \
                and target not in found:
            found.append(target)
    return found


def _message_starters(uow: UnitOfWork, name: str) -> list[ProcessDefinition]:
    return [d for d in _latest_definitions(uow) if name in (d.start_messages or [])]


def _listened_for(uow: UnitOfWork, name: str) -> bool:
    """Whether the latest version of some process waits for the message (a catch event, a called
    process's too) — what a buffered message can ever be handed to."""
    return any(name in uow.runtime.specs.get(d).caught_messages for d in _latest_definitions(uow))


def _latest_definitions(uow: UnitOfWork) -> list[ProcessDefinition]:
    newest = (select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("v"))
              .group_by(ProcessDefinition.key).subquery())
    return list(uow.session.scalars(select(ProcessDefinition).join(
        newest, (ProcessDefinition.key == newest.c.key) & (ProcessDefinition.version == newest.c.v))))


def _flat(correlations: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for props in (correlations or {}).values():
        if isinstance(props, dict):
            flat.update(props)
    return flat


# Why a message reached no case (a NotFound's ``reason``), for an integration to tell a typo from a race.
UNKNOWN_MESSAGE, NO_SUCH_CASE, NOT_WAITING = "unknown_message", "no_such_case", "not_waiting"


def _nobody_waits(uow: UnitOfWork, name: str, business_key: str | None, instance_id: int | None, *,
                  starts: bool = True, cases_known: bool = True) -> NotFound:
    """The refusal of a message nothing waits for, saying why: no deployed process waits for or starts on
    its name (a typo), the case it names does not exist, or the case does not wait for it now. With
    ``cases_known`` False (a clerk's message: cases outside their scope do not exist for them) whether a
    case exists is not told."""
    target = f" with business key {business_key!r}" if business_key else ""
    if not _listened_for(uow, name) and not _message_starters(uow, name):
        return NotFound(f"no deployed process waits for or starts on message {name!r}", reason=UNKNOWN_MESSAGE)
    if instance_id is not None and cases_known and uow.session.get(ProcessInstance, instance_id) is None:
        return NotFound(f"process instance {instance_id} not found", reason=NO_SUCH_CASE)
    if business_key and instance_id is None and cases_known and uow.session.scalar(
            select(ProcessInstance.id).where(ProcessInstance.business_key == business_key).limit(1)) is None:
        return NotFound(f"no case has business key {business_key!r}"
                        + (f", and no process starts on message {name!r}" if starts else ""), reason=NO_SUCH_CASE)
    if instance_id is not None:
        return NotFound(f"process instance {instance_id} does not wait for message {name!r}", reason=NOT_WAITING)
    return NotFound(f"no case{target} waits for message {name!r}" + (", and no process starts on it" if starts else ""),
                    reason=NOT_WAITING)


def _workable(uow: UnitOfWork, actor: Actor, targets: list[int]) -> list[int]:
    """The cases among ``targets`` that ``actor`` reads (engine.case_access), in one query."""
    condition = case_access.scope_of(uow, actor).condition()
    if condition is None or not targets:
        return targets
    readable = set(uow.session.scalars(select(ProcessInstance.id).where(ProcessInstance.id.in_(targets), condition)))
    return [t for t in targets if t in readable]


def _recordable(uow: UnitOfWork, actor: Actor, name: str, targets: list[int]) -> list[int]:
    """The cases among ``targets`` where every step waiting for ``name`` is marked ``govflow.recordable``
    (else the clerk's message would answer an integration's step too).

    Raises Forbidden, naming the step, when there is none."""
    refused: dict[int, _CatchEvent] = {}
    definitions: dict[int, list[ProcessDefinition]] = {}
    for target, bpmn_id in uow.session.execute(
            select(MessageSubscription.instance_id, MessageSubscription.bpmn_id).where(
                MessageSubscription.instance_id.in_(targets), MessageSubscription.message_name == name)
            .order_by(MessageSubscription.id)):
        if target in refused:
            continue
        if target not in definitions:
            definitions[target] = execution.definitions_of(uow, uow.session.get_one(ProcessInstance, target))
        step = _catch_event(uow, definitions[target], bpmn_id, name)
        if not step.recordable:
            refused[target] = step
    allowed = [t for t in targets if t not in refused]
    if not allowed:
        target, step = next(iter(refused.items()))
        label = f"{step.name!r} ({step.element_id})" if step.name else repr(step.element_id)
        raise Forbidden(
            f"{actor.name} may not record message {name!r}: step {label} of process instance {target} waits for "
            "it from an integration, which sends it (POST /api/messages as an integrator). If a clerk of the case "
            "should record it (the applicant brings it to the window), an analyst marks that catch event with "
            f"the property {RECORDABLE} = true in the diagram and deploys it; cases of the new version take it.")
    return allowed


def _require_materials(uow: UnitOfWork, case: Case, name: str) -> None:
    """Refuse the message where a step of the case waiting for it is marked govflow.materialsComplete and a
    material is still missing (engine.acceptance.require_complete), whoever sends it. Raises MaterialsMissing."""
    # Most diagrams mark no such step: their loaded elements say so without a query on every message.
    if not any(str((meta.get("properties") or {}).get(MATERIALS_COMPLETE, "")).strip().lower() == "true"
               for elements in case.elements.values() for meta in elements.values()):
        return
    definitions = execution.definitions_of(uow, case.row)
    for bpmn_id in uow.session.scalars(select(MessageSubscription.bpmn_id).where(
            MessageSubscription.instance_id == case.row.id, MessageSubscription.message_name == name)):
        step = _catch_event(uow, definitions, bpmn_id, name)
        if step.materials_complete:
            acceptance.require_complete(uow, case.row, f"{step.name or step.element_id} ({step.element_id})")
            return


def _check_note(note: str | None, field: str = "note") -> str | None:
    """A note trimmed, None when it shows nothing (engine.text). Raises ValidationFailed naming ``field``."""
    return optional_text(note, field=field, longest=MAX_NOTE)


def _require_running(case: Case) -> None:
    if case.row.state != "running":
        raise Conflict(f"process instance {case.row.id} is {case.row.state}", state=case.row.state)


def items_numbering(uow: UnitOfWork, business_key: str) -> set[str]:
    """The definition keys of the cases numbered ``business_key``: a window gives one number to one case of
    the whole office, though the engine keeps numbers unique per definition key only (integrators' systems
    number per item)."""
    with uow:
        return set(uow.session.scalars(select(ProcessInstance.definition_key).where(
            ProcessInstance.business_key == business_key).distinct()))


def _by_business_key(uow: UnitOfWork, key: str, business_key: str, typed: str | None = None) -> ProcessInstance | None:
    """The case of number ``business_key``, or one stored under the number as ``typed`` (before case numbers
    were stored normalised, engine.query_codes.case_number)."""
    found = {row.business_key: row for row in uow.session.scalars(select(ProcessInstance).where(
        ProcessInstance.definition_key == key, ProcessInstance.business_key.in_(_stored_forms(business_key, typed))))}
    return found.get(business_key) or next(iter(found.values()), None)


def _stored_forms(business_key: str, typed: str | None) -> list[str]:
    """The forms a case number may be stored in: as the engine stores it now, and as typed before."""
    return list(dict.fromkeys([business_key, *([typed.strip()] if typed and typed.strip() else [])]))


def _as_started(uow: UnitOfWork, row: ProcessInstance, variables: dict[str, Any]) -> dict[str, Any]:
    """A retried start's variables as the case's first start stored them (a bundle's merged form normalises
    them), so that a faithful retry differs in nothing. Variables the form refuses are compared as given."""
    try:
        return form_merge.check_start(uow, row.definition, variables)
    except EngineError:
        return variables


def _with_variables(uow: UnitOfWork, row: ProcessInstance, actor: Actor, variables: dict[str, Any]
                    ) -> InstanceView:
    """An existing case as a retried start answers it: as it stands, variables included, with the names of
    the variables the start gave other values than the case started with (``differing_variables``: another
    application under a number already used would otherwise see its data dropped unseen).

    Raises Conflict: the caller may not read the case (a scoped clerk starting with another department's
    case number): they learn only that the number is taken, not the case."""
    try:
        case_access.require_case(uow, actor, row.id)
    except NotFound:
        raise Conflict(f"business key {row.business_key!r} is taken by another case of {row.definition_key}") from None
    case = execution.open_case(uow, row.id)
    view = case_view(uow, case, actor)
    started = case.workflow.task_tree.data  # the start's variables: later steps write to their own tasks
    # A value the caller reads as *** is not compared: the answer would tell a right guess from a wrong one.
    unseen = frozenset() if confidential.sees_all(actor) else case.hidden
    view.differing_variables = sorted(name for name, value in variables.items()
                                      if name not in unseen and started.get(name) != value)
    return view


# Control characters, and the marks that reorder text (U+202E would show "SX-2026-1" backwards in a queue).
_NOT_IN_A_KEY = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Characters that show nothing (zero-width spaces and joiners, a byte-order mark): a key holding one looks
# like another case's and is not found by what an applicant types.
_INVISIBLE = frozenset({"Cf", "Cc", "Zl", "Zp"})


def _check_business_key(value: str) -> str:
    """The case number as stored: trimmed, and with the full-width forms a Chinese input method types read as
    NFKC (ＳＸ－２０２６ is SX-2026), as the progress lookup reads what an applicant types."""
    value = query_codes.case_number(value)
    if not value or len(value) > MAX_BUSINESS_KEY:
        raise ValidationFailed(f"business_key must be 1 to {MAX_BUSINESS_KEY} characters", details=[
            {"field": "business_key", "message": f"1 to {MAX_BUSINESS_KEY} characters, not only spaces"}])
    if _NOT_IN_A_KEY.search(value) or any(unicodedata.category(c) in _INVISIBLE for c in value):
        raise ValidationFailed("business_key must not contain control characters, invisible characters or "
                               "text-direction marks",
                               details=[{"field": "business_key",
                                         "message": "no control characters, invisible characters or "
                                                    "text-direction marks"}])
    return value


# ---- queries -----------------------------------------------------------------------------------

def get(uow: UnitOfWork, instance_id: int, *, actor: Actor) -> InstanceView:
    """A case with its variables and open tasks. Raises NotFound (also outside a scoped clerk's departments)."""
    with uow:
        case_access.require_case(uow, actor, instance_id)
        case = execution.open_case(uow, instance_id)
        return case_view(uow, case, actor)


def list_instances(uow: UnitOfWork, *, actor: Actor, state: str | None = None, key: str | None = None,
                   business_key: str | None = None, applicant: str | None = None, limit: int = 50,
                   offset: int = 0) -> tuple[list[InstanceView], int]:
    """A page of the cases ``actor`` reads, newest first, with where each stands (case_state, end_kind:
    their histories read in one query), and the number of cases matching. ``applicant``: part of the
    applicant's name (execution.applicant_matches)."""
    views, _, total = _listed(uow, actor=actor, state=state, key=key, business_key=business_key,
                              limit=limit, offset=offset, ended_only=False, applicant=applicant)
    return views, total


def _listed(uow: UnitOfWork, *, actor: Actor, state: str | None, key: str | None, business_key: str | None,
            limit: int, offset: int, ended_only: bool, number_part: str | None = None,
            applicant: str | None = None) -> tuple[list[InstanceView], dict[int, Any], int]:
    """The list's page, the case_state.Outcome by id of each case on it (``ended_only``: of its ended cases,
    all a page shows), and the total. ``number_part``: cases whose number holds it, as typed or read as NFKC
    (the queue's filter reads numbers alike)."""
    from . import case_state  # it reads cases through the timeline, which builds on this module

    if state is not None and state not in STATES:
        raise InvalidRequest(f"unknown state {state!r}; states are {', '.join(STATES)}")
    with uow:
        query = select(ProcessInstance)
        if state:
            query = query.where(ProcessInstance.state == state)
        if key:
            query = query.where(ProcessInstance.definition_key == key)
        if business_key:  # as typed, or with a Chinese input method's full-width forms read as NFKC
            query = query.where(ProcessInstance.business_key.in_(query_codes.number_forms(business_key)))
        if number_part:
            forms = sorted({number_part, query_codes.case_number(number_part)} - {""})
            query = query.where(or_(*(ProcessInstance.business_key.contains(f, autoescape=True) for f in forms)))
        if applicant and (named := execution.applicant_matches(applicant)) is not None:
            query = query.where(named)
        visible = case_access.scope_of(uow, actor).condition()  # a scoped clerk: their departments' cases
        if visible is not None:
            query = query.where(visible)
        counted = query.with_only_columns(ProcessInstance.id).subquery()
        total = uow.session.scalar(select(func.count()).select_from(counted)) or 0
        # The list shows no variables: the workflow state stays unread.
        rows = list(uow.session.scalars(query.options(defer(ProcessInstance.workflow))
                                        .order_by(ProcessInstance.id.desc()).limit(limit).offset(offset)))
        by_case: dict[int, list[Task]] = {row.id: [] for row in rows}
        for task in uow.session.scalars(select(Task).where(Task.instance_id.in_(by_case),
                                                           Task.state.in_(("READY", "SUSPENDED")))
                                        .order_by(Task.created_at, Task.id)):
            by_case[task.instance_id].append(task)
        outcomes = case_state.of_cases(uow, [r for r in rows if not ended_only or r.state in ENDED])
        views = []
        for row in rows:
            view = instance_view(uow, row, open_tasks=by_case[row.id])
            if row.id in outcomes:
                stands = outcomes[row.id].stands
                view.case_state, view.end_kind = stands.state, stands.end_kind
                view.end_reason = view.end_reason or stands.end_step
            views.append(view)
        return views, outcomes, total


def history(uow: UnitOfWork, instance_id: int, *, actor: Actor) -> list[HistoryEvent]:
    """The case's whole timeline, oldest first (see history_page)."""
    return history_page(uow, instance_id, actor=actor)[0]


def history_page(uow: UnitOfWork, instance_id: int, *, actor: Actor, after: int | None = None,
                 limit: int | None = None, offset: int = 0) -> tuple[list[HistoryEvent], int]:
    """The case's timeline, oldest first: the events after the history id ``after`` (a reader polling for
    what is new), ``limit`` of them from ``offset`` (all when None), and how many there are in all. A sealed
    step's values are withheld until they are opened, except for supervision (engine.sealing). Raises
    NotFound (also outside a scoped clerk's departments)."""
    with uow:
        case_access.require_case(uow, actor, instance_id)
        row = uow.session.get(ProcessInstance, instance_id)
        if row is None:
            raise NotFound(f"process instance {instance_id} not found")
        where = [HistoryEvent.instance_id == instance_id] + ([HistoryEvent.id > after] if after is not None else [])
        events = list(uow.session.scalars(select(HistoryEvent).where(*where).order_by(HistoryEvent.id)
                                          .offset(offset).limit(limit)))
        total = len(events) if limit is None and not offset else \
            uow.session.scalar(select(func.count(HistoryEvent.id)).where(*where)) or 0
        return sealing.for_reader(uow, row, events, actor), total


@dataclass
class Wait:
    """Something a case waits for besides its tasks: a message (what is sent to it) or a timer (when it fires)."""

    kind: str  # message | timer
    element_id: str
    element_name: str | None  # the catch event's name in the diagram (申请人补正材料), if it has one
    since: datetime
    message: str | None = None  # the message's name, as send_message takes it
    due_at: datetime | None = None  # a timer's due time
    # A message a clerk of the case may record (its catch event is marked govflow.recordable); else an
    # integration sends it (the credit platform's answer), and only integrators and admins may.
    recordable: bool = False
    # The name of the multi-instance member the wait is for (a member department's ballot timer: 市发展和改革
    # 委员会), which tells apart the waits of one element; None outside a multi-instance.
    member: str | None = None

    @property
    def label(self) -> str:
        """What people call it: the diagram's name for the step, else the message's name or the element's id;
        with the member it is for, inside a multi-instance (表决期限届满（市发展和改革委员会）)."""
        name = self.element_name or self.message or self.element_id
        return f"{name}（{self.member}）" if self.member else name


def waits(uow: UnitOfWork, instance_id: int, *, actor: Actor) -> list[Wait]:
    """The messages and timers a case waits for now (its subscription and timer rows), messages first,
    timers by due time, each by the catch event of its diagram (a called process's for a wait inside a call),
    and inside a multi-instance with the member it is for (the case is loaded only then).
    Raises NotFound (also outside a scoped clerk's scope)."""
    with uow:
        case_access.require_case(uow, actor, instance_id)
        row = uow.session.get(ProcessInstance, instance_id)
        if row is None:
            raise NotFound(f"process instance {instance_id} not found")
        definitions = execution.definitions_of(uow, row)
        found: list[tuple[Wait, str, bool]] = []  # each wait, its task, whether it is inside a (sub)process
        for sub in uow.session.scalars(select(MessageSubscription).where(
                MessageSubscription.instance_id == instance_id).order_by(MessageSubscription.id)):
            step = _catch_event(uow, definitions, sub.bpmn_id, sub.message_name)
            found.append((Wait("message", step.element_id, step.name, sub.created_at, message=sub.message_name,
                               recordable=step.recordable), sub.task_id, step.nested))
        for job in uow.session.scalars(select(Job).where(
                Job.instance_id == instance_id, Job.kind == "timer", Job.state.in_(("pending", "failed")))
                .order_by(Job.due_at, Job.id)):
            step = _catch_event(uow, definitions, job.bpmn_id, None)
            found.append((Wait("timer", step.element_id, step.name, job.created_at, due_at=job.due_at),
                          job.task_id, step.nested))
        if any(nested for _, _, nested in found):  # only a wait in a sub-process can be one member's
            case = execution.read_case(uow, instance_id)
            for wait, task_id, nested in found:
                if nested:
                    wait.member = _member(case, task_id)
        return [wait for wait, _, _ in found]


def _member(case: Case, task_id: str) -> str | None:
    """The name of the multi-instance member the waiting task ``task_id`` runs for: the item (the
    ``camunda:elementVariable``) of the nearest instance around it, in its sub-process, a called process or
    outward; its text, or the ``name`` (else ``label``) of an object. None outside a multi-instance, for an
    item without a name, or for a confidential one (govflow.confidential)."""
    try:
        task = case.workflow.get_task_from_id(UUID(task_id))
    except (ValueError, WorkflowException):
        return None
    while task is not None:
        parent = task.parent
        if parent is not None and isinstance(parent.task_spec, MultiInstanceTask) \
                and task.task_spec.name == parent.task_spec.task_spec:  # an instance, not the step after it
            spec = parent.task_spec
            if spec.input_item is None:
                item = task.internal_data.get("item", task.internal_data.get("key_or_index"))
            elif spec.input_item.bpmn_id in case.hidden:
                return None
            else:
                item = task.data.get(spec.input_item.bpmn_id)
            if isinstance(item, dict):
                item = item.get("name") or item.get("label")
            if not isinstance(item, (str, int)) or isinstance(item, bool):
                return None
            return str(item).strip() or None
        if parent is not None:
            task = parent
        elif task.workflow.parent_task_id is not None:  # the task running this sub-process or called process
            task = task.workflow.top_workflow.get_task_from_id(task.workflow.parent_task_id)
        else:
            task = None
    return None


@dataclass(frozen=True)
class _CatchEvent:
    element_id: str
    name: str | None  # its name in the diagram
    recordable: bool = False  # a message catch event marked govflow.recordable
    materials_complete: bool = False  # ... marked govflow.materialsComplete
    nested: bool = False  # in a sub-process or a called process: possibly inside a multi-instance


def _catch_event(uow: UnitOfWork, definitions: list[ProcessDefinition], bpmn_id: str, message: str | None
                 ) -> _CatchEvent:
    """The catch event a wait stands for: the one taking ``message``, else a timer, in the first of the case's
    ``definitions`` whose element ``bpmn_id`` takes it (an id is unique in a diagram, not across the diagrams
    a case calls). An event-based gateway waits for all its events at once, and SpiffWorkflow keeps that wait
    on the gateway: its outgoing event taking it is the catch event. An element of that id taking neither
    (or none at all): the element as found, else (its id, no name), not recordable."""
    fallback = _CatchEvent(bpmn_id, None)
    for index, definition in enumerate(definitions):
        cached = uow.runtime.specs.get(definition)
        for spec in (cached.spec, *cached.subprocess_specs.values()):
            found = next((ts for ts in spec.task_specs.values() if getattr(ts, "bpmn_id", None) == bpmn_id), None)
            if found is None:
                continue
            nested = index > 0 or spec is not cached.spec
            catcher = _catcher(found, message)
            if catcher is None:
                if fallback.name is None:
                    fallback = _CatchEvent(bpmn_id, found.bpmn_name, nested=nested)
                continue
            element = catcher.bpmn_id or bpmn_id
            properties = cached.elements.get(definition.key, {}).get(element, {}).get("properties") or {}
            marked = str(properties.get(RECORDABLE, "")).strip().lower() == "true"
            complete = str(properties.get(MATERIALS_COMPLETE, "")).strip().lower() == "true"
            return _CatchEvent(element, catcher.bpmn_name, recordable=message is not None and marked,
                               materials_complete=message is not None and complete, nested=nested)
    return fallback


def _catcher(spec: Any, message: str | None) -> Any:
    """The task spec catching ``message`` (a timer when None) where ``spec`` waits: ``spec`` itself, or the
    outgoing event of an event-based gateway (its events' definitions are in the order of its outgoing
    events); None when nothing there takes it."""
    if isinstance(spec, EventBasedGateway):
        return next((output for event, output in zip(spec.event_definition.event_definitions, spec.outputs,
                                                     strict=False) if _takes(event, message)), None)
    event = getattr(spec, "event_definition", None)
    return spec if any(_takes(e, message) for e in getattr(event, "event_definitions", None) or [event]) else None


def _takes(event: Any, message: str | None) -> bool:
    if message is None:
        return isinstance(event, TimerEventDefinition)
    return isinstance(event, MessageEventDefinition) and event.name == message


@dataclass
class ListedCase:
    """A case as the case list shows it: its item, how it ended, and its time limit."""

    case: InstanceView
    item_name: str
    outcome: str | None = None  # the case state an ended case reached (不予受理, 办结(通过), 撤回 ...)
    end_step: str | None = None  # the end it reached, as the diagram names it (中止审批，视为撤回申请)
    deadline_at: datetime | None = None  # the time-limit clock's deadline; None: no clock
    clock_state: str | None = None  # running | paused | stopped
    overdue: bool = False  # the clock runs (or paused) past its deadline


def case_list(uow: UnitOfWork, *, actor: Actor, state: str | None = None, key: str | None = None,
              business_key: str | None = None, number_part: str | None = None, applicant: str | None = None,
              limit: int = 50, offset: int = 0) -> tuple[list[ListedCase], int]:
    """``list_instances`` with what a person scans a list for: the item's name, the outcome of ended cases
    (engine.case_state, as the case itself reads it) and the deadline, read for the whole page at once (the
    same few queries, whatever the page's size). ``number_part`` finds cases by part of their number,
    ``applicant`` by part of their applicant's name."""
    found, outcomes, total = _listed(uow, actor=actor, state=state, key=key, business_key=business_key,
                                     limit=limit, offset=offset, ended_only=True, number_part=number_part,
                                     applicant=applicant)
    if not found:
        return [], total
    ids = [c.id for c in found]
    now = utcnow()
    with uow:
        names = execution.item_names(uow, sorted({c.definition_key for c in found}))
        clocks = {c.instance_id: c for c in uow.session.scalars(select(CaseClock).where(CaseClock.instance_id.in_(ids)))}
    listed = []
    for view in found:
        item = ListedCase(view, names.get(view.definition_key, view.definition_key))
        if view.id in outcomes:
            outcome = outcomes[view.id]
            item.outcome = outcome.stands.state
            item.end_step = None if view.state == "terminated" else outcome.end  # the page shows its reason
        clock = clocks.get(view.id)
        if clock is not None:
            item.deadline_at, item.clock_state = clock.deadline_at, clock.state
            # A paused clock's stored deadline moves on when it resumes (engine.time_limits): not overdue.
            item.overdue = clock.state == "running" and now > clock.deadline_at
        listed.append(item)
    return listed, total
