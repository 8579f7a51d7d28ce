"""A running case with no step under way still tells its applicant what it waits for: the joint review meeting
(bpmn/ZWFW-LH-0001) waiting for its meeting day names that day, on the progress API and page alike; waits are
one line per name, without the members of a multi-instance, and never an element's internal id."""
from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from engine.clock import LOCAL_TZ, utcnow
from tests.api.test_joint_review_meeting import DEPARTMENTS, accept, convene, set_up_departments
from tests.api.test_pages import Browser
from tests.helpers import ApiClient, complete_open_task
from tests.service_items import deploy_item, fire_timer, supply_materials

MEETING_OPENS = "会议召开（会议日期当天开始表决）"

# Three members each wait on a timer of one name, due on different days, beside a named and an unnamed message.
WAITS_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    id="Defs_waits" targetNamespace="http://govflow.example/bpmn">
  <bpmn:message id="Msg_fee" name="fee_paid" />
  <bpmn:message id="Msg_seal" name="seal_ready" />
  <bpmn:process id="progress_waits" name="等待事项示例" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fork" />
    <bpmn:parallelGateway id="fork" />
    <bpmn:sequenceFlow id="f1" sourceRef="fork" targetRef="fee" />
    <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="seal" />
    <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="members_wait" />
    <bpmn:intermediateCatchEvent id="fee" name="等待缴纳费用">
      <bpmn:messageEventDefinition id="fee_message" messageRef="Msg_fee" />
    </bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="seal">
      <bpmn:messageEventDefinition id="seal_message" messageRef="Msg_seal" />
    </bpmn:intermediateCatchEvent>
    <bpmn:subProcess id="members_wait" name="成员单位">
      <bpmn:multiInstanceLoopCharacteristics camunda:collection="${members}" camunda:elementVariable="member" />
      <bpmn:startEvent id="member_start" />
      <bpmn:sequenceFlow id="m1" sourceRef="member_start" targetRef="member_due" />
      <bpmn:intermediateCatchEvent id="member_due" name="成员单位意见期限届满">
        <bpmn:timerEventDefinition id="member_due_timer">
          <bpmn:timeDate xsi:type="bpmn:tFormalExpression">${member.due}</bpmn:timeDate>
        </bpmn:timerEventDefinition>
      </bpmn:intermediateCatchEvent>
      <bpmn:sequenceFlow id="m2" sourceRef="member_due" targetRef="member_end" />
      <bpmn:endEvent id="member_end" />
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f4" sourceRef="fee" targetRef="join" />
    <bpmn:sequenceFlow id="f5" sourceRef="seal" targetRef="join" />
    <bpmn:sequenceFlow id="f6" sourceRef="members_wait" targetRef="join" />
    <bpmn:parallelGateway id="join" />
    <bpmn:sequenceFlow id="f7" sourceRef="join" targetRef="decide" />
    <bpmn:userTask id="decide" name="作出决定" camunda:candidateGroups="office" />
    <bpmn:sequenceFlow id="f8" sourceRef="decide" targetRef="done" />
    <bpmn:endEvent id="done" />
  </bpmn:process>
</bpmn:definitions>
"""


def progress(api: ApiClient, case_no: str, code: str) -> dict[str, Any]:
    response = api.client.get(f"/api/public/progress/{case_no}", query_string={"code": code})
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def page_of(api: ApiClient, case_no: str, code: str, language: str = "zh-CN") -> str:
    """The progress page after a lookup, as a browser in ``language`` shows it."""
    visitor = Browser(api.client.application.test_client())  # its own session, as the applicant's browser
    sent = visitor.post("/public/progress", {"case_no": case_no, "code": code}, token_from="/public/progress")
    assert sent.status_code == 303, sent.text
    page: str = visitor.get("/public/progress", headers={"Accept-Language": language}).text
    return page


def waiting_lines(page: str) -> list[str]:
    """The page's waiting lines, as text."""
    found = re.search(r'<dd class="waiting">(.*?)</dd>', page, re.DOTALL)
    if found is None:
        return []
    parts = found.group(1).split('<span class="waiting-step">')[1:]
    return [re.sub(r"<[^>]+>", "", part).strip().rstrip("、") for part in parts]


def convened_for_next_week(api: ApiClient) -> tuple[dict[str, Any], date]:
    """A joint review case accepted and its meeting convened for a week from today: the case, the meeting day."""
    deploy_item(api, "ZWFW-LH-0001")
    set_up_departments(api)
    case = api.start("joint_review_meeting", business_key="LH-2026-0901",
                     variables={"project_name": "市民中心二期", "applicant_name": "市城投公司"})
    supply_materials(api, case["id"], "ZWFW-LH-0001")
    # The acceptance task is under way (its 5-day boundary timer is no wait of the applicant's).
    body = progress(api, "LH-2026-0901", case["query_code"])
    assert body["current_steps"] == ["受理审查"] and body["waiting"] == []
    accept(api, case)
    day = utcnow().astimezone(LOCAL_TZ).date() + timedelta(days=7)
    assert convene(api, case, meeting_date=day.isoformat()) == []  # no ballot before the meeting day
    return case, day


def test_a_meeting_convened_for_a_later_day_names_the_wait_and_its_date_until_the_ballots_open(api: ApiClient):
    case, day = convened_for_next_week(api)
    body = progress(api, "LH-2026-0901", case["query_code"])
    assert body["status"] == "办理中" and body["current_steps"] == []
    assert body["waiting"] == [{"name": MEETING_OPENS, "due_on": day.isoformat()}]

    fire_timer(api, case["id"], "meeting_opens")
    body = progress(api, "LH-2026-0901", case["query_code"])
    # Four ballots, each with its own timer of one name: the step under way is named once, no wait beside it.
    assert body["current_steps"] == ["成员单位表决"] and body["waiting"] == []
    assert not any(name in str(body) for name, _ in DEPARTMENTS.values())


def test_the_progress_page_shows_the_wait_in_chinese_and_english(api: ApiClient):
    case, day = convened_for_next_week(api)
    page = page_of(api, "LH-2026-0901", case["query_code"])
    assert waiting_lines(page) == [f"{MEETING_OPENS} · 预计 {day.isoformat()}"]
    assert "current-steps" not in page
    english = page_of(api, "LH-2026-0901", case["query_code"], "en")
    assert waiting_lines(english) == [f"{MEETING_OPENS} · expected {day.isoformat()}"]
    assert ">Waiting for</dt>" in english


def test_a_case_waiting_for_the_applicant_s_supplement_says_so_once(api: ApiClient):
    """补正(开始): ``awaiting`` says what the case waits for and by when, so ``waiting`` does not repeat it."""
    deploy_item(api, "ZWFW-LH-0001")
    set_up_departments(api)
    case = api.start("joint_review_meeting", business_key="LH-2026-0902",
                     variables={"project_name": "市民中心二期", "applicant_name": "市城投公司"})
    complete_open_task(api, case, "acceptance", user="zwfw_clerk",
                       acceptance={"decision": "supplement"}, missing_materials="项目可行性研究报告")
    body = progress(api, "LH-2026-0902", case["query_code"])
    assert body["case_state"] == "补正(开始)" and body["current_steps"] == []
    assert body["awaiting"]["what"] == "待申请人补正材料" and body["waiting"] == []


def test_waits_are_one_line_per_name_with_the_earliest_date_and_no_member_or_internal_name(api: ApiClient,
                                                                                          tmp_path: Path):
    diagram = tmp_path / "progress_waits.bpmn"
    diagram.write_text(WAITS_BPMN, encoding="utf-8")
    api.deploy(diagram)
    members = [{"name": "市发展和改革委员会", "due": "2099-03-05T09:00:00"},
               {"name": "市生态环境局", "due": "2099-03-02T09:00:00"},
               {"name": "市自然资源和规划局", "due": "2099-03-09T09:00:00"}]
    case = api.start("progress_waits", business_key="DD-2026-0001", variables={"members": members})
    body = progress(api, "DD-2026-0001", case["query_code"])
    assert body["current_steps"] == []
    assert body["waiting"] == [{"name": "等待缴纳费用", "due_on": None},
                               {"name": "等待后续环节", "due_on": None},  # the unnamed message's catch event
                               {"name": "成员单位意见期限届满", "due_on": "2099-03-02"}]
    text = str(body)
    assert not any(m["name"] in text for m in members)
    assert "seal" not in text and "fee_paid" not in text  # neither the element's id nor a message's name
    english = page_of(api, "DD-2026-0001", case["query_code"], "en")
    assert waiting_lines(english) == ["等待缴纳费用", "Waiting for the next step", "成员单位意见期限届满 · expected 2099-03-02"]


def test_the_openapi_document_describes_the_waits(api: ApiClient):
    schemas = api.client.get("/api/openapi.json").get_json()["components"]["schemas"]
    waiting = schemas["Progress"]["properties"]["waiting"]
    assert waiting["type"] == "array" and "current_steps" in waiting["description"]
    assert set(schemas["Waiting"]["properties"]) == {"name", "due_on"}
    assert "local date" in schemas["Waiting"]["properties"]["due_on"]["description"]
