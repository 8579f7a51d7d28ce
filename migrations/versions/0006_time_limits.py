"""statutory time limits: case clocks and special procedures

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "case_clocks",
        sa.Column("instance_id", BigId, sa.ForeignKey("process_instances.id", ondelete="CASCADE"),
                  primary_key=True, autoincrement=False),
        sa.Column("promised_days", sa.Integer(), nullable=False),
        sa.Column("statutory_days", sa.Integer(), nullable=True),
        sa.Column("calendar", sa.String(50), nullable=False),
        sa.Column("started_at", When, nullable=False),
        sa.Column("stopped_at", When, nullable=True),
        sa.Column("deadline_at", When, nullable=False),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("paused_since", When, nullable=True),
        sa.Column("paused_working_days", sa.Integer(), nullable=False),
        sa.Column("extension_days", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
    )
    op.create_index("ix_case_clocks_state_deadline", "case_clocks", ["state", "deadline_at"])
    op.create_index("ix_case_clocks_provisional", "case_clocks", ["provisional", "state"])

    op.create_table(
        "special_procedures",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("instance_id", BigId, sa.ForeignKey("process_instances.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("started_at", When, nullable=False),
        sa.Column("ended_at", When, nullable=True),
        sa.Column("reason_or_basis", sa.Text(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("opinion", sa.Text(), nullable=True),
        sa.Column("element_id", sa.String(255), nullable=True),
        sa.Column("task_id", sa.String(36), nullable=True),
        sa.Column("days", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(100), nullable=True),
    )
    op.create_index("ix_special_procedures_instance", "special_procedures", ["instance_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_special_procedures_instance", table_name="special_procedures")
    op.drop_table("special_procedures")
    op.drop_index("ix_case_clocks_provisional", table_name="case_clocks")
    op.drop_index("ix_case_clocks_state_deadline", table_name="case_clocks")
    op.drop_table("case_clocks")
