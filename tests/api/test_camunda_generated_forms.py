"""Camunda 7 generated forms (camunda:formData) over HTTP: deployed as form-js forms of their own, served
as the task's and the process's start form, and enforced when a task completes or a case starts."""
from __future__ import annotations

import html
import io
import json
import re
from typing import Any

from sqlalchemy import select

from engine.models import Resource
from tests.helpers import FIXTURES, complete_task

REVIEW_FORM = "form_data.review.generated.form"
REVIEW_COMPONENTS = [
    {"type": "textfield", "key": "applicant_name", "label": "申请人", "id": "Field_applicant_name", "readonly": True},
    {"type": "textfield", "key": "opinion", "label": "审查意见", "id": "Field_opinion",
     "validate": {"required": True, "minLength": 2}},
    {"type": "textfield", "key": "remark", "label": "备注", "id": "Field_remark", "validate": {"maxLength": 10}},
    {"type": "number", "key": "fee", "label": "收费金额", "id": "Field_fee", "decimalDigits": 0,
     "validate": {"min": 0, "max": 1000}, "defaultValue": 100},
    {"type": "checkbox", "key": "approved", "label": "同意", "id": "Field_approved", "defaultValue": True},
    {"type": "datetime", "key": "valid_until", "label": "有效期至", "id": "Field_valid_until", "subtype": "date",
     "dateLabel": "有效期至", "defaultValue": "2026-12-31"},
    {"type": "select", "key": "decision", "label": "决定", "id": "Field_decision",
     "values": [{"label": "受理", "value": "accept"}, {"label": "不予受理", "value": "reject"}],
     "validate": {"required": True}, "defaultValue": "accept"},
]


def _review_task(api: Any, applicant: str = "张三") -> tuple[dict[str, Any], dict[str, Any]]:
    case = api.start("form_data", variables={"applicant_name": applicant})
    [task] = case["tasks"]
    return case, task


def _details(response: Any) -> dict[str, list[str]]:
    body = response.get_json()
    assert response.status_code == 422 and body["error"]["code"] == "validation_failed", body
    found: dict[str, list[str]] = {}
    for detail in body["error"]["details"]:
        found.setdefault(detail["field"], []).append(detail["rule"])
    return found


def test_the_task_form_is_the_schema_generated_from_the_fields_with_the_case_s_values(api):
    deployed = api.deploy("camunda_form_data.bpmn")
    assert deployed["warnings"] == []
    assert deployed["generated_forms"] == ["form_data.apply.generated.form", REVIEW_FORM]  # the answer names them
    _, task = _review_task(api)
    assert task["form_key"] == REVIEW_FORM
    body = api.as_("window_clerk").get(f"/api/tasks/{task['id']}/form").get_json()
    assert body["key"] == REVIEW_FORM
    assert body["schema"] == {"components": REVIEW_COMPONENTS, "type": "default",
                              "id": "generated:form_data:review", "schemaVersion": 16}
    assert body["data"] == {"applicant_name": "张三"}  # the case's values of the form's fields, to prefill
    with api.runtime.uow() as uow:  # a form of the deployment, as an uploaded one is
        names = set(uow.session.scalars(select(Resource.name).where(Resource.kind == "form")))
    assert names == {REVIEW_FORM, "form_data.apply.generated.form"}


def test_the_task_page_draws_the_generated_form_prefilled(api):
    api.deploy("camunda_form_data.bpmn")
    _, task = _review_task(api)
    assert api.as_("window_clerk").post(f"/api/tasks/{task['id']}/claim").status_code == 200
    page = api.client.application.test_client()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.get("/login").text).group(1)
    assert page.post("/login", data={"name": "window_clerk", "secret": api.token("window_clerk"),
                                     "csrf_token": csrf}).status_code == 302
    text = page.get(f"/tasks/{task['id']}").text

    def script_json(element_id: str) -> Any:
        return json.loads(html.unescape(re.search(rf'id="{element_id}">(.*?)</script>', text, re.DOTALL).group(1)))
    assert script_json("form-schema")["components"] == REVIEW_COMPONENTS
    assert script_json("form-data") == {"applicant_name": "张三"}


def test_a_completion_breaking_the_generated_form_is_refused_field_by_field(api):
    api.deploy("camunda_form_data.bpmn")
    case, task = _review_task(api)
    clerk = api.as_("window_clerk")
    missing = clerk.post(f"/api/tasks/{task['id']}/complete", json={"variables": {"decision": "accept"}})
    assert _details(missing) == {"variables.opinion": ["required"]}
    broken = clerk.post(f"/api/tasks/{task['id']}/complete", json={"variables": {
        "applicant_name": "李四", "opinion": "同意", "remark": "备注写得太长了超过十个字", "fee": 12.5, "approved": "yes",
        "valid_until": "31/12/2026", "decision": "maybe", "extra": 1}})
    assert _details(broken) == {
        "variables.applicant_name": ["readonly"], "variables.remark": ["maxLength"],
        "variables.fee": ["decimalDigits"], "variables.approved": ["type"], "variables.valid_until": ["type"],
        "variables.decision": ["options"], "variables.extra": ["unknown"]}
    over = clerk.post(f"/api/tasks/{task['id']}/complete", json={"variables": {
        "opinion": "同", "fee": 1001, "decision": "accept"}})
    assert _details(over) == {"variables.opinion": ["minLength"], "variables.fee": ["max"]}
    assert [t["bpmn_id"] for t in api.get(f"/api/process-instances/{case['id']}").get_json()["tasks"]] == ["review"]


def test_a_valid_completion_stores_the_values_typed_as_the_fields_are(api):
    api.deploy("camunda_form_data.bpmn")
    case, task = _review_task(api)
    done = complete_task(api, task, user="window_clerk", applicant_name="张三", opinion="材料齐全", remark="", fee=200,
                         approved=False, valid_until="2027-06-30", decision="accept")
    assert [t["bpmn_id"] for t in done["tasks"]] == ["deliver"]  # the gateway read the enum's id
    variables = api.get(f"/api/process-instances/{case['id']}").get_json()["variables"]
    assert {k: variables[k] for k in ("applicant_name", "opinion", "fee", "approved", "valid_until", "decision")} \
        == {"applicant_name": "张三", "opinion": "材料齐全", "fee": 200, "approved": False,
            "valid_until": "2027-06-30", "decision": "accept"}
    assert type(variables["fee"]) is int


def test_the_start_event_s_fields_are_the_start_form_that_checks_a_case_start(api):
    api.deploy("camunda_form_data.bpmn")
    form = api.as_("integrator").get("/api/process-definitions/form_data/start-form").get_json()
    assert [(c["key"], c["type"], c.get("validate"), c.get("defaultValue")) for c in form["schema"]["components"]] \
        == [("applicant_name", "textfield", {"required": True, "maxLength": 20}, None),
            ("copies", "number", {"min": 1, "max": 5}, 1)]
    refused = api.as_("integrator").post("/api/process-definitions/form_data/start",
                                         json={"variables": {"copies": 9, "note": "x"}})
    assert _details(refused) == {"variables.applicant_name": ["required"], "variables.copies": ["max"],
                                "variables.note": ["unknown"]}
    assert api.get("/api/process-instances?process_key=form_data").get_json()["items"] == []
    case = api.start("form_data", variables={"applicant_name": "张三", "copies": 2})
    assert case["variables"]["copies"] == 2


def test_an_unchanged_redeploy_keeps_the_version_and_a_changed_one_gives_each_case_its_own_form(api, tmp_path):
    first = api.deploy("camunda_form_data.bpmn")
    again = api.deploy("camunda_form_data.bpmn")
    assert [(d["key"], d["version"], d["new"]) for d in again["definitions"]] == [("form_data", 1, False)]
    assert again["id"] != first["id"]
    _, old_task = _review_task(api)
    changed = tmp_path / "camunda_form_data.bpmn"
    changed.write_text((FIXTURES / "camunda_form_data.bpmn").read_text(encoding="utf-8").replace(
        'name="maxlength" config="10"', 'name="maxlength" config="30"'), encoding="utf-8")
    assert [d["version"] for d in api.deploy(changed)["definitions"]] == [2]
    _, new_task = _review_task(api)
    remark = "这一条备注超过十个字但不到三十个字"
    sent = {"opinion": "不予", "remark": remark, "decision": "reject"}
    refused = api.as_("window_clerk").post(f"/api/tasks/{old_task['id']}/complete", json={"variables": sent})
    assert _details(refused) == {"variables.remark": ["maxLength"]}  # the case of version 1 keeps version 1's form
    complete_task(api, new_task, user="window_clerk", opinion="不予", remark=remark, decision="reject")


def test_an_uploaded_form_cannot_take_a_generated_form_s_name(api):
    response = api.as_("analyst").client.post(
        "/api/deployments", headers=api.as_("analyst").headers(), content_type="multipart/form-data",
        data={"files": [(io.BytesIO((FIXTURES / "camunda_form_data.bpmn").read_bytes()), "camunda_form_data.bpmn"),
                        (io.BytesIO((FIXTURES / "accept.form").read_bytes()), "form_data.review.generated.form")]})
    assert response.status_code == 422
    [problem] = response.get_json()["error"]["details"]
    assert problem["file"] == "form_data.review.generated.form"
    assert problem["message"].startswith("form names ending in '.generated.form' are kept for the forms generated")


def test_what_a_form_js_form_cannot_carry_is_a_warning_naming_element_field_and_line(api):
    deployed = api.deploy("camunda_form_data_warnings.bpmn")
    warnings = [(w["element"], w["line"], w["message"]) for w in deployed["warnings"]]
    assert warnings == [
        ("start", 6, ("camunda:formData businessKey='case_no' is ignored: a case's business key is given when it "
                      "starts, beside its variables")),
        ("both", 14, ("camunda:formData (comment) is ignored: camunda:formKey 'embedded:app:forms/both.html' names "
                      "the form, and wins (as in Camunda)")),
        ("sub_start", 23, ("camunda:formData (inner) on a start event inside a subprocess is ignored: only the "
                           "process's plain start event has a start form (as in Camunda)")),
        ("extras", 35, "camunda:formField 'amount': attribute 'datePattern' is not carried into the form"),
        ("extras", 35, ("camunda:formField 'amount': type 'money' is not a Camunda form type; the field is shown and "
                        "checked as text")),
        ("extras", 36, "camunda:formField 'amount': camunda:properties is not carried into the form"),
        ("extras", 40, ("camunda:formField 'amount': camunda:constraint validator 'org.example.MoneyValidator' runs "
                        "Java code or an expression in Camunda and is not checked here")),
        ("extras", 41, ("camunda:formField 'amount': camunda:constraint 'pattern' is not a Camunda constraint and is "
                        "not checked")),
        ("extras", 44, ("camunda:formField 'handler': defaultValue '${initiator}' is an expression, which a form "
                        "cannot compute; the field starts empty")),
        ("extras", 47, ("camunda:formField 'agreed': required on a boolean is not carried: a checkbox always gives "
                        "true or false, and a required one would have to be ticked")),
        ("extras", 50, ("camunda:formField 'reviewer': the enum has no camunda:value, so no value can be chosen (as "
                        "in Camunda); it is left out of the form")),
        ("extras", 53, ("camunda:formField 'days': camunda:constraint maxlength applies to text (string) fields and "
                        "is not checked on a long field")),
        ("extras", 56, ("camunda:formField 'office': defaultValue '一号窗口' of a readonly field is not carried: the "
                        "field shows the case's value")),
    ]
    case = api.start("form_data_warnings", variables={"case_no": "A-1"})
    [both] = case["tasks"]
    assert both["form_key"] == "embedded:app:forms/both.html"
    extras = complete_task(api, both, user="window_clerk", anything="goes")["tasks"][0]
    schema = api.as_("window_clerk").get(f"/api/tasks/{extras['id']}/form").get_json()["schema"]
    assert [(c["key"], c["type"], c.get("validate"), c.get("defaultValue"), c.get("readonly"))
            for c in schema["components"]] == [
        ("amount", "textfield", None, None, None), ("handler", "textfield", None, None, None),
        ("agreed", "checkbox", None, None, None), ("days", "number", None, None, None),
        ("office", "textfield", None, None, True)]


def test_malformed_form_fields_refuse_the_deployment_each_at_its_line(api):
    body = api.deploy(FIXTURES / "invalid" / "camunda_form_data.bpmn", expect=422)
    problems = [(p["element"], p["line"], p["message"]) for p in body["error"]["details"]
                if p["severity"] == "error"]
    assert problems == [
        ("review", 9, "camunda:formField has no id"),
        ("review", 10, ("camunda:formField '1st': the id is not a variable name (letters, digits and _, not starting "
                        "with a digit or _)")),
        ("review", 12, "camunda:formField 'opinion': the id is also that of the field at line 11"),
        ("review", 13, "camunda:formField 'kind': no type given (string, long, boolean, date or enum)"),
        ("review", 16, "camunda:formField 'fee': camunda:constraint min needs a number as its config, not 'abc'"),
        ("review", 17, "camunda:formField 'fee': a camunda:constraint has no name"),
        ("review", 14, "camunda:formField 'fee': defaultValue 'many' is not a whole number"),
        ("review", 22, ("camunda:formField 'remark': camunda:constraint maxlength needs a non-negative whole number "
                        "as its config, not '-1'")),
        ("review", 25, ("camunda:formField 'until': defaultValue '31/13/2026' is not a date (dd/MM/yyyy, as Camunda "
                        "writes it, or yyyy-MM-dd)")),
        ("review", 28, "camunda:formField 'decision': a camunda:value has no id"),
        ("review", 30, "camunda:formField 'choice': defaultValue 'later' is not one of the enum's camunda:value ids"),
    ]


def test_lint_knows_the_generated_forms_as_deploy_does() -> None:
    from engine import lint

    path = FIXTURES / "camunda_form_data.bpmn"
    found = lint.lint_files([(path.name, path.read_bytes())])
    assert not [p for p in found if "not among the linted files" in p.message]
    assert not [p for p in found if p.severity == "error"]
