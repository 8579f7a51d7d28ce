"""After a tolerant acceptance (容缺受理, bpmn/ZJJ-XK-0012) the applicant's progress says what is still owed — the
waived materials, by name — and by when (the wait's timer), on the API and the page alike, while the review goes
on and after it; a supplement (补正) names its materials the same way, never the clerk's reasons. Only what the
applicant brings counts as owed: a message an integration sends is no debt of theirs."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from engine.clock import LOCAL_TZ
from tests.api.test_item_tolerant_acceptance import NON_KEY, NOTE, supply_tolerated
from tests.api.test_progress_waiting import page_of, progress
from tests.helpers import ApiClient, complete_open_task
from tests.service_items import deploy_item, pending_timer, send_message, supply_materials

CODE, KEY = "ZJJ-XK-0012", "construction_work_permit"
REVIEW = "审查（施工许可科）"


@pytest.fixture
def api(api: ApiClient) -> ApiClient:
    deploy_item(api, CODE)
    return api


def start(api: ApiClient, business_key: str) -> dict[str, Any]:
    case: dict[str, Any] = api.start(KEY, business_key=business_key, variables={
        "applicant_name": "洛阳某置业有限公司", "project_name": "滨河花园3号楼"})
    return case


def accept_tolerantly(api: ApiClient, business_key: str) -> tuple[dict[str, Any], str]:
    """A case accepted with the non-key materials NON_KEY missing: the case, and the tolerance's last day."""
    case = start(api, business_key)
    supply_materials(api, case["id"], CODE, leave_out=tuple(NON_KEY))
    complete_open_task(api, case, "acceptance_check", user="window_clerk", acceptance_decision="tolerant",
                       tolerated_materials=NON_KEY, defect_note=NOTE)
    due = pending_timer(api, case["id"], "wait_tolerated").due_at
    return case, due.astimezone(LOCAL_TZ).date().isoformat()


def test_a_tolerantly_accepted_case_says_which_materials_are_owed_and_by_when_until_they_come(api: ApiClient):
    case, due = accept_tolerantly(api, "ZJ-2026-0801")
    owed = {"what": "待申请人补齐容缺材料", "kind": "tolerated", "materials": NON_KEY, "due_on": due}
    body = progress(api, "ZJ-2026-0801", case["query_code"])
    assert body["case_state"] == "部门开始办理" and body["current_steps"] == [REVIEW]  # the review runs meanwhile
    assert body["awaiting"] == owed

    complete_open_task(api, case, "review", user="permit_clerk", review_opinion="符合施工许可条件", conditions_met=True)
    body = progress(api, "ZJ-2026-0801", case["query_code"])
    # Reviewed: nothing under way, and the wait is said once, as what is owed (not as the diagram's two waits).
    assert body["current_steps"] == [] and body["awaiting"] == owed and body["waiting"] == []
    assert NOTE not in str(body)  # the clerk's note reaches the applicant through the notice, not here

    supply_tolerated(api, case["id"])
    send_message(api, "materials_supplemented", "ZJ-2026-0801", supplemented_materials=NON_KEY)
    body = progress(api, "ZJ-2026-0801", case["query_code"])
    assert body["awaiting"] is None and body["current_steps"] == ["审批决定"]


def test_the_page_lists_the_owed_materials_and_their_last_day_in_chinese_and_english(api: ApiClient):
    case, due = accept_tolerantly(api, "ZJ-2026-0803")
    page = page_of(api, "ZJ-2026-0803", case["query_code"])
    assert text_of(page, "awaiting-what") == "待申请人补齐容缺材料"
    assert text_of(page, "awaiting-due") == f"请于 {due} 前补齐"
    assert re.findall(r'<li class="awaiting-material">(.*?)</li>', page) == NON_KEY
    assert "需补齐的材料以容缺受理通知书为准。" in page and "一次性告知通知书" not in page
    english = page_of(api, "ZJ-2026-0803", case["query_code"], "en")
    assert text_of(english, "awaiting-due") == f"please bring them by {due}"
    assert re.findall(r'<li class="awaiting-material">(.*?)</li>', english) == NON_KEY


def test_a_supplement_names_its_materials_without_the_clerk_s_reasons(api: ApiClient):
    case = start(api, "ZJ-2026-0804")
    complete_open_task(api, case, "acceptance_check", user="window_clerk", acceptance_decision="incomplete",
                       missing_materials=["建设工程规划许可证", "中标通知书"], defect_note="请补正")
    awaiting = progress(api, "ZJ-2026-0804", case["query_code"])["awaiting"]
    assert (awaiting["what"], awaiting["kind"]) == ("待申请人补正材料", "supplement")
    assert awaiting["materials"] == ["建设工程规划许可证", "中标通知书"] and awaiting["due_on"] is not None
    page = page_of(api, "ZJ-2026-0804", case["query_code"])
    assert text_of(page, "awaiting-due").endswith("前补正") and "一次性告知通知书为准" in page
    assert re.findall(r'<li class="awaiting-material">(.*?)</li>', page) == ["建设工程规划许可证", "中标通知书"]

    # The window's item takes a text, one material per line with what is wrong with it: names only.
    deploy_item(api, "window-acceptance")
    window = api.start("window_acceptance", business_key="SX-2026-0804")
    complete_open_task(api, window, "accept", user="window_clerk", decision="supplement",
                       missing_materials="申请人身份证明：内部核查发现复印件不清晰\n行政许可申请书：未签字")
    body = progress(api, "SX-2026-0804", window["query_code"])
    assert body["awaiting"]["materials"] == ["申请人身份证明", "行政许可申请书"] and "内部核查" not in str(body)


# After the acceptance step the case waits for one message: the applicant's (recordable) or an integration's.
# Without a form, the step may list what it waives as a text of lines (an integrator's client does).
WAITS_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_owed" targetNamespace="http://govflow.example/bpmn">
  <bpmn:message id="Msg_in" name="{message}" />
  <bpmn:process id="{key}" name="容缺示例" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="accept" />
    <bpmn:userTask id="accept" name="受理审查" camunda:candidateGroups="window" />
    <bpmn:sequenceFlow id="f1" sourceRef="accept" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait" name="{wait_name}">
      <bpmn:extensionElements>
        <camunda:properties><camunda:property name="govflow.recordable" value="{recordable}" /></camunda:properties>
      </bpmn:extensionElements>
      <bpmn:messageEventDefinition id="wait_message" messageRef="Msg_in" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="done" />
    <bpmn:endEvent id="done" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.mark.parametrize(("recordable", "wait_name", "owed"), [
    ("true", "申请人补齐容缺材料", True),
    ("false", "等待信用核查结果", False),  # the credit platform answers: the applicant owes nothing
])
def test_only_a_message_the_applicant_brings_is_owed(api: ApiClient, tmp_path: Path, recordable: str, wait_name: str,
                                                       owed: bool):
    key = f"owed_{recordable}"
    diagram = tmp_path / f"{key}.bpmn"
    diagram.write_text(WAITS_BPMN.format(key=key, message=f"{key}_message", wait_name=wait_name,
                                         recordable=recordable), encoding="utf-8")
    api.deploy(diagram)
    case = api.start(key, business_key=f"RQ-2026-{recordable}")
    complete_open_task(api, case, "accept", user="window_clerk",
                       tolerated_materials="1. 施工图设计文件审查合格书\n\n2. 建设资金已落实承诺书：尚在银行办理\n")
    body = progress(api, f"RQ-2026-{recordable}", case["query_code"])
    if owed:
        assert body["awaiting"] == {"what": "待申请人补齐容缺材料", "kind": "tolerated", "materials": NON_KEY,
                                    "due_on": None}
        assert body["waiting"] == []
    else:
        assert body["awaiting"] is None and body["waiting"] == [{"name": wait_name, "due_on": None}]


def test_the_openapi_document_describes_what_is_owed(api: ApiClient):
    schemas = api.client.get("/api/openapi.json").get_json()["components"]["schemas"]
    awaiting = schemas["Awaiting"]["properties"]
    assert set(awaiting) == {"what", "kind", "materials", "due_on"}
    assert awaiting["materials"]["type"] == "array" and "容缺受理" in awaiting["what"]["description"]


def text_of(page: str, css_class: str) -> str:
    found = re.search(rf'class="{css_class}"[^>]*>(.*?)</', page, re.DOTALL)
    assert found, f"no {css_class} on the page"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()
