"""govflow.dueShare: a step is due after its share of the case's remaining working days, counted in the
case's calendar when the step is reached."""
from __future__ import annotations

from datetime import date, datetime

from engine import due_share
from engine.clock import LOCAL_TZ
from tests.helpers import at, complete_open_task, open_task, seed_national_calendar


def due_date(api, instance_id: int, bpmn_id: str) -> tuple[date, int] | None:  # type: ignore[no-untyped-def]
    task = open_task(api, instance_id, bpmn_id, reader="admin")
    if task["due_at"] is None:
        return None
    due = datetime.fromisoformat(task["due_at"]).astimezone(LOCAL_TZ)
    return due.date(), due.hour


def test_each_step_gets_its_share_of_what_the_case_has_left(api, now):
    seed_national_calendar(api.runtime)
    api.deploy("due_share.bpmn")
    now(date(2026, 3, 2))
    case = api.start("due_share")
    # Before acceptance there is no clock to share: the step keeps its camunda:dueDate (P2D).
    [accept] = case["tasks"]
    assert datetime.fromisoformat(accept["due_at"]) == at(date(2026, 3, 4))

    # accepted Monday 2 March: 10 working days, deadline 16 March
    complete_open_task(api, case["id"], "accept", reader="admin")
    assert due_date(api, case["id"], "review") == (date(2026, 3, 5), 23)  # 30% of 10: three working days

    now(date(2026, 3, 12))  # 8 used, 2 left: the decision gets all of them
    complete_open_task(api, case["id"], "review", reader="admin")
    assert due_date(api, case["id"], "decide") == (date(2026, 3, 16), 23)


def test_a_share_of_almost_nothing_is_still_one_working_day(api, now):
    seed_national_calendar(api.runtime)
    api.deploy("due_share.bpmn")
    now(date(2026, 3, 2))
    case = api.start("due_share")
    complete_open_task(api, case["id"], "accept", reader="admin")
    now(date(2026, 3, 20))  # Friday, past the deadline: nothing left, the step still gets a day
    complete_open_task(api, case["id"], "review", reader="admin")
    assert due_date(api, case["id"], "decide") == (date(2026, 3, 23), 23)


def test_shares_outside_zero_to_one_are_not_shares():
    assert [due_share.parse_share(v) for v in ("0.3", " 1 ", "0", "1.5", "-0.2", "三成", None)] == \
        [0.3, 1.0, None, None, None, None, None]
