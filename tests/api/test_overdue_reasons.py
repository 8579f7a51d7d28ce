"""Overdue reasons (说明原因, SX45/XA33): a clerk of a red case records why; the board shows it, or flags
the red cases still missing one."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from engine import overdue_reasons, supervision, supervision_board, timeline
from engine.users import Actor
from tests.api.test_supervision import KEY, SUPERVISOR, accept
from tests.api.test_time_limits import FOOD
from tests.helpers import at, complete_open_task, seed_national_calendar

MOMENT = at(date(2026, 3, 18))


@pytest.fixture
def red_cases(api, now, monkeypatch):
    """Two red food licences (deadlines 16 and 17 March) and a green one, seen on 18 March."""
    seed_national_calendar(api.runtime)
    api.deploy(FOOD)
    cases = {"red": accept(api, now, date(2026, 3, 2)), "red2": accept(api, now, date(2026, 3, 3)),
             "green": accept(api, now, date(2026, 3, 10))}
    monkeypatch.setattr(supervision, "utcnow", lambda: MOMENT)
    monkeypatch.setattr(overdue_reasons, "utcnow", lambda: MOMENT)
    return cases


def explain(api: Any, instance_id: int, **body: Any) -> Any:
    return api.post(f"/api/process-instances/{instance_id}/overdue-reason", json=body)


def test_a_clerk_of_the_red_case_records_its_reason_and_the_board_shows_it(api, red_cases):
    clerk = api.as_("window_clerk")  # the acceptance step was the window's
    response = explain(clerk, red_cases["red"], reason="申请人补正材料延误，现场核查顺延", category="applicant")
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {"process_instance_id": red_cases["red"], "reason": "申请人补正材料延误，现场核查顺延",
                                   "category": "applicant", "recorded_by": "window_clerk",
                                   "recorded_at": MOMENT.isoformat(), "verdict": None, "verdict_opinion": None,
                                   "verdict_by": None, "verdict_at": None}  # not judged yet

    board = {c["process_instance_id"]: c for c in api.as_("supervisor").get("/api/supervision/cases").get_json()}
    red, red2, green = board[red_cases["red"]], board[red_cases["red2"]], board[red_cases["green"]]
    assert (red["overdue_reason"], red["overdue_reason_category"], red["overdue_reason_by"],
            red["reason_required"]) == ("申请人补正材料延误，现场核查顺延", "applicant", "window_clerk", False)
    assert (red2["overdue_reason"], red2["reason_required"]) == (None, True)
    assert (green["overdue_reason"], green["reason_required"]) == (None, False)  # only red cases need one

    missing = api.as_("supervisor").get("/api/supervision/cases?level=red&reason_missing=true").get_json()
    assert [c["process_instance_id"] for c in missing] == [red_cases["red2"]]
    given = api.as_("supervisor").get("/api/supervision/cases?reason_missing=false").get_json()
    assert [c["process_instance_id"] for c in given] == [red_cases["red"]]

    history = api.get(f"/api/process-instances/{red_cases['red']}/history").get_json()
    [item] = [e for e in history if e["event"] == "supervision.overdue_reason"]
    assert (item["actor"], item["data"]) == ("window_clerk", {"reason": "申请人补正材料延误，现场核查顺延",
                                                              "category": "applicant"})
    entries = timeline.case_file(api.runtime.uow(), red_cases["red"], actor=Actor("admin", roles=frozenset({"admin"})))
    assert "supervision.overdue_reason" in [e.event for e in entries.timeline]


def test_a_later_reason_replaces_the_earlier_one_on_the_board(api, red_cases):
    assert explain(api.as_("window_clerk"), red_cases["red"], reason="材料补正").status_code == 201
    assert explain(api, red_cases["red"], reason="部门协调会推迟", category="coordination").status_code == 201  # admin
    [red] = [c for c in api.as_("supervisor").get("/api/supervision/cases?level=red").get_json()
             if c["process_instance_id"] == red_cases["red"]]
    assert (red["overdue_reason"], red["overdue_reason_category"], red["overdue_reason_by"]) == \
        ("部门协调会推迟", "coordination", "admin")


def test_only_a_red_case_takes_a_reason_and_only_from_its_clerks(api, red_cases):
    clerk = api.as_("window_clerk")
    not_red = explain(clerk, red_cases["green"], reason="尚未超期")
    assert not_red.status_code == 409 and not_red.get_json()["error"]["code"] == "conflict"
    assert explain(api.as_("office_clerk"), red_cases["red"], reason="不是本案经办人").status_code == 404
    assert explain(api.as_("supervisor"), red_cases["red"], reason="督办人不代为说明").status_code == 403
    assert explain(clerk, red_cases["red"], reason="   ").status_code == 422
    assert explain(clerk, red_cases["red"], reason="原因", category="weather").status_code == 422
    assert explain(api, 99999, reason="原因").status_code == 404
    started = api.start(KEY, variables={"applicant_name": "李四"})  # not accepted: no clock, not red
    assert explain(api, started["id"], reason="原因").status_code == 409


def listed(api: Any, query: str) -> list[tuple[int, str, str, bool]]:
    """(case, clock state, case state, reason required) of the supervision list with ``query``."""
    response = api.as_("supervisor").get(f"/api/supervision/cases?{query}")
    assert response.status_code == 200, response.get_json()
    return [(c["process_instance_id"], c["state"], c["instance_state"], c["reason_required"]) for c in response.get_json()]


def test_a_case_decided_late_is_explained_after_its_end_and_listed_until_it_is(api, red_cases, now, monkeypatch):
    """超期必须说明原因: decided on 23 March, five working days past its deadline (16 March), the case was
    overdue. Its reason may be recorded after the decision, and until it is the case stays among the red
    cases without one (its clock stopped), though it is no longer an open red case."""
    case_id = red_cases["red"]
    now(date(2026, 3, 20))
    complete_open_task(api, case_id, "review", reader="admin")
    now(date(2026, 3, 23))
    complete_open_task(api, case_id, "decide", reader="admin", decision="grant")
    later = at(date(2026, 3, 24))  # the green case's deadline day
    monkeypatch.setattr(supervision, "utcnow", lambda: later)
    monkeypatch.setattr(overdue_reasons, "utcnow", lambda: later)
    clock = api.as_("supervisor").get(f"/api/process-instances/{case_id}/clock").get_json()
    assert (clock["state"], clock["overdue"], clock["remaining_working_days"]) == ("stopped", True, -5)

    unexplained = "level=red&reason_missing=true"
    assert listed(api, unexplained) == [(case_id, "stopped", "running", True),  # now at 制证, its clock stopped
                                        (red_cases["red2"], "running", "running", True)]
    assert listed(api, "reason_missing=true") == listed(api, unexplained)
    assert [c[0] for c in listed(api, "level=red")] == [red_cases["red2"]]  # the open red cases only
    board = supervision_board.board(api.runtime.uow(), actor=SUPERVISOR, level="unexplained", now=later)
    assert [(r.case.instance_id, r.used_working_days, [s.name for s in r.steps]) for r in board.cases] == [
        (case_id, 15, ["制证"]), (red_cases["red2"], 15, ["审查（业务科室）"])]

    response = explain(api.as_("window_clerk"), case_id, reason="现场核查排期延误", category="department")
    assert response.status_code == 201, response.get_json()
    assert listed(api, unexplained) == [(red_cases["red2"], "running", "running", True)]
    panel = supervision_board.case_clock(api.runtime.uow(), case_id, actor=SUPERVISOR, now=later)
    assert panel is not None and panel.level is None and panel.overdue_reason is not None
    assert panel.overdue_reason.reason == "现场核查排期延误"


def test_a_case_decided_on_time_takes_no_reason(api, red_cases, now):
    now(date(2026, 3, 12))
    complete_open_task(api, red_cases["green"], "review", reader="admin")
    complete_open_task(api, red_cases["green"], "decide", reader="admin", decision="deny")  # due 24 March
    refused = explain(api.as_("window_clerk"), red_cases["green"], reason="并未超期")
    assert refused.status_code == 409 and refused.get_json()["error"]["state"] == "stopped"


def test_a_case_terminated_while_overdue_finished_overdue(api, red_cases, now, monkeypatch):
    """Terminated on 19 March, three days after its deadline, the case is not a withdrawal (撤件) that
    leaves the on-time rate: it finished overdue, it needs its reason, and its clock says it was late.
    The green case, withdrawn before its deadline, stays a withdrawal."""
    supervisor = api.as_("supervisor")
    now(date(2026, 3, 19))
    for case_id in (red_cases["red"], red_cases["green"]):
        assert supervisor.post(f"/api/process-instances/{case_id}/terminate",
                               json={"reason": "申请人撤回申请"}).status_code == 200
    monkeypatch.setattr(supervision, "utcnow", lambda: at(date(2026, 3, 20)))
    [stats] = supervisor.get("/api/supervision/stats").get_json()
    assert {k: stats[k] for k in ("total", "finished", "finished_on_time", "on_time_rate", "average_used_working_days",
                                  "withdrawn", "open", "red")} == {
        "total": 3, "finished": 1, "finished_on_time": 0, "on_time_rate": 0.0, "average_used_working_days": 13.0,
        "withdrawn": 1, "open": 1, "red": 1}
    [by_department] = supervisor.get("/api/supervision/stats?by=department").get_json()
    assert (by_department["finished"], by_department["withdrawn"], by_department["open"]) == (1, 1, 1)
    late = supervision_board.case_clock(api.runtime.uow(), red_cases["red"], actor=SUPERVISOR)
    early = supervision_board.case_clock(api.runtime.uow(), red_cases["green"], actor=SUPERVISOR)
    assert late is not None and early is not None
    assert (late.withdrawn, late.view.overdue, early.withdrawn, early.view.overdue) == (False, True, True, False)

    assert listed(api, "reason_missing=true") == [(red_cases["red"], "stopped", "terminated", True),
                                                  (red_cases["red2"], "running", "running", True)]
    assert explain(api.as_("window_clerk"), red_cases["red"], reason="逾期后申请人撤回").status_code == 201
    assert explain(api.as_("window_clerk"), red_cases["green"], reason="未超期").status_code == 409
    assert [c[0] for c in listed(api, "reason_missing=true")] == [red_cases["red2"]]


@pytest.mark.parametrize("said", ["\u200b", "\u0015", " \u200b\u00a0", "\u202e原因", "\u3164", "\u2800\u034f\ufe0f"])
def test_a_reason_a_reader_cannot_see_is_no_reason_and_the_case_still_needs_one(api, red_cases, said):
    """Zero-width or control characters alone say nothing; a text-direction mark would show it backwards."""
    refused = explain(api.as_("window_clerk"), red_cases["red"], reason=said)
    assert refused.status_code == 422 and refused.get_json()["error"]["details"][0]["field"] == "reason"
    missing = api.as_("supervisor").get("/api/supervision/cases?level=red&reason_missing=true").get_json()
    assert red_cases["red"] in [c["process_instance_id"] for c in missing]
    terminate = api.as_("supervisor").post(f"/api/process-instances/{red_cases['green']}/terminate",
                                           json={"reason": said})
    assert terminate.status_code == 422 and terminate.get_json()["error"]["details"][0]["field"] == "reason"
    assert api.get(f"/api/process-instances/{red_cases['green']}").get_json()["state"] == "running"
    pause = api.as_("supervisor").post(f"/api/process-instances/{red_cases['green']}/clock/pause",
                                       json={"kind": "inspection", "reason": said})
    assert pause.status_code == 422, pause.get_json()
