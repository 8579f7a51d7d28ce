"""Loading a case, running it until it waits, and saving it with its projections — the body of every
command that changes a case. Helpers here take the unit of work and never commit."""
from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import String, Table, bindparam, func, insert, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from . import (
    _spiff,
    confidential,
    db,
    delegations,
    departments,
    diagram_functions,
    due_share,
    message_buffer,
    outbox,
    time_limits,
    timer_refresh,
)
from .bpmn_xml import PROCESS_KEY
from .clock import LOCAL_TZ, utcnow
from .diagrams import META_ATTRIBUTES
from .errors import Conflict, EngineError, NotFound, ProcessError
from .models import (
    HistoryEvent,
    Job,
    MessageSubscription,
    ProcessDefinition,
    ProcessInstance,
    Task,
    TaskCandidate,
    User,
)
from .unit_of_work import UnitOfWork

OPEN, DONE, CANCELLED, HELD = "READY", "COMPLETED", "CANCELLED", "SUSPENDED"
STATE_NAMES = {TaskState.COMPLETED: "completed", TaskState.CANCELLED: "cancelled", TaskState.ERROR: "error",
               TaskState.READY: "ready", TaskState.WAITING: "waiting", TaskState.STARTED: "started"}
MAX_HISTORY_VALUE = 2000
MAX_ENGINE_ROUNDS = 20  # engine-step rounds per command for timers that expire while it runs
# Called in the command that ends a case (completed or terminated), in its transaction: modules that
# follow cases to their end add themselves (engine.ratings writes a rectification's outcome).
ON_ENDED: list[Callable[[UnitOfWork, Case], None]] = []


@dataclass
class Case:
    """A case loaded for one command."""

    row: ProcessInstance
    workflow: BpmnWorkflow
    definitions: dict[str, ProcessDefinition]  # process id -> definition used in this case
    before: dict[UUID, int] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)
    is_new: bool = False
    # Buffered messages taken for this case's new waits; instances.settle delivers them after saving.
    buffered: list[Any] = field(default_factory=list)
    # The case's open task rows as its last save left them (oldest first), and the row version that save
    # wrote: the command's answer reuses them unless the case was saved again through another Case since.
    open_tasks: list[Task] = field(default_factory=list)
    saved_version: int | None = None
    # Whether the stored state has catch events waiting; without any, no subscription or timer row exists.
    waits_stored: bool = False
    # Who completed which task in this command (task id -> user name): the save writes it on the task row.
    completed_by: dict[str, str] = field(default_factory=dict)
    # Tasks completed here by someone who may complete a task claimed by another (an admin).
    claims_overridden: set[str] = field(default_factory=set)
    # Task rows this save creates: written once the steps that may still set them (due dates) have run.
    new_tasks: list[Task] = field(default_factory=list)
    # A start under an entrustment (engine.delegations.begin): its window steps go to the agent until the
    # start has settled and written the case's ``case_delegations`` row (a buffered message saves it twice).
    on_behalf: delegations.OnBehalf | None = None
    # The workflow's tasks, walked once by save for all it writes (nothing runs the workflow meanwhile).
    tasks: list[Any] = field(default_factory=list)
    # Confidential variable names of every process the case runs (engine.confidential).
    hidden: frozenset[str] = frozenset()
    # The user whose command this is, as the command opened the case (None: the system's own, a timer's).
    actor: str | None = None
    # The element metadata of each process the case runs, by process key (engine.diagrams), as cached.
    elements: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    # What the case's expressions and scripts call (workdays(), case_deadline() ...) bound to this case.
    functions: Any = None

    def record(self, event: str, *, actor: str | None, **data: Any) -> None:
        self.history.append({"event": event, "actor": actor, **data})

    def call_variables(self, process_key: str) -> dict[str, Any]:
        """A called process's ``camunda:initiator`` set to the user whose command starts the call, as
        Camunda sets it to the authenticated user (engine._spiff.CaseCallActivity)."""
        name = self.elements.get(process_key, {}).get(PROCESS_KEY, {}).get("initiator")
        return {name: self.actor} if name else {}


# ---- loading -----------------------------------------------------------------------------------

def latest_definition(uow: UnitOfWork, key: str) -> ProcessDefinition | None:
    return uow.session.scalars(
        select(ProcessDefinition).where(ProcessDefinition.key == key)
        .order_by(ProcessDefinition.version.desc()).limit(1)
    ).first()


def find_definition(uow: UnitOfWork, key: str, version: int | None) -> ProcessDefinition:
    """Definition ``key`` at ``version``, or its latest (a helper: ``with uow`` open). Raises NotFound."""
    if version is None:
        definition = latest_definition(uow, key)
    else:
        definition = uow.session.scalars(select(ProcessDefinition).where(
            ProcessDefinition.key == key, ProcessDefinition.version == version)).first()
    if definition is None:
        suffix = f" version {version}" if version is not None else ""
        raise NotFound(f"process definition {key!r}{suffix} not found")
    return definition


def item_names(uow: UnitOfWork, keys: list[str]) -> dict[str, str]:
    """Each process's name as its latest version gives it (its key when it has none), in one query."""
    if not keys:
        return {}
    latest = (select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("version"))
              .where(ProcessDefinition.key.in_(keys)).group_by(ProcessDefinition.key).subquery())
    named = dict(uow.session.execute(
        select(ProcessDefinition.key, ProcessDefinition.name)
        .join(latest, (ProcessDefinition.key == latest.c.key) & (ProcessDefinition.version == latest.c.version))
    ).all())
    return {key: named.get(key) or key for key in keys}


def _specs(uow: UnitOfWork, definition: ProcessDefinition) -> tuple[Any, dict[str, Any]]:
    cached = uow.runtime.specs.get(definition)
    return cached.spec, cached.subprocess_specs


def _resolve_called(uow: UnitOfWork, root: ProcessDefinition, pinned: dict[str, Any]
                    ) -> tuple[dict[str, Any], dict[str, ProcessDefinition]]:
    """Subprocess specs for a case: embedded ones, plus called processes — the version a running
    call already uses, else the latest deployed (resolved when the call happens)."""
    specs: dict[str, Any] = {}
    used: dict[str, ProcessDefinition] = {root.key: root}
    pending = [root]
    while pending:
        definition = pending.pop()
        specs.update(_specs(uow, definition)[1])
        for key in definition.called_keys:
            if key in used:
                continue
            called = uow.session.get(ProcessDefinition, pinned[key]) if key in pinned else latest_definition(uow, key)
            if called is None:
                continue  # refused at deploy unless deleted since; the call itself will then fail clearly
            used[key] = called
            specs[key] = _specs(uow, called)[0]
            pending.append(called)
    return specs, used


def open_case(uow: UnitOfWork, instance_id: int, *, actor: str | None = None) -> Case:
    """A case loaded for a command; ``actor``: the user whose command it is, the ``camunda:initiator`` of the
    processes its call activities start (None: the system's own command, or one that starts no call)."""
    row = uow.session.get(ProcessInstance, instance_id)
    if row is None:
        raise NotFound(f"process instance {instance_id} not found")
    spec = _specs(uow, row.definition)[0]
    subprocess_specs, used = _resolve_called(uow, row.definition, row.called_versions or {})
    functions = _bind_functions(uow, row.definition, row.id)
    workflow = _spiff.loads(row.workflow, spec, subprocess_specs)
    case = Case(row=row, workflow=workflow, definitions=used, hidden=confidential.names(uow, used.values()),
                actor=actor, elements=_elements(uow, used), functions=functions)
    _spiff.start_calls_with(workflow, case)
    case.before = {t.id: t.state for t in workflow.get_tasks()}
    case.waits_stored = _has_waits(workflow)
    return case


def read_case(uow: UnitOfWork, instance_id: int) -> Case:
    """A case loaded to read, once per session of ``uow``: the case page's panels (its file, its waits, the
    throws offered) share one load, as a clock command's notice and text do (it changes the clock, not the
    case). Never for a command that changes the case it loads: the load is kept until the next commit."""
    case = uow.read_cases.get(instance_id)
    if case is None:
        case = uow.read_cases[instance_id] = open_case(uow, instance_id)
    return case


def new_case(uow: UnitOfWork, definition: ProcessDefinition, *, business_key: str | None,
             variables: dict[str, Any], actor: str | None) -> Case:
    spec = _specs(uow, definition)[0]
    subprocess_specs, used = _resolve_called(uow, definition, {})
    functions = _bind_functions(uow, definition)
    workflow = _spiff.new_workflow(spec, subprocess_specs)
    start = workflow.task_tree  # data set here flows to every task of the case
    elements = _elements(uow, used)
    # camunda:initiator: the starting user, set before the start's variables, which win (as in Camunda)
    initiator = elements[definition.key].get(PROCESS_KEY, {}).get("initiator")
    start.set_data(**{**({initiator: actor} if initiator else {}), **variables})
    row = ProcessInstance(definition=definition, definition_id=definition.id, definition_key=definition.key,
                          business_key=business_key or generate_business_key(), state="running",
                          workflow=b"", called_versions={}, started_by=actor, version=0)
    case = Case(row=row, workflow=workflow, definitions=used, is_new=True,
                hidden=confidential.names(uow, used.values()), actor=actor, elements=elements, functions=functions)
    _spiff.start_calls_with(workflow, case)
    case.record("instance.started", actor=actor, data={"variables": clip(variables)})
    return case


def _elements(uow: UnitOfWork, used: dict[str, ProcessDefinition]) -> dict[str, dict[str, dict[str, Any]]]:
    return {key: uow.runtime.specs.get(definition).elements.get(definition.key, {}) for key, definition in used.items()}


def process_properties(uow: UnitOfWork, definition: ProcessDefinition) -> dict[str, str]:
    """Extension properties set on the process itself (time limits, calendar)."""
    elements = uow.runtime.specs.get(definition).elements.get(definition.key, {})
    return elements.get(PROCESS_KEY, {}).get("properties", {})


def _bind_functions(uow: UnitOfWork, definition: ProcessDefinition,
                    instance_id: int | None = None) -> diagram_functions.Binding:
    return diagram_functions.bind(uow, process_properties(uow, definition).get("govflow.calendar") or "CN",
                                  instance_id)


def activate(case: Case) -> None:
    """Bind the case's diagram functions again before it runs: a command that opened another case since
    (engine.instances.settle: the cases its messages reached) bound that one's calendar and clock."""
    if case.functions is not None:
        diagram_functions.use(case.functions)


def generate_business_key() -> str:
    """A case number: date plus random part, well under the 50 characters GB/T 39046 allows."""
    return utcnow().astimezone(LOCAL_TZ).strftime("%Y%m%d") + secrets.token_hex(5).upper()  # Beijing's date


# ---- running -----------------------------------------------------------------------------------

def run(case: Case) -> None:
    """Run engine steps until the case waits; a failing step aborts the whole command."""
    activate(case)
    with without_secrets(case), engine_errors(case):
        case.workflow.do_engine_steps(will_complete_task=_spiff.firm_up)
        # do_engine_steps ends by refreshing timers: one that expired meanwhile is READY now, and would
        # otherwise sit there (no longer waiting, so without a job) until some later command runs.
        for _ in range(MAX_ENGINE_ROUNDS):
            if not case.workflow.get_tasks(state=TaskState.READY, manual=False):
                break
            case.workflow.do_engine_steps(will_complete_task=_spiff.firm_up)


@contextmanager
def without_secrets(case: Case) -> Iterator[None]:
    """An engine error raised inside, with the case's confidential values taken out of its text: a script
    or expression failing on a value quotes it, and the error reaches the caller and the incident."""
    try:
        yield
    except EngineError as exc:
        without_secrets_of(case, exc)
        raise


def without_secrets_of(case: Case, error: EngineError) -> EngineError:
    if case.hidden:
        confidential.scrub_error(error, secret_texts(case))
    return error


def secret_texts(case: Case) -> list[str]:
    """The text of the case's confidential values, to take out of free text (none for most cases)."""
    return confidential.texts(case_variables(case.workflow), case.hidden) if case.hidden else []


def definitions_of(uow: UnitOfWork, row: ProcessInstance) -> list[ProcessDefinition]:
    """The definitions a case runs: its own first, then the processes it calls (the version a running call
    uses, else the latest), as ``open_case`` resolves them, without restoring the case."""
    return list(_resolve_called(uow, row.definition, row.called_versions or {})[1].values())


def case_secret_texts(uow: UnitOfWork, instance_id: int) -> list[str]:
    """``secret_texts`` of a case not otherwise open: its state is restored only when one of its processes
    declares confidential variables (most declare none)."""
    row = uow.session.get(ProcessInstance, instance_id)
    if row is None:
        raise NotFound(f"process instance {instance_id} not found")
    return secret_texts(open_case(uow, instance_id)) if confidential.names(uow, definitions_of(uow, row)) else []


def _conceal_history(case: Case) -> None:
    """The command's history items without the case's confidential values (engine.confidential): before
    webhooks and the history table read them (documents read only which steps completed). Items already
    concealed are not walked again."""
    if not case.hidden:
        return
    texts = secret_texts(case)
    for item in case.history:
        if not item.get("concealed"):
            item.update(confidential.history_item(item, case.hidden, texts), concealed=True)


@contextmanager
def engine_errors(case: Case | None = None) -> Iterator[None]:
    """Turn whatever SpiffWorkflow or a diagram's script raises into a ProcessError naming the element;
    with the ``case``, expressions it quotes read as the diagram writes them."""
    try:
        yield
    except EngineError:
        raise
    except SpiffWorkflowException as exc:
        raise _process_error(exc, case) from exc
    except Exception as exc:  # a script's own error class, a correlation expression's NameError, ...
        raise ProcessError(f"the process failed: {exc}") from exc


def _process_error(exc: SpiffWorkflowException, case: Case | None = None) -> ProcessError:
    task = getattr(exc, "task", None)
    # Some errors (an exclusive gateway with no true condition) carry only the task spec.
    spec = getattr(task, "task_spec", None) or getattr(exc, "task_spec", None)
    element = getattr(spec, "bpmn_id", None)
    name = getattr(spec, "bpmn_name", None)
    message = _spiff.spiff_message(exc, _sources(case, task, element))
    where = f" at {name or element}" if element else ""
    return ProcessError(f"the process failed{where}: {message}", element=element, element_name=name,
                        details=[{"element": element, "message": message}])


def _sources(case: Case | None, task: Any, element: str | None) -> dict[str, str]:
    """The failing element's translated expressions with the diagram's text (engine.diagrams keeps them):
    from the definition its task runs in, or, with only the spec known, from every process of the case."""
    if case is None or element is None:
        return {}
    keys = [definition_of(case, task).key] if task is not None else list(case.elements)
    found: dict[str, str] = {}
    for key in keys:
        found.update(case.elements.get(key, {}).get(element, {}).get("sources") or {})
    return found


def evaluate(task: Any, expression: str, data: dict[str, Any] | None = None) -> Any:
    return _spiff.script_engine.environment.evaluate(expression, task.data if data is None else data)


# ---- saving ------------------------------------------------------------------------------------

# Every command runs these: built once. The optimistic version check is on the table (the SET clause is
# the parameters named for columns), so no ORM statement is constructed per save.
_CASES = cast(Table, ProcessInstance.__table__)
_SAVE_IF_UNCHANGED = update(_CASES).where(_CASES.c.id == bindparam("case_id"),
                                          _CASES.c.version == bindparam("expected_version"))
# The inbox projection is written in Core, not through the ORM's unit of work: it is the hottest write of
# every command, and the task objects a command answers with are plain transient ones.
_TASKS = cast(Table, Task.__table__)
_CANDIDATES = cast(Table, TaskCandidate.__table__)
_INSERT_TASKS, _INSERT_CANDIDATES = insert(_TASKS), insert(_CANDIDATES)
# One multi-row INSERT: a completion writes several history rows and this is its hottest write. On the
# table, not the ORM entity: the ORM's bulk insert splits rows by which columns are None.
_INSERT_HISTORY = insert(cast(Table, HistoryEvent.__table__))
_OPEN_TASK_ROWS = select(_TASKS).where(_TASKS.c.instance_id == bindparam("case_id"), _TASKS.c.state.in_((OPEN, HELD)))
# Only the state moves, plus who completed the task when someone did: the assignee is kept as it stands in
# the table, so a claim committed since this save read the row is not undone.
_SET_TASK_STATE = update(_TASKS).where(_TASKS.c.id == bindparam("task_id")).values(
    state=bindparam("new_state"), ended_at=bindparam("new_ended_at"),
    assignee=func.coalesce(_TASKS.c.assignee, bindparam("completer", type_=String)),
    completed_by=func.coalesce(bindparam("completer", type_=String), _TASKS.c.completed_by))
# A completion, unless someone else claimed the task since the command read it: a claim does not change
# the case's version, so the case's version check would not see it. The row as it stands decides.
_COMPLETE_UNLESS_CLAIMED = _SET_TASK_STATE.where(or_(_TASKS.c.assignee.is_(None),
                                                     _TASKS.c.assignee == bindparam("completer", type_=String)))


def save(uow: UnitOfWork, case: Case) -> None:
    """Write the case with a version check, then every projection, in the caller's transaction."""
    activate(case)  # new tasks' due dates may count working days
    workflow, row = case.workflow, case.row
    now = utcnow()
    case.tasks = workflow.get_tasks()
    _record_called_versions(case)
    _record_steps(case)
    state = row.state
    # A terminated case's workflow is completed too. is_completed() also sees the paths that all ended
    # without reaching the process's end (a boundary path with no outgoing flow), which leave no token.
    if state == "running" and (workflow.completed or workflow.is_completed()):
        state = "completed"
        case.record("instance.completed", actor=None)
    if state in ("completed", "terminated") and row.ended_at is None:
        row.ended_at = now
    _drop_ended_drafts(case)
    payload = _spiff.dumps(workflow)
    applicant = applicant_of(case)
    session = uow.session
    if case.is_new:
        # Started at the moment its first steps, history and end are stamped with, not at the insert after.
        row.workflow, row.state, row.version, row.updated_at, row.started_at = payload, state, 1, now, now
        row.applicant_name = applicant
        session.add(row)
        session.flush()
    else:
        result = session.execute(_SAVE_IF_UNCHANGED, {
            "case_id": row.id, "expected_version": row.version, "workflow": payload, "state": state,
            "version": row.version + 1, "updated_at": now, "ended_at": row.ended_at, "end_reason": row.end_reason,
            "called_versions": row.called_versions, "applicant_name": applicant})
        if db.affected(result) != 1:
            raise Conflict(f"process instance {row.id} was changed by someone else; try again",
                           instance_id=row.id)
        # The row already says all this: record it as stored so the session writes it no second time.
        for name, value in (("workflow", payload), ("state", state), ("version", row.version + 1),
                            ("updated_at", now), ("ended_at", row.ended_at), ("end_reason", row.end_reason),
                            ("called_versions", row.called_versions), ("applicant_name", applicant)):
            set_committed_value(row, name, value)
    # Due dates, priorities, documents and follow-ups are evaluated on the case's data: errors leave it out.
    with without_secrets(case):
        _sync_tasks(uow, case, now)
        _sync_waits(uow, case)
        time_limits.apply(uow, case, now)  # 限时办结: before history, so its items are written with the steps
        due_share.apply(uow, case, now)  # govflow.dueShare: needs the clock a step may just have started
        _insert_new_tasks(uow, case)
        if row.ended_at == now and row.state in ("completed", "terminated"):
            for follow_up in ON_ENDED:
                follow_up(uow, case)
        from .documents import issue_declared  # documents reads cases through this module

        # govflow.document: rendered and stored with the step; its history item follows the step's, and
        # the outbox events are made from the history, so a document comes before later steps and the end.
        issue_declared(uow, case, now)
        _conceal_history(case)  # before webhooks read it
        outbox.collect(uow, case)
        write_history(uow, case, now)
    # The case now is what is stored: saving it again (after a buffered message) diffs from here.
    case.is_new = False
    case.before = {t.id: t.state for t in case.tasks}
    case.waits_stored = _has_waits(workflow)
    case.saved_version = row.version


def _record_called_versions(case: Case) -> None:
    pinned = dict(case.row.called_versions or {})
    for sub in case.workflow.subprocesses.values():
        definition = case.definitions.get(sub.spec.name)
        if definition is not None and definition is not case.definitions.get(case.row.definition_key):
            pinned.setdefault(sub.spec.name, definition.id)
    if pinned != (case.row.called_versions or {}):
        case.row.called_versions = pinned


def _record_steps(case: Case) -> None:
    """Turn task state changes into history: every BPMN element reached, finished or cancelled, in the order
    it happened. The task tree lists a multi-instance's next step before its instances, so in tree order a
    round's count read as if before the ballots that closed with it (two lapsing at once: 计票 before either
    计为未出席). SpiffWorkflow stamps each state change (``last_state_change``); equal stamps keep tree order."""
    moved = [task for task in case.tasks if case.before.get(task.id) != task.state and task.state in STATE_NAMES]
    for task in sorted(moved, key=lambda t: t.last_state_change):
        spec = task.task_spec
        if getattr(spec, "bpmn_id", None) is None:
            continue  # internal bookkeeping specs, not diagram elements
        if task.state in (TaskState.READY, TaskState.STARTED) and not spec.manual:
            continue  # engine steps go READY -> COMPLETED within the command; the end is what counts
        data: dict[str, Any] = {}
        if task.state == TaskState.COMPLETED and task.parent is not None:
            changed = DeepMerge.get_updated_keys(task.parent.data, task.data)
            if changed:
                data["changed"] = clip(changed)
        case.record(f"element.{STATE_NAMES[task.state]}", actor=None, element_id=spec.bpmn_id,
                    element_name=spec.bpmn_name, element_type=type(spec).__name__, task_id=str(task.id),
                    data=data)


# A ready task's saved form values (engine.tasks.save, 暂存), and the checklist choices saved with them
# (material name -> mark kind), in its internal data.
TASK_DRAFT, TASK_DRAFT_MARKS = "govflow.draft", "govflow.draft_marks"


def _drop_ended_drafts(case: Case) -> None:
    """Forget the values saved with tasks that ended without being completed (a boundary event, a
    termination): nobody reads them again, and they may hold confidential values. Only a ready task holds
    them, so only the tasks this command moved on from ready are looked at."""
    for task in case.tasks:
        if case.before.get(task.id) == TaskState.READY and task.state != TaskState.READY:
            task.internal_data.pop(TASK_DRAFT, None)
            task.internal_data.pop(TASK_DRAFT_MARKS, None)


def _sync_tasks(uow: UnitOfWork, case: Case, now: datetime) -> None:
    """Diff the ready user tasks against the open task rows: end the rows whose task is gone, hold or
    release them with the case, and prepare rows for new tasks (inserted by _insert_new_tasks)."""
    session, row = uow.session, case.row
    ready = {str(t.id): t for t in case.tasks if t.state == TaskState.READY and t.task_spec.manual}
    existing = [] if case.is_new else session.execute(_OPEN_TASK_ROWS, {"case_id": row.id}).mappings().all()
    open_state = HELD if row.state == "suspended" else OPEN  # a suspended case's tasks leave the inbox
    still_open: list[Task] = []
    changes: list[dict[str, Any]] = []
    for stored in existing:
        task_row = Task.from_row(stored)
        if task_row.id in ready:
            still_open.append(task_row)
            if task_row.state == open_state:
                continue
            task_row.state = open_state
        else:
            spiff_task = _spiff.task_by_id(case.workflow, task_row.id)
            completed = spiff_task is not None and spiff_task.state == TaskState.COMPLETED
            # A task completed in this command is done even if the step it led to pruned it already.
            task_row.state = DONE if completed or task_row.id in case.completed_by else CANCELLED
            task_row.ended_at = now
        completer = case.completed_by.get(task_row.id) if task_row.state == DONE else None
        change = {"task_id": task_row.id, "new_state": task_row.state, "new_ended_at": task_row.ended_at,
                  "completer": completer}
        if completer is not None and task_row.id not in case.claims_overridden:
            if db.affected(session.execute(_COMPLETE_UNLESS_CLAIMED, change)) != 1:
                raise Conflict(f"task {task_row.id} was claimed by someone else meanwhile", state=OPEN)
        else:
            changes.append(change)
    if changes:
        session.execute(_SET_TASK_STATE, changes)
    stored_ids = {stored["id"] for stored in existing}
    created = [_new_task_row(uow, case, task, now) for task_id, task in ready.items() if task_id not in stored_ids]
    case.new_tasks = created
    # What instances.instance_view would read back, in its order, without reading it again.
    case.open_tasks = sorted(still_open + created, key=lambda t: (t.created_at, t.id))
    departments.take_part(uow, case, created, now)  # case_departments; reads nothing when no task is new


def _insert_new_tasks(uow: UnitOfWork, case: Case) -> None:
    created, case.new_tasks = case.new_tasks, []
    if not created:
        return
    uow.session.execute(_INSERT_TASKS, [{c.key: getattr(t, c.key) for c in _TASKS.columns} for t in created])
    candidates = [{"task_id": t.id, "kind": kind, "value": value, "instance_id": t.instance_id} for t in created
                  for kind, values in (("group", t.candidate_groups), ("user", t.candidate_users))
                  for value in dict.fromkeys(values)]
    if candidates:
        uow.session.execute(_INSERT_CANDIDATES, candidates)


def definition_of(case: Case, task: Any) -> ProcessDefinition:
    """The definition a task's element comes from (a called process's, inside a call activity)."""
    workflow = task.workflow
    while True:
        definition = case.definitions.get(workflow.spec.name)
        if definition is not None or workflow.parent_workflow is None:
            break
        workflow = workflow.parent_workflow
    return definition or case.row.definition


def element_meta(uow: UnitOfWork, case: Case, task: Any) -> dict[str, Any]:
    definition = definition_of(case, task)
    elements = uow.runtime.specs.get(definition).elements
    return elements.get(definition.key, {}).get(task.task_spec.bpmn_id, {})


def completed_element(uow: UnitOfWork, case: Case, task_id: str) -> tuple[Any, dict[str, Any]] | None:
    """The task an ``element.completed`` history item names, with its element's metadata; None when the
    task is gone from the workflow (a branch pruned in the same command)."""
    task = _spiff.task_by_id(case.workflow, task_id)
    return None if task is None else (task, element_meta(uow, case, task))


def _new_task_row(uow: UnitOfWork, case: Case, task: Any, now: datetime) -> Task:
    meta = element_meta(uow, case, task)
    values = {key: _evaluate_meta(task, meta, key) for key in
              ("candidate_groups", "candidate_users", "assignee", "due_date", "follow_up_date", "priority")}
    groups, users = names_of(values["candidate_groups"]), names_of(values["candidate_users"])
    groups = delegations.accepting_groups(uow, case, task, groups)  # 委托受理: the agent's window accepts
    assignee, inactive = _resolve_assignee(uow, _as_text(values["assignee"]))
    if inactive is not None and not groups and not users:
        users = [inactive]  # not every clerk's: supervisors see it, to assign (engine.tasks.release_held)
    external = meta.get("type") == "externalTask"
    row = Task(
        id=str(task.id), instance_id=case.row.id, definition_key=case.row.definition_key,
        business_key=case.row.business_key, bpmn_id=task.task_spec.bpmn_id,
        name=_as_text(_evaluate_meta(task, meta, "name_expression", case.hidden)) or task.task_spec.bpmn_name
        or meta.get("name"),
        lane=task.task_spec.lane or meta.get("lane"),
        kind="external" if external else "user", topic=_topic(task, meta) if external else None,
        state=OPEN, assignee=assignee, candidate_groups=groups, candidate_users=users,
        due_at=_as_time(values["due_date"], now, task), follow_up_at=_as_time(values["follow_up_date"], now, task),
        priority=_as_priority(values["priority"], task),
        form_key=meta.get("form_key") or _as_text(_evaluate_meta(task, meta, "form_key_expression")),
        properties={**(meta.get("properties") or {}), **_task_metadata(task, meta, case.hidden)}, created_at=now,
    )
    case.record("task.created", actor=None, element_id=row.bpmn_id, element_name=row.name,
                element_type="UserTask", task_id=row.id,
                data={"candidate_groups": groups, "candidate_users": users, "assignee": row.assignee,
                      **({"kind": row.kind, "topic": row.topic} if external else {})})
    if inactive is not None:
        case.record("task.assignee_inactive", actor=None, element_id=row.bpmn_id, element_name=row.name,
                    element_type="UserTask", task_id=row.id,
                    data={"assignee": inactive, "message": f"assignee {inactive} is not an active user: the task "
                          "is left unassigned, for its candidates to claim or a supervisor to assign"})
    return row


def _topic(task: Any, meta: dict[str, Any]) -> str:
    """The topic workers poll for: the diagram's, or its expression's value on the task's data."""
    if "topic_expression" not in meta:
        return str(meta.get("topic") or task.task_spec.bpmn_id)
    topic = _as_text(_evaluate_meta(task, meta, "topic_expression"))
    if topic is None or len(topic) > 255:
        raise ProcessError(f"the topic of {task.task_spec.bpmn_name or task.task_spec.bpmn_id} is "
                           f"{'empty' if topic is None else 'longer than 255 characters'}",
                           element=task.task_spec.bpmn_id)
    return topic


_ACTIVE = select(User.active).where(User.name == bindparam("name"))


def _resolve_assignee(uow: UnitOfWork, named: str | None) -> tuple[str | None, str | None]:
    """(assignee, inactive): the name a diagram's assignee expression gave, or (None, the name) when it
    names a deactivated user, who would hold the task where nobody could claim it. A name no user has yet
    is kept as named, as Camunda does: the user may be created after the diagram routed to them."""
    if named is None:
        return None, None
    active = uow.session.execute(_ACTIVE, {"name": named}).scalar()
    return (None, named) if active is not None and not active else (named, None)


def _evaluate_meta(task: Any, meta: dict[str, Any], key: str, hidden: frozenset[str] = frozenset()) -> Any:
    """An element's expression on the task's data; ``hidden``: confidential variables read as ``***`` (for
    what queues show to everyone: names, metadata), not for routing (candidates, assignee)."""
    expression = meta.get(key)
    if expression is None:
        return None
    try:
        return evaluate(task, expression, confidential.conceal(task.data, hidden))
    except Exception as exc:
        source = (meta.get("sources") or {}).get(expression, expression)
        raise ProcessError(f"cannot evaluate {META_ATTRIBUTES.get(key, key)} {source!r} of "
                           f"{task.task_spec.bpmn_name or task.task_spec.bpmn_id}: {str(exc).splitlines()[0]}",
                           element=task.task_spec.bpmn_id) from exc


def _task_metadata(task: Any, meta: dict[str, Any], hidden: frozenset[str]) -> dict[str, Any]:
    """spiffworkflow:taskMetadataValues, evaluated against the task's data, confidential variables read as
    ``***`` (a value-less one is None)."""
    values: dict[str, Any] = {}
    data = confidential.conceal(task.data, hidden)
    for name, expression in (meta.get("metadata") or {}).items():
        try:
            values[name] = None if expression is None else clip(evaluate(task, expression, data))
        except Exception as exc:
            raise ProcessError(f"cannot evaluate task metadata {name!r} of "
                               f"{task.task_spec.bpmn_name or task.task_spec.bpmn_id}: {str(exc).splitlines()[0]}",
                               element=task.task_spec.bpmn_id) from exc
    return values


def names_of(value: Any) -> list[str]:
    """Candidate groups or users as a task's metadata gives them: a text split at commas, or a list."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, (list, tuple, set)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [str(value)]


def _as_text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _as_priority(value: Any, task: Any) -> int:
    if value in (None, ""):
        return 50
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ProcessError(f"priority of {task.task_spec.bpmn_id} is not a number: {value!r}") from exc


def _as_time(value: Any, now: datetime, task: Any) -> datetime | None:
    from .timeparse import parse_due

    if value in (None, ""):
        return None
    try:
        return parse_due(value, now)
    except ValueError as exc:
        raise ProcessError(f"due date of {task.task_spec.bpmn_id}: {exc}", element=task.task_spec.bpmn_id) from exc


def _waiting_definitions(task: Any) -> list[Any]:
    event = task.task_spec.event_definition
    return list(event.event_definitions) if isinstance(event, MultipleEventDefinition) else [event]


def _timer_due(task: Any) -> datetime | None:
    value = task.internal_data.get("event_value")
    if isinstance(value, dict):
        value = value.get("next")
    if not value or not isinstance(value, str):
        return None
    # Read as SpiffWorkflow reads it, so the job is due when the timer is: a zone-less date-time is local.
    return TimerEventDefinition.get_datetime(value)


def _sync_waits(uow: UnitOfWork, case: Case) -> None:
    """Message subscriptions and timer jobs of the waiting catch events, diffed against stored rows."""
    session, row = uow.session, case.row
    if not any(uow.runtime.specs.get(d).catches_events for d in case.definitions.values()):
        return  # nothing in these diagrams ever waits for a message or a timer
    messages: dict[tuple[str, str], dict[str, Any]] = {}
    timers: dict[str, tuple[datetime, str]] = {}
    active = row.state in ("running", "suspended")  # held, not dropped: messages get 409, timers wait
    for task in list(case.workflow.event_manager.tasks.values()) if active else []:
        if not task.has_state(TaskState.WAITING):
            continue
        for event in _waiting_definitions(task):
            if isinstance(event, MessageEventDefinition):
                messages[(str(task.id), event.name)] = _expected_correlations(task, event, case.hidden)
            elif isinstance(event, TimerEventDefinition):
                due = _timer_due(task)
                if due is not None:
                    timers[str(task.id)] = (due, task.task_spec.bpmn_id or task.task_spec.name)
    # Subscription and pending timer rows mirror the waits of the state saved with them (every save of a
    # case that can wait runs this diff): a stored state without waits has none to read.
    unread = case.is_new or not case.waits_stored
    stored_subs = [] if unread else session.scalars(
        select(MessageSubscription).where(MessageSubscription.instance_id == row.id)).all()
    for sub in stored_subs:
        if (sub.task_id, sub.message_name) not in messages:
            session.delete(sub)
        else:
            sub.correlations = messages.pop((sub.task_id, sub.message_name))
    for (task_id, name), correlations in messages.items():
        task = case.workflow.get_task_from_id(UUID(task_id))  # it waits: the workflow holds it
        session.add(MessageSubscription(instance_id=row.id, task_id=task_id, bpmn_id=task.task_spec.bpmn_id or "",
                                        message_name=name, business_key=row.business_key,
                                        correlations=correlations))
    if messages:  # new waits: a message may have come before them and wait in the buffer
        case.buffered += message_buffer.claim(uow, row, [(name, corr) for (_, name), corr in messages.items()])
    stored_jobs = [] if unread else session.scalars(
        select(Job).where(Job.instance_id == row.id, Job.state.in_(("pending", "failed")), Job.kind == "timer")).all()
    for job in stored_jobs:
        wanted = timers.pop(job.task_id, None)
        if wanted is None:
            job.state = timer_refresh.ended_state(case, job)  # fired meanwhile (done) or cancelled
        elif wanted[0] != job.due_at:  # a cycle moved on to its next occurrence
            timer_refresh.cycle_moved(case, job, wanted[0])
            job.due_at, job.attempts = wanted[0], 0
    for task_id, (due, bpmn_id) in timers.items():
        session.add(Job(instance_id=row.id, task_id=task_id, bpmn_id=bpmn_id, kind="timer", due_at=due))


def _has_waits(workflow: BpmnWorkflow) -> bool:
    """Whether a catch event waits: what _sync_waits would keep a subscription or a timer row for."""
    return any(task.has_state(TaskState.WAITING) for task in workflow.event_manager.tasks.values())


def _expected_correlations(task: Any, event: MessageEventDefinition, hidden: frozenset[str]) -> dict[str, Any]:
    """The correlation values a waiting catch event expects: those its conversation established, else each
    correlation property's retrieval expression read from the case's data while it waits (as Zeebe reads a
    correlation key when the event is entered), so a case holding license_no L-1 takes no message for L-2.
    A property the data cannot answer is left open: the case takes the first message of its conversation.
    So is one read from a confidential variable, or established with a value one holds: the stored key, and
    which messages a case takes, would disclose it."""
    expected: dict[str, Any] = {}
    environment = task.workflow.script_engine.environment
    for prop in getattr(event, "correlation_properties", None) or []:
        try:
            value = environment.evaluate(prop.retrieval_expression, task.data)
            if hidden and environment.evaluate(prop.retrieval_expression,
                                               confidential.conceal(task.data, hidden)) != value:
                continue
        except Exception:  # noqa: BLE001 - a name the case does not hold (yet), or an expression for payloads only
            continue
        if _a_key(value):
            expected[prop.name] = value
    established = _flat_correlations(task.workflow.correlations)
    if hidden and established:
        secret = set(confidential.texts(task.data, hidden))  # a one-character key ("1") is no one's secret
        established = {name: value for name, value in established.items() if str(value) not in secret}
    return {**expected, **established}


def _a_key(value: Any) -> bool:
    """Whether a value read from the case's data can be a correlation key: text (not empty, kept whole) or a
    number, as a message's JSON gives one. Anything else (an empty field, a list) leaves the property open."""
    if isinstance(value, str):
        return bool(value.strip()) and len(value) <= MAX_HISTORY_VALUE
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _flat_correlations(correlations: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for props in correlations.values():
        if isinstance(props, dict):
            flat.update(props)
    return clip(flat)


def write_history(uow: UnitOfWork, case: Case, now: datetime) -> None:
    if not case.history:
        return
    _conceal_history(case)  # history never holds confidential values, named or within other text
    uow.session.execute(_INSERT_HISTORY, [
        {"instance_id": case.row.id, "at": now, "actor": item.get("actor"), "event": item["event"],
         "element_id": item.get("element_id"), "element_type": item.get("element_type"),
         "element_name": item.get("element_name"), "task_id": item.get("task_id"), "data": item.get("data") or {}}
        for item in case.history])
    case.history.clear()


def clip(value: Any) -> Any:
    """Keep history rows bounded: long strings and deep structures are shortened, not dropped."""
    if isinstance(value, dict):
        return {str(k): clip(v) for k, v in list(value.items())[:100]}
    if isinstance(value, (list, tuple)):
        return [clip(v) for v in list(value)[:100]]
    if isinstance(value, str) and len(value) > MAX_HISTORY_VALUE:
        return value[:MAX_HISTORY_VALUE] + "…"
    if isinstance(value, (int, float, bool)) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (datetime, timedelta)):
        return str(value)
    return repr(value)[:MAX_HISTORY_VALUE]


def case_variables(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The case's data as a user sees it: what the last step left, plus what open branches hold. A
    multi-instance's item (its ``camunda:elementVariable``: one meeting member per ballot) is the instance's,
    not the case's: the last branch's would read as the case's only member."""
    data: dict[str, Any] = {}
    if workflow.last_task is not None:
        data.update(_outside_loops(workflow.last_task))
    for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED):
        data.update(_outside_loops(task))
    if workflow.completed:
        data.update(workflow.data)
    data.pop("data_objects", None)
    return data


# The variables an applicant's name is kept under, first found wins, here and on the task page
# (engine.worksheet); the window's intake page asks applicant_name.
APPLICANT_KEYS = ("applicant", "applicantName", "applicant_name", "申请人")
APPLICANT_LENGTH = 100  # ProcessInstance.applicant_name


def applicant_of(case: Case) -> str | None:
    """The applicant's name the case row keeps for the window to find it by: read as NFKC (a Chinese input
    method's full-width ＡＢＣ is ABC, as the search reads what is typed), trimmed, at most 100 characters.
    None when the case names no applicant, or when its variable is confidential (engine.confidential): the
    queue shows the column to every clerk, and a search by it would tell a right guess from a wrong one."""
    data = case_variables(case.workflow)
    for key in APPLICANT_KEYS:
        value = data.get(key)
        if key in case.hidden or not isinstance(value, str):
            continue
        name = unicodedata.normalize("NFKC", value).strip()[:APPLICANT_LENGTH].strip()
        if name:
            return name
    return None


def applicant_matches(typed: str) -> Any:
    """SQL on ProcessInstance: the applicant's name holds ``typed`` (trimmed, read as NFKC as the name is
    kept), ignoring case where the database folds it (Latin letters on SQLite, all on PostgreSQL); None
    when nothing but spaces is typed."""
    part = unicodedata.normalize("NFKC", typed).strip()
    return ProcessInstance.applicant_name.icontains(part, autoescape=True) if part else None


def of_applicant(typed: str) -> Any:
    """SQL on Task: the task's case is one ``applicant_matches`` finds (None: no condition)."""
    condition = applicant_matches(typed)
    return None if condition is None else Task.instance_id.in_(select(ProcessInstance.id).where(condition))


def applicant_names(uow: UnitOfWork, instance_ids: Iterable[int]) -> dict[int, str]:
    """The applicant's name of each of the cases that keeps one, for a list's page (one query)."""
    ids = sorted(set(instance_ids))
    if not ids:
        return {}
    with uow:
        rows = uow.session.execute(select(ProcessInstance.id, ProcessInstance.applicant_name).where(
            ProcessInstance.id.in_(ids), ProcessInstance.applicant_name.is_not(None)))
        return {case_id: name for case_id, name in rows if name is not None}


def _outside_loops(task: Any) -> dict[str, Any]:
    """The task's data without the items of the multi-instance activities it runs in, in its own workflow or
    around the sub-process or called process that holds it."""
    items, inner = set(), task
    while inner is not None:
        parent = inner.parent
        if parent is None:  # the root of a sub-workflow: on to the task that runs it
            workflow = inner.workflow
            parent = workflow.top_workflow.get_task_from_id(workflow.parent_task_id) \
                if workflow.parent_task_id is not None else None
            inner = parent
            continue
        spec = parent.task_spec
        if isinstance(spec, MultiInstanceTask) and inner.task_spec.name == spec.task_spec and spec.input_item:
            items.add(spec.input_item.bpmn_id)
        inner = parent
    return {k: v for k, v in task.data.items() if k not in items} if items else task.data
