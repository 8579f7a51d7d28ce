"""Reading a BPMN file at deploy time: safe XML, Camunda 7 translation, per-element metadata, checks.

SpiffWorkflow runs Python; Camunda Modeler writes JUEL, bare ISO timers and Java hooks. Everything is
translated here, once, on a copy of the tree handed to the parser; the original bytes are kept as the
deployed resource. What cannot be translated becomes a problem naming file, line and element.
"""
from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from . import expressions, scripting
from .clock import utcnow
from .timeparse import parse_due

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS, "spiffworkflow": SPIFF_NS}

MAX_XML_BYTES = 5 * 1024 * 1024
DOCTYPE_REFUSED = "DOCTYPE declarations are not allowed (their entities could read files or expand without bound)"
PYTHON_FORMATS = {"", "python", "python3", "py"}
HUMAN_TAGS = {"userTask", "manualTask"}
PROCESS_KEY = "#process"  # the process's own metadata among its elements
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
        # '#' cannot occur in an XML id, so this key never collides with an element.
        diagram.elements[pid][PROCESS_KEY] = {"type": "process", "name": process.get("name"),
                                              "properties": element_properties(process)}
    if processes and not diagram.executable:
        diagram.error(processes[0], "no executable process (every process has isExecutable=\"false\")")
    elif not processes:
        diagram.problems.append(Problem(name, root.sourceline, None, "the file defines no process"))
    _translate_messages_and_timers(diagram, root)
    return diagram


def _translate_process(diagram: PreparedDiagram, process: Any) -> dict[str, dict[str, Any]]:
    lanes = {ref.text.strip(): lane.get("name") or lane.get("id")
             for lane in process.iter(bpmn("lane")) for ref in lane.findall(bpmn("flowNodeRef")) if ref.text}
    # What lies inside a subprocess belongs to the subprocess's lane unless a lane of its own says otherwise.
    for sub in process.iter(bpmn("subProcess"), bpmn("transaction"), bpmn("adHocSubProcess")):
        for inner in sub.iterdescendants():
            if sub.get("id") in lanes and inner.get("id") and inner.get("id") not in lanes:
                lanes[inner.get("id")] = lanes[sub.get("id")]
    elements: dict[str, dict[str, Any]] = {}
    _check_flows(diagram, process)
    for node in list(process.iter()):
        tag = local(node.tag)
        if node.get("id") is None or not isinstance(node.tag, str) or node.tag.split("}")[0][1:] != BPMN_NS:
            continue
        if tag in ("sequenceFlow",):
            _translate_condition(diagram, node)
            continue
        if tag in ("exclusiveGateway", "inclusiveGateway"):
            _check_gateway_flows(diagram, node)
        if tag in ("serviceTask", "sendTask") and _is_java(node):
            _to_external_task(diagram, node)
            tag = "externalTask"
        elif tag == "serviceTask" and node.get(camunda("expression")):
            _expression_to_script(diagram, node)
            tag = "scriptTask"
        elif tag == "serviceTask":  # a SpiffWorkflow service operator, or no implementation at all
            operator = node.find(f"./{bpmn('extensionElements')}/{{{SPIFF_NS}}}serviceTaskOperator")
            topic = operator.get("id") if operator is not None else None
            diagram.warn(node, f"service operator {topic!r} runs as an external task completed over the API"
                         if topic else "service task without an implementation runs as an external task "
                                       "completed over the API")
            node.tag = bpmn("userTask")
            tag = "externalTask"
        if tag == "scriptTask":
            _check_script_task(diagram, node)
        for script in node.xpath("./bpmn:extensionElements/spiffworkflow:preScript|"
                                 "./bpmn:extensionElements/spiffworkflow:postScript", namespaces=NS):
            for message in scripting.check_script(script.text or ""):
                diagram.error(node, f"spiffworkflow:{local(script.tag)}: {message}")
        _check_listeners(diagram, node)
        _translate_io_mappings(diagram, node)
        _translate_loop(diagram, node)
        if tag == "businessRuleTask":
            _translate_decision_ref(diagram, node)
        if tag == "callActivity" and not node.get("calledElement"):
            diagram.error(node, "call activity has no calledElement")
        meta: dict[str, Any] = {"type": tag, "name": node.get("name")}
        if tag in HUMAN_TAGS or tag == "externalTask":
            meta.update(_human_task_meta(diagram, node, lanes.get(node.get("id"))))
        elif properties := element_properties(node):  # govflow.event and the like, on any element
            meta["properties"] = properties
        if tag == "callActivity" and node.get("calledElement"):
            meta["called"] = node.get("calledElement")
        if tag == "externalTask":
            operator = node.find(f"./{bpmn('extensionElements')}/{{{SPIFF_NS}}}serviceTaskOperator")
            meta["topic"] = node.get(camunda("topic")) or (operator.get("id") if operator is not None else None) \
                or node.get("name") or node.get("id")
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


def _check_gateway_flows(diagram: PreparedDiagram, gateway: Any) -> None:
    """Where a gateway chooses between flows, each flow but the default needs a condition; SpiffWorkflow
    refuses the diagram otherwise, and we say so here along with every other problem of the file."""
    flows = [f for f in gateway.getparent().findall(bpmn("sequenceFlow")) if f.get("sourceRef") == gateway.get("id")]
    if len(flows) < 2:
        return
    kind = "an exclusive" if local(gateway.tag) == "exclusiveGateway" else "an inclusive"
    for flow in flows:
        if flow.get("id") != gateway.get("default") and flow.find(bpmn("conditionExpression")) is None:
            label = f"{flow.get('name')!r} ({flow.get('id')})" if flow.get("name") else flow.get("id")
            diagram.error(flow, f"sequence flow {label} leaves {kind} gateway "
                                f"{gateway.get('name') or gateway.get('id')!r} without a condition and is not its "
                                "default flow; add a condition or make it the default")


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
    # A topic (or camunda:type=external) is Camunda's own external-task pattern; the rest name Java code.
    if node.get(camunda("topic")) or node.get(camunda("type")) == "external":
        diagram.warn(node, f"external task ({hook}); a worker completes it over the API")
    else:
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


def _translate_io_mappings(diagram: PreparedDiagram, node: Any) -> None:
    """camunda:inputOutput: each input parameter becomes an assignment in the element's pre-script, each
    output parameter one in its post-script. Parameters given as scripts, lists or maps are refused."""
    scripts: dict[str, list[str]] = {"preScript": [], "postScript": []}
    for param in node.xpath("./bpmn:extensionElements/camunda:inputOutput/*", namespaces=NS):
        kind, name = local(param.tag), param.get("name") or ""
        where = "preScript" if kind == "inputParameter" else "postScript"
        content = [c for c in param if isinstance(c.tag, str)]
        if content:
            language = content[0].get("scriptFormat")
            what = f"a {language} script" if local(content[0].tag) == "script" else f"a camunda:{local(content[0].tag)}"
            diagram.error(node, f"camunda:{kind} {name!r} is {what}, which cannot run here; compute it in a "
                                "Python script task")
            continue
        text = (param.text or "").strip()
        if not name.isidentifier() or name.startswith("_"):
            if text:
                diagram.error(node, f"camunda:{kind} {name!r} is not a variable name")
            else:
                diagram.warn(node, f"camunda:{kind} {name!r} has no value and is ignored")
            continue
        python = _juel(diagram, node, text, literal=True) if text else "None"
        if python is not None:
            _check_expression(diagram, node, python, f"camunda:{kind} {name!r}")
            scripts[where].append(f"{name} = {python}")
    for where, lines in scripts.items():
        if not lines:
            continue
        ext = node.find(bpmn("extensionElements"))
        script = ext.find(f"{{{SPIFF_NS}}}{where}")
        if script is None:
            script = etree.SubElement(ext, f"{{{SPIFF_NS}}}{where}")
        own = (script.text or "").strip()
        # Inputs are set before the element's own pre-script runs; outputs read what its post-script left.
        script.text = "\n".join([*lines, own] if where == "preScript" else [own, *lines]).strip()


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
            # In Camunda the element is the collection's own object: what an instance changes in it shows
            # in the collection afterwards. Writing each element back in place does the same with JSON data.
            if loop.find(bpmn("loopDataOutputRef")) is None and loop.find(bpmn("outputDataItem")) is None:
                etree.SubElement(loop, bpmn("loopDataOutputRef")).text = python
                etree.SubElement(loop, bpmn("outputDataItem"), id=item, name=item)


def _translate_decision_ref(diagram: PreparedDiagram, node: Any) -> None:
    ref = node.get(camunda("decisionRef"))
    if node.xpath(".//spiffworkflow:calledDecisionId", namespaces=NS):
        return
    if not ref:
        diagram.error(node, "business rule task names no decision (camunda:decisionRef or "
                            "spiffworkflow:calledDecisionId)")
        return
    ext = node.find(bpmn("extensionElements"))
    if ext is None:
        ext = etree.Element(bpmn("extensionElements"))
        node.insert(0, ext)
    called = etree.SubElement(ext, f"{{{SPIFF_NS}}}calledDecisionId")
    called.text = ref


def _translate_messages_and_timers(diagram: PreparedDiagram, root: Any) -> None:
    for message in root.iter(bpmn("messageEventDefinition")):
        _translate_message_payload(diagram, message)
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


def _translate_message_payload(diagram: PreparedDiagram, definition: Any) -> None:
    """``camunda:expression`` on a message throw is its payload, as SpiffWorkflow's Camunda parser reads it;
    ``camunda:resultVariable`` names the variable the catching side stores it in. In Camunda 7 a Java hook
    (or an expression calling a bean) sends the message instead: that cannot run here."""
    owner = definition.getparent()
    expression = definition.get(camunda("expression"))
    if not _is_java(definition):
        if not expression or definition.xpath(".//spiffworkflow:messagePayload", namespaces=NS):
            return
        python = _juel(diagram, owner, expression)
        if python is None:
            return
        result = definition.get(camunda("resultVariable"))
        if result and not result.isidentifier():
            diagram.error(owner, f"camunda:resultVariable {result!r} is not a variable name")
            return
        payload = f"{{{result!r}: ({python})}}" if result else python
        _check_expression(diagram, owner, payload, "message payload")
        ext = definition.find(bpmn("extensionElements"))
        if ext is None:
            ext = etree.SubElement(definition, bpmn("extensionElements"))
        etree.SubElement(ext, f"{{{SPIFF_NS}}}messagePayload").text = payload
        return
    hook = next((f"camunda:{a}={definition.get(camunda(a))}" for a in (*JAVA_ATTRS, "expression")
                 if definition.get(camunda(a))), "camunda:type=external")
    diagram.error(owner, f"the message is sent by Java code ({hook}), which cannot run here; send it from a "
                         "send task completed by an integrator, or give it a payload expression")


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
                _check_literal(diagram, node, attr, text.strip())
    form_key = node.get(camunda("formKey")) or node.get(camunda("formRef"))
    name = node.get("name")
    if name and expressions.is_juel(name):  # a task named ${taskName}: the name is evaluated when it opens
        python = _juel(diagram, node, name.strip(), literal=True)
        if python is not None:
            meta["name_expression"] = python
            _check_expression(diagram, node, python, "name")
    if form_key and expressions.is_juel(form_key):  # e.g. ${formName}: evaluated when the task opens
        python = _juel(diagram, node, form_key.strip())
        if python is not None:
            meta["form_key_expression"] = python
            _check_expression(diagram, node, python, "camunda:formKey")
    elif form_key:
        meta["form_key"] = form_key
    properties = element_properties(node)
    if properties:
        meta["properties"] = properties
    # SpiffWorkflow's task metadata: expressions shown with the task, evaluated when it opens.
    metadata = {item.get("name"): (item.get("value") or "").strip() or None for item in node.xpath(
        "./bpmn:extensionElements/spiffworkflow:taskMetadataValues/spiffworkflow:taskMetadataValue",
        namespaces=NS) if item.get("name")}
    for expression in filter(None, metadata.values()):
        _check_expression(diagram, node, expression, "spiffworkflow:taskMetadataValue")
    if metadata:
        meta["metadata"] = metadata
    documentation = node.find(bpmn("documentation"))
    if documentation is not None and documentation.text:
        meta["documentation"] = documentation.text.strip()
    if "candidate_groups" not in meta and "candidate_users" not in meta and "assignee" not in meta and lane:
        meta["candidate_groups"] = repr(lane)
    return meta


def element_properties(node: Any) -> dict[str, str]:
    """Extension properties (Camunda Modeler's or SpiffWorkflow's) of one element."""
    return {p.get("name"): p.get("value") for p in node.xpath(
        "./bpmn:extensionElements/camunda:properties/camunda:property|"
        "./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", namespaces=NS) if p.get("name")}


def _check_literal(diagram: PreparedDiagram, node: Any, attr: str, text: str) -> None:
    """A literal priority or date is checked now, not when the first case reaches the task."""
    if expressions.is_juel(text):
        return
    if attr == "priority" and not re.fullmatch(r"[+-]?\d+", text):
        diagram.error(node, f"camunda:priority {text!r} is not a whole number")
    elif attr in ("dueDate", "followUpDate"):
        try:
            parse_due(text, utcnow())
        except ValueError as exc:
            diagram.error(node, f"camunda:{attr}: {exc}")


def _juel(diagram: PreparedDiagram, node: Any, text: str, *, literal: bool = False) -> str | None:
    try:
        return expressions.translate_juel(text) if literal else expressions.to_python(text)
    except expressions.ExpressionError as exc:
        diagram.error(node, str(exc))  # the message already quotes the expression
        return None


def _check_expression(diagram: PreparedDiagram, node: Any, python: str, what: str) -> None:
    for message in scripting.check_expression(python):
        diagram.error(node, f"{what} {python!r}: {message}")


# ---- DMN decision tables ----------------------------------------------------------------------

DMN_LANGUAGES = {"", "feel", "juel", "python", "http://www.omg.org/spec/feel/20140401",
                 "https://www.omg.org/spec/dmn/20191111/feel/", "http://www.omg.org/spec/dmn/20180521/feel/"}
AGGREGATIONS = {"SUM": "sum", "MIN": "min", "MAX": "max", "COUNT": "len"}


@dataclass
class Decision:
    """One decision of a DMN file, ready for the parser: SpiffWorkflow reads one decision per document."""

    id: str
    file: str
    tree: Any  # a copy of the document with only this decision, its entries translated to Python
    outputs: list[str]
    hit_policy: str
    aggregation: str | None


def prepare_dmn(name: str, root: Any) -> tuple[list[Decision], list[Problem]]:
    """Split a DMN file into one document per decision and translate its FEEL entries to Python.

    SpiffWorkflow registers only the first decision of a file (and fails with an AttributeError when there
    are several), and evaluates entries as Python. What cannot run is a problem naming file, line, element.
    """
    problems: list[Problem] = []
    if local(root.tag) != "definitions":
        return [], [Problem(name, root.sourceline, None, f"not a DMN document (root element is {local(root.tag)})")]
    ids = [d.get("id") for d in root if local(d.tag) == "decision"]
    if not ids:
        return [], [Problem(name, root.sourceline, None, "the DMN file defines no decision")]
    decisions = []
    for decision_id in ids:
        tree = deepcopy(root)
        for other in [d for d in tree if local(d.tag) == "decision" and d.get("id") != decision_id]:
            tree.remove(other)
        decision = next(d for d in tree if local(d.tag) == "decision")
        found = _prepare_decision(name, decision, problems)
        if found is not None:
            decisions.append(Decision(decision_id, name, tree, *found))
    return decisions, problems


def _prepare_decision(name: str, decision: Any, problems: list[Problem]) -> tuple[list[str], str, str | None] | None:
    def problem(node: Any, message: str) -> None:
        problems.append(Problem(name, node.sourceline, node.get("id"), message))

    label = decision.get("name") or decision.get("id")
    tables = [c for c in decision if local(c.tag) == "decisionTable"]
    if len(tables) != 1:
        problem(decision, f"decision {label!r} has no decision table (literal expressions and other decision "
                          "logic cannot run here)" if not tables else f"decision {label!r} has several tables")
        return None
    required = decision.xpath("./*[local-name()='informationRequirement']/*[local-name()='requiredDecision']")
    if required:
        needed = ", ".join(r.get("href", "").lstrip("#") for r in required)
        problem(decision, f"decision {label!r} requires decision {needed} first; evaluating required decisions "
                          "(a DRD) is not supported: call each from its own business rule task")
        return None
    table = tables[0]
    before = len(problems)
    for node in decision.iter():
        language = (node.get("expressionLanguage") or "").strip().lower() if isinstance(node.tag, str) else ""
        if language not in DMN_LANGUAGES:
            problem(node, f"expression language {node.get('expressionLanguage')!r} is not supported in decision {label!r}")
    for text in table.xpath("./*[local-name()='input']/*[local-name()='inputExpression']/*[local-name()='text']"):
        _dmn_translate(text, problem, expressions.feel_value, "input expression", label)
    for entry in table.xpath("./*[local-name()='rule']/*[local-name()='inputEntry']"):
        for text in entry.xpath("./*[local-name()='text']"):
            _dmn_translate(text, problem, expressions.feel_unary_tests, "input entry", label, test=True)
    for entry in table.xpath("./*[local-name()='rule']/*[local-name()='outputEntry']"):
        for text in entry.xpath("./*[local-name()='text']"):
            if (text.text or "").strip():
                _dmn_translate(text, problem, expressions.feel_value, "output entry", label)
    outputs = [o.get("name") or o.get("label") or "" for o in table if local(o.tag) == "output"]
    hit_policy = (table.get("hitPolicy") or "UNIQUE").upper()
    aggregation = (table.get("aggregation") or "").upper() or None
    if aggregation and (hit_policy != "COLLECT" or aggregation not in AGGREGATIONS):
        problem(table, f"aggregation {aggregation} is not supported in decision {label!r}")
    return (outputs, hit_policy, aggregation) if len(problems) == before else None


def _dmn_translate(text_node: Any, problem: Any, translate: Any, what: str, label: str, *, test: bool = False) -> None:
    """FEEL (or JUEL) to Python; text that is not FEEL but runs as Python — SpiffWorkflow's own DMN
    dialect — is kept as it is."""
    source = (text_node.text or "").strip()
    owner = text_node.getparent()
    if not source and not test:
        return  # an input without an expression: SpiffWorkflow falls back to its label
    try:
        python = expressions.translate_juel(source) if expressions.is_juel(source) else translate(source)
    except expressions.ExpressionError as exc:
        runs = not scripting.check_expression(source) or (test and not scripting.check_expression(f"v {source}"))
        if not runs:
            problem(owner, f"{what} {source!r} of decision {label!r} can run neither as FEEL nor as Python: {exc}")
        return
    text_node.text = python or None  # no text: SpiffWorkflow's "any value" (an empty string would compare)


def map_decision_results(diagram: PreparedDiagram, decisions: dict[str, Decision]) -> list[Problem]:
    """Camunda's camunda:resultVariable and camunda:mapDecisionResult, and a COLLECT table's aggregation,
    as a post-script of the business rule task. SpiffWorkflow merges the matched rules' outputs into the
    task data; Camunda puts the mapped result into the result variable and nothing else."""
    problems: list[Problem] = []
    for task in diagram.tree.iter(bpmn("businessRuleTask")):
        called = task.xpath(".//spiffworkflow:calledDecisionId", namespaces=NS)
        decision = decisions.get((called[0].text or "").strip()) if called else None
        result = task.get(camunda("resultVariable"))
        if decision is None or (not result and not decision.aggregation):
            continue
        bad = [o for o in decision.outputs if not o.isidentifier() or o.startswith("_")]
        if bad or (result and (not result.isidentifier() or result.startswith("_"))):
            problems.append(Problem(diagram.name, task.sourceline, task.get("id"),
                                    f"decision outputs {bad} and result variable {result!r} must be variable names"))
            continue
        mapping = task.get(camunda("mapDecisionResult")) or "resultList"
        if mapping not in ("singleEntry", "singleResult", "collectEntries", "resultList"):
            problems.append(Problem(diagram.name, task.sourceline, task.get("id"),
                                    f"camunda:mapDecisionResult {mapping!r} is not supported"))
            continue
        if mapping in ("singleEntry", "collectEntries") and result and len(decision.outputs) != 1:
            problems.append(Problem(diagram.name, task.sourceline, task.get("id"),
                                    f"camunda:mapDecisionResult {mapping} needs a decision with one output; "
                                    f"{decision.id!r} has {len(decision.outputs)}"))
            continue
        ext = task.find(bpmn("extensionElements"))
        if ext is None:
            ext = etree.Element(bpmn("extensionElements"))
            task.insert(0, ext)
        post = ext.find(f"{{{SPIFF_NS}}}postScript")
        if post is None:
            post = etree.SubElement(ext, f"{{{SPIFF_NS}}}postScript")
        script = _decision_result_script(decision, result, mapping)
        post.text = script + ("\n" + post.text if (post.text or "").strip() else "")
    return problems


def _decision_result_script(decision: Decision, result: str | None, mapping: str) -> str:
    outputs, collect = decision.outputs, decision.hit_policy == "COLLECT"
    lines = ["govflow_dmn = {}"]
    for name in outputs:  # a table where no rule matched leaves its outputs unset
        lines += ["try:", f"    govflow_dmn[{name!r}] = {name}", f"    del {name}", "except Exception:", "    pass"]
    if decision.aggregation:
        function = AGGREGATIONS[decision.aggregation]
        lines += ["for govflow_key in list(govflow_dmn):",
                  (f"    govflow_dmn[govflow_key] = {function}(govflow_dmn[govflow_key]) "
                   "if govflow_dmn[govflow_key] else None"),
                  "del govflow_key"]
        collect = False  # one aggregated value per output
    if not result:  # aggregation only: the outputs stay where SpiffWorkflow put them
        lines += [f"{name} = govflow_dmn.get({name!r})" for name in outputs]
    elif collect:
        lines.append(f"govflow_rows = [dict(zip({outputs!r}, row)) for row in "
                     f"zip(*[govflow_dmn.get(key, []) for key in {outputs!r}])]")
        if mapping in ("singleEntry", "singleResult"):
            lines += ["if len(govflow_rows) > 1:",
                      (f"    raise ValueError('decision {decision.id} matched ' + str(len(govflow_rows)) + "
                       f"' rules; {mapping} takes one')")]
        pick = {"singleEntry": f"govflow_rows[0][{outputs[0]!r}] if govflow_rows else None",
                "singleResult": "govflow_rows[0] if govflow_rows else None",
                "collectEntries": f"[row[{outputs[0]!r}] for row in govflow_rows]",
                "resultList": "govflow_rows"}[mapping]
        lines += [f"{result} = {pick}", "del govflow_rows"]
    else:
        pick = {"singleEntry": f"govflow_dmn.get({outputs[0]!r})",
                "singleResult": "dict(govflow_dmn) if govflow_dmn else None",
                "collectEntries": f"[govflow_dmn[{outputs[0]!r}]] if govflow_dmn else []",
                "resultList": "[dict(govflow_dmn)] if govflow_dmn else []"}[mapping]
        lines.append(f"{result} = {pick}")
    lines.append("del govflow_dmn")
    return "\n".join(lines)

