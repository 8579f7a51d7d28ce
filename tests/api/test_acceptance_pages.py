"""The materials rule of acceptance in the pages (Flask test client): the acceptance task's page shows the
item's checklist with the missing key materials first, the engine's refusal in Chinese with what was typed
kept, and the clerk ticks a paper original as checked there; the intake page takes the same ticks and the
receipt lists how each material was received (收件清单); the case page shows, records and takes back marks,
and its timeline says who recorded them."""
from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from sqlalchemy import select

from engine.models import MaterialMark
from tests.api.test_pages_intake import Browser, generated
from tests.helpers import ApiClient, open_task
from tests.service_items import deploy_item, guide, supply_materials

CODE, KEY = "window-acceptance", "window_acceptance"
APPLICATION, IDENTITY, PROXY = (m["name"] for m in guide(CODE)["materials"])  # key, key, conditional non-key


def text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def section(page: str, element_id: str) -> str:
    found = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>(.*?)</\1>', page, re.DOTALL)
    assert found, f"no #{element_id} on the page"
    return found.group(2)


def rows(page: str, table: str = "acceptance-checklist") -> dict[str, str]:
    """The checklist rows of a part of the page: material name -> the row's status (data-status)."""
    part = page[page.index(f'id="{table}"'):]
    part = part[:part.index("</table>")]
    return {html.unescape(name): status for name, status in
            re.findall(r'data-material="([^"]+)".*?data-status="(\w+)"', part, re.DOTALL)}


@pytest.fixture
def window(api: ApiClient) -> Browser:
    deploy_item(api, CODE)
    return Browser(api, "window_clerk")


@pytest.fixture
def acceptance_task(api: ApiClient, window: Browser) -> dict[str, Any]:
    """A case with the application uploaded, the identity and the power of attorney not yet received, its
    acceptance task claimed by the window clerk."""
    case_id = int(api.start(KEY, business_key="SX-2026-000700", variables={"applicant_name": "张三"})["id"])
    supply_materials(api, case_id, CODE, leave_out=(IDENTITY, PROXY))
    task = open_task(api, case_id, "accept")
    assert api.as_("window_clerk").post(f"/api/tasks/{task['id']}/claim").status_code == 200
    return {"case_id": case_id, "task_id": task["id"]}


def test_the_acceptance_task_shows_the_checklist_with_the_missing_key_material_first(
        api: ApiClient, window: Browser, acceptance_task: dict[str, Any]) -> None:
    page = window.get(f"/tasks/{acceptance_task['task_id']}").text
    assert "受理材料核验" in page
    assert text(section(page, "key-missing")) == f"缺少关键材料 1 项：{IDENTITY} 关键材料不齐，不能受理，也不能容缺受理。"
    assert rows(page) == {APPLICATION: "electronic", IDENTITY: "missing", PROXY: "missing"}
    # A missing material offers 纸质原件已核验, a conditional one 不适用 too; an uploaded one nothing.
    assert re.findall(r'name="mark:([^"]+)" value="paper_checked" form="complete-form"', page) == [IDENTITY, PROXY]
    assert re.findall(r'name="mark:([^"]+)" value="not_applicable"', page) == [PROXY]
    # Any other task shows no checklist.
    api.as_("window_clerk").post(f"/api/process-instances/{acceptance_task['case_id']}/materials/marks",
                                 json={"name": IDENTITY, "kind": "paper_checked"})
    api.as_("window_clerk").post(f"/api/process-instances/{acceptance_task['case_id']}/materials/marks",
                                 json={"name": PROXY, "kind": "not_applicable"})
    after = window.get(f"/tasks/{acceptance_task['task_id']}").text
    assert "材料已齐全" in section(after, "acceptance-checklist") and 'id="key-missing"' not in after
    assert 'name="mark:' not in after
    window.post(f"/tasks/{acceptance_task['task_id']}",
                {"data": json.dumps({"decision": "accept", "materials_complete": True})})
    review = open_task(api, acceptance_task["case_id"], "review")
    assert "受理材料核验" not in Browser(api, "admin").get(f"/tasks/{review['id']}").text


def test_a_refused_acceptance_says_which_materials_in_chinese_and_keeps_the_form(
        api: ApiClient, window: Browser, acceptance_task: dict[str, Any]) -> None:
    typed = {"decision": "accept", "materials_complete": True, "opinion": "材料基本齐全"}
    refused = window.post(f"/tasks/{acceptance_task['task_id']}", {"data": json.dumps(typed)})
    assert refused.status_code == 422
    said = text(section(refused.text, "acceptance-refused"))
    assert said.startswith(f"不能受理：以下材料尚未收到：{IDENTITY}、{PROXY}。")
    assert "纸质原件已核验" in said
    kept = json.loads(re.search(r'id="form-data">(.*?)</script>', refused.text).group(1))
    assert kept["decision"] == "accept" and kept["opinion"] == "材料基本齐全"
    assert [t["bpmn_id"] for t in api.as_("supervisor").get(
        f"/api/process-instances/{acceptance_task['case_id']}").get_json()["tasks"]] == ["accept"]


def test_ticking_the_paper_original_on_the_task_page_records_it_and_the_case_is_accepted(
        api: ApiClient, window: Browser, acceptance_task: dict[str, Any]) -> None:
    done = window.post(f"/tasks/{acceptance_task['task_id']}", {
        "data": json.dumps({"decision": "accept", "materials_complete": True}), f"mark:{IDENTITY}": "paper_checked",
        f"mark:{PROXY}": "not_applicable"})
    assert done.status_code == 302
    case_id = acceptance_task["case_id"]
    assert [t["bpmn_id"] for t in api.as_("supervisor").get(f"/api/process-instances/{case_id}").get_json()["tasks"]] \
        == ["review"]
    history = api.as_("supervisor").get(f"/api/process-instances/{case_id}/history").get_json()
    recorded = [(e["actor"], e["data"]) for e in history if e["event"] == "material.recorded"]
    assert recorded == [("window_clerk", {"name": IDENTITY, "kind": "paper_checked"}),
                        ("window_clerk", {"name": PROXY, "kind": "not_applicable"})]
    # The case page's timeline says so, and who.
    timeline = Browser(api, "supervisor").get(f"/cases/{case_id}").text
    assert f"纸质原件已核验：{IDENTITY}" in text(timeline) and f"材料不适用：{PROXY}" in text(timeline)


def test_a_tick_the_checklist_does_not_allow_is_refused_and_nothing_completes(
        api: ApiClient, window: Browser, acceptance_task: dict[str, Any]) -> None:
    refused = window.post(f"/tasks/{acceptance_task['task_id']}", {
        "data": json.dumps({"decision": "accept", "materials_complete": True}), f"mark:{IDENTITY}": "not_applicable"})
    assert refused.status_code == 422
    assert open_task(api, acceptance_task["case_id"], "accept")["id"] == acceptance_task["task_id"]
    # Said in Chinese above the checklist, not as the engine's field path.
    said = text(section(refused.text, "mark-problems"))
    assert f"“{IDENTITY}”是每位申请人都须提交的材料，不能选择“不适用”。" in said and "marks." not in refused.text


def test_a_refused_acceptance_records_none_of_its_ticks_and_shows_them_ticked(
        api: ApiClient, window: Browser, acceptance_task: dict[str, Any]) -> None:
    refused = window.post(f"/tasks/{acceptance_task['task_id']}", {
        "data": json.dumps({"decision": "accept", "materials_complete": True}), f"mark:{IDENTITY}": "paper_checked"})
    assert refused.status_code == 422  # the power of attorney is still missing, with the tick counted
    assert text(section(refused.text, "acceptance-refused")).startswith(f"不能受理：以下材料尚未收到：{PROXY}。")
    assert re.search(rf'name="mark:{re.escape(IDENTITY)}" value="paper_checked" form="complete-form" checked',
                     refused.text)
    case_id = acceptance_task["case_id"]
    assert rows(window.get(f"/tasks/{acceptance_task['task_id']}").text)[IDENTITY] == "missing"
    history = api.as_("supervisor").get(f"/api/process-instances/{case_id}/history").get_json()
    assert [e for e in history if e["event"].startswith("material.re")] == []


# ---- 收件: the ticks at intake and the receipt's list --------------------------------------------------

def test_the_intake_ticks_are_recorded_and_the_receipt_lists_how_each_material_was_received(
        api: ApiClient, window: Browser) -> None:
    form = window.get(f"/work/intake/{CODE}").text
    assert re.findall(r'name="mark:([^"]+)" value="not_applicable"', form) == [PROXY]
    receipt = window.post(f"/work/intake/{CODE}", {
        "generated": generated(form), "applicant_name": "李四", f"mark:{IDENTITY}": "paper_checked",
        f"mark:{PROXY}": "not_applicable", f"mark:{APPLICATION}": ""})
    assert receipt.status_code == 200 and "收件回执" in receipt.text
    assert rows(receipt.text, "receipt-list") == {
        APPLICATION: "missing", IDENTITY: "paper_checked", PROXY: "not_applicable"}
    listed = text(section(receipt.text, "receipt-list"))
    assert f"{IDENTITY} 关键材料 纸质原件已核验" in listed and f"{APPLICATION} 关键材料 缺" in listed
    assert "window_clerk" not in listed  # the applicant's copy names no clerk beside each material
    number = re.search(r'id="receipt-number">([^<]+)<', receipt.text).group(1)
    [case] = api.as_("supervisor").get(f"/api/process-instances?business_key={number}").get_json()["items"]
    checklist = api.as_("supervisor").get(f"/api/process-instances/{case['id']}/materials/checklist").get_json()
    assert [(i["name"], i["status"], (i["mark"] or {}).get("recorded_by")) for i in checklist["items"]] == [
        (APPLICATION, "missing", None), (IDENTITY, "paper_checked", "window_clerk"),
        (PROXY, "not_applicable", "window_clerk")]


def test_not_applicable_for_a_material_every_applicant_brings_is_refused_before_anything_starts(
        api: ApiClient, window: Browser) -> None:
    form = window.get(f"/work/intake/{CODE}").text
    refused = window.post(f"/work/intake/{CODE}", {
        "generated": generated(form), "applicant_name": "李四", f"mark:{IDENTITY}": "not_applicable",
        f"mark:{PROXY}": "not_applicable"})
    assert refused.status_code == 422
    assert f"“{IDENTITY}”是每位申请人都须提交的材料，不能选择“不适用”。" in html.unescape(refused.text)
    # What was chosen comes back chosen.
    chosen = rf'name="mark:{re.escape(PROXY)}" value="not_applicable" form="complete-form" checked'
    assert re.search(chosen, refused.text)
    assert api.as_("supervisor").get("/api/process-instances").get_json()["items"] == []


# ---- the case page ------------------------------------------------------------------------------------

def test_the_case_page_records_and_takes_back_a_mark(api: ApiClient, window: Browser) -> None:
    case_id = int(api.start(KEY, business_key="SX-2026-000701", variables={"applicant_name": "张三"})["id"])
    page = window.get(f"/cases/{case_id}").text
    assert 'class="inline mark-material"' in page
    missing = re.search(rf'<tr class="checklist-row missing[^"]*"[^>]*data-material="{IDENTITY}">(.*?)</tr>',
                        page, re.DOTALL)
    assert missing and "缺" in text(missing.group(1)) and "未提交" not in page  # one word, as the receipt says
    answer = window.post(f"/cases/{case_id}/materials/marks", {"name": IDENTITY, "kind": "paper_checked"})
    assert answer.status_code == 303
    page = window.get(f"/cases/{case_id}").text
    row = re.search(rf'<tr class="checklist-row paper_checked[^"]*"[^>]*data-material="{IDENTITY}">(.*?)</tr>',
                    page, re.DOTALL)
    assert row and "纸质原件已核验" in text(row.group(1)) and "window_clerk" in text(row.group(1))
    assert f"已记录：{IDENTITY}（纸质原件已核验）" in html.unescape(page)
    [mark_id] = re.findall(r'/materials/marks/(\d+)/withdraw', page)
    assert window.post(f"/cases/{case_id}/materials/marks/{mark_id}/withdraw", {}).status_code == 303
    page = window.get(f"/cases/{case_id}").text
    assert "已撤销收件记录。" in page and f"撤销收件记录：{IDENTITY}" in text(page)
    refused = window.post(f"/cases/{case_id}/materials/marks", {"name": IDENTITY, "kind": "not_applicable"})
    assert refused.status_code == 303
    assert f"“{IDENTITY}”不能记录为该收件情况。" in html.unescape(window.get(f"/cases/{case_id}").text)
    # A supervisor reads the checklist but records nothing.
    assert 'class="inline mark-material"' not in Browser(api, "supervisor").get(f"/cases/{case_id}").text


def test_a_tolerant_acceptance_refused_names_the_key_material_and_the_page_says_what_may_be_tolerated(
        api: ApiClient) -> None:
    deploy_item(api, "ZJJ-XK-0012")
    key, non_key = "建设工程施工合同", "建设资金已落实承诺书"
    case_id = int(api.start("construction_work_permit", business_key="ZJ-2026-0700",
                            variables={"applicant_name": "某置业有限公司"})["id"])
    supply_materials(api, case_id, "ZJJ-XK-0012", leave_out=(key, non_key))
    task = open_task(api, case_id, "acceptance_check")
    assert api.as_("window_clerk").post(f"/api/tasks/{task['id']}/claim").status_code == 200
    window = Browser(api, "window_clerk")
    refused = window.post(f"/tasks/{task['id']}", {"data": json.dumps(
        {"acceptance_decision": "tolerant", "tolerated_materials": [non_key]})})
    assert refused.status_code == 422
    assert text(section(refused.text, "acceptance-refused")).startswith(
        f"不能容缺受理：关键材料不得容缺，尚未收到：{key}。")
    # The key one checked on paper: only a non-key one is missing, which tolerant acceptance may waive.
    api.as_("window_clerk").post(f"/api/process-instances/{case_id}/materials/marks",
                                 json={"name": key, "kind": "paper_checked"})
    page = window.get(f"/tasks/{task['id']}").text
    assert text(section(page, "non-key-missing")) == (
        f"尚缺非关键材料 1 项：{non_key}。 可容缺受理（列明暂缺材料及补齐期限），不能直接受理。")
    done = window.post(f"/tasks/{task['id']}", {"data": json.dumps(
        {"acceptance_decision": "tolerant", "tolerated_materials": [non_key]})})
    assert done.status_code == 302
    assert open_task(api, case_id, "review")


def test_the_case_page_says_a_mark_cannot_be_taken_back_once_the_case_was_accepted(
        api: ApiClient, window: Browser, acceptance_task: dict[str, Any]) -> None:
    case_id = acceptance_task["case_id"]
    done = window.post(f"/tasks/{acceptance_task['task_id']}", {
        "data": json.dumps({"decision": "accept", "materials_complete": True}), f"mark:{IDENTITY}": "paper_checked",
        f"mark:{PROXY}": "not_applicable"})
    assert done.status_code == 302
    accepted = window.get(f"/cases/{case_id}").text
    assert "mark-withdraw" not in accepted  # nothing to take back is offered any more
    with api.runtime.uow() as uow:
        mark_id = uow.session.scalars(select(MaterialMark.id).where(MaterialMark.instance_id == case_id)).first()
    # A page opened before the acceptance still has the button: taking back is refused in words.
    assert window.post(f"/cases/{case_id}/materials/marks/{mark_id}/withdraw", {}).status_code == 303
    page = html.unescape(window.get(f"/cases/{case_id}").text)
    assert "办件已受理，收件记录不能撤销。" in page and "不能再提交材料" not in page
