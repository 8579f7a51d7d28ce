"""process_instances: the applicant's name, to find a case by (申请人)

The window finds a case by its applicant's name (the queue, the case list, ``GET /api/tasks`` and
``GET /api/process-instances`` take ``applicant``). The name lives in the case's variables, inside its
serialized state: every save now writes it to ``applicant_name`` (engine.execution.applicant_of), indexed.

Existing cases get it here from their stored state, read as the engine reads a case's variables
(engine.execution.case_variables): SpiffWorkflow keeps the root task's data whole and every other task's as
the changes from its parent's, so each task's data is its parent's with its own changes; the case's variables
are those of the last task run, then of each open task, then (a completed case) the workflow's own. The
first of ``applicant``, ``applicantName``, ``applicant_name``, ``申请人`` holding text names the applicant,
read as NFKC, trimmed, at most 100 characters. A state that cannot be read, or names no applicant, leaves the
column empty; so does a name its diagram (or a called process's version it pinned) declares confidential
(``govflow.confidential``). The cases are read in batches of ids, their state one batch at a time.

Revision ID: 0028
Revises: 0027
"""
from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

BATCH = 200
INDEX = "ix_process_instances_applicant_name"
APPLICANT_KEYS = ("applicant", "applicantName", "applicant_name", "申请人")
LENGTH = 100
PROCESS_KEY = "#process"  # a process's own metadata among its elements (engine.bpmn_xml)
CONFIDENTIAL = "govflow.confidential"
_SEPARATORS = re.compile(r"[\s,，、;；]+")
# SpiffWorkflow's task states (SpiffWorkflow.util.task.TaskState): WAITING | READY | STARTED are open.
_OPEN = 8 | 16 | 32

_INSTANCES = sa.table("process_instances", sa.column("id", sa.Integer), sa.column("definition_id", sa.Integer),
                      sa.column("called_versions", sa.JSON), sa.column("workflow", sa.LargeBinary),
                      sa.column("applicant_name", sa.String))
_DEFINITIONS = sa.table("process_definitions", sa.column("id", sa.Integer), sa.column("key", sa.String),
                        sa.column("elements", sa.JSON))


def upgrade() -> None:
    # Plain ADD COLUMN (SQLite has it): a batch rebuild of process_instances would drop the old table, and
    # with foreign keys on (a plain alembic run) that deletes every row pointing at a case.
    op.add_column("process_instances", sa.Column("applicant_name", sa.String(LENGTH), nullable=True))
    op.create_index(INDEX, "process_instances", ["applicant_name"])
    _backfill(op.get_bind())


def downgrade() -> None:
    op.drop_index(INDEX, table_name="process_instances")
    op.drop_column("process_instances", "applicant_name")


def _backfill(connection: sa.Connection) -> None:
    hidden = _confidential_names(connection)
    update = sa.update(_INSTANCES).where(_INSTANCES.c.id == sa.bindparam("case_id")).values(
        applicant_name=sa.bindparam("name"))
    last = 0
    while True:
        rows = connection.execute(
            sa.select(_INSTANCES.c.id, _INSTANCES.c.definition_id, _INSTANCES.c.called_versions,
                      _INSTANCES.c.workflow).where(_INSTANCES.c.id > last).order_by(_INSTANCES.c.id).limit(BATCH)).all()
        if not rows:
            return
        last = rows[-1].id
        found = []
        for row in rows:
            secret: set[str] = set()
            for definition_id in (row.definition_id, *_pinned(row.called_versions)):
                secret |= hidden.get(definition_id, set())
            name = applicant(row.workflow, frozenset(secret))
            if name is not None:
                found.append({"case_id": row.id, "name": name})
        if found:
            connection.execute(update, found)


def _pinned(called_versions: Any) -> list[Any]:
    if isinstance(called_versions, str):  # a JSON column some drivers hand back as text
        called_versions = json.loads(called_versions or "{}")
    return list((called_versions or {}).values()) if isinstance(called_versions, dict) else []


def _confidential_names(connection: sa.Connection) -> dict[int, set[str]]:
    """Per definition id, the variable names its process declares confidential (most declare none)."""
    found: dict[int, set[str]] = {}
    for row in connection.execute(sa.select(_DEFINITIONS.c.id, _DEFINITIONS.c.key, _DEFINITIONS.c.elements)):
        elements = json.loads(row.elements) if isinstance(row.elements, str) else row.elements
        properties = (((elements or {}).get(row.key) or {}).get(PROCESS_KEY) or {}).get("properties") or {}
        names = {name for name in _SEPARATORS.split(str(properties.get(CONFIDENTIAL) or "")) if name}
        if names:
            found[row.id] = names
    return found


def applicant(workflow: bytes | None, hidden: frozenset[str] = frozenset()) -> str | None:
    """The applicant's name a stored case state holds, as the engine now keeps it; None when there is none
    or the state cannot be read."""
    try:
        state = json.loads(bytes(workflow or b"{}"))
        data = _case_variables(state)
    except (ValueError, TypeError, AttributeError, KeyError, RecursionError):
        return None
    for key in APPLICANT_KEYS:
        value = data.get(key)
        if key in hidden or not isinstance(value, str):
            continue
        name = unicodedata.normalize("NFKC", value).strip()[:LENGTH].strip()
        if name:
            return name
    return None


def _case_variables(state: dict[str, Any]) -> dict[str, Any]:
    """The variables of a serialized workflow: the last task's, then its open tasks' (those of its sub-
    processes too), then the workflow's own once completed."""
    data: dict[str, Any] = {}
    tasks = _task_data(state)
    for sub in (state.get("subprocesses") or {}).values():
        tasks.update(_task_data(sub))
    last = state.get("last_task")
    if last in tasks:
        data.update(tasks[last][1])
    for task_state, task_data in tasks.values():
        if task_state & _OPEN:
            data.update(task_data)
    if state.get("completed"):
        data.update(state.get("data") or {})
    return data


def _task_data(workflow: dict[str, Any]) -> dict[str, tuple[int, dict[str, Any]]]:
    """Task id -> (state, data) of one serialized workflow, in tree order from its root: a task's data is its
    parent's with its own updates and deletions (SpiffWorkflow's TaskConverter), a root's is whole."""
    tasks = workflow.get("tasks") or {}
    found: dict[str, tuple[int, dict[str, Any]]] = {}
    root = workflow.get("root")
    pending: list[tuple[str, dict[str, Any] | None]] = [(root, None)] if root in tasks else []
    while pending:
        task_id, parent = pending.pop()
        task = tasks.get(task_id)
        if task is None or task_id in found:
            continue
        delta = task.get("delta")
        if delta and parent is not None:
            data = {**parent, **(delta.get("updates") or {})}
            for key in delta.get("deletions") or []:
                data.pop(key, None)
        else:
            data = dict(task.get("data") or {})
        found[task_id] = (int(task.get("state") or 0), data)
        pending.extend((child, data) for child in reversed(task.get("children") or []))
    return found
