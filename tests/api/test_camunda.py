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
