"""materials: an upload withdrawn by the window before acceptance (a wrong file, the wrong scan)

The row stays, so the archive and the history keep what was submitted; who withdrew it, when and why are
kept on it, and the checklist no longer counts it.

Revision ID: 0023
Revises: 0022
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("materials") as table:
        table.add_column(sa.Column("withdrawn_by", sa.String(100), nullable=True))
        table.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("withdrawn_reason", sa.String(500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("materials") as table:
        table.drop_column("withdrawn_reason")
        table.drop_column("withdrawn_at")
        table.drop_column("withdrawn_by")
