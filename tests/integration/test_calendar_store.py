"""Calendars in the database: seeding CN, loading years, regional calendars, and the per-process cache
that must notice every change, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from engine import Runtime, _calendar_db, calendar
from engine.errors import Forbidden, NotFound, ValidationFailed
from engine.models import CalendarDay
from engine.users import SYSTEM, Actor

CLERK = Actor("clerk1", roles=frozenset({"clerk"}))
SPRING_2027 = [{"date": f"2027-02-{d:02d}", "name": "春节"} for d in range(6, 14)]


@pytest.fixture
def seeded(runtime: Runtime) -> Runtime:
    calendar.seed_national(runtime.uow())
    return runtime


@pytest.fixture
def listener():  # type: ignore[no-untyped-def]
    """Record the calls of an on_years_loaded listener, removed again after the test."""
    calls: list[tuple[list[str], list[int]]] = []

    def record(uow, calendars, years):  # type: ignore[no-untyped-def]
        calls.append((calendars, years))
    calendar.on_years_loaded(record)
    yield calls
    _calendar_db._listeners.remove(record)


def test_seeding_loads_every_year_the_package_knows_once(runtime, listener):
    assert calendar.seed_national(runtime.uow()) == list(range(2004, 2027))
    assert calendar.seed_national(runtime.uow()) == []
    assert listener == [(["CN"], list(range(2004, 2027)))]
    view = calendar.get_year(runtime.uow(), 2025)
    assert (view.source, view.provisional, view.working_days) == ("chinese-calendar 1.11.0", False, 248)
    assert [d.date for d in view.workdays] == [date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27),
                                               date(2025, 9, 28), date(2025, 10, 11)]


def test_the_cached_calendar_matches_the_package_and_is_reused(seeded):
    cal = calendar.for_runtime(seeded)
    assert cal.add_working_days(date(2025, 9, 30), 20) == (date(2025, 11, 4), False)
    assert calendar.for_runtime(seeded) is cal
    with seeded.uow() as uow:
        assert calendar.for_runtime(uow) is cal


def test_loading_2027_makes_its_deadlines_final_in_this_and_every_other_process(seeded, listener):
    other = Runtime(seeded.settings)  # another process: its own cache
    try:
        before = calendar.for_runtime(other).add_working_days(date(2027, 2, 5), 1)
        assert before == (date(2027, 2, 8), True)
        calendar.replace_year(seeded.uow(), 2027, holidays=SPRING_2027, workdays=[], actor=SYSTEM)
        assert listener == [(["CN"], [2027])]
        assert calendar.for_runtime(seeded).add_working_days(date(2027, 2, 5), 1) == (date(2027, 2, 15), False)
        assert calendar.for_runtime(other).add_working_days(date(2027, 2, 5), 1) == (date(2027, 2, 15), False)
    finally:
        other.dispose()


def test_replacing_a_year_replaces_all_its_days(seeded):
    calendar.replace_year(seeded.uow(), 2025, holidays=[{"date": "2025-10-01", "name": "国庆节"}],
                          workdays=[], actor=SYSTEM)
    view = calendar.get_year(seeded.uow(), 2025)
    assert [(d.date, d.name) for d in view.holidays] == [(date(2025, 10, 1), "国庆节")]
    assert view.workdays == [] and view.source == "api" and view.loaded_by == "system"
    assert calendar.for_runtime(seeded).is_working_day(date(2025, 1, 28))


def test_invalid_data_changes_nothing(seeded):
    with pytest.raises(ValidationFailed):
        calendar.replace_year(seeded.uow(), 2025, holidays=[{"date": "2025-13-01"}], workdays=[], actor=SYSTEM)
    assert calendar.get_year(seeded.uow(), 2025).working_days == 248


def test_only_admins_change_calendars(seeded):
    with pytest.raises(Forbidden):
        calendar.replace_year(seeded.uow(), 2027, holidays=[], workdays=[], actor=CLERK)
    with pytest.raises(Forbidden):
        calendar.create_calendar(seeded.uow(), "SX-TY", actor=CLERK)
    assert calendar.get_year(seeded.uow(), 2027).provisional


def test_a_listener_that_fails_aborts_the_load(seeded):
    def broken(uow, calendars, years):  # type: ignore[no-untyped-def]
        raise RuntimeError("recomputation failed")
    calendar.on_years_loaded(broken)
    try:
        with pytest.raises(RuntimeError):
            calendar.replace_year(seeded.uow(), 2027, holidays=SPRING_2027, workdays=[], actor=SYSTEM)
    finally:
        _calendar_db._listeners.remove(broken)
    assert calendar.get_year(seeded.uow(), 2027).provisional


def test_seeding_never_overwrites_a_year_an_operator_loaded(runtime):
    calendar.replace_year(runtime.uow(), 2026, holidays=[{"date": "2026-03-02", "name": "test"}], workdays=[],
                          actor=SYSTEM)
    assert 2026 not in calendar.seed_national(runtime.uow())
    assert [d.name for d in calendar.get_year(runtime.uow(), 2026).holidays] == ["test"]


def test_a_regional_calendar_adds_local_days_off_to_the_national_ones(seeded, listener):
    calendar.create_calendar(seeded.uow(), "SX-TY", actor=SYSTEM, extends="CN", region="山西省太原市")
    calendar.replace_year(seeded.uow(), 2025, calendar="SX-TY", holidays=[{"date": "2025-03-12", "name": "local"}],
                          workdays=[], actor=SYSTEM)
    local, national = calendar.for_runtime(seeded, "SX-TY"), calendar.for_runtime(seeded)
    assert local.add_working_days(date(2025, 3, 11), 1) == (date(2025, 3, 13), False)
    assert national.add_working_days(date(2025, 3, 11), 1) == (date(2025, 3, 12), False)
    assert local.add_working_days(date(2025, 9, 30), 1).date == date(2025, 10, 9)  # national days too
    calendar.replace_year(seeded.uow(), 2027, holidays=SPRING_2027, workdays=[], actor=SYSTEM)
    assert listener[-1] == (["CN", "SX-TY"], [2027])
    assert calendar.for_runtime(seeded, "SX-TY").add_working_days(date(2027, 2, 5), 1) == (date(2027, 2, 15), False)
    view = calendar.get_year(seeded.uow(), 2025, calendar="SX-TY")
    assert (view.extends, len(view.holidays), view.working_days) == ("CN", 1, 247)


def test_an_unknown_calendar_is_not_found_but_cn_without_data_counts_weekdays(runtime):
    with pytest.raises(NotFound):
        calendar.for_runtime(runtime, "NOWHERE")
    with pytest.raises(NotFound):
        calendar.replace_year(runtime.uow(), 2027, calendar="NOWHERE", holidays=[], workdays=[], actor=SYSTEM)
    assert calendar.for_runtime(runtime).add_working_days(date(2025, 9, 30), 1) == (date(2025, 10, 1), True)


def test_importing_a_csv_file_loads_each_year_in_one_transaction(seeded):
    text = "date,kind,name\n2027-01-01,holiday,元旦\n2028-01-01,holiday,元旦\n"
    views = calendar.import_file(seeded.uow(), "days.csv", text, actor=SYSTEM)
    assert [(v.year, v.source, v.provisional) for v in views] == [(2027, "import: days.csv", False),
                                                                   (2028, "import: days.csv", False)]
    with seeded.uow() as uow:
        days = uow.session.scalar(select(func.count()).select_from(CalendarDay)
                                  .where(CalendarDay.day >= date(2027, 1, 1)))
    assert days == 2


def test_a_file_for_another_calendar_is_refused_when_a_calendar_is_named(seeded):
    with pytest.raises(ValidationFailed) as caught:
        calendar.import_file(seeded.uow(), "x.json", '{"calendar": "CN", "year": 2027, "holidays": []}',
                             actor=SYSTEM, calendar="SX-TY")
    assert caught.value.details[0]["message"] == "the file is for 'CN', not 'SX-TY'"
