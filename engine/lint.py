"""Service-item lint: the rules a government service item's diagram, forms and guide must keep beyond
valid BPMN (DOMAIN rules 1, 3, 4, 15), besides the checks a deployment makes of the files themselves,
document templates included (engine.documents: each compiles and renders a sample case, and extends only
a template among the linted files). ``govflow lint PATH...`` reports every finding; a deployment
reports the same findings as warnings for the processes that a guide names (a service item) and the
processes they call; other diagrams are plain BPMN and not held to them, so lint reports what it finds
there as warnings: lint fails only where deploy would refuse or the item breaks the library's rules.

The rules, each finding naming file, line and element:

* every user task has candidate groups, candidate users or an assignee (a lane counts as candidate
  group): someone's inbox must show it — error;
* every user task has a form (``camunda:formKey``): a task takes only what its form lists — error;
  a form it names exists among the linted files — error; and is a form-js form, not a page the client
  renders (``embedded:``, ``app:``), whose submissions the server cannot check — error;
* every user or manual task has a due date or lies inside the clock (after an element marked
  ``govflow.clock=start``, not after one marked ``stop``) — warning;
* the acceptance step decides one of three (SX21): accept (受理), reject (不予受理) and request a
  supplement (一次性告知补正) — error when an outcome is missing. How the step and each outcome are found
  is engine.acceptance's reading, the one the engine keeps materials by when a case runs. A process whose
  guide names it but that has no acceptance step is warned about, unless its clock starts at its start
  event (the case is created accepted, e.g. a joint review meeting) or another linted process calls it;
* promised ≤ statutory days, in the guide and in the diagram's properties — error; a guide whose limits
  or calendar disagree with the diagram's, or whose process marks no clock start — warning;
* material names contain no catch-alls (其他材料, 有关材料, 相关材料, 等材料) and every other guide
  field is valid (engine.guides) — error;
* each sample file of an item's ``samples`` folder is what its suffix says, an HTML one well formed in the
  subset its PDF lays out (engine.samples) — error; a sample file a guide's material names is among the linted
  files — warning (deploy takes one deployed before);
* ``govflow.confidential`` names whole variables, and a process naming some throws no message without a
  payload (it would send them to the receiving process) — warning;
* ``govflow.recordable`` and ``govflow.materialsComplete`` are ``true`` or ``false`` — error; each marks a step
  that waits for a message (an intermediate catch or boundary event with a message, a receive task), where it
  lets a clerk of the case record the message, or takes it only once the guide's materials are all in
  (engine.instances) — warning elsewhere, as it does nothing there;
* ``govflow.caseStateOnStart`` marks an element whose start the history records (a user, manual or external
  task opening, a receive task or intermediate catch event beginning to wait), where the timeline stamps it
  — warning elsewhere, as it does nothing there; and names no state that ends the case (办结..., 不予受理,
  撤回 ...), reached when a step completes (``govflow.caseState``) — error;
* ``govflow.thrownBy`` names groups, on an error boundary event attached to a user task, where it lets
  clerks of those groups throw the boundary's error (engine.tasks) — error when it names none (the error could
  not be thrown; deploy refuses it too, in any diagram), warning elsewhere, as it does nothing there;
* what deploy refuses of the diagrams themselves, in its words: XML not in the encoding it declares,
  duplicate ids, SpiffWorkflow's parse of each process (with the linted DMN files) — error; a call
  activity naming a process not among the linted files — warning (deploy takes one deployed before);
* forms linted without any diagram (nor a guide or template) — warning: deploy refuses forms alone, so
  they go with the diagram that uses them (given only when nothing else is wrong, as deploy does);
* each form a one-thing bundle's ``govflow.bundleForms`` names is among the linted files — error: no case
  starts without it (deploy warns of one neither given nor deployed before);
* every variable a gateway condition reads is a field of the start form (with a bundle's member forms
  merged into it, ``govflow.bundleForms``) or of a form of a user task before the gateway, or set by a
  script of the process — warning (skipped where something upstream sets data lint cannot see: a call
  activity, a decision table, an external or receive task, a form given by expression, a start form lint
  cannot read; a message's variables are not form fields and do not count);
* a one-thing bundle's guide lists as ``members`` only processes its diagram calls (a call activity with
  that ``calledElement``, in it or in a process it calls) — error, as deploy refuses it; and each member's
  ``verdict`` is set by that member's diagram (a form field of one of its user tasks, a script or an output
  mapping) — warning, skipped where the member sets data lint cannot see (as for gateways, and a message it
  receives). Deploy checks the same of a guide or diagram it is given against the latest deployed other.
"""
from __future__ import annotations

import ast
import json
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Any

from . import (
    _spiff,
    acceptance,
    camunda_forms,
    confidential,
    diagram_functions,
    diagrams,
    documents,
    file_paths,
    forms,
    guides,
    outbox,
    samples,
)
from ._form_reader import read as read_form
from .bpmn_xml import NS, PROCESS_KEY, PreparedDiagram, Problem, bpmn, duplicate_ids, local, to_utf8
from .execution import latest_definition
from .problem_codes import Said, said
from .scripting import SAFE_BUILTINS
from .time_limits import DELIVERED, EXCLUDED
from .unit_of_work import UnitOfWork

BPMN_SUFFIXES = (".bpmn", ".bpmn20.xml", ".bpmn2")
PROMISED, STATUTORY, CALENDAR = "govflow.promisedDays", "govflow.statutoryDays", "govflow.calendar"
RECORDABLE = "govflow.recordable"  # engine.instances.RECORDABLE
MATERIALS_COMPLETE = "govflow.materialsComplete"  # engine.instances.MATERIALS_COMPLETE
THROWN_BY = "govflow.thrownBy"  # engine.tasks.THROWN_BY
# The elements whose start the history records (engine.timeline.started): a task opens, an event begins to wait.
STARTS_RECORDED = frozenset(diagrams.HUMAN_TAGS | {"externalTask", "receiveTask", "intermediateCatchEvent"})
# Case states that end a case (engine.timeline's end states, engine.case_state's withdrawals): a step's outcome.
ENDING_STATES = frozenset({"不予受理", "不受理", "撤回", "撤销", "已撤件", "已终止"})
OUTCOME_NAMES = {acceptance.ACCEPT: "受理 (accept)", acceptance.REJECT: "不予受理 (reject)",
                 acceptance.SUPPLEMENT: "一次性告知补正 (supplement)"}
# Upstream elements that set variables lint cannot see: a gateway after one is not checked.
OPAQUE = {"callActivity", "businessRuleTask", "receiveTask", "externalTask"}
# What an expression may read besides the case's data: builtins, the case's functions (workdays(),
# case_deadline() ...) and the JUEL functions conditions are translated with.
KNOWN_NAMES = (frozenset(SAFE_BUILTINS) | frozenset(diagram_functions.FUNCTIONS)
               | frozenset(diagrams.expressions.JUEL_FUNCTIONS))
# A human task nobody is named for (engine.tasks.may_work): said by lint, and by deploy as a warning.
UNNAMED_TASK = ("has no candidate groups, candidate users, assignee or lane: it is offered to every clerk, whatever "
                "their department, who may claim it and read its case; name the group that works it")
UNKNOWN = frozenset({"*"})  # a form lint cannot read (external, or given by expression)

FormFields = Callable[[str], "frozenset[str] | None"]


# ---- entry points ------------------------------------------------------------------------------------

def collect(paths: Iterable[str]) -> list[tuple[str, bytes]]:
    """Diagrams, forms, guides and document templates named or found in folders, each under the path it
    was found at. As ``govflow deploy`` takes them, an ``.html`` file named is a template, and in folders
    those in a ``documents`` folder (other HTML there is not the library's). Raises FileNotFoundError and
    file_paths.Unreadable."""
    files: list[tuple[str, bytes]] = []
    for raw in paths:
        path = Path(raw)
        kind = file_paths.kind_of(path)
        if kind == "dir":
            files.extend((p.as_posix(), file_paths.read(p)) for p in file_paths.files_under(path) if _lintable(p))
        elif kind == "file":
            files.append((path.as_posix(), file_paths.read(path)))
        else:
            raise FileNotFoundError(f"{raw}: no such file or folder")
    return files


def _lintable(path: Path) -> bool:
    lower = path.name.lower()
    if samples.is_sample(path.as_posix()):  # an item's samples folder, as deploy takes it
        return True
    if documents.is_template(path.name):
        return documents.in_template_folder(path)
    return lower.endswith((*BPMN_SUFFIXES, ".dmn", ".form")) or guides.is_guide(path.name)


def name_clashes(named: Iterable[tuple[str, str]]) -> list[Problem]:
    """Files of one deployment stored under one name, given as (file, name it is stored under) pairs:
    a deployment keeps each file by that name, so the second would take the first one's place."""
    first: dict[str, str] = {}
    problems = []
    for file, stored in named:
        if stored in first:
            problems.append(Problem.of(file, None, None, said("file.name_clash", other=first[stored], stored=stored)))
        else:
            first[stored] = file
    return problems


def deployed_name(path: str) -> str:
    """The name ``govflow deploy`` stores a diagram, form or guide found at ``path`` under: a guide as
    <item folder>/guide.json (its code must be the folder's name), any other by its file name."""
    found = PurePosixPath(path)
    if samples.is_sample(path):  # <item folder>/samples/<name>, where its guide finds it
        return samples.deployed_name(path)
    if not guides.is_guide(found.name):
        return found.name
    folder = found.parent.name or Path(path).resolve().parent.name  # "guide.json" named inside its folder
    return f"{folder}/{found.name}"


def lint_files(files: list[tuple[str, bytes]]) -> list[Problem]:
    """Every finding of a set of files (diagrams, forms, guides, document templates) that belong together,
    errors first."""
    problems: list[Problem] = name_clashes((name, deployed_name(name)) for name, _ in files  # templates: below
                                           if not documents.is_template(name) or samples.is_sample(name))
    by_name: dict[str, frozenset[str]] = {}
    by_id: dict[str, frozenset[str]] = {}
    prepared: list[PreparedDiagram] = []
    dmn: list[tuple[str, Any]] = []
    broken: set[str] = set()  # files deploy refuses before it builds the processes
    for name, content in files:
        lower = name.lower()
        if lower.endswith((*BPMN_SUFFIXES, ".dmn")):  # as deploy reads them: in UTF-8 (engine.definitions)
            transcoded = to_utf8(name, content)
            if transcoded.problem is not None:
                problems.append(transcoded.problem)
                broken.add(name)
                continue
            content = transcoded.content
        if lower.endswith(".form"):
            form, found = read_form(name, content)
            problems.extend(forms.with_lines(found, content))
            # A form with errors is among the linted files all the same: its errors are said once, here.
            fields = _top_names(f.key for f in form.fields) if form is not None else UNKNOWN
            by_name[PurePosixPath(name).name] = fields
            if form is not None and form.form_id:
                by_id[form.form_id] = fields
        elif guides.is_guide(name):
            problems.extend(guides.check(name, content))
        elif lower.endswith(BPMN_SUFFIXES):
            diagram = diagrams.prepare(name, content)
            own = diagram.problems + duplicate_ids(diagram)
            problems.extend(own)
            if any(p.severity == "error" for p in own):
                broken.add(name)
            prepared.append(diagram)
        elif lower.endswith(".dmn"):
            tree, problem = diagrams.safe_parse(name, content)
            if problem:
                problems.append(problem)
                broken.add(name)
            else:
                dmn.append((name, tree))
        elif samples.is_sample(name):
            problems.extend(replace(p, line=p.line or 1) for p in samples.check(name, content))
        elif not documents.is_template(name):
            problems.append(Problem.of(name, 1, None, said("file.not_lintable"), "warning"))
    # The forms deploy generates from camunda:formData are known as the uploaded ones are.
    for name, content in camunda_forms.take(prepared):
        form, _ = read_form(name, content)
        if form is not None:
            by_name[name] = _top_names(f.key for f in form.fields)
    # As a deployment checks them, but a template extends only another among the linted files.
    problems.extend(replace(p, line=p.line or 1)  # a whole-file problem: its first line, for an editor
                    for p in documents.check_template_files([(n, c) for n, c in files if not samples.is_sample(n)],
                                                            missing="not among the linted files"))
    problems.extend(_sample_references(files))
    problems.extend(_forms_alone(files, problems))

    def fields_of(key: str) -> frozenset[str] | None:
        ref = forms.parse_key(key)
        if ref.external:
            return UNKNOWN
        return by_name.get(ref.name or "") or by_id.get(ref.form_id or "")

    item_guides = guides.guides_by_process(files)
    processes = {pid: d for d in prepared for pid in d.executable}
    for pid, guide in item_guides.items():
        if pid not in processes:
            lines = guides.value_lines(dict(files)[guide["_file"]].decode("utf-8-sig"))
            problems.append(Problem.of(guide["_file"], lines.get("process"), "process",
                                       said("lint.guide_process", process=pid)))
    # A process another one calls runs inside the caller's case: accepted there, timed by its clock.
    called = {meta["called"] for d in prepared for elements in d.elements.values() for meta in elements.values()
              if meta.get("called")}
    items = service_processes(prepared, set(item_guides))
    for diagram in prepared:
        for pid in diagram.executable:
            found = check_process(diagram, pid, fields_of, guide=item_guides.get(pid), check_forms=True,
                                  called=pid in called)
            # Plain BPMN (no guide names it or a process calling it) is not held to the library's rules,
            # as deploy does not hold it: what lint finds there is a warning, not a failure.
            problems.extend(found if pid in items else [replace(p, severity="warning") for p in found])
    problems.extend(thrown_by_problems(prepared))
    calls = _calls(prepared)
    for guide in item_guides.values():
        problems.extend(check_bundle(guide["_file"], dict(files)[guide["_file"]].decode("utf-8-sig"), guide,
                                     in_files=processes, calls_of=calls.get, deployed=lambda key: None,
                                     fields_of=fields_of))
    problems.extend(_check_build(prepared, dmn, broken))
    return sorted(problems, key=lambda p: (p.severity != "error", p.file, p.line or 0))


def service_processes(prepared: list[PreparedDiagram], guided: set[str]) -> set[str]:
    """The processes held to the library's rules: those a guide names, and those they call (which run inside
    the item's cases), transitively."""
    calls = _calls(prepared)
    held, queue = set(), deque(guided)
    while queue:
        pid = queue.popleft()
        if pid not in held:
            held.add(pid)
            queue.extend(calls.get(pid, ()))
    return held


def _calls(prepared: list[PreparedDiagram]) -> dict[str, set[str]]:
    """Process id -> the processes its call activities name."""
    return {pid: {meta["called"] for meta in d.elements.get(pid, {}).values() if meta.get("called")}
            for d in prepared for pid in d.executable}


def unknown_call(called: str) -> str:
    """Deploy's refusal of a call activity whose process it cannot find (engine.definitions)."""
    return said("call.unknown", called=called).message


def _check_build(prepared: list[PreparedDiagram], dmn: list[tuple[str, Any]], broken: set[str]) -> list[Problem]:
    """What deploy refuses once the files themselves are sound: SpiffWorkflow's parse of the processes
    (engine._spiff.build_specs, the same messages) and call activities naming a process that is not
    among the linted files — an error for deploy unless that process was deployed before, which lint
    cannot see (no database), so a warning here. The diagrams with errors of their own (XML, translation,
    duplicate ids) are left out, as deploy builds nothing while a file has one."""
    sound = [d for d in prepared if d.tree is not None and d.name not in broken]
    if not sound:
        return []
    _, found = _spiff.build_specs(sound, dmn)
    linted = {pid for d in prepared for pid in d.executable}
    for diagram in sound:
        for elements in diagram.elements.values():
            for element_id, meta in elements.items():
                target = meta.get("called")
                if target and target not in linted:
                    found.append(Problem.of(diagram.name, diagram.lines.get(element_id), element_id,
                                            said("lint.call_not_linted", called=target), "warning"))
    return found


def _sample_references(files: list[tuple[str, bytes]]) -> list[Problem]:
    """A warning for each sample file a guide names that is not among the linted files (deploy refuses the
    guide unless it was deployed before)."""
    here = {PurePosixPath(name.replace("\\", "/")).as_posix() for name, _ in files if samples.is_sample(name)}
    problems: list[Problem] = []
    for name, content in files:
        if guides.is_guide(name):
            data, _ = guides.parse(name, content)
            if data is not None:
                lines = guides.value_lines(content.decode("utf-8-sig"))
                problems.extend(samples.check_references(name, data, lines, here, lambda stored: False,
                                                         missing="lint.sample_not_linted", severity="warning"))
    return problems


def _forms_alone(files: list[tuple[str, bytes]], problems: list[Problem]) -> list[Problem]:
    """A warning when forms are linted without a diagram: checking a form alone while editing it is fine,
    but ``govflow deploy`` refuses such a set (engine.definitions: no BPMN diagram), and lint must not pass
    silently what deploy refuses. As deploy, only when nothing else is wrong, and not with a guide or a
    template (those deploy alone)."""
    names = [name for name, _ in files]
    form_files = [name for name in names if name.lower().endswith(".form")]
    if not form_files or any(p.severity == "error" for p in problems) or any(
            name.lower().endswith(BPMN_SUFFIXES) or guides.is_guide(name) or documents.is_template(name)
            or samples.is_sample(name)
            for name in names):
        return []
    which = "this form with the diagram that uses it" if len(form_files) == 1 else \
        f"these {len(form_files)} forms with the diagrams that use them"
    return [Problem.of(form_files[0], 1, None, said("lint.forms_alone", which=which, forms=", ".join(form_files)),
                       "warning")]


def check_deployment(uow: UnitOfWork, prepared: list[PreparedDiagram], files: list[tuple[str, bytes]]
                     ) -> list[Problem]:
    """The lint findings of a deployment's service items, as warnings: processes that a guide in the
    deployment (or the latest deployed guide) names; ``govflow.thrownBy`` naming no group is an error in any.
    Forms come from the deployment, else deployed ones.
    Besides, one-thing bundles (check_bundle): a guide or diagram of the deployment against the latest
    deployed other, where a member the bundle does not call is an error."""
    in_files = guides.guides_by_process(files)
    local_forms: dict[str, frozenset[str]] = {}
    local_ids: dict[str, frozenset[str]] = {}
    for name, content in files:
        if name.lower().endswith(".form"):
            form, _ = read_form(name, content)
            if form is not None:
                local_forms[PurePosixPath(name).name] = _top_names(f.key for f in form.fields)
                if form.form_id:
                    local_ids[form.form_id] = local_forms[PurePosixPath(name).name]

    def fields_of(key: str) -> frozenset[str] | None:
        ref = forms.parse_key(key)
        if ref.external:
            return UNKNOWN
        found = local_forms.get(ref.name or "") or local_ids.get(ref.form_id or "")
        if found is not None:
            return found
        schema = forms.deployed_schema(uow, key)
        if schema is None:
            return None  # forms.check_references warns about it
        form, _ = read_form(key, json.dumps(schema).encode())
        return _top_names(f.key for f in form.fields) if form is not None else UNKNOWN

    problems: list[Problem] = []
    item_guides: dict[str, dict[str, Any]] = {}
    for diagram in prepared:
        for pid in diagram.executable:
            guide = in_files.get(pid)
            if guide is None:
                stored = guides.latest_for_process(uow, pid)
                guide = stored.content if stored is not None else None
            if guide is not None:
                item_guides[pid] = guide
    held = service_processes(prepared, set(item_guides))
    for diagram in prepared:
        for pid in diagram.executable:
            if pid not in held:
                continue
            guide = item_guides.get(pid)
            for problem in check_process(diagram, pid, fields_of, guide=guide, check_forms=False,
                                         called=guide is None):
                problem.severity = "warning"
                problems.append(problem)
    problems.extend(thrown_by_problems(prepared))
    problems.extend(_check_deployed_bundles(uow, prepared, files, fields_of))
    return problems


def _check_deployed_bundles(uow: UnitOfWork, prepared: list[PreparedDiagram], files: list[tuple[str, bytes]],
                            fields_of: FormFields) -> list[Problem]:
    """check_bundle for each bundle guide of the deployment, and for each deployed one that still applies
    (engine.guides.current_bundles) to a diagram of the deployment; a diagram not in the deployment is its
    latest deployed version."""
    in_files = {pid: d for d in prepared for pid in d.executable}
    calls = _calls(prepared)

    def calls_of(key: str) -> set[str] | None:
        if key in calls:
            return calls[key]
        definition = latest_definition(uow, key)
        return set(definition.called_keys) if definition is not None else None

    def deployed(key: str) -> PreparedDiagram | None:
        definition = latest_definition(uow, key)
        return diagrams.prepare(definition.resource.name, definition.resource.content) if definition else None

    problems: list[Problem] = []
    given: list[dict[str, Any]] = []
    for name, content in files:
        data = guides.parse(name, content)[0] if guides.is_guide(name) else None
        if data is not None:
            given.append(data)
            problems.extend(check_bundle(name, content.decode("utf-8-sig"), data, in_files=in_files,
                                         calls_of=calls_of, deployed=deployed, fields_of=fields_of))
    if not in_files:
        return problems
    codes, processes = {g.get("code") for g in given}, {g.get("process") for g in given}
    for stored in guides.current_bundles(uow):  # unless a guide of the deployment takes its place
        data = stored.content
        keys = {data.get("process")} | {m.get("process") for m in data["members"] if isinstance(m, dict)}
        if stored.code in codes or stored.process_key in processes or not keys & set(in_files):
            continue
        problems.extend(check_bundle(f"{stored.code}/guide.json (version {stored.version}, deployed)", None,
                                     data, in_files=in_files, calls_of=calls_of, deployed=deployed,
                                     fields_of=fields_of))
    return problems


def format_problem(problem: Problem) -> str:
    """``file:line: element: message (severity)``; ``file: ...`` when the problem has no line."""
    element = f" {problem.element}:" if problem.element else ""
    where = f"{problem.file}:{problem.line}:" if problem.line else f"{problem.file}:"
    return f"{where}{element} {problem.message} ({problem.severity})"


# ---- one process ------------------------------------------------------------------------------------

def check_process(diagram: PreparedDiagram, pid: str, fields_of: FormFields, *, guide: dict[str, Any] | None,
                  check_forms: bool, called: bool = False) -> list[Problem]:
    """The findings of one process; ``called``: another process calls it (no acceptance or clock of its own)."""
    process = next((p for p in diagram.tree.findall(bpmn("process")) if p.get("id") == pid), None)
    if process is None:
        return []
    elements = diagram.elements.get(pid, {})
    graph = acceptance.graph(process)
    props = {i: diagrams.element_properties(n) for i, n in graph.nodes.items()}
    problems: list[Problem] = []

    def problem(element: str | None, message: Said, severity: str = "error") -> None:
        problems.append(Problem.of(diagram.name, diagram.lines.get(element or pid), element or pid, message,
                                   severity))

    starts, stops = acceptance.clock_marks(props, "start"), acceptance.clock_marks(props, "stop")
    clocked = graph.reach(starts, graph.succ, stop=lambda n: n in stops)
    problems.extend(found for found in diagram.calendar_days if found.element in elements)
    for element_id, meta in elements.items():
        if meta.get("type") not in diagrams.HUMAN_TAGS:
            continue
        label = {"tag": meta.get("type"), "name": meta.get("name") or element_id}
        if not any(meta.get(k) for k in ("candidate_groups", "candidate_users", "assignee")):
            problem(element_id, said("human_task.unnamed", **label))
        key = meta.get("form_key")
        if meta.get("type") == "userTask" and not key and not meta.get("form_key_expression"):
            problem(element_id, said("lint.no_form", **label))
        elif isinstance(key, str) and forms.parse_key(key).external:
            problem(element_id, said("lint.client_form", **label, form=key))
        elif check_forms and isinstance(key, str) and fields_of(key) is None:
            problem(element_id, said("lint.form_not_linted", **label, form=key))
        if not meta.get("due_date") and element_id not in clocked:
            problem(element_id, said("lint.no_due_date", **label), "warning")
    for key in forms.bundle_form_keys(elements.get(PROCESS_KEY, {}).get("properties")):
        if check_forms and fields_of(key) is None:
            problem(pid, said("lint.bundle_form_not_linted", key=key))
    problems.extend(_check_acceptance(diagram, pid, graph, props, elements, starts, None if called else guide))
    problems.extend(_check_delivery(diagram, pid, graph, props, elements, stops, None if called else guide))
    problems.extend(_check_gateway_fields(diagram, process, graph, elements, fields_of))
    problems.extend(_check_limits(diagram, pid, elements, starts, guide, called))
    problems.extend(_check_confidential(diagram, pid, process, elements))
    problems.extend(_check_recordable(diagram, graph, props))
    problems.extend(_check_state_on_start(diagram, graph, props, elements))
    problems.extend(_check_excluded(diagram, props, guide))
    return problems


def _check_excluded(diagram: PreparedDiagram, props: dict[str, dict[str, str]],
                    guide: dict[str, Any] | None) -> list[Problem]:
    """A step marked ``govflow.excluded`` pauses the clock for a special procedure: one the item's guide does not
    list (``excluded_periods``, the periods the applicant is told are not counted) is warned about."""
    if guide is None:
        return []
    listed = guides.listed_periods(guide)
    problems = []
    for element, properties in props.items():
        kind = (properties.get(EXCLUDED) or "").strip()
        if kind and kind not in listed:
            problems.append(Problem.of(diagram.name, diagram.lines.get(element), element, said(
                "lint.excluded_unlisted", kind=kind, listed=", ".join(listed) or "none"), "warning"))
    return problems


def _check_state_on_start(diagram: PreparedDiagram, graph: acceptance.Graph, props: dict[str, dict[str, str]],
                          elements: dict[str, dict[str, Any]]) -> list[Problem]:
    """``govflow.caseStateOnStart`` is stamped when the history says the element started: elsewhere it is never
    reached; and a state that ends the case is an outcome, which the element's completion reaches."""
    problems = []
    for element, properties in props.items():
        state = (properties.get(acceptance.STATE_ON_START) or "").strip()
        if not state:
            continue
        tag = elements.get(element, {}).get("type") or local(graph.nodes[element].tag)
        if state.startswith("办结") or state in ENDING_STATES:
            problems.append(Problem.of(diagram.name, diagram.lines.get(element), element,
                                       said("lint.state_on_start_ending", state=state)))
        elif tag not in STARTS_RECORDED:
            problems.append(Problem.of(diagram.name, diagram.lines.get(element), element,
                                       said("lint.state_on_start_misplaced", tag=tag), "warning"))
    return problems


# The properties that mark a step waiting for a message, and what ``true`` means there.
MESSAGE_STEP_FLAGS = {RECORDABLE: "a clerk of the case may record the message this step waits for",
                      MATERIALS_COMPLETE: "the message is taken only once the guide's materials are all in"}


def _check_recordable(diagram: PreparedDiagram, graph: acceptance.Graph, props: dict[str, dict[str, str]]
                      ) -> list[Problem]:
    """``govflow.recordable`` and ``govflow.materialsComplete`` are true or false, on a step that waits for a
    message: a clerk of the case may record that message (engine.instances), an integration sends every other;
    and the message is refused while a material is missing."""
    problems = []
    for element, properties in props.items():
        for flag, meaning in MESSAGE_STEP_FLAGS.items():
            value = properties.get(flag)
            if value is None:
                continue
            if value.strip().lower() not in ("true", "false"):
                problems.append(Problem.of(diagram.name, diagram.lines.get(element), element,
                                           said("lint.flag_value", flag=flag, value=value, meaning=meaning)))
            elif not _catches_message(graph.nodes[element]):
                problems.append(Problem.of(diagram.name, diagram.lines.get(element), element,
                                           said("lint.flag_no_message", flag=flag), "warning"))
    return problems


def thrown_by_problems(prepared: list[PreparedDiagram]) -> list[Problem]:
    """``govflow.thrownBy`` of every executable process, for lint and deploy alike: one naming no group is an
    error wherever it is (the error it opens could never be thrown), not a library rule lint holds items to."""
    problems: list[Problem] = []
    for diagram in prepared:
        if diagram.tree is None:  # XML that did not parse: said as such
            continue
        for process in diagram.tree.findall(bpmn("process")):
            if process.get("id") in diagram.executable:
                graph = acceptance.graph(process)
                props = {i: diagrams.element_properties(n) for i, n in graph.nodes.items()}
                problems.extend(_check_thrown_by(diagram, graph, props))
    return problems


def _check_thrown_by(diagram: PreparedDiagram, graph: acceptance.Graph, props: dict[str, dict[str, str]]
                     ) -> list[Problem]:
    """``govflow.thrownBy`` names the groups whose clerks may throw an error boundary's error from the user
    task it is attached to, or from one inside the sub-process or called process it is attached to: the error
    goes outward to the event that catches it, whose groups decide (engine.tasks.throw_error)."""
    problems = []
    for element, properties in props.items():
        value = properties.get(THROWN_BY)
        if value is None:
            continue
        node = graph.nodes[element]
        attached = graph.nodes.get(node.get("attachedToRef") or "")
        if local(node.tag) != "boundaryEvent" or node.find(bpmn("errorEventDefinition")) is None \
                or attached is None or not _holds_user_tasks(attached):
            problems.append(Problem.of(diagram.name, diagram.lines.get(element), element,
                                       said("lint.thrown_by_misplaced"), "warning"))
        elif not [group for group in value.split(",") if group.strip()]:
            problems.append(Problem.of(diagram.name, diagram.lines.get(element), element,
                                       said("lint.thrown_by_empty")))
    return problems


def _holds_user_tasks(activity: Any) -> bool:
    """A user task, a call activity (its called process may hold some), or a sub-process holding one."""
    tag = local(activity.tag)
    return tag in ("userTask", "callActivity") or (tag in ("subProcess", "transaction")
                                                   and activity.find(".//" + bpmn("userTask")) is not None)


def _catches_message(node: Any) -> bool:
    tag = local(node.tag)
    return tag == "receiveTask" or (tag in ("intermediateCatchEvent", "boundaryEvent")
                                    and node.find(bpmn("messageEventDefinition")) is not None)


def _check_confidential(diagram: PreparedDiagram, pid: str, process: Any, elements: dict[str, dict[str, Any]]
                        ) -> list[Problem]:
    """``govflow.confidential`` names whole variables, and a message without a payload sends the whole case
    data — confidential variables included — to the process that receives it (engine.confidential)."""
    declared = confidential.parse((elements.get(PROCESS_KEY, {}).get("properties") or {}).get(confidential.PROPERTY))
    if not declared:
        return []
    problems = [Problem.of(diagram.name, diagram.lines.get(pid), pid, said("lint.confidential_name", name=name),
                           "warning") for name in declared if not name.isidentifier()]
    throws = process.xpath(".//bpmn:intermediateThrowEvent[bpmn:messageEventDefinition]|"
                           ".//bpmn:endEvent[bpmn:messageEventDefinition]|.//bpmn:sendTask", namespaces=NS)
    for node in throws:
        if node.xpath(".//spiffworkflow:messagePayload[normalize-space()]", namespaces=NS):
            continue
        element = node.get("id")
        problems.append(Problem.of(diagram.name, diagram.lines.get(element), element,
                                   said("lint.confidential_message", names=", ".join(declared)), "warning"))
    return problems


# ---- the acceptance step (SX21) --------------------------------------------------------------------

def _check_acceptance(diagram: PreparedDiagram, pid: str, graph: acceptance.Graph,
                      props: dict[str, dict[str, str]], elements: dict[str, dict[str, Any]], starts: set[str],
                      guide: dict[str, Any] | None) -> list[Problem]:
    problems = []
    steps = acceptance.find_steps(graph, props, elements, starts)
    for step in steps:
        # Tolerant acceptance (容缺受理) is an acceptance.
        outcomes = {acceptance.ACCEPT if o in acceptance.ACCEPTING else o for o in step.outcomes}
        kinds = list(OUTCOME_NAMES)
        missing = [OUTCOME_NAMES[o] for o in kinds if o not in outcomes]
        if missing:
            have = ", ".join(OUTCOME_NAMES[o] for o in kinds if o in outcomes) or "nothing"
            problems.append(Problem.of(diagram.name, diagram.lines.get(step.task), step.task,
                                       said("lint.acceptance_outcomes", step=step.name or step.task, have=have,
                                            gateway=step.gateway, missing=", ".join(missing))))
    if guide is not None and guide.get("type") == guides.LICENCE:
        problems.extend(Problem.of(diagram.name, diagram.lines.get(step.task), step.task,
                                   said("lint.no_deemed_acceptance", step=step.name or step.task), "warning")
                        for step in steps
                        if acceptance.SUPPLEMENT in step.outcomes and not _deems_accepted(graph, step, starts))
    start_events = {i for i, n in graph.nodes.items() if local(n.tag) == "startEvent"
                    and n.getparent().get("id") == pid}
    if guide is not None and not steps and not (starts & start_events):
        problems.append(Problem.of(diagram.name, diagram.lines.get(pid), pid, said("lint.no_acceptance"), "warning"))
    return problems



def _deems_accepted(graph: acceptance.Graph, step: acceptance.Step, starts: set[str]) -> bool:
    """Whether a timer on the acceptance step's task starts the clock unless a clerk acts first: Art 32 deems an
    application accepted when the one-time notice is not given within 5 days of receipt."""
    timers = [n for n in graph.succ.get(step.task, []) if local(graph.nodes[n].tag) == "boundaryEvent"
              and graph.nodes[n].find(bpmn("timerEventDefinition")) is not None]
    human = {i for i, n in graph.nodes.items() if local(n.tag) in diagrams.HUMAN_TAGS}
    return any(({t} | graph.reach([t], graph.succ, stop=lambda n: n in human)) - human & starts for t in timers)



def _check_delivery(diagram: PreparedDiagram, pid: str, graph: acceptance.Graph, props: dict[str, dict[str, str]],
                    elements: dict[str, dict[str, Any]], stops: set[str],
                    guide: dict[str, Any] | None) -> list[Problem]:
    """A licence item whose decision is followed by work (制证, 送达) marks the step that delivers the result,
    which ends the 10 working days Art 44 gives to deliver; one ending at its decision delivers with it."""
    if guide is None or guide.get("type") != guides.LICENCE:
        return []
    after = graph.reach(stops, graph.succ)
    if any(str(props.get(n, {}).get(outbox.EVENT_PROPERTY, "")).strip() == DELIVERED for n in after | stops):
        return []  # marked at or after the decision: a mark before it would never end the days
    if not any(elements.get(n, {}).get("type") in diagrams.HUMAN_TAGS for n in after):
        return []
    return [Problem.of(diagram.name, diagram.lines.get(pid), pid, said("lint.no_delivery_step"), "warning")]


# ---- what gateways read -------------------------------------------------------------------------------

def _check_gateway_fields(diagram: PreparedDiagram, process: Any, graph: acceptance.Graph,
                          elements: dict[str, dict[str, Any]],
                          fields_of: FormFields) -> list[Problem]:
    started = _start_fields(elements, fields_of)
    if started is None:  # a case starts with data lint cannot see: any gateway may read it
        return []
    scripted = _script_names(process) | started
    problems = []
    for gateway_id, node in graph.nodes.items():
        if local(node.tag) not in ("exclusiveGateway", "inclusiveGateway"):
            continue
        upstream = graph.reach([gateway_id], graph.pred)
        known: set[str] = set(scripted)
        opaque = False
        for node_id in upstream:
            meta = elements.get(node_id, {})
            tag = meta.get("type") or local(graph.nodes[node_id].tag)
            if tag in OPAQUE or meta.get("form_key_expression"):
                opaque = True
                break
            if tag in diagrams.HUMAN_TAGS and meta.get("form_key"):
                fields = fields_of(meta["form_key"])
                if fields is None or fields is UNKNOWN:
                    opaque = True
                    break
                known |= fields
        if opaque:
            continue
        for flow in graph.out_flows[gateway_id]:
            condition = flow.find(bpmn("conditionExpression"))
            if condition is None:
                continue
            for name in sorted(_read_names(condition.text) - known - KNOWN_NAMES):
                problems.append(Problem.of(
                    diagram.name, diagram.lines.get(flow.get("id")), flow.get("id"),
                    said("lint.unread_condition", flow=flow.get("name") or flow.get("id"),
                         gateway=node.get("name") or gateway_id, name=name), "warning"))
    return problems


def _start_fields(elements: dict[str, dict[str, Any]], fields_of: FormFields) -> frozenset[str] | None:
    """The fields a case starts with, known everywhere in the process: its start event's form and, for a
    one-thing bundle, the member forms of ``govflow.bundleForms`` merged with it (engine.form_merge checks
    the start variables against them). None when one of those forms cannot be read."""
    process = elements.get(PROCESS_KEY, {})
    known: set[str] = set()
    for key in [process.get("start_form"), *forms.bundle_form_keys(process.get("properties"))]:
        if not key:
            continue
        fields = fields_of(key)
        if fields is None or fields is UNKNOWN:
            return None
        known |= fields
    return frozenset(known)


def _read_names(python: str | None) -> set[str]:
    try:
        tree = ast.parse((python or "").strip() or "None", mode="eval")
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _script_names(process: Any) -> set[str]:
    """Variables scripts of the process assign, and multi-instance element variables."""
    names: set[str] = set()
    texts = [s.text for s in process.iter(bpmn("script"))]
    texts += [s.text for s in process.xpath(".//spiffworkflow:preScript|.//spiffworkflow:postScript", namespaces=NS)]
    for text in texts:
        try:
            tree = ast.parse(text or "")
        except SyntaxError:
            continue
        names |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    names |= {item.get("id") for item in process.iter(bpmn("inputDataItem"), bpmn("outputDataItem"))
              if item.get("id")}
    return names


def _top_names(keys: Iterable[str]) -> frozenset[str]:
    return frozenset(k.split(".")[0] for k in keys)


# ---- one-thing bundles: the members a guide lists ------------------------------------------------------

# Receiving a message: the variables it brings are the sender's, which lint cannot see.
MESSAGE_CATCHES = ".//bpmn:intermediateCatchEvent[bpmn:messageEventDefinition]|" \
                  ".//bpmn:boundaryEvent[bpmn:messageEventDefinition]|.//bpmn:startEvent[bpmn:messageEventDefinition]"


def check_bundle(guide_file: str, guide_text: str | None, guide: dict[str, Any], *,
                 in_files: dict[str, PreparedDiagram], calls_of: Callable[[str], set[str] | None],
                 deployed: Callable[[str], PreparedDiagram | None], fields_of: FormFields) -> list[Problem]:
    """A one-thing bundle's guide against its diagrams: the bundle's process calls each member's process
    (else the member never runs: error), and each member's diagram sets the member's ``verdict``, which its
    decision documents print (else they print none: warning).

    Only what is certain is reported: a process whose calls cannot be seen (``calls_of`` None) may call a
    member; a member may set its verdict where lint cannot see (_sets). ``guide_text`` is the guide file's
    text when it is among the files, and its findings name its lines; None for a deployed guide, whose
    findings name the diagram among ``in_files`` that disagrees with it (the others are deployed ones).
    """
    bundle = guide.get("process")
    members = [(i, m) for i, m in enumerate(guide.get("members") or [])
               if isinstance(m, dict) and isinstance(m.get("process"), str) and m["process"].strip()]
    if not isinstance(bundle, str) or not members:
        return []
    lines = guides.value_lines(guide_text) if guide_text is not None else {}
    problems: list[Problem] = []

    def report(path: str, key: str, in_guide: Said, in_diagram: Said, severity: str) -> None:
        if guide_text is not None:
            problems.append(Problem.of(guide_file, lines.get(path), path, in_guide, severity))
        elif key in in_files:
            diagram = in_files[key]
            problems.append(Problem.of(diagram.name, diagram.lines.get(key), key, in_diagram, severity))

    reached, seen_all = _called_from(bundle, calls_of)
    listed = {m["process"] for _, m in members}
    unlisted = ", ".join(repr(k) for k in sorted(reached - listed - {bundle}))
    # The English hint as a fragment, and what it names apart for other languages (api/pages/problem_texts.py).
    hint = {"hint": f" (it calls {unlisted}, which no member lists)" if unlisted else "", "unlisted": unlisted}
    for i, member in members:
        key, where = member["process"], f"members[{i}]"
        name = member.get("name") if isinstance(member.get("name"), str) else key
        if seen_all and key not in reached and (guide_text is not None or bundle in in_files):
            said_of = {"field": f"{where}.process", "process": key, "name": name, **hint}
            report(f"{where}.process", bundle, said("lint.member_not_called", **said_of, bundle=bundle),
                   said("lint.member_not_called_here", **said_of, file=guide_file), "error")
        verdict = member.get("verdict")
        if not isinstance(verdict, str) or not verdict.isidentifier() or (guide_text is None and key not in in_files):
            continue
        diagram = in_files.get(key) or deployed(key)
        if diagram is not None and _sets(diagram, key, verdict, fields_of) is False:
            said_of = {"field": f"{where}.verdict", "verdict": verdict, "name": name}
            report(f"{where}.verdict", key, said("lint.verdict_unset", **said_of, process=key),
                   said("lint.verdict_unset_here", **said_of, file=guide_file), "warning")
    return problems


def _called_from(key: str, calls_of: Callable[[str], set[str] | None]) -> tuple[set[str], bool]:
    """The processes ``key`` calls, directly or through the processes it calls; and whether every process
    on the way could be seen (else one not seen may call more)."""
    reached: set[str] = set()
    visited: set[str] = set()
    queue, seen_all = deque([key]), True
    while queue:
        current = queue.popleft()
        if current in visited:
            continue
        visited.add(current)
        calls = calls_of(current)
        if calls is None:
            seen_all = False
            continue
        reached |= calls
        queue.extend(calls)
    return reached, seen_all


def _sets(diagram: PreparedDiagram, pid: str, name: str, fields_of: FormFields) -> bool | None:
    """Whether process ``pid`` sets variable ``name``: a field of a form of one of its user tasks, a script
    (output mappings and expressions are translated into scripts) or a multi-instance item. None when it
    may set it where lint cannot see: a call activity, a decision table, an external or receive task, a
    message it receives, a form given by expression or that lint cannot read."""
    process = next((p for p in diagram.tree.findall(bpmn("process")) if p.get("id") == pid), None) \
        if diagram.tree is not None else None
    if process is None:
        return None
    if name in _script_names(process):
        return True
    unseen = bool(process.xpath(MESSAGE_CATCHES, namespaces=NS))
    for meta in diagram.elements.get(pid, {}).values():
        if meta.get("type") in OPAQUE or meta.get("form_key_expression"):
            unseen = True
        elif meta.get("type") in diagrams.HUMAN_TAGS and meta.get("form_key"):
            fields = fields_of(meta["form_key"])
            if fields is None or fields is UNKNOWN:
                unseen = True
            elif name in fields:
                return True
    return None if unseen else False


# ---- time limits: the diagram's properties and the guide ----------------------------------------------

def _check_limits(diagram: PreparedDiagram, pid: str, elements: dict[str, dict[str, Any]], starts: set[str],
                  guide: dict[str, Any] | None, called: bool) -> list[Problem]:
    properties = elements.get(PROCESS_KEY, {}).get("properties", {}) or {}
    problems = []

    def problem(message: Said, severity: str = "error") -> None:
        problems.append(Problem.of(diagram.name, diagram.lines.get(pid), pid, message, severity))

    promised, statutory = _whole(properties.get(PROMISED)), _whole(properties.get(STATUTORY))
    if promised is not None and statutory is not None and promised > statutory:
        problem(said("lint.promised_exceeds", promised=promised, statutory=statutory))
    if guide is None:
        return problems
    file = guide.get("_file", "guide.json")
    for name, prop, value in (("promised_days", PROMISED, promised), ("statutory_days", STATUTORY, statutory)):
        if value is not None and guide.get(name) is not None and guide.get(name) != value:
            problem(said("lint.limit_differs", prop=prop, value=value, name=name, guide_value=guide.get(name),
                         file=file), "warning")
    mine, theirs = properties.get(CALENDAR) or "CN", guide.get("calendar") or "CN"
    if mine != theirs:
        problem(said("lint.calendar_differs", file=file, theirs=theirs, mine=mine), "warning")
    if guide.get("statutory_days") and not starts and not called:
        problem(said("lint.no_clock_start", file=file), "warning")
    return problems


def _whole(value: Any) -> int | None:
    try:
        return int(str(value).strip()) if value not in (None, "") else None
    except ValueError:
        return None
