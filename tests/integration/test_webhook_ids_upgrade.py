"""Upgrading to 0025 (webhook ids never given twice on SQLite, the latest attempt kept on each webhook)
rebuilds SQLite's webhooks table: every delivery and dead letter survives it, down and up, even with foreign
keys on, which would cascade the dropped table's rows to its deliveries."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from engine import Runtime, delivery, schema
from engine.clock import utcnow
from engine.models import WebhookDelivery
from tests.helpers import migrate


@pytest.fixture
def runtime_settings() -> dict[str, Any]:
    return {"webhook_max_attempts": 1, "webhook_timeout_seconds": 2}  # a failure is a dead letter at once




def _deliveries(runtime: Runtime) -> list[tuple[int, int, str, int]]:
    with runtime.uow() as uow:
        return [tuple(row) for row in uow.session.execute(  # type: ignore[misc]
            select(WebhookDelivery.id, WebhookDelivery.webhook_id, WebhookDelivery.state, WebhookDelivery.attempts)
            .order_by(WebhookDelivery.id))]


def test_deliveries_and_dead_letters_survive_the_upgrade_and_no_webhook_id_is_given_twice(api, runtime, receiver):
    receiver.reply = lambda request: 500 if request.path.endswith("/failing") else 200
    admin = api.as_("admin")
    working = admin.post("/api/webhooks", json={"url": receiver.url, "events": ["instance.started"]}).get_json()
    failing = admin.post("/api/webhooks", json={"url": f"{receiver.url}/failing",
                                                "events": ["instance.started"]}).get_json()
    api.deploy("simple_approval.bpmn")
    api.start("simple_approval", variables={"reviewGroup": "office"})
    delivery.run_due(runtime, worker_id="test-worker", now=utcnow() + timedelta(seconds=1))
    api.start("simple_approval", variables={"reviewGroup": "office"})  # pending for both
    newest = admin.post("/api/webhooks", json={"url": receiver.url}).get_json()
    assert admin.client.delete(f"/api/webhooks/{newest['id']}?discard=true", headers=admin.headers()).status_code == 204
    before = _deliveries(runtime)
    assert sorted(state for _, _, state, _ in before) == ["dead", "delivered", "pending", "pending"]

    try:
        migrate(runtime, "0024", down=True)
        assert _deliveries(runtime) == before, "the downgrade keeps them too"
        migrate(runtime, "0025")
    finally:
        schema.upgrade(runtime.engine)

    assert _deliveries(runtime) == before
    [dead] = admin.get("/api/webhooks/dead-letters").get_json()
    assert (dead["webhook_id"], dead["attempts"], dead["last_status"]) == (failing["id"], 1, 500)
    counts = admin.get(f"/api/webhooks/{working['id']}").get_json()["deliveries"]
    assert counts == {"pending": 1, "delivered": 1, "dead": 0}
    # The webhook deleted before the upgrade had the highest id: the audit log names it, and it stays its own.
    after = admin.post("/api/webhooks", json={"url": receiver.url}).get_json()
    assert after["id"] > newest["id"]
    assert admin.client.delete(f"/api/webhooks/{after['id']}", headers=admin.headers()).status_code == 204
    assert admin.post("/api/webhooks", json={"url": receiver.url}).get_json()["id"] > after["id"]
    if runtime.engine.dialect.name == "sqlite":
        with runtime.engine.connect() as connection:
            table = connection.execute(text("SELECT sql FROM sqlite_master WHERE name = 'webhooks'")).scalar_one()
        assert "AUTOINCREMENT" in table
