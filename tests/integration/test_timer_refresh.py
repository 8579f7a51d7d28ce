"""A timer that falls due while another command runs on its case fires inside that command (SpiffWorkflow's
own timer refresh): its job ends done with one ``timer.fired``, as when a worker fires it, never cancelled,
and never recorded twice."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import SpiffWorkflow.bpmn.specs.event_definitions.timer as spiff_timer

from engine import execution, instances, jobs
from tests.helpers import complete_open_task
from tests.integration.test_jobs import W1, W2, case, events, jobs_of, pending_job, run


def freeze_spiff_clock(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """SpiffWorkflow compares due timers with its module's ``datetime.now``: make that ``moment``."""

    class Frozen(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:  # type: ignore[override]
            return moment.astimezone(tz) if tz is not None else moment.replace(tzinfo=None)

    monkeypatch.setattr(spiff_timer, "datetime", Frozen)


def test_a_timer_due_while_a_clerk_completes_a_parallel_task_is_recorded_as_fired(api, runtime, monkeypatch):
    api.deploy("timer_then_script.bpmn")
    started = api.start("timer_then_script", variables={"registry_down_at_start": False})
    job = pending_job(runtime, started["id"])
    freeze_spiff_clock(monkeypatch, job.due_at + timedelta(seconds=5))  # due, but no worker fired it yet

    # the refresh at the end of this command fires the timer
    complete_open_task(api, started["id"], "maintain", user="office_clerk", reader="admin", registry_down=False)

    assert case(api, started["id"])["state"] == "completed"  # the registry was asked: the timer did fire
    [done] = jobs_of(runtime, started["id"])
    assert (done.id, done.state) == (job.id, "done")
    [fired] = events(api, started["id"], "timer.fired")
    assert fired["element_id"] == "wait" and fired["task_id"] == job.task_id
    assert fired["data"]["job_id"] == job.id and fired["data"]["during_command"] is True
    assert fired["data"]["worker"] is None
    # Recorded before the timer's own step, as a worker's firing is.
    names = [(e["event"], e["element_id"]) for e in events(api, started["id"])]
    assert names.index(("timer.fired", "wait")) < names.index(("element.completed", "wait"))
    assert run(runtime, job.due_at + timedelta(minutes=1)) == 0  # nothing left for a worker


def test_a_worker_holding_the_lease_of_a_timer_fired_meanwhile_fires_nothing(api, runtime, monkeypatch):
    api.deploy("timer_then_script.bpmn")
    started = api.start("timer_then_script", variables={"registry_down_at_start": False})
    job = pending_job(runtime, started["id"])
    now = job.due_at + timedelta(seconds=5)
    assert jobs.claim_due(runtime.uow(), worker_id=W1, now=now) == [job.id]  # W1 is about to fire it
    freeze_spiff_clock(monkeypatch, now)

    complete_open_task(api, started["id"], "maintain", user="office_clerk", reader="admin", registry_down=False)

    assert jobs.fire(runtime.uow(), job.id, worker_id=W1, now=now) == jobs.SKIPPED
    assert [j.state for j in jobs_of(runtime, started["id"])] == ["done"]
    assert len(events(api, started["id"], "timer.fired")) == 1


def test_a_timer_fired_by_its_worker_is_recorded_once(api, runtime, monkeypatch):
    api.deploy("timer_then_script.bpmn")
    started = api.start("timer_then_script", variables={"registry_down_at_start": False})
    job = pending_job(runtime, started["id"])
    now = job.due_at + timedelta(seconds=5)
    freeze_spiff_clock(monkeypatch, now)  # SpiffWorkflow's refresh in the worker's command sees it due too

    assert run(runtime, now, worker=W2) == 1

    [fired] = events(api, started["id"], "timer.fired")
    assert fired["data"]["worker"] == W2 and "during_command" not in fired["data"]
    assert [j.state for j in jobs_of(runtime, started["id"])] == ["done"]
    complete_open_task(api, started["id"], "maintain", user="office_clerk", reader="admin", registry_down=False)
    assert case(api, started["id"])["state"] == "completed"
    assert len(events(api, started["id"], "timer.fired")) == 1


def test_a_timer_whose_task_ended_first_is_still_cancelled(api, runtime, monkeypatch):
    api.deploy("boundary_timer_interrupting.bpmn")
    started = api.start("boundary_timer_interrupting")
    job = pending_job(runtime, started["id"])
    freeze_spiff_clock(monkeypatch, job.due_at - timedelta(seconds=5))
    done = api.as_("window_clerk").post(f"/api/tasks/{started['tasks'][0]['id']}/complete", json={"variables": {}})
    assert done.status_code == 200
    assert [j.state for j in jobs_of(runtime, started["id"])] == ["cancelled"]
    assert events(api, started["id"], "timer.fired") == []


def test_a_cycle_occurrence_passed_during_another_command_is_recorded_and_the_job_moves_on(
        api, runtime, monkeypatch):
    api.deploy("boundary_timer_reminder.bpmn")
    started = api.start("boundary_timer_reminder")
    first = pending_job(runtime, started["id"])
    freeze_spiff_clock(monkeypatch, first.due_at + timedelta(seconds=5))
    moment = datetime.now(UTC)
    monkeypatch.setattr(execution, "utcnow", lambda: moment + timedelta(minutes=11))

    with runtime.uow() as uow:  # any command on the case: it runs the engine, whose refresh fires the cycle
        opened = execution.open_case(uow, started["id"])
        execution.run(opened)
        instances.settle(uow, opened)
        uow.commit()

    moved = pending_job(runtime, started["id"])
    assert (moved.id, moved.due_at) == (first.id, first.due_at + timedelta(minutes=10))
    [fired] = events(api, started["id"], "timer.fired")
    assert fired["data"]["during_command"] is True and fired["data"]["due_at"] == first.due_at.isoformat()
    assert [e["element_id"] for e in events(api, started["id"], "element.completed")].count("send_reminder") == 1


def test_a_message_that_wins_the_gateway_after_its_timer_fell_due_cancels_the_timer(api, runtime, monkeypatch):
    api.deploy("event_gateway_timer.bpmn")
    started = api.start("event_gateway_timer", business_key="BZ-9")
    job = pending_job(runtime, started["id"])
    freeze_spiff_clock(monkeypatch, job.due_at + timedelta(seconds=5))  # due, no worker fired it yet
    sent = api.as_("integrator").post("/api/messages",
                                      json={"name": "materials_supplemented", "business_key": "BZ-9"})
    assert sent.status_code == 200, sent.get_json()

    # The message is caught before the refresh looks at timers: the gateway went the message's way.
    assert [t["name"] for t in case(api, started["id"])["tasks"]] == ["审查"]
    assert [j.state for j in jobs_of(runtime, started["id"])] == ["cancelled"]
    assert events(api, started["id"], "timer.fired") == []
