"""The acceptance step (受理审查, SX21): which user task of a diagram decides acceptance and what each flow of
its gateway means, read the same way by ``govflow lint`` (engine.lint) and when a case runs; and the rule
its completion keeps: no case is accepted while a material it needs is missing (SX21, LY22, LY27, XA17).

The acceptance step is a user task followed directly by an exclusive gateway from which an element marked
``govflow.clock=start`` is reached without another user task in between, or, failing clock marks on that
path, a user task named with 受理 (not 不予受理) followed by an exclusive gateway. Each flow of that gateway
is read for its outcome, strongest sign first: ``govflow.event`` (accepted / rejected /
supplement_requested) or ``govflow.caseState`` (or ``govflow.caseStateOnStart``) or a clock start on the
elements it leads to before the next user task; a string its condition compares with (``'accept'``,
``'reject'``, ``'supplement'`` ...); the names of the flow and of those elements (受理, 不予受理, 补正 /
一次性告知 / 材料不全). An accepting flow is tolerant acceptance (容缺受理) when its condition compares with
``'tolerant'``, ``'tolerant_accept'``, ``'容缺受理'`` or ``'容缺'``, or its name says 容缺.

At run time the gateway's own conditions, evaluated on the completed task's data as the gateway will
evaluate them, say which flow the clerk chose (``chosen``). Accepting (受理) then needs every material of
the item's guide received (engine.materials: uploaded, its paper original checked at the window, or not
applicable); tolerant acceptance may lack non-key materials only, and when the step lists what it waives
(``tolerated_materials``: names, or a text of one per line) every missing one must be listed — the 容缺受理
notice asks the applicant for those alone. Rejection (不予受理) and a supplement request (一次性告知补正) are
never held back for a missing material, nor are items without a guide or without listed materials; a
supplement's list (``missing_materials``) names only materials the guide lists, and no catch-all.
"""
from __future__ import annotations

import ast
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.exceptions import SpiffWorkflowException
from sqlalchemy import select

from . import diagrams, document_templates, execution, guides, materials
from .bpmn_xml import BPMN_NS, HUMAN_TAGS, NS, PreparedDiagram, bpmn, local, to_utf8
from .case_lock import lock_case
from .errors import Forbidden, MaterialsMissing, NotFound, ValidationFailed
from .models import ProcessDefinition, ProcessInstance, Task
from .text import name_key
from .unit_of_work import UnitOfWork
from .users import Actor

CLOCK, EVENT, STATE = "govflow.clock", "govflow.event", "govflow.caseState"
STATE_ON_START = "govflow.caseStateOnStart"  # reached as the element starts: the flow taken reaches it
ACCEPT, TOLERANT, REJECT, SUPPLEMENT = "accept", "tolerant", "reject", "supplement"
ACCEPTING = frozenset({ACCEPT, TOLERANT})
EVENT_OUTCOMES = {"accepted": ACCEPT, "rejected": REJECT, "supplement_requested": SUPPLEMENT}
STATE_OUTCOMES = {"已受理": ACCEPT, "不予受理": REJECT, "不受理": REJECT, "补正(开始)": SUPPLEMENT}
TOLERANT_LITERALS = frozenset({"tolerant", "tolerant_accept", "容缺受理", "容缺"})
LITERAL_OUTCOMES = {
    **dict.fromkeys(("accept", "accepted", "受理"), ACCEPT),
    **dict.fromkeys(TOLERANT_LITERALS, TOLERANT),
    **dict.fromkeys(("reject", "rejected", "不予受理", "不受理"), REJECT),
    **dict.fromkeys(("supplement", "incomplete", "correction", "补正", "一次性告知"), SUPPLEMENT),
}
# The step's variables that list materials by name: what the applicant is to supplement (the 一次性告知
# notice reads it, engine.document_templates) and what a tolerant acceptance waits for.
SUPPLEMENT_LIST, TOLERATED_LIST = "missing_materials", "tolerated_materials"


# ---- a process's flow graph (lint reads it for its other rules too) ----------------------------------

@dataclass
class Graph:
    nodes: dict[str, Any]
    succ: dict[str, list[str]]
    pred: dict[str, list[str]]
    out_flows: dict[str, list[Any]]

    def reach(self, starts: Iterable[str], edges: dict[str, list[str]],
              stop: Callable[[str], bool] = lambda _: False) -> set[str]:
        """Elements reachable from ``starts`` (not included unless reached again); ``stop`` ones are
        reached but not passed."""
        seen: set[str] = set()
        queue = deque(n for s in starts for n in edges.get(s, []))
        while queue:
            node = queue.popleft()
            if node in seen:
                continue
            seen.add(node)
            if not stop(node):
                queue.extend(edges.get(node, []))
        return seen


def _is_flow_node(node: Any) -> bool:
    tag = local(node.tag)
    return tag.endswith(("Task", "Event", "Gateway")) or tag in (
        "task", "subProcess", "transaction", "adHocSubProcess", "callActivity")


def graph(process: Any) -> Graph:
    """The flow nodes of a process element and the sequence flows between them; a boundary event follows
    the activity it is attached to, a subprocess leads to its start and its ends lead back to it."""
    nodes = {n.get("id"): n for n in process.iter() if isinstance(n.tag, str) and n.get("id")
             and n.tag.startswith(f"{{{BPMN_NS}}}") and _is_flow_node(n)}
    succ: dict[str, list[str]] = {i: [] for i in nodes}
    pred: dict[str, list[str]] = {i: [] for i in nodes}
    out_flows: dict[str, list[Any]] = {i: [] for i in nodes}

    def edge(a: str | None, b: str | None) -> None:
        if a is not None and b is not None and a in nodes and b in nodes:
            succ[a].append(b)
            pred[b].append(a)
    for flow in process.iter(bpmn("sequenceFlow")):
        edge(flow.get("sourceRef"), flow.get("targetRef"))
        if flow.get("sourceRef") in out_flows:
            out_flows[flow.get("sourceRef")].append(flow)
    for node_id, node in nodes.items():
        if local(node.tag) == "boundaryEvent":
            edge(node.get("attachedToRef"), node_id)
        if local(node.tag) in ("subProcess", "transaction", "adHocSubProcess"):
            for inner in node:
                if isinstance(inner.tag, str) and inner.get("id") in nodes:
                    if local(inner.tag) == "startEvent":
                        edge(node_id, inner.get("id"))
                    if local(inner.tag) == "endEvent" or not inner.xpath("./bpmn:outgoing", namespaces=NS):
                        edge(inner.get("id"), node_id)
    return Graph(nodes, succ, pred, out_flows)


def clock_marks(props: dict[str, dict[str, str]], value: str) -> set[str]:
    """The elements whose ``govflow.clock`` is ``value`` (start or stop)."""
    return {i for i, p in props.items() if str(p.get(CLOCK, "")).strip().lower() == value}


# ---- the step and its outcomes ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Route:
    """One flow of the acceptance gateway and the outcome it stands for (None: lint could not tell)."""

    flow: str
    target: str | None
    outcome: str | None


@dataclass(frozen=True)
class Step:
    task: str  # the user task's element id
    name: str
    gateway: str
    routes: tuple[Route, ...]

    @property
    def outcomes(self) -> set[str]:
        return {r.outcome for r in self.routes if r.outcome is not None}


def find_steps(graph: Graph, props: dict[str, dict[str, str]], elements: dict[str, dict[str, Any]],
               starts: set[str]) -> list[Step]:
    """The acceptance steps of one process (``elements``: engine.diagrams' metadata of its elements,
    ``starts``: its elements marked ``govflow.clock=start``)."""
    def human(node_id: str) -> bool:
        return elements.get(node_id, {}).get("type") in HUMAN_TAGS

    found = []
    for task_id, meta in elements.items():
        if meta.get("type") != "userTask":
            continue
        gateway = next((n for n in graph.succ.get(task_id, []) if local(graph.nodes[n].tag) == "exclusiveGateway"),
                       None)
        if gateway is None:
            continue
        name = meta.get("name") or ""
        leads_to_clock = bool(graph.reach([gateway], graph.succ, stop=human) & starts)
        named = "受理" in name and "不予受理" not in name and "不受理" not in name
        if leads_to_clock or named:
            found.append(Step(task_id, name, gateway, tuple(
                Route(flow.get("id"), flow.get("targetRef"), _outcome(flow, graph, props, starts, human))
                for flow in graph.out_flows[gateway])))
    return found


def steps_in(diagram: PreparedDiagram, pid: str) -> dict[str, Step]:
    """The acceptance steps of process ``pid`` of a prepared diagram, by their user task's id."""
    process = next((p for p in diagram.tree.findall(bpmn("process")) if p.get("id") == pid), None)
    if process is None:
        return {}
    flows = graph(process)
    props = {i: diagrams.element_properties(n) for i, n in flows.nodes.items()}
    steps = find_steps(flows, props, diagram.elements.get(pid, {}), clock_marks(props, "start"))
    return {step.task: step for step in steps}


def _outcome(flow: Any, graph: Graph, props: dict[str, dict[str, str]], starts: set[str],
             human: Callable[[str], bool]) -> str | None:
    found = _plain_outcome(flow, graph, props, starts, human)
    literals = {literal.strip().lower() for literal in _literals(_condition(flow))}
    # A flow taken by 受理 as well (decision in ('accept', 'tolerant')) is checked as 受理: all materials.
    plain = {literal for literal in literals if LITERAL_OUTCOMES.get(literal) == ACCEPT}
    if found == ACCEPT and not plain and (TOLERANT_LITERALS & literals or "容缺" in (flow.get("name") or "")):
        return TOLERANT
    return found


def _plain_outcome(flow: Any, graph: Graph, props: dict[str, dict[str, str]], starts: set[str],
                   human: Callable[[str], bool]) -> str | None:
    target = flow.get("targetRef")
    # The elements the flow leads to, up to the next person's task (a supplement loops back to acceptance).
    if target not in graph.nodes:
        path: set[str] = set()
    elif human(target):
        path = {target}
    else:
        path = {target} | {n for n in graph.reach([target], graph.succ, stop=human) if not human(n)}
    for node_id in sorted(path):
        found = EVENT_OUTCOMES.get(str(props[node_id].get(EVENT, "")).strip()) or \
            STATE_OUTCOMES.get(str(props[node_id].get(STATE, "")).strip()) or \
            STATE_OUTCOMES.get(str(props[node_id].get(STATE_ON_START, "")).strip())
        if found:
            return found
    if path & starts:
        return ACCEPT
    for literal in _literals(_condition(flow)):
        if literal.strip().lower() in LITERAL_OUTCOMES:
            return LITERAL_OUTCOMES[literal.strip().lower()]
    names = [flow.get("name") or ""] + [graph.nodes[n].get("name") or "" for n in sorted(path)]
    for check, outcome in ((_names_reject, REJECT), (_names_supplement, SUPPLEMENT), (_names_accept, ACCEPT)):
        if any(check(n) for n in names if n):
            return outcome
    return None


def _condition(flow: Any) -> str:
    condition = flow.find(bpmn("conditionExpression"))
    return (condition.text or "") if condition is not None else ""


def _names_reject(name: str) -> bool:
    return "不予受理" in name or "不受理" in name


def _names_supplement(name: str) -> bool:
    return any(word in name for word in ("补正", "一次性告知", "材料不全", "不齐全"))


def _names_accept(name: str) -> bool:
    return "受理" in name


def _literals(python: str | None) -> list[str]:
    try:
        tree = ast.parse((python or "").strip() or "None", mode="eval")
    except SyntaxError:
        return []
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


# ---- run time ----------------------------------------------------------------------------------------

_STEPS: dict[str, dict[str, Step]] = {}
_STEPS_LOCK = threading.Lock()
_MAX_DIAGRAMS = 512  # processes whose steps are kept; a deployed version never changes


def steps_of(definition: ProcessDefinition) -> dict[str, Step]:
    """The acceptance steps of a deployed process, read from its diagram as lint reads them: once per
    version in this process (keyed by the definition's content hash, which names its file and process)."""
    found = _STEPS.get(definition.content_hash)
    if found is None:
        transcoded = to_utf8(definition.resource_name, definition.resource.content)
        diagram = diagrams.prepare(definition.resource_name, transcoded.content) \
            if transcoded.problem is None else None
        found = steps_in(diagram, definition.key) if diagram is not None and diagram.tree is not None else {}
        with _STEPS_LOCK:
            if len(_STEPS) >= _MAX_DIAGRAMS:
                _STEPS.clear()
            _STEPS[definition.content_hash] = found
    return found


ACCEPTANCE_STEP, WINDOW_STEP = "acceptance_step", "window_step"


def front_desk(uow: UnitOfWork, case: execution.Case, task: Any) -> str | None:
    """Whether a task of the case is one of its window's (the front desk's) steps, read from the diagram
    narrowly: ``ACCEPTANCE_STEP`` for the acceptance step; ``WINDOW_STEP`` for another user task of the case's own
    process whose candidate groups are written exactly as the acceptance step's (receiving, handing out the
    result); None for anything else, a called process's step included."""
    definition = case.row.definition
    steps = steps_of(definition)
    if not steps or execution.definition_of(case, task) is not definition:
        return None
    if task.task_spec.bpmn_id in steps:
        return ACCEPTANCE_STEP
    elements = uow.runtime.specs.get(definition).elements.get(definition.key, {})
    meta = elements.get(task.task_spec.bpmn_id, {})
    window = {elements.get(step, {}).get("candidate_groups") for step in steps} - {None}
    if meta.get("type") == "externalTask" or meta.get("candidate_groups") not in window:
        return None
    return WINDOW_STEP


def chosen(step: Step, task: Any) -> str | None:
    """The outcome the completed acceptance task chose: its gateway's conditions evaluated on the task's
    data in the gateway's order (the default flow when none holds), as SpiffWorkflow will evaluate them
    next. None when a condition cannot be evaluated: the gateway itself then fails, saying why."""
    gateway = next((s for s in task.task_spec.outputs if getattr(s, "bpmn_id", None) == step.gateway), None)
    if gateway is None:
        return None
    routes = {r.target: r.outcome for r in step.routes}
    spec = task.workflow.spec
    engine = task.workflow.script_engine
    try:
        for condition, name in gateway.cond_task_specs:
            if condition is not None and engine.evaluate(task, condition.args[0],
                                                         external_context=task.workflow.data_objects):
                return routes.get(spec.get_task_spec_from_name(name).bpmn_id)
    except SpiffWorkflowException:  # the diagram's expression fails: the gateway reports it when it runs
        return None
    default = gateway.default_task_spec
    return routes.get(spec.get_task_spec_from_name(default).bpmn_id) if default else None


def require_materials(uow: UnitOfWork, row: ProcessInstance, definition: ProcessDefinition, task: Any) -> None:
    """Refuse a completed acceptance task that accepts while a material the case needs is missing: any
    for 受理, a key one for 容缺受理. A helper of engine.tasks.complete, after the task ran and before the
    case runs on (the caller's transaction: nothing is stored when it raises).

    A supplement asks only for materials its item's guide lists, none a catch-all, none the window marked not
    applicable or obtained through data sharing: the notice would demand what the applicant need not bring
    (``_require_asked_for_owed``).

    Raises MaterialsMissing, naming each missing material; ValidationFailed, naming each such supplement.
    """
    step = steps_of(definition).get(task.task_spec.bpmn_id)
    if step is None or not step.outcomes & ACCEPTING:
        return
    outcome = chosen(step, task)
    if outcome == SUPPLEMENT:
        _require_asked_for_owed(uow, row, task.data)
        return
    # The guide is read once per transaction: the clock and the notice of an acceptance read it anyway.
    guide = guides.latest_for_process(uow, row.definition_key)
    if outcome not in ACCEPTING or guide is None or not guide.content.get("materials"):
        return
    lock_case(uow.session, row.id)  # a mark recorded or taken back meanwhile is seen, or waits for this
    items = materials.case_checklist(uow, row).items
    missing = [i for i in items if i.status == materials.MISSING and (i.key or outcome == ACCEPT)]
    not_listed = unlisted(items, task.data) if outcome == TOLERANT and not missing else []
    if missing:
        names = ", ".join(i.name for i in missing)
        if outcome == TOLERANT:
            message = (f"tolerant acceptance (容缺受理) waives only non-key materials; key materials missing: "
                       f"{names}. Upload each, or record that its paper original was checked at the window")
        else:
            message = (f"acceptance (受理) needs every material of the guide; missing: {names}. Upload each, "
                       "record that its paper original was checked at the window or, for a conditional one, that "
                       "it does not apply; or request a supplement (一次性告知补正)"
                       + ("; or accept tolerantly (容缺受理) if only non-key ones are missing"
                          if TOLERANT in step.outcomes else ""))
        raise MaterialsMissing(message, outcome=outcome, details=[
            {"field": "materials", "material": i.name, "key": i.key,
             "message": f"{'key ' if i.key else ''}material {i.name} is missing"} for i in missing])
    if not_listed:
        names = ", ".join(i.name for i in not_listed)
        raise MaterialsMissing(
            f"tolerant acceptance (容缺受理) must list every material it waives in {TOLERATED_LIST}: the notice asks "
            f"the applicant for those alone; missing and not listed: {names}", outcome=outcome, details=[
                {"field": TOLERATED_LIST, "material": i.name, "key": False,
                 "message": f"material {i.name} is missing and not listed as tolerated"} for i in not_listed])


def _require_asked_for_owed(uow: UnitOfWork, row: ProcessInstance, data: dict[str, Any]) -> None:
    """A supplement's list (SUPPLEMENT_LIST) asks only for what the item's guide lists (LY17, LY57, SX24: no
    condition the guide does not state): each name one of its materials (the checklist's names, whatever
    the spaces and the width of brackets: engine.text.name_key), none a vague catch-all (guides.CATCH_ALLS,
    LY17, XA13); and none marked as owed by nobody: not applicable to this application, or obtained through
    data sharing. A received one may be asked for again (a copy unsigned). An item without a guide, or whose
    guide lists no materials, has no list to hold the request to: only the marks are checked (none there).

    Raises ValidationFailed, naming each offending entry at once (the notice is given once)."""
    asked = list(dict.fromkeys(m["name"] for m in document_templates.missing_materials(data.get(SUPPLEMENT_LIST))))
    if not asked:
        return
    lock_case(uow.session, row.id)
    items = materials.case_checklist(uow, row).items
    # A name as typed matches the guide's whatever its spaces and full- or half-width brackets (text.name_key).
    by_key = {name_key(i.name): i for i in items}
    listed = {name: by_key[name_key(name)] for name in asked if name_key(name) in by_key}
    problems: list[dict[str, Any]] = []
    # Without a guide listing materials there is nothing to hold the list to: as before, only the marks count.
    if by_key:
        for name in asked:
            vague = next((c for c in guides.CATCH_ALLS if c in name), None)
            if vague is not None:
                problems.append({
                    "field": SUPPLEMENT_LIST, "material": name, "rule": "catchAll",
                    "params": {"material": name, "vague": vague},
                    "message": f"catchAll: {name!r} is a catch-all ({vague}): name each material the applicant "
                               "must bring, as the guide lists it"})
            elif name not in listed:
                problems.append({
                    "field": SUPPLEMENT_LIST, "material": name, "rule": "notInGuide", "params": {"material": name},
                    "listed": [i.name for i in items],
                    "message": f"notInGuide: {name!r} is not a material the item's guide lists: name it as the "
                               "guide does (a text: one per line, any reason after a colon)"})
    owed_by_nobody = [listed[name] for name in asked if name in listed
                      and listed[name].status in (materials.NOT_APPLICABLE, materials.SHARED)]
    problems += [{"field": SUPPLEMENT_LIST, "material": i.name, "rule": "notOwed", "params": {"material": i.name},
                  "message": f"notOwed: material {i.name} is marked {i.status}: the applicant need not bring it"}
                 for i in owed_by_nobody]
    if not problems:
        return
    reasons = []
    if unlisted_names := [p["material"] for p in problems if p["rule"] != "notOwed"]:
        reasons.append("may ask only for materials the item's guide lists (办事指南), by name and without "
                       f"catch-alls: {', '.join(unlisted_names)}")
    if owed_by_nobody:
        reasons.append("may not ask for a material marked not applicable (不适用) or obtained through data sharing "
                       f"(通过数据共享获取): {', '.join(i.name for i in owed_by_nobody)}")
    raise ValidationFailed(f"a supplement (补正) {'; and '.join(reasons)}", details=problems)


def require_complete(uow: UnitOfWork, row: ProcessInstance, step: str) -> None:
    """Refuse ``step`` (a message catch event marked ``govflow.materialsComplete``: 申请人补齐容缺材料, after
    which the decision follows) while a material of the item's guide is missing: each uploaded, its paper
    original checked, or shown not to apply. A helper: the caller's transaction.

    Raises MaterialsMissing, naming each missing material."""
    lock_case(uow.session, row.id)  # a mark recorded or taken back meanwhile is seen, or waits for this
    missing = [i for i in materials.case_checklist(uow, row).items if i.status == materials.MISSING]
    if missing:
        raise MaterialsMissing(
            f"{step} needs every material of the guide; missing: {', '.join(i.name for i in missing)}. Upload "
            "each, or record that its paper original was checked at the window", details=[
                {"field": "materials", "material": i.name, "key": i.key,
                 "message": f"{'key ' if i.key else ''}material {i.name} is missing"} for i in missing])


def unlisted(items: list[materials.ChecklistItem], data: dict[str, Any]) -> list[materials.ChecklistItem]:
    """The missing materials a tolerant acceptance leaves out of its list of waived ones; none when the step
    keeps no such list (the diagram's own concern then)."""
    if data.get(TOLERATED_LIST) is None:
        return []
    listed = {m["name"] for m in document_templates.missing_materials(data[TOLERATED_LIST])}
    return [i for i in items if i.status == materials.MISSING and i.name not in listed]


def step_tasks(uow: UnitOfWork, row: ProcessInstance) -> list[Task]:
    """The task rows of the case's acceptance steps (its own process's or one it calls), open or done: whose
    clerks check the materials the window received (engine.materials.require_window)."""
    ids = {task_id for definition in execution.definitions_of(uow, row) for task_id in steps_of(definition)}
    if not ids:
        return []
    return list(uow.session.scalars(select(Task).where(Task.instance_id == row.id, Task.bpmn_id.in_(ids))))


def was_accepted(uow: UnitOfWork, row: ProcessInstance) -> bool:
    """Whether the case reached 已受理 (engine.case_state's reading of its history): its materials were
    accepted as received then, and its marks stay as they were."""
    from . import case_state, timeline  # both read this module's callers' tables; timeline imports materials

    return any(entry.case_state == timeline.ACCEPTED for entry in case_state.timeline_of(uow, row))


# ---- the task page ---------------------------------------------------------------------------------------

@dataclass
class StepChecklist:
    """An acceptance task with the materials it needs: what the clerk checks before deciding."""

    step: Step
    checklist: materials.Checklist

    @property
    def tolerant(self) -> bool:
        """The step may accept tolerantly (容缺受理)."""
        return TOLERANT in self.step.outcomes

    @property
    def missing(self) -> list[materials.ChecklistItem]:
        return self.checklist.missing

    @property
    def key_missing(self) -> list[materials.ChecklistItem]:
        return [item for item in self.checklist.missing if item.key]

    @property
    def tolerable(self) -> list[materials.ChecklistItem]:
        """The missing materials a tolerant acceptance would wait for: the non-key ones."""
        return [item for item in self.checklist.missing if not item.key]


def task_checklist(uow: UnitOfWork, task_id: str, *, actor: Actor) -> StepChecklist | None:
    """The materials checklist of an acceptance task (engine.materials), for its page; None when the task
    is no acceptance step, its item's guide lists no materials, or the actor may not see the case's
    materials. Raises NotFound (no such task, or not visible to the actor)."""
    from . import tasks  # tasks imports this module for its completions

    with uow:
        task = uow.session.get(Task, task_id)
        if task is None or not tasks.may_see(actor, task):
            raise NotFound(f"task {task_id} not found")
        row = uow.session.get(ProcessInstance, task.instance_id)
        assert row is not None  # a task row never outlives its case
        # The task's process: the case's own, or one it calls (the element ids of an acceptance step).
        step = next((found for definition in execution.definitions_of(uow, row)
                     if (found := steps_of(definition).get(task.bpmn_id)) is not None), None)
        if step is None:
            return None
        try:
            materials.require_access(uow, actor, row.id)
        except (Forbidden, NotFound):
            return None
        checklist = materials.case_checklist(uow, row, actor=actor)
        return StepChecklist(step, checklist) if checklist.items else None
