"""The append-only guard of the case history and the audit log (migration 0030) lifted for what a test does
to them directly: emptying the tables between tests (SQLite has no TRUNCATE), or dating an entry back."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text

TABLES = ("history", "audit_log")


@contextmanager
def lifted(connection: Connection) -> Iterator[None]:
    """The guard off for what runs inside, back on after it, within the connection's transaction."""
    if connection.dialect.name == "postgresql":
        for table in TABLES:
            connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        yield
        for table in TABLES:
            connection.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
        return
    names = ", ".join(f"'{table}'" for table in TABLES)
    triggers = connection.execute(text(f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                       f"AND tbl_name IN ({names})")).all()
    for name, _ in triggers:
        connection.execute(text(f"DROP TRIGGER {name}"))
    yield
    for _, sql in triggers:
        connection.execute(text(sql))
