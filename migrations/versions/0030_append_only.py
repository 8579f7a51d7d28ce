"""history, audit_log: append-only in the database itself (engine.append_only)

The engine never updates or deletes a row of either table (the audit log refused it in the ORM only). Now the
database refuses an UPDATE or DELETE of one, from any connection: a trigger on each table.

Revision ID: 0030
Revises: 0029
"""
from __future__ import annotations

from alembic import op

from engine import append_only

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    append_only.install(op.get_bind())


def downgrade() -> None:
    append_only.remove(op.get_bind())
