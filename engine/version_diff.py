"""What changed between two deployed versions of one process definition.

Cases stay on the version they started on, so supervisors and clerks need to know how versions differ, not
only analysts. Elements (the process itself, its flow nodes and sequence flows, those inside subprocesses
too) are matched by BPMN id and compared attribute by attribute as the diagram's author wrote them, before
any translation for the engine. Whatever an element holds beyond the attributes named here (input/output
mappings, listeners, form fields ...) is compared as a whole under ``other``, so no change goes unsaid. The
layout (BPMNDI) changes nothing a case does: it is reported only as changed or not.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, fields
from typing import Any, Literal

from lxml import etree
from sqlalchemy import func, select

from .bpmn_xml import BPMN_NS, CAMUNDA_NS, SPIFF_NS, bpmn, camunda, element_properties, local, safe_parse, to_utf8
from .diagrams import lanes_of
from .errors import InvalidRequest, NotFound
from .execution import find_definition
from .models import ProcessDefinition
from .unit_of_work import UnitOfWork

DI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_XSI_TYPE = f"{{{XSI_NS}}}type"  # bpmn:tFormalExpression on every expression, whatever its prefix: not compared
_NS = {"bpmn": BPMN_NS}
_PREFIXES = {BPMN_NS: "bpmn", CAMUNDA_NS: "camunda", SPIFF_NS: "spiffworkflow", XSI_NS: "xsi", DI_NS: "bpmndi",
             "http://www.omg.org/spec/DD/20100524/DC": "dc", "http://www.omg.org/spec/DD/20100524/DI": "di"}

FLOW_NODES = frozenset({
    "task", "userTask", "manualTask", "serviceTask", "scriptTask", "sendTask", "receiveTask", "businessRuleTask",
    "callActivity", "subProcess", "adHocSubProcess", "transaction",
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway"})
COMPARED = FLOW_NODES | {"sequenceFlow"}
PROPERTY_PREFIX = "govflow."  # the extension properties the engine reads (camunda: or spiffworkflow:)

# The attributes compared, in the order they are listed; a govflow property is ``property:<name>``, and what
# an element holds beyond these is ``other``.
ATTRIBUTES = ("type", "name", "lane", "candidate_groups", "candidate_users", "assignee", "due_date", "priority",
              "form_key", "source", "target", "condition", "default_flow", "timer", "event", "attached_to",
              "interrupting", "called_element", "implementation", "decision", "script", "pre_script",
              "post_script", "multi_instance", "documentation")
OTHER = "other"
_CAMUNDA_ATTRIBUTES = {"candidate_groups": "candidateGroups", "candidate_users": "candidateUsers",
                       "assignee": "assignee", "due_date": "dueDate", "priority": "priority"}
_IMPLEMENTATIONS = ("class", "delegateExpression", "expression", "type", "topic")
_TIMERS = ("timeDate", "timeDuration", "timeCycle")
_EVENT_REFS = {"messageRef": "message", "signalRef": "signal", "errorRef": "error", "escalationRef": "escalation"}
# What the named attributes read, left out of ``other``: the element's own attributes ...
_READ = frozenset({"id", "name", "sourceRef", "targetRef", "default", "calledElement", "attachedToRef",
                   "cancelActivity", *(camunda(a) for a in (*_CAMUNDA_ATTRIBUTES.values(), "formKey", "formRef",
                                                            *_IMPLEMENTATIONS, "decisionRef"))})
# ... and its children read whole (incoming and outgoing repeat the flows' ends; lanes are each node's ``lane``).
_READ_CHILDREN = frozenset({"incoming", "outgoing", "laneSet", "documentation", "multiInstanceLoopCharacteristics",
                            "standardLoopCharacteristics"})

Change = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class AttributeChange:
    attribute: str  # one of ATTRIBUTES, ``property:<name>``, or ``other``
    before: str | None  # None: the element has none (or did not exist)
    after: str | None


@dataclass(frozen=True)
class ElementChange:
    id: str
    type: str  # its BPMN tag (``userTask``), in the later version unless removed
    name: str | None
    change: Change
    # Changed: each attribute that differs. Added or removed: every attribute the element has.
    attributes: list[AttributeChange]


@dataclass(frozen=True)
class DiagramDiff:
    added: list[ElementChange]  # in the later diagram's order
    removed: list[ElementChange]  # in the earlier diagram's order
    changed: list[ElementChange]
    layout_changed: bool  # shapes or edges of the process's elements moved, added or removed
    # Every element's name by id, in either version (the later's where both name it): what a flow's
    # ``source`` and ``target`` ids read as.
    names: dict[str, str]

    @property
    def unchanged(self) -> bool:
        """No element differs (the layout may)."""
        return not (self.added or self.removed or self.changed)


@dataclass(frozen=True)
class VersionDiff(DiagramDiff):
    key: str
    name: str | None  # the process's name in the later version
    from_version: int
    to_version: int
    latest_version: int


def compare(uow: UnitOfWork, key: str, *, from_version: int | None = None,
            to_version: int | None = None) -> VersionDiff:
    """What changed from version ``from_version`` of a definition to ``to_version`` (default: the latest; and
    the one before it). Equal versions give no changes; a later ``from_version`` gives the changes back.

    Raises:
        NotFound: no such key or version, or ``to_version`` is the first and ``from_version`` is not given.
    """
    with uow:
        later = find_definition(uow, key, to_version)
        earlier_version = later.version - 1 if from_version is None else from_version
        if earlier_version < 1:
            raise NotFound(f"version {later.version} is the first version of process definition {key!r}: "
                           "there is no earlier version to compare it with")
        earlier = find_definition(uow, key, earlier_version)
        latest = uow.session.scalar(select(func.max(ProcessDefinition.version))
                                    .where(ProcessDefinition.key == key)) or later.version
        diff = compare_diagrams(earlier.resource.content, later.resource.content, key)
        return VersionDiff(**{f.name: getattr(diff, f.name) for f in fields(DiagramDiff)}, key=key,
                           name=later.name, from_version=earlier.version, to_version=later.version,
                           latest_version=latest)


def compare_diagrams(before: bytes, after: bytes, key: str) -> DiagramDiff:
    """Process ``key`` of two BPMN files compared element by element.

    Raises:
        InvalidRequest: a file is not well-formed XML or does not define process ``key``.
    """
    old, new = _read(before, key), _read(after, key)
    added = [_whole(element, "added") for element_id, element in new.elements.items()
             if element_id not in old.elements]
    removed = [_whole(element, "removed") for element_id, element in old.elements.items()
               if element_id not in new.elements]
    changed = []
    for element_id, element in new.elements.items():
        was = old.elements.get(element_id)
        if was is None:
            continue
        names = sorted({*element.values, *was.values}, key=_rank)
        differences = [AttributeChange(name, was.values.get(name), element.values.get(name)) for name in names
                       if was.values.get(name) != element.values.get(name)]
        if differences:
            changed.append(ElementChange(element_id, element.type, element.name or was.name, "changed", differences))
    named = {element_id: element.name for diagram in (old, new) for element_id, element in diagram.elements.items()
             if element.name}
    return DiagramDiff(added=added, removed=removed, changed=changed, layout_changed=old.layout != new.layout,
                       names=named)


@dataclass
class _Element:
    id: str
    type: str
    name: str | None
    values: dict[str, str]


@dataclass
class _Diagram:
    elements: dict[str, _Element]  # by id, in document order, the process first
    layout: list[str]  # each shape and edge of the process's elements, outlined and sorted


def _whole(element: _Element, change: Change) -> ElementChange:
    return ElementChange(element.id, element.type, element.name, change,
                         [AttributeChange(name, None, value) if change == "added" else AttributeChange(name, value, None)
                          for name, value in element.values.items()])


def _rank(attribute: str) -> tuple[int, str]:
    """The order attributes are listed in: ATTRIBUTES', then properties by name, then ``other``."""
    if attribute in ATTRIBUTES:
        return ATTRIBUTES.index(attribute), ""
    return len(ATTRIBUTES) + (attribute == OTHER), attribute


def _read(content: bytes, key: str) -> _Diagram:
    root, problem = safe_parse(key, to_utf8(key, content).content)
    if problem is not None:
        raise InvalidRequest(f"the diagram of {key!r} cannot be read: {problem}")
    process = next((p for p in root.iter(bpmn("process")) if p.get("id") == key), None)
    if process is None:
        raise InvalidRequest(f"the diagram does not define process {key!r}")
    nodes = {key: process}
    for node in process.iterdescendants():
        if isinstance(node.tag, str) and node.tag.startswith(f"{{{BPMN_NS}}}") and local(node.tag) in COMPARED \
                and node.get("id"):
            nodes[node.get("id")] = node
    lanes = lanes_of(process)
    named = _named_definitions(root)
    elements = {}
    for element_id, node in nodes.items():
        values = _values(node, lanes.get(element_id), named, set(nodes))
        elements[element_id] = _Element(element_id, values["type"], values.get("name"), values)
    ids = {node.get("id") for node in process.iter() if isinstance(node.tag, str) and node.get("id")}
    ids.update(p.get("id") for p in root.iter(bpmn("participant")) if p.get("processRef") == key)
    layout = sorted("\n".join(_outline(shape, skip_id=True)) for shape in
                    root.iter(f"{{{DI_NS}}}BPMNShape", f"{{{DI_NS}}}BPMNEdge") if shape.get("bpmnElement") in ids)
    return _Diagram(elements, layout)


def _named_definitions(root: Any) -> dict[str, str]:
    """Messages, signals, errors and escalations by id, as an event names them: by name or code."""
    return {node.get("id"): node.get("name") or node.get("errorCode") or node.get("escalationCode") or node.get("id")
            for node in root.iter(bpmn("message"), bpmn("signal"), bpmn("error"), bpmn("escalation"))
            if node.get("id")}


def _values(node: Any, lane: str | None, named: dict[str, str], compared: set[str]) -> dict[str, str]:
    tag = local(node.tag)
    found: dict[str, str | None] = {
        "type": tag, "name": _clean(node.get("name")), "lane": lane,
        **{key: _clean(node.get(camunda(attr))) for key, attr in _CAMUNDA_ATTRIBUTES.items()},
        "form_key": _clean(node.get(camunda("formKey")) or node.get(camunda("formRef"))),
        "source": node.get("sourceRef"), "target": node.get("targetRef"),
        "condition": _child_text(node, bpmn("conditionExpression")),
        "default_flow": node.get("default"),
        "timer": "\n".join(f"{local(timer.tag)}: {_clean(timer.text) or ''}" for timer in node.xpath(
            "./bpmn:timerEventDefinition/*", namespaces=_NS) if local(timer.tag) in _TIMERS) or None,
        "event": "\n".join(_event(definition, named) for definition in node
                           if local(definition.tag).endswith("EventDefinition")
                           and local(definition.tag) != "timerEventDefinition") or None,
        "attached_to": node.get("attachedToRef"),
        "interrupting": node.get("cancelActivity", "true") if tag == "boundaryEvent" else None,
        "called_element": node.get("calledElement"),
        "implementation": "\n".join(f"{attr}: {node.get(camunda(attr))}" for attr in _IMPLEMENTATIONS
                                    if _clean(node.get(camunda(attr)))) or None,
        "decision": _clean(node.get(camunda("decisionRef"))),
        "script": _child_text(node, bpmn("script")),
        "pre_script": _child_text(node.find(bpmn("extensionElements")), f"{{{SPIFF_NS}}}preScript"),
        "post_script": _child_text(node.find(bpmn("extensionElements")), f"{{{SPIFF_NS}}}postScript"),
        "multi_instance": "\n".join(line for loop in node.xpath(
            "./bpmn:multiInstanceLoopCharacteristics|./bpmn:standardLoopCharacteristics", namespaces=_NS)
            for line in _outline(loop, skip_id=True)) or None,
        "documentation": "\n".join(filter(None, (_clean(d.text) for d in node.findall(bpmn("documentation")))))
                         or None,
    }
    found.update({f"property:{name}": _clean(value) for name, value in element_properties(node).items()
                  if name.startswith(PROPERTY_PREFIX)})
    found[OTHER] = "\n".join(_outline(_rest(node, compared), skip_id=True, root_tag=False)) or None
    return {name: value for name, value in found.items() if value}


def _event(definition: Any, named: dict[str, str]) -> str:
    kind = local(definition.tag).removesuffix("EventDefinition")
    refs = [named.get(definition.get(attr), definition.get(attr)) for attr in _EVENT_REFS if definition.get(attr)]
    condition = _child_text(definition, bpmn("condition"))
    said = ", ".join(filter(None, [*refs, condition]))
    return f"{kind}: {said}" if said else kind


def _rest(node: Any, compared: set[str]) -> Any:
    """A copy of the element without what the named attributes read, nor the elements compared on their own."""
    rest = copy.deepcopy(node)
    for attr in _READ:
        rest.attrib.pop(attr, None)
    for child in list(rest):
        tag = local(child.tag) if isinstance(child.tag, str) and child.tag.startswith(f"{{{BPMN_NS}}}") else None
        if not isinstance(child.tag, str) or tag in _READ_CHILDREN or (tag in COMPARED and child.get("id") in compared):
            rest.remove(child)
        elif tag in ("conditionExpression", "script"):
            _drop_read(child, text=True, attrs=(_XSI_TYPE,))
        elif tag is not None and tag.endswith("EventDefinition"):
            for inner in list(child):
                if local(inner.tag) in (*_TIMERS, "condition"):
                    _drop_read(inner, text=True, attrs=(_XSI_TYPE,))
            _drop_read(child, text=False, attrs=("id", *_EVENT_REFS))
        elif tag == "extensionElements":
            for read in child.xpath("./*[local-name()='properties']/*[starts-with(@name, $prefix)]|"
                                    "./spiffworkflow:preScript|./spiffworkflow:postScript",
                                    prefix=PROPERTY_PREFIX, namespaces={"spiffworkflow": SPIFF_NS}):
                read.getparent().remove(read)
            for properties in child.xpath("./*[local-name()='properties']"):
                _drop_read(properties, text=True, attrs=())
            _drop_read(child, text=True, attrs=())
    return rest


def _drop_read(node: Any, *, text: bool, attrs: tuple[str, ...]) -> None:
    """Remove from ``node`` what was read (its text, these attributes), and the node itself once empty."""
    if text:
        node.text = None
    for attr in attrs:
        node.attrib.pop(attr, None)
    if not len(node) and not node.attrib and not _clean(node.text) and node.getparent() is not None:
        node.getparent().remove(node)


def _outline(node: Any, *, skip_id: bool, root_tag: bool = True, depth: int = 0) -> list[str]:
    """An element as indented lines, ``tag attr="value" = text`` with fixed prefixes and sorted attributes,
    the same whatever prefixes and formatting the file used. ``root_tag``: the element's own line even
    without attributes or text (else its children start at the left)."""
    attrs = " ".join(f'{_qualified(name)}="{value}"' for name, value in sorted(node.attrib.items())
                     if not (skip_id and name == "id") and name != _XSI_TYPE)
    text = _clean(node.text)
    lines = []
    if root_tag or attrs or text:
        line = " ".join(filter(None, [_qualified(node.tag) if root_tag or depth else "", attrs]))
        lines.append("  " * depth + line + (f" = {text}" if text else ""))
    inner = depth + 1 if lines else depth
    for child in node:
        if isinstance(child.tag, str):
            # Ids of what lies inside an element (event definitions, loop characteristics) are a modeler's
            # generated names, not part of what the element does.
            lines += _outline(child, skip_id=child.tag.startswith(f"{{{BPMN_NS}}}"), depth=inner)
    return lines


def _qualified(name: str) -> str:
    qname = etree.QName(name)
    if qname.namespace is None:
        return qname.localname
    prefix = _PREFIXES.get(qname.namespace)
    return f"{prefix}:{qname.localname}" if prefix else name


def _child_text(node: Any, tag: str) -> str | None:
    child = node.find(tag) if node is not None else None
    return _clean(child.text) if child is not None else None


def _clean(text: str | None) -> str | None:
    """Text without surrounding whitespace and with one kind of line end (None when blank)."""
    if text is None:
        return None
    cleaned = text.replace("\r\n", "\n").strip()
    return cleaned or None
