"""material marks: an id is never given again (SQLite)

``DELETE /api/process-instances/ID/materials/marks/MARK_ID`` (and the case page's take-back form) names a
mark by its id, and taking a mark back deletes its row. SQLite gave the id of the mark taken back (the
highest) to the next mark recorded, so a stale or retried DELETE of the old id took back the newer mark of the
same case: the table is rebuilt with AUTOINCREMENT, keeping its rows, ids, unique constraint and its foreign
key to the case, and its counter starts above the highest id. Neither the case's history
(``material.recorded``, ``material.withdrawn`` name the material and its kind) nor the audit log names a
mark's id, so there is no other id to start above: a mark with the highest id taken back before the upgrade
left no trace of its id, which the next mark may still be given once. PostgreSQL's sequence never gives an id
twice: there is nothing to do there.

Nothing points at a mark, so the rebuild drops no other row.

Revision ID: 0027
Revises: 0026
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("material_marks", recreate="always", table_kwargs={"sqlite_autoincrement": True}):
        pass
    connection = op.get_bind()
    highest = connection.execute(sa.text("SELECT coalesce(max(id), 0) FROM material_marks")).scalar_one()
    connection.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'material_marks'"))
    connection.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('material_marks', :seq)"),
                       {"seq": highest})


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("material_marks", recreate="always", table_kwargs={"sqlite_autoincrement": False}):
        pass
