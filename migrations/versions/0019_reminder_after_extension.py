"""supervision events: the clock's extension days at the time, part of the once-only key

A case used to get one reminder (yellow) in its life. After an extension (延长审批) its new deadline
comes near again, and the clerks and supervisors must be reminded again: a reminder is now once per
case and extension state, the clock's ``extension_days`` when the sweep recorded it (each extension adds
days, so each gives a new key). Overdue and step-overrun events keep 0: an overdue case cannot be extended.

Revision ID: 0019
Revises: 0018
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("supervision_events") as table:
        table.add_column(sa.Column("extension_days", sa.Integer(), nullable=False, server_default="0"))
        table.drop_constraint("uq_supervision_events_once", type_="unique")
        table.create_unique_constraint("uq_supervision_events_once",
                                       ["instance_id", "kind", "task_id", "extension_days"])


def downgrade() -> None:
    # Keep the first event of each (case, kind, task), as the older key allowed one.
    op.execute(sa.text(
        "DELETE FROM supervision_events WHERE id NOT IN (SELECT min(id) FROM supervision_events "
        "GROUP BY instance_id, kind, task_id)"))
    with op.batch_alter_table("supervision_events") as table:
        table.drop_constraint("uq_supervision_events_once", type_="unique")
        table.create_unique_constraint("uq_supervision_events_once", ["instance_id", "kind", "task_id"])
        table.drop_column("extension_days")
