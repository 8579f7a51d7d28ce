"""The append-only guard of the case history and the audit log (migration 0030) lifted for what a test does
to them directly: emptying the tables between tests (SQLite has no TRUNCATE), or dating an entry back. The
guard is the schema's triggers, read from the database: whatever a migration guards is lifted."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text


@contextmanager
def lifted(connection: Connection) -> Iterator[None]:
    """The guard off for what runs inside, back on after it, within the connection's transaction."""
    if connection.dialect.name == "postgresql":
        tables = connection.execute(text("SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger "
                                         "WHERE NOT tgisinternal ORDER BY 1")).scalars().all()
        for table in tables:
            connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        yield
        for table in tables:
            connection.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
        return
    triggers = connection.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
    for name, _ in triggers:
        connection.execute(text(f"DROP TRIGGER {name}"))
    yield
    for _, sql in triggers:
        connection.execute(text(sql))
