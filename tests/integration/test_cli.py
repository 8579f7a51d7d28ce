"""The ``govflow`` command: deploy, users and migrations, against the suite's database."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from api import create_app
from api.cli import main
from engine import Runtime, users
from engine.errors import Unauthenticated
from engine.models import ProcessDefinition
from tests.helpers import FIXTURES, ROOT

GOVFLOW = Path(sys.executable).parent / "govflow"


def _definitions(runtime: Runtime) -> int:
    with runtime.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(ProcessDefinition)) or 0


def test_deploy_prints_each_definition_and_exits_0(cli, runtime):
    result = cli("deploy", str(FIXTURES / "simple_approval.bpmn"), str(FIXTURES / "routed_task.bpmn"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["simple_approval version 1 (new)", "routed_task version 1 (new)"]
    again = cli("deploy", str(FIXTURES / "simple_approval.bpmn"))
    assert again.stdout.splitlines() == ["simple_approval version 1 (unchanged)"]


def test_deploy_takes_a_folder(cli, tmp_path):
    folder = tmp_path / "permit"
    folder.mkdir()
    for name in ("call_parent.bpmn", "call_child_v1.bpmn"):
        shutil.copy(FIXTURES / name, folder / name)
    (folder / "notes.txt").write_text("not deployed")
    result = cli("deploy", str(folder))
    assert result.exit_code == 0, result.output
    assert sorted(result.stdout.splitlines()) == ["permit_child version 1 (new)", "permit_parent version 1 (new)"]


def test_deploy_prints_every_problem_as_file_line_element_message_and_exits_1(cli, runtime):
    result = cli("deploy", str(FIXTURES / "simple_approval.bpmn"), str(FIXTURES / "invalid/groovy_script.bpmn"),
                 str(FIXTURES / "invalid/dangling_flow.bpmn"))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert f"{FIXTURES / 'invalid/groovy_script.bpmn'}:6: [compute_fee] script language 'groovy' is not supported; " \
        "write it in Python" in lines  # the path given, as lint says it
    assert any(line.startswith(f"{FIXTURES / 'invalid/dangling_flow.bpmn'}:7: [f_lost] sequence flow targetRef "
                               "'review_removed'") for line in lines)
    assert lines[-1] == "error: deployment refused: 2 problem(s); nothing was deployed"
    assert result.stdout == "" and _definitions(runtime) == 0


def test_deploy_prints_a_problem_without_a_line_as_file_message(cli, runtime, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a diagram")
    result = cli("deploy", str(FIXTURES / "invalid/groovy_script.bpmn"), str(notes))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert f"{FIXTURES / 'invalid/groovy_script.bpmn'}:6: [compute_fee] script language 'groovy' is not supported; " \
        "write it in Python" in lines
    assert any(line.startswith(f"{notes}: unsupported file type (deploy ") for line in lines), lines
    assert not any(":0:" in line for line in lines)
    assert _definitions(runtime) == 0


def test_two_files_deployed_under_one_name_are_refused_naming_both(cli, runtime, tmp_path):
    for folder, fixture in (("a", "simple_approval.bpmn"), ("b", "routed_task.bpmn")):
        (tmp_path / folder).mkdir()
        shutil.copy(FIXTURES / fixture, tmp_path / folder / "p.bpmn")
    result = cli("deploy", str(tmp_path / "a"), str(tmp_path / "b"))
    assert result.exit_code == 2 and "would both be deployed as p.bpmn" in result.stderr
    assert str(tmp_path / "a" / "p.bpmn") in result.stderr and str(tmp_path / "b" / "p.bpmn") in result.stderr
    assert _definitions(runtime) == 0
    # One file named twice (its folder, and the file itself) is deployed once.
    again = cli("deploy", str(tmp_path / "a"), str(tmp_path / "a" / "p.bpmn"))
    assert again.exit_code == 0 and again.stdout.splitlines() == ["simple_approval version 1 (new)"]


def test_deploy_of_a_missing_path_is_a_usage_error(cli, tmp_path):
    result = cli("deploy", str(tmp_path / "nowhere.bpmn"))
    assert result.exit_code == 2 and "no such file or folder" in result.stderr


def test_user_add_prints_a_token_that_works_against_the_api(cli, runtime):
    result = cli("user", "add", "li.clerk", "--group", "window", "--role", "clerk")
    assert result.exit_code == 0, result.output
    [token] = result.stdout.split()
    client = create_app({"TESTING": True}, runtime=runtime).test_client()
    response = client.get("/api/tasks?mine=true", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.get_json()["total"] == 0
    refused = client.post("/api/deployments", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 403


def test_user_add_refuses_a_taken_name(cli):
    assert cli("user", "add", "wang", "--role", "analyst").exit_code == 0
    again = cli("user", "add", "wang", "--role", "analyst")
    assert again.exit_code == 1 and "already exists" in again.stderr


def test_user_revoke_makes_the_token_fail(cli, runtime):
    token = cli("user", "add", "zhao", "--role", "supervisor").stdout.strip()
    assert cli("user", "revoke", "zhao").stdout.strip() == "revoked 1 token(s)"
    client = create_app({"TESTING": True}, runtime=runtime).test_client()
    assert client.get("/api/tasks", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_db_upgrade_is_idempotent_on_the_suite_database(cli):
    first, second = cli("db", "upgrade"), cli("db", "upgrade")
    assert (first.exit_code, second.exit_code) == (0, 0)
    assert _revision_line(first.stdout) == _revision_line(second.stdout)


def _revision_line(output: str) -> str:
    [line] = [line for line in output.splitlines() if line.startswith("database at revision ")]
    return line


def _govflow(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(GOVFLOW), *args], env=env, capture_output=True, text=True, check=False, timeout=120)


def test_the_console_script_migrates_a_fresh_database_twice(tmp_path):
    env = {"PATH": str(GOVFLOW.parent), "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}",
           "GOVFLOW_DATA_DIR": str(tmp_path)}
    runs = [_govflow(env, "db", "upgrade") for _ in range(2)]
    assert [run.returncode for run in runs] == [0, 0], runs[0].stderr
    assert _revision_line(runs[0].stdout) == _revision_line(runs[1].stdout)
    current = _govflow(env, "db", "current")
    assert _revision_line(runs[1].stdout) == f"database at revision {current.stdout.strip()}"


@pytest.mark.parametrize("url, says", [
    ("sqlite:///{tmp}/never-migrated.db", "the database is not migrated for this govflow"),
    ("postgresql+psycopg://postgres@127.0.0.1:1/nowhere", "the database cannot be used"),
    ("garbage", "DATABASE_URL cannot be used"),
    ("postgresql+psycopg2://postgres@127.0.0.1/x", "module 'psycopg2' is missing"),
])
def test_a_database_that_cannot_be_used_is_one_line_not_a_traceback(tmp_path, url, says):
    (tmp_path / "never-migrated.db").touch()  # an empty SQLite database
    env = {"DATABASE_URL": url.format(tmp=tmp_path), "GOVFLOW_DATA_DIR": str(tmp_path)}
    result = CliRunner().invoke(main, ["user", "list"], env=env, catch_exceptions=False)
    assert result.exit_code == 1 and says in result.stderr, result.output
    assert "Traceback" not in result.output


def test_a_data_directory_that_cannot_be_made_is_one_line_not_a_traceback(tmp_path):
    (tmp_path / "a-file").touch()
    env = {"PATH": str(GOVFLOW.parent), "GOVFLOW_DATA_DIR": str(tmp_path / "a-file")}
    result = _govflow(env, "db", "upgrade")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (f"Error: {tmp_path / 'a-file'}: cannot be used for the database (File exists): "
                                     "check GOVFLOW_DATA_DIR and DATABASE_URL")


def test_only_the_commands_that_set_a_database_up_create_a_missing_sqlite_file(tmp_path):
    mistyped = tmp_path / "mistyped" / "govflow.db"
    env = {"DATABASE_URL": f"sqlite:///{mistyped}", "GOVFLOW_DATA_DIR": str(tmp_path)}
    for args in (["user", "list"], ["db", "current"], ["calendar", "list"], ["department", "list"]):
        result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
        assert result.exit_code == 1 and f"no database at {mistyped}" in result.stderr, (args, result.output)
    assert not mistyped.exists()
    assert CliRunner().invoke(main, ["db", "upgrade"], env=env, catch_exceptions=False).exit_code == 0
    assert mistyped.exists()
    two_slashes = CliRunner().invoke(main, ["user", "list"], catch_exceptions=False, env={
        "DATABASE_URL": "sqlite://tmp/govflow.db", "GOVFLOW_DATA_DIR": str(tmp_path)})
    assert two_slashes.exit_code == 1 and "three slashes before a relative path" in two_slashes.stderr


def test_serve_and_worker_create_only_the_default_database(tmp_path, monkeypatch):
    """A first start on the default database sets it up; a DATABASE_URL naming a SQLite file that does not
    exist is a mistyped path, not a new database to serve empty."""
    from api import server

    served: list[int] = []
    monkeypatch.setattr(server, "run_server", lambda **options: served.append(options["port"]))
    mistyped = tmp_path / "mistyped" / "govflow.db"
    for args in (["serve", "--port", "8123"], ["worker"]):
        result = CliRunner().invoke(main, args, catch_exceptions=False, env={
            "DATABASE_URL": f"sqlite:///{mistyped}", "GOVFLOW_DATA_DIR": str(tmp_path)})
        assert result.exit_code == 1 and f"no database at {mistyped}: check DATABASE_URL" in result.stderr, args
    assert not mistyped.parent.exists() and served == []

    data = tmp_path / "data"
    result = CliRunner().invoke(main, ["serve", "--port", "8123"], catch_exceptions=False,
                                env={"DATABASE_URL": None, "GOVFLOW_DATA_DIR": str(data)})
    assert result.exit_code == 0, result.output
    assert served == [8123] and [p.name for p in data.glob("*.db")] == ["govflow.db"]


def test_a_setting_that_is_not_a_number_is_named(cli, tmp_path):
    result = CliRunner().invoke(main, ["user", "list"], catch_exceptions=False,
                                env={"GOVFLOW_TOKEN_TTL_DAYS": "abc", "GOVFLOW_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 1 and "GOVFLOW_TOKEN_TTL_DAYS must be a number, not 'abc'" in result.stderr


def test_token_lifetimes_and_server_options_out_of_range_are_usage_errors(cli):
    for args in (["user", "add", "hank", "--role", "clerk", "--ttl-days", "-5"],
                 ["user", "add", "hank", "--role", "clerk", "--ttl-days", "0"],
                 ["user", "add", "hank", "--role", "clerk", "--ttl-days", "99999999"],
                 ["serve", "--workers", "0"], ["serve", "--port", "70000"]):
        result = cli(*args)
        assert result.exit_code == 2 and "is not in the range" in result.stderr, (args, result.output)
    assert cli("user", "list").stdout == ""  # hank was never added


def test_a_deactivated_user_is_kept_out_by_token_and_password_until_activated(cli, runtime):
    app_client = create_app({"TESTING": True}, runtime=runtime).test_client()
    token = cli("user", "add", "leaver", "--role", "clerk", "--group", "window").stdout.strip()
    assert cli("user", "passwd", "leaver", "--password", "counter-2026").exit_code == 0
    headers = {"Authorization": f"Bearer {token}"}
    assert app_client.get("/api/tasks", headers=headers).status_code == 200

    result = cli("user", "deactivate", "leaver")
    assert result.exit_code == 0 and result.stdout.strip() == "leaver deactivated"
    assert "leaver\tgroups=window\troles=clerk\tdeactivated" in cli("user", "list").stdout.splitlines()
    assert app_client.get("/api/tasks", headers=headers).status_code == 401
    with pytest.raises(Unauthenticated):
        users.login(runtime.uow(), "leaver", "counter-2026")

    assert cli("user", "activate", "leaver").exit_code == 0
    assert app_client.get("/api/tasks", headers=headers).status_code == 200
    assert cli("user", "deactivate", "nobody").exit_code == 1


def test_a_huge_file_is_refused_before_it_is_read(cli, tmp_path):
    huge = tmp_path / "huge.bpmn"
    with huge.open("wb") as f:
        f.truncate(64 * 1024 * 1024)  # sparse: no disk used
    result = cli("deploy", str(huge))
    assert result.exit_code == 2 and "huge.bpmn is 64 MiB; deployable files are at most 16 MiB" in result.stderr


def test_over_long_text_and_control_characters_in_names_are_refused_naming_the_field(cli, runtime):
    cases = [(["user", "add", "kim", "--role", "clerk", "--display-name", "名" * 201], "display_name is too long: at most 200"),
             (["user", "add", "kim", "--role", "clerk", "--group", "g\x01"], "invalid group name"),
             (["user", "add", "kim", "--role", "clerk", "--group", "w\u202e"], "invalid group name"),
             (["deploy", str(FIXTURES / "simple_approval.bpmn"), "--name", "x" * 201], "name is at most 200"),
             (["calendar", "create", "GD", "--description", "d" * 501], "description is at most 500")]
    for args, says in cases:
        result = cli(*args)
        assert result.exit_code == 1 and says in result.stderr, (args[:3], result.output)
    assert cli("user", "list").stdout == "" and _definitions(runtime) == 0


@pytest.mark.parametrize("value", ["0", "-1", "36501"])
def test_a_token_lifetime_setting_out_of_range_is_named(tmp_path, value):
    result = CliRunner().invoke(main, ["user", "list"], catch_exceptions=False,
                                env={"GOVFLOW_TOKEN_TTL_DAYS": value, "GOVFLOW_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 1 and "GOVFLOW_TOKEN_TTL_DAYS must be 1 to 36500 days" in result.stderr


def test_deploy_names_each_form_it_deployed(cli, tmp_path):
    """A corrected form deployed with its unchanged diagram: the diagram keeps its version, and the output
    says the form went in."""
    item = ROOT / "bpmn" / "window-acceptance" / "window_acceptance.bpmn"
    forms = sorted((ROOT / "forms").glob("window-*.form"))
    assert cli("deploy", str(item), *map(str, forms)).exit_code == 0
    again = cli("deploy", str(item), str(forms[0]))
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines() == ["window_acceptance version 1 (unchanged)", f"form {forms[0].name}"]


def test_deploy_names_the_forms_it_generated_from_camunda_form_data(cli):
    result = cli("deploy", str(FIXTURES / "camunda_form_data.bpmn"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["form_data version 1 (new)",
                                          "form form_data.apply.generated.form (generated from camunda:formData)",
                                          "form form_data.review.generated.form (generated from camunda:formData)"]


def test_deploy_once_skips_files_this_database_was_given_before(cli, runtime, tmp_path):
    """scripts/run.sh deploys the library on every start with --once: an analyst's later version stays the
    latest, and a changed library is deployed."""
    library = tmp_path / "library"
    library.mkdir()
    (library / "simple_approval.bpmn").write_bytes((FIXTURES / "simple_approval.bpmn").read_bytes())
    first = cli("deploy", "--once", "--name", "library", str(library))
    assert first.exit_code == 0 and first.stdout.splitlines() == ["simple_approval version 1 (new)"]
    assert cli("deploy", str(FIXTURES / "simple_approval_v2.bpmn")).stdout.splitlines() == [
        "simple_approval version 2 (new)"]  # an analyst's own version
    again = cli("deploy", "--once", "--name", "library", str(library))
    assert again.exit_code == 0 and again.stdout.startswith("1 files deployed before as 'library (")
    assert _definitions(runtime) == 2  # version 2 is still the latest
    (library / "simple_approval.bpmn").write_bytes((FIXTURES / "simple_approval.bpmn").read_bytes()
                                                   .replace(b"<bpmn:process", b"<!-- 2027 -->\n<bpmn:process", 1))
    changed = cli("deploy", "--once", "--name", "library", str(library))
    assert changed.exit_code == 0 and changed.stdout.splitlines() == ["simple_approval version 3 (new)"]


def test_a_worker_moves_the_loaded_app_out_of_the_collector_s_way(monkeypatch):
    """After loading, gunicorn's worker freezes what is alive (gc.freeze): collections of a request's garbage
    no longer walk the app's long-lived objects. The bench (bench/workflow.py) measures what it saves."""
    import gc

    from api import server

    started: list[object] = []
    monkeypatch.setattr("engine.worker.start_background", started.append)
    worker = type("Worker", (), {"wsgi": type("App", (), {"extensions": {"govflow": "runtime"}})()})()
    try:
        server._settle_heap(worker)
        assert gc.get_freeze_count() > 1000
        gc.unfreeze()
        server._start_scheduler(worker)  # with the scheduler: started, then frozen alike
        assert started == ["runtime"] and gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
