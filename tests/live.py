"""A live govflow server (gunicorn through ``govflow serve``) for end-to-end tests."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, database_url: str, data_dir: Path, *, workers: int = 4, scheduler: bool = False) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, DATABASE_URL=database_url, GOVFLOW_DATA_DIR=str(data_dir))
        govflow = Path(sys.executable).with_name("govflow")
        args = [str(govflow), "serve", "--port", str(self.port), "--workers", str(workers),
                "--scheduler" if scheduler else "--no-scheduler"]
        self.log = open(data_dir / f"server-{self.port}.log", "w")
        self.process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}; see {self.log.name}")
            try:
                if requests.get(self.url + "/api/health", timeout=1).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):  # still starting up
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server did not answer within {timeout}s; see {self.log.name}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
