"""Steps after a boundary event's branch, as SpiffWorkflow 3.2.0 predicts them and engine._spiff.firm_up firms
them up one step ahead: a multi-instance step on the branch opens its instances (it failed, "Attempt to add
non-predicted child to predicted task"), and a branch that leads back to its task ends the case as before."""
from __future__ import annotations

import io
from typing import Any

from sqlalchemy import select

from engine.models import Job
from tests.helpers import ApiClient, complete_open_task
from tests.service_items import fire_timer

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_{key}" targetNamespace="http://govflow.example/bpmn">
  <bpmn:process id="{key}" name="边界分支" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" name="审查" camunda:candidateGroups="office" />
    <bpmn:boundaryEvent id="late" name="超时" attachedToRef="review">
      <bpmn:timerEventDefinition><bpmn:timeDuration>P2D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f_review" sourceRef="review" targetRef="done" />
    <bpmn:endEvent id="done" />
    <bpmn:sequenceFlow id="f_late" sourceRef="late" targetRef="escalate" />
"""
# The branch goes to an escalation, which hands the case back to review.
LOOP = HEAD.format(key="escalation_loop") + """
    <bpmn:userTask id="escalate" name="督办" camunda:candidateGroups="office" />
    <bpmn:sequenceFlow id="f_back" sourceRef="escalate" targetRef="review" />
  </bpmn:process>
</bpmn:definitions>"""
# The branch goes to a script, then to every member's opinion (a parallel multi-instance).
OPINIONS = HEAD.format(key="late_opinions") + """
    <bpmn:scriptTask id="escalate" name="列出成员" scriptFormat="python"><bpmn:script>members = ["甲", "乙"]</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f_members" sourceRef="escalate" targetRef="opinion" />
    <bpmn:userTask id="opinion" name="成员意见" camunda:candidateGroups="office">
      <bpmn:multiInstanceLoopCharacteristics camunda:collection="members" camunda:elementVariable="member" />
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f_opinions" sourceRef="opinion" targetRef="late_end" />
    <bpmn:endEvent id="late_end" />
  </bpmn:process>
</bpmn:definitions>"""


def deploy(api: ApiClient, name: str, xml: str) -> None:
    analyst = api.as_("analyst")
    response = analyst.client.post("/api/deployments", data={"files": [(io.BytesIO(xml.encode()), name)]},
                                   headers=analyst.headers(), content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()


def case(api: ApiClient, case_id: int) -> dict[str, Any]:
    return api.as_("supervisor").get(f"/api/process-instances/{case_id}").get_json()


def test_a_branch_back_to_its_task_ends_the_case_when_the_task_is_done(api: ApiClient) -> None:
    deploy(api, "loop.bpmn", LOOP)
    case_id = api.start("escalation_loop")["id"]
    fire_timer(api, case_id, "late")
    assert [t["bpmn_id"] for t in case(api, case_id)["tasks"]] == ["escalate"]
    complete_open_task(api, case_id, "escalate", reader="admin")
    assert [t["bpmn_id"] for t in case(api, case_id)["tasks"]] == ["review"]
    complete_open_task(api, case_id, "review", reader="admin")
    assert case(api, case_id)["state"] == "completed"
    with api.runtime.uow() as uow:  # the second round's timer went with its task
        assert not uow.session.scalars(select(Job).where(Job.instance_id == case_id, Job.state == "pending")).all()


def test_a_multi_instance_step_after_a_boundary_event_opens_its_instances(api: ApiClient) -> None:
    deploy(api, "opinions.bpmn", OPINIONS)
    case_id = api.start("late_opinions")["id"]
    fire_timer(api, case_id, "late")
    assert [t["bpmn_id"] for t in case(api, case_id)["tasks"]] == ["opinion", "opinion"]
    for _ in range(2):  # each member's opinion (two tasks of one element: completed by id)
        task = case(api, case_id)["tasks"][0]
        assert api.as_("admin").post(f"/api/tasks/{task['id']}/complete", json={"variables": {}}).status_code == 200
    assert case(api, case_id)["state"] == "completed"
