"""Workers: wake up every second and fire the jobs that are due.

APScheduler only keeps time; the jobs table decides what fires, so any number of processes
(``govflow serve`` web workers, ``govflow worker`` processes) may poll the same database, and a timer
that fell due while every process was down fires at the next start.
"""
from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import threading
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from . import delivery, jobs, supervision_sweep
from .unit_of_work import Runtime

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
BATCH = 50

_lock = threading.Lock()
_background: tuple[int, BackgroundScheduler] | None = None  # (pid, scheduler): a forked child starts its own


def new_worker_id() -> str:
    """hostname:pid:random — unique per process start, readable in the jobs table's lock_owner."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


class Poller:
    """One scheduler tick: fire due jobs batch by batch until a batch comes back short, so a backlog
    drains at full speed instead of one batch per second."""

    def __init__(self, runtime: Runtime, worker_id: str, *, batch: int = BATCH) -> None:
        self.runtime, self.worker_id, self.batch = runtime, worker_id, batch
        self.stopping = threading.Event()

    def __call__(self) -> None:
        while not self.stopping.is_set():
            try:
                fired = jobs.run_due(self.runtime, worker_id=self.worker_id, limit=self.batch)
            except Exception:  # the database is away: say so, and try again at the next tick
                log.exception("worker %s could not claim jobs", self.worker_id)
                return
            if fired < self.batch:
                return


class _SkippedOverlaps(logging.Filter):
    """Leaves out "skipped: maximum number of running instances reached": a tick that overlaps a running one is
    meant to be skipped (max_instances=1); the scheduler's other warnings stay."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in record.getMessage()


def make_scheduler(runtime: Runtime, *, worker_id: str | None = None,
                   poll_seconds: float = POLL_SECONDS) -> tuple[BackgroundScheduler, Poller]:
    """A scheduler (not started) that polls for due timers every ``poll_seconds``, first at once,
    delivers webhooks (engine.delivery) on the same beat, and sweeps for supervision events."""
    # A tick that drains a backlog overlaps the next ones; APScheduler reports each skipped overlap
    # as a warning (its scheduler's logger) and each run at INFO, which would drown the log.
    logging.getLogger("apscheduler.executors.default").setLevel(logging.ERROR)
    scheduler_log = logging.getLogger("apscheduler.scheduler")
    scheduler_log.setLevel(logging.WARNING)
    if not any(isinstance(f, _SkippedOverlaps) for f in scheduler_log.filters):
        scheduler_log.addFilter(_SkippedOverlaps())
    poller = Poller(runtime, worker_id or new_worker_id())
    scheduler = BackgroundScheduler(daemon=True, timezone=UTC)
    scheduler.add_job(poller, "interval", seconds=poll_seconds, id="govflow-jobs", max_instances=1,
                      coalesce=True, next_run_time=datetime.now(UTC))
    delivery.schedule(scheduler, runtime, worker_id=poller.worker_id, poll_seconds=poll_seconds)  # webhooks
    supervision_sweep.schedule(scheduler, runtime, worker_id=poller.worker_id)  # reminders, overdue, overruns
    return scheduler, poller


def start_background(runtime: Runtime) -> BackgroundScheduler:
    """Start polling in a daemon thread of this process (web workers); a second call returns the
    scheduler already running."""
    global _background
    with _lock:
        if _background is not None and _background[0] == os.getpid():
            return _background[1]
        scheduler, poller = make_scheduler(runtime)
        scheduler.start()
        _background = (os.getpid(), scheduler)
        log.info("timer scheduler started in process %s as %s", os.getpid(), poller.worker_id)
        return scheduler


def run_forever(runtime: Runtime, *, poll_seconds: float = POLL_SECONDS) -> None:
    """Poll until SIGTERM or SIGINT, then finish the batch being fired and stop (``govflow worker``)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("spiff").setLevel(logging.WARNING)  # SpiffWorkflow logs every task state at INFO
    stop = threading.Event()

    def request_stop(signum: int, _frame: Any) -> None:
        log.info("signal %s: stopping after the current job", signum)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    scheduler, poller = make_scheduler(runtime, poll_seconds=poll_seconds)
    scheduler.start()
    log.info("worker %s polling every %ss", poller.worker_id, poll_seconds)
    while not stop.wait(0.5):  # a timed wait lets the signal handler run promptly
        pass
    poller.stopping.set()
    scheduler.shutdown(wait=True)
    runtime.dispose()
    log.info("worker %s stopped", poller.worker_id)
