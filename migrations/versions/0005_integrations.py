"""integrations: materials, outbox and webhooks, idempotency keys, buffered messages

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "materials",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("instance_id", BigId, sa.ForeignKey("process_instances.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("uploaded_by", sa.String(100), nullable=False),
        sa.Column("uploaded_at", When, nullable=False),
    )
    op.create_index("ix_materials_instance", "materials", ["instance_id", "id"])
    op.create_index("ix_materials_sha256", "materials", ["sha256"])

    op.create_table(
        "outbox",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("event", sa.String(50), nullable=False),
        sa.Column("instance_id", BigId, nullable=True),
        sa.Column("business_key", sa.String(50), nullable=True),
        sa.Column("definition_key", sa.String(255), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", When, nullable=False),
    )
    op.create_index("ix_outbox_instance", "outbox", ["instance_id", "id"])

    op.create_table(
        "webhooks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("secret", sa.String(100), nullable=False),
        sa.Column("owner", sa.String(100), nullable=False),
        sa.Column("description", sa.String(500), nullable=True),
        sa.Column("created_at", When, nullable=False),
    )

    op.create_table(
        "webhook_deliveries",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("webhook_id", sa.Integer(), sa.ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("outbox_id", BigId, sa.ForeignKey("outbox.id", ondelete="CASCADE"), nullable=False),
        sa.Column("instance_id", BigId, nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", When, nullable=False),
        sa.Column("lock_owner", sa.String(100), nullable=True),
        sa.Column("lock_expires_at", When, nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", When, nullable=True),
        sa.Column("created_at", When, nullable=False),
        sa.UniqueConstraint("webhook_id", "outbox_id"),
    )
    op.create_index("ix_deliveries_state_next", "webhook_deliveries", ["state", "next_attempt_at"])
    op.create_index("ix_deliveries_queue", "webhook_deliveries", ["webhook_id", "instance_id", "state", "outbox_id"])

    op.create_table(
        "idempotency_keys",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("user_name", sa.String(100), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.String(100), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", When, nullable=False),
        sa.Column("expires_at", When, nullable=False),
        sa.UniqueConstraint("user_name", "key"),
    )
    op.create_index("ix_idempotency_expires", "idempotency_keys", ["expires_at"])

    op.create_table(
        "buffered_messages",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("message_name", sa.String(255), nullable=False),
        sa.Column("business_key", sa.String(50), nullable=True),
        sa.Column("instance_id", BigId, nullable=True),
        sa.Column("correlations", sa.JSON(), nullable=False),
        sa.Column("variables", sa.JSON(), nullable=False),
        sa.Column("sent_by", sa.String(100), nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("expires_at", When, nullable=False),
        sa.Column("delivered_to", BigId, nullable=True),
        sa.Column("delivered_at", When, nullable=True),
    )
    op.create_index("ix_buffered_name_state", "buffered_messages", ["message_name", "state", "expires_at"])


def downgrade() -> None:
    for table in ("buffered_messages", "idempotency_keys", "webhook_deliveries", "webhooks", "outbox", "materials"):
        op.drop_table(table)
