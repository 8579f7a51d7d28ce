"""The acceptance step's attestation and its rounds: the window item accepts (受理) only with 材料齐全、符合法定形式
ticked — the 受理通知书 says so — and after a supplement (一次性告知补正 → the applicant's supplement) every
library item's acceptance step starts again from a blank form, its lists rebuilt from the checklist, while
the first round's answers stay in its history."""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.api.test_acceptance_lists import claimed, form_data
from tests.api.test_one_thing_bundle import APPLICATION
from tests.api.test_pages_intake import Browser
from tests.api.test_worksheet_pages import opinions
from tests.helpers import ApiClient, complete_open_task, open_steps, open_task
from tests.service_items import (
    case,
    case_states,
    deploy_item,
    documents,
    food_application,
    guide,
    history_events,
    send_message,
    supply_materials,
)

WINDOW, WINDOW_KEY = "window-acceptance", "window_acceptance"
APPLICATION_FORM, IDENTITY, PROXY = (m["name"] for m in guide(WINDOW)["materials"])
ATTESTATION = "材料齐全、符合法定形式"


def schema(page: str) -> dict[str, Any]:
    """The form the task page hands form-js."""
    found = page.split('<script type="application/json" id="form-schema">')[1].split("</script>")[0]
    return dict(json.loads(html.unescape(found)))


def window_case(api: ApiClient, business_key: str, *, leave_out: tuple[str, ...] = ()) -> int:
    deploy_item(api, WINDOW)
    case_id = int(api.start(WINDOW_KEY, business_key=business_key, variables={"applicant_name": "张三"})["id"])
    supply_materials(api, case_id, WINDOW, leave_out=leave_out)
    return case_id


# ---- the attestation -----------------------------------------------------------------------------------

def test_accepting_without_the_attestation_ticked_is_refused_and_no_notice_is_issued(api: ApiClient) -> None:
    case_id = window_case(api, "SX-2026-001001")
    for sent in ({}, {"materials_complete": False}):
        refused = complete_open_task(api, case_id, "accept", user="window_clerk", expect=422, decision="accept",
                                     **sent)
        assert refused["error"]["code"] == "validation_failed"
        assert [(d["field"], d["rule"], d["label"]) for d in refused["error"]["details"]] == [
            ("variables.materials_complete", "required", ATTESTATION)]
    assert open_steps(api, case_id) == ["accept"] and case_states(api, case_id) == ["已接件"]
    assert documents(api, case_id) == {}
    complete_open_task(api, case_id, "accept", user="window_clerk", decision="accept", materials_complete=True)
    assert open_steps(api, case_id) == ["review"]
    assert "申请材料齐全、符合法定形式" in documents(api, case_id)["acceptance_notice"]


def test_the_task_page_shows_the_attestation_for_an_acceptance_only_and_refuses_one_without_it(
        api: ApiClient) -> None:
    case_id = window_case(api, "SX-2026-001002")
    task_id = claimed(api, case_id, "accept")
    window = Browser(api, "window_clerk")
    [tick] = [c for c in schema(window.get(f"/tasks/{task_id}").text)["components"]
              if c.get("key") == "materials_complete"]
    # As the form's other conditional fields: shown, and then required, only when its outcome is chosen.
    assert tick["label"] == ATTESTATION and tick["validate"] == {"required": True}
    assert tick["conditional"] == {"hide": '=decision != "accept"'}
    page = window.post(f"/tasks/{task_id}", {"data": json.dumps({"decision": "accept", "materials_complete": False})})
    assert page.status_code == 422
    placed = json.loads(html.unescape(re.search(r'id="form-errors">(.*?)</script>', page.text, re.DOTALL).group(1)))
    assert [(e["field"], e["message"]) for e in placed] == [("materials_complete", "必填项")]
    assert open_steps(api, case_id) == ["accept"] and documents(api, case_id) == {}
    done = window.post(f"/tasks/{task_id}", {"data": json.dumps({"decision": "accept", "materials_complete": True})})
    assert done.status_code == 302
    assert case(api, case_id)["variables"]["materials_complete"] is True


@pytest.mark.parametrize(("business_key", "outcome"), [
    ("SX-2026-001011", {"decision": "reject", "reject_reason": "不属于本机关职权范围"}),
    ("SX-2026-001012", {"decision": "supplement", "missing_materials": f"{IDENTITY}：复印件不清晰"}),
], ids=["reject", "supplement"])
def test_the_other_outcomes_need_no_attestation_and_a_tick_sent_with_them_is_not_kept(
        api: ApiClient, business_key: str, outcome: dict[str, Any]) -> None:
    case_id = window_case(api, business_key)
    complete_open_task(api, case_id, "accept", user="window_clerk", materials_complete=True, **outcome)
    assert "materials_complete" not in case(api, case_id)["variables"]  # a hidden field is not submitted
    issued = documents(api, case_id)
    assert list(issued) == ["rejection_notice" if outcome["decision"] == "reject" else "supplement_notice"]


# ---- the second round ----------------------------------------------------------------------------------

@dataclass
class Item:
    """A library item with a supplement loop back to its acceptance step, and a first round asking for one."""

    code: str
    key: str
    step: str
    first_round: dict[str, Any]
    cleared: tuple[str, ...]  # the acceptance form's variables, none of which the second round may show
    decision_label: str  # the first round's decision, as the 办理意见 panel shows it
    variables: dict[str, Any] = field(default_factory=lambda: {"applicant_name": "洛阳某有限公司"})
    credit_checked: bool = False  # the case waits for the credit platform before its acceptance


ITEMS = [
    Item(WINDOW, WINDOW_KEY, "accept",
         {"decision": "supplement", "missing_materials": f"{IDENTITY}：复印件不清晰", "opinion": "请补正"},
         ("decision", "materials_complete", "missing_materials", "reject_reason", "opinion"),
         "材料不全，一次性告知补正"),
    Item("SCJG-XK-0001", "food_business_licence", "acceptance_check",
         {"acceptance_decision": "incomplete", "missing_materials": "食品经营许可申请书：未签字", "opinion": "请补正"},
         ("acceptance_decision", "missing_materials", "reject_reason", "opinion"), "材料不全，一次性告知补正",
         variables=food_application(applicant_name="洛阳某有限公司")),
    Item("ZRZY-XK-0003", "construction_planning_permit", "acceptance_check",
         {"acceptance_decision": "incomplete", "missing_materials": "建设工程规划许可申请表：未盖章", "opinion": "请补正"},
         ("acceptance_decision", "missing_materials", "reject_reason", "opinion"), "材料不全，一次性告知补正"),
    Item("ZJJ-XK-0012", "construction_work_permit", "acceptance_check",
         {"acceptance_decision": "incomplete", "missing_materials": ["建设工程施工合同"], "defect_note": "合同未盖章",
          "opinion": "请补正"},
         ("acceptance_decision", "tolerated_materials", "missing_materials", "defect_note", "reject_reason",
          "opinion"), "材料不全，一次性告知补正"),
    Item("SCJG-YJS-0001", "restaurant_opening", "bundle_acceptance",
         {"bundle_acceptance": {"decision": "supplement", "opinion": "请补正"},
          "missing_materials": "经营场所使用证明：未提交"},
         ("bundle_acceptance", "missing_materials", "reject_reason"), "一次性告知补正",
         variables=dict(APPLICATION)),
    Item("WJW-XK-0005", "public_venue_hygiene_licence", "accept_commitment",
         {"acceptance_decision": "incomplete", "missing_materials": "公共场所卫生许可申请表：未签字"},
         ("acceptance_decision", "commitment_signed", "missing_materials", "reject_reason"), "材料不全，一次性告知补正",
         variables={"applicant_name": "洛阳某酒店管理有限公司", "venue_name": "某某酒店（住宿场所）"},
         credit_checked=True),
]


def supplemented(api: ApiClient, item: Item, business_key: str) -> tuple[int, dict[str, Any]]:
    """A case of ``item`` whose first acceptance round asked for a supplement, and the supplement came: the
    case and its acceptance task of the second round."""
    deploy_item(api, item.code)
    case_id = int(api.start(item.key, business_key=business_key, variables=item.variables)["id"])
    supply_materials(api, case_id, item.code)
    if item.credit_checked:
        send_message(api, "credit_checked", business_key, credit_status="good")
    complete_open_task(api, case_id, item.step, user="window_clerk", **item.first_round)
    assert "supplement_notice" in documents(api, case_id)
    send_message(api, "materials_supplemented", business_key)
    assert open_steps(api, case_id) == [item.step]
    return case_id, open_task(api, case_id, item.step)


@pytest.mark.parametrize("item", ITEMS, ids=[item.code for item in ITEMS])
def test_after_a_supplement_the_acceptance_form_starts_blank_and_the_first_round_stays_in_the_history(
        api: ApiClient, item: Item) -> None:
    business_key = f"R2-{item.code}"
    case_id, task = supplemented(api, item, business_key)
    shown = api.as_("window_clerk").get(f"/api/tasks/{task['id']}/form").get_json()["data"]
    assert not set(item.cleared) & set(shown), shown
    held = case(api, case_id)["variables"]
    assert not set(item.cleared) & set(held)
    assert {k: held[k] for k in item.variables} == item.variables  # the application itself is kept
    # The first completion's history entry keeps what was decided then.
    [first] = [e for e in history_events(api, case_id) if e["event"] == "task.completed"]
    assert {k: first["data"]["variables"][k] for k in item.first_round} == item.first_round
    # The 办理意见 panel of the second round shows the first round's decision.
    task_id = claimed(api, case_id, item.step)
    panel = opinions(Browser(api, "window_clerk").get(f"/tasks/{task_id}").text)
    assert item.decision_label in [row for rows in panel.values() for row in rows.values()]


def test_the_second_round_lists_only_what_is_still_missing_and_its_notice_is_written_afresh(api: ApiClient) -> None:
    case_id = window_case(api, "SX-2026-001020", leave_out=(IDENTITY, PROXY))
    window = Browser(api, "window_clerk")
    task_id = claimed(api, case_id, "accept")
    assert form_data(window.get(f"/tasks/{task_id}").text)["missing_materials"] == f"{IDENTITY}\n{PROXY}"
    window.post(f"/tasks/{task_id}", {"data": json.dumps(
        {"decision": "supplement", "missing_materials": f"{IDENTITY}：复印件不清晰\n{PROXY}：未提交"})})
    # The applicant brings the identity document; the proxy's papers are still missing.
    supply_materials(api, case_id, WINDOW, leave_out=(APPLICATION_FORM, PROXY))
    send_message(api, "materials_supplemented", "SX-2026-001020")
    again = claimed(api, case_id, "accept")
    data = form_data(window.get(f"/tasks/{again}").text)
    assert "decision" not in data and data["missing_materials"] == PROXY
    window.post(f"/tasks/{again}", {"data": json.dumps({"decision": "supplement",
                                                         "missing_materials": f"{PROXY}：未提交"})})
    listed = api.as_("integrator").get(f"/api/process-instances/{case_id}/documents").get_json()
    first, second = [d for d in listed if d["name"] == "supplement_notice"]
    issued = {d["id"]: api.as_("integrator").get(f"/api/process-instances/{case_id}/documents/{d['id']}?format=html")
              .get_data(as_text=True) for d in (first, second)}
    assert "共2项" in issued[first["id"]] and "复印件不清晰" in issued[first["id"]]  # as issued then
    assert "共1项" in issued[second["id"]] and IDENTITY not in issued[second["id"]]


def test_a_checklist_of_the_second_round_is_rebuilt_from_the_materials_now_missing(api: ApiClient) -> None:
    permit, key_material, non_key = "ZJJ-XK-0012", "建设工程施工合同", ["施工图设计文件审查合格书", "建设资金已落实承诺书"]
    deploy_item(api, permit)
    case_id = int(api.start("construction_work_permit", business_key="ZJ-2026-1001",
                            variables={"applicant_name": "洛阳某置业有限公司"})["id"])
    supply_materials(api, case_id, permit, leave_out=(key_material, *non_key))
    complete_open_task(api, case_id, "acceptance_check", user="window_clerk", acceptance_decision="incomplete",
                       missing_materials=[key_material, *non_key], defect_note="合同未盖章")
    # The key material comes with the supplement; the two non-key ones do not.
    api.as_("window_clerk").post(f"/api/process-instances/{case_id}/materials/marks",
                                 json={"name": key_material, "kind": "paper_checked"})
    send_message(api, "materials_supplemented", "ZJ-2026-1001")
    task_id = claimed(api, case_id, "acceptance_check")
    data = form_data(Browser(api, "window_clerk").get(f"/tasks/{task_id}").text)
    assert data["missing_materials"] == non_key and data["tolerated_materials"] == non_key
    assert "acceptance_decision" not in data and "defect_note" not in data
