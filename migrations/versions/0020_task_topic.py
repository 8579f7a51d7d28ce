"""tasks: an external task's topic, its worker's lock expiry, and a failure its worker reported

A worker polls the topic it serves (Camunda's fetch-and-lock is by topic): the topic is stored on the task
row, indexed with the state and due date its queue is read by. A claim may lapse (``lock_expires_at``), and
a worker may report that the work failed (``failed_at``, ``error_message``): the task then waits for a
supervisor instead of being offered to workers again.

Definitions deployed before this revision keep the element descriptions of their deploy: their external
tasks' topics are worked out again here from the deployed diagrams (a Java hook's topic is now its class
name or expression), and open external tasks get the topic of their element.

Revision ID: 0020
Revises: 0019
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

_DEFINITIONS = sa.table("process_definitions", sa.column("id", sa.Integer), sa.column("key", sa.String),
                        sa.column("resource_id", sa.Integer), sa.column("resource_name", sa.String),
                        sa.column("elements", sa.JSON))
_RESOURCES = sa.table("resources", sa.column("id", sa.Integer), sa.column("content", sa.LargeBinary))
_INSTANCES = sa.table("process_instances", sa.column("id", sa.Integer), sa.column("definition_id", sa.Integer),
                      sa.column("called_versions", sa.JSON))
_TASKS = sa.table("tasks", sa.column("id", sa.String), sa.column("instance_id", sa.Integer),
                  sa.column("bpmn_id", sa.String), sa.column("kind", sa.String), sa.column("state", sa.String),
                  sa.column("topic", sa.String))
_EXTERNAL_KEYS = ("topic", "topic_expression", "error_variables")


# Plain ADD and DROP COLUMN (SQLite has both): a batch rebuild of the tasks table would drop the old table,
# and with foreign keys on (a plain alembic run) that deletes every task's candidates.
def _columns() -> list[sa.Column[Any]]:
    return [sa.Column("topic", sa.String(255), nullable=True),
            sa.Column("lock_expires_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("error_message", sa.Text(), nullable=True)]


def upgrade() -> None:
    for column in _columns():
        op.add_column("tasks", column)
    op.create_index("ix_tasks_topic_state_due", "tasks", ["topic", "state", "due_at"])
    connection = op.get_bind()
    elements = _redescribe_external_tasks(connection)
    _backfill_open_tasks(connection, elements)


def downgrade() -> None:
    op.drop_index("ix_tasks_topic_state_due", table_name="tasks")
    for column in reversed(_columns()):
        op.drop_column("tasks", column.name)


def _redescribe_external_tasks(connection: Any) -> dict[int, dict[str, Any]]:
    """Each definition's external-task descriptions as this revision's deploy writes them; returns every
    definition's elements (id -> element id -> description) for the backfill."""
    from engine import diagrams  # the deploy's own reading of a diagram

    found: dict[int, dict[str, Any]] = {}
    rows = connection.execute(sa.select(_DEFINITIONS.c.id, _DEFINITIONS.c.key, _DEFINITIONS.c.resource_name,
                                        _DEFINITIONS.c.elements, _RESOURCES.c.content)
                              .join(_RESOURCES, _RESOURCES.c.id == _DEFINITIONS.c.resource_id)).all()
    for row in rows:
        stored = dict(row.elements or {})
        mine = dict(stored.get(row.key) or {})
        found[row.id] = mine
        external = [element_id for element_id, meta in mine.items() if meta.get("type") == "externalTask"]
        if not external:
            continue
        fresh = diagrams.prepare(row.resource_name, bytes(row.content)).elements.get(row.key, {})
        for element_id in external:
            meta = {k: v for k, v in mine[element_id].items() if k not in _EXTERNAL_KEYS}
            meta.update({k: v for k, v in (fresh.get(element_id) or {}).items() if k in _EXTERNAL_KEYS})
            mine[element_id] = meta
        stored[row.key] = mine
        connection.execute(sa.update(_DEFINITIONS).where(_DEFINITIONS.c.id == row.id).values(elements=stored))
    return found


def _backfill_open_tasks(connection: Any, elements: dict[int, dict[str, Any]]) -> None:
    """Open external tasks take their element's topic: the case's own process first, then the versions of
    the processes it called. A topic written as an expression is left empty (it needs the task's data)."""
    rows = connection.execute(
        sa.select(_TASKS.c.id, _TASKS.c.bpmn_id, _INSTANCES.c.definition_id, _INSTANCES.c.called_versions)
        .join(_INSTANCES, _INSTANCES.c.id == _TASKS.c.instance_id)
        .where(_TASKS.c.kind == "external", _TASKS.c.state.in_(("READY", "SUSPENDED")))).all()
    for row in rows:
        for definition_id in (row.definition_id, *(row.called_versions or {}).values()):
            topic = (elements.get(definition_id, {}).get(row.bpmn_id) or {}).get("topic")
            if topic:
                connection.execute(sa.update(_TASKS).where(_TASKS.c.id == row.id).values(topic=topic))
                break
