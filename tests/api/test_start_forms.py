"""A start event's ``camunda:formKey`` is the process's start form: served by GET .../start-form, and a case
starts only with variables that pass it. With ``govflow.bundleForms`` it is merged with the member forms."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from engine import lint

DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs" targetNamespace="http://govflow.example/bpmn">
  <bpmn:process id="apply" name="Application" isExecutable="true">
{extension}    {start_event}
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" camunda:candidateGroups="window" />
    <bpmn:sequenceFlow id="f1" sourceRef="review" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
  <bpmn:message id="m" name="applied" />
</bpmn:definitions>
"""
BUNDLE = """    <bpmn:extensionElements>
      <camunda:properties><camunda:property name="govflow.bundleForms" value="licence.form" /></camunda:properties>
    </bpmn:extensionElements>
"""


def form(form_id: str, title: str, *fields: dict[str, Any]) -> str:
    components = [{"type": "text", "id": f"Text_{form_id}", "text": f"# {title}"},
                  *({"type": "textfield", "id": f"Field_{f['key']}", "label": f["key"], **f} for f in fields)]
    return json.dumps({"schemaVersion": 16, "type": "default", "id": form_id, "components": components})


APPLICATION = form("application", "申请表", {"key": "applicant_name", "validate": {"required": True, "maxLength": 20}},
                   {"key": "applicant_phone", "validate": {"validationType": "phone"}})
LICENCE = form("licence", "许可申请", {"key": "applicant_name", "validate": {"required": True, "maxLength": 50}},
               {"key": "shop_name", "validate": {"required": True}})


def deploy(api: Any, tmp_path: Path, start: str, *, extension: str = "", expect: int = 201,
           forms: dict[str, str] | None = None) -> Any:
    """Deploy the diagram whose start event has the attributes ``start`` (or is ``start``, a whole
    element), with ``forms`` (by default the application form)."""
    start_event = start if start.startswith("<") else f'<bpmn:startEvent id="start" {start} />'
    (tmp_path / "apply.bpmn").write_text(DIAGRAM.format(start_event=start_event, extension=extension),
                                         encoding="utf-8")
    forms = {"application.form": APPLICATION} if forms is None else forms
    for name, content in forms.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    return api.deploy(tmp_path / "apply.bpmn", *(tmp_path / name for name in forms), expect=expect)


def start(api: Any, variables: dict[str, Any]) -> Any:
    return api.as_("integrator").post("/api/process-definitions/apply/start", json={"variables": variables})


def test_a_start_event_s_form_key_is_the_start_form_served_as_deployed(api, tmp_path):
    """The formKey was ignored: the endpoint said the definition was no bundle, and any variables started."""
    deployed = deploy(api, tmp_path, 'camunda:formKey="camunda-forms:deployment:application.form"')
    assert deployed["warnings"] == []
    response = api.get("/api/process-definitions/apply/start-form")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["key"], body["version"], body["forms"], body["shared"]) == (
        "apply", 1, ["camunda-forms:deployment:application.form"], [])
    assert body["schema"] == json.loads(APPLICATION)


def test_a_case_starts_only_with_variables_that_pass_the_start_form(api, tmp_path):
    deploy(api, tmp_path, 'camunda:formKey="application.form"')
    refused = start(api, {"applicant_name": "长" * 21, "applicant_phone": "123", "fee": 5})
    assert refused.status_code == 422, refused.get_json()
    error = refused.get_json()["error"]
    assert error["code"] == "validation_failed"
    problems = {d["field"]: d["message"] for d in error["details"]}
    assert set(problems) == {"variables.applicant_name", "variables.applicant_phone", "variables.fee"}
    assert problems["variables.applicant_name"].startswith("maxLength")
    assert problems["variables.fee"].startswith("unknown")
    assert api.as_("supervisor").get("/api/process-instances?process_key=apply").get_json()["total"] == 0
    started = start(api, {"applicant_name": "李四", "applicant_phone": "13800138000"})
    assert started.status_code == 201, started.get_json()
    variables = api.as_("supervisor").get(f"/api/process-instances/{started.get_json()['id']}").get_json()["variables"]
    assert variables["applicant_name"] == "李四"


def test_a_start_form_that_is_not_deployed_is_warned_about_and_not_checked(api, tmp_path):
    """As a task's missing form is: Camunda too starts a case whose form it cannot find."""
    deployed = deploy(api, tmp_path, 'camunda:formKey="missing.form"', forms={})
    [warning] = deployed["warnings"]
    assert warning["element"] == "start"
    assert warning["message"] == ("form 'missing.form' is neither in this deployment nor deployed before; "
                                  "cases will start without form checks")
    assert api.get("/api/process-definitions/apply/start-form").status_code == 404
    assert start(api, {"anything": 1}).status_code == 201


def test_a_start_form_key_that_is_an_expression_is_refused(api, tmp_path):
    refused = deploy(api, tmp_path, 'camunda:formKey="${formName}"', expect=422)
    [problem] = [p for p in refused["error"]["details"] if p["severity"] == "error"]
    assert problem["element"] == "start" and "no variables exist before the case starts" in problem["message"]


def test_a_form_key_on_a_message_start_event_is_ignored_with_a_warning(api, tmp_path):
    deployed = deploy(api, tmp_path, '<bpmn:startEvent id="start" camunda:formKey="application.form">'
                                     '<bpmn:messageEventDefinition messageRef="m" /></bpmn:startEvent>')
    ignored = ("camunda:formKey 'application.form' on a message start event is ignored: only the process's "
               "plain start event has a start form (as in Camunda)")
    assert [(w["element"], w["message"]) for w in deployed["warnings"]] == [("start", ignored)]
    assert api.get("/api/process-definitions/apply/start-form").status_code == 404


def test_with_bundle_forms_the_start_form_is_merged_first_and_checked_merged(api, tmp_path):
    deploy(api, tmp_path, 'camunda:formKey="application.form"', extension=BUNDLE,
           forms={"application.form": APPLICATION, "licence.form": LICENCE})
    body = api.get("/api/process-definitions/apply/start-form").get_json()
    assert (body["forms"], body["shared"]) == (["application.form", "licence.form"], ["applicant_name"])
    groups = body["schema"]["components"]
    assert [g["label"] for g in groups][1:] == ["申请表", "许可申请"]
    shared = groups[0]["components"][0]
    assert shared["key"] == "applicant_name" and shared["validate"] == {"required": True, "maxLength": 20}
    refused = start(api, {"applicant_name": "李四"})
    assert refused.status_code == 422
    assert [d["field"] for d in refused.get_json()["error"]["details"]] == ["variables.shop_name"]
    assert start(api, {"applicant_name": "李四", "shop_name": "李记面馆"}).status_code == 201


def test_a_bundle_s_start_form_that_is_not_deployed_stops_every_start_as_a_missing_member_does(api, tmp_path):
    deployed = deploy(api, tmp_path, 'camunda:formKey="application.form"', extension=BUNDLE,
                      forms={"licence.form": LICENCE})
    missing = ("form 'application.form' is neither in this deployment nor deployed before; it is merged with the "
               "forms of govflow.bundleForms, and no case starts until it is deployed")
    assert [w["message"] for w in deployed["warnings"]] == [missing]
    error = start(api, {"applicant_name": "李四", "shop_name": "李记面馆"}).get_json()["error"]
    assert error["code"] == "process_error"
    assert error["message"] == ("the start event of 'apply' names form 'application.form', which is not deployed; "
                                "deploy it with the diagram")


def test_a_bundle_form_that_is_not_deployed_is_warned_of_at_deploy_and_by_lint(api, tmp_path):
    """Deploy said nothing of a member form govflow.bundleForms names: the first start failed."""
    deployed = deploy(api, tmp_path, 'camunda:formKey="application.form"', extension=BUNDLE,
                      forms={"application.form": APPLICATION})
    missing = ("form 'licence.form' is neither in this deployment nor deployed before; it is one of "
               "govflow.bundleForms, and no case starts until it is deployed")
    assert [(w["element"], w["message"]) for w in deployed["warnings"]] == [("apply", missing)]
    assert deployed["warnings"][0]["line"]  # the process element's line

    linted = lint.lint_files([("apply.bpmn", (tmp_path / "apply.bpmn").read_bytes()),
                              ("application.form", APPLICATION.encode())])
    [(severity, message)] = [(p.severity, p.message) for p in linted if "licence.form" in p.message]
    assert severity == "warning"  # plain BPMN, no guide: lint holds it to no library rule (an item's is an error)
    assert message == ("govflow.bundleForms names form 'licence.form', which is not among the linted files: no "
                       "case starts without it")


def test_a_page_the_client_renders_cannot_be_merged_with_bundle_forms(api, tmp_path):
    refused = deploy(api, tmp_path, 'camunda:formKey="embedded:app:forms/start.html"', extension=BUNDLE,
                     forms={"licence.form": LICENCE}, expect=422)
    [problem] = [p for p in refused["error"]["details"] if p["severity"] == "error"]
    assert problem["element"] == "apply"
    assert problem["message"] == ("start form 'embedded:app:forms/start.html' is a page the client application "
                                  "renders, which cannot be merged with the forms of govflow.bundleForms; name a "
                                  "form-js form")


def test_an_embedded_start_form_has_no_schema_to_serve_and_checks_nothing(api, tmp_path):
    deploy(api, tmp_path, 'camunda:formKey="embedded:app:forms/start.html"', forms={})
    error = api.get("/api/process-definitions/apply/start-form").get_json()["error"]
    assert error["code"] == "not_found" and "embedded:app:forms/start.html" in error["message"]
    assert start(api, {"anything": 1}).status_code == 201
