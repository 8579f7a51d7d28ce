"""Durable timers through the engine with an injected clock: no test waits for a timer to fall due."""
from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from engine import Runtime, jobs, tasks
from engine.errors import Conflict
from engine.models import Job
from engine.users import SYSTEM

W1, W2 = "host:1:aaaa", "host:2:bbbb"


def jobs_of(runtime: Runtime, instance_id: int) -> list[Job]:
    with runtime.uow() as uow:
        return list(uow.session.scalars(select(Job).where(Job.instance_id == instance_id).order_by(Job.id)))


def pending_job(runtime: Runtime, instance_id: int) -> Job:
    [job] = [j for j in jobs_of(runtime, instance_id) if j.state == "pending"]
    return job


def events(api: Any, instance_id: int, name: str | None = None) -> list[dict[str, Any]]:
    history = api.get(f"/api/process-instances/{instance_id}/history").get_json()
    return [e for e in history if name is None or e["event"] == name]


def case(api: Any, instance_id: int) -> dict[str, Any]:
    return api.get(f"/api/process-instances/{instance_id}").get_json()


def run(runtime: Runtime, now: datetime, worker: str = W1) -> int:
    return jobs.run_due(runtime, worker_id=worker, now=now)


def test_a_due_intermediate_timer_fires_once_and_the_case_moves_on(api, runtime):
    api.deploy("timer_intermediate.bpmn")
    started = api.start("timer_intermediate")
    assert started["tasks"] == []
    job = pending_job(runtime, started["id"])
    assert job.bpmn_id == "publicity"

    assert run(runtime, job.due_at - timedelta(seconds=1)) == 0  # not due yet by our clock
    assert run(runtime, job.due_at + timedelta(seconds=1)) == 1
    assert run(runtime, job.due_at + timedelta(seconds=2)) == 0

    after = case(api, started["id"])
    assert [t["name"] for t in after["tasks"]] == ["决定"]
    [fired] = events(api, started["id"], "timer.fired")
    assert fired["element_id"] == "publicity" and fired["data"]["job_id"] == job.id
    [done] = jobs_of(runtime, started["id"])
    assert (done.state, done.lock_owner, done.lock_expires_at) == ("done", None, None)


def test_a_bare_iso_duration_is_due_an_hour_after_the_timer_was_reached(api, runtime):
    api.deploy("timer_intermediate.bpmn")
    started = api.start("timer_intermediate")
    job = pending_job(runtime, started["id"])
    reached = datetime.fromisoformat(started["started_at"])
    assert timedelta(minutes=59) < job.due_at - reached < timedelta(minutes=61)


def test_firing_the_same_job_twice_fires_it_once(api, runtime):
    api.deploy("timer_intermediate.bpmn")
    started = api.start("timer_intermediate")
    job = pending_job(runtime, started["id"])
    now = job.due_at + timedelta(minutes=1)
    assert jobs.claim_due(runtime.uow(), worker_id=W1, now=now) == [job.id]
    assert jobs.claim_due(runtime.uow(), worker_id=W2, now=now) == []  # leased to W1
    assert jobs.fire(runtime.uow(), job.id, worker_id=W1, now=now) == jobs.FIRED
    assert jobs.fire(runtime.uow(), job.id, worker_id=W1, now=now) == jobs.SKIPPED
    assert jobs.fire(runtime.uow(), job.id, worker_id=W2, now=now) == jobs.SKIPPED
    assert len(events(api, started["id"], "timer.fired")) == 1
    assert [t["name"] for t in case(api, started["id"])["tasks"]] == ["决定"]


def test_an_expired_lease_passes_the_job_to_another_worker_and_the_old_holder_fires_nothing(api, runtime):
    api.deploy("timer_intermediate.bpmn")
    started = api.start("timer_intermediate")
    job = pending_job(runtime, started["id"])
    now = job.due_at + timedelta(seconds=1)
    lease = timedelta(seconds=runtime.settings.job_lease_seconds)
    assert jobs.claim_due(runtime.uow(), worker_id=W1, now=now) == [job.id]  # W1 then "crashes"
    assert jobs.claim_due(runtime.uow(), worker_id=W2, now=now + lease - timedelta(seconds=1)) == []
    later = now + lease + timedelta(seconds=1)
    assert jobs.claim_due(runtime.uow(), worker_id=W2, now=later) == [job.id]
    assert jobs.fire(runtime.uow(), job.id, worker_id=W1, now=later) == jobs.SKIPPED  # W1 woke up late
    assert jobs.fire(runtime.uow(), job.id, worker_id=W2, now=later) == jobs.FIRED
    assert len(events(api, started["id"], "timer.fired")) == 1


def test_completing_the_task_before_its_boundary_timer_cancels_the_job(api, runtime):
    api.deploy("boundary_timer_interrupting.bpmn")
    started = api.start("boundary_timer_interrupting")
    job = pending_job(runtime, started["id"])
    assert job.bpmn_id == "review_overdue"
    [review] = started["tasks"]
    done = api.as_("window_clerk").post(f"/api/tasks/{review['id']}/complete", json={"variables": {}})
    assert done.status_code == 200 and done.get_json()["state"] == "completed"
    assert [j.state for j in jobs_of(runtime, started["id"])] == ["cancelled"]
    assert run(runtime, job.due_at + timedelta(days=1)) == 0
    assert events(api, started["id"], "timer.fired") == []


def test_an_interrupting_boundary_timer_cancels_the_task_and_escalates(api, runtime):
    api.deploy("boundary_timer_interrupting.bpmn")
    started = api.start("boundary_timer_interrupting")
    job = pending_job(runtime, started["id"])
    assert run(runtime, job.due_at + timedelta(seconds=1)) == 1
    after = case(api, started["id"])
    assert [t["name"] for t in after["tasks"]] == ["督办"]
    review = api.get(f"/api/tasks/{started['tasks'][0]['id']}").get_json()
    assert review["state"] == "CANCELLED"
    assert [j.state for j in jobs_of(runtime, started["id"])] == ["done"]


def test_a_non_interrupting_r3_cycle_reminds_three_times_then_stops(api, runtime):
    api.deploy("boundary_timer_reminder.bpmn")
    started = api.start("boundary_timer_reminder")
    first = pending_job(runtime, started["id"]).due_at
    for n in range(3):
        due = first + timedelta(minutes=10 * n)
        assert pending_job(runtime, started["id"]).due_at == due  # the same row moves on each time
        assert run(runtime, due - timedelta(seconds=1)) == 0
        assert run(runtime, due + timedelta(seconds=1)) == 1
    assert run(runtime, first + timedelta(days=30)) == 0
    [job] = jobs_of(runtime, started["id"])
    assert job.state == "done"
    assert len(events(api, started["id"], "timer.fired")) == 3
    completed = events(api, started["id"], "element.completed")
    reminders = [e for e in completed if e["element_id"] == "send_reminder"]
    assert len(reminders) == 3
    assert [t["name"] for t in case(api, started["id"])["tasks"]] == ["审查"]  # the review goes on


def test_an_overdue_cycle_catches_up_one_occurrence_per_poll(api, runtime):
    api.deploy("boundary_timer_reminder.bpmn")
    started = api.start("boundary_timer_reminder")
    late = pending_job(runtime, started["id"]).due_at + timedelta(hours=5)  # every process was down
    assert [run(runtime, late) for _ in range(4)] == [1, 1, 1, 0]
    assert len(events(api, started["id"], "timer.fired")) == 3


def test_an_event_gateway_timer_withdraws_the_application_when_no_message_comes(api, runtime):
    api.deploy("event_gateway_timer.bpmn")
    started = api.start("event_gateway_timer")
    job = pending_job(runtime, started["id"])
    assert job.due_at - datetime.fromisoformat(started["started_at"]) > timedelta(days=4, hours=23)
    assert run(runtime, job.due_at + timedelta(seconds=1)) == 1
    after = case(api, started["id"])
    assert after["state"] == "completed" and after["tasks"] == []
    assert "withdrawn" in {e["element_id"] for e in events(api, started["id"], "element.completed")}


def test_a_message_on_the_event_gateway_cancels_its_timer(api, runtime):
    api.deploy("event_gateway_timer.bpmn")
    started = api.start("event_gateway_timer", business_key="BZ-1")
    job = pending_job(runtime, started["id"])
    sent = api.as_("integrator").post("/api/messages",
                                      json={"name": "materials_supplemented", "business_key": "BZ-1"})
    assert sent.status_code == 200, sent.get_json()
    assert [j.state for j in jobs_of(runtime, started["id"])] == ["cancelled"]
    assert run(runtime, job.due_at + timedelta(days=1)) == 0
    assert [t["name"] for t in case(api, started["id"])["tasks"]] == ["审查"]


def test_a_suspended_cases_timer_waits_for_resume(api, runtime):
    api.deploy("timer_intermediate.bpmn")
    started = api.start("timer_intermediate")
    due = pending_job(runtime, started["id"]).due_at
    sup = api.as_("supervisor")
    suspended = sup.post(f"/api/process-instances/{started['id']}/suspend", json={"reason": "听证"})
    assert suspended.status_code == 200
    assert run(runtime, due + timedelta(days=2)) == 0
    held = pending_job(runtime, started["id"])
    assert (held.due_at, held.lock_owner) == (due, None)  # kept, and not even claimed
    assert events(api, started["id"], "timer.fired") == []
    assert sup.post(f"/api/process-instances/{started['id']}/resume").status_code == 200
    assert run(runtime, due + timedelta(days=2)) == 1
    assert [t["name"] for t in case(api, started["id"])["tasks"]] == ["决定"]


def test_a_job_leased_before_its_case_was_suspended_is_released_and_kept(api, runtime):
    api.deploy("timer_intermediate.bpmn")
    started = api.start("timer_intermediate")
    job = pending_job(runtime, started["id"])
    now = job.due_at + timedelta(seconds=1)
    assert jobs.claim_due(runtime.uow(), worker_id=W1, now=now) == [job.id]
    suspended = api.as_("supervisor").post(f"/api/process-instances/{started['id']}/suspend", json={})
    assert suspended.status_code == 200
    assert jobs.fire(runtime.uow(), job.id, worker_id=W1, now=now) == jobs.HELD
    held = pending_job(runtime, started["id"])
    assert (held.lock_owner, held.lock_expires_at) == (None, None)
    assert case(api, started["id"])["state"] == "suspended"
    assert events(api, started["id"], "timer.fired") == []


def test_a_job_whose_timer_no_longer_waits_is_dropped_without_firing(api, runtime):
    api.deploy("boundary_timer_interrupting.bpmn")
    started = api.start("boundary_timer_interrupting")
    job = pending_job(runtime, started["id"])
    api.as_("window_clerk").post(f"/api/tasks/{started['tasks'][0]['id']}/complete", json={"variables": {}})
    _set_job(runtime, job.id, state="pending")  # a stale row, as a lost race could leave it
    now = job.due_at + timedelta(seconds=1)
    assert jobs.claim_due(runtime.uow(), worker_id=W1, now=now) == [job.id]
    assert jobs.fire(runtime.uow(), job.id, worker_id=W1, now=now) == jobs.DROPPED
    assert [j.state for j in jobs_of(runtime, started["id"])] == ["cancelled"]
    assert events(api, started["id"], "timer.fired") == []


def test_a_concurrent_change_of_the_case_releases_the_job_without_counting_an_attempt(
        api, runtime, monkeypatch):
    api.deploy("timer_intermediate.bpmn")
    started = api.start("timer_intermediate")
    job = pending_job(runtime, started["id"])
    now = job.due_at + timedelta(seconds=1)

    def lose_the_race(uow: Any, case: Any, depth: int = 0) -> None:
        raise Conflict("process instance changed by someone else")

    monkeypatch.setattr(jobs.instances, "settle", lose_the_race)
    assert jobs.claim_due(runtime.uow(), worker_id=W1, now=now) == [job.id]
    assert jobs.fire(runtime.uow(), job.id, worker_id=W1, now=now) == jobs.CONFLICT
    released = pending_job(runtime, started["id"])
    assert (released.attempts, released.lock_owner, released.last_error) == (0, None, None)
    monkeypatch.undo()
    assert run(runtime, now) == 1  # the next poll fires it


def test_a_failing_timer_is_retried_with_back_off_then_becomes_an_incident(api, runtime):
    api.deploy("timer_then_script.bpmn")
    started = api.start("timer_then_script", variables={"registry_down_at_start": True})
    job = pending_job(runtime, started["id"])
    now = job.due_at + timedelta(seconds=1)
    for attempt, delay in enumerate(jobs.BACKOFF, start=1):
        assert run(runtime, now) == 0
        failing = pending_job(runtime, started["id"])
        assert failing.attempts == attempt and "registry unavailable" in (failing.last_error or "")
        assert failing.lock_owner is None and failing.lock_expires_at == now + timedelta(seconds=delay)
        assert run(runtime, now + timedelta(seconds=delay - 1)) == 0
        assert pending_job(runtime, started["id"]).attempts == attempt  # not tried before its back-off
        now += timedelta(seconds=delay + 1)
    assert run(runtime, now) == 0
    [incident] = jobs_of(runtime, started["id"])
    assert incident.state == "failed" and incident.attempts == len(jobs.BACKOFF) + 1
    assert case(api, started["id"])["state"] == "running"  # the case is not broken, only its timer
    assert events(api, started["id"], "timer.fired") == []  # every failed firing was rolled back
    [created] = events(api, started["id"], "incident.created")
    assert created["data"]["job_id"] == job.id and "registry unavailable" in created["data"]["error"]
    assert run(runtime, now + timedelta(days=1)) == 0  # an incident waits for a person


def _set_job(runtime: Runtime, job_id: int, **values: Any) -> None:
    with runtime.uow() as uow:
        uow.session.execute(update(Job).where(Job.id == job_id).values(**values))
        uow.commit()



def _race(runtime: Runtime, job: Job, task_id: str, now: datetime, head_start: float) -> dict[str, str]:
    """Fire the job and complete the task at the same moment, the timer ``head_start`` seconds late (the
    clerk, when it is negative)."""
    barrier, outcome = threading.Barrier(2), {}

    def fire() -> None:
        barrier.wait()
        time.sleep(max(head_start, 0))
        outcome["timer"] = jobs.fire(runtime.uow(), job.id, worker_id=W1, now=now)

    def complete() -> None:
        barrier.wait()
        time.sleep(max(-head_start, 0))
        try:
            tasks.complete(runtime.uow(), task_id, actor=SYSTEM, variables={})
            outcome["clerk"] = "completed"
        except Conflict:
            outcome["clerk"] = "conflict"

    threads = [threading.Thread(target=fire), threading.Thread(target=complete)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcome


def test_a_timer_firing_while_the_clerk_completes_its_task_lets_exactly_one_of_them_win(api, runtime):
    api.deploy("boundary_timer_interrupting.bpmn")
    winners: Counter[str] = Counter()
    # At the same moment, then the clerk ahead, then the timer ahead: which side wins a true tie depends
    # on thread scheduling, so each side also gets rounds it must win.
    for round_ in range(8):
        started = api.start("boundary_timer_interrupting")
        job = pending_job(runtime, started["id"])
        now = job.due_at + timedelta(seconds=1)
        assert jobs.claim_due(runtime.uow(), worker_id=W1, now=now) == [job.id]
        outcome = _race(runtime, job, started["tasks"][0]["id"], now, head_start=(0.0, 0.1, 0.0, -0.1)[round_ % 4])
        assert outcome["timer"] in (jobs.FIRED, jobs.SKIPPED), outcome  # no failure: no deadlock
        timer_won, clerk_won = outcome["timer"] == jobs.FIRED, outcome["clerk"] == "completed"
        assert timer_won != clerk_won, outcome
        winners["timer" if timer_won else "clerk"] += 1
        expected = (["督办"], "running") if timer_won else ([], "completed")
        after = case(api, started["id"])
        assert ([t["name"] for t in after["tasks"]], after["state"]) == expected
        assert len(events(api, started["id"], "timer.fired")) == int(timer_won)
    assert set(winners) == {"timer", "clerk"}, winners  # both orders were tried
