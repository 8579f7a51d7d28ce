"""Errors while a case runs quote the diagram's own expressions (``${urgent}``), never the Python they are
translated to at deploy (``juel_bool(urgent)``): in the API's answer, an incident and the case's history."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.api.test_incidents import fail_until_incident, history, timer_jobs

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
id="Defs" targetNamespace="http://govflow.example/bpmn">
  <bpmn:process id="p" name="Routing" isExecutable="true">
    <bpmn:startEvent id="start" />
"""
TAIL = """    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""
# start -> [before] -> route: ${condition} to "urgent", else "normal".
ROUTE = """    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="{first}" />
{before}    <bpmn:exclusiveGateway id="route" name="Urgent?" default="to_normal" />
    <bpmn:sequenceFlow id="to_urgent" sourceRef="route" targetRef="urgent">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_normal" sourceRef="route" targetRef="normal" />
    <bpmn:userTask id="urgent" camunda:candidateGroups="window" />
    <bpmn:userTask id="normal" camunda:candidateGroups="window" />
    <bpmn:sequenceFlow id="f2" sourceRef="urgent" targetRef="end" />
    <bpmn:sequenceFlow id="f3" sourceRef="normal" targetRef="end" />
"""


def deploy(api: Any, tmp_path: Path, body: str) -> None:
    path = tmp_path / "p.bpmn"
    path.write_text(HEAD + body + TAIL, encoding="utf-8")
    api.deploy(path)


def routed(condition: str, *, before: str = "", first: str = "route") -> str:
    return ROUTE.format(condition=condition, before=before, first=first)


def test_a_condition_failing_at_the_start_is_quoted_as_the_diagram_writes_it(api, tmp_path):
    """The answer said "Error evaluating expression 'juel_bool(urgent)'": Python the diagram never had."""
    deploy(api, tmp_path, routed("${urgent}"))
    error = api.start("p", expect=422)["error"]
    assert error["code"] == "process_error" and error["details"][0]["element"] == "route"
    assert error["message"] == ("the process failed at Urgent?: Error evaluating expression '${urgent}': "
                                "name 'urgent' is not defined")
    assert error["details"][0]["message"].startswith("Error evaluating expression '${urgent}'")
    assert "juel" not in str(error)


def test_a_condition_with_operators_and_quotes_is_quoted_whole(api, tmp_path):
    deploy(api, tmp_path, routed("${kind == 'x' &amp;&amp; count &gt; 3}"))
    error = api.start("p", expect=422, variables={"kind": "x"})["error"]
    assert "Error evaluating expression '${kind == 'x' && count > 3}'" in error["message"]
    assert error["message"].endswith("name 'count' is not defined") and "juel" not in error["message"]


def test_a_condition_failing_when_a_task_is_completed_is_quoted_as_written(api, tmp_path):
    before = """    <bpmn:userTask id="review" camunda:candidateGroups="window" />
    <bpmn:sequenceFlow id="f1" sourceRef="review" targetRef="route" />
"""
    deploy(api, tmp_path, routed("#{!approved}", before=before, first="review"))
    [task] = api.start("p")["tasks"]
    done = api.as_("window_clerk").post(f"/api/tasks/{task['id']}/complete", json={"variables": {}})
    assert done.status_code == 422, done.get_json()
    assert "Error evaluating expression '#{!approved}'" in done.get_json()["error"]["message"]


LOOP = """    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="sign" />
    <bpmn:userTask id="sign" name="Countersign" camunda:candidateGroups="window">
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:loopCardinality>{cardinality}</bpmn:loopCardinality>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f1" sourceRef="sign" targetRef="end" />
"""


def test_a_loop_cardinality_failing_is_quoted_as_written(api, tmp_path):
    deploy(api, tmp_path, LOOP.format(cardinality="${signers + 1}"))
    error = api.start("p", expect=422)["error"]
    assert error["details"][0]["element"] == "sign"
    assert "'${signers + 1}'" in error["message"] and "juel" not in error["message"]


def test_a_loop_cardinality_refused_at_deploy_is_quoted_as_written(api, tmp_path):
    """Deploy took the already translated text for the diagram's: it quoted 'juel_add(ok__roles__, 1)'."""
    path = tmp_path / "p.bpmn"
    path.write_text(HEAD + LOOP.format(cardinality="${ok__roles__ + 1}") + TAIL, encoding="utf-8")
    [problem] = api.deploy(path, expect=422)["error"]["details"]
    assert problem["element"] == "sign" and problem["message"].startswith("loopCardinality '${ok__roles__ + 1}': ")


def test_a_task_attribute_failing_names_the_attribute_and_quotes_its_expression(api, tmp_path):
    """It said "cannot evaluate candidate_groups of Review": a name of the engine's, and no expression."""
    body = """    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" name="Review" camunda:candidateGroups="${reviewGroup}" />
    <bpmn:sequenceFlow id="f1" sourceRef="review" targetRef="end" />
"""
    deploy(api, tmp_path, body)
    error = api.start("p", expect=422)["error"]
    assert error["message"] == ("cannot evaluate camunda:candidateGroups '${reviewGroup}' of Review: "
                                "name 'reviewGroup' is not defined")


def test_an_incident_and_the_history_quote_the_condition_as_the_diagram_writes_it(api, runtime, tmp_path):
    before = """    <bpmn:intermediateCatchEvent id="wait">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="wait" targetRef="route" />
"""
    deploy(api, tmp_path, routed("${urgent}", before=before, first="wait"))
    case = api.start("p")
    [job] = timer_jobs(runtime, case["id"])
    fail_until_incident(runtime, job)
    [incident] = api.as_("supervisor").get("/api/incidents").get_json()
    assert "Error evaluating expression '${urgent}'" in incident["last_error"]
    [created] = history(api.as_("supervisor"), case["id"], "incident.created")
    assert "'${urgent}'" in str(created) and "juel" not in str(created)


def test_a_clerk_reads_a_failing_step_in_chinese_with_what_is_unset_and_whom_to_ask(api, app, tmp_path):
    """The task page flashed the engine's English ("the process failed at ...: name 'amount' is not defined")."""
    from tests.case_pages import signed_in

    review = '    <bpmn:userTask id="review" name="审查" camunda:candidateGroups="window" />\n' \
             '    <bpmn:sequenceFlow id="f1" sourceRef="review" targetRef="route" />\n'
    deploy(api, tmp_path, routed("${amount &gt; 1000}", before=review, first="review").replace(
        'name="Urgent?"', 'name="金额判断"'))
    case = api.start("p")
    [task] = case["tasks"]
    clerk = signed_in(app, api.runtime, "window_clerk", groups=["window"], roles=["clerk"])
    done = clerk.post(f"/tasks/{task['id']}", data={"action": "complete"}, follow_redirects=True)
    text = done.text
    assert "操作未生效：流程在“金额判断”处出错，办件保持原状。" in text
    assert "流程用到的变量“amount”没有值" in text and "请联系流程分析员修正流程" in text
    assert "name &#39;amount&#39; is not defined" in text  # the engine's words stay, for the analyst
    assert api.as_("supervisor").get(f"/api/tasks/{task['id']}").get_json()["state"] == "READY"  # nothing stored
