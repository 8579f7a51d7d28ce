"""Benchmark (not a test): do the reads clerks, supervisors and workers run every minute stay fast at
production size? Builds a database of about 200,000 cases (50,000 open tasks over 40 groups, 2 million
history rows, 100,000 jobs, outbox and webhook deliveries, 20 departments), then times each hot read
through the engine's own functions and explains every statement it ran.

    .venv/bin/python bench/queues.py [--runs 5] [--scale 1.0] [--server postgresql://postgres@127.0.0.1:5432/test]
    .venv/bin/python bench/queues.py --sqlite [--scale 0.25] [--file /tmp/queues.db]

PostgreSQL: creates its own database beside ``--server`` (govflow_bench_<pid>) and drops it at the end.
SQLite: a temporary file (``--file`` keeps it), by default a quarter of the volumes (``--scale``).

Prints, per query, the median of ``--runs`` runs (after one warm-up), the milliseconds spent in SQL, the
statements and the rows it returned; then, per query, every distinct statement it ran with the plan's top
node, whether an index was used, and the scans and sorts over whole tables (PostgreSQL: EXPLAIN (ANALYZE,
BUFFERS) with the statement's own parameters, writes rolled back; SQLite: EXPLAIN QUERY PLAN).

The rows are written directly with SQLAlchemy Core, copied from cases that ran for real through the engine
(workflow state, history events), so every read sees the shapes the engine writes. PostgreSQL gets a
VACUUM ANALYZE after loading (autovacuum's steady state); SQLite none, as govflow runs it.
"""
from __future__ import annotations

import argparse
import json
import os
import queue
import random
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from psycopg.types.json import Json
from sqlalchemy import (
    JSON,
    Connection,
    Engine,
    Index,
    String,
    Table,
    and_,
    case,
    cast,
    create_engine,
    event,
    exists,
    func,
    insert,
    literal,
    select,
    text,
    true,
    union_all,
)
from sqlalchemy.exc import OperationalError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import (
    Runtime,
    Settings,
    calendar,
    definitions,
    delivery,
    inbox,
    instances,
    jobs,
    progress,
    query_codes,
    schema,
    supervision,
    supervision_board,
    supervision_sweep,
    tasks,
)
from engine.calendar import WorkingCalendar
from engine.db import normalise_url
from engine.errors import NotFound
from engine.models import (
    Base,
    CaseClock,
    CaseDepartment,
    CaseQueryCode,
    Department,
    DepartmentGroup,
    HistoryEvent,
    Job,
    MessageSubscription,
    OutboxEvent,
    OverdueReason,
    ProcessDefinition,
    ProcessInstance,
    Task,
    TaskCandidate,
    UtcDateTime,
    Webhook,
    WebhookDelivery,
)
from engine.users import SYSTEM, Actor

DIAGRAM = ROOT / "bpmn" / "window-acceptance" / "window_acceptance.bpmn"
PROCESS = "window_acceptance"
# The diagram's five user tasks in order: (bpmn id, name, which of the department's groups, due days, priority).
STEPS = [("accept", "受理审查（综合窗口）", "window", 1, 60), ("review", "审查（业务科室）", "review", 5, 50),
         ("decide", "审批决定（首席事务代表）", "review", 2, 50), ("certify", "制证", "window", 2, 50),
         ("deliver", "统一出件（送达）", "window", 1, 50)]
# What each step is completed with when a template case runs for real (the workflow bench's answers).
ANSWERS: list[tuple[str, dict[str, Any]]] = [("window", {"decision": "accept", "applicant_name": "张三", "materials_complete": True}),
           ("review", {"review_opinion": "材料齐全，符合条件"}),
           ("chief", {"approved": True, "decision_opinion": "准予许可"}),
           ("certificate", {"certificate_no": "JY13101010000001"}),
           ("window", {"delivery_method": "window"})]
DEPARTMENTS = 20  # two groups each (window, review): 40 groups; one item (process key) each
QUERY_CODE = "BENCH234"  # every case's query code (one scrypt hash, computed once)
WORKER = "bench-worker"
BIG_TABLES = {"process_instances", "tasks", "task_candidates", "history", "jobs", "outbox", "webhook_deliveries",
              "case_departments", "case_clocks", "case_query_codes", "message_subscriptions"}


@dataclass
class Volumes:
    cases: int
    jobs: int

    @classmethod
    def at(cls, scale: float) -> Volumes:
        return cls(cases=int(200_000 * scale), jobs=int(100_000 * scale))


def dept(i: int) -> str:
    return f"D{i:02d}"


def group(i: int, kind: str) -> str:
    return f"d{i:02d}-{kind}"


def item(i: int) -> str:
    return f"item_{i:02d}"


# ---- templates: cases that ran for real --------------------------------------------------------------

@dataclass
class Templates:
    open_blob: bytes  # a case waiting at its second step
    done_blob: bytes  # a case that ran to its end
    definition: dict[str, Any]  # the deployed definition's row, copied once per item
    history_data: dict[str, dict[str, Any]]  # event -> the data the engine wrote with it
    calendar: WorkingCalendar  # CN, as seeded: the clocks' deadlines and used days are counted in it


def run_templates(runtime: Runtime) -> Templates:
    """Deploy the window-acceptance diagram and run two cases through the engine: one to its end, one to
    its second step. Their workflow state and history are what the bulk rows copy."""
    definitions.deploy(runtime.uow(), [(DIAGRAM.name, DIAGRAM.read_bytes())], actor=SYSTEM)
    integrator = Actor("intake", roles=frozenset({"integrator", "clerk"}))
    done, _ = instances.start(runtime.uow(), PROCESS, actor=integrator, business_key="TEMPLATE-DONE",
                              variables={"applicant_name": "张三"})
    waiting, _ = instances.start(runtime.uow(), PROCESS, actor=integrator, business_key="TEMPLATE-OPEN",
                                 variables={"applicant_name": "李四"})
    _complete(runtime, waiting.id, ANSWERS[:1])
    _complete(runtime, done.id, ANSWERS)
    with runtime.uow() as uow:
        s = uow.session
        blobs = dict(s.execute(select(ProcessInstance.id, ProcessInstance.workflow)
                               .where(ProcessInstance.id.in_((done.id, waiting.id)))).all())
        row = s.execute(select(ProcessDefinition.__table__).where(ProcessDefinition.key == PROCESS)).mappings().one()
        history = {e.event: e.data for e in s.scalars(select(HistoryEvent).order_by(HistoryEvent.id))}
        state = s.scalar(select(ProcessInstance.state).where(ProcessInstance.id == done.id))
    if state != "completed":
        raise RuntimeError(f"the template case did not run to its end ({state})")
    return Templates(open_blob=blobs[waiting.id], done_blob=blobs[done.id], definition=dict(row),
                     history_data=history, calendar=calendar.for_runtime(runtime))


def _complete(runtime: Runtime, instance_id: int, answers: list[tuple[str, dict[str, Any]]]) -> None:
    for group_name, variables in answers:
        with runtime.uow() as uow:
            task_id = uow.session.scalar(select(Task.id).where(Task.instance_id == instance_id,
                                                               Task.state == "READY"))
        if task_id is None:
            raise RuntimeError(f"the template case {instance_id} has no open task for {group_name}")
        clerk = Actor(f"clerk-{group_name}", groups=frozenset({group_name}), roles=frozenset({"clerk"}))
        tasks.claim(runtime.uow(), task_id, actor=clerk)
        tasks.complete(runtime.uow(), task_id, actor=clerk, variables=variables)


# ---- bulk rows ---------------------------------------------------------------------------------------

def _pg_type(column: Any, dialect: Any) -> str:
    """The PostgreSQL type name binary COPY sends a column's values as."""
    name = column.type.compile(dialect).lower().split("(")[0]
    return {"timestamp with time zone": "timestamptz", "varchar": "varchar", "bigint": "int8", "integer": "int4",
            "boolean": "bool"}.get(name, name)


class Writer:
    """Buffers rows per table and writes them in batches, in a thread of its own so that the next batch is
    made while the database stores the last: Core executemany on SQLite, COPY on PostgreSQL (executemany
    would take minutes there). One connection and transaction; only the thread uses it until ``close``."""

    def __init__(self, connection: Connection, batch: int = 20_000) -> None:
        self.connection, self.batch = connection, batch
        self.rows: dict[Table, list[dict[str, Any]]] = {}
        self._batches: queue.Queue[dict[Table, list[dict[str, Any]]] | None] = queue.Queue(maxsize=2)
        self._failed: list[BaseException] = []
        self._thread = threading.Thread(target=self._write, daemon=True)
        self._thread.start()

    def add(self, model: Any, row: dict[str, Any]) -> None:
        buffered = self.rows.setdefault(model.__table__, [])
        buffered.append(row)
        if len(buffered) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if self._failed:
            raise self._failed[0]
        self._batches.put(self.rows)
        self.rows = {}

    def close(self) -> None:
        """Write what is left and wait for it; raises what the thread raised."""
        self.flush()
        self._batches.put(None)
        self._thread.join()
        if self._failed:
            raise self._failed[0]

    def _write(self) -> None:
        while (rows := self._batches.get()) is not None:
            if self._failed:
                continue
            try:
                for table in Base.metadata.sorted_tables:  # parents first: foreign keys hold at each statement
                    if rows.get(table):
                        if self.connection.dialect.name == "postgresql":
                            self._copy(table, rows[table])
                        else:
                            self.connection.execute(insert(table), rows[table])
            except Exception as exc:  # noqa: BLE001 - any failure: handed to the caller at its next flush or close
                self._failed.append(exc)

    def _copy(self, table: Table, rows: list[dict[str, Any]]) -> None:
        columns = list(rows[0])
        json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
        cursor = self.connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        names = ", ".join(f'"{c}"' for c in columns)
        with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types([_pg_type(table.c[c], self.connection.dialect) for c in columns])
            for row in rows:
                # psycopg dumps a JSON column's value itself: a str given here would be stored as a JSON string.
                copy.write_row([Json(row[c]) if c in json_columns else row[c] for c in columns])


@dataclass
class Seeded:
    """What the timed queries pick their arguments from."""

    now: datetime
    clerk_case: int  # a case of the clerk's department
    clerk_case_no: str
    waiting_case_no: str  # a case waiting for the supplement message
    pending_job_due: list[datetime] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def seed(engine: Engine, volumes: Volumes, templates: Templates, rng: random.Random) -> Seeded:
    now = datetime.now(UTC)
    code_hash = query_codes.hash_code(QUERY_CODE)
    weights = [1 / (k ** 0.8) for k in range(1, DEPARTMENTS + 1)]  # a few busy items, a long tail
    with engine.begin() as connection:
        first_id = (connection.scalar(select(func.max(ProcessInstance.id))) or 0) + 1000
        deferred = _defer_indexes(connection)
        connection.execute(insert(Department), [{"code": dept(i), "name": f"部门{i:02d}", "parent_code": None,
                                                 "created_at": now, "updated_at": now}
                                                for i in range(1, DEPARTMENTS + 1)])
        connection.execute(insert(DepartmentGroup), [{"group_name": group(i, kind), "department_code": dept(i)}
                                                     for i in range(1, DEPARTMENTS + 1)
                                                     for kind in ("window", "review")])
        definition_ids = {}
        base = {k: v for k, v in templates.definition.items() if k != "id"}
        for i in range(1, DEPARTMENTS + 1):
            definition_ids[i] = connection.execute(insert(ProcessDefinition).values(
                **{**base, "key": item(i), "name": f"事项{i:02d}（一窗受理）"}).returning(ProcessDefinition.id)).scalar_one()
        hook_id = connection.execute(insert(Webhook).values(url="https://example.invalid/hook", events=[],
                                                           secret="s" * 32, owner="intake", description=None,
                                                           created_at=now).returning(Webhook.id)).scalar_one()
        seeded = Seeded(now=now, clerk_case=0, clerk_case_no="", waiting_case_no="")
        w = Writer(connection)
        for n in range(volumes.cases):
            _case(w, seeded, rng, templates, volumes, n, first_id + n, definition_ids, weights)
        _jobs(w, seeded, rng, volumes, first_id)
        w.close()
        _derived(connection, templates, now, code_hash, hook_id, first_id)
        seeded.counts = {t.name: connection.scalar(select(func.count()).select_from(t)) or 0
                         for t in Base.metadata.sorted_tables if t.name in BIG_TABLES}
        for index in deferred:
            index.create(connection)
        if engine.dialect.name == "postgresql":
            for table in ("process_instances", "overdue_reasons", "process_definitions", "webhooks"):
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                        f"(SELECT max(id) FROM {table}))"))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    return seeded


def _defer_indexes(connection: Connection) -> list[Index]:
    """PostgreSQL: load without the secondary indexes of the big tables (built once afterwards, several
    times faster than row by row) and without foreign-key triggers (the rows are made consistent)."""
    if connection.dialect.name != "postgresql":
        return []
    connection.execute(text("SET LOCAL session_replication_role = replica"))
    connection.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    deferred = [index for table in Base.metadata.sorted_tables if table.name in BIG_TABLES
                for index in table.indexes if not index.unique]
    for index in deferred:
        index.drop(connection)
    return deferred


def _case(w: Writer, seeded: Seeded, rng: random.Random, templates: Templates, volumes: Volumes, n: int,
          case_id: int, definition_ids: dict[int, int], weights: list[float]) -> None:
    """One case and its tasks and candidates, clock, departments; ``_derived`` adds what follows from them."""
    now, total = seeded.now, volumes.cases
    age = 730 * (1 - n / total)  # days: two years of cases, the newest last
    started = now - timedelta(days=age, minutes=rng.randint(0, 600))
    # Old cases are almost all ended; the last quarter is mostly still open.
    open_case = rng.random() < (0.9 if n > 0.75 * total else 0.03)
    k = rng.choices(range(1, DEPARTMENTS + 1), weights)[0]
    other = rng.choice([d for d in range(1, DEPARTMENTS + 1) if d != k]) if rng.random() < 0.3 else None
    business_key = f"SX-{started.year}-{n:07d}"
    if open_case:
        state = "suspended" if rng.random() < 0.02 else "running"
        reached = min(4, int(rng.random() * 5 * min(1.0, age / 20 + 0.3)))  # the step it waits at
        steps_done, ended = reached, None
    else:
        state = "terminated" if rng.random() < 0.05 else "completed"
        steps_done = 1 if rng.random() < 0.15 or state == "terminated" else 5
        reached, ended = None, started + timedelta(days=rng.uniform(3, 20))
    w.add(ProcessInstance, {
        "id": case_id, "definition_id": definition_ids[k], "definition_key": item(k), "business_key": business_key,
        "state": state, "version": 1 + steps_done * 3, "workflow": templates.open_blob if open_case else templates.done_blob,
        "called_versions": {}, "started_by": "intake" if rng.random() < 0.7 else f"clerk-{group(k, 'window')}-1",
        "started_at": started, "ended_at": ended, "updated_at": ended or started + timedelta(days=steps_done * 2),
        "end_reason": "申请人撤回" if state == "terminated" else None, "error": None})
    w.add(CaseDepartment, {"case_id": case_id, "department_code": dept(k), "role": "lead", "since": started})
    if other is not None:
        w.add(CaseDepartment, {"case_id": case_id, "department_code": dept(other), "role": "participant",
                               "since": started + timedelta(days=1)})
    at = started
    for j in range(steps_done + (1 if open_case else 0)):
        bpmn_id, name, kind, due_days, priority = STEPS[j]
        owner = other if other is not None and bpmn_id == "review" else k
        groups = [group(owner, kind)]
        users = [f"chief-{owner:02d}"] if bpmn_id == "decide" else []
        if rng.random() < 0.005:  # nobody named: every clerk's to work
            groups, users = [], []
        created = at + timedelta(hours=rng.uniform(1, 30))
        ready = j >= steps_done
        clerk = f"clerk-{groups[0] if groups else 'any'}-{rng.randint(1, 5)}"
        assignee = clerk if not ready or rng.random() < 0.3 else None
        task_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        ended_at = None if ready else created + timedelta(hours=rng.uniform(1, 72))
        w.add(Task, {
            "id": task_id, "instance_id": case_id, "definition_key": item(k), "business_key": business_key,
            "bpmn_id": bpmn_id, "name": name, "lane": None, "state": "READY" if ready else "COMPLETED",
            "kind": "user", "assignee": assignee, "candidate_groups": groups, "candidate_users": users,
            "due_at": created + timedelta(days=due_days), "follow_up_at": None, "priority": priority,
            "form_key": f"window-{bpmn_id}.form", "properties": {}, "created_at": created,
            "claimed_at": created if assignee else None, "ended_at": ended_at,
            "completed_by": None if ready else clerk})
        for value in groups:
            w.add(TaskCandidate, {"task_id": task_id, "kind": "group", "value": value, "instance_id": case_id})
        for value in users:
            w.add(TaskCandidate, {"task_id": task_id, "kind": "user", "value": value, "instance_id": case_id})
        if ended_at is not None:
            at = ended_at
        if k == 2 and ready and not seeded.clerk_case and n > 0.9 * total:
            seeded.clerk_case, seeded.clerk_case_no = case_id, business_key
    accepted = steps_done >= 1 and state != "terminated"
    if accepted:
        clock_start = started + timedelta(hours=rng.uniform(1, 30))
        paused = open_case and rng.random() < 0.03
        deadline = templates.calendar.deadline_at(clock_start, 15).at  # as the engine stores it
        used = (max(0, templates.calendar.working_days_between(clock_start, ended).days)
                if ended is not None else None)
        w.add(CaseClock, {
            "instance_id": case_id, "promised_days": 15, "statutory_days": 20, "calendar": "CN",
            "started_at": clock_start, "stopped_at": ended, "deadline_at": deadline,
            "provisional": False, "paused_since": now - timedelta(days=2) if paused else None,
            "paused_working_days": 0, "extension_days": 0, "extension_allowance_days": None, "extension_basis": None,
            "state": "stopped" if ended else "paused" if paused else "running", "used_working_days": used})
        if open_case and deadline < now and rng.random() < 0.3:
            w.add(OverdueReason, {"instance_id": case_id, "reason": "材料核查", "category": "other",
                                  "recorded_by": "clerk", "recorded_at": now - timedelta(days=1)})
    if open_case and reached == 1 and rng.random() < 0.1:  # waits for the applicant's supplement
        w.add(MessageSubscription, {"instance_id": case_id, "task_id": str(uuid.uuid4()), "bpmn_id": "supplemented",
                                    "message_name": "materials_supplemented", "business_key": business_key,
                                    "correlations": {}, "created_at": now})
        seeded.waiting_case_no = business_key


def _derived(connection: Connection, templates: Templates, now: datetime, code_hash: str, hook_id: int,
             first_id: int) -> None:
    """What follows from the cases and tasks, written by the database itself (INSERT ... SELECT): history,
    each case's query code, outbox events and their webhook deliveries (of the bulk cases: from ``first_id``)."""
    cases, tasks_, clocks = ProcessInstance.__table__, Task.__table__, CaseClock.__table__

    def data(event_name: str) -> Any:
        return literal(templates.history_data.get(event_name, {}), JSON)

    def rows(source: Any, instance_id: Any, at: Any, event_name: str, *, actor: Any = None, element: Any = None,
             name: Any = None, task_id: Any = None) -> Any:
        return select(instance_id.label("instance_id"), at.label("at"), _or_null(actor).label("actor"),
                      literal(event_name).label("event"), _or_null(element).label("element_id"),
                      _or_null(name).label("element_name"),
                      _or_null("UserTask" if task_id is not None else None).label("element_type"),
                      _or_null(task_id).label("task_id"), data(event_name).label("data")).select_from(source) \
            .where(instance_id >= first_id)

    completed = tasks_.c.state == "COMPLETED"
    trail = union_all(
        rows(cases, cases.c.id, cases.c.started_at, "instance.started", actor=literal("intake")),
        rows(tasks_, tasks_.c.instance_id, tasks_.c.created_at, "task.created", element=tasks_.c.bpmn_id,
             name=tasks_.c.name, task_id=tasks_.c.id),
        rows(tasks_, tasks_.c.instance_id, tasks_.c.ended_at, "task.completed", actor=tasks_.c.completed_by,
             element=tasks_.c.bpmn_id, name=tasks_.c.name, task_id=tasks_.c.id).where(completed),
        rows(clocks, clocks.c.instance_id, clocks.c.started_at, "element.completed",
             element=literal("acceptance_notice")),
        rows(clocks, clocks.c.instance_id, clocks.c.started_at, "clock.started", element=literal("acceptance_notice")),
        rows(cases, cases.c.id, cases.c.ended_at, "instance.completed").where(cases.c.state == "completed"),
        rows(cases, cases.c.id, cases.c.ended_at, "instance.terminated").where(cases.c.state == "terminated"),
    ).subquery()
    columns = ["instance_id", "at", "actor", "event", "element_id", "element_name", "element_type", "task_id", "data"]
    # In time order, as the engine appends them: one case's rows lie among every other case's.
    connection.execute(insert(HistoryEvent).from_select(columns, select(*trail.c).order_by(trail.c.at)))
    connection.execute(insert(CaseQueryCode).from_select(
        ["instance_id", "code_hash", "created_at"], select(cases.c.id, literal(code_hash), cases.c.started_at)
        .where(cases.c.id >= first_id)))
    accepted = exists().where(clocks.c.instance_id == cases.c.id)
    events = union_all(*(
        select(cases.c.id, cases.c.business_key, cases.c.definition_key, cases.c.started_at,
               literal(name).label("event"), (literal(f"bench-{name}-") + cast(cases.c.id, String)).label("event_id"))
        .where(condition, cases.c.id >= first_id) for name, condition in (("instance.started", true()), ("accepted", accepted)))).subquery()
    connection.execute(insert(OutboxEvent).from_select(
        ["instance_id", "business_key", "definition_key", "created_at", "event", "event_id", "data"],
        select(events.c.id, events.c.business_key, events.c.definition_key, events.c.started_at, events.c.event,
               events.c.event_id, literal({"actor": "intake"}, JSON)).order_by(events.c.started_at)))
    # The receiver was down for the last two days' events, some of them: they wait for a retry in ten
    # minutes; one in a thousand older ones went dead.
    outbox_ = OutboxEvent.__table__
    pending = and_(outbox_.c.created_at > now - timedelta(days=2), outbox_.c.id % 10 < 3)
    state = case((pending, "pending"), (outbox_.c.id % 1000 == 0, "dead"), else_="delivered")
    connection.execute(insert(WebhookDelivery).from_select(
        ["webhook_id", "outbox_id", "instance_id", "state", "attempts", "next_attempt_at", "last_status",
         "delivered_at", "created_at"],
        select(literal(hook_id), outbox_.c.id, outbox_.c.instance_id, state,
               literal(1), case((pending, literal(now + timedelta(minutes=10), UtcDateTime())),
                                                  else_=outbox_.c.created_at),
               case((pending, None), else_=200), case((state == "delivered", outbox_.c.created_at), else_=None),
               outbox_.c.created_at).order_by(outbox_.c.id)))


def _or_null(value: Any) -> Any:
    return value if value is not None and not isinstance(value, str) else literal(value, String())


def _jobs(w: Writer, seeded: Seeded, rng: random.Random, volumes: Volumes, first_id: int) -> None:
    """Timer jobs: almost all fired long ago, a few cancelled or failed, 2% pending over the next month."""
    for _ in range(volumes.jobs):
        n = rng.randrange(volumes.cases)
        roll = rng.random()
        state = "pending" if roll < 0.02 else "cancelled" if roll < 0.06 else "failed" if roll < 0.0605 else "done"
        due = seeded.now + timedelta(days=rng.uniform(0.01, 30)) if state == "pending" else \
            seeded.now - timedelta(days=730 * (1 - n / volumes.cases))
        if state == "pending":
            seeded.pending_job_due.append(due)
        w.add(Job, {"instance_id": first_id + n, "task_id": str(uuid.uuid4()),
                    "bpmn_id": "review_reminder", "kind": "timer", "due_at": due, "state": state,
                    "attempts": 6 if state == "failed" else 0, "lock_owner": None, "lock_expires_at": None,
                    "last_error": "boom" if state == "failed" else None, "created_at": due - timedelta(days=5)})


# ---- measuring ---------------------------------------------------------------------------------------

@dataclass
class Statement:
    sql: str
    parameters: Any
    ms: float


class Recorder:
    """The statements the engine sends, with their time (execute, including the fetch psycopg does there).

    On SQLite it also stops a statement once the run passed its time limit (``deadline``): without it one
    quadratic plan would hold the benchmark for hours."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements: list[Statement] = []
        self.deadline: float | None = None
        self._running: list[tuple[float, str, Any, bool]] = []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if conn.dialect.name == "sqlite":
            conn.connection.driver_connection.set_progress_handler(self._stop, 10_000)
        self._running.append((time.perf_counter(), statement, parameters, many))

    def _after(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        started, _, _, _ = self._running.pop()
        if not many:
            self.statements.append(Statement(statement, parameters, 1000 * (time.perf_counter() - started)))

    def _stop(self) -> int:
        return int(self.deadline is not None and time.perf_counter() > self.deadline)

    def take(self) -> list[Statement]:
        """The statements since the last take, with the one a stop interrupted."""
        for started, statement, parameters, many in self._running:
            if not many:
                self.statements.append(Statement(statement, parameters, 1000 * (time.perf_counter() - started)))
        taken, self.statements, self._running = self.statements, [], []
        return taken


@dataclass
class Query:
    name: str
    run: Callable[[], int]  # returns the rows the reader gets
    after: Callable[[], None] | None = None  # undoes what a run changed (untimed)
    runs: int | None = None  # fewer runs for the slow ones


@dataclass
class Result:
    query: Query
    median_ms: float
    sql_ms: float
    statements: int
    rows: int
    recorded: list[Statement]
    stopped: bool = False  # a run passed the time limit and was stopped (SQLite)


def measure(query: Query, recorder: Recorder, runs: int, limit: float) -> Result:
    """Median of ``runs`` runs after a warm-up (caches: specs, calendars, rules; plans). A run over
    ``limit`` seconds (SQLite only) ends the query's measurement: it is reported as stopped."""
    times, sql, rows, recorded = [], [], 0, []
    for number in range(1 + (query.runs or runs)):
        recorder.take()
        recorder.deadline = time.perf_counter() + limit
        started = time.perf_counter()
        try:
            rows = query.run()
        except OperationalError as exc:
            if "interrupted" not in str(exc):
                raise
            statements = recorder.take()
            return Result(query, 1000 * (time.perf_counter() - started), sum(s.ms for s in statements),
                          len(statements), 0, statements, stopped=True)
        finally:
            recorder.deadline = None
        elapsed = 1000 * (time.perf_counter() - started)
        statements = recorder.take()
        if number:  # the first run warms up
            times.append(elapsed)
            sql.append(sum(s.ms for s in statements))
            recorded = statements
        if query.after:
            query.after()
            recorder.take()
    return Result(query, statistics.median(times), statistics.median(sql), len(recorded), rows, recorded)


def queries(runtime: Runtime, seeded: Seeded) -> list[Query]:
    clerk = Actor("clerk-d02-window-1", groups=frozenset({group(2, "window"), group(2, "review")}),
                  roles=frozenset({"clerk"}))
    supervisor = Actor("supervisor", roles=frozenset({"supervisor"}))
    integrator = Actor("intake", roles=frozenset({"integrator"}))
    now = seeded.now
    # A poll when some are due: the 300th pending job's (delivery's) time, so that a claim finds 50 or more.
    job_busy = sorted(seeded.pending_job_due)[min(300, len(seeded.pending_job_due) - 1)]
    delivery_busy = now + timedelta(minutes=11)  # the failed deliveries' retry time has come (_derived)

    def task_list(actor: Actor, **where: Any) -> Callable[[], int]:
        return lambda: tasks.list_tasks(runtime.uow(), actor=actor, where=tasks.TaskFilter(**where))[1]

    def release(model: Any) -> Callable[[], None]:
        def run() -> None:
            with runtime.engine.begin() as connection:
                connection.execute(model.__table__.update().where(model.lock_owner == WORKER)
                                   .values(lock_owner=None, lock_expires_at=None))
        return run

    def message() -> int:
        try:
            instances.send_message(runtime.uow(), "materials_supplemented", actor=integrator,
                                   business_key=seeded.clerk_case_no)
        except NotFound:
            return 0
        raise RuntimeError("the message reached a case: the benchmark data changed")

    return [
        Query("tasks: clerk, group queue unclaimed", task_list(clerk, candidate_group=group(2, "window"),
                                                               unassigned=True)),
        Query("tasks: clerk, mine", task_list(clerk, mine=True)),
        Query("tasks: clerk, all visible", task_list(clerk)),
        Query("tasks: clerk, overdue (due_before)", task_list(clerk, due_before=now)),
        Query("tasks: clerk, page 10 by created", task_list(clerk, sort="-created", offset=450)),
        Query("tasks: clerk, business key", task_list(clerk, business_key=seeded.clerk_case_no)),
        Query("tasks: supervisor, all by priority", task_list(supervisor, sort="priority")),
        Query("tasks: supervisor, one item", task_list(supervisor, process_key=item(2))),
        Query("inbox page: clerk, all", lambda: inbox.inbox(runtime.uow(), actor=clerk,
                                                            query=inbox.InboxQuery()).total),
        Query("inbox page: clerk, due soon", lambda: inbox.inbox(
            runtime.uow(), actor=clerk, query=inbox.InboxQuery(urgency="due_soon")).total),
        Query("cases: clerk (department scope)", lambda: instances.list_instances(runtime.uow(), actor=clerk)[1]),
        Query("cases: clerk, running", lambda: instances.list_instances(runtime.uow(), actor=clerk,
                                                                        state="running")[1]),
        Query("cases: clerk, business key", lambda: instances.list_instances(
            runtime.uow(), actor=clerk, business_key=seeded.clerk_case_no)[1]),
        Query("cases: supervisor, running", lambda: instances.list_instances(runtime.uow(), actor=supervisor,
                                                                             state="running")[1]),
        Query("case history: clerk", lambda: len(instances.history(runtime.uow(), seeded.clerk_case, actor=clerk))),
        Query("supervision board (warnings, first page)", lambda: supervision_board.board(
            runtime.uow(), actor=supervisor, limit=100).total, runs=2),
        Query("supervision: red cases", lambda: len(supervision.list_cases(runtime.uow(), actor=supervisor,
                                                                           level=supervision.RED)), runs=2),
        Query("supervision sweep (nothing new)", lambda: sum(supervision_sweep.sweep(runtime.uow()).values()),
              runs=2),
        Query("jobs: poll, nothing due (run_due)", lambda: jobs.run_due(runtime, worker_id=WORKER, now=now)),
        Query("jobs: claim 50 due", lambda: len(jobs.claim_due(runtime.uow(), worker_id=WORKER, now=job_busy)),
              after=release(Job)),
        Query("webhooks: poll, nothing due", lambda: len(delivery.claim_due(
            runtime.uow(), worker_id=WORKER, now=now - timedelta(minutes=5)))),
        Query("webhooks: claim 20 due", lambda: len(delivery.claim_due(runtime.uow(), worker_id=WORKER,
                                                                        now=delivery_busy)),
              after=release(WebhookDelivery)),
        Query("message: nobody waits (lookup)", message),
        Query("public progress (case no + code)", lambda: len(progress.public_progress(
            runtime.uow(), seeded.waiting_case_no, QUERY_CODE).steps)),
    ]


# ---- plans -------------------------------------------------------------------------------------------

@dataclass
class Plan:
    top: str
    ms: float | None  # PostgreSQL's actual total time
    indexed: bool
    full_scans: list[str]  # whole-table scans and sorts over the big tables


def explain(engine: Engine, statement: Statement) -> Plan | None:
    sql = statement.sql.lstrip()
    verb = sql.split(None, 1)[0].upper()
    if verb not in ("SELECT", "UPDATE", "WITH", "DELETE", "INSERT"):
        return None
    with engine.connect() as connection:
        try:
            if engine.dialect.name == "postgresql":
                raw = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}",
                                                 statement.parameters).scalar()
                plan = raw if isinstance(raw, list) else json.loads(str(raw))
                return _pg_plan(plan[0])
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", statement.parameters).all()
            return _sqlite_plan([r[3] for r in rows])
        finally:
            connection.rollback()


def _pg_plan(found: dict[str, Any]) -> Plan:
    root = found["Plan"]
    nodes = list(_nodes(root))
    indexed = any("Index" in n["Node Type"] for n in nodes)
    scans = []
    for n in nodes:
        relation = n.get("Relation Name")
        rows = n.get("Actual Rows", 0) * n.get("Actual Loops", 1) + n.get("Rows Removed by Filter", 0) * n.get(
            "Actual Loops", 1)
        if n["Node Type"] in ("Seq Scan", "Parallel Seq Scan") and relation in BIG_TABLES:
            scans.append(f"seq scan {relation} ({rows:,.0f} rows read)")
        if n["Node Type"] in ("Sort", "Incremental Sort") and n.get("Actual Rows", 0) * n.get("Actual Loops", 1) > 5000:
            scans.append(f"sort of {n['Actual Rows'] * n.get('Actual Loops', 1):,} rows "
                         f"({n.get('Sort Method', '?')})")
    top = root["Node Type"]
    if root.get("Relation Name"):
        top += f" on {root['Relation Name']}"
    if root.get("Index Name"):
        top += f" using {root['Index Name']}"
    return Plan(top, found.get("Execution Time"), indexed, scans)


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def _sqlite_plan(details: list[str]) -> Plan:
    indexed = any("INDEX" in d or "PRIMARY KEY" in d for d in details)
    scans = [d for d in details if (d.startswith("SCAN ") and d.split()[1] in BIG_TABLES
                                    and "INDEX" not in d) or "TEMP B-TREE" in d]
    return Plan(details[0] if details else "?", None, indexed, scans)


def plan_lines(engine: Engine, result: Result, verbose: bool) -> list[str]:
    """Each distinct statement of the query's last run, explained at once (the cache as the run left it)."""
    seen: dict[str, tuple[Statement, int]] = {}
    for s in result.recorded:
        held = seen.get(s.sql)
        seen[s.sql] = (held[0] if held and held[0].ms >= s.ms else s, (held[1] if held else 0) + 1)
    lines = []
    for number, (s, times) in enumerate(seen.values(), 1):
        plan = explain(engine, s)
        if plan is None:
            continue
        ms = plan.ms if plan.ms is not None else s.ms
        flags = "index" if plan.indexed else "NO INDEX"
        lines.append(f"  #{number} {ms:7.1f} ms x{times:<3} {flags:<8} {plan.top}")
        lines.append(f"      {' '.join(s.sql.split())[:100]}")
        lines += [f"      ! {scan}" for scan in plan.full_scans]
        if verbose:
            lines.append(f"      {s.parameters}")
    return lines


def report(results: list[Result], plans: list[list[str]]) -> None:
    width = max(len(r.query.name) for r in results)
    print(f"\n{'query':<{width}}  {'median ms':>9}  {'SQL ms':>7}  {'stmts':>5}  {'rows':>7}")
    for r in results:
        median = f">{r.median_ms:.0f}" if r.stopped else f"{r.median_ms:.1f}"
        print(f"{r.query.name:<{width}}  {median:>9}  {r.sql_ms:>7.1f}  {r.statements:>5}  "
              f"{'stopped' if r.stopped else r.rows:>7}")
    print("\nplans (each distinct statement of the last run: ms (EXPLAIN ANALYZE's on PostgreSQL, the run's own "
          "on SQLite), times run, index used, top node; ! scans of whole big tables, big sorts)")
    for r, lines in zip(results, plans):
        print(f"\n{r.query.name}")
        print("\n".join(lines))


# ---- main --------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scale", type=float, help="volumes relative to 200,000 cases (SQLite default 0.25)")
    parser.add_argument("--server", default=os.environ.get("BENCH_POSTGRES_URL",
                                                           "postgresql://postgres@127.0.0.1:5432/test"),
                        help="any database on the PostgreSQL server; the benchmark creates its own beside it")
    parser.add_argument("--sqlite", action="store_true", help="run on a SQLite file instead")
    parser.add_argument("--file", type=Path, help="with --sqlite: the file to build (kept); default a temporary one")
    parser.add_argument("--only", help="time only the queries whose name contains this")
    parser.add_argument("--verbose", action="store_true", help="print each statement's parameters too")
    parser.add_argument("--limit", type=float, default=30.0,
                        help="SQLite: stop a query whose run takes longer than this many seconds")
    parser.add_argument("--keep", action="store_true", help="PostgreSQL: leave the database for inspection")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the cleanup below still runs
    scale = args.scale if args.scale is not None else 0.25 if args.sqlite else 1.0
    workdir = Path(tempfile.mkdtemp(prefix="govflow-bench-"))
    admin, name = None, f"govflow_bench_{os.getpid()}"
    if args.sqlite:
        path = args.file or workdir / "queues.db"
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        admin = create_engine(normalise_url(args.server), isolation_level="AUTOCOMMIT")
        url = args.server.rsplit("/", 1)[0] + "/" + name
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    runtime = Runtime(Settings(database_url=url, data_dir=workdir))
    try:
        schema.upgrade(runtime.engine)
        calendar.seed_national(runtime.uow())
        templates = run_templates(runtime)
        volumes = Volumes.at(scale)
        started = time.perf_counter()
        seeded = seed(runtime.engine, volumes, templates, random.Random(42))
        print(f"{runtime.engine.dialect.name}, scale {scale}: loaded in {time.perf_counter() - started:.0f}s "
              f"({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f})")
        print("  " + ", ".join(f"{t} {c:,}" for t, c in sorted(seeded.counts.items())))
        with runtime.uow() as uow:
            open_tasks = uow.session.scalar(select(func.count()).where(Task.state == "READY"))
        print(f"  open tasks {open_tasks:,}")
        recorder = Recorder(runtime.engine)
        selected = [q for q in queries(runtime, seeded) if not args.only or args.only in q.name]
        results, plans = [], []
        for query in selected:
            results.append(measure(query, recorder, args.runs, args.limit))
            recorder.close()  # the EXPLAINs are not the query's
            plans.append(plan_lines(runtime.engine, results[-1], args.verbose))
            recorder = Recorder(runtime.engine)
            print(f"  timed {query.name}: {results[-1].median_ms:.1f} ms", flush=True)
        recorder.close()
        report(results, plans)
    finally:
        runtime.dispose()
        if admin is not None and args.keep:
            print(f"kept {url}")
        elif admin is not None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
