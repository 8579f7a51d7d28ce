"""case clocks: the working days a stopped clock used, counted once when it stops

Supervision's statistics (cases finished, on time, average working days used) add these up in SQL instead
of counting every finished case's working days in Python on each page: at 200,000 cases the board took
over ten seconds. Clocks stopped before this revision are counted here, with each calendar's days as they
are now, exactly as their views counted them.

Supervision now also narrows the open clocks by their stored deadline, which a calendar's changed days
used to leave stale unless the deadline was provisional: every open clock's deadline is recounted here,
as engine.time_limits counts it.

Revision ID: 0017
Revises: 0016
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

import sqlalchemy as sa
from alembic import op

from engine._workdays import WorkingCalendar
from engine.models import UtcDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_CLOCKS = sa.table("case_clocks", sa.column("instance_id", sa.BigInteger), sa.column("calendar", sa.String),
                   sa.column("started_at", UtcDateTime()), sa.column("stopped_at", UtcDateTime()),
                   sa.column("paused_since", UtcDateTime()), sa.column("paused_working_days", sa.Integer),
                   sa.column("promised_days", sa.Integer), sa.column("extension_days", sa.Integer),
                   sa.column("deadline_at", UtcDateTime()), sa.column("provisional", sa.Boolean),
                   sa.column("state", sa.String), sa.column("used_working_days", sa.Integer))
_BATCH = 2000


def upgrade() -> None:
    with op.batch_alter_table("case_clocks") as table:
        table.add_column(sa.Column("used_working_days", sa.Integer(), nullable=True))
    connection = op.get_bind()
    calendars = _calendars(connection)
    stopped = connection.execute(
        sa.select(_CLOCKS.c.instance_id, _CLOCKS.c.calendar, _CLOCKS.c.started_at, _CLOCKS.c.stopped_at,
                  _CLOCKS.c.paused_since, _CLOCKS.c.paused_working_days)
        .where(_CLOCKS.c.state == "stopped", _CLOCKS.c.stopped_at.is_not(None))).all()
    used = [{"id": row.instance_id, "used": _used(calendars, row)} for row in stopped]
    _update(connection, used, used_working_days=sa.bindparam("used"))
    running = connection.execute(
        sa.select(_CLOCKS.c.instance_id, _CLOCKS.c.calendar, _CLOCKS.c.started_at, _CLOCKS.c.promised_days,
                  _CLOCKS.c.extension_days, _CLOCKS.c.paused_working_days)
        .where(_CLOCKS.c.state != "stopped")).all()
    deadlines = []
    for row in running:
        found = _calendar(calendars, row.calendar).deadline_at(
            row.started_at, row.promised_days + row.extension_days + row.paused_working_days)
        deadlines.append({"id": row.instance_id, "at": found.at, "weekdays_only": found.provisional})
    _update(connection, deadlines, deadline_at=sa.bindparam("at", type_=UtcDateTime()),
            provisional=sa.bindparam("weekdays_only"))


def downgrade() -> None:
    with op.batch_alter_table("case_clocks") as table:
        table.drop_column("used_working_days")


def _update(connection: sa.Connection, rows: list[dict[str, Any]], **values: Any) -> None:
    statement = sa.update(_CLOCKS).where(_CLOCKS.c.instance_id == sa.bindparam("id")).values(**values)
    for start in range(0, len(rows), _BATCH):
        connection.execute(statement, rows[start:start + _BATCH])


def _calendar(calendars: dict[str, WorkingCalendar], name: str) -> WorkingCalendar:
    return calendars.get(name) or WorkingCalendar(name, {}, ())  # CN without a row: weekdays only


def _used(calendars: dict[str, WorkingCalendar], row: Any) -> int:
    """As engine.time_limits.clock_view counted a stopped clock: its working days less the paused ones."""
    cal = _calendar(calendars, row.calendar)
    paused = row.paused_working_days or 0
    if row.paused_since is not None:
        paused += max(0, cal.working_days_between(row.paused_since, row.stopped_at).days)
    return max(0, cal.working_days_between(row.started_at, row.stopped_at).days - paused)


def _calendars(connection: sa.Connection) -> dict[str, WorkingCalendar]:
    """Every calendar with the days of those it extends (national first, a region's own days winning) and
    the announced years of its root, as engine.calendar builds them; the tables are read with plain SQL,
    so that this revision's reads do not change with the models."""
    rows = {r.id: r for r in connection.execute(sa.text("SELECT id, name, extends_id FROM calendars"))}
    days: dict[int, dict[date, str]] = defaultdict(dict)
    for calendar_id, day, kind in connection.execute(sa.text("SELECT calendar_id, day, kind FROM calendar_days")):
        days[calendar_id][day if isinstance(day, date) else date.fromisoformat(str(day)[:10])] = kind
    years: dict[int, set[int]] = defaultdict(set)
    for calendar_id, year in connection.execute(sa.text("SELECT calendar_id, year FROM calendar_years")):
        years[calendar_id].add(year)
    built: dict[str, WorkingCalendar] = {}
    for row in rows.values():
        chain: list[Any] = []
        current = row
        while current is not None and current not in chain:
            chain.insert(0, current)
            current = rows.get(current.extends_id) if current.extends_id is not None else None
        kinds: dict[date, str] = {}
        for link in chain:
            kinds.update(days[link.id])
        built[row.name] = WorkingCalendar(row.name, kinds, years[chain[0].id])
    return built

