"""Materials the window obtains through data sharing (通过数据共享获取): a material its guide marks ``shared``
may be recorded so, the applicant need not bring it and the acceptance counts it as received; no other
may. The pages offer it where the guide allows it, the timeline words it, and a changed note reads as one."""
from __future__ import annotations

import html
import io
import json
import re

import pytest

from tests.api.test_pages_intake import Browser
from tests.helpers import ApiClient, complete_open_task, open_steps, open_task
from tests.service_items import deploy_item, guide, item_files, supply_materials

CODE, KEY = "ZJJ-XK-0012", "construction_work_permit"
SHARED = "建设工程规划许可证"  # key, and shared: the planning permit the planning bureau issued
CONTRACT = "建设工程施工合同"  # key, brought by the applicant


def text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture
def case_id(api: ApiClient) -> int:
    deploy_item(api, CODE)
    started = api.start(KEY, business_key="ZJ-2026-0900", variables={"applicant_name": "洛阳某置业有限公司"})
    supply_materials(api, int(started["id"]), CODE, leave_out=(SHARED, CONTRACT))
    return int(started["id"])


def mark(api: ApiClient, case_id: int, name: str, kind: str, note: str | None = None) -> tuple[int, dict]:
    answer = api.as_("window_clerk").post(f"/api/process-instances/{case_id}/materials/marks",
                                          json={"name": name, "kind": kind, "note": note})
    return answer.status_code, answer.get_json()


def test_a_shared_material_obtained_by_the_window_counts_for_acceptance(api: ApiClient, case_id: int) -> None:
    assert [m["name"] for m in guide(CODE)["materials"] if m.get("shared")] == [SHARED]
    status, body = mark(api, case_id, SHARED, "shared", note="规划许可证号 建字第410302202600031号")
    assert status == 201 and body["kind"] == "shared"
    checklist = api.as_("window_clerk").get(f"/api/process-instances/{case_id}/materials/checklist").get_json()
    items = {i["name"]: i for i in checklist["items"]}
    assert (items[SHARED]["status"], items[SHARED]["shared"]) == ("shared", True)
    assert items[CONTRACT]["shared"] is False
    # Still one key material missing: not yet.
    refused = complete_open_task(api, case_id, "acceptance_check", user="window_clerk", expect=422,
                                 acceptance_decision="accept")
    assert [d["material"] for d in refused["error"]["details"]] == [CONTRACT]
    mark(api, case_id, CONTRACT, "paper_checked")
    complete_open_task(api, case_id, "acceptance_check", user="window_clerk", acceptance_decision="accept")
    assert open_steps(api, case_id) == ["review"]


def test_after_the_acceptance_a_mark_keeps_its_kind_and_the_page_offers_no_other(api: ApiClient,
                                                                                  case_id: int) -> None:
    """Accepted on 已通过数据共享获取, the material stays so: the acceptance read it (as a mark is not taken back
    then). Its note may still change; the page offers no buttons to mark it otherwise."""
    mark(api, case_id, SHARED, "shared", note="规划许可证号 建字第410302202600031号")
    mark(api, case_id, CONTRACT, "paper_checked")
    complete_open_task(api, case_id, "acceptance_check", user="window_clerk", acceptance_decision="accept")
    status, body = mark(api, case_id, SHARED, "paper_checked")
    assert status == 409 and body["error"]["state"] == "accepted" and SHARED in body["error"]["message"]
    checklist = api.as_("window_clerk").get(f"/api/process-instances/{case_id}/materials/checklist").get_json()
    assert {i["name"]: i["status"] for i in checklist["items"]}[SHARED] == "shared"
    status, _ = mark(api, case_id, SHARED, "shared", note="规划许可证号 建字第410302202600032号（更正）")
    assert status == 201
    page = Browser(api, "window_clerk").get(f"/cases/{case_id}").text
    row = re.search(rf'<tr class="checklist-row[^>]*data-material="{SHARED}">.*?</tr>', page, re.DOTALL).group(0)
    assert "mark-material" not in row and "mark-withdraw" not in row


def test_only_a_material_the_guide_marks_shared_may_be_recorded_so(api: ApiClient, case_id: int) -> None:
    status, body = mark(api, case_id, CONTRACT, "shared")
    assert status == 422
    [problem] = body["error"]["details"]
    assert (problem["field"], problem["rule"], problem["material"]) == ("kind", "not_shared", CONTRACT)
    # The task page says so in Chinese beside the row, and records nothing.
    task = open_task(api, case_id, "acceptance_check")
    assert api.as_("window_clerk").post(f"/api/tasks/{task['id']}/claim").status_code == 200
    window = Browser(api, "window_clerk")
    page = window.post(f"/tasks/{task['id']}", {"data": json.dumps({"acceptance_decision": "accept"}),
                                                f"mark:{CONTRACT}": "shared", f"mark:{SHARED}": "shared"})
    assert page.status_code == 422
    assert f"“{CONTRACT}”不能通过数据共享获取，须由申请人提交。" in html.unescape(page.text)
    checklist = api.as_("window_clerk").get(f"/api/process-instances/{case_id}/materials/checklist").get_json()
    assert {i["name"]: i["status"] for i in checklist["items"]}[SHARED] == "missing"


def test_a_guide_whose_shared_is_not_true_or_false_is_refused_at_deploy(api: ApiClient) -> None:
    files = dict(item_files(CODE))
    content = json.loads(files[f"{CODE}/guide.json"])
    content["materials"][1]["shared"] = "是"
    uploads = [(io.BytesIO(json.dumps(content, ensure_ascii=False).encode()), f"{CODE}/guide.json")]
    analyst = api.as_("analyst")
    answer = analyst.client.post("/api/deployments", data={"files": uploads}, headers=analyst.headers(),
                                 content_type="multipart/form-data")
    assert answer.status_code == 422
    assert any("materials[1].shared" in json.dumps(d, ensure_ascii=False) for d in answer.get_json()["error"]["details"])


def test_the_pages_offer_it_where_allowed_and_the_timeline_words_it(api: ApiClient, case_id: int) -> None:
    task = open_task(api, case_id, "acceptance_check")
    assert api.as_("window_clerk").post(f"/api/tasks/{task['id']}/claim").status_code == 200
    window = Browser(api, "window_clerk")
    page = window.get(f"/tasks/{task['id']}").text
    assert re.findall(r'name="mark:([^"]+)" value="shared"', html.unescape(page)) == [SHARED]
    case_page = html.unescape(window.get(f"/cases/{case_id}").text)
    assert case_page.count('name="kind" value="shared"') == 1
    intake = html.unescape(window.get(f"/work/intake/{CODE}").text)
    assert re.findall(r'name="mark:([^"]+)" value="shared"', intake) == [SHARED]
    # Recorded from the case page, with the certificate's number; then the note corrected.
    window.post(f"/cases/{case_id}/materials/marks", {"name": SHARED, "kind": "shared"})
    mark(api, case_id, SHARED, "shared", note="建字第410302202600031号")
    timeline = text(window.get(f"/cases/{case_id}").text)
    assert f"通过数据共享获取材料：{SHARED}" in timeline
    assert f"修改收件说明：{SHARED}" in timeline and "建字第410302202600031号" in timeline
    # The applicant's guide says it need not be brought.
    code_page = text(api.client.get(f"/public/catalogue/{CODE}").get_data(as_text=True))
    assert "窗口可通过数据共享获取的，申请人无需提交。" in code_page
