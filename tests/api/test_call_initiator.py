"""``camunda:initiator`` on a called process's start event: the user whose command starts the call, as
Camunda sets it to the authenticated user; the caller's variables, passed in, win as Camunda's in-mappings."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.helpers import complete_task

DEFINITIONS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_{pid}" targetNamespace="http://govflow.example/bpmn">
{body}</bpmn:definitions>
"""
PARENT = """  <bpmn:process id="parent" isExecutable="true">
    <bpmn:startEvent id="start" {initiator} />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="prepare" />
    <bpmn:userTask id="prepare" camunda:candidateGroups="window" />
    <bpmn:sequenceFlow id="f1" sourceRef="prepare" targetRef="call" />
    <bpmn:callActivity id="call" calledElement="child">
      <bpmn:extensionElements>
        <camunda:in variables="all" /><camunda:out variables="all" />
      </bpmn:extensionElements>
    </bpmn:callActivity>
    <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
"""
CHILD = """  <bpmn:process id="child" isExecutable="true">
    <bpmn:startEvent id="child_start" camunda:initiator="{name}" />
    <bpmn:sequenceFlow id="c0" sourceRef="child_start" targetRef="follow_up" />
    <bpmn:userTask id="follow_up" camunda:assignee="${{{name}}}" />
    <bpmn:sequenceFlow id="c1" sourceRef="follow_up" targetRef="child_end" />
    <bpmn:endEvent id="child_end" />
  </bpmn:process>
"""


def deploy(api: Any, tmp_path: Path, *, parent_initiator: str = "", child_initiator: str = "caller") -> None:
    files = []
    for pid, body in (("child", CHILD.format(name=child_initiator)), ("parent", PARENT.format(initiator=parent_initiator))):
        path = tmp_path / f"{pid}.bpmn"
        path.write_text(DEFINITIONS.format(pid=pid, body=body), encoding="utf-8")
        files.append(path)
    api.deploy(*files)


def test_a_called_process_s_initiator_is_the_user_whose_command_started_the_call(api, tmp_path):
    """The variable was never set in a called process: ${caller} failed with 'name is not defined'."""
    deploy(api, tmp_path)
    case = api.start("parent")  # started by the integrator
    [prepare] = case["tasks"]
    [follow_up] = complete_task(api, prepare, user="window_clerk")["tasks"]  # this command starts the call
    assert (follow_up["bpmn_id"], follow_up["assignee"]) == ("follow_up", "window_clerk")
    variables = api.as_("supervisor").get(f"/api/process-instances/{case['id']}").get_json()["variables"]
    assert variables["caller"] == "window_clerk"


def test_a_variable_of_the_same_name_passed_in_by_the_caller_wins(api, tmp_path):
    """Camunda sets the initiator when the called instance is created, then its in-mappings set the caller's
    variables (all of them, the one mapping that runs here): the case's own initiator reaches the child."""
    deploy(api, tmp_path, parent_initiator='camunda:initiator="caller"')
    [prepare] = api.start("parent")["tasks"]
    [follow_up] = complete_task(api, prepare, user="window_clerk")["tasks"]
    assert follow_up["assignee"] == "integrator"
