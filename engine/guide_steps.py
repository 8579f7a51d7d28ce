"""The 办理流程 a guide publishes (DOMAIN rule 1: a guide states the item's process): the steps of the item's
current diagram a person works, in the order a case meets them, each with the lane (window, section,
department) that works it, and the groups its candidate groups name (engine.guides names the department set
up here that each belongs to).

A step is a user task, a manual task or a call activity (another item's process, e.g. a bundle's member);
a subprocess's steps are listed where the subprocess stands. The order follows the sequence flows from the
process's start events, breadth first, each step listed once however often a loop returns to it (a
supplement back to acceptance). Paths that leave a boundary event (a deemed acceptance, a reminder) are
not the ordinary course of a case and are left out, as are event subprocesses.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, NamedTuple

from .bpmn_xml import bpmn, local, safe_parse, to_utf8
from .diagrams import lanes_of

STEP_TYPES = frozenset({"userTask", "manualTask", "callActivity"})
CANDIDATE_GROUPS = "{http://camunda.org/schema/1.0/bpmn}candidateGroups"
_SUBPROCESSES = frozenset({"subProcess", "transaction", "adHocSubProcess"})


class Step(NamedTuple):
    name: str  # the element's name, else its id
    lane: str | None  # its lane's name, where the diagram has lanes
    groups: tuple[str, ...] = ()  # the candidate groups it names literally (an expression names none)
    department: str | None = None  # the department owning one of them, where the caller looked it up


def of_diagram(content: bytes, process_key: str) -> tuple[Step, ...]:
    """The steps of process ``process_key`` in a deployed diagram (empty when it cannot be read: deployed
    diagrams always can). Cached: a deployed version never changes."""
    return _steps(content, process_key)


@lru_cache(maxsize=256)
def _steps(content: bytes, process_key: str) -> tuple[Step, ...]:
    root, problem = safe_parse(process_key, to_utf8(process_key, content).content)
    if problem is not None:
        return ()
    process = next((p for p in root.iter(bpmn("process")) if p.get("id") == process_key), None)
    if process is None:
        return ()
    lanes = lanes_of(process)
    return tuple(Step((node.get("name") or node.get("id") or "").strip(), lanes.get(node.get("id")),
                      _groups(node.get(CANDIDATE_GROUPS)))
                 for node in _in_order(process))


def _groups(value: str | None) -> tuple[str, ...]:
    if not value or "${" in value or "#{" in value:
        return ()
    return tuple(g.strip() for g in value.split(",") if g.strip())


def _in_order(scope: Any) -> Iterator[Any]:
    """The step elements of ``scope`` (a process or subprocess), breadth first from its start events."""
    children = {node.get("id"): node for node in scope if isinstance(node.tag, str) and node.get("id")}
    after: dict[str, list[str]] = {}
    for flow in scope.findall(bpmn("sequenceFlow")):
        after.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    starts = [i for i, node in children.items() if local(node.tag) == "startEvent"]
    seen = set(starts)
    queue = deque(starts)
    while queue:
        node = children.get(queue.popleft())
        if node is None:
            continue
        kind = local(node.tag)
        if kind in STEP_TYPES:
            yield node
        elif kind in _SUBPROCESSES:
            yield from _in_order(node)
        for target in after.get(node.get("id"), []):
            if target not in seen:
                seen.add(target)
                queue.append(target)
