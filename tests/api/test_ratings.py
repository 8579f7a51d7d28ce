"""Ratings (好差评): an ended case is rated once with its query code; a 差评 opens a rectification in the
queue of the department that handled the case, due in working days, reviewed by supervision, and its
outcome lands on the rating and in the statistics."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from engine.clock import LOCAL_TZ
from engine.models import Rating, Task
from tests.applicants import (
    RECTIFICATION,
    RECTIFICATION_FORMS,
    WINDOW,
    add_clerk,
    window_case_done,
)
from tests.helpers import complete_open_task, open_task, seed_national_calendar


def rate(api, case_no: str, code: str, level: int, expect: int = 201, **extra):  # type: ignore[no-untyped-def]
    response = api.client.post("/api/public/ratings", json={"case_no": case_no, "code": code, "level": level,
                                                            **extra})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def library(api) -> None:  # type: ignore[no-untyped-def]
    seed_national_calendar(api.runtime)
    api.deploy(WINDOW, RECTIFICATION, *RECTIFICATION_FORMS)


def test_a_good_rating_of_an_ended_case_is_kept_once(api):
    library(api)
    case = window_case_done(api)
    rated = rate(api, case["business_key"], case["query_code"], 1, dimensions={"服务态度": 1, "办事效率": 2},
                 comment="窗口服务很好")
    assert rated["level_name"] == "非常满意" and rated["contact"] == "case" and rated["rectification"] is False

    again = rate(api, case["business_key"], case["query_code"], 2, expect=409)
    assert again["error"]["code"] == "conflict"
    with api.runtime.uow() as uow:
        [row] = uow.session.scalars(select(Rating)).all()
    assert (row.level, row.department, row.dimensions) == (1, "window", {"服务态度": 1, "办事效率": 2})
    assert sorted(c.clerk for c in row.clerks) == ["admin", "window_clerk"]
    assert row.rectification_instance_id is None


def test_a_running_case_cannot_be_rated_unless_its_guide_rates_each_contact(api, tmp_path, monkeypatch):
    library(api)
    started = api.start("window_acceptance", business_key="SX-2026-000010")
    refused = rate(api, "SX-2026-000010", started["query_code"], 2, expect=409)
    assert refused["error"]["message"] == "办件办结后方可评价"

    guide = tmp_path / "guide.json"
    guide.write_text(json.dumps(PER_CONTACT_GUIDE, ensure_ascii=False))
    api.deploy(guide)
    nothing_yet = rate(api, "SX-2026-000010", started["query_code"], 2, expect=409)
    assert nothing_yet["error"]["message"] == "办件尚未发生可评价的服务环节"

    accept = open_task(api, started["id"], "accept", reader="admin")
    complete_open_task(api.as_("window_clerk"), started["id"], "accept", reader="admin", decision="accept")
    contact = rate(api, "SX-2026-000010", started["query_code"], 2)
    assert contact["contact"] == accept["id"] and contact["level_name"] == "满意"
    rate(api, "SX-2026-000010", started["query_code"], 3, expect=409)  # the same contact again
    complete_open_task(api.as_("admin"), started["id"], "review", reader="admin", review_opinion="同意")
    # The next contact, a 差评 on Friday 6 March 2026: the guide's rectify_days (3) end on Wednesday 11 March,
    # and the review section that handled that contact rectifies.
    rated_at = datetime(2026, 3, 6, 15, tzinfo=LOCAL_TZ).astimezone(UTC)
    monkeypatch.setattr("engine.execution.utcnow", lambda: rated_at)
    monkeypatch.setattr("engine.diagram_functions.utcnow", lambda: rated_at)
    api.deploy(RECTIFICATION.parent / "guide.json")  # its own promised_days (5) must not apply
    assert rate(api, "SX-2026-000010", started["query_code"], 4, comment="审查意见没有说明理由")["level_name"] == "不满意"
    [task] = api.as_("supervisor").get("/api/tasks", query_string={"process_key": "rating_rectification"}
                                       ).get_json()["items"]
    assert task["candidate_groups"] == ["review"]
    assert datetime.fromisoformat(task["due_at"]).astimezone(LOCAL_TZ).date().isoformat() == "2026-03-11"
    # The rectification case's clock runs on the rated item's rectify_days too, not on its own guide's 5.
    clock = api.as_("supervisor").get(f"/api/process-instances/{task['process_instance_id']}/clock").get_json()
    assert (clock["promised_days"], clock["deadline_at"][:10]) == (3, "2026-03-11")


# A guide for the window-acceptance process that lets each service contact be rated.
PER_CONTACT_GUIDE = {
    "code": "WINDOW-0001", "name": "一窗受理 标准许可事项", "type": "01", "case_type": "2", "level": "city",
    "process": "window_acceptance", "department": {"code": "ZWFW", "name": "政务服务管理局"}, "co_departments": [],
    "legal_basis": ["《中华人民共和国行政许可法》"], "promised_days": 10, "statutory_days": 20,
    "acceptance_conditions": [], "materials": [], "fees": [], "delivery_methods": ["window"],
    "excluded_periods": [], "channels": {"consultation": "12345", "complaint": "12345"},
    "rating": {"per_contact": True, "rectify_days": 3}}


def test_a_bad_rating_is_rectified_by_the_handling_group_then_reviewed_and_counted(api, monkeypatch):
    library(api)
    case = window_case_done(api)
    # Rated on Friday 6 March 2026: five working days end on Friday 13 March.
    rated_at = datetime(2026, 3, 6, 15, tzinfo=LOCAL_TZ).astimezone(UTC)
    monkeypatch.setattr("engine.execution.utcnow", lambda: rated_at)
    monkeypatch.setattr("engine.diagram_functions.utcnow", lambda: rated_at)
    def progress() -> dict[str, Any]:
        return dict(api.client.get(f"/api/public/progress/{case['business_key']}",
                                   query_string={"code": case["query_code"]}).get_json())
    assert progress()["may_rate"] is True and progress()["ratings"] == []
    rated = rate(api, case["business_key"], case["query_code"], 5, comment="排队两个小时，态度冷淡")
    assert rated["level_name"] == "非常不满意" and rated["rectification"] is True
    seen = progress()
    assert seen["may_rate"] is False
    assert [(r["level_name"], r["comment"], r["rectification"]) for r in seen["ratings"]] \
        == [("非常不满意", "排队两个小时，态度冷淡", "open")]

    window = api.as_("window_clerk")
    queue = window.get("/api/tasks", query_string={"mine": "true"}).get_json()["items"]
    [task] = [t for t in queue if t["process_key"] == "rating_rectification"]
    assert task["name"] == "差评整改（责任部门）" and task["candidate_groups"] == ["window"]
    assert task["form_key"] == "rectification-handle.form"
    due = datetime.fromisoformat(task["due_at"]).astimezone(LOCAL_TZ)
    assert (due.date().isoformat(), due.hour) == ("2026-03-13", 23)
    assert api.as_("office_clerk").get("/api/tasks", query_string={"mine": "true"}).get_json()["total"] == 0
    form = window.get(f"/api/tasks/{task['id']}/form").get_json()
    assert form["data"]["rating_comment"] == "排队两个小时，态度冷淡" and form["data"]["rated_case_no"] == case["business_key"]

    rectification_id = task["process_instance_id"]
    missing = window.post(f"/api/tasks/{task['id']}/complete", json={"variables": {}})
    assert missing.status_code == 422  # the form requires the measures
    complete_open_task(window, rectification_id, "rectify", reader="admin",
                       rectification_measures="增设取号窗口，开展服务礼仪培训")
    inspector = add_clerk(api, "inspector", "supervision")
    complete_open_task(inspector, rectification_id, "review", reader="admin", review_result="returned",
                       review_opinion="措施不具体")
    complete_open_task(window, rectification_id, "rectify", reader="admin",
                       rectification_measures="周一增设两个综合窗口；已约谈当事人")
    with api.runtime.uow() as uow:
        assert uow.session.scalars(select(Rating)).one().rectification_state == "open"
    complete_open_task(inspector, rectification_id, "review", reader="admin", review_result="confirmed",
                       review_opinion="整改到位")

    with api.runtime.uow() as uow:
        row = uow.session.scalars(select(Rating)).one()
        done = uow.session.scalars(select(Task).where(Task.instance_id == rectification_id,
                                                      Task.bpmn_id == "rectify")).all()
    assert row.rectification_state == "rectified" and row.rectified_at is not None
    assert row.rectification_result == "周一增设两个综合窗口；已约谈当事人\n整改到位"
    [fed_back] = progress()["ratings"]  # the applicant learns it was rectified, not staff's notes about staff
    assert fed_back["rectification"] == "rectified" and fed_back["rectified_at"]
    assert "约谈" not in str(progress()) and "整改到位" not in str(progress())
    assert [t.state for t in done] == ["COMPLETED", "COMPLETED"]

    stats = api.as_("supervisor").get("/api/ratings/stats").get_json()
    assert stats["total"] == 1
    [item] = stats["by_item"]
    assert (item["key"], item["name"], item["count"], item["average_level"], item["bad"], item["bad_share"],
            item["rectified"]) == ("window_acceptance", "一窗受理 标准许可事项", 1, 5.0, 1, 1.0, 1)
    assert [(d["key"], d["count"]) for d in stats["by_department"]] == [("window", 1)]
    assert [(c["key"], c["bad"]) for c in stats["by_clerk"]] == [("admin", 1), ("window_clerk", 1)]


def test_statistics_average_and_share_several_ratings_and_a_time_window(api):
    library(api)
    levels = [1, 2, 4]
    for n, level in enumerate(levels):
        case = window_case_done(api, business_key=f"SX-2026-00010{n}")
        rate(api, case["business_key"], case["query_code"], level, comment="等候太久" if level >= 4 else None)
    stats = api.as_("admin").get("/api/ratings/stats").get_json()
    [item] = stats["by_item"]
    assert (item["count"], item["average_level"], item["bad"], item["bad_share"], item["rectified"]) == \
        (3, 2.33, 1, 0.3333, 0)
    future = api.as_("admin").get("/api/ratings/stats", query_string={"since": "2099-01-01T00:00:00+08:00"})
    assert future.get_json() == {"total": 0, "by_item": [], "by_department": [], "by_clerk": []}


def test_only_supervisors_read_rating_statistics(api):
    assert api.as_("window_clerk").get("/api/ratings/stats").status_code == 403
    assert api.as_("integrator").get("/api/ratings/stats").status_code == 403
    assert api.as_("supervisor").get("/api/ratings/stats").status_code == 200
    assert api.client.get("/api/ratings/stats").status_code == 401


def test_a_bad_rating_counts_even_when_the_rectification_process_is_not_deployed(api):
    seed_national_calendar(api.runtime)
    api.deploy(WINDOW)
    case = window_case_done(api)
    assert rate(api, case["business_key"], case["query_code"], 4, comment="态度冷淡")["rectification"] is True
    with api.runtime.uow() as uow:
        row = uow.session.scalars(select(Rating)).one()
    assert row.rectification_state == "missing" and row.rectification_instance_id is None


def test_invalid_ratings_are_refused_with_their_fields(api):
    library(api)
    case = window_case_done(api)
    no, code = case["business_key"], case["query_code"]
    cases: list[tuple[dict[str, Any], str]] = [
        ({"level": 6}, "level"),
        ({"level": 0}, "level"),
        ({"level": "5"}, "level"),
        ({"level": True}, "level"),
        ({"level": 3, "dimensions": {"服务态度": 7}}, "dimensions.服务态度.value"),
        ({"level": 3, "dimensions": {"": 2}}, "dimensions..key"),
        ({"level": 3, "comment": "很" * 1001}, "comment"),
    ]
    for body, field in cases:
        response = api.client.post("/api/public/ratings", json={"case_no": no, "code": code, **body})
        assert response.status_code == 422, body
        assert field in [d["field"] for d in response.get_json()["error"]["details"]], response.get_json()
    missing = api.client.post("/api/public/ratings", json={"level": 3})
    assert sorted(d["field"] for d in missing.get_json()["error"]["details"]) == ["case_no", "code"]
    wrong = api.client.post("/api/public/ratings", json={"case_no": no, "code": "ABCDEFGH", "level": 3})
    unknown = api.client.post("/api/public/ratings", json={"case_no": "NO-SUCH-CASE", "code": code, "level": 3})
    assert wrong.status_code == unknown.status_code == 404 and wrong.get_data() == unknown.get_data()
    with api.runtime.uow() as uow:
        assert uow.session.scalars(select(Rating)).all() == []


def test_a_bad_rating_says_why(api):
    """The department rectifies what the applicant names: a 差评 without a reason is refused."""
    library(api)
    case = window_case_done(api)
    for body in ({"level": 4}, {"level": 5, "comment": "  "}, {"level": 5, "comment": "\u200b\u3000"}):
        refused = api.client.post("/api/public/ratings", json={"case_no": case["business_key"],
                                                               "code": case["query_code"], **body})
        assert refused.status_code == 422
        assert refused.get_json()["error"]["details"] == [{"field": "comment", "message": "差评请说明原因"}]
    assert rate(api, case["business_key"], case["query_code"], 3)["level_name"] == "基本满意"  # no reason needed


def test_a_rectification_ended_by_a_supervisor_is_recorded_as_cancelled_on_its_rating(api):
    library(api)
    case = window_case_done(api)
    rate(api, case["business_key"], case["query_code"], 4, comment="材料被退回三次")
    with api.runtime.uow() as uow:
        rectification_id = uow.session.scalars(select(Rating)).one().rectification_instance_id
    ended = api.as_("supervisor").post(f"/api/process-instances/{rectification_id}/terminate",
                                       json={"reason": "经核实系申请人误评，撤销整改"})
    assert ended.status_code == 200, ended.get_json()
    with api.runtime.uow() as uow:
        row = uow.session.scalars(select(Rating)).one()
    assert (row.rectification_state, row.rectification_result) == ("cancelled", "经核实系申请人误评，撤销整改")
    stats = api.as_("supervisor").get("/api/ratings/stats").get_json()
    assert (stats["by_item"][0]["bad"], stats["by_item"][0]["rectified"]) == (1, 0)


def test_statistics_by_department_name_the_department_owning_the_handling_group(api):
    from engine import departments
    from engine.users import SYSTEM
    library(api)
    for n, level in enumerate((1, 2)):
        case = window_case_done(api, business_key=f"SX-2026-00020{n}")
        rate(api, case["business_key"], case["query_code"], level)
    stats = api.as_("supervisor").get("/api/ratings/stats").get_json()
    assert [(d["key"], d["name"], d["count"]) for d in stats["by_department"]] == [("window", "window", 2)]
    departments.put_department(api.runtime.uow(), "ZWFW", actor=SYSTEM, name="政务服务中心", groups=["window"])
    stats = api.as_("supervisor").get("/api/ratings/stats").get_json()
    assert [(d["key"], d["name"], d["count"], d["average_level"]) for d in stats["by_department"]] == [
        ("ZWFW", "政务服务中心", 2, 1.5)]


def test_a_rating_counts_for_the_lead_department_not_the_centre_window_that_delivered(api, tmp_path):
    """The window item ends with 统一出件 at the centre's window; the department that decided it is the lead
    its guide names: its last group handled the case, takes the 差评's rectification, and counts it."""
    from engine import departments
    from engine.users import SYSTEM
    library(api)
    departments.put_department(api.runtime.uow(), "ZWFW", actor=SYSTEM, name="政务服务中心", groups=["window"])
    departments.put_department(api.runtime.uow(), "SCJG", actor=SYSTEM, name="市场监督管理局",
                               groups=["review", "chief", "certificate"])
    guide = {**PER_CONTACT_GUIDE, "department": {"code": "SCJG", "name": "市场监督管理局"}, "rating": {}}
    (tmp_path / "guide.json").write_text(json.dumps(guide, ensure_ascii=False))
    api.deploy(tmp_path / "guide.json")
    case = window_case_done(api)

    rate(api, case["business_key"], case["query_code"], 5, comment="审批拖延")

    with api.runtime.uow() as uow:
        [row] = uow.session.scalars(select(Rating)).all()
    assert row.department == "certificate"
    [task] = api.as_("supervisor").get("/api/tasks", query_string={"process_key": "rating_rectification"}
                                       ).get_json()["items"]
    assert task["candidate_groups"] == ["certificate"]
    stats = api.as_("supervisor").get("/api/ratings/stats").get_json()
    assert [(d["key"], d["count"]) for d in stats["by_department"]] == [("SCJG", 1)]


def test_the_public_pages_rate_by_the_proof_their_lookup_kept(api):
    """The progress page's rating form carries no code: engine.ratings.rate finds the case by the proof of
    its code the lookup handed back (query_codes.verify), which a new code makes stale; the API's path by
    code stays."""
    import pytest

    from engine import query_codes, ratings
    from engine.errors import NotFound

    library(api)
    case = window_case_done(api)
    proof = query_codes.verify(api.runtime.uow(), case["business_key"], case["query_code"])
    renewed = api.as_("admin").post(f"/api/process-instances/{case['id']}/query-code")
    assert renewed.status_code == 201, renewed.get_json()
    with pytest.raises(NotFound):  # stale: made of the code the case had before
        ratings.rate(api.runtime.uow(), case["business_key"], proof=proof, level=1)
    with pytest.raises(NotFound):  # a proof is no code
        ratings.rate(api.runtime.uow(), case["business_key"], proof, level=1)
    proof = query_codes.verify(api.runtime.uow(), case["business_key"], renewed.get_json()["query_code"])
    rated = ratings.rate(api.runtime.uow(), case["business_key"], proof=proof, level=2, comment="")
    assert (rated.case_no, rated.level_name, rated.contact) == (case["business_key"], "满意", "case")
    assert rate(api, case["business_key"], renewed.get_json()["query_code"], 1, expect=409)["error"]["code"] == "conflict"
    with api.runtime.uow() as uow:
        assert [r.level for r in uow.session.scalars(select(Rating))] == [2]
