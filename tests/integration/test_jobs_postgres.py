"""Several ``govflow worker`` processes on one PostgreSQL database: every timer fires exactly once,
and a killed worker's leased jobs are taken over once the lease runs out."""
from __future__ import annotations

import os
import signal
import time
from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import func, select

from engine import Runtime, definitions, instances
from engine.models import HistoryEvent, Job, ProcessInstance
from engine.users import SYSTEM
from tests.helpers import FIXTURES
from tests.live_worker import LiveWorker, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def postgres(runtime: Runtime) -> Runtime:
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (FOR UPDATE SKIP LOCKED): set GOVFLOW_TEST_DATABASE_URL")
    return runtime


def start_cases(runtime: Runtime, count: int) -> None:
    """Cases waiting at a one-second timer: due by the time the workers start."""
    definitions.deploy(runtime.uow(), [("timer_short.bpmn", (FIXTURES / "timer_short.bpmn").read_bytes())],
                       actor=SYSTEM)
    for _ in range(count):
        instances.start(runtime.uow(), "timer_short", actor=SYSTEM)


def all_done(runtime: Runtime) -> bool:
    with runtime.uow() as uow:
        return uow.session.scalar(select(func.count()).where(Job.state != "done")) == 0


def fired_events(runtime: Runtime) -> list[HistoryEvent]:
    with runtime.uow() as uow:
        return list(uow.session.scalars(select(HistoryEvent).where(HistoryEvent.event == "timer.fired")))


def assert_each_case_fired_exactly_once(runtime: Runtime, count: int) -> list[HistoryEvent]:
    fired = fired_events(runtime)
    per_case = Counter(e.instance_id for e in fired)
    assert len(per_case) == count and set(per_case.values()) == {1}
    with runtime.uow() as uow:
        states = Counter(uow.session.scalars(select(ProcessInstance.state)))
    assert states == Counter({"completed": count})
    return fired


def test_two_workers_fire_a_thousand_due_timers_each_exactly_once(postgres: Runtime, tmp_path):
    start_cases(postgres, 1000)
    workers = [LiveWorker(postgres.settings.database_url, tmp_path, name=f"w{i}") for i in range(2)]
    try:
        assert wait_for(lambda: all_done(postgres), timeout=120, interval=0.5), "timers left unfired"
        time.sleep(1.5)  # a second firing of any timer would show up now
    finally:
        codes = [worker.stop() for worker in workers]
    assert codes == [0, 0]
    fired = assert_each_case_fired_exactly_once(postgres, 1000)
    by_worker = Counter(e.data["worker"].split(":")[1] for e in fired)
    assert set(by_worker) == {str(w.pid) for w in workers}  # both really shared the work


def _freeze_holding_leases(worker: LiveWorker, runtime: Runtime) -> dict[int, datetime | None]:
    """Stop the worker (SIGSTOP) at a moment its committed leases are visible; returns them."""
    for _ in range(200):
        os.kill(worker.pid, signal.SIGSTOP)
        with runtime.uow() as uow:
            leased = dict(uow.session.execute(select(Job.id, Job.lock_expires_at).where(
                Job.state == "pending", Job.lock_owner.like(f"%:{worker.pid}:%"))).all())
        if leased:
            return leased
        os.kill(worker.pid, signal.SIGCONT)  # between two batches: try again a little later
        time.sleep(0.02)
    raise AssertionError("the worker never held a lease")


def test_a_killed_workers_leased_jobs_are_taken_over_after_the_lease_expires(postgres: Runtime, tmp_path):
    start_cases(postgres, 400)
    url, lease = postgres.settings.database_url, 3
    doomed = LiveWorker(url, tmp_path, lease_seconds=lease, name="doomed")
    try:
        assert wait_for(lambda: len(fired_events(postgres)) >= 50, timeout=30)
        leased = _freeze_holding_leases(doomed, postgres)
    finally:
        doomed.kill()  # SIGKILL: no chance to release anything
    heir = LiveWorker(url, tmp_path, lease_seconds=lease, name="heir")
    try:
        assert wait_for(lambda: all_done(postgres), timeout=60, interval=0.5), "timers left unfired"
        time.sleep(1.5)
    finally:
        assert heir.stop() == 0
    fired = assert_each_case_fired_exactly_once(postgres, 400)
    by_job = {e.data["job_id"]: e for e in fired}
    for job_id, expires in leased.items():
        event = by_job[job_id]
        assert event.data["worker"].split(":")[1] == str(heir.pid)
        assert expires is not None and event.at > expires, "a lease was taken over before it expired"
