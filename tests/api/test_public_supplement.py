"""Online supplement (网上补正): while a case waits for the applicant's supplement (补正(开始)), the applicant
uploads the materials its one-time notice lists, with the case number and query code (the public API) or the
public pages' session, and submits the supplement, which the case takes as the window's record of it."""
from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from api import create_app
from engine import public_supplement
from engine.models import HistoryEvent, Material
from tests.api.test_pages import Browser
from tests.api.test_pages_public import deploy_library, lookup, text_of
from tests.case_pages import signed_in
from tests.helpers import ApiClient, complete_open_task, open_steps
from tests.service_items import SCAN, supply_materials

LIMIT = 4096  # bytes a file may have here (the runtime's max_material_bytes)
ID_PROOF, FORM = "申请人身份证明", "行政许可申请书"
NOTICE = f"{ID_PROOF}：复印件不清晰，请提交清晰的复印件\n{FORM}：缺少申请人签字"
WRONG = "ABCDEFGH"


@pytest.fixture
def runtime_settings() -> dict[str, Any]:
    return {"max_material_bytes": LIMIT}


@pytest.fixture
def visitor(app: Any) -> Browser:
    return Browser(app.test_client())


def awaiting_supplement(api: ApiClient, number: str) -> dict[str, Any]:
    """A window-acceptance case whose materials the window received, then asked to supplement two of."""
    started = api.start("window_acceptance", business_key=number)
    supply_materials(api, started["id"], "window-acceptance")
    complete_open_task(api.as_("window_clerk"), started["id"], "accept", reader="admin", decision="supplement",
                       missing_materials=NOTICE)
    return started


def url(case_no: str, tail: str = "") -> str:
    return f"/api/public/progress/{case_no}/supplement{tail}"


def send_file(api: ApiClient, case_no: str, code: str, name: str, content: bytes = SCAN,
              filename: str = "scan.pdf") -> Any:
    return api.client.post(url(case_no, "/materials"), content_type="multipart/form-data",
                           data={"code": code, "name": name, "file": (io.BytesIO(content), filename)})


def submit(api: ApiClient, case_no: str, code: str) -> Any:
    return api.client.post(url(case_no), json={"code": code})


def stored(api: ApiClient, case_id: int) -> list[Material]:
    with api.runtime.uow() as uow:
        return list(uow.session.scalars(select(Material).where(Material.instance_id == case_id)
                                        .order_by(Material.id)))


def test_the_applicant_uploads_what_the_supplement_asks_for_and_submits_it(api: ApiClient) -> None:
    deploy_library(api)
    case = awaiting_supplement(api, "SX-2026-0401")
    code = case["query_code"]
    asked = api.client.get(url("SX-2026-0401"), query_string={"code": code})
    assert asked.status_code == 200 and asked.headers["Cache-Control"] == "no-store"
    # The files the window took before the notice are what it found wanting: none counts for the supplement.
    assert asked.get_json() == {"case_no": "SX-2026-0401", "due_on": asked.get_json()["due_on"],
                                "materials": [{"name": ID_PROOF, "files": []}, {"name": FORM, "files": []}],
                                "missing": [ID_PROOF, FORM], "max_bytes": LIMIT, "max_files": 5,
                                "accepted_types": asked.get_json()["accepted_types"]}
    assert asked.get_json()["due_on"] and "pdf" in asked.get_json()["accepted_types"]

    sent = send_file(api, "SX-2026-0401", code, ID_PROOF, filename="身份证复印件.pdf")
    assert sent.status_code == 201, sent.get_json()
    assert sent.get_json()["name"] == ID_PROOF and sent.get_json()["filename"] == "身份证复印件.pdf"
    assert sent.get_json()["size"] == len(SCAN) and len(sent.get_json()["sha256"]) == 64

    refused = submit(api, "SX-2026-0401", code)
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["code"] == "materials_missing" and FORM in error["message"] and ID_PROOF not in error["message"]
    assert [d["material"] for d in error["details"]] == [FORM]
    assert open_steps(api, case) == []  # still waiting

    assert send_file(api, "SX-2026-0401", code, FORM).status_code == 201
    assert api.client.get(url("SX-2026-0401"), query_string={"code": code}).get_json()["missing"] == []
    done = submit(api, "SX-2026-0401", code)
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["case_state"] == "补正(结束)"
    assert [(m["name"], [f["filename"] for f in m["files"]]) for m in done.get_json()["materials"]] == [
        (ID_PROOF, ["身份证复印件.pdf"]), (FORM, ["scan.pdf"])]

    # The case goes back to acceptance review, and the progress no longer awaits anything.
    assert open_steps(api, case) == ["accept"]
    shown = api.client.get("/api/public/progress/SX-2026-0401", query_string={"code": code}).get_json()
    assert shown["case_state"] == "补正(结束)" and shown["awaiting"] is None
    # Submitted, the supplement is closed: no upload, no second submission.
    late = send_file(api, "SX-2026-0401", code, FORM)
    assert late.status_code == 409 and late.get_json()["error"]["state"] == "not_awaiting"
    assert submit(api, "SX-2026-0401", code).status_code == 409


def test_the_history_and_the_case_s_materials_say_the_applicant_supplemented_online(api: ApiClient, app: Any) -> None:
    deploy_library(api)
    case = awaiting_supplement(api, "SX-2026-0402")
    for name in (ID_PROOF, FORM):
        assert send_file(api, "SX-2026-0402", case["query_code"], name, content=SCAN + b"% new\n").status_code == 201
    assert submit(api, "SX-2026-0402", case["query_code"]).status_code == 200

    with api.runtime.uow() as uow:
        events = list(uow.session.scalars(select(HistoryEvent).where(HistoryEvent.instance_id == case["id"])
                                          .order_by(HistoryEvent.id)))
    uploads = [e for e in events if e.event == "material.uploaded" and e.actor == "public"]
    assert [e.data["name"] for e in uploads] == [ID_PROOF, FORM]
    assert {"name", "filename", "sha256", "size"} <= set(uploads[0].data) and "% new" not in str(uploads[0].data)
    [received] = [e for e in events if e.event == "message.received"]
    assert received.actor == "public" and received.data["message"] == "materials_supplemented"
    assert received.data["note"] == f"申请人网上提交补正材料：{ID_PROOF}、{FORM}"

    # The window finds them in the checklist as any material, beside the files it took before the notice.
    checklist = api.as_("window_clerk").get(f"/api/process-instances/{case['id']}/materials/checklist").get_json()
    entry = next(i for i in checklist["items"] if i["name"] == ID_PROOF)
    assert [(f["uploaded_by"], f["size"]) for f in entry["submitted"]] == [
        ("integrator", len(SCAN)), ("public", len(SCAN) + 6)]
    # The case page names the applicant in words, not by the engine's name for the public.
    page = signed_in(app, api.runtime, "case_reader", roles=["supervisor"]).get(f"/cases/{case['id']}").text
    assert "申请人（网上）" in page and " · public<" not in page and "<td>public</td>" not in page


def test_a_wrong_code_or_an_unknown_case_gets_the_one_404(api: ApiClient) -> None:
    deploy_library(api)
    case = awaiting_supplement(api, "SX-2026-0403")
    code = WRONG if case["query_code"] != WRONG else "HGFEDCBA"
    answers = [api.client.get(url("SX-2026-0403"), query_string={"code": code}),
               send_file(api, "SX-2026-0403", code, ID_PROOF), submit(api, "SX-2026-0403", code),
               submit(api, "SX-2026-9999", case["query_code"])]
    assert [a.status_code for a in answers] == [404] * 4
    assert {a.get_json()["error"]["message"] for a in answers} == {"未找到该办件，请核对办件编号和查询码"}
    assert [m.uploaded_by for m in stored(api, case["id"])] == ["integrator"] * 3  # nothing of the guesses


def test_a_case_not_awaiting_a_supplement_takes_nothing_online(api: ApiClient) -> None:
    deploy_library(api)
    case = api.start("window_acceptance", business_key="SX-2026-0404")  # at the window's acceptance review
    code = case["query_code"]
    answers = [api.client.get(url("SX-2026-0404"), query_string={"code": code}),
               send_file(api, "SX-2026-0404", code, ID_PROOF), submit(api, "SX-2026-0404", code)]
    assert [a.status_code for a in answers] == [409] * 3
    assert {a.get_json()["error"]["message"] for a in answers} == {"办件当前不在等待补正材料，不能网上补正"}
    assert stored(api, case["id"]) == [] and open_steps(api, case) == ["accept"]


def test_a_suspended_case_takes_no_supplement_until_it_resumes(api: ApiClient) -> None:
    deploy_library(api)
    case = awaiting_supplement(api, "SX-2026-0405")
    held = api.as_("supervisor").post(f"/api/process-instances/{case['id']}/suspend", json={"reason": "核查"})
    assert held.status_code == 200, held.get_json()
    refused = send_file(api, "SX-2026-0405", case["query_code"], ID_PROOF)
    assert refused.status_code == 409 and refused.get_json()["error"]["state"] == "suspended"
    assert api.as_("supervisor").post(f"/api/process-instances/{case['id']}/resume").status_code == 200
    assert send_file(api, "SX-2026-0405", case["query_code"], ID_PROOF).status_code == 201


def edited_case_awaiting(api: ApiClient, tmp_path: Path, number: str, old: str, new: str) -> dict[str, Any]:
    """A case of window acceptance with its diagram edited (``old`` to ``new``), asked to supplement."""
    from tests.applicants import WINDOW

    assert old in WINDOW.read_text()
    diagram = tmp_path / "window_acceptance.bpmn"
    diagram.write_text(WINDOW.read_text().replace(old, new))
    api.deploy(diagram)
    case = api.start("window_acceptance", business_key=number)
    complete_open_task(api.as_("window_clerk"), case["id"], "accept", reader="admin", decision="supplement",
                       missing_materials=NOTICE)
    return case


UNRECORDABLE = ('name="govflow.recordable" value="true"', 'name="govflow.recordable" value="false"')


def test_a_supplement_the_window_cannot_record_is_brought_to_the_window(api: ApiClient, tmp_path: Path) -> None:
    """Where the diagram leaves the supplement's catch event unmarked, an integration sends it: not the applicant."""
    case = edited_case_awaiting(api, tmp_path, "SX-2026-0406", *UNRECORDABLE)
    answer = api.client.get(url("SX-2026-0406"), query_string={"code": case["query_code"]})
    assert answer.status_code == 409 and answer.get_json()["error"] == {
        "code": "conflict", "message": "本办件的补正材料请到受理窗口提交", "details": [], "state": "at_window"}
    assert send_file(api, "SX-2026-0406", case["query_code"], ID_PROOF).status_code == 409


def test_only_the_message_that_ends_the_supplement_is_the_applicant_s_to_record(api: ApiClient,
                                                                                  tmp_path: Path) -> None:
    """A recordable message whose catch event does not end the supplement (no 补正(结束) on it) is not what
    the applicant's submission records: the window does."""
    case = edited_case_awaiting(api, tmp_path, "SX-2026-0409",
                                '<camunda:property name="govflow.caseState" value="补正(结束)" />', "")
    answer = api.client.get(url("SX-2026-0409"), query_string={"code": case["query_code"]})
    assert answer.status_code == 409 and answer.get_json()["error"]["state"] == "at_window"
    assert submit(api, "SX-2026-0409", case["query_code"]).status_code == 409


def test_one_material_takes_at_most_five_files_online(api: ApiClient, visitor: Browser) -> None:
    deploy_library(api)
    case = awaiting_supplement(api, "SX-2026-0410")
    assert "每项材料至多上传 5 个文件" in lookup(visitor, "SX-2026-0410", case["query_code"]).text
    assert api.client.get(url("SX-2026-0410"), query_string={"code": case["query_code"]}).get_json()["max_files"] == 5
    for page in range(public_supplement.MAX_FILES):
        assert send_file(api, "SX-2026-0410", case["query_code"], ID_PROOF,
                         content=SCAN + f"% page {page}\n".encode()).status_code == 201
    before = stored(api, case["id"])
    refused = send_file(api, "SX-2026-0410", case["query_code"], ID_PROOF)
    assert refused.status_code == 409 and refused.get_json()["error"]["state"] == "too_many_files"
    assert len(stored(api, case["id"])) == len(before)
    assert send_file(api, "SX-2026-0410", case["query_code"], FORM).status_code == 201  # another material's
    page = visitor.get("/public/progress").text  # the full material offers no upload any more, the other does
    assert list(upload_forms(page)) == [FORM] and "已上传 5 个文件，不能再上传" in page


@pytest.mark.parametrize(("filename", "content", "status"), [
    ("scan.pdf", SCAN + b"x" * LIMIT, 413),  # over the file limit
    ("setup.exe", b"MZ\x90\x00", 415),  # a type not accepted
    ("scan.pdf", b"MZ\x90\x00 not a pdf", 415),  # named .pdf, not one
    ("", SCAN, 400),  # no file name
])
def test_a_file_refused_as_a_clerk_s_upload_is_refused_and_nothing_kept(api: ApiClient, filename: str,
                                                                        content: bytes, status: int) -> None:
    deploy_library(api)
    case = awaiting_supplement(api, "SX-2026-0407")
    before = stored(api, case["id"])
    refused = send_file(api, "SX-2026-0407", case["query_code"], ID_PROOF, content=content, filename=filename)
    assert refused.status_code == status and set(refused.get_json()["error"]) >= {"code", "message", "details"}
    assert len(stored(api, case["id"])) == len(before)


def test_only_a_material_the_supplement_lists_is_taken(api: ApiClient) -> None:
    deploy_library(api)
    case = awaiting_supplement(api, "SX-2026-0408")
    code = case["query_code"]
    other = send_file(api, "SX-2026-0408", code, "委托他人办理的，授权委托书及代理人身份证明")
    assert other.status_code == 422 and other.get_json()["error"]["details"][0]["field"] == "name"
    assert ID_PROOF in other.get_json()["error"]["message"]  # it says what is asked for
    missing = api.client.post(url("SX-2026-0408", "/materials"), content_type="multipart/form-data",
                              data={"name": ID_PROOF, "file": (io.BytesIO(SCAN), "scan.pdf")})
    assert missing.status_code == 422 and missing.get_json()["error"]["details"][0]["field"] == "code"
    as_json = api.client.post(url("SX-2026-0408", "/materials"), json={"code": code, "name": ID_PROOF})
    assert as_json.status_code == 415
    assert len(stored(api, case["id"])) == 3


def test_online_supplement_is_limited_as_the_public_api_s_other_writes(runtime: Any) -> None:
    app = create_app({"TESTING": True, "GOVFLOW_PUBLIC_WRITE_RATE_LIMIT": "2 per minute"}, runtime=runtime)
    api = ApiClient(app.test_client(), runtime)
    answers = [send_file(api, "SX-2026-0409", WRONG, ID_PROOF) for _ in range(3)]
    assert [a.status_code for a in answers] == [404, 404, 429]
    assert answers[-1].get_json()["error"]["code"] == "too_many_requests" and answers[-1].headers["Retry-After"]
    assert [submit(api, "SX-2026-0409", WRONG).status_code for _ in range(3)] == [404, 404, 429]


def test_the_endpoints_are_documented_as_public_with_their_refusals(api: ApiClient) -> None:
    spec = api.client.get("/api/openapi.json").get_json()
    base = "/api/public/progress/{case_no}/supplement"
    operations = [spec["paths"][base]["get"], spec["paths"][base]["post"], spec["paths"][base + "/materials"]["post"]]
    for operation in operations:
        assert operation["security"] == [] and {"404", "409", "429"} <= set(operation["responses"])
    upload = operations[2]
    assert {"413", "415", "422"} <= set(upload["responses"])
    assert set(upload["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]) == {
        "code", "name", "file"}
    assert {"materials", "missing", "max_bytes"} <= set(spec["components"]["schemas"]["Supplement"]["properties"])


# ---- the public progress page ---------------------------------------------------------------------------------

def page_upload(visitor: Browser, case_no: str, form_url: str, name: str, content: bytes = SCAN,
                filename: str = "scan.pdf") -> Any:
    return visitor.post(form_url, {"case_no": case_no, "name": name, "file": (io.BytesIO(content), filename)},
                        token_from="/public/progress", content_type="multipart/form-data")


def upload_forms(html: str) -> dict[str, str]:
    """Each material's upload address on the page, by its name."""
    found = re.findall(r'<form method="post" enctype="multipart/form-data" class="supplement-upload"\s+'
                       r'action="([^"]+)">.*?name="name" value="([^"]+)"', html, re.DOTALL)
    return {name: action.replace("&amp;", "&") for action, name in found}


def test_the_progress_page_takes_the_supplement_and_its_submission(api: ApiClient, visitor: Browser) -> None:
    deploy_library(api)
    case = awaiting_supplement(api, "SX-2026-0410")
    page = lookup(visitor, "SX-2026-0410", case["query_code"]).text
    assert "网上补正" in page and "提交补正" in page
    forms = upload_forms(page)
    assert list(forms) == [ID_PROOF, FORM] and 'accept=".pdf,' in page

    sent = page_upload(visitor, "SX-2026-0410", forms[ID_PROOF], ID_PROOF, filename="清晰复印件.pdf")
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/public/progress#supplement")
    page = visitor.get("/public/progress").text
    assert text_of(page, "supplement-uploaded") == f"已上传：{ID_PROOF}（清晰复印件.pdf）"
    assert text_of(page, "supplement-filename") == "清晰复印件.pdf"
    assert re.findall(r'class="supplement-material" data-status="(\w+)"', page) == ["uploaded", "missing"]
    assert "supplement-uploaded" not in visitor.get("/public/progress").text  # said once

    early = visitor.post("/public/progress/supplement", {"case_no": "SX-2026-0410"}, token_from="/public/progress")
    assert early.status_code == 422
    assert text_of(early.text, "supplement-error") == f"尚未上传以下补正材料，请上传后再提交：{FORM}"

    wrong_type = page_upload(visitor, "SX-2026-0410", forms[FORM], FORM, content=b"MZ", filename="a.exe")
    assert wrong_type.status_code == 415
    assert text_of(wrong_type.text, "supplement-item-error").startswith("不接受此类文件。可上传：.pdf")
    too_large = page_upload(visitor, "SX-2026-0410", forms[FORM], FORM, content=SCAN + b"x" * (LIMIT + 70_000))
    assert too_large.status_code == 413
    assert text_of(too_large.text, "supplement-item-error") == "文件过大：单个文件不能超过 4 KB。"

    assert page_upload(visitor, "SX-2026-0410", forms[FORM], FORM).status_code == 303
    done = visitor.post("/public/progress/supplement", {"case_no": "SX-2026-0410"}, token_from="/public/progress")
    assert done.status_code == 303 and done.headers["Location"].endswith("#supplement-done")
    page = visitor.get("/public/progress").text
    assert text_of(page, "supplement-done") == "补正材料已提交，办件将重新进行受理审查。"
    assert "supplement-upload" not in page and "awaiting-what" not in page and "已补正材料" in page
    assert open_steps(api, case) == ["accept"]
    english = visitor.get("/public/progress", headers={"Accept-Language": "en"}).text
    assert "Online supplement" not in english  # closed once submitted

    late = page_upload(visitor, "SX-2026-0410", forms[FORM], FORM)
    assert late.status_code == 409 and text_of(late.text, "supplement-error") == "办件当前不在等待补正材料，不能网上补正"


def test_the_page_s_supplement_needs_the_lookup_of_its_case_and_speaks_english(api: ApiClient,
                                                                             visitor: Browser) -> None:
    deploy_library(api)
    case = awaiting_supplement(api, "SX-2026-0411")
    other = awaiting_supplement(api, "SX-2026-0412")
    page = lookup(visitor, "SX-2026-0411", case["query_code"])
    english = visitor.get("/public/progress", headers={"Accept-Language": "en"}).text
    assert "Online supplement" in english and "Submit the supplement" in english
    forms = upload_forms(page.text)
    # Another case's number in the form is not the case the session opened: look it up first.
    refused = page_upload(visitor, "SX-2026-0412", forms[ID_PROOF], ID_PROOF)
    assert refused.status_code == 404 and "lookup-error" in refused.text
    no_token = visitor.client.post("/public/progress/supplement", data={"case_no": "SX-2026-0411"})
    assert no_token.status_code == 400 and text_of(no_token.text, "lookup-error") == "表单已过期，请刷新页面后重试。"
    assert len(stored(api, other["id"])) == len(stored(api, case["id"])) == 3  # the window's files alone


def test_the_page_says_when_the_supplement_is_brought_to_the_window(api: ApiClient, visitor: Browser,
                                                                    tmp_path: Path) -> None:
    case = edited_case_awaiting(api, tmp_path, "SX-2026-0413", *UNRECORDABLE)
    page = lookup(visitor, "SX-2026-0413", case["query_code"]).text
    assert text_of(page, "awaiting-what") == "待申请人补正材料"
    assert text_of(page, "supplement-closed") == "本办件的补正材料请到受理窗口提交"
    assert "supplement-upload" not in page


def test_the_file_is_stored_before_the_case_is_locked_and_the_code_checked_once(api: ApiClient,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Writing a file of up to max_material_bytes holds no lock (on SQLite the whole database's): the case is
    locked to record it, after the bytes are stored. The code's slow hash is checked once."""
    from engine import materials, query_codes

    deploy_library(api)
    case = awaiting_supplement(api, "SX-2026-0409")
    steps: list[str] = []
    for module, name in ((public_supplement, "lock_case"), (materials, "store_file"), (query_codes, "verify")):
        original = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _o=original, _n=name, **k: steps.append(_n) or _o(*a, **k))
    assert send_file(api, "SX-2026-0409", case["query_code"], ID_PROOF).status_code == 201
    assert steps == ["verify", "store_file", "lock_case"]
