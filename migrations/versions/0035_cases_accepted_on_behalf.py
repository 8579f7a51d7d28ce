"""process_instances: whether a case was accepted on another department's behalf (委托受理)

Every new user task asks whether its case was accepted under an entrustment (its front-desk steps then go
to the agent's window: engine.delegations). The case row says so, so that an ordinary case answers without
reading ``case_delegations``; existing cases take it from that table.

Revision ID: 0035
Revises: 0034
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (SQLite has it): a batch rebuild of process_instances would drop the old table, and
    # with foreign keys on that deletes every row pointing at a case.
    op.add_column("process_instances", sa.Column("accepted_on_behalf", sa.Boolean(), nullable=False,
                                                 server_default=sa.false()))
    op.execute("UPDATE process_instances SET accepted_on_behalf = true "
               "WHERE id IN (SELECT case_id FROM case_delegations)")


def downgrade() -> None:
    op.drop_column("process_instances", "accepted_on_behalf")
