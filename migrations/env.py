"""Alembic environment: the URL comes from the caller (govflow db upgrade), the metadata from the models."""
from __future__ import annotations

from alembic import context
from sqlalchemy import pool

from engine.db import advisory_lock, make_engine
from engine.models import Base
from engine.schema import MIGRATION_LOCK

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run(connection)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    # Batch mode lets later migrations alter columns on SQLite, which has no ALTER COLUMN.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        # Before the database's revision is read: of two processes migrating at once (serve and a worker
        # starting on an empty database), the second waits here, then finds nothing left to do (PostgreSQL;
        # engine.schema begins SQLite's transaction IMMEDIATE to the same end).
        advisory_lock(connection, MIGRATION_LOCK)
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
