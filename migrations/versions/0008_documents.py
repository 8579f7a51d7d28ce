"""documents issued to applicants (受理通知书, 一次性告知通知书, 决定书 ...)

Revision ID: 0008
Revises: 0007
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("instance_id", BigId, sa.ForeignKey("process_instances.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("template_sha256", sa.String(64), nullable=False),
        sa.Column("element_id", sa.String(255), nullable=True),
        sa.Column("element_name", sa.String(255), nullable=True),
        sa.Column("task_id", sa.String(36), nullable=True),
        sa.Column("issued_at", When, nullable=False),
        sa.Column("html_sha256", sa.String(64), nullable=False),
        sa.Column("pdf_sha256", sa.String(64), nullable=False),
        sa.Column("html", sa.LargeBinary(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_documents_instance", "documents", ["instance_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_documents_instance", table_name="documents")
    op.drop_table("documents")
