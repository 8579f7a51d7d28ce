"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from engine import Runtime, schema
from engine.db import make_engine
from engine.models import Base


def test_the_migrated_database_matches_the_models(runtime: Runtime) -> None:
    with runtime.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_an_upgrade_stopped_half_way_leaves_the_sqlite_database_as_it_was(tmp_path, monkeypatch):
    engine = make_engine(f"sqlite:///{tmp_path}/stopped.db")
    real, calls = Operations.create_index, []

    def interrupted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args)
        if len(calls) == 6:  # some migrations in: tables exist, the revision is not written yet
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)
    monkeypatch.setattr(Operations, "create_index", interrupted)
    with pytest.raises(KeyboardInterrupt):
        schema.upgrade(engine)
    assert inspect(engine).get_table_names() == [] and schema.current(engine) is None
    monkeypatch.setattr(Operations, "create_index", real)
    schema.upgrade(engine)  # as the advice says: run it again
    head = ScriptDirectory.from_config(schema.alembic_config(str(engine.url))).get_current_head()
    assert schema.current(engine) == head and "process_instances" in inspect(engine).get_table_names()
    engine.dispose()
