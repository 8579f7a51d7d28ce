"""Schema changes, only through Alembic migrations (``govflow db upgrade``)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event
from sqlalchemy.pool import NullPool

from .db import make_engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


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
    migrating = _transactional_sqlite(url) if engine.dialect.name == "sqlite" else engine
    try:
        with migrating.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        if migrating is not engine:
            migrating.dispose()


def _transactional_sqlite(url: str) -> Engine:
    """An engine whose transactions hold DDL too. The sqlite3 driver begins a transaction only before
    INSERT, UPDATE or DELETE, so CREATE TABLE would commit on its own: here the driver is told to leave
    transactions alone and BEGIN is sent at the start of each (SQLAlchemy's documented recipe). Only
    migrations use it: for commands the driver's way keeps reads outside the writer's lock."""
    migrating = make_engine(url, poolclass=NullPool)

    @event.listens_for(migrating, "connect")
    def _driver_leaves_transactions(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(migrating, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")

    return migrating


def current(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        heads = MigrationContext.configure(connection).get_current_heads()
        return ",".join(sorted(heads)) or None


def revision(url: str, message: str) -> None:
    """Write a new migration from the difference between the models and the database (for developers)."""
    command.revision(alembic_config(url), message=message, autogenerate=True)
