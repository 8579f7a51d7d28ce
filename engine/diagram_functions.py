"""Functions diagrams may call in expressions, bound to the case a command is running.

SpiffWorkflow evaluates expressions with one module-level script engine and no notion of the case, so
the case's working-day calendar is bound in a context variable when a command opens the case
(``bind``); ``workdays(n)`` reads it.
"""
from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from . import calendar
from .clock import utcnow

_workdays: ContextVar[_Bound | None] = ContextVar("govflow_workdays", default=None)


class _Bound:
    """The case's calendar, looked up on first use: most commands never count working days."""

    def __init__(self, uow: Any, calendar_name: str) -> None:
        self.uow, self.calendar_name, self.now = uow, calendar_name, utcnow()
        self._function: calendar.WorkdaysFunction | None = None

    def __call__(self, n: int) -> str:
        if self._function is None:
            self._function = calendar.working_days_function(
                calendar.for_runtime(self.uow, self.calendar_name), self.now)
        return self._function(n)


def workdays(n: int) -> str:
    """The end of the n-th working day after now in the case's calendar (ISO 8601, UTC)."""
    bound = _workdays.get()
    if bound is None:
        raise RuntimeError("workdays() is only available while a case runs")
    return bound(n)


def bind(uow: Any, calendar_name: str) -> None:
    """Bind the case's calendar for the rest of this command (each command binds afresh)."""
    _workdays.set(_Bound(uow, calendar_name))


FUNCTIONS: dict[str, Callable[..., Any]] = {"workdays": workdays}
