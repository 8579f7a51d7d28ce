"""A real HTTP receiver for webhook tests: http.server on 127.0.0.1 in a thread, recording what came."""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def event(self) -> str:
        return self.headers["X-Govflow-Event"]


class Receiver:
    """Answers 200 unless ``reply`` (given each request) says otherwise."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.reply: Callable[[Received], int] = lambda _request: 200
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                request = Received(self.path, dict(self.headers.items()), self.rfile.read(length))
                with receiver._lock:
                    receiver.received.append(request)
                status = receiver.reply(request)
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", f"http://127.0.0.1:{receiver.port}/elsewhere")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self) -> list[str]:
        with self._lock:
            return [r.event for r in self.received]

    def wait_for(self, count: int, timeout: float = 10) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.received) >= count:
                return True
            time.sleep(0.05)
        return False

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
