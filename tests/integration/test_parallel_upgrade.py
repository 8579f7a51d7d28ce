"""Several ``govflow db upgrade`` started at once on an empty database (serve and a worker starting together do
the same): one migrates, the others wait for it and find nothing left to do. Real processes, a fresh database."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from engine import schema
from engine.calendar import package_years
from engine.db import make_engine
from engine.models import CalendarYear

GOVFLOW = Path(sys.executable).with_name("govflow")
AT_ONCE = 3


def _upgrade_at_once(database_url: str, data_dir: Path) -> list[subprocess.CompletedProcess[str]]:
    env = dict(os.environ, DATABASE_URL=database_url, GOVFLOW_DATA_DIR=str(data_dir))
    started = [subprocess.Popen([str(GOVFLOW), "db", "upgrade"], env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(AT_ONCE)]
    finished = []
    for process in started:
        out, err = process.communicate(timeout=240)
        finished.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return finished


def _assert_migrated_once(database_url: str, runs: list[subprocess.CompletedProcess[str]]) -> None:
    assert [r.returncode for r in runs] == [0] * AT_ONCE, [r.stderr for r in runs]
    engine = make_engine(database_url)
    try:
        head = ScriptDirectory.from_config(schema.alembic_config(database_url)).get_current_head()
        assert schema.current(engine) == head
        with engine.connect() as connection:  # CN seeded by exactly one of them, each year once
            assert connection.scalar(select(func.count()).select_from(CalendarYear)) == len(package_years())
    finally:
        engine.dispose()
    assert sum("calendar CN: loaded" in r.stdout for r in runs) == 1, [r.stdout for r in runs]


def test_upgrades_started_together_on_a_new_sqlite_file_all_succeed(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    _assert_migrated_once(url, _upgrade_at_once(url, tmp_path))


@pytest.fixture
def fresh_postgres(database_url: str) -> Iterator[str]:
    """An empty PostgreSQL database beside the test database, dropped afterwards."""
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("needs a PostgreSQL server (GOVFLOW_TEST_DATABASE_URL)")
    url = make_url(database_url)
    name = f"{url.database}_upgrade_{uuid.uuid4().hex[:8]}"
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def test_upgrades_started_together_on_a_new_postgresql_database_all_succeed(fresh_postgres, tmp_path):
    """Before, each created the tables in its own transaction: all but the first failed on a duplicate type
    or table ("the database cannot be used: duplicate key value violates unique constraint ...")."""
    _assert_migrated_once(fresh_postgres, _upgrade_at_once(fresh_postgres, tmp_path))
