"""Complaints: anyone files one without an account and follows it with its own number and query code;
it is registered, handled by the responsible group within working days — escalated to supervision when
that passes — and answered."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from engine import calendar, jobs
from engine.complaints import normal_phone
from engine.models import Job, Task
from tests.applicants import (
    COMPLAINT,
    COMPLAINT_FORMS,
    RECTIFICATION,
    RECTIFICATION_FORMS,
    WINDOW,
    add_clerk,
    window_case_done,
)
from tests.helpers import complete_open_task, open_task, seed_national_calendar

COMPLAINT_BODY = {"name": "李四", "phone": "13912345678", "content": "窗口工作人员推诿，要求多次提交同一材料"}


def library(api) -> None:  # type: ignore[no-untyped-def]
    seed_national_calendar(api.runtime)
    api.deploy(COMPLAINT, *COMPLAINT_FORMS)


def file_complaint(api, expect: int = 201, **body):  # type: ignore[no-untyped-def]
    response = api.client.post("/api/public/complaints", json={**COMPLAINT_BODY, **body})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def instance_of(api, complaint_no: str) -> int:  # type: ignore[no-untyped-def]
    found = api.as_("supervisor").get("/api/process-instances", query_string={"business_key": complaint_no})
    [case] = found.get_json()["items"]
    return case["id"]


def test_a_complaint_is_registered_handled_and_answered_and_followed_with_its_code(api):
    library(api)
    filed = file_complaint(api)
    assert filed["complaint_no"].startswith("TS") and len(filed["query_code"]) == 8 and filed["handle_days"] == 5
    assert filed["answer_days"] == 5  # no guide deployed here: the handling share (with it, its promise: pages)

    progress = api.client.get(f"/api/public/progress/{filed['complaint_no']}",
                              query_string={"code": filed["query_code"]}).get_json()
    assert progress["item_name"] == "政务服务投诉" and progress["case_state"] == "已接件"
    assert progress["current_steps"] == ["投诉登记"] and progress["time_limit"]["promised_days"] == 10
    assert "13912345678" not in str(progress) and "李四" not in str(progress)
    assert progress["result"] is None  # no answer yet

    case_id = instance_of(api, filed["complaint_no"])
    desk = add_clerk(api, "desk_clerk", "complaints")
    register = open_task(api, case_id, "register", reader="admin")
    assert register["candidate_groups"] == ["complaints"] and register["form_key"] == "complaint-register.form"
    unnamed = desk.post(f"/api/tasks/{register['id']}/complete", json={"variables": {}})
    assert unnamed.status_code == 422  # nobody is responsible yet: the desk must name the group
    complete_open_task(desk, case_id, "register", reader="admin", handling_group="zwfw",
                       register_note="转业务科室核查")
    handle = open_task(api, case_id, "handle", reader="admin")
    assert handle["candidate_groups"] == ["zwfw"] and handle["due_at"] is not None
    complete_open_task(api.as_("zwfw_clerk"), case_id, "handle", reader="admin",
                       handling_result="经核查，已责成窗口一次性告知所需材料")
    complete_open_task(desk, case_id, "answer", reader="admin", answer="已电话答复投诉人处理结果",
                       answer_channel="phone")

    done = api.client.get(f"/api/public/progress/{filed['complaint_no']}",
                          query_string={"code": filed["query_code"]}).get_json()
    assert done["status"] == "已办结" and done["case_state"] == "办结(已答复)" and done["time_limit"]["stopped"]
    assert [s["name"] for s in done["steps"] if s["name"] in ("投诉登记", "投诉办理（责任部门）", "答复投诉人")] == \
        ["投诉登记", "投诉办理（责任部门）", "答复投诉人"]
    assert "zwfw" not in str(done) and "desk_clerk" not in str(done)
    assert done["result"] == "已电话答复投诉人处理结果"  # the diagram publishes its answer (govflow.publicResult)


def test_a_complaint_about_a_case_goes_straight_to_the_group_that_handled_it(api):
    library(api)
    api.deploy(WINDOW)
    case = window_case_done(api, business_key="SX-2026-000200")  # its last step: the window's delivery
    filed = file_complaint(api, case_no="SX-2026-000200", item_code="WINDOW-0001")
    case_id = instance_of(api, filed["complaint_no"])
    form = add_clerk(api, "desk_clerk", "complaints").get(
        f"/api/tasks/{open_task(api, case_id, 'register', reader='admin')['id']}/form").get_json()
    assert form["data"]["handling_group"] == "window" and form["data"]["related_case_no"] == case["business_key"]
    assert form["data"]["related_case_check"] == "已找到该办件"


def test_a_complaint_naming_no_case_is_filed_and_flagged_for_the_desk_not_refused(api):
    """Refused, the public form would tell anyone which case numbers exist; the desk checks with the caller."""
    library(api)
    api.deploy(WINDOW)
    window_case_done(api, business_key="SX-2026-000201")
    typed = file_complaint(api, case_no="ＳＸ－２０２６－０００２０１")  # full width, as an input method types it
    desk = add_clerk(api, "desk_clerk", "complaints")
    data = desk.get(f"/api/tasks/{open_task(api, instance_of(api, typed['complaint_no']), 'register', reader='admin')['id']}"
                    "/form").get_json()["data"]
    assert (data["related_case_no"], data["related_case_check"], data["handling_group"]) == (
        "SX-2026-000201", "已找到该办件", "window")
    unknown = file_complaint(api, case_no="SX-0000-NOPE")
    data = desk.get(f"/api/tasks/{open_task(api, instance_of(api, unknown['complaint_no']), 'register', reader='admin')['id']}"
                    "/form").get_json()["data"]
    assert (data["related_case_no"], data["handling_group"]) == ("SX-0000-NOPE", "")
    assert data["related_case_check"].startswith("未找到该办件编号")


def test_an_unhandled_complaint_escalates_to_supervision_when_its_working_days_pass(api):
    library(api)
    filed = file_complaint(api)
    case_id = instance_of(api, filed["complaint_no"])
    complete_open_task(add_clerk(api, "desk_clerk", "complaints"), case_id, "register", reader="admin",
                       handling_group="zwfw")

    handle = open_task(api, case_id, "handle", reader="admin")
    with api.runtime.uow() as uow:
        [job] = uow.session.scalars(select(Job).where(Job.instance_id == case_id, Job.state == "pending")).all()
        # The timer falls due at the end of the 5th working day, as the department's task does.
        expected = calendar.for_runtime(uow).deadline_at(datetime.fromisoformat(handle["created_at"]), 5).at
    assert job.bpmn_id == "handling_overdue" and job.due_at == expected
    assert datetime.fromisoformat(handle["due_at"]) == expected
    assert jobs.run_due(api.runtime, worker_id="w1", now=job.due_at - timedelta(minutes=1)) == 0
    assert open_task(api, case_id, "handle", reader="admin")["candidate_groups"] == ["zwfw"]  # still the department's

    assert jobs.run_due(api.runtime, worker_id="w1", now=job.due_at + timedelta(seconds=1)) == 1
    escalated = open_task(api, case_id, "escalated", reader="admin")
    assert escalated["candidate_groups"] == ["supervision"] and escalated["name"] == "督办处理（效能督查）"
    with api.runtime.uow() as uow:
        [handle] = uow.session.scalars(select(Task).where(Task.instance_id == case_id,
                                                          Task.bpmn_id == "handle")).all()
    assert handle.state == "CANCELLED"
    assert api.as_("zwfw_clerk").get("/api/tasks", query_string={"mine": "true"}).get_json()["total"] == 0

    complete_open_task(add_clerk(api, "inspector", "supervision"), case_id, "escalated", reader="admin",
                       supervision_opinion="责任部门逾期，已通报", handling_result="督办后已处理")
    assert open_task(api, case_id, "answer", reader="admin")["candidate_groups"] == ["complaints"]


def test_invalid_complaints_are_refused_with_their_fields(api):
    library(api)
    cases = [
        ({"phone": "12345"}, "phone"),
        ({"phone": "1391234567a"}, "phone"),
        ({"name": ""}, "name"),
        ({"content": ""}, "content"),
        ({"content": "很" * 2001}, "content"),
        ({"case_no": "X" * 51}, "case_no"),
    ]
    for body, field in cases:
        response = api.client.post("/api/public/complaints", json={**COMPLAINT_BODY, **body})
        assert response.status_code == 422, body
        assert [d["field"] for d in response.get_json()["error"]["details"]] == [field], response.get_json()
    missing = api.client.post("/api/public/complaints", json={})
    assert sorted(d["field"] for d in missing.get_json()["error"]["details"]) == ["content", "name", "phone"]
    landline = file_complaint(api, phone="0351-1234567")
    assert landline["complaint_no"].startswith("TS")
    typed = file_complaint(api, phone="+86 139-1234-5678")  # as people type a mobile number
    assert normal_phone("１３９１２３４５６７８") == "13912345678"  # full-width, as a Chinese keyboard may type it
    assert normal_phone("（0755）88888888") == "075588888888" and normal_phone("0755－88888888") == "0755-88888888"
    assert api.as_("supervisor").get("/api/process-instances",
                                     query_string={"process_key": "complaint"}).get_json()["total"] == 2
    case = api.as_("supervisor").get(f"/api/process-instances/{instance_of(api, typed['complaint_no'])}").get_json()
    assert case["variables"]["complainant_phone"] == "13912345678"


def test_the_complaint_and_rectification_folders_deploy_with_their_guides_and_no_warnings(api):
    seed_national_calendar(api.runtime)
    analyst = api.as_("analyst")
    files = [(COMPLAINT.open("rb"), COMPLAINT.name), (RECTIFICATION.open("rb"), RECTIFICATION.name)]
    files += [((folder / "guide.json").open("rb"), f"{folder.name}/guide.json")
              for folder in (COMPLAINT.parent, RECTIFICATION.parent)]
    files += [(path.open("rb"), path.name) for path in (*COMPLAINT_FORMS, *RECTIFICATION_FORMS)]
    response = analyst.client.post("/api/deployments", data={"files": files}, headers=analyst.headers(),
                                   content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert sorted(g["code"] for g in body["guides"]) == ["complaint", "rectification"]
    assert body["warnings"] == []


def test_a_retried_complaint_with_its_idempotency_key_is_filed_once(api):
    library(api)
    key = {"Idempotency-Key": "complaint-7f3a9c"}
    first = api.client.post("/api/public/complaints", json=COMPLAINT_BODY, headers=key)
    again = api.client.post("/api/public/complaints", json=COMPLAINT_BODY, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["complaint_no"] == first.get_json()["complaint_no"]
    found = api.as_("supervisor").get("/api/process-instances").get_json()
    assert [c["definition_key"] for c in found["items"]].count("complaint") == 1

    other = api.client.post("/api/public/complaints", json={**COMPLAINT_BODY, "content": "另一件事"}, headers=key)
    assert other.status_code == 422  # the same key for another request
    elsewhere = api.client.post("/api/public/complaints", json=COMPLAINT_BODY, headers=key,
                                environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert elsewhere.status_code == 201 and "query_code" in elsewhere.get_json()  # keys are per client


def test_a_replayed_complaint_answers_with_a_new_query_code_and_the_first_stops_working(api):
    """The first answer lost (a dropped connection), the client retries with its key: the same complaint,
    not filed twice, with a code to follow it by; the code the lost answer held no longer works."""
    from engine.models import IdempotencyKey

    library(api)
    key = {"Idempotency-Key": "complaint-lost-answer"}
    first = api.client.post("/api/public/complaints", json=COMPLAINT_BODY, headers=key).get_json()
    replay = api.client.post("/api/public/complaints", json=COMPLAINT_BODY, headers=key)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    again = replay.get_json()
    assert again["complaint_no"] == first["complaint_no"] and again["handle_days"] == first["handle_days"]
    assert again["received_at"] == first["received_at"] and len(again["query_code"]) == 8
    assert again["query_code"] != first["query_code"]

    def follow(code: str) -> int:
        return api.client.get(f"/api/public/progress/{first['complaint_no']}", query_string={"code": code}).status_code
    assert follow(first["query_code"]) == 404 and follow(again["query_code"]) == 200
    third = api.client.post("/api/public/complaints", json=COMPLAINT_BODY, headers=key).get_json()
    assert follow(again["query_code"]) == 404 and follow(third["query_code"]) == 200
    with api.runtime.uow() as uow:
        [kept] = uow.session.scalars(select(IdempotencyKey)).all()
    assert not any(code.encode() in kept.body for code in (first["query_code"], again["query_code"],
                                                          third["query_code"]))  # never kept in clear
    assert instance_of(api, first["complaint_no"])  # still one complaint of that number

    refused = api.client.post("/api/public/complaints", json={**COMPLAINT_BODY, "phone": "1"},
                              headers={"Idempotency-Key": "complaint-refused"})
    replayed = api.client.post("/api/public/complaints", json={**COMPLAINT_BODY, "phone": "1"},
                               headers={"Idempotency-Key": "complaint-refused"})
    assert refused.status_code == replayed.status_code == 422  # a refusal replays as it was
    assert replayed.get_json() == refused.get_json()
    spec = api.client.get("/api/openapi.json").get_json()
    assert "new query code" in spec["paths"]["/api/public/complaints"]["post"]["description"]


def test_the_complainant_s_name_and_phone_reach_only_the_desk_s_answer_form_and_supervision(api):
    """The department complained about handles the complaint without learning who made it; history never
    holds the name or phone at all (engine.confidential)."""
    import io
    import json
    import zipfile

    from engine import timeline
    from engine.users import Actor

    library(api)
    filed = file_complaint(api)
    case_id = instance_of(api, filed["complaint_no"])
    desk = add_clerk(api, "desk_clerk", "complaints")
    complete_open_task(desk, case_id, "register", reader="admin", handling_group="zwfw")
    office = api.as_("zwfw_clerk")
    handle = open_task(api, case_id, "handle", reader="admin")
    secrets = ("李四", "13912345678")

    seen = office.get(f"/api/process-instances/{case_id}").get_json()
    assert seen["variables"]["complainant_name"] == "***" and seen["variables"]["complainant_phone"] == "***"
    assert seen["variables"]["complaint_content"] == COMPLAINT_BODY["content"]  # what to handle, not who
    assert not any(s in json.dumps(office.get(f"/api/tasks/{handle['id']}/form").get_json(), ensure_ascii=False)
                   for s in secrets)
    archive = zipfile.ZipFile(io.BytesIO(office.get(f"/api/process-instances/{case_id}/archive").data))
    assert not any(s in archive.read("manifest.json").decode() for s in secrets)
    page = timeline.case_file(api.runtime.uow(), case_id, actor=Actor("zwfw_clerk", frozenset({"zwfw"}),
                                                                      frozenset({"clerk"})))
    assert page.case.variables is not None and page.case.variables["complainant_phone"] == "***"
    answered = complete_open_task(office, case_id, "handle", reader="admin", handling_result="已责成窗口整改")
    assert answered["variables"]["complainant_phone"] == "***"

    answer = open_task(api, case_id, "answer", reader="admin")
    form = desk.get(f"/api/tasks/{answer['id']}/form").get_json()
    assert form["data"]["complainant_name"] == "李四" and form["data"]["complainant_phone"] == "13912345678"
    supervisor = api.as_("supervisor").get(f"/api/process-instances/{case_id}").get_json()
    assert supervisor["variables"]["complainant_phone"] == "13912345678"

    for reader in ("supervisor", "admin"):
        history = json.dumps(api.as_(reader).get(f"/api/process-instances/{case_id}/history").get_json(),
                             ensure_ascii=False)
        assert "***" in history and not any(s in history for s in secrets)


@pytest.mark.parametrize(("body", "field"), [({"content": "\u200b\u200c\u2060\ufeff"}, "content"),
                                             ({"content": "\u3164"}, "content"), ({"name": "赵\u0007六"}, "name"),
                                             ({"name": "\u202e"}, "name")])
def test_a_complaint_that_says_nothing_a_reader_sees_is_refused(api, body, field):
    library(api)
    response = api.client.post("/api/public/complaints", json={**COMPLAINT_BODY, **body})
    assert response.status_code == 422, body  # said nothing, or with characters no page shows as typed
    assert [d["field"] for d in response.get_json()["error"]["details"]] == [field]


def test_the_case_page_names_the_applicant_online_as_who_started_a_complaint(api):  # type: ignore[no-untyped-def]
    from tests.api.test_pages_cases import Browser

    library(api)
    case_id = instance_of(api, file_complaint(api)["complaint_no"])
    page = Browser(api, "supervisor").get(f"/cases/{case_id}").text
    assert "<dt>经办人</dt><dd>申请人（网上）</dd>" in page and "<dd>public</dd>" not in page
