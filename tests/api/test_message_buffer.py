"""Buffered messages: a message that comes before its case waits is kept (202) for a limited time and
delivered to the first matching case that starts waiting; an expired one is dropped with a note."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from engine import message_buffer
from engine.clock import utcnow
from engine.models import BufferedMessage, HistoryEvent, OutboxEvent

SUPPLEMENTED = "materials_supplemented"


def send(api, **body):  # type: ignore[no-untyped-def]
    return api.as_("integrator").post("/api/messages", json=body)


def history(api, instance_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [e["event"] for e in api.get(f"/api/process-instances/{instance_id}/history").get_json()]


def buffered_rows(runtime) -> list[BufferedMessage]:  # type: ignore[no-untyped-def]
    with runtime.uow() as uow:
        return list(uow.session.scalars(select(BufferedMessage).order_by(BufferedMessage.id)))


def test_a_message_nothing_waits_for_is_still_404_unless_buffering_is_asked(api):
    api.deploy("supplement.bpmn")
    response = send(api, name=SUPPLEMENTED, business_key="BK-0")
    assert response.status_code == 404


def test_a_message_no_deployed_process_waits_for_is_not_buffered(api, runtime):
    """A misspelt name would be kept, answered 202, and expire unseen: it is refused at once."""
    api.deploy("supplement.bpmn")
    response = send(api, name="materials_suplemented", business_key="BK-0", buffer_seconds=60)
    assert response.status_code == 422
    assert "materials_suplemented" in response.get_json()["error"]["message"]
    assert buffered_rows(runtime) == []


def test_a_buffered_message_is_answered_202_and_reaches_the_case_that_then_waits_for_it(api, runtime):
    api.deploy("supplement.bpmn")
    response = send(api, name=SUPPLEMENTED, business_key="BK-1", buffer_seconds=60,
                    variables={"supplied": ["营业执照"]})
    assert response.status_code == 202
    body = response.get_json()
    assert body["process_instances"] == [] and "buffered" in body["message"]
    assert body["buffered"]["name"] == SUPPLEMENTED and body["buffered"]["business_key"] == "BK-1"
    case = api.start("supplement", business_key="BK-1")
    [recheck] = case["tasks"]  # the wait was passed at once
    assert recheck["bpmn_id"] == "recheck" and case["variables"]["supplied"] == ["营业执照"]
    events = history(api, case["id"])
    assert events.index("message.unbuffered") < events.index("message.received")
    [row] = buffered_rows(runtime)
    assert (row.state, row.delivered_to) == ("delivered", case["id"])
    other = api.start("supplement", business_key="BK-2")
    assert other["tasks"] == []  # another case's message is not taken


def test_the_buffer_time_is_capped_by_the_settings(api, runtime):
    api.deploy("supplement.bpmn")
    before = utcnow()
    body = send(api, name=SUPPLEMENTED, business_key="BK-3", buffer_seconds=10**9).get_json()
    [row] = buffered_rows(runtime)
    assert row.expires_at - before <= timedelta(seconds=runtime.settings.message_buffer_max_seconds + 5)
    assert body["buffered"]["expires_at"].startswith(row.expires_at.isoformat()[:19])
    longest = runtime.settings.message_buffer_max_seconds
    assert f"(1000000000 seconds were asked; this server keeps a message at most {longest}" in body["message"]
    assert "were asked" not in send(api, name=SUPPLEMENTED, business_key="BK-3b", buffer_seconds=60).get_json()["message"]


def test_an_expired_message_is_not_delivered_and_is_dropped_with_a_note(api, runtime):
    api.deploy("supplement.bpmn")
    send(api, name=SUPPLEMENTED, business_key="BK-4", buffer_seconds=60)
    with runtime.uow() as uow:
        uow.session.execute(update(BufferedMessage).values(expires_at=utcnow() - timedelta(seconds=1)))
        uow.commit()
    case = api.start("supplement", business_key="BK-4")
    assert case["tasks"] == [] and case["state"] == "running"  # still waiting
    assert message_buffer.expire(runtime.uow()) == 1
    assert [r.state for r in buffered_rows(runtime)] == ["expired"]
    with runtime.uow() as uow:
        outbox = uow.session.scalars(select(OutboxEvent).where(OutboxEvent.event == "message.expired")).one()
        note = uow.session.scalars(select(HistoryEvent).where(HistoryEvent.event == "message.expired")).one()
    assert outbox.data["message"] == SUPPLEMENTED and outbox.data["business_key"] == "BK-4"
    assert outbox.business_key == "BK-4"  # the webhook's envelope names the case number it was for
    assert note.data["sent_by"] == "integrator"
    assert message_buffer.expire(runtime.uow()) == 0


def test_a_message_correlated_by_its_values_waits_for_the_case_with_those_values(api, runtime):
    api.deploy("payment_correlation.bpmn")
    response = send(api, name="payment_received", correlations={"order_no": "PAY-7"}, buffer_seconds=60,
                    variables={"amount": 80})
    assert response.status_code == 202
    unrelated = api.start("payment_wait", variables={"order_no": "PAY-8"})
    assert unrelated["tasks"] == []
    paid = api.start("payment_wait", variables={"order_no": "PAY-7"})
    [issue] = paid["tasks"]
    assert issue["bpmn_id"] == "issue" and paid["variables"]["amount"] == 80


def test_a_buffered_message_goes_to_one_case_only(api, runtime):
    api.deploy("payment_correlation.bpmn")
    send(api, name="payment_received", correlations={"order_no": "PAY-9"}, buffer_seconds=60)
    first = api.start("payment_wait", variables={"order_no": "PAY-9"})
    second = api.start("payment_wait", variables={"order_no": "PAY-9"})
    assert len(first["tasks"]) == 1 and second["tasks"] == []


def test_a_message_that_names_no_case_cannot_be_buffered(api):
    api.deploy("supplement.bpmn")
    response = send(api, name=SUPPLEMENTED, buffer_seconds=60)
    assert response.status_code == 400 and "business key" in response.get_json()["error"]["message"]
    assert send(api, name=SUPPLEMENTED, process_instance_id=987654, buffer_seconds=60).status_code == 404
    assert send(api, name=SUPPLEMENTED, business_key="BK-5", buffer_seconds=-1).status_code == 422


def test_a_message_whose_wait_an_earlier_one_ended_stays_in_the_buffer(api, runtime):
    api.deploy("event_gateway_messages.bpmn")
    send(api, name="paid", business_key="GW-1", buffer_seconds=60)
    send(api, name="withdrawn", business_key="GW-1", buffer_seconds=60)
    case = api.start("event_gateway_messages", business_key="GW-1")
    assert case["state"] == "completed"
    rows = {row.message_name: row for row in buffered_rows(runtime)}
    assert (rows["paid"].state, rows["paid"].delivered_to) == ("delivered", case["id"])
    assert (rows["withdrawn"].state, rows["withdrawn"].delivered_to) == ("buffered", None)
    assert history(api, case["id"]).count("message.received") == 1


FEE_AFTER_ACCEPTANCE = """
<bpmn:message id="msg_fee" name="fee_paid"/>
<bpmn:process id="fee_wait" isExecutable="true">
  <bpmn:startEvent id="s"/>
  <bpmn:userTask id="accept" name="受理" camunda:candidateGroups="window"/>
  <bpmn:intermediateCatchEvent id="wait_fee"><bpmn:messageEventDefinition messageRef="msg_fee"/></bpmn:intermediateCatchEvent>
  <bpmn:exclusiveGateway id="gw" default="low_path"/>
  <bpmn:sequenceFlow id="high_path" sourceRef="gw" targetRef="high">
    <bpmn:conditionExpression>amount &gt; 100</bpmn:conditionExpression></bpmn:sequenceFlow>
  <bpmn:sequenceFlow id="low_path" sourceRef="gw" targetRef="low"/>
  <bpmn:userTask id="high" camunda:candidateGroups="window"/><bpmn:userTask id="low" camunda:candidateGroups="window"/>
  <bpmn:sequenceFlow id="a" sourceRef="s" targetRef="accept"/><bpmn:sequenceFlow id="b" sourceRef="accept" targetRef="wait_fee"/>
  <bpmn:sequenceFlow id="c" sourceRef="wait_fee" targetRef="gw"/>
</bpmn:process>"""


def test_a_buffered_message_the_case_cannot_take_is_refused_and_the_case_goes_on(api, runtime, tmp_path):
    """Its payload fails the gateway after the wait. Taken as it was, it failed the clerk's completion (and
    every retry) until it expired: now the completion goes through, the case waits, the message is dropped
    with the error, and a good message sent later reaches the case."""
    from tests.api.test_corpus_fixes import write
    from tests.helpers import complete_task

    api.deploy(write(tmp_path, "fee.bpmn", FEE_AFTER_ACCEPTANCE))
    case = api.start("fee_wait", business_key="FEE-1")
    send(api, name="fee_paid", business_key="FEE-1", variables={"amount": "abc"}, buffer_seconds=600)
    done = complete_task(api, case["tasks"][0], user="window_clerk")
    assert done["state"] == "running" and done["tasks"] == []  # waits for the fee, as before the message
    assert [r.state for r in buffered_rows(runtime)] == ["refused"]
    with runtime.uow() as uow:
        [event] = uow.session.scalars(select(OutboxEvent).where(OutboxEvent.event == "message.refused"))
        [note] = uow.session.scalars(select(HistoryEvent).where(HistoryEvent.event == "message.refused"))
    assert event.business_key == "FEE-1" and event.data["message"] == "fee_paid" and event.data["error"]
    assert note.instance_id == case["id"]
    assert "message.unbuffered" not in [e["event"] for e in api.get(
        f"/api/process-instances/{case['id']}/history").get_json()]
    paid = send(api, name="fee_paid", business_key="FEE-1", variables={"amount": 120})
    assert paid.status_code == 200 and [t["bpmn_id"] for t in paid.get_json()["process_instances"][0]["tasks"]] == [
        "high"]


def test_a_good_buffered_message_behind_a_refused_one_reaches_the_case(api, runtime, tmp_path):
    from tests.api.test_corpus_fixes import write
    from tests.helpers import complete_task

    api.deploy(write(tmp_path, "fee.bpmn", FEE_AFTER_ACCEPTANCE))
    case = api.start("fee_wait", business_key="FEE-2")
    send(api, name="fee_paid", business_key="FEE-2", variables={"amount": "abc"}, buffer_seconds=600)
    send(api, name="fee_paid", business_key="FEE-2", variables={"amount": 120}, buffer_seconds=600)
    done = complete_task(api, case["tasks"][0], user="window_clerk")
    assert [t["bpmn_id"] for t in done["tasks"]] == ["high"]
    assert [r.state for r in sorted(buffered_rows(runtime), key=lambda r: r.id)] == ["refused", "delivered"]


CONFIDENTIAL_CORRELATION = """
<bpmn:collaboration id="col">
  <bpmn:participant id="p" processRef="id_wait"/>
  <bpmn:correlationKey name="k"><bpmn:correlationPropertyRef>ref</bpmn:correlationPropertyRef></bpmn:correlationKey>
</bpmn:collaboration>
<bpmn:correlationProperty id="ref" name="ref">
  <bpmn:correlationPropertyRetrievalExpression messageRef="m_checked">
    <bpmn:formalExpression>int(id_no)</bpmn:formalExpression></bpmn:correlationPropertyRetrievalExpression>
</bpmn:correlationProperty>
<bpmn:message id="m_checked" name="id_checked"/>
<bpmn:process id="id_wait" isExecutable="true">
  <bpmn:extensionElements><camunda:properties>
    <camunda:property name="govflow.confidential" value="id_no"/></camunda:properties></bpmn:extensionElements>
  <bpmn:startEvent id="s"/><bpmn:userTask id="accept" camunda:candidateGroups="window"/>
  <bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition messageRef="m_checked"/></bpmn:intermediateCatchEvent>
  <bpmn:userTask id="next" camunda:candidateGroups="window"/>
  <bpmn:sequenceFlow id="a" sourceRef="s" targetRef="accept"/><bpmn:sequenceFlow id="b" sourceRef="accept" targetRef="wait"/>
  <bpmn:sequenceFlow id="c" sourceRef="wait" targetRef="next"/>
</bpmn:process>"""


def test_a_refused_message_s_error_keeps_its_confidential_values_out(api, runtime, tmp_path):
    """The correlation expression fails on the message's own value, which the case does not hold yet."""
    from tests.api.test_corpus_fixes import write
    from tests.helpers import complete_task

    secret = "110101199001011234X"
    api.deploy(write(tmp_path, "id.bpmn", CONFIDENTIAL_CORRELATION))
    case = api.start("id_wait", business_key="ID-1", variables={"id_no": "1"})
    send(api, name="id_checked", business_key="ID-1", variables={"id_no": secret}, buffer_seconds=600)
    complete_task(api, case["tasks"][0], user="window_clerk")
    assert [r.state for r in buffered_rows(runtime)] == ["refused"]
    with runtime.uow() as uow:
        [event] = uow.session.scalars(select(OutboxEvent).where(OutboxEvent.event == "message.refused"))
    assert event.data["error"] and secret not in event.data["error"]
    readable = api.as_("window_clerk").get(f"/api/process-instances/{case['id']}/history").get_data(as_text=True)
    assert "message.refused" in readable and secret not in readable


FEE_REFUSED_BY_SCRIPT = FEE_AFTER_ACCEPTANCE.replace(
    '<bpmn:sequenceFlow id="c" sourceRef="wait_fee" targetRef="gw"/>',
    '<bpmn:sequenceFlow id="c" sourceRef="wait_fee" targetRef="check"/>'
    '<bpmn:scriptTask id="check" scriptFormat="python"><bpmn:script>'
    'if amount &lt; 0: refuse("amount", "金额不能为负数")</bpmn:script></bpmn:scriptTask>'
    '<bpmn:sequenceFlow id="d" sourceRef="check" targetRef="gw"/>')


def test_a_buffered_message_a_script_refuses_is_refused_and_the_case_goes_on(api, runtime, tmp_path):
    """A script's refuse() on the message's values: before, it failed the clerk's completion that made the case
    wait, as a form error about a field the clerk never saw."""
    from tests.api.test_corpus_fixes import write
    from tests.helpers import complete_task

    api.deploy(write(tmp_path, "fee_checked.bpmn", FEE_REFUSED_BY_SCRIPT))
    case = api.start("fee_wait", business_key="FEE-2")
    send(api, name="fee_paid", business_key="FEE-2", variables={"amount": -5}, buffer_seconds=600)
    done = complete_task(api, case["tasks"][0], user="window_clerk")
    assert done["state"] == "running" and done["tasks"] == []
    assert [r.state for r in buffered_rows(runtime)] == ["refused"]
    paid = send(api, name="fee_paid", business_key="FEE-2", variables={"amount": 120})
    assert [t["bpmn_id"] for t in paid.get_json()["process_instances"][0]["tasks"]] == ["high"]
