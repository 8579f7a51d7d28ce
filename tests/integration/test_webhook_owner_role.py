"""A webhook stops delivering once its owner may no longer receive case events (the integrator role taken
away): each event is dead-lettered with the reason, which admins read, and replayed once the role is back."""
from __future__ import annotations

from datetime import timedelta

from engine import delivery, users
from engine.clock import utcnow


def _deliver(api) -> int:  # type: ignore[no-untyped-def]
    return delivery.run_due(api.runtime, worker_id="test-worker", now=utcnow() + timedelta(seconds=1))


def test_a_webhook_whose_owner_lost_the_integrator_role_receives_nothing_more(api, receiver):
    """Before, the owner's roles were read only to conceal confidential recipients: the events kept going."""
    _, token = users.add_user(api.runtime.uow(), "platform", roles=["integrator"], actor=users.SYSTEM)
    headers = {"Authorization": f"Bearer {token}"}
    subscribed = api.client.post("/api/webhooks", json={"url": receiver.url, "events": ["instance.started"]},
                                 headers=headers)
    assert subscribed.status_code == 201, subscribed.get_json()
    api.deploy("simple_approval.bpmn")
    api.start("simple_approval", variables={"reviewGroup": "office"})
    demoted = api.client.patch("/api/users/platform", json={"roles": ["clerk"]}, headers=api.as_("admin").headers())
    assert demoted.status_code == 200

    assert _deliver(api) == 0 and receiver.received == []
    [dead] = api.as_("admin").get("/api/webhooks/dead-letters").get_json()
    assert dead["webhook_id"] == subscribed.get_json()["id"] and dead["state"] == "dead"
    assert "no longer has the integrator role" in dead["last_error"] and dead["last_status"] is None

    restored = api.client.patch("/api/users/platform", json={"roles": ["integrator"]},
                                headers=api.as_("admin").headers())
    assert restored.status_code == 200
    assert api.as_("admin").post(f"/api/webhooks/dead-letters/{dead['id']}/replay").status_code == 200
    assert _deliver(api) == 1 and receiver.events() == ["instance.started"]


def test_an_admins_webhook_keeps_delivering_without_the_integrator_role(api, receiver):
    subscribed = api.as_("admin").post("/api/webhooks", json={"url": receiver.url, "events": ["instance.started"]})
    assert subscribed.status_code == 201
    api.deploy("simple_approval.bpmn")
    api.start("simple_approval", variables={"reviewGroup": "office"})
    assert _deliver(api) == 1 and receiver.events() == ["instance.started"]
