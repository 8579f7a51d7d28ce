"""Admins changing users and calendars at the same moment, over HTTP, on PostgreSQL (SQLite's writers take
turns). The second request acts on its own thread and connection right after the first has written (tests.rival);
whatever the interleaving, each answers 200 or a clean 409, never 500."""
from __future__ import annotations

from typing import Any

import pytest

from engine import users
from tests.rival import Rival


@pytest.fixture
def pg(api):  # type: ignore[no-untyped-def]
    if api.runtime.engine.dialect.name != "postgresql":
        pytest.skip("a race between two connections: PostgreSQL only")
    api.token("admin")  # made before the race: a user added inside it would be the write it waits for
    return api


def _patch(api: Any, name: str, body: dict[str, Any], *, as_: str = "admin") -> Any:
    """PATCH /api/users/<name> on a test client of its own (a request on another thread)."""
    return api.client.application.test_client().patch(f"/api/users/{name}", json=body,
                                                      headers=api.as_(as_).headers())


def _while_writing(api: Any, table: str, first: Any, second: Any) -> tuple[Any, Any]:
    """``first()``, with ``second()`` sent once the first has written to ``table``; both responses."""
    with Rival(api.runtime, lambda s: s.startswith((f"UPDATE {table}", f"INSERT INTO {table}")),
               second) as rival:
        answer = first()
    return answer, rival.outcome


def test_two_admins_changing_different_users_at_once_both_succeed(pg):
    """Before, each PATCH updated its user, then locked every active user to see an admin remains: each waited
    for the other's row, PostgreSQL broke the deadlock and one answered 500."""
    api = pg
    for name in ("clerk_a", "clerk_b"):
        api.token(name)
    api.token("admin2")
    users.set_user(api.runtime.uow(), "admin2", roles=["admin"], actor=users.SYSTEM)

    first, second = _while_writing(
        api, "users", lambda: _patch(api, "clerk_a", {"groups": ["window"]}),
        lambda: _patch(api, "clerk_b", {"roles": ["supervisor"]}, as_="admin2"))

    assert first.status_code == 200, first.get_json()
    assert second.status_code == 200, second.get_json()
    assert api.as_("admin").get("/api/users/clerk_a").get_json()["groups"] == ["window"]
    assert api.as_("admin").get("/api/users/clerk_b").get_json()["roles"] == ["supervisor"]


def test_two_admins_demoting_each_other_at_once_leave_one_admin(pg):
    """Each sees the other still an admin when it starts; the one that goes second must see the first's change
    and be refused with 409, so one admin remains."""
    api = pg
    api.token("admin2")
    users.set_user(api.runtime.uow(), "admin2", roles=["admin"], actor=users.SYSTEM)

    first, second = _while_writing(
        api, "users", lambda: _patch(api, "admin2", {"roles": ["clerk"]}),
        lambda: _patch(api, "admin", {"roles": ["clerk"]}, as_="admin2"))

    assert sorted([first.status_code, second.status_code]) == [200, 409], (first.get_json(), second.get_json())
    refused = first if first.status_code == 409 else second
    assert refused.get_json()["error"]["code"] == "conflict"
    admins = [u for u in users.list_users(api.runtime.uow()) if "admin" in u.roles and u.active]
    assert len(admins) == 1


def test_a_deactivation_and_a_role_change_of_two_users_at_once_both_succeed(pg):
    api = pg
    for name in ("leaver", "stayer"):
        api.token(name)

    first, second = _while_writing(
        api, "users", lambda: _patch(api, "leaver", {"active": False}),
        lambda: _patch(api, "stayer", {"roles": ["clerk", "supervisor"]}))

    assert (first.status_code, second.status_code) == (200, 200), (first.get_json(), second.get_json())
    assert api.as_("admin").get("/api/users/leaver").get_json()["active"] is False


CALENDAR_2031 = {"holidays": [{"date": "2031-01-01", "name": "元旦"}], "workdays": []}
CALENDAR_2031_AMENDED = {"holidays": [{"date": "2031-01-01", "name": "元旦"}, {"date": "2031-01-02", "name": "元旦"}],
                         "workdays": []}


def _put_year(api: Any, body: dict[str, Any]) -> Any:
    return api.client.application.test_client().put("/api/calendar/2031", json=body, headers=api.as_("admin").headers())


@pytest.mark.parametrize("seeded", [False, True], ids=["calendar-CN-not-yet-made", "calendar-CN-present"])
def test_two_puts_of_one_calendar_year_at_once_both_succeed_and_the_last_wins(pg, seeded):
    """Before, both deleted the year's days, both inserted them, and the second failed on the unique day (500)
    once the first committed; with CN not made yet, on the calendar's unique name too."""
    api = pg
    if seeded:
        assert _put_year(api, CALENDAR_2031).status_code == 200

    first, second = _while_writing(api, "calendar_days", lambda: _put_year(api, CALENDAR_2031),
                                   lambda: _put_year(api, CALENDAR_2031_AMENDED))

    assert (first.status_code, second.status_code) == (200, 200), (first.get_json(), second.get_json())
    year = api.as_("admin").get("/api/calendar/2031").get_json()
    assert [d["date"] for d in year["holidays"]] == ["2031-01-01", "2031-01-02"]  # the rival committed last


def test_a_leaver_claiming_a_task_of_a_case_where_they_hold_another_as_they_are_deactivated(pg):
    """The deactivation gives back the task they hold, writing to its case, while their claim of the other
    task holds the case and waits for their user row. Before, each waited for the other and one failed with a
    deadlock (500); now the deactivation takes the cases first, the claim waits, and is refused (403)."""
    api = pg
    _, api.tokens["leaver"] = users.add_user(api.runtime.uow(), "leaver", roles=["clerk"], actor=users.SYSTEM)
    api.deploy("camunda_multi.bpmn")
    case = api.start("camunda_multi", variables={"reviewers": ["leaver", "leaver"]})
    held, other = (t["id"] for t in case["tasks"])
    assert api.as_("leaver").post(f"/api/tasks/{held}/claim").status_code == 200
    claimer = api.client.application.test_client()

    first, second = _while_writing(
        api, "users", lambda: _patch(api, "leaver", {"active": False}),
        lambda: claimer.post(f"/api/tasks/{other}/claim", headers=api.as_("leaver").headers()))

    assert first.status_code == 200, first.get_json()
    assert first.get_json()["released_tasks"] == [held]
    assert second.status_code == 403, second.get_json()
    assert [t["assignee"] for t in api.as_("supervisor").get(f"/api/process-instances/{case['id']}")
            .get_json()["tasks"]] == [None, None]


def test_a_supervisor_assigning_a_leaver_a_task_as_they_are_deactivated(pg):
    """The assignment locks the leaver's user row for share, the deactivation locks the case where the leaver
    holds a task, then waits for the user row. Before, the assignment then waited for that case and one failed
    with a deadlock (500); now it takes the case first, as claims and deactivations do: the assignment goes
    through and the deactivation, after it, gives back both tasks."""
    api = pg
    _, api.tokens["leaver"] = users.add_user(api.runtime.uow(), "leaver", roles=["clerk"], actor=users.SYSTEM)
    api.token("supervisor")
    api.deploy("camunda_multi.bpmn")
    case = api.start("camunda_multi", variables={"reviewers": ["leaver", "leaver"]})
    held, other = (t["id"] for t in case["tasks"])
    assert api.as_("leaver").post(f"/api/tasks/{held}/claim").status_code == 200
    assigner = api.client.application.test_client()

    with Rival(api.runtime, lambda s: s.startswith("SELECT users") and "FOR SHARE" in s,
               lambda: _patch(api, "leaver", {"active": False})) as rival:
        assigned = assigner.post(f"/api/tasks/{other}/assign", json={"assignee": "leaver"},
                                 headers=api.as_("supervisor").headers())
    deactivated = rival.outcome

    assert assigned.status_code == 200, assigned.get_json()
    assert deactivated.status_code == 200, deactivated.get_json()
    assert sorted(deactivated.get_json()["released_tasks"]) == sorted([held, other])
    assert [t["assignee"] for t in api.as_("supervisor").get(f"/api/process-instances/{case['id']}")
            .get_json()["tasks"]] == [None, None]
