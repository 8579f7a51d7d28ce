"""Explicit engine settings, read from the environment by entrypoints and passed down."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def default_data_dir() -> Path:
    return Path(os.environ.get("GOVFLOW_DATA_DIR", Path.cwd() / "var")).resolve()


def default_database_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'govflow.db'}"


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    # Timers and jobs: how long a worker's claim on a job lasts before another may take it over.
    job_lease_seconds: int = 60
    max_deployment_bytes: int = 5 * 1024 * 1024
    token_ttl_days: int | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> "Settings":
        data_dir = default_data_dir()
        url = os.environ.get("DATABASE_URL") or default_database_url(data_dir)
        return cls(database_url=url, data_dir=data_dir)
