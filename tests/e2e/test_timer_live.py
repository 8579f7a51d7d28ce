"""Timers in real time: the scheduler inside ``govflow serve``, and a ``govflow worker`` that starts late."""
from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest
import requests
from sqlalchemy import select

from engine import Runtime, definitions, instances, users
from engine.clock import utcnow
from engine.models import HistoryEvent
from engine.users import SYSTEM
from tests.helpers import FIXTURES
from tests.live import LiveServer
from tests.live_worker import LiveWorker, count_fired, wait_for

pytestmark = pytest.mark.slow


def _deploy_short_timer(runtime: Runtime) -> None:
    definitions.deploy(runtime.uow(), [("timer_short.bpmn", (FIXTURES / "timer_short.bpmn").read_bytes())],
                       actor=SYSTEM)


def test_a_timer_a_second_ahead_fires_through_the_live_scheduler_within_seconds(runtime, tmp_path):
    _deploy_short_timer(runtime)
    token = users.add_user(runtime.uow(), "integrator", roles=["integrator"], actor=users.SYSTEM)[1]
    headers = {"Authorization": f"Bearer {token}"}
    server = LiveServer(runtime.settings.database_url, tmp_path, workers=2, scheduler=True)
    try:
        started_at = time.monotonic()
        case = requests.post(f"{server.url}/api/process-definitions/timer_short/start", json={},
                             headers=headers, timeout=10).json()
        assert case["state"] == "running"

        def completed() -> bool:
            state = requests.get(f"{server.url}/api/process-instances/{case['id']}", headers=headers,
                                 timeout=5)
            return state.json()["state"] == "completed"

        assert wait_for(completed, timeout=8), "the timer did not fire within 8 s"
        elapsed = time.monotonic() - started_at
        assert 1.0 <= elapsed < 4.0, f"fired after {elapsed:.2f} s for a 1 s timer"
        history = requests.get(f"{server.url}/api/process-instances/{case['id']}/history", headers=headers,
                               timeout=5).json()
        assert [e["event"] for e in history].count("timer.fired") == 1  # two web workers poll; one fires
    finally:
        server.stop()


def test_a_timer_due_while_no_process_ran_fires_when_a_worker_starts_and_sigterm_stops_it_cleanly(
        runtime, tmp_path):
    _deploy_short_timer(runtime)
    case, _ = instances.start(runtime.uow(), "timer_short", actor=SYSTEM)
    time.sleep(1.5)  # due now, and nothing is running to fire it
    worker = LiveWorker(runtime.settings.database_url, tmp_path)
    try:
        assert wait_for(lambda: count_fired(runtime) == 1, timeout=20), "the due timer did not fire"
    finally:
        code = worker.stop()
    assert code == 0
    with runtime.uow() as uow:
        fired = uow.session.scalars(select(HistoryEvent).where(HistoryEvent.event == "timer.fired")).one()
    assert fired.instance_id == case.id
    assert datetime.fromisoformat(fired.data["due_at"]) < fired.at <= utcnow() + timedelta(seconds=1)
