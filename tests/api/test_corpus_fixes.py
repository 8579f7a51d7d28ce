"""Engine fixes found by the third-party corpus (tests/integration/test_corpus.py), each on a small diagram."""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from engine import jobs
from tests.helpers import complete_task

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
        'id="defs" targetNamespace="http://example.org/govflow">\n')


def write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(body if body.lstrip().startswith("<?xml") else HEAD + body + "\n</bpmn:definitions>\n")
    return path


def flow(*steps: str) -> str:
    """Sequence flows through the given element ids, in order."""
    return "".join(f'<bpmn:sequenceFlow id="f_{a}_{b}" sourceRef="{a}" targetRef="{b}"/>'
                   for a, b in pairwise(steps))


def case(api: Any, instance_id: int) -> dict[str, Any]:
    return api.get(f"/api/process-instances/{instance_id}").get_json()


def send(api: Any, **body: Any) -> Any:
    return api.as_("integrator").post("/api/messages", json=body)


# ---- messages between cases --------------------------------------------------------------------

PLAIN_COLLABORATION = f"""
<bpmn:message id="m_request" name="request"/><bpmn:message id="m_answer" name="answer"/>
<bpmn:process id="asker" isExecutable="true">
  <bpmn:startEvent id="s"/><bpmn:userTask id="ask" name="Ask"/>
  <bpmn:intermediateThrowEvent id="send"><bpmn:messageEventDefinition messageRef="m_request"/>
  </bpmn:intermediateThrowEvent>
  <bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition messageRef="m_answer"/>
  </bpmn:intermediateCatchEvent><bpmn:endEvent id="e"/>{flow("s", "ask", "send", "wait", "e")}
</bpmn:process>
<bpmn:process id="answerer" isExecutable="true">
  <bpmn:startEvent id="s2"><bpmn:messageEventDefinition messageRef="m_request"/></bpmn:startEvent>
  <bpmn:userTask id="reply" name="Reply"/>
  <bpmn:intermediateThrowEvent id="respond"><bpmn:messageEventDefinition messageRef="m_answer"
      camunda:expression="verdict" camunda:resultVariable="outcome"/></bpmn:intermediateThrowEvent>
  <bpmn:endEvent id="e2"/>{flow("s2", "reply", "respond", "e2")}
</bpmn:process>"""


def test_a_plain_bpmn_message_carries_the_senders_data_to_the_case_it_starts(api, tmp_path):
    api.deploy(write(tmp_path, "collab.bpmn", PLAIN_COLLABORATION))
    asker = api.start("asker")
    complete_task(api, asker["tasks"][0], user="admin", question="May I?")
    [answerer] = api.get("/api/process-instances?process_key=answerer").get_json()["items"]
    assert case(api, answerer["id"])["variables"]["question"] == "May I?"  # no payload expression: all data
    # camunda:expression is the payload; camunda:resultVariable names where the catching case keeps it.
    complete_task(api, case(api, answerer["id"])["tasks"][0], user="admin", verdict="yes")
    done = case(api, asker["id"])
    assert done["state"] == "completed" and done["variables"]["outcome"] == "yes"


def test_a_message_payload_that_is_not_a_mapping_is_kept_as_the_catch_events_response(api, tmp_path):
    body = PLAIN_COLLABORATION.replace('camunda:expression="verdict" camunda:resultVariable="outcome"',
                                       'camunda:expression="verdict"')
    api.deploy(write(tmp_path, "collab.bpmn", body))
    asker = api.start("asker")
    complete_task(api, asker["tasks"][0], user="admin")
    [answerer] = api.get("/api/process-instances?process_key=answerer").get_json()["items"]
    complete_task(api, case(api, answerer["id"])["tasks"][0], user="admin", verdict="no")
    assert case(api, asker["id"])["variables"]["wait_Response"] == "no"


def test_a_message_sent_by_java_code_is_refused_at_deploy(api, tmp_path):
    body = PLAIN_COLLABORATION.replace('camunda:expression="verdict" camunda:resultVariable="outcome"',
                                       'camunda:class="org.example.SendAnswer"')
    problems = api.deploy(write(tmp_path, "collab.bpmn", body), expect=422)["error"]["details"]
    [problem] = [p for p in problems if p["severity"] == "error"]
    assert problem["element"] == "respond" and "camunda:class=org.example.SendAnswer" in problem["message"]


def test_a_failing_correlation_of_a_message_between_cases_is_a_422_not_a_crash(api, tmp_path):
    body = PLAIN_COLLABORATION.replace(
        '<bpmn:process id="asker"',
        '<bpmn:collaboration id="c"><bpmn:correlationKey name="k"><bpmn:correlationPropertyRef>p'
        '</bpmn:correlationPropertyRef></bpmn:correlationKey></bpmn:collaboration>'
        '<bpmn:correlationProperty id="p" name="p"><bpmn:correlationPropertyRetrievalExpression messageRef='
        '"m_request"><bpmn:messagePath>ticket</bpmn:messagePath></bpmn:correlationPropertyRetrievalExpression>'
        '</bpmn:correlationProperty><bpmn:process id="asker"')
    api.deploy(write(tmp_path, "collab.bpmn", body))
    asker = api.start("asker")
    refused = complete_task(api, asker["tasks"][0], user="admin", expect=422)  # no 'ticket' to correlate on
    assert "ticket" in refused["error"]["message"]
    assert case(api, asker["id"])["tasks"][0]["state"] == "READY"  # the whole command was rolled back


def test_an_uncaught_escalation_is_recorded_in_the_timeline(api, tmp_path):
    api.deploy(write(tmp_path, "esc.bpmn", f"""
<bpmn:escalation id="esc" name="late" escalationCode="late-1"/>
<bpmn:process id="escalating" isExecutable="true"><bpmn:startEvent id="s"/>
  <bpmn:endEvent id="e"><bpmn:escalationEventDefinition escalationRef="esc"/></bpmn:endEvent>{flow("s", "e")}
</bpmn:process>"""))
    started = api.start("escalating")
    assert started["state"] == "completed"
    events = api.get(f"/api/process-instances/{started['id']}/history").get_json()
    [uncaught] = [e["data"] for e in events if e["event"] == "event.uncaught"]
    assert uncaught["type"] == "escalation" and uncaught["code"] == "late-1"


# ---- running ------------------------------------------------------------------------------------

def test_a_gateway_without_a_matching_condition_names_the_gateway(api, tmp_path):
    api.deploy(write(tmp_path, "gw.bpmn", f"""
<bpmn:process id="gw" isExecutable="true"><bpmn:startEvent id="s"/>
  <bpmn:exclusiveGateway id="check" name="Check"/><bpmn:endEvent id="big"/><bpmn:endEvent id="small"/>
  {flow("s", "check")}
  <bpmn:sequenceFlow id="to_big" sourceRef="check" targetRef="big"><bpmn:conditionExpression>x &gt; 1
  </bpmn:conditionExpression></bpmn:sequenceFlow>
  <bpmn:sequenceFlow id="to_small" sourceRef="check" targetRef="small"><bpmn:conditionExpression>x &lt; 1
  </bpmn:conditionExpression></bpmn:sequenceFlow>
</bpmn:process>"""))
    response = api.as_("integrator").post("/api/process-definitions/gw/start", json={"variables": {"x": 1}})
    error = response.get_json()["error"]
    assert response.status_code == 422 and error["details"][0]["element"] == "check"
    assert error["message"] == "the process failed at Check: No conditions satisfied for check."


def test_a_case_whose_paths_all_end_without_an_end_event_is_completed(api, tmp_path):
    api.deploy(write(tmp_path, "open_end.bpmn", f"""
<bpmn:process id="open_end" isExecutable="true"><bpmn:startEvent id="s"/>
  <bpmn:scriptTask id="last"><bpmn:script>done = True</bpmn:script></bpmn:scriptTask>{flow("s", "last")}
</bpmn:process>"""))
    started = api.start("open_end")
    assert started["state"] == "completed" and case(api, started["id"])["variables"]["done"] is True


def test_a_timer_that_expires_while_a_command_runs_fires_in_that_command(api, tmp_path):
    api.deploy(write(tmp_path, "quick.bpmn", f"""
<bpmn:process id="quick" isExecutable="true"><bpmn:startEvent id="s"/>
  <bpmn:subProcess id="sub"><bpmn:startEvent id="s1"/><bpmn:userTask id="work" name="Work"/>
    <bpmn:exclusiveGateway id="done" default="again"/><bpmn:endEvent id="e1"/>{flow("s1", "work", "done")}
    <bpmn:sequenceFlow id="again" sourceRef="done" targetRef="work"/>
    <bpmn:sequenceFlow id="finished" sourceRef="done" targetRef="e1"><bpmn:conditionExpression>finished
    </bpmn:conditionExpression></bpmn:sequenceFlow></bpmn:subProcess>
  <bpmn:boundaryEvent id="soon" attachedToRef="sub">
    <bpmn:timerEventDefinition><bpmn:timeDuration>PT0.01S</bpmn:timeDuration></bpmn:timerEventDefinition>
  </bpmn:boundaryEvent><bpmn:userTask id="late" name="Late"/><bpmn:endEvent id="e"/>
  {flow("s", "sub", "e")}{flow("soon", "late")}
</bpmn:process>"""))
    started = api.start("quick")
    time.sleep(0.05)
    # The 10 ms are over when this command runs: the boundary fires in it, not in some later command.
    complete_task(api, started["tasks"][0], user="admin", finished=False)
    assert [t["name"] for t in case(api, started["id"])["tasks"]] == ["Late"]


def test_a_timer_date_without_a_zone_is_scheduled_as_the_engine_reads_it(api, tmp_path):
    api.deploy(write(tmp_path, "date.bpmn", f"""
<bpmn:process id="dated" isExecutable="true"><bpmn:startEvent id="s"/>
  <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDate>when</bpmn:timeDate>
  </bpmn:timerEventDefinition></bpmn:intermediateCatchEvent><bpmn:endEvent id="e"/>{flow("s", "wait", "e")}
</bpmn:process>"""))
    when = (datetime.now() + timedelta(days=2)).replace(microsecond=0)  # naive: the server's local time
    started = api.start("dated", variables={"when": when.isoformat()})
    assert started["state"] == "running"
    now = datetime.now(UTC)
    assert jobs.run_due(api.runtime, worker_id="t", now=now + timedelta(days=1)) == 0
    assert jobs.run_due(api.runtime, worker_id="t", now=now + timedelta(days=3)) == 1
    assert case(api, started["id"])["state"] == "completed"


# ---- Camunda and SpiffWorkflow extensions -------------------------------------------------------

def test_a_camunda_collection_writes_each_element_back_in_place(api, tmp_path):
    api.deploy(write(tmp_path, "each.bpmn", f"""
<bpmn:process id="each" isExecutable="true"><bpmn:startEvent id="s"/>
  <bpmn:scriptTask id="grade"><bpmn:multiInstanceLoopCharacteristics isSequential="true"
      camunda:collection="${{applicants}}" camunda:elementVariable="applicant"/>
    <bpmn:script>applicant['ok'] = applicant['age'] &gt;= 18</bpmn:script></bpmn:scriptTask>
  <bpmn:endEvent id="e"/>{flow("s", "grade", "e")}
</bpmn:process>"""))
    started = api.start("each", variables={"applicants": [{"age": 17}, {"age": 30}]})
    variables = case(api, started["id"])["variables"]
    assert variables["applicants"] == [{"age": 17, "ok": False}, {"age": 30, "ok": True}]
    assert "applicant" not in variables


def test_camunda_input_and_output_parameters_run_around_the_task(api, tmp_path):
    api.deploy(write(tmp_path, "io.bpmn", f"""
<bpmn:process id="io" isExecutable="true"><bpmn:startEvent id="s"/>
  <bpmn:userTask id="work" name="Work"><bpmn:extensionElements><camunda:inputOutput>
      <camunda:inputParameter name="greeting">Hello ${{name}}</camunda:inputParameter>
      <camunda:outputParameter name="approved">${{answer == 'yes'}}</camunda:outputParameter>
  </camunda:inputOutput></bpmn:extensionElements></bpmn:userTask>
  <bpmn:endEvent id="e"/>{flow("s", "work", "e")}
</bpmn:process>"""))
    started = api.start("io", variables={"name": "Li"})
    assert case(api, started["id"])["variables"]["greeting"] == "Hello Li"
    complete_task(api, started["tasks"][0], user="admin", answer="yes")
    assert case(api, started["id"])["variables"]["approved"] is True


def test_a_camunda_parameter_written_as_a_script_in_another_language_is_refused(api, tmp_path):
    problems = api.deploy(write(tmp_path, "io.bpmn", f"""
<bpmn:process id="io" isExecutable="true"><bpmn:startEvent id="s"/>
  <bpmn:userTask id="work"><bpmn:extensionElements><camunda:inputOutput>
      <camunda:outputParameter name="total"><camunda:script scriptFormat="groovy">a + b</camunda:script>
      </camunda:outputParameter></camunda:inputOutput></bpmn:extensionElements></bpmn:userTask>
  <bpmn:endEvent id="e"/>{flow("s", "work", "e")}
</bpmn:process>"""), expect=422)["error"]["details"]
    assert [(p["element"], p["message"]) for p in problems if p["severity"] == "error"] == [
        ("work", ("camunda:outputParameter 'total' is a groovy script, which cannot run here; compute it in a "
                  "Python script task"))]


def test_task_names_and_metadata_written_as_expressions_are_evaluated_when_the_task_opens(api, tmp_path):
    api.deploy(write(tmp_path, "names.bpmn", f"""
<bpmn:process id="names" isExecutable="true"><bpmn:startEvent id="s"/>
  <bpmn:userTask id="work" name="Review ${{applicant}}"><bpmn:extensionElements>
    <spiffworkflow:taskMetadataValues>
      <spiffworkflow:taskMetadataValue name="case_type" value="kind.upper()"/>
      <spiffworkflow:taskMetadataValue name="empty"/>
    </spiffworkflow:taskMetadataValues></bpmn:extensionElements></bpmn:userTask>
  <bpmn:endEvent id="e"/>{flow("s", "work", "e")}
</bpmn:process>"""))
    [task] = api.start("names", variables={"applicant": "Wang", "kind": "permit"})["tasks"]
    assert task["name"] == "Review Wang"
    assert task["properties"] == {"case_type": "PERMIT", "empty": None}


def test_a_service_task_without_an_implementation_is_an_external_task(api, tmp_path):
    body = api.deploy(write(tmp_path, "svc.bpmn", f"""
<bpmn:process id="svc" isExecutable="true"><bpmn:startEvent id="s"/>
  <bpmn:serviceTask id="call" name="Call registry"><bpmn:extensionElements>
    <spiffworkflow:serviceTaskOperator id="registry/Lookup"/></bpmn:extensionElements></bpmn:serviceTask>
  <bpmn:serviceTask id="plain" name="Plain"/><bpmn:endEvent id="e"/>{flow("s", "call", "plain", "e")}
</bpmn:process>"""))
    assert {w["element"] for w in body["warnings"]} == {"call", "plain"}
    [task] = api.start("svc")["tasks"]
    assert task["kind"] == "external" and task["name"] == "Call registry"
    after = complete_task(api, task, user="integrator", record={"found": True})
    assert after["tasks"][0]["bpmn_id"] == "plain" and after["tasks"][0]["kind"] == "external"


def test_elements_inside_a_subprocess_take_the_subprocess_lane(api, tmp_path):
    api.deploy(write(tmp_path, "lanes.bpmn", f"""
<bpmn:process id="laned" isExecutable="true">
  <bpmn:laneSet><bpmn:lane id="l" name="office"><bpmn:flowNodeRef>s</bpmn:flowNodeRef>
    <bpmn:flowNodeRef>sub</bpmn:flowNodeRef><bpmn:flowNodeRef>e</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
  <bpmn:startEvent id="s"/><bpmn:subProcess id="sub"><bpmn:startEvent id="s1"/>
    <bpmn:userTask id="inner" name="Inner"/><bpmn:endEvent id="e1"/>{flow("s1", "inner", "e1")}</bpmn:subProcess>
  <bpmn:endEvent id="e"/>{flow("s", "sub", "e")}
</bpmn:process>"""))
    [task] = api.start("laned")["tasks"]
    assert task["lane"] == "office" and task["candidate_groups"] == ["office"]


# ---- deploy-time checks -------------------------------------------------------------------------

def test_every_unconditioned_flow_out_of_a_choosing_gateway_is_named(api, tmp_path):
    problems = api.deploy(write(tmp_path, "choose.bpmn", f"""
<bpmn:process id="choose" isExecutable="true"><bpmn:startEvent id="s"/>
  <bpmn:exclusiveGateway id="g" name="Which?" default="c"/><bpmn:endEvent id="a"/><bpmn:endEvent id="b"/>
  <bpmn:endEvent id="z"/>{flow("s", "g")}
  <bpmn:sequenceFlow id="fa" name="A" sourceRef="g" targetRef="a"/>
  <bpmn:sequenceFlow id="fb" sourceRef="g" targetRef="b"/><bpmn:sequenceFlow id="c" sourceRef="g" targetRef="z"/>
</bpmn:process>"""), expect=422)["error"]["details"]
    assert [(p["element"], p["message"]) for p in problems] == [
        ("fa", ("sequence flow 'A' (fa) leaves an exclusive gateway 'Which?' without a condition and is not "
                "its default flow; add a condition or make it the default")),
        ("fb", ("sequence flow fb leaves an exclusive gateway 'Which?' without a condition and is not its "
                "default flow; add a condition or make it the default"))]


def test_a_business_rule_task_without_a_decision_and_a_bad_pre_script_are_refused(api, tmp_path):
    problems = api.deploy(write(tmp_path, "rules.bpmn", f"""
<bpmn:process id="rules" isExecutable="true"><bpmn:startEvent id="s"/>
  <bpmn:businessRuleTask id="decide"/><bpmn:task id="prep"><bpmn:extensionElements>
    <spiffworkflow:preScript>import os</spiffworkflow:preScript></bpmn:extensionElements></bpmn:task>
  <bpmn:endEvent id="e"/>{flow("s", "decide", "prep", "e")}
</bpmn:process>"""), expect=422)["error"]["details"]
    found = {p["element"]: p["message"] for p in problems}
    assert found["decide"] == ("business rule task names no decision (camunda:decisionRef or "
                               "spiffworkflow:calledDecisionId)")
    assert found["prep"].startswith("spiffworkflow:preScript: Line 1: Imports are not allowed")


# ---- DMN: several decisions per file, FEEL, Camunda's result mapping ----------------------------

DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="x">
  <decision id="category" name="Category">
    <decisionTable id="t1" hitPolicy="FIRST">
      <input id="i1"><inputExpression id="ie1" typeRef="number"><text>applicant.age</text></inputExpression></input>
      <input id="i2"><inputExpression id="ie2" typeRef="string"><text>district</text></inputExpression></input>
      <output id="o1" name="category" typeRef="string"/>
      <rule id="r1"><inputEntry id="a1"><text>[0..17]</text></inputEntry><inputEntry id="a2"><text>-</text></inputEntry>
        <outputEntry id="b1"><text>"minor"</text></outputEntry></rule>
      <rule id="r2"><inputEntry id="a3"><text>&gt;= 65</text></inputEntry>
        <inputEntry id="a4"><text>not("Haidian", "Chaoyang")</text></inputEntry>
        <outputEntry id="b2"><text>"senior"</text></outputEntry></rule>
      <rule id="r3"><inputEntry id="a5"><text></text></inputEntry><inputEntry id="a6"><text>"Haidian","Xicheng"</text></inputEntry>
        <outputEntry id="b3"><text>"city"</text></outputEntry></rule>
      <rule id="r4"><inputEntry id="a7"><text></text></inputEntry><inputEntry id="a8"><text></text></inputEntry>
        <outputEntry id="b4"><text>"other"</text></outputEntry></rule>
    </decisionTable>
  </decision>
  <decision id="fee" name="Fee">
    <decisionTable id="t2" hitPolicy="COLLECT" aggregation="SUM">
      <input id="i3"><inputExpression id="ie3"><text>urgent</text></inputExpression></input>
      <input id="i4"><inputExpression id="ie4"><text>pages</text></inputExpression></input>
      <output id="o2" name="amount" typeRef="number"/>
      <rule id="r5"><inputEntry id="c1"><text>true</text></inputEntry><inputEntry id="c2"><text></text></inputEntry>
        <outputEntry id="d1"><text>50</text></outputEntry></rule>
      <rule id="r6"><inputEntry id="c3"><text></text></inputEntry><inputEntry id="c4"><text>]10..100]</text></inputEntry>
        <outputEntry id="d2"><text>20</text></outputEntry></rule>
      <rule id="r7"><inputEntry id="c5"><text></text></inputEntry><inputEntry id="c6"><text></text></inputEntry>
        <outputEntry id="d3"><text>5</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>"""

RULES = f"""
<bpmn:process id="fees" isExecutable="true"><bpmn:startEvent id="s"/>
  <bpmn:businessRuleTask id="classify" camunda:decisionRef="category" camunda:resultVariable="kind"
      camunda:mapDecisionResult="singleEntry"/>
  <bpmn:businessRuleTask id="price" camunda:decisionRef="fee" camunda:resultVariable="fee"
      camunda:mapDecisionResult="singleEntry"/>
  <bpmn:endEvent id="e"/>{flow("s", "classify", "price", "e")}
</bpmn:process>"""


def test_a_camunda_dmn_file_with_several_feel_decisions_runs_with_camunda_result_mapping(api, tmp_path):
    api.deploy(write(tmp_path, "fees.bpmn", RULES), write(tmp_path, "fees.dmn", DMN))

    def run(**variables: Any) -> dict[str, Any]:
        started = api.start("fees", variables=variables)
        assert started["state"] == "completed", started
        return case(api, started["id"])["variables"]

    minor = run(applicant={"age": 12}, district="Haidian", urgent=True, pages=30)
    assert minor["kind"] == "minor" and minor["fee"] == 50 + 20 + 5  # COLLECT with SUM
    assert "category" not in minor and "amount" not in minor  # only the result variables, as in Camunda
    assert run(applicant={"age": 70}, district="Xicheng", urgent=False, pages=5)["kind"] == "senior"
    assert run(applicant={"age": 70}, district="Haidian", urgent=False, pages=5)["kind"] == "city"
    other = run(applicant={"age": 40}, district="Fengtai", urgent=False, pages=100)
    assert other["kind"] == "other" and other["fee"] == 20 + 5


def test_dmn_entries_that_are_neither_feel_nor_python_and_required_decisions_are_refused(api, tmp_path):
    dmn = DMN.replace("<text>[0..17]</text>", "<text>date(\"2020-01-01\") ..</text>").replace(
        '<decision id="fee" name="Fee">',
        '<decision id="fee" name="Fee"><informationRequirement id="ir">'
        '<requiredDecision href="#category"/></informationRequirement>')
    problems = api.deploy(write(tmp_path, "fees.bpmn", RULES), write(tmp_path, "fees.dmn", dmn),
                          expect=422)["error"]["details"]
    found = {(p["file"], p["element"]): p["message"] for p in problems}
    assert "can run neither as FEEL nor as Python" in found[("fees.dmn", "a1")]
    assert found[("fees.dmn", "fee")].startswith("decision 'Fee' requires decision category first")
