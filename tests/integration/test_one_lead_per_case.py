"""One lead (牵头) per case, held by the database: the index refuses a second one, migration 0014 demotes
the extra leads an earlier race left, and the two paths that bring departments into a case (an admin giving
a department a group, a clerk's command creating a task) meeting on one case end with one lead and both
departments taking part.

The meeting is made deterministic on both backends by writing the other path's lead on the same connection
just before a path inserts; on PostgreSQL it is also played by two connections at once.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from alembic import command
from sqlalchemy import bindparam, event, inspect, text
from sqlalchemy.exc import IntegrityError

from engine import Actor, Runtime, definitions, departments, instances, schema, tasks
from engine.clock import utcnow
from engine.models import UtcDateTime
from engine.users import SYSTEM
from tests.helpers import FIXTURES
from tests.rival import Rival

INTEGRATOR = Actor("integrator", roles=frozenset({"integrator"}))
WINDOW = Actor("wang", groups=frozenset({"window"}), roles=frozenset({"clerk"}))
LEAD_OF = text("INSERT INTO case_departments (case_id, department_code, role, since) "
               "VALUES (:case_id, :code, 'lead', :since)").bindparams(bindparam("since", type_=UtcDateTime()))


def participation(runtime: Runtime, case_id: int) -> list[tuple[str, str]]:
    return [(r.department_code, r.role) for r in departments.departments_of_case(runtime.uow(), case_id, actor=SYSTEM)]


def put(runtime: Runtime, code: str, name: str, *groups: str) -> None:
    departments.put_department(runtime.uow(), code, actor=SYSTEM, name=name, groups=list(groups))


def leaderless_case(runtime: Runtime) -> tuple[int, str]:
    """A case whose acceptance task the window worked on before the window had a department: no department
    takes part yet. The office (SCJG) reviews next; ZWFW exists without the window's group."""
    definitions.deploy(runtime.uow(), [("simple_approval.bpmn", (FIXTURES / "simple_approval.bpmn").read_bytes())],
                       actor=SYSTEM)
    put(runtime, "SCJG", "市场监督管理局", "office")
    put(runtime, "ZWFW", "政务服务中心")
    case, _ = instances.start(runtime.uow(), "simple_approval", actor=INTEGRATOR, variables={"reviewGroup": "office"})
    assert participation(runtime, case.id) == []
    return case.id, case.tasks[0].id


def accept(runtime: Runtime, task_id: str) -> None:
    """The window accepts: the review task brings the office's department in."""
    after = tasks.complete(runtime.uow(), task_id, actor=WINDOW, variables={"accepted": True, "amount": 5})
    assert after.tasks[0].candidate_groups == ["office"]


@contextmanager
def lead_taken_first(runtime: Runtime, case_id: int, code: str) -> Iterator[None]:
    """Just before the first insert into case_departments, ``code`` becomes the case's lead on the same
    connection: what the other path, having seen no lead either, would have committed meanwhile."""
    taken: list[bool] = []

    def before(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not taken and statement.startswith("INSERT INTO case_departments"):
            taken.append(True)
            conn.execute(LEAD_OF, {"case_id": case_id, "code": code, "since": utcnow()})

    event.listen(runtime.engine, "before_cursor_execute", before)
    try:
        yield
    finally:
        event.remove(runtime.engine, "before_cursor_execute", before)
    assert taken, "no department was inserted"


# ---- the database --------------------------------------------------------------------------------

def test_the_database_refuses_a_second_lead_but_not_more_participants(runtime):
    case_id, task_id = leaderless_case(runtime)
    put(runtime, "ZWFW", "政务服务中心", "window")
    accept(runtime, task_id)
    put(runtime, "WJW", "卫生健康委员会")
    assert participation(runtime, case_id) == [("ZWFW", "lead"), ("SCJG", "participant")]

    with pytest.raises(IntegrityError), runtime.engine.begin() as connection:
        connection.execute(LEAD_OF, {"case_id": case_id, "code": "WJW", "since": utcnow()})
    with pytest.raises(IntegrityError), runtime.engine.begin() as connection:
        connection.execute(text("UPDATE case_departments SET role = 'lead' WHERE department_code = 'SCJG'"))
    with runtime.engine.begin() as connection:
        connection.execute(text("INSERT INTO case_departments (case_id, department_code, role, since) "
                                "VALUES (:case_id, 'WJW', 'participant', :since)")
                           .bindparams(bindparam("since", type_=UtcDateTime())), {"case_id": case_id, "since": utcnow()})
    assert participation(runtime, case_id) == [("ZWFW", "lead"), ("SCJG", "participant"), ("WJW", "participant")]


# ---- migration 0014 ------------------------------------------------------------------------------

def migrate_to(runtime: Runtime, revision: str) -> None:
    engine = runtime.engine
    config = schema.alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_upgrading_to_0014_demotes_the_extra_leads_a_race_left_and_downgrading_drops_the_index(runtime):
    put(runtime, "ZWFW", "政务服务中心", "window")
    put(runtime, "SCJG", "市场监督管理局", "office")
    definitions.deploy(runtime.uow(), [("simple_approval.bpmn", (FIXTURES / "simple_approval.bpmn").read_bytes())],
                       actor=SYSTEM)
    cases = []
    for _ in range(3):  # each: ZWFW leads from the start, SCJG joins later for the review
        case, _ = instances.start(runtime.uow(), "simple_approval", actor=INTEGRATOR, variables={"reviewGroup": "office"})
        accept(runtime, case.tasks[0].id)
        cases.append(case.id)
    later, same_time, sound = cases

    migrate_to(runtime, "0013")
    try:
        assert "uq_case_departments_one_lead" not in {i["name"] for i in inspect(runtime.engine).get_indexes(
            "case_departments")}
        with runtime.engine.begin() as connection:  # the damage: two leads in two cases
            connection.execute(text("UPDATE case_departments SET role = 'lead' WHERE case_id IN (:a, :b)"),
                               {"a": later, "b": same_time})
            connection.execute(text(
                "UPDATE case_departments SET since = (SELECT z.since FROM case_departments AS z"
                " WHERE z.case_id = :b AND z.department_code = 'ZWFW') WHERE case_id = :b"), {"b": same_time})
            assert connection.execute(text("SELECT count(*) FROM case_departments WHERE role = 'lead'")).scalar() == 5
    finally:
        schema.upgrade(runtime.engine)

    assert participation(runtime, later) == [("ZWFW", "lead"), ("SCJG", "participant")]  # the earliest keeps it
    assert participation(runtime, same_time) == [("SCJG", "lead"), ("ZWFW", "participant")]  # a tie: by code
    assert participation(runtime, sound) == [("ZWFW", "lead"), ("SCJG", "participant")]
    with pytest.raises(IntegrityError), runtime.engine.begin() as connection:
        connection.execute(text("UPDATE case_departments SET role = 'lead' WHERE case_id = :c"), {"c": sound})


# ---- the two paths meeting on one case, deterministically ----------------------------------------

def test_a_task_whose_department_would_lead_a_case_given_a_lead_meanwhile_takes_part(runtime):
    case_id, task_id = leaderless_case(runtime)
    with lead_taken_first(runtime, case_id, "ZWFW"):  # the window's new department, by the admin's back-fill
        accept(runtime, task_id)
    assert participation(runtime, case_id) == [("ZWFW", "lead"), ("SCJG", "participant")]


def test_a_department_given_a_group_takes_part_in_a_case_a_task_gave_a_lead_meanwhile(runtime):
    case_id, _ = leaderless_case(runtime)
    with lead_taken_first(runtime, case_id, "SCJG"):  # the office's review task, created by a clerk's command
        put(runtime, "ZWFW", "政务服务中心", "window")
    assert participation(runtime, case_id) == [("SCJG", "lead"), ("ZWFW", "participant")]
    assert departments.get_department(runtime.uow(), "ZWFW").groups == ["window"]


def test_several_departments_joining_at_once_all_take_part_when_the_lead_is_taken_meanwhile(runtime):
    case_id, _ = leaderless_case(runtime)
    put(runtime, "WJW", "卫生健康委员会", "health")
    with lead_taken_first(runtime, case_id, "ZWFW"), runtime.uow() as uow:
        departments.join_with_groups(uow, case_id, ["office", "health"], utcnow())
        uow.commit()
    roles = dict(participation(runtime, case_id))
    assert roles == {"ZWFW": "lead", "SCJG": "participant", "WJW": "participant"}


def test_a_department_joining_meanwhile_itself_is_kept_as_it_joined(runtime):
    case_id, task_id = leaderless_case(runtime)
    with lead_taken_first(runtime, case_id, "SCJG"):  # the same department, brought in by the other path
        accept(runtime, task_id)
    assert participation(runtime, case_id) == [("SCJG", "lead")]


# ---- the two paths on two connections (PostgreSQL: SQLite's writers take turns) -------------------

def rival(runtime: Runtime, action: Callable[[], Any]) -> Rival:
    """``action`` on its own connection, right after the first statement that reads whether the case has
    a lead (``has_lead``); it commits before the first command goes on."""
    return Rival(runtime, lambda statement: "has_lead" in statement, action, seconds=5.0, must_not_wait=True)


def test_a_clerks_task_and_an_admins_group_at_once_the_admin_first(pg):
    case_id, task_id = leaderless_case(pg)
    with rival(pg, lambda: put(pg, "ZWFW", "政务服务中心", "window")):  # commits after the clerk's read
        accept(pg, task_id)
    assert participation(pg, case_id) == [("ZWFW", "lead"), ("SCJG", "participant")]


def test_an_admins_group_and_a_clerks_task_at_once_the_clerk_first(pg):
    case_id, task_id = leaderless_case(pg)
    with rival(pg, lambda: accept(pg, task_id)):  # commits after the back-fill's read
        put(pg, "ZWFW", "政务服务中心", "window")
    assert participation(pg, case_id) == [("SCJG", "lead"), ("ZWFW", "participant")]
