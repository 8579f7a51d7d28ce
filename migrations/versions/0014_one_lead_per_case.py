"""case departments: one lead (牵头) per case, held by a partial unique index

Two commands at once (a department given a group, a clerk's command creating a task) could each see no
lead and both insert one. The extra leads such a race left behind take part instead: the earliest to join
(then the smallest code) keeps the lead, so the index can be built.

Revision ID: 0014
Revises: 0013
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

ONE_LEAD = "role = 'lead'"


def upgrade() -> None:
    op.execute(sa.text(
        "UPDATE case_departments SET role = 'participant' WHERE role = 'lead' AND EXISTS ("
        " SELECT 1 FROM case_departments AS earlier"
        " WHERE earlier.case_id = case_departments.case_id AND earlier.role = 'lead'"
        " AND (earlier.since < case_departments.since OR (earlier.since = case_departments.since"
        " AND earlier.department_code < case_departments.department_code)))"))
    op.create_index("uq_case_departments_one_lead", "case_departments", ["case_id"], unique=True,
                    sqlite_where=sa.text(ONE_LEAD), postgresql_where=sa.text(ONE_LEAD))


def downgrade() -> None:
    op.drop_index("uq_case_departments_one_lead", table_name="case_departments")
