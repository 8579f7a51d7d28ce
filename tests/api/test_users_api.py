"""Users over HTTP (/api/users): an identity system or an admin's tools add users, change their groups and
roles, keep leavers out and rotate tokens; supervisors read them; nobody else does."""
from __future__ import annotations

from typing import Any

import pytest


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _add(api, name: str, **body: Any) -> Any:  # type: ignore[no-untyped-def]
    return api.as_("admin").post("/api/users", json={"name": name, **body})


def _patch(api, name: str, body: dict[str, Any], as_: str = "admin") -> Any:  # type: ignore[no-untyped-def]
    client = api.as_(as_)
    return client.patch(f"/api/users/{name}", body)


def test_an_admin_adds_a_user_whose_token_works_at_once(api):
    added = _add(api, "wang.fang", display_name="王芳", groups=["window"], roles=["clerk"])

    assert added.status_code == 201
    body = added.get_json()
    assert {k: body[k] for k in ("name", "display_name", "groups", "roles", "active", "has_password")} == {
        "name": "wang.fang", "display_name": "王芳", "groups": ["window"], "roles": ["clerk"], "active": True,
        "has_password": False}
    assert api.client.get("/api/tasks?mine=true", headers=_bearer(body["token"])).status_code == 200
    # The token is shown once: reading the user again never shows it.
    again = api.as_("supervisor").get("/api/users/wang.fang").get_json()
    assert "token" not in again and again["groups"] == ["window"]


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "bad name"}, None), ({"name": "x", "roles": ["boss"]}, "roles"),
    ({"name": "x", "groups": ["a,b"]}, None), ({"name": "x", "token_ttl_days": 0}, "token_ttl_days"),
])
def test_a_bad_user_is_refused_with_what_is_wrong(api, body, field):
    refused = api.as_("admin").post("/api/users", json=body)
    assert refused.status_code in (400, 422)
    error = refused.get_json()["error"]
    if field:
        assert field in {d.get("field", "").split(".")[0] for d in error["details"]} or field in error["message"]
    assert api.as_("admin").get("/api/users/x").status_code == 404


def test_a_name_taken_is_a_conflict(api):
    assert _add(api, "li", roles=["clerk"]).status_code == 201
    taken = _add(api, "li", roles=["analyst"])
    assert taken.status_code == 409 and "already exists" in taken.get_json()["error"]["message"]
    assert taken.get_json()["error"]["reason"] == "name_taken"  # what pages word in their language


@pytest.mark.parametrize("who", ["window_clerk", "integrator", "analyst"])
def test_only_admins_change_users_and_only_supervisors_and_admins_read_them(api, who):
    api.token("supervisor")
    assert api.as_(who).get("/api/users").status_code == 403
    assert api.as_(who).post("/api/users", json={"name": "sneaky", "roles": ["admin"]}).status_code == 403
    assert _patch(api, "supervisor", {"roles": ["admin"]}, as_=who).status_code == 403
    assert api.as_(who).post("/api/users/supervisor/tokens", json={}).status_code == 403
    names = [u["name"] for u in api.as_("supervisor").get("/api/users").get_json()]
    assert "sneaky" not in names and who in names
    assert api.as_("supervisor").post("/api/users", json={"name": "x"}).status_code == 403


def test_a_change_replaces_only_what_is_given_and_takes_effect_at_the_next_request(api):
    token = _add(api, "zhao", groups=["window"], roles=["clerk"]).get_json()["token"]
    assert api.client.get("/api/supervision/stats", headers=_bearer(token)).status_code == 403

    changed = _patch(api, "zhao", {"roles": ["clerk", "supervisor"], "display_name": "赵"})

    assert changed.status_code == 200
    body = changed.get_json()
    assert (body["groups"], body["roles"], body["display_name"]) == (["window"], ["clerk", "supervisor"], "赵")
    assert body["released_tasks"] == [] and body["waiting_for_supervisor"] == []
    assert api.client.get("/api/supervision/stats", headers=_bearer(token)).status_code == 200
    assert _patch(api, "zhao", {"display_name": ""}).get_json()["display_name"] is None
    assert _patch(api, "zhao", {}).status_code == 400
    assert _patch(api, "nobody", {"roles": ["clerk"]}).status_code == 404


def test_deactivating_a_leaver_over_http_refuses_them_and_frees_their_tasks(api):
    api.deploy("routed_task.bpmn")
    for name in ("window_clerk", "window_clerk2", "supervisor"):
        api.token(name)
    body = {"group": "window", "users": None, "assignee": None, "due": None, "priority": None}
    [task] = api.start("routed_task", variables=body)["tasks"]
    assert api.as_("window_clerk").post(f"/api/tasks/{task['id']}/claim").status_code == 200

    left = _patch(api, "window_clerk", {"active": False})

    assert left.status_code == 200
    assert left.get_json()["active"] is False and left.get_json()["released_tasks"] == [task["id"]]
    assert api.as_("window_clerk").get("/api/tasks").status_code == 401
    assert api.as_("window_clerk2").post(f"/api/tasks/{task['id']}/claim").status_code == 200
    history = api.as_("supervisor").get(f"/api/process-instances/{task['process_instance_id']}/history").get_json()
    [released] = [e for e in history if e["event"] == "task.unclaimed"]
    assert released["actor"] == "admin" and released["data"]["reason"] == "用户 window_clerk 已停用"
    # Let in again: their token works as before.
    assert _patch(api, "window_clerk", {"active": True}).get_json()["active"] is True
    assert api.as_("window_clerk").get("/api/tasks").status_code == 200


@pytest.mark.parametrize("change", [{"active": False}, {"roles": ["supervisor"]}])
def test_the_last_active_admin_cannot_be_taken_away_over_http(api, change):
    refused = _patch(api, "admin", change)

    assert refused.status_code == 409 and "no active admin" in refused.get_json()["error"]["message"]
    assert refused.get_json()["error"]["reason"] == "last_admin"
    assert api.as_("admin").get("/api/users/admin").get_json()["roles"] == ["admin"]
    # With a second admin, the first may step down.
    _add(api, "chen", roles=["admin"])
    assert _patch(api, "admin", change).status_code == 200


def test_tokens_rotate_one_at_a_time(api):
    old = _add(api, "province", roles=["integrator"]).get_json()["token"]
    issued = api.as_("admin").post("/api/users/province/tokens", json={"label": "省平台 2027", "ttl_days": 30})

    assert issued.status_code == 201
    new = issued.get_json()
    assert new["label"] == "省平台 2027" and new["expires_at"] and new["token"].startswith("gf_")
    listed = api.as_("admin").get("/api/users/province/tokens").get_json()
    assert listed[0]["id"] == new["id"] and len(listed) == 2
    assert all("token" not in t and "token_hash" not in t for t in listed)
    initial = next(t for t in listed if t["id"] != new["id"])

    client = api.as_("admin")
    revoked = client.client.delete(f"/api/users/province/tokens/{initial['id']}", headers=client.headers())

    assert revoked.get_json() == {"revoked": 1}
    assert api.client.get("/api/process-definitions", headers=_bearer(old)).status_code == 401
    assert api.client.get("/api/process-definitions", headers=_bearer(new["token"])).status_code == 200
    assert client.client.delete(f"/api/users/province/tokens/{initial['id']}",
                                headers=client.headers()).get_json() == {"revoked": 0}
    assert client.client.delete("/api/users/admin/tokens/" + str(new["id"]), headers=client.headers()
                                ).status_code == 404  # not the admin's token
    assert client.client.delete("/api/users/province/tokens", headers=client.headers()).get_json() == {"revoked": 1}
    assert api.client.get("/api/process-definitions", headers=_bearer(new["token"])).status_code == 401
    revoked_at = [t["revoked_at"] for t in api.as_("admin").get("/api/users/province/tokens").get_json()]
    assert all(revoked_at)


def test_a_token_is_never_kept_for_an_idempotent_replay(api):
    """Only a token's hash is stored: a retried request with its Idempotency-Key answers without it."""
    from sqlalchemy import select

    from engine.models import IdempotencyKey

    admin = api.as_("admin")
    headers = {**admin.headers(), "Idempotency-Key": "add-sun"}
    first = admin.client.post("/api/users", json={"name": "sun", "roles": ["clerk"]}, headers=headers)
    again = admin.client.post("/api/users", json={"name": "sun", "roles": ["clerk"]}, headers=headers)
    assert first.get_json()["token"].startswith("gf_")
    assert again.headers["Idempotent-Replayed"] == "true" and "token" not in again.get_json()
    with api.runtime.uow() as uow:
        stored = b"".join(row.body or b"" for row in uow.session.scalars(select(IdempotencyKey)))
    assert first.get_json()["token"].encode() not in stored


def test_the_user_list_filters_by_group_role_and_state_and_pages_with_a_total(api):
    for name in ("window_clerk", "window_clerk2", "office_clerk", "supervisor"):
        api.token(name)
    assert _patch(api, "window_clerk2", {"active": False}).status_code == 200
    reader = api.as_("supervisor")

    def names(query: str) -> tuple[list[str], str]:
        response = reader.get(f"/api/users?{query}")
        assert response.status_code == 200, response.get_json()
        return [u["name"] for u in response.get_json()], response.headers["X-Total-Count"]

    assert names("group=window") == (["window_clerk", "window_clerk2"], "2")
    assert names("group=window&active=true") == (["window_clerk"], "1")
    assert names("active=false") == (["window_clerk2"], "1")
    assert names("role=supervisor") == (["supervisor"], "1")
    everyone, total = names("")
    assert everyone == sorted(everyone) and total == str(len(everyone)) and len(everyone) >= 5
    assert names("limit=2&offset=1") == (everyone[1:3], total)
    for bad in ("role=boss", "limit=0", "offset=-1", "active=maybe", "grp=window"):
        assert reader.get(f"/api/users?{bad}").status_code == 422, bad


@pytest.mark.parametrize("name", ["аdmin", "ｗindow", "ѕystem", "admin\u200b", "Ⅻ", "system\n", "admin\n"])
def test_a_name_that_would_pass_for_another_user_is_refused(api, name):
    """Cyrillic or full-width letters look like Latin ones in every history and audit line."""
    refused = api.post("/api/users", json={"name": name, "roles": ["clerk"]})
    assert refused.status_code == 422 and refused.get_json()["error"]["details"][0]["field"] == "name"


def test_chinese_names_are_taken_and_the_rule_is_documented(api):
    assert api.post("/api/users", json={"name": "张三", "roles": ["clerk"]}).status_code == 201
    documented = api.get("/api/openapi.json").get_json()["components"]["schemas"]["UserCreate"]["properties"]["name"]
    assert documented["pattern"].startswith("^[A-Za-z0-9")


@pytest.mark.parametrize("shown", ["王\u202e芳", "王\u0019芳", "\u200f王芳", "\u200b", "王芳\n"])
def test_a_display_name_with_control_or_reordering_characters_is_refused(api, shown):
    refused = api.post("/api/users", json={"name": "wangfang", "display_name": shown, "roles": ["clerk"]})
    if shown.endswith("\n"):  # a trailing line break is trimmed, as spaces are
        assert refused.status_code == 201 and refused.get_json()["display_name"] == "王芳"
        return
    assert refused.status_code == 422 and refused.get_json()["error"]["details"][0]["field"] == "display_name"
