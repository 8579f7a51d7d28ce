"""Over HTTP: an acceptance refused for missing materials answers in the one error shape, and the window
records a material's paper original checked (or a conditional one not applicable) with
POST /api/process-instances/ID/materials/marks, which the checklist then shows."""
from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import ApiClient, complete_open_task
from tests.service_items import deploy_item, guide, supply_materials

CODE, KEY = "window-acceptance", "window_acceptance"
APPLICATION, IDENTITY, PROXY = (m["name"] for m in guide(CODE)["materials"])  # key, key, conditional non-key


@pytest.fixture
def case_id(api: ApiClient) -> int:
    deploy_item(api, CODE)
    return int(api.start(KEY, business_key="SX-2026-000900", variables={"applicant_name": "张三"})["id"])


def mark(api: ApiClient, case_id: int, name: str, kind: str = "paper_checked", *, user: str = "window_clerk",
         expect: int = 201, **more: Any) -> Any:
    response = api.as_(user).post(f"/api/process-instances/{case_id}/materials/marks",
                                  json={"name": name, "kind": kind, **more})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def checklist(api: ApiClient, case_id: int) -> dict[str, dict[str, Any]]:
    response = api.as_("window_clerk").get(f"/api/process-instances/{case_id}/materials/checklist")
    assert response.status_code == 200, response.get_json()
    return {item["name"]: item for item in response.get_json()["items"]}


def test_accepting_without_the_materials_is_422_naming_each_and_nothing_moves(api: ApiClient, case_id: int) -> None:
    supply_materials(api, case_id, CODE, leave_out=(IDENTITY, PROXY))
    refused = complete_open_task(api, case_id, "accept", user="window_clerk", expect=422, decision="accept",
                                 materials_complete=True)
    error = refused["error"]
    assert error["code"] == "materials_missing" and error["outcome"] == "accept"
    assert error["details"] == [
        {"field": "materials", "material": IDENTITY, "key": True, "message": f"key material {IDENTITY} is missing"},
        {"field": "materials", "material": PROXY, "key": False, "message": f"material {PROXY} is missing"}]
    assert IDENTITY in error["message"] and "paper original" in error["message"]
    assert [t["bpmn_id"] for t in api.as_("supervisor").get(f"/api/process-instances/{case_id}").get_json()["tasks"]] \
        == ["accept"]
    # The window checked the identity's paper original; the power of attorney does not apply (no agent).
    mark(api, case_id, IDENTITY)
    mark(api, case_id, PROXY, "not_applicable", note="申请人本人办理")
    accepted = complete_open_task(api, case_id, "accept", user="window_clerk", decision="accept",
                                  materials_complete=True)
    assert [t["bpmn_id"] for t in accepted["tasks"]] == ["review"]


def test_rejecting_and_requesting_a_supplement_are_never_held_back(api: ApiClient, case_id: int) -> None:
    done = complete_open_task(api, case_id, "accept", user="window_clerk", decision="supplement",
                              missing_materials="行政许可申请书\n申请人身份证明")
    assert done["tasks"] == [] and done["state"] == "running"


def test_a_mark_answers_with_who_and_when_and_the_checklist_shows_how_each_material_came(api: ApiClient,
                                                                                       case_id: int) -> None:
    supply_materials(api, case_id, CODE, leave_out=(IDENTITY, PROXY))
    body = mark(api, case_id, IDENTITY, note="核验身份证原件")
    assert {k: body[k] for k in ("process_instance_id", "name", "kind", "note", "recorded_by")} == {
        "process_instance_id": case_id, "name": IDENTITY, "kind": "paper_checked", "note": "核验身份证原件",
        "recorded_by": "window_clerk"}
    assert body["recorded_at"] and isinstance(body["id"], int)
    items = checklist(api, case_id)
    assert {name: item["status"] for name, item in items.items()} == {
        APPLICATION: "electronic", IDENTITY: "paper_checked", PROXY: "missing"}
    assert items[IDENTITY]["mark"]["recorded_by"] == "window_clerk" and items[APPLICATION]["mark"] is None
    assert (items[PROXY]["conditional"], items[IDENTITY]["conditional"]) == (True, False)
    # Taken back: missing again.
    deleted = api.as_("window_clerk").client.delete(f"/api/process-instances/{case_id}/materials/marks/{body['id']}",
                                                    headers=api.as_("window_clerk").headers())
    assert deleted.status_code == 204
    assert checklist(api, case_id)[IDENTITY]["status"] == "missing"


def test_bad_marks_are_4xx_in_the_one_error_shape(api: ApiClient, case_id: int) -> None:
    shape = mark(api, case_id, IDENTITY, "scanned", expect=422)["error"]
    assert shape["code"] == "validation_failed" and shape["details"][0]["field"] == "kind"
    unlisted = mark(api, case_id, "其他证明", expect=422)["error"]
    assert unlisted["details"] == [{"field": "name", "rule": "unlisted", "material": "其他证明",
                                    "message": "'其他证明' is not a material the item's guide lists"}]
    not_conditional = mark(api, case_id, IDENTITY, "not_applicable", expect=422)["error"]
    assert not_conditional["details"][0]["field"] == "kind"  # the body is one mark: its own fields
    assert mark(api, case_id, IDENTITY, user="integrator", expect=403)["error"]["code"] == "forbidden"
    assert mark(api, 999999, IDENTITY, user="admin", expect=404)["error"]["code"] == "not_found"
    gone = api.as_("window_clerk").client.delete(f"/api/process-instances/{case_id}/materials/marks/999999",
                                                 headers=api.as_("window_clerk").headers())
    assert gone.status_code == 404 and gone.get_json()["error"]["code"] == "not_found"
    complete_open_task(api, case_id, "accept", user="window_clerk", decision="reject", reject_reason="不属于受理范围")
    assert mark(api, case_id, IDENTITY, expect=409)["error"]["code"] == "conflict"


def test_the_marks_are_in_the_openapi_document(api: ApiClient) -> None:
    paths = api.client.get("/api/openapi.json").get_json()["paths"]
    marks = paths["/api/process-instances/{instance_id}/materials/marks"]["post"]
    assert {"201", "403", "404", "409", "422"} <= set(marks["responses"])
    assert "delete" in paths["/api/process-instances/{instance_id}/materials/marks/{mark_id}"]


def test_only_the_window_records_marks_and_an_accepted_case_keeps_them(api: ApiClient, case_id: int) -> None:
    supply_materials(api, case_id, CODE, leave_out=(IDENTITY, PROXY))
    identity = mark(api, case_id, IDENTITY)
    mark(api, case_id, PROXY, "not_applicable")
    complete_open_task(api, case_id, "accept", user="window_clerk", decision="accept", materials_complete=True)
    complete_open_task(api, case_id, "review", user="admin", review_opinion="符合条件")
    # The chief representative works the case now but did not see the paper; a clerk outside it does not see it.
    assert mark(api, case_id, IDENTITY, "paper_checked", user="chief_rep", note="改", expect=403)["error"]["code"] \
        == "forbidden"
    assert mark(api, case_id, IDENTITY, user="office_clerk", expect=404)["error"]["code"] == "not_found"
    for user in ("chief_rep", "window_clerk"):
        deleted = api.as_(user).client.delete(f"/api/process-instances/{case_id}/materials/marks/{identity['id']}",
                                              headers=api.as_(user).headers())
        assert deleted.status_code == (403 if user == "chief_rep" else 409), deleted.get_json()
    assert "accepted" in deleted.get_json()["error"]["message"]
    assert checklist(api, case_id)[IDENTITY]["status"] == "paper_checked"
