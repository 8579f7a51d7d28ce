"""A wrong upload withdrawn before acceptance (engine.materials.withdraw_upload): kept on record, marked
withdrawn with who, when and why, no longer counted by the checklist; over the API (its 4xx shapes), on the
case page (a reason required, then the entry uploaded again) and in the archive's manifest."""
from __future__ import annotations

import html
import io
import json
import re
import zipfile
from typing import Any

import pytest

from engine import materials
from engine.errors import Conflict, Forbidden, InvalidRequest, NotFound
from engine.models import HistoryEvent, Material
from engine.users import Actor
from tests.api.test_pages_intake import Browser
from tests.helpers import ApiClient, complete_open_task
from tests.service_items import SCAN, deploy_item, guide, supply_materials

CODE, KEY = "window-acceptance", "window_acceptance"
APPLICATION, IDENTITY, PROXY = (m["name"] for m in guide(CODE)["materials"])  # key, key, conditional non-key
ADMIN = Actor("admin", roles=frozenset({"admin"}))


@pytest.fixture
def case_id(api: ApiClient) -> int:
    deploy_item(api, CODE)
    return int(api.start(KEY, business_key="SX-2026-000950", variables={"applicant_name": "张三"})["id"])


def upload(api: ApiClient, case_id: int, name: str, filename: str = "scan.pdf") -> int:
    response = api.as_("integrator").post(f"/api/process-instances/{case_id}/materials",
                                          data={"name": name, "file": (io.BytesIO(SCAN), filename)},
                                          content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return int(response.get_json()["id"])


def withdraw(api: ApiClient, case_id: int, material_id: int, body: Any, *, user: str = "window_clerk",
             expect: int = 200) -> Any:
    response = api.as_(user).post(f"/api/process-instances/{case_id}/materials/{material_id}/withdraw", json=body)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def statuses(api: ApiClient, case_id: int) -> dict[str, str]:
    found = api.as_("window_clerk").get(f"/api/process-instances/{case_id}/materials/checklist").get_json()
    return {item["name"]: item["status"] for item in found["items"]}


# ---- engine -------------------------------------------------------------------------------------------

def test_a_withdrawn_upload_is_kept_marked_and_no_longer_counts(api: ApiClient, case_id: int) -> None:
    material_id = upload(api, case_id, APPLICATION)
    found = materials.withdraw_upload(api.runtime.uow(), case_id, material_id, actor=ADMIN, reason="  扫描件\n不清晰 ")
    assert (found.withdrawn_by, found.withdrawn_reason) == ("admin", "扫描件 不清晰") and found.withdrawn_at
    listed = materials.checklist(api.runtime.uow(), case_id, actor=ADMIN)
    [item] = [i for i in listed.items if i.name == APPLICATION]
    assert item.status == materials.MISSING and item.submitted == [] and [m.id for m in item.withdrawn] == [material_id]
    with api.runtime.uow() as uow:
        assert uow.session.get(Material, material_id) is not None  # the row stays
        [event] = [e for e in uow.session.query(HistoryEvent).filter_by(instance_id=case_id)
                   if e.event == "material.withdrawn_upload"]
        assert event.actor == "admin" and event.data["material_id"] == material_id
        assert event.data["reason"] == "扫描件 不清晰" and event.data["name"] == APPLICATION
    with pytest.raises(Conflict) as again:  # once only
        materials.withdraw_upload(api.runtime.uow(), case_id, material_id, actor=ADMIN, reason="again")
    assert again.value.context["state"] == "withdrawn"


def test_withdrawing_needs_the_window_a_reason_and_a_material_of_the_case(api: ApiClient, case_id: int) -> None:
    material_id = upload(api, case_id, APPLICATION)
    integrator = Actor("integrator", roles=frozenset({"integrator"}))  # reads the case, did not receive it
    with pytest.raises(Forbidden):
        materials.withdraw_upload(api.runtime.uow(), case_id, material_id, actor=integrator, reason="wrong")
    with pytest.raises(InvalidRequest):
        materials.withdraw_upload(api.runtime.uow(), case_id, material_id, actor=ADMIN, reason=" ")
    with pytest.raises(NotFound):
        materials.withdraw_upload(api.runtime.uow(), case_id, material_id + 1000, actor=ADMIN, reason="wrong")
    with api.runtime.uow() as uow:
        assert uow.session.get(Material, material_id).withdrawn_at is None  # nothing changed


def test_after_acceptance_the_accepted_file_stays(api: ApiClient, case_id: int) -> None:
    supply_materials(api, case_id, CODE)
    complete_open_task(api, case_id, "accept", user="window_clerk", decision="accept", materials_complete=True)
    material_id = api.as_("window_clerk").get(f"/api/process-instances/{case_id}/materials").get_json()[0]["id"]
    with pytest.raises(Conflict) as refused:
        materials.withdraw_upload(api.runtime.uow(), case_id, material_id, actor=ADMIN, reason="wrong")
    assert refused.value.context["state"] == "accepted"
    answer = withdraw(api, case_id, material_id, {"reason": "wrong"}, expect=409)
    assert answer["error"]["code"] == "conflict" and "stays in the record" in answer["error"]["message"]
    assert materials.checklist(api.runtime.uow(), case_id, actor=ADMIN).uploads_final


def test_an_ended_case_keeps_its_files(api: ApiClient, case_id: int) -> None:
    material_id = upload(api, case_id, APPLICATION)
    assert api.as_("supervisor").post(f"/api/process-instances/{case_id}/terminate",
                                      json={"reason": "申请人撤回申请"}).status_code in (200, 204)
    answer = withdraw(api, case_id, material_id, {"reason": "wrong"}, expect=409)
    assert answer["error"]["state"] == "terminated" and answer["error"]["details"] == []


# ---- API ----------------------------------------------------------------------------------------------

def test_the_api_withdraws_then_the_same_entry_is_uploaded_again(api: ApiClient, case_id: int) -> None:
    supply_materials(api, case_id, CODE, leave_out=(IDENTITY, PROXY))
    wrong = api.as_("window_clerk").get(f"/api/process-instances/{case_id}/materials").get_json()[0]
    assert wrong["withdrawn_at"] is None
    answer = withdraw(api, case_id, wrong["id"], {"reason": "传错了文件"})
    assert answer["withdrawn_by"] == "window_clerk" and answer["withdrawn_reason"] == "传错了文件"
    assert statuses(api, case_id)[APPLICATION] == "missing"
    item = next(i for i in api.as_("window_clerk").get(f"/api/process-instances/{case_id}/materials/checklist")
                .get_json()["items"] if i["name"] == APPLICATION)
    assert item["submitted"] == [] and [m["id"] for m in item["withdrawn"]] == [wrong["id"]]
    again = upload(api, case_id, APPLICATION, "right.pdf")
    assert statuses(api, case_id)[APPLICATION] == "electronic"
    listed = api.as_("window_clerk").get(f"/api/process-instances/{case_id}/materials").get_json()
    assert [(m["id"], m["withdrawn_by"]) for m in listed] == [(wrong["id"], "window_clerk"), (again, None)]


def test_the_api_refuses_in_the_error_shape(api: ApiClient, case_id: int) -> None:
    material_id = upload(api, case_id, APPLICATION)
    for body in ({}, {"reason": ""}, {"reason": "x" * 501}):
        error = withdraw(api, case_id, material_id, body, expect=422)["error"]
        assert error["code"] and error["message"] and "reason" in json.dumps(error["details"])
    blank = withdraw(api, case_id, material_id, {"reason": "   "}, expect=400)["error"]
    assert blank["code"] == "invalid_request" and "reason" in blank["message"]
    assert withdraw(api, case_id, material_id, {"reason": "wrong"}, user="supervisor", expect=403)["error"]["code"]
    assert withdraw(api, case_id, 999999, {"reason": "wrong"}, expect=404)["error"]["code"] == "not_found"
    assert withdraw(api, 999999, material_id, {"reason": "wrong"}, expect=404)["error"]["code"] == "not_found"
    withdraw(api, case_id, material_id, {"reason": "wrong"})
    twice = withdraw(api, case_id, material_id, {"reason": "wrong"}, expect=409)["error"]
    assert twice["code"] == "conflict" and twice["state"] == "withdrawn"
    spec = api.client.get("/api/openapi.json").get_json()
    assert "post" in spec["paths"]["/api/process-instances/{instance_id}/materials/{material_id}/withdraw"]


def test_the_archive_manifest_marks_the_withdrawn_file(api: ApiClient, case_id: int) -> None:
    wrong, right = upload(api, case_id, APPLICATION, "wrong.pdf"), upload(api, case_id, APPLICATION, "right.pdf")
    withdraw(api, case_id, wrong, {"reason": "wrong scan"})
    zipped = api.as_("supervisor").get(f"/api/process-instances/{case_id}/archive")
    assert zipped.status_code == 200
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(zipped.data)).read("manifest.json"))
    entries = {m["id"]: m for m in manifest["materials"]}
    assert entries[right]["withdrawn"] is None
    assert entries[wrong]["withdrawn"]["by"] == "window_clerk" and entries[wrong]["withdrawn"]["reason"] == "wrong scan"
    assert entries[wrong]["withdrawn"]["at"]
    assert f"materials/{wrong}-wrong.pdf" in zipfile.ZipFile(io.BytesIO(zipped.data)).namelist()  # the file stays


# ---- the case page ------------------------------------------------------------------------------------

def page_text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def test_the_case_page_withdraws_with_a_reason_and_lists_the_file_as_withdrawn(api: ApiClient, case_id: int) -> None:
    window = Browser(api, "window_clerk")
    material_id = upload(api, case_id, APPLICATION, "wrong.pdf")
    page = window.get(f"/cases/{case_id}").text
    action = f'/cases/{case_id}/materials/{material_id}/withdraw'
    assert f'class="inline upload-withdraw" action="{action}"' in page and 'name="reason" required' in page
    assert "upload-withdraw" not in Browser(api, "supervisor").get(f"/cases/{case_id}").text  # not the window

    missing = window.post(action, {"reason": "  "})
    assert missing.status_code == 303
    assert "请填写撤回原因。" in window.get(f"/cases/{case_id}").text
    with api.runtime.uow() as uow:
        assert uow.session.get(Material, material_id).withdrawn_at is None

    assert window.post(action, {"reason": "扫描件不清晰"}).status_code == 303
    page = window.get(f"/cases/{case_id}").text
    assert f"已撤回：{APPLICATION}（wrong.pdf），请重新上传正确的材料。" in html.unescape(page)
    row = re.search(rf'<tr class="checklist-row missing[^"]*"[^>]*data-material="{APPLICATION}">(.*?)</tr>',
                    page, re.DOTALL)
    assert row, "the entry is missing again"
    assert "已撤回" in page_text(row.group(1)) and "扫描件不清晰" in page_text(row.group(1))
    assert "upload-withdraw" not in row.group(1)  # nothing more to withdraw there
    assert f"撤回上传的材料：{APPLICATION}" in page_text(page) and "原因：扫描件不清晰" in page_text(page)

    # Uploading again under the same entry works as before.
    again = window.client.post(f"/cases/{case_id}/materials?row=1", data={
        "csrf_token": window.csrf(f"/cases/{case_id}"), "name": APPLICATION,
        "file": (io.BytesIO(SCAN), "right.pdf")}, content_type="multipart/form-data")
    assert again.status_code == 303
    page = window.get(f"/cases/{case_id}").text
    assert re.search(rf'<tr class="checklist-row submitted[^"]*"[^>]*data-material="{APPLICATION}">', page)

    refused = window.post(action, {"reason": "again"})  # a page opened before: refused in words
    assert refused.status_code == 303 and "该材料已撤回。" in window.get(f"/cases/{case_id}").text


def test_the_case_page_says_an_accepted_file_stays(api: ApiClient, case_id: int) -> None:
    window = Browser(api, "window_clerk")
    supply_materials(api, case_id, CODE)
    material_id = api.as_("window_clerk").get(f"/api/process-instances/{case_id}/materials").get_json()[0]["id"]
    complete_open_task(api, case_id, "accept", user="window_clerk", decision="accept", materials_complete=True)
    assert "upload-withdraw" not in window.get(f"/cases/{case_id}").text  # nothing offered once accepted
    answer = window.post(f"/cases/{case_id}/materials/{material_id}/withdraw", {"reason": "wrong"})
    assert answer.status_code == 303
    assert "办件已受理，已受理的材料保留在案卷中，不能撤回。" in window.get(f"/cases/{case_id}").text


def test_the_task_page_s_materials_leave_out_a_withdrawn_upload(api: ApiClient, case_id: int) -> None:
    from engine import worksheet
    from tests.helpers import open_task

    kept, wrong = upload(api, case_id, APPLICATION, "good.pdf"), upload(api, case_id, IDENTITY, "wrong.pdf")
    materials.withdraw_upload(api.runtime.uow(), case_id, wrong, actor=ADMIN, reason="传错了文件")
    task = open_task(api, case_id, "accept")
    sheet = worksheet.task_sheet(api.runtime.uow(), task["id"], actor=ADMIN)
    assert [m.id for m in sheet.materials] == [kept]
