"""history, audit_log: append-only in the database itself

The engine never updates or deletes a row of either table (the audit log refused it in the ORM only). Now the
database refuses an UPDATE or DELETE of one, from any connection: on PostgreSQL a row trigger raising
``restrict_violation`` (TRUNCATE, a table owner's operation, stays possible), on SQLite triggers aborting the
statement. A later migration that rebuilds one of these tables on SQLite (a batch alter copies it into a new
table) must create its triggers again.

Revision ID: 0030
Revises: 0029
"""
from __future__ import annotations

from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

TABLES = ("history", "audit_log")
REFUSAL = "is append-only: its rows are never updated or deleted"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""CREATE FUNCTION govflow_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                       BEGIN
                           RAISE EXCEPTION '% {REFUSAL}', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
                       END $$""")
        for table in TABLES:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION govflow_append_only()")
        return
    for table in TABLES:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} BEGIN "
                       f"SELECT RAISE(ABORT, '{table} {REFUSAL}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        op.execute("DROP FUNCTION govflow_append_only()")
        return
    for table in TABLES:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"DROP TRIGGER {table}_no_{verb.lower()}")
