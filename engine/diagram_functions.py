"""Functions diagrams may call in expressions, bound to the case a command is running.

SpiffWorkflow evaluates expressions with one module-level script engine and no notion of the case, so
the case's working-day calendar, its id and the command's unit of work are bound in a context variable
when a command opens the case (``bind``); ``workdays(n)``, ``list_departments()``, ``co_departments()``,
``case_deadline()`` and ``calendar_covers(day)`` read them. ``refuse(field, message)`` lets a script turn
down what a step submitted.
"""
from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from datetime import date, datetime
from typing import Any, NoReturn

from sqlalchemy import select

from . import calendar
from .clock import LOCAL_TZ, utcnow
from .errors import ValidationFailed
from .models import CaseClock, Department, ProcessInstance

_bound: ContextVar[Binding | None] = ContextVar("govflow_case_functions", default=None)
REFUSED = "refused"  # the rule code of a script's refusal (``refuse``), beside a form's own (required ...)


class Binding:
    """The case's calendar, looked up on first use: most commands never count working days."""

    def __init__(self, uow: Any, calendar_name: str, instance_id: int | None) -> None:
        self.uow, self.calendar_name, self.instance_id, self.now = uow, calendar_name, instance_id, utcnow()
        self._function: calendar.WorkdaysFunction | None = None

    def __call__(self, n: int, start: str | date | datetime | None = None) -> str:
        if self._function is None:
            self._function = calendar.working_days_function(self.calendar(), self.now)
        return self._function(n, start)

    def calendar(self) -> calendar.WorkingCalendar:
        return calendar.for_runtime(self.uow, self.calendar_name)


def _case(name: str) -> Binding:
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


def co_departments() -> list[dict[str, Any]]:
    """The co-departments (协办部门) the case's guide names (``co_departments`` of the latest guide of the
    case's process), in the guide's order, as a form's options: ``{"value": code, "label": name, "groups":
    [...]}``, named as set up here (else as the guide names them), ``groups`` empty for one not set up here
    or without groups (nobody could act for it). Empty when the process has no guide or the guide names none.
    Read in the command's transaction; a case being started has no guide to read yet (RuntimeError)."""
    from .departments import options  # departments imports the case machinery that imports this module
    from .guides import latest_for_process

    bound = _case("co_departments")
    row = bound.uow.session.get(ProcessInstance, bound.instance_id) if bound.instance_id is not None else None
    if row is None:
        raise RuntimeError("co_departments() reads the case's guide: call it after the case's start event")
    guide = latest_for_process(bound.uow, row.definition_key)
    named: dict[str, str] = {}  # code -> the guide's name for it, first mention kept
    for entry in (guide.content.get("co_departments") or []) if guide is not None else []:
        if isinstance(entry, dict) and str(entry.get("code") or "").strip():
            named.setdefault(str(entry["code"]).strip(), str(entry.get("name") or "").strip())
    if not named:
        return []
    set_up = {option["value"]: option for option in options(bound.uow)}
    known = {code: name for code, name in bound.uow.session.execute(
        select(Department.code, Department.name).where(Department.code.in_(list(named))))}
    return [set_up.get(code) or {"value": code, "label": known.get(code) or name or code, "groups": []}
            for code, name in named.items()]


def case_deadline() -> str | None:
    """The last day of the case's time limit as its clock stands before this command (the local date of
    the clock's deadline, ``2026-03-30``: extensions and special procedures counted), or None while the
    case has no clock (not accepted yet, or an item without a time limit)."""
    bound = _case("case_deadline")
    clock = bound.uow.session.get(CaseClock, bound.instance_id) if bound.instance_id is not None else None
    return None if clock is None else clock.deadline_at.astimezone(LOCAL_TZ).date().isoformat()


def calendar_covers(day: str | date | datetime) -> bool:
    """Whether the case's calendar holds the announced holidays of the year of ``day`` (a date the case
    holds, ``2026-03-10``): without them, working days of that year are counted Monday to Friday only."""
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day) if len(day) == 10 else datetime.fromisoformat(day)
        except ValueError:
            raise ValueError(f"calendar_covers(day) takes a date such as 2026-03-10, not {day!r}") from None
    if not isinstance(day, date):  # datetime is a date
        raise TypeError(f"calendar_covers(day) takes a date such as 2026-03-10, not {day!r}")
    if isinstance(day, datetime) and day.tzinfo is not None:
        day = day.astimezone(LOCAL_TZ)  # the centre's date of that moment
    return day.year in _case("calendar_covers").calendar().known_years


def refuse(field: str, message: str) -> NoReturn:
    """Turn down what the step just completed submitted, as a form's own rule would: the command stores
    nothing and answers ValidationFailed naming ``field`` (a key of the step's form) with ``message``,
    which the task page shows beside that field. For checks a form cannot declare (a date against the
    case's deadline, say), written in the script the step leads to."""
    if not isinstance(field, str) or not isinstance(message, str):
        raise TypeError("refuse(field, message) takes the form field's key and the message to show, as texts")
    if not field.strip() or not message.strip():
        raise ValueError("refuse(field, message) needs the form field's key and a message to show")
    raise ValidationFailed(message, details=[{"field": field, "message": message, "label": None,
                                               "rule": REFUSED, "params": {}}])


def bind(uow: Any, calendar_name: str, instance_id: int | None = None) -> Binding:
    """Bind the case's calendar, id (None: a case being started, not stored yet) and unit of work for the
    rest of this command (each command binds afresh); the binding, for ``use`` when the command runs this
    case again after opening another."""
    bound = Binding(uow, calendar_name, instance_id)
    _bound.set(bound)
    return bound


def use(bound: Binding) -> None:
    """Bind a case's functions again (engine.execution.activate)."""
    _bound.set(bound)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "workdays": workdays, "list_departments": list_departments, "co_departments": co_departments,
    "case_deadline": case_deadline,
    "calendar_covers": calendar_covers, "refuse": refuse}
