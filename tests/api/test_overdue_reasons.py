"""Overdue reasons (说明原因, SX45/XA33): a clerk of a red case records why; the board shows it, or flags
the red cases still missing one."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from engine import overdue_reasons, supervision, timeline
from engine.users import Actor
from tests.api.test_supervision import KEY, accept
from tests.api.test_time_limits import FOOD, at, now
from tests.helpers import seed_national_calendar

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
                                   "recorded_at": MOMENT.isoformat()}

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
