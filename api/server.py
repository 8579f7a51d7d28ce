"""``govflow serve``: gunicorn (a production WSGI server) running the app factory."""
from __future__ import annotations

import gc
import json
from typing import Any

from gunicorn import util
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger
from gunicorn.workers.sync import SyncWorker
from werkzeug.http import HTTP_STATUS_CODES


class _Server(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
    def __init__(self, options: dict[str, Any], scheduler: bool) -> None:
        self.options = options
        self.scheduler = scheduler
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        self.cfg.set("post_worker_init", _start_scheduler if self.scheduler else _settle_heap)

    def load(self) -> Any:
        from api import create_app

        return create_app()


def _start_scheduler(worker: Any) -> None:
    # Every worker may fire timers: jobs are claimed with a lease in the database, so each fires once.
    from engine.worker import start_background

    start_background(worker.wsgi.extensions["govflow"])
    _settle_heap(worker)


def _settle_heap(worker: Any) -> None:
    """The app is loaded: its ~180,000 long-lived objects (modules, schemas, SpiffWorkflow's and
    SQLAlchemy's) are moved out of the collector's generations, which no longer walk them on every
    collection of a request's garbage (about a tenth of a task completion's CPU time otherwise)."""
    gc.collect()
    gc.freeze()


class JsonErrorWorker(SyncWorker):  # type: ignore[misc]
    """gunicorn's sync worker, answering what gunicorn refuses itself before the app sees it (a request line
    or headers over its limits, a malformed request) in the API's one error shape, not in gunicorn's HTML
    page. gunicorn still decides the status and writes its log lines: its page goes to a stand-in for the
    connection, which keeps only the status line."""

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        page = _ErrorPage(client)
        super().handle_error(req, page, addr, exc)
        if page.status is None:
            return  # gunicorn wrote nothing (it failed to build its page): nor do we
        try:
            util.write_nonblock(client, json_error(page.status, page.reason, _message(page.status, exc, self.cfg)))
        except OSError:
            self.log.debug("Failed to send error message.")  # the client left: as gunicorn does


class _ErrorPage:
    """A connection's stand-in that takes gunicorn's error page (util.write_error) and keeps its status."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.status: int | None = None
        self.reason = ""

    def gettimeout(self) -> float:
        return 0.0  # util.write_nonblock: no need to switch a stand-in to non-blocking

    def sendall(self, data: bytes) -> None:
        _, status, self.reason = data.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
        self.status = int(status)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)  # what the access log reads of the connection


def _message(status: int, exc: BaseException, cfg: Any) -> str:
    """What to fix, for the refusals a client can run into; gunicorn's own text for the rare others."""
    if status == 414:
        return (f"the request line (method, path and query string) is longer than {cfg.limit_request_line} "
                "bytes")
    if status == 431:
        return (f"the request has too many or too large header fields: at most {cfg.limit_request_fields} "
                f"fields of at most {cfg.limit_request_field_size} bytes each")
    if status == 500:
        return "internal server error"  # as the app's own 500: the cause stays in the log
    return str(exc) or HTTP_STATUS_CODES.get(status, "error")


def json_error(status: int, reason: str, message: str) -> bytes:
    """A whole HTTP response carrying ``{"error": {"code", "message", "details"}}``, its code named as the
    app names HTTP errors (werkzeug's name of the status), closing the connection as gunicorn does."""
    name = HTTP_STATUS_CODES.get(status, reason)
    code = "internal_error" if status == 500 else name.lower().replace(" ", "_")
    body = json.dumps({"error": {"code": code, "message": message, "details": []}}).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


# gunicorn's default line without the query string and the referrer: an applicant's query code travels
# in ?code= (the public progress API and its document links) and must not be written to any log.
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s"'


class AccessLog(Logger):  # type: ignore[misc]
    """gunicorn's logger, with the texts a client chooses written printable: a ``%0A`` in a path, or a
    newline in the user name of a Basic Authorization header, must not start a forged line in the log
    supervisors read."""

    # The texts ACCESS_LOG_FORMAT writes that a client chooses: the user of a Basic header, the path, the
    # user agent (gunicorn checks the method and protocol itself). Not every atom: there is one per header
    # and environ entry, and this runs for every request.
    CLIENT_TEXT = ("u", "U", "a")

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for key in self.CLIENT_TEXT:
            if isinstance(atoms.get(key), str):
                atoms[key] = printable(atoms[key])
        return atoms


def printable(text: str) -> str:
    """Unprintable characters as escapes (``\\x0a``). WSGI hands paths and headers over as Latin-1 read
    from UTF-8 bytes: read back as UTF-8 first, so Chinese in a path is written as Chinese."""
    if text.isascii() and text.isprintable():
        return text  # the usual path and user agent
    try:
        text = text.encode("latin-1").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        pass  # already text (an atom gunicorn decoded itself)
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"
                   for c in text)


def run_server(*, host: str, port: int, workers: int, scheduler: bool) -> None:
    options = {"bind": f"{host}:{port}", "workers": workers, "accesslog": "-", "timeout": 60,
               "graceful_timeout": 10, "access_log_format": ACCESS_LOG_FORMAT, "logger_class": AccessLog,
               "worker_class": JsonErrorWorker,
               # gunicorn's control socket sits at one path per user ($HOME/.gunicorn/gunicorn.ctl), so a second
               # server on the host would take over the first's; govflow is managed by its own commands.
               "control_socket_disable": True}
    _Server(options, scheduler).run()
