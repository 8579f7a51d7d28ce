"""The engine runtime a command works with, from the environment (DATABASE_URL, GOVFLOW_*)."""
from __future__ import annotations

import click

from engine import Runtime, Settings
from engine.db import sqlite_file


def command_runtime(*, create: bool = False) -> Runtime:
    """``create``: the commands that set a database up (db upgrade, serve, worker). Any other refuses a
    SQLite file that does not exist, rather than make an empty one where a path was mistyped."""
    settings = Settings.from_env()
    path = sqlite_file(settings.database_url)
    if not create and path is not None and not path.exists():
        raise click.ClickException(f"no database at {path}: check DATABASE_URL, or create it with "
                                   "govflow db upgrade")
    return Runtime(settings)
