"""The acceptance step's lists of materials: the task page fills the 一次性告知 list with every missing
material and the 容缺 list with the missing non-key ones (the clerk edits them), and a tolerant acceptance
must list every material it waives — the notice asks the applicant for those alone."""
from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest

from engine import acceptance, materials
from tests.api.test_pages_intake import Browser
from tests.helpers import ApiClient, complete_open_task, open_steps, open_task
from tests.service_items import case_states, deploy_item, documents, guide, supply_materials

PERMIT, PERMIT_KEY = "ZJJ-XK-0012", "construction_work_permit"
KEY_MATERIAL = "建设工程施工合同"
NON_KEY = ["施工图设计文件审查合格书", "建设资金已落实承诺书"]
WINDOW, WINDOW_KEY = "window-acceptance", "window_acceptance"


def form_data(page: str) -> dict[str, Any]:
    """What the task page hands form-js to show."""
    found = re.search(r'<script type="application/json" id="form-data">(.*?)</script>', page, re.DOTALL)
    assert found, "no form data on the page"
    return json.loads(html.unescape(found.group(1)))


def claimed(api: ApiClient, case_id: int, step: str) -> str:
    task = open_task(api, case_id, step)
    assert api.as_("window_clerk").post(f"/api/tasks/{task['id']}/claim").status_code == 200
    return str(task["id"])


def permit_case(api: ApiClient, business_key: str, *, leave_out: tuple[str, ...]) -> int:
    deploy_item(api, PERMIT)
    case_id = int(api.start(PERMIT_KEY, business_key=business_key,
                            variables={"applicant_name": "洛阳某置业有限公司"})["id"])
    supply_materials(api, case_id, PERMIT, leave_out=leave_out)
    return case_id


def test_the_task_page_fills_both_lists_from_the_checklist_as_options(api: ApiClient) -> None:
    case_id = permit_case(api, "ZJ-2026-0801", leave_out=(*NON_KEY, KEY_MATERIAL))
    task_id = claimed(api, case_id, "acceptance_check")
    data = form_data(Browser(api, "window_clerk").get(f"/tasks/{task_id}").text)
    in_guide_order = [m["name"] for m in guide(PERMIT)["materials"] if m["name"] in {*NON_KEY, KEY_MATERIAL}]
    assert data["missing_materials"] == in_guide_order
    assert data["tolerated_materials"] == NON_KEY  # a key material is never offered for waiving
    # Once the key one is checked on paper, the lists say so on the next showing.
    api.as_("window_clerk").post(f"/api/process-instances/{case_id}/materials/marks",
                                 json={"name": KEY_MATERIAL, "kind": "paper_checked"})
    again = form_data(Browser(api, "window_clerk").get(f"/tasks/{task_id}").text)
    assert again["missing_materials"] == NON_KEY and again["tolerated_materials"] == NON_KEY


def test_a_text_list_gets_one_material_per_line_and_what_the_case_holds_is_kept(api: ApiClient) -> None:
    deploy_item(api, WINDOW)
    _, identity, proxy = (m["name"] for m in guide(WINDOW)["materials"])
    window = Browser(api, "window_clerk")
    case_id = int(api.start(WINDOW_KEY, business_key="SX-2026-000801", variables={"applicant_name": "张三"})["id"])
    supply_materials(api, case_id, WINDOW, leave_out=(identity, proxy))
    task_id = claimed(api, case_id, "accept")
    data = form_data(window.get(f"/tasks/{task_id}").text)
    assert data["missing_materials"] == f"{identity}\n{proxy}"
    assert "tolerated_materials" not in data  # the form has no such list
    # The notice names what the clerk sends, as edited.
    window.post(f"/tasks/{task_id}", {"data": json.dumps(
        {"decision": "supplement", "missing_materials": f"{identity}：复印件不清晰"})})
    notice = documents(api, case_id)["supplement_notice"]
    assert "共1项" in notice and "复印件不清晰" in notice and proxy not in notice
    # A list the case already holds is shown as it is.
    held = int(api.start(WINDOW_KEY, business_key="SX-2026-000802",
                         variables={"applicant_name": "李四", "missing_materials": "已拟好的清单"})["id"])
    held_task = claimed(api, held, "accept")
    assert form_data(window.get(f"/tasks/{held_task}").text)["missing_materials"] == "已拟好的清单"


def test_a_tolerant_acceptance_leaving_a_missing_material_unlisted_is_refused(api: ApiClient) -> None:
    case_id = permit_case(api, "ZJ-2026-0802", leave_out=tuple(NON_KEY))
    refused = complete_open_task(api, case_id, "acceptance_check", user="window_clerk", expect=422,
                                 acceptance_decision="tolerant", tolerated_materials=NON_KEY[:1])
    assert refused["error"]["code"] == "materials_missing"
    assert [(d["field"], d["material"]) for d in refused["error"]["details"]] == [
        ("tolerated_materials", NON_KEY[1])]
    assert open_steps(api, case_id) == ["acceptance_check"] and case_states(api, case_id) == ["已接件"]
    # The page says it in Chinese; listing both (or checking the paper original) accepts.
    window = Browser(api, "window_clerk")
    task_id = str(open_task(api, case_id, "acceptance_check")["id"])
    page = window.post(f"/tasks/{task_id}", {"data": json.dumps(
        {"acceptance_decision": "tolerant", "tolerated_materials": NON_KEY[:1]})})
    assert page.status_code == 422
    assert f"以下材料尚未收到，也未列为容缺材料：{NON_KEY[1]}" in html.unescape(page.text)
    api.as_("window_clerk").post(f"/api/process-instances/{case_id}/materials/marks",
                                 json={"name": NON_KEY[1], "kind": "paper_checked"})
    done = window.post(f"/tasks/{task_id}", {"data": json.dumps(
        {"acceptance_decision": "tolerant", "tolerated_materials": NON_KEY[:1]})})
    assert done.status_code == 302
    assert open_steps(api, case_id) == ["review"]


@pytest.mark.parametrize("tolerated", [NON_KEY, "\n".join(NON_KEY)], ids=["names", "text"])
def test_a_list_naming_every_missing_material_is_taken_as_names_or_a_text(tolerated: Any) -> None:
    def item(name: str) -> materials.ChecklistItem:
        return materials.ChecklistItem(name=name, key=False, conditional=False, shared=False, form=None, copies=None,
                                       electronic=None, departments=[], needed_by_me=True, submitted=[])

    items = [item(name) for name in NON_KEY]
    assert acceptance.unlisted(items, {acceptance.TOLERATED_LIST: tolerated}) == []
    assert [i.name for i in acceptance.unlisted(items, {acceptance.TOLERATED_LIST: NON_KEY[1:]})] == NON_KEY[:1]
    assert acceptance.unlisted(items, {}) == []  # a step keeping no list: the diagram's concern


def test_a_supplement_cannot_ask_for_what_the_window_marked_not_applicable_on_the_same_page(api: ApiClient) -> None:
    """The 一次性告知 list is filled when the page opens; a material ticked 不适用 on it afterwards would still be
    demanded by the notice: refused beside the list, nothing recorded, and taken once the list is corrected."""
    deploy_item(api, WINDOW)
    _, identity, proxy = (m["name"] for m in guide(WINDOW)["materials"])
    window = Browser(api, "window_clerk")
    case_id = int(api.start(WINDOW_KEY, business_key="SX-2026-000803", variables={"applicant_name": "张三"})["id"])
    supply_materials(api, case_id, WINDOW, leave_out=(identity, proxy))
    task_id = claimed(api, case_id, "accept")
    both = f"{identity}\n{proxy}"
    refused = window.post(f"/tasks/{task_id}", {"data": json.dumps(
        {"decision": "supplement", "missing_materials": both}), f"mark:{proxy}": "not_applicable"})
    assert refused.status_code == 422
    assert f"{proxy} 已登记为不适用或已通过数据共享获取，申请人无需提交，不能列入补正" in html.unescape(refused.text)
    assert open_steps(api, case_id) == ["accept"] and "supplement_notice" not in documents(api, case_id)
    checklist = api.as_("window_clerk").get(f"/api/process-instances/{case_id}/materials/checklist").get_json()
    assert {i["name"]: i["status"] for i in checklist["items"]}[proxy] == "missing"  # the tick went with it
    done = window.post(f"/tasks/{task_id}", {"data": json.dumps(
        {"decision": "supplement", "missing_materials": identity}), f"mark:{proxy}": "not_applicable"})
    assert done.status_code in (302, 303), done.text
    notice = documents(api, case_id)["supplement_notice"]
    assert identity in notice and proxy not in notice

