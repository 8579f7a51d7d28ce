"""acceptance_delegations, case_delegations: entrusted acceptance (委托受理)

A department (the agent: a township service centre) accepts, at its window, items of another department
(the principal, the items' implementing body) under an entrustment with its basis and validity; revoked, an
entrustment is kept. A case accepted so records the entrustment, the agent and the groups that accept it.

Revision ID: 0033
Revises: 0032
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "acceptance_delegations",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("principal_code", sa.String(50), sa.ForeignKey("departments.code"), nullable=False),
        sa.Column("agent_code", sa.String(50), sa.ForeignKey("departments.code"), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("basis", sa.String(500), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("revoked_by", sa.String(100), nullable=True),
        sa.Column("revoked_at", When, nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=True),
    )
    op.create_index("ix_acceptance_delegations_agent", "acceptance_delegations", ["agent_code", "id"])
    op.create_index("ix_acceptance_delegations_principal", "acceptance_delegations", ["principal_code", "id"])
    op.create_table(
        "case_delegations",
        sa.Column("case_id", BigId, sa.ForeignKey("process_instances.id", ondelete="CASCADE"), primary_key=True,
                  autoincrement=False),
        sa.Column("delegation_id", BigId, sa.ForeignKey("acceptance_delegations.id"), nullable=False),
        sa.Column("agent_code", sa.String(50), sa.ForeignKey("departments.code"), nullable=False),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("started_by", sa.String(100), nullable=False),
        sa.Column("at", When, nullable=False),
    )
    op.create_index("ix_case_delegations_delegation", "case_delegations", ["delegation_id", "case_id"])


def downgrade() -> None:
    op.drop_index("ix_case_delegations_delegation", table_name="case_delegations")
    op.drop_table("case_delegations")
    op.drop_index("ix_acceptance_delegations_principal", table_name="acceptance_delegations")
    op.drop_index("ix_acceptance_delegations_agent", table_name="acceptance_delegations")
    op.drop_table("acceptance_delegations")
