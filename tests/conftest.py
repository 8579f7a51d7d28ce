"""Shared fixtures. The whole suite runs against the database named by GOVFLOW_TEST_DATABASE_URL
(PostgreSQL in CI's second pass), else a fresh SQLite file: same tests, both backends."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from engine import Runtime, Settings, execution, extensions, schema, time_limits
from engine.models import Base
from tests import append_only
from tests.helpers import ApiClient, at
from tests.webhook_receiver import Receiver

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return os.environ.get("GOVFLOW_TEST_DATABASE_URL") or \
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'govflow-test.db'}"


@pytest.fixture(scope="session")
def migrated(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(database_url=database_url, data_dir=tmp_path_factory.mktemp("data"))
    runtime = Runtime(settings)
    schema.upgrade(runtime.engine)
    runtime.dispose()
    return settings


@pytest.fixture
def runtime_settings() -> dict[str, Any]:
    """Settings the ``runtime`` of a test module changes: a module overrides this fixture to set them."""
    return {}


@pytest.fixture
def runtime(migrated: Settings, runtime_settings: dict[str, Any]) -> Iterator[Runtime]:
    """A runtime over an empty (migrated) database, with ``runtime_settings`` changed."""
    runtime = Runtime(replace(migrated, **runtime_settings))
    clean(runtime)
    yield runtime
    runtime.dispose()


def clean(runtime: Runtime) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with runtime.engine.begin() as connection:
        if runtime.engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            with append_only.lifted(connection):  # SQLite has no TRUNCATE: the guard refuses DELETE
                for table in tables:
                    connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def pg(runtime: Runtime) -> Runtime:
    """The runtime, for races between two connections: PostgreSQL only (SQLite's writers take turns)."""
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("a race between two connections: PostgreSQL only")
    return runtime


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on 127.0.0.1 (tests.webhook_receiver)."""
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def app(runtime: Runtime):  # type: ignore[no-untyped-def]
    from api import create_app

    return create_app({"TESTING": True}, runtime=runtime)


@pytest.fixture
def api(app) -> ApiClient:  # type: ignore[no-untyped-def]
    """A test client with users of every role already created (see ApiClient.as_)."""
    return ApiClient(app.test_client(), app.extensions["govflow"])


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> Callable[..., datetime]:
    """Set the moment cases are saved and clock and extension commands run at: ``now(date(2026, 3, 2))``."""
    def set_now(day: date, hour: int = 10) -> datetime:
        moment = at(day, hour)
        for module in (execution, time_limits, extensions):
            monkeypatch.setattr(module, "utcnow", lambda: moment)
        return moment
    return set_now
