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


RELAY = """  <bpmn:message id="m_notify" name="relay_notify" />
  <bpmn:message id="m_go" name="relay_go" />
  <bpmn:process id="relay" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="prepare" />
    <bpmn:userTask id="prepare" camunda:candidateGroups="window" />
    <bpmn:sequenceFlow id="f1" sourceRef="prepare" targetRef="notify" />
    <bpmn:intermediateThrowEvent id="notify"><bpmn:messageEventDefinition messageRef="m_notify" />
    </bpmn:intermediateThrowEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="notify" targetRef="wait_go" />
    <bpmn:intermediateCatchEvent id="wait_go"><bpmn:messageEventDefinition messageRef="m_go" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="wait_go" targetRef="call" />
    <bpmn:callActivity id="call" calledElement="child" />
    <bpmn:sequenceFlow id="f4" sourceRef="call" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
  <bpmn:process id="listener" isExecutable="true">
    <bpmn:startEvent id="l_start" />
    <bpmn:sequenceFlow id="l0" sourceRef="l_start" targetRef="wait_notify" />
    <bpmn:intermediateCatchEvent id="wait_notify"><bpmn:messageEventDefinition messageRef="m_notify" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="l1" sourceRef="wait_notify" targetRef="l_end" />
    <bpmn:endEvent id="l_end" />
  </bpmn:process>
"""


def test_a_call_reached_after_the_command_ran_another_case_still_takes_its_own_case_s_user(api, tmp_path):
    """Completing ``prepare`` runs the listener's case (the message it throws) and then this case again (a
    message buffered for its next wait) into the call: the call's initiator is still this command's user."""
    files = []
    for pid, body in (("child", CHILD.format(name="caller")), ("relay", RELAY)):
        path = tmp_path / f"{pid}.bpmn"
        path.write_text(DEFINITIONS.format(pid=pid, body=body), encoding="utf-8")
        files.append(path)
    api.deploy(*files)
    listener = api.start("listener")
    case = api.start("relay", business_key="RELAY-1")
    sent = api.as_("integrator").post("/api/messages", json={"name": "relay_go", "business_key": "RELAY-1",
                                                             "buffer_seconds": 60})
    assert sent.status_code == 202, sent.get_json()

    [prepare] = case["tasks"]
    [follow_up] = complete_task(api, prepare, user="window_clerk")["tasks"]
    assert (follow_up["bpmn_id"], follow_up["assignee"]) == ("follow_up", "window_clerk")
    assert api.as_("supervisor").get(f"/api/process-instances/{listener['id']}").get_json()["state"] == "completed"
