"""A second actor racing a command on PostgreSQL, on its own thread and connection: it acts right after
the first statement of the command that ``matches``, and gets ``seconds`` to get through before the
command goes on. A rival that must wait for a lock the command holds is still waiting when it commits."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Self

from sqlalchemy import event


class Rival:
    """``outcome``: what ``action`` returned, or the exception of a ``expected`` kind it raised; any other
    exception fails the test when the ``with`` block ends. ``must_not_wait``: the rival must get through
    while the command waits (it commits first)."""

    def __init__(self, runtime: Any, matches: Callable[[str], bool], action: Callable[[], Any], *,
                 seconds: float = 2.0, expected: tuple[type[Exception], ...] = (),
                 must_not_wait: bool = False) -> None:
        self.runtime, self.matches, self.action = runtime, matches, action
        self.seconds, self.expected, self.must_not_wait = seconds, expected, must_not_wait
        self.thread: threading.Thread | None = None
        self.outcome: Any = None
        self.failure: Exception | None = None

    def _run(self) -> None:
        try:
            self.outcome = self.action()
        except self.expected as exc:
            self.outcome = exc
        except Exception as exc:  # noqa: BLE001 - reported by __exit__, on the test's thread
            self.failure = exc

    def _after(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if self.thread is None and self.matches(statement):
            self.thread = threading.Thread(target=self._run)
            self.thread.start()
            self.thread.join(self.seconds)  # through, unless it waits for a lock this command holds
            if self.must_not_wait:
                assert not self.thread.is_alive(), "the rival waited for the first command"

    def __enter__(self) -> Self:
        event.listen(self.runtime.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self.runtime.engine, "after_cursor_execute", self._after)
        assert self.thread is not None, "the rival never got its moment"
        self.thread.join(30)
        assert self.failure is None, self.failure
