"""External tasks for integrators' workers: topics, a lock that lapses, failures and BPMN errors, on a
Camunda diagram (tests/fixtures/external_tasks.bpmn)."""
from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import inspect, select, text
from sqlalchemy.pool import NullPool

from engine import Actor, Runtime, Settings, definitions, instances, jobs, schema, tasks, timeline, users
from engine.db import make_engine
from engine.models import OutboxEvent
from engine.users import SYSTEM
from tests.helpers import FIXTURES, by_bpmn_id, complete_open_task, complete_task, open_task

INTEGRATOR = Actor("integrator", roles=frozenset({"integrator"}))

WORKER = "test:1:0000"


@pytest.fixture
def case(api) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A case at its two external tasks: the payment (topic payment) and the licence (topic licence)."""
    api.deploy("external_tasks.bpmn")
    return api.start("external_tasks", variables={"fee": 120})


def poll(api: Any, topic: str, *, user: str = "integrator", **query: str) -> list[dict[str, Any]]:
    """What a worker serving ``topic`` is offered."""
    params = "&".join(f"{k}={v}" for k, v in {"kind": "external", "topic": topic, "unassigned": "true",
                                             **query}.items())
    response = api.as_(user).get(f"/api/tasks?{params}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def second_worker(api: Any) -> Any:
    """Another integrator's worker (the payment provider's, say)."""
    _, api.tokens["integrator2"] = users.add_user(api.runtime.uow(), "integrator2", roles=["integrator"],
                                                  actor=users.SYSTEM)
    return api.as_("integrator2")


def history(api: Any, case_id: int, event: str) -> list[dict[str, Any]]:
    timeline = api.as_("supervisor").get(f"/api/process-instances/{case_id}/history").get_json()
    return [e for e in timeline if e["event"] == event]


def variables_of(api: Any, case_id: int) -> dict[str, Any]:
    return api.as_("supervisor").get(f"/api/process-instances/{case_id}").get_json()["variables"]


# ---- topics ------------------------------------------------------------------------------------

def test_a_worker_polling_its_topic_is_offered_only_that_topics_tasks(api, case):
    tasks = by_bpmn_id(case["tasks"])
    assert (tasks["pay"]["topic"], tasks["licence"]["topic"]) == ("payment", "licence")
    assert [t["bpmn_id"] for t in poll(api, "payment")] == ["pay"]
    assert [t["bpmn_id"] for t in poll(api, "licence")] == ["licence"]
    assert poll(api, "nobody") == []


def test_java_hooks_take_their_class_name_or_expression_as_their_topic(api, case):
    for bpmn_id in ("pay", "licence"):
        complete_open_task(api, case, bpmn_id, user="integrator")
    notify = open_task(api, case, "notify")
    assert notify["kind"] == "external" and notify["topic"] == "gov.example.sms.NotifyApplicant"
    complete_task(api, notify, user="integrator")
    assert open_task(api, case, "archive")["topic"] == "${archiveDelegate}"
    assert [t["bpmn_id"] for t in poll(api, "${archiveDelegate}")] == ["archive"]


def test_a_topic_written_as_an_expression_is_evaluated_when_the_task_is_reached(api, tmp_path):
    diagram = tmp_path / "regional.bpmn"
    diagram.write_text(
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">'
        '<bpmn:process id="regional" isExecutable="true"><bpmn:startEvent id="s"/>'
        '<bpmn:serviceTask id="pay" camunda:type="external" camunda:topic="${region}-payment"/>'
        '<bpmn:endEvent id="e"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="pay"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="pay" targetRef="e"/></bpmn:process></bpmn:definitions>')
    api.deploy(diagram)
    [task] = api.start("regional", variables={"region": "pudong"})["tasks"]
    assert task["topic"] == "pudong-payment"
    assert [t["id"] for t in poll(api, "pudong-payment")] == [task["id"]]


def test_the_task_created_event_names_the_external_tasks_topic(api, runtime, case):
    with runtime.uow() as uow:
        created = uow.session.scalars(select(OutboxEvent.data).where(
            OutboxEvent.instance_id == case["id"], OutboxEvent.event == "task.created")).all()
    assert {(e["element_id"], e.get("kind"), e.get("topic")) for e in created} == {
        ("pay", "external", "payment"), ("licence", "external", "licence")}


def test_a_topic_filter_shows_a_clerk_nothing_and_refuses_an_overlong_topic(api, case):
    assert api.as_("integrator").get("/api/tasks?topic=" + "x" * 256).status_code == 422
    clerk_queue = api.as_("window_clerk").get("/api/tasks?topic=payment").get_json()
    assert clerk_queue["items"] == []  # a clerk never sees external tasks, topic or not


# ---- failures ----------------------------------------------------------------------------------

def test_a_reported_failure_keeps_the_task_from_workers_until_a_supervisor_retries_it(api, case):
    pay = open_task(api, case, "pay")
    worker = api.as_("integrator")
    assert worker.post(f"/api/tasks/{pay['id']}/claim").status_code == 200
    # Quoted from a log with its terminal colours: kept without them, not refused (the lock would stay).
    failed = worker.post(f"/api/tasks/{pay['id']}/failure",
                         json={"message": "\x1b[31mpayment gateway unreachable\x1b[0m",
                               "details": "ConnectTimeout after 30 s"})
    assert failed.status_code == 200, failed.get_json()
    body = failed.get_json()
    assert body["failed_at"] and body["error_message"] == "payment gateway unreachable" and body["assignee"] is None

    assert poll(api, "payment") == []  # not offered to workers meanwhile
    refused = worker.post(f"/api/tasks/{pay['id']}/claim")
    assert refused.status_code == 409
    said = refused.get_json()["error"]  # the state the task reads, and why nobody may take it
    assert said["state"] == "READY" and said["failed_at"][:19] == body["failed_at"][:19]
    complete_task(api, pay, user="integrator", expect=409)
    assert worker.post(f"/api/tasks/{pay['id']}/retry").status_code == 403

    [incident] = api.as_("supervisor").get("/api/tasks?failed=true").get_json()["items"]
    assert (incident["id"], incident["error_message"]) == (pay["id"], "payment gateway unreachable")
    [event] = history(api, case["id"], "task.failed")
    assert event["actor"] == "integrator" and event["data"]["message"] == "payment gateway unreachable"
    assert event["data"]["details"] == "ConnectTimeout after 30 s"

    retried = api.as_("supervisor").post(f"/api/tasks/{pay['id']}/retry")
    assert retried.status_code == 200 and retried.get_json()["failed_at"] is None
    assert api.as_("supervisor").get("/api/tasks?failed=true").get_json()["items"] == []
    assert [t["id"] for t in poll(api, "payment")] == [pay["id"]]
    assert [e["actor"] for e in history(api, case["id"], "task.retried")] == ["supervisor"]
    complete_task(api, pay, user="integrator")


def test_a_failure_on_a_case_with_nothing_confidential_does_not_restore_the_case(api, case, monkeypatch):
    """Scrubbing a worker's words needs the case's state only when its processes declare confidential
    variables; this diagram declares none, so reporting reads no workflow state."""
    from engine import execution

    def not_restored(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the case was restored to report a failure")

    pay = open_task(api, case, "pay")
    assert api.as_("integrator").post(f"/api/tasks/{pay['id']}/claim").status_code == 200
    monkeypatch.setattr(execution, "open_case", not_restored)
    failed = api.as_("integrator").post(f"/api/tasks/{pay['id']}/failure", json={"message": "gateway down"})
    assert failed.status_code == 200, failed.get_json()


def test_only_the_holder_reports_a_failure_and_only_of_an_external_task(api, case):
    pay = open_task(api, case, "pay")
    assert api.as_("integrator").post(f"/api/tasks/{pay['id']}/claim").status_code == 200
    other = second_worker(api)
    assert other.post(f"/api/tasks/{pay['id']}/failure", json={"message": "x"}).status_code == 409
    assert api.as_("integrator").post(f"/api/tasks/{pay['id']}/failure", json={}).status_code == 422
    assert api.as_("supervisor").post(f"/api/tasks/{pay['id']}/retry").status_code == 409  # it has not failed


def test_a_user_task_takes_no_failure_error_or_lock(api):
    api.deploy("simple_approval.bpmn")
    [task] = api.start("simple_approval", variables={"reviewGroup": "office"})["tasks"]
    clerk = api.as_("window_clerk")
    assert api.as_("admin").post(f"/api/tasks/{task['id']}/failure", json={"message": "x"}).status_code == 400
    assert api.as_("admin").post(f"/api/tasks/{task['id']}/bpmn-error", json={"code": "X"}).status_code == 400
    assert clerk.post(f"/api/tasks/{task['id']}/claim", json={"lock_seconds": 60}).status_code == 400


# ---- BPMN errors -------------------------------------------------------------------------------

def test_a_bpmn_error_is_caught_by_the_boundary_event_naming_its_code(api, case):
    pay = open_task(api, case, "pay")
    thrown = api.as_("integrator").post(f"/api/tasks/{pay['id']}/bpmn-error", json={
        "code": "CARD_DECLINED", "message": "insufficient funds", "variables": {"declinedBy": "bank"}})
    assert thrown.status_code == 200, thrown.get_json()
    assert sorted(t["bpmn_id"] for t in thrown.get_json()["tasks"]) == ["licence", "review_payment"]
    variables = variables_of(api, case["id"])
    assert (variables["payErrorCode"], variables["payErrorMessage"], variables["declinedBy"]) == (
        "CARD_DECLINED", "insufficient funds", "bank")
    ended = api.as_("supervisor").get(f"/api/tasks/{pay['id']}").get_json()
    assert ended["state"] == "CANCELLED"
    [event] = history(api, case["id"], "task.bpmn_error")
    assert (event["actor"], event["data"]["code"], event["data"]["boundary"]) == ("integrator", "CARD_DECLINED",
                                                                                 "declined")
    # The case goes on along the error's path and finishes.
    complete_open_task(api, case, "review_payment", user="window_clerk")
    complete_open_task(api, case, "licence", user="integrator")
    complete_open_task(api, case, "notify", user="integrator")
    complete_open_task(api, case, "archive", user="integrator")
    assert api.as_("supervisor").get(f"/api/process-instances/{case['id']}").get_json()["state"] == "completed"


@pytest.mark.parametrize(("bpmn_id", "code"), [("pay", "GATEWAY_DOWN"), ("licence", "CARD_DECLINED")])
def test_an_error_no_boundary_event_catches_is_refused_and_changes_nothing(api, case, bpmn_id, code):
    task = open_task(api, case, bpmn_id)
    before = api.as_("supervisor").get(f"/api/process-instances/{case['id']}").get_json()
    refused = api.as_("integrator").post(f"/api/tasks/{task['id']}/bpmn-error", json={"code": code})
    assert refused.status_code == 422
    assert code in refused.get_json()["error"]["message"]
    after = api.as_("supervisor").get(f"/api/process-instances/{case['id']}").get_json()
    assert after == before and history(api, case["id"], "task.bpmn_error") == []


def test_a_boundary_event_without_an_error_code_catches_every_error(api, case):
    for bpmn_id in ("pay", "licence"):
        complete_open_task(api, case, bpmn_id, user="integrator")
    notify = open_task(api, case, "notify")
    thrown = api.as_("integrator").post(f"/api/tasks/{notify['id']}/bpmn-error", json={"code": "SMS_REJECTED"})
    assert thrown.status_code == 200, thrown.get_json()
    assert thrown.get_json()["state"] == "completed" and thrown.get_json()["tasks"] == []


# An error no event on the task catches travels outward, as in Camunda: the enclosing subprocesses' events,
# then the call activity's in the calling process; the innermost scope that catches it wins.

@pytest.fixture
def gathering(api) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A case inside its subprocess: the registry lookup (nested one subprocess deeper), the notice and a
    clerk's check are open (tests/fixtures/external_error_subprocess.bpmn)."""
    api.deploy("external_error_subprocess.bpmn")
    return api.start("external_error_subprocess")


def task_state(api: Any, task: dict[str, Any]) -> str:
    return str(api.as_("supervisor").get(f"/api/tasks/{task['id']}").get_json()["state"])


@pytest.mark.parametrize(("code", "boundary", "then_open"), [
    ("REGISTRY_DOWN", "registry_down", ["manual_check"]),  # the event naming the code
    ("NO_RECORD", "gather_failed", []),  # the subprocess's event catching every other error
])
def test_an_error_the_task_does_not_catch_ends_the_enclosing_subprocess_whose_event_catches_it(
        api, gathering, code, boundary, then_open):
    fetch, notice, check = (open_task(api, gathering, bpmn_id) for bpmn_id in ("fetch", "notice", "check"))
    thrown = api.as_("integrator").post(f"/api/tasks/{fetch['id']}/bpmn-error", json={
        "code": code, "message": "registry offline", "variables": {"reportedBy": "registry"}})
    assert thrown.status_code == 200, thrown.get_json()
    assert sorted(t["bpmn_id"] for t in thrown.get_json()["tasks"]) == then_open
    # Everything open in the subprocess ends with it, and leaves every queue.
    assert [task_state(api, t) for t in (fetch, notice, check)] == ["CANCELLED"] * 3
    assert poll(api, "registry") == [] and poll(api, "notice") == []
    assert [t["bpmn_id"] for t in api.as_("window_clerk").get("/api/tasks").get_json()["items"]] == then_open
    [event] = history(api, gathering["id"], "task.bpmn_error")
    assert (event["element_id"], event["data"]["code"], event["data"]["boundary"]) == ("fetch", code, boundary)
    variables = variables_of(api, gathering["id"])
    assert (variables["gatherErrorCode"], variables["reportedBy"]) == (code, "registry")
    if then_open:
        assert variables["gatherErrorMessage"] == "registry offline"
        complete_open_task(api, gathering, "manual_check", user="window_clerk")
    case = api.as_("supervisor").get(f"/api/process-instances/{gathering['id']}").get_json()
    assert case["state"] == "completed"


def test_an_inner_catch_all_event_wins_over_an_outer_event_naming_the_code(api, gathering):
    notice, fetch = open_task(api, gathering, "notice"), open_task(api, gathering, "fetch")
    thrown = api.as_("integrator").post(f"/api/tasks/{notice['id']}/bpmn-error", json={"code": "REGISTRY_DOWN"})
    assert thrown.status_code == 200, thrown.get_json()
    # The notice's own event caught it: the subprocess goes on with its other steps.
    assert sorted(t["bpmn_id"] for t in thrown.get_json()["tasks"]) == ["check", "fetch"]
    assert task_state(api, notice) == "CANCELLED"
    # The same code from the lookup, which catches nothing itself, goes out to the subprocess's event.
    thrown = api.as_("integrator").post(f"/api/tasks/{fetch['id']}/bpmn-error", json={"code": "REGISTRY_DOWN"})
    assert thrown.status_code == 200, thrown.get_json()
    assert [t["bpmn_id"] for t in thrown.get_json()["tasks"]] == ["manual_check"]
    assert [(e["element_id"], e["data"]["boundary"], e["data"]["attached_to"])
            for e in history(api, gathering["id"], "task.bpmn_error")] == [
        ("notice", "notice_failed", "notice"), ("fetch", "registry_down", "gather")]


@pytest.fixture
def verification(api) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A case in its called process: the population query (external) and a clerk's comparison are open
    (tests/fixtures/external_error_parent.bpmn calling external_error_child.bpmn)."""
    api.deploy("external_error_parent.bpmn", "external_error_child.bpmn")
    return api.start("external_error_parent", variables={"applicant": "张三"})


def test_an_error_in_a_called_process_ends_it_when_the_call_activitys_event_catches_it(api, runtime, verification):
    query, compare = open_task(api, verification, "query"), open_task(api, verification, "compare")
    locked = api.as_("integrator").post(f"/api/tasks/{query['id']}/claim", json={"lock_seconds": 60}).get_json()
    thrown = api.as_("integrator").post(f"/api/tasks/{query['id']}/bpmn-error", json={
        "code": "APPLICANT_UNKNOWN", "message": "no such resident"})
    assert thrown.status_code == 200, thrown.get_json()
    assert [t["bpmn_id"] for t in thrown.get_json()["tasks"]] == ["visit"]
    assert (task_state(api, query), task_state(api, compare)) == ("CANCELLED", "CANCELLED")
    assert poll(api, "population") == []
    assert [t["bpmn_id"] for t in api.as_("window_clerk").get("/api/tasks").get_json()["items"]] == ["visit"]
    [event] = history(api, verification["id"], "task.bpmn_error")
    assert (event["element_id"], event["data"]["code"], event["data"]["boundary"]) == (
        "query", "APPLICANT_UNKNOWN", "unknown_applicant")
    variables = variables_of(api, verification["id"])
    assert (variables["verifyErrorCode"], variables["verifyErrorMessage"], variables["applicant"]) == (
        "APPLICANT_UNKNOWN", "no such resident", "张三")
    # The worker's lock on the ended task lapses without offering it again.
    jobs.run_due(runtime, worker_id=WORKER, now=datetime.fromisoformat(locked["lock_expires_at"]) + timedelta(seconds=1))
    assert task_state(api, query) == "CANCELLED" and history(api, verification["id"], "task.unclaimed") == []
    complete_open_task(api, verification, "visit", user="window_clerk")
    case = api.as_("supervisor").get(f"/api/process-instances/{verification['id']}").get_json()
    assert case["state"] == "completed"


def test_an_error_no_scope_up_to_the_calling_process_catches_is_refused_and_changes_nothing(api, verification):
    query = open_task(api, verification, "query")
    before = api.as_("supervisor").get(f"/api/process-instances/{verification['id']}").get_json()
    refused = api.as_("integrator").post(f"/api/tasks/{query['id']}/bpmn-error", json={"code": "GATEWAY_DOWN"})
    assert refused.status_code == 422
    assert "GATEWAY_DOWN" in refused.get_json()["error"]["message"]
    after = api.as_("supervisor").get(f"/api/process-instances/{verification['id']}").get_json()
    assert after == before and history(api, verification["id"], "task.bpmn_error") == []
    assert [t["id"] for t in poll(api, "population")] == [query["id"]]
    # Still open to the error the call activity does catch.
    caught = api.as_("integrator").post(f"/api/tasks/{query['id']}/bpmn-error", json={"code": "APPLICANT_UNKNOWN"})
    assert caught.status_code == 200, caught.get_json()


def test_an_error_from_one_instance_of_a_multi_instance_task_is_caught_by_the_event_on_the_activity(api):
    api.deploy("external_error_multi.bpmn")
    case = api.start("external_error_multi", variables={"departments": ["fire", "police"]})
    fire, police = case["tasks"]
    thrown = api.as_("integrator").post(f"/api/tasks/{fire['id']}/bpmn-error", json={"code": "UNREACHABLE"})
    assert thrown.status_code == 200, thrown.get_json()
    assert [t["bpmn_id"] for t in thrown.get_json()["tasks"]] == ["by_letter"]
    assert (task_state(api, fire), task_state(api, police)) == ("CANCELLED", "CANCELLED")
    assert poll(api, "consultation") == []
    assert variables_of(api, case["id"])["consultErrorCode"] == "UNREACHABLE"


# ---- locks -------------------------------------------------------------------------------------

def test_a_lock_lapses_and_the_task_is_offered_again(api, runtime, case):
    pay = open_task(api, case, "pay")
    locked = api.as_("integrator").post(f"/api/tasks/{pay['id']}/claim", json={"lock_seconds": 60})
    assert locked.status_code == 200, locked.get_json()
    expires = datetime.fromisoformat(locked.get_json()["lock_expires_at"])
    assert locked.get_json()["assignee"] == "integrator" and poll(api, "payment") == []

    assert jobs.run_due(runtime, worker_id=WORKER, now=expires - timedelta(seconds=1)) == 0
    assert jobs.run_due(runtime, worker_id=WORKER, now=expires + timedelta(seconds=1)) == 1
    [offered] = poll(api, "payment")
    assert offered["assignee"] is None and offered["lock_expires_at"] is None
    [released] = history(api, case["id"], "task.unclaimed")
    assert released["data"] == {"previous": "integrator", "reason": "lock expired"}


def test_a_lock_extended_by_its_holder_lapses_later(api, runtime, case):
    pay = open_task(api, case, "pay")
    worker = api.as_("integrator")
    first = worker.post(f"/api/tasks/{pay['id']}/claim", json={"lock_seconds": 10}).get_json()
    second = worker.post(f"/api/tasks/{pay['id']}/claim", json={"lock_seconds": 3600}).get_json()
    assert second["lock_expires_at"] > first["lock_expires_at"]
    first_expiry = datetime.fromisoformat(first["lock_expires_at"])
    assert jobs.run_due(runtime, worker_id=WORKER, now=first_expiry + timedelta(seconds=1)) == 0
    assert open_task(api, case, "pay")["assignee"] == "integrator"


def test_a_task_completed_or_reassigned_before_its_lock_expires_stays_as_it_is(api, runtime, case):
    pay, licence = open_task(api, case, "pay"), open_task(api, case, "licence")
    worker = api.as_("integrator")
    pay_lock = worker.post(f"/api/tasks/{pay['id']}/claim", json={"lock_seconds": 60}).get_json()
    worker.post(f"/api/tasks/{licence['id']}/claim", json={"lock_seconds": 60})
    complete_task(api, pay, user="integrator")
    second_worker(api)
    assert api.as_("supervisor").post(f"/api/tasks/{licence['id']}/assign",
                                      json={"assignee": "integrator2"}).status_code == 200
    later = datetime.fromisoformat(pay_lock["lock_expires_at"]) + timedelta(seconds=5)
    jobs.run_due(runtime, worker_id=WORKER, now=later)
    assert api.as_("supervisor").get(f"/api/tasks/{pay['id']}").get_json()["state"] == "COMPLETED"
    licence = open_task(api, case, "licence")
    assert licence["assignee"] == "integrator2" and licence["lock_expires_at"] is None
    assert history(api, case["id"], "task.unclaimed") == []



def test_the_case_diagram_shows_a_completed_task_done_while_its_lock_job_waits(api, runtime, case):
    pay = open_task(api, case, "pay")
    api.as_("integrator").post(f"/api/tasks/{pay['id']}/claim", json={"lock_seconds": 600})
    complete_task(api, pay, user="integrator")
    drawn = timeline.case_file(runtime.uow(), case["id"], actor=Actor("supervisor", roles=frozenset({"supervisor"})))
    assert "pay" in drawn.done and "pay" not in drawn.active


def test_another_worker_cannot_take_a_locked_task(api, case):
    pay = open_task(api, case, "pay")
    assert api.as_("integrator").post(f"/api/tasks/{pay['id']}/claim", json={"lock_seconds": 60}).status_code == 200
    assert second_worker(api).post(f"/api/tasks/{pay['id']}/claim", json={"lock_seconds": 60}).status_code == 409
    assert api.as_("admin").post(f"/api/tasks/{pay['id']}/claim", json={"lock_seconds": 60}).status_code == 409


# ---- the migration -----------------------------------------------------------------------------

@pytest.fixture
def own_database(database_url: str, tmp_path: Any) -> Iterator[str]:
    """A database of this test's own (a SQLite file, or a PostgreSQL schema): it goes down a revision and
    up again without touching the one other tests share."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path}/migration.db"
        return
    name = f"migration_{secrets.token_hex(4)}"
    admin = make_engine(database_url, poolclass=NullPool)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {name}"))
    try:
        yield f"{database_url}{'&' if '?' in database_url else '?'}options=-csearch_path%3D{name}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {name} CASCADE"))
        admin.dispose()


def test_the_migration_gives_open_external_tasks_of_earlier_deploys_their_topic(own_database, tmp_path):
    runtime = Runtime(Settings(database_url=own_database, data_dir=tmp_path))
    try:
        schema.upgrade(runtime.engine)
        definitions.deploy(runtime.uow(), [(name, (FIXTURES / name).read_bytes())
                                           for name in ("external_tasks.bpmn", "simple_approval.bpmn")], actor=SYSTEM)
        case, _ = instances.start(runtime.uow(), "external_tasks", actor=INTEGRATOR)
        for task in case.tasks:
            tasks.complete(runtime.uow(), task.id, actor=INTEGRATOR)
        instances.start(runtime.uow(), "simple_approval", actor=INTEGRATOR, variables={"reviewGroup": "office"})
        listed = candidates(runtime)
        config = schema.alembic_config(runtime.engine.url.render_as_string(hide_password=False))
        with runtime.engine.begin() as connection:  # foreign keys on, as a plain alembic run has them
            config.attributes["connection"] = connection
            command.downgrade(config, "0019")
            # As the earlier deploy described it: a Java hook's topic was its name.
            definition_id, stored = connection.execute(text(
                "SELECT id, elements FROM process_definitions WHERE key = 'external_tasks'")).one()
            stored = stored if isinstance(stored, dict) else json.loads(stored)
            stored["external_tasks"]["notify"]["topic"] = "短信告知"
            connection.execute(text("UPDATE process_definitions SET elements = :e WHERE id = :id"),
                               {"e": json.dumps(stored), "id": definition_id})
        assert "topic" not in {c["name"] for c in inspect(runtime.engine).get_columns("tasks")}
        schema.upgrade(runtime.engine)
        with runtime.engine.connect() as connection:
            topic = connection.execute(text("SELECT topic FROM tasks WHERE bpmn_id = 'notify'")).scalar()
            described = connection.execute(text(
                "SELECT elements FROM process_definitions WHERE key = 'external_tasks'")).scalar()
        assert topic == "gov.example.sms.NotifyApplicant"
        described = described if isinstance(described, dict) else json.loads(str(described))
        assert described["external_tasks"]["notify"]["topic"] == "gov.example.sms.NotifyApplicant"
        assert candidates(runtime) == listed > 0  # the tasks table is altered in place, never rebuilt
    finally:
        runtime.dispose()


def candidates(runtime: Runtime) -> int:
    with runtime.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM task_candidates")).scalar() or 0)
