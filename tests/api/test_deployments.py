"""Deploying over HTTP: validation naming file, line and element; atomic sets; versions; reading back."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from engine.models import Deployment, ProcessDefinition, Resource
from tests.helpers import FIXTURES


def stored_rows(api) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    with api.runtime.uow() as uow:
        return tuple(uow.session.scalar(select(func.count()).select_from(model))  # type: ignore[return-value]
                     for model in (Deployment, Resource, ProcessDefinition))


INVALID = [
    ("malformed.bpmn", 6, None, "malformed XML"),
    ("documentation_only.bpmn", 3, "as_is_documentation", "no executable process"),
    ("dangling_flow.bpmn", 7, "f_lost", "'review_removed' is not an element"),
    ("bad_condition.bpmn", 7, "f_big", "expected a value"),
    ("bad_timer.bpmn", 6, "wait", "five days"),
    ("unknown_call.bpmn", 6, "call_verify", "'no_such_process'"),
    ("groovy_script.bpmn", 6, "compute_fee", "'groovy' is not supported"),
    ("import_os.bpmn", 6, "sneaky", "Imports are not allowed"),
]


@pytest.mark.parametrize(("name", "line", "element", "reason"), INVALID, ids=[i[0] for i in INVALID])
def test_an_invalid_diagram_is_refused_naming_file_line_element_and_reason(api, name, line, element, reason):
    error = api.deploy(f"invalid/{name}", expect=422)["error"]
    assert error["code"] == "deployment_invalid"
    [problem] = [p for p in error["details"] if p["severity"] == "error"]
    assert (problem["file"], problem["line"], problem["element"]) == (name, line, element)
    assert reason in problem["message"]
    assert stored_rows(api) == (0, 0, 0)


def test_literal_task_attributes_that_could_never_work_are_refused_at_deploy(api):
    problems = api.deploy("invalid/bad_task_literals.bpmn", expect=422)["error"]["details"]
    assert [(p["line"], p["element"], p["message"]) for p in problems] == [
        (6, "accept", "camunda:priority 'high' is not a whole number"),
        (8, "review", "camunda:dueDate: not an ISO 8601 date, date-time or duration: 'next week'"),
    ]


def test_a_condition_message_says_what_is_wrong_once(api):
    [problem] = api.deploy("invalid/bad_condition.bpmn", expect=422)["error"]["details"]
    assert problem["message"].count("cannot translate") == 1
    assert "${amount >}" in problem["message"]


@pytest.mark.parametrize("name", ["xxe.bpmn", "billion_laughs.bpmn"])
def test_xml_with_entity_declarations_is_refused_without_expanding_them(api, name):
    error = api.deploy(f"invalid/{name}", expect=422)["error"]
    [problem] = error["details"]
    assert problem["file"] == name and "DOCTYPE" in problem["message"]
    assert "root:" not in str(error) and "lollol" not in str(error)
    assert stored_rows(api) == (0, 0, 0)


def test_a_mixed_upload_with_one_bad_file_deploys_nothing(api):
    error = api.deploy("simple_approval.bpmn", "invalid/import_os.bpmn", expect=422)["error"]
    assert [p["file"] for p in error["details"]] == ["import_os.bpmn"]
    assert stored_rows(api) == (0, 0, 0)
    assert api.get("/api/process-definitions").get_json() == []


@pytest.mark.parametrize("name", ["notes.txt", "acceptance_notice.htm"])
def test_a_file_of_another_type_is_refused_naming_every_kind_that_deploys(api, name):
    response = api.as_("analyst").post("/api/deployments", content_type="multipart/form-data",
                                       data={"files": [(io.BytesIO(b"<title>x</title>"), name)]})
    assert response.status_code == 422
    [problem] = response.get_json()["error"]["details"]
    assert problem["file"] == name and problem["message"].startswith("unsupported file type")
    for kind in (".bpmn", ".dmn", ".form", "guide.json", ".html document template"):
        assert kind in problem["message"], kind
    assert stored_rows(api) == (0, 0, 0)


def test_every_problem_of_every_file_is_reported_at_once(api):
    error = api.deploy("invalid/groovy_script.bpmn", "invalid/dangling_flow.bpmn", expect=422)["error"]
    assert {p["file"] for p in error["details"]} == {"groovy_script.bpmn", "dangling_flow.bpmn"}


def test_only_analysts_and_admins_may_deploy(api):
    for user in ("window_clerk", "supervisor", "integrator"):
        with (FIXTURES / "simple_approval.bpmn").open("rb") as diagram:
            response = api.as_(user).post("/api/deployments", data={"files": [(diagram, "simple_approval.bpmn")]},
                                          content_type="multipart/form-data")
        assert response.status_code == 403, user
        assert response.get_json()["error"]["code"] == "forbidden"
    assert stored_rows(api) == (0, 0, 0)


def test_an_upload_without_files_is_a_bad_request(api):
    response = api.as_("analyst").post("/api/deployments", data={"name": "empty"},
                                       content_type="multipart/form-data")
    assert response.status_code == 400
    assert "files" in response.get_json()["error"]["message"]


def test_a_diagram_posted_as_the_body_itself_is_refused_as_an_unsupported_type(api):
    analyst = api.as_("analyst")
    xml = (FIXTURES / "simple_approval.bpmn").read_bytes()
    for body, content_type in ((xml, "application/xml"), (b'{"files": []}', "application/json")):
        refused = analyst.client.post("/api/deployments", data=body, content_type=content_type,
                                      headers=analyst.headers())
        assert refused.status_code == 415, refused.get_json()
        assert refused.get_json()["error"]["message"].startswith("deployments are uploaded as multipart/form-data")
    assert api.get("/api/process-definitions").get_json() == []


def test_a_deployment_name_is_checked_like_any_other_input(api):
    with (FIXTURES / "simple_approval.bpmn").open("rb") as diagram:
        response = api.as_("analyst").post("/api/deployments", content_type="multipart/form-data",
                                           data={"files": [(diagram, "simple_approval.bpmn")], "name": "x" * 201})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["field"] == "name"
    assert stored_rows(api) == (0, 0, 0)


def test_changed_content_makes_version_two_while_a_running_case_finishes_on_version_one(api):
    api.deploy("simple_approval.bpmn")
    old_case = api.start("simple_approval", variables={"reviewGroup": "office"})
    deployed = api.deploy("simple_approval_v2.bpmn")
    assert [(d["key"], d["version"], d["new"]) for d in deployed["definitions"]] == [("simple_approval", 2, True)]

    new_case = api.start("simple_approval")
    assert (new_case["definition_version"], new_case["tasks"][0]["name"]) == (2, "受理（新）")
    assert old_case["definition_version"] == 1
    window, office = api.as_("window_clerk"), api.as_("office_clerk")
    accepted = window.post(f"/api/tasks/{old_case['tasks'][0]['id']}/complete",
                           json={"variables": {"accepted": True, "amount": 5}}).get_json()
    [review] = accepted["tasks"]
    assert review["bpmn_id"] == "review" and accepted["definition_version"] == 1
    finished = office.post(f"/api/tasks/{review['id']}/complete", json={"variables": {}}).get_json()
    assert (finished["state"], finished["definition_version"]) == ("completed", 1)


def test_another_item_taking_over_a_process_id_is_warned_about(api, tmp_path):
    """Two analysts who both keep a copied id: the second item would silently become the first's next version."""
    api.deploy("simple_approval_v2.bpmn")
    xml = (FIXTURES / "simple_approval_v2.bpmn").read_text(encoding="utf-8")
    renamed = tmp_path / "simple_approval_v3.bpmn"  # the same process, changed, in a file of another name
    renamed.write_text(xml.replace("受理（新）", "受理（第三版）"), encoding="utf-8")
    again = api.deploy(renamed)
    assert [d["version"] for d in again["definitions"]] == [2]
    assert [w for w in again["warnings"] if "was deployed from" in w["message"]] == []
    other = tmp_path / "outdoor_ad.bpmn"  # another item that kept the id
    other.write_text(xml.replace('name="简易审批（第二版）"', 'name="户外广告设置许可"', 1), encoding="utf-8")
    deployed = api.deploy(other)
    assert [d["version"] for d in deployed["definitions"]] == [3]
    [warning] = [w for w in deployed["warnings"] if "was deployed from" in w["message"]]
    assert (warning["file"], warning["element"], warning["severity"]) == ("outdoor_ad.bpmn", "simple_approval", "warning")
    assert warning["message"] == ("process 'simple_approval' was deployed from 'simple_approval_v3.bpmn' (version 2, "
                                  "简易审批（第二版）); this file makes its next version: give the process another id "
                                  "if it is a new item")
    assert warning["rule"] == "take_over"  # the deploy page asks the analyst to confirm it first
    back = api.deploy(renamed)  # the way back to version 2: a name and a file this process had
    assert [d["version"] for d in back["definitions"]] == [4]
    assert [w for w in back["warnings"] if "was deployed from" in w["message"]] == []


def test_a_definition_is_read_by_key_latest_or_by_version(api):
    api.deploy("simple_approval.bpmn")
    api.deploy("simple_approval_v2.bpmn")
    latest = api.get("/api/process-definitions/simple_approval").get_json()
    assert (latest["version"], latest["name"]) == (2, "简易审批（第二版）")
    first = api.get("/api/process-definitions/simple_approval?version=1").get_json()
    assert (first["version"], first["name"], first["resource_name"]) == (1, "简易审批", "simple_approval.bpmn")
    every = api.get("/api/process-definitions?all_versions=true").get_json()
    assert [(d["key"], d["version"]) for d in every] == [("simple_approval", 2), ("simple_approval", 1)]
    missing = api.get("/api/process-definitions/simple_approval?version=3")
    assert missing.status_code == 404 and "version 3" in missing.get_json()["error"]["message"]
    assert api.get("/api/process-definitions/nope").status_code == 404


def test_the_xml_endpoint_returns_the_deployed_bytes_of_each_version(api):
    api.deploy("simple_approval.bpmn")
    api.deploy("simple_approval_v2.bpmn")
    latest = api.get("/api/process-definitions/simple_approval/xml")
    assert latest.status_code == 200 and latest.mimetype == "application/xml"
    assert latest.data == (FIXTURES / "simple_approval_v2.bpmn").read_bytes()
    first = api.get("/api/process-definitions/simple_approval/xml?version=1")
    assert first.data == (FIXTURES / "simple_approval.bpmn").read_bytes()


def test_two_files_of_one_name_in_one_upload_are_refused_and_neither_is_stored(api):
    analyst = api.as_("analyst")
    files = [(io.BytesIO((FIXTURES / "simple_approval.bpmn").read_bytes()), "p.bpmn"),
             (io.BytesIO((FIXTURES / "routed_task.bpmn").read_bytes()), "p.bpmn"),
             (io.BytesIO((FIXTURES / "accept.form").read_bytes()), "forms/x.form"),
             (io.BytesIO((FIXTURES / "review_opinion.form").read_bytes()), "x.form")]
    response = analyst.client.post("/api/deployments", data={"files": files}, headers=analyst.headers(),
                                   content_type="multipart/form-data")
    assert response.status_code == 422
    clashes = [d for d in response.get_json()["error"]["details"] if "needs a name of its own" in d["message"]]
    assert [d["file"] for d in clashes] == ["p.bpmn", "x.form"]  # a formKey names a form by its file name
    with api.runtime.uow() as uow:
        assert uow.session.scalar(select(func.count(Resource.id))) == 0


UNNAMED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs_unnamed"
    targetNamespace="http://govflow.example/bpmn">
  <bpmn:process id="unnamed_tasks" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check" />
    <bpmn:userTask id="check" name="审核" />
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_task_nobody_is_named_for_is_warned_about_as_every_clerk_s(api, tmp_path):
    path = tmp_path / "unnamed_tasks.bpmn"
    path.write_text(UNNAMED, encoding="utf-8")
    deployed = api.deploy(path)
    [warning] = [w for w in deployed["warnings"] if w["element"] == "check"]
    assert "it is offered to every clerk, whatever their department" in warning["message"]
    assert warning["line"] == 7
    from engine import lint

    [said] = [p for p in lint.lint_files([(path.name, path.read_bytes())]) if p.element == "check"
              and "offered to every clerk" in p.message]
    assert said.message == warning["message"]
