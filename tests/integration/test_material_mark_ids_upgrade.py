"""Upgrading to 0027 (material mark ids never given twice on SQLite) rebuilds SQLite's material_marks table:
every mark keeps its id, its case and what it records, down and up, with the table's unique constraint and
its foreign key to the case, even with foreign keys on; and after it a mark taken back keeps its id to itself."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine import Runtime
from engine.models import MaterialMark
from tests.helpers import ApiClient, rebuilt_keeping_rows, table_shape
from tests.service_items import deploy_item, guide

CODE, KEY = "window-acceptance", "window_acceptance"
APPLICATION, IDENTITY, PROXY = (m["name"] for m in guide(CODE)["materials"])  # key, key, conditional non-key


def _marks(runtime: Runtime) -> list[tuple[Any, ...]]:
    with runtime.uow() as uow:
        return [tuple(row) for row in uow.session.execute(
            select(MaterialMark.id, MaterialMark.instance_id, MaterialMark.name, MaterialMark.kind,
                   MaterialMark.note, MaterialMark.recorded_by, MaterialMark.recorded_at)
            .order_by(MaterialMark.id))]


def _mark(api: ApiClient, case_id: int, name: str, kind: str = "paper_checked", note: str | None = None) -> Any:
    response = api.as_("window_clerk").post(f"/api/process-instances/{case_id}/materials/marks",
                                            json={"name": name, "kind": kind, "note": note})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _take_back(api: ApiClient, case_id: int, mark_id: int) -> int:
    window = api.as_("window_clerk")
    return int(window.client.delete(f"/api/process-instances/{case_id}/materials/marks/{mark_id}",
                                    headers=window.headers()).status_code)


def _checklist(api: ApiClient, case_id: int) -> dict[str, Any]:
    response = api.as_("window_clerk").get(f"/api/process-instances/{case_id}/materials/checklist")
    assert response.status_code == 200, response.get_json()
    return {item["name"]: (item["status"], (item["mark"] or {}).get("id")) for item in response.get_json()["items"]}


def test_marks_keep_their_ids_through_the_upgrade_and_one_taken_back_after_it_keeps_its_id(
        api: ApiClient, runtime: Runtime) -> None:
    deploy_item(api, CODE)
    first = int(api.start(KEY, business_key="SX-2026-000980", variables={"applicant_name": "张三"})["id"])
    second = int(api.start(KEY, business_key="SX-2026-000981", variables={"applicant_name": "李四"})["id"])
    _mark(api, first, APPLICATION, note="原件已核对")
    gone = _mark(api, second, APPLICATION)
    _mark(api, first, IDENTITY)
    _mark(api, first, PROXY, "not_applicable")
    _mark(api, second, IDENTITY, note="身份证原件")
    assert _take_back(api, second, gone["id"]) == 204  # a gap below the highest id
    before, table, lists = _marks(runtime), table_shape(runtime, "material_marks"), (_checklist(api, first), _checklist(api, second))
    assert len(before) == 4 and gone["id"] not in [row[0] for row in before]
    assert table["unique"] == [("uq_material_marks_instance_name", ("instance_id", "name"))]
    assert table["foreign_keys"] == [("process_instances", ("instance_id",), ("id",), "CASCADE")]

    rebuilt_keeping_rows(runtime, "material_marks", lambda: _marks(runtime), down_to="0026", up_to="0027")

    assert (_checklist(api, first), _checklist(api, second)) == lists
    highest = max(row[0] for row in before)
    new = _mark(api, second, APPLICATION)
    assert new["id"] > highest, "the counter starts above every mark kept"
    assert _take_back(api, second, new["id"]) == 204  # the highest, taken back
    again = _mark(api, second, APPLICATION)
    assert again["id"] > new["id"]
    assert _take_back(api, second, new["id"]) == 404
    assert _checklist(api, second)[APPLICATION] == ("paper_checked", again["id"])
