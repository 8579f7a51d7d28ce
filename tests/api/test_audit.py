"""The audit log (GET /api/audit): every change to users, tokens, departments, webhooks, calendars and
supervision rules leaves one entry in its own transaction, with who, what and the values before and after,
never a secret; a refused change leaves none; supervisors and admins read it, nobody else."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from api.cli import main
from engine import audit, delivery, users, webhooks
from engine.models import AuditEntry, User

SPRING_2027 = {"holidays": [{"date": f"2027-02-{d:02d}", "name": "春节"} for d in range(6, 14)],
               "workdays": [{"date": "2027-02-20", "name": "春节"}]}


@pytest.fixture
def runtime_settings() -> dict[str, Any]:
    """conftest's runtime, where a delivery's first failure makes it a dead letter (to replay)."""
    return {"webhook_max_attempts": 1, "webhook_timeout_seconds": 2}


def log(api: Any, reader: str = "admin", **query: Any) -> dict[str, Any]:
    response = api.as_(reader).get("/api/audit", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def entries(api: Any, **query: Any) -> list[dict[str, Any]]:
    """The entries oldest first (the API lists newest first), without the cast's own users being added."""
    items = log(api, limit=500, **query)["items"]
    return [e for e in reversed(items) if e["actor"] != "system"]


def brief(entry: dict[str, Any]) -> tuple[str, str, str, str]:
    return entry["actor"], entry["action"], entry["target_kind"], entry["target_key"]


def patch(api: Any, url: str, body: dict[str, Any], as_: str = "admin") -> Any:
    client = api.as_(as_)
    return client.patch(url, body)


def delete(api: Any, url: str, as_: str = "admin", **kwargs: Any) -> Any:
    client = api.as_(as_)
    return client.client.delete(url, headers=client.headers(), **kwargs)


# ---- users and tokens ----------------------------------------------------------------------------

def test_adding_changing_deactivating_and_activating_a_user_are_recorded_with_what_changed(api):
    added = api.as_("admin").post("/api/users", json={"name": "wang.fang", "display_name": "王芳",
                                                      "groups": ["window"], "roles": ["clerk"]})
    assert added.status_code == 201
    assert patch(api, "/api/users/wang.fang", {"groups": ["window", "office"], "roles": ["clerk"]}).status_code == 200
    assert patch(api, "/api/users/wang.fang", {"active": False}).status_code == 200
    assert patch(api, "/api/users/wang.fang", {"active": True, "display_name": "王芳芳"}).status_code == 200

    found = entries(api, target_kind="user", target_key="wang.fang")
    assert [brief(e)[:2] for e in found] == [("admin", "user.added"), ("admin", "token.issued"),
                                             ("admin", "user.changed"), ("admin", "user.deactivated"),
                                             ("admin", "user.changed"), ("admin", "user.activated")]
    assert found[0]["change"] == {"before": {}, "after": {"display_name": "王芳", "groups": ["window"],
                                                          "roles": ["clerk"], "active": True}}
    token_id = api.as_("admin").get("/api/users/wang.fang/tokens").get_json()[0]["id"]
    assert found[1]["change"] == {"before": {}, "after": {"token_id": token_id, "label": "initial",
                                                          "expires_at": None}}
    # Only what changed: the roles given again are not in it.
    assert found[2]["change"] == {"before": {"groups": ["window"]}, "after": {"groups": ["window", "office"]}}
    assert found[3]["change"] == {"before": {"active": True}, "after": {"active": False}}
    assert found[4]["change"] == {"before": {"display_name": "王芳"}, "after": {"display_name": "王芳芳"}}
    assert found[5]["change"] == {"before": {"active": False}, "after": {"active": True}}
    assert all(e["at"] and e["id"] for e in found)


def test_a_leaver_s_entry_names_the_tasks_given_back_to_their_queues(api):
    api.deploy("simple_approval.bpmn")
    case = api.start("simple_approval", variables={"reviewGroup": "office"})
    [task] = case["tasks"]
    assert api.as_("window_clerk").post(f"/api/tasks/{task['id']}/claim").status_code == 200

    assert patch(api, "/api/users/window_clerk", {"active": False}).status_code == 200

    [entry] = entries(api, action="user.deactivated")
    assert entry["change"] == {"before": {"active": True}, "after": {"active": False},
                               "released_tasks": [task["id"]]}


def test_tokens_issued_and_revoked_are_recorded_by_id(api):
    api.token("window_clerk")
    issued = api.as_("admin").post("/api/users/window_clerk/tokens", json={"label": "省平台对接", "ttl_days": 30})
    assert issued.status_code == 201
    token_id = issued.get_json()["id"]
    assert delete(api, f"/api/users/window_clerk/tokens/{token_id}").get_json() == {"revoked": 1}
    assert delete(api, "/api/users/window_clerk/tokens").get_json() == {"revoked": 1}  # the initial one
    assert delete(api, "/api/users/window_clerk/tokens").get_json() == {"revoked": 0}

    found = entries(api, target_key="window_clerk")
    assert [e["action"] for e in found] == ["token.issued", "token.revoked", "token.revoked", "token.revoked"]
    after = found[0]["change"]["after"]
    assert (after["token_id"], after["label"], after["expires_at"] is not None) == (token_id, "省平台对接", True)
    assert found[1]["change"]["tokens"] == [token_id]
    assert found[1]["change"]["before"] == {"revoked_at": None} and found[1]["change"]["after"]["revoked_at"]
    assert len(found[2]["change"]["tokens"]) == 1 and found[2]["change"]["tokens"] != [token_id]
    # Revoking tokens revoked already changed nothing: who asked is still recorded.
    assert found[3]["change"] == {"before": {}, "after": {}, "tokens": []}


# ---- departments, calendars, supervision rules ---------------------------------------------------

def test_departments_put_moved_and_deleted_are_recorded_with_before_and_after(api):
    admin = api.as_("admin")
    assert admin.put("/api/departments/SCJG", {"name": "市场监督管理局", "groups": ["scjg"]}).status_code == 201
    assert admin.put("/api/departments/SCJG", {"name": "市场监管局", "groups": ["scjg", "window"]}).status_code == 200
    assert admin.put("/api/departments/ZWFW", {"name": "政务服务中心", "groups": ["window"],
                                                "move_groups": True}).status_code == 201
    assert admin.put("/api/departments/OLD", {"name": "撤销"}).status_code == 201
    deleted = delete(api, "/api/departments/OLD")
    assert deleted.status_code == 204 and deleted.data == b"" and "Content-Type" not in deleted.headers

    found = entries(api, target_kind="department")
    assert [(e["action"], e["target_key"]) for e in found] == [
        ("department.put", "SCJG"), ("department.put", "SCJG"), ("department.put", "ZWFW"),
        ("department.put", "SCJG"), ("department.put", "OLD"), ("department.deleted", "OLD")]
    assert found[0]["change"] == {"before": {}, "after": {"name": "市场监督管理局", "parent_code": None,
                                                          "groups": ["scjg"]}, "created": True}
    assert found[1]["change"] == {"before": {"name": "市场监督管理局", "groups": ["scjg"]},
                                  "after": {"name": "市场监管局", "groups": ["scjg", "window"]}, "created": False}
    assert found[2]["change"]["moved_groups"] == {"window": "SCJG"}
    # The department the group left says so in its own log (before, only ZWFW's entry did).
    assert found[3]["change"] == {"before": {"groups": ["scjg", "window"]}, "after": {"groups": ["scjg"]},
                                  "groups_moved_to": "ZWFW"}
    assert found[5]["change"] == {"before": {"name": "撤销", "parent_code": None}, "after": {}}


def test_a_calendar_year_put_records_the_days_it_added_removed_or_renamed(api):
    admin = api.as_("admin")
    assert admin.put("/api/calendar/2027", SPRING_2027).status_code == 200
    shorter = {"holidays": SPRING_2027["holidays"][:-1], "workdays": [{"date": "2027-02-20", "name": "春节调休"}]}
    assert admin.put("/api/calendar/2027", shorter).status_code == 200

    first, second = entries(api, action="calendar.changed", target_key="CN")
    assert (first["actor"], first["target_kind"], first["change"]["years"], first["change"]["source"]) == (
        "admin", "calendar", [2027], "api")
    assert first["change"]["before"] == {}
    assert first["change"]["after"]["2027-02-06"] == {"kind": "holiday", "name": "春节"}
    assert len(first["change"]["after"]) == 9
    assert second["change"]["before"] == {"2027-02-13": {"kind": "holiday", "name": "春节"},
                                          "2027-02-20": {"kind": "workday", "name": "春节"}}
    assert second["change"]["after"] == {"2027-02-20": {"kind": "workday", "name": "春节调休"}}


def test_a_supervisor_changing_a_supervision_rule_is_recorded(api):
    assert api.as_("supervisor").put("/api/supervision/rules/*", {"remind_days": 3}).status_code == 200
    assert api.as_("supervisor").put("/api/supervision/rules/*", {"step_overrun": False}).status_code == 200

    found = entries(api, action="supervision_rules.changed")
    assert [brief(e) for e in found] == [("supervisor", "supervision_rules.changed", "supervision_rule", "*")] * 2
    # The first put created the rule: nothing before it. A field the rule had left to inherit was null.
    assert found[0]["change"] == {"before": {}, "after": {"remind_days": 3, "step_overrun": None}}
    assert found[1]["change"] == {"before": {"step_overrun": None}, "after": {"step_overrun": False}}


def test_a_new_process_rule_s_entry_has_no_field_before_it_and_a_change_only_what_changed(api):
    api.deploy("simple_approval.bpmn")
    supervisor = api.as_("supervisor")
    assert supervisor.put("/api/supervision/rules/simple_approval",
                          {"remind_days": 2, "step_overrun": False}).status_code == 200
    assert supervisor.put("/api/supervision/rules/simple_approval", {"remind_days": None}).status_code == 200

    created, changed = entries(api, action="supervision_rules.changed", target_key="simple_approval")
    assert created["change"] == {"before": {}, "after": {"remind_days": 2, "step_overrun": False}}
    assert changed["change"] == {"before": {"remind_days": 2}, "after": {"remind_days": None}}


# ---- webhooks ------------------------------------------------------------------------------------

def test_every_webhook_change_is_recorded_with_its_url_s_query_values_masked(api, runtime, receiver):
    integrator = api.as_("integrator")
    hook = integrator.post("/api/webhooks", json={"url": receiver.url + "?key=k3y-in-url",
                                                  "events": ["instance.started"]}).get_json()
    url = f"/api/webhooks/{hook['id']}"
    assert patch(api, url, {"url": receiver.url + "?key=other-k3y", "description": "省平台"},
                 as_="integrator").status_code == 200
    assert integrator.post(f"{url}/secret").status_code == 200
    receiver.reply = lambda _request: 500
    api.deploy("simple_approval.bpmn")
    api.start("simple_approval", variables={"reviewGroup": "office"})
    delivery.run_due(runtime, worker_id="audit-test")  # its one attempt fails: a dead letter
    [dead] = integrator.get("/api/webhooks/dead-letters").get_json()
    assert integrator.post(f"/api/webhooks/dead-letters/{dead['id']}/replay").status_code == 200
    assert delete(api, url, as_="integrator", query_string={"discard": "true"}).status_code == 204

    found = entries(api, target_kind="webhook", target_key=str(hook["id"]))
    assert [brief(e)[:2] for e in found] == [
        ("integrator", "webhook.subscribed"), ("integrator", "webhook.changed"),
        ("integrator", "webhook.secret_rotated"), ("integrator", "webhook.replayed"),
        ("integrator", "webhook.unsubscribed")]
    # Scheme and host only: a receiver may take its key in the path as well as in the query.
    parts = urlsplit(receiver.url)
    masked = f"{parts.scheme}://{parts.netloc}/…"
    assert webhooks._masked_url("https://hooks.example/services/T0/B0/s3cr3t") == "https://hooks.example/…"
    subscribed = found[0]["change"]["after"]
    assert subscribed.pop("url_sha256") and found[0]["change"] == {
        "before": {}, "after": {"url": masked, "events": ["instance.started"], "description": None,
                                "owner": "integrator"}}
    # A new key alone is a changed URL, though both sides read the same once masked.
    changed = found[1]["change"]
    assert changed["before"]["url"] == changed["after"]["url"] == masked
    assert changed["before"]["url_sha256"] != changed["after"]["url_sha256"]
    assert changed["after"]["description"] == "省平台" and changed["before"]["description"] is None
    assert found[2]["change"] == {"before": {}, "after": {}}
    assert found[3]["change"] == {"before": {"state": "dead", "attempts": 1}, "after": {"state": "pending",
                                                                                         "attempts": 0},
                                  "delivery_id": dead["id"], "event_id": dead["event_id"]}
    assert found[4]["change"]["before"]["url"] == masked and found[4]["change"]["after"] == {}
    assert found[4]["change"]["discarded"] == {"pending": 1, "dead_letters": 0}
    assert "k3y" not in json.dumps(log(api))


# ---- refusals, secrets, transactions -------------------------------------------------------------

def test_a_refused_change_records_nothing(api, receiver):
    admin = api.as_("admin")
    assert admin.post("/api/users", json={"name": "li", "roles": ["clerk"]}).status_code == 201
    assert admin.put("/api/departments/SCJG", {"name": "市场监管局", "groups": ["scjg"]}).status_code == 201
    hook = api.as_("integrator").post("/api/webhooks", json={"url": receiver.url}).get_json()
    for name in ("window_clerk", "supervisor"):
        api.token(name)  # the cast's users, added before: their entries are not the refusals'
    before = log(api)["total"]

    refusals = [
        (admin.post("/api/users", json={"name": "li", "roles": ["analyst"]}), 409),  # the name is taken
        (admin.post("/api/users", json={"name": "zhao", "roles": ["boss"]}), 422),
        (api.as_("window_clerk").post("/api/users", json={"name": "sneaky", "roles": ["admin"]}), 403),
        (patch(api, "/api/users/nobody", {"roles": ["clerk"]}), 404),
        (patch(api, "/api/users/admin", {"roles": ["clerk"]}), 409),  # no active admin would be left
        (admin.post("/api/users/nobody/tokens", json={}), 404),
        (delete(api, "/api/users/li/tokens/999999"), 404),
        (admin.put("/api/departments/FGW", {"name": "发改委", "groups": ["scjg"]}), 409),  # SCJG owns the group
        (admin.put("/api/departments/FGW", {"name": "发改委", "parent_code": "NONE"}), 422),
        (delete(api, "/api/departments/SCJG"), 409),  # it owns groups
        (patch(api, f"/api/webhooks/{hook['id']}", {"url": "ftp://example.com"}, as_="integrator"), 422),
        (patch(api, f"/api/webhooks/{hook['id']}", {"description": "mine"}, as_="window_clerk"), 403),
        (api.as_("integrator").post("/api/webhooks/dead-letters/999999/replay"), 404),
        (admin.put("/api/calendar/2027", {"holidays": [{"date": "2027-02-30", "name": "x"}], "workdays": []}), 422),
        (api.as_("window_clerk").put("/api/calendar/2027", SPRING_2027), 403),
        (api.as_("supervisor").put("/api/supervision/rules/no_such_process", {"remind_days": 2}), 422),
        (api.as_("supervisor").put("/api/supervision/rules/*", {"remind_days": 99}), 422),
    ]
    assert [r.status_code for r, _ in refusals] == [status for _, status in refusals]
    assert log(api)["total"] == before
    assert api.as_("admin").get("/api/users/admin").get_json()["roles"] == ["admin"]


def test_no_token_password_or_webhook_secret_reaches_the_log(api, runtime, receiver):
    shown: list[str] = []
    added = api.as_("admin").post("/api/users", json={"name": "chen", "roles": ["clerk"]}).get_json()
    shown.append(added["token"])
    shown.append(api.as_("admin").post("/api/users/chen/tokens", json={}).get_json()["token"])
    hook = api.as_("integrator").post("/api/webhooks", json={"url": receiver.url}).get_json()
    shown.append(hook["secret"])
    shown.append(api.as_("integrator").post(f"/api/webhooks/{hook['id']}/secret").get_json()["secret"])
    users.set_password(runtime.uow(), "chen", "correct horse battery", actor=users.find_actor(runtime.uow(), "admin"))
    with runtime.uow() as uow:
        password_hash = uow.session.scalars(select(User.password_hash).where(User.name == "chen")).one()
        stored = [row[0] for row in uow.session.execute(text("SELECT change FROM audit_log"))]
    forbidden = [*shown, *(users.hash_token(t) for t in shown[:2]), "correct horse battery", password_hash]

    listed = json.dumps(log(api), ensure_ascii=False)
    raw = " ".join(str(value) for value in stored)
    assert [s for s in forbidden if s in listed or s in raw] == []
    [entry] = entries(api, action="user.password_set")
    assert entry["change"] == {"before": {"has_password": False}, "after": {"has_password": True}}
    # The helper itself refuses a change naming a secret, at any depth.
    with runtime.uow() as uow, pytest.raises(ValueError, match="never holds secrets"):
        audit.record(uow, users.SYSTEM, "webhook.changed", ("webhook", "1"), {"after": {"x": {"secret": "s"}}})


def test_the_entry_is_written_in_the_change_s_transaction_or_neither_is(api, monkeypatch):
    api.token("window_clerk")
    # A change whose entry cannot be written is not made either.
    monkeypatch.setattr(audit, "SECRET_KEYS", audit.SECRET_KEYS | {"groups"})
    with pytest.raises(ValueError):
        users.set_user(api.runtime.uow(), "window_clerk", groups=["office"], actor=users.SYSTEM)
    monkeypatch.undo()
    assert users.get_user(api.runtime.uow(), "window_clerk").groups == ["window"]
    assert entries(api, target_key="window_clerk") == []


def test_entries_are_never_changed_or_deleted(api, runtime):
    api.token("window_clerk")
    users.set_user(runtime.uow(), "window_clerk", groups=["office"], actor=users.SYSTEM)
    with runtime.uow() as uow:
        entry = uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.changed")).one()
        entry.actor = "someone else"
        with pytest.raises(RuntimeError, match="append-only"):
            uow.session.flush()
    with runtime.uow() as uow:
        entry = uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.changed")).one()
        uow.session.delete(entry)
        with pytest.raises(RuntimeError, match="append-only"):
            uow.session.flush()
    [kept] = log(api, action="user.changed")["items"]
    assert kept["actor"] == "system"


# ---- the command line ----------------------------------------------------------------------------

def test_the_command_line_records_its_os_user_as_cli_actor(runtime, tmp_path: Path):
    env = {"DATABASE_URL": runtime.settings.database_url, "GOVFLOW_DATA_DIR": str(tmp_path),
           "LOGNAME": "ops.wang", "USER": "ops.wang"}

    def cli(*args: str) -> Any:
        result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result
    token = cli("user", "add", "zhao", "--role", "admin").stdout.strip()
    cli("user", "passwd", "zhao", "--password", "long-enough-secret")
    cli("department", "add", "SCJG", "--name", "市场监管局", "--group", "scjg")
    holidays = tmp_path / "2027.csv"
    holidays.write_text("date,kind,name\n2027-02-06,holiday,春节\n", encoding="utf-8")
    cli("calendar", "import", str(holidays))
    cli("calendar", "create", "SX", "--extends", "CN", "--region", "山西省")
    cli("user", "deactivate", "zhao")

    with runtime.uow() as uow:
        rows = list(uow.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [(r.actor, r.action, r.target_key) for r in rows] == [
        ("cli:ops.wang", "user.added", "zhao"), ("cli:ops.wang", "token.issued", "zhao"),
        ("cli:ops.wang", "user.password_set", "zhao"), ("cli:ops.wang", "department.put", "SCJG"),
        ("cli:ops.wang", "calendar.changed", "CN"), ("cli:ops.wang", "calendar.created", "SX"),
        ("cli:ops.wang", "user.deactivated", "zhao")]
    assert rows[4].change == {"before": {}, "after": {"2027-02-06": {"kind": "holiday", "name": "春节"}},
                              "years": [2027], "source": "import: 2027.csv"}
    assert rows[5].change == {"before": {}, "after": {"description": None, "region": "山西省", "extends": "CN"}}
    assert not any(secret in json.dumps(r.change) for r in rows for secret in (token, "long-enough-secret"))


# ---- reading the log -----------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["window_clerk", "integrator", "analyst"])
def test_only_supervisors_and_admins_read_the_log(api, who):
    assert api.as_(who).get("/api/audit").status_code == 403
    assert api.client.get("/api/audit").status_code == 401
    assert api.as_("supervisor").get("/api/audit").status_code == 200
    assert api.as_("admin").get("/api/audit").status_code == 200


def test_the_log_is_filtered_by_actor_action_target_and_time_and_paged_newest_first(api):
    admin = api.as_("admin")
    for name in ("a1", "a2", "a3"):
        assert admin.post("/api/users", json={"name": name, "roles": ["clerk"]}).status_code == 201
    assert api.as_("supervisor").put("/api/supervision/rules/*", {"remind_days": 2}).status_code == 200

    mine = log(api, actor="admin", action="user.added")
    assert [e["target_key"] for e in mine["items"]] == ["a3", "a2", "a1"] and mine["total"] == 3
    page = log(api, actor="admin", limit=2, offset=1)
    assert (page["total"], page["limit"], page["offset"]) == (6, 2, 1)
    assert [(e["action"], e["target_key"]) for e in page["items"]] == [("user.added", "a3"), ("token.issued", "a2")]
    assert log(api, target_kind="user", target_key="a2")["total"] == 2
    assert [e["actor"] for e in log(api, target_kind="supervision_rule")["items"]] == ["supervisor"]
    assert log(api, reader="supervisor", actor="supervisor")["total"] == 1

    newest = log(api, limit=1)["items"][0]["at"]
    assert log(api, since=newest, actor="supervisor")["total"] == 1
    assert log(api, until=newest, actor="supervisor")["total"] == 0
    assert log(api, since="2000-01-01", until="2000-01-02")["total"] == 0


@pytest.mark.parametrize(("query", "field"), [
    ({"who": "admin"}, "who"), ({"action": "user.deleted"}, "action"), ({"target_kind": "case"}, "target_kind"),
    ({"since": "yesterday"}, "since"), ({"limit": 0}, "limit"), ({"offset": -1}, "offset"),
])
def test_an_unknown_or_bad_query_parameter_is_a_422_naming_it(api, query, field):
    response = api.as_("admin").get("/api/audit", query_string=query)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] and error["message"]
    assert any(field in json.dumps(d) for d in error["details"]), error


def test_the_log_is_in_the_openapi_document(api):
    spec = api.client.get("/api/openapi.json").get_json()
    operation = spec["paths"]["/api/audit"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"actor", "action", "target_kind", "target_key", "since", "until", "limit", "offset"} <= names
    assert {"200", "401", "403", "422"} <= set(operation["responses"])
