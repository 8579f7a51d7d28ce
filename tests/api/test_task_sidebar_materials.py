"""The task page's 申请材料 beside the form: what the window received other than as an upload — a paper original
checked (纸质原件已核验), not applicable (不适用), obtained through data sharing (已通过数据共享获取) — is listed
with its mark, so a section reviewing a case accepted on paper does not read 尚未提交材料 (bpmn/ZJJ-XK-0012)."""
from __future__ import annotations

import html
import re
from typing import Any

import pytest

from tests.api.test_worksheet_pages import signed_in, task_page
from tests.helpers import ApiClient, complete_open_task
from tests.service_items import deploy_item, guide, supply_materials

CODE, KEY = "ZJJ-XK-0012", "construction_work_permit"
SHARED, NOT_APPLICABLE = "建设工程规划许可证", "中标通知书"  # the guide marks them shared and conditional
UPLOADED = "建设工程施工合同"


@pytest.fixture
def api(api: ApiClient) -> ApiClient:
    deploy_item(api, CODE)
    return api


def sidebar_materials(page: str) -> list[tuple[str, str]]:
    """(name, what the list says of it after the name) of each line of the sidebar's 申请材料."""
    side = page[page.index('<aside class="panel side-col">'):]
    listed = re.search(r'<ul class="materials">(.*?)</ul>', side, re.DOTALL)
    if listed is None:
        return []
    lines = re.findall(r"<li[^>]*>(.*?)</li>", listed.group(1), re.DOTALL)
    texts = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", line)).split()) for line in lines]
    return [(text.split(" ", 1)[0], text.split(" ", 1)[1] if " " in text else "") for text in texts]


def mark(api: ApiClient, case_id: int, name: str, kind: str) -> None:
    marked = api.as_("window_clerk").post(f"/api/process-instances/{case_id}/materials/marks",
                                          json={"name": name, "kind": kind})
    assert marked.status_code == 201, marked.get_json()


def accepted_on_marks(api: ApiClient, business_key: str) -> dict[str, Any]:
    """A case accepted with one upload; every other material received at the window: the review is open."""
    case: dict[str, Any] = api.start(KEY, business_key=business_key, variables={"applicant_name": "洛阳某置业有限公司"})
    paper = tuple(m["name"] for m in guide(CODE)["materials"] if m["name"] not in (SHARED, NOT_APPLICABLE, UPLOADED))
    supply_materials(api, case["id"], CODE, leave_out=(SHARED, NOT_APPLICABLE), paper=paper)
    mark(api, case["id"], SHARED, "shared")
    mark(api, case["id"], NOT_APPLICABLE, "not_applicable")
    complete_open_task(api, case, "acceptance_check", user="window_clerk", acceptance_decision="accept")
    return case


def test_the_reviewing_section_sees_every_material_received_each_with_its_mark(app: Any, api: ApiClient) -> None:
    case = accepted_on_marks(api, "ZJ-2026-0701")
    page = task_page(signed_in(app, api, "permit_clerk"), api, case["id"], "review")
    listed = dict(sidebar_materials(page))
    assert "尚未提交材料" not in page
    assert set(listed) == {m["name"] for m in guide(CODE)["materials"]}
    assert listed[UPLOADED] == "scan.pdf · 26 B"  # an upload as before: its file and size
    assert listed[SHARED] == "已通过数据共享获取" and listed[NOT_APPLICABLE] == "不适用"
    assert listed["建筑工程施工许可证申请表"] == "纸质原件已核验"
    assert "window_clerk" not in str(listed)  # the mark, not who recorded it (the case page says so)

    english = signed_in(app, api, "permit_clerk").get(f"/tasks/{page_task_id(page)}",
                                                        headers={"Accept-Language": "en"}).text
    marks = dict(sidebar_materials(english))
    assert marks[SHARED] == "Obtained through data sharing" and marks["建筑工程施工许可证申请表"] == "Paper original checked"


def test_an_upload_whose_paper_original_was_checked_too_shows_both(app: Any, api: ApiClient) -> None:
    case: dict[str, Any] = api.start(KEY, business_key="ZJ-2026-0702")
    supply_materials(api, case["id"], CODE, leave_out=tuple(m["name"] for m in guide(CODE)["materials"]
                                                              if m["name"] != UPLOADED))
    mark(api, case["id"], UPLOADED, "paper_checked")
    page = task_page(signed_in(app, api, "window_clerk"), api, case["id"], "acceptance_check")
    assert sidebar_materials(page) == [(UPLOADED, "scan.pdf · 26 B 纸质原件已核验")]


def test_a_case_with_nothing_received_still_says_so(app: Any, api: ApiClient) -> None:
    case: dict[str, Any] = api.start(KEY, business_key="ZJ-2026-0703")
    page = task_page(signed_in(app, api, "window_clerk"), api, case["id"], "acceptance_check")
    side = page[page.index('<aside class="panel side-col">'):]
    assert sidebar_materials(page) == [] and "尚未提交材料。" in side


def page_task_id(page: str) -> str:
    found = re.search(r'action="/tasks/([^/"]+)"', page)
    assert found, "no task form on the page"
    return found.group(1)
