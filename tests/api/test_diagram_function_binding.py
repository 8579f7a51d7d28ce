"""A command that runs another case and then its own again (engine.instances.settle: the message it throws
reaches another case, then a message buffered for its next wait runs it on) counts working days in its own
calendar, not in the calendar of the case it ran last."""
from __future__ import annotations

from typing import Any

from engine import calendar
from engine.users import SYSTEM
from tests.helpers import complete_task, seed_national_calendar

DIAGRAMS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_binding" targetNamespace="http://govflow.example/bpmn">
  <bpmn:message id="m_notify" name="binding_notify" />
  <bpmn:message id="m_go" name="binding_go" />
  <bpmn:process id="binding_local" isExecutable="true">
    <bpmn:extensionElements><camunda:properties>
      <camunda:property name="govflow.calendar" value="LOCAL" />
    </camunda:properties></bpmn:extensionElements>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="prepare" />
    <bpmn:userTask id="prepare" camunda:candidateGroups="window" />
    <bpmn:sequenceFlow id="f1" sourceRef="prepare" targetRef="notify" />
    <bpmn:intermediateThrowEvent id="notify"><bpmn:messageEventDefinition messageRef="m_notify" />
    </bpmn:intermediateThrowEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="notify" targetRef="wait_go" />
    <bpmn:intermediateCatchEvent id="wait_go"><bpmn:messageEventDefinition messageRef="m_go" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="wait_go" targetRef="count" />
    <bpmn:scriptTask id="count" scriptFormat="python"><bpmn:script>due = workdays(1, "2026-03-03")</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f4" sourceRef="count" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
  <bpmn:process id="binding_national" isExecutable="true">
    <bpmn:startEvent id="n_start" />
    <bpmn:sequenceFlow id="n0" sourceRef="n_start" targetRef="wait_notify" />
    <bpmn:intermediateCatchEvent id="wait_notify"><bpmn:messageEventDefinition messageRef="m_notify" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="n1" sourceRef="wait_notify" targetRef="n_end" />
    <bpmn:endEvent id="n_end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_case_run_again_after_another_counts_in_its_own_calendar(api: Any, tmp_path: Any) -> None:
    """Before, the case opened last (on the national calendar) lent its calendar: Wednesday 4 March, a holiday
    of this case's own calendar, was counted as its working day."""
    seed_national_calendar(api.runtime)
    calendar.create_calendar(api.runtime.uow(), "LOCAL", actor=SYSTEM, extends="CN")
    calendar.replace_year(api.runtime.uow(), 2026, calendar="LOCAL", holidays=[{"date": "2026-03-04",
                                                                               "name": "地方节日"}],
                          workdays=[], actor=SYSTEM)
    path = tmp_path / "binding.bpmn"
    path.write_text(DIAGRAMS, encoding="utf-8")
    api.deploy(path)
    national = api.start("binding_national")
    case = api.start("binding_local", business_key="BIND-1")
    sent = api.as_("integrator").post("/api/messages", json={"name": "binding_go", "business_key": "BIND-1",
                                                             "buffer_seconds": 60})
    assert sent.status_code == 202, sent.get_json()

    [prepare] = case["tasks"]
    complete_task(api, prepare, user="window_clerk")  # notifies the national case, then goes on to count

    reader = api.as_("supervisor")
    assert reader.get(f"/api/process-instances/{national['id']}").get_json()["state"] == "completed"
    done = reader.get(f"/api/process-instances/{case['id']}").get_json()
    assert done["state"] == "completed"
    assert done["variables"]["due"].startswith("2026-03-05")  # Thursday: the 4th is a holiday here
