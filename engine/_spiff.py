"""Everything that touches SpiffWorkflow's parser and serializer lives here.

Specs are stored once per definition version and cached as objects per process; a case's stored state
holds only its task tree and data, which is what makes loading a case cheap.
"""
from __future__ import annotations

import hashlib
import re
import threading
import weakref
from collections.abc import Mapping
from copy import deepcopy
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID
from weakref import WeakKeyDictionary

import orjson
from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.control import EventSplit
from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import EventBasedGateway as EventBasedGatewayMixin
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity, SubWorkflowTask
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.specs.MultiChoice import MultiChoice
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.serializer.event_definition import MessageEventDefinitionConverter
from SpiffWorkflow.spiff.serializer.task_spec import SubWorkflowTaskConverter
from SpiffWorkflow.spiff.specs.defaults import CallActivity as SpiffCallActivity
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition as SpiffMessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from . import diagram_functions, expressions, scripting
from .bpmn_xml import PreparedDiagram, Problem, local
from .clock import LOCAL_TZ
from .dmn import Decision, map_decision_results, prepare_dmn
from .errors import ProcessError
from .problem_codes import Said, said

SERIALIZER_VERSION = "govflow-1"
# Zone-less timer dates (2026-12-01T09:00:00) are local time of the service centre, as due dates are;
# SpiffWorkflow would take the machine's zone, read once at import.
_spiff_timer.LOCALTZ = LOCAL_TZ


class _CaseConverter(BpmnWorkflowConverter):
    """Serializes a case without its specs, and restores it onto cached spec objects."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], spec: Any = None, subprocess_specs: Any = None) -> BpmnWorkflow:
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


class CaseMessageEventDefinition(SpiffMessageEventDefinition):
    """A message as govflow routes it between cases.

    With ``spiffworkflow:messagePayload`` / ``messageVariable`` it behaves as in SpiffWorkflow. Without
    them it behaves as plain BPMN models (and SpiffWorkflow's own BPMN parser) expect, where SpiffWorkflow's
    spiff variant would send and keep nothing: a thrown message carries a copy of the sender's data, and a
    caught one merges its payload into the catching task's data (a payload that is not a dict is kept as
    ``<catch event id>_Response``, as SpiffWorkflow's Camunda parser does). Restored in place of
    SpiffWorkflow's class (same serialized type name), so every case at run time uses this one.
    """

    def throw(self, my_task: Any) -> None:
        if self.expression is not None:
            super().throw(my_task)
            return
        payload = deepcopy(my_task.data)
        correlations = self.get_correlations(my_task, payload)
        my_task.workflow.correlations.update(correlations)
        my_task.workflow.top_workflow.catch(BpmnEvent(self, payload=payload, correlations=correlations))

    def update_task_data(self, my_task: Any) -> None:
        if self.message_var is not None:
            super().update_task_data(my_task)
            return
        payload = my_task.internal_data.pop(self.name, None)
        if isinstance(payload, dict):
            my_task.set_data(**payload)
        elif payload is not None:  # a single value: kept as SpiffWorkflow's Camunda parser keeps it
            my_task.data[f"{my_task.task_spec.bpmn_id}_Response"] = payload


class _CaseMessageConverter(MessageEventDefinitionConverter):
    def __init__(self, target_class: type, registry: Any) -> None:
        super().__init__(target_class, registry, typename="MessageEventDefinition")


class CallStarter(Protocol):
    """What a running case gives the processes it calls besides its own variables."""

    def call_variables(self, process_key: str) -> dict[str, Any]:
        """The variables process ``process_key`` starts with before the caller's are copied in."""
        ...


# The case each workflow being run belongs to, held weakly both ways: set when a command opens the case.
# Keyed by workflow, not one context variable: a command may run a case again after opening another
# (engine.instances.settle: the cases its messages reached, then a buffered message for its own next wait).
_call_starters: WeakKeyDictionary[Any, weakref.ref[CallStarter]] = WeakKeyDictionary()


def start_calls_with(workflow: BpmnWorkflow, starter: CallStarter) -> None:
    """Let the call activities of ``workflow`` start their processes with ``starter.call_variables``."""
    _call_starters[workflow] = weakref.ref(starter)


class CaseCallActivity(SpiffCallActivity):
    """A call activity as govflow runs it: the called process starts with what its case gives it
    (``camunda:initiator``: the user whose command starts the call, as Camunda sets the authenticated user),
    then the caller's variables are copied in and win, as Camunda's in-mappings do. Restored in place of
    SpiffWorkflow's class (same serialized type name)."""

    def copy_data(self, my_task: Any, subworkflow: Any) -> None:
        found = _call_starters.get(my_task.workflow.top_workflow)
        starter = found() if found is not None else None
        if starter is not None:
            start = subworkflow.get_next_task(subworkflow.task_tree, skip_subprocesses=True, spec_name="Start")
            start.set_data(**starter.call_variables(self.spec))
        super().copy_data(my_task, subworkflow)


class _CaseCallActivityConverter(SubWorkflowTaskConverter):
    def __init__(self, target_class: type, registry: Any) -> None:
        super().__init__(target_class, registry, typename="CallActivity")


def _make_registry() -> Any:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _CaseConverter
    # Registered last: the serialized type names restore as these classes.
    config[CaseMessageEventDefinition] = _CaseMessageConverter
    config[CaseCallActivity] = _CaseCallActivityConverter
    return BpmnWorkflowSerializer.configure(config)


_registry = _make_registry()
_serializer = BpmnWorkflowSerializer(_registry, version=SERIALIZER_VERSION)
script_engine = scripting.make_script_engine({**expressions.JUEL_FUNCTIONS, **diagram_functions.FUNCTIONS})


# ---- deploy time -------------------------------------------------------------------------------

class Parser(SpiffBpmnParser):
    """SpiffWorkflow's parser without XSD validation: our own checks name file, line and element."""

    def __init__(self) -> None:
        super().__init__(validator=None)


def build_specs(
    diagrams: list[PreparedDiagram], dmn_files: list[tuple[str, Any]]
) -> tuple[dict[str, dict[str, Any]], list[Problem]]:
    """Parse translated diagrams; return per executable process id its serialized spec and parts."""
    parser = Parser()
    problems: list[Problem] = []
    owner: dict[str, PreparedDiagram] = {}
    decisions: dict[str, Decision] = {}
    refused: dict[str, str] = {}  # decision id -> its file, for decisions deployed here that cannot run
    for name, tree in dmn_files:
        prepared, dmn_problems = prepare_dmn(name, tree)
        problems.extend(dmn_problems)
        refused.update((d.get("id"), name) for d in tree if local(d.tag) == "decision" and d.get("id"))
        for decision in prepared:
            if decision.id in decisions:
                problems.append(Problem.of(name, None, decision.id,
                                           said("dmn.duplicate", decision=decision.id, other=decisions[decision.id].file)))
                continue
            try:
                parser.add_dmn_xml(decision.tree, filename=name)
                parser.dmn_parsers[decision.id].parse()  # now, so its errors name the DMN file
            except Exception as exc:  # the DMN parser raises many kinds; all are the file's fault
                element = getattr(exc, "id", None) or decision.id
                nodes = decision.tree.xpath("//*[@id=$id]", id=element)
                problems.append(Problem.of(name, nodes[0].sourceline if nodes else None, element,
                                           said("dmn.parser", reason=spiff_message(exc))))
                continue
            decisions[decision.id] = decision
    for decision_id in decisions:
        refused.pop(decision_id, None)
    for diagram in diagrams:
        problems.extend(map_decision_results(diagram, decisions))
        try:
            parser.add_bpmn_xml(diagram.tree, filename=diagram.name)
        except ValidationException as exc:
            problems.append(_problem(diagram, exc, refused))
            continue
        for pid in diagram.executable:
            owner[pid] = diagram
    built: dict[str, dict[str, Any]] = {}
    for pid, diagram in owner.items():
        try:
            spec = parser.get_spec(pid)
            everything = parser.get_subprocess_specs(pid, require_call_activity_specs=False)
        except ValidationException as exc:
            problems.append(_problem(diagram, exc, refused))
            continue
        except Exception as exc:  # parser bugs surface as AttributeError and friends
            problems.append(Problem.of(diagram.name, diagram.lines.get(pid), pid,
                                           said("spiff.cannot_parse", reason=repr(exc))))
            continue
        called = sorted({ts.spec for s in [spec, *[v for v in everything.values() if v]]
                         for ts in s.task_specs.values() if isinstance(ts, CallActivity)})
        embedded = {name: _registry.convert(sub) for name, sub in everything.items()
                    if sub is not None and name not in called}
        built[pid] = {
            "spec": _registry.convert(spec),
            "subprocess_specs": embedded,
            "called_keys": called,
            "name": diagram.process_names.get(pid) or spec.description,
            "start_messages": _start_messages(spec),
            "diagram": diagram,
        }
    return built, problems


def decisions_digest(spec: Mapping[str, Any], subprocess_specs: Mapping[str, Any]) -> str | None:
    """A hash of what the business rule tasks of a serialized process and its embedded sub-processes
    decide with, or None when it has none (a called process's tasks are its own definition's).

    Taken from the parsed tables, not the DMN file's bytes: the file re-indented or its attributes
    reordered hashes the same, a changed rule, input, output or hit policy differently. Each task's
    post-script is hashed too: it holds the COLLECT aggregation and the result mapping (engine.dmn).
    Works the same on a spec as build_specs makes it and as a definition stores it.
    """
    used = sorted(((process["name"], name, task["decision_table"], task.get("postscript"))
                   for process in [spec, *subprocess_specs.values()]
                   for name, task in process["task_specs"].items() if "decision_table" in task),
                  key=lambda found: found[:2])  # stored JSON need not keep the order of its keys
    if not used:
        return None
    return hashlib.sha256(orjson.dumps(used, option=orjson.OPT_SORT_KEYS, default=_json_default)).hexdigest()


def _start_messages(spec: Any) -> list[str]:
    names = []
    for ts in spec.task_specs.values():
        event = getattr(ts, "event_definition", None)
        if type(ts).__name__ == "StartEvent" and event is not None and type(event).__name__ == "MessageEventDefinition":
            names.append(event.name)
    return names


def _problem(diagram: PreparedDiagram, exc: ValidationException, refused: Mapping[str, str]) -> Problem:
    """The parser's error as a problem of the diagram; ``refused``: decisions of this deployment that cannot
    run (each with a problem of its own), by id, with their file."""
    element = getattr(exc, "id", None) or None
    line = diagram.lines.get(element) if element else None
    message = spiff_message(exc)
    missing_decision = re.match(r'No DMN Diagram available with id "(.*)", Available DMN ids are: ?(.*)', message)
    if missing_decision and missing_decision.group(1) in refused:
        # Deployed, but refused (a required decision, no table ...): the parser knows only the decisions kept.
        decision = missing_decision.group(1)
        return Problem.of(diagram.name, line, element, said("dmn.refused", decision=decision, file=refused[decision]))
    elif missing_decision:
        decision, available = missing_decision.groups()
        return Problem.of(diagram.name, line, element,
                          said("dmn.missing", decision=decision, available=available.rstrip(". ") or "none"))
    elif message.startswith("Multiple outgoing flows are not supported"):
        return Problem.of(diagram.name, line, element, said("flow.implicit_split"))
    elif message.startswith("Cannot resolve dataInputAssociation"):
        sources = diagram.tree.xpath(f"//*[@id='{element}']/*[local-name()='dataInputAssociation']"
                                     "/*[local-name()='sourceRef']/text()") if element else []
        return Problem.of(diagram.name, line, element, said(
            "spiff.data_input", sources=", ".join(t.strip() for t in sources) or "an unknown source"))
    elif message.startswith("Cannot resolve dataOutputAssociation"):
        # SpiffWorkflow puts the lxml element's repr into the message; name the reference instead.
        targets = diagram.tree.xpath(f"//*[@id='{element}']/*[local-name()='dataOutputAssociation']"
                                     "/*[local-name()='targetRef']/text()") if element else []
        return Problem.of(diagram.name, line, element, said(
            "spiff.data_output", targets=", ".join(t.strip() for t in targets) or "an unknown target"))
    return Problem.of(diagram.name, line, element, _parser_said(message))


# The parser's messages an analyst meets most, by code, when its words are these (else said as it says them).
_PARSER_SAYS = [(re.compile(r"No start event found\."), "spiff.no_start"),
                (re.compile(r"Exactly one start event is required in a SubWorkflow Task; found (?P<count>\d+)\."),
                 "spiff.subprocess_starts"),
                (re.compile(r"A SubWorkflow Must contain an End event\.?"), "spiff.subprocess_no_end"),
                (re.compile(r"There is no support implemented for this task type\."), "spiff.unsupported_task"),
                (re.compile(r"Ad hoc subprocesses may not contain start or end events\."), "spiff.adhoc_events"),
                (re.compile(r"Conditional event definition with missing condition\."), "spiff.no_condition"),
                (re.compile(r"A multiinstance task must specify a cardinality or a loop input data reference\."),
                 "spiff.multi_instance_none"),
                (re.compile(r"A multiinstance task must specify a cardinality or a collection\."),
                 "spiff.multi_instance_none_camunda"),
                (re.compile(r"A multiinstance task must specify exactly one of cardinality or loop input data "
                            r"reference\."), "spiff.multi_instance_both")]


def _parser_said(message: str) -> str | Said:
    for pattern, code in _PARSER_SAYS:
        found = pattern.fullmatch(message)
        if found:
            coded = said(code, **{k: int(v) for k, v in found.groupdict().items()})
            return coded if coded.message == message else message
    return message


def spiff_message(exc: Exception, sources: Mapping[str, str] | None = None) -> str:
    """The first line of a SpiffWorkflow error, without the ". " its notes joiner leaves at the end; with
    ``sources`` (translated expression -> the diagram's text), expressions it quotes as the diagram has them."""
    message = _first_line(exc)
    return in_diagram_words(message, sources) if sources else message


def in_diagram_words(message: str, sources: Mapping[str, str]) -> str:
    """``message`` with each quoted translated expression ('juel_bool(urgent)') replaced by the diagram's
    own text ('${urgent}'), in one pass: a replacement is never itself replaced again."""
    quoted = sorted((python for python in sources if python), key=len, reverse=True)
    if not quoted:
        return message
    pattern = re.compile("|".join(re.escape(f"'{python}'") for python in quoted))
    return pattern.sub(lambda found: f"'{sources[found.group()[1:-1]]}'", message)


def _first_line(exc: Exception) -> str:
    message = re.sub(r"\.(\s*\.)+(?=\s|$)", ".", str(exc).split("\n")[0].strip())  # "x. . note" -> "x. note"
    message = message[:-1] if message.endswith("..") else message
    for attr in ("data_input", "data_output"):  # WorkflowDataException does not say which one
        ref = getattr(exc, attr, None)
        if ref is not None:
            message += f" ({attr.replace('_', ' ')} {getattr(ref, 'bpmn_id', None) or ref})"
    cause = exc.__context__
    if message.startswith("Error evaluating expression") and cause is not None and str(cause).strip():
        # SpiffWorkflow's wrapper names the expression, not why it failed (a JUEL coercion, a missing variable)
        message = f"{message.rstrip('.')}: {str(cause).splitlines()[0].strip()}"
    return message


# ---- run time ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class CachedSpec:
    spec: Any
    subprocess_specs: dict[str, Any]
    elements: dict[str, Any]
    catches_events: bool  # any message or timer catch event: only then are waits worth syncing
    caught_messages: frozenset[str]  # the names of the messages its catch events wait for


class SpecCache:
    """Restored specs and element metadata per definition id; a version never changes once stored."""

    def __init__(self) -> None:
        self._specs: dict[int, CachedSpec] = {}
        self._lock = threading.Lock()

    def get(self, definition: Any) -> CachedSpec:
        found = self._specs.get(definition.id)
        if found is None:
            spec = _registry.restore(definition.spec)
            subs = {name: _registry.restore(d) for name, d in definition.subprocess_specs.items()}
            specs = [spec, *subs.values()]
            found = CachedSpec(spec, subs, definition.elements, _catches_events(specs), _caught_messages(specs))
            with self._lock:
                self._specs[definition.id] = found
        return found


def _catches_events(specs: list[Any]) -> bool:
    for spec in specs:
        for task_spec in spec.task_specs.values():
            event = getattr(task_spec, "event_definition", None)
            if isinstance(event, (MessageEventDefinition, TimerEventDefinition, MultipleEventDefinition)) \
                    and isinstance(task_spec, CatchingEvent):
                return True
            if isinstance(task_spec, CallActivity):
                return True  # the called process may wait; it is resolved only at run time
    return False


def _caught_messages(specs: list[Any]) -> frozenset[str]:
    names: set[str] = set()
    for spec in specs:
        for task_spec in spec.task_specs.values():
            event = getattr(task_spec, "event_definition", None)
            if not isinstance(task_spec, CatchingEvent) or event is None:
                continue
            events = event.event_definitions if isinstance(event, MultipleEventDefinition) else [event]
            names.update(e.name for e in events if isinstance(e, MessageEventDefinition) and e.name)
    return frozenset(names)


# Specs whose successors are uncertain by design: a gateway's branches, a boundary event's, an event gateway's.
_CHOOSING = (MultiChoice, EventSplit, EventBasedGatewayMixin)


def firm_up(task: Any) -> None:
    """Before a task runs, its successors predicted as on a certain path. SpiffWorkflow 3.2.0 predicts the
    steps after an uncertain branch (a boundary event's) as MAYBE, and a MAYBE task made READY leaves its own
    successors MAYBE: a multi-instance step reached so cannot add its instances ("Attempt to add non-predicted
    child to predicted task": the joint meeting's ballots after a deemed acceptance). Each successor is
    predicted as a MAYBE task predicts its own, then made FUTURE: one step ahead at a time, as the steps run.
    Predicting the whole path FUTURE at once would, on a branch that leads back to its boundary event's task
    (an escalation returning to review), make the next round's joins, which the first join then cancels.
    Gateways, boundary events and event gateways keep predicting their own branches."""
    if isinstance(task.task_spec, _CHOOSING):
        return
    for child in task.children:
        if child.state == TaskState.MAYBE:
            child.task_spec._predict(child)
            child._set_state(TaskState.FUTURE)


def task_by_id(workflow: BpmnWorkflow, task_id: str) -> Any | None:
    """The task with this id in the workflow or any of its subprocesses, or None: gone (a branch pruned, a
    subprocess ended) or not an id at all."""
    try:
        return workflow.get_task_from_id(UUID(task_id))
    except (TaskNotFoundException, ValueError):
        return None


def new_workflow(spec: Any, subprocess_specs: dict[str, Any]) -> BpmnWorkflow:
    return BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine)


def dumps(workflow: BpmnWorkflow) -> bytes:
    """The workflow's state as JSON. Raises ProcessError when a value in it cannot be stored (a script set
    an integer beyond 64 bits, or an object JSON cannot hold): the command fails, the case stays as it was."""
    _registry._encoder_mode = False
    try:
        return orjson.dumps(_registry.convert(workflow), default=_json_default)
    except orjson.JSONEncodeError as exc:
        raise ProcessError(f"the case's data cannot be stored: {exc}") from exc


def loads(data: bytes, spec: Any, subprocess_specs: dict[str, Any]) -> BpmnWorkflow:
    workflow = _registry.restore(orjson.loads(data), spec=spec, subprocess_specs=subprocess_specs)
    workflow.script_engine = script_engine
    return workflow


def _json_default(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def is_subworkflow_task(task_spec: Any) -> bool:
    return isinstance(task_spec, SubWorkflowTask)
