"""``govflow user passwd``: set a person's password for the pages, prompted or given."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from api.cli import main
from engine import Runtime, users


def invoke(runtime: Runtime, tmp_path: Path, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    env = {"DATABASE_URL": runtime.settings.database_url, "GOVFLOW_DATA_DIR": str(tmp_path)}
    return CliRunner().invoke(main, list(args), env=env, input=input, catch_exceptions=False)


def test_passwd_prompts_twice_and_the_password_then_logs_in(runtime: Runtime, tmp_path: Path) -> None:
    users.add_user(runtime.uow(), "wang", roles=["clerk"], actor=users.SYSTEM)
    result = invoke(runtime, tmp_path, "user", "passwd", "wang", input="window-2026\nwindow-2026\n")
    assert result.exit_code == 0, result.output
    assert "password set for wang" in result.output
    assert users.login(runtime.uow(), "wang", "window-2026")[0].name == "wang"


def test_passwd_refuses_a_short_password_and_an_unknown_user(runtime: Runtime, tmp_path: Path) -> None:
    users.add_user(runtime.uow(), "wang", roles=["clerk"], actor=users.SYSTEM)
    short = invoke(runtime, tmp_path, "user", "passwd", "wang", "--password", "short")
    assert short.exit_code == 1 and "at least 8" in short.output
    unknown = invoke(runtime, tmp_path, "user", "passwd", "nobody", "--password", "long-enough")
    assert unknown.exit_code == 1 and "not found" in unknown.output
