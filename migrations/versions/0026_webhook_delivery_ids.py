"""webhook deliveries: an id is never given again (SQLite)

The audit log (``webhook.replayed`` names its ``delivery_id``), the ``X-Govflow-Delivery`` header and the
replay URL name a delivery by its id. SQLite gave the ids of the deliveries dropped with a webhook deleted
with discard=true (the highest) to the next deliveries, which those names then pointed at: the table is
rebuilt with AUTOINCREMENT, keeping its rows, ids and indexes, and its counter starts above every delivery id
the audit log names, so a dropped delivery the log names (a replayed one) keeps its id to itself; one dropped
before the upgrade and named nowhere left no trace of its id, which may still be given once. PostgreSQL's
sequence never gives an id twice: there is nothing to do there.

The other tables whose ids are named elsewhere keep their rows (outbox events, jobs and their incidents, api
tokens, cases): only their state changes. Nothing points at a delivery, so the rebuild drops no other row.

Revision ID: 0026
Revises: 0025
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("webhook_deliveries", recreate="always", table_kwargs={"sqlite_autoincrement": True}):
        pass
    # The counter starts above the audit log's ids too: the last delivery dropped before now was the highest.
    connection = op.get_bind()
    highest = connection.execute(sa.text(
        "SELECT max(coalesce((SELECT max(id) FROM webhook_deliveries), 0),"
        " coalesce((SELECT max(CAST(json_extract(change, '$.delivery_id') AS INTEGER)) FROM audit_log"
        " WHERE target_kind = 'webhook' AND json_valid(change)), 0))")).scalar_one()
    connection.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'webhook_deliveries'"))
    connection.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('webhook_deliveries', :seq)"),
                       {"seq": highest})


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("webhook_deliveries", recreate="always",
                              table_kwargs={"sqlite_autoincrement": False}):
        pass
