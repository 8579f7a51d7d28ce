"""A webhook deleted while a command fans an event out to it (PostgreSQL: SQLite's writers take turns)."""
from __future__ import annotations

import threading

from engine import Actor, definitions, instances, webhooks
from engine.models import Webhook, WebhookDelivery
from engine.users import SYSTEM
from tests.helpers import FIXTURES

INTEGRATOR = Actor("integrator", roles=frozenset({"integrator"}))


def test_a_case_command_meeting_a_webhook_being_deleted_goes_on_without_it(pg):
    """The delete holds the webhook's row: the command reading the webhooks waits for it, then fans out to
    those left. Before, it read the webhook, and its delivery row failed on the foreign key once the
    delete committed: the case's command failed."""
    definitions.deploy(pg.uow(), [("simple_approval.bpmn", (FIXTURES / "simple_approval.bpmn").read_bytes())],
                       actor=SYSTEM)
    hook = webhooks.subscribe(pg.uow(), actor=INTEGRATOR, url="https://hooks.example.gov.cn/govflow")
    outcome: list[object] = []

    def start() -> None:
        try:
            outcome.append(instances.start(pg.uow(), "simple_approval", actor=INTEGRATOR,
                                           variables={"reviewGroup": "office"})[0])
        except Exception as exc:  # noqa: BLE001 - the outcome is the assertion
            outcome.append(exc)

    starting = threading.Thread(target=start)
    with pg.uow() as uow:  # webhooks.unsubscribe, held before its commit
        uow.session.delete(uow.session.get(Webhook, hook.id, with_for_update=True))
        uow.session.flush()
        starting.start()
        starting.join(1.0)
        uow.commit()
    starting.join(10)
    assert isinstance(outcome[0], instances.InstanceView), outcome[0]
    with pg.uow() as uow:
        assert uow.session.query(WebhookDelivery).count() == 0
