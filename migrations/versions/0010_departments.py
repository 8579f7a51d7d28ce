"""departments, the groups each one owns, and the departments taking part in each case

Revision ID: 0010
Revises: 0009
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "departments",
        sa.Column("code", sa.String(50), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("parent_code", sa.String(50), sa.ForeignKey("departments.code"), nullable=True),
        sa.Column("created_at", When, nullable=False),
        sa.Column("updated_at", When, nullable=False),
    )
    op.create_table(
        "department_groups",
        sa.Column("group_name", sa.String(255), primary_key=True),
        sa.Column("department_code", sa.String(50), sa.ForeignKey("departments.code", ondelete="CASCADE"),
                  nullable=False),
    )
    op.create_index("ix_department_groups_department", "department_groups", ["department_code"])
    op.create_table(
        "case_departments",
        sa.Column("case_id", BigId, sa.ForeignKey("process_instances.id", ondelete="CASCADE"), primary_key=True,
                  autoincrement=False),
        sa.Column("department_code", sa.String(50), sa.ForeignKey("departments.code"), primary_key=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("since", When, nullable=False),
    )
    op.create_index("ix_case_departments_department", "case_departments", ["department_code", "case_id"])


def downgrade() -> None:
    op.drop_index("ix_case_departments_department", table_name="case_departments")
    op.drop_table("case_departments")
    op.drop_index("ix_department_groups_department", table_name="department_groups")
    op.drop_table("department_groups")
    op.drop_table("departments")
