"""Task forms over HTTP: forms deploy with diagrams, completing a task is checked against its form,
and GET /api/tasks/<id>/form hands a client the form-js schema with the values to prefill."""
from __future__ import annotations

import hashlib
import json

from engine.models import Deployment, Resource
from tests.helpers import FIXTURES

ACCEPT_FORM = json.loads((FIXTURES / "accept.form").read_text(encoding="utf-8"))


def _start_simple(api, **variables):  # type: ignore[no-untyped-def]
    case = api.start("simple_approval", variables={"reviewGroup": "office", **variables})
    return case, case["tasks"][0]["id"]


def _details(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    body = response.get_json()
    assert response.status_code == 422 and body["error"]["code"] == "validation_failed", body
    return {d["field"]: d["message"] for d in body["error"]["details"]}


def test_a_missing_required_field_is_refused_with_its_name_and_rule(api):
    deployed = api.deploy("simple_approval.bpmn", "accept.form")
    assert deployed["warnings"] == []
    _, task_id = _start_simple(api)
    clerk = api.as_("window_clerk")
    response = clerk.post(f"/api/tasks/{task_id}/complete", json={"variables": {"accepted": False}})
    assert _details(response) == {"variables.amount": "required: a value is required",
                                  "variables.remark": "required: a value is required"}
    labels = [d["label"] for d in response.get_json()["error"]["details"]]
    assert labels == ["申请金额（元）", "不予受理的理由"]  # the form's own words, for the clerk's screen
    assert clerk.get(f"/api/tasks/{task_id}").get_json()["state"] == "READY"


def test_every_broken_rule_is_named_and_unknown_fields_are_refused_not_stored(api):
    api.deploy("simple_approval.bpmn", "accept.form")
    case, task_id = _start_simple(api)
    clerk = api.as_("window_clerk")
    response = clerk.post(f"/api/tasks/{task_id}/complete", json={"variables": {
        "accepted": True, "amount": -1.5, "applicant_phone": "12345", "fee": 100, "reviewGroup": "window"}})
    details = _details(response)
    assert details["variables.amount"] == "min: must be at least 0"
    assert details["variables.applicant_phone"].startswith("phone: ")
    assert details["variables.fee"].startswith("unknown: ")
    assert details["variables.reviewGroup"].startswith("unknown: ")
    assert "fee" not in api.get(f"/api/process-instances/{case['id']}").get_json()["variables"]


def test_a_valid_submission_completes_the_task_and_lands_in_the_case(api):
    api.deploy("simple_approval.bpmn", "accept.form")
    case, task_id = _start_simple(api)
    clerk = api.as_("window_clerk")
    done = clerk.post(f"/api/tasks/{task_id}/complete", json={"variables": {
        "accepted": True, "amount": 12.5, "applicant_phone": "13812345678", "remark": "hidden, so dropped"}})
    assert done.status_code == 200, done.get_json()
    assert [t["bpmn_id"] for t in done.get_json()["tasks"]] == ["review"]
    variables = api.get(f"/api/process-instances/{case['id']}").get_json()["variables"]
    assert (variables["accepted"], variables["amount"]) == (True, 12.5)
    assert variables["applicant_phone"] == "13812345678"
    assert "remark" not in variables


def test_a_rejection_needs_its_reason_because_the_reason_is_shown_then(api):
    api.deploy("simple_approval.bpmn", "accept.form")
    case, task_id = _start_simple(api)
    clerk = api.as_("window_clerk")
    done = clerk.post(f"/api/tasks/{task_id}/complete", json={"variables": {
        "accepted": False, "amount": 0, "remark": "材料不齐"}})
    assert done.status_code == 200, done.get_json()
    final = api.get(f"/api/process-instances/{case['id']}").get_json()
    assert final["state"] == "completed" and final["variables"]["remark"] == "材料不齐"


def test_the_form_comes_with_the_current_values_of_its_fields_only(api):
    api.deploy("simple_approval.bpmn", "accept.form")
    _, task_id = _start_simple(api, amount=50, applicant_phone="010-12345678")
    form = api.as_("window_clerk").get(f"/api/tasks/{task_id}/form")
    assert form.status_code == 200, form.get_json()
    body = form.get_json()
    assert body["key"] == "accept.form" and body["schema"] == ACCEPT_FORM
    assert body["data"] == {"amount": 50, "applicant_phone": "010-12345678"}  # not reviewGroup
    assert api.as_("office_clerk").get(f"/api/tasks/{task_id}/form").status_code == 404


def test_a_task_without_a_form_or_with_an_undeployed_one_has_no_form_to_get(api):
    api.deploy("simple_approval.bpmn")
    _, task_id = _start_simple(api)
    clerk = api.as_("window_clerk")
    missing = clerk.get(f"/api/tasks/{task_id}/form")
    assert missing.status_code == 404 and "accept.form" in missing.get_json()["error"]["message"]
    done = clerk.post(f"/api/tasks/{task_id}/complete", json={"variables": {"accepted": True, "amount": 1}})
    [review] = done.get_json()["tasks"]
    no_form = api.as_("office_clerk").get(f"/api/tasks/{review['id']}/form")
    assert no_form.status_code == 404 and "has no form" in no_form.get_json()["error"]["message"]


def test_a_broken_form_refuses_the_whole_deployment_naming_the_file_and_component(api):
    error = api.deploy("simple_approval.bpmn", "invalid/broken.form", expect=422)["error"]
    problems = [p for p in error["details"] if p["severity"] == "error"]
    assert {p["file"] for p in problems} == {"broken.form"}
    by_element = {p["element"]: p["message"] for p in problems}
    assert "duplicate key 'name'" in by_element["Field_name_again"]
    assert "unknown component type 'signature'" in by_element["Field_signature"]
    assert "invalid regex pattern" in by_element["Field_licence"]
    assert "function 'count' is not supported" in by_element["Field_note"]
    assert all(p["line"] for p in problems)
    assert api.get("/api/process-definitions").get_json() == []


def test_form_keys_resolve_by_deployment_prefix_and_by_form_id_and_embedded_forms_are_not_checked(api):
    api.deploy("form_keys.bpmn", "accept.form", "review_opinion.form")
    case = api.start("form_keys", variables={"case_no": "SX-1"})
    [accept] = case["tasks"]
    window = api.as_("window_clerk")
    assert window.get(f"/api/tasks/{accept['id']}/form").get_json()["schema"]["id"] == "Form_accept"
    assert set(_details(window.post(f"/api/tasks/{accept['id']}/complete", json={"variables": {}}))) == \
        {"variables.amount", "variables.remark"}
    [review] = window.post(f"/api/tasks/{accept['id']}/complete",
                           json={"variables": {"accepted": True, "amount": 3}}).get_json()["tasks"]

    office = api.as_("office_clerk")
    form = office.get(f"/api/tasks/{review['id']}/form").get_json()
    assert form["schema"]["id"] == "Form_review_opinion" and form["data"] == {"case_no": "SX-1"}
    refused = _details(office.post(f"/api/tasks/{review['id']}/complete", json={"variables": {
        "case_no": "SX-2", "opinion": "approve", "inspection": {"items": ["premises", "roof"]}}}))
    assert refused == {"variables.case_no": "readonly: cannot be changed in this task",
                       "variables.inspection.date": "required: a value is required",
                       "variables.inspection.items": "options: must be one of 'premises', 'equipment', 'staff'"}
    done = office.post(f"/api/tasks/{review['id']}/complete", json={"variables": {
        "case_no": "SX-1", "opinion": "approve", "inspection": {"date": "2026-03-02", "items": ["staff"]}}})
    assert done.status_code == 200, done.get_json()
    [deliver] = done.get_json()["tasks"]

    embedded = window.get(f"/api/tasks/{deliver['id']}/form").get_json()
    assert embedded == {"key": "embedded:app:forms/deliver.html", "schema": None, "data": {}}
    finished = window.post(f"/api/tasks/{deliver['id']}/complete", json={"variables": {"delivery": "post"}})
    assert finished.status_code == 200 and finished.get_json()["state"] == "completed"
    variables = finished.get_json()["variables"]
    assert variables["inspection"] == {"date": "2026-03-02", "items": ["staff"]} and variables["case_no"] == "SX-1"


def test_a_form_key_naming_no_deployed_form_is_a_warning_at_deploy(api):
    deployed = api.deploy("form_keys.bpmn")
    warned = {w["element"]: w for w in deployed["warnings"]}
    assert set(warned) == {"accept", "review"}  # the embedded form is the client's business
    assert warned["accept"]["severity"] == "warning" and warned["accept"]["line"] == 6
    assert "camunda-forms:deployment:accept.form" in warned["accept"]["message"]
    assert api.deploy("form_keys.bpmn", "accept.form", "review_opinion.form")["warnings"] == []


def test_redeploying_an_unchanged_diagram_with_a_corrected_form_uses_the_new_form(api):
    api.deploy("simple_approval.bpmn", "accept.form")
    _, old_task = _start_simple(api)
    again = api.deploy("simple_approval.bpmn", "accept_v2/accept.form")
    assert [(d["version"], d["new"]) for d in again["definitions"]] == [(1, False)]
    _, new_task = _start_simple(api)
    clerk = api.as_("window_clerk")
    for task_id in (old_task, new_task):  # same definition version, so the same (newest) form
        too_much = clerk.post(f"/api/tasks/{task_id}/complete",
                              json={"variables": {"accepted": True, "amount": 5000}})
        assert _details(too_much) == {"variables.amount": "max: must be at most 1000"}


def test_a_broken_form_stored_before_forms_were_checked_stops_completion_with_a_clear_error(api):
    api.deploy("simple_approval.bpmn")
    _, task_id = _start_simple(api)
    with api.runtime.uow() as uow:  # what an older govflow deployed without checking
        content = (FIXTURES / "invalid" / "broken.form").read_bytes()
        uow.session.add(Deployment(name="old", deployed_by="analyst", resources=[Resource(
            name="accept.form", kind="form", content=content, sha256=hashlib.sha256(content).hexdigest())]))
        uow.commit()
    response = api.as_("window_clerk").post(f"/api/tasks/{task_id}/complete",
                                            json={"variables": {"accepted": True, "amount": 1}})
    error = response.get_json()["error"]
    assert response.status_code == 422 and error["code"] == "process_error"
    assert "deploy a corrected form" in error["message"] and len(error["details"]) == 4
    warnings = api.deploy("simple_approval.bpmn")["warnings"]
    assert [(w["element"], w["message"]) for w in warnings] == [
        ("accept", "the deployed form 'accept.form' is invalid; deploy a corrected one with this diagram")]


def test_a_camunda_8_form_link_resolves_by_the_form_s_id(api, tmp_path):
    """camunda-forms:bpmn:ID (Camunda 8 linking a task to a form): before, taken as a file named so, it matched
    nothing and the task completed unchecked, with a warning."""
    from tests.helpers import FIXTURES

    diagram = (FIXTURES / "form_keys.bpmn").read_text(encoding="utf-8").replace(
        'camunda:formKey="Form_review_opinion"', 'camunda:formKey="camunda-forms:bpmn:Form_review_opinion"')
    (tmp_path / "form_keys.bpmn").write_text(diagram, encoding="utf-8")
    deployed = api.deploy(tmp_path / "form_keys.bpmn", "accept.form", "review_opinion.form")
    assert not [w for w in deployed.get("warnings", []) if "review" in str(w)]
    case = api.start("form_keys", variables={"case_no": "SX-1"})
    [review] = api.as_("window_clerk").post(f"/api/tasks/{case['tasks'][0]['id']}/complete", json={
        "variables": {"accepted": True, "amount": 3}}).get_json()["tasks"]
    office = api.as_("office_clerk")
    assert office.get(f"/api/tasks/{review['id']}/form").get_json()["schema"]["id"] == "Form_review_opinion"
    refused = office.post(f"/api/tasks/{review['id']}/complete", json={"variables": {"case_no": "SX-1"}})
    assert refused.status_code == 422 and "variables.opinion" in _details(refused)


def test_a_form_problem_at_deploy_has_the_line_lint_gives_it(api, tmp_path):
    """Deploy answered "line": null where lint said the line; and lint said too that the broken form was not
    among the linted files."""
    from engine import lint

    form = tmp_path / "limits.form"
    form.write_text(json.dumps({"schemaVersion": 16, "type": "default", "id": "Form_limits", "components": [
        {"type": "number", "key": "fee", "label": "收费金额", "validate": {"min": "abc"}}]}, indent=2),
        encoding="utf-8")
    diagram = tmp_path / "limits.bpmn"
    diagram.write_text((FIXTURES / "simple_approval.bpmn").read_text(encoding="utf-8").replace(
        'camunda:candidateGroups="${reviewGroup}"', 'camunda:candidateGroups="${reviewGroup}" '
        'camunda:formKey="limits.form"', 1), encoding="utf-8")
    error = api.deploy(diagram, form, expect=422)["error"]
    [problem] = [p for p in error["details"] if p["severity"] == "error"]
    linted = [p for p in lint.lint_files([(diagram.name, diagram.read_bytes()), (form.name, form.read_bytes())])
              if p.severity == "error"]
    assert [(p.file, p.line, p.message) for p in linted] == [(problem["file"], problem["line"], problem["message"])]
    assert problem["line"] == 8  # the component's "key"


def test_a_form_field_named_after_a_function_diagrams_call_is_refused_at_deploy(api, tmp_path):
    """It deployed, and then every completion of the form was refused (the variable would hide the function)."""
    form = tmp_path / "days.form"
    form.write_text(json.dumps({"schemaVersion": 16, "type": "default", "id": "Form_days", "components": [
        {"type": "number", "key": "workdays", "label": "工作日数", "id": "Field_workdays"}]}), encoding="utf-8")
    error = api.deploy("simple_approval.bpmn", form, expect=422)["error"]
    [problem] = [p for p in error["details"] if p["severity"] == "error"]
    assert problem["file"] == "days.form" and "'workdays' is a function diagrams call" in problem["message"]
