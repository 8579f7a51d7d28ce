"""Where a case stands, said alike everywhere: a case the applicant withdrew reads 已撤件 on its progress page
and counts as 撤件 in supervision (a case the office terminated does neither); supervision's case list and a
task completion's answer carry the case state the case's own view reads; an answered complaint reads
办结(已答复), not 办结(通过)."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from engine import supervision_board
from engine.users import Actor
from tests.api.test_complaints import file_complaint, instance_of
from tests.api.test_complaints import library as complaint_library
from tests.api.test_pages import Browser
from tests.api.test_pages_public import accepted_food_case, deploy_library, lookup, text_of
from tests.applicants import add_clerk
from tests.case_pages import clock_of, signed_in
from tests.helpers import ApiClient, complete_open_task, complete_task, seed_national_calendar
from tests.reviewed_item import reviewed_item_bpmn

SUPERVISOR = Actor("supervisor", roles=frozenset({"supervisor"}))

# An item with a clock from its acceptance (10 working days), then approved or deemed withdrawn (中止审批).
TIMED = reviewed_item_bpmn("timed_item", "限时办结的事项", withdrawn_end=("stopped", "中止审批，视为撤回申请"),
                           promised_days=10, clock_from_acceptance=True)


@pytest.fixture
def timed(api: ApiClient, tmp_path: Path) -> ApiClient:
    seed_national_calendar(api.runtime)
    (tmp_path / "timed_item.bpmn").write_text(TIMED, encoding="utf-8")
    api.deploy(tmp_path / "timed_item.bpmn")
    return api


def accepted(api: ApiClient, key: str) -> dict[str, Any]:
    """A case of the timed item accepted (its clock running); the completion's answer."""
    case = api.start("timed_item", business_key=key)
    return complete_task(api, case["tasks"][0], user="window_clerk")  # type: ignore[no-any-return]


def view(api: ApiClient, case_id: int) -> dict[str, Any]:
    response = api.as_("supervisor").get(f"/api/process-instances/{case_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def terminate(api: ApiClient, case_id: int, reason: str, *, withdrawn: bool) -> None:
    ended = api.as_("supervisor").post(f"/api/process-instances/{case_id}/terminate",
                                       json={"reason": reason, "withdrawn": withdrawn})
    assert ended.status_code == 200, ended.get_json()


@pytest.fixture
def supervisor_page(app: Any, runtime: Any) -> Browser:
    return signed_in(app, runtime, "zhou", roles=["supervisor"])


@pytest.fixture
def visitor(app: Any) -> Browser:
    return Browser(app.test_client())


# ---- 1. withdrawn, not terminated ----------------------------------------------------------------------

def test_a_case_the_applicant_withdrew_reads_已撤件_on_its_progress_page_and_one_the_office_ended_已终止(
        api: ApiClient, visitor: Browser) -> None:
    """The terminating call says the applicant withdrew, whatever its reason reads: badge and time label say
    so, as 当前状态 does; a termination by the office keeps 已终止 and 终止时间."""
    deploy_library(api)
    withdrawn, ended = accepted_food_case(api, "SCJG-2026-0170"), accepted_food_case(api, "SCJG-2026-0171")
    terminate(api, withdrawn["id"], "电话联系后办理", withdrawn=True)
    terminate(api, ended["id"], "经办人核查后内部决定终止", withdrawn=False)

    page = lookup(visitor, "SCJG-2026-0170", withdrawn["query_code"]).text
    assert re.search(r'<span class="badge badge-state-terminated">已撤件</span>', page)
    assert text_of(page, "ended-label") == "撤件时间" and "终止时间" not in page and "已终止" not in page
    assert "<span class=\"badge badge-case\">已撤件</span>" in page  # 当前状态, as before
    english = visitor.get("/public/progress", headers={"Accept-Language": "en"}).text
    assert text_of(english, "ended-label") == "Withdrawn"

    page = lookup(visitor, "SCJG-2026-0171", ended["query_code"]).text
    assert re.search(r'<span class="badge badge-state-terminated">已终止</span>', page)
    assert text_of(page, "ended-label") == "终止时间" and "撤件时间" not in page


def test_supervision_counts_as_撤件_only_the_cases_that_ended_withdrawn_on_the_board_and_in_the_statistics(
        timed: ApiClient, supervisor_page: Browser) -> None:
    """Five cases end before their deadline: one the applicant withdrew, one its diagram deemed withdrawn
    (中止审批，视为撤回申请), two the office terminated, one approved. The first two are 撤件; the office's
    terminations finished, as the approved case did. The API, the board page and each case's clock agree."""
    cases = {name: accepted(timed, name)["id"]
             for name in ("withdrew", "deemed", "office", "office_too", "approved", "open")}
    terminate(timed, cases["withdrew"], "电话联系后办理", withdrawn=True)
    terminate(timed, cases["office"], "申请人撤回申请的说法不实，依法终止", withdrawn=False)
    terminate(timed, cases["office_too"], "材料涉嫌伪造，移交稽查", withdrawn=False)
    for name, lapsed in (("deemed", True), ("approved", False)):
        review = complete_open_task(timed, cases[name], "review", user="office_clerk", reader="admin",
                                    lapsed=lapsed)
        assert review["state"] == "completed"
    assert view(timed, cases["deemed"])["end_kind"] == "withdrawn"

    [stats] = timed.as_("supervisor").get("/api/supervision/stats").get_json()
    assert {k: stats[k] for k in ("total", "finished", "finished_on_time", "withdrawn", "open")} == \
        {"total": 6, "finished": 3, "finished_on_time": 3, "withdrawn": 2, "open": 1}
    [by_department] = timed.as_("supervisor").get("/api/supervision/stats?by=department").get_json()
    assert (by_department["finished"], by_department["withdrawn"], by_department["open"]) == (3, 2, 1)

    page = supervisor_page.get("/supervision").text
    row = page.split('<tr data-item="timed_item">')[1].split("</tr>")[0]
    assert '<td class="num withdrawn">2</td>' in row

    panels = {name: supervision_board.case_clock(timed.runtime.uow(), case_id, actor=SUPERVISOR)
              for name, case_id in cases.items()}
    assert {name: panel.withdrawn for name, panel in panels.items() if panel is not None} == \
        {"withdrew": True, "deemed": True, "office": False, "office_too": False, "approved": False, "open": False}
    office = clock_of(supervisor_page.get(f"/cases/{cases['office']}").text)
    assert "已撤件" not in office


# ---- 2. the case state in supervision's list and in a completion's answer ------------------------------

def test_supervision_s_case_list_says_where_each_case_stands_as_the_case_s_own_view(timed: ApiClient) -> None:
    running = accepted(timed, "SUP-1")["id"]
    suspended = accepted(timed, "SUP-2")["id"]
    assert timed.as_("supervisor").post(f"/api/process-instances/{suspended}/suspend",
                                        json={"reason": "等待上级部门答复"}).status_code == 200
    listed = timed.as_("supervisor").get("/api/supervision/cases").get_json()
    assert len(listed) == 2
    for row in listed:
        shown = view(timed, row["process_instance_id"])
        assert (row["case_state"], row["instance_state"]) == (shown["case_state"], shown["state"])
    states = {row["process_instance_id"]: (row["instance_state"], row["case_state"]) for row in listed}
    assert states == {running: ("running", "已受理"), suspended: ("suspended", "已受理")}
    page = timed.as_("supervisor").get("/api/supervision/cases?limit=1&offset=1")
    assert page.headers["X-Total-Count"] == "2" and [r["case_state"] for r in page.get_json()] == ["已受理"]
    spec = timed.client.get("/api/openapi.json").get_json()
    properties = spec["components"]["schemas"]["SupervisedCase"]["properties"]
    assert "已受理" in properties["case_state"]["description"]
    assert "suspended" in properties["instance_state"]["description"]


def test_a_completion_s_answer_says_where_the_case_stands_as_reading_the_case_right_after(
        timed: ApiClient) -> None:
    answer = accepted(timed, "DONE-1")
    assert answer["case_state"] == view(timed, answer["id"])["case_state"] == "已受理"
    [review] = answer["tasks"]
    done = complete_task(timed, review, user="office_clerk", lapsed=False)
    shown = view(timed, answer["id"])
    assert (done["case_state"], done["end_kind"]) == (shown["case_state"], shown["end_kind"]) == ("办结(通过)", None)


# ---- 3. an answered complaint ---------------------------------------------------------------------------

def test_an_answered_complaint_reads_办结_已答复_not_approved(api: ApiClient, visitor: Browser) -> None:
    complaint_library(api)
    filed = file_complaint(api)
    case_id = instance_of(api, filed["complaint_no"])
    desk = add_clerk(api, "desk_clerk", "complaints")
    complete_open_task(desk, case_id, "register", reader="admin", handling_group="zwfw")
    complete_open_task(api.as_("zwfw_clerk"), case_id, "handle", reader="admin", handling_result="已责成窗口改正")
    answered = complete_open_task(desk, case_id, "answer", reader="admin", answer="已电话答复投诉人处理结果",
                                  answer_channel="phone")
    shown = view(api, case_id)["case_state"]
    assert shown == "办结(已答复)" and answered["case_state"] == shown

    page = lookup(visitor, filed["complaint_no"], filed["query_code"]).text
    assert '<span class="badge badge-case">办结（已答复）</span>' in page
    assert "通过" not in page
    english = visitor.get("/public/progress", headers={"Accept-Language": "en"}).text
    assert '<span class="badge badge-case">Done (answered)</span>' in english
