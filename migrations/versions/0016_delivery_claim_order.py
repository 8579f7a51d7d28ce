"""webhook deliveries: an index in the claim's order (state, outbox_id)

``engine.delivery.claim_due`` takes the oldest due deliveries, ORDER BY outbox_id LIMIT 20. With only
(state, next_attempt_at) to go by, every poll read and sorted all pending rows: 60-85 ms per poll once a
supervision sweep or a receiver's outage left 80,000 pending (bench/queues.py), under 1 ms with this one.

Revision ID: 0016
Revises: 0015
"""
from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_deliveries_state_outbox", "webhook_deliveries", ["state", "outbox_id"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_state_outbox", table_name="webhook_deliveries")
