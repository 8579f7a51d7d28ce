"""case clocks: the extension allowance an item's guide sets (a special law's rule instead of Art 42's)

Revision ID: 0013
Revises: 0012
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_clocks") as table:
        table.add_column(sa.Column("extension_allowance_days", sa.Integer(), nullable=True))
        table.add_column(sa.Column("extension_basis", sa.String(500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_clocks") as table:
        table.drop_column("extension_basis")
        table.drop_column("extension_allowance_days")
