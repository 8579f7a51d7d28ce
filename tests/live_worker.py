"""``govflow worker`` processes for tests that need real, separate timer workers."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

from engine import Runtime
from engine.models import HistoryEvent

ROOT = Path(__file__).resolve().parent.parent


class LiveWorker:
    def __init__(self, database_url: str, data_dir: Path, *, lease_seconds: int = 60,
                 name: str = "worker") -> None:
        env = dict(os.environ, DATABASE_URL=database_url, GOVFLOW_DATA_DIR=str(data_dir),
                   GOVFLOW_JOB_LEASE_SECONDS=str(lease_seconds))
        self.log = open(data_dir / f"{name}-{time.monotonic_ns()}.log", "w")
        self.process = subprocess.Popen([str(Path(sys.executable).with_name("govflow")), "worker"], cwd=ROOT,
                                        env=env, stdout=self.log, stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self, timeout: float = 20) -> int:
        """SIGTERM and wait: the exit code of a clean shutdown is 0."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self.log.close()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.log.close()


def count_fired(runtime: Runtime) -> int:
    with runtime.uow() as uow:
        return uow.session.scalar(select(func.count()).where(HistoryEvent.event == "timer.fired")) or 0


def wait_for(condition: Callable[[], bool], *, timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()
