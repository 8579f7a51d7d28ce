"""The acceptance step as engine.acceptance reads it from a diagram — the reading lint checks SX21 with and
the engine keeps the materials rule by: which user task decides, and what each flow of its gateway means."""
from __future__ import annotations

import json

import pytest

from engine import acceptance, diagrams, lint
from tests.helpers import ROOT

# Every item of the library with a guide: its acceptance step (task, gateway) and the outcomes it decides.
LIBRARY = {
    "SCJG-XK-0001": ("acceptance_check", "outcome", {"accept", "reject", "supplement"}),
    "SCJG-YJS-0001": ("bundle_acceptance", "accepted_gateway", {"accept", "reject", "supplement"}),
    "WJW-XK-0005": ("accept_commitment", "acceptance_outcome", {"accept", "reject", "supplement"}),
    "ZJJ-XK-0012": ("acceptance_check", "outcome", {"accept", "tolerant", "reject", "supplement"}),
    "ZRZY-BL-0001": ("lead_acceptance", "accepted_gateway", {"accept", "reject", "supplement"}),
    "ZRZY-XK-0003": ("acceptance_check", "outcome", {"accept", "reject", "supplement"}),
    "ZWFW-LH-0001": ("acceptance", "acceptance_outcome", {"accept", "reject", "supplement"}),
    "window-acceptance": ("accept", "gw_accept", {"accept", "reject", "supplement"}),
}


def steps(code: str) -> dict[str, acceptance.Step]:
    folder = ROOT / "bpmn" / code
    process = json.loads((folder / "guide.json").read_text(encoding="utf-8"))["process"]
    for path in sorted(folder.glob("*.bpmn")):
        diagram = diagrams.prepare(path.name, path.read_bytes())
        if process in diagram.executable:
            return acceptance.steps_in(diagram, process)
    raise AssertionError(f"no diagram of {code} runs {process}")


@pytest.mark.parametrize("code", sorted(LIBRARY))
def test_each_item_of_the_library_has_its_acceptance_step(code: str) -> None:
    task, gateway, outcomes = LIBRARY[code]
    [step] = steps(code).values()
    assert (step.task, step.gateway, step.outcomes) == (task, gateway, outcomes)


def test_services_behind_feedback_have_none_and_are_never_held_by_materials() -> None:
    assert steps("complaint") == {} and steps("rectification") == {}


DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="check"/>
    <bpmn:userTask id="check" name="受理审查"/>
    <bpmn:sequenceFlow id="f1" sourceRef="check" targetRef="gw"/>
    <bpmn:exclusiveGateway id="gw" default="f_supplement"/>
    <bpmn:sequenceFlow id="f_accept" sourceRef="gw" targetRef="accepted">
      <bpmn:conditionExpression>decision == 'accept'</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_tolerant" sourceRef="gw" targetRef="accepted">
      <bpmn:conditionExpression>decision == 'tolerant_accept'</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_named" name="容缺受理" sourceRef="gw" targetRef="accepted">
      <bpmn:conditionExpression>decision == 'accept_now'</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_reject" name="不予受理" sourceRef="gw" targetRef="rejected">
      <bpmn:conditionExpression>decision == 'no'</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_supplement" name="材料不全" sourceRef="gw" targetRef="rejected"/>
    <bpmn:endEvent id="accepted" name="受理"/>
    <bpmn:endEvent id="rejected"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_an_accepting_flow_is_tolerant_by_its_value_or_its_name() -> None:
    [step] = acceptance.steps_in(diagrams.prepare("p.bpmn", DIAGRAM.encode()), "p").values()
    assert {r.flow: r.outcome for r in step.routes} == {
        "f_accept": "accept", "f_tolerant": "tolerant", "f_named": "tolerant", "f_reject": "reject",
        "f_supplement": "supplement"}


def test_lint_counts_tolerant_acceptance_as_an_acceptance() -> None:
    only_tolerant = DIAGRAM.replace("decision == 'accept'", "decision == '容缺受理'")
    [step] = acceptance.steps_in(diagrams.prepare("p.bpmn", only_tolerant.encode()), "p").values()
    assert "accept" not in step.outcomes and "tolerant" in step.outcomes
    problems = lint.lint_files([("p.bpmn", only_tolerant.encode())])
    assert not [p for p in problems if "SX21" in p.message]


def test_a_flow_taken_by_acceptance_as_well_as_tolerant_acceptance_is_checked_as_acceptance() -> None:
    """Before, a flow that 受理 and 容缺受理 both take (decision in ('accept', 'tolerant')) read as tolerant: a
    plain 受理 through it was checked for key materials only."""
    both = DIAGRAM.replace("decision == 'accept'", "decision in ('accept', 'tolerant')")
    [step] = acceptance.steps_in(diagrams.prepare("p.bpmn", both.encode()), "p").values()
    assert {r.flow: r.outcome for r in step.routes}["f_accept"] == "accept"
