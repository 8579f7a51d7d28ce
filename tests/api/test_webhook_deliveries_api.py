"""An integrator sees how their webhook's deliveries are going (GET /api/webhooks/ID and .../deliveries): a
failing receiver shows at its first failure, not 8 attempts later in the dead letters. A refused URL is a 422
naming the field, and a deleted webhook's id is never given to the next one."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from engine import Runtime, delivery
from engine.clock import utcnow
from engine.models import User, Webhook


@pytest.fixture
def runtime_settings() -> dict[str, Any]:
    """Two attempts per delivery (then a dead letter), 10 s back-off."""
    return {"webhook_max_attempts": 2, "webhook_backoff_seconds": 10, "webhook_timeout_seconds": 2}


def subscribe(api, url: str, *, as_: str = "integrator", **body: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = api.as_(as_).post("/api/webhooks", json={"url": url, **body})
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def deliver(runtime: Runtime, *, later: float = 0) -> int:
    return delivery.run_due(runtime, worker_id="test-worker", now=utcnow() + timedelta(seconds=later))


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def second_integrator(api, runtime: Runtime) -> None:  # type: ignore[no-untyped-def]
    api.token("integrator2")
    with runtime.uow() as uow:
        uow.session.execute(update(User).where(User.name == "integrator2").values(roles=["integrator"]))
        uow.commit()


def test_a_failing_receiver_shows_at_its_first_failure_with_the_next_attempt(api, runtime, receiver):
    receiver.reply = lambda request: 500
    hook = subscribe(api, receiver.url, events=["instance.started", "task.created"], description="省平台")
    api.deploy("simple_approval.bpmn")
    case = api.start("simple_approval", variables={"reviewGroup": "office"})
    before = utcnow()
    deliver(runtime)

    shown = api.as_("integrator").get(f"/api/webhooks/{hook['id']}")
    assert shown.status_code == 200, shown.get_json()
    body = shown.get_json()
    listed = {k: v for k, v in body.items() if k not in ("deliveries", "last_attempt", "next_attempt_at")}
    assert listed == api.as_("integrator").get("/api/webhooks").get_json()[0]  # the subscription, as listed
    assert body["deliveries"] == {"pending": 2, "delivered": 0, "dead": 0}
    last = body["last_attempt"]
    assert last["status"] == 500 and last["error"].startswith("HTTP 500")
    assert before <= moment(last["at"]) <= utcnow()
    # The case's task.created waits behind its instance.started: the next attempt is that one's retry.
    assert timedelta(seconds=9) < moment(body["next_attempt_at"]) - before < timedelta(seconds=12)
    assert [r.event for r in receiver.received] == ["instance.started"]

    receiver.reply = lambda request: 200
    deliver(runtime, later=11)
    body = api.as_("integrator").get(f"/api/webhooks/{hook['id']}").get_json()
    assert body["deliveries"] == {"pending": 0, "delivered": 2, "dead": 0} and body["next_attempt_at"] is None
    assert (body["last_attempt"]["status"], body["last_attempt"]["error"]) == (200, None)
    assert case["id"] == receiver.received[-1].json["process_instance_id"]


def test_a_new_webhook_has_no_attempt_and_a_disabled_one_no_next_attempt(api, runtime, receiver):
    receiver.reply = lambda request: 503
    hook = subscribe(api, receiver.url, events=["instance.started"])
    fresh = api.as_("integrator").get(f"/api/webhooks/{hook['id']}").get_json()
    assert fresh["deliveries"] == {"pending": 0, "delivered": 0, "dead": 0}
    assert fresh["last_attempt"] is None and fresh["next_attempt_at"] is None
    api.deploy("simple_approval.bpmn")
    api.start("simple_approval", variables={"reviewGroup": "office"})
    assert api.as_("integrator").get(f"/api/webhooks/{hook['id']}").get_json()["next_attempt_at"] is not None
    for later in (0, 60):
        deliver(runtime, later=later)
    dead = api.as_("integrator").get(f"/api/webhooks/{hook['id']}").get_json()
    assert dead["deliveries"] == {"pending": 0, "delivered": 0, "dead": 1} and dead["next_attempt_at"] is None
    assert dead["last_attempt"]["status"] == 503

    api.start("simple_approval", variables={"reviewGroup": "office"})
    with runtime.uow() as uow:  # as when its owner loses the role: its deliveries wait, not due
        uow.session.execute(update(Webhook).values(disabled_at=utcnow(), disabled_reason="test"))
        uow.commit()
    disabled = api.as_("integrator").get(f"/api/webhooks/{hook['id']}").get_json()
    assert disabled["deliveries"]["pending"] == 1 and disabled["next_attempt_at"] is None


def test_only_the_owner_or_an_admin_sees_a_webhook_and_its_deliveries(api, runtime, receiver):
    hook = subscribe(api, receiver.url)
    second_integrator(api, runtime)
    for path in (f"/api/webhooks/{hook['id']}", f"/api/webhooks/{hook['id']}/deliveries"):
        assert api.as_("admin").get(path).status_code == 200, path
        assert api.as_("integrator2").get(path).status_code == 404, path  # someone else's: as if none
        assert api.as_("window_clerk").get(path).status_code == 403, path
    for path in ("/api/webhooks/999999", "/api/webhooks/999999/deliveries"):
        missing = api.as_("integrator").get(path)
        assert missing.status_code == 404 and missing.get_json()["error"]["message"] == "webhook 999999 not found"


def test_a_webhook_s_deliveries_are_listed_newest_first_by_state_and_paged(api, runtime, receiver):
    receiver.reply = lambda request: 500 if request.json["business_key"] == "FAIL-1" else 200
    hook = subscribe(api, receiver.url, events=["instance.started"])
    other = subscribe(api, receiver.url, as_="admin", events=["instance.started"])
    api.deploy("simple_approval.bpmn")
    failing = api.start("simple_approval", business_key="FAIL-1", variables={"reviewGroup": "office"})
    for key in ("OK-1", "OK-2"):
        api.start("simple_approval", business_key=key, variables={"reviewGroup": "office"})
    deliver(runtime)
    integrator = api.as_("integrator")

    page = integrator.get(f"/api/webhooks/{hook['id']}/deliveries").get_json()
    assert (page["total"], page["limit"], page["offset"]) == (3, 50, 0)
    assert [d["business_key"] for d in page["items"]] == ["OK-2", "OK-1", "FAIL-1"]
    assert {d["webhook_id"] for d in page["items"]} == {hook["id"]}  # not the admin's webhook's
    outbox_ids = [d["outbox_id"] for d in page["items"]]
    assert outbox_ids == sorted(outbox_ids, reverse=True)
    delivered, _, pending = page["items"]
    assert (delivered["event"], delivered["state"], delivered["attempts"], delivered["last_status"]) == \
        ("instance.started", "delivered", 1, 200)
    assert delivered["delivered_at"] is not None and delivered["next_attempt_at"] is None
    assert (pending["state"], pending["attempts"], pending["last_status"]) == ("pending", 1, 500)
    assert pending["process_instance_id"] == failing["id"] and pending["last_error"].startswith("HTTP 500")
    assert pending["next_attempt_at"] is not None and pending["delivered_at"] is None

    only = integrator.get(f"/api/webhooks/{hook['id']}/deliveries?state=pending").get_json()
    assert [d["business_key"] for d in only["items"]] == ["FAIL-1"] and only["total"] == 1
    second = integrator.get(f"/api/webhooks/{hook['id']}/deliveries?limit=1&offset=1").get_json()
    assert [d["business_key"] for d in second["items"]] == ["OK-1"] and second["total"] == 3
    deliver(runtime, later=60)
    dead = integrator.get(f"/api/webhooks/{hook['id']}/deliveries?state=dead").get_json()
    assert [(d["business_key"], d["attempts"], d["next_attempt_at"]) for d in dead["items"]] == [("FAIL-1", 2, None)]
    assert len(api.as_("admin").get(f"/api/webhooks/{other['id']}/deliveries").get_json()["items"]) == 3

    refused = integrator.get(f"/api/webhooks/{hook['id']}/deliveries?state=sent")
    assert refused.status_code == 422 and refused.get_json()["error"]["details"][0]["field"] == "state"


@pytest.mark.parametrize(("url", "says"), [
    ("https://169.254.169.254/latest/meta-data", "metadata"),
    ("http://example.org/hook", "use https for webhooks"),
    ("https://user:pw@example.org/", "must not carry credentials"),
])
def test_a_refused_url_is_a_422_naming_the_field_with_the_message_kept(api, receiver, url, says):
    """Before, a 400 with empty details: a form could not tell which field to mark."""
    created = api.as_("integrator").post("/api/webhooks", json={"url": url})
    hook = subscribe(api, receiver.url)
    integrator = api.as_("integrator")
    changed = integrator.client.patch(f"/api/webhooks/{hook['id']}", json={"url": url}, headers=integrator.headers())
    for refused in (created, changed):
        error = refused.get_json()["error"]
        assert refused.status_code == 422 and error["code"] == "validation_failed", error
        assert says in error["message"]
        assert error["details"] == [{"field": "url", "message": error["message"]}]
    assert integrator.get(f"/api/webhooks/{hook['id']}").get_json()["url"] == receiver.url


def test_a_deleted_webhook_s_id_is_never_given_to_the_next_one(api, receiver):
    """On SQLite the newest webhook's id went to the next subscription, whose audit entries then mixed with
    the deleted one's."""
    integrator = api.as_("integrator")
    kept, newest = subscribe(api, receiver.url), subscribe(api, receiver.url)
    assert integrator.client.delete(f"/api/webhooks/{newest['id']}", headers=integrator.headers()).status_code == 204
    after = subscribe(api, receiver.url)
    assert after["id"] > newest["id"] > kept["id"]
    entries = api.as_("admin").get(f"/api/audit?target_kind=webhook&target_key={newest['id']}").get_json()["items"]
    assert [e["action"] for e in entries] == ["webhook.unsubscribed", "webhook.subscribed"]


def test_the_deliveries_of_a_webhook_deleted_with_discard_never_give_their_ids_to_the_next_ones(api, runtime,
                                                                                              receiver):
    """On SQLite the deliveries dropped with a webhook deleted with discard=true (the highest ids) lent their
    ids to the next deliveries: the audit log's webhook.replayed and the X-Govflow-Delivery header then named
    another delivery than the one they meant."""
    receiver.reply = lambda request: 500 if request.path.endswith("/failing") else 200
    kept = subscribe(api, receiver.url, events=["instance.started"])
    failing = subscribe(api, f"{receiver.url}/failing", events=["task.created"])  # queued after kept's
    api.deploy("simple_approval.bpmn")
    api.start("simple_approval", variables={"reviewGroup": "office"})
    deliver(runtime)
    deliver(runtime, later=60)
    integrator = api.as_("integrator")
    [dead] = integrator.get("/api/webhooks/dead-letters").get_json()
    [first] = integrator.get(f"/api/webhooks/{kept['id']}/deliveries").get_json()["items"]
    assert dead["webhook_id"] == failing["id"] and dead["id"] > first["id"]
    assert integrator.post(f"/api/webhooks/dead-letters/{dead['id']}/replay").status_code == 200
    deleted = integrator.client.delete(f"/api/webhooks/{failing['id']}?discard=true", headers=integrator.headers())
    assert deleted.status_code == 204

    api.start("simple_approval", variables={"reviewGroup": "office"})
    api.start("simple_approval", variables={"reviewGroup": "office"})
    deliver(runtime)
    items = integrator.get(f"/api/webhooks/{kept['id']}/deliveries").get_json()["items"]
    assert [d["state"] for d in items] == ["delivered"] * 3
    assert all(d["id"] > dead["id"] for d in items if d["id"] != first["id"])
    sent = [int(r.headers["X-Govflow-Delivery"]) for r in receiver.received if not r.path.endswith("/failing")]
    assert sent == [first["id"], *sorted(d["id"] for d in items if d["id"] != first["id"])]
    assert dead["id"] not in sent
    replayed = api.as_("admin").get(f"/api/audit?target_kind=webhook&target_key={failing['id']}"
                                    "&action=webhook.replayed").get_json()["items"]
    assert [e["change"]["delivery_id"] for e in replayed] == [dead["id"]]  # still only the dropped one's
