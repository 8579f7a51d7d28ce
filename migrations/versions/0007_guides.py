"""service-item guides (办事指南), versioned per item code

Revision ID: 0007
Revises: 0006
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "guides",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("process_key", sa.String(255), nullable=False),
        sa.Column("item_type", sa.String(10), nullable=False),
        sa.Column("department_code", sa.String(50), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("deployment_id", sa.Integer(), sa.ForeignKey("deployments.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("code", "version", name="uq_guides_code_version"),
    )
    op.create_index("ix_guides_code", "guides", ["code"])
    op.create_index("ix_guides_process_key", "guides", ["process_key", "id"])
    op.create_index("ix_guides_deployment_id", "guides", ["deployment_id"])


def downgrade() -> None:
    op.drop_index("ix_guides_deployment_id", table_name="guides")
    op.drop_index("ix_guides_process_key", table_name="guides")
    op.drop_index("ix_guides_code", table_name="guides")
    op.drop_table("guides")
