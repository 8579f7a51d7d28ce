"""Fixtures the integration tests share."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from engine import Runtime


@pytest.fixture
def cli(runtime: Runtime, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Invoke ``govflow`` in-process with DATABASE_URL pointing at the (clean) test database."""
    env = {"DATABASE_URL": runtime.settings.database_url, "GOVFLOW_DATA_DIR": str(tmp_path)}

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return invoke
