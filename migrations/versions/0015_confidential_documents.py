"""documents: whether a document holds a case's confidential variables (engine.confidential)

Such a document is read by supervision and by its applicant only. Documents issued before are not marked:
their cases' diagrams named no confidential variables when they were issued.

Revision ID: 0015
Revises: 0014
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as table:
        table.add_column(sa.Column("confidential", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("documents") as table:
        table.drop_column("confidential")
