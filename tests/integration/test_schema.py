"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from engine import Runtime
from engine.models import Base


def test_the_migrated_database_matches_the_models(runtime: Runtime) -> None:
    with runtime.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
