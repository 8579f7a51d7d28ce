"""Applicants follow their case without an account: a query code handed out once at the start, and a
progress endpoint that shows only what an applicant may see, with one 404 for every wrong guess."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from sqlalchemy import select

from engine import execution, query_codes, time_limits, users
from engine.clock import LOCAL_TZ
from engine.errors import NotFound
from engine.models import CaseQueryCode, IdempotencyKey
from tests.api.test_pages import Browser
from tests.api.test_pages_public import lookup
from tests.applicants import FOOD, WINDOW
from tests.heads import head_of
from tests.helpers import complete_open_task, seed_national_calendar

CODE = re.compile(r"^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8}$")


def progress(api, case_no: str, code: str):  # type: ignore[no-untyped-def]
    return api.client.get(f"/api/public/progress/{case_no}", query_string={"code": code})


def test_a_new_case_gets_a_query_code_once_and_only_its_hash_is_kept(api):
    api.deploy(WINDOW)
    started = api.start("window_acceptance", business_key="SX-2026-000001")
    code = started["query_code"]
    assert CODE.match(code)

    with api.runtime.uow() as uow:
        [stored] = uow.session.scalars(select(CaseQueryCode)).all()
    assert stored.instance_id == started["id"]
    assert code not in stored.code_hash and stored.code_hash.startswith("scrypt$")

    again = api.start("window_acceptance", expect=200, business_key="SX-2026-000001")
    assert again["id"] == started["id"] and "query_code" not in again  # the replay of a business key
    assert progress(api, "SX-2026-000001", code).status_code == 200  # the first code still holds


def test_an_idempotent_replay_of_a_start_keeps_no_query_code_in_clear(api):
    api.deploy(WINDOW)
    integrator = api.as_("integrator")
    headers = {**integrator.headers(), "Idempotency-Key": "start-0001"}
    first = api.client.post("/api/process-definitions/window_acceptance/start", json={}, headers=headers)
    assert first.status_code == 201 and CODE.match(first.get_json()["query_code"])

    replay = api.client.post("/api/process-definitions/window_acceptance/start", json={}, headers=headers)
    assert replay.headers["Idempotent-Replayed"] == "true" and replay.status_code == 201
    assert replay.get_json()["id"] == first.get_json()["id"] and "query_code" not in replay.get_json()
    with api.runtime.uow() as uow:
        [kept] = uow.session.scalars(select(IdempotencyKey)).all()
    assert first.get_json()["query_code"].encode() not in kept.body


def test_the_start_response_documents_the_query_code(api):
    spec = api.client.get("/api/openapi.json").get_json()
    start = spec["paths"]["/api/process-definitions/{key}/start"]["post"]["responses"]
    schema = start["201"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "query_code" in spec["components"]["schemas"][schema]["properties"]
    public = spec["paths"]["/api/public/progress/{case_no}"]["get"]
    assert public["security"] == [] and "429" in public["responses"]


def test_progress_shows_state_steps_and_time_limit_and_nothing_internal(api, monkeypatch):
    seed_national_calendar(api.runtime)
    api.deploy(FOOD)
    accepted = datetime(2026, 3, 2, 10, tzinfo=LOCAL_TZ).astimezone(UTC)
    monkeypatch.setattr(execution, "utcnow", lambda: accepted)
    started = api.start("food_business_licence", business_key="SCJG-2026-0042",
                        variables={"applicant_name": "张三", "id_number": "110101199001011234"})
    complete_open_task(api.as_("window_clerk"), started["id"], "acceptance_check", reader="admin",
                       acceptance_decision="accept", opinion="内部意见：材料齐全")
    monkeypatch.setattr(time_limits, "utcnow", lambda: accepted)  # extended within the time limit
    extended = head_of(api, started["id"]).post(f"/api/process-instances/{started['id']}/clock/extend",
                                          json={"days": 5, "reason": "需征求相关部门意见"})
    assert extended.status_code == 200, extended.get_json()

    response = progress(api, "SCJG-2026-0042", started["query_code"])
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["case_no"] == "SCJG-2026-0042" and body["item_name"] == "食品经营许可"
    assert body["status"] == "办理中" and body["case_state"] == "部门开始办理"
    assert [s["case_state"] for s in body["steps"]][:1] == ["已接件"]
    assert any(s["name"] == "受理审查" for s in body["steps"])
    assert all(datetime.fromisoformat(s["at"]) for s in body["steps"])
    limit = body["time_limit"]
    assert limit["promised_days"] == 10 and limit["extension_days"] == 5 and limit["stopped"] is False
    assert limit["used_working_days"] + limit["remaining_working_days"] == 15
    assert date.fromisoformat(limit["deadline_date"]) == date(2026, 3, 23)  # 16 March + 5 working days
    assert [(e["name"], e["days"], e["reason"]) for e in body["extensions"]] == [("延长审批", 5, "需征求相关部门意见")]
    assert body["current_steps"] and body["documents"] == []
    text = response.get_data(as_text=True)
    for internal in ("window_clerk", "supervisor", "window", "张三", "110101199001011234", "内部意见", "variables"):
        assert internal not in text, internal


def test_a_wrong_code_and_an_unknown_case_get_the_same_404(api):
    api.deploy(WINDOW)
    started = api.start("window_acceptance", business_key="SX-2026-000002")
    wrong = progress(api, "SX-2026-000002", "ABCDEFGH" if started["query_code"] != "ABCDEFGH" else "HGFEDCBA")
    unknown = progress(api, "SX-2026-999999", started["query_code"])
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.get_data() == unknown.get_data()
    assert wrong.get_json()["error"]["code"] == "not_found"
    assert wrong.get_json()["error"]["message"] == query_codes.NOT_FOUND_MESSAGE


def test_the_code_is_accepted_as_people_type_it(api):
    api.deploy(WINDOW)
    started = api.start("window_acceptance", business_key="SX-2026-000003")
    code = started["query_code"]
    typed = f" {code[:4].lower()}-{code[4:].lower()} "
    assert progress(api, "SX-2026-000003", typed).status_code == 200


def test_a_case_number_shared_by_two_processes_finds_the_case_the_code_belongs_to(api):
    api.deploy(WINDOW, FOOD)
    window = api.start("window_acceptance", business_key="SHARED-1")
    food = api.start("food_business_licence", business_key="SHARED-1")
    assert progress(api, "SHARED-1", window["query_code"]).get_json()["item_name"] == "一窗受理 标准许可事项"
    assert progress(api, "SHARED-1", food["query_code"]).get_json()["item_name"] == "食品经营许可"


def test_progress_without_a_code_is_invalid_input(api):
    response = api.client.get("/api/public/progress/SX-2026-000004")
    assert response.status_code == 422
    assert [d["field"] for d in response.get_json()["error"]["details"]] == ["code"]
    too_long = progress(api, "SX-2026-000004", "A" * 40)
    assert too_long.status_code == 422


def test_documents_issued_to_the_applicant_are_listed_and_downloaded_with_the_code(api):
    template = ("<html><head><title>受理通知书</title></head><body><h1>受理通知书</h1>"
                "<p>{{ case.number }}</p></body></html>").encode()
    deployed = api.as_("analyst").client.post(
        "/api/deployments", data={"files": [(BytesIO(template), "documents/acceptance_notice.html"),
                                            (FOOD.open("rb"), FOOD.name)]},
        headers=api.as_("analyst").headers(), content_type="multipart/form-data")
    if deployed.status_code != 201:
        pytest.fail(f"deploying a document template failed: {deployed.get_json()}")
    started = api.start("food_business_licence", business_key="SCJG-2026-0043")
    complete_open_task(api.as_("window_clerk"), started["id"], "acceptance_check", reader="admin",
                       acceptance_decision="accept")

    body = progress(api, "SCJG-2026-0043", started["query_code"]).get_json()
    [document] = body["documents"]
    assert document["name"] == "受理通知书"
    url = document["download_url"]
    pdf = api.client.get(url, query_string={"code": started["query_code"]})
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    disposition = pdf.headers["Content-Disposition"]  # by the case number; an ASCII name beside the UTF-8 one
    assert f'filename="SCJG-2026-0043-document-{document["id"]}.pdf"' in disposition
    assert "filename*=UTF-8''SCJG-2026-0043-%E5%8F%97%E7%90%86%E9%80%9A%E7%9F%A5%E4%B9%A6.pdf" in disposition
    html = api.client.get(url, query_string={"code": started["query_code"], "format": "html"})
    assert "SCJG-2026-0043" in html.get_data(as_text=True)
    # Whatever an analyst's template holds, the browser runs none of it and takes the type as given.
    assert "sandbox" in html.headers["Content-Security-Policy"] and "default-src 'none'" in html.headers[
        "Content-Security-Policy"]
    assert html.headers["X-Content-Type-Options"] == "nosniff" == pdf.headers["X-Content-Type-Options"]
    assert api.client.get(url, query_string={"code": "ABCDEFGH"}).status_code == 404
    other = api.client.get(url.rsplit("/", 1)[0] + "/999999", query_string={"code": started["query_code"]})
    assert other.status_code == 404 and other.get_json()["error"]["message"] == "未找到该文书"


def test_a_clerk_of_the_case_hands_out_a_new_code_and_the_old_one_stops_working(api):
    api.deploy(WINDOW)
    started = api.start("window_acceptance", business_key="SX-2026-000077")
    old = started["query_code"]
    url = f"/api/process-instances/{started['id']}/query-code"

    assert api.as_("office_clerk").post(url).status_code == 404  # no task of this case: not theirs to read
    assert api.as_("supervisor").post(url).status_code == 403  # reads everything, acts on nothing
    assert api.as_("window_clerk").post("/api/process-instances/999999/query-code").status_code == 404

    issued = api.as_("window_clerk").post(url)  # the window's acceptance task is theirs to work
    assert issued.status_code == 201
    new = issued.get_json()["query_code"]
    assert CODE.match(new) and new != old
    assert progress(api, "SX-2026-000077", old).status_code == 404
    assert progress(api, "SX-2026-000077", new).status_code == 200

    history = api.as_("admin").get(f"/api/process-instances/{started['id']}/history").get_json()
    events = [e for e in history if e["event"] == query_codes.REISSUED]
    assert [e["actor"] for e in events] == ["window_clerk"] and new not in str(history)

    by_integrator = api.as_("integrator").post(url)  # the system that started the case
    assert by_integrator.status_code == 201
    assert progress(api, "SX-2026-000077", by_integrator.get_json()["query_code"]).status_code == 200


def test_an_integrator_hands_out_codes_only_for_the_cases_its_system_started(api):
    """A payment system's account reads every case, but a new code from it would lock out the applicants
    of the system that started the case."""
    api.deploy(WINDOW)
    started = api.start("window_acceptance", business_key="SX-2026-000079")
    api.tokens["payment"] = users.add_user(api.runtime.uow(), "payment", roles=["integrator"], actor=users.SYSTEM)[1]

    refused = api.as_("payment").post(f"/api/process-instances/{started['id']}/query-code")
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    assert "only for the cases it started" in refused.get_json()["error"]["message"]
    assert progress(api, "SX-2026-000079", started["query_code"]).status_code == 200  # still the one given out
    history = api.as_("admin").get(f"/api/process-instances/{started['id']}/history").get_json()
    assert not [e for e in history if e["event"] == query_codes.REISSUED]


def test_a_code_issued_by_someone_else_at_the_same_moment_is_a_409_not_a_500(api, monkeypatch):
    from sqlalchemy.orm import Session

    api.deploy(WINDOW)
    started = api.start("window_acceptance", business_key="SX-2026-000078")
    real_get = Session.get

    def blind_to_codes(self, entity, ident, **kwargs):  # type: ignore[no-untyped-def]
        # As if the other request's first code committed between this one's read and its write.
        return None if entity is CaseQueryCode else real_get(self, entity, ident, **kwargs)

    monkeypatch.setattr(Session, "get", blind_to_codes)
    raced = api.as_("integrator").post(f"/api/process-instances/{started['id']}/query-code")
    assert raced.status_code == 409 and raced.get_json()["error"]["code"] == "conflict"
    monkeypatch.undo()
    assert progress(api, "SX-2026-000078", started["query_code"]).status_code == 200  # nothing changed


def test_a_case_number_with_a_slash_is_looked_up_and_its_documents_downloaded(api):
    template = ("<html><head><title>受理通知书</title></head><body><h1>受理通知书</h1>"
                "<p>{{ case.number }}</p></body></html>").encode()
    api.as_("analyst").client.post(
        "/api/deployments", data={"files": [(BytesIO(template), "documents/acceptance_notice.html"),
                                            (FOOD.open("rb"), FOOD.name)]},
        headers=api.as_("analyst").headers(), content_type="multipart/form-data")
    started = api.start("food_business_licence", business_key="SCJG/2026/0044")
    complete_open_task(api.as_("window_clerk"), started["id"], "acceptance_check", reader="admin",
                       acceptance_decision="accept")
    body = progress(api, "SCJG/2026/0044", started["query_code"])
    assert body.status_code == 200, body.get_json()
    [document] = body.get_json()["documents"]
    assert "%2F" in document["download_url"]
    pdf = api.client.get(document["download_url"], query_string={"code": started["query_code"]})
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_a_case_number_is_one_line_read_in_one_direction(api):
    api.deploy(WINDOW)
    for key in ("SX-2026-\u202e000123", "SX\x01-1", "SX-\u2066-1"):
        refused = api.as_("integrator").post("/api/process-definitions/window_acceptance/start",
                                             json={"business_key": key})
        assert refused.status_code == 422 and "text-direction" in refused.get_json()["error"]["message"], key
        assert refused.get_json()["error"]["details"][0]["field"] == "business_key"


def test_a_withdrawn_or_terminated_case_says_how_it_ended_without_staff_s_note(api):
    """A termination whose reason says the applicant withdrew reads 申请人撤回申请; any other reads 办理机关终止办理,
    and the note staff wrote stays internal (the applicant asks the office)."""
    api.deploy(WINDOW)
    withdrawn = api.start("window_acceptance", business_key="SX-2026-000090")
    terminated = api.start("window_acceptance", business_key="SX-2026-000091")
    running = api.start("window_acceptance", business_key="SX-2026-000092")
    supervisor = api.as_("supervisor")
    for case, reason in ((withdrawn, "应申请人要求撤回申请（电话告知，经办人王五）"), (terminated, "材料涉嫌伪造，移交稽查，勿告知申请人")):
        ended = supervisor.post(f"/api/process-instances/{case['id']}/terminate", json={"reason": reason})
        assert ended.status_code == 200, ended.get_json()

    body = progress(api, "SX-2026-000090", withdrawn["query_code"]).get_json()
    assert body["status"] == "已撤件"  # the applicant withdrew: not ended by the office
    assert (body["end_kind"], body["end_reason"]) == ("withdrawn", "申请人撤回申请")
    answer = progress(api, "SX-2026-000091", terminated["query_code"])
    body = answer.get_json()
    assert body["status"] == "已终止"
    assert (body["end_kind"], body["end_reason"]) == ("terminated", "办理机关终止办理")
    for internal in ("移交稽查", "伪造", "勿告知"):
        assert internal not in answer.get_data(as_text=True)
    assert "王五" not in progress(api, "SX-2026-000090", withdrawn["query_code"]).get_data(as_text=True)
    body = progress(api, "SX-2026-000092", running["query_code"]).get_json()
    assert body["end_kind"] is None and body["end_reason"] is None
    spec = api.client.get("/api/openapi.json").get_json()
    assert {"end_kind", "end_reason"} <= set(spec["components"]["schemas"]["Progress"]["properties"])


def deemed_withdrawn(api, diagram, business_key: str):  # type: ignore[no-untyped-def]
    """A food licence of ``diagram`` asked for a supplement that never came: its timer ends the case withdrawn.
    Returns the started case."""
    from engine import jobs
    from engine.models import Job

    seed_national_calendar(api.runtime)
    api.deploy(diagram)
    started = api.start("food_business_licence", business_key=business_key,
                        variables={"applicant_phone": "13900001111"})
    complete_open_task(api.as_("window_clerk"), started["id"], "acceptance_check", reader="admin",
                       acceptance_decision="incomplete", missing_materials="营业执照复印件")
    with api.runtime.uow() as uow:
        [job] = uow.session.scalars(select(Job).where(Job.instance_id == started["id"], Job.state == "pending")).all()
        due = job.due_at
    assert jobs.run_due(api.runtime, worker_id="w1", now=due) == 1
    return started


def test_a_case_deemed_withdrawn_by_its_diagram_says_so_in_the_words_of_its_end(api):
    """逾期未补正，视为撤回申请: the food licence's supplement time passes and the case ends withdrawn."""
    started = deemed_withdrawn(api, FOOD, "SCJG-2026-0091")
    body = progress(api, "SCJG-2026-0091", started["query_code"]).get_json()
    assert body["status"] == "已撤件"  # as supervision counts it: withdrawn, not concluded
    assert (body["end_kind"], body["end_reason"]) == ("withdrawn", "逾期未补正，视为撤回申请")


def test_a_case_deemed_withdrawn_at_an_end_that_says_no_more_does_not_say_the_applicant_withdrew(api, tmp_path):
    """The same end left unnamed: the applicant reads, on the page and in the text, that the application is
    deemed withdrawn (视为撤回申请), not that they withdrew it (申请人撤回申请)."""
    from engine.models import OutboxEvent

    unnamed = tmp_path / FOOD.name
    unnamed.write_bytes(FOOD.read_bytes().replace('<bpmn:endEvent id="withdrawn" name="逾期未补正，视为撤回申请">'.encode(),
                                                  b'<bpmn:endEvent id="withdrawn">'))
    assert unnamed.read_bytes() != FOOD.read_bytes()
    started = deemed_withdrawn(api, unnamed, "SCJG-2026-0093")
    body = progress(api, "SCJG-2026-0093", started["query_code"]).get_json()
    assert (body["end_kind"], body["end_reason"]) == ("withdrawn", "视为撤回申请")
    with api.runtime.uow() as uow:
        notices = uow.session.scalars(select(OutboxEvent).where(OutboxEvent.event == "notice",
                                                                OutboxEvent.instance_id == started["id"]))
        [told] = [e.data for e in notices if e.data["event"] != "supplement_requested"]
    assert told["text"] == "您的办件（编号SCJG-2026-0093）已终止办理：视为撤回申请。"


def test_a_lookup_hands_back_a_proof_that_opens_the_case_until_a_new_code_is_issued(api):
    """What the public pages keep in place of the code: the SHA-256 of the stored hash. It opens the case
    through the engine's lookups, is no code (nothing the public API takes), and goes stale with a new code."""
    from engine import progress as case_progress

    api.deploy(WINDOW)
    started = api.start("window_acceptance", business_key="SX-2026-000070")
    code = started["query_code"]
    proof = query_codes.verify(api.runtime.uow(), "SX-2026-000070", f"{code[:4].lower()}-{code[4:]}")
    with api.runtime.uow() as uow:
        stored = uow.session.get(CaseQueryCode, started["id"]).code_hash
    assert proof == query_codes.proof_of(stored) and re.fullmatch(r"[0-9a-f]{64}", proof) and code not in proof.upper()
    assert case_progress.public_progress(api.runtime.uow(), "SX-2026-000070", proof=proof).case_no == "SX-2026-000070"
    for wrong in ({"proof": proof.upper()}, {"proof": ""}, {"code": proof}):
        with pytest.raises(NotFound) as refused:
            case_progress.public_progress(api.runtime.uow(), "SX-2026-000070", **wrong)
        assert refused.value.message == query_codes.NOT_FOUND_MESSAGE
    with pytest.raises(NotFound):
        case_progress.public_progress(api.runtime.uow(), "SX-2026-999999", proof=proof)  # another case number
    with pytest.raises(TypeError):
        case_progress.public_progress(api.runtime.uow(), "SX-2026-000070", code, proof=proof)

    renewed = api.as_("window_clerk").post(f"/api/process-instances/{started['id']}/query-code")
    assert renewed.status_code == 201
    with pytest.raises(NotFound) as stale:
        case_progress.public_progress(api.runtime.uow(), "SX-2026-000070", proof=proof)
    assert stale.value.message == query_codes.NOT_FOUND_MESSAGE
    fresh = query_codes.verify(api.runtime.uow(), "SX-2026-000070", renewed.get_json()["query_code"])
    assert fresh != proof and case_progress.public_progress(api.runtime.uow(), "SX-2026-000070", proof=fresh)


def test_a_case_terminated_by_the_office_reaches_a_termination_not_a_withdrawal(api):
    """已撤件 only when the applicant withdrew: the case state agrees with how it ended (end_kind)."""
    api.deploy(WINDOW)
    withdrawn = api.start("window_acceptance", business_key="SX-2026-000093")
    terminated = api.start("window_acceptance", business_key="SX-2026-000094")
    for case, reason in ((withdrawn, "申请人撤回申请"), (terminated, "重复立案，终止办理")):
        ended = api.as_("supervisor").post(f"/api/process-instances/{case['id']}/terminate", json={"reason": reason})
        assert ended.status_code == 200, ended.get_json()
    body = progress(api, "SX-2026-000093", withdrawn["query_code"]).get_json()
    assert (body["case_state"], body["end_kind"], body["steps"][-1]["case_state"]) == ("已撤件", "withdrawn", "已撤件")
    body = progress(api, "SX-2026-000094", terminated["query_code"]).get_json()
    assert (body["case_state"], body["end_kind"], body["steps"][-1]["case_state"]) == ("已终止", "terminated", "已终止")
    staff = api.as_("supervisor").get(f"/api/process-instances/{terminated['id']}").get_json()
    assert staff["case_state"] == "已终止"  # the staff's view of the case reads the same state


def test_a_case_waiting_for_the_applicant_s_supplement_says_so_and_by_when(api):
    """补正(开始): the case waits for the applicant's materials until its timer's day (a local date)."""
    from engine.models import Job

    seed_national_calendar(api.runtime)
    api.deploy(WINDOW)
    started = api.start("window_acceptance", business_key="SX-2026-000095")
    assert progress(api, "SX-2026-000095", started["query_code"]).get_json()["awaiting"] is None
    complete_open_task(api.as_("window_clerk"), started["id"], "accept", reader="admin", decision="supplement",
                       missing_materials="申请人身份证明：复印件不清晰，请提交清晰的复印件")
    with api.runtime.uow() as uow:
        [due] = uow.session.scalars(select(Job.due_at).where(Job.instance_id == started["id"],
                                                             Job.state == "pending")).all()
    body = progress(api, "SX-2026-000095", started["query_code"]).get_json()
    assert body["case_state"] == "补正(开始)" and body["current_steps"] == []
    assert body["awaiting"] == {"what": "待申请人补正材料", "due_on": due.astimezone(LOCAL_TZ).date().isoformat(),
                                "kind": "supplement", "materials": ["申请人身份证明"]}

    supplemented = api.as_("integrator").post("/api/messages", json={"name": "materials_supplemented",
                                                                     "business_key": "SX-2026-000095"})
    assert supplemented.status_code == 200, supplemented.get_json()
    assert progress(api, "SX-2026-000095", started["query_code"]).get_json()["awaiting"] is None
    spec = api.client.get("/api/openapi.json").get_json()
    assert {"awaiting", "delivery"} <= set(spec["components"]["schemas"]["Progress"]["properties"])


def test_a_delivered_case_shows_how_it_was_delivered_and_its_tracking_number(api, app):
    api.deploy(WINDOW)
    started = api.start("window_acceptance", business_key="SX-2026-000096")
    window, admin = api.as_("window_clerk"), api.as_("admin")
    complete_open_task(window, started["id"], "accept", reader="admin", decision="accept", opinion="内部：材料齐全")
    complete_open_task(admin, started["id"], "review", reader="admin", review_opinion="材料齐全")
    assert progress(api, "SX-2026-000096", started["query_code"]).get_json()["status"] == "办理中"
    complete_open_task(admin, started["id"], "decide", reader="admin", approved=True, decision_opinion="同意")
    decided = progress(api, "SX-2026-000096", started["query_code"]).get_json()
    assert decided["status"] == "已决定，待送达" and decided["ended_at"] is None  # decided, not concluded
    page = lookup(Browser(app.test_client()), "SX-2026-000096", started["query_code"]).text
    assert "已决定，待送达" in page and "当前状态" not in page  # not beside the state reached before the decision
    complete_open_task(admin, started["id"], "certify", reader="admin", certificate_no="SX-XK-2026-000096")
    assert progress(api, "SX-2026-000096", started["query_code"]).get_json()["delivery"] is None  # not yet
    complete_open_task(window, started["id"], "deliver", reader="admin", delivery_method="mail",
                       tracking_no="SF1234567890")
    body = progress(api, "SX-2026-000096", started["query_code"]).get_json()
    assert body["status"] == "已办结"
    assert body["delivery"] == {"method": "mail", "method_name": "邮寄送达", "tracking_no": "SF1234567890"}
    assert "内部：材料齐全" not in str(body)


def test_a_case_number_and_code_typed_full_width_find_the_case_and_rate_it(api):
    """A Chinese input method types ＳＸ－２０２６ and ＶＷ４ＥＫＹＨＺ: read as NFKC, they are the number and code."""
    from engine.models import Rating
    from tests.applicants import window_case_done

    def wide(text: str) -> str:
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)

    api.deploy(WINDOW)
    case = window_case_done(api, "SX-QA-0001")
    typed_no, typed_code = f"\u3000{wide('SX-QA-0001')} ", wide(case["query_code"].lower())
    assert typed_no != "SX-QA-0001" and typed_code.upper() != case["query_code"]
    found = progress(api, typed_no, typed_code)
    assert found.status_code == 200 and found.get_json()["case_no"] == "SX-QA-0001"
    # Typed in lower case from a receipt (generated numbers are in capitals): the code tells the case.
    assert progress(api, "sx-qa-0001", case["query_code"]).get_json()["case_no"] == "SX-QA-0001"
    assert progress(api, "sx-qa-0001", "WRONG123").status_code == 404
    rated = api.client.post("/api/public/ratings", json={"case_no": typed_no, "code": typed_code, "level": 1})
    assert rated.status_code == 201, rated.get_json()
    with api.runtime.uow() as uow:
        assert [r.business_key for r in uow.session.scalars(select(Rating))] == ["SX-QA-0001"]
