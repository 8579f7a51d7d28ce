"""Incidents over HTTP: a timer that ran out of retries is listed, retried, or resolved."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from engine import Runtime, jobs
from engine.models import Job

WORKER = "test:1:0000"


def timer_jobs(runtime: Runtime, instance_id: int) -> list[Job]:
    with runtime.uow() as uow:
        return list(uow.session.scalars(select(Job).where(Job.instance_id == instance_id).order_by(Job.id)))


def history(api: Any, instance_id: int, event: str) -> list[dict[str, Any]]:
    timeline = api.get(f"/api/process-instances/{instance_id}/history").get_json()
    return [e for e in timeline if e["event"] == event]


def fail_until_incident(runtime: Runtime, job: Job) -> datetime:
    now = job.due_at + timedelta(seconds=1)
    for delay in (*jobs.BACKOFF, 0):
        jobs.run_due(runtime, worker_id=WORKER, now=now)
        now += timedelta(seconds=delay + 1)
    return now


@pytest.fixture
def incident(api, runtime) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return make_incident(api, runtime)


def make_incident(api: Any, runtime: Runtime) -> dict[str, Any]:
    """A case whose timer ran out of retries: the script after it finds the registry down."""
    api.deploy("timer_then_script.bpmn")
    case = api.start("timer_then_script", variables={"registry_down_at_start": True})
    [job] = timer_jobs(runtime, case["id"])
    now = fail_until_incident(runtime, job)
    assert [j.state for j in timer_jobs(runtime, case["id"])] == ["failed"]
    return {"case": case, "job_id": job.id, "now": now}


def test_supervisors_see_incidents_with_their_case_and_error(api, incident):
    listed = api.as_("supervisor").get("/api/incidents")
    assert listed.status_code == 200
    [item] = listed.get_json()
    case = incident["case"]
    assert item["id"] == incident["job_id"] and item["process_instance_id"] == case["id"]
    assert item["business_key"] == case["business_key"] and item["process_key"] == "timer_then_script"
    assert (item["element_id"], item["state"], item["attempts"]) == ("wait", "failed", len(jobs.BACKOFF) + 1)
    assert "registry unavailable" in item["last_error"]


def test_clerks_may_not_see_or_act_on_incidents(api, incident):
    clerk = api.as_("window_clerk")
    assert clerk.get("/api/incidents").status_code == 403
    assert clerk.post(f"/api/incidents/{incident['job_id']}/retry").status_code == 403
    assert clerk.post(f"/api/incidents/{incident['job_id']}/resolve", json={"note": "x"}).status_code == 403


def test_after_fixing_the_cause_a_retried_incident_fires_and_the_case_finishes(api, runtime, incident):
    case = incident["case"]
    [maintain] = case["tasks"]
    fixed = api.as_("office_clerk").post(f"/api/tasks/{maintain['id']}/complete",
                                         json={"variables": {"registry_down": False}})
    assert fixed.status_code == 200, fixed.get_json()
    # The case changed elsewhere; its failed timer is still the one incident, not a fresh pending job.
    assert [(j.id, j.state) for j in timer_jobs(runtime, case["id"])] == [(incident["job_id"], "failed")]

    retried = api.as_("supervisor").post(f"/api/incidents/{incident['job_id']}/retry")
    assert retried.status_code == 200
    assert retried.get_json()["state"] == "pending"
    assert api.as_("supervisor").get("/api/incidents").get_json() == []

    assert jobs.run_due(runtime, worker_id=WORKER, now=incident["now"]) == 1
    assert api.get(f"/api/process-instances/{case['id']}").get_json()["state"] == "completed"
    assert [e["actor"] for e in history(api, case["id"], "incident.retried")] == ["supervisor"]
    assert len(history(api, case["id"], "timer.fired")) == 1


def test_a_retried_incident_that_fails_again_is_an_incident_again_at_once(api, runtime, incident):
    """The supervisor retried after a fix that did not work: they learn it at the next poll, not after
    another hour of automatic retries during which the incident list showed nothing."""
    assert api.as_("supervisor").post(f"/api/incidents/{incident['job_id']}/retry").status_code == 200
    assert jobs.run_due(runtime, worker_id=WORKER, now=incident["now"]) == 0
    [job] = timer_jobs(runtime, incident["case"]["id"])
    assert job.state == "failed"
    [again] = api.as_("supervisor").get("/api/incidents").get_json()
    assert again["id"] == incident["job_id"] and "registry unavailable" in again["last_error"]
    assert len(history(api, incident["case"]["id"], "incident.created")) == 2


def test_resolving_an_incident_closes_it_with_a_note_in_the_case_history(api, runtime, incident):
    resolved = api.as_("supervisor").post(f"/api/incidents/{incident['job_id']}/resolve",
                                          json={"note": "登记系统停用，已人工核验"})
    assert resolved.status_code == 200 and resolved.get_json()["state"] == "cancelled"
    assert api.as_("supervisor").get("/api/incidents").get_json() == []
    [event] = history(api, incident["case"]["id"], "incident.resolved")
    assert event["actor"] == "supervisor" and event["data"]["note"] == "登记系统停用，已人工核验"
    assert jobs.run_due(runtime, worker_id=WORKER, now=incident["now"] + timedelta(days=1)) == 0


def test_incident_actions_refuse_unknown_jobs_missing_notes_and_jobs_that_are_not_incidents(api, incident):
    sup = api.as_("supervisor")
    missing = sup.post("/api/incidents/999999/retry")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    assert sup.post(f"/api/incidents/{incident['job_id']}/resolve", json={}).status_code == 422
    for blank in ("   ", "\u200b", "\u0015"):  # nothing a reader sees: refused as a missing note is, naming it
        refused = sup.post(f"/api/incidents/{incident['job_id']}/resolve", json={"note": blank})
        assert refused.status_code == 422 and refused.get_json()["error"]["details"][0]["field"] == "note", blank
    assert sup.post(f"/api/incidents/{incident['job_id']}/retry").status_code == 200
    again = sup.post(f"/api/incidents/{incident['job_id']}/retry")
    assert again.status_code == 409 and again.get_json()["error"]["state"] == "pending"
