"""Webhooks: case events leave through the outbox, signed, retried with back-off, in order per case,
dead-lettered and replayed — delivered to a real HTTP receiver on 127.0.0.1."""
from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from engine import Runtime, delivery, webhooks, worker
from engine.clock import utcnow
from engine.models import AuditEntry, IdempotencyKey, OutboxEvent, User, WebhookDelivery
from tests.helpers import FIXTURES, complete_task


@pytest.fixture
def runtime_settings() -> dict[str, Any]:
    """conftest's runtime, with three attempts per delivery (then a dead letter) and 10 s back-off."""
    return {"webhook_max_attempts": 3, "webhook_backoff_seconds": 10, "webhook_timeout_seconds": 2}


def subscribe(api, url: str, **body):  # type: ignore[no-untyped-def]
    response = api.as_("integrator").post("/api/webhooks", json={"url": url, **body})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def deliver(runtime: Runtime, *, later: float = 0) -> int:
    return delivery.run_due(runtime, worker_id="test-worker", now=utcnow() + timedelta(seconds=later))


def deliveries(runtime: Runtime) -> list[WebhookDelivery]:
    with runtime.uow() as uow:
        return list(uow.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def run_simple_case(api) -> dict:  # type: ignore[no-untyped-def]
    api.deploy("simple_approval.bpmn")
    case = api.start("simple_approval", variables={"reviewGroup": "office"})
    [accept] = case["tasks"]
    assert complete_task(api, accept, user="window_clerk", accepted=False, amount=5)["state"] == "completed"
    return case


def test_an_integrator_subscribes_and_sees_the_secret_only_once(api, receiver):
    created = subscribe(api, receiver.url, events=["instance.started"], description="省平台")
    assert created["secret"].startswith("whsec_") and created["events"] == ["instance.started"]
    [listed] = api.as_("integrator").get("/api/webhooks").get_json()
    assert listed["id"] == created["id"] and "secret" not in listed and listed["owner"] == "integrator"


def test_a_retried_subscription_answers_without_the_secret_and_keeps_none(api, runtime, receiver):
    """Shown once means once: a replay by Idempotency-Key has no secret, and none is stored with the reply."""
    integrator = api.as_("integrator")
    headers = {**integrator.headers(), "Idempotency-Key": "subscribe-1"}
    body = {"url": receiver.url}
    first = integrator.client.post("/api/webhooks", json=body, headers=headers)
    again = integrator.client.post("/api/webhooks", json=body, headers=headers)
    assert first.status_code == again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert first.get_json()["secret"].startswith("whsec_")
    assert again.get_json() == {k: v for k, v in first.get_json().items() if k != "secret"}
    with runtime.uow() as uow:
        stored = uow.session.scalars(select(IdempotencyKey.body)).all()
    assert stored and all(first.get_json()["secret"].encode() not in (b or b"") for b in stored)


def test_a_case_s_events_arrive_signed_in_order_with_their_event_ids(api, runtime, receiver):
    secret = subscribe(api, receiver.url)["secret"]
    case = run_simple_case(api)
    assert deliver(runtime) == 4
    assert receiver.events() == ["instance.started", "task.created", "task.completed", "instance.completed"]
    for request in receiver.received:
        body = request.json
        assert body["process_instance_id"] == case["id"] and body["business_key"] == case["business_key"]
        assert body["event"] == request.event and request.headers["X-Govflow-Event-Id"] == body["id"]
        assert abs(int(request.headers["X-Govflow-Timestamp"]) - time.time()) < 60
        assert webhooks.verify(secret, timestamp=request.headers["X-Govflow-Timestamp"], body=request.body,
                               signature=request.headers["X-Govflow-Signature"])
    assert receiver.received[1].json["data"]["candidate_groups"] == ["window"]
    assert receiver.received[2].json["data"]["actor"] == "window_clerk"
    assert deliver(runtime) == 0 and len(receiver.received) == 4  # nothing is sent twice


def test_a_signature_fails_for_another_body_another_secret_or_an_old_timestamp(api, runtime, receiver):
    secret = subscribe(api, receiver.url)["secret"]
    api.deploy("simple_approval.bpmn")
    api.start("simple_approval", variables={"reviewGroup": "office"})
    deliver(runtime)
    first = receiver.received[0]
    stamp, signature = first.headers["X-Govflow-Timestamp"], first.headers["X-Govflow-Signature"]
    assert signature == webhooks.sign(secret, int(stamp), first.body)
    assert not webhooks.verify(secret, timestamp=stamp, body=first.body + b" ", signature=signature)
    assert not webhooks.verify("whsec_other", timestamp=stamp, body=first.body, signature=signature)
    assert not webhooks.verify(secret, timestamp=stamp, body=first.body, signature=signature, now=time.time() + 3600)


def test_an_event_type_filter_delivers_only_those_events(api, runtime, receiver):
    subscribe(api, receiver.url, events=["instance.completed"])
    run_simple_case(api)
    deliver(runtime)
    assert receiver.events() == ["instance.completed"]


def test_an_element_marked_with_govflow_event_emits_it_and_notifies_the_applicant(api, runtime, receiver):
    subscribe(api, receiver.url, events=["accepted", "decision", "notice"])
    api.deploy("notified_approval.bpmn")
    case = api.start("notified_approval", variables={"applicant_phone": "13800138000"})
    [accept] = case["tasks"]
    [review] = api.as_("window_clerk").post(f"/api/tasks/{accept['id']}/complete").get_json()["tasks"]
    assert api.as_("office_clerk").post(f"/api/tasks/{review['id']}/complete").status_code == 200
    deliver(runtime)
    assert receiver.events() == ["accepted", "notice", "decision", "notice"]
    accepted, notice = receiver.received[0].json, receiver.received[1].json
    assert accepted["data"]["element_id"] == "accept" and receiver.received[2].json["data"]["element_id"] == "done"
    assert notice["data"]["recipient"] == "13800138000" and notice["data"]["event"] == "accepted"
    assert case["business_key"] in notice["data"]["text"] and "已受理" in notice["data"]["text"]


def test_a_failed_delivery_is_retried_with_exponential_back_off(api, runtime, receiver):
    receiver.reply = lambda request: 503 if len(receiver.received) <= 2 else 200
    subscribe(api, receiver.url, events=["instance.started"])
    api.deploy("simple_approval.bpmn")
    api.start("simple_approval", variables={"reviewGroup": "office"})
    before = utcnow()
    assert deliver(runtime) == 0
    [row] = deliveries(runtime)
    assert (row.state, row.attempts, row.last_status) == ("pending", 1, 503) and "HTTP 503" in row.last_error
    assert timedelta(seconds=9) < row.next_attempt_at - before < timedelta(seconds=12)
    assert deliver(runtime) == 0 and len(receiver.received) == 1  # not due yet
    assert deliver(runtime, later=11) == 0
    [row] = deliveries(runtime)
    assert row.attempts == 2 and timedelta(seconds=19) < row.next_attempt_at - before < timedelta(seconds=23)
    assert deliver(runtime, later=25) == 1
    [row] = deliveries(runtime)
    assert (row.state, row.attempts, row.last_error) == ("delivered", 3, None)
    assert len({r.headers["X-Govflow-Event-Id"] for r in receiver.received}) == 1  # one event, three tries


def test_a_case_s_later_event_waits_until_the_earlier_one_is_delivered_or_dead_lettered(api, runtime, receiver):
    api.deploy("simple_approval.bpmn")
    subscribe(api, receiver.url, events=["instance.started", "task.created"])
    stuck = api.start("simple_approval", variables={"reviewGroup": "office"})
    other = api.start("simple_approval", variables={"reviewGroup": "office"})
    receiver.reply = lambda r: 500 if r.json["process_instance_id"] == stuck["id"] else 200
    deliver(runtime)
    stuck_events = [r.event for r in receiver.received if r.json["process_instance_id"] == stuck["id"]]
    other_events = [r.event for r in receiver.received if r.json["process_instance_id"] == other["id"]]
    assert stuck_events == ["instance.started"] and other_events == ["instance.started", "task.created"]
    deliver(runtime, later=60)
    deliver(runtime, later=120)  # the third failure: a dead letter, and the queue moves on
    stuck_events = [r.event for r in receiver.received if r.json["process_instance_id"] == stuck["id"]]
    assert stuck_events == ["instance.started"] * 3 + ["task.created"] * 3
    states = {(r.instance_id, r.outbox_id): r.state for r in deliveries(runtime)}
    assert sorted(states.values()) == ["dead", "dead", "delivered", "delivered"]


def test_dead_letters_are_listed_and_replayed(api, runtime, receiver):
    receiver.reply = lambda r: 500
    hook = subscribe(api, receiver.url, events=["instance.started"])
    api.deploy("simple_approval.bpmn")
    case = api.start("simple_approval", variables={"reviewGroup": "office"})
    for later in (0, 60, 120):
        deliver(runtime, later=later)
    listed = api.as_("integrator").get("/api/webhooks/dead-letters")
    [dead] = listed.get_json()
    assert listed.headers["X-Total-Count"] == "1"
    assert api.as_("integrator").get("/api/webhooks/dead-letters?offset=1").headers["X-Total-Count"] == "1"
    assert (dead["webhook_id"], dead["event"]) == (hook["id"], "instance.started")
    assert dead["process_instance_id"] == case["id"] and dead["business_key"] == case["business_key"]
    assert (dead["state"], dead["attempts"], dead["last_status"]) == ("dead", 3, 500)
    assert api.as_("supervisor").get("/api/webhooks/dead-letters").status_code == 403
    receiver.reply = lambda r: 200
    replayed = api.as_("integrator").post(f"/api/webhooks/dead-letters/{dead['id']}/replay")
    assert replayed.status_code == 200 and replayed.get_json()["state"] == "pending"
    assert deliver(runtime) == 1 and receiver.received[-1].json["id"] == dead["event_id"]
    assert api.as_("integrator").get("/api/webhooks/dead-letters").get_json() == []
    again = api.as_("integrator").post(f"/api/webhooks/dead-letters/{dead['id']}/replay")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"


def test_a_redirect_is_a_failed_delivery_and_is_not_followed(api, runtime, receiver):
    receiver.reply = lambda r: 302 if r.path == "/hook" else 200
    subscribe(api, receiver.url, events=["instance.started"])
    api.deploy("simple_approval.bpmn")
    api.start("simple_approval", variables={"reviewGroup": "office"})
    deliver(runtime)
    assert [r.path for r in receiver.received] == ["/hook"]
    [row] = deliveries(runtime)
    assert row.state == "pending" and row.last_status == 302


def test_an_unreachable_receiver_is_a_retry(api, runtime, receiver):
    url = receiver.url
    receiver.close()  # nothing listens on the port any more
    subscribe(api, url, events=["instance.started"])
    api.deploy("simple_approval.bpmn")
    api.start("simple_approval", variables={"reviewGroup": "office"})
    deliver(runtime)
    [row] = deliveries(runtime)
    assert row.state == "pending" and row.attempts == 1 and row.last_status is None and row.last_error


def test_events_are_written_only_when_their_change_commits(api, runtime, receiver):
    subscribe(api, receiver.url)
    api.deploy("simple_approval.bpmn")
    case = api.start("simple_approval", variables={"reviewGroup": "office"})
    [accept] = case["tasks"]
    failed = api.as_("window_clerk").post(f"/api/tasks/{accept['id']}/complete", json={"variables": {"accepted": True}})
    assert failed.status_code == 422  # the gateway needs "amount": nothing of the command is stored
    with runtime.uow() as uow:
        events = list(uow.session.scalars(select(OutboxEvent.event).order_by(OutboxEvent.id)))
    assert events == ["instance.started", "task.created"] and len(deliveries(runtime)) == 2


def test_unsubscribing_stops_deliveries_and_nobody_else_may_delete_a_webhook(api, runtime, receiver):
    hook = subscribe(api, receiver.url)
    api.token("integrator2")
    with runtime.uow() as uow:  # a second integrator
        uow.session.execute(update(User).where(User.name == "integrator2").values(roles=["integrator"]))
        uow.commit()
    assert api.as_("integrator2").client.delete(f"/api/webhooks/{hook['id']}",
                                                headers=api.as_("integrator2").headers()).status_code == 404
    assert api.as_("integrator2").get("/api/webhooks").get_json() == []
    assert [h["id"] for h in api.as_("admin").get("/api/webhooks").get_json()] == [hook["id"]]
    deleted = api.client.delete(f"/api/webhooks/{hook['id']}", headers=api.as_("integrator").headers())
    assert deleted.status_code == 204
    api.deploy("simple_approval.bpmn")
    api.start("simple_approval", variables={"reviewGroup": "office"})
    assert deliver(runtime) == 0 and receiver.received == []


def test_webhook_urls_must_be_https_except_to_this_machine(api):
    integrator = api.as_("integrator")
    for url in ("http://example.org/hook", "ftp://127.0.0.1/hook", "https://user:pw@example.org/", "not a url",
                "https://[::1]:99999/", "https://example.org:0/", "https://%00/", "https://xn--/", "https://a b/"):
        response = integrator.post("/api/webhooks", json={"url": url})
        assert response.status_code == 422, url
        assert response.get_json()["error"]["code"] == "validation_failed"
        assert response.get_json()["error"]["details"][0]["field"] == "url"
    assert integrator.post("/api/webhooks", json={"url": "https://platform.example.org/govflow"}).status_code == 201
    assert integrator.post("/api/webhooks", json={"url": "http://localhost:9/hook"}).status_code == 201
    for url in ("https://[::1]:8443/hook", "https://10.0.0.7/hook", "https://政务.中国:8443/hook"):
        assert integrator.post("/api/webhooks", json={"url": url}).status_code == 201, url
    unknown = integrator.post("/api/webhooks", json={"url": "https://example.org/", "events": ["everything"]})
    assert unknown.status_code == 422 and unknown.get_json()["error"]["details"][0]["field"] == "events.0"
    # A red case is supervision.overdue (the sweep's): no event nothing sends may be asked for
    never_sent = integrator.post("/api/webhooks", json={"url": "https://example.org/", "events": ["overdue"]})
    assert never_sent.status_code == 422 and "supervision.overdue" in str(never_sent.get_json()["error"]["details"])
    for url in ("https://169.254.169.254/latest/meta-data", "https://[fe80::1]/", "https://0.0.0.0:8443/",
                "https://224.0.0.1/", "https://169.254.0.1:8080/hook", "https://[::ffff:169.254.169.254]/",
                "https://2852039166/", "https://0xa9fea9fe/", "https://0251.0376.0251.0376/", "https://169.254.43518/",
                "https://169.254.169.254./", "https://100.100.100.200/latest/meta-data", "https://[2002:a9fe:a9fe::]/",
                "https://[64:ff9b::a9fe:a9fe]/",
                # spellings IDNA reads as that address: full-width digits, the ideographic full stop, ①
                "https://１６９.２５４.１６９.２５４/", "https://169。254。169。254/", "https://①⑥⑨.②⑤④.①⑥⑨.②⑤④/"):
        refused = integrator.post("/api/webhooks", json={"url": url})
        assert refused.status_code == 422 and "metadata" in refused.get_json()["error"]["message"], url


def test_only_integrators_and_admins_manage_webhooks(api, receiver):
    for user in ("window_clerk", "supervisor", "analyst"):
        assert api.as_(user).post("/api/webhooks", json={"url": receiver.url}).status_code == 403
        assert api.as_(user).get("/api/webhooks").status_code == 403
    assert api.as_("admin").post("/api/webhooks", json={"url": receiver.url}).status_code == 201


def test_a_deactivated_owner_s_webhook_receives_nothing_more(api, runtime, receiver):
    """Deactivated outside govflow's commands (the users table written): the first delivery finds it out,
    disables the webhook and waits; nothing is sent and nothing dead-lettered."""
    hook = subscribe(api, receiver.url, events=["instance.started"])
    api.deploy("simple_approval.bpmn")
    api.start("simple_approval", variables={"reviewGroup": "office"})  # queued while the owner was active
    with runtime.uow() as uow:
        uow.session.execute(update(User).where(User.name == "integrator").values(active=False))
        uow.commit()
    with runtime.uow() as uow:
        queued = uow.session.scalar(select(func.count()).select_from(WebhookDelivery))
    assert queued == 1
    deliver(runtime)
    [row] = deliveries(runtime)
    assert receiver.received == [] and row.state == "pending" and row.attempts == 0
    listed = {h["id"]: h for h in api.as_("admin").get("/api/webhooks").get_json()}
    assert listed[hook["id"]]["disabled_reason"].startswith("its owner integrator is deactivated")


def test_deactivating_a_webhook_s_owner_disables_it_and_activating_lets_it_be_enabled(api, runtime, receiver):
    """A leaver's webhook had every later event queued and dead-lettered; it is disabled with them."""
    hook = subscribe(api, receiver.url, events=["instance.started"])
    api.deploy("simple_approval.bpmn")
    admin = api.as_("admin")
    assert admin.patch("/api/users/integrator", json={"active": False}).status_code == 200
    listed = {h["id"]: h for h in admin.get("/api/webhooks").get_json()}
    assert listed[hook["id"]]["disabled_reason"] == ("its owner integrator is deactivated; once they are activated "
                                                     "again, the owner or an admin enables the webhook again")
    api.as_("admin").post("/api/process-definitions/simple_approval/start",
                          json={"variables": {"reviewGroup": "office"}})
    assert deliveries(runtime) == []  # nothing queued for a disabled webhook
    refused = admin.post(f"/api/webhooks/{hook['id']}/enable")
    assert refused.status_code == 409 and "deactivated" in refused.get_json()["error"]["message"]
    assert admin.patch("/api/users/integrator", json={"active": True}).status_code == 200
    assert admin.post(f"/api/webhooks/{hook['id']}/enable").status_code == 200
    assert admin.post(f"/api/webhooks/{hook['id']}/enable").status_code == 200  # enabled: nothing to record
    with runtime.uow() as uow:
        actions = uow.session.scalars(select(AuditEntry.action).where(AuditEntry.target_kind == "webhook")
                                      .order_by(AuditEntry.id)).all()
    assert actions == ["webhook.subscribed", "webhook.disabled", "webhook.enabled"]


def test_the_worker_scheduler_delivers_webhooks_within_seconds(api, runtime, receiver):
    subscribe(api, receiver.url, events=["instance.started"])
    scheduler, _poller = worker.make_scheduler(runtime, poll_seconds=0.2)
    assert {"govflow-jobs", "govflow-webhooks", "govflow-sweep"} <= {job.id for job in scheduler.get_jobs()}
    scheduler.start()
    try:
        api.deploy("simple_approval.bpmn")
        api.start("simple_approval", variables={"reviewGroup": "office"})
        assert receiver.wait_for(1, timeout=10)
    finally:
        scheduler.shutdown(wait=True)
    assert receiver.events() == ["instance.started"]


def test_a_confidential_recipient_reaches_only_the_sms_relay(api, runtime, receiver, tmp_path):
    """The SMS relay needs the number: an admin (or a supervisor) subscribes it to ``notice`` by name.
    Every other webhook reads it concealed where the process names the applicant's phone confidential: an
    integrator's, whatever it subscribes to (integrators read confidential variables concealed), and an
    admin's taking every event. A notice from a process that does not name it is sent as it is."""
    diagram = (FIXTURES / "notified_approval.bpmn").read_text(encoding="utf-8")
    private = diagram.replace('id="notified_approval" name="带通知的审批" isExecutable="true">', (
        'id="private_approval" name="保密通知审批" isExecutable="true"><bpmn:extensionElements><camunda:properties>'
        '<camunda:property name="govflow.confidential" value="applicant_phone"/>'
        '</camunda:properties></bpmn:extensionElements>'))
    (tmp_path / "private_approval.bpmn").write_text(private, encoding="utf-8")
    api.deploy(tmp_path / "private_approval.bpmn")
    api.deploy("notified_approval.bpmn")
    hooks = {"relay": ("admin", ["notice"]), "integrator": ("integrator", ["notice", "task.created"]),
             "everything": ("admin", [])}
    for name, (owner, events) in hooks.items():
        created = api.as_(owner).post("/api/webhooks", json={"url": f"{receiver.url}?{name}", "events": events})
        assert created.status_code == 201, created.get_json()
    for key, phone in (("private_approval", "13900001234"), ("notified_approval", "13800005678")):
        case = api.start(key, variables={"applicant_phone": phone})
        complete_task(api, case["tasks"][0], user="window_clerk")
    assert deliver(runtime) > 0
    notices = {(r.path.split("?")[1], r.json["process_key"]): r.json["data"]
               for r in receiver.received if r.event == "notice"}
    assert len(notices) == 6
    assert notices[("relay", "private_approval")]["recipient"] == "13900001234"
    for name in ("integrator", "everything"):
        assert notices[(name, "private_approval")]["recipient"] == "***", name
        assert notices[(name, "private_approval")]["recipient_confidential"] is True
    assert {data["recipient"] for (_, key), data in notices.items() if key == "notified_approval"} == {"13800005678"}


def test_suspending_and_resuming_a_case_are_events_with_the_reason(api, runtime, receiver):
    hook = subscribe(api, receiver.url, events=["instance.suspended", "instance.resumed"])
    assert hook["events"] == ["instance.suspended", "instance.resumed"]
    api.deploy("simple_approval.bpmn")
    case = api.start("simple_approval", variables={"reviewGroup": "office"})
    supervisor = api.as_("supervisor")
    assert supervisor.post(f"/api/process-instances/{case['id']}/suspend", json={"reason": "等待司法认定"}).status_code == 200
    assert supervisor.post(f"/api/process-instances/{case['id']}/suspend").status_code == 409  # no event
    assert supervisor.post(f"/api/process-instances/{case['id']}/resume").status_code == 200
    deliver(runtime)
    assert receiver.events() == ["instance.suspended", "instance.resumed"]
    suspended, resumed = (r.json for r in receiver.received)
    assert (suspended["data"]["actor"], suspended["data"]["reason"]) == ("supervisor", "等待司法认定")
    assert suspended["process_instance_id"] == resumed["process_instance_id"] == case["id"]
    assert resumed["data"]["case_state"] == "已接件"
    spec = api.client.get("/api/openapi.json").get_json()
    enum = spec["components"]["schemas"]["WebhookCreate"]["properties"]["events"]["items"]["enum"]
    assert {"instance.suspended", "instance.resumed"} <= set(enum)


def test_an_owner_changes_a_webhook_s_url_events_and_description(api, runtime, receiver):
    hook = subscribe(api, receiver.url, events=["instance.started"], description="测试环境")
    api.deploy("simple_approval.bpmn")
    api.start("simple_approval", variables={"reviewGroup": "office"})  # queued for the old URL
    integrator = api.as_("integrator")

    def patch(body: dict, user: str = "integrator"):  # type: ignore[no-untyped-def, type-arg]
        client = api.as_(user)
        return client.client.patch(f"/api/webhooks/{hook['id']}", json=body, headers=client.headers())

    changed = patch({"url": f"{receiver.url}/v2", "events": ["instance.started", "task.created"],
                     "description": "生产环境"})
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()
    assert (body["url"], body["events"], body["description"]) == \
        (f"{receiver.url}/v2", ["instance.started", "task.created"], "生产环境")
    assert "secret" not in body and integrator.get("/api/webhooks").get_json() == [body]
    for refused in ({"url": "https://169.254.169.254/latest"}, {"url": "http://example.org/hook"}):
        answer = patch(refused)
        assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "validation_failed", refused
    assert patch({"events": ["everything"]}).status_code == 422
    assert patch({"description": "他人"}, user="supervisor").status_code == 403
    api.token("integrator2")
    with runtime.uow() as uow:
        uow.session.execute(update(User).where(User.name == "integrator2").values(roles=["integrator"]))
        uow.commit()
    assert patch({"description": "他人"}, user="integrator2").status_code == 404
    assert patch({"description": ""}, user="admin").get_json()["description"] is None
    assert patch({"description": "又一个"}).get_json()["description"] == "又一个"
    assert patch({"description": None}).get_json()["description"] is None  # null clears it too
    assert patch({"events": []}).get_json()["events"] == []  # every event

    api.start("simple_approval", variables={"reviewGroup": "office"})
    deliver(runtime)
    assert {r.path for r in receiver.received} == {"/hook/v2"}  # the queued delivery too
    assert receiver.events() == ["instance.started", "instance.started", "task.created"]


def test_a_rotated_secret_signs_every_later_delivery_and_is_shown_once(api, runtime, receiver):
    hook = subscribe(api, receiver.url, events=["instance.started"])
    api.deploy("simple_approval.bpmn")
    api.start("simple_approval", variables={"reviewGroup": "office"})  # queued before the rotation
    integrator = api.as_("integrator")
    rotated = integrator.post(f"/api/webhooks/{hook['id']}/secret")
    assert rotated.status_code == 200, rotated.get_json()
    secret = rotated.get_json()["secret"]
    assert secret.startswith("whsec_") and secret != hook["secret"] and rotated.get_json()["id"] == hook["id"]
    assert "secret" not in integrator.get("/api/webhooks").get_json()[0]
    assert api.as_("window_clerk").post(f"/api/webhooks/{hook['id']}/secret").status_code == 403
    assert integrator.post("/api/webhooks/999999/secret").status_code == 404
    deliver(runtime)
    [sent] = receiver.received
    stamp, signature = sent.headers["X-Govflow-Timestamp"], sent.headers["X-Govflow-Signature"]
    assert webhooks.verify(secret, timestamp=stamp, body=sent.body, signature=signature)
    assert not webhooks.verify(hook["secret"], timestamp=stamp, body=sent.body, signature=signature)
    headers = {**integrator.headers(), "Idempotency-Key": "rotate-1"}
    first = integrator.client.post(f"/api/webhooks/{hook['id']}/secret", headers=headers)
    again = integrator.client.post(f"/api/webhooks/{hook['id']}/secret", headers=headers)
    assert "secret" in first.get_json() and "secret" not in again.get_json()  # shown once, rotated once
    with runtime.uow() as uow:
        stored = uow.session.scalars(select(IdempotencyKey.body)).all()
    assert all(first.get_json()["secret"].encode() not in (b or b"") for b in stored)


def test_a_webhook_with_events_it_has_not_received_is_deleted_only_when_told_to_drop_them(api, runtime, receiver):
    receiver.reply = lambda r: 500
    hook = subscribe(api, receiver.url, events=["instance.started"])
    api.deploy("simple_approval.bpmn")
    api.start("simple_approval", variables={"reviewGroup": "office"})
    integrator = api.as_("integrator")

    def delete(query: str = ""):  # type: ignore[no-untyped-def]
        return integrator.client.delete(f"/api/webhooks/{hook['id']}{query}", headers=integrator.headers())

    pending = delete()
    assert pending.status_code == 409 and pending.get_json()["error"]["details"] == [{"pending": 1, "dead_letters": 0}]
    for later in (0, 60, 120):
        deliver(runtime, later=later)
    dead = delete()
    assert dead.status_code == 409 and dead.get_json()["error"]["details"] == [{"pending": 0, "dead_letters": 1}]
    assert "discard=true" in dead.get_json()["error"]["message"]
    assert [h["id"] for h in integrator.get("/api/webhooks").get_json()] == [hook["id"]]
    assert len(integrator.get("/api/webhooks/dead-letters").get_json()) == 1  # kept, still replayable
    assert delete("?discard=true").status_code == 204
    assert integrator.get("/api/webhooks").get_json() == [] and deliveries(runtime) == []
    assert delete("?discard=true").status_code == 404
