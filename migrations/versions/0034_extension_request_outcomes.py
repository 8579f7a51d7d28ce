"""extension_requests: the days an approval granted, and why a request lapsed

The agency head may approve fewer working days than requested (``granted_days``). A request still pending when
its case's clock stops (the decision, a withdrawal, a termination, the case's end) lapses: state ``lapsed``,
with how the clock stopped (``lapsed_because``).

Revision ID: 0034
Revises: 0033
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("extension_requests") as batch:
        batch.add_column(sa.Column("granted_days", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("lapsed_because", sa.String(20), nullable=True))
    # Approvals before this revision granted what was requested.
    op.execute("UPDATE extension_requests SET granted_days = days WHERE state = 'approved'")


def downgrade() -> None:
    with op.batch_alter_table("extension_requests") as batch:
        batch.drop_column("lapsed_because")
        batch.drop_column("granted_days")
