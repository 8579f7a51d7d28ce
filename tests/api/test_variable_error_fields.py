"""A refused variable is named in the 422's details by its path in the request body, whichever check refused
it: ``variables.NAME`` (``variables.NAME.KEY``, ``variables.NAME.0`` inside it) for a bad name, a NUL
character, nesting too deep or a rule of the step's form, on start, complete, save and messages alike. The
pages place the same refusals beside the form's fields, which they name by their data paths."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

from engine.variables import MAX_DEPTH
from tests.api.test_pages import form_errors, summary
from tests.api.test_pages_intake import APPLICATION, BUNDLE, Browser, cases, generated
from tests.api.test_start_forms import deploy as deploy_start_form
from tests.helpers import ApiClient
from tests.service_items import deploy_item

TOO_DEEP: Any = "x"
for _ in range(MAX_DEPTH + 1):
    TOO_DEEP = {"next": TOO_DEEP}
DEEPEST = "variables.form." + ".".join(["next"] * (MAX_DEPTH + 1))  # where the nesting goes past the limit
# Each bad variable (beside one that passes) and the field the answer names.
BAD = {
    "a name that is no identifier": ({"bad name": 1}, ["variables.bad name"]),
    "a name diagrams call as a function": ({"workdays": 3}, ["variables.workdays"]),
    "a NUL character": ({"note": "a\x00b", "address": {"city": "c\x00"}}, ["variables.address.city", "variables.note"]),
    "nesting too deep": ({"form": TOO_DEEP}, [DEEPEST]),
    "an integer past 64 bits in a list": ({"amounts": [1, 2**64]}, ["variables.amounts.1"]),
}


def refused_fields(response: Any) -> list[str]:
    body = response.get_json()
    assert response.status_code == 422 and body["error"]["code"] == "validation_failed", body
    return sorted(d["field"] for d in body["error"]["details"])


@pytest.fixture
def accept_task(api: ApiClient) -> str:
    """A ready task with a form (accept.form: amount required, at least 0; a phone; a remark)."""
    api.deploy("simple_approval.bpmn", "accept.form")
    case = api.start("simple_approval", variables={"reviewGroup": "office"})
    return str(case["tasks"][0]["id"])


@pytest.mark.parametrize("bad", BAD, ids=list(BAD))
def test_a_bad_variable_is_named_by_its_path_in_the_body_on_every_endpoint(api: ApiClient, accept_task: str,
                                                                        bad: str) -> None:
    variables, fields = BAD[bad]
    api.deploy("payment_correlation.bpmn")
    clerk = api.as_("window_clerk")
    answers = {
        "start": api.as_("integrator").post("/api/process-definitions/payment_wait/start",
                                            json={"variables": {"order_no": "ORD-1", **variables}}),
        "complete": clerk.post(f"/api/tasks/{accept_task}/complete",
                               json={"variables": {"amount": 1, **variables}}),
        "save": clerk.post(f"/api/tasks/{accept_task}/save", json={"variables": {"amount": 1, **variables}}),
        "messages": api.as_("integrator").post("/api/messages", json={
            "name": "payment_received", "correlations": {"order_no": "ORD-1"}, "variables": variables}),
    }
    assert {endpoint: refused_fields(answer) for endpoint, answer in answers.items()} == dict.fromkeys(answers, fields)


def test_correlation_values_stay_under_their_own_field_with_list_items_by_index(api: ApiClient) -> None:
    api.deploy("payment_correlation.bpmn")
    refused = api.as_("integrator").post("/api/messages", json={
        "name": "payment_received", "correlations": {"order_no": "ORD-1", "deep": {"a": [1, {"typename": 1}]}}})
    assert refused_fields(refused) == ["correlations.deep.a.1.typename"]


def test_a_completion_the_task_s_form_refuses_names_its_fields_under_variables(api: ApiClient,
                                                                              accept_task: str) -> None:
    refused = api.as_("window_clerk").post(f"/api/tasks/{accept_task}/complete", json={"variables": {
        "accepted": True, "amount": -1, "applicant_phone": "12345", "fee": 100}})
    assert refused_fields(refused) == ["variables.amount", "variables.applicant_phone", "variables.fee"]
    by_field = {d["field"]: d for d in refused.get_json()["error"]["details"]}
    assert (by_field["variables.amount"]["rule"], by_field["variables.amount"]["label"]) == ("min", "申请金额（元）")
    assert by_field["variables.fee"]["rule"] == "unknown"


def test_a_save_naming_a_field_the_form_lacks_names_it_under_variables(api: ApiClient, accept_task: str) -> None:
    refused = api.as_("window_clerk").post(f"/api/tasks/{accept_task}/save", json={"variables": {"fee": 100}})
    assert refused_fields(refused) == ["variables.fee"]


def test_a_start_its_start_form_refuses_names_the_field_under_variables_and_the_case_number_as_itself(
        api: ApiClient, tmp_path: Path) -> None:
    deploy_start_form(api, tmp_path, 'camunda:formKey="application.form"')
    starter = api.as_("integrator")
    refused = starter.post("/api/process-definitions/apply/start", json={"variables": {"applicant_phone": "12345"}})
    assert refused_fields(refused) == ["variables.applicant_name", "variables.applicant_phone"]
    number = starter.post("/api/process-definitions/apply/start",
                          json={"business_key": "SX\u200b-1", "variables": {"applicant_name": "李四"}})
    assert refused_fields(number) == ["business_key"]


def test_the_openapi_document_says_how_details_name_a_field(api: ApiClient) -> None:
    spec = api.get("/api/openapi.json").get_json()
    details = spec["components"]["schemas"]["ApiErrorBody"]["properties"]["details"]["description"]
    assert "`variables.applicant_name`" in details and "`variables.items.0`" in details


# ---- the pages: the same refusals beside the form's fields ------------------------------------------

def test_the_task_page_places_a_refused_variable_beside_its_field(api: ApiClient, accept_task: str) -> None:
    assert api.as_("window_clerk").post(f"/api/tasks/{accept_task}/claim").status_code == 200
    clerk = Browser(api, "window_clerk")
    # A number past 64 bits typed into the amount: refused by the check of every variable, not by the form.
    refused = clerk.post(f"/tasks/{accept_task}", {"data": json.dumps({"accepted": True, "amount": 10**20})})
    assert refused.status_code == 422
    assert [e["field"] for e in form_errors(refused)] == ["amount"]  # form.js finds the field by its data path
    assert "<strong>申请金额（元）</strong>" in summary(refused)  # the summary names it by its label


def test_the_intake_page_places_a_refused_variable_beside_its_field(api: ApiClient) -> None:
    deploy_item(api, BUNDLE)
    window = Browser(api, "window_clerk")
    form = window.get(f"/work/intake/{BUNDLE}").text
    typed = {**APPLICATION, "registered_capital": 10**20}
    refused = window.post(f"/work/intake/{BUNDLE}", {"generated": generated(form), "data": json.dumps(typed)})
    assert refused.status_code == 422 and cases(api) == []
    placed = json.loads(html.unescape(re.search(r'id="form-errors">(.*?)</script>', refused.text, re.DOTALL).group(1)))
    assert [e["field"] for e in placed] == ["registered_capital"]
    assert "<strong>出资额（万元）</strong>" in summary(refused)
