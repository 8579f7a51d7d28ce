"""Upgrading to 0026 (webhook delivery ids never given twice on SQLite) rebuilds SQLite's webhook_deliveries
table: every delivery keeps its id and its state, down and up, with the table's indexes, even with foreign
keys on; and a delivery dropped before the upgrade that the audit log names keeps its id to itself."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from engine import Runtime, delivery
from engine.clock import utcnow
from engine.models import WebhookDelivery
from tests.helpers import rebuilt_keeping_rows


@pytest.fixture
def runtime_settings() -> dict[str, Any]:
    return {"webhook_max_attempts": 2, "webhook_backoff_seconds": 10, "webhook_timeout_seconds": 2}


def _deliveries(runtime: Runtime) -> list[tuple[Any, ...]]:
    with runtime.uow() as uow:
        return [tuple(row) for row in uow.session.execute(
            select(WebhookDelivery.id, WebhookDelivery.webhook_id, WebhookDelivery.outbox_id,
                   WebhookDelivery.state, WebhookDelivery.attempts, WebhookDelivery.last_status)
            .order_by(WebhookDelivery.id))]


def _deliver(runtime: Runtime, *, later: float = 0) -> None:
    delivery.run_due(runtime, worker_id="test-worker", now=utcnow() + timedelta(seconds=later))


def test_deliveries_keep_their_ids_through_the_upgrade_and_none_named_by_the_audit_log_is_given_again(
        api, runtime, receiver):
    receiver.reply = lambda request: 500 if request.path.endswith("/failing") else 200
    admin = api.as_("admin")
    held = api.as_("integrator").post("/api/webhooks", json={"url": receiver.url,
                                                             "events": ["instance.started"]}).get_json()
    working = admin.post("/api/webhooks", json={"url": receiver.url, "events": ["instance.started"]}).get_json()
    failing = admin.post("/api/webhooks", json={"url": f"{receiver.url}/failing",
                                                "events": ["instance.started"]}).get_json()
    doomed = admin.post("/api/webhooks", json={"url": f"{receiver.url}/failing",
                                               "events": ["task.created"]}).get_json()  # queued last
    api.deploy("simple_approval.bpmn")
    api.start("simple_approval", variables={"reviewGroup": "office"})
    assert admin.patch("/api/users/integrator", json={"active": False}).status_code == 200  # held's waits
    _deliver(runtime)
    _deliver(runtime, later=60)  # the failing ones' deliveries are dead after their second attempt
    dead = {d["webhook_id"]: d for d in admin.get("/api/webhooks/dead-letters").get_json()}
    assert set(dead) == {failing["id"], doomed["id"]}
    dropped = dead[doomed["id"]]["id"]
    assert admin.post(f"/api/webhooks/dead-letters/{dropped}/replay").status_code == 200  # the audit log names it
    assert admin.client.delete(f"/api/webhooks/{doomed['id']}?discard=true", headers=admin.headers()).status_code == 204
    before = _deliveries(runtime)
    assert sorted(state for *_, state, _, _ in before) == ["dead", "delivered", "pending"]
    assert max(row[0] for row in before) < dropped, "the dropped delivery had the highest id"

    rebuilt_keeping_rows(runtime, "webhook_deliveries", lambda: _deliveries(runtime), down_to="0025", up_to="0026")

    [still_dead] = admin.get("/api/webhooks/dead-letters").get_json()
    assert (still_dead["webhook_id"], still_dead["attempts"], still_dead["last_status"]) == (failing["id"], 2, 500)
    assert admin.get(f"/api/webhooks/{working['id']}").get_json()["deliveries"] == \
        {"pending": 0, "delivered": 1, "dead": 0}
    assert admin.get(f"/api/webhooks/{held['id']}").get_json()["deliveries"] == \
        {"pending": 1, "delivered": 0, "dead": 0}
    started = admin.post("/api/process-definitions/simple_approval/start",
                         json={"variables": {"reviewGroup": "office"}})
    assert started.status_code == 201, started.get_json()  # by an admin: the integrator is deactivated
    new = [row for row in _deliveries(runtime) if row not in before]
    assert sorted(row[1] for row in new) == [working["id"], failing["id"]]  # none for the disabled one
    assert all(row[0] > dropped for row in new)
