"""The engine runtime a command works with, from the environment (DATABASE_URL, GOVFLOW_*)."""
from __future__ import annotations

import getpass
import os

import click
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from engine import Actor, Runtime, Settings
from engine.db import sqlite_file


def command_actor() -> Actor:
    """Who a command acts as: an admin named ``cli:<OS user>`` (``cli`` when the system cannot say), as the
    audit log records it. Whoever runs the command line holds the database already; the OS account is who
    they are, and the colon, never in a user's name, keeps them apart from govflow's users."""
    try:
        name = f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in the environment and the uid has no passwd entry
        name = "cli"
    return Actor(name[:100], roles=frozenset({"admin"}))


def command_runtime(*, create: bool = False, create_default: bool = False) -> Runtime:
    """A command refuses a SQLite file that does not exist, rather than make an empty one where a path was
    mistyped, unless it sets a database up: ``create`` (db upgrade) wherever DATABASE_URL points,
    ``create_default`` (serve, worker) only the default one under the data directory, on a first start. A
    server on an empty database an explicit DATABASE_URL mistyped would look like one that lost its cases."""
    settings = Settings.from_env()
    create = create or (create_default and not os.environ.get("DATABASE_URL"))
    try:
        path = sqlite_file(settings.database_url)
        if not create and path is not None and not path.exists():
            # sqlite://tmp/x.db reads as the relative path "x.db" of host "tmp": say how paths are written
            slashes = "" if settings.database_url.startswith("sqlite:///") else (
                " (a SQLite URL has three slashes before a relative path, sqlite:///var/govflow.db, and four "
                "before an absolute one, sqlite:////srv/govflow.db)")
            raise click.ClickException(f"no database at {path}: check DATABASE_URL{slashes}, or create it with "
                                       "govflow db upgrade")
        return Runtime(settings)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise click.ClickException(f"DATABASE_URL cannot be used: {exc}") from None
    except OSError as exc:  # the SQLite file's folder cannot be made (GOVFLOW_DATA_DIR a file, unwritable ...)
        raise click.ClickException(f"{exc.filename or settings.data_dir}: cannot be used for the database "
                                   f"({exc.strerror or exc}): check GOVFLOW_DATA_DIR and DATABASE_URL") from None
    except ModuleNotFoundError as exc:  # the URL's driver: the engine imports it when it is made
        raise click.ClickException(f"module {exc.name!r} is missing: DATABASE_URL names a driver govflow "
                                   "does not install (use sqlite:///PATH or postgresql+psycopg://...)") from None
