"""Schema changes, only through Alembic migrations (``govflow db upgrade``)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event
from sqlalchemy.pool import NullPool

from .db import make_engine, sqlite_file

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
# Taken by migrations/env.py for the whole upgrade (engine.db.advisory_lock).
MIGRATION_LOCK = "govflow.schema.upgrade"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Migrate to ``revision`` in one transaction: stopped half-way (Ctrl-C, a failing step), the database
    is as it was before, on SQLite too."""
    url = engine.url.render_as_string(hide_password=False)
    config = alembic_config(url)
    # A SQLite file gets its own engine; in memory there is no other connection to the same database.
    migrating = _transactional_sqlite(url) if sqlite_file(url) is not None else engine
    try:
        with migrating.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            if migrating is not engine:
                _check_foreign_keys(connection)
    finally:
        if migrating is not engine:
            migrating.dispose()


def _transactional_sqlite(url: str) -> Engine:
    """An engine whose transactions hold DDL too. The sqlite3 driver begins a transaction only before
    INSERT, UPDATE or DELETE, so CREATE TABLE would commit on its own: here the driver is told to leave
    transactions alone and BEGIN is sent at the start of each (SQLAlchemy's documented recipe). Only
    migrations use it: for commands the driver's way keeps plain reads outside the writer's lock (a locking
    read takes it, engine.db)."""
    migrating = make_engine(url, poolclass=NullPool)

    @event.listens_for(migrating, "connect")
    def _driver_leaves_transactions(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        # A batch migration rebuilds a table by copy and drop: with foreign keys on, dropping a table other
        # rows point at would cascade. They are checked once, before the commit, instead.
        dbapi_connection.execute("PRAGMA foreign_keys=OFF")

    @event.listens_for(migrating, "begin")
    def _begin(connection: Any) -> None:
        # IMMEDIATE: of two processes migrating at once (serve and a worker starting), the second waits
        # for the first and then finds nothing left to do, instead of failing on a stale snapshot.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return migrating


def _check_foreign_keys(connection: Any) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"the migration left rows pointing at nothing: {broken[:5]}")


def current(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        heads = MigrationContext.configure(connection).get_current_heads()
        return ",".join(sorted(heads)) or None


def revision(url: str, message: str) -> None:
    """Write a new migration from the difference between the models and the database (for developers)."""
    command.revision(alembic_config(url), message=message, autogenerate=True)
