"""An upload through the API that says what it was edited from (``based_on``) gets the modeler's protection:
a version deployed since, or a process id another item has, is a 409 naming each; naming the newer version
saves over it on purpose; a process not deployed yet saves; a malformed ``based_on`` is a 422."""
from __future__ import annotations

import io
import json
from typing import Any

import pytest

from tests.helpers import FIXTURES, ApiClient

PERMIT = (FIXTURES / "pages" / "permit_v1.bpmn").read_text()
POOLS = (FIXTURES / "pages" / "permit_pools.bpmn").read_text()


def upload(api: ApiClient, xml: str, *, file_name: str = "permit.bpmn", based_on: Any = None,
           as_user: str = "analyst") -> Any:
    data: dict[str, Any] = {"files": [(io.BytesIO(xml.encode()), file_name)]}
    if based_on is not None:
        data["based_on"] = based_on if isinstance(based_on, str) else json.dumps(based_on)
    return api.as_(as_user).client.post("/api/deployments", data=data, headers=api.as_(as_user).headers(),
                                        content_type="multipart/form-data")


def versions(response: Any) -> dict[str, int]:
    assert response.status_code == 201, response.get_json()
    return {d["key"]: d["version"] for d in response.get_json()["definitions"]}


def latest(api: ApiClient, key: str) -> int:
    return int(api.as_("analyst").get(f"/api/process-definitions/{key}").get_json()["version"])


def edited(xml: str, n: int) -> str:
    return xml.replace('name="受理"', f'name="受理{n}"')


def test_an_edit_based_on_the_latest_version_is_the_next_one(api: ApiClient) -> None:
    assert versions(upload(api, PERMIT)) == {"pages_permit": 1}
    assert versions(upload(api, edited(PERMIT, 1), based_on={"pages_permit": 1})) == {"pages_permit": 2}


def test_an_edit_based_on_a_stale_version_is_refused_naming_key_and_version_until_saved_over_it(
        api: ApiClient) -> None:
    upload(api, PERMIT)
    upload(api, edited(PERMIT, 1), as_user="admin")  # another deployment meanwhile: version 2

    refused = upload(api, edited(PERMIT, 2), based_on={"pages_permit": 1})
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["code"] == "conflict" and (error["key"], error["version"]) == ("pages_permit", 2)
    assert "'pages_permit' has version 2" in error["message"] and "newer than version 1" in error["message"]
    [detail] = error["details"]
    assert (detail["key"], detail["version"], detail["based_on"], detail["deployed_by"]) == ("pages_permit", 2, 1,
                                                                                             "admin")
    assert latest(api, "pages_permit") == 2  # nothing stored

    # Saved anyway: the version saved over is the one named.
    assert versions(upload(api, edited(PERMIT, 2), based_on={"pages_permit": 2})) == {"pages_permit": 3}


def test_a_process_id_deployed_but_not_named_is_another_item_and_refused(api: ApiClient) -> None:
    upload(api, PERMIT)
    refused = upload(api, edited(PERMIT, 1), based_on={})
    assert refused.status_code == 409
    assert "'pages_permit' is already deployed (version 1" in refused.get_json()["error"]["message"]
    assert refused.get_json()["error"]["details"][0]["based_on"] is None
    assert versions(upload(api, edited(PERMIT, 1))) == {"pages_permit": 2}  # without based_on: no guard


def test_a_file_of_two_processes_is_checked_process_by_process(api: ApiClient) -> None:
    assert versions(upload(api, POOLS, file_name="pools.bpmn")) == {"pages_window": 1, "pages_review": 1}
    both = {"pages_window": 1, "pages_review": 1}
    assert versions(upload(api, edited(POOLS, 1), file_name="pools.bpmn", based_on=both)) == \
        {"pages_window": 2, "pages_review": 2}

    # Only the second process moved on meanwhile: the refusal names it alone.
    review_only = POOLS.replace('<bpmn:participant id="window_pool" name="综合窗口" processRef="pages_window" />', "")
    review_only = review_only.replace('id="pages_window" name="占道申请收件" isExecutable="true"',
                                      'id="pages_window" name="占道申请收件" isExecutable="false"')
    assert versions(upload(api, review_only, file_name="review.bpmn", as_user="admin")) == {"pages_review": 3}
    stale = {"pages_window": 2, "pages_review": 2}
    refused = upload(api, edited(POOLS, 2), file_name="pools.bpmn", based_on=stale)
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert [(d["key"], d["version"], d["based_on"]) for d in error["details"]] == [("pages_review", 3, 2)]
    assert "'pages_review' has version 3" in error["message"] and "pages_window" not in error["message"]

    # One process left out of based_on is another item's as far as this upload knows: refused too.
    partial = upload(api, edited(POOLS, 2), file_name="pools.bpmn", based_on={"pages_review": 3})
    assert partial.status_code == 409
    assert [(d["key"], d["based_on"]) for d in partial.get_json()["error"]["details"]] == [("pages_window", None)]

    saved_over = {"pages_window": 2, "pages_review": 3}
    assert versions(upload(api, edited(POOLS, 2), file_name="pools.bpmn", based_on=saved_over)) == \
        {"pages_window": 3, "pages_review": 4}


def test_every_process_in_the_way_is_named_in_the_message(api: ApiClient) -> None:
    upload(api, POOLS, file_name="pools.bpmn")
    upload(api, edited(POOLS, 1), file_name="pools.bpmn", as_user="admin")
    refused = upload(api, edited(POOLS, 2), file_name="pools.bpmn", based_on={"pages_window": 1})
    message = refused.get_json()["error"]["message"]
    assert "'pages_window' has version 2" in message and "'pages_review' is already deployed" in message


def test_a_process_added_while_editing_saves_as_version_1(api: ApiClient) -> None:
    upload(api, PERMIT)
    added = PERMIT.replace("</bpmn:definitions>", '<bpmn:process id="pages_permit_notice" isExecutable="true">'
                           '<bpmn:startEvent id="n_start" /></bpmn:process></bpmn:definitions>')
    assert versions(upload(api, added, based_on={"pages_permit": 1})) == {"pages_permit": 2, "pages_permit_notice": 1}


@pytest.mark.parametrize(("based_on", "field", "says"), [
    ("pages_permit=1", "based_on", "not JSON"),
    ("", "based_on", "not JSON"),
    ("[1]", "based_on", "Not a valid mapping type."),
    ("null", "based_on", "Not a valid mapping type."),
    ({"pages_permit": "1"}, "based_on.pages_permit.value", "Not a valid integer."),
    ({"pages_permit": True}, "based_on.pages_permit.value", "Not a valid integer."),
    ({"pages_permit": 1.5}, "based_on.pages_permit.value", "Not a valid integer."),
    ({"pages_permit": 0}, "based_on.pages_permit.value", "greater than or equal to 1"),
    ({"": 1}, "based_on..key", "Length must be between 1 and 255."),
    ("[" * 100_000, "based_on", "not JSON"),
    ('{"pages_permit": 1, "pages_permit": 2}', "based_on", "names 'pages_permit' twice"),
], ids=["text", "empty", "array", "null", "string-version", "bool", "fraction", "zero", "empty-key", "deep", "twice"])
def test_a_malformed_based_on_is_a_422_naming_the_field(api: ApiClient, based_on: Any, field: str,
                                                        says: str) -> None:
    upload(api, PERMIT)
    response = upload(api, edited(PERMIT, 1), based_on=based_on)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert any(d["field"] == field and says in d["message"] for d in error["details"]), error["details"]
    assert latest(api, "pages_permit") == 1


def test_based_on_is_documented_as_a_json_part_with_its_409(api: ApiClient) -> None:
    operation = api.client.get("/api/openapi.json").get_json()["paths"]["/api/deployments"]["post"]
    multipart = operation["requestBody"]["content"]["multipart/form-data"]
    based_on = multipart["schema"]["properties"]["based_on"]
    assert based_on["type"] == "object" and based_on["additionalProperties"]["type"] == "integer"
    assert "409" in based_on["description"]
    assert multipart["encoding"]["based_on"]["contentType"] == "application/json"
    assert "based_on" in operation["responses"]["409"]["description"]


def test_an_unknown_field_is_refused_not_dropped(api: ApiClient) -> None:
    """Before, a misspelt `basedOn` was dropped and the upload deployed unguarded; a file sent as `file` was
    not seen at all."""
    analyst = api.as_("analyst")
    content = (FIXTURES / "simple_approval.bpmn").read_bytes()
    for data in ({"files": [(io.BytesIO(content), "a.bpmn")], "basedOn": '{"simple_approval": 1}'},
                 {"file": (io.BytesIO(content), "a.bpmn")}):
        response = analyst.client.post("/api/deployments", data=data, headers=analyst.headers(),
                                       content_type="multipart/form-data")
        assert response.status_code == 422, response.get_json()
        [detail] = response.get_json()["error"]["details"]
        assert detail["field"] in ("basedOn", "file")
    assert api.get("/api/process-definitions").get_json() == []
