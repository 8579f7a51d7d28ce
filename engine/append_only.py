"""Append-only tables, guarded by the database itself: a case's history and the audit log are never updated
or deleted, whoever connects (a script, a console, a later bug), not only through the engine's code.

Migration 0030 installs the guard: on PostgreSQL a row trigger raising ``restrict_violation`` (TRUNCATE, a
table owner's operation, stays possible); on SQLite triggers aborting the statement. A later migration that
rebuilds one of these tables on SQLite (a batch alter copies it into a new table) must install the guard
again. ``lifted`` takes it off within one transaction, for the test suite's cleaning between tests.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text

TABLES = ("history", "audit_log")
_FUNCTION = "govflow_append_only"


def install(connection: Connection) -> None:
    """Put the guard on (again: what an earlier install left is replaced)."""
    for statement in _remove(connection.dialect.name) + _install(connection.dialect.name):
        connection.execute(text(statement))


def remove(connection: Connection) -> None:
    for statement in _remove(connection.dialect.name):
        connection.execute(text(statement))


@contextmanager
def lifted(connection: Connection) -> Iterator[None]:
    """The guard off for what runs inside, back on after it, within the connection's transaction (what
    changes both tables then commits with the guard in place again, or rolls back with it as it was)."""
    remove(connection)
    yield
    install(connection)


def _install(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [f"""CREATE OR REPLACE FUNCTION {_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        RAISE EXCEPTION '% is append-only: its rows are never updated or deleted', TG_TABLE_NAME
                            USING ERRCODE = 'restrict_violation';
                    END $$"""] + [
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {_FUNCTION}()" for table in TABLES]
    return [f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} BEGIN "
            f"SELECT RAISE(ABORT, '{table} is append-only: its rows are never updated or deleted'); END"
            for table in TABLES for verb in ("UPDATE", "DELETE")]


def _remove(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in TABLES] + [
            f"DROP FUNCTION IF EXISTS {_FUNCTION}()"]
    return [f"DROP TRIGGER IF EXISTS {table}_no_{verb.lower()}" for table in TABLES for verb in ("UPDATE", "DELETE")]
