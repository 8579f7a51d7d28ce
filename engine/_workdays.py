"""Working-day arithmetic over one calendar, with no database: see ``engine.calendar`` for the
convention, the tables and the per-process cache of these objects.

Each year is a sorted list of the ordinals (``date.toordinal()``) of its working days, built once:
years with announced data apply their holidays and make-up working days (调休) to Monday–Friday,
other years count Monday–Friday only and make every answer that touches them provisional.
Counting is ``bisect`` in at most a few of these lists: a few microseconds per call.
"""
from __future__ import annotations

import logging
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Mapping
from datetime import date, datetime
from typing import NamedTuple

from .clock import LOCAL_TZ
from .timeparse import end_of_local_day

log = logging.getLogger("engine.calendar")

HOLIDAY, WORKDAY = "holiday", "workday"


class WorkingDate(NamedTuple):
    """A day found by counting working days; ``provisional`` when a year without data was counted."""

    date: date
    provisional: bool


class WorkingDayCount(NamedTuple):
    days: int
    provisional: bool


class Deadline(NamedTuple):
    """The last working day and the instant it ends (23:59:59 local time, as UTC)."""

    date: date
    at: datetime
    provisional: bool


def local_date(value: date | datetime) -> date:
    """The service centre's date of a moment; naive datetimes are already local (as in timeparse)."""
    if isinstance(value, datetime):
        return value.astimezone(LOCAL_TZ).date() if value.tzinfo is not None else value.date()
    return value


def year_working_days(year: int, kinds: Mapping[int, str]) -> list[int]:
    """Sorted ordinals of ``year``'s working days: Monday–Friday, minus holidays, plus make-up days.

    ``kinds`` maps day ordinals to ``holiday`` or ``workday``.
    """
    first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
    # date(1, 1, 1) is ordinal 1 and a Monday, so (ordinal - 1) % 7 is the weekday, Monday = 0.
    return [o for o in range(first, last + 1)
            if kinds.get(o, WORKDAY if (o - 1) % 7 < 5 else HOLIDAY) == WORKDAY]


class WorkingCalendar:
    """Immutable working-day arithmetic for one calendar; safe to share between threads.

    Args:
        name: the calendar's name, for messages.
        kinds: every holiday and make-up working day, ``{date: "holiday" | "workday"}``.
        known_years: the years with announced data; any other year counts weekdays only.
        stamp: what the cache compares with the database to tell whether this copy is current.
    """

    def __init__(self, name: str, kinds: Mapping[date, str], known_years: Collection[int], *,
                 stamp: object = None) -> None:
        self.name, self.stamp = name, stamp
        self.known_years = frozenset(known_years)
        self._kinds = {d.toordinal(): kind for d, kind in kinds.items()}
        self._years: dict[int, list[int]] = {}
        self._warned: set[int] = set()
        self._lock = threading.Lock()
        for year in sorted(self.known_years | {d.year for d in kinds}):
            self._block(year)

    # ---- public arithmetic ------------------------------------------------------------------

    def is_working_day(self, day: date | datetime) -> bool:
        """Whether the (local) day is a working day; weekdays-only in years without data."""
        o = local_date(day).toordinal()
        days = self._block(date.fromordinal(o).year)
        i = bisect_left(days, o)
        return i < len(days) and days[i] == o

    def add_working_days(self, start: date | datetime, n: int) -> WorkingDate:
        """The working day ``n`` working days after ``start`` (see ``engine.calendar`` for the rules).

        The start day is not counted and counting starts the day after; a start on a non-working day
        counts as a start on the next working day. So ``n = 0`` gives the start day if it is a working
        day, else the next working day; a negative ``n`` counts backwards from that same day.
        """
        first = local_date(start)
        year, i = self._effective_start(first)
        found = self._shift(year, i, n)
        return WorkingDate(found, self._provisional(first.year, found.year))

    def working_days_between(self, a: date | datetime, b: date | datetime) -> WorkingDayCount:
        """How many working days ``b`` lies after ``a``: working days d with eff(a) < d <= b, where
        eff(a) is ``a`` if it is a working day else the next one; ``-working_days_between(b, a)`` when
        ``b`` is before ``a``. Inverse of ``add_working_days`` for a working-day ``a``."""
        da, db = local_date(a), local_date(b)
        if db < da:
            back = self.working_days_between(db, da)
            return WorkingDayCount(-back.days, back.provisional)
        provisional = self._provisional(da.year, db.year)
        year, i = self._effective_start(da)
        start, end = self._block(year)[i], db.toordinal()
        if start >= end:
            return WorkingDayCount(0, provisional)
        if year == db.year:
            days = self._block(year)
            return WorkingDayCount(bisect_right(days, end) - i - 1, provisional)
        count = len(self._block(year)) - i - 1
        count += sum(len(self._block(y)) for y in range(year + 1, db.year))
        return WorkingDayCount(count + bisect_right(self._block(db.year), end), provisional)

    def deadline_at(self, start: date | datetime, n: int) -> Deadline:
        """The end (23:59:59 local, as UTC) of the working day ``add_working_days(start, n)``."""
        found = self.add_working_days(start, n)
        return Deadline(found.date, end_of_local_day(found.date), found.provisional)

    def working_days_in(self, year: int) -> int:
        return len(self._block(year))

    # ---- internals ----------------------------------------------------------------------------

    def _block(self, year: int) -> list[int]:
        days = self._years.get(year)
        if days is None:
            with self._lock:
                days = self._years.setdefault(year, year_working_days(year, self._kinds))
        return days

    def _effective_start(self, day: date) -> tuple[int, int]:
        """(year, index) of the first working day on or after ``day``."""
        year, o = day.year, day.toordinal()
        i = bisect_left(self._block(year), o)
        while i == len(self._block(year)):  # no working day left in this year
            year, i = year + 1, 0
        return year, i

    def _shift(self, year: int, i: int, n: int) -> date:
        j = i + n
        while j >= len(self._block(year)):
            j -= len(self._block(year))
            year += 1
        while j < 0:
            year -= 1
            j += len(self._block(year))
        return date.fromordinal(self._block(year)[j])

    def _provisional(self, first: int, last: int) -> bool:
        if first in self.known_years and last in self.known_years and abs(last - first) <= 1:
            return False  # the usual case, without building a list
        missing = [y for y in range(min(first, last), max(first, last) + 1) if y not in self.known_years]
        for year in missing:
            if year not in self._warned:
                self._warned.add(year)
                log.warning("calendar %s has no data for %s: counting Monday to Friday only; "
                            "deadlines in %s are provisional until the year is imported",
                            self.name, year, year)
        return bool(missing)


class CalendarCache:
    """The calendars of one process by name (``runtime.calendars``); ``engine.calendar.for_runtime``
    replaces an entry when its stamp no longer matches the database."""

    def __init__(self) -> None:
        self._items: dict[str, WorkingCalendar] = {}
        self._lock = threading.Lock()

    def get(self, name: str, stamp: object) -> WorkingCalendar | None:
        found = self._items.get(name)
        return found if found is not None and found.stamp == stamp else None

    def put(self, calendar: WorkingCalendar) -> WorkingCalendar:
        with self._lock:
            self._items[calendar.name] = calendar
        return calendar


def weekdays_only(name: str = "weekdays") -> WorkingCalendar:
    """A calendar without any data: Monday to Friday, every answer provisional."""
    return WorkingCalendar(name, {}, ())
