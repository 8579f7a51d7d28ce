"""Turning what a diagram says about a due time into an aware UTC datetime."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition as SpiffTimer

from .clock import LOCAL_TZ

_DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?"
    r"(?:(?P<minutes>\d+(?:\.\d+)?)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: str) -> timedelta:
    """ISO 8601 durations in days and smaller units (months and years have no fixed length)."""
    match = _DURATION.match(text.strip().upper())
    if not match or text.strip().upper() in ("P", "PT"):
        raise ValueError(f"not an ISO 8601 duration of weeks, days, hours, minutes or seconds: {text!r}")
    parts = {k: float(v) for k, v in match.groupdict().items() if v}
    return timedelta(**parts)


def as_utc(value: datetime) -> datetime:
    """Naive datetimes are local time of the service centre."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL_TZ)
    return value.astimezone(UTC)


def end_of_local_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), LOCAL_TZ).astimezone(UTC)


def parse_due(value: object, now: datetime) -> datetime:
    """A datetime, a date (due at the end of that local day), an ISO string of either, or a duration
    from ``now``."""
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, date):
        return end_of_local_day(value)
    if isinstance(value, timedelta):
        return now + value
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"not a date, time or duration: {value!r}")
    text = value.strip()
    if text.upper().startswith("P"):
        return now + parse_duration(text)
    try:
        if len(text) == 10:
            return end_of_local_day(date.fromisoformat(text))
        return as_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        raise ValueError(f"not an ISO 8601 date, date-time or duration: {value!r}") from None


# ---- timer values, as SpiffWorkflow reads them when a timer is reached -------------------------------

TIMER_KINDS = ("timeDate", "timeDuration", "timeCycle")
_WHAT = {"timeDate": "a date", "timeDuration": "a duration", "timeCycle": "a repeating cycle"}
_EXAMPLES = {"timeDate": "2026-12-01T09:00:00", "timeDuration": "P5D, PT72H or P1DT12H",
             "timeCycle": "R3/PT1H (three times an hour apart) or R/P1D (every day)"}
_DATE_UNITS, _TIME_UNITS = "YMWD", "HMS"
_UNIT_NAMES = {"Y": "years", "W": "weeks", "D": "days", "H": "hours", "S": "seconds"}


def timer_problem(kind: str | None, value: object) -> str | None:
    """Why a timer of ``kind`` (timeDate, timeDuration or timeCycle; None: any of them) would fail on
    ``value`` when it is reached, or None when it runs. Decided by SpiffWorkflow's own parsers, called as
    its timer events call them, so deploy accepts exactly what runs; the reason says what is wrong."""
    if not isinstance(value, str):
        return f"{value!r} is not a text: a timer value is an ISO 8601 text such as {_EXAMPLES[kind or 'timeDuration']}"
    text = value.strip()
    found = _kind_of(text)
    if _months(text) > MAX_YEARS * 12:  # SpiffWorkflow counts the days month by month: bound the work
        return f"{text!r} lasts more than {MAX_YEARS} years; no time limit is that long"
    if kind is not None and found != kind and _runs(found, text):
        return (f"{text!r} is {_WHAT[found]}, but this timer is a {kind}; make the timer a {found} "
                f"(Camunda Modeler: Timer type) or give {_WHAT[kind]} such as {_EXAMPLES[kind]}")
    if _runs(kind or found, text):
        return None if found != "timeDuration" or _DURATION_PARTS.search(text) else \
            f"{text!r} names no amount of time; write e.g. {_EXAMPLES['timeDuration']}"
    return f"{text!r} is not {_WHAT[found]}: {_fault(found, text)}; write e.g. {_EXAMPLES[found]}"


_DURATION_PARTS = re.compile(r"\d")
MAX_YEARS = 100
_YEARS_MONTHS = re.compile(r"(\d+)(?:[.,]\d+)?([YM])")


def _months(text: str) -> int:
    """The whole years and months of the durations in ``text`` (a duration, or a cycle's), in months; the
    minutes of a duration's time part (after T) are not months."""
    months = 0
    for part in text.upper().split("/"):
        if part.startswith("P"):
            for number, unit in _YEARS_MONTHS.findall(part.split("T", 1)[0]):
                months += int(number) * (12 if unit == "Y" else 1)
    return months


def _kind_of(text: str) -> str:
    upper = text.upper()
    if upper.startswith("P"):
        return "timeDuration"
    if upper.startswith("R"):
        return "timeCycle"
    return "timeDate"


def _runs(kind: str, text: str) -> bool:
    """Whether the timer event of ``kind`` gets its due time from ``text`` without raising."""
    now = datetime.now(UTC)
    try:
        if kind == "timeDate":  # TimeDateEventDefinition.has_fired: a duration fails the comparison
            _ = SpiffTimer.parse_time_or_duration(text) < now
            SpiffTimer.get_datetime(text)  # and the job's due time is read so (engine.execution._timer_due)
        elif kind == "timeDuration":  # DurationTimerEventDefinition.has_fired
            _ = (now + SpiffTimer.get_timedelta_from_start(SpiffTimer.parse_iso_duration(text))).isoformat()
        else:  # CycleTimerEventDefinition.cycle_complete
            _, start, duration = SpiffTimer.parse_iso_recurring_interval(text)
            _ = (start.isoformat(), duration.total_seconds())
    except Exception:  # noqa: BLE001 - whatever SpiffWorkflow raises, the timer fails
        return False
    return True


def _fault(kind: str, text: str) -> str:
    if kind == "timeDuration":
        return _duration_fault(text)
    if kind == "timeDate":
        return _date_fault(text)
    return _cycle_fault(text)


def _date_fault(text: str) -> str:
    if "W" in text.upper():
        return "an ISO 8601 week date is written 2026-W05-3 (year, week, weekday)"
    if text.upper().startswith("P"):
        return "a duration where a date is expected"
    try:
        datetime.fromisoformat(text)
    except ValueError as exc:
        reason = str(exc)
        if not reason.startswith("Invalid isoformat string"):
            return reason  # "month must be in 1..12", "day is out of range for month", ...
    return "not an ISO 8601 date or date-time"


_DURATION_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[A-Za-z]|.")


def _duration_fault(text: str) -> str:
    body = text[1:]
    if not body:
        return "nothing follows P"
    number: str | None = None
    in_time, order, seen = False, "YMWDTHMS", ""
    last = -1
    for token in _DURATION_TOKEN.findall(body):
        upper = token.upper()
        if token[0].isdigit():
            number = token
            continue
        if upper == "T":
            if in_time:
                return "T appears twice"
            if number is not None:
                return f"the number {number} before T has no unit"
            in_time, last = True, order.index("T")
            continue
        if not upper.isalpha():
            return f"{token!r} has no place in a duration"
        units, other = (_TIME_UNITS, _DATE_UNITS) if in_time else (_DATE_UNITS, _TIME_UNITS)
        if upper not in units:
            if upper in other and in_time:
                return f"{_UNIT_NAMES[upper]} come before T: P{number or 1}{upper}"
            if upper in other:
                return f"{_UNIT_NAMES[upper]} come after T: PT{number or 1}{upper}"
            return f"{token!r} is not a unit (Y, M, W, D; after T: H, M, S)"
        if number is None:
            return f"{token!r} has no number before it"
        position = order.index(upper, last + 1) if upper in order[last + 1:] else -1
        if position < 0:
            return "the units are out of order or repeated (the order is Y, M, W, D, then T, H, M, S)"
        if "." in seen or "," in seen:
            return "only the last number may have a fraction"
        seen += number
        number, last = None, position
    if number is not None:
        return f"the number {number} at the end has no unit"
    if in_time and last == order.index("T"):
        return "T is followed by no hours, minutes or seconds"
    if "W" in body.upper():
        return "weeks are taken only on their own (P2W): count the days instead, e.g. P9D for P1W2D"
    try:
        SpiffTimer.parse_iso_duration(text)
    except Exception:  # noqa: BLE001 - SpiffWorkflow raises a bare Exception
        return "not an ISO 8601 duration"
    return "so long a time that it would end after the year 9999"


def _cycle_fault(text: str) -> str:
    parts = text.upper().replace("--", "/").strip("R").split("/")
    if len(parts) < 2:
        return "a cycle is R, the number of repetitions (none: forever), '/' and a duration"
    if parts[0] and not parts[0].isdigit():
        return f"the repetitions {parts[0]!r} are not a whole number"
    if len(parts) > 3:
        return "a cycle has at most three parts: repetitions, a start (or end) date and a duration"
    durations = [p for p in parts[1:] if p.startswith("P")]
    for part in parts[1:]:
        kind = _kind_of(part)
        if kind == "timeCycle" or not _runs(kind, part):
            return f"{part!r} is neither a duration nor a date ({_fault(kind, part)})"
    if len(durations) != 1:
        return "a cycle needs exactly one duration, with at most one start or end date"
    return "not an ISO 8601 repeating interval"
