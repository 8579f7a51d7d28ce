"""Calendar tables: reading a calendar's chain, days and years, and writing a year. Helpers take the
session (or unit of work) and never commit; the commands are in ``engine.calendar``."""
from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.orm import Session

from ._calendar_files import SpecialDay, YearData
from ._workdays import HOLIDAY, WORKDAY, year_working_days
from .db import insert_unless_present
from .errors import NotFound
from .models import Calendar, CalendarDay, CalendarYear
from .unit_of_work import UnitOfWork
from .users import Actor

NATIONAL = "CN"
# The package's English names, as the State Council's notices name the holidays.
_CHINESE = {"New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
            "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "Mid-autumn Festival": "中秋节",
            "National Day": "国庆节", "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日"}

YearsLoaded = Callable[[UnitOfWork, list[str], list[int]], None]
_listeners: list[YearsLoaded] = []


@dataclass(frozen=True)
class CalendarInfo:
    name: str
    description: str | None
    region: str | None
    extends: str | None
    years: list[int]  # the years this calendar itself has data for


@dataclass(frozen=True)
class DayView:
    date: date
    name: str | None


@dataclass(frozen=True)
class YearView:
    """One calendar's own days in one year, and how many working days the year has with them."""

    calendar: str
    year: int
    extends: str | None
    provisional: bool  # no announced national data for the year: weekdays only
    source: str | None
    loaded_at: datetime | None
    loaded_by: str | None
    holidays: list[DayView]
    workdays: list[DayView]
    working_days: int


def on_years_loaded(listener: YearsLoaded) -> YearsLoaded:
    """Register ``listener(uow, calendars, years)``, called inside every transaction that loads years
    (seed, import, PUT) with the calendars affected (the loaded one and those extending it). It must not
    commit; an exception aborts the load. Usable as a decorator."""
    _listeners.append(listener)
    return listener


# engine.calendar's per-transaction memo of the calendars read (engine.db.transaction_memo).
CURRENT_CALENDARS = "govflow.current_calendars"


def chain_of(session: Session, name: str) -> list[Any]:
    """Rows (id, name, extends_id, version) of the calendar and those it extends, national first.

    Plain rows, not entities: a session's identity map would keep a version read earlier.
    Raises NotFound."""
    rows = {c.id: c for c in session.execute(
        select(Calendar.id, Calendar.name, Calendar.extends_id, Calendar.version))}
    current = next((c for c in rows.values() if c.name == name), None)
    if current is None and name != NATIONAL:
        raise NotFound(f"calendar {name!r} not found")
    chain: list[Any] = []
    while current is not None and current not in chain:
        chain.insert(0, current)
        current = rows.get(current.extends_id) if current.extends_id is not None else None
    return chain


def kinds_of(session: Session, chain: list[Any], year: int | None = None) -> dict[date, str]:
    kinds: dict[date, str] = {}
    for calendar in chain:  # national first: a region's own day wins
        query = select(CalendarDay.day, CalendarDay.kind).where(CalendarDay.calendar_id == calendar.id)
        if year is not None:
            query = query.where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31)))
        kinds.update({day: kind for day, kind in session.execute(query)})
    return kinds


def known_years(session: Session, chain: list[Any]) -> set[int]:
    """Years with announced data: those of the root calendar (local days are only additions)."""
    if not chain:
        return set()
    return set(session.scalars(select(CalendarYear.year).where(CalendarYear.calendar_id == chain[0].id)))


def package_years() -> dict[int, list[SpecialDay]]:
    """The chinese-calendar package's holidays and make-up working days, by year, named in Chinese."""
    import chinese_calendar

    days = [SpecialDay(d, HOLIDAY, _CHINESE.get(n, n)) for d, n in chinese_calendar.holidays.items()]
    days += [SpecialDay(d, WORKDAY, _CHINESE.get(n, n)) for d, n in chinese_calendar.workdays.items()]
    years: dict[int, list[SpecialDay]] = {y: [] for y in range(min(d.day.year for d in days),
                                                                max(d.day.year for d in days) + 1)}
    for day in sorted(days, key=lambda d: d.day):
        years[day.day.year].append(day)
    return years


def new_version() -> int:
    return secrets.randbelow(2**31 - 1) + 1


def national(session: Session, *, lock: bool = False) -> Calendar:
    """CN, made on first use. ``lock``: for a command loading days, which then waits for any other load of
    CN to commit and reads what it left (PostgreSQL; SQLite's writers take turns)."""
    found = _named(session, NATIONAL, lock)
    if found is None:
        # Two first uses at once: one inserts, the other waits for its commit and inserts nothing.
        session.execute(insert_unless_present(session, Calendar, ["name"]).values(
            name=NATIONAL, description="全国法定节假日与调休 (State Council announcements)", version=new_version()))
        found = _named(session, NATIONAL, lock)
        assert found is not None, "CN was inserted or found present in this transaction"
    return found


def calendar_row(session: Session, name: str, *, lock: bool = False) -> Calendar:
    """The calendar ``name`` (CN made on first use); ``lock`` as for ``national``. Raises NotFound."""
    if name == NATIONAL:
        return national(session, lock=lock)
    found = _named(session, name, lock)
    if found is None:
        raise NotFound(f"calendar {name!r} not found (create it with: govflow calendar create {name})")
    return found


def _named(session: Session, name: str, lock: bool) -> Calendar | None:
    query = select(Calendar).where(Calendar.name == name)
    # Locked, the row is read again as committed: another load may have changed its version meanwhile.
    query = query.with_for_update().execution_options(populate_existing=True) if lock else query
    return session.scalars(query).first()


def store_year(session: Session, calendar: Calendar, data: YearData, *, source: str,
               actor: Actor | None) -> None:
    """Replace the calendar's days and year row for ``data.year``."""
    first, last = date(data.year, 1, 1), date(data.year, 12, 31)
    session.execute(delete(CalendarDay).where(CalendarDay.calendar_id == calendar.id,
                                              CalendarDay.day.between(first, last)))
    session.execute(delete(CalendarYear).where(CalendarYear.calendar_id == calendar.id,
                                               CalendarYear.year == data.year))
    if data.days:  # one executemany: seeding 23 years stays well under a second
        session.execute(insert(CalendarDay), [
            {"calendar_id": calendar.id, "day": d.day, "kind": d.kind, "name": d.name} for d in data.days])
    session.add(CalendarYear(calendar_id=calendar.id, year=data.year, source=source,
                             loaded_by=actor.name if actor else None))


def audited_days(session: Session, calendar: Calendar, years: Iterable[int],
                 extra: Iterable[date] = ()) -> dict[str, dict[str, str | None]]:
    """The calendar's own special days in ``years`` and on the ``extra`` dates, by ISO date, as the audit
    log compares them before and after a load: the days added, removed or renamed are what changed."""
    spans = [CalendarDay.day.between(date(y, 1, 1), date(y, 12, 31)) for y in years]
    extra = list(extra)
    if extra:
        spans.append(CalendarDay.day.in_(extra))
    if not spans:
        return {}
    rows = session.execute(select(CalendarDay.day, CalendarDay.kind, CalendarDay.name).where(
        CalendarDay.calendar_id == calendar.id, or_(*spans)).order_by(CalendarDay.day))
    return {day.isoformat(): {"kind": kind, "name": name} for day, kind, name in rows}


def store_days(session: Session, calendar: Calendar, days: list[SpecialDay]) -> None:
    """Replace the calendar's entries for these dates only: the rest of their year stays as it was, and so
    does whether the year has announced data (a year's 元旦 starting on 31 December of the year before)."""
    if not days:
        return
    session.execute(delete(CalendarDay).where(CalendarDay.calendar_id == calendar.id,
                                              CalendarDay.day.in_([d.day for d in days])))
    session.execute(insert(CalendarDay), [
        {"calendar_id": calendar.id, "day": d.day, "kind": d.kind, "name": d.name} for d in days])


def mark_loaded(uow: UnitOfWork, calendar: Calendar, years: list[int]) -> None:
    """Mark the calendar changed and tell listeners. Loads of one calendar take turns on its row, locked
    before they delete or insert a day (``calendar_row`` with ``lock``)."""
    uow.session.execute(update(Calendar).where(Calendar.id == calendar.id).values(version=new_version()))
    uow.session.info.pop(CURRENT_CALENDARS, None)  # listeners recount deadlines with the new days
    uow.session.flush()
    rows = list(uow.session.scalars(select(Calendar)))
    affected, grew = {calendar.id}, True
    while grew:  # calendars extending an affected one, at any depth
        more = {c.id for c in rows if c.extends_id in affected} - affected
        affected, grew = affected | more, bool(more)
    names = sorted(c.name for c in rows if c.id in affected)
    for listener in _listeners:
        listener(uow, names, sorted(years))


def year_view(session: Session, name: str, year: int) -> YearView:
    chain = chain_of(session, name)
    own = chain[-1] if chain and chain[-1].name == name else None
    loaded = session.get(CalendarYear, (own.id, year)) if own else None
    days = list(session.scalars(select(CalendarDay).where(
        CalendarDay.calendar_id == own.id, CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31)))
        .order_by(CalendarDay.day))) if own else []
    kinds = {d.toordinal(): k for d, k in kinds_of(session, chain, year).items()}
    return YearView(name, year, chain[-2].name if len(chain) > 1 else None,
                    year not in known_years(session, chain),
                    loaded.source if loaded else None, loaded.loaded_at if loaded else None,
                    loaded.loaded_by if loaded else None,
                    [DayView(d.day, d.name) for d in days if d.kind == HOLIDAY],
                    [DayView(d.day, d.name) for d in days if d.kind == WORKDAY],
                    len(year_working_days(year, kinds)))
