"""Suspend, resume and terminate a case: what the inbox, tasks, messages and history then show."""
from __future__ import annotations

import pytest


@pytest.fixture
def case(api) -> dict:  # type: ignore[no-untyped-def, type-arg]
    api.deploy("simple_approval.bpmn")
    return api.start("simple_approval", business_key="LC-1", variables={"reviewGroup": "office"})


def _post(api, user: str, url: str, expect: int,  # type: ignore[no-untyped-def]
          body: dict | None = None) -> dict:  # type: ignore[type-arg]
    response = api.as_(user).post(url, json=body or {})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def _inbox(api, user: str = "window_clerk") -> list[str]:  # type: ignore[no-untyped-def]
    return [t["id"] for t in api.as_(user).get("/api/tasks").get_json()["items"]]


def test_a_suspended_case_leaves_the_inbox_and_refuses_work(api, case):
    task_id = case["tasks"][0]["id"]
    suspended = _post(api, "supervisor", f"/api/process-instances/{case['id']}/suspend", 200, {"reason": "核查"})
    assert suspended["state"] == "suspended"
    assert task_id not in _inbox(api) and task_id not in _inbox(api, "supervisor")
    complete = _post(api, "window_clerk", f"/api/tasks/{task_id}/complete", 409, {"variables": {}})
    assert complete["error"]["code"] == "conflict" and complete["error"]["state"] in ("SUSPENDED", "suspended")
    assert _post(api, "window_clerk", f"/api/tasks/{task_id}/claim", 409)["error"]["code"] == "conflict"
    assert api.get(f"/api/tasks/{task_id}").get_json()["state"] == "SUSPENDED"


def test_a_suspended_case_refuses_messages(api):
    api.deploy("supplement.bpmn")
    case = api.start("supplement", business_key="LC-2")
    _post(api, "supervisor", f"/api/process-instances/{case['id']}/suspend", 200)
    error = _post(api, "integrator", "/api/messages", 409,
                  {"name": "materials_supplemented", "business_key": "LC-2"})["error"]
    assert error["code"] == "conflict" and "suspended" in error["message"]
    _post(api, "supervisor", f"/api/process-instances/{case['id']}/resume", 200)
    [delivered] = _post(api, "integrator", "/api/messages", 200,
                        {"name": "materials_supplemented", "business_key": "LC-2"})["process_instances"]
    assert [t["bpmn_id"] for t in delivered["tasks"]] == ["recheck"]


def test_a_resumed_case_is_back_in_the_inbox_and_completes(api, case):
    task_id = case["tasks"][0]["id"]
    _post(api, "supervisor", f"/api/process-instances/{case['id']}/suspend", 200)
    resumed = _post(api, "supervisor", f"/api/process-instances/{case['id']}/resume", 200)
    assert resumed["state"] == "running" and [t["id"] for t in resumed["tasks"]] == [task_id]
    assert resumed["tasks"][0]["state"] == "READY"
    assert task_id in _inbox(api)
    done = _post(api, "window_clerk", f"/api/tasks/{task_id}/complete", 200,
                 {"variables": {"accepted": False, "amount": 1}})
    assert done["state"] == "completed"


def test_terminate_cancels_open_tasks_and_records_the_reason(api, case):
    task_id = case["tasks"][0]["id"]
    ended = _post(api, "supervisor", f"/api/process-instances/{case['id']}/terminate", 200,
                  {"reason": "申请人撤回申请"})
    assert (ended["state"], ended["end_reason"], ended["tasks"]) == ("terminated", "申请人撤回申请", [])
    assert ended["ended_at"] is not None
    assert api.get(f"/api/tasks/{task_id}").get_json()["state"] == "CANCELLED"
    assert task_id not in _inbox(api)
    events = api.get(f"/api/process-instances/{case['id']}/history").get_json()
    [terminated] = [e for e in events if e["event"] == "instance.terminated"]
    assert (terminated["actor"], terminated["data"]["reason"]) == ("supervisor", "申请人撤回申请")
    assert _post(api, "window_clerk", f"/api/tasks/{task_id}/complete", 409, {"variables": {}})["error"]["state"] \
        == "CANCELLED"


def test_a_suspended_case_can_be_terminated(api, case):
    _post(api, "supervisor", f"/api/process-instances/{case['id']}/suspend", 200)
    ended = _post(api, "integrator", f"/api/process-instances/{case['id']}/terminate", 200, {"reason": "撤件"})
    assert ended["state"] == "terminated"
    assert api.get(f"/api/tasks/{case['tasks'][0]['id']}").get_json()["state"] == "CANCELLED"


@pytest.mark.parametrize(("first", "then"), [
    (None, "resume"), ("suspend", "suspend"), ("terminate", "suspend"), ("terminate", "resume"),
    ("terminate", "terminate"),
])
def test_a_transition_from_the_wrong_state_is_a_conflict_naming_the_state(api, case, first, then):
    base = f"/api/process-instances/{case['id']}"
    if first:
        _post(api, "supervisor", f"{base}/{first}", 200, {"reason": "x"} if first == "terminate" else {})
    before = api.get(base).get_json()["state"]
    error = _post(api, "supervisor", f"{base}/{then}", 409, {"reason": "x"} if then == "terminate" else {})["error"]
    assert error["code"] == "conflict" and error["state"] == before
    assert api.get(base).get_json()["state"] == before


def test_a_completed_case_cannot_be_suspended(api, case):
    _post(api, "window_clerk", f"/api/tasks/{case['tasks'][0]['id']}/complete", 200,
          {"variables": {"accepted": False, "amount": 1}})
    refused = _post(api, "supervisor", f"/api/process-instances/{case['id']}/suspend", 409)
    assert refused["error"]["state"] == "completed"


def test_terminate_needs_a_reason_and_the_right_role(api, case):
    base = f"/api/process-instances/{case['id']}"
    missing = _post(api, "supervisor", f"{base}/terminate", 422)["error"]
    assert missing["code"] == "validation_failed" and missing["details"][0]["field"] == "reason"
    assert _post(api, "window_clerk", f"{base}/suspend", 403)["error"]["code"] == "forbidden"
    assert _post(api, "window_clerk", f"{base}/terminate", 403, {"reason": "x"})["error"]["code"] == "forbidden"
    assert api.get(base).get_json()["state"] == "running"
    assert _post(api, "supervisor", "/api/process-instances/999999/suspend", 404)["error"]["code"] == "not_found"


def test_every_command_on_a_case_answers_with_its_variables(api, case):
    """A retried start shows the case as it stands (not the retry's variables), and so do suspend, resume
    and terminate: an integrator can see what the case holds without another request."""
    again = api.as_("integrator").post("/api/process-definitions/simple_approval/start",
                                       json={"business_key": "LC-1", "variables": {"reviewGroup": "other"}})
    assert again.status_code == 200 and again.get_json()["id"] == case["id"]
    assert again.get_json()["variables"] == {"reviewGroup": "office"}
    url = f"/api/process-instances/{case['id']}"
    for command, body in [("suspend", {"reason": "核查"}), ("resume", {}), ("terminate", {"reason": "撤件"})]:
        assert _post(api, "supervisor", f"{url}/{command}", 200, body)["variables"] == {"reviewGroup": "office"}


def test_an_integrator_changes_only_the_cases_its_system_started(api, case):
    """The case was started by `integrator` (the platform); a payment system's account may not withdraw it."""
    from engine import users

    api.tokens["payment"] = users.add_user(api.runtime.uow(), "payment", roles=["integrator"], actor=users.SYSTEM)[1]
    url = f"/api/process-instances/{case['id']}"
    for command, body in (("suspend", {}), ("terminate", {"reason": "撤件"})):
        refused = _post(api, "payment", f"{url}/{command}", 403, body)
        assert "only the cases it started" in refused["error"]["message"]
    assert api.as_("supervisor").get(url).get_json()["state"] == "running"
    assert _post(api, "integrator", f"{url}/suspend", 200)["state"] == "suspended"
    assert _post(api, "supervisor", f"{url}/resume", 200)["state"] == "running"
