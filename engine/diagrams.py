"""Reading a BPMN file at deploy time: safe XML, Camunda 7 translation, per-element metadata, checks.

SpiffWorkflow runs Python; Camunda Modeler writes JUEL, bare ISO timers and Java hooks. Everything is
translated here, once, on a copy of the tree handed to the parser; the original bytes are kept as the
deployed resource. What cannot be translated becomes a problem naming file, line and element.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from . import expressions, scripting

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS, "spiffworkflow": SPIFF_NS}

MAX_XML_BYTES = 5 * 1024 * 1024
DOCTYPE_REFUSED = "DOCTYPE declarations are not allowed (their entities could read files or expand without bound)"
PYTHON_FORMATS = {"", "python", "python3", "py"}
HUMAN_TAGS = {"userTask", "manualTask"}
# Camunda hooks that name Java code: the element runs as an external task for an integrator to complete.
JAVA_ATTRS = ("class", "delegateExpression", "topic")


def bpmn(tag: str) -> str:
    return f"{{{BPMN_NS}}}{tag}"


def camunda(attr: str) -> str:
    return f"{{{CAMUNDA_NS}}}{attr}"


def local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


@dataclass
class Problem:
    file: str
    line: int | None
    element: str | None
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line or 0}"
        element = f" [{self.element}]" if self.element else ""
        return f"{where}:{element} {self.message}" if self.severity == "error" else \
            f"{where}:{element} warning: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "element": self.element,
                "message": self.message, "severity": self.severity}


@dataclass
class PreparedDiagram:
    """A diagram ready for the SpiffWorkflow parser, with what the parser does not keep."""

    name: str
    tree: Any  # the translated lxml root
    executable: list[str] = field(default_factory=list)  # executable process ids
    process_names: dict[str, str | None] = field(default_factory=dict)
    elements: dict[str, dict[str, Any]] = field(default_factory=dict)  # process id -> element id -> meta
    lines: dict[str, int] = field(default_factory=dict)  # element id -> source line
    problems: list[Problem] = field(default_factory=list)

    def error(self, node: Any, message: str) -> None:
        self._add(node, message, "error")

    def warn(self, node: Any, message: str) -> None:
        self._add(node, message, "warning")

    def _add(self, node: Any, message: str, severity: str) -> None:
        line = getattr(node, "sourceline", None) if node is not None else None
        element = node.get("id") if node is not None else None
        self.problems.append(Problem(self.name, line, element, message, severity))


def safe_parse(name: str, content: bytes) -> tuple[Any, Problem | None]:
    """Parse XML without entities, DTDs or network access, and refuse oversized files."""
    if len(content) > MAX_XML_BYTES:
        return None, Problem(name, None, None, f"file is larger than {MAX_XML_BYTES // 1024} KiB")
    doctype = _prolog_doctype(content)
    if doctype is not None:  # refused before parsing: entities could read files or expand without bound
        return None, Problem(name, content[:doctype].count(b"\n") + 1, None, DOCTYPE_REFUSED)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        return None, Problem(name, exc.lineno, None, f"malformed XML: {exc.msg}")
    if root.getroottree().docinfo.doctype:
        return None, Problem(name, 1, None, DOCTYPE_REFUSED)
    return root, None


def _prolog_doctype(content: bytes) -> int | None:
    """Offset of a DOCTYPE in the prolog (after a BOM, the XML declaration, comments and processing
    instructions: the only place one may stand), found in one linear scan."""
    pos = 3 if content.startswith(b"\xef\xbb\xbf") else 0
    while True:
        while pos < len(content) and content[pos:pos + 1].isspace():
            pos += 1
        for opening, closing in ((b"<?", b"?>"), (b"<!--", b"-->")):
            if content.startswith(opening, pos):
                end = content.find(closing, pos + len(opening))
                if end < 0:
                    return None  # unterminated: the parser reports it
                pos = end + len(closing)
                break
        else:
            return pos if content.startswith(b"<!DOCTYPE", pos) else None


def prepare(name: str, content: bytes) -> PreparedDiagram:
    root, problem = safe_parse(name, content)
    diagram = PreparedDiagram(name=name, tree=root)
    if problem:
        diagram.problems.append(problem)
        return diagram
    if root.tag != bpmn("definitions"):
        diagram.problems.append(Problem(name, root.sourceline, None,
                                        f"not a BPMN 2.0 document (root element is {local(root.tag)})"))
        return diagram
    for node in root.iter():
        if isinstance(node.tag, str) and node.get("id"):
            diagram.lines.setdefault(node.get("id"), node.sourceline)
    _drop_data_stores(diagram)
    processes = root.findall(bpmn("process"))
    for process in processes:
        pid = process.get("id")
        if process.get("isExecutable", "true") == "false":
            continue
        diagram.executable.append(pid)
        diagram.process_names[pid] = process.get("name")
        diagram.elements[pid] = _translate_process(diagram, process)
    if processes and not diagram.executable:
        diagram.error(processes[0], "no executable process (every process has isExecutable=\"false\")")
    elif not processes:
        diagram.problems.append(Problem(name, root.sourceline, None, "the file defines no process"))
    _translate_messages_and_timers(diagram, root)
    return diagram


def _translate_process(diagram: PreparedDiagram, process: Any) -> dict[str, dict[str, Any]]:
    lanes = {ref.text.strip(): lane.get("name") or lane.get("id")
             for lane in process.iter(bpmn("lane")) for ref in lane.findall(bpmn("flowNodeRef")) if ref.text}
    elements: dict[str, dict[str, Any]] = {}
    _check_flows(diagram, process)
    for node in list(process.iter()):
        tag = local(node.tag)
        if node.get("id") is None or not isinstance(node.tag, str) or node.tag.split("}")[0][1:] != BPMN_NS:
            continue
        if tag in ("sequenceFlow",):
            _translate_condition(diagram, node)
            continue
        if tag in ("serviceTask", "sendTask") and _is_java(node):
            _to_external_task(diagram, node)
            tag = "externalTask"
        elif tag == "serviceTask" and node.get(camunda("expression")):
            _expression_to_script(diagram, node)
            tag = "scriptTask"
        if tag == "scriptTask":
            _check_script_task(diagram, node)
        _check_listeners(diagram, node)
        _translate_loop(diagram, node)
        if tag == "businessRuleTask":
            _translate_decision_ref(diagram, node)
        if tag == "callActivity" and not node.get("calledElement"):
            diagram.error(node, "call activity has no calledElement")
        meta: dict[str, Any] = {"type": tag, "name": node.get("name")}
        if tag in HUMAN_TAGS or tag == "externalTask":
            meta.update(_human_task_meta(diagram, node, lanes.get(node.get("id"))))
        if tag == "callActivity" and node.get("calledElement"):
            meta["called"] = node.get("calledElement")
        if tag == "externalTask":
            meta["topic"] = node.get(camunda("topic")) or node.get("name") or node.get("id")
        elements[node.get("id")] = meta
    return elements


def _check_flows(diagram: PreparedDiagram, process: Any) -> None:
    """Dangling sequence flows, named in our words before the parser reports them in its own."""
    scopes = [process, *process.iter(bpmn("subProcess"), bpmn("transaction"), bpmn("adHocSubProcess"))]
    for scope in scopes:
        ids = {child.get("id") for child in scope if isinstance(child.tag, str)}
        for flow in scope.findall(bpmn("sequenceFlow")):
            for end in ("sourceRef", "targetRef"):
                ref = flow.get(end)
                if not ref:
                    diagram.error(flow, f"sequence flow has no {end}")
                elif ref not in ids:
                    diagram.error(flow, f"sequence flow {end} {ref!r} is not an element of "
                                        f"{local(scope.tag)} {scope.get('id')!r}")


def _is_java(node: Any) -> bool:
    if any(node.get(camunda(attr)) for attr in JAVA_ATTRS) or node.get(camunda("type")) == "external":
        return True
    expr = node.get(camunda("expression"))
    if expr:
        try:
            expressions.translate_juel(expr)
        except expressions.ExpressionError:
            return True  # a method call on a Java bean: not ours to run
    return False


def _to_external_task(diagram: PreparedDiagram, node: Any) -> None:
    hook = next((f"camunda:{a}={node.get(camunda(a))}" for a in JAVA_ATTRS + ("expression",) if node.get(camunda(a))),
                "camunda:type=external")
    diagram.warn(node, f"implemented in Java ({hook}); runs as an external task completed over the API")
    node.tag = bpmn("userTask")


def _expression_to_script(diagram: PreparedDiagram, node: Any) -> None:
    python = _juel(diagram, node, node.get(camunda("expression")))
    if python is None:
        return
    result = node.get(camunda("resultVariable"))
    node.tag = bpmn("scriptTask")
    script = etree.SubElement(node, bpmn("script"))
    script.text = f"{result} = {python}" if result else python


def _check_script_task(diagram: PreparedDiagram, node: Any) -> None:
    fmt = (node.get("scriptFormat") or "").strip().lower()
    if fmt not in PYTHON_FORMATS:
        diagram.error(node, f"script language {node.get('scriptFormat')!r} is not supported; write it in Python")
        return
    script = node.find(bpmn("script"))
    if script is None or not (script.text or "").strip():
        diagram.error(node, "script task has no script")
        return
    for message in scripting.check_script(script.text):
        diagram.error(node, f"script: {message}")


def _check_listeners(diagram: PreparedDiagram, node: Any) -> None:
    for listener in node.xpath("./bpmn:extensionElements/camunda:taskListener|"
                               "./bpmn:extensionElements/camunda:executionListener", namespaces=NS):
        script = listener.find(camunda("script"))
        if script is not None:
            diagram.error(node, f"{local(listener.tag)} script in {script.get('scriptFormat') or 'an unknown language'}"
                                " cannot run here; move the logic into a Python script task")
        else:
            diagram.warn(node, f"{local(listener.tag)} implemented in Java is ignored")


def _translate_condition(diagram: PreparedDiagram, node: Any) -> None:
    condition = node.find(bpmn("conditionExpression"))
    if condition is None:
        return
    if (condition.get("language") or "").lower() not in ("", "python", "juel", "${}"):
        diagram.error(node, f"condition language {condition.get('language')!r} is not supported")
        return
    text = (condition.text or "").strip()
    if not text:
        diagram.error(node, "empty condition expression")
        return
    python = _juel(diagram, node, text)
    if python is not None:
        condition.text = python
        _check_expression(diagram, node, python, "condition")


def _translate_loop(diagram: PreparedDiagram, node: Any) -> None:
    loop = node.find(bpmn("multiInstanceLoopCharacteristics"))
    if loop is None:
        return
    for child_tag in ("loopCardinality", "completionCondition"):
        child = loop.find(bpmn(child_tag))
        if child is not None and (child.text or "").strip():
            python = _juel(diagram, node, child.text.strip())
            if python is not None:
                child.text = python
                _check_expression(diagram, node, python, child_tag)
    collection = loop.get(camunda("collection"))
    if collection:
        python = _juel(diagram, node, collection)
        if python is None:
            return
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", python):
            diagram.error(node, f"camunda:collection must name a variable, got {collection!r}")
            return
        if loop.find(bpmn("loopDataInputRef")) is None:
            ref = etree.Element(bpmn("loopDataInputRef"))
            ref.text = python
            loop.insert(0, ref)
        item = loop.get(camunda("elementVariable"))
        if item and loop.find(bpmn("inputDataItem")) is None:
            etree.SubElement(loop, bpmn("inputDataItem"), id=item, name=item)


def _translate_decision_ref(diagram: PreparedDiagram, node: Any) -> None:
    ref = node.get(camunda("decisionRef"))
    if not ref or node.xpath(".//spiffworkflow:calledDecisionId", namespaces=NS):
        return
    ext = node.find(bpmn("extensionElements"))
    if ext is None:
        ext = etree.Element(bpmn("extensionElements"))
        node.insert(0, ext)
    called = etree.SubElement(ext, f"{{{SPIFF_NS}}}calledDecisionId")
    called.text = ref


def _translate_messages_and_timers(diagram: PreparedDiagram, root: Any) -> None:
    for timer in root.iter(bpmn("timerEventDefinition")):
        owner = timer.getparent()
        children = [c for c in timer if local(c.tag) in ("timeDate", "timeDuration", "timeCycle")]
        if not children:
            diagram.error(owner, "timer has no timeDate, timeDuration or timeCycle")
            continue
        for child in children:
            try:
                python = expressions.timer_to_python(child.text or "")
            except expressions.ExpressionError as exc:
                diagram.error(owner, f"timer: {exc}")
                continue
            child.text = python
            _check_expression(diagram, owner, python, "timer")


def _drop_data_stores(diagram: PreparedDiagram) -> None:
    """Data stores document where data lives; nothing executes them. Drop them and their associations."""
    root = diagram.tree
    refs = root.xpath("//bpmn:dataStoreReference|//bpmn:dataStore", namespaces=NS)
    if not refs:
        return
    ids = {ref.get("id") for ref in refs}
    for assoc in root.xpath("//bpmn:dataInputAssociation|//bpmn:dataOutputAssociation", namespaces=NS):
        linked = {(el.text or "").strip() for el in assoc if local(el.tag) in ("sourceRef", "targetRef")}
        if linked & ids:
            assoc.getparent().remove(assoc)
    for ref in refs:
        diagram.warn(ref, "data store is documentation only and is ignored at run time")
        ref.getparent().remove(ref)


def _human_task_meta(diagram: PreparedDiagram, node: Any, lane: str | None) -> dict[str, Any]:
    """Assignment, due dates, form and properties: stored as Python expressions evaluated per task."""
    meta: dict[str, Any] = {"lane": lane}
    for attr, key in (("candidateGroups", "candidate_groups"), ("candidateUsers", "candidate_users"),
                      ("assignee", "assignee"), ("dueDate", "due_date"), ("followUpDate", "follow_up_date"),
                      ("priority", "priority")):
        text = node.get(camunda(attr))
        if text is not None and text.strip():
            # Camunda attributes are literal text unless they hold ${...}.
            python = _juel(diagram, node, text.strip(), literal=True)
            if python is not None:
                meta[key] = python
                _check_expression(diagram, node, python, f"camunda:{attr}")
    form_key = node.get(camunda("formKey")) or node.get(camunda("formRef"))
    if form_key:
        meta["form_key"] = form_key
    properties = {p.get("name"): p.get("value") for p in node.xpath(
        "./bpmn:extensionElements/camunda:properties/camunda:property|"
        "./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", namespaces=NS) if p.get("name")}
    if properties:
        meta["properties"] = properties
    documentation = node.find(bpmn("documentation"))
    if documentation is not None and documentation.text:
        meta["documentation"] = documentation.text.strip()
    if "candidate_groups" not in meta and "candidate_users" not in meta and "assignee" not in meta and lane:
        meta["candidate_groups"] = repr(lane)
    return meta


def _juel(diagram: PreparedDiagram, node: Any, text: str, *, literal: bool = False) -> str | None:
    try:
        return expressions.translate_juel(text) if literal else expressions.to_python(text)
    except expressions.ExpressionError as exc:
        diagram.error(node, str(exc))  # the message already quotes the expression
        return None


def _check_expression(diagram: PreparedDiagram, node: Any, python: str, what: str) -> None:
    for message in scripting.check_expression(python):
        diagram.error(node, f"{what} {python!r}: {message}")
