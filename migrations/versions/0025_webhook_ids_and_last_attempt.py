"""webhooks: an id is never given again (SQLite), and the latest delivery attempt is kept on each

The audit log names a webhook by its id. SQLite gave a deleted webhook's id (the highest) to the next one,
whose entries then mixed with the old one's: the table is rebuilt with AUTOINCREMENT, and its counter starts
above every id the audit log names, so even a webhook deleted before the upgrade keeps its id to itself.
PostgreSQL's sequence never gives an id twice: there only the columns are added.

Revision ID: 0025
Revises: 0024
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def _columns() -> list[sa.Column[Any]]:
    return [sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("last_status", sa.Integer(), nullable=True),
            sa.Column("last_error", sa.Text(), nullable=True)]


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        for column in _columns():
            op.add_column("webhooks", column)
        return
    with _deliveries_kept(), op.batch_alter_table("webhooks", recreate="always",
                                                  table_kwargs={"sqlite_autoincrement": True}) as table:
        for column in _columns():
            table.add_column(column)
    # The counter starts above the audit log's ids too: the last webhook deleted before now was the highest.
    connection = op.get_bind()
    highest = connection.execute(sa.text(
        "SELECT max(coalesce((SELECT max(id) FROM webhooks), 0), coalesce((SELECT max(CAST(target_key AS INTEGER))"
        " FROM audit_log WHERE target_kind = 'webhook'), 0))")).scalar_one()
    connection.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'webhooks'"))
    connection.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('webhooks', :seq)"), {"seq": highest})


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        for column in reversed(_columns()):
            op.drop_column("webhooks", column.name)
        return
    with _deliveries_kept(), op.batch_alter_table("webhooks", recreate="always",
                                                  table_kwargs={"sqlite_autoincrement": False}) as table:
        for column in reversed(_columns()):
            table.drop_column(column.name)


@contextmanager
def _deliveries_kept() -> Iterator[None]:
    """Keep the webhooks' deliveries across a rebuild of the webhooks table (SQLite). The rebuild drops the
    table; with foreign keys on (a plain alembic run, or a database in memory) that deletes every delivery
    through the cascade, and the pragma that turns them off does nothing inside the migration's transaction.
    So the deliveries are copied aside first, and those gone are put back with their ids once the table is
    whole again (a failure rolls the whole transaction back, the copy with it)."""
    op.execute("CREATE TEMP TABLE kept_webhook_deliveries AS SELECT * FROM webhook_deliveries")
    yield
    op.execute("INSERT INTO webhook_deliveries SELECT * FROM kept_webhook_deliveries"
               " WHERE id NOT IN (SELECT id FROM webhook_deliveries)")
    op.execute("DROP TABLE kept_webhook_deliveries")
