"""Supervision (电子监察), first slice: read-only views over the statutory clocks for supervisors.

  * ``list_cases``: the open clocks (running or paused), each with a warning level: ``red`` once the
    deadline has passed, ``yellow`` when it is at most ``remind_days`` working days away (the deadline
    day itself counts as 0), ``green`` otherwise. ``remind_days`` is each case's rule
    (engine.supervision_rules: per process, the item's guide, global, default 1) unless a call gives one
    threshold for all. A red case shows its overdue reason (engine.overdue_reasons), or
    ``reason_required`` while none was recorded. A case that ended after its deadline (decided, withdrawn
    or terminated late) was overdue: it stays on the list of red cases without a reason
    (``reason_missing``), state ``stopped``, until its reason is recorded. Each case carries its own state
    too (``instance_state``): a suspended case (挂起) is shown as such, its clock running on; and where it
    stands in the terms approval systems report (``case_state``: 已受理, 补正(开始) ..., engine.case_state).
  * ``stats``: per process key, the cases with a clock, how many finished (办结: the clock stopped) and
    how many of those on time, the on-time rate, the average working days used by finished cases, how
    many were withdrawn (撤件: withdrawn by the applicant or deemed withdrawn by the diagram after acceptance
    and before the deadline, engine.case_state's end kind, in neither the rate nor the average; a case the
    office terminated finished, and one withdrawn after its deadline finished overdue), and the open
    yellow and red counts (each case with its own rule); ``stats_by_department`` the same per lead
    department (engine.departments). Both may cover a period: the cases whose clock started (受理) within
    it, so that every figure is of one cohort of cases (finished + withdrawn + open = total) and a case
    still open has its place.
Deadlines, used and remaining working days are counted exactly as the case's clock view counts them
(``time_limits``): a paused clock's deadline is "as if the pause ended now", so a paused case does not
turn red while paused (one paused after its deadline passed stays red). Pure reads, no tables of its own.

A page showing the list and both statistics (engine.supervision_board) reads the open clocks once with
``read_clocks``, counts all of them once with ``count_clocks``, and hands both to ``classify``,
``tally_by_process`` and ``tally_by_department``, the helpers the three commands are made of. Only the
clocks that may be warned are read into Python (``may_warn``, by their stored deadline); the statistics
count the rest in SQL, finished cases by the working days they used, stored when their clock stopped;
only the cases whose own end stopped their clock before the deadline, and which may have been withdrawn,
have their history read.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import defer

from . import calendar, case_state, overdue_reasons
from .clock import utcnow
from .departments import LEAD
from .errors import ValidationFailed
from .models import Calendar, CaseClock, CaseDepartment, Department, OverdueReason, ProcessInstance
from .supervision_rules import (
    DEFAULT_REMIND_DAYS,
    MAX_REMIND_DAYS,
    RuleBook,
    check_remind_days,
)
from .time_limits import PAUSED, RUNNING, STOPPED, ClockView, clock_view
from .unit_of_work import UnitOfWork
from .users import Actor

__all__ = ["DEFAULT_REMIND_DAYS", "GREEN", "LEVELS", "MAX_REMIND_DAYS", "RED", "YELLOW", "ClockCount",
           "ClockReading", "DepartmentStats", "ProcessStats", "SupervisedCase", "add_case_states", "case_page",
           "classify", "count_clocks", "ended_late_unexplained", "is_withdrawn", "list_cases", "may_warn",
           "read_clocks", "started_within", "stats", "stats_by_department", "tally_by_department",
           "tally_by_process"]

GREEN, YELLOW, RED = "green", "yellow", "red"
LEVELS = (GREEN, YELLOW, RED)
_ORDER = {RED: 0, YELLOW: 1, GREEN: 2}


@dataclass
class SupervisedCase:
    instance_id: int
    business_key: str
    process_key: str
    state: str  # the clock's: running | paused | stopped (ended late, its reason still missing)
    deadline_at: datetime  # while paused: as if the pause ended now
    deadline_date: date
    remaining_working_days: int  # negative once overdue
    level: str  # green | yellow | red
    provisional: bool
    remind_days: int = DEFAULT_REMIND_DAYS  # the threshold this case was classified with
    overdue_reason: str | None = None  # the latest recorded reason (red cases)
    overdue_reason_category: str | None = None
    overdue_reason_by: str | None = None
    overdue_reason_at: datetime | None = None
    overdue_reason_verdict: str | None = None  # a supervisor's: justified | unjustified (SX45), None until judged
    reason_required: bool = False  # red and no reason recorded yet
    instance_state: str = "running"  # the case's: running | suspended (挂起) | completed | terminated
    # Where the case stands (engine.case_state: 已受理, 补正(开始) ...), as its own view reads it: set for the
    # cases a list returns (add_case_states), None until then.
    case_state: str | None = None
    # A one-thing bundle's member items that ended without what was applied for (engine.case_state.DENIED),
    # by name: set with ``case_state``.
    denied_items: list[str] = field(default_factory=list)


@dataclass
class ProcessStats:
    process_key: str
    total: int  # cases with a clock
    finished: int  # 办结: the clock stopped, other than by a withdrawal before the deadline (engine.case_state)
    finished_on_time: int  # stopped_at <= deadline_at
    on_time_rate: float | None  # finished_on_time / finished; None when nothing finished
    average_used_working_days: float | None  # over finished cases; None when nothing finished
    open: int
    yellow: int
    red: int
    # Withdrawn by the applicant or deemed withdrawn (撤件, end kind withdrawn), the clock stopped by that end
    # before the deadline: neither finished nor open. A case the office terminated (已终止) finished.
    withdrawn: int


@dataclass
class DepartmentStats:
    department_code: str | None  # the lead department; None: no department leads the case yet
    department_name: str | None
    total: int
    finished: int
    finished_on_time: int
    on_time_rate: float | None
    average_used_working_days: float | None
    open: int
    yellow: int
    red: int
    warnings: int  # open yellow + red
    withdrawn: int


@dataclass
class ClockReading:
    """One case clock as a request reads it: viewed once as of the request's moment, with its case's rule."""

    clock: CaseClock
    business_key: str
    process_key: str
    view: ClockView  # time_limits.clock_view, without the special procedures (supervision shows none)
    remind_days: int  # the yellow threshold of the case's rule (engine.supervision_rules)
    lead_department: str | None  # its code; None: no department leads the case yet
    instance_state: str = "running"  # the case's state (running, suspended; completed or terminated once ended)


def list_cases(uow: UnitOfWork, *, actor: Actor, level: str | None = None, now: datetime | None = None,
               remind_days: int | None = None, reason_missing: bool | None = None,
               process_key: str | None = None) -> list[SupervisedCase]:
    """The open clocks with their warning level, red first, then yellow, then green, earliest deadline first;
    those of one item's process (``process_key``) when given; each with where the case stands
    (``case_state``).

    ``remind_days`` None classifies each case by its rule; a number applies to every case.
    ``reason_missing`` True keeps the red cases without an overdue reason, the cases that ended after
    their deadline among them (state ``stopped``) until their reason is recorded; False the open red ones
    with one.

    Raises:
        Forbidden: not a supervisor or an admin.
        ValidationFailed: an unknown level, or remind_days outside 0..60.
    """
    return case_page(uow, actor=actor, level=level, now=now, remind_days=remind_days, reason_missing=reason_missing,
                     process_key=process_key)[0]


def case_page(uow: UnitOfWork, *, actor: Actor, level: str | None = None, now: datetime | None = None,
              remind_days: int | None = None, reason_missing: bool | None = None, process_key: str | None = None,
              limit: int | None = None, offset: int = 0) -> tuple[list[SupervisedCase], int]:
    """``list_cases``, ``limit`` of them (all when None) from ``offset``, and how many match: only the
    cases returned have their history read for their ``case_state``.

    Raises as ``list_cases``.
    """
    actor.require("supervisor", action="see supervision")
    if level is not None and level not in LEVELS:
        raise ValidationFailed(f"unknown level {level!r}", details=[
            {"field": "level", "message": f"one of {', '.join(LEVELS)}"}])
    if remind_days is not None:
        _check_remind_days(remind_days)
    now = now or utcnow()
    with uow:
        readings = read_clocks(uow, now, warned_only=level in (YELLOW, RED) or reason_missing is not None,
                               remind_days=remind_days,
                               ended_unexplained=reason_missing is True and level in (None, RED))
        if process_key is not None:
            readings = [r for r in readings if r.process_key == process_key]
        found = classify(uow, readings, now, level=level, remind_days=remind_days, reason_missing=reason_missing)
        page = found[offset:] if limit is None else found[offset:offset + limit]
        add_case_states(uow, page)
        return page, len(found)


def add_case_states(uow: UnitOfWork, cases: list[SupervisedCase]) -> None:
    """Set each case's ``case_state`` as its own view reads it (engine.case_state), and a bundle's
    ``denied_items``: their histories in one query each."""
    if not cases:
        return
    rows = list(uow.session.scalars(select(ProcessInstance).options(defer(ProcessInstance.workflow))
                                    .where(ProcessInstance.id.in_(sorted({c.instance_id for c in cases})))))
    outcomes, members = case_state.of_cases(uow, rows), case_state.members(uow, rows)
    for case in cases:
        case.case_state = outcomes[case.instance_id].stands.state
        case.denied_items = case_state.denied(members.get(case.instance_id, []))


def stats(uow: UnitOfWork, *, actor: Actor, now: datetime | None = None, since: datetime | None = None,
          until: datetime | None = None) -> list[ProcessStats]:
    """Per process key, sorted by key: cases with a clock, finished and on time, open yellow and red
    (each case classified with its rule's ``remind_days``); only the cases whose clock started at or after
    ``since`` and before ``until``, when given.

    Raises:
        Forbidden: not a supervisor or an admin.
        ValidationFailed: ``since`` after ``until``.
    """
    actor.require("supervisor", action="see supervision")
    period = started_within(since, until)
    now = now or utcnow()
    with uow:
        return tally_by_process(count_clocks(uow, period), read_clocks(uow, now, warned_only=True, period=period),
                                now)


def stats_by_department(uow: UnitOfWork, *, actor: Actor, now: datetime | None = None,
                        since: datetime | None = None, until: datetime | None = None) -> list[DepartmentStats]:
    """The same figures per lead department (牵头部门, engine.departments), sorted by code; cases with no
    lead department yet come last under ``department_code`` None. ``warnings`` is open yellow plus red.

    Raises:
        Forbidden: not a supervisor or an admin.
        ValidationFailed: ``since`` after ``until``.
    """
    actor.require("supervisor", action="see supervision")
    period = started_within(since, until)
    now = now or utcnow()
    with uow:
        return tally_by_department(uow, count_clocks(uow, period),
                                   read_clocks(uow, now, warned_only=True, period=period), now)


def started_within(since: datetime | None, until: datetime | None) -> ColumnElement[bool] | None:
    """The SQL condition of a statistics period: clocks started (受理) at or after ``since`` and before
    ``until``; None for no period.

    Raises ValidationFailed: ``since`` after ``until``."""
    if since is not None and until is not None and since > until:
        raise ValidationFailed("since must not be after until", details=[
            {"field": "until", "message": "not before since"}])
    bounds = ([CaseClock.started_at >= since] if since is not None else []) + \
        ([CaseClock.started_at < until] if until is not None else [])
    return and_(*bounds) if bounds else None


# ---- helpers that share one reading: the caller's transaction, no checks, no commit -------------------

def read_clocks(uow: UnitOfWork, now: datetime, *, warned_only: bool = False, remind_days: int | None = None,
                ended_unexplained: bool = False, period: ColumnElement[bool] | None = None) -> list[ClockReading]:
    """The open clocks in instance order, each viewed once as of ``now``, with its case's rule (all rules
    read once), lead department and case state. ``warned_only``: only those that may be yellow or red, by
    their rule or by ``remind_days`` when given (``may_warn``); the others are green.
    ``ended_unexplained``: also the stopped clocks of cases that ended after their deadline and have no
    overdue reason yet (red, state ``stopped``), in the same statement. ``period``: only the clocks
    started within it (``started_within``)."""
    book = RuleBook(uow)
    narrow = may_warn(uow, now, max(book.most_remind_days(), remind_days or 0)) if warned_only else None
    return [ClockReading(clock=clock, business_key=business_key, process_key=key,
                         view=clock_view(uow, clock, [], now), remind_days=book.for_process(key).remind_days,
                         lead_department=lead, instance_state=state)
            for clock, business_key, key, lead, state in _clocks(uow, narrow, ended_unexplained, period)]


def may_warn(uow: UnitOfWork, now: datetime, remind_days: int) -> ColumnElement[bool]:
    """An SQL condition true for every open clock that can be yellow or red as of ``now`` with a threshold
    of ``remind_days`` or less: its stored deadline is at most ``remind_days`` working days (of its
    calendar) after now. A running clock's view shows its stored deadline (kept current, also when a
    calendar's days change); a paused one shows a later deadline with the same remaining days, so its
    stored one lies earlier still. Most open clocks are far from their deadline: this keeps them out of
    Python."""
    names = set(uow.session.scalars(select(Calendar.name))) | {calendar.NATIONAL}  # CN counts without a row
    return or_(false(), *(and_(CaseClock.calendar == name, CaseClock.deadline_at <= calendar.for_runtime(
        uow, name).deadline_at(now, remind_days).at) for name in sorted(names)))


def classify(uow: UnitOfWork, readings: list[ClockReading], now: datetime, *, level: str | None = None,
             remind_days: int | None = None, reason_missing: bool | None = None) -> list[SupervisedCase]:
    """``list_cases`` over clocks already read: the open ones of ``level``, red ones with their overdue
    reason (read here), in supervision's order. ``remind_days`` None: each case's rule."""
    found = [_case(r, now, remind_days if remind_days is not None else r.remind_days) for r in readings]
    found = [case for case in found if level is None or case.level == level]
    _add_reasons(uow, found, now)
    if reason_missing is not None:
        found = [case for case in found if case.level == RED and case.reason_required == reason_missing]
    return sorted(found, key=lambda c: (_ORDER[c.level], c.deadline_at, c.instance_id))


@dataclass
class ClockCount:
    """Every clock of one item and one lead department, counted in SQL (finished ones by the working days
    they used, stored when they stopped)."""

    process_key: str
    department_code: str | None
    total: int
    finished: int
    finished_on_time: int
    used_working_days: int  # of the finished ones
    withdrawn: int


def count_clocks(uow: UnitOfWork, period: ColumnElement[bool] | None = None) -> list[ClockCount]:
    """The clocks per (item, lead department), those started within ``period`` when given
    (``started_within``): one statement, whatever the number of cases, then the histories of the cases whose
    own end stopped their clock before its deadline and which may have been withdrawn (``is_withdrawn``)."""
    # Whether these were withdrawn their histories say (engine.case_state); every other stopped clock finished.
    ended_early = and_(CaseClock.state == STOPPED, CaseClock.stopped_at == ProcessInstance.ended_at,
                       CaseClock.stopped_at <= CaseClock.deadline_at, case_state.may_end_withdrawn(uow))
    # Each of those is a group of its own, by its case's id, read with its group in the same statement: a case
    # that ended after the count cannot be counted by its end and missing from its total. Its figures are of a
    # finished clock, on time, unless its history says it was withdrawn.
    alone = sql_case((ended_early, ProcessInstance.id)).label("alone")
    stopped = CaseClock.state == STOPPED
    groups = (select(ProcessInstance.definition_key.label("key"), CaseDepartment.department_code.label("code"),
                     alone, func.count().label("total"), func.count().filter(stopped).label("stopped"),
                     func.count().filter(stopped, CaseClock.stopped_at <= CaseClock.deadline_at).label("on_time"),
                     func.coalesce(func.sum(CaseClock.used_working_days).filter(stopped), 0).label("used"))
              .select_from(CaseClock).join(ProcessInstance, ProcessInstance.id == CaseClock.instance_id)
              .outerjoin(CaseDepartment, _lead_of_clock())
              .where(*([period] if period is not None else []))
              .group_by(ProcessInstance.definition_key, CaseDepartment.department_code, alone)
              .subquery())
    found = list(uow.session.execute(
        select(groups.c.key, groups.c.code, groups.c.total, groups.c.stopped, groups.c.on_time, groups.c.used,
               ProcessInstance)
        .select_from(groups).outerjoin(ProcessInstance, ProcessInstance.id == groups.c.alone)
        .options(defer(ProcessInstance.workflow))))
    early = [row for *_, row in found if row is not None]
    # A terminated case by its termination alone; a completed one (deemed withdrawn?) by its history.
    withdrew = case_state.withdrawn_terminations(uow, [row for row in early if row.state == "terminated"])
    outcomes = case_state.of_cases(uow, [row for row in early if row.state != "terminated"])
    withdrew |= {case_id for case_id, outcome in outcomes.items() if outcome.stands.end_kind == case_state.WITHDRAWN}
    counts: dict[tuple[str, str | None], ClockCount] = {}
    for key, code, total, finished, on_time, used, row in found:
        count = counts.setdefault((key, code), ClockCount(key, code, 0, 0, 0, 0, 0))
        count.total += total
        if row is not None and row.id in withdrew:
            count.withdrawn += 1
        else:  # stopped, finished; one alone was terminated by the office (or decided) before its deadline
            count.finished, count.finished_on_time = count.finished + finished, count.finished_on_time + on_time
            count.used_working_days += used or 0
    return list(counts.values())


def is_withdrawn(case: ProcessInstance, stopped_at: datetime | None, deadline_at: datetime,
                 end_kind: str | None) -> bool:
    """Withdrawn (撤件): the case ended withdrawn (``end_kind``, engine.case_state: the applicant withdrew, or
    its diagram deemed it withdrawn), and that end stopped its clock, in the same command (one moment),
    before its deadline. A case the office terminated, or terminated after its decision, was finished; one
    withdrawn after its deadline finished overdue (it was late whatever ended it). ``count_clocks`` counts
    the same."""
    return (end_kind == case_state.WITHDRAWN and case.state in ("terminated", "completed") and stopped_at is not None
            and stopped_at == case.ended_at and stopped_at <= deadline_at)


def tally_by_process(counts: list[ClockCount], readings: list[ClockReading], now: datetime) -> list[ProcessStats]:
    """``stats`` from ``count_clocks`` and the open clocks that may be warned (``read_clocks``)."""
    totals = _tally(counts, readings, now, by_department=False)
    return [ProcessStats(process_key=key, **_figures(row)) for key, row in sorted(totals.items())]


def tally_by_department(uow: UnitOfWork, counts: list[ClockCount], readings: list[ClockReading],
                        now: datetime) -> list[DepartmentStats]:
    """``stats_by_department`` as ``tally_by_process`` counts; the departments' names read here."""
    names = dict(uow.session.execute(select(Department.code, Department.name)).all())
    totals = _tally(counts, readings, now, by_department=True)
    return [DepartmentStats(department_code=code, department_name=names.get(code) if code else None,
                            warnings=row[YELLOW] + row[RED], **_figures(row))
            for code, row in sorted(totals.items(), key=lambda item: (item[0] is None, item[0] or ""))]


def _tally(counts: list[ClockCount], readings: list[ClockReading], now: datetime,
           *, by_department: bool) -> dict[Any, dict[str, int]]:
    totals: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for count in counts:
        row = totals[count.department_code if by_department else count.process_key]
        row["total"] += count.total
        row["finished"] += count.finished
        row["on_time"] += count.finished_on_time
        row["used"] += count.used_working_days
        row["withdrawn"] += count.withdrawn
        row["open"] += count.total - count.finished - count.withdrawn
    for reading in readings:
        if reading.clock.state == STOPPED:
            continue  # an ended case listed for its missing reason: counted with the finished ones
        level = _level(reading.view, now, reading.remind_days)
        if level != GREEN:
            totals[reading.lead_department if by_department else reading.process_key][level] += 1
    return totals


def _figures(row: dict[str, int]) -> dict[str, Any]:
    finished = row["finished"]
    return {"total": row["total"], "finished": finished, "finished_on_time": row["on_time"],
            "on_time_rate": round(row["on_time"] / finished, 4) if finished else None,
            "average_used_working_days": round(row["used"] / finished, 2) if finished else None,
            "open": row["open"], "yellow": row[YELLOW], "red": row[RED], "withdrawn": row["withdrawn"]}


# ---- helpers --------------------------------------------------------------------------------------

def _check_remind_days(remind_days: int) -> None:
    check_remind_days(remind_days)


def _add_reasons(uow: UnitOfWork, cases: list[SupervisedCase], now: datetime) -> None:
    red = [case for case in cases if case.level == RED]
    # Every red case is an open clock past its stored deadline (a paused one shows a later deadline, see
    # ``may_warn``): a query of them rather than thousands of ids bound one by one, which the driver then
    # parses each time.
    overdue = select(CaseClock.instance_id).where(CaseClock.state.in_((RUNNING, PAUSED)), CaseClock.deadline_at < now)
    reasons = overdue_reasons.latest(uow, overdue) if red else {}
    for case in red:
        reason = reasons.get(case.instance_id)
        case.reason_required = reason is None
        if reason is not None:
            case.overdue_reason, case.overdue_reason_category = reason.reason, reason.category
            case.overdue_reason_by, case.overdue_reason_at = reason.recorded_by, reason.recorded_at
            case.overdue_reason_verdict = reason.verdict


def _clocks(uow: UnitOfWork, narrow: ColumnElement[bool] | None, ended_unexplained: bool,
            period: ColumnElement[bool] | None) -> list[tuple[CaseClock, str, str, str | None, str]]:
    """The open clocks (``narrow``ed), and with ``ended_unexplained`` the late-stopped ones without a reason."""
    wanted = and_(CaseClock.state.in_((RUNNING, PAUSED)), *([narrow] if narrow is not None else []))
    if ended_unexplained:
        wanted = or_(wanted, ended_late_unexplained())
    query = (select(CaseClock, ProcessInstance.business_key, ProcessInstance.definition_key,
                    CaseDepartment.department_code, ProcessInstance.state)
             .join(ProcessInstance, ProcessInstance.id == CaseClock.instance_id)
             .outerjoin(CaseDepartment, _lead_of_clock())
             .where(wanted, *([period] if period is not None else []))
             .order_by(CaseClock.instance_id))
    return [(clock, business_key, key, code, state)
            for clock, business_key, key, code, state in uow.session.execute(query)]


def ended_late_unexplained() -> ColumnElement[bool]:
    """SQL: a clock that stopped after its deadline (the case was overdue when it ended, whatever ended it)
    and whose case has no overdue reason recorded."""
    return and_(CaseClock.state == STOPPED, CaseClock.stopped_at > CaseClock.deadline_at,
                ~exists().where(OverdueReason.instance_id == CaseClock.instance_id))


def _lead_of_clock() -> ColumnElement[bool]:
    # A join, not a subquery: a case has at most one lead (a partial unique index, migration 0014).
    return and_(CaseDepartment.case_id == CaseClock.instance_id, CaseDepartment.role == LEAD)


def _level(view: ClockView, now: datetime, remind_days: int) -> str:
    if now > view.deadline_at:
        return RED
    return YELLOW if view.remaining_working_days <= remind_days else GREEN


def _case(reading: ClockReading, now: datetime, remind_days: int) -> SupervisedCase:
    view = reading.view
    return SupervisedCase(instance_id=reading.clock.instance_id, business_key=reading.business_key,
                          process_key=reading.process_key, state=reading.clock.state,
                          deadline_at=view.deadline_at, deadline_date=view.deadline_date,
                          remaining_working_days=view.remaining_working_days,
                          level=_level(view, now, remind_days), provisional=view.provisional,
                          remind_days=remind_days, instance_state=reading.instance_state)
