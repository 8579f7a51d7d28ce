"""The names govflow records for steps no user took ("system", "public") cannot be given to a user, over the
API or the command line: in a case's history such a user would pass for the engine or the public."""
from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from engine import complaints, users
from engine.errors import Unauthenticated
from engine.models import AuditEntry, User


@pytest.mark.parametrize("name", ["system", "public", "System", "PUBLIC"])
def test_the_api_refuses_a_reserved_user_name(api, name):
    refused = api.as_("admin").post("/api/users", json={"name": name, "roles": ["clerk"]})
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["code"] == "validation_failed" and "is reserved" in error["message"]
    assert error["details"] == [{"field": "name", "message": error["message"], "rule": "reserved"}]  # pages word the rule
    assert api.as_("admin").get(f"/api/users/{name}").status_code == 404


def test_the_command_line_refuses_a_reserved_user_name(cli):
    refused = cli("user", "add", "system", "--role", "admin")
    assert refused.exit_code == 1
    assert "the user name 'system' is reserved" in refused.output and "Traceback" not in refused.output
    assert "system" not in cli("user", "list").output


def test_a_name_merely_containing_a_reserved_one_is_a_user_like_any(api):
    assert api.as_("admin").post("/api/users", json={"name": "system.admin", "roles": ["clerk"]}).status_code == 201


def test_the_reserved_names_are_the_actors_the_engine_records():
    assert {users.SYSTEM.name, complaints.PUBLIC} == set(users.RESERVED_NAMES)


# ---- users named so before the names were reserved ---------------------------------------------------

def _legacy_user(runtime, name: str, roles: list[str]) -> str:  # type: ignore[no-untyped-def]
    """A user added before the refusal (written straight in, as an older govflow let it be); their token."""
    with runtime.uow() as uow:
        uow.session.add(User(name=name, groups=["window"], roles=roles))
        uow.commit()
    operator = users.Actor("cli:root", roles=frozenset({"admin"}))
    users.set_password(runtime.uow(), name, "correct horse", actor=operator)
    return users.issue_token(runtime.uow(), name, actor=operator).token


def test_a_user_named_system_from_before_can_no_longer_act_under_the_engine_s_name(api):
    """Before, its token worked: what it did went into the histories and the audit log as "system", the
    name govflow records its own steps under."""
    token = _legacy_user(api.runtime, "system", ["admin"])
    refused = api.client.post("/api/users", json={"name": "wang", "roles": ["clerk"]},
                              headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401
    message = refused.get_json()["error"]["message"]
    assert "the user name 'system' is reserved" in message and "an admin replaces it" in message
    for secret in ("correct horse", token):  # the pages' login, with the password or the token
        with pytest.raises(Unauthenticated, match="wrong user name or password"):
            users.login(api.runtime.uow(), "system", secret)
    with api.runtime.uow() as uow:  # nothing in the log under the engine's name
        assert uow.session.scalars(select(AuditEntry.action).where(AuditEntry.actor == "system")).all() == []


def test_a_page_session_opened_before_the_upgrade_ends(api):
    _legacy_user(api.runtime, "Public", ["clerk"])
    with api.runtime.uow() as uow:
        user = uow.session.scalars(select(User).where(User.name == "Public")).one()
        stamp = "p:" + hashlib.sha256(str(user.password_hash).encode()).hexdigest()[:32]
    with pytest.raises(Unauthenticated):
        users.session_actor(api.runtime.uow(), "Public", stamp)


def test_the_upgrade_and_the_user_list_name_each_such_user_with_the_fix(runtime, cli):
    _legacy_user(runtime, "system", ["integrator"])
    _legacy_user(runtime, "Public", ["clerk"])
    users.add_user(runtime.uow(), "system.admin", roles=["admin"], actor=users.SYSTEM)

    upgraded = cli("db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    warnings = [line for line in upgraded.output.splitlines() if line.startswith("warning:")]
    assert [line.split("'")[1] for line in warnings] == ["Public", "system"]
    assert "can no longer sign in; replace it: govflow user deactivate system (its open tasks go back" in warnings[1]

    listed = cli("user", "list").output.splitlines()
    assert "system\tgroups=window\troles=integrator\treserved name: cannot sign in" in listed
    assert "system.admin\tgroups=\troles=admin" in listed

    assert cli("user", "deactivate", "system").exit_code == 0
    assert "'system'" not in cli("db", "upgrade").output  # replaced: no longer named
    assert "system\tgroups=window\troles=integrator\tdeactivated" in cli("user", "list").output.splitlines()


def test_such_a_user_once_deactivated_is_not_activated_again(api):
    _legacy_user(api.runtime, "system", ["clerk"])
    admin = api.as_("admin")
    assert admin.client.patch("/api/users/system", json={"active": False}, headers=admin.headers()).status_code == 200
    again = admin.client.patch("/api/users/system", json={"active": True}, headers=admin.headers())
    assert again.status_code == 422
    assert "cannot be activated again" in again.get_json()["error"]["message"]
    assert again.get_json()["error"]["details"][0]["field"] == "active"
