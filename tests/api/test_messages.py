"""Messages from integrators: correlated by business key, case id or correlation values, never dropped.
A clerk records a message a case of theirs waits for (the applicant brought the supplement to the window)."""
from __future__ import annotations

from sqlalchemy import select

from engine.models import BufferedMessage, MessageSubscription, ProcessInstance
from tests.helpers import complete_open_task, open_steps
from tests.service_items import deploy_item, history_events


def _send(api, expect: int, **body):  # type: ignore[no-untyped-def]
    response = api.as_("integrator").post("/api/messages", json=body)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def _waiting_case(api, business_key: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    case = api.start("supplement", business_key=business_key)
    assert case["tasks"] == [] and case["state"] == "running"
    return case


def test_a_message_by_business_key_reaches_the_waiting_case_with_its_variables(api):
    api.deploy("supplement.bpmn")
    case = _waiting_case(api, "BZ-1")
    other = _waiting_case(api, "BZ-2")
    result = _send(api, 200, name="materials_supplemented", business_key="BZ-1", variables={"pages": 3})
    [delivered] = result["process_instances"]
    assert delivered["id"] == case["id"] and [t["bpmn_id"] for t in delivered["tasks"]] == ["recheck"]
    assert delivered["variables"]["pages"] == 3
    reread = api.get(f"/api/process-instances/{case['id']}").get_json()
    assert reread["variables"]["pages"] == 3
    assert api.get(f"/api/process-instances/{other['id']}").get_json()["tasks"] == []
    events = api.get(f"/api/process-instances/{case['id']}/history").get_json()
    assert any(e["event"] == "message.received" and e["actor"] == "integrator" for e in events)


def test_a_message_by_case_id_reaches_that_case(api):
    api.deploy("supplement.bpmn")
    _waiting_case(api, "BZ-1")
    case = _waiting_case(api, "BZ-2")
    [delivered] = _send(api, 200, name="materials_supplemented", process_instance_id=case["id"],
                        variables={"note": "补齐"})["process_instances"]
    assert delivered["id"] == case["id"]
    assert api.get(f"/api/process-instances/{case['id']}").get_json()["variables"]["note"] == "补齐"


def test_a_delivered_message_removes_the_subscription(api):
    api.deploy("supplement.bpmn")
    case = _waiting_case(api, "BZ-1")
    _send(api, 200, name="materials_supplemented", business_key="BZ-1")
    with api.runtime.uow() as uow:
        assert uow.session.scalars(select(MessageSubscription)
                                   .where(MessageSubscription.instance_id == case["id"])).all() == []
    error = _send(api, 404, name="materials_supplemented", business_key="BZ-1")["error"]
    assert error["code"] == "not_found"


def test_a_message_nobody_waits_for_is_a_404_saying_so(api):
    api.deploy("supplement.bpmn")
    case = _waiting_case(api, "BZ-1")
    error = _send(api, 404, name="payment_received", business_key="BZ-1")["error"]
    assert error["code"] == "not_found"
    assert error["message"] == "no deployed process waits for or starts on message 'payment_received'"
    assert error["reason"] == "unknown_message"  # a typo, not a case gone on
    wrong_case = _send(api, 404, name="materials_supplemented", business_key="BZ-404")["error"]
    assert (wrong_case["message"], wrong_case["reason"]) == (
        "no case has business key 'BZ-404', and no process starts on message 'materials_supplemented'", "no_such_case")
    no_case = _send(api, 404, name="materials_supplemented", process_instance_id=99999)["error"]
    assert (no_case["message"], no_case["reason"]) == ("process instance 99999 not found", "no_such_case")
    _send(api, 200, name="materials_supplemented", business_key="BZ-1")
    again = _send(api, 404, name="materials_supplemented", process_instance_id=case["id"])["error"]
    assert (again["message"], again["reason"]) == (
        f"process instance {case['id']} does not wait for message 'materials_supplemented'", "not_waiting")
    by_key = _send(api, 404, name="materials_supplemented", business_key="BZ-1")["error"]
    assert (by_key["message"], by_key["reason"]) == (
        "no case with business key 'BZ-1' waits for message 'materials_supplemented', and no process starts on it",
        "not_waiting")


def test_two_waiting_cases_and_no_target_is_a_conflict_listing_them(api):
    api.deploy("supplement.bpmn")
    first, second = _waiting_case(api, "BZ-1"), _waiting_case(api, "BZ-2")
    error = _send(api, 409, name="materials_supplemented")["error"]
    assert error["code"] == "conflict"
    assert sorted(d["process_instance_id"] for d in error["details"]) == sorted([first["id"], second["id"]])
    for case in (first, second):
        assert api.get(f"/api/process-instances/{case['id']}").get_json()["tasks"] == []


def test_all_delivers_to_every_waiting_case(api):
    api.deploy("supplement.bpmn")
    first, second = _waiting_case(api, "BZ-1"), _waiting_case(api, "BZ-2")
    result = _send(api, 200, name="materials_supplemented", all=True, variables={"batch": True})
    assert sorted(c["id"] for c in result["process_instances"]) == sorted([first["id"], second["id"]])
    for case in (first, second):
        reread = api.get(f"/api/process-instances/{case['id']}").get_json()
        assert [t["bpmn_id"] for t in reread["tasks"]] == ["recheck"] and reread["variables"]["batch"] is True


def test_a_message_start_event_starts_a_case_with_the_business_key_and_variables(api):
    api.deploy("online_application.bpmn")
    result = _send(api, 200, name="application_submitted", business_key="WEB-1", variables={"applicant": "张三"})
    [case] = result["process_instances"]
    assert (case["definition_key"], case["business_key"], case["state"]) == ("online_application", "WEB-1", "running")
    [task] = case["tasks"]
    assert task["bpmn_id"] == "pre_review"
    assert api.get(f"/api/process-instances/{case['id']}").get_json()["variables"]["applicant"] == "张三"


def test_a_retried_start_message_returns_the_case_it_started(api):
    api.deploy("online_application.bpmn")
    [first] = _send(api, 200, name="application_submitted", business_key="WEB-1")["process_instances"]
    [again] = _send(api, 200, name="application_submitted", business_key="WEB-1",
                    variables={"applicant": "李四"})["process_instances"]
    assert again["id"] == first["id"] and "applicant" not in again["variables"]  # the case as it stands
    assert api.get("/api/process-instances?process_key=online_application").get_json()["total"] == 1


def test_a_terminated_case_no_longer_waits(api):
    api.deploy("supplement.bpmn")
    case = _waiting_case(api, "BZ-1")
    api.as_("supervisor").post(f"/api/process-instances/{case['id']}/terminate", json={"reason": "撤件"})
    assert _send(api, 404, name="materials_supplemented", business_key="BZ-1")["error"]["code"] == "not_found"


def test_correlation_values_pick_the_case_whose_process_variable_matches(api):
    api.deploy("payment_correlation.bpmn")
    first = api.start("payment_wait", variables={"order_no": "ORD-1"})
    second = api.start("payment_wait", variables={"order_no": "ORD-2"})
    [delivered] = _send(api, 200, name="payment_received", correlations={"order_no": "ORD-2"},
                        variables={"amount": 120})["process_instances"]
    assert delivered["id"] == second["id"] and [t["bpmn_id"] for t in delivered["tasks"]] == ["issue"]
    assert api.get(f"/api/process-instances/{first['id']}").get_json()["tasks"] == []
    unmatched = _send(api, 404, name="payment_received", correlations={"order_no": "ORD-9"})["error"]
    assert unmatched["code"] == "not_found"


def test_correlation_values_pick_the_case_and_only_the_variables_become_its_data(api):
    """Correlation values were merged into the case's data unchecked: {"approved": true} set a decision."""
    api.deploy("payment_correlation.bpmn")
    case = api.start("payment_wait", variables={"order_no": "ORD-7"})
    [delivered] = _send(api, 200, name="payment_received", correlations={"order_no": "ORD-7", "approved": True},
                        variables={"amount": 120})["process_instances"]
    assert delivered["id"] == case["id"]
    assert delivered["variables"] == {"order_no": "ORD-7", "amount": 120}  # no "approved"
    refused = _send(api, 422, name="payment_received", correlations={"order_no": "ORD-7",
                                                                     "deep": {"a": [{"typename": 1}]}})["error"]
    assert refused["code"] == "validation_failed"  # plain values only, whatever the property ids
    assert [d["field"] for d in refused["details"]] == ["correlations.deep.a.0.typename"]


def test_a_variable_named_after_a_function_diagrams_call_is_refused_at_start_and_in_a_message(api):
    """A case started with co_departments as data failed at its first script, for good."""
    api.deploy("payment_correlation.bpmn")
    started = api.as_("integrator").post("/api/process-definitions/payment_wait/start",
                                         json={"variables": {"order_no": "ORD-8", "co_departments": "x"}})
    assert started.status_code == 422
    [detail] = started.get_json()["error"]["details"]
    assert detail["field"] == "variables.co_departments" and "a function diagrams call" in detail["message"]
    api.start("payment_wait", variables={"order_no": "ORD-8"})
    refused = _send(api, 422, name="payment_received", correlations={"order_no": "ORD-8"},
                    variables={"workdays": 3})["error"]
    assert [d["field"] for d in refused["details"]] == ["variables.workdays"]


def test_correlation_values_the_waiting_case_does_not_know_reach_no_case(api):
    """A typo in a correlation name must not deliver to whichever case waits: as a buffered message, a
    message named by correlation values alone must share one with the case."""
    api.deploy("payment_correlation.bpmn")
    waiting = api.start("payment_wait", variables={"order_no": "ORD-1"})
    refused = _send(api, 404, name="payment_received", correlations={"orderNo": "ORD-1"})["error"]
    assert refused["code"] == "not_found"
    assert [t["bpmn_id"] for t in api.get(f"/api/process-instances/{waiting['id']}").get_json()["tasks"]] == []


CONVERSATION = """
<bpmn:collaboration id="col">
  <bpmn:participant id="p1" processRef="shop"/><bpmn:participant id="p2" processRef="warehouse"/>
  <bpmn:correlationKey name="order_key"><bpmn:correlationPropertyRef>order_no</bpmn:correlationPropertyRef></bpmn:correlationKey>
</bpmn:collaboration>
<bpmn:correlationProperty id="order_no" name="order_no">
  <bpmn:correlationPropertyRetrievalExpression messageRef="m_paid">
    <bpmn:formalExpression>order_no</bpmn:formalExpression></bpmn:correlationPropertyRetrievalExpression>
</bpmn:correlationProperty>
<bpmn:message id="m_paid" name="paid"/>
<bpmn:process id="shop" isExecutable="true">
  <bpmn:startEvent id="s"/><bpmn:userTask id="pay" camunda:candidateGroups="window"/>
  <bpmn:intermediateThrowEvent id="send"><bpmn:messageEventDefinition messageRef="m_paid"><bpmn:extensionElements>
    <spiffworkflow:messagePayload>{"order_no": order_no}</spiffworkflow:messagePayload></bpmn:extensionElements>
  </bpmn:messageEventDefinition></bpmn:intermediateThrowEvent><bpmn:endEvent id="e"/>
  <bpmn:sequenceFlow id="a" sourceRef="s" targetRef="pay"/><bpmn:sequenceFlow id="b" sourceRef="pay" targetRef="send"/>
  <bpmn:sequenceFlow id="c" sourceRef="send" targetRef="e"/>
</bpmn:process>
<bpmn:process id="warehouse" isExecutable="true">
  <bpmn:startEvent id="s2"/>
  <bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition messageRef="m_paid"/></bpmn:intermediateCatchEvent>
  <bpmn:userTask id="ship" camunda:candidateGroups="window"/><bpmn:endEvent id="e2"/>
  <bpmn:sequenceFlow id="d" sourceRef="s2" targetRef="wait"/><bpmn:sequenceFlow id="f" sourceRef="wait" targetRef="ship"/>
  <bpmn:sequenceFlow id="g" sourceRef="ship" targetRef="e2"/>
</bpmn:process>"""


def test_a_case_that_knows_no_correlation_value_yet_takes_the_first_message_of_its_conversation(api, tmp_path):
    """Only a case that knows some of a message's correlation names must share one: a case waiting before
    its conversation set any takes the first correlated message another case throws (BPMN correlation)."""
    from tests.api.test_corpus_fixes import write
    from tests.helpers import complete_task

    api.deploy(write(tmp_path, "conversation.bpmn", CONVERSATION))
    warehouse = api.start("warehouse")
    shop = api.start("shop", variables={"order_no": "ORD-1"})
    complete_task(api, shop["tasks"][0], user="window_clerk")
    assert [t["bpmn_id"] for t in api.get(f"/api/process-instances/{warehouse['id']}").get_json()["tasks"]] == ["ship"]


def test_a_case_holding_a_correlation_value_takes_only_messages_that_share_it(api, tmp_path):
    """A plain BPMN correlation property (no process-variable extension): a case that holds the property's
    value in its data when it starts waiting expects that value, as Zeebe reads a correlation key when the
    event is entered; messages naming another value reach no such case, by business key or sent to all."""
    from tests.api.test_corpus_fixes import write

    api.deploy(write(tmp_path, "conversation.bpmn", CONVERSATION))
    first = api.start("warehouse", business_key="COR-1", variables={"order_no": "L-1"})
    second = api.start("warehouse", business_key="COR-2", variables={"order_no": "L-2"})
    unknown = api.start("warehouse", business_key="COR-3")  # holds no value yet: takes the first message

    refused = _send(api, 404, name="paid", business_key="COR-1", correlations={"order_no": "L-2"})["error"]
    assert refused["code"] == "not_found"
    reached = _send(api, 200, name="paid", correlations={"order_no": "L-2"}, all=True)["process_instances"]
    assert sorted(c["id"] for c in reached) == sorted([second["id"], unknown["id"]])
    steps = {c["id"]: [t["bpmn_id"] for t in api.get(f"/api/process-instances/{c['id']}").get_json()["tasks"]]
             for c in (first, second, unknown)}
    assert steps == {first["id"]: [], second["id"]: ["ship"], unknown["id"]: ["ship"]}
    [delivered] = _send(api, 200, name="paid", business_key="COR-1", correlations={"order_no": "L-1"})["process_instances"]
    assert delivered["id"] == first["id"]


def test_an_empty_correlation_value_leaves_the_case_open_and_a_number_is_matched_as_sent(api, tmp_path):
    from tests.api.test_corpus_fixes import write

    api.deploy(write(tmp_path, "conversation.bpmn", CONVERSATION))
    for number, value in (("EMPTY-1", None), ("EMPTY-2", "  ")):
        api.start("warehouse", business_key=number, variables={"order_no": value})
        [reached] = _send(api, 200, name="paid", business_key=number, correlations={"order_no": "L-9"})["process_instances"]
        assert [t["bpmn_id"] for t in reached["tasks"]] == ["ship"], number
    numbered = api.start("warehouse", business_key="NUM-1", variables={"order_no": 1001})
    _send(api, 404, name="paid", correlations={"order_no": 1002})
    [reached] = _send(api, 200, name="paid", correlations={"order_no": 1001})["process_instances"]
    assert reached["id"] == numbered["id"]


def test_a_correlation_value_read_from_a_confidential_variable_is_not_kept_or_matched(api, tmp_path):
    """Which messages a case takes would disclose the value: the property stays open, as for a case that
    holds none, and the subscription row keeps nothing of it."""
    from tests.api.test_corpus_fixes import write

    secret = CONVERSATION.replace(
        '<bpmn:process id="warehouse" isExecutable="true">',
        '<bpmn:process id="warehouse" isExecutable="true"><bpmn:extensionElements><camunda:properties>'
        '<camunda:property name="govflow.confidential" value="order_no" /></camunda:properties>'
        '</bpmn:extensionElements>')
    assert secret != CONVERSATION
    api.deploy(write(tmp_path, "conversation.bpmn", secret))
    case = api.start("warehouse", business_key="SECRET-1", variables={"order_no": "L-1"})
    with api.runtime.uow() as uow:
        [stored] = uow.session.scalars(select(MessageSubscription.correlations)
                                       .where(MessageSubscription.instance_id == case["id"])).all()
    assert stored == {}
    [reached] = _send(api, 200, name="paid", correlations={"order_no": "L-2"}, all=True)["process_instances"]
    assert reached["id"] == case["id"]


def test_a_correlation_value_a_conversation_established_from_a_confidential_value_is_not_kept(api, tmp_path):
    """The first message sets the conversation's key (order_no L-1), the case's confidential order number: the
    second wait's subscription row keeps nothing of it, as for a key read from the data."""
    from tests.api.test_corpus_fixes import write

    secret = CONVERSATION.replace(
        '<bpmn:process id="warehouse" isExecutable="true">',
        '<bpmn:process id="warehouse" isExecutable="true"><bpmn:extensionElements><camunda:properties>'
        '<camunda:property name="govflow.confidential" value="order_no" /></camunda:properties>'
        '</bpmn:extensionElements>').replace(
        '<bpmn:sequenceFlow id="f" sourceRef="wait" targetRef="ship"/>',
        '<bpmn:intermediateCatchEvent id="wait_again"><bpmn:messageEventDefinition messageRef="m_paid"/>'
        '</bpmn:intermediateCatchEvent><bpmn:sequenceFlow id="f" sourceRef="wait" targetRef="wait_again"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="wait_again" targetRef="ship"/>')
    api.deploy(write(tmp_path, "conversation.bpmn", secret))
    case = api.start("warehouse", business_key="SECRET-2", variables={"order_no": "L-1"})
    _send(api, 200, name="paid", business_key="SECRET-2", correlations={"order_no": "L-1"})
    with api.runtime.uow() as uow:
        [(bpmn_id, stored)] = uow.session.execute(
            select(MessageSubscription.bpmn_id, MessageSubscription.correlations)
            .where(MessageSubscription.instance_id == case["id"])).all()
    assert (bpmn_id, stored) == ("wait_again", {})


def test_a_message_start_checks_the_business_key_as_a_start_does(api):
    api.deploy("online_application.bpmn")
    for key in ("WEB-\u202e1", "WEB\x013", "   "):
        refused = _send(api, 422, name="application_submitted", business_key=key)["error"]
        assert refused["details"][0]["field"] == "business_key", key
    [case] = _send(api, 200, name="application_submitted", business_key="  WEB-2  ")["process_instances"]
    assert case["business_key"] == "WEB-2"


def test_integrators_and_admins_send_messages_clerks_only_to_their_cases_and_others_not_at_all(api):
    api.deploy("supplement.bpmn")
    _waiting_case(api, "BZ-1")
    body = {"name": "materials_supplemented", "business_key": "BZ-1"}
    for role in ("supervisor", "analyst"):
        assert api.as_(role).post("/api/messages", json=body).status_code == 403, role
    # Not a case of theirs (started by an integrator, no task, no department): it does not exist for them.
    response = api.as_("window_clerk").post("/api/messages", json=body)
    assert response.status_code == 404
    missing_name = api.as_("integrator").post("/api/messages", json={"business_key": "BZ-1"})
    assert missing_name.status_code == 422
    assert any(d["field"] == "name" for d in missing_name.get_json()["error"]["details"])


# ---- a clerk records what their case waits for ------------------------------------------------------

HYGIENE = "public_venue_hygiene_licence"  # bpmn/WJW-XK-0005: waits for the supplement (补正), else withdrawn


def _awaiting_supplement(api, business_key: str) -> int:  # type: ignore[no-untyped-def]
    """A 公共场所卫生许可 case the window clerk found incomplete: it waits for the applicant's supplement."""
    deploy_item(api, "WJW-XK-0005")
    started = api.start(HYGIENE, business_key=business_key, variables={"applicant_name": "洛阳某酒店管理有限公司"})
    _send(api, 200, name="credit_checked", business_key=business_key, variables={"credit_status": "good"})
    complete_open_task(api, started["id"], "accept_commitment", user="window_clerk", commitment_signed=True,
                       acceptance_decision="incomplete", missing_materials="公共场所地址方位示意图、平面图和卫生设施平面布局图：未标注布草间位置")
    assert open_steps(api, started["id"]) == []
    return started["id"]


def test_the_window_clerk_records_the_supplement_the_applicant_brought_and_the_case_moves_on(api):
    case_id = _awaiting_supplement(api, "WJ-2026-0101")
    clerk = api.as_("window_clerk")
    response = clerk.post("/api/messages", json={"name": "materials_supplemented", "business_key": "WJ-2026-0101"})
    assert response.status_code == 200, response.get_json()
    [moved] = response.get_json()["process_instances"]
    assert moved["id"] == case_id and [t["bpmn_id"] for t in moved["tasks"]] == ["accept_commitment"]
    [received] = [e for e in history_events(api, case_id)
                  if e["event"] == "message.received" and e["data"]["message"] == "materials_supplemented"]
    assert received["actor"] == "window_clerk"
    with api.runtime.uow() as uow:  # the 补正 deadline no longer runs
        assert uow.session.scalars(select(MessageSubscription).where(MessageSubscription.instance_id == case_id)).all() == []


def test_a_clerk_records_a_message_without_correlations_too(api):
    case_id = _awaiting_supplement(api, "WJ-2026-0109")
    clerk = api.as_("window_clerk")
    refused = clerk.post("/api/messages", json={"name": "materials_supplemented", "process_instance_id": case_id,
                                                "correlations": {"applicant_name": "篡改", "approved": True}})
    assert refused.status_code == 403 and "without variables or correlations" in refused.get_json()["error"]["message"]
    case = api.as_("supervisor").get(f"/api/process-instances/{case_id}").get_json()
    assert "approved" not in case["variables"] and case["variables"].get("applicant_name") != "篡改"


def test_a_clerk_records_by_case_id_too(api):
    case_id = _awaiting_supplement(api, "WJ-2026-0102")
    response = api.as_("window_clerk").post("/api/messages", json={"name": "materials_supplemented",
                                                                    "process_instance_id": case_id})
    assert response.status_code == 200, response.get_json()
    assert open_steps(api, case_id) == ["accept_commitment"]


def test_a_clerk_reaches_only_their_cases_and_only_what_they_wait_for(api):
    case_id = _awaiting_supplement(api, "WJ-2026-0103")
    window, office = api.as_("window_clerk"), api.as_("office_clerk")
    supplement = {"name": "materials_supplemented", "business_key": "WJ-2026-0103"}
    # Another department's clerk: the case does not exist for them, by number or by id.
    assert office.post("/api/messages", json=supplement).status_code == 404
    assert office.post("/api/messages", json={"name": "materials_supplemented",
                                              "process_instance_id": case_id}).status_code == 404
    # Not any message: only one the case waits for now (credit_checked came already).
    wrong = window.post("/api/messages", json={"name": "credit_checked", "business_key": "WJ-2026-0103"})
    assert wrong.status_code == 404
    assert wrong.get_json()["error"]["message"] == \
        "no case with business key 'WJ-2026-0103' waits for message 'credit_checked'"
    # A case must be named, the message carries no data of the clerk's, and nothing is buffered or started.
    assert window.post("/api/messages", json={"name": "materials_supplemented"}).status_code == 403
    assert window.post("/api/messages", json={**supplement, "variables": {"credit_status": "good"}}).status_code == 403
    assert window.post("/api/messages", json={"name": "materials_supplemented", "business_key": "WJ-2026-0999",
                                              "buffer_seconds": 600}).status_code == 404
    api.deploy("online_application.bpmn")
    started = window.post("/api/messages", json={"name": "application_submitted", "business_key": "WEB-9"})
    assert started.status_code == 404
    with api.runtime.uow() as uow:
        assert uow.session.scalars(select(BufferedMessage)).all() == []
        assert uow.session.scalars(select(ProcessInstance.business_key)).all() == ["WJ-2026-0103"]
    assert open_steps(api, case_id) == []  # still waiting


def test_a_clerk_s_message_to_a_suspended_case_is_a_conflict(api):
    case_id = _awaiting_supplement(api, "WJ-2026-0104")
    api.as_("supervisor").post(f"/api/process-instances/{case_id}/suspend", json={"reason": "核查"})
    response = api.as_("window_clerk").post("/api/messages", json={"name": "materials_supplemented",
                                                                    "process_instance_id": case_id})
    assert response.status_code == 409


def test_a_message_without_a_name_is_received_by_its_id(api):
    """A case waiting on a nameless message could not start (its subscription needs a name), a 500."""
    deployed = api.deploy("nameless_message.bpmn")
    assert any("has no name" in w["message"] for w in deployed["warnings"])
    case = api.start("nameless_message", business_key="PAY-1")
    assert case["state"] == "running"
    result = _send(api, 200, name="paid", business_key="PAY-1")
    assert [c["state"] for c in result["process_instances"]] == ["completed"]


# ---- only the steps a diagram marks recordable ---------------------------------------------------------

def test_a_clerk_may_not_give_the_answer_the_credit_system_sends_and_the_case_stays_as_it_was(api):
    """公共场所卫生许可 asks the credit platform first (信用核查, a receive task not marked recordable): the
    window clerk who took the application could otherwise fake the platform's confirmation."""
    deploy_item(api, "WJW-XK-0005")
    started = api.as_("window_clerk").post(f"/api/process-definitions/{HYGIENE}/start", json={
        "business_key": "WJ-2026-0201", "variables": {"applicant_name": "洛阳某酒店管理有限公司"}})
    assert started.status_code == 201, started.get_json()
    case_id = started.get_json()["id"]
    before = history_events(api, case_id)
    for named in ({"process_instance_id": case_id}, {"business_key": "WJ-2026-0201"}):
        refused = api.as_("window_clerk").post("/api/messages", json={"name": "credit_checked", **named})
        assert refused.status_code == 403, refused.get_json()
        message = refused.get_json()["error"]["message"]
        assert "step '信用核查（公共信用信息平台）' (credit_query)" in message
        assert "from an integration" in message and "govflow.recordable = true" in message
    assert history_events(api, case_id) == before
    with api.runtime.uow() as uow:
        assert uow.session.scalars(select(MessageSubscription.message_name)
                                   .where(MessageSubscription.instance_id == case_id)).all() == ["credit_checked"]
    assert open_steps(api, case_id) == []
    _send(api, 200, name="credit_checked", process_instance_id=case_id, variables={"credit_status": "good"})
    assert open_steps(api, case_id) == ["accept_commitment"]


# A case of two processes, each waiting at an element with the id "wait": the caller for the fee payment
# platform's fee_paid (not recordable), the process it calls for the applicant's supplement (recordable).
JOINT = """
<bpmn:message id="m_paid" name="fee_paid"/>
<bpmn:process id="joint_item" name="联办事项" isExecutable="true">
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="accept"/>
  <bpmn:userTask id="accept" name="受理审查" camunda:candidateGroups="window"/>
  <bpmn:sequenceFlow id="f2" sourceRef="accept" targetRef="split"/>
  <bpmn:parallelGateway id="split"/>
  <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="call_member"/>
  <bpmn:sequenceFlow id="f4" sourceRef="split" targetRef="wait"/>
  <bpmn:callActivity id="call_member" name="分项审查" calledElement="member_review"/>
  <bpmn:intermediateCatchEvent id="wait" name="缴费确认（非税支付平台）">
    <bpmn:messageEventDefinition messageRef="m_paid"/>
  </bpmn:intermediateCatchEvent>
  <bpmn:sequenceFlow id="f5" sourceRef="call_member" targetRef="join"/>
  <bpmn:sequenceFlow id="f6" sourceRef="wait" targetRef="join"/>
  <bpmn:parallelGateway id="join"/>
  <bpmn:sequenceFlow id="f7" sourceRef="join" targetRef="decide"/>
  <bpmn:userTask id="decide" name="审批决定" camunda:candidateGroups="window"/>
  <bpmn:sequenceFlow id="f8" sourceRef="decide" targetRef="end"/>
  <bpmn:endEvent id="end"/>
</bpmn:process>"""
MEMBER = """
<bpmn:message id="m_supplemented" name="materials_supplemented"/>
<bpmn:process id="member_review" name="分项审查" isExecutable="true">
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
  <bpmn:intermediateCatchEvent id="wait" name="申请人补交分项材料">
    <bpmn:extensionElements><camunda:properties>
      <camunda:property name="govflow.recordable" value="true"/>
    </camunda:properties></bpmn:extensionElements>
    <bpmn:messageEventDefinition messageRef="m_supplemented"/>
  </bpmn:intermediateCatchEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end"/>
  <bpmn:endEvent id="end"/>
</bpmn:process>"""


def joint_case(api, tmp_path, business_key: str) -> int:  # type: ignore[no-untyped-def]
    """A joint_item case past the window: it waits for the fee payment and, in the process it calls, for
    the applicant's supplement."""
    from tests.api.test_corpus_fixes import write

    api.deploy(write(tmp_path, "joint_item.bpmn", JOINT), write(tmp_path, "member_review.bpmn", MEMBER))
    case_id = api.start("joint_item", business_key=business_key)["id"]
    complete_open_task(api, case_id, "accept", user="window_clerk")
    with api.runtime.uow() as uow:
        assert sorted(uow.session.scalars(select(MessageSubscription.message_name).where(
            MessageSubscription.instance_id == case_id))) == ["fee_paid", "materials_supplemented"]
    return case_id


def test_a_clerk_records_a_wait_the_called_process_marks_and_not_the_caller_s_unmarked_one(api, tmp_path):
    case_id = joint_case(api, tmp_path, "LB-2026-0001")
    clerk = api.as_("window_clerk")
    refused = clerk.post("/api/messages", json={"name": "fee_paid", "process_instance_id": case_id})
    assert refused.status_code == 403
    assert "step '缴费确认（非税支付平台）' (wait)" in refused.get_json()["error"]["message"]
    recorded = clerk.post("/api/messages", json={"name": "materials_supplemented", "process_instance_id": case_id})
    assert recorded.status_code == 200, recorded.get_json()
    [received] = [e for e in history_events(api, case_id) if e["event"] == "message.received"]
    assert (received["actor"], received["data"]["message"]) == ("window_clerk", "materials_supplemented")
    assert open_steps(api, case_id) == []  # the fee is still awaited
    _send(api, 200, name="fee_paid", process_instance_id=case_id)
    assert open_steps(api, case_id) == ["decide"]
