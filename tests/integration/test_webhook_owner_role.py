"""A webhook whose owner loses the integrator role is disabled, with the reason, in the change's transaction:
no event is queued for it, those queued before wait (neither sent nor dead-lettered), and once the role is
back its owner, or an admin, enables it again and the waiting ones go out."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from alembic import command
from sqlalchemy import select, update

from engine import delivery, schema, users
from engine.clock import utcnow
from engine.models import AuditEntry, User, Webhook, WebhookDelivery


def _deliver(api) -> int:  # type: ignore[no-untyped-def]
    return delivery.run_due(api.runtime, worker_id="test-worker", now=utcnow() + timedelta(seconds=1))


def _states(api) -> list[str]:  # type: ignore[no-untyped-def]
    with api.runtime.uow() as uow:
        return list(uow.session.scalars(select(WebhookDelivery.state).order_by(WebhookDelivery.id)))


def _platform(api, receiver) -> tuple[dict[str, str], dict[str, Any]]:  # type: ignore[no-untyped-def]
    """An integrator named platform, subscribed to instance.started: their headers and the webhook."""
    _, token = users.add_user(api.runtime.uow(), "platform", roles=["integrator"], actor=users.SYSTEM)
    headers = {"Authorization": f"Bearer {token}"}
    subscribed = api.client.post("/api/webhooks", json={"url": receiver.url, "events": ["instance.started"]},
                                 headers=headers)
    assert subscribed.status_code == 201, subscribed.get_json()
    api.deploy("simple_approval.bpmn")
    return headers, subscribed.get_json()


def _set_roles(api, roles: list[str]) -> None:  # type: ignore[no-untyped-def]
    changed = api.client.patch("/api/users/platform", json={"roles": roles}, headers=api.as_("admin").headers())
    assert changed.status_code == 200, changed.get_json()


def _start(api) -> None:  # type: ignore[no-untyped-def]
    api.start("simple_approval", variables={"reviewGroup": "office"})


def test_losing_the_role_disables_the_webhook_and_its_events_wait_until_it_is_enabled(api, receiver):
    """Before, every event was queued and dead-lettered, one by one, for as long as the role was away."""
    headers, hook = _platform(api, receiver)
    _start(api)  # queued while the owner had the role
    _set_roles(api, ["clerk"])

    [shown] = api.client.get("/api/webhooks", headers=api.as_("admin").headers()).get_json()
    assert shown["disabled_at"] is not None
    assert "platform no longer has the integrator role" in shown["disabled_reason"]
    _start(api)  # while disabled: not queued
    assert _deliver(api) == 0 and receiver.received == [] and _states(api) == ["pending"]
    assert api.as_("admin").get("/api/webhooks/dead-letters").get_json() == []
    assert api.client.post(f"/api/webhooks/{hook['id']}/enable", headers=headers).status_code == 403

    _set_roles(api, ["integrator"])
    assert _deliver(api) == 0, "the role given back does not enable it by itself"
    enabled = api.client.post(f"/api/webhooks/{hook['id']}/enable", headers=headers)
    assert enabled.status_code == 200, enabled.get_json()
    assert enabled.get_json()["disabled_at"] is None and enabled.get_json()["disabled_reason"] is None
    assert _deliver(api) == 1 and receiver.events() == ["instance.started"]
    _start(api)
    assert _deliver(api) == 1 and _states(api) == ["delivered", "delivered"]


def test_the_audit_log_says_who_disabled_the_webhook_and_who_enabled_it(api, receiver):
    headers, hook = _platform(api, receiver)
    _set_roles(api, ["clerk"])
    _set_roles(api, ["integrator"])
    assert api.client.post(f"/api/webhooks/{hook['id']}/enable", headers=headers).status_code == 200
    with api.runtime.uow() as uow:
        entries = uow.session.scalars(select(AuditEntry).where(AuditEntry.target_kind == "webhook",
                                                               AuditEntry.action.like("webhook.%abled"))
                                      .order_by(AuditEntry.id)).all()
    assert [(e.actor, e.action, e.change["before"].get("disabled_reason") is None) for e in entries] == [
        ("admin", "webhook.disabled", True), ("platform", "webhook.enabled", False)]
    assert "no longer has the integrator role" in entries[0].change["after"]["disabled_reason"]


def test_an_admin_enables_it_only_once_the_owner_has_the_role_again(api, receiver):
    _, hook = _platform(api, receiver)
    _set_roles(api, ["clerk"])
    refused = api.as_("admin").post(f"/api/webhooks/{hook['id']}/enable")
    assert refused.status_code == 409
    assert "stays disabled while the webhook's owner has no integrator role" in refused.get_json()["error"]["message"]
    _set_roles(api, ["integrator", "clerk"])
    assert api.as_("admin").post(f"/api/webhooks/{hook['id']}/enable").status_code == 200
    assert api.as_("admin").post(f"/api/webhooks/{hook['id']}/enable").status_code == 200  # enabled: unchanged
    assert api.as_("integrator").post(f"/api/webhooks/{hook['id']}/enable").status_code == 404  # not theirs


def test_a_role_taken_away_outside_govflow_disables_the_webhook_at_its_next_delivery(api, receiver):
    """Roles written straight into the database: the worker finds out, disables the webhook (recorded as
    govflow's own step) and keeps the event waiting rather than dead-lettering it."""
    _, hook = _platform(api, receiver)
    _start(api)
    with api.runtime.uow() as uow:
        uow.session.execute(update(User).where(User.name == "platform").values(roles=["clerk"]))
        uow.commit()
    assert _deliver(api) == 0 and receiver.received == [] and _states(api) == ["pending"]
    with api.runtime.uow() as uow:
        row = uow.session.get(Webhook, hook["id"])
        assert row is not None and row.disabled_at is not None
        lease = uow.session.scalars(select(WebhookDelivery.lock_owner)).one()
        [actor] = uow.session.scalars(select(AuditEntry.actor).where(AuditEntry.action == "webhook.disabled"))
    assert lease is None and actor == "system"


def test_an_admins_webhook_keeps_delivering_without_the_integrator_role(api, receiver):
    subscribed = api.as_("admin").post("/api/webhooks", json={"url": receiver.url, "events": ["instance.started"]})
    assert subscribed.status_code == 201 and subscribed.get_json()["disabled_at"] is None
    api.deploy("simple_approval.bpmn")
    _start(api)
    assert _deliver(api) == 1 and receiver.events() == ["instance.started"]


def test_the_upgrade_disables_the_webhooks_whose_owner_lacks_the_role_already(api, receiver):
    _, hook = _platform(api, receiver)
    admins = api.as_("admin").post("/api/webhooks", json={"url": receiver.url}).get_json()
    _start(api)
    queued_before = len(_states(api))
    engine = api.runtime.engine
    config = schema.alembic_config(engine.url.render_as_string(hide_password=False))
    try:
        with engine.begin() as connection:  # foreign keys on, as a plain alembic run has them
            config.attributes["connection"] = connection
            command.downgrade(config, "0023")
            connection.execute(update(User).where(User.name == "platform").values(roles=["clerk"]))
    finally:
        schema.upgrade(engine)
    with api.runtime.uow() as uow:
        platforms, admin_s = uow.session.get(Webhook, hook["id"]), uow.session.get(Webhook, admins["id"])
        queued = len(uow.session.scalars(select(WebhookDelivery.id)).all())
    assert platforms is not None and admin_s is not None
    assert platforms.disabled_at is not None and "platform has no integrator role" in str(platforms.disabled_reason)
    assert admin_s.disabled_at is None
    assert queued == queued_before > 1, "the webhooks table is altered in place, its deliveries kept"


def test_the_command_line_says_which_webhooks_the_roles_it_set_disabled(api, receiver, cli):
    _, hook = _platform(api, receiver)
    result = cli("user", "set", "platform", "--role", "clerk")
    assert result.exit_code == 0, result.output
    assert f"disabled webhook(s) {hook['id']} of platform, who no longer has the integrator role" in result.output
