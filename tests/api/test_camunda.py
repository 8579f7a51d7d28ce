"""Camunda Modeler diagrams run unchanged: task attributes, JUEL conditions, bare ISO timers."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from engine.models import Job
from tests.helpers import by_bpmn_id

EXPRESSION_VARIABLES = {
    "reviewGroup": "office", "reviewers": ["carol", "dave"], "owner": "office_clerk",
    "deadline": "2031-03-01T08:00:00+00:00", "followUp": "P3D", "urgency": 20, "formName": "review.form",
}


def test_literal_camunda_attributes_become_task_fields(api):
    api.deploy("camunda_tasks.bpmn")
    task = by_bpmn_id(api.start("camunda_tasks", variables=EXPRESSION_VARIABLES)["tasks"])["literal_task"]
    assert task["candidate_groups"] == ["window", "office"]
    assert task["candidate_users"] == ["alice", "bob"]
    assert task["assignee"] is None and task["priority"] == 80 and task["form_key"] == "literal.form"
    # Zone-less times are local (Asia/Shanghai, UTC+8); a bare date is due at the end of that day.
    assert task["due_at"].startswith("2030-01-15T02:00:00")
    assert task["follow_up_at"].startswith("2030-01-10T15:59:59")
    assert task["properties"] == {"statutoryDays": "5", "category": "许可"}


def test_expression_camunda_attributes_are_evaluated_against_the_case_variables(api):
    api.deploy("camunda_tasks.bpmn")
    before = datetime.now(UTC)
    task = by_bpmn_id(api.start("camunda_tasks", variables=EXPRESSION_VARIABLES)["tasks"])["expression_task"]
    assert task["candidate_groups"] == ["office"]
    assert task["candidate_users"] == ["carol", "dave"]
    assert task["assignee"] == "office_clerk" and task["priority"] == 30
    assert task["form_key"] == "review.form"
    assert task["due_at"].startswith("2031-03-01T08:00:00")
    follow_up = datetime.fromisoformat(task["follow_up_at"])
    assert before + timedelta(days=3) <= follow_up <= datetime.now(UTC) + timedelta(days=3)


def test_a_lane_names_the_candidate_group_only_when_the_task_names_nobody(api):
    api.deploy("camunda_tasks.bpmn")
    tasks = by_bpmn_id(api.start("camunda_tasks", variables=EXPRESSION_VARIABLES)["tasks"])
    assert tasks["lane_task"]["candidate_groups"] == ["window"] and tasks["lane_task"]["lane"] == "window"
    assert tasks["expression_task"]["candidate_groups"] == ["office"]
    queue = api.as_("window_clerk").get("/api/tasks?candidate_group=window").get_json()
    assert {t["bpmn_id"] for t in queue["items"]} == {"literal_task", "lane_task"}


def test_spiffworkflow_properties_and_lanes_work_too(api):
    api.deploy("spiff_properties.bpmn")
    [task] = api.start("spiff_properties")["tasks"]
    assert task["properties"] == {"statutoryDays": "20"} and task["candidate_groups"] == ["office"]


@pytest.mark.parametrize(("variables", "reached"), [
    ({"kind": "x", "count": 5, "flag": True, "items": [1]}, "express"),
    ({"kind": "x", "count": 3, "flag": False, "items": [1]}, "unflagged"),
    ({"kind": "y", "count": 9, "flag": True, "items": []}, "no_items"),
    ({"kind": "y", "count": 9, "flag": True, "items": ["id card"]}, "other"),
])
def test_juel_gateway_conditions_route_the_case(api, variables, reached):
    api.deploy("juel_routing.bpmn")
    [task] = api.start("juel_routing", variables=variables)["tasks"]
    assert task["bpmn_id"] == reached


def test_a_forms_false_takes_the_negated_branch(api):
    """#{!flag} with the string "false" a form sends is true in JUEL; Python's `not "false"` was False and
    the case went to the default flow."""
    api.deploy("juel_routing.bpmn")
    [task] = api.start("juel_routing", variables={"kind": "y", "count": 9, "flag": "false", "items": [1]})["tasks"]
    assert task["bpmn_id"] == "unflagged"


@pytest.mark.parametrize(("urgent", "reached"), [("false", "normal"), ("TRUE", "urgent"), (True, "urgent"),
                                                  (None, "normal"), ("", "normal")])
def test_a_bare_variable_condition_reads_a_forms_false_as_false(api, urgent, reached):
    """${urgent} with a form's "false": Python's truthiness took the flow; EL coerces it to a boolean."""
    api.deploy("juel_bare_condition.bpmn")
    [task] = api.start("juel_bare_condition", variables={"urgent": urgent})["tasks"]
    assert task["bpmn_id"] == reached


def test_a_condition_whose_value_is_no_boolean_fails_the_step_saying_why(api):
    api.deploy("juel_bare_condition.bpmn")
    failed = api.start("juel_bare_condition", expect=422, variables={"urgent": 2})
    assert "2 is not a boolean" in failed["error"]["message"]


def test_a_bare_iso_duration_timer_deploys_and_waits_five_days(api):
    deployed = api.deploy("camunda_timer.bpmn")
    assert deployed["warnings"] == []
    before = datetime.now(UTC)
    case = api.start("camunda_timer")
    with api.runtime.uow() as uow:
        [job] = uow.session.scalars(select(Job).where(Job.instance_id == case["id"])).all()
    assert (job.bpmn_id, job.state) == ("overdue", "pending")
    assert before + timedelta(days=5) - timedelta(seconds=1) <= job.due_at <= \
        datetime.now(UTC) + timedelta(days=5)


@pytest.mark.parametrize(("element", "delay"), [
    ("after_72h", timedelta(hours=72)), ("hourly", timedelta(hours=1)),
])
def test_bare_iso_durations_and_cycles_schedule_their_timers(api, element, delay):
    api.deploy("camunda_timers.bpmn")
    before = datetime.now(UTC)
    case = api.start("camunda_timers")
    with api.runtime.uow() as uow:
        job = uow.session.scalars(select(Job).where(Job.instance_id == case["id"], Job.bpmn_id == element)).one()
    assert before + delay - timedelta(seconds=1) <= job.due_at <= datetime.now(UTC) + delay


def test_a_bare_iso_date_timer_waits_until_that_local_time(api):
    api.deploy("camunda_timers.bpmn")
    case = api.start("camunda_timers")
    with api.runtime.uow() as uow:
        job = uow.session.scalars(select(Job).where(Job.instance_id == case["id"], Job.bpmn_id == "until_date")).one()
    assert job.due_at == datetime(2099, 12, 1, 1, 0, tzinfo=UTC)  # 09:00 in Asia/Shanghai


def test_a_camunda_collection_makes_one_task_per_element_for_that_user(api):
    api.deploy("camunda_multi.bpmn")
    case = api.start("camunda_multi", variables={"reviewers": ["window_clerk", "window_clerk2", "office_clerk"]})
    by_user = {task["candidate_users"][0]: task for task in case["tasks"]}
    assert sorted(by_user) == ["office_clerk", "window_clerk", "window_clerk2"]
    assert {task["bpmn_id"] for task in case["tasks"]} == {"countersign"}
    for user, task in by_user.items():
        assert api.as_(user).get("/api/tasks?mine=true").get_json()["items"][0]["id"] == task["id"]
        done = api.as_(user).post(f"/api/tasks/{task['id']}/complete", json={"variables": {}})
        assert done.status_code == 200, done.get_json()
    assert [t["bpmn_id"] for t in done.get_json()["tasks"]] == ["archive"]


APPROVAL_DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
id="Defs" targetNamespace="http://govflow.example/bpmn">
  <bpmn:process id="checkbox_approval" name="复选框审批" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" name="审核" camunda:candidateGroups="window">
      <bpmn:extensionElements>
        <camunda:formData>
          <camunda:formField id="approved" label="同意" type="boolean" />
        </camunda:formData>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f1" sourceRef="review" targetRef="decide" />
    <bpmn:exclusiveGateway id="decide" default="to_refused" />
    <bpmn:sequenceFlow id="to_granted" sourceRef="decide" targetRef="granted">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${approved == "true"}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_refused" sourceRef="decide" targetRef="refused" />
    <bpmn:userTask id="granted" name="准予" camunda:candidateGroups="window" />
    <bpmn:userTask id="refused" name="不予" camunda:candidateGroups="window" />
    <bpmn:sequenceFlow id="f2" sourceRef="granted" targetRef="end" />
    <bpmn:sequenceFlow id="f3" sourceRef="refused" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.mark.parametrize(("approved", "reached"), [(True, "granted"), (False, "refused")])
def test_a_checkbox_boolean_compared_with_the_string_true_takes_the_granted_branch(api, tmp_path, approved, reached):
    """JUEL coerces "true" to the checkbox's boolean (Camunda does); Python's == would never match."""
    path = tmp_path / "checkbox_approval.bpmn"
    path.write_text(APPROVAL_DIAGRAM, encoding="utf-8")
    api.deploy(path)
    [task] = api.start("checkbox_approval")["tasks"]
    done = api.as_("window_clerk").post(f"/api/tasks/{task['id']}/complete", json={"variables": {"approved": approved}})
    assert done.status_code == 200, done.get_json()
    assert [t["bpmn_id"] for t in done.get_json()["tasks"]] == [reached]


def test_a_value_juel_cannot_coerce_fails_the_step_instead_of_taking_another_branch(api, tmp_path):
    """Camunda raises an ELException for "abc" == 1; so does the step here (422, nothing changed), where
    Python's == quietly answered False and the case went down the default flow."""
    from tests.helpers import case_tasks
    path = tmp_path / "checkbox_approval.bpmn"
    # A text field, so that "abc" passes the task's generated form and reaches the condition.
    path.write_text(APPROVAL_DIAGRAM.replace('${approved == "true"}', "${approved == 1}")
                    .replace('type="boolean"', 'type="string"'), encoding="utf-8")
    api.deploy(path)
    case = api.start("checkbox_approval")
    [task] = case["tasks"]
    done = api.as_("window_clerk").post(f"/api/tasks/{task['id']}/complete", json={"variables": {"approved": "abc"}})
    assert done.status_code == 422, done.get_json()
    error = done.get_json()["error"]
    assert error["code"] == "process_error" and error["details"][0]["element"] == "decide"
    assert error["message"].startswith("the process failed at decide: Error evaluating expression")
    assert error["message"].endswith("'abc' is not a whole number")  # why, not only where
    assert [t["bpmn_id"] for t in case_tasks(api, case)] == ["review"]


INITIATOR_DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
id="Defs" targetNamespace="http://govflow.example/bpmn">
  <bpmn:process id="own_request" isExecutable="true">
    <bpmn:startEvent id="start" camunda:initiator="starter" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="route" />
    <bpmn:exclusiveGateway id="route" default="f_other" />
    <bpmn:sequenceFlow id="f_window" sourceRef="route" targetRef="by_window">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${starter == "window_clerk"}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_other" sourceRef="route" targetRef="by_other" />
    <bpmn:userTask id="by_window" camunda:assignee="${starter}" />
    <bpmn:userTask id="by_other" camunda:candidateGroups="office" />
    <bpmn:sequenceFlow id="f1" sourceRef="by_window" targetRef="end" />
    <bpmn:sequenceFlow id="f2" sourceRef="by_other" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.mark.parametrize(("starter", "reached"), [("window_clerk", "by_window"), ("integrator", "by_other")])
def test_camunda_initiator_names_the_user_who_started_the_case(api, tmp_path, starter, reached):
    """The variable was never set: ${starter} failed the gateway with 'name is not defined'."""
    path = tmp_path / "own_request.bpmn"
    path.write_text(INITIATOR_DIAGRAM, encoding="utf-8")
    api.deploy(path)
    response = api.as_(starter).post("/api/process-definitions/own_request/start", json={})
    assert response.status_code == 201, response.get_json()
    [task] = response.get_json()["tasks"]
    assert task["bpmn_id"] == reached
    if reached == "by_window":
        assert task["assignee"] == "window_clerk"


def test_a_start_variable_of_the_initiator_s_name_wins_as_in_camunda(api, tmp_path):
    path = tmp_path / "own_request.bpmn"
    path.write_text(INITIATOR_DIAGRAM, encoding="utf-8")
    api.deploy(path)
    [task] = api.start("own_request", variables={"starter": "window_clerk"})["tasks"]  # started by the integrator
    assert task["bpmn_id"] == "by_window"


def test_an_initiator_that_is_no_variable_name_is_refused(api, tmp_path):
    path = tmp_path / "own_request.bpmn"
    path.write_text(INITIATOR_DIAGRAM.replace('camunda:initiator="starter"', 'camunda:initiator="the starter"'),
                    encoding="utf-8")
    refused = api.deploy(path, expect=422)
    [problem] = refused["error"]["details"]
    assert (problem["element"], problem["message"]) == ("start", "camunda:initiator 'the starter' is not a variable name")
