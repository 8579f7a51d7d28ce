"""Reading a BPMN file at deploy time: each executable process translated (engine.camunda), checked,
and described element by element (assignment, due dates, forms, properties) for the engine's
projections. The original bytes are kept as the deployed resource; the translated tree goes to the parser.
"""
from __future__ import annotations

import re
from typing import Any

from . import camunda as camunda_xml
from . import camunda_forms, expressions, forms, scripting
from .bpmn_xml import (
    BPMN_NS,
    HUMAN_TAGS,
    NS,
    PROCESS_KEY,
    SPIFF_NS,
    PreparedDiagram,
    Problem,
    bpmn,
    camunda,
    element_properties,
    local,
    safe_parse,
)
from .problem_codes import said

# The camunda attributes of a human task that hold expressions, by the key of the element's meta they are kept
# under (evaluated per task by engine.execution).
_ASSIGNMENT = {"candidate_groups": "candidateGroups", "candidate_users": "candidateUsers", "assignee": "assignee",
               "due_date": "dueDate", "follow_up_date": "followUpDate", "priority": "priority"}
# The attribute of the diagram each evaluated meta comes from: what an error, here or at run time, names.
META_ATTRIBUTES = {**{key: f"camunda:{attr}" for key, attr in _ASSIGNMENT.items()},
                   "name_expression": "name", "form_key_expression": "camunda:formKey",
                   "topic_expression": "camunda:topic"}


def prepare(name: str, content: bytes) -> PreparedDiagram:
    root, problem = safe_parse(name, content)
    diagram = PreparedDiagram(name=name, tree=root)
    if problem:
        diagram.problems.append(problem)
        return diagram
    if root.tag != bpmn("definitions"):
        diagram.problems.append(Problem.of(name, root.sourceline, None, said("bpmn.not_bpmn", root=local(root.tag))))
        return diagram
    for node in root.iter():
        if isinstance(node.tag, str) and node.get("id"):
            diagram.lines.setdefault(node.get("id"), node.sourceline)
    camunda_xml.drop_data_stores(diagram)
    processes = root.findall(bpmn("process"))
    for process in processes:
        pid = process.get("id")
        if process.get("isExecutable", "true") == "false":
            continue
        _check_key(diagram, process, pid)
        diagram.executable.append(pid)
        diagram.process_names[pid] = process.get("name")
        diagram.elements[pid] = _translate_process(diagram, process)
        # '#' cannot occur in an XML id, so this key never collides with an element.
        diagram.elements[pid][PROCESS_KEY] = {"type": "process", "name": process.get("name"),
                                              "properties": element_properties(process)}
        _set_initiator(diagram, process, diagram.elements[pid])
        _set_start_form(diagram, process, diagram.elements[pid])
        camunda_xml.keep_candidate_starters(diagram, process, diagram.elements[pid])
    if processes and not diagram.executable:
        diagram.error(processes[0], said("bpmn.no_executable"))
    elif not processes:
        diagram.problems.append(Problem.of(name, root.sourceline, None, said("bpmn.no_process")))
    camunda_xml.translate_messages_and_timers(diagram, root)
    _check_message_refs(diagram, root)
    _keep_sources(diagram)
    return diagram


# An XML name without a colon (NCName), as BPMN's ids are: a process id is the item's key in addresses
# (/api/process-definitions/KEY), where '/', '?', '#' or a space would make another address.
_XML_NAME = re.compile(r"[^\W\d][\w.\-]*")
MAX_KEY = 255  # process_definitions.key


def _check_key(diagram: PreparedDiagram, process: Any, pid: str | None) -> None:
    """An executable process's id must do as its key."""
    if pid is None:
        return  # the parser names a process without an id
    if len(pid) > MAX_KEY:
        diagram.error(process, said("process.long_id", length=len(pid), longest=MAX_KEY))
    elif not _XML_NAME.fullmatch(pid):
        diagram.error(process, said("process.bad_id", pid=pid))


def _check_message_refs(diagram: PreparedDiagram, root: Any) -> None:
    """A message event naming a message the file does not define: said here, as the parser fails on it
    with an error of its own making."""
    messages = {message.get("id") for message in root.iter(bpmn("message"))}
    for definition in root.iter(bpmn("messageEventDefinition")):
        ref = definition.get("messageRef")
        if ref and ref not in messages:
            diagram.error(definition.getparent(), said("bpmn.unknown_message", ref=ref))


def _keep_sources(diagram: PreparedDiagram) -> None:
    """Each element's translated expressions with the diagram's own text (``sources``), kept in its meta:
    an error at run time then quotes ``${urgent}``, not ``juel_bool(urgent)``."""
    for elements in diagram.elements.values():
        for element_id, meta in elements.items():
            if element_id in diagram.sources:
                meta["sources"] = diagram.sources[element_id]


def _set_initiator(diagram: PreparedDiagram, process: Any, elements: dict[str, dict[str, Any]]) -> None:
    """The variable a case's start sets to the starting user (``camunda:initiator``), kept with the process."""
    named = {meta["initiator"] for meta in elements.values() if meta.get("initiator")}
    if len(named) > 1:
        diagram.error(process, said("process.initiators", names=", ".join(sorted(named))))
    elif named:
        elements[PROCESS_KEY]["initiator"] = named.pop()


def _set_start_form(diagram: PreparedDiagram, process: Any, elements: dict[str, dict[str, Any]]) -> None:
    """The form a case starts with (its plain start event's ``camunda:formKey``), kept with the process.
    With ``govflow.bundleForms`` it is merged with the member forms (engine.form_merge), which a page the
    client application renders cannot be."""
    named = sorted({meta["form_key"] for meta in elements.values()
                    if meta.get("type") == "startEvent" and meta.get("form_key")})
    if len(named) > 1:
        diagram.error(process, said("process.start_forms", forms=", ".join(named)))
        return
    if not named:
        return
    process_meta = elements[PROCESS_KEY]
    if process_meta["properties"].get(forms.BUNDLE_PROPERTY) and forms.parse_key(named[0]).external:
        diagram.error(process, said("process.start_form_client", form=named[0]))
        return
    process_meta["start_form"] = named[0]


def lanes_of(process: Any) -> dict[str, str]:
    """Each flow node's lane by name (its id when unnamed). What lies inside a subprocess belongs to the
    subprocess's lane unless a lane of its own says otherwise."""
    lanes = {ref.text.strip(): lane.get("name") or lane.get("id")
             for lane in process.iter(bpmn("lane")) for ref in lane.findall(bpmn("flowNodeRef")) if ref.text}
    for sub in process.iter(bpmn("subProcess"), bpmn("transaction"), bpmn("adHocSubProcess")):
        for inner in sub.iterdescendants():
            if sub.get("id") in lanes and inner.get("id") and inner.get("id") not in lanes:
                lanes[inner.get("id")] = lanes[sub.get("id")]
    return lanes


def _translate_process(diagram: PreparedDiagram, process: Any) -> dict[str, dict[str, Any]]:
    lanes = lanes_of(process)
    elements: dict[str, dict[str, Any]] = {}
    _check_flows(diagram, process)
    for node in list(process.iter()):
        tag = local(node.tag)
        if node.get("id") is None or not isinstance(node.tag, str) or node.tag.split("}")[0][1:] != BPMN_NS:
            continue
        if tag in ("sequenceFlow",):
            camunda_xml.translate_condition(diagram, node)
            continue
        if tag in ("exclusiveGateway", "inclusiveGateway"):
            _check_gateway_flows(diagram, node)
        if tag in ("serviceTask", "sendTask") and camunda_xml.is_java(node):
            camunda_xml.to_external_task(diagram, node)
            tag = "externalTask"
        elif tag == "serviceTask" and node.get(camunda("expression")):
            camunda_xml.expression_to_script(diagram, node)
            tag = "scriptTask"
        elif tag == "serviceTask":  # a SpiffWorkflow service operator, or no implementation at all
            operator = node.find(f"./{bpmn('extensionElements')}/{{{SPIFF_NS}}}serviceTaskOperator")
            topic = operator.get("id") if operator is not None else None
            diagram.warn(node, said("camunda.service_operator", topic=topic) if topic
                         else said("camunda.service_no_implementation"))
            node.tag = bpmn("userTask")
            tag = "externalTask"
        if tag == "scriptTask":
            camunda_xml.check_script_task(diagram, node)
        for script in node.xpath("./bpmn:extensionElements/spiffworkflow:preScript|"
                                 "./bpmn:extensionElements/spiffworkflow:postScript", namespaces=NS):
            for message in scripting.check_script(script.text or ""):
                diagram.error(node, said("script.pre_post", script=local(script.tag), reason=message))
        camunda_xml.check_listeners(diagram, node)
        camunda_xml.check_call_mappings(diagram, node)
        if tag == "callActivity":
            camunda_xml.check_called_binding(diagram, node)
        generated = camunda_forms.translate(diagram, process, node) if tag in HUMAN_TAGS or tag == "startEvent" \
            else None
        camunda_xml.translate_io_mappings(diagram, node)
        camunda_xml.translate_loop(diagram, node)
        if tag == "businessRuleTask":
            camunda_xml.translate_decision_ref(diagram, node)
        if tag == "callActivity" and not node.get("calledElement"):
            diagram.error(node, said("call.no_called"))
        meta: dict[str, Any] = {"type": tag, "name": node.get("name")}
        if tag in HUMAN_TAGS or tag == "externalTask":
            meta.update(_human_task_meta(diagram, node, lanes.get(node.get("id"))))
        elif properties := element_properties(node):  # govflow.event and the like, on any element
            meta["properties"] = properties
        if tag == "callActivity" and node.get("calledElement"):
            meta["called"] = node.get("calledElement")
        if tag == "startEvent" and (initiator := camunda_xml.check_initiator(diagram, process, node)):
            meta["initiator"] = initiator
        if tag == "startEvent" and (form_key := camunda_xml.check_start_form(diagram, process, node)):
            meta["form_key"] = form_key
        if tag == "externalTask":
            meta.update(_external_task_meta(diagram, node))
        if generated is not None:  # the form generated from camunda:formData, deployed with the diagram
            meta["form_key"] = camunda_forms.form_name(process.get("id"), node.get("id"))
            meta[camunda_forms.META] = generated
        elements[node.get("id")] = meta
    return elements


MAX_TOPIC = 255


def _external_task_meta(diagram: PreparedDiagram, node: Any) -> dict[str, Any]:
    """What workers poll for and what an error thrown over the API sets.

    The topic (Camunda's fetch-and-lock is by topic): ``camunda:topic``, evaluated when the task opens if it
    holds ``${...}``; for a Java hook, the class name or expression as written, so the worker standing in
    for that code takes exactly those tasks; a SpiffWorkflow service operator's id; else the element's id.
    ``error_variables``: the ``camunda:errorCodeVariable`` and ``errorMessageVariable`` of each error
    boundary event on the task, keyed by the event's id."""
    meta: dict[str, Any] = {}
    operator = node.find(f"./{bpmn('extensionElements')}/{{{SPIFF_NS}}}serviceTaskOperator")
    hook = next((node.get(camunda(attr)).strip() for attr in ("class", "delegateExpression", "expression")
                 if (node.get(camunda(attr)) or "").strip()), None)
    topic = (node.get(camunda("topic")) or "").strip()
    if topic and expressions.is_juel(topic):
        python = camunda_xml.juel(diagram, node, topic, literal=True)
        if python is not None:
            meta["topic_expression"] = python
            camunda_xml.check_expression(diagram, node, python, META_ATTRIBUTES["topic_expression"], source=topic)
    elif len(topic) > MAX_TOPIC:
        diagram.error(node, said("camunda.topic_too_long", topic=topic[:40], longest=MAX_TOPIC))
    else:
        # A hook too long to be a topic (a long expression) leaves the element's id to name its tasks.
        fallbacks = (hook, operator.get("id") if operator is not None else None, node.get("id"))
        meta["topic"] = topic or next((t for t in fallbacks if t and len(t) <= MAX_TOPIC), node.get("id")[:MAX_TOPIC])
    errors = {}
    for boundary in node.getparent().findall(bpmn("boundaryEvent")):
        definition = boundary.find(bpmn("errorEventDefinition"))
        if boundary.get("attachedToRef") != node.get("id") or definition is None:
            continue
        names = {key: definition.get(camunda(attr)) for key, attr in
                 (("code", "errorCodeVariable"), ("message", "errorMessageVariable")) if definition.get(camunda(attr))}
        for name in names.values():
            if not name.isidentifier():
                diagram.error(boundary, said("camunda.error_variable", name=name))
        if names:
            errors[boundary.get("id")] = names
    if errors:
        meta["error_variables"] = errors
    return meta


def _check_flows(diagram: PreparedDiagram, process: Any) -> None:
    """Dangling sequence flows, named in our words before the parser reports them in its own."""
    scopes = [process, *process.iter(bpmn("subProcess"), bpmn("transaction"), bpmn("adHocSubProcess"))]
    for scope in scopes:
        ids = {child.get("id") for child in scope if isinstance(child.tag, str)}
        for flow in scope.findall(bpmn("sequenceFlow")):
            for end in ("sourceRef", "targetRef"):
                ref = flow.get(end)
                if not ref:
                    diagram.error(flow, said("flow.no_end", end=end))
                elif ref not in ids:
                    diagram.error(flow, said("flow.unknown_end", end=end, ref=ref, scope_tag=local(scope.tag),
                                             scope=scope.get("id")))


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
            diagram.error(flow, said("flow.no_condition", flow=label, kind=kind,
                                     gateway=gateway.get("name") or gateway.get("id")))


def _human_task_meta(diagram: PreparedDiagram, node: Any, lane: str | None) -> dict[str, Any]:
    """Assignment, due dates, form and properties: stored as Python expressions evaluated per task."""
    meta: dict[str, Any] = {"lane": lane}
    for key, attr in _ASSIGNMENT.items():
        text = node.get(camunda(attr))
        if text is not None and text.strip():
            # Camunda attributes are literal text unless they hold ${...}.
            python = camunda_xml.juel(diagram, node, text.strip(), literal=True)
            if python is not None:
                meta[key] = python
                camunda_xml.check_expression(diagram, node, python, META_ATTRIBUTES[key], source=text.strip())
                camunda_xml.check_literal(diagram, node, attr, text.strip())
    form_key = node.get(camunda("formKey")) or node.get(camunda("formRef"))
    name = node.get("name")
    if name and expressions.is_juel(name):  # a task named ${taskName}: the name is evaluated when it opens
        python = camunda_xml.juel(diagram, node, name.strip(), literal=True)
        if python is not None:
            meta["name_expression"] = python
            camunda_xml.check_expression(diagram, node, python, META_ATTRIBUTES["name_expression"],
                                         source=name.strip())
    if form_key and expressions.is_juel(form_key):  # e.g. ${formName}: evaluated when the task opens
        python = camunda_xml.juel(diagram, node, form_key.strip())
        if python is not None:
            meta["form_key_expression"] = python
            camunda_xml.check_expression(diagram, node, python, META_ATTRIBUTES["form_key_expression"],
                                         source=form_key.strip())
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
        camunda_xml.check_expression(diagram, node, expression, "spiffworkflow:taskMetadataValue", source=expression)
    if metadata:
        meta["metadata"] = metadata
    documentation = node.find(bpmn("documentation"))
    if documentation is not None and documentation.text:
        meta["documentation"] = documentation.text.strip()
    if "candidate_groups" not in meta and "candidate_users" not in meta and "assignee" not in meta and lane:
        meta["candidate_groups"] = repr(lane)
    return meta
