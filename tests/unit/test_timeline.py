"""The case timeline (engine.timeline): history read as case states, from diagram properties or,
without them, from what element names make plain."""
from __future__ import annotations

from datetime import UTC, datetime

from engine.models import HistoryEvent
from engine.timeline import TimelineBuilder, build_timeline, element_properties

AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def event(kind: str, element: str | None = None, name: str | None = None, typ: str | None = None,
          **data: object) -> HistoryEvent:
    return HistoryEvent(at=AT, actor="wang", event=kind, element_id=element, element_name=name, element_type=typ,
                        data=data)


def states(entries) -> list[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    return [(e.event, e.case_state) for e in entries if e.case_state]


ACCEPTED_THEN_DONE = [
    event("instance.started"),
    event("element.completed", "start", "收件", "StartEvent"),
    event("task.created", "accept", "受理审查", "UserTask"),
    event("task.completed", "accept", "受理审查", "UserTask"),
    event("element.completed", "accept", "受理审查", "UserTask"),
    event("element.completed", "gw", "受理结果", "ExclusiveGateway"),
    event("task.created", "review", "审查", "UserTask"),
    event("task.completed", "review", "审查", "UserTask"),
    event("element.completed", "review", "审查", "UserTask"),
    event("element.completed", "end_ok", "办结（准予）", "EndEvent"),
]


def test_without_properties_names_give_received_accepted_and_done():
    entries = build_timeline(ACCEPTED_THEN_DONE, {})
    assert states(entries) == [("instance.started", "已接件"), ("task.completed", "已受理"),
                               ("element.completed", "办结(通过)")]
    assert [e.event for e in entries] == ["instance.started", "task.created", "task.completed", "task.created",
                                          "task.completed", "element.completed"]  # steps people care about


def test_an_acceptance_step_that_ends_the_case_unaccepted_is_not_called_accepted():
    history = [event("instance.started"), event("task.completed", "accept", "受理审查", "UserTask"),
               event("element.completed", "gw", "受理结果", "ExclusiveGateway"),
               event("element.completed", "end_no", "不予受理", "EndEvent")]
    assert states(build_timeline(history, {})) == [("instance.started", "已接件"), ("element.completed", "不予受理")]


def test_end_event_names_map_to_the_domain_terms():
    for name, state in [("办结（不予许可）", "办结(不通过)"), ("容缺办结", "办结(容缺通过)"), ("不受理", "不受理"),
                        ("结束", None)]:
        entries = build_timeline([event("element.completed", "end", name, "EndEvent")], {})
        assert [e.case_state for e in entries] == ([state] if state else [None]), name


def test_diagram_properties_name_the_states_and_turn_the_guessing_off():
    properties = {"review": {"govflow.caseState": "部门开始办理"}, "accept": {"govflow.event": "accepted"}}
    entries = build_timeline(ACCEPTED_THEN_DONE, properties)
    assert states(entries) == [("instance.started", "已接件"), ("task.completed", "已受理"),
                               ("task.completed", "部门开始办理")]  # the end event's name is not read


def test_a_termination_is_a_withdrawal_only_when_the_applicant_withdrew():
    """已撤件 when the recorded reason says the applicant withdrew; any other termination is the office's: 已终止."""
    for reason, state in (("申请人撤回申请", "已撤件"), ("应申请人要求撤件", "已撤件"), ("Withdrawn by the applicant", "已撤件"),
                          ("材料涉嫌伪造，移交稽查", "已终止"), ("重复立案", "已终止"), (None, "已终止")):
        terminated = event("instance.terminated", **({"reason": reason} if reason else {}))
        entries = build_timeline([event("instance.started"), terminated], {})
        assert states(entries)[-1] == ("instance.terminated", state), reason


def test_properties_are_read_from_camunda_extension_elements():
    xml = b"""<?xml version="1.0"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn">
  <bpmn:process id="p"><bpmn:endEvent id="end"><bpmn:extensionElements><camunda:properties>
    <camunda:property name="govflow.caseState" value=" \xe5\x8a\x9e\xe7\xbb\x93(\xe9\x80\x9a\xe8\xbf\x87) " />
    <camunda:property name="other" value="ignored" />
  </camunda:properties></bpmn:extensionElements></bpmn:endEvent></bpmn:process>
</bpmn:definitions>"""
    assert element_properties(xml) == {"end": {"govflow.caseState": "办结(通过)"}}
    assert element_properties(b"<not xml") == {}


def test_a_timeline_built_an_event_at_a_time_is_at_each_step_the_timeline_of_the_events_so_far():
    """Where a case stood after each step of a command (engine.case_state.as_of) is read from one builder fed
    step by step: after each step it must say what the history up to that step says, no more (an acceptance
    is known to be one only once work follows it)."""
    for properties in ({}, {"review": {"govflow.caseState": "部门开始办理"}, "accept": {"govflow.event": "accepted"}}):
        builder = TimelineBuilder(properties)
        for count, item in enumerate(ACCEPTED_THEN_DONE, start=1):
            builder.add(item)
            assert states(builder.entries) == states(build_timeline(ACCEPTED_THEN_DONE[:count], properties))
    accepting = TimelineBuilder({})
    for item in ACCEPTED_THEN_DONE[:4]:
        accepting.add(item)
    assert states(accepting.entries) == [("instance.started", "已接件")]  # the 受理 step's outcome is not known yet
    accepting.add(ACCEPTED_THEN_DONE[6])  # work follows it: it was an acceptance
    assert states(accepting.entries)[-1] == ("task.completed", "已受理")
