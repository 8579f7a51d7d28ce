"""Working-day calendars: Chinese public holidays and make-up working days (调休), per year, as data.

Time limits are counted in working days (行政许可法 Art 82) as the State Council announces them each
year, usually in November for the next. The calendar "CN" is seeded from the ``chinese-calendar``
package by ``seed_national``, which ``govflow db upgrade``, ``serve`` and ``worker`` run after the
migrations: a fresh machine has it with no extra step, a newer package adds its new years on the next
start, and years an operator imported are never overwritten. (Tests start from empty tables and seed
when they need CN.) Operators load other years with ``govflow calendar import FILE`` or
``PUT /api/calendar/<year>``; a region's calendar may extend CN with local days off.

Counting convention (DOMAIN.md "Working days in practice"), on local dates (``clock.LOCAL_TZ``):
  * the start day is not counted; counting starts the day after it;
  * a start on a non-working day counts as a start on the next working day (an application received
    on a Saturday is treated as received on Monday; day 1 is Tuesday);
  * so ``add_working_days(start, 0)`` is the start day if it is a working day, else the next one,
    and a negative ``n`` counts backwards from that same day (reminders "1 working day before");
  * ``working_days_between(a, b)`` counts the working days after that effective start up to and
    including ``b``, and is the inverse of ``add_working_days`` when ``a`` is a working day;
  * a deadline ends at 23:59:59 local time of its last day (``deadline_at``).
A year without data counts Monday to Friday only: every result says ``provisional`` (they are
``WorkingDate``/``WorkingDayCount``/``Deadline`` tuples, so a caller has to unpack the flag) and a
warning is logged once per process and year. When years are loaded, the listeners registered with
``on_years_loaded`` run inside the loading transaction: that is where provisional deadlines are
recomputed and their timers moved.

File formats (UTF-8, or UTF-16 with its byte-order mark, or GB18030 as Excel saves a CSV on a Chinese
system; one year per JSON file, any number of years per CSV file; all-or-nothing)::

    {"calendar": "CN", "year": 2027,
     "holidays": [{"date": "2027-02-06", "name": "春节"}, ...],
     "workdays": [{"date": "2027-02-14", "name": "春节"}]}

    date,kind,name
    2027-02-06,holiday,春节
    2027-02-14,workday,春节

``calendar`` is optional (default CN); ``kind`` is ``holiday`` or ``workday`` (also 休/班); lines
starting with ``#`` are comments. The CSV header may be Chinese (``日期,类型,名称``), and dates may be
written as spreadsheets write them (``2027/1/1``, ``2027-1-1``). A CSV file's years are each loaded whole,
except (``_calendar_files.announced``): days within 25-31 December just before a loaded year (元旦 starting
early) are added to their year without replacing it; and a year with fewer than a quarter of the lines of
the file's fullest year is refused as a typo, naming its lines, unless the operator names the years to
load (``govflow calendar import FILE --year 2027 --year 2028``). Holidays may fall on any day (weekends inside a festival are
listed in announcements); a make-up working day must be a Saturday or Sunday. Loading a year
replaces everything that calendar had for it. A year of CN (or of any calendar that extends none)
must list at least one day: those years are the announcements, and an empty one would count every
weekday as a working day as if announced. A region's year may be empty (no local days).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from importlib import metadata
from pathlib import PurePath
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import _calendar_db as db
from . import audit
from ._calendar_db import NATIONAL, CalendarInfo, DayView, YearView, on_years_loaded, package_years
from ._calendar_files import SpecialDay, YearData, announced, check_year, parse_file, require_days, validate_year
from ._workdays import Deadline, WorkingCalendar, WorkingDate, WorkingDayCount
from .db import transaction_memo
from .errors import Conflict, InvalidRequest, ValidationFailed
from .models import Calendar, CalendarYear
from .unit_of_work import Runtime, UnitOfWork
from .users import Actor

__all__ = ["NATIONAL", "CalendarInfo", "DayView", "Deadline", "WorkdaysFunction", "WorkingCalendar",
           "WorkingDate", "WorkingDayCount", "YearView", "create_calendar", "for_runtime", "get_year", "import_file",
           "list_calendars", "on_years_loaded", "package_years", "read_file", "replace_year", "seed_national",
           "working_days_function"]

_NAME = re.compile(r"^[\w.-]{1,50}$")


# ---- reading: the per-process cache ----------------------------------------------------------------

def for_runtime(source: Runtime | UnitOfWork, name: str = NATIONAL) -> WorkingCalendar:
    """The calendar ``name`` as of now, from the runtime's cache (one small query checks it is current).

    Pass a unit of work inside its ``with`` block to read in its transaction, or a runtime.
    Raises:
        NotFound: no calendar of that name (CN always exists: without data it counts weekdays only).
    """
    session = getattr(source, "session", None) if isinstance(source, UnitOfWork) else None
    if isinstance(source, UnitOfWork) and session is not None:
        return _cached(source.runtime, session, name)
    runtime = source.runtime if isinstance(source, UnitOfWork) else source
    with runtime.uow() as uow:
        return _cached(runtime, uow.session, name)


def _cached(runtime: Runtime, session: Session, name: str) -> WorkingCalendar:
    # Checked once per transaction: a command, or the supervision board, asks once per clock it moves.
    memo = transaction_memo(session, db.CURRENT_CALENDARS)
    if name in memo:
        return cast(WorkingCalendar, memo[name])
    chain = db.chain_of(session, name)
    stamp = tuple((c.id, c.version) for c in chain)
    found = runtime.calendars.get(name, stamp)
    if found is None:
        found = runtime.calendars.put(WorkingCalendar(
            name, db.kinds_of(session, chain), db.known_years(session, chain), stamp=stamp))
    memo[name] = found
    return found


# ---- commands --------------------------------------------------------------------------------------

def seed_national(uow: UnitOfWork) -> list[int]:
    """Load into CN every year the chinese-calendar package knows that CN has no data for yet.

    Idempotent, and safe when several processes start at once (the loser of a race loads nothing).
    Returns the years loaded. Raises nothing of its own.
    """
    source = f"chinese-calendar {metadata.version('chinese-calendar')}"
    with uow:
        try:
            calendar = db.national(uow.session, lock=True)  # a second process seeding waits, then finds it done
            have = set(uow.session.scalars(select(CalendarYear.year)
                                           .where(CalendarYear.calendar_id == calendar.id)))
            years = {y: days for y, days in package_years().items() if y not in have}
            if not years:
                return []
            for year, days in sorted(years.items()):
                db.store_year(uow.session, calendar, YearData(year, days), source=source, actor=None)
            db.mark_loaded(uow, calendar, sorted(years))
            uow.commit()
        except IntegrityError:  # another process seeded at the same moment
            return []
        return sorted(years)


def create_calendar(uow: UnitOfWork, name: str, *, actor: Actor, description: str | None = None,
                    region: str | None = None, extends: str | None = None) -> CalendarInfo:
    """A new, empty calendar; with ``extends`` it takes that calendar's days and years and adds its own.

    Raises:
        Forbidden: the actor is not an admin.
        InvalidRequest: a bad name.
        NotFound: ``extends`` names no calendar.
        Conflict: the name is taken.
    """
    actor.require(action="create working-day calendars")
    if not _NAME.match(name):
        raise InvalidRequest(f"invalid calendar name {name!r}: letters, digits, '.', '_' and '-', at most 50")
    for field, value, longest in (("description", description, 500), ("region", region, 100)):
        if value is not None and len(value) > longest:
            raise InvalidRequest(f"a calendar's {field} is at most {longest} characters")
    with uow:
        parent = db.calendar_row(uow.session, extends) if extends else None
        calendar = Calendar(name=name, description=description, region=region,
                            extends_id=parent.id if parent else None, version=db.new_version())
        uow.session.add(calendar)
        try:
            uow.session.flush()
        except IntegrityError:
            raise Conflict(f"calendar {name!r} already exists") from None
        audit.record(uow, actor, "calendar.created", ("calendar", name),
                     audit.diff({}, {"description": description, "region": region, "extends": extends}))
        uow.commit()
        return CalendarInfo(name, description, region, extends, [])


def list_calendars(uow: UnitOfWork) -> list[CalendarInfo]:
    with uow:
        rows = list(uow.session.scalars(select(Calendar).order_by(Calendar.name)))
        names = {c.id: c.name for c in rows}
        years: dict[int, list[int]] = {}
        for cid, year in uow.session.execute(select(CalendarYear.calendar_id, CalendarYear.year)
                                             .order_by(CalendarYear.year)):
            years.setdefault(cid, []).append(year)
        return [CalendarInfo(c.name, c.description, c.region, names.get(c.extends_id) if c.extends_id else None,
                             years.get(c.id, []))
                for c in rows]


def get_year(uow: UnitOfWork, year: int, *, calendar: str = NATIONAL) -> YearView:
    """A calendar's own holidays and make-up working days in ``year``.

    Raises:
        NotFound: no such calendar.
        ValidationFailed: a year outside 1900–2200.
    """
    check_year(year)
    with uow:
        return db.year_view(uow.session, calendar, year)


def replace_year(uow: UnitOfWork, year: int, *, calendar: str = NATIONAL, holidays: Sequence[Any],
                 workdays: Sequence[Any], actor: Actor, source: str = "api") -> YearView:
    """Replace a calendar's data for ``year`` (items ``{"date", "name"}``) in one transaction, then run
    the ``on_years_loaded`` listeners.

    Raises:
        Forbidden: the actor is not an admin.
        NotFound: no such calendar.
        ValidationFailed: bad days, with ``field`` (``holidays.2.date``) and ``message`` details; or no
            days at all for a calendar that extends none (CN).
    """
    actor.require(action="change working-day calendars")
    days = validate_year(year, holidays, workdays)
    with uow:
        row = db.calendar_row(uow.session, calendar, lock=True)  # two loads at once take turns: the last wins
        if row.extends_id is None:
            require_days(calendar, [YearData(year, days)], "invalid calendar data")
        before = db.audited_days(uow.session, row, [year])
        db.store_year(uow.session, row, YearData(year, days), source=source, actor=actor)
        db.mark_loaded(uow, row, [year])
        audit.record(uow, actor, "calendar.changed", ("calendar", calendar),
                     audit.diff(before, db.audited_days(uow.session, row, [year]), years=[year], source=source))
        uow.commit()
        return db.year_view(uow.session, calendar, year)


def import_file(uow: UnitOfWork, filename: str, content: bytes | str, *, actor: Actor,
                calendar: str | None = None, years: Sequence[int] = ()) -> list[YearView]:
    """Load the years a JSON or CSV file announces (formats above; ``years``: those the operator names)
    into ``calendar`` (else the file's, else CN), all or nothing, with the days it adds next to them
    (元旦 from late December), then run the ``on_years_loaded`` listeners. Returns the years as loaded.

    Raises:
        Forbidden: the actor is not an admin.
        NotFound: no such calendar.
        ValidationFailed: with ``line``, ``field`` and ``message`` details, among them a year without
            days for a calendar that extends none (CN), or a year too thin to be announced (a typo);
            nothing was loaded.
    """
    actor.require(action="change working-day calendars")
    loaded, adjoining = read_file(filename, content, years)
    named = {y.calendar for y in loaded if y.calendar}
    if calendar and named - {calendar}:
        raise ValidationFailed("the file names another calendar", details=[
            {"field": "calendar", "line": 1,
             "message": f"the file is for {named.pop()!r}, not {calendar!r}"}])
    name = calendar or (named.pop() if named else NATIONAL)
    source = f"import: {PurePath(filename).name}"[:100]
    with uow:
        row = db.calendar_row(uow.session, name, lock=True)
        if row.extends_id is None:
            require_days(name, loaded, "invalid calendar file")
        years = sorted({y.year for y in loaded})
        extra = [d.day for d in adjoining]
        before = db.audited_days(uow.session, row, years, extra)
        for data in loaded:
            db.store_year(uow.session, row, data, source=source, actor=actor)
        db.store_days(uow.session, row, adjoining)
        db.mark_loaded(uow, row, sorted({y.year for y in loaded} | {d.day.year for d in adjoining}))
        audit.record(uow, actor, "calendar.changed", ("calendar", name),
                     audit.diff(before, db.audited_days(uow.session, row, years, extra), years=years, source=source))
        uow.commit()
        return [db.year_view(uow.session, name, y.year) for y in loaded]


def read_file(filename: str, content: bytes | str, years: Sequence[int] = ()
              ) -> tuple[list[YearData], list[SpecialDay]]:
    """The years a file announces and the days it adds next to them (see ``import_file``), loading
    nothing. Raises ValidationFailed as ``import_file`` does for the file itself."""
    return announced(parse_file(filename, content), years)


# ---- diagrams ---------------------------------------------------------------------------------------

class WorkdaysFunction:
    """``workdays(n)`` for diagram expressions: the end of the working day ``n`` working days after
    ``now`` (see the convention above), as an ISO 8601 UTC string that both a timer's timeDate and
    ``camunda:dueDate`` accept; ``workdays(n, start)`` counts from ``start`` instead, a date the case holds
    (``2026-03-10``, as a form's date field gives it, or an ISO date-time). ``provisional`` turns true once
    any call counted a year without data."""

    def __init__(self, calendar: WorkingCalendar, now: date | datetime) -> None:
        self.calendar, self.now = calendar, now
        self.provisional = False

    def __call__(self, n: int, start: str | date | datetime | None = None) -> str:
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"workdays(n) takes a whole number of working days, not {n!r}")
        found = self.calendar.deadline_at(self.now if start is None else _start_day(start), n)
        self.provisional = self.provisional or found.provisional
        return found.at.isoformat()


def _start_day(value: str | date | datetime) -> date | datetime:
    """The start ``workdays(n, start)`` counts from: a date or date-time, or its ISO 8601 text."""
    if isinstance(value, (date, datetime)):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"workdays(n, start) counts from a date such as 2026-03-10, not {value!r}")


def working_days_function(calendar: WorkingCalendar, now: date | datetime) -> WorkdaysFunction:
    return WorkdaysFunction(calendar, now)
