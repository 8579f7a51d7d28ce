"""The scheduler side of timers, in process: polling, draining a backlog, one scheduler per process."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from engine import worker
from engine.clock import utcnow
from engine.models import Job
from tests.live_worker import count_fired, wait_for


def test_the_background_scheduler_starts_once_per_process_and_fires_a_timer_within_seconds(
        api, runtime, monkeypatch):
    monkeypatch.setattr(worker, "_background", None)
    api.deploy("timer_short.bpmn")
    case = api.start("timer_short")
    assert case["state"] == "running"
    scheduler = worker.start_background(runtime)
    try:
        assert worker.start_background(runtime) is scheduler
        assert wait_for(lambda: count_fired(runtime) == 1, timeout=6)
        assert api.get(f"/api/process-instances/{case['id']}").get_json()["state"] == "completed"
    finally:
        scheduler.shutdown(wait=True)


def test_one_tick_drains_a_backlog_larger_than_a_batch(api, runtime):
    api.deploy("timer_intermediate.bpmn")
    for _ in range(120):
        api.start("timer_intermediate")
    with runtime.uow() as uow:  # every process was down while they fell due
        uow.session.execute(update(Job).values(due_at=utcnow() - timedelta(minutes=5)))
        uow.commit()
    worker.Poller(runtime, worker.new_worker_id(), batch=50)()
    assert count_fired(runtime) == 120
    with runtime.uow() as uow:
        assert uow.session.scalar(select(func.count()).where(Job.state != "done")) == 0


def test_worker_ids_name_host_and_process_and_differ_between_starts():
    first, second = worker.new_worker_id(), worker.new_worker_id()
    assert first != second and first.split(":")[:2] == second.split(":")[:2]
    assert len(first) <= 100  # fits jobs.lock_owner


def test_a_skipped_overlapping_tick_is_not_logged_and_other_scheduler_warnings_are(runtime, caplog):
    """A tick that drains a backlog overlaps the next ones, skipped by design: not a warning in the log."""
    import logging

    worker.make_scheduler(runtime, worker_id="test")
    log = logging.getLogger("apscheduler.scheduler")
    with caplog.at_level(logging.WARNING, logger="apscheduler.scheduler"):
        log.warning('Execution of job "%s" skipped: maximum number of running instances reached (%d)', "Poller", 1)
        log.warning("Run time of job %s was missed by %s", "Poller", "0:00:05")
    assert [r.getMessage() for r in caplog.records] == ["Run time of job Poller was missed by 0:00:05"]
    worker.make_scheduler(runtime, worker_id="again")
    assert sum(isinstance(f, worker._SkippedOverlaps) for f in log.filters) == 1  # once, however many schedulers
