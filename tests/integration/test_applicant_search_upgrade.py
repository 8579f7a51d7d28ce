"""Upgrading to 0028 (the applicant's name on the case row) fills it in for the cases already stored, from
their serialized state, in batches: the name the case's variables hold now (a later step's change, a
completed case's), none for a state without one or that cannot be read, none for a confidential name; down
and up again leaves every other column of the cases as it was (SQLite and PostgreSQL alike)."""
from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, inspect, select, update

from engine import Runtime, schema
from engine.models import ProcessInstance
from tests.helpers import FIXTURES, ROOT, ApiClient, complete_open_task, migrate

BATCH = 200  # the migration's
_MIGRATION = ROOT / "migrations" / "versions" / "0028_case_applicant_name.py"


def _module() -> Any:
    spec = importlib.util.spec_from_file_location("migration_0028", _MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _names(runtime: Runtime) -> dict[str, str | None]:
    with runtime.uow() as uow:
        return dict(uow.session.execute(select(ProcessInstance.business_key, ProcessInstance.applicant_name)).all())


def _rows(runtime: Runtime) -> list[tuple[Any, ...]]:
    with runtime.uow() as uow:
        return [tuple(r) for r in uow.session.execute(
            select(ProcessInstance.id, ProcessInstance.business_key, ProcessInstance.state, ProcessInstance.version,
                   ProcessInstance.workflow, ProcessInstance.updated_at).order_by(ProcessInstance.id))]


def _start(api: ApiClient, key: str, number: str, **variables: Any) -> int:
    return int(api.start(key, business_key=number, variables={"reviewGroup": "office", **variables})["id"])


def test_the_upgrade_fills_in_the_applicant_of_every_case_from_its_stored_state(
        api: ApiClient, runtime: Runtime, tmp_path: Path) -> None:
    api.deploy("simple_approval.bpmn", "accept.form")
    secret = (FIXTURES / "simple_approval.bpmn").read_text().replace('id="simple_approval" name="简易审批"',
                                                                      'id="secret_approval" name="保密审批"').replace(
        'isExecutable="true">', 'isExecutable="true"><bpmn:extensionElements><camunda:properties><camunda:property '
        'name="govflow.confidential" value="applicant_name" /></camunda:properties></bpmn:extensionElements>', 1)
    (tmp_path / "secret_approval.bpmn").write_text(secret)
    api.deploy(tmp_path / "secret_approval.bpmn", "accept.form")
    _start(api, "simple_approval", "SQ-1", applicant_name="张三")
    renamed = _start(api, "simple_approval", "SQ-2", applicant_name="张三")
    complete_open_task(api, renamed, "accept", user="window_clerk", accepted=True, amount=10)
    complete_open_task(api, renamed, "review", user="office_clerk", applicant_name="张三丰")  # completed
    _start(api, "simple_approval", "SQ-3")  # no applicant
    _start(api, "simple_approval", "SQ-4", applicant="ＡＣＭＥ 科技")  # an integrator's name for it
    _start(api, "simple_approval", "SQ-5", applicant_name=42)  # not a name
    broken = _start(api, "simple_approval", "SQ-6", applicant_name="坏")
    _start(api, "secret_approval", "SQ-7", applicant_name="王五")
    expected = {"SQ-1": "张三", "SQ-2": "张三丰", "SQ-3": None, "SQ-4": "ACME 科技", "SQ-5": None, "SQ-6": None,
                "SQ-7": None}
    with runtime.engine.begin() as connection:
        connection.execute(update(ProcessInstance).where(ProcessInstance.id == broken).values(workflow=b"{not json"))
        # Enough cases for several batches: copies of SQ-1 under other numbers.
        first = connection.execute(select(ProcessInstance).where(ProcessInstance.business_key == "SQ-1")).mappings().one()
        copies = [{**{k: v for k, v in first.items() if k not in ("id", "applicant_name")}, "business_key": f"COPY-{n}"}
                  for n in range(2 * BATCH + 5)]
        connection.execute(insert(ProcessInstance), copies)
    expected |= {f"COPY-{n}": "张三" for n in range(2 * BATCH + 5)}
    assert {k: v for k, v in _names(runtime).items() if not k.startswith("COPY-")} == {
        **{k: v for k, v in expected.items() if not k.startswith("COPY-")}, "SQ-6": "坏"}
    before = _rows(runtime)
    try:
        migrate(runtime, "0027", down=True)
        with runtime.engine.connect() as connection:
            columns = {c["name"] for c in inspect(connection).get_columns("process_instances")}
            assert "applicant_name" not in columns
        migrate(runtime, "0028")
    finally:
        schema.upgrade(runtime.engine)
    assert _rows(runtime) == before
    assert _names(runtime) == expected
    with runtime.uow() as uow:  # the filter finds the cases the upgrade filled in
        assert uow.session.scalar(select(func.count()).where(ProcessInstance.applicant_name.like("张三%"))) == \
            2 * BATCH + 7


def test_a_state_is_read_as_the_engine_reads_its_variables() -> None:
    applicant = _module().applicant
    root, start, open_task = "r", "s", "t"
    state = {"root": root, "last_task": start, "completed": False, "data": {}, "subprocesses": {}, "tasks": {
        root: {"state": 64, "children": [start], "data": {"applicant_name": "张三"}, "delta": {}},
        start: {"state": 64, "children": [open_task], "data": {}, "delta": {"updates": {}, "deletions": []}},
        open_task: {"state": 16, "children": [], "data": {},
                    "delta": {"updates": {"applicant_name": " 李四 "}, "deletions": []}}}}
    import orjson

    assert applicant(orjson.dumps(state)) == "李四"  # the open task's change wins over the last task run
    state["tasks"][open_task]["delta"] = {"updates": {}, "deletions": ["applicant_name"]}
    assert applicant(orjson.dumps(state)) == "张三"  # the last task run still holds it
    assert applicant(orjson.dumps(state), frozenset({"applicant_name"})) is None
    assert applicant(orjson.dumps({**state, "tasks": {}})) is None
    assert applicant(b"") is None and applicant(b"[]") is None and applicant(b"\xff") is None
    state["tasks"][root]["data"] = {"applicant_name": "张" * 150}
    assert applicant(orjson.dumps(state)) == "张" * 100
