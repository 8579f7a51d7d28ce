"""Supervision statistics count one reading of the clocks: a case accepted and ended while they are counted is
either counted whole (in its total and as withdrawn) or not at all, never by its end alone."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, event, insert, select

from engine import supervision
from engine.models import CaseClock
from tests.api.test_supervision import cases  # noqa: F401  (a fixture)

CLOCKS = CaseClock.__table__


def counted(api: Any) -> set[tuple[Any, ...]]:
    with api.runtime.uow() as uow:
        return {(c.process_key, c.department_code, c.total, c.finished, c.finished_on_time, c.used_working_days,
                 c.withdrawn) for c in supervision.count_clocks(uow)}


def test_a_case_withdrawn_while_the_clocks_are_counted_is_counted_whole_or_not_at_all(api, cases, now):  # noqa: F811
    supervisor = api.as_("supervisor")
    now(date(2026, 3, 11))
    assert supervisor.post(f"/api/process-instances/{cases['green']}/terminate",
                           json={"reason": "申请人撤回申请"}).status_code == 200
    after = counted(api)
    assert {(total, finished, withdrawn) for _, _, total, finished, _, _, withdrawn in after} == {(4, 1, 1)}
    # The withdrawn case as it was before its clock was read: its clock appears once the count has begun.
    engine = api.runtime.engine
    with engine.begin() as connection:
        clock = dict(connection.execute(select(CLOCKS).where(CLOCKS.c.instance_id == cases["green"])).one()._mapping)
        connection.execute(delete(CLOCKS).where(CLOCKS.c.instance_id == cases["green"]))
    before = counted(api)
    assert {(total, finished, withdrawn) for _, _, total, finished, _, _, withdrawn in before} == {(3, 1, 0)}
    read: list[str] = []

    def appear(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if read and not read[0]:
            read[0] = "inserting"
            with engine.begin() as other:
                other.execute(insert(CLOCKS).values(**clock))
        elif not read and "case_clocks" in statement:
            read.append("")

    event.listen(engine, "before_cursor_execute", appear)
    try:
        during = counted(api)
    finally:
        event.remove(engine, "before_cursor_execute", appear)
    assert during in (before, after)
