"""department_groups: the display name of a group (title), shown on pages in the stead of its code

Pages named a group by its code beside its department, a code such as ``window`` that means nothing to a
clerk. A group of a department may now have a display name, set with the department (``PUT
/api/departments/CODE``, ``govflow department add --group window=TITLE``, ``govflow department title``).
Existing groups have none: pages show their codes as before.

Revision ID: 0029
Revises: 0028
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


# Plain ADD and DROP COLUMN (SQLite has both): a batch rebuild is not needed for a nullable column.
def upgrade() -> None:
    op.add_column("department_groups", sa.Column("title", sa.String(100), nullable=True))


def downgrade() -> None:
    op.drop_column("department_groups", "title")
