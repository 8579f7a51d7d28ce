"""Notices to the applicant beyond a diagram's business events (DOMAIN rule 9): an extension of the time limit
granted (Art 42), a case ended by the office, withdrawn at the applicant's request or deemed withdrawn by its
diagram, and a special procedure started by hand. Each goes out as an outbox ``notice`` in the command's
transaction, to the applicant's number, in the words the progress page uses; a refused command sends none."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine import jobs, notify
from engine.models import Job, OutboxEvent, ProcessInstance
from tests.api.test_extension_notice import accepted, extend
from tests.api.test_pages_public import library_files
from tests.applicants import FOOD, WINDOW
from tests.helpers import complete_open_task, seed_national_calendar

FOOD_PHONE = "13800138000"  # tests.service_items.FOOD_APPLICATION
PHONE = "13900005678"


def sent(api: Any, case_id: int) -> list[dict[str, Any]]:
    """The ``notice`` outbox events of a case, oldest first: their data (event, text, recipient ...)."""
    with api.runtime.uow() as uow:
        return [e.data for e in uow.session.scalars(select(OutboxEvent).where(
            OutboxEvent.event == "notice", OutboxEvent.instance_id == case_id).order_by(OutboxEvent.id))]


def terminate(api: Any, case_id: int, reason: str, *, user: str = "supervisor", **body: Any) -> Any:
    return api.as_(user).post(f"/api/process-instances/{case_id}/terminate", json={"reason": reason, **body})


# ---- an extension of the time limit ------------------------------------------------------------------

def test_the_heads_extension_tells_the_applicant_the_days_and_the_new_deadline(api: Any, now: Any) -> None:
    started = accepted(api, now, "SCJG-2026-0301")
    case_id = started["id"]
    assert [n["event"] for n in sent(api, case_id)] == ["accepted"]
    extend(api, case_id, 3, "需组织专家对经营场所布局进行评审")

    *_, told = sent(api, case_id)
    assert (told["event"], told["recipient"], told["recipient_confidential"]) == ("extended", FOOD_PHONE, False)
    assert told["text"] == "您的办件（编号SCJG-2026-0301）办理期限经批准延长3个工作日，将于2026年3月19日前作出决定。"
    assert (told["instance_id"], told["business_key"]) == (case_id, "SCJG-2026-0301")
    assert "专家" not in told["text"]  # the reason is the written notice's, read on the progress page


def test_an_approved_request_tells_the_days_the_head_granted_once(api: Any, now: Any) -> None:
    case_id = accepted(api, now, "SCJG-2026-0302")["id"]
    asked = api.as_("food_reviewer").post(f"/api/process-instances/{case_id}/clock/extension-requests",
                                          json={"days": 5, "reason": "需征求卫生健康部门意见"})
    assert asked.status_code == 201, asked.get_json()
    assert [n["event"] for n in sent(api, case_id)] == ["accepted"]  # asking extends nothing
    approved = api.as_("head").post(f"/api/extension-requests/{asked.get_json()['id']}/approve",
                                    json={"days": 2, "opinion": "同意"})
    assert approved.status_code == 200, approved.get_json()
    assert [n["text"] for n in sent(api, case_id) if n["event"] == "extended"] == [
        "您的办件（编号SCJG-2026-0302）办理期限经批准延长2个工作日，将于2026年3月18日前作出决定。"]


def test_an_extension_while_the_clock_is_paused_tells_no_date_yet(api: Any, now: Any) -> None:
    case_id = accepted(api, now, "SCJG-2026-0309")["id"]
    paused = api.as_("supervisor").post(f"/api/process-instances/{case_id}/clock/pause",
                                        json={"kind": "inspection", "reason": "需现场核查经营场所"})
    assert paused.status_code == 200, paused.get_json()
    extend(api, case_id, 2, "需组织专家评审")
    [told] = [n for n in sent(api, case_id) if n["event"] == "extended"]
    assert told["text"] == ("您的办件（编号SCJG-2026-0309）办理期限经批准延长2个工作日，"
                            "暂停计时期间不计入办理期限，恢复计时后相应顺延。")


def test_a_refused_extension_tells_nothing(api: Any, now: Any) -> None:
    case_id = accepted(api, now, "SCJG-2026-0303")["id"]
    too_long = api.as_("head").post(f"/api/process-instances/{case_id}/clock/extend",
                                    json={"days": 6, "reason": "需组织专家评审"})  # the guide allows 5
    assert too_long.status_code == 409, too_long.get_json()
    asked = api.as_("food_reviewer").post(f"/api/process-instances/{case_id}/clock/extension-requests",
                                          json={"days": 3, "reason": "需征求相关部门意见"})
    refused = api.as_("head").post(f"/api/extension-requests/{asked.get_json()['id']}/refuse",
                                   json={"opinion": "材料足以作出决定"})
    assert refused.status_code == 200, refused.get_json()
    assert [n["event"] for n in sent(api, case_id)] == ["accepted"]


def test_a_confidential_number_is_marked_so_in_the_extensions_notice(api: Any, now: Any) -> None:
    secret = b'<camunda:property name="govflow.confidential" value="applicant_phone" />\n        '
    files = [(name, content.replace(b'<camunda:property name="govflow.promisedDays"',
                                    secret + b'<camunda:property name="govflow.promisedDays"')
              if name.endswith("food_business_licence.bpmn") else content) for name, content in library_files()]
    case_id = accepted(api, now, "SCJG-2026-0305", files=files)["id"]
    extend(api, case_id, 1, "需组织专家评审")
    *_, told = sent(api, case_id)
    assert (told["event"], told["recipient"], told["recipient_confidential"]) == ("extended", FOOD_PHONE, True)


# ---- a case ended with no decision ---------------------------------------------------------------------

def test_a_termination_by_the_office_tells_the_applicant_without_staff_s_reason(api: Any) -> None:
    api.deploy(WINDOW)
    case = api.start("window_acceptance", business_key="SX-2026-000301", variables={"applicant_phone": PHONE})
    ended = terminate(api, case["id"], "材料涉嫌伪造，移交稽查，勿告知申请人")
    assert ended.status_code == 200, ended.get_json()

    [told] = sent(api, case["id"])
    assert (told["event"], told["recipient"]) == ("terminated", PHONE)
    assert told["text"] == "您的办件（编号SX-2026-000301）已由办理机关终止办理，如有疑问请咨询办理机关。"
    with api.runtime.uow() as uow:  # after the case's own event, in its transaction
        order = [e.event for e in uow.session.scalars(select(OutboxEvent).where(
            OutboxEvent.instance_id == case["id"]).order_by(OutboxEvent.id))]
    assert order[-2:] == ["instance.terminated", "notice"]

    again = terminate(api, case["id"], "重复终止")  # refused: nothing more is told
    assert again.status_code == 409
    assert len(sent(api, case["id"])) == 1


def test_a_withdrawal_the_applicant_asked_for_is_confirmed(api: Any) -> None:
    """Confirmed as platforms confirm one: it is often made for the applicant (at the window, by an agent),
    and the text is their record that the case is no longer handled."""
    api.deploy(WINDOW)
    by_reason = api.start("window_acceptance", business_key="SX-2026-000302", variables={"applicant_phone": PHONE})
    by_flag = api.start("window_acceptance", business_key="SX-2026-000303", variables={"applicant_mobile": PHONE})
    assert terminate(api, by_reason["id"], "应申请人要求撤回申请（电话告知，经办人王五）").status_code == 200
    assert terminate(api, by_flag["id"], "来电办理", withdrawn=True).status_code == 200
    for case in (by_reason, by_flag):
        [told] = sent(api, case["id"])
        assert (told["event"], told["recipient"]) == ("withdrawn", PHONE)
        assert told["text"] == f"您的办件（编号{case['business_key']}）已按您的申请撤回，不再办理。"


def test_a_termination_another_system_may_not_make_tells_nothing(api: Any) -> None:
    api.deploy(WINDOW)
    case = api.start("window_acceptance", business_key="SX-2026-000304", variables={"applicant_phone": PHONE})
    from tests.helpers import CAST

    CAST.setdefault("other_integrator", {"groups": [], "roles": ["integrator"]})
    refused = terminate(api, case["id"], "申请人撤回申请", user="other_integrator")
    assert refused.status_code == 403, refused.get_json()
    assert sent(api, case["id"]) == []


def test_without_a_number_the_notice_names_no_recipient(api: Any) -> None:
    api.deploy(WINDOW)
    case = api.start("window_acceptance", business_key="SX-2026-000305")
    assert terminate(api, case["id"], "重复立案，终止办理").status_code == 200
    [told] = sent(api, case["id"])
    assert (told["event"], told["recipient"]) == ("terminated", None)


def test_a_case_deemed_withdrawn_by_its_diagram_tells_the_applicant_in_the_words_of_its_end(api: Any) -> None:
    """The food licence's supplement time passes and its timer ends the case deemed withdrawn; told once, as the
    progress page says it, with or without a webhook listening (which reads the end from the same place)."""
    seed_national_calendar(api.runtime)
    api.deploy(FOOD)
    hook = api.as_("integrator").post("/api/webhooks", json={"url": "http://127.0.0.1:9/hook"})
    assert hook.status_code == 201, hook.get_json()
    for number, listened in (("SCJG-2026-0306", True), ("SCJG-2026-0307", False)):
        if not listened:
            gone = api.client.delete(f"/api/webhooks/{hook.get_json()['id']}?discard=true",
                                     headers=api.as_("integrator").headers())
            assert gone.status_code == 204, gone.get_json()
        started = api.start("food_business_licence", business_key=number, variables={"applicant_phone": PHONE})
        complete_open_task(api.as_("window_clerk"), started["id"], "acceptance_check", reader="admin",
                           acceptance_decision="incomplete", missing_materials="营业执照复印件")
        assert [n["event"] for n in sent(api, started["id"])] == ["supplement_requested"]
        with api.runtime.uow() as uow:
            [job] = uow.session.scalars(select(Job).where(Job.instance_id == started["id"],
                                                          Job.state == "pending")).all()
            due = job.due_at
        assert jobs.run_due(api.runtime, worker_id="w1", now=due) == 1

        *_, told = sent(api, started["id"])
        assert (told["event"], told["recipient"]) == ("deemed_withdrawn", PHONE)
        assert told["text"] == f"您的办件（编号{number}）已终止办理：逾期未补正，视为撤回申请。"
        assert len(sent(api, started["id"])) == 2
        body = api.client.get(f"/api/public/progress/{number}", query_string={"code": started["query_code"]}).get_json()
        assert body["end_reason"] in told["text"]


def test_a_case_a_decision_ended_tells_no_end_of_its_own(api: Any) -> None:
    api.deploy("notified_approval.bpmn")
    case = api.start("notified_approval", variables={"applicant_phone": PHONE})
    complete_open_task(api.as_("window_clerk"), case["id"], "accept", reader="admin")
    complete_open_task(api.as_("admin"), case["id"], "review", reader="admin")
    with api.runtime.uow() as uow:
        assert uow.session.get(ProcessInstance, case["id"]).state == "completed"
    assert [n["event"] for n in sent(api, case["id"])] == ["accepted", "decision"]


# ---- a special procedure started by hand ----------------------------------------------------------------

def test_a_special_procedure_tells_its_kind_and_how_long_it_may_last(api: Any, now: Any) -> None:
    case_id = accepted(api, now, "SCJG-2026-0308")["id"]
    pause = f"/api/process-instances/{case_id}/clock/pause"
    refused = api.as_("window_clerk").post(pause, json={"kind": "hearing", "reason": "听证"})  # not in the guide
    assert refused.status_code == 422, refused.get_json()
    assert [n["event"] for n in sent(api, case_id)] == ["accepted"]

    paused = api.as_("window_clerk").post(pause, json={"kind": "inspection", "reason": "需核实经营场所"})
    assert paused.status_code == 200, paused.get_json()
    *_, told = sent(api, case_id)
    assert (told["event"], told["recipient"]) == ("special_procedure", FOOD_PHONE)
    assert told["text"] == "您的办件（编号SCJG-2026-0308）进入特别程序（现场核查），最长10个工作日，所需时间不计入办理期限。"
    assert "核实" not in told["text"]  # the reason is the written notice's
    assert [n["event"] for n in sent(api, case_id)] == ["accepted", "special_procedure"]


def test_a_special_procedure_of_no_set_length_tells_no_length(api: Any, now: Any) -> None:
    """An item without a guide allows every kind of Art 45, for no length set in advance."""
    files = [(name, content) for name, content in library_files() if name != "SCJG-XK-0001/guide.json"]
    case_id = accepted(api, now, "SCJG-2026-0309", files=files)["id"]
    paused = api.as_("window_clerk").post(f"/api/process-instances/{case_id}/clock/pause",
                                          json={"kind": "other", "reason": "需征求意见"})
    assert paused.status_code == 200, paused.get_json()
    *_, told = sent(api, case_id)
    assert told["text"] == "您的办件（编号SCJG-2026-0309）进入特别程序，所需时间不计入办理期限。"  # no kind to name


def test_an_end_deemed_withdrawn_that_says_no_more_never_tells_the_applicant_they_withdrew() -> None:
    """An unnamed end, or one named as its state, gives no words of its own: the text says the application is
    deemed withdrawn, not that the applicant withdrew it."""
    row = ProcessInstance(id=7, business_key="SX-2026-000777")
    told = notify.case_ended(row, {"applicant_phone": PHONE}, frozenset(), terminated=False, end_kind="withdrawn",
                             end_step=None)
    assert told is not None and told.text == "您的办件（编号SX-2026-000777）已终止办理：视为撤回申请。"
    assert "撤回申请" in told.text and "申请人撤回" not in told.text and told.recipient == PHONE
