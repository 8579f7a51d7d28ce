"""extension_requests: a clerk's request to extend a case's time limit, decided by the agency head

Administrative Licensing Law Art 42: the time limit is extended with the approval of the agency head. A clerk
of the case requests it (days and reason); a user with the ``head`` role approves or refuses it with an opinion.
One pending request per case (a partial unique index); pending requests are listed by state.

Revision ID: 0032
Revises: 0031
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)
PENDING = "state = 'pending'"


def upgrade() -> None:
    op.create_table(
        "extension_requests",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("instance_id", BigId, sa.ForeignKey("process_instances.id", ondelete="CASCADE"), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("requested_by", sa.String(100), nullable=False),
        sa.Column("requested_at", When, nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", When, nullable=True),
        sa.Column("opinion", sa.Text(), nullable=True),
    )
    op.create_index("ix_extension_requests_state", "extension_requests", ["state", "id"])
    op.create_index("ix_extension_requests_instance", "extension_requests", ["instance_id", "id"])
    op.create_index("uq_extension_requests_one_pending", "extension_requests", ["instance_id"], unique=True,
                    sqlite_where=sa.text(PENDING), postgresql_where=sa.text(PENDING))


def downgrade() -> None:
    op.drop_index("uq_extension_requests_one_pending", table_name="extension_requests")
    op.drop_index("ix_extension_requests_instance", table_name="extension_requests")
    op.drop_index("ix_extension_requests_state", table_name="extension_requests")
    op.drop_table("extension_requests")
