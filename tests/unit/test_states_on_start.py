"""``govflow.caseStateOnStart``: a case state reached when an element starts (its task opens, it begins to
wait), beside ``govflow.caseState``, reached when it completes, which keeps its meaning. The timeline stamps it
(engine.timeline), the acceptance step reads it as an outcome (engine.acceptance) and lint checks where it
stands and what it names (engine.lint)."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from engine import acceptance, diagrams, lint
from engine.models import HistoryEvent
from engine.timeline import TimelineBuilder, build_timeline

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ON_START, ON_COMPLETION = "govflow.caseStateOnStart", "govflow.caseState"


def event(minutes: int, kind: str, element: str | None = None, name: str | None = None,
          typ: str | None = None) -> HistoryEvent:
    return HistoryEvent(at=START + timedelta(minutes=minutes), actor=None, event=kind, element_id=element,
                        element_name=name, element_type=typ, data={})


def states(entries) -> list[tuple[str, str | None, int]]:  # type: ignore[no-untyped-def]
    return [(e.event, e.case_state, int((e.at - START).total_seconds() // 60)) for e in entries if e.case_state]


REVIEWED = [
    event(0, "instance.started"),
    event(1, "task.created", "review", "审查", "UserTask"),
    event(1, "element.ready", "review", "审查", "UserTask"),
    event(30, "task.completed", "review", "审查", "UserTask"),
    event(30, "element.completed", "review", "审查", "UserTask"),
    event(30, "element.waiting", "supplement", "等待补正", "IntermediateCatchEvent"),
    event(90, "element.completed", "supplement", "等待补正", "IntermediateCatchEvent"),
    event(90, "task.created", "review", "审查", "UserTask"),
]


def test_a_state_on_start_is_reached_when_the_task_opens_and_each_time_it_opens_again() -> None:
    properties = {"review": {ON_START: "部门开始办理"}, "supplement": {ON_START: "补正(开始)"}}
    assert states(build_timeline(REVIEWED, properties)) == [
        ("instance.started", "已接件", 0), ("task.created", "部门开始办理", 1),
        ("element.waiting", "补正(开始)", 30), ("task.created", "部门开始办理", 90)]


def test_a_state_on_completion_keeps_its_meaning() -> None:
    properties = {"review": {ON_COMPLETION: "部门开始办理"}}
    assert states(build_timeline(REVIEWED, properties)) == [("instance.started", "已接件", 0),
                                                            ("task.completed", "部门开始办理", 30)]


def test_an_element_may_name_a_state_for_its_start_and_another_for_its_completion() -> None:
    properties = {"review": {ON_START: "部门开始办理", ON_COMPLETION: "审查完毕"}}
    assert states(build_timeline(REVIEWED[:5], properties)) == [
        ("instance.started", "已接件", 0), ("task.created", "部门开始办理", 1), ("task.completed", "审查完毕", 30)]


def test_a_diagram_naming_states_on_start_only_is_not_read_by_its_element_names() -> None:
    ended = [*REVIEWED[:5], event(31, "element.completed", "end", "办结（准予）", "EndEvent")]
    assert states(build_timeline(ended, {}))[-1] == ("element.completed", "办结(通过)", 31)
    assert states(build_timeline(ended, {"review": {ON_START: "部门开始办理"}})) == [
        ("instance.started", "已接件", 0), ("task.created", "部门开始办理", 1)]


def test_a_boundary_event_or_a_joining_gateway_waiting_is_no_start() -> None:
    """A boundary event waits from its activity's start, a joining gateway for its other branches: neither is
    where their own step begins (lint warns of the property there)."""
    history = [event(0, "instance.started"), event(1, "element.waiting", "deadline", "期限", "BoundaryEvent"),
               event(2, "element.waiting", "join", "汇合", "ParallelGateway")]
    properties = {"deadline": {ON_START: "特别程序(开始)"}, "join": {ON_START: "部门开始办理"}}
    assert states(build_timeline(history, properties)) == [("instance.started", "已接件", 0)]


def test_built_an_event_at_a_time_the_case_stands_at_its_start_state_while_the_task_is_open() -> None:
    builder = TimelineBuilder({"review": {ON_START: "部门开始办理"}})
    for item in REVIEWED[:3]:
        builder.add(item)
    assert states(builder.entries)[-1] == ("task.created", "部门开始办理", 1)


# ---- the acceptance step and lint ---------------------------------------------------------------------

def diagram(placed: str, value: str) -> bytes:
    """A small item: 受理审查 decides; a supplement request leads to the task 补正材料; ``placed`` carries
    govflow.caseStateOnStart = ``value``."""
    def marked(element: str) -> str:
        if element != placed:
            return ""
        return ('<bpmn:extensionElements><camunda:properties><camunda:property name="govflow.caseStateOnStart" '
                f'value="{value}"/></camunda:properties></bpmn:extensionElements>')
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="check"/>
    <bpmn:userTask id="check" name="受理审查" camunda:candidateGroups="window" camunda:formKey="check.form"
        camunda:dueDate="P1D">{marked("check")}</bpmn:userTask>
    <bpmn:sequenceFlow id="f1" sourceRef="check" targetRef="gw"/>
    <bpmn:exclusiveGateway id="gw" default="f_supplement">{marked("gw")}</bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="f_accept" sourceRef="gw" targetRef="accepted">
      <bpmn:conditionExpression>decision == 'accept'</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_reject" sourceRef="gw" targetRef="rejected">
      <bpmn:conditionExpression>decision == 'no'</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_supplement" sourceRef="gw" targetRef="supplement"/>
    <bpmn:userTask id="supplement" name="材料" camunda:candidateGroups="window" camunda:formKey="check.form"
        camunda:dueDate="P1D">{marked("supplement")}</bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="supplement" targetRef="wait"/>
    <bpmn:intermediateCatchEvent id="wait">{marked("wait")}
      <bpmn:timerEventDefinition><bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="check"/>
    <bpmn:endEvent id="accepted" name="受理"/>
    <bpmn:endEvent id="rejected" name="不予受理"/>
  </bpmn:process>
</bpmn:definitions>""".encode()


def outcomes(content: bytes) -> dict[str, str | None]:
    [step] = acceptance.steps_in(diagrams.prepare("p.bpmn", content), "p").values()
    return {r.flow: r.outcome for r in step.routes}


def test_a_flow_leading_to_a_step_that_starts_a_supplement_requests_one() -> None:
    """The flow carries no condition, name or state of its own: the state its next step starts in says it."""
    assert outcomes(diagram("", ""))["f_supplement"] is None
    assert outcomes(diagram("supplement", "补正(开始)"))["f_supplement"] == "supplement"


# A guide naming the process makes it a service item: lint's findings there are errors unless a warning.
GUIDE = json.dumps({
    "code": "SCJG-1", "name": "简易审批", "type": "01", "case_type": "2", "level": "city", "process": "p",
    "department": {"code": "SCJG", "name": "市场监督管理局"}, "legal_basis": ["《行政许可法》"], "promised_days": 5,
    "statutory_days": 20, "acceptance_conditions": [], "materials": [], "fees": [], "delivery_methods": ["window"],
    "channels": {"consultation": "12345", "complaint": "12345"}}, ensure_ascii=False).encode()


def findings(content: bytes) -> list[tuple[str | None, str | None, str]]:
    files = [("p.bpmn", content), ("SCJG-1/guide.json", GUIDE)]
    return [(p.element, p.code, p.severity) for p in lint.lint_files(files)
            if p.code and p.code.startswith("lint.state_on_start")]


def test_lint_takes_a_state_on_start_where_the_history_records_the_start() -> None:
    assert findings(diagram("supplement", "部门开始办理")) == []
    assert findings(diagram("wait", "补正(开始)")) == []  # an intermediate catch event begins to wait


def test_lint_warns_of_a_state_on_start_where_the_start_is_not_recorded() -> None:
    """A gateway starts and completes at once: the state would never be stamped."""
    assert findings(diagram("gw", "部门开始办理")) == [("gw", "lint.state_on_start_misplaced", "warning")]
    [problem] = [p for p in lint.lint_files([("p.bpmn", diagram("gw", "部门开始办理"))]) if p.element == "gw"]
    assert problem.params == {"tag": "exclusiveGateway"} and problem.severity == "warning"


def test_lint_refuses_a_state_that_ends_the_case_on_start() -> None:
    for state in ("办结(通过)", "不予受理", "撤回", "已撤件"):
        assert findings(diagram("supplement", state)) == [("supplement", "lint.state_on_start_ending", "error")], state
