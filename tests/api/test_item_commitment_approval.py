"""公共场所卫生许可 (bpmn/WJW-XK-0005), a commitment-approval item (告知承诺制, LY28): applicants with bad
credit or a past false commitment are refused up front; the others are licensed at once on their written
commitment, verified within two months, ordered to rectify when the commitment was not met, and
revoked when the re-check still fails."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from engine.clock import LOCAL_TZ
from engine.models import CaseClock
from tests.api.test_pages import Browser
from tests.api.test_pages_public import lookup
from tests.helpers import ApiClient, complete_open_task, open_steps
from tests.service_items import (
    case,
    case_states,
    completed_elements,
    deploy_item,
    documents,
    fire_timer,
    pending_timer,
    send_message,
    supply_materials,
)

CODE = "WJW-XK-0005"
KEY = "public_venue_hygiene_licence"
LICENCE: dict[str, Any] = {"licence_no": "豫卫公证字〔2026〕第000123号", "licence_valid_until": "2030-12-31"}


@pytest.fixture
def api(api: ApiClient) -> ApiClient:
    deploy_item(api, CODE)
    return api


def start(api: ApiClient, business_key: str, credit_status: str = "good") -> dict:
    """A case whose credit check the credit-platform integration answered with ``credit_status``."""
    started = api.start(KEY, business_key=business_key, variables={
        "applicant_name": "洛阳某酒店管理有限公司", "venue_name": "某某酒店（住宿场所）"})
    assert started["tasks"] == []  # waiting for the credit platform
    supply_materials(api, started["id"], CODE)  # the materials the acceptance checks (engine.acceptance)
    [answered] = send_message(api, "credit_checked", business_key, credit_status=credit_status)["process_instances"]
    assert answered["id"] == started["id"]
    return case(api, started["id"])


def licensed(api: ApiClient, business_key: str) -> int:
    """A case licensed on the commitment and delivered: waiting for the verification to fall due."""
    case_id = start(api, business_key)["id"]
    complete_open_task(api, case_id, "accept_commitment", user="window_clerk", commitment_signed=True,
                       acceptance_decision="accept")
    complete_open_task(api, case_id, "approve", user="hygiene_clerk", **LICENCE)
    after = complete_open_task(api, case_id, "deliver", user="window_clerk", delivery_method="electronic")
    assert after["state"] == "running" and after["tasks"] == []
    return case_id


def verification_task(api: ApiClient, case_id: int) -> None:
    """The verification falls due a month after the licence, and must be done within the two months."""
    timer = pending_timer(api, case_id, "verification_due")
    due = timer.due_at.replace(tzinfo=UTC)
    assert timedelta(days=28) <= due - datetime.now(UTC) <= timedelta(days=31, minutes=1)
    fire_timer(api, case_id, "verification_due")
    [task] = case(api, case_id)["tasks"]
    assert (task["bpmn_id"], task["candidate_groups"]) == ("verify", ["hygiene_supervision"])


def order_rectification(api: ApiClient, case_id: int, days: int = 10) -> None:
    verification_task(api, case_id)
    # the rectification deadline is required
    complete_open_task(api, case_id, "verify", user="hygiene_inspector", expect=422,
                       verification_result="nonconforming", verification_record="布草间未设置")
    complete_open_task(api, case_id, "verify", user="hygiene_inspector", verification_result="nonconforming",
                       verification_record="布草间未设置，从业人员2人无健康合格证明", rectify_days=days)


@pytest.mark.parametrize("credit_status", ["bad_credit", "false_commitment"])
def test_bad_credit_or_a_past_false_commitment_is_refused_up_front(api, credit_status):
    started = start(api, f"WJ-2026-{credit_status}", credit_status)
    assert started["state"] == "completed" and started["tasks"] == []
    assert case_states(api, started["id"]) == ["已接件", "不予受理"]
    assert "not_eligible" in completed_elements(api, started["id"])
    notice = documents(api, started["id"])["commitment_not_applicable_notice"]
    assert ("曾作出虚假承诺" if credit_status == "false_commitment" else "存在不良信用记录") in notice
    assert "按照一般程序" in notice
    with api.runtime.uow() as uow:  # never accepted: no clock
        assert uow.session.get(CaseClock, started["id"]) is None


def test_a_credit_answer_without_the_status_is_refused_and_the_case_keeps_waiting(api):
    api.start(KEY, business_key="WJ-2026-0009", variables={"applicant_name": "某公司"})
    error = send_message(api, "credit_checked", "WJ-2026-0009", expect=422, note="查询完成")["error"]
    assert "credit_status" in error["message"]
    # Nothing changed: the case still waits for a proper answer.
    [answered] = send_message(api, "credit_checked", "WJ-2026-0009", credit_status="good")["process_instances"]
    assert [t["bpmn_id"] for t in answered["tasks"]] == ["accept_commitment"]


def test_a_commitment_is_licensed_at_once_and_a_conforming_verification_ends_the_case(api):
    case_id = start(api, "WJ-2026-0001")["id"]
    complete_open_task(api, case_id, "accept_commitment", user="window_clerk", commitment_signed=True,
                       acceptance_decision="accept")
    assert open_steps(api, case_id) == ["approve"]
    complete_open_task(api, case_id, "approve", user="hygiene_clerk", expect=422, licence_no="000123",
                       licence_valid_until="2030-12-31")
    complete_open_task(api, case_id, "approve", user="hygiene_clerk", **LICENCE)
    with api.runtime.uow() as uow:  # decided on the day of acceptance, within the promised working day
        clock = uow.session.get(CaseClock, case_id)
        assert (clock.state, clock.promised_days, clock.statutory_days) == ("stopped", 1, 20)
    complete_open_task(api, case_id, "deliver", user="window_clerk", delivery_method="window")
    assert case_states(api, case_id) == ["已接件", "已受理", "办结(通过)"]

    verification_task(api, case_id)
    done = complete_open_task(api, case_id, "verify", user="hygiene_inspector", verification_result="conforming",
                              verification_record="现场布局、卫生设施与承诺一致")
    assert done["state"] == "completed"
    assert "verified_conforming" in completed_elements(api, case_id)
    assert case_states(api, case_id) == ["已接件", "已受理", "办结(通过)", "办结(通过)"]


def test_rectified_after_the_order_and_reported_early_the_licence_stands(api):
    case_id = licensed(api, "WJ-2026-0002")
    order_rectification(api, case_id)
    assert open_steps(api, case_id) == []
    send_message(api, "rectification_reported", "WJ-2026-0002", rectification_note="已设置布草间，补办健康证明")
    complete_open_task(api, case_id, "recheck", user="hygiene_inspector", recheck_result="conforming",
                       recheck_record="整改到位")
    assert case(api, case_id)["state"] == "completed"
    assert case_states(api, case_id)[-4:] == ["办结(通过)", "整改(开始)", "整改(结束)", "办结(通过)"]
    assert "rectified" in completed_elements(api, case_id)


def test_still_failing_at_the_rectification_deadline_the_licence_is_revoked(api):
    case_id = licensed(api, "WJ-2026-0003")
    order_rectification(api, case_id, days=10)
    timer = pending_timer(api, case_id, "wait_rectification")
    assert timer.due_at.replace(tzinfo=UTC) - datetime.now(UTC) >= timedelta(days=13)  # 10 working days
    fire_timer(api, case_id, "wait_rectification")  # nothing reported by the deadline: re-check
    complete_open_task(api, case_id, "recheck", user="hygiene_inspector", recheck_result="nonconforming",
                       recheck_record="逾期仍未整改")
    assert open_steps(api, case_id) == ["revoke"]
    done = complete_open_task(api, case_id, "revoke", user="hygiene_clerk",
                              revocation_reason="承诺不实，整改后仍不符合许可条件", false_commitment_recorded=True)
    assert done["state"] == "completed"
    assert done["variables"]["false_commitment_recorded"] is True
    assert case_states(api, case_id) == ["已接件", "已受理", "办结(通过)", "整改(开始)", "整改(结束)", "撤销"]
    issued = documents(api, case_id)
    assert "10个工作日内整改完毕" in issued["commitment_rectification_order"]
    revocation = issued["commitment_revocation_decision"]
    assert "决定撤销上述行政许可" in revocation and LICENCE["licence_no"] in revocation and "记入信用记录" in revocation


def test_an_unsigned_commitment_is_not_accepted(api):
    case_id = start(api, "WJ-2026-0004")["id"]
    done = complete_open_task(api, case_id, "accept_commitment", user="window_clerk", commitment_signed=False,
                              acceptance_decision="reject", reject_reason="告知承诺书未经法定代表人签署")
    assert done["state"] == "completed"
    assert case_states(api, case_id) == ["已接件", "不予受理"]


def test_accepting_needs_the_signed_commitment_and_nothing_moves_without_it(api):
    case_id = start(api, "WJ-2026-0006")["id"]
    unset = complete_open_task(api, case_id, "accept_commitment", user="window_clerk", expect=422,
                               acceptance_decision="accept")
    assert [(d["field"], d["rule"]) for d in unset["error"]["details"]] == [
        ("variables.commitment_signed", "required")]
    # Unticked: refused as the browser refuses it (a required checkbox must be ticked).
    unsigned = complete_open_task(api, case_id, "accept_commitment", user="window_clerk", expect=422,
                                  commitment_signed=False, acceptance_decision="accept")
    assert [(d["field"], d["rule"]) for d in unsigned["error"]["details"]] == [
        ("variables.commitment_signed", "required")]
    assert open_steps(api, case_id) == ["accept_commitment"] and case_states(api, case_id) == ["已接件"]
    with api.runtime.uow() as uow:  # not accepted: no clock
        assert uow.session.get(CaseClock, case_id) is None
    complete_open_task(api, case_id, "accept_commitment", user="window_clerk", commitment_signed=True,
                       acceptance_decision="accept")
    assert open_steps(api, case_id) == ["approve"]


def test_a_licence_cannot_be_valid_until_a_day_already_past(api):
    case_id = start(api, "WJ-2026-0007")["id"]
    complete_open_task(api, case_id, "accept_commitment", user="window_clerk", commitment_signed=True,
                       acceptance_decision="accept")
    yesterday = (datetime.now(LOCAL_TZ).date() - timedelta(days=1)).isoformat()
    for past in ("2020-01-01", yesterday):
        refused = complete_open_task(api, case_id, "approve", user="hygiene_clerk", expect=422,
                                     licence_no=LICENCE["licence_no"], licence_valid_until=past)
        assert [(d["field"], d["rule"]) for d in refused["error"]["details"]] == [
            ("variables.licence_valid_until", "disallowPassedDates")]
    assert open_steps(api, case_id) == ["approve"]
    complete_open_task(api, case_id, "approve", user="hygiene_clerk", **LICENCE)
    assert open_steps(api, case_id) == ["deliver"]


def test_incomplete_materials_get_the_one_time_notice_and_the_commitment_is_accepted_after(api):
    case_id = start(api, "WJ-2026-0005")["id"]
    complete_open_task(api, case_id, "accept_commitment", user="window_clerk", commitment_signed=True,
                       acceptance_decision="incomplete", missing_materials="公共场所地址方位示意图、平面图和卫生设施平面布局图：未标注布草间位置")
    assert open_steps(api, case_id) == []
    send_message(api, "materials_supplemented", "WJ-2026-0005")
    complete_open_task(api, case_id, "accept_commitment", user="window_clerk", commitment_signed=True,
                       acceptance_decision="accept")
    assert open_steps(api, case_id) == ["approve"]
    assert case_states(api, case_id) == ["已接件", "补正(开始)", "补正(结束)", "已受理"]


def test_the_applicant_reads_a_delivered_licence_as_concluded_and_rates_it_while_the_checks_go_on(api, app):
    """The licence is granted and delivered at once; the checks of the commitment follow months later. The
    applicant's service is concluded at the delivery: 已办结 (not 办理中 beside 办结(通过)), rated then."""
    started = api.start(KEY, business_key="WJ-2026-0050", variables={"applicant_name": "某酒店"})
    send_message(api, "credit_checked", "WJ-2026-0050", credit_status="good")
    case_id, code = started["id"], started["query_code"]
    supply_materials(api, case_id, CODE)

    def progress() -> dict[str, Any]:
        response = api.client.get("/api/public/progress/WJ-2026-0050", query_string={"code": code})
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    complete_open_task(api, case_id, "accept_commitment", user="window_clerk", commitment_signed=True,
                       acceptance_decision="accept")
    complete_open_task(api, case_id, "approve", user="hygiene_clerk", **LICENCE)
    decided = progress()  # decided, not yet delivered: not concluded
    assert (decided["status"], decided["follow_up"], decided["ended_at"], decided["may_rate"]) == (
        "已决定，待送达", False, None, False)
    refused = api.client.post("/api/public/ratings", json={"case_no": "WJ-2026-0050", "code": code, "level": 1})
    assert refused.status_code == 409

    complete_open_task(api, case_id, "deliver", user="window_clerk", delivery_method="window")
    delivered = progress()
    assert (delivered["status"], delivered["case_state"], delivered["follow_up"]) == ("已办结", "办结(通过)", True)
    assert delivered["ended_at"] is not None and delivered["may_rate"] is True
    page = lookup(Browser(app.test_client()), "WJ-2026-0050", code)
    assert "办结后的核查" in page.text and "办结时间" in page.text
    rated = api.client.post("/api/public/ratings", json={"case_no": "WJ-2026-0050", "code": code, "level": 1})
    assert rated.status_code == 201 and rated.get_json()["contact"] == "case"

    verification_task(api, case_id)  # a month later: the check is under way, named to the applicant
    checking = progress()
    assert checking["status"] == "已办结" and checking["current_steps"] == ["承诺内容核查（许可后2个月内）"]
    assert checking["may_rate"] is False and checking["ended_at"] == delivered["ended_at"]  # rated once
    # The office pausing its checks does not reopen the applicant's concluded case.
    assert api.as_("admin").post(f"/api/process-instances/{case_id}/suspend", json={}).status_code == 200
    paused = progress()
    assert (paused["status"], paused["follow_up"], paused["ended_at"]) == ("已办结", True, delivered["ended_at"])
    assert api.as_("admin").post(f"/api/process-instances/{case_id}/resume", json={}).status_code == 200
    complete_open_task(api, case_id, "verify", user="hygiene_inspector", verification_result="conforming",
                       verification_record="现场布局、卫生设施与承诺一致")
    ended = progress()
    assert (ended["status"], ended["follow_up"], ended["ended_at"]) == ("已办结", False, delivered["ended_at"])
