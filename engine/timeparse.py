"""Turning what a diagram says about a due time into an aware UTC datetime."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

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
