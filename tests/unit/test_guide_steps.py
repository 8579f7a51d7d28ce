"""The 办理流程 a guide publishes, read from the item's diagram: the steps a person works, in the order a case
meets them, with their lanes; loops, boundary paths and event subprocesses leave no extra step."""
from __future__ import annotations

from engine import guide_steps
from engine.guide_steps import Step
from tests.helpers import ROOT

HEAD = ('<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">'
        '<process id="item" isExecutable="true">')
DIAGRAM = (HEAD + """
  <laneSet><lane id="l1" name="综合受理窗口"><flowNodeRef>accept</flowNodeRef><flowNodeRef>deliver</flowNodeRef></lane>
    <lane id="l2" name="业务科室"><flowNodeRef>review_sub</flowNodeRef><flowNodeRef>decide</flowNodeRef></lane></laneSet>
  <startEvent id="start"/>
  <sequenceFlow id="f1" sourceRef="start" targetRef="accept"/>
  <userTask id="accept" name="受理"/>
  <boundaryEvent id="late" attachedToRef="accept"><timerEventDefinition/></boundaryEvent>
  <sequenceFlow id="f2" sourceRef="late" targetRef="remind"/>
  <userTask id="remind" name="催办"/>
  <sequenceFlow id="f3" sourceRef="accept" targetRef="split"/>
  <parallelGateway id="split"/>
  <sequenceFlow id="f4" sourceRef="split" targetRef="review_sub"/>
  <sequenceFlow id="f5" sourceRef="split" targetRef="other_item"/>
  <subProcess id="review_sub" name="审查">
    <startEvent id="s2"/><sequenceFlow id="g1" sourceRef="s2" targetRef="check"/>
    <userTask id="check" name="材料审查"/><sequenceFlow id="g2" sourceRef="check" targetRef="e2"/><endEvent id="e2"/>
  </subProcess>
  <callActivity id="other_item" name="关联事项" calledElement="other"/>
  <sequenceFlow id="f6" sourceRef="review_sub" targetRef="join"/>
  <sequenceFlow id="f7" sourceRef="other_item" targetRef="join"/>
  <parallelGateway id="join"/>
  <sequenceFlow id="f8" sourceRef="join" targetRef="decide"/>
  <manualTask id="decide" name="决定"/>
  <sequenceFlow id="f9" sourceRef="decide" targetRef="gw"/>
  <exclusiveGateway id="gw"/>
  <sequenceFlow id="f10" sourceRef="gw" targetRef="accept"/>
  <sequenceFlow id="f11" sourceRef="gw" targetRef="deliver"/>
  <userTask id="deliver"/>
  <sequenceFlow id="f12" sourceRef="deliver" targetRef="end"/>
  <endEvent id="end"/>
  <subProcess id="on_withdraw" triggeredByEvent="true">
    <startEvent id="s3"><messageEventDefinition/></startEvent>
    <sequenceFlow id="h1" sourceRef="s3" targetRef="archive"/><userTask id="archive" name="撤件归档"/>
  </subProcess>
</process></definitions>""").encode()


def test_the_steps_follow_the_flows_with_their_lanes_once_each():
    assert guide_steps.of_diagram(DIAGRAM, "item") == (
        Step("受理", "综合受理窗口"), Step("材料审查", "业务科室"), Step("关联事项", None), Step("决定", "业务科室"),
        Step("deliver", "综合受理窗口"))


def test_another_process_or_an_unreadable_diagram_has_no_steps():
    assert guide_steps.of_diagram(DIAGRAM, "other") == ()
    assert guide_steps.of_diagram(b"<definitions", "item") == ()


def test_the_food_licence_lists_its_five_steps():
    content = (ROOT / "bpmn" / "SCJG-XK-0001" / "food_business_licence.bpmn").read_bytes()
    assert [s.name for s in guide_steps.of_diagram(content, "food_business_licence")] == [
        "受理审查", "审查（业务科室）", "审批决定", "制证", "统一出件（结果送达）"]
