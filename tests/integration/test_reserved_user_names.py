"""The names govflow records for steps no user took ("system", "public") cannot be given to a user, over the
API or the command line: in a case's history such a user would pass for the engine or the public."""
from __future__ import annotations

import pytest

from engine import complaints, users


@pytest.mark.parametrize("name", ["system", "public", "System", "PUBLIC"])
def test_the_api_refuses_a_reserved_user_name(api, name):
    refused = api.as_("admin").post("/api/users", json={"name": name, "roles": ["clerk"]})
    assert refused.status_code == 400
    error = refused.get_json()["error"]
    assert error["code"] == "invalid_request" and "is reserved" in error["message"]
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
