"""task candidates: the task's case, copied, with an index by (kind, value, case)

A department clerk's case list (engine.case_access) reads "the cases of the tasks that list me or my
groups". Through the tasks table that meant joining every task ever reached: on PostgreSQL a scan of all
of them, 70 ms of a 190 ms list at 50,000 cases (bench/queues.py). With the case beside the candidate, the
index answers alone.

Revision ID: 0018
Revises: 0017
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column("task_candidates", sa.Column("instance_id", _BIG_ID, nullable=True))
    # Rows whose task is gone cannot exist with foreign keys on (they cascade); should one, it would stop
    # the column from becoming NOT NULL, and it names no one's task.
    op.execute(sa.text("DELETE FROM task_candidates WHERE task_id NOT IN (SELECT id FROM tasks)"))
    op.execute(sa.text("UPDATE task_candidates SET instance_id = "
                       "(SELECT tasks.instance_id FROM tasks WHERE tasks.id = task_candidates.task_id)"))
    with op.batch_alter_table("task_candidates") as table:
        table.alter_column("instance_id", existing_type=_BIG_ID, nullable=False)
    op.create_index("ix_task_candidates_case", "task_candidates", ["kind", "value", "instance_id"])


def downgrade() -> None:
    op.drop_index("ix_task_candidates_case", table_name="task_candidates")
    with op.batch_alter_table("task_candidates") as table:
        table.drop_column("instance_id")
