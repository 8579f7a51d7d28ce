"""What an analyst's deployment does with files saved by other tools, and how its refusals read: diagrams in
GBK stored as UTF-8, duplicate ids, forms alone, uploads over the request limit."""
from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from engine import versions
from engine.models import Resource
from engine.users import SYSTEM
from tests.helpers import FIXTURES

SIMPLE = (FIXTURES / "simple_approval.bpmn").read_text(encoding="utf-8")


def upload(api, *files: tuple[str, bytes]):  # type: ignore[no-untyped-def]
    analyst = api.as_("analyst")
    return analyst.client.post("/api/deployments", data={"files": [(io.BytesIO(c), n) for n, c in files]},
                               headers=analyst.headers(), content_type="multipart/form-data")


def gbk(text: str) -> bytes:
    return text.replace('encoding="UTF-8"', 'encoding="GBK"', 1).encode("gbk")


def test_a_gbk_diagram_is_stored_and_served_as_utf8_with_its_names_intact(api):
    response = upload(api, ("gbk_approval.bpmn", gbk(SIMPLE)))
    assert response.status_code == 201, response.get_json()
    [warning] = [w for w in response.get_json()["warnings"] if "GBK" in w["message"]]
    assert warning["file"] == "gbk_approval.bpmn" and "stored as UTF-8" in warning["message"]
    xml = api.as_("analyst").get("/api/process-definitions/simple_approval/xml")
    assert xml.status_code == 200
    assert xml.data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    text = xml.data.decode("utf-8")  # strict: GBK bytes would not decode
    assert 'name="简易审批"' in text and 'name="不予受理"' in text
    assert text.splitlines()[1:] == SIMPLE.splitlines()[1:]  # only the declaration changed: lines stay put
    seen = versions.diagram_version(api.runtime.uow(), "simple_approval", actor=SYSTEM)
    assert "简易审批" in seen.xml and "\ufffd" not in seen.xml
    assert api.as_("analyst").get("/api/process-definitions/simple_approval").get_json()["name"] == "简易审批"


def test_the_same_diagram_in_gbk_and_in_utf8_is_one_version(api):
    first = upload(api, ("simple_approval.bpmn", gbk(SIMPLE))).get_json()
    again = upload(api, ("simple_approval.bpmn", SIMPLE.encode("utf-8"))).get_json()
    assert [(d["version"], d["new"]) for d in first["definitions"]] == [(1, True)]
    assert [(d["version"], d["new"]) for d in again["definitions"]] == [(1, False)]


def test_a_problem_in_a_gbk_diagram_names_the_line_the_author_sees(api):
    broken = SIMPLE.replace("${accepted == true &amp;&amp; amount &lt; 1000}", "${amount >}")
    details = upload(api, ("bad.bpmn", gbk(broken))).get_json()["error"]["details"]
    [problem] = [p for p in details if p["severity"] == "error"]
    assert (problem["file"], problem["line"], problem["element"]) == ("bad.bpmn", 9, "f_ok")
    assert any("GBK" in p["message"] for p in details if p["severity"] == "warning")


def test_a_file_not_in_the_encoding_it_declares_is_refused_naming_the_line(api):
    content = gbk(SIMPLE).replace("简易审批".encode("gbk"), b"\xff\xfe\xfd", 1)
    response = upload(api, ("broken.bpmn", content))
    assert response.status_code == 422
    [problem] = response.get_json()["error"]["details"]
    assert (problem["file"], problem["line"]) == ("broken.bpmn", 3)
    assert "not valid GBK" in problem["message"] and "UTF-8" in problem["message"]
    with api.runtime.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Resource)) == 0


def test_an_unknown_declared_encoding_is_refused(api):
    content = SIMPLE.replace('encoding="UTF-8"', 'encoding="x-no-such"', 1).encode()
    [problem] = upload(api, ("odd.bpmn", content)).get_json()["error"]["details"]
    assert problem["line"] == 1 and "'x-no-such'" in problem["message"]


def test_a_form_in_gbk_is_still_refused(api):
    form = (FIXTURES / "accept.form").read_text(encoding="utf-8")
    response = upload(api, ("simple_approval.bpmn", SIMPLE.encode()), ("accept.form", form.encode("gbk")))
    assert response.status_code == 422
    assert any(p["file"] == "accept.form" for p in response.get_json()["error"]["details"])


def test_duplicate_ids_are_refused_with_file_line_and_id(api):
    twice = SIMPLE.replace('<bpmn:sequenceFlow id="f3"', '<bpmn:sequenceFlow id="f2"', 1)
    response = upload(api, ("twice.bpmn", twice.encode()))
    assert response.status_code == 422
    [problem] = response.get_json()["error"]["details"]
    assert (problem["file"], problem["line"], problem["element"]) == ("twice.bpmn", 14, "f2")
    assert problem["message"].startswith("duplicate id (BPMN requires unique ids)")
    assert "line 7" in problem["message"]  # where the first one is


def test_a_form_alone_is_refused_saying_to_deploy_it_with_its_diagram(api):
    response = upload(api, ("accept.form", (FIXTURES / "accept.form").read_bytes()))
    assert response.status_code == 422
    [problem] = response.get_json()["error"]["details"]
    assert problem["file"] == "accept.form"
    assert "no BPMN diagram" in problem["message"]
    assert "deploy this form with the diagram that uses it" in problem["message"]
    both = upload(api, *((name, (FIXTURES / name).read_bytes()) for name in ("accept.form", "review_opinion.form")))
    assert "these 2 forms (accept.form, review_opinion.form)" in str(both.get_json())


def test_an_upload_over_the_request_limit_says_the_limit_and_its_setting(app, api):
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    response = upload(api, ("big.bpmn", b" " * (3 * 1024 * 1024)))
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "request_entity_too_large"
    assert "2 MiB" in error["message"] and "GOVFLOW_MAX_REQUEST_BYTES" in error["message"]
    assert "capacity limit" not in error["message"] and error["limit"] == 2 * 1024 * 1024
    assert error["details"] == []


def test_a_json_body_over_its_limit_names_its_own_setting(app, api):
    app.config["GOVFLOW_MAX_BODY_BYTES"] = 100
    response = api.as_("integrator").post("/api/messages", json={"name": "m", "variables": {"pad": "x" * 200}})
    assert response.status_code == 413
    message = response.get_json()["error"]["message"]
    assert "GOVFLOW_MAX_BODY_BYTES" in message and "100 bytes" in message


def diagram(body: str, *, start: str = '<bpmn:startEvent id="start" />') -> bytes:
    """A one-process diagram: ``start``, then ``body`` (which must lead to ``end``)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs" targetNamespace="http://govflow.example/bpmn">
  <bpmn:process id="p" isExecutable="true">
    {start}
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="wait" />
{body}
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
""".encode()


def timer(kind: str, value: str) -> bytes:
    return diagram(f"""    <bpmn:intermediateCatchEvent id="wait">
      <bpmn:timerEventDefinition>
        <bpmn:{kind}>{value}</bpmn:{kind}>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="wait" targetRef="end" />""")


@pytest.mark.parametrize(("kind", "value", "reason"), [
    ("timeDuration", "PT1H30", "'PT1H30' is not a duration: the number 30 at the end has no unit"),
    ("timeDuration", "P5X", "'P5X' is not a duration: 'X' is not a unit"),
    ("timeDate", "2026-13-01T00:00:00", "'2026-13-01T00:00:00' is not a date: month must be in 1..12"),
    ("timeDate", "P5D", "'P5D' is a duration, but this timer is a timeDate"),
    ("timeDuration", "2026-12-01T09:00:00", "'2026-12-01T09:00:00' is a date, but this timer is a timeDuration"),
    ("timeDuration", '"P5X"', "'P5X' is not a duration"),
])
def test_a_timer_value_that_would_fail_when_reached_is_refused_naming_file_line_and_element(api, kind, value,
                                                                                            reason):
    """These deployed before and every case then failed at the timer (a bare PT1H30 was taken for a name)."""
    response = upload(api, ("timer.bpmn", timer(kind, value)))
    assert response.status_code == 422, response.get_json()
    [problem] = response.get_json()["error"]["details"]
    assert (problem["file"], problem["line"], problem["element"]) == ("timer.bpmn", 8, "wait")
    assert problem["message"].startswith(f"timer {kind}: ") and reason in problem["message"]


@pytest.mark.parametrize(("kind", "value"), [("timeDuration", "P5D"), ("timeDate", "2099-12-01T09:00:00"),
                                             ("timeDate", "${workdays(5)}"), ("timeDuration", "${period}")])
def test_timer_values_and_expressions_that_run_still_deploy(api, kind, value):
    assert upload(api, ("timer.bpmn", timer(kind, value))).status_code == 201


def test_a_condition_the_sandbox_refuses_is_quoted_as_the_diagram_writes_it(api):
    """Not as translated: the message said condition 'juel_bool(ok__roles__)'."""
    body = """    <bpmn:exclusiveGateway id="wait" default="f2" />
    <bpmn:sequenceFlow id="f1" sourceRef="wait" targetRef="end">
      <bpmn:conditionExpression>${ok__roles__}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end" />"""
    [problem] = upload(api, ("c.bpmn", diagram(body))).get_json()["error"]["details"]
    assert problem["element"] == "f1" and problem["message"].startswith("condition '${ok__roles__}': ")
    assert "juel_bool" not in problem["message"]


CALL = """    <bpmn:callActivity id="wait" calledElement="child">
      <bpmn:extensionElements>{mappings}</bpmn:extensionElements>
    </bpmn:callActivity>
    <bpmn:sequenceFlow id="f1" sourceRef="wait" targetRef="end" />"""
CHILD = diagram('    <bpmn:sequenceFlow id="f1" sourceRef="wait" targetRef="end" /><bpmn:task id="wait" />') \
    .replace(b'id="p"', b'id="child"')


def test_call_mappings_of_all_variables_and_the_case_s_business_key_deploy(api):
    mappings = ('<camunda:in variables="all" /><camunda:out variables="all" />'
                '<camunda:in businessKey="#{execution.processBusinessKey}" />')
    response = upload(api, ("parent.bpmn", diagram(CALL.format(mappings=mappings))), ("child.bpmn", CHILD))
    assert response.status_code == 201, response.get_json()


def test_call_mappings_of_single_variables_are_refused_at_the_first_of_them(api):
    """SpiffWorkflow passes every variable in and out: silently, source/target mappings were ignored."""
    mappings = ('<camunda:in variables="all" />\n<camunda:in source="a" target="b" />\n'
                '<camunda:out source="x" target="x" />\n<camunda:in businessKey="${other}" />')
    response = upload(api, ("parent.bpmn", diagram(CALL.format(mappings=mappings))), ("child.bpmn", CHILD))
    assert response.status_code == 422
    problems = sorted((p["line"], p["element"], p["message"]) for p in response.get_json()["error"]["details"])
    assert [(line, element) for line, element, _ in problems] == [(8, "wait"), (10, "wait")]
    assert problems[0][2].startswith("variables passed one by one (camunda:in a as b; camunda:out x) cannot run")
    assert "camunda:in variables=\"all\"" in problems[0][2]
    assert problems[1][2].startswith("camunda:in businessKey='${other}': a called process runs inside the calling case")


def test_generated_form_fields_beside_a_form_key_are_a_warning_naming_them(api):
    body = """    <bpmn:userTask id="wait" camunda:candidateGroups="window" camunda:formKey="embedded:app:wait.html">
      <bpmn:extensionElements><camunda:formData><camunda:formField id="approved" type="boolean" />
      </camunda:formData></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f1" sourceRef="wait" targetRef="end" />"""
    response = upload(api, ("form_data.bpmn", diagram(body)))
    assert response.status_code == 201
    [warning] = [w for w in response.get_json()["warnings"] if "formData" in w["message"]]
    assert (warning["element"], warning["line"]) == ("wait", 7)
    assert warning["message"].startswith("camunda:formData (approved) is ignored: camunda:formKey "
                                         "'embedded:app:wait.html' names the form, and wins")


def test_a_candidate_group_no_user_and_no_department_has_is_a_warning(api):
    api.as_("window_clerk").get("/api/tasks")  # the organisation has groups: window
    body = """    <bpmn:userTask id="wait" camunda:candidateGroups="window, windwo" />
    <bpmn:userTask id="later" camunda:candidateGroups="${group}" />
    <bpmn:sequenceFlow id="f1" sourceRef="wait" targetRef="later" />
    <bpmn:sequenceFlow id="f2" sourceRef="later" targetRef="end" />"""
    response = upload(api, ("groups.bpmn", diagram(body)))
    assert response.status_code == 201
    [warning] = [w for w in response.get_json()["warnings"] if "candidate group" in w["message"]]
    assert (warning["element"], warning["severity"]) == ("wait", "warning")
    assert warning["message"].startswith("candidate group 'windwo' is no user's group and no department's")


def test_an_assignee_or_candidate_user_who_is_no_user_is_a_warning(api):
    """Before, a mistyped assignee deployed silently and its task waited for a name nobody logs in as."""
    api.as_("window_clerk").get("/api/tasks")  # the organisation has users
    body = """    <bpmn:userTask id="wait" camunda:assignee="window_clekr" camunda:candidateUsers="window_clerk, zhangsan" />
    <bpmn:userTask id="later" camunda:assignee="${initiator}" />
    <bpmn:sequenceFlow id="f1" sourceRef="wait" targetRef="later" />
    <bpmn:sequenceFlow id="f2" sourceRef="later" targetRef="end" />"""
    response = upload(api, ("users.bpmn", diagram(body)))
    assert response.status_code == 201
    warnings = [w for w in response.get_json()["warnings"] if "is no user here" in w["message"]]
    assert [(w["element"], w["message"].split(":")[0]) for w in warnings] == [
        ("wait", "assignee 'window_clekr' is no user here"), ("wait", "candidate user 'zhangsan' is no user here")]


def test_a_call_to_an_unknown_process_is_told_with_the_other_refusals_in_one_round(api):
    """Before, a call to no deployed process was found only once every other refusal had been mended."""
    body = """    <bpmn:scriptTask id="wait" name="计算费用" scriptFormat="javascript"><bpmn:script>fee = 10</bpmn:script></bpmn:scriptTask>
    <bpmn:callActivity id="verify" name="核验" calledElement="no_such_process" />
    <bpmn:sequenceFlow id="f1" sourceRef="wait" targetRef="verify" />
    <bpmn:sequenceFlow id="f2" sourceRef="verify" targetRef="end" />"""
    response = upload(api, ("rounds.bpmn", diagram(body)))
    assert response.status_code == 422
    errors = [p for p in response.get_json()["error"]["details"] if p["severity"] == "error"]
    assert [p["element"] for p in errors] == ["wait", "verify"]
    assert "no_such_process" in errors[1]["message"]


def service_item(content: bytes) -> list[tuple[str, bytes]]:
    """``content`` (process ``p``) as a service item: with a guide naming it, lint's findings are deploy's warnings."""
    guide = {"code": "TEST-XK-0001", "name": "测试许可", "type": "01", "case_type": "2", "level": "city",
             "process": "p", "department": {"code": "TEST", "name": "某局"}, "co_departments": [],
             "legal_basis": ["《中华人民共和国行政许可法》"], "promised_days": 5, "statutory_days": 20, "calendar": "CN",
             "acceptance_conditions": ["申请人具备主体资格"],
             "materials": [{"name": "申请书", "form": "original", "copies": 1, "electronic": True, "key": True,
                            "departments": ["TEST"]}],
             "fees": [], "delivery_methods": ["window"], "excluded_periods": [],
             "channels": {"consultation": "12345", "complaint": "12345"}}
    return [("TEST-XK-0001/guide.json", json.dumps(guide, ensure_ascii=False).encode()), ("TEST-XK-0001/p.bpmn", content)]


def test_what_lint_and_deploy_both_find_in_a_service_item_is_said_once(api):
    body = """    <bpmn:userTask id="wait" name="审查" />
    <bpmn:sequenceFlow id="f1" sourceRef="wait" targetRef="end" />"""
    response = upload(api, *service_item(diagram(body)))
    assert response.status_code == 201, response.get_json()
    unnamed = [w for w in response.get_json()["warnings"] if w.get("code") == "human_task.unnamed"]
    assert len(unnamed) == 1 and unnamed[0]["element"] == "wait"


def test_a_duration_in_calendar_days_in_a_service_item_is_a_warning_pointing_to_working_days(api):
    """P5D deployed silently, and a 5-day limit set on a Wednesday fell due on a Monday: weekends counted."""
    body = """    <bpmn:userTask id="wait" camunda:candidateGroups="window" camunda:dueDate="P3D" />
    <bpmn:intermediateCatchEvent id="pause"><bpmn:timerEventDefinition>
      <bpmn:timeDuration>P1W</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="hours"><bpmn:timerEventDefinition>
      <bpmn:timeDuration>PT2H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="wait" targetRef="pause" />
    <bpmn:sequenceFlow id="f2" sourceRef="pause" targetRef="hours" />
    <bpmn:sequenceFlow id="f3" sourceRef="hours" targetRef="end" />"""
    response = upload(api, *service_item(diagram(body)))
    assert response.status_code == 201, response.get_json()
    found = sorted((w["element"], w["params"]) for w in response.get_json()["warnings"]
                   if w.get("code") == "duration.calendar_days")
    assert found == [("pause", {"what": "timer timeDuration", "value": "P1W", "days": 5}),
                     ("wait", {"what": "dueDate", "value": "P3D", "days": 3})]
    assert "${workdays(3)}" in next(w["message"] for w in response.get_json()["warnings"]
                                    if w.get("code") == "duration.calendar_days" and w["element"] == "wait")
    # Not a service item (no guide): a technical timeout is the diagram's own business.
    plain = upload(api, ("days.bpmn", diagram(body).replace(b'id="p"', b'id="plain"'))).get_json()
    assert [w for w in plain["warnings"] if w.get("code") == "duration.calendar_days"] == []


@pytest.mark.parametrize(("pid", "says"), [
    ("qa/slash?x=1#y", "process id 'qa/slash?x=1#y' is not an XML name"),
    ("two words", "process id 'two words' is not an XML name"),
    ("1st", "process id '1st' is not an XML name"),
    ("p" * 300, "process id is 300 characters long; a process id has at most 255"),
])
def test_a_process_id_that_cannot_be_its_key_in_addresses_is_refused(api, pid: str, says: str) -> None:
    """The id is the item's key in /api/process-definitions/KEY: one that is not an XML name (as BPMN's ids
    are) would deploy and never be reached; one too long for the key's column is no crash either."""
    diagram = SIMPLE.replace('process id="simple_approval"', f'process id="{pid}"').replace(
        'bpmnElement="simple_approval"', f'bpmnElement="{pid}"')
    response = upload(api, ("odd.bpmn", diagram.encode()))
    assert response.status_code == 422, response.get_json()
    [problem] = [p for p in response.get_json()["error"]["details"] if p["severity"] == "error"]
    assert problem["file"] == "odd.bpmn" and problem["message"].startswith(says) and problem["line"] == 3
    assert api.as_("analyst").get("/api/process-definitions").get_json() == []


def test_a_process_id_in_chinese_is_an_xml_name_and_its_address_works(api) -> None:
    diagram = SIMPLE.replace('process id="simple_approval"', 'process id="简易审批_v2"').replace(
        'bpmnElement="simple_approval"', 'bpmnElement="简易审批_v2"')
    assert upload(api, ("zh.bpmn", diagram.encode())).status_code == 201
    assert api.as_("analyst").get("/api/process-definitions/简易审批_v2").status_code == 200
