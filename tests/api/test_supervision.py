"""Supervision (电子监察): supervisors see open cases by warning level and on-time statistics per process."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from engine import supervision, supervision_board, time_limits
from engine.users import Actor
from tests.api.test_time_limits import FOOD
from tests.helpers import at, complete_open_task, seed_national_calendar

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


def test_the_case_list_takes_one_item_s_cases_and_a_page_of_them(api, cases):
    supervisor = api.as_("supervisor")
    assert supervisor.get("/api/supervision/cases").headers["X-Total-Count"] == "3"
    assert supervisor.get(f"/api/supervision/cases?process_key={KEY}").headers["X-Total-Count"] == "3"
    other = supervisor.get("/api/supervision/cases?process_key=window_acceptance")
    assert other.get_json() == [] and other.headers["X-Total-Count"] == "0"
    page = supervisor.get("/api/supervision/cases?limit=1&offset=1")
    assert [r["process_instance_id"] for r in page.get_json()] == [cases["yellow"]]  # the list's order
    assert page.headers["X-Total-Count"] == "3"
    assert [r["level"] for r in supervisor.get("/api/supervision/cases?offset=2").get_json()] == ["green"]
    for query in ("limit=0", "limit=501", "offset=-1", "process_key="):
        refused = supervisor.get(f"/api/supervision/cases?{query}")
        assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "validation_failed", query


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



def stats_of(api: Any, query: str) -> Any:
    response = api.as_("supervisor").get(f"/api/supervision/stats?{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_stats_cover_the_cases_whose_clock_started_in_a_period(api, cases):
    """A period keeps the cases accepted (受理, the clock's start) in it: one cohort, its finished, withdrawn
    and open cases adding up to its total, its open ones still warned. Dates alone are local days, both
    included; a moment of until is exclusive."""
    march_2 = stats_of(api, "since=2026-03-02&until=2026-03-02")  # red and decided, accepted that day
    assert stats_of(api, "since=2026-03-02&until=2026-03-03T00:00:00%2B08:00") == march_2
    assert [{k: s[k] for k in ("total", "finished", "finished_on_time", "open", "yellow", "red")} for s in march_2] \
        == [{"total": 2, "finished": 1, "finished_on_time": 1, "open": 1, "yellow": 0, "red": 1}]
    [yellow] = stats_of(api, "since=2026-03-03&until=2026-03-09")  # accepted 5 March
    assert (yellow["total"], yellow["open"], yellow["yellow"], yellow["red"]) == (1, 1, 1, 0)
    [green] = stats_of(api, "since=2026-03-10T00:00:00%2B08:00")  # accepted 10 March, 10:00 Beijing
    assert (green["total"], green["open"], green["yellow"], green["red"]) == (1, 1, 0, 0)
    assert stats_of(api, "until=2026-03-01") == []  # nothing accepted before
    [department] = stats_of(api, "by=department&until=2026-03-02")
    assert (department["total"], department["finished"], department["red"]) == (2, 1, 1)
    assert stats_of(api, "since=2026-01-01&until=2026-12-31") == stats_of(api, "")


def test_stats_refuse_what_they_would_not_honour(api, cases):
    supervisor = api.as_("supervisor")
    for query in ("from=2026-03-01", "start=2026-03-01&end=2026-03-31", "process_key=" + KEY, "since=March",
                  "since=2026-03-10&until=2026-03-02", "until=9999-12-31"):
        response = supervisor.get(f"/api/supervision/stats?{query}")
        assert response.status_code == 422, query
        assert response.get_json()["error"]["code"] == "validation_failed", query
    assert supervisor.get("/api/supervision/cases?levle=red").status_code == 422  # nor do the other views
    assert supervisor.get("/api/supervision/events?case=1").status_code == 422
    spec = api.get("/api/openapi.json").get_json()
    parameters = {p["name"]: p for p in spec["paths"]["/api/supervision/stats"]["get"]["parameters"]}
    assert {"by", "since", "until"} <= set(parameters) and "started" in parameters["since"]["description"]


def test_a_suspended_case_shows_as_suspended_with_the_step_it_holds(api, cases):
    """挂起: a case on hold keeps its clock running (it may be red), but the board says it is on hold and
    where it waits, not an empty step of a running case."""
    assert api.as_("supervisor").post(f"/api/process-instances/{cases['red']}/suspend",
                                      json={"reason": "等待上级部门答复"}).status_code == 200
    rows = {r["process_instance_id"]: r for r in api.as_("supervisor").get("/api/supervision/cases").get_json()}
    red = rows[cases["red"]]
    assert (red["level"], red["state"], red["instance_state"], red["case_state"]) == \
        ("red", "running", "suspended", "部门开始办理")
    assert rows[cases["yellow"]]["instance_state"] == "running"
    board = supervision_board.board(api.runtime.uow(), actor=SUPERVISOR, level="red", now=at(date(2026, 3, 18)))
    [row] = board.cases
    assert (row.case.instance_id, row.case.instance_state, [s.name for s in row.steps]) == \
        (cases["red"], "suspended", ["审查（业务科室）"])
