"""Camunda 7 diagrams made runnable at deploy time: JUEL to Python, Java hooks to external tasks,
input/output mappings, loops, decision references, message payloads and timers, a process's candidate
starters; plus the checks on element implementations (script languages, expressions) and on which version
a call activity calls. Everything is done on the copy of the tree handed to the parser; what cannot be
translated becomes a problem naming file, line and element.
"""
from __future__ import annotations

import keyword
import re
from typing import Any

from lxml import etree

from . import expressions, scripting
from .bpmn_xml import (
    NS,
    PROCESS_KEY,
    SPIFF_NS,
    PreparedDiagram,
    Problem,
    bpmn,
    camunda,
    local,
)
from .clock import utcnow
from .problem_codes import said
from .timeparse import parse_due
from .users import GROUP_RULE, NAME_PATTERN, NAME_RULE, bad_group_names

PYTHON_FORMATS = {"", "python", "python3", "py"}
# Camunda hooks that name Java code: the element runs as an external task for an integrator to complete.
JAVA_ATTRS = ("class", "delegateExpression", "topic")


def is_java(node: Any) -> bool:
    if any(node.get(camunda(attr)) for attr in JAVA_ATTRS) or node.get(camunda("type")) == "external":
        return True
    expr = node.get(camunda("expression"))
    if expr:
        try:
            expressions.translate_juel(expr)
        except expressions.ExpressionError:
            return True  # a method call on a Java bean: not ours to run
    return False


def to_external_task(diagram: PreparedDiagram, node: Any) -> None:
    hook = next((f"camunda:{a}={node.get(camunda(a))}" for a in JAVA_ATTRS + ("expression",) if node.get(camunda(a))),
                "camunda:type=external")
    # A topic (or camunda:type=external) is Camunda's own external-task pattern; the rest name Java code.
    if node.get(camunda("topic")) or node.get(camunda("type")) == "external":
        diagram.warn(node, said("camunda.external", hook=hook))
    else:
        diagram.warn(node, said("camunda.java", hook=hook))
    node.tag = bpmn("userTask")


def expression_to_script(diagram: PreparedDiagram, node: Any) -> None:
    python = juel(diagram, node, node.get(camunda("expression")))
    if python is None:
        return
    result = node.get(camunda("resultVariable"))
    node.tag = bpmn("scriptTask")
    script = etree.SubElement(node, bpmn("script"))
    script.text = f"{result} = {python}" if result else python


def check_script_task(diagram: PreparedDiagram, node: Any) -> None:
    fmt = (node.get("scriptFormat") or "").strip().lower()
    if fmt not in PYTHON_FORMATS:
        diagram.error(node, said("script.language", language=node.get("scriptFormat")))
        return
    script = node.find(bpmn("script"))
    if script is None or not (script.text or "").strip():
        diagram.error(node, said("script.empty"))
        return
    for message in scripting.check_script(script.text):
        diagram.error(node, said("script.invalid", reason=message))


def check_listeners(diagram: PreparedDiagram, node: Any) -> None:
    for listener in node.xpath("./bpmn:extensionElements/camunda:taskListener|"
                               "./bpmn:extensionElements/camunda:executionListener", namespaces=NS):
        script = listener.find(camunda("script"))
        kind = {"listener": local(listener.tag), "event": listener.get("event") or "no event"}
        if script is not None:
            diagram.error(node, said("camunda.listener_script", **kind,
                                     language=script.get("scriptFormat") or "an unknown language"), at=listener)
        else:
            diagram.warn(node, said("camunda.listener_java", **kind), at=listener)


# A called process runs inside the calling case, under the case's business key: passing that key on is
# what already happens.
_CASE_BUSINESS_KEY = {"${execution.processBusinessKey}", "#{execution.processBusinessKey}"}


def check_call_mappings(diagram: PreparedDiagram, node: Any) -> None:
    """``camunda:in`` / ``camunda:out``. SpiffWorkflow hands a called process all of the caller's variables
    and hands all of its own back, which is what ``variables="all"`` says; passing the case's business key
    is what already happens. Variables one at a time, local copies, or mappings on anything but a call
    activity cannot be had: one error per element, at its first such mapping."""
    mappings = node.xpath("./bpmn:extensionElements/camunda:in|./bpmn:extensionElements/camunda:out",
                          namespaces=NS)
    if mappings and local(node.tag) != "callActivity":
        diagram.error(node, said("camunda.call_mapping", mapping=local(mappings[0].tag), tag=local(node.tag)),
                      at=mappings[0])
        return
    refused = [m for m in mappings if not _runs_as_called(diagram, node, m)]
    if refused:
        listed = "; ".join(f"camunda:{local(m.tag)} {_mapped(m)}" for m in refused)
        diagram.error(node, said("camunda.call_variables", listed=listed), at=refused[0])


def _runs_as_called(diagram: PreparedDiagram, node: Any, mapping: Any) -> bool:
    if mapping.get("variables") == "all" and (mapping.get("local") or "false") == "false":
        return True
    key = mapping.get("businessKey")
    if key is None or len(mapping.attrib) != 1:
        return False
    if key.strip() not in _CASE_BUSINESS_KEY:
        diagram.error(node, said("camunda.call_business_key", key=key), at=mapping)
    return True


def _mapped(mapping: Any) -> str:
    source = mapping.get("source") or mapping.get("sourceExpression") or mapping.get("variables") or "?"
    target = mapping.get("target")
    local_copy = " (local)" if (mapping.get("local") or "false") != "false" else ""
    return (source if target in (None, source) else f"{source} as {target}") + local_copy


# Camunda 7's calledElementBinding values, and the attribute each one reads besides.
BINDINGS = {"latest": None, "deployment": None, "version": "calledElementVersion",
            "versionTag": "calledElementVersionTag"}


def check_called_binding(diagram: PreparedDiagram, node: Any) -> None:
    """``camunda:calledElementBinding``: which version of the called process a call runs. govflow runs the
    latest version deployed when the call happens, and the case keeps it (engine.execution): Camunda's
    default, ``latest``. A call bound to the version deployed with its caller, to a version number or to a
    version tag would run another version than the diagram says: refused, saying which. A version or tag
    given without its binding is ignored, in Camunda as here: a warning."""
    binding = (node.get(camunda("calledElementBinding")) or "latest").strip()
    called = node.get("calledElement")
    if binding not in BINDINGS:
        diagram.error(node, said("camunda.binding_unknown", binding=binding, bindings=", ".join(BINDINGS)))
        return
    for attr in filter(None, BINDINGS.values()):
        value = node.get(camunda(attr))
        if value is not None and attr != BINDINGS[binding]:
            diagram.warn(node, said("camunda.binding_ignored", attr=attr, value=value, binding=binding))
    if binding == "latest":
        return
    if binding == "deployment":
        wanted = "the version deployed together with this diagram"
    elif binding == "version":
        wanted = f"version {node.get(camunda('calledElementVersion'))!r}"
    else:  # nothing keeps a deployed process's camunda:versionTag
        wanted = f"the version tagged {node.get(camunda('calledElementVersionTag'))!r}"
    diagram.error(node, said("camunda.binding_version", binding=binding, called=called, wanted=wanted))


def check_initiator(diagram: PreparedDiagram, process: Any, node: Any) -> str | None:
    """``camunda:initiator`` of a process's start event: the variable a case's start sets to the user who
    starts it (engine.execution.new_case), as Camunda sets it to the authenticated user."""
    name = node.get(camunda("initiator"))
    if name is None:
        return None
    if node.getparent() is not process:
        diagram.warn(node, said("camunda.initiator_ignored", name=name))
        return None
    if not name.isidentifier() or name.startswith("_") or keyword.iskeyword(name):
        diagram.error(node, said("camunda.initiator_name", name=name))
        return None
    return name


def check_start_form(diagram: PreparedDiagram, process: Any, node: Any) -> str | None:
    """``camunda:formKey`` (or ``formRef``) of a start event: the process's start form when the event is the
    process's own plain start event, as in Camunda, where the form is shown and submitted before a case
    exists. A start form names its form: no variables exist yet to compute it from."""
    key = (node.get(camunda("formKey")) or node.get(camunda("formRef")) or "").strip()
    if not key:
        return None
    if where := not_the_start_form(process, node):
        diagram.warn(node, said("camunda.start_form_ignored", key=key, start=where))
        return None
    if expressions.is_juel(key):
        diagram.error(node, said("camunda.start_form_expression", key=key))
        return None
    return key


# Camunda's candidate starters (Camunda Modeler: "Candidate starter"), by the kind of name each lists.
STARTER_ATTRS = (("candidateStarterGroups", "groups"), ("candidateStarterUsers", "users"))
# An item of camunda:potentialStarter: group(name) or user(name); a bare name is a group's.
_POTENTIAL_STARTER = re.compile(r"(group|user)\((.*)\)")


def keep_candidate_starters(diagram: PreparedDiagram, process: Any, elements: dict[str, Any]) -> None:
    """An executable process's candidate starters (``starters_named``), kept with its own metadata
    (``starters``, read by engine.starters)."""
    if starters := starters_named(diagram, process):
        elements[PROCESS_KEY]["starters"] = starters


def starters_named(diagram: PreparedDiagram, process: Any) -> dict[str, list[str]] | None:
    """``camunda:candidateStarterGroups`` / ``candidateStarterUsers`` of a process, and the
    ``camunda:potentialStarter`` they stand for (``group(window), user(alice)``): the groups and users whose
    members alone, besides admins, start its cases by naming it (engine.starters). Camunda evaluates them once,
    at deploy, without variables: an expression has nothing to read here and is refused, as is a name no group
    or user can have. None: the process names nobody, and whoever starts cases starts its."""
    named: dict[str, list[str]] = {"groups": [], "users": []}
    for attr, kind in STARTER_ATTRS:
        text = process.get(camunda(attr))
        if text is not None:
            _add_starters(diagram, process, f"camunda:{attr}", text, named, kind=kind)
    for starter in process.xpath("./bpmn:extensionElements/camunda:potentialStarter", namespaces=NS):
        texts = starter.xpath("./*[local-name()='resourceAssignmentExpression']/*[local-name()='formalExpression']")
        if not texts or not (texts[0].text or "").strip():
            diagram.error(process, said("camunda.starter_nobody"), at=starter)
            continue
        _add_starters(diagram, process, "camunda:potentialStarter", texts[0].text, named, at=starter)
    return named if named["groups"] or named["users"] else None


def _add_starters(diagram: PreparedDiagram, process: Any, what: str, text: str, named: dict[str, list[str]], *,
                  kind: str | None = None, at: Any = None) -> None:
    """The names of comma-separated ``text`` into ``named`` by ``kind``; None: each item says its kind, as
    potentialStarter's ``group(...)`` and ``user(...)`` do (a bare name is a group)."""
    if expressions.is_juel(text):
        diagram.error(process, said("camunda.starter_expression", what=what, expression=text.strip(),
                                    starters=kind or "groups and users"), at=at)
        return
    for item in filter(None, (i.strip() for i in text.split(","))):
        found = _POTENTIAL_STARTER.fullmatch(item) if kind is None else None
        item_kind, name = (f"{found[1]}s", found[2].strip()) if found else (kind or "groups", item)
        if item_kind == "groups" and bad_group_names([name]):
            diagram.error(process, said("camunda.starter_group", what=what, name=name, naming=GROUP_RULE), at=at)
        elif item_kind == "users" and not re.fullmatch(NAME_PATTERN, name):
            diagram.error(process, said("camunda.starter_user", what=what, name=name, naming=NAME_RULE), at=at)
        elif name not in named[item_kind]:
            named[item_kind].append(name)


def not_the_start_form(process: Any, node: Any) -> str | None:
    """What a start event is when a form on it is not the process's start form (a message or timer start
    event, one inside a subprocess), said for a warning; None for the process's own plain start event."""
    definitions = [c for c in node if local(c.tag).endswith("EventDefinition")]
    if definitions:
        return f"a {local(definitions[0].tag)[:-len('EventDefinition')]} start event"
    return "a start event inside a subprocess" if node.getparent() is not process else None


def translate_io_mappings(diagram: PreparedDiagram, node: Any) -> None:
    """camunda:inputOutput: each input parameter becomes an assignment in the element's pre-script, each
    output parameter one in its post-script. Parameters given as scripts, lists or maps are refused."""
    scripts: dict[str, list[str]] = {"preScript": [], "postScript": []}
    for param in node.xpath("./bpmn:extensionElements/camunda:inputOutput/*", namespaces=NS):
        kind, name = local(param.tag), param.get("name") or ""
        where = "preScript" if kind == "inputParameter" else "postScript"
        content = [c for c in param if isinstance(c.tag, str)]
        if content:
            if local(content[0].tag) == "script":
                diagram.error(node, said("camunda.io_script", kind=kind, name=name,
                                         language=str(content[0].get("scriptFormat"))))
            else:
                diagram.error(node, said("camunda.io_value", kind=kind, name=name, value=local(content[0].tag)))
            continue
        text = (param.text or "").strip()
        if not name.isidentifier() or name.startswith("_"):
            if text:
                diagram.error(node, said("camunda.io_name", kind=kind, name=name))
            else:
                diagram.warn(node, said("camunda.io_empty", kind=kind, name=name))
            continue
        python = juel(diagram, node, text, literal=True) if text else "None"
        if python is not None:
            check_expression(diagram, node, python, f"camunda:{kind} {name!r}", source=text)
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


def translate_condition(diagram: PreparedDiagram, node: Any) -> None:
    condition = node.find(bpmn("conditionExpression"))
    if condition is None:
        return
    if (condition.get("language") or "").lower() not in ("", "python", "juel", "${}"):
        diagram.error(node, said("condition.language", language=condition.get("language")))
        return
    text = (condition.text or "").strip()
    if not text:
        diagram.error(node, said("condition.empty"))
        return
    python = juel(diagram, node, text, condition=True)
    if python is not None:
        condition.text = python
        check_expression(diagram, node, python, "condition", source=text)


def translate_loop(diagram: PreparedDiagram, node: Any) -> None:
    loop = node.find(bpmn("multiInstanceLoopCharacteristics"))
    if loop is None:
        return
    for child_tag in ("loopCardinality", "completionCondition"):
        child = loop.find(bpmn(child_tag))
        if child is not None and (child.text or "").strip():
            text = child.text.strip()
            python = juel(diagram, node, text)
            if python is not None:
                child.text = python
                check_expression(diagram, node, python, child_tag, source=text)
    collection = loop.get(camunda("collection"))
    if collection:
        python = juel(diagram, node, collection)
        if python is None:
            return
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", python):
            diagram.error(node, said("loop.collection", collection=collection))
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


def translate_decision_ref(diagram: PreparedDiagram, node: Any) -> None:
    ref = node.get(camunda("decisionRef"))
    if node.xpath(".//spiffworkflow:calledDecisionId", namespaces=NS):
        return
    if not ref:
        diagram.error(node, said("camunda.no_decision"))
        return
    ext = node.find(bpmn("extensionElements"))
    if ext is None:
        ext = etree.Element(bpmn("extensionElements"))
        node.insert(0, ext)
    called = etree.SubElement(ext, f"{{{SPIFF_NS}}}calledDecisionId")
    called.text = ref


def translate_messages_and_timers(diagram: PreparedDiagram, root: Any) -> None:
    for message in root.iter(bpmn("message")):
        if not (message.get("name") or "").strip() and message.get("id"):
            # Messages are correlated by name; a case waiting on a nameless one could never be reached.
            message.set("name", message.get("id"))
            diagram.warn(message, said("camunda.message_no_name", message=message.get("id")))
    for message in root.iter(bpmn("messageEventDefinition")):
        translate_message_payload(diagram, message)
    for timer in root.iter(bpmn("timerEventDefinition")):
        owner = timer.getparent()
        children = [c for c in timer if local(c.tag) in ("timeDate", "timeDuration", "timeCycle")]
        if not children:
            diagram.error(owner, said("timer_def.none"))
            continue
        for child in children:
            kind, text = local(child.tag), (child.text or "").strip()
            try:
                python = expressions.timer_to_python(text, kind)
            except expressions.ExpressionError as exc:
                diagram.error(owner, said("timer_def.invalid", kind=kind, reason=str(exc)), at=child)
                continue
            child.text = python
            check_expression(diagram, owner, python, f"timer {kind}", source=text)
            if days := _calendar_days(kind, text):
                diagram.calendar_days.append(Problem.of(diagram.name, child.sourceline, owner.get("id"), said(
                    "duration.calendar_days", what=f"timer {kind}", value=text, days=days), "warning"))


# A bare ISO 8601 duration in days or weeks (P5D, P2W, R3/P1D), where a diagram most likely means a time limit.
_CALENDAR_DAYS = re.compile(r"(?:R\d*/)?P(?:(\d+)W|(\d+)D)(?:T[\d.HMS]*)?", re.IGNORECASE)


def _calendar_days(kind: str, text: str) -> int | None:
    """The days a timer's bare duration counts as calendar days (a week as 5 working days), else None."""
    found = _CALENDAR_DAYS.fullmatch(text) if kind in ("timeDuration", "timeCycle") else None
    if found is None:
        return None
    return int(found.group(1)) * 5 if found.group(1) else int(found.group(2))


def translate_message_payload(diagram: PreparedDiagram, definition: Any) -> None:
    """``camunda:expression`` on a message throw is its payload, as SpiffWorkflow's Camunda parser reads it;
    ``camunda:resultVariable`` names the variable the catching side stores it in. In Camunda 7 a Java hook
    (or an expression calling a bean) sends the message instead: that cannot run here."""
    owner = definition.getparent()
    expression = definition.get(camunda("expression"))
    if not is_java(definition):
        if not expression or definition.xpath(".//spiffworkflow:messagePayload", namespaces=NS):
            return
        python = juel(diagram, owner, expression)
        if python is None:
            return
        result = definition.get(camunda("resultVariable"))
        if result and not result.isidentifier():
            diagram.error(owner, said("camunda.result_variable", result=result))
            return
        payload = f"{{{result!r}: ({python})}}" if result else python
        check_expression(diagram, owner, payload, "message payload", source=expression)
        ext = definition.find(bpmn("extensionElements"))
        if ext is None:
            ext = etree.SubElement(definition, bpmn("extensionElements"))
        etree.SubElement(ext, f"{{{SPIFF_NS}}}messagePayload").text = payload
        return
    hook = next((f"camunda:{a}={definition.get(camunda(a))}" for a in (*JAVA_ATTRS, "expression")
                 if definition.get(camunda(a))), "camunda:type=external")
    diagram.error(owner, said("camunda.message_java", hook=hook))


def drop_data_stores(diagram: PreparedDiagram) -> None:
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
        diagram.warn(ref, said("camunda.data_store"))
        ref.getparent().remove(ref)


def check_literal(diagram: PreparedDiagram, node: Any, attr: str, text: str) -> None:
    """A literal priority or date is checked now, not when the first case reaches the task."""
    if expressions.is_juel(text):
        return
    if attr == "priority" and not re.fullmatch(r"[+-]?\d+", text):
        diagram.error(node, said("human_task.priority", value=text))
    elif attr in ("dueDate", "followUpDate"):
        try:
            parse_due(text, utcnow())
        except ValueError as exc:
            diagram.error(node, said("human_task.date", attr=attr, reason=str(exc)))
            return
        if days := _calendar_days("timeDuration", text):
            diagram.calendar_days.append(Problem.of(diagram.name, node.sourceline, node.get("id"), said(
                "duration.calendar_days", what=attr, value=text, days=days), "warning"))


def juel(diagram: PreparedDiagram, node: Any, text: str, *, literal: bool = False, condition: bool = False
         ) -> str | None:
    try:
        if literal:
            return expressions.translate_juel(text)
        return expressions.to_python(text, condition=condition)
    except expressions.ExpressionError as exc:
        # Said with the expression apart from the reason, so that a page can put both in its own sentence.
        prefix = f"cannot translate {text!r}: "
        message = str(exc)
        diagram.error(node, said("expression.untranslatable", source=text, reason=message[len(prefix):])
                      if message.startswith(prefix) else said("expression.refused", reason=message))
        return None


def check_expression(diagram: PreparedDiagram, node: Any, python: str, what: str, *, source: str) -> None:
    """Problems compiling ``python``, each quoting the diagram's own text (``source``), not its translation.
    The pair is kept for the element that evaluates it (a condition's: the flow's source), so that errors
    at run time quote the diagram too."""
    if python != source:
        element = node.get("sourceRef") if local(node.tag) == "sequenceFlow" else node.get("id")
        if element:
            diagram.sources.setdefault(element, {})[python] = source
    for message in scripting.check_expression(python):
        diagram.error(node, said("expression.invalid", what=what, source=source, reason=message))
