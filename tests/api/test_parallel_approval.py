"""Parallel approval (并联审批, bpmn/ZRZY-BL-0001): the lead department accepts, three departments work at
the same time, the dependent item (建设工程规划许可) starts only after its prerequisite (建设项目用地预审)
passed, and the lead department issues one joint result."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from engine import calendar
from engine.clock import utcnow
from tests.helpers import ROOT, by_bpmn_id, case_tasks, complete_open_task, complete_task
from tests.service_items import (
    case_states,
    deploy_item,
    documents,
    fire_timer,
    pending_timer,
    send_message,
    supply_materials,
)

CODE = "ZRZY-BL-0001"
ITEM = ROOT / "bpmn" / CODE
DIAGRAMS = [ITEM / name for name in
            ("construction_parallel_approval.bpmn", "land_pre_review.bpmn", "parallel_planning_permit.bpmn")]
FORMS = [ROOT / "forms" / name for name in
         ("parallel-acceptance.form", "land-pre-review.form", "planning-permit.form", "environment-review.form",
          "fire-design-review.form", "parallel-joint-result.form")]


@pytest.fixture
def accepted(api: Any) -> dict[str, Any]:
    """A case the lead department (自然资源和规划局) has accepted."""
    api.deploy(*DIAGRAMS, ITEM / "guide.json", *FORMS)
    case = api.start("construction_parallel_approval", business_key="BL-2026-0001",
                     variables={"project_name": "滨河路小学新建工程", "applicant_name": "市教育投资有限公司"})
    [acceptance] = case["tasks"]
    assert (acceptance["bpmn_id"], acceptance["candidate_groups"]) == ("lead_acceptance", ["zrzy"])
    supply_materials(api, case["id"], CODE)
    complete_task(api, acceptance, user="zrzy_clerk", acceptance={"decision": "accept", "opinion": "材料齐全"})
    return case


def review(api: Any, case: dict[str, Any], bpmn_id: str, user: str, key: str, result: str) -> dict[str, Any]:
    verdict: dict[str, Any] = {key: {"result": result, "opinion": f"{bpmn_id}: {result}"}}
    return complete_open_task(api, case, bpmn_id, user=user, **verdict)


def reached(api: Any, case: dict[str, Any]) -> set[str]:
    events = api.as_("supervisor").get(f"/api/process-instances/{case['id']}/history").get_json()
    return {e["element_id"] for e in events if e["event"] == "element.completed"}


def test_three_departments_work_at_once_but_the_dependent_item_waits_for_its_prerequisite(api, accepted):
    tasks = by_bpmn_id(case_tasks(api, accepted))
    assert {k: t["candidate_groups"] for k, t in tasks.items()} == {
        "land_review": ["zrzy"], "environment_review": ["sthj"], "fire_design_review": ["zjj"]}
    assert all(t["process_instance_id"] == accepted["id"] for t in tasks.values())
    # The independent departments finish first: the dependent item still has not started.
    review(api, accepted, "environment_review", "sthj_clerk", "environment_review", "approve")
    review(api, accepted, "fire_design_review", "zjj_clerk", "fire_design_review", "approve")
    assert set(by_bpmn_id(case_tasks(api, accepted))) == {"land_review"}
    assert "call_planning_permit" not in reached(api, accepted)

    review(api, accepted, "land_review", "zrzy_clerk", "land_pre_review", "approve")
    assert set(by_bpmn_id(case_tasks(api, accepted))) == {"planning_review"}  # started only now
    review(api, accepted, "planning_review", "zrzy_clerk", "planning_permit", "approve")

    [joint] = by_bpmn_id(case_tasks(api, accepted)).values()
    assert (joint["bpmn_id"], joint["candidate_groups"]) == ("joint_result", ["zrzy"])
    form = api.as_("zrzy_clerk").get(f"/api/tasks/{joint['id']}/form").get_json()
    assert form["data"] == {"project_name": "滨河路小学新建工程",
                            "land_pre_review": {"result": "approve"}, "planning_permit": {"result": "approve"},
                            "environment_review": {"result": "approve"}, "fire_design_review": {"result": "approve"}}
    done = complete_task(api, joint, user="zrzy_clerk",
                         joint_result={"decision": "grant", "opinion": "各部门均同意，准予"})
    assert done["state"] == "completed"
    assert {"grant_issued", "granted_end"} <= reached(api, accepted)
    results = api.as_("supervisor").get(f"/api/process-instances/{accepted['id']}").get_json()["variables"]
    assert [(r["item"], r["result"]) for r in results["department_results"]] == [
        ("建设项目用地预审", "approve"), ("建设工程规划许可", "approve"), ("环境影响评价审批", "approve"),
        ("消防设计审查", "approve")]


def test_a_failed_prerequisite_blocks_the_dependent_item_and_the_joint_result_cannot_grant(api, accepted):
    review(api, accepted, "land_review", "zrzy_clerk", "land_pre_review", "deny")
    # The dependent item never starts; the other departments go on.
    assert set(by_bpmn_id(case_tasks(api, accepted))) == {"environment_review", "fire_design_review"}
    review(api, accepted, "environment_review", "sthj_clerk", "environment_review", "approve")
    review(api, accepted, "fire_design_review", "zjj_clerk", "fire_design_review", "approve")
    assert "call_planning_permit" not in reached(api, accepted)
    assert "planning_not_started" in reached(api, accepted)

    joint = by_bpmn_id(case_tasks(api, accepted))["joint_result"]
    form = api.as_("zrzy_clerk").get(f"/api/tasks/{joint['id']}/form").get_json()
    assert form["data"]["planning_permit"] == {"result": "not_started"}
    refused = complete_task(api, joint, user="zrzy_clerk", expect=422,
                            joint_result={"decision": "grant", "opinion": "准予"})
    assert "不能出具准予" in refused["error"]["details"][0]["message"]
    assert set(by_bpmn_id(case_tasks(api, accepted))) == {"joint_result"}  # nothing changed
    done = complete_task(api, joint, user="zrzy_clerk",
                         joint_result={"decision": "deny", "opinion": "用地预审未通过，不予许可"})
    assert done["state"] == "completed"
    assert {"denial_issued", "denied_end"} <= reached(api, accepted) and "grant_issued" not in reached(api, accepted)


def test_one_department_against_makes_the_joint_result_a_denial(api, accepted):
    review(api, accepted, "land_review", "zrzy_clerk", "land_pre_review", "approve")
    review(api, accepted, "planning_review", "zrzy_clerk", "planning_permit", "approve")
    review(api, accepted, "environment_review", "sthj_clerk", "environment_review", "deny")
    review(api, accepted, "fire_design_review", "zjj_clerk", "fire_design_review", "approve")
    joint = by_bpmn_id(case_tasks(api, accepted))["joint_result"]
    complete_task(api, joint, user="zrzy_clerk", expect=422, joint_result={"decision": "grant", "opinion": "准予"})
    complete_task(api, joint, user="zrzy_clerk", joint_result={"decision": "deny", "opinion": "环评未通过"})
    assert "denied_end" in reached(api, accepted)


def test_the_lead_department_may_refuse_to_accept_with_its_reasons_and_no_department_starts(api):
    deploy_item(api, CODE)
    case = api.start("construction_parallel_approval", variables={"project_name": "违规项目"})
    refused = complete_task(api, case["tasks"][0], user="zrzy_clerk", expect=422,
                            acceptance={"decision": "reject", "opinion": "不属于本级受理范围"})
    assert [(d["field"], d["rule"]) for d in refused["error"]["details"]] == [
        ("variables.reject_reason", "required")]
    done = complete_task(api, case["tasks"][0], user="zrzy_clerk", reject_reason="项目不属于本级审批权限",
                         acceptance={"decision": "reject", "opinion": "不属于本级受理范围"})
    assert done["state"] == "completed" and done["tasks"] == []
    assert "not_accepted_end" in reached(api, case) and "fork" not in reached(api, case)
    assert "<li>项目不属于本级审批权限</li>" in documents(api, case["id"])["rejection_notice"]


def test_a_supplement_lists_everything_at_once_and_lapses_after_the_notice_s_twenty_working_days(api):
    deploy_item(api, CODE)
    case = api.start("construction_parallel_approval", business_key="BL-2026-0002",
                     variables={"project_name": "滨河路小学新建工程", "applicant_name": "市教育投资有限公司"})
    refused = complete_task(api, case["tasks"][0], user="zrzy_clerk", expect=422,
                            acceptance={"decision": "supplement"})
    assert [(d["field"], d["rule"]) for d in refused["error"]["details"]] == [
        ("variables.missing_materials", "required")]
    noticed_at = utcnow()
    complete_task(api, case["tasks"][0], user="zrzy_clerk", acceptance={"decision": "supplement"},
                  missing_materials="建设项目用地预审申请报告：未盖章\n建设项目环境影响报告书（表）：缺少公众参与说明")
    notice = documents(api, case["id"])["supplement_notice"]
    assert "共2项" in notice and "未盖章" in notice and "缺少公众参与说明" in notice and "20个工作日内" in notice
    with api.runtime.uow() as uow:
        expected = calendar.for_runtime(uow).deadline_at(noticed_at, 20).at
    assert pending_timer(api, case["id"], "wait_supplement").due_at == expected
    fire_timer(api, case["id"], "wait_supplement")
    assert case_states(api, case["id"]) == ["已接件", "补正(开始)", "已撤件"]
    assert "withdrawn" in reached(api, case)


def test_the_parallel_diagram_is_refused_without_the_diagrams_of_the_items_it_calls(api):
    refused = api.deploy(DIAGRAMS[0], *FORMS, expect=422)["error"]
    messages = " ".join(d["message"] for d in refused["details"])
    assert "'land_pre_review'" in messages and "'parallel_planning_permit'" in messages


def test_every_department_s_form_shows_the_project(api, accepted):
    forms = {bpmn_id: api.as_(user).get(f"/api/tasks/{task['id']}/form").get_json()
             for bpmn_id, task in by_bpmn_id(case_tasks(api, accepted)).items()
             for user in [{"land_review": "zrzy_clerk", "environment_review": "sthj_clerk",
                           "fire_design_review": "zjj_clerk"}[bpmn_id]]}
    assert {bpmn_id: form["data"] for bpmn_id, form in forms.items()} == {
        bpmn_id: {"project_name": "滨河路小学新建工程"} for bpmn_id in ("land_review", "environment_review",
                                                                    "fire_design_review")}
    # Shown, not asked: a department cannot rename the project.
    renamed = complete_open_task(api, accepted, "environment_review", user="sthj_clerk", expect=422,
                                 project_name="另一个项目", environment_review={"result": "approve", "opinion": "同意"})
    assert [(d["field"], d["rule"]) for d in renamed["error"]["details"]] == [
        ("variables.project_name", "readonly")]
    review(api, accepted, "land_review", "zrzy_clerk", "land_pre_review", "approve")
    planning = by_bpmn_id(case_tasks(api, accepted))["planning_review"]
    assert api.as_("zrzy_clerk").get(f"/api/tasks/{planning['id']}/form").get_json()["data"] == {
        "project_name": "滨河路小学新建工程"}


def test_a_second_supplement_notice_is_written_afresh_not_from_the_first(api):
    """QA: after a supplement the acceptance form came back with the first notice's list, and a second
    一次性告知 was issued with it. Each round of acceptance starts from an empty form."""
    deploy_item(api, CODE)
    case = api.start("construction_parallel_approval", business_key="BL-2026-0003",
                     variables={"project_name": "滨河路小学新建工程", "applicant_name": "市教育投资有限公司"})
    complete_task(api, case["tasks"][0], user="zrzy_clerk", acceptance={"decision": "supplement"},
                  missing_materials="建设项目用地预审申请报告：未盖章\n建设项目环境影响报告书（表）：缺少公众参与说明")
    send_message(api, "materials_supplemented", "BL-2026-0003")
    again = by_bpmn_id(case_tasks(api, case))["lead_acceptance"]
    assert api.as_("zrzy_clerk").get(f"/api/tasks/{again['id']}/form").get_json()["data"] == {
        "project_name": "滨河路小学新建工程"}
    refused = complete_task(api, again, user="zrzy_clerk", expect=422, acceptance={"decision": "supplement"})
    assert [(d["field"], d["rule"]) for d in refused["error"]["details"]] == [
        ("variables.missing_materials", "required")]
    complete_task(api, again, user="zrzy_clerk", acceptance={"decision": "supplement"},
                  missing_materials="建设工程消防设计文件：缺少消防设计说明")
    listed = api.as_("integrator").get(f"/api/process-instances/{case['id']}/documents").get_json()
    assert [d["name"] for d in listed].count("supplement_notice") == 2
    second = documents(api, case["id"])["supplement_notice"]  # the latest issued
    assert "共1项" in second and "缺少消防设计说明" in second and "未盖章" not in second


def test_without_an_answer_in_five_working_days_the_application_counts_as_accepted_and_the_departments_start(api):
    """行政许可法 Art 32: the lead department gave no notice within 5 working days: the application is accepted
    from the day the materials arrived, and the three departments start as after an acceptance."""
    deploy_item(api, CODE)
    case = api.start("construction_parallel_approval", business_key="BL-2026-0004",
                     variables={"project_name": "滨河路小学新建工程", "applicant_name": "市教育投资有限公司"})
    timer = pending_timer(api, case["id"], "notice_deadline")
    with api.runtime.uow() as uow:
        assert timer.due_at == calendar.for_runtime(uow).deadline_at(timer.created_at, 5).at
    fire_timer(api, case["id"], "notice_deadline")
    assert set(by_bpmn_id(case_tasks(api, case))) == {"land_review", "environment_review", "fire_design_review"}
    assert {"deemed_accepted", "acceptance_notice"} <= reached(api, case)
    assert case_states(api, case["id"]) == ["已接件", "已受理", "部门开始办理"]
    assert "自收到申请材料之日起即为受理" in documents(api, case["id"])["acceptance_notice"]
    clock = api.as_("supervisor").get(f"/api/process-instances/{case['id']}/clock").get_json()
    assert clock["state"] == "running"
    assert datetime.fromisoformat(clock["started_at"]) <= timer.created_at + timedelta(seconds=1)  # from receipt
