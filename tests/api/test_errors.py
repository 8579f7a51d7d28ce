"""One error shape for every failure; no internals leak; a failing step leaves the case untouched."""
from __future__ import annotations

import logging

from sqlalchemy import func, select

import engine.definitions
from engine.models import HistoryEvent, ProcessInstance
from tests.helpers import FIXTURES

BASE_KEYS = {"code", "message", "details"}
CONTEXT_KEYS = {"state", "assignee", "element", "element_name", "instance_id", "reason"}


def assert_error_shape(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    body = response.get_json()
    assert response.status_code == status, body
    assert set(body) == {"error"}
    error = body["error"]
    assert BASE_KEYS <= set(error) and set(error) - BASE_KEYS <= CONTEXT_KEYS, error
    assert error["code"] == code and isinstance(error["message"], str) and error["message"]
    assert isinstance(error["details"], list)
    return error


def test_every_kind_of_failure_answers_in_the_one_error_shape(api):
    api.deploy("simple_approval.bpmn")
    task_id = api.start("simple_approval", variables={"reviewGroup": "office"})["tasks"][0]["id"]
    api.as_("window_clerk").post(f"/api/tasks/{task_id}/claim")
    clerk, integrator = api.as_("window_clerk2"), api.as_("integrator")
    assert_error_shape(api.client.get("/api/tasks"), 401, "unauthenticated")
    assert_error_shape(api.as_("analyst").post("/api/process-definitions/simple_approval/start"), 403, "forbidden")
    assert_error_shape(api.get("/api/process-instances/424242"), 404, "not_found")
    assert_error_shape(api.get("/api/no-such-endpoint"), 404, "not_found")
    assert_error_shape(api.client.delete("/api/tasks", headers=api.headers()), 405, "method_not_allowed")
    assert_error_shape(clerk.post(f"/api/tasks/{task_id}/claim"), 409, "conflict")
    assert_error_shape(api.as_("analyst").post("/api/deployments", data={}, content_type="multipart/form-data"),
                       400, "invalid_request")
    assert_error_shape(integrator.post("/api/process-definitions/simple_approval/start", json={"variables": 3}),
                       422, "validation_failed")
    assert_error_shape(integrator.post("/api/process-definitions/simple_approval/start", data="{not json",
                                       content_type="application/json"), 400, "invalid_request")
    assert_error_shape(_deploy_raw(api, "invalid/malformed.bpmn"), 422, "deployment_invalid")


def _deploy_raw(api, name: str):  # type: ignore[no-untyped-def]
    with (FIXTURES / name).open("rb") as diagram:
        return api.as_("analyst").post("/api/deployments", data={"files": [(diagram, name)]},
                                       content_type="multipart/form-data")


def test_http_level_errors_say_what_to_fix(api):
    integrator = api.as_("integrator")
    bad_json = integrator.post("/api/messages", data="{not json", content_type="application/json")
    assert assert_error_shape(bad_json, 400, "invalid_request")["message"] == \
        "the request body is not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2"
    nowhere = assert_error_shape(integrator.get("/api/no-such-endpoint"), 404, "not_found")
    assert nowhere["message"] == "no such endpoint: GET /api/no-such-endpoint (the API is described at /api/openapi.json)"
    wrong_method = assert_error_shape(integrator.client.delete("/api/tasks", headers=integrator.headers()), 405,
                                      "method_not_allowed")
    assert wrong_method["message"] == "DELETE is not allowed here; allowed: GET, HEAD, OPTIONS"
    missing = assert_error_shape(api.get("/api/process-instances/424242"), 404, "not_found")
    assert missing["message"] == "process instance 424242 not found"  # an engine message stays as it is


def test_a_validation_error_lists_each_field_with_its_message(api):
    api.deploy("simple_approval.bpmn")
    response = api.as_("integrator").post("/api/process-definitions/simple_approval/start",
                                          json={"business_key": "", "variables": {"1st": 1, "ok": float("nan")}})
    error = assert_error_shape(response, 422, "validation_failed")
    assert all(set(d) == {"field", "message"} for d in error["details"])
    assert "business_key" in {d["field"] for d in error["details"]}


def test_an_unexpected_exception_is_a_generic_500_and_the_traceback_goes_to_the_log(api, monkeypatch, caplog):
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("connection string postgresql://admin:hunter2@db")

    monkeypatch.setattr(engine.definitions, "list_definitions", broken)
    with caplog.at_level(logging.ERROR, logger="api.errors"):
        response = api.get("/api/process-definitions")
    error = assert_error_shape(response, 500, "internal_error")
    assert error == {"code": "internal_error", "message": "internal server error", "details": []}
    assert b"hunter2" not in response.data and b"Traceback" not in response.data
    assert "hunter2" in caplog.text and "Traceback" in caplog.text


def _snapshot(api, instance_id: int) -> tuple[int, str, int]:  # type: ignore[no-untyped-def]
    with api.runtime.uow() as uow:
        row = uow.session.get(ProcessInstance, instance_id)
        history = uow.session.scalar(select(func.count()).where(HistoryEvent.instance_id == instance_id))
        return row.version, row.state, history or 0


def test_a_failing_script_after_a_task_is_a_422_and_leaves_the_case_exactly_as_before(api):
    api.deploy("fee_script.bpmn")
    case = api.start("fee_script")
    task_id = case["tasks"][0]["id"]
    clerk = api.as_("window_clerk")
    clerk.post(f"/api/tasks/{task_id}/claim")
    before = _snapshot(api, case["id"])
    variables_before = api.get(f"/api/process-instances/{case['id']}").get_json()["variables"]

    response = clerk.post(f"/api/tasks/{task_id}/complete", json={"variables": {"total": 10, "pieces": 0}})
    error = assert_error_shape(response, 422, "process_error")
    assert "计算单价" in error["message"] and "division by zero" in error["message"]
    assert error["element"] == "compute"

    assert _snapshot(api, case["id"]) == before
    after = api.get(f"/api/process-instances/{case['id']}").get_json()
    assert after["variables"] == variables_before
    assert [(t["id"], t["state"], t["assignee"]) for t in after["tasks"]] == [(task_id, "READY", "window_clerk")]
    fixed = clerk.post(f"/api/tasks/{task_id}/complete", json={"variables": {"total": 10, "pieces": 4}})
    assert fixed.status_code == 200 and fixed.get_json()["variables"]["unit_price"] == 2.5


def test_integers_beyond_64_bits_are_refused_at_the_door_and_from_a_script(api):
    """A case's state stores 64-bit integers: a larger one from outside is a 422 naming the field, wherever it
    comes in (a buffered message included, which would otherwise break the case that later takes it); one a
    script computes fails the step, and the case stays as it was."""
    api.deploy("power_script.bpmn")
    huge = 10**30
    integrator = api.as_("integrator")
    for path, body in [("/api/process-definitions/power_script/start", {"variables": {"n": huge}}),
                       ("/api/messages", {"name": "anything", "business_key": "BK-1", "buffer_seconds": 60,
                                          "variables": {"items": [{"n": -huge}]}})]:
        error = assert_error_shape(integrator.post(path, json=body), 422, "validation_failed")
        assert error["details"][0]["message"] == "integers must fit in 64 bits; send larger numbers as strings"
    case = api.start("power_script", variables={"largest": 2**63 - 1, "smallest": -(2**63)})
    task_id = case["tasks"][0]["id"]
    clerk = api.as_("window_clerk")
    assert clerk.post(f"/api/tasks/{task_id}/claim").status_code == 200
    error = assert_error_shape(clerk.post(f"/api/tasks/{task_id}/complete", json={"variables": {"n": huge}}),
                               422, "validation_failed")
    assert error["details"][0]["field"] == "variables.n"
    before = _snapshot(api, case["id"])
    error = assert_error_shape(clerk.post(f"/api/tasks/{task_id}/complete", json={"variables": {"digits": 30}}),
                               422, "process_error")
    assert error["message"].startswith("the case's data cannot be stored")
    assert _snapshot(api, case["id"]) == before
    done = clerk.post(f"/api/tasks/{task_id}/complete", json={"variables": {"digits": 18}}).get_json()
    assert done["variables"]["amount"] == 10**18 and done["variables"]["largest"] == 2**63 - 1


def test_a_start_whose_first_steps_fail_stores_no_case(api):
    api.deploy("juel_routing.bpmn")
    response = api.as_("integrator").post("/api/process-definitions/juel_routing/start",
                                          json={"business_key": "FAIL-1", "variables": {"kind": "x"}})
    assert_error_shape(response, 422, "process_error")
    with api.runtime.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(ProcessInstance)) == 0
    assert api.get("/api/process-instances?business_key=FAIL-1").get_json()["total"] == 0


def test_a_query_parameter_an_endpoint_does_not_take_is_named_not_ignored(api):
    """A misspelt filter answering every case, as if honoured, is how an integrator's sync goes wrong."""
    misspelt = api.as_("supervisor").get("/api/process-instances?businessKey=SX-1")
    assert misspelt.status_code == 422
    assert "businessKey" in str(misspelt.get_json()["error"]["details"])
    assert api.as_("supervisor").get("/api/process-instances?business_key=SX-1").status_code == 200
    assert api.as_("supervisor").get("/api/tasks?topik=payment").status_code == 422


def test_a_query_parameter_given_twice_where_one_value_is_taken_is_a_422_naming_it(api):
    """?state=running&state=completed answered for running cases alone, as if both had been honoured."""
    twice = api.as_("supervisor").get("/api/process-instances?state=running&state=completed")
    assert twice.status_code == 422
    assert twice.get_json()["error"]["details"] == [{"field": "state", "message": "given more than once: give one "
                                                                                   "value"}]
    assert api.as_("supervisor").get("/api/tasks?sort=due&sort=bogus").status_code == 422
    unknown = api.as_("supervisor").get("/api/process-instances?statte=running&statte=completed")
    assert unknown.status_code == 422 and "given more than once" not in str(unknown.get_json())  # unknown, said so
    assert api.as_("supervisor").get("/api/process-instances?state=running").status_code == 200
