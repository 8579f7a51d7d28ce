"""The engine runtime a command works with, from the environment (DATABASE_URL, GOVFLOW_*)."""
from __future__ import annotations

import click
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from engine import Runtime, Settings
from engine.db import sqlite_file


def command_runtime(*, create: bool = False) -> Runtime:
    """``create``: the commands that set a database up (db upgrade, serve, worker). Any other refuses a
    SQLite file that does not exist, rather than make an empty one where a path was mistyped."""
    settings = Settings.from_env()
    try:
        path = sqlite_file(settings.database_url)
        if not create and path is not None and not path.exists():
            raise click.ClickException(f"no database at {path}: check DATABASE_URL, or create it with "
                                       "govflow db upgrade")
        return Runtime(settings)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise click.ClickException(f"DATABASE_URL cannot be used: {exc}") from None
    except ModuleNotFoundError as exc:  # the URL's driver: the engine imports it when it is made
        raise click.ClickException(f"module {exc.name!r} is missing: DATABASE_URL names a driver govflow "
                                   "does not install (use sqlite:///PATH or postgresql+psycopg://...)") from None
