"""material marks: a material received as a paper original checked at the window, or not applicable

One row per material of a case that was not uploaded but counts as received (纸质原件已核验) or does not
apply to the application (不适用); the acceptance step reads them with the uploads.

Revision ID: 0022
Revises: 0021
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "material_marks",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("instance_id", BigId, sa.ForeignKey("process_instances.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", When, nullable=False),
        sa.UniqueConstraint("instance_id", "name", name="uq_material_marks_instance_name"),
    )


def downgrade() -> None:
    op.drop_table("material_marks")
