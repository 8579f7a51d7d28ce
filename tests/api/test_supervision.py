"""Supervision (电子监察): supervisors see open cases by warning level and on-time statistics per process."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from engine import supervision, supervision_board, time_limits
from engine.users import Actor
from tests.api.test_time_limits import FOOD, at, now
from tests.helpers import complete_open_task, seed_national_calendar

KEY = "food_business_licence"
SUPERVISOR = Actor("supervisor", roles=frozenset({"supervisor"}))


def accept(api: Any, now: Any, day: date) -> int:
    now(day)
    case = api.start(KEY, variables={"applicant_name": "张三"})
    # 受理: the clock starts
    complete_open_task(api, case["id"], "acceptance_check", reader="admin", acceptance_decision="accept")
    return case["id"]


@pytest.fixture
def cases(api, now, monkeypatch):
    """Four food licences: red, yellow and green on Wednesday 18 March 2026, and one decided on time."""
    seed_national_calendar(api.runtime)
    api.deploy(FOOD)
    red = accept(api, now, date(2026, 3, 2))  # deadline 16 March
    yellow = accept(api, now, date(2026, 3, 5))  # deadline 19 March
    decided = accept(api, now, date(2026, 3, 2))
    now(date(2026, 3, 5))
    complete_open_task(api, decided, "review", reader="admin")
    now(date(2026, 3, 10))
    complete_open_task(api, decided, "decide", reader="admin", decision="grant")  # 6 working days used of 10
    green = accept(api, now, date(2026, 3, 10))  # deadline 24 March
    moment = at(date(2026, 3, 18))
    monkeypatch.setattr(supervision, "utcnow", lambda: moment)
    return {"red": red, "yellow": yellow, "green": green, "decided": decided}


def test_open_cases_are_classified_red_yellow_green(api, cases):
    response = api.as_("supervisor").get("/api/supervision/cases")
    assert response.status_code == 200, response.get_json()
    rows = response.get_json()
    assert [(r["process_instance_id"], r["level"], r["remaining_working_days"], r["deadline_date"], r["state"])
            for r in rows] == [(cases["red"], "red", -2, "2026-03-16", "running"),
                               (cases["yellow"], "yellow", 1, "2026-03-19", "running"),
                               (cases["green"], "green", 4, "2026-03-24", "running")]
    assert all(r["process_key"] == KEY and r["business_key"] and r["provisional"] is False for r in rows)

    red = api.as_("supervisor").get("/api/supervision/cases?level=red").get_json()
    assert [r["process_instance_id"] for r in red] == [cases["red"]]
    # The threshold is per call: with 4 days the green case warns too, with 0 only the deadline day does.
    wide = api.get("/api/supervision/cases?level=yellow&remind_days=4").get_json()  # admin
    assert [r["process_instance_id"] for r in wide] == [cases["yellow"], cases["green"]]
    assert api.get("/api/supervision/cases?level=yellow&remind_days=0").get_json() == []
    assert api.get("/api/supervision/cases?level=purple").status_code == 422
    assert api.get("/api/supervision/cases?remind_days=-1").status_code == 422


def test_stats_per_process(api, cases):
    response = api.as_("supervisor").get("/api/supervision/stats")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == [{
        "process_key": KEY, "total": 4, "finished": 1, "finished_on_time": 1, "on_time_rate": 1.0,
        "average_used_working_days": 6.0, "open": 3, "yellow": 1, "red": 1, "withdrawn": 0}]


def test_a_case_withdrawn_after_acceptance_is_neither_finished_nor_open(api, cases, now):
    """撤件: terminated after acceptance, its clock stopped then. It counts as withdrawn, outside the on-time
    rate and the average; a case terminated after its decision stays finished. Its clock says so too."""
    supervisor = api.as_("supervisor")
    now(date(2026, 3, 11))
    assert supervisor.post(f"/api/process-instances/{cases['green']}/terminate",
                           json={"reason": "申请人撤回申请"}).status_code == 200
    assert supervisor.post(f"/api/process-instances/{cases['decided']}/terminate",
                           json={"reason": "制证前终止"}).status_code == 200
    [stats] = supervisor.get("/api/supervision/stats").get_json()
    assert {k: stats[k] for k in ("total", "finished", "finished_on_time", "on_time_rate", "withdrawn", "open")} == {
        "total": 4, "finished": 1, "finished_on_time": 1, "on_time_rate": 1.0, "withdrawn": 1, "open": 2}
    [by_department] = supervisor.get("/api/supervision/stats?by=department").get_json()
    assert (by_department["withdrawn"], by_department["finished"], by_department["open"]) == (1, 1, 2)
    withdrawn = supervision_board.case_clock(api.runtime.uow(), cases["green"], actor=SUPERVISOR)
    decided = supervision_board.case_clock(api.runtime.uow(), cases["decided"], actor=SUPERVISOR)
    assert withdrawn is not None and decided is not None and (withdrawn.withdrawn, decided.withdrawn) == (True, False)


def test_clerks_may_not_supervise(api, cases):
    clerk = api.as_("window_clerk")
    assert clerk.get("/api/supervision/cases").status_code == 403
    assert clerk.get("/api/supervision/stats").status_code == 403


def test_a_paused_case_does_not_run_towards_red(api, cases):
    supervisor = api.as_("supervisor")
    url = f"/api/process-instances/{cases['yellow']}/clock/pause"
    with pytest.MonkeyPatch.context() as patch:  # paused on the Wednesday, looked at on Friday
        patch.setattr(time_limits, "utcnow", lambda: at(date(2026, 3, 18)))
        assert supervisor.post(url, json={"kind": "testing", "reason": "检验检测"}).status_code == 200
    rows = supervision.list_cases(api.runtime.uow(), actor=SUPERVISOR, now=at(date(2026, 3, 20)))
    [paused] = [r for r in rows if r.instance_id == cases["yellow"]]
    # 19 and 20 March are not counted: the deadline is as if the pause ended now, two working days later.
    assert (paused.state, paused.level, paused.remaining_working_days, paused.deadline_date) == \
        ("paused", "yellow", 1, date(2026, 3, 23))

