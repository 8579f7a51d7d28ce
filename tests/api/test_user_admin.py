"""Changing who a user is (engine.users.set_user, set_active): new roles take effect at the next request, a
leaver's tasks go back to their queues, and a diagram's assignee who left does not strand a task."""
from __future__ import annotations

from typing import Any

import pytest

from engine import tasks, users
from engine.errors import Forbidden, InvalidRequest, NotFound, ValidationFailed
from tests.api.test_pages import PASSWORD, Browser


def _user(api, name: str, *, groups: list[str], roles: list[str]) -> None:  # type: ignore[no-untyped-def]
    api.tokens[name] = users.add_user(api.runtime.uow(), name, groups=groups, roles=roles, actor=users.SYSTEM)[1]


def _routed(api, **variables: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """One case of routed_task.bpmn: its one task takes group, users and assignee from the variables."""
    body = {"group": None, "users": None, "assignee": None, "due": None, "priority": None, **variables}
    [task] = api.start("routed_task", variables=body)["tasks"]
    return task


def _history(api, task: dict[str, Any]) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    events = api.as_("supervisor").get(f"/api/process-instances/{task['process_instance_id']}/history").get_json()
    return [e for e in events if e.get("task_id") == task["id"]]


def _task(api, task: dict[str, Any], reader: str = "supervisor") -> Any:  # type: ignore[no-untyped-def]
    return api.as_(reader).get(f"/api/tasks/{task['id']}")


@pytest.fixture
def routed(api):  # type: ignore[no-untyped-def]
    api.deploy("routed_task.bpmn")
    for name in ("window_clerk", "window_clerk2", "office_clerk", "supervisor"):
        api.token(name)  # the cast exists before any task names them


# ---- groups and roles ---------------------------------------------------------------------------

def test_set_user_replaces_only_what_is_given(api):
    _user(api, "wang", groups=["window"], roles=["clerk"])
    change = users.set_user(api.runtime.uow(), "wang", groups=["office", "review", "office"], actor=users.SYSTEM)
    assert (change.groups_before, change.roles_before) == (["window"], ["clerk"])
    assert (change.groups, change.roles) == (["office", "review"], ["clerk"])
    change = users.set_user(api.runtime.uow(), "wang", roles=["clerk", "supervisor"], actor=users.SYSTEM)
    assert (change.groups, change.roles) == (["office", "review"], ["clerk", "supervisor"])
    assert users.find_actor(api.runtime.uow(), "wang").roles == {"clerk", "supervisor"}


@pytest.mark.parametrize(("name", "change", "error", "says"), [
    ("nobody", {"roles": ["clerk"]}, NotFound, "user 'nobody' not found"),
    ("wang", {"roles": ["boss"]}, ValidationFailed, "unknown role 'boss'"),
    ("wang", {"groups": ["a,b"]}, ValidationFailed, "invalid group name 'a,b'"),
    ("wang", {}, InvalidRequest, "nothing to change"),
])
def test_set_user_refuses_unknown_users_roles_and_bad_groups(api, name, change, error, says):
    _user(api, "wang", groups=["window"], roles=["clerk"])
    with pytest.raises(error, match=says):
        users.set_user(api.runtime.uow(), name, **change, actor=users.SYSTEM)
    assert users.find_actor(api.runtime.uow(), "wang").roles == {"clerk"}


def test_a_role_taken_away_ends_its_rights_at_the_next_request_by_token(api):
    _user(api, "boss", groups=[], roles=["supervisor"])
    assert api.as_("boss").get("/api/incidents").status_code == 200
    users.set_user(api.runtime.uow(), "boss", roles=["clerk"], actor=users.SYSTEM)
    assert api.as_("boss").get("/api/incidents").status_code == 403
    users.set_user(api.runtime.uow(), "boss", roles=["supervisor"], actor=users.SYSTEM)
    assert api.as_("boss").get("/api/incidents").status_code == 200


def test_a_role_taken_away_ends_its_rights_in_an_open_page_session(app, runtime):
    users.add_user(runtime.uow(), "boss", groups=[], roles=["supervisor"], actor=users.SYSTEM)
    users.set_password(runtime.uow(), "boss", PASSWORD, actor=users.SYSTEM)
    browser = Browser(app.test_client())
    assert browser.log_in("boss").status_code == 302
    assert browser.get("/supervision").status_code == 200
    users.set_user(runtime.uow(), "boss", roles=["clerk"], actor=users.SYSTEM)
    assert browser.get("/supervision").status_code == 403
    assert browser.get("/queue").status_code == 200  # still logged in, as a clerk


def test_a_group_given_opens_its_queue_and_a_group_taken_closes_it(api, routed):
    task = _routed(api, group="office")
    assert _task(api, task, "window_clerk").status_code == 404
    users.set_user(api.runtime.uow(), "window_clerk", groups=["office"], actor=users.SYSTEM)
    assert api.as_("window_clerk").post(f"/api/tasks/{task['id']}/claim").status_code == 200
    other = _routed(api, group="window")
    assert _task(api, other, "window_clerk").status_code == 404


def test_the_clerk_role_taken_away_gives_their_tasks_back_to_the_queue(api, routed):
    task = _routed(api, group="window")
    assert api.as_("window_clerk").post(f"/api/tasks/{task['id']}/claim").status_code == 200
    kept = _routed(api, group="window")
    assert api.as_("window_clerk").post(f"/api/tasks/{kept['id']}/claim").status_code == 200
    # A clerk keeps what they hold.
    change = users.set_user(api.runtime.uow(), "window_clerk", groups=["office"], actor=users.SYSTEM)
    assert change.released.tasks == []
    assert _task(api, kept).get_json()["assignee"] == "window_clerk"
    change = users.set_user(api.runtime.uow(), "window_clerk", roles=["analyst"], actor=users.SYSTEM)
    assert sorted(t.id for t in change.released.tasks) == sorted([task["id"], kept["id"]])
    assert api.as_("window_clerk2").post(f"/api/tasks/{task['id']}/claim").status_code == 200
    [released] = [e for e in _history(api, task) if e["event"] == "task.unclaimed"]
    assert released["data"] == {"previous": "window_clerk", "reason": "用户 window_clerk 的角色已变更"}


# ---- a leaver ----------------------------------------------------------------------------------

def test_a_leavers_claimed_tasks_go_back_to_their_candidates(api, routed):
    grouped = _routed(api, group="window")
    assert api.as_("window_clerk").post(f"/api/tasks/{grouped['id']}/claim").status_code == 200
    colleague = api.as_("window_clerk2")
    taken = colleague.post(f"/api/tasks/{grouped['id']}/claim")
    assert taken.status_code == 409 and "claimed by window_clerk" in taken.get_json()["error"]["message"]

    released = users.set_active(api.runtime.uow(), "window_clerk", False, actor=users.SYSTEM)

    assert [t.id for t in released.tasks] == [grouped["id"]] and released.for_supervisors == []
    assert grouped["id"] in {t["id"] for t in colleague.get("/api/tasks?mine=true").get_json()["items"]}
    assert colleague.post(f"/api/tasks/{grouped['id']}/claim").get_json()["assignee"] == "window_clerk2"
    [event] = [e for e in _history(api, grouped) if e["event"] == "task.unclaimed"]
    assert event["actor"] == "system"
    assert event["data"] == {"previous": "window_clerk", "reason": "用户 window_clerk 已停用"}


def test_a_claim_in_flight_when_its_user_is_deactivated_is_refused(api, routed):
    """Authenticated before the deactivation committed, the claim would land after the leaver's tasks
    were released, and the task would stay with someone who can no longer work it."""
    grouped = _routed(api, group="window")
    authenticated = users.find_actor(api.runtime.uow(), "window_clerk")
    users.set_active(api.runtime.uow(), "window_clerk", False, actor=users.SYSTEM)

    with pytest.raises(Forbidden, match="'window_clerk' is deactivated"):
        tasks.claim(api.runtime.uow(), grouped["id"], actor=authenticated)

    assert _task(api, grouped).get_json()["assignee"] is None
    assert api.as_("window_clerk2").post(f"/api/tasks/{grouped['id']}/claim").status_code == 200


def test_a_task_naming_only_the_leaver_waits_unassigned_for_a_supervisor(api, routed):
    """Nobody else may claim it: it stays named to the leaver, unassigned, in the supervisors' view, and a
    supervisor assigns it to a colleague."""
    own = _routed(api, users=["window_clerk"])
    assert api.as_("window_clerk").post(f"/api/tasks/{own['id']}/claim").status_code == 200
    unclaimed = _routed(api, users=["window_clerk"])

    released = users.set_active(api.runtime.uow(), "window_clerk", False, actor=users.SYSTEM)

    assert [t.id for t in released.tasks] == [own["id"]]
    assert sorted(t.id for t in released.for_supervisors) == sorted([own["id"], unclaimed["id"]])
    listed = api.as_("supervisor").get("/api/tasks?candidate_user=window_clerk&unassigned=true").get_json()
    assert {t["id"] for t in listed["items"]} == {own["id"], unclaimed["id"]}
    assert _task(api, own, "window_clerk2").status_code == 404  # not every clerk's
    assigned = api.as_("supervisor").post(f"/api/tasks/{own['id']}/assign", json={"assignee": "window_clerk2"})
    assert assigned.status_code == 200 and assigned.get_json()["assignee"] == "window_clerk2"


def test_a_task_the_diagram_gave_the_leaver_alone_does_not_become_every_clerks(api, routed):
    named = _routed(api, assignee="window_clerk")  # no candidate: otherwise it would be every clerk's
    released = users.set_active(api.runtime.uow(), "window_clerk", False, actor=users.SYSTEM)
    assert [t.id for t in released.tasks] == [named["id"]] and [t.id for t in released.for_supervisors] == [named["id"]]
    now = _task(api, named).get_json()
    assert (now["assignee"], now["candidate_users"], now["candidate_groups"]) == (None, ["window_clerk"], [])
    assert _task(api, named, "office_clerk").status_code == 404


def test_a_task_claimed_from_every_clerks_pool_goes_back_to_it(api, routed):
    anyone = _routed(api)
    assert api.as_("window_clerk").post(f"/api/tasks/{anyone['id']}/claim").status_code == 200
    users.set_active(api.runtime.uow(), "window_clerk", False, actor=users.SYSTEM)
    assert api.as_("office_clerk").post(f"/api/tasks/{anyone['id']}/claim").get_json()["assignee"] == "office_clerk"


def test_a_leaver_with_no_tasks_releases_nothing_and_other_tasks_stay(api, routed):
    theirs = _routed(api, group="window")
    assert api.as_("window_clerk2").post(f"/api/tasks/{theirs['id']}/claim").status_code == 200
    released = users.set_active(api.runtime.uow(), "window_clerk", False, actor=users.SYSTEM)
    assert released.tasks == [] and released.for_supervisors == []
    assert _task(api, theirs).get_json()["assignee"] == "window_clerk2"
    assert users.set_active(api.runtime.uow(), "window_clerk", True, actor=users.SYSTEM).tasks == []


# ---- a diagram's assignee who is not an active user -------------------------------------------

def test_an_assignee_expression_naming_a_leaver_leaves_the_task_to_its_candidates(api, routed):
    users.set_active(api.runtime.uow(), "window_clerk", False, actor=users.SYSTEM)
    task = _routed(api, group="window", assignee="window_clerk")
    assert (task["assignee"], task["candidate_groups"], task["candidate_users"]) == (None, ["window"], [])
    assert api.as_("window_clerk2").post(f"/api/tasks/{task['id']}/claim").get_json()["assignee"] == "window_clerk2"
    [created, note] = [e for e in _history(api, task) if e["event"] in ("task.created", "task.assignee_inactive")]
    assert created["event"] == "task.created" and created["data"]["assignee"] is None
    assert note["event"] == "task.assignee_inactive" and note["data"]["assignee"] == "window_clerk"
    assert "not an active user" in note["data"]["message"]


def test_an_assignee_expression_naming_a_leaver_with_no_candidates_waits_for_a_supervisor(api, routed):
    users.set_active(api.runtime.uow(), "window_clerk", False, actor=users.SYSTEM)
    task = _routed(api, assignee="window_clerk")
    assert (task["assignee"], task["candidate_groups"], task["candidate_users"]) == (None, [], ["window_clerk"])
    assert _task(api, task, "window_clerk2").status_code == 404
    listed = api.as_("supervisor").get("/api/tasks?unassigned=true&process_key=routed_task").get_json()
    assert [t["id"] for t in listed["items"]] == [task["id"]]
    assigned = api.as_("supervisor").post(f"/api/tasks/{task['id']}/assign", json={"assignee": "office_clerk"})
    assert assigned.status_code == 200


@pytest.mark.parametrize("assignee", ["window_clerk", "someone_not_yet_a_user"])
def test_an_assignee_expression_naming_an_active_or_future_user_assigns_as_before(api, routed, assignee):
    task = _routed(api, group="window", assignee=assignee)
    assert (task["assignee"], task["candidate_groups"], task["candidate_users"]) == (assignee, ["window"], [])
    assert not [e for e in _history(api, task) if e["event"] == "task.assignee_inactive"]


def test_a_leavers_task_in_a_held_case_is_released_too_and_claimable_once_resumed(api, routed):
    task = _routed(api, group="window")
    assert api.as_("window_clerk").post(f"/api/tasks/{task['id']}/claim").status_code == 200
    case = f"/api/process-instances/{task['process_instance_id']}"
    assert api.as_("supervisor").post(f"{case}/suspend", json={"reason": "核查"}).status_code == 200
    released = users.set_active(api.runtime.uow(), "window_clerk", False, actor=users.SYSTEM)
    assert [t.id for t in released.tasks] == [task["id"]]
    assert api.as_("supervisor").post(f"{case}/resume", json={}).status_code == 200
    assert api.as_("window_clerk2").post(f"/api/tasks/{task['id']}/claim").get_json()["assignee"] == "window_clerk2"
