"""收件 of an item with a start form that lacks some of the applicant's details: the intake page asks those
field by field beside the form (checked as without a start form, said beside their field after a refusal,
kept as typed), and the case starts with them next to the form's data; an item whose form asks them all
looks as it did."""
from __future__ import annotations

import html
import io
import json
import re
from typing import Any

import pytest

from engine import instances
from engine.errors import ValidationFailed
from engine.users import Actor
from tests.api.test_pages_intake import APPLICATION, BUNDLE, Browser, cases, generated, text
from tests.helpers import ApiClient
from tests.service_items import deploy_item, guide

CODE = "SHOP-0001"
DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_shop" targetNamespace="http://govflow.example/bpmn">
  <bpmn:process id="shop_sign" name="店招备案" isExecutable="true">
    <bpmn:startEvent id="start" camunda:formKey="camunda-forms:deployment:shop-sign.form" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" name="审查" camunda:candidateGroups="window" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def field(key: str, **validate: Any) -> dict[str, Any]:
    return {"type": "textfield", "id": f"Field_{key.replace('.', '_')}", "key": key, "label": key,
            **({"validate": validate} if validate else {})}


def group(group_id: str, path: str, *components: dict[str, Any]) -> dict[str, Any]:
    return {"type": "group", "id": group_id, "label": group_id, "path": path, "components": list(components)}


# The identity number sits in a group without a path (the variable applicant_id_number); the agent's name in
# one with a path (the variable agent, not applicant_name): only the first is the applicant's detail.
LACKING = [field("shop_name", required=True, maxLength=30),
           group("Group_ids", "", field("applicant_id_number")),
           group("Group_agent", "agent", field("applicant_name"))]
ASKING_ALL = [group("Group_applicant", "", field("applicant_name", required=True), field("applicant_phone"),
                    field("applicant_id_number")),
              field("project_name"), field("shop_name")]


def shop_files(components: list[dict[str, Any]], *, project: bool = False) -> list[tuple[str, bytes]]:
    """The window item's guide over a diagram whose start event has the form ``components``, as deployed;
    ``project``: the guide's (a construction project's item)."""
    schema = {"schemaVersion": 16, "type": "default", "id": "shop-sign", "components": components}
    content = {**guide("window-acceptance"), "code": CODE, "name": "店招备案", "process": "shop_sign",
               "project": project}
    return [("shop_sign.bpmn", DIAGRAM.encode()), ("shop-sign.form", json.dumps(schema).encode()),
            (f"{CODE}/guide.json", json.dumps(content, ensure_ascii=False).encode())]


def deploy_shop(api: ApiClient, components: list[dict[str, Any]], *, project: bool = False) -> Browser:
    files = [(io.BytesIO(content), name) for name, content in shop_files(components, project=project)]
    analyst = api.as_("analyst")
    deployed = analyst.client.post("/api/deployments", data={"files": files}, headers=analyst.headers(),
                                   content_type="multipart/form-data")
    assert deployed.status_code == 201, deployed.get_json()
    return Browser(api, "window_clerk")


def asked(page: str) -> list[str]:
    """The names of the applicant's details the page asks field by field."""
    return re.findall(r'<input id="intake-(applicant_\w+|project_name)" name="\1"', page)


def script_json(page: str, element_id: str) -> Any:
    return json.loads(html.unescape(re.search(rf'id="{element_id}">(.*?)</script>', page, re.DOTALL).group(1)))


def variables(api: ApiClient, case_id: int) -> dict[str, Any]:
    return api.as_("supervisor").get(f"/api/process-instances/{case_id}").get_json()["variables"]


# ---- a real sample item: the restaurant bundle's merged form asks every detail it needs -----------------

def test_the_bundle_asks_nothing_beside_its_merged_form_and_starts_with_it(api: ApiClient) -> None:
    """Opening a restaurant is no construction project: no 项目名称 beside the merged form."""
    deploy_item(api, BUNDLE)
    clerk = Browser(api, "window_clerk")
    form = clerk.get(f"/work/intake/{BUNDLE}").text
    assert asked(form) == [] and 'id="intake-beside-form"' not in form
    assert 'id="form-container"' in form  # the merged form asks them all

    started = clerk.post(f"/work/intake/{BUNDLE}", {"generated": generated(form), "data": json.dumps(APPLICATION)})
    assert started.status_code == 200, started.text
    [case] = cases(api)
    stored = variables(api, case.id)
    assert "project_name" not in stored
    assert stored["applicant_name"] == "李四" and stored["applicant_phone"] == "13800138000"


def test_a_construction_project_s_start_form_lacking_the_project_name_has_it_asked_beside(api: ApiClient) -> None:
    clerk = deploy_shop(api, LACKING, project=True)
    assert asked(clerk.get(f"/work/intake/{CODE}").text) == ["applicant_name", "applicant_phone", "project_name"]


# ---- a deployed diagram whose start form lacks the applicant's name and phone ----------------------------

def test_the_details_the_start_form_lacks_are_asked_field_by_field_searched_through_its_groups(
        api: ApiClient) -> None:
    page = deploy_shop(api, LACKING).get(f"/work/intake/{CODE}").text
    assert asked(page) == ["applicant_name", "applicant_phone"]
    assert script_json(page, "form-schema")["components"] == LACKING  # the start form, drawn by form-js
    english = Browser(api, "window_clerk").client.get(f"/work/intake/{CODE}", headers={"Accept-Language": "en"})
    assert "Fill in here the applicant&#39;s details the application form does not ask." in english.text


def test_an_empty_applicant_name_is_refused_beside_its_field_with_the_form_data_kept(api: ApiClient) -> None:
    clerk = deploy_shop(api, LACKING)
    form = clerk.get(f"/work/intake/{CODE}").text
    data = {"shop_name": "李记面馆", "applicant_id_number": "14030219900101123X", "agent": {"applicant_name": "王五"}}
    refused = clerk.post(f"/work/intake/{CODE}", {"generated": generated(form), "data": json.dumps(data),
                                                  "applicant_name": "  ", "applicant_phone": "12345"})
    assert refused.status_code == 422 and cases(api) == []
    page = refused.text
    assert re.search(r'id="intake-applicant_name-error">请填写申请人。<', page)
    assert re.search(r'id="intake-applicant_phone-error">请填写手机号（11 位）或带区号的固定电话。<', page)
    assert 'value="12345"' in page and generated(page) == generated(form)
    assert script_json(page, "form-data") == data  # form-js draws the form again as filled in
    summary = text(re.search(r'id="form-errors-summary">.*?</div>', page, re.DOTALL).group(0))
    assert "请填写申请人。" in summary


def test_the_form_s_own_refusal_keeps_the_details_typed_beside_it(api: ApiClient) -> None:
    clerk = deploy_shop(api, LACKING)
    form = clerk.get(f"/work/intake/{CODE}").text
    refused = clerk.post(f"/work/intake/{CODE}", {"generated": generated(form), "data": json.dumps({}),
                                                  "applicant_name": "张三", "applicant_phone": "13900000000"})
    assert refused.status_code == 422 and cases(api) == []
    assert [e["field"] for e in script_json(refused.text, "form-errors")] == ["shop_name"]
    assert 'value="张三"' in refused.text and 'value="13900000000"' in refused.text


def test_the_case_starts_with_the_details_beside_the_form_s_data_and_a_resend_names_what_differs(
        api: ApiClient) -> None:
    clerk = deploy_shop(api, LACKING)
    form = clerk.get(f"/work/intake/{CODE}").text
    data = {"shop_name": "李记面馆", "agent": {"applicant_name": "王五"}}
    sent = {"generated": generated(form), "data": json.dumps(data), "applicant_name": "张三",
            "applicant_phone": "138 0013 8000", "project_name": ""}
    started = clerk.post(f"/work/intake/{CODE}", sent)
    assert started.status_code == 200, started.text
    [case] = cases(api)
    assert variables(api, case.id) == {**data, "applicant_name": "张三", "applicant_phone": "13800138000"}
    assert "张三" in text(re.search(r'<dl.*?</dl>', started.text, re.DOTALL).group(0))  # the receipt's applicant

    again = clerk.post(f"/work/intake/{CODE}", {**sent, "applicant_phone": "13900000000"})
    assert again.status_code == 200 and len(cases(api)) == 1
    differing = re.search(r'<div class="problems intake-differing".*?</div>', again.text, re.DOTALL).group(0)
    assert "联系电话" in text(differing) and "申请人" not in text(differing)


def test_an_item_whose_start_form_asks_every_detail_shows_its_form_alone(api: ApiClient) -> None:
    page = deploy_shop(api, ASKING_ALL).get(f"/work/intake/{CODE}").text
    assert asked(page) == [] and 'id="intake-beside-form"' not in page and "申请人信息" not in page
    assert 'id="form-container"' in page


# ---- the engine: what is asked beside the start form ----------------------------------------------------

def test_the_start_form_s_value_wins_over_one_given_beside_it_and_names_beside_it_are_checked(
        api: ApiClient) -> None:
    deploy_shop(api, LACKING)
    integrator = Actor("integrator", roles=frozenset({"integrator"}))
    view, created = instances.start(api.runtime.uow(), "shop_sign", actor=integrator,
                                    variables={"shop_name": "李记面馆", "applicant_id_number": "14030219900101123X"},
                                    beside_form={"applicant_id_number": "1", "applicant_name": "张三"})
    assert created and view.variables == {"shop_name": "李记面馆", "applicant_id_number": "14030219900101123X",
                                          "applicant_name": "张三"}
    with pytest.raises(ValidationFailed) as refused:
        instances.start(api.runtime.uow(), "shop_sign", actor=integrator, variables={"shop_name": "李记面馆"},
                        beside_form={"_hidden": "x"})
    assert [d["field"] for d in refused.value.details] == ["variables._hidden"]
