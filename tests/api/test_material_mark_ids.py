"""A mark taken back (DELETE /api/process-instances/ID/materials/marks/MARK_ID) keeps its id to itself: the
next mark recorded gets another, so a stale or retried DELETE of the old id is a 404 and takes back nothing
(SQLite gave the highest id freed to the next row; the table counts with AUTOINCREMENT)."""
from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import ApiClient
from tests.service_items import deploy_item, guide

CODE, KEY = "window-acceptance", "window_acceptance"
APPLICATION, IDENTITY, PROXY = (m["name"] for m in guide(CODE)["materials"])  # key, key, conditional non-key


@pytest.fixture
def case_id(api: ApiClient) -> int:
    deploy_item(api, CODE)
    return int(api.start(KEY, business_key="SX-2026-000970", variables={"applicant_name": "张三"})["id"])


def mark(api: ApiClient, case_id: int, name: str, kind: str = "paper_checked") -> Any:
    response = api.as_("window_clerk").post(f"/api/process-instances/{case_id}/materials/marks",
                                            json={"name": name, "kind": kind})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def take_back(api: ApiClient, case_id: int, mark_id: int) -> Any:
    window = api.as_("window_clerk")
    return window.client.delete(f"/api/process-instances/{case_id}/materials/marks/{mark_id}",
                                headers=window.headers())


def marks(api: ApiClient, case_id: int) -> dict[str, Any]:
    response = api.as_("window_clerk").get(f"/api/process-instances/{case_id}/materials/checklist")
    assert response.status_code == 200, response.get_json()
    return {item["name"]: item["mark"] for item in response.get_json()["items"]}


@pytest.mark.parametrize("again", [IDENTITY, PROXY], ids=["same material", "another material"])
def test_a_second_delete_of_a_mark_taken_back_does_not_take_back_the_next_one(
        api: ApiClient, case_id: int, again: str) -> None:
    mark(api, case_id, APPLICATION)
    old = mark(api, case_id, IDENTITY)  # the highest id
    assert take_back(api, case_id, old["id"]).status_code == 204
    new = mark(api, case_id, again, "paper_checked" if again == IDENTITY else "not_applicable")
    assert new["id"] != old["id"] and new["id"] > old["id"]

    retried = take_back(api, case_id, old["id"])  # a stale page, a client retrying after a timeout
    assert retried.status_code == 404, retried.get_json()
    assert retried.get_json()["error"]["code"] == "not_found"
    assert marks(api, case_id)[again]["id"] == new["id"], "the newer mark stays"
    assert take_back(api, case_id, new["id"]).status_code == 204  # by its own id, it is taken back


def test_a_mark_of_another_case_does_not_take_over_an_id_taken_back(api: ApiClient, case_id: int) -> None:
    old = mark(api, case_id, IDENTITY)
    assert take_back(api, case_id, old["id"]).status_code == 204
    other = int(api.start(KEY, business_key="SX-2026-000971", variables={"applicant_name": "李四"})["id"])
    new = mark(api, other, IDENTITY)
    assert new["id"] > old["id"]
    assert take_back(api, other, old["id"]).status_code == 404
    assert marks(api, other)[IDENTITY]["id"] == new["id"]
