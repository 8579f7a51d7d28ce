"""The core loop over HTTP: deploy, start, inbox, claim, complete, history."""
from __future__ import annotations


def test_deploy_returns_definitions_and_redeploying_same_content_keeps_the_version(api):
    first = api.deploy("simple_approval.bpmn")
    assert [(d["key"], d["version"], d["new"]) for d in first["definitions"]] == [("simple_approval", 1, True)]
    again = api.deploy("simple_approval.bpmn")
    assert [(d["key"], d["version"], d["new"]) for d in again["definitions"]] == [("simple_approval", 1, False)]
    listed = api.get("/api/process-definitions").get_json()
    assert [(d["key"], d["version"]) for d in listed] == [("simple_approval", 1)]


def test_a_case_runs_from_start_through_two_queues_to_completion(api):
    api.deploy("simple_approval.bpmn")
    case = api.start("simple_approval", business_key="SX-2026-0001", variables={"reviewGroup": "office"})
    assert case["state"] == "running" and case["business_key"] == "SX-2026-0001"
    [accept] = case["tasks"]
    assert accept["name"] == "受理" and accept["candidate_groups"] == ["window"] and accept["priority"] == 70
    assert accept["form_key"] == "accept.form" and accept["due_at"] is not None

    clerk = api.as_("window_clerk")
    queue = clerk.get("/api/tasks?mine=true").get_json()
    assert queue["total"] == 1 and queue["items"][0]["id"] == accept["id"]
    assert api.as_("office_clerk").get("/api/tasks?mine=true").get_json()["total"] == 0

    assert clerk.post(f"/api/tasks/{accept['id']}/claim").status_code == 200
    done = clerk.post(f"/api/tasks/{accept['id']}/complete", json={"variables": {"accepted": True, "amount": 10}})
    assert done.status_code == 200, done.get_json()
    [review] = done.get_json()["tasks"]
    assert review["candidate_groups"] == ["office"]

    office = api.as_("office_clerk")
    assert office.post(f"/api/tasks/{review['id']}/complete", json={"variables": {}}).status_code == 200
    final = api.get(f"/api/process-instances/{case['id']}").get_json()
    assert final["state"] == "completed" and final["variables"]["amount"] == 10

    events = [e["event"] for e in api.get(f"/api/process-instances/{case['id']}/history").get_json()]
    assert events[0] == "instance.started"
    assert {"task.claimed", "task.completed", "element.completed"} <= set(events)


def test_starting_again_with_the_same_business_key_returns_the_existing_case(api):
    api.deploy("simple_approval.bpmn")
    first = api.start("simple_approval", business_key="RETRY-1", variables={"reviewGroup": "office"})
    retried = api.start("simple_approval", expect=200, business_key="RETRY-1", variables={"reviewGroup": "office"})
    assert retried["id"] == first["id"] and retried["differing_variables"] == []
    # Another application under the same number: the case is not changed, and the answer says which
    # variables were not applied.
    second = api.start("simple_approval", expect=200, business_key="RETRY-1",
                       variables={"reviewGroup": "x", "amount": 5})
    assert second["id"] == first["id"] and second["differing_variables"] == ["amount", "reviewGroup"]
    assert second["variables"]["reviewGroup"] == "office" and "query_code" not in second
    assert "differing_variables" not in first
    assert api.get("/api/process-instances").get_json()["total"] == 1


def test_completing_a_finished_task_is_a_conflict_with_its_state(api):
    api.deploy("simple_approval.bpmn")
    case = api.start("simple_approval", variables={"reviewGroup": "office"})
    task_id = case["tasks"][0]["id"]
    clerk = api.as_("window_clerk")
    assert clerk.post(f"/api/tasks/{task_id}/complete", json={"variables": {"accepted": False, "amount": 1}}).status_code == 200
    again = clerk.post(f"/api/tasks/{task_id}/complete", json={"variables": {}})
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "conflict" and again.get_json()["error"]["state"] == "COMPLETED"


def test_someone_elses_claimed_task_cannot_be_claimed_or_completed(api):
    api.deploy("simple_approval.bpmn")
    task_id = api.start("simple_approval", variables={"reviewGroup": "office"})["tasks"][0]["id"]
    assert api.as_("window_clerk").post(f"/api/tasks/{task_id}/claim").status_code == 200
    other = api.as_("window_clerk2")
    assert other.post(f"/api/tasks/{task_id}/claim").status_code == 409
    assert other.post(f"/api/tasks/{task_id}/complete", json={"variables": {}}).status_code == 409
    assert api.as_("office_clerk").post(f"/api/tasks/{task_id}/claim").status_code == 404


def test_requests_without_a_valid_token_or_role_are_refused(api):
    api.deploy("simple_approval.bpmn")
    assert api.client.get("/api/tasks").status_code == 401
    bad = api.client.get("/api/tasks", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.get_json()["error"]["code"] == "unauthenticated"
    start = api.as_("analyst").post("/api/process-definitions/simple_approval/start", json={})
    assert start.status_code == 403 and start.get_json()["error"]["code"] == "forbidden"


def test_bad_input_gets_a_stable_error_shape(api):
    api.deploy("simple_approval.bpmn")
    response = api.as_("integrator").post("/api/process-definitions/simple_approval/start",
                                          json={"variables": {"bad name": 1}, "unknown": 2})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed" and any(d["field"] == "unknown" for d in error["details"])
    missing = api.as_("integrator").post("/api/process-definitions/nope/start", json={})
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
