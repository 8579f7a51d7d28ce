"""overdue_reasons: a supervisor's verdict on the recorded reason (SX45)

An overdue case needs a recorded reason, and the cases overdue without a justified one are reported
(通报). A supervisor judges the case's latest reason justified or unjustified, with an opinion (required for
an unjustified one: what the report says); a reason recorded later is judged afresh. Reasons recorded
before this revision are not judged yet.

Revision ID: 0038
Revises: 0037
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("overdue_reasons") as batch:
        batch.add_column(sa.Column("verdict", sa.String(20), nullable=True))
        batch.add_column(sa.Column("verdict_opinion", sa.Text(), nullable=True))
        batch.add_column(sa.Column("verdict_by", sa.String(100), nullable=True))
        batch.add_column(sa.Column("verdict_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("overdue_reasons") as batch:
        for column in ("verdict_at", "verdict_by", "verdict_opinion", "verdict"):
            batch.drop_column(column)
