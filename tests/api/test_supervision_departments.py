"""Supervision statistics per lead department (牵头部门): volume, on-time rate, working days used, warnings."""
from __future__ import annotations

from datetime import date

from engine import departments, supervision
from engine.users import Actor
from tests.api.test_supervision import accept
from tests.api.test_time_limits import FOOD
from tests.helpers import at, complete_open_task, seed_national_calendar

ADMIN = Actor("admin", roles=frozenset({"admin"}))


def test_stats_by_lead_department(api, now, monkeypatch):
    seed_national_calendar(api.runtime)
    api.deploy(FOOD)
    earlier = accept(api, now, date(2026, 3, 9))  # before any department exists: SCJG, set up next, leads it
    departments.put_department(api.runtime.uow(), "SCJG", actor=ADMIN, name="市场监督管理局",
                               groups=["food_review", "chief"])
    red = accept(api, now, date(2026, 3, 2))  # the window has no department yet: the review's leads
    decided = accept(api, now, date(2026, 3, 2))
    now(date(2026, 3, 5))
    complete_open_task(api, decided, "review", reader="admin")
    now(date(2026, 3, 10))
    complete_open_task(api, decided, "decide", reader="admin", decision="grant")  # 6 working days used of 10
    departments.put_department(api.runtime.uow(), "ZWZX", actor=ADMIN, name="政务服务中心", groups=["window"])
    yellow = accept(api, now, date(2026, 3, 5))  # from now on the window's department leads
    green = accept(api, now, date(2026, 3, 10))
    monkeypatch.setattr(supervision, "utcnow", lambda: at(date(2026, 3, 18)))
    assert {c["process_instance_id"]: c["level"] for c in api.as_("supervisor").get("/api/supervision/cases")
            .get_json()} == {red: "red", yellow: "yellow", green: "green", earlier: "green"}

    response = api.as_("supervisor").get("/api/supervision/stats?by=department")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == [
        {"department_code": "SCJG", "department_name": "市场监督管理局", "total": 3, "finished": 1,
         "finished_on_time": 1, "on_time_rate": 1.0, "average_used_working_days": 6.0, "open": 2, "yellow": 0,
         "red": 1, "warnings": 1, "withdrawn": 0},
        {"department_code": "ZWZX", "department_name": "政务服务中心", "total": 2, "finished": 0,
         "finished_on_time": 0, "on_time_rate": None, "average_used_working_days": None, "open": 2, "yellow": 1,
         "red": 0, "warnings": 1, "withdrawn": 0}]
    # by=process keeps its shape
    [by_process] = api.as_("supervisor").get("/api/supervision/stats").get_json()
    assert set(by_process) == {"process_key", "total", "finished", "finished_on_time", "on_time_rate",
                               "average_used_working_days", "open", "yellow", "red", "withdrawn"}
    assert api.as_("supervisor").get("/api/supervision/stats?by=window").status_code == 422
    assert api.as_("window_clerk").get("/api/supervision/stats?by=department").status_code == 403
