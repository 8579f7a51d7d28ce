"""Claims and assignments racing commands on the same case, on PostgreSQL (SQLite's writers take turns, so
these interleavings cannot happen there).

Each test lets a second actor act on another connection at the moment the first command is most exposed,
and gives it up to two seconds to get through (tests.rival). A rival that must wait for the first command's lock is
still waiting when the first one commits; then it runs, and what both did must still add up.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from engine import tasks, users
from engine.errors import Conflict
from engine.users import Actor
from tests.rival import Rival


@pytest.fixture
def pg(api):  # type: ignore[no-untyped-def]
    if api.runtime.engine.dialect.name != "postgresql":
        pytest.skip("a race between two connections: PostgreSQL only")
    return api


def clerk(api: Any, name: str, *groups: str) -> Actor:
    _, api.tokens[name] = users.add_user(api.runtime.uow(), name, groups=list(groups), roles=["clerk"],
                                         actor=users.SYSTEM)
    return Actor(name, frozenset(groups), frozenset({"clerk"}))


def suspend_meanwhile(api: Any, case_id: int, action: Callable[[], Any]) -> Rival:
    """Suspend the case, with ``action`` as the rival once the suspension has read the open task rows."""
    with Rival(api.runtime, lambda s: "FROM tasks" in s and "tasks.state IN" in s, action,
               expected=(Conflict,)) as rival:
        suspended = api.as_("supervisor").post(f"/api/process-instances/{case_id}/suspend", json={"reason": "核查"})
    assert suspended.status_code == 200, suspended.get_json()
    return rival


@pytest.fixture
def waiting(pg):  # type: ignore[no-untyped-def]
    """A case whose first task waits in the window's queue, and a clerk of the window."""
    pg.deploy("simple_approval.bpmn")
    case = pg.start("simple_approval", variables={"reviewGroup": "office"})
    return pg, case, case["tasks"][0]["id"], clerk(pg, "window_one", "window")


def test_a_claim_racing_a_suspension_is_either_kept_or_refused(waiting):
    api, case, task_id, window = waiting
    rival = suspend_meanwhile(api, case["id"], lambda: tasks.claim(api.runtime.uow(), task_id, actor=window))
    assert api.as_("supervisor").post(f"/api/process-instances/{case['id']}/resume").status_code == 200

    history = [e["event"] for e in api.as_("supervisor").get(f"/api/process-instances/{case['id']}/history").get_json()]
    task = api.as_("supervisor").get(f"/api/tasks/{task_id}").get_json()
    if isinstance(rival.outcome, Conflict):  # it waited for the suspension, then found the task held
        assert "task.claimed" not in history and task["assignee"] is None
    else:  # it got through first: the suspension must not undo it
        assert "task.claimed" in history and task["assignee"] == "window_one"


@pytest.mark.parametrize("second_group", ["archive", "health"])
def test_two_claims_bringing_departments_in_at_once_add_each_once_and_one_lead(pg, second_group):
    api = pg
    api.client.put("/api/departments/DAJ", json={"name": "档案局", "groups": ["archive"]}, headers=api.headers())
    api.client.put("/api/departments/WJW", json={"name": "卫生健康委员会", "groups": ["health"]},
                   headers=api.headers())
    clerk(api, "r1", "archive")
    r2 = clerk(api, "r2", second_group)
    api.deploy("camunda_multi.bpmn")
    case = api.start("camunda_multi", variables={"reviewers": ["r1", "r2"]})  # candidate users: no department
    by_user = {t["candidate_users"][0]: t["id"] for t in case["tasks"]}
    # r1's claim has looked up the case's departments when r2 claims too.
    with Rival(api.runtime, lambda s: "FROM department_groups" in s and "case_departments" in s,
               lambda: tasks.claim(api.runtime.uow(), by_user["r2"], actor=r2), expected=(Conflict,)) as rival:
        claimed = api.as_("r1").post(f"/api/tasks/{by_user['r1']}/claim")
    assert claimed.status_code == 200, claimed.get_json()
    assert not isinstance(rival.outcome, Conflict) and rival.outcome.assignee == "r2"

    joined = api.get(f"/api/process-instances/{case['id']}/departments").get_json()
    expected = ["DAJ"] if second_group == "archive" else ["DAJ", "WJW"]
    assert sorted(d["department_code"] for d in joined) == expected
    assert [d["role"] for d in joined].count("lead") == 1


def test_a_release_committed_while_a_case_is_suspended_stays_released(waiting):
    api, case, task_id, window = waiting
    tasks.claim(api.runtime.uow(), task_id, actor=window)
    rival = suspend_meanwhile(api, case["id"], lambda: tasks.unclaim(api.runtime.uow(), task_id, actor=window))
    assert not isinstance(rival.outcome, Conflict) and rival.outcome.assignee is None
    assert api.as_("supervisor").get(f"/api/tasks/{task_id}").get_json()["assignee"] is None


def test_a_claim_committed_while_another_clerk_completes_refuses_the_completion(api, monkeypatch):
    """On both databases: one clerk completes the unclaimed task; another's claim commits after the completion
    read the task and before it saves. A claim does not change the case's version, so only the task row can
    tell: the completion is a 409, the task stays open and claimed, nothing of the completion is kept."""
    from engine import forms
    from engine.models import HistoryEvent, Task

    api.deploy("simple_approval.bpmn")
    case = api.start("simple_approval", variables={"reviewGroup": "office"})
    task_id = case["tasks"][0]["id"]
    first, second = clerk(api, "window_one", "window"), clerk(api, "window_two", "window")
    validate = forms.validate_submission

    def claimed_meanwhile(*args: Any, **kwargs: Any) -> Any:
        tasks.claim(api.runtime.uow(), task_id, actor=first)  # its own connection, committed
        return validate(*args, **kwargs)

    monkeypatch.setattr(tasks.forms, "validate_submission", claimed_meanwhile)
    refused = api.as_("window_two").post(f"/api/tasks/{task_id}/complete",
                                         json={"variables": {"accepted": True, "amount": 5}})
    assert refused.status_code == 409, refused.get_json()
    assert "claimed" in refused.get_json()["error"]["message"]
    monkeypatch.setattr(tasks.forms, "validate_submission", validate)
    with api.runtime.uow() as uow:
        row = uow.session.get(Task, task_id)
        assert row is not None and (row.state, row.assignee, row.completed_by) == ("READY", "window_one", None)
        events = [e.event for e in uow.session.query(HistoryEvent).filter_by(instance_id=case["id"])]
    assert "task.claimed" in events and "task.completed" not in events
    done = tasks.complete(api.runtime.uow(), task_id, actor=first, variables={"accepted": True, "amount": 5})
    assert done.state == "running" and second.name not in str(done.tasks)
