"""What the supervision pages read (电子监察): the board of warned cases with the item, the lead department,
the step each case is at and the working days it used, the statistics per item and per lead department,
and one case's clock with its warning level and overdue reason.

The levels, reasons and statistics are ``engine.supervision``'s; this module only adds what a person needs
beside them to act (names instead of keys, where the case waits). A case's level on its own page is the
level the board gives it: the case's rule (engine.supervision_rules) applied to the same clock view.
Pure reads.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from . import case_state, overdue_reasons, supervision
from .clock import utcnow
from .errors import NotFound, ValidationFailed, check_page
from .execution import HELD, OPEN, item_names
from .models import CaseClock, ProcessInstance, Task
from .overdue_reasons import OverdueReasonView
from .supervision import RED, YELLOW, DepartmentStats, ProcessStats, SupervisedCase
from .supervision_rules import RuleBook
from .time_limits import STOPPED, ClockView, get
from .unit_of_work import UnitOfWork
from .users import Actor

WARNINGS, ALL, UNEXPLAINED = "warnings", "all", "unexplained"
# Board filters: the warned cases (default), one level, the red cases still without an overdue reason
# (SX45: the department must explain), or every open clock.
FILTERS = (WARNINGS, RED, UNEXPLAINED, YELLOW, supervision.GREEN, ALL)
MAX_PAGE = 500


@dataclass(frozen=True)
class OpenStep:
    """A step the case waits at: its name, who holds it (None: still in its queue), and whether it is past
    its own due date (环节超时), whatever the case's clock says."""

    name: str
    holder: str | None
    overdue: bool


@dataclass
class BoardCase:
    case: SupervisedCase  # level, deadline, remaining days (and what else supervision reports)
    item_name: str
    used_working_days: int
    steps: list[OpenStep]  # the open tasks (held ones too, while the case is suspended): where it waits
    department: str | None  # the lead department's name, once a department took the case up


@dataclass
class ItemStats:
    stats: ProcessStats
    item_name: str


@dataclass
class Board:
    cases: list[BoardCase]  # one page of them
    total: int  # the cases of the level and item, on every page
    stats: list[ItemStats]
    department_stats: list[DepartmentStats]
    items: list[tuple[str, str]]  # (process key, item name) of every item with a clock, for the filter
    level: str
    process_key: str | None
    now: datetime = field(default_factory=utcnow)


@dataclass
class CaseClockPanel:
    view: ClockView
    level: str | None  # green | yellow | red while the clock is open; None once it stopped
    remind_days: int  # the case's yellow threshold (engine.supervision_rules)
    overdue_reason: OverdueReasonView | None  # the latest recorded reason, while red or once it ended late
    withdrawn: bool = False  # the case ended withdrawn and that end stopped the clock (撤件), as supervision counts it


def board(uow: UnitOfWork, *, actor: Actor, level: str = WARNINGS, process_key: str | None = None,
          now: datetime | None = None, limit: int = MAX_PAGE, offset: int = 0) -> Board:
    """The supervision board: open cases of ``level`` (by default the yellow and red ones) of one item or
    all, in supervision's order (red first, earliest deadline first), ``limit`` of them from ``offset``,
    and the statistics per item and per lead department. Each case is classified by its own rule
    (engine.supervision_rules). ``unexplained`` lists the cases that ended after their deadline without a
    reason too (supervision.list_cases). A suspended case (挂起) says so (``case.instance_state``), with the
    steps it holds; each listed case says where it stands (``case.case_state``, engine.case_state).

    Raises:
        Forbidden: not a supervisor or an admin.
        ValidationFailed: an unknown level filter, a limit outside 1..500, a negative offset.
    """
    if level not in FILTERS:
        raise ValidationFailed(f"unknown level {level!r}", details=[
            {"field": "level", "message": f"one of {', '.join(FILTERS)}"}])
    check_page(limit, offset, MAX_PAGE)
    actor.require("supervisor", action="see supervision")
    now = now or utcnow()
    one_level = RED if level == UNEXPLAINED else level if level in supervision.LEVELS else None
    with uow:
        # One reading of the open clocks (each viewed once, rules read once) for the list and both
        # statistics; the green ones only when the board lists them.
        readings = supervision.read_clocks(uow, now, warned_only=level not in (supervision.GREEN, ALL),
                                           ended_unexplained=level == UNEXPLAINED)
        found = supervision.classify(uow, readings, now, level=one_level,
                                     reason_missing=True if level == UNEXPLAINED else None)
        counts = supervision.count_clocks(uow)
        stats = supervision.tally_by_process(counts, readings, now)
        by_department = supervision.tally_by_department(uow, counts, readings, now)
        if level == WARNINGS:
            found = [c for c in found if c.level in (RED, YELLOW)]
        if process_key:
            found = [c for c in found if c.process_key == process_key]
        total, found = len(found), found[offset:offset + limit]
        supervision.add_case_states(uow, found)
        names = item_names(uow, [s.process_key for s in stats])
        steps = _open_steps(uow, [c.instance_id for c in found], now)
    read = {r.clock.instance_id: r for r in readings}
    department_names = {s.department_code: s.department_name for s in by_department}
    rows = [BoardCase(case=c, item_name=names.get(c.process_key, c.process_key),
                      used_working_days=read[c.instance_id].view.used_working_days,
                      steps=steps.get(c.instance_id, []),
                      department=department_names.get(read[c.instance_id].lead_department)) for c in found]
    return Board(cases=rows, total=total, stats=[ItemStats(s, names[s.process_key]) for s in stats],
                 department_stats=by_department,
                 items=sorted(names.items(), key=lambda kv: kv[1]), level=level,
                 process_key=process_key or None,
                 now=now)


def case_clock(uow: UnitOfWork, instance_id: int, *, actor: Actor, now: datetime | None = None,
               remind_days: int | None = None) -> CaseClockPanel | None:
    """A case's time-limit clock (``time_limits.get``) with its warning level by the case's rule (or
    ``remind_days`` when given), and its overdue reason while red or once it stopped late; None when the
    case has no clock (not accepted yet, or its process sets no time limit).

    Raises NotFound: no such case.
    """
    with uow:
        row = uow.session.get(ProcessInstance, instance_id)
        if row is None:
            raise NotFound(f"process instance {instance_id} not found")
        if uow.session.get(CaseClock, instance_id) is None:
            return None
        if remind_days is None:
            remind_days = RuleBook(uow).for_process(row.definition_key).remind_days
        # How it ended decides whether it was withdrawn, as supervision's statistics count it.
        end_kind = case_state.of_case(uow, row).end_kind if row.ended_at is not None else None
    now = now or utcnow()
    view = get(uow, instance_id, actor=actor, now=now)
    level = None if view.state == STOPPED else warning_level(view, now, remind_days)
    reason = None
    if level == RED or view.overdue:
        with uow:
            reason = overdue_reasons.latest(uow, [instance_id]).get(instance_id)
    return CaseClockPanel(view=view, level=level, remind_days=remind_days, overdue_reason=reason,
                          withdrawn=supervision.is_withdrawn(row, view.stopped_at, view.deadline_at, end_kind))


def warning_level(view: ClockView, now: datetime, remind_days: int = supervision.DEFAULT_REMIND_DAYS) -> str:
    """red once the deadline passed, yellow when at most ``remind_days`` working days remain, else green:
    supervision's rule (its module docstring), applied to one clock."""
    if now > view.deadline_at:
        return RED
    return YELLOW if view.remaining_working_days <= remind_days else supervision.GREEN


# ---- helpers --------------------------------------------------------------------------------------

def _open_steps(uow: UnitOfWork, instance_ids: list[int], now: datetime) -> dict[int, list[OpenStep]]:
    # A suspended case's tasks are held out of the inbox; they are still where it waits.
    steps: dict[int, list[OpenStep]] = defaultdict(list)
    if not instance_ids:
        return steps
    for instance_id, name, bpmn_id, assignee, due_at in uow.session.execute(
            select(Task.instance_id, Task.name, Task.bpmn_id, Task.assignee, Task.due_at)
            .where(Task.instance_id.in_(instance_ids), Task.state.in_((OPEN, HELD))).order_by(Task.created_at)):
        steps[instance_id].append(OpenStep(name=name or bpmn_id, holder=assignee,
                                           overdue=due_at is not None and due_at < now))
    return steps
