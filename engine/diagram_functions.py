"""Functions diagrams may call in expressions, bound to the case a command is running.

SpiffWorkflow evaluates expressions with one module-level script engine and no notion of the case, so
the case's working-day calendar and the command's unit of work are bound in a context variable when a
command opens the case (``bind``); ``workdays(n)`` and ``list_departments()`` read them.
"""
from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from datetime import date, datetime
from typing import Any

from . import calendar
from .clock import utcnow

_bound: ContextVar[_Bound | None] = ContextVar("govflow_case_functions", default=None)


class _Bound:
    """The case's calendar, looked up on first use: most commands never count working days."""

    def __init__(self, uow: Any, calendar_name: str) -> None:
        self.uow, self.calendar_name, self.now = uow, calendar_name, utcnow()
        self._function: calendar.WorkdaysFunction | None = None

    def __call__(self, n: int, start: str | date | datetime | None = None) -> str:
        if self._function is None:
            self._function = calendar.working_days_function(
                calendar.for_runtime(self.uow, self.calendar_name), self.now)
        return self._function(n, start)


def _case(name: str) -> _Bound:
    bound = _bound.get()
    if bound is None:
        raise RuntimeError(f"{name}() is only available while a case runs")
    return bound


def workdays(n: int, start: str | date | datetime | None = None) -> str:
    """The end of the n-th working day after now (or after ``start``, a date the case holds such as a
    form's ``2026-03-10``) in the case's calendar (ISO 8601, UTC)."""
    return _case("workdays")(n, start)


def list_departments() -> list[dict[str, Any]]:
    """The departments set up here that own user groups, by code, as a form's options read from the case
    (``valuesKey``): ``{"value": code, "label": name, "groups": [...]}``. Read in the command's transaction."""
    from .departments import options  # departments imports the case machinery that imports this module

    return options(_case("list_departments").uow)


def bind(uow: Any, calendar_name: str) -> None:
    """Bind the case's calendar and unit of work for the rest of this command (each command binds afresh)."""
    _bound.set(_Bound(uow, calendar_name))


FUNCTIONS: dict[str, Callable[..., Any]] = {"workdays": workdays, "list_departments": list_departments}
