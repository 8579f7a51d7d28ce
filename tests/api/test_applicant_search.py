"""Finding a case by its applicant's name (申请人): the case row keeps the name its variables hold, written at
start and by every command that changes it; the queue, the case list, GET /api/tasks and
GET /api/process-instances take part of it (case-insensitive, full-width forms read as NFKC), and narrow
only what the reader may already see."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import select

from engine.models import ProcessInstance
from tests.api.test_pages_intake import Browser, text
from tests.helpers import FIXTURES, ApiClient, complete_open_task


def _stored(api: ApiClient, case_id: int) -> str | None:
    with api.runtime.uow() as uow:
        return uow.session.scalar(select(ProcessInstance.applicant_name).where(ProcessInstance.id == case_id))


def _start(api: ApiClient, number: str, **variables: Any) -> int:
    return int(api.start("simple_approval", business_key=number, variables={"reviewGroup": "office", **variables})["id"])


def _cases(api: ApiClient, user: str, query: str) -> list[str]:
    response = api.as_(user).get(f"/api/process-instances?{query}")
    assert response.status_code == 200, response.get_json()
    return sorted(c["business_key"] for c in response.get_json()["items"])


def _tasks(api: ApiClient, user: str, query: str) -> list[str]:
    response = api.as_(user).get(f"/api/tasks?{query}")
    assert response.status_code == 200, response.get_json()
    return sorted(t["business_key"] for t in response.get_json()["items"])


def _queue_rows(page: str) -> dict[str, list[str]]:
    """Case number -> the text of each cell of its queue row."""
    rows = re.findall(r'<tr class="task-row[^"]*"[^>]*>(.*?)</tr>', page, re.DOTALL)
    cells = [[text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)] for row in rows]
    return {row[1]: row for row in cells}


def _list_rows(page: str) -> dict[str, list[str]]:
    rows = re.findall(r'<tr class="case-row" data-case="\d+">(.*?)</tr>', page, re.DOTALL)
    cells = [[text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)] for row in rows]
    return {row[0]: row for row in cells}


def test_the_case_keeps_its_applicant_from_the_start_and_a_command_that_changes_it(api: ApiClient) -> None:
    api.deploy("simple_approval.bpmn", "accept.form")
    case = _start(api, "SQ-1", applicant_name="  张三  ")
    nameless = _start(api, "SQ-2")
    other_key = _start(api, "SQ-3", applicant="ＡＢＣ科技有限公司")  # an integrator's own name for it
    assert (_stored(api, case), _stored(api, nameless), _stored(api, other_key)) == ("张三", None, "ABC科技有限公司")

    complete_open_task(api, case, "accept", user="window_clerk", accepted=True, amount=10)
    assert _stored(api, case) == "张三"  # a command that leaves it as it was
    complete_open_task(api, case, "review", user="office_clerk", applicant_name="张三丰")
    assert _stored(api, case) == "张三丰"  # the case has ended, its last step renamed the applicant


def test_a_confidential_applicant_name_is_not_kept(api: ApiClient, tmp_path: Path) -> None:
    diagram = FIXTURES / "simple_approval.bpmn"
    source = diagram.read_text().replace(
        '<bpmn:process id="simple_approval" name="简易审批" isExecutable="true">',
        '<bpmn:process id="simple_approval" name="简易审批" isExecutable="true"><bpmn:extensionElements>'
        '<camunda:properties><camunda:property name="govflow.confidential" value="applicant_name" />'
        '</camunda:properties></bpmn:extensionElements>')
    assert source != diagram.read_text()
    (tmp_path / "simple_approval.bpmn").write_text(source)
    api.deploy(tmp_path / "simple_approval.bpmn", "accept.form")
    case = _start(api, "SQ-9", applicant_name="王五")
    assert _stored(api, case) is None
    assert _cases(api, "supervisor", "applicant=王五") == []


def test_the_apis_find_cases_and_tasks_by_part_of_the_applicant_s_name(api: ApiClient) -> None:
    api.deploy("simple_approval.bpmn", "accept.form")
    _start(api, "SQ-1", applicant_name="张三")
    _start(api, "SQ-2", applicant_name="张三丰")
    _start(api, "SQ-3", applicant_name="李四")
    _start(api, "SQ-4", applicant_name="Acme 科技有限公司")
    _start(api, "SQ-5")
    assert _cases(api, "supervisor", "applicant=张三") == ["SQ-1", "SQ-2"]
    assert _cases(api, "supervisor", "applicant=三丰") == ["SQ-2"]
    assert _cases(api, "supervisor", "applicant=%EF%BD%81%EF%BD%83%EF%BD%8D%EF%BD%85") == ["SQ-4"]  # ａｃｍｅ
    assert _cases(api, "supervisor", "applicant=100%25") == []  # a LIKE wildcard is a character like any
    assert _cases(api, "supervisor", "applicant=张三&business_key=SQ-2") == ["SQ-2"]
    assert _tasks(api, "window_clerk", "applicant=张三") == ["SQ-1", "SQ-2"]
    assert _tasks(api, "window_clerk", "applicant=ACME") == ["SQ-4"]
    assert _tasks(api, "window_clerk", "applicant=王") == []
    assert api.as_("supervisor").get("/api/tasks?applicant=" + "张" * 101).status_code == 422
    spec = api.get("/api/openapi.json").get_json()
    for path in ("/api/tasks", "/api/process-instances"):
        [found] = [p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == "applicant"]
        assert found["in"] == "query" and "applicant" in found["description"]


def test_searching_by_name_shows_a_clerk_no_case_outside_their_scope(api: ApiClient) -> None:
    api.deploy("simple_approval.bpmn", "accept.form")
    window_only = _start(api, "SQ-1", applicant_name="张三")
    reviewed = _start(api, "SQ-2", applicant_name="张三丰")
    complete_open_task(api, reviewed, "accept", user="window_clerk", accepted=True, amount=10)
    # office_clerk (in no department) reads the cases with a task of theirs: SQ-2's review, not SQ-1.
    assert _cases(api, "office_clerk", "applicant=张三") == ["SQ-2"]
    assert _tasks(api, "office_clerk", "applicant=张三&state=all") == ["SQ-2"]
    assert _cases(api, "office_clerk", "") == ["SQ-2"]  # the filter found nothing it did not already show
    assert "SQ-1" not in _list_rows(Browser(api, "office_clerk").get("/cases?applicant=张三").text)
    assert "SQ-1" not in Browser(api, "office_clerk").get("/queue?applicant=张三").text
    assert _cases(api, "supervisor", "applicant=张三") == ["SQ-1", "SQ-2"]
    assert window_only != reviewed


def test_the_queue_filters_by_applicant_keeps_the_filter_in_its_address_and_shows_the_name(api: ApiClient) -> None:
    api.deploy("simple_approval.bpmn", "accept.form")
    _start(api, "SQ-1", applicant_name="张三")
    _start(api, "SQ-2", applicant_name="李四")
    _start(api, "SQ-3")
    clerk = Browser(api, "window_clerk")
    everything = _queue_rows(clerk.get("/queue").text)
    assert sorted(everything) == ["SQ-1", "SQ-2", "SQ-3"]
    assert everything["SQ-1"][2] == "张三" and everything["SQ-3"][2] == ""  # the 申请人 column
    page = clerk.get("/queue?applicant=%EF%BC%A8%EF%BC%A9%E5%BC%A0").text  # "ＨＩ张": no such applicant
    assert _queue_rows(page) == {}
    page = clerk.get("/queue?applicant=+%E5%BC%A0+").text  # " 张 "
    assert sorted(_queue_rows(page)) == ["SQ-1"]
    assert re.search(r'<input name="applicant" value=" 张 "', page), "the field keeps what was typed"
    assert 'name="applicant"' in page and "申请人" in page


def test_the_case_list_filters_by_applicant_and_shows_the_name(api: ApiClient) -> None:
    api.deploy("simple_approval.bpmn", "accept.form")
    _start(api, "SQ-1", applicant_name="张三")
    _start(api, "SQ-2", applicant_name="Zhang San")
    _start(api, "SQ-3", applicant_name="李四")
    clerk = Browser(api, "window_clerk")
    rows = _list_rows(clerk.get("/cases").text)
    assert sorted(rows) == ["SQ-1", "SQ-2", "SQ-3"]
    assert "李四" in rows["SQ-3"]
    assert sorted(_list_rows(clerk.get("/cases?applicant=zhang").text)) == ["SQ-2"]
    assert sorted(_list_rows(clerk.get("/cases?applicant=张").text)) == ["SQ-1"]
    page = clerk.get("/cases?applicant=%E5%BC%A0&number=SQ-3").text
    assert _list_rows(page) == {} and 'value="张"' in page
