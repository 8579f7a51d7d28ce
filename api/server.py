"""``govflow serve``: gunicorn (a production WSGI server) running the app factory."""
from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger


class _Server(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
    def __init__(self, options: dict[str, Any], scheduler: bool) -> None:
        self.options = options
        self.scheduler = scheduler
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        if self.scheduler:
            self.cfg.set("post_worker_init", _start_scheduler)

    def load(self) -> Any:
        from api import create_app

        return create_app()


def _start_scheduler(worker: Any) -> None:
    # Every worker may fire timers: jobs are claimed with a lease in the database, so each fires once.
    from engine.worker import start_background

    start_background(worker.wsgi.extensions["govflow"])


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
               "graceful_timeout": 10, "access_log_format": ACCESS_LOG_FORMAT, "logger_class": AccessLog}
    _Server(options, scheduler).run()
