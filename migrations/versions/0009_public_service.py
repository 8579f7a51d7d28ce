"""applicants: query codes for public progress, ratings (好差评) and the clerks they concern

Revision ID: 0009
Revises: 0008
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "case_query_codes",
        sa.Column("instance_id", BigId, sa.ForeignKey("process_instances.id", ondelete="CASCADE"),
                  primary_key=True, autoincrement=False),
        sa.Column("code_hash", sa.String(200), nullable=False),
        sa.Column("created_at", When, nullable=False),
    )

    op.create_table(
        "ratings",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("instance_id", BigId, sa.ForeignKey("process_instances.id", ondelete="CASCADE"), nullable=False),
        sa.Column("contact", sa.String(50), nullable=False),
        sa.Column("business_key", sa.String(50), nullable=False),
        sa.Column("definition_key", sa.String(255), nullable=False),
        sa.Column("item_name", sa.String(500), nullable=True),
        sa.Column("department", sa.String(255), nullable=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("dimensions", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", When, nullable=False),
        sa.Column("rectification_instance_id", BigId, sa.ForeignKey("process_instances.id", ondelete="SET NULL"),
                  nullable=True),
        sa.Column("rectification_state", sa.String(20), nullable=True),
        sa.Column("rectification_result", sa.Text(), nullable=True),
        sa.Column("rectified_at", When, nullable=True),
        sa.UniqueConstraint("instance_id", "contact", name="uq_ratings_instance_contact"),
    )
    op.create_index("ix_ratings_created", "ratings", ["created_at"])
    op.create_index("ix_ratings_rectification", "ratings", ["rectification_instance_id"])

    op.create_table(
        "rating_clerks",
        sa.Column("rating_id", BigId, sa.ForeignKey("ratings.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("clerk", sa.String(100), primary_key=True),
    )
    op.create_index("ix_rating_clerks_clerk", "rating_clerks", ["clerk"])


def downgrade() -> None:
    op.drop_index("ix_rating_clerks_clerk", table_name="rating_clerks")
    op.drop_table("rating_clerks")
    op.drop_index("ix_ratings_rectification", table_name="ratings")
    op.drop_index("ix_ratings_created", table_name="ratings")
    op.drop_table("ratings")
    op.drop_table("case_query_codes")
