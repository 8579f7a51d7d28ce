"""建筑工程施工许可证核发 (bpmn/ZJJ-XK-0012), a tolerant-acceptance item (容缺受理, LY22, LY27, XA17):
the window accepts while non-key materials are missing, the section reviews while the applicant
supplies them, and the supplement (or its absence by the deadline) decides how the case goes on."""
from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from engine.clock import LOCAL_TZ
from engine.models import CaseClock, Job
from tests.helpers import ApiClient, complete_open_task, open_steps
from tests.service_items import (
    LIBRARY,
    SCAN,
    case,
    case_states,
    completed_elements,
    deploy_item,
    documents,
    fire_timer,
    form_options,
    guide,
    pending_timer,
    send_message,
    supply_materials,
)

CODE = "ZJJ-XK-0012"
KEY = "construction_work_permit"
NON_KEY = ["施工图设计文件审查合格书", "建设资金已落实承诺书"]
NOTE = "申请人书面承诺3个工作日内补齐"


@pytest.fixture
def api(api: ApiClient) -> ApiClient:
    deploy_item(api, CODE)
    return api


def start(api: ApiClient, business_key: str) -> int:
    started = api.start(KEY, business_key=business_key,
                        variables={"applicant_name": "洛阳某置业有限公司", "project_name": "滨河花园3号楼"})
    assert [t["bpmn_id"] for t in started["tasks"]] == ["acceptance_check"]
    return started["id"]


def accept_tolerantly(api: ApiClient, business_key: str) -> int:
    """A case accepted with two non-key materials missing: the review runs, the deadline waits."""
    case_id = start(api, business_key)
    supply_materials(api, case_id, CODE, leave_out=tuple(NON_KEY))
    after = complete_open_task(api, case_id, "acceptance_check", user="window_clerk", acceptance_decision="tolerant",
                               tolerated_materials=NON_KEY, defect_note=NOTE)
    assert [t["bpmn_id"] for t in after["tasks"]] == ["review"]
    variables = after["variables"]
    assert variables["tolerated_materials"] == NON_KEY
    # The notice's deadline is the timer's: 3 working days after acceptance, end of day.
    timer = pending_timer(api, case_id, "wait_tolerated")
    deadline = timer.due_at.replace(tzinfo=UTC)
    assert datetime.fromisoformat(variables["supplement_deadline"]) == deadline
    # The applicant's notice lists every tolerated material and that deadline.
    notice = documents(api, case_id)["tolerant_acceptance_notice"]
    local = deadline.astimezone(LOCAL_TZ)
    assert all(name in notice for name in NON_KEY) and f"{local.year}年{local.month}月{local.day}日前补齐" in notice
    assert NOTE in notice  # the clerk's note reaches the applicant
    return case_id


def supply_tolerated(api: ApiClient, case_id: int) -> None:
    """The applicant brings what was waived: each scanned and uploaded at the window."""
    for name in NON_KEY:
        uploaded = api.as_("window_clerk").post(f"/api/process-instances/{case_id}/materials",
                                                data={"name": name, "file": (io.BytesIO(SCAN), "scan.pdf")},
                                                content_type="multipart/form-data")
        assert uploaded.status_code == 201, uploaded.get_json()


def review(api: ApiClient, case_id: int) -> None:
    complete_open_task(api, case_id, "review", user="permit_clerk", review_opinion="符合施工许可条件",
                       conditions_met=True)


def test_the_form_lists_the_guides_materials_and_offers_only_its_non_key_ones_as_tolerable():
    materials = guide(CODE)["materials"]
    assert form_options("tolerant-acceptance.form", "missing_materials") == [m["name"] for m in materials]
    assert form_options("tolerant-acceptance.form", "tolerated_materials") == [
        m["name"] for m in materials if not m["key"]]
    diagram = (LIBRARY / CODE / "construction_work_permit.bpmn").read_text(encoding="utf-8")
    [line] = [line for line in diagram.splitlines() if line.startswith("key_materials = ")]
    assert line == f"key_materials = {[m['name'] for m in materials if m['key']]!r}"


def test_supplied_in_time_the_decision_follows_and_the_case_ends_tolerantly_passed(api):
    case_id = accept_tolerantly(api, "ZJ-2026-0001")
    review(api, case_id)
    assert open_steps(api, case_id) == []  # reviewed; the decision waits for the tolerated materials
    supply_tolerated(api, case_id)
    send_message(api, "materials_supplemented", "ZJ-2026-0001", supplemented_materials=NON_KEY)
    assert open_steps(api, case_id) == ["decide"]
    # not hers
    complete_open_task(api, case_id, "decide", user="window_clerk", expect=404, decision="grant", decision_opinion="x")
    complete_open_task(api, case_id, "decide", user="chief_rep", decision="grant", decision_opinion="准予施工许可")
    complete_open_task(api, case_id, "certify", user="certificate_clerk", expect=422, certificate_no="JY123")
    complete_open_task(api, case_id, "certify", user="certificate_clerk", certificate_no="410302202603020001")
    done = complete_open_task(api, case_id, "deliver", user="window_clerk", delivery_method="electronic")

    assert done["state"] == "completed"
    assert case_states(api, case_id) == ["已接件", "已受理", "部门开始办理", "补正(结束)", "办结(容缺通过)"]
    assert "granted_tolerant" in completed_elements(api, case_id)
    assert set(documents(api, case_id)) == {"tolerant_acceptance_notice", "grant_decision"}
    with api.runtime.uow() as uow:
        clock = uow.session.get(CaseClock, case_id)
        assert clock.state == "stopped" and clock.promised_days == 5 and clock.statutory_days == 7


def test_the_supplement_is_not_taken_while_a_waived_material_is_still_missing(api):
    """The decision follows the supplement at once: neither the window nor an integration may say it came
    while the materials have not (govflow.materialsComplete on 申请人补齐容缺材料)."""
    case_id = accept_tolerantly(api, "ZJ-2026-0005")
    review(api, case_id)
    refused = send_message(api, "materials_supplemented", "ZJ-2026-0005", expect=422)
    assert refused["error"]["code"] == "materials_missing"
    assert [d["material"] for d in refused["error"]["details"]] == NON_KEY
    by_window = api.as_("window_clerk").post("/api/messages", json={
        "name": "materials_supplemented", "process_instance_id": case_id})
    assert by_window.status_code == 422 and by_window.get_json()["error"]["code"] == "materials_missing"
    assert open_steps(api, case_id) == [] and case_states(api, case_id)[-1] != "补正(结束)"
    supply_tolerated(api, case_id)
    recorded = api.as_("window_clerk").post("/api/messages", json={
        "name": "materials_supplemented", "process_instance_id": case_id})
    assert recorded.status_code == 200, recorded.get_json()
    assert open_steps(api, case_id) == ["decide"]


def test_a_supplement_buffered_before_the_wait_is_refused_while_the_materials_are_missing(api):
    """An integration's message kept for the wait (buffer_seconds) meets the same rule when the case starts
    waiting: refused, and the case waits on for the materials and the applicant's real supplement."""
    case_id = start(api, "ZJ-2026-0007")
    sent = api.as_("integrator").post("/api/messages", json={
        "name": "materials_supplemented", "business_key": "ZJ-2026-0007", "buffer_seconds": 600})
    assert sent.status_code == 202, sent.get_json()
    supply_materials(api, case_id, CODE, leave_out=tuple(NON_KEY))
    complete_open_task(api, case_id, "acceptance_check", user="window_clerk", acceptance_decision="tolerant",
                       tolerated_materials=NON_KEY, defect_note=NOTE)
    review(api, case_id)
    assert open_steps(api, case_id) == []  # not at the decision: the supplement was not taken
    assert "补正(结束)" not in case_states(api, case_id)
    supply_tolerated(api, case_id)
    send_message(api, "materials_supplemented", "ZJ-2026-0007")
    assert open_steps(api, case_id) == ["decide"]


THROWER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs_thrower"
    targetNamespace="http://govflow.example/bpmn">
  <bpmn:message id="Msg_supplemented" name="materials_supplemented" />
  <bpmn:process id="supplement_thrower" name="补齐通知" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="notify" />
    <bpmn:intermediateThrowEvent id="notify" name="通知已补齐">
      <bpmn:messageEventDefinition id="notify_message" messageRef="Msg_supplemented" />
    </bpmn:intermediateThrowEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="notify" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_supplement_another_case_throws_is_dropped_while_the_materials_are_missing(api, tmp_path):
    """The thrower goes on (its history says the message was dropped, not why: the other case is not its
    reader's); the waiting case keeps waiting and its own history says why."""
    case_id = accept_tolerantly(api, "ZJ-2026-0008")
    review(api, case_id)
    thrower = tmp_path / "supplement_thrower.bpmn"
    thrower.write_text(THROWER, encoding="utf-8")
    api.deploy(thrower)
    thrown = api.start("supplement_thrower")
    assert thrown["state"] == "completed"
    assert open_steps(api, case_id) == [] and "补正(结束)" not in case_states(api, case_id)
    supervisor = api.as_("supervisor")
    [dropped] = [e for e in supervisor.get(f"/api/process-instances/{thrown['id']}/history").get_json()
                 if e["event"] == "message.dropped"]
    assert dropped["data"] == {"message": "materials_supplemented", "reason": "materials missing"}
    [refused] = [e for e in supervisor.get(f"/api/process-instances/{case_id}/history").get_json()
                 if e["event"] == "message.refused"]
    assert refused["data"]["from"] == thrown["id"] and NON_KEY[0] in refused["data"]["error"]
    from tests.api.test_pages_intake import Browser

    page = Browser(api, "supervisor").get(f"/cases/{case_id}").text
    assert "其他办件发来的消息未能接收：materials_supplemented" in page
    thrower_page = Browser(api, "supervisor").get(f"/cases/{thrown['id']}").text
    assert "消息未被接收（接收的办件尚缺材料）：materials_supplemented" in thrower_page


def test_the_case_page_says_which_waived_materials_are_missing_when_the_supplement_is_recorded(api, app):
    from tests.api.test_worksheet_pages import signed_in

    case_id = accept_tolerantly(api, "ZJ-2026-0006")
    window = signed_in(app, api, "window_clerk")
    recorded = window.post(f"/cases/{case_id}/messages", {"message": "materials_supplemented", "note": ""},
                           token_from=f"/cases/{case_id}")
    assert recorded.status_code == 302 and recorded.headers["Location"].endswith("#materials")
    page = window.get(f"/cases/{case_id}").text
    assert "尚缺材料，未记录申请人补齐容缺材料：施工图设计文件审查合格书、建设资金已落实承诺书。" in page
    assert 'class="record-message inline"' in page and "补正(结束)" not in case_states(api, case_id)  # waits still


def test_materials_supplied_before_the_review_ends_wait_for_the_review(api):
    case_id = accept_tolerantly(api, "ZJ-2026-0002")
    supply_tolerated(api, case_id)
    send_message(api, "materials_supplemented", "ZJ-2026-0002")
    assert open_steps(api, case_id) == ["review"]
    with api.runtime.uow() as uow:  # supplied: the deadline no longer runs
        assert uow.session.scalars(select(Job).where(Job.instance_id == case_id, Job.state == "pending")).all() == []
    review(api, case_id)
    complete_open_task(api, case_id, "decide", user="chief_rep", decision="deny",
                       decision_opinion="施工现场不具备施工条件")
    done = complete_open_task(api, case_id, "deliver", user="window_clerk", delivery_method="window")
    assert done["state"] == "completed"
    assert case_states(api, case_id)[-1] == "办结(不通过)"


def test_not_supplied_by_the_deadline_the_review_stops_and_no_decision_is_made(api):
    case_id = accept_tolerantly(api, "ZJ-2026-0003")
    fire_timer(api, case_id, "wait_tolerated")  # the section had not finished its review

    after = case(api, case_id)
    assert after["state"] == "completed" and after["tasks"] == []
    assert after["variables"]["tolerance_expired"] is True and "decision" not in after["variables"]
    elements = completed_elements(api, case_id)
    assert "suspended" in elements and "decide" not in elements
    assert case_states(api, case_id) == ["已接件", "已受理", "部门开始办理", "撤回"]
    issued = documents(api, case_id)
    assert "中止审批" in issued["tolerance_termination_notice"] and "grant_decision" not in issued
    reviewed = api.as_("permit_clerk").get("/api/tasks?mine=true").get_json()
    assert [t for t in reviewed["items"] if t["process_instance_id"] == case_id] == []
    with api.runtime.uow() as uow:  # the case ended without a decision: the clock stopped with it
        assert uow.session.get(CaseClock, case_id).state == "stopped"


def test_reviewed_but_not_supplied_by_the_deadline_is_suspended_too(api):
    case_id = accept_tolerantly(api, "ZJ-2026-0004")
    review(api, case_id)
    fire_timer(api, case_id, "wait_tolerated")
    assert case(api, case_id)["state"] == "completed"
    assert case_states(api, case_id)[-2:] == ["部门开始办理", "撤回"]
    send_message(api, "materials_supplemented", "ZJ-2026-0004", expect=404)  # too late: nothing waits


def test_a_key_material_cannot_be_tolerated_the_clerk_is_told_why_and_the_notice_carries_the_note(api):
    case_id = start(api, "ZJ-2026-0005")
    refused = complete_open_task(api, case_id, "acceptance_check", user="window_clerk", expect=422,
                                 acceptance_decision="tolerant",
                                 tolerated_materials=["建设工程规划许可证", "建设资金已落实承诺书"])
    [problem] = refused["error"]["details"]
    assert (problem["field"], problem["rule"], problem["label"]) == (
        "variables.tolerated_materials", "options", "容缺材料（仅非关键材料可容缺）")
    assert "建设工程规划许可证" not in problem["params"]["options"]
    assert open_steps(api, case_id) == ["acceptance_check"] and case_states(api, case_id) == ["已接件"]
    # The clerk gives the one-time notice instead, with a note the applicant reads on it.
    note = "建设工程规划许可证尚在办理中，取得后一并提交"
    after = complete_open_task(api, case_id, "acceptance_check", user="window_clerk", acceptance_decision="incomplete",
                               missing_materials=["建设工程规划许可证", "建设资金已落实承诺书"], defect_note=note)
    assert after["tasks"] == []
    assert case_states(api, case_id) == ["已接件", "补正(开始)"]
    notice = documents(api, case_id)["supplement_notice"]
    assert "共2项" in notice and "建设工程规划许可证" in notice and note in notice
    # Supplemented: back to the window, which now accepts in full.
    send_message(api, "materials_supplemented", "ZJ-2026-0005")
    supply_materials(api, case_id, CODE)
    complete_open_task(api, case_id, "acceptance_check", user="window_clerk", acceptance_decision="accept")
    review(api, case_id)
    assert open_steps(api, case_id) == ["decide"]  # nothing tolerated: no waiting for supplements
    complete_open_task(api, case_id, "decide", user="chief_rep", decision="grant", decision_opinion="准予")
    complete_open_task(api, case_id, "certify", user="certificate_clerk", certificate_no="410302202603020002")
    complete_open_task(api, case_id, "deliver", user="window_clerk", delivery_method="mail", tracking_no="SF1234567890")
    assert case_states(api, case_id) == ["已接件", "补正(开始)", "补正(结束)", "已受理", "部门开始办理", "办结(通过)"]


def test_tolerant_acceptance_names_what_is_tolerated(api):
    case_id = start(api, "ZJ-2026-0007")
    refused = complete_open_task(api, case_id, "acceptance_check", user="window_clerk", expect=422,
                                 acceptance_decision="tolerant", defect_note="暂缺材料见附件")
    assert [(d["field"], d["rule"]) for d in refused["error"]["details"]] == [
        ("variables.tolerated_materials", "required")]


def test_an_application_outside_the_scope_is_rejected(api):
    case_id = start(api, "ZJ-2026-0006")
    complete_open_task(api, case_id, "acceptance_check", user="window_clerk", expect=422, acceptance_decision="reject")
    done = complete_open_task(api, case_id, "acceptance_check", user="window_clerk", acceptance_decision="reject",
                              reject_reason="限额以下小型工程，不属于本机关受理范围")
    assert done["state"] == "completed"
    assert case_states(api, case_id) == ["已接件", "不予受理"]
