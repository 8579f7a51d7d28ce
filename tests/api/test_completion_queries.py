"""What completing a task reads, and the per-process answers it reuses staying right when another
server process changes what they depend on (a second Runtime over the same database stands for it)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from api import create_app
from engine import Runtime
from engine.models import WebhookDelivery
from engine.webhook_targets import NONE_TTL_SECONDS, WebhookTargets
from tests.helpers import ROOT, ApiClient, complete_task, statements

WINDOW = ROOT / "bpmn" / "window-acceptance" / "window_acceptance.bpmn"
WINDOW_FORMS = sorted((ROOT / "forms").glob("window-*.form"))
# The first two steps of a window acceptance, with what each is completed with.
ACCEPT: dict[str, Any] = {"decision": "accept", "applicant_name": "张三", "materials_complete": True}
REVIEW: dict[str, Any] = {"review_opinion": "材料齐全，符合条件"}


@pytest.fixture
def other(api: ApiClient) -> Iterator[ApiClient]:
    """Another server process: its own runtime (engine, caches) over the same database and users."""
    runtime = Runtime(api.runtime.settings)
    client = ApiClient(create_app({"TESTING": True}, runtime=runtime).test_client(), runtime)
    client.tokens = api.tokens
    yield client
    runtime.dispose()


def test_a_completion_reads_the_open_tasks_once_and_no_waits_when_none_are_stored(api):
    api.deploy(WINDOW, *WINDOW_FORMS)
    warm = api.start("window_acceptance")  # resolves the forms of both steps once in this process
    complete_task(api, complete_task(api, warm["tasks"][0]["id"], user="admin", **ACCEPT)["tasks"][0]["id"],
                  user="admin", **REVIEW)
    case = api.start("window_acceptance")
    review = complete_task(api, case["tasks"][0]["id"], user="admin", **ACCEPT)["tasks"][0]
    with statements(api.runtime) as seen:
        answer = complete_task(api, review["id"], user="admin", **REVIEW)
    task_reads = [s for s in seen if s.startswith("SELECT tasks.")]
    assert len(task_reads) == 2  # the task by id, then the case's open tasks; the answer reuses those
    assert [t["bpmn_id"] for t in answer["tasks"]] == ["decide"] and answer["tasks"][0]["state"] == "READY"
    assert not [s for s in seen if "FROM message_subscriptions" in s or "FROM jobs" in s]  # the case waits for nothing
    assert len([s for s in seen if "FROM resources" in s]) == 1  # the form: checked for newer deployments only
    assert len([s for s in seen if "FROM webhooks" in s]) <= 1



def test_the_step_that_ends_a_case_by_its_decision_reads_its_history_once(api):
    """The window item may end withdrawn (补正 not made in time), so its end asks how the case ended, for the
    applicant's text: the end event's own state (办结(通过)) answers, without reading the case's history
    again (the answer's case state reads it once)."""
    api.deploy(WINDOW, *WINDOW_FORMS)
    case = api.start("window_acceptance")
    task = case["tasks"][0]
    for answers in (ACCEPT, REVIEW, {"approved": True, "decision_opinion": "准予许可"},
                    {"certificate_no": "JY13101010000001"}):
        [task] = complete_task(api, task["id"], user="admin", **answers)["tasks"]
    assert task["bpmn_id"] == "deliver"
    with statements(api.runtime) as seen:
        assert complete_task(api, task["id"], user="admin", delivery_method="window")["state"] == "completed"
    assert len([s for s in seen if s.startswith("SELECT history.")]) == 1


def test_a_form_deployed_by_another_process_checks_the_next_completion_here(api, other):
    api.deploy("simple_approval.bpmn", "accept.form")
    first = api.start("simple_approval", variables={"reviewGroup": "office"})
    second = api.start("simple_approval", variables={"reviewGroup": "office"})
    complete_task(api, first["tasks"][0]["id"], user="admin", accepted=True, amount=5000)  # allowed by this form
    other.deploy("simple_approval.bpmn", "accept_v2/accept.form")
    refused = complete_task(api, second["tasks"][0]["id"], user="admin", expect=422, accepted=True, amount=5000)
    assert refused["error"]["details"][0]["message"] == "max: must be at most 1000"


def test_a_first_webhook_subscribed_in_another_process_gets_events_here_within_the_bound(api, other):
    now = [0.0]
    api.runtime.webhook_targets = WebhookTargets(clock=lambda: now[0])
    api.deploy("simple_approval.bpmn")
    api.start("simple_approval", variables={"reviewGroup": "office"})  # learns: no webhooks
    hook = other.as_("integrator").post("/api/webhooks", json={"url": "http://127.0.0.1:9/hook"})
    assert hook.status_code == 201
    now[0] += NONE_TTL_SECONDS / 2
    api.start("simple_approval", variables={"reviewGroup": "office"})  # within the bound: not seen yet
    assert count_deliveries(api.runtime) == 0
    now[0] += NONE_TTL_SECONDS
    api.start("simple_approval", variables={"reviewGroup": "office"})
    assert count_deliveries(api.runtime) > 0


def test_a_webhook_deleted_by_another_process_gets_no_delivery_here(api, other):
    api.deploy("simple_approval.bpmn")
    hook = api.as_("integrator").post("/api/webhooks", json={"url": "http://127.0.0.1:9/hook"}).get_json()
    api.start("simple_approval", variables={"reviewGroup": "office"})
    before = count_deliveries(api.runtime)
    assert before > 0
    integrator = other.as_("integrator")
    assert integrator.client.delete(f"/api/webhooks/{hook['id']}?discard=true", headers=integrator.headers()).status_code == 204
    api.start("simple_approval", variables={"reviewGroup": "office"})  # a set of webhooks is read afresh
    assert count_deliveries(api.runtime) == 0  # deleted with their webhook, and none added


def count_deliveries(runtime: Runtime) -> int:
    with runtime.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(WebhookDelivery)) or 0
