"""supervision: configurable rules, supervision events (once per case, kind and task), overdue reasons

Revision ID: 0011
Revises: 0010
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "supervision_rules",
        sa.Column("scope", sa.String(255), primary_key=True),
        sa.Column("remind_days", sa.Integer(), nullable=True),
        sa.Column("step_overrun", sa.Boolean(), nullable=True),
        sa.Column("updated_by", sa.String(100), nullable=True),
        sa.Column("updated_at", When, nullable=False),
    )
    op.create_table(
        "supervision_events",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("instance_id", BigId, sa.ForeignKey("process_instances.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("task_id", sa.String(36), nullable=False),
        sa.Column("business_key", sa.String(50), nullable=False),
        sa.Column("process_key", sa.String(255), nullable=False),
        sa.Column("due_at", When, nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.UniqueConstraint("instance_id", "kind", "task_id", name="uq_supervision_events_once"),
    )
    op.create_index("ix_supervision_events_created", "supervision_events", ["created_at", "id"])
    op.create_table(
        "overdue_reasons",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("instance_id", BigId, sa.ForeignKey("process_instances.id", ondelete="CASCADE"), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("category", sa.String(50), nullable=True),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", When, nullable=False),
    )
    op.create_index("ix_overdue_reasons_instance", "overdue_reasons", ["instance_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_overdue_reasons_instance", table_name="overdue_reasons")
    op.drop_table("overdue_reasons")
    op.drop_index("ix_supervision_events_created", table_name="supervision_events")
    op.drop_table("supervision_events")
    op.drop_table("supervision_rules")
