"""case_clocks: the delivery limit after the decision (行政许可法 Art 44)

A licence granted is to be issued and delivered within 10 days of the decision (a denial's written
decision is held to the same days). A clock stopped by its decision, in a diagram that marks a delivery step
(``govflow.event = delivered``) of an item the licensing law governs, keeps when that is due (``delivery_due_at``, the end of the 10th working day after the decision
in the case's calendar) and when the step completed (``delivered_at``); supervision lists the results not
delivered yet by the first. Clocks stopped before this revision have neither: their cases are not listed.

Revision ID: 0037
Revises: 0036
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_clocks") as batch:
        batch.add_column(sa.Column("delivery_due_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_case_clocks_delivery_due", ["delivered_at", "delivery_due_at"])


def downgrade() -> None:
    with op.batch_alter_table("case_clocks") as batch:
        batch.drop_index("ix_case_clocks_delivery_due")
        batch.drop_column("delivered_at")
        batch.drop_column("delivery_due_at")
