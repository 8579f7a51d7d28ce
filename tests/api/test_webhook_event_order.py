"""A document issued at a step is announced and recorded right after that step, before any later step and
before the case's end: a receiver closing its record on instance.completed still gets the document, and the
case's history reads in the order things happened (README: webhooks are delivered in order per case)."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from engine import delivery
from engine.clock import utcnow
from engine.models import HistoryEvent, OutboxEvent
from tests.helpers import ApiClient, complete_open_task
from tests.service_items import deploy_item
from tests.webhook_receiver import Receiver

KEY = "window_acceptance"


def rejected_case(api: ApiClient, business_key: str, *, without: str | None = None) -> int:
    """A window-acceptance case refused at the window: 不予受理 issues its notice, then the case ends.
    ``without``: a template left out of the deployment."""
    deploy_item(api, "window-acceptance", leave_out=(f"documents/{without}.html",) if without else ())
    case_id = int(api.start(KEY, business_key=business_key, variables={"applicant_name": "张三"})["id"])
    done = complete_open_task(api, case_id, "accept", user="window_clerk", decision="reject",
                              reject_reason="申请事项不属于本中心受理范围")
    assert done["state"] == "completed"
    return case_id


def subscribe(api: ApiClient, receiver: Receiver) -> None:
    subscribed = api.as_("integrator").post("/api/webhooks", json={"url": receiver.url})
    assert subscribed.status_code == 201, subscribed.get_json()


def deliver(api: ApiClient) -> None:
    delivery.run_due(api.runtime, worker_id="test-worker", now=utcnow() + timedelta(seconds=1))


def history(api: ApiClient, case_id: int) -> list[tuple[str, str | None]]:
    """The case's history as (event, element id), in the order it was written."""
    with api.runtime.uow() as uow:
        rows = uow.session.execute(select(HistoryEvent.event, HistoryEvent.element_id)
                                   .where(HistoryEvent.instance_id == case_id).order_by(HistoryEvent.id)).all()
    return [(event, element) for event, element in rows]


def test_a_rejection_s_notice_arrives_before_the_case_completes_and_says_where_it_left_the_case(
        api: ApiClient, receiver: Receiver) -> None:
    subscribe(api, receiver)
    case_id = rejected_case(api, "SX-2026-000901")
    deliver(api)

    events = receiver.events()  # this case's alone: nothing else happened
    assert events[-4:] == ["rejected", "document.issued", "instance.completed", "notice"], events
    issued: dict[str, Any] = next(r.json["data"] for r in receiver.received if r.event == "document.issued")
    assert issued["element_id"] == "rejection_notice" and issued["name"] == "rejection_notice"
    assert issued["case_state"] == "不予受理"
    # The outbox holds them in the same order (deliveries go by outbox id per case).
    with api.runtime.uow() as uow:
        stored = uow.session.scalars(select(OutboxEvent.event).where(OutboxEvent.instance_id == case_id)
                                     .order_by(OutboxEvent.id)).all()
    assert list(stored[-4:]) == events[-4:]


def test_the_history_records_the_document_right_after_the_step_that_issued_it(api: ApiClient) -> None:
    case_id = rejected_case(api, "SX-2026-000902")
    steps = history(api, case_id)
    at = steps.index(("element.completed", "rejection_notice"))
    assert steps[at + 1] == ("document.issued", "rejection_notice"), steps
    assert steps.index(("element.completed", "end_rejected")) > at + 1
    assert steps[-1] == ("instance.completed", None), steps


def test_a_missing_template_is_recorded_right_after_the_step_too(api: ApiClient, receiver: Receiver) -> None:
    subscribe(api, receiver)
    case_id = rejected_case(api, "SX-2026-000903", without="rejection_notice")
    steps = history(api, case_id)
    at = steps.index(("element.completed", "rejection_notice"))
    assert steps[at + 1] == ("document.missing", "rejection_notice"), steps
    assert steps[-1] == ("instance.completed", None), steps
    deliver(api)
    assert receiver.events()[-3:] == ["rejected", "instance.completed", "notice"]  # no document, no event
