"""``govflow user set`` and what ``govflow user deactivate`` does with a leaver's tasks."""
from __future__ import annotations

from typing import Any

import pytest

from api import create_app
from engine import Runtime, definitions, instances, users
from engine.users import SYSTEM, Actor
from tests.helpers import FIXTURES

PORTAL = Actor("portal", roles=frozenset({"integrator"}))


@pytest.fixture
def client(runtime: Runtime) -> Any:
    return create_app({"TESTING": True}, runtime=runtime).test_client()


def _as(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _routed_task(runtime: Runtime, **variables: Any) -> str:
    definitions.deploy(runtime.uow(), [("routed_task.bpmn", (FIXTURES / "routed_task.bpmn").read_bytes())],
                       actor=SYSTEM)
    body = {"group": None, "users": None, "assignee": None, "due": None, "priority": None, **variables}
    view, _ = instances.start(runtime.uow(), "routed_task", actor=PORTAL, variables=body)
    [task] = view.tasks
    return str(task.id)


def test_user_set_replaces_the_roles_given_and_prints_the_user_as_now(cli, client):
    token = cli("user", "add", "zhao", "--role", "supervisor", "--group", "window").stdout.strip()
    assert client.get("/api/incidents", headers=_as(token)).status_code == 200

    result = cli("user", "set", "zhao", "--role", "clerk")

    assert result.exit_code == 0, result.output
    assert result.stdout == "zhao\tgroups=window\troles=clerk\n"
    assert "was groups=window roles=supervisor" in result.stderr
    assert client.get("/api/incidents", headers=_as(token)).status_code == 403  # the same token, at once
    assert "zhao\tgroups=window\troles=clerk" in cli("user", "list").stdout.splitlines()


def test_user_set_replaces_groups_and_clears_with_no_groups(cli):
    cli("user", "add", "zhao", "--role", "clerk", "--group", "window")
    result = cli("user", "set", "zhao", "--group", "office", "--group", "review")
    assert result.exit_code == 0 and result.stdout == "zhao\tgroups=office,review\troles=clerk\n"
    result = cli("user", "set", "zhao", "--no-groups", "--role", "clerk", "--role", "analyst")
    assert result.exit_code == 0 and result.stdout == "zhao\tgroups=\troles=clerk,analyst\n"
    assert cli("user", "set", "zhao", "--no-roles").stdout == "zhao\tgroups=\troles=\n"


@pytest.mark.parametrize(("args", "code", "says"), [
    (("nobody", "--role", "clerk"), 1, "user 'nobody' not found"),
    (("zhao", "--role", "boss"), 2, "'boss' is not one of"),
    (("zhao", "--group", "a,b"), 1, "invalid group name 'a,b'"),
    (("zhao",), 2, "nothing to change"),
    (("zhao", "--role", "clerk", "--no-roles"), 2, "give one or the other"),
    (("zhao", "--group", " "), 1, "an empty group name"),  # an empty shell variable, not a wish to clear
])
def test_user_set_refuses_with_a_clear_error(cli, args, code, says):
    cli("user", "add", "zhao", "--role", "supervisor")
    result = cli("user", "set", *args)
    assert result.exit_code == code and says in result.stderr, result.output
    assert "zhao\tgroups=\troles=supervisor" in cli("user", "list").stdout.splitlines()


def test_deactivate_gives_the_leavers_claimed_task_back_to_colleagues(cli, runtime, client):
    leaver = cli("user", "add", "leaver", "--role", "clerk", "--group", "window").stdout.strip()
    colleague = cli("user", "add", "colleague", "--role", "clerk", "--group", "window").stdout.strip()
    task_id = _routed_task(runtime, group="window")
    assert client.post(f"/api/tasks/{task_id}/claim", headers=_as(leaver)).status_code == 200
    assert client.post(f"/api/tasks/{task_id}/claim", headers=_as(colleague)).status_code == 409

    result = cli("user", "deactivate", "leaver")

    assert result.exit_code == 0 and result.stdout == "leaver deactivated\n"
    assert "released 1 task(s) of leaver back to their queues" in result.stderr
    queue = client.get("/api/tasks?mine=true", headers=_as(colleague)).get_json()
    assert [t["id"] for t in queue["items"]] == [task_id]
    assert client.post(f"/api/tasks/{task_id}/claim", headers=_as(colleague)).status_code == 200


def test_deactivate_names_the_tasks_only_a_supervisor_can_now_assign(cli, runtime, client):
    leaver = cli("user", "add", "leaver", "--role", "clerk").stdout.strip()
    task_id = _routed_task(runtime, users=["leaver"])
    assert client.post(f"/api/tasks/{task_id}/claim", headers=_as(leaver)).status_code == 200

    result = cli("user", "deactivate", "leaver")

    assert result.exit_code == 0, result.output
    assert "released 1 task(s)" in result.stderr
    assert "1 open task(s) name no one else who may claim them" in result.stderr
    assert "/api/tasks?candidate_user=leaver&unassigned=true" in result.stderr
    supervisor = users.add_user(runtime.uow(), "boss", roles=["supervisor"], actor=users.SYSTEM)[1]
    listed = client.get("/api/tasks?candidate_user=leaver&unassigned=true", headers=_as(supervisor)).get_json()
    assert [t["id"] for t in listed["items"]] == [task_id]


def test_taking_the_last_admin_role_away_is_warned_about(cli):
    cli("user", "add", "root", "--role", "admin")
    cli("user", "add", "deputy", "--role", "admin")
    assert "no active user has the admin role" not in cli("user", "set", "deputy", "--role", "clerk").stderr
    result = cli("user", "set", "root", "--no-roles")
    assert result.exit_code == 0 and "warning: no active user has the admin role now" in result.stderr
    cli("user", "set", "root", "--role", "admin")
    assert "no active user has the admin role" in cli("user", "deactivate", "root").stderr
