"""Judging overdue reasons (SX45): a supervisor finds a recorded reason justified or not; the cases overdue
without a justified reason are reported, until their department explains again and is judged afresh."""
from __future__ import annotations

from typing import Any

import pytest

from tests.api.test_overdue_reasons import MOMENT, explain, red_cases  # noqa: F401 - the fixture
from tests.api.test_pages import Browser, person


def judge(api: Any, instance_id: int, **body: Any) -> Any:
    return api.post(f"/api/process-instances/{instance_id}/overdue-reason/verdict", json=body)


@pytest.fixture
def explained(api: Any, red_cases: dict[str, int]) -> dict[str, int]:  # noqa: F811 - the fixture above
    response = explain(api.as_("window_clerk"), red_cases["red"], reason="检验机构延迟出具报告",
                       category="coordination")
    assert response.status_code == 201, response.get_json()
    return red_cases


def test_an_unjustified_reason_reports_the_case_until_a_new_reason_is_judged(api, explained):
    supervisor = api.as_("supervisor")
    refused = judge(supervisor, explained["red"], verdict="unjustified")
    assert refused.status_code == 422 and refused.get_json()["error"]["details"][0]["field"] == "opinion"
    judged = judge(supervisor, explained["red"], verdict="unjustified", opinion="检验报告早已出具，系本部门拖延")
    assert judged.status_code == 200, judged.get_json()
    assert {k: judged.get_json()[k] for k in ("reason", "verdict", "verdict_opinion", "verdict_by", "verdict_at")} == {
        "reason": "检验机构延迟出具报告", "verdict": "unjustified", "verdict_opinion": "检验报告早已出具，系本部门拖延",
        "verdict_by": "supervisor", "verdict_at": MOMENT.isoformat()}

    listed = supervisor.get("/api/supervision/unjustified")
    [reported] = listed.get_json()
    assert listed.headers["X-Total-Count"] == "1"
    assert supervisor.get("/api/supervision/unjustified?limit=1&offset=1").get_json() == []
    assert (reported["process_instance_id"], reported["process_key"]) == (explained["red"], "food_business_licence")
    assert reported["reason"]["verdict_opinion"] == "检验报告早已出具，系本部门拖延"
    assert supervisor.get("/api/supervision/unjustified?since=2026-03-19").get_json() == []
    board = {c["process_instance_id"]: c for c in supervisor.get("/api/supervision/cases").get_json()}
    assert board[explained["red"]]["overdue_reason_verdict"] == "unjustified"
    history = api.get(f"/api/process-instances/{explained['red']}/history").get_json()
    [item] = [e for e in history if e["event"] == "supervision.overdue_verdict"]
    assert (item["actor"], item["data"]["verdict"]) == ("supervisor", "unjustified")

    assert reported["current"] is True
    # The department explains again: a new reason, not judged yet; the report made stays, marked superseded.
    assert explain(api.as_("window_clerk"), explained["red"], reason="现场核查因申请人原因两次改期",
                   category="applicant").status_code == 201
    [reported] = supervisor.get("/api/supervision/unjustified").get_json()
    assert (reported["reason"]["reason"], reported["current"]) == ("检验机构延迟出具报告", False)
    board = {c["process_instance_id"]: c for c in supervisor.get("/api/supervision/cases").get_json()}
    assert board[explained["red"]]["overdue_reason_verdict"] is None
    justified = judge(supervisor, explained["red"], verdict="justified")
    assert justified.status_code == 200 and justified.get_json()["verdict_opinion"] is None


def test_only_supervisors_judge_and_only_a_recorded_reason(api, explained):
    assert judge(api.as_("window_clerk"), explained["red"], verdict="justified").status_code == 403
    assert api.as_("window_clerk").get("/api/supervision/unjustified").status_code == 403
    none_yet = judge(api.as_("supervisor"), explained["red2"], verdict="justified")
    assert none_yet.status_code == 409 and none_yet.get_json()["error"]["code"] == "conflict"
    assert judge(api.as_("supervisor"), explained["red"], verdict="maybe").status_code == 422
    assert judge(api.as_("supervisor"), 999999, verdict="justified").status_code == 404


def test_the_case_page_judges_and_the_report_page_lists(app, runtime, api, explained, monkeypatch):
    from engine import supervision_board

    monkeypatch.setattr(supervision_board, "utcnow", lambda: MOMENT)
    browser = Browser(app.test_client())
    person(runtime, "zhou", roles=["supervisor"])
    assert browser.log_in("zhou").status_code == 302
    page = browser.get(f"/cases/{explained['red']}").text
    assert "overdue-verdict-form" in page and "评判超期原因" in page
    refused = browser.post(f"/cases/{explained['red']}/clock/overdue-verdict", {"verdict": "unjustified"},
                           token_from=f"/cases/{explained['red']}")
    assert refused.status_code == 422 and "评判为理由不成立须填写意见" in refused.text
    done = browser.post(f"/cases/{explained['red']}/clock/overdue-verdict",
                        {"verdict": "unjustified", "opinion": "系本部门拖延"}, token_from=f"/cases/{explained['red']}")
    assert done.status_code == 302
    page = browser.get(f"/cases/{explained['red']}").text
    assert 'data-verdict="unjustified"' in page and "系本部门拖延" in page and "评判超期原因：理由不成立" in page
    assert 'data-verdict="unjustified"' in browser.get("/supervision?level=red").text
    report = browser.get("/supervision/unjustified").text
    assert f'data-instance="{explained["red"]}"' in report and "检验机构延迟出具报告" in report
    assert 'href="/supervision/unjustified"' in browser.get("/supervision").text
    # A clerk of the case records reasons but does not judge them.
    clerk = Browser(app.test_client())
    person(runtime, "wang", roles=["clerk"], groups=["window"])
    clerk.log_in("wang")
    assert "overdue-verdict-form" not in clerk.get(f"/cases/{explained['red']}").text
    assert clerk.get("/supervision/unjustified").status_code == 403


def test_the_report_page_keeps_a_report_made_and_says_when_the_reason_was_given_again(app, runtime, api, explained):
    assert judge(api.as_("supervisor"), explained["red"], verdict="unjustified", opinion="系本部门拖延").status_code == 200
    assert explain(api.as_("window_clerk"), explained["red"], reason="现场核查因申请人原因两次改期",
                   category="applicant").status_code == 201
    browser = Browser(app.test_client())
    person(runtime, "zhou", roles=["supervisor"])
    assert browser.log_in("zhou").status_code == 302
    row = browser.get("/supervision/unjustified").text.split('class="reported"')[1].split("</tr>")[0]
    assert "检验机构延迟出具报告" in row and "已重新说明原因" in row


def test_nobody_judges_a_reason_they_recorded(api, red_cases):  # noqa: F811 - the fixture
    assert explain(api.as_("admin"), red_cases["red"], reason="系统故障").status_code == 201
    refused = judge(api.as_("admin"), red_cases["red"], verdict="justified")
    assert refused.status_code == 403 and "may not judge" in refused.get_json()["error"]["message"]
    assert judge(api.as_("supervisor"), red_cases["red"], verdict="justified").status_code == 200
