"""What keeps supervision's reads small at production volumes, and what it rests on:

  * ``supervision.may_warn`` narrows the open clocks by their stored deadline: it must never leave out a
    clock that its view would show yellow or red, whatever the calendar, the pauses or the moment;
  * the stored deadline of an open clock follows a calendar's days when they change, so that it stays the
    one its view shows; a stopped clock keeps its deadline and the working days it used;
  * migration 0017 counts the working days of clocks stopped before it, as their views counted them.
"""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text, update

from engine import calendar, overdue_reasons, supervision, supervision_board, time_limits
from engine.models import CaseClock, ProcessInstance
from engine.supervision_board import warning_level
from engine.time_limits import PAUSED, RUNNING, STOPPED
from engine.users import SYSTEM, Actor
from tests.api.test_time_limits import food
from tests.helpers import at, complete_open_task
from tests.integration.test_one_lead_per_case import migrate_to

KEY = "food_business_licence"
SUPERVISOR = Actor("supervisor", roles=frozenset({"supervisor", "admin"}))


def accepted(api: Any, set_now: Any, on: date) -> int:
    set_now(on)
    case = api.start(KEY, variables={"applicant_name": "张三"})
    complete_open_task(api, case["id"], "acceptance_check", reader="admin", acceptance_decision="accept")
    return int(case["id"])


def copies_of(api: Any, case_id: int, n: int) -> list[int]:
    """``n`` more rows like the case's own, for clocks written directly."""
    table = ProcessInstance.__table__
    with api.runtime.engine.begin() as connection:
        row = dict(connection.execute(select(table).where(table.c.id == case_id)).mappings().one())
        top = connection.scalar(select(func.max(table.c.id)))
        ids = list(range(top + 1, top + 1 + n))
        connection.execute(insert(table), [{**row, "id": i, "business_key": f"N-{i}"} for i in ids])
    return ids


def random_clocks(api: Any, ids: list[int], rng: random.Random) -> dict[int, datetime]:
    """Running and paused clocks started around two new years and both long holidays, some paused before,
    with their stored deadlines computed as the engine computes them. Returns when each came to be as it
    is (started, or its last pause ended, or its pause began)."""
    since: dict[int, datetime] = {}
    with api.runtime.uow() as uow:
        cal = calendar.for_runtime(uow)
        for instance_id in ids:
            started = at(date(2025, 12, 1) + timedelta(days=rng.randrange(420)), rng.randrange(8, 19))
            clock = CaseClock(instance_id=instance_id, promised_days=rng.randrange(0, 30), statutory_days=None,
                              calendar="CN", started_at=started, deadline_at=started, provisional=False,
                              paused_working_days=0, extension_days=rng.choice((0, 0, 3)), state=RUNNING)
            since[instance_id] = started
            if rng.random() < 0.4:  # an earlier pause, ended
                paused = started + timedelta(days=rng.randrange(20), hours=rng.randrange(6))
                resumed = paused + timedelta(days=rng.randrange(15), hours=rng.randrange(6))
                clock.paused_working_days = max(0, cal.working_days_between(paused, resumed).days)
                since[instance_id] = resumed
            if rng.random() < 0.3:  # paused now
                clock.state, clock.paused_since = PAUSED, since[instance_id] + timedelta(days=rng.randrange(20))
                since[instance_id] = clock.paused_since
            time_limits._recompute(uow, clock)
            uow.session.add(clock)
        uow.commit()
    return since


def test_narrowing_by_stored_deadline_never_leaves_out_a_warned_clock(food, now):
    template = accepted(food, now, date(2026, 3, 2))
    rng = random.Random(7)
    since = random_clocks(food, copies_of(food, template, 400), rng)
    left_out = warned_total = 0
    with food.runtime.uow() as uow:
        clocks = list(uow.session.scalars(select(CaseClock).where(CaseClock.state.in_((RUNNING, PAUSED)))))
        for _ in range(60):
            moment = at(date(2026, 1, 1) + timedelta(days=rng.randrange(420)), rng.choice((0, 9, 17, 23)))
            for remind_days in (0, 1, 3, 10, 60):
                narrowed = set(uow.session.scalars(select(CaseClock.instance_id).where(
                    CaseClock.state.in_((RUNNING, PAUSED)), supervision.may_warn(uow, moment, remind_days))))
                for clock in clocks:
                    if since.get(clock.instance_id, clock.started_at) > moment:
                        continue  # not like this yet at that moment
                    view = time_limits.clock_view(uow, clock, [], moment)
                    if warning_level(view, moment, remind_days) != supervision.GREEN:
                        warned_total += 1
                        assert clock.instance_id in narrowed, (moment, remind_days, view)
                left_out += len(clocks) - len(narrowed)
    assert warned_total > 1000 and left_out > 10000  # both sides were exercised


def test_a_changed_calendar_moves_open_deadlines_and_leaves_stopped_clocks_as_counted(food, now):
    open_case = accepted(food, now, date(2026, 3, 2))  # deadline 16 March
    decided = accepted(food, now, date(2026, 3, 2))
    now(date(2026, 3, 5))
    complete_open_task(food, decided, "review", reader="admin")
    complete_open_task(food, decided, "decide", reader="admin", decision="grant")  # stopped: 3 days used
    with food.runtime.uow() as uow:
        stopped = uow.session.get(CaseClock, decided)
        assert stopped is not None and stopped.state == STOPPED
        before = (stopped.deadline_at, stopped.used_working_days)
    assert before[1] == 3

    with food.runtime.uow() as uow:  # a holiday announced late, inside both clocks' spans
        year = calendar.get_year(uow, 2026)
    holidays = [{"date": d.date.isoformat(), "name": d.name} for d in year.holidays]
    holidays += [{"date": day, "name": "临时调休"} for day in ("2026-03-03", "2026-03-04")]
    calendar.replace_year(food.runtime.uow(), 2026, holidays=holidays,
                          workdays=[{"date": d.date.isoformat(), "name": d.name} for d in year.workdays], actor=SYSTEM)

    with food.runtime.uow() as uow:
        running = uow.session.get(CaseClock, open_case)
        assert running is not None
        view = time_limits.clock_view(uow, running, [], at(date(2026, 3, 10)))
        assert running.deadline_at == view.deadline_at and view.deadline_date == date(2026, 3, 18)
        stopped = uow.session.get(CaseClock, decided)
        assert stopped is not None and (stopped.deadline_at, stopped.used_working_days) == before
        frozen = time_limits.clock_view(uow, stopped, [], at(date(2026, 3, 10)))
        assert (frozen.used_working_days, frozen.deadline_at) == (3, before[0])  # as counted when it stopped
    stats = food.as_("supervisor").get("/api/supervision/stats").get_json()
    assert [(s["finished"], s["average_used_working_days"]) for s in stats] == [(1, 3.0)]


def test_migration_0017_counts_the_working_days_of_clocks_stopped_before_it(food, now):
    paused_then_decided = accepted(food, now, date(2026, 3, 2))
    open_case = accepted(food, now, date(2026, 3, 2))
    supervisor = food.as_("supervisor")
    with_pause = {"kind": "testing", "reason": "检验检测"}
    now(date(2026, 3, 3))
    assert supervisor.post(f"/api/process-instances/{paused_then_decided}/clock/pause",
                           json=with_pause).status_code == 200
    now(date(2026, 3, 6))
    assert supervisor.post(f"/api/process-instances/{paused_then_decided}/clock/resume", json={}).status_code == 200
    now(date(2026, 3, 11))
    complete_open_task(food, paused_then_decided, "review", reader="admin")
    complete_open_task(food, paused_then_decided, "decide", reader="admin", decision="grant")
    with food.runtime.uow() as uow:
        counted = uow.session.get(CaseClock, paused_then_decided)
        assert counted is not None
        used = counted.used_working_days
    assert used == 7 - 3  # 3 to 11 March (after the 2nd), less the three days paused (4 to 6 March)

    with food.runtime.uow() as uow:
        clock = uow.session.get(CaseClock, open_case)
        assert clock is not None
        right = clock.deadline_at
    migrate_to(food.runtime, "0016")
    try:
        with food.runtime.engine.begin() as connection:
            assert "used_working_days" not in list(connection.execute(text("SELECT * FROM case_clocks")).keys())
            # A deadline left stale by a calendar change before 0016 (only provisional ones were recounted).
            connection.execute(update(CaseClock.__table__).where(CaseClock.__table__.c.instance_id == open_case)
                               .values(deadline_at=right + timedelta(days=30)))
    finally:
        from engine import schema
        schema.upgrade(food.runtime.engine)
    with food.runtime.uow() as uow:
        decided = uow.session.get(CaseClock, paused_then_decided)
        still_open = uow.session.get(CaseClock, open_case)
        assert decided is not None and still_open is not None
        assert (decided.used_working_days, still_open.used_working_days) == (used, None)
        assert still_open.deadline_at == right  # recounted


def test_a_red_case_paused_after_its_deadline_keeps_its_overdue_reason(food, now):
    case_id = accepted(food, now, date(2026, 3, 2))  # deadline 16 March
    red = at(date(2026, 3, 18))
    overdue_reasons.record(food.runtime.uow(), case_id, actor=SUPERVISOR, reason="材料核查", now=red)
    time_limits.pause(food.runtime.uow(), case_id, actor=SUPERVISOR, kind="expert_review", reason="专家评审",
                      now=red)
    [case] = supervision.list_cases(food.runtime.uow(), actor=SUPERVISOR, now=at(date(2026, 3, 20)))
    assert (case.state, case.level, case.overdue_reason, case.reason_required) == ("paused", "red", "材料核查", False)
    board = supervision_board.board(food.runtime.uow(), actor=SUPERVISOR, level="unexplained",
                                    now=at(date(2026, 3, 20)))
    assert board.cases == []


def test_days_left_follow_the_deadline_when_counted_pauses_became_holidays(food, now):
    """Paused 3 to 6 March (3 working days, counted then), then those days were declared holidays: the
    used days come out below 0 and show as 0, the days left are those to the deadline, and the narrowed
    query finds the case as the full one does."""
    case_id = accepted(food, now, date(2026, 3, 2))
    time_limits.pause(food.runtime.uow(), case_id, actor=SUPERVISOR, kind="testing", reason="检验",
                      now=at(date(2026, 3, 3)))
    time_limits.resume(food.runtime.uow(), case_id, actor=SUPERVISOR, now=at(date(2026, 3, 6)))
    with food.runtime.uow() as uow:
        year = calendar.get_year(uow, 2026)
    holidays = [{"date": d.date.isoformat(), "name": d.name} for d in year.holidays]
    holidays += [{"date": f"2026-03-0{d}", "name": "临时"} for d in (3, 4, 5, 6)]
    calendar.replace_year(food.runtime.uow(), 2026, holidays=holidays, actor=SYSTEM,
                          workdays=[{"date": d.date.isoformat(), "name": d.name} for d in year.workdays])
    moment = at(date(2026, 3, 9))
    [every] = supervision.list_cases(food.runtime.uow(), actor=SUPERVISOR, now=moment, remind_days=13)
    with food.runtime.uow() as uow:
        clock = uow.session.get(CaseClock, case_id)
        assert clock is not None
        view = time_limits.clock_view(uow, clock, [], moment)
    assert (view.used_working_days, view.remaining_working_days) == (0, 12)  # 9 March to 25 March
    assert view.deadline_date == date(2026, 3, 25) and every.level == "yellow"
    yellow = supervision.list_cases(food.runtime.uow(), actor=SUPERVISOR, now=moment, remind_days=13, level="yellow")
    assert [c.instance_id for c in yellow] == [case_id]
