"""``camunda:calledElementBinding`` of a call activity: a call runs the latest version of the called process
deployed when it happens (Camunda's default, ``latest``); a call bound to another version is refused at deploy
rather than quietly calling the latest."""
from __future__ import annotations

import io
from typing import Any

import pytest

from tests.helpers import FIXTURES, ApiClient, complete_task

PARENT = (FIXTURES / "call_parent.bpmn").read_text(encoding="utf-8")
CALL = 'calledElement="permit_child"'


def upload(api: ApiClient, *files: tuple[str, str]) -> Any:
    analyst = api.as_("analyst")
    data = [(io.BytesIO(content.encode()), name) for name, content in files]
    return analyst.client.post("/api/deployments", data={"files": data}, headers=analyst.headers(),
                               content_type="multipart/form-data")


def bound(attributes: str) -> str:
    return PARENT.replace(CALL, f"{CALL} {attributes}")


@pytest.mark.parametrize(("attributes", "wanted"), [
    ('camunda:calledElementBinding="deployment"', "the version deployed together with this diagram"),
    ('camunda:calledElementBinding="version" camunda:calledElementVersion="1"', "version '1'"),
    ('camunda:calledElementBinding="versionTag" camunda:calledElementVersionTag="2024-01"',
     "the version tagged '2024-01'"),
])
def test_a_call_bound_to_another_version_than_the_latest_is_refused_naming_the_call(api, attributes, wanted):
    """Silently, version 1 asked for by the diagram was never what ran: the latest was."""
    api.deploy("call_child_v1.bpmn")
    response = upload(api, ("call_parent.bpmn", bound(attributes)))
    assert response.status_code == 422
    [problem] = response.get_json()["error"]["details"]
    assert (problem["file"], problem["line"], problem["element"]) == ("call_parent.bpmn", 6, "verify")
    binding = attributes.split('"')[1]
    assert problem["message"] == (
        f"camunda:calledElementBinding {binding!r} cannot be honoured: a call runs the latest version of "
        f"'permit_child' deployed when the call happens (and the case keeps it), never {wanted}; remove the "
        "binding to call the latest version")


def test_a_binding_camunda_does_not_know_is_refused(api):
    api.deploy("call_child_v1.bpmn")
    response = upload(api, ("call_parent.bpmn", bound('camunda:calledElementBinding="newest"')))
    assert response.status_code == 422
    [problem] = response.get_json()["error"]["details"]
    assert problem["element"] == "verify"
    assert problem["message"] == ("camunda:calledElementBinding 'newest' is none of latest, deployment, version, "
                                  "versionTag")


def test_the_latest_binding_calls_the_latest_version_deployed_when_the_call_happens(api):
    api.deploy("call_child_v1.bpmn")
    deployed = upload(api, ("call_parent.bpmn", bound('camunda:calledElementBinding="latest"')))
    assert deployed.status_code == 201, deployed.get_json()
    assert deployed.get_json()["warnings"] == []
    api.deploy("call_child_v2.bpmn")
    [check] = api.start("permit_parent")["tasks"]
    assert check["name"] == "核查 v2"
    [archive] = complete_task(api, check, user="window_clerk")["tasks"]
    assert archive["bpmn_id"] == "archive"


def test_a_version_given_without_its_binding_is_a_warning_that_it_is_ignored(api):
    """As in Camunda, which reads calledElementVersion only for the version binding."""
    api.deploy("call_child_v1.bpmn")
    deployed = upload(api, ("call_parent.bpmn", bound('camunda:calledElementVersion="1"')))
    assert deployed.status_code == 201, deployed.get_json()
    [warning] = deployed.get_json()["warnings"]
    assert (warning["element"], warning["line"]) == ("verify", 6)
    assert warning["message"] == "camunda:calledElementVersion '1' is ignored: camunda:calledElementBinding is 'latest'"
