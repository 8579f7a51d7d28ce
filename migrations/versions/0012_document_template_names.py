"""document templates are stored under one name: documents/<name>.html, whatever path their upload carried

Revision ID: 0012
Revises: 0011
"""
from __future__ import annotations

from pathlib import PurePosixPath

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

resources = sa.table("resources", sa.column("id", sa.Integer()), sa.column("name", sa.String(500)),
                     sa.column("kind", sa.String(20)))


def upgrade() -> None:
    # Earlier deployments over HTTP kept the uploaded path (bpmn/documents/x.html); templates are found by
    # their name alone, so each is renamed to where it is looked up.
    connection = op.get_bind()
    rows = connection.execute(sa.select(resources.c.id, resources.c.name).where(resources.c.kind == "document"))
    for row_id, name in rows.all():
        stored = f"documents/{PurePosixPath(name).stem}.html"
        if name != stored:
            connection.execute(resources.update().where(resources.c.id == row_id).values(name=stored))


def downgrade() -> None:
    pass  # the uploaded paths are not kept; documents/<name>.html is found by every earlier version too
