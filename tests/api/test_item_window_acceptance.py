"""一窗受理 标准许可事项 (bpmn/window-acceptance), the README tour's item: the window decides one of three
(SX21) and every outcome is a document to the applicant — 受理通知书, 不予受理通知书 with its reasons,
一次性告知通知书 listing all there is to supplement (行政许可法 Art 32) — and every step is due in
working days (Art 82)."""
from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import pytest

from engine import calendar
from engine.clock import LOCAL_TZ, utcnow
from tests.helpers import ApiClient, at, complete_open_task, open_steps, open_task
from tests.service_items import (
    case,
    case_states,
    deploy_item,
    documents,
    fire_timer,
    guide,
    pending_timer,
    send_message,
    supply_materials,
)

CODE = "window-acceptance"
KEY = "window_acceptance"
FRIDAY = date(2026, 3, 6)
MISSING = "申请人身份证明：复印件不清晰，请提交清晰的复印件\n行政许可申请书：未签字"


@pytest.fixture
def api(api: ApiClient) -> ApiClient:
    deploy_item(api, CODE)
    return api


@pytest.fixture
def on_a_friday(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cases started and worked on a Friday: a calendar day's due date would fall on the weekend."""
    from tests.integration.test_timer_refresh import freeze_spiff_clock

    now = at(FRIDAY)
    monkeypatch.setattr("engine.execution.utcnow", lambda: now)
    monkeypatch.setattr("engine.diagram_functions.utcnow", lambda: now)
    freeze_spiff_clock(monkeypatch, now)  # else the 5 working days of 视为受理 are long past


def start(api: ApiClient, business_key: str) -> int:
    # What the README tour starts a case with.
    return int(api.start(KEY, business_key=business_key, variables={"applicant_name": "张三"})["id"])


def local_day(task: dict[str, Any]) -> date:
    return datetime.fromisoformat(task["due_at"]).astimezone(LOCAL_TZ).date()


def test_the_tour_s_acceptance_issues_the_acceptance_notice_and_steps_are_due_in_working_days(api, on_a_friday):
    case_id = start(api, "SX-2026-000123")
    assert local_day(open_task(api, case_id, "accept")) == date(2026, 3, 9)  # Monday, not Saturday
    # The README tour's window receives the materials so: a scan, a paper original checked, one not applying.
    window = api.as_("window_clerk")
    uploaded = window.post(f"/api/process-instances/{case_id}/materials", data={
        "name": "行政许可申请书", "file": (io.BytesIO(b"%PDF-1.4\n"), "application.pdf")},
        content_type="multipart/form-data")
    assert uploaded.status_code == 201, uploaded.get_json()
    for name, kind in (("申请人身份证明", "paper_checked"), ("委托他人办理的，授权委托书及代理人身份证明", "not_applicable")):
        marked = window.post(f"/api/process-instances/{case_id}/materials/marks", json={"name": name, "kind": kind})
        assert marked.status_code == 201, marked.get_json()
    # The README tour's completion, with 材料齐全、符合法定形式 ticked: 受理 requires it.
    complete_open_task(api, case_id, "accept", user="window_clerk", decision="accept", materials_complete=True)
    assert local_day(open_task(api, case_id, "review")) == date(2026, 3, 13)  # 5 working days, not Wednesday
    notice = documents(api, case_id)["acceptance_notice"]
    assert "决定予以受理" in notice and "15个工作日内" in notice and "SX-2026-000123" in notice

    complete_open_task(api, case_id, "review", user="admin", review_opinion="符合条件")
    complete_open_task(api, case_id, "decide", user="admin", approved=True, decision_opinion="符合法定条件，准予许可")
    complete_open_task(api, case_id, "certify", user="admin", certificate_no="SX-XK-2026-000123")
    done = complete_open_task(api, case_id, "deliver", user="window_clerk", delivery_method="window")
    assert done["state"] == "completed"
    issued = documents(api, case_id)
    assert set(issued) == {"acceptance_notice", "grant_decision"} and "决定准予行政许可" in issued["grant_decision"]
    assert case_states(api, case_id) == ["已接件", "已受理", "办结(通过)"]


def test_a_denial_is_a_written_decision_with_its_reasons_delivered_to_the_applicant(api):
    """行政许可法第三十八条: a denial is a written decision with its reasons, and it reaches the applicant as a
    grant does: through the window's unified output (统一出件), by the way they chose, then 办结(不通过)."""
    case_id = start(api, "SX-2026-000124")
    supply_materials(api, case_id, CODE)
    complete_open_task(api, case_id, "accept", user="window_clerk", decision="accept", materials_complete=True)
    complete_open_task(api, case_id, "review", user="admin", review_opinion="不符合条件")
    # No choice made is no denial: the chief says which (a blank once issued a 不予行政许可决定书).
    unchosen = complete_open_task(api, case_id, "decide", user="admin", expect=422, decision_opinion="同意")
    assert [(d["field"], d["rule"]) for d in unchosen["error"]["details"]] == [("variables.approved", "required")]
    complete_open_task(api, case_id, "decide", user="admin", approved=False,
                       decision_opinion="经营场所与申请材料不一致\n未取得前置审批")
    denial = documents(api, case_id)["denial_decision"]
    assert "本机关决定不予行政许可" in denial
    assert "<li>经营场所与申请材料不一致</li>" in denial and "<li>未取得前置审批</li>" in denial
    assert open_steps(api, case_id) == ["deliver"] and case(api, case_id)["state"] == "running"

    done = complete_open_task(api, case_id, "deliver", user="window_clerk", delivery_method="mail",
                              tracking_no="1190012345678")
    assert done["state"] == "completed"
    assert case_states(api, case_id) == ["已接件", "已受理", "办结(不通过)"]


def test_a_rejection_needs_its_reasons_and_issues_them_in_the_rejection_notice(api):
    case_id = start(api, "SX-2026-000125")
    refused = complete_open_task(api, case_id, "accept", user="window_clerk", expect=422, decision="reject")
    assert [(d["field"], d["rule"]) for d in refused["error"]["details"]] == [
        ("variables.reject_reason", "required")]
    done = complete_open_task(api, case_id, "accept", user="window_clerk", decision="reject",
                              reject_reason="申请事项不属于本中心受理范围\n应向市场监督管理局申请")
    assert done["state"] == "completed"
    notice = documents(api, case_id)["rejection_notice"]
    assert "<li>申请事项不属于本中心受理范围</li>" in notice and "<li>应向市场监督管理局申请</li>" in notice
    assert case_states(api, case_id) == ["已接件", "不予受理"]


def test_a_supplement_lists_everything_at_once_and_lapses_after_twenty_working_days(api):
    case_id = start(api, "SX-2026-000126")
    refused = complete_open_task(api, case_id, "accept", user="window_clerk", expect=422, decision="supplement")
    assert [(d["field"], d["rule"]) for d in refused["error"]["details"]] == [
        ("variables.missing_materials", "required")]
    noticed_at = utcnow()
    waiting = complete_open_task(api, case_id, "accept", user="window_clerk", decision="supplement",
                                 missing_materials=MISSING)
    assert waiting["tasks"] == []
    notice = documents(api, case_id)["supplement_notice"]
    assert "共2项" in notice and "复印件不清晰，请提交清晰的复印件" in notice and "行政许可申请书" in notice
    assert "20个工作日内" in notice and "逾期未补正的，视为撤回申请" in notice

    # The notice's 20 working days are the diagram's: the case waits that long, then is withdrawn.
    timer = pending_timer(api, case_id, "wait_supplement")
    with api.runtime.uow() as uow:
        expected = calendar.for_runtime(uow).deadline_at(noticed_at, 20).at
    assert timer.due_at == expected
    fire_timer(api, case_id, "wait_supplement")
    assert case(api, case_id)["state"] == "completed"
    assert case_states(api, case_id) == ["已接件", "补正(开始)", "已撤件"]


def test_supplemented_in_time_the_window_checks_again(api):
    case_id = start(api, "SX-2026-000127")
    complete_open_task(api, case_id, "accept", user="window_clerk", decision="supplement", missing_materials=MISSING)
    send_message(api, "materials_supplemented", "SX-2026-000127")
    supply_materials(api, case_id, CODE)
    complete_open_task(api, case_id, "accept", user="window_clerk", decision="accept", materials_complete=True)
    assert case_states(api, case_id) == ["已接件", "补正(开始)", "补正(结束)", "已受理"]
    assert set(documents(api, case_id)) == {"supplement_notice", "acceptance_notice"}


def test_the_delivery_step_offers_and_takes_only_the_ways_the_guide_lists(api):
    """The form lists 自助终端领取 too; this item's guide offers window, electronic and mail alone."""
    assert guide(CODE)["delivery_methods"] == ["window", "electronic", "mail"]
    case_id = start(api, "SX-2026-000131")
    supply_materials(api, case_id, CODE)
    complete_open_task(api, case_id, "accept", user="window_clerk", decision="accept", materials_complete=True)
    complete_open_task(api, case_id, "review", user="admin", review_opinion="符合条件")
    complete_open_task(api, case_id, "decide", user="admin", approved=True, decision_opinion="准予许可")
    complete_open_task(api, case_id, "certify", user="admin", certificate_no="SX-XK-2026-000131")
    deliver = open_task(api, case_id, "deliver")
    form = api.as_("window_clerk").get(f"/api/tasks/{deliver['id']}/form").get_json()
    [method] = [c for c in form["schema"]["components"] if c.get("key") == "delivery_method"]
    assert [o["value"] for o in method["values"]] == ["window", "mail", "electronic"]  # the form's order
    refused = complete_open_task(api, case_id, "deliver", user="window_clerk", expect=422,
                                 delivery_method="self_service")
    [problem] = refused["error"]["details"]
    assert (problem["field"], problem["rule"], problem["params"]) == (
        "variables.delivery_method", "options", {"options": ["window", "electronic", "mail"]})
    assert open_steps(api, case_id) == ["deliver"]
    done = complete_open_task(api, case_id, "deliver", user="window_clerk", delivery_method="electronic")
    assert done["state"] == "completed"
