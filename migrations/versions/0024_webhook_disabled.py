"""webhooks: disabled, with the reason, while their owner lacks the integrator role

A webhook whose owner lost the role used to have every event queued and then dead-lettered. It is now
disabled when the role goes: no event is queued for it, those queued before wait, and its owner (the role
given back) or an admin enables it again. Webhooks whose owner lacks the role already are disabled here.

Revision ID: 0024
Revises: 0023
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from engine.models import UtcDateTime

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

_WEBHOOKS = sa.table("webhooks", sa.column("id", sa.Integer), sa.column("owner", sa.String),
                     sa.column("disabled_at", UtcDateTime), sa.column("disabled_reason", sa.String))
_USERS = sa.table("users", sa.column("name", sa.String), sa.column("active", sa.Boolean),
                  sa.column("roles", sa.JSON))
REASON = ("its owner {owner} has no integrator role (found at the upgrade); once it is given back, the owner or an "
          "admin enables the webhook again")


# Plain ADD and DROP COLUMN (SQLite has both): a batch rebuild would drop the webhooks table, and with foreign
# keys on (a plain alembic run) that deletes every delivery of every webhook.
def _columns() -> list[sa.Column[Any]]:
    return [sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("disabled_reason", sa.String(500), nullable=True)]


def upgrade() -> None:
    for column in _columns():
        op.add_column("webhooks", column)
    connection = op.get_bind()
    # Roles are a JSON list, which SQLite and PostgreSQL query differently: users are few, read here. An
    # inactive owner's webhooks receive nothing already, and activating them restores them as they were.
    owners = connection.execute(sa.select(_WEBHOOKS.c.id, _WEBHOOKS.c.owner, _USERS.c.roles)
                                .join(_USERS, _USERS.c.name == _WEBHOOKS.c.owner).where(_USERS.c.active)).all()
    now = datetime.now(UTC)
    for hook_id, owner, roles in owners:
        if not {"integrator", "admin"} & set(roles or []):
            connection.execute(_WEBHOOKS.update().where(_WEBHOOKS.c.id == hook_id)
                               .values(disabled_at=now, disabled_reason=REASON.format(owner=owner)))


def downgrade() -> None:
    for column in reversed(_columns()):
        op.drop_column("webhooks", column.name)
