"""Extensions (延长审批, 行政许可法 Art 42) are approved by the agency head: a clerk of the case's lead
department requests one (days and reason), checked at once as the approval would be; the head of that
department (本行政机关负责人: the market regulator deciding the licence, not the service centre whose window
received it) approves it, with the days asked or fewer, or refuses it with an opinion; the head may also extend
on their own initiative while no request is pending, and a supervisor (电子监察) no longer extends at all. A
request still pending when the case's clock stops lapses. The food licence accepted on Monday 2 March 2026
(deadline 16 March), led by the regulator (SCJG), the window's centre (ZWFW) taking part."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engine import extensions, time_limits
from engine.errors import Conflict, Forbidden
from engine.models import CaseDepartment, ExtensionRequest, HistoryEvent, SpecialProcedure
from engine.users import Actor
from tests.api.test_time_limits import accepted_food_case
from tests.heads import head
from tests.helpers import CAST, at

HEAD = Actor("head", frozenset({"window", "food_review"}), frozenset({"head"}))
# The regulator's food review section asks; the service centre has its own head, who decides nothing here.
CAST.setdefault("food_reviewer", {"groups": ["food_review"], "roles": ["clerk"]})
CAST.setdefault("window_head", {"groups": ["window"], "roles": ["head"]})


@pytest.fixture
def case(api: Any, now: Any) -> int:
    """The accepted food licence, with the departments its head heads; the clerk asks on 4 March."""
    case_id = accepted_food_case(api, now)
    head(api)
    now(date(2026, 3, 4))
    return case_id


def ask(api: Any, case_id: int, days: int = 5, reason: str = "需征求相关部门意见", *, who: str = "food_reviewer") -> Any:
    return api.as_(who).post(f"/api/process-instances/{case_id}/clock/extension-requests",
                             json={"days": days, "reason": reason})


def clock(api: Any, case_id: int) -> dict[str, Any]:
    return api.get(f"/api/process-instances/{case_id}/clock").get_json()


def events(api: Any, case_id: int) -> list[dict[str, Any]]:
    return api.get(f"/api/process-instances/{case_id}/history").get_json()


def test_a_clerk_requests_and_the_head_approves_the_extension(api: Any, case: int) -> None:
    asked = ask(api, case)
    assert asked.status_code == 201, asked.get_json()
    request = asked.get_json()
    assert (request["state"], request["days"], request["reason"], request["requested_by"]) == \
        ("pending", 5, "需征求相关部门意见", "food_reviewer")
    assert request["process_instance_id"] == case and request["deadline_date"] == "2026-03-16"
    assert clock(api, case)["extension_days"] == 0  # nothing extended until the head approves
    assert events(api, case)[-1]["event"] == "clock.extension_requested"
    assert events(api, case)[-1]["data"] == {"request_id": request["id"], "days": 5, "reason": "需征求相关部门意见"}

    listed = api.as_("head").get("/api/extension-requests?state=pending").get_json()
    assert [r["id"] for r in listed["items"]] == [request["id"]] and listed["total"] == 1

    approved = api.as_("head").post(f"/api/extension-requests/{request['id']}/approve", json={"opinion": "同意"})
    assert approved.status_code == 200, approved.get_json()
    body = approved.get_json()
    assert (body["state"], body["decided_by"], body["opinion"], body["granted_days"]) == ("approved", "head", "同意", 5)
    # 16 March + 5 working days: 23 March.
    after = clock(api, case)
    assert (after["extension_days"], after["deadline_date"], after["extension_remaining_days"]) == \
        (5, "2026-03-23", 5)
    [procedure] = after["procedures"]
    assert (procedure["kind"], procedure["days"], procedure["reason_or_basis"], procedure["result"],
            procedure["opinion"], procedure["created_by"]) == \
        ("extension", 5, "需征求相关部门意见", "approved", "同意", "head")
    *_, extended, notice = events(api, case)  # the notice's template is not deployed here: none issued
    assert notice["event"] == "document.missing" and notice["data"]["name"] == "extension_notice"
    assert extended["event"] == "clock.extended" and extended["actor"] == "head"
    assert extended["data"]["request_id"] == request["id"] and extended["data"]["days"] == 5
    assert api.as_("head").get("/api/extension-requests?state=pending").get_json()["total"] == 0
    assert [r["id"] for r in api.as_("head").get("/api/extension-requests?state=approved").get_json()["items"]] \
        == [request["id"]]
    # Decided once: a second decision is a conflict and changes nothing.
    again = api.as_("head").post(f"/api/extension-requests/{request['id']}/approve", json={})
    assert again.status_code == 409 and clock(api, case)["extension_days"] == 5


def test_one_request_is_pending_at_a_time_and_a_second_names_it(api: Any, case: int) -> None:
    first = ask(api, case).get_json()
    second = ask(api, case, 2, "再申请")
    assert second.status_code == 409
    error = second.get_json()["error"]
    assert f"extension request {first['id']} pending" in error["message"]
    assert error["pending_request_id"] == first["id"]
    # Refused, the case may ask again.
    assert api.as_("head").post(f"/api/extension-requests/{first['id']}/refuse",
                                json={"opinion": "材料足以作出决定"}).status_code == 200
    assert ask(api, case, 2, "再申请").status_code == 201


def test_the_database_holds_one_pending_request_per_case(api: Any, case: int) -> None:
    ask(api, case)
    with api.runtime.uow() as uow:
        uow.session.add(ExtensionRequest(instance_id=case, days=1, reason="x", state="pending", requested_by="x",
                                         requested_at=at(date(2026, 3, 4))))
        with pytest.raises(IntegrityError):
            uow.session.flush()


def test_a_request_is_checked_up_front_as_the_approval_would_be(api: Any, now: Any, case: int) -> None:
    beyond = ask(api, case, 11)
    assert beyond.status_code == 409
    assert beyond.get_json()["error"]["extension_remaining_days"] == 10
    assert ask(api, case, 0).status_code == 422 and ask(api, case, 2, "").status_code == 422
    now(date(2026, 3, 17))  # past the deadline of 16 March
    late = ask(api, case, 2)
    assert late.status_code == 409 and late.get_json()["error"]["deadline_date"] == "2026-03-16"
    with api.runtime.uow() as uow:
        assert uow.session.scalars(select(ExtensionRequest)).all() == []
        assert not uow.session.scalars(select(HistoryEvent).where(
            HistoryEvent.event == "clock.extension_requested")).all()


def test_a_request_the_deadline_overtook_stays_pending_for_the_head_to_refuse(api: Any, now: Any,
                                                                             case: int) -> None:
    request = ask(api, case).get_json()
    now(date(2026, 3, 17))
    refused = api.as_("head").post(f"/api/extension-requests/{request['id']}/approve", json={"opinion": "同意"})
    assert refused.status_code == 409
    assert refused.get_json()["error"]["deadline_date"] == "2026-03-16"
    assert api.as_("head").get("/api/extension-requests?state=pending").get_json()["total"] == 1
    assert clock(api, case)["extension_days"] == 0

    no_opinion = api.as_("head").post(f"/api/extension-requests/{request['id']}/refuse", json={})
    assert no_opinion.status_code == 422
    blank = api.as_("head").post(f"/api/extension-requests/{request['id']}/refuse", json={"opinion": "   "})
    assert blank.status_code == 422
    done = api.as_("head").post(f"/api/extension-requests/{request['id']}/refuse", json={"opinion": "已超期，不予延长"})
    assert done.status_code == 200 and done.get_json()["state"] == "refused"
    last = events(api, case)[-1]
    assert last["event"] == "clock.extension_refused" and last["data"]["opinion"] == "已超期，不予延长"
    with api.runtime.uow() as uow:
        assert uow.session.scalars(select(SpecialProcedure)).all() == []  # nothing extended


def test_who_requests_who_decides_and_who_reads(api: Any, case: int) -> None:
    assert ask(api, case, who="supervisor").status_code == 403  # the monitor asks for nothing
    assert ask(api, case, who="office_clerk").status_code == 403  # no task of the case
    assert ask(api, case, who="head").status_code == 403
    request = ask(api, case).get_json()
    url = f"/api/extension-requests/{request['id']}"
    # A head of another department, a supervisor and a clerk decide nothing.
    from tests.helpers import CAST
    CAST.setdefault("office_head", {"groups": ["office"], "roles": ["head"]})
    for who in ("office_head", "supervisor", "food_reviewer"):
        assert api.as_(who).post(f"{url}/approve", json={}).status_code == 403, who
        assert api.as_(who).post(f"{url}/refuse", json={"opinion": "不同意"}).status_code == 403, who
    # The list: the other department's head sees none, supervision every one, a clerk is refused.
    assert api.as_("office_head").get("/api/extension-requests").get_json()["total"] == 0
    assert api.as_("supervisor").get("/api/extension-requests?state=pending").get_json()["total"] == 1
    assert api.as_("food_reviewer").get("/api/extension-requests").status_code == 403
    assert api.as_("head").get("/api/extension-requests?state=later").status_code == 422
    assert api.as_("admin").post(f"{url}/approve", json={}).status_code == 200  # admins do all of it


def test_only_an_agency_head_of_the_case_extends_on_their_own_initiative(api: Any, case: int) -> None:
    url = f"/api/process-instances/{case}/clock/extend"
    body = {"days": 3, "reason": "情况复杂，经本机关负责人批准"}
    assert api.as_("supervisor").post(url, json=body).status_code == 403
    from tests.helpers import CAST
    CAST.setdefault("office_head", {"groups": ["office"], "roles": ["head"]})
    assert api.as_("office_head").post(url, json=body).status_code == 403
    extended = api.as_("head").post(url, json=body)
    assert extended.status_code == 200 and extended.get_json()["extension_days"] == 3


def test_the_engine_commands_refuse_and_approve_as_the_api_does(api: Any, case: int) -> None:
    clerk = Actor("food_reviewer", frozenset({"food_review"}), frozenset({"clerk"}))
    view = extensions.request(api.runtime.uow(), case, actor=clerk, days=10, reason="专家论证")
    with pytest.raises(Conflict):
        extensions.request(api.runtime.uow(), case, actor=clerk, days=1, reason="again")
    with pytest.raises(Forbidden):
        time_limits.extend(api.runtime.uow(), case, actor=Actor("zhou", roles=frozenset({"supervisor"})), days=1,
                           reason="督办")
    approved = extensions.approve(api.runtime.uow(), view.id, actor=HEAD)
    assert approved.state == "approved" and approved.opinion is None and approved.deadline_date == date(2026, 3, 30)
    with pytest.raises(Conflict):  # the allowance is used: nothing more to ask for
        extensions.request(api.runtime.uow(), case, actor=clerk, days=1, reason="再延长")
    [listed], total = extensions.list_requests(api.runtime.uow(), actor=HEAD, state="approved")
    assert (listed.id, listed.business_key, total) == (view.id, approved.business_key, 1)
    assert [r.id for r in extensions.of_case(api.runtime.uow(), case, actor=HEAD)] == [view.id]


# ---- the lead department's head and clerks (本行政机关) ---------------------------------------------

def test_only_the_lead_department_s_clerks_ask_and_its_heads_decide(api: Any, case: int) -> None:
    with api.runtime.uow() as uow:
        roles = dict(uow.session.execute(select(CaseDepartment.department_code, CaseDepartment.role)
                                         .where(CaseDepartment.case_id == case)).all())
    assert roles == {"SCJG": "lead", "ZWFW": "participant"}  # the window's centre only received it
    # The window's clerk saw the case's acceptance, but the regulator asks for its own time.
    refused = ask(api, case, who="window_clerk")
    assert refused.status_code == 403 and "lead department" in refused.get_json()["error"]["message"]
    request = ask(api, case).get_json()
    url = f"/api/extension-requests/{request['id']}"
    # The centre's head is no head of the agency deciding the licence: no approval, no extension, no list.
    assert api.as_("window_head").post(f"{url}/approve", json={"opinion": "同意"}).status_code == 403
    assert api.as_("window_head").post(f"{url}/refuse", json={"opinion": "不同意"}).status_code == 403
    assert api.as_("window_head").get("/api/extension-requests?state=pending").get_json()["total"] == 0
    assert clock(api, case)["extension_days"] == 0
    refused = api.as_("window_head").post(f"{url}/refuse", json={"opinion": "不同意"}).get_json()
    assert "lead department" in refused["error"]["message"]
    assert api.as_("head").post(f"{url}/approve", json={"opinion": "同意"}).status_code == 200  # SCJG's head
    assert api.as_("window_head").post(f"/api/process-instances/{case}/clock/extend",
                                       json={"days": 1, "reason": "窗口延长"}).status_code == 403
    assert clock(api, case)["extension_days"] == 5


# ---- the head grants fewer days; no extension of one's own while a request waits ----------------------

def test_the_head_may_grant_fewer_days_than_requested(api: Any, case: int) -> None:
    request = ask(api, case, 5).get_json()
    url = f"/api/extension-requests/{request['id']}/approve"
    for days in (6, 0, "3"):
        assert api.as_("head").post(url, json={"days": days}).status_code == 422, days
    assert clock(api, case)["extension_days"] == 0
    approved = api.as_("head").post(url, json={"days": 2, "opinion": "同意延长 2 个工作日"})
    assert approved.status_code == 200, approved.get_json()
    body = approved.get_json()
    assert (body["state"], body["days"], body["granted_days"]) == ("approved", 5, 2)
    # 16 March + 2 working days: 18 March; 8 of the 10 left.
    after = clock(api, case)
    assert (after["extension_days"], after["deadline_date"], after["extension_remaining_days"]) == \
        (2, "2026-03-18", 8)
    assert after["procedures"][0]["days"] == 2
    extended = events(api, case)[-2]  # then the notice's (document.missing: its template is not deployed here)
    assert extended["event"] == "clock.extended" and extended["data"]["days"] == 2


def test_a_direct_extension_waits_for_the_pending_request(api: Any, case: int) -> None:
    request = ask(api, case, 3).get_json()
    url = f"/api/process-instances/{case}/clock/extend"
    refused = api.as_("head").post(url, json={"days": 2, "reason": "情况复杂"})
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["pending_request_id"] == request["id"] and f"extension request {request['id']}" in error["message"]
    assert clock(api, case)["extension_days"] == 0
    api.as_("head").post(f"/api/extension-requests/{request['id']}/refuse", json={"opinion": "不予延长"})
    assert api.as_("head").post(url, json={"days": 2, "reason": "情况复杂"}).status_code == 200


# ---- requests outlived by their case's clock lapse -----------------------------------------------

def test_a_withdrawal_lapses_the_pending_request(api: Any, case: int) -> None:
    request = ask(api, case).get_json()
    ended = api.as_("supervisor").post(f"/api/process-instances/{case}/terminate",
                                       json={"reason": "申请人撤回申请", "withdrawn": True})
    assert ended.status_code == 200, ended.get_json()
    assert api.as_("head").get("/api/extension-requests?state=pending").get_json()["total"] == 0
    [lapsed] = api.as_("head").get("/api/extension-requests?state=lapsed").get_json()["items"]
    assert (lapsed["id"], lapsed["state"], lapsed["lapsed_because"], lapsed["decided_by"]) == \
        (request["id"], "lapsed", "withdrawn", None)
    history = events(api, case)
    stopped = next(i for i, e in enumerate(history) if e["event"] == "clock.stopped")
    lapse = history[stopped + 1]  # recorded with the stop, in the same step
    assert lapse["event"] == "clock.extension_lapsed"
    assert lapse["data"] == {"request_id": request["id"], "days": 5, "reason": "需征求相关部门意见", "because": "withdrawn"}
    # Nothing to decide any more, and the refusal says why, not that the case was decided.
    late = api.as_("head").post(f"/api/extension-requests/{request['id']}/approve", json={})
    assert late.status_code == 409
    error = late.get_json()["error"]
    assert (error["state"], error["lapsed_because"]) == ("lapsed", "withdrawn")
    extend = api.as_("head").post(f"/api/process-instances/{case}/clock/extend", json={"days": 1, "reason": "x"})
    assert extend.status_code == 409 and extend.get_json()["error"]["stopped_because"] == "withdrawn"
    assert "withdrew" in extend.get_json()["error"]["message"]


def test_a_termination_and_a_decision_lapse_the_pending_request(api: Any, now: Any, case: int) -> None:
    from tests.api.test_time_limits import accepted_food_case
    from tests.helpers import complete_open_task

    ask(api, case)
    api.as_("supervisor").post(f"/api/process-instances/{case}/terminate",
                               json={"reason": "依法终止办理", "withdrawn": False})
    decided = accepted_food_case(api, now)
    now(date(2026, 3, 4))
    # Started with the departments set up and no guide, it is led by the window's centre (engine.departments).
    assert ask(api, decided, who="window_clerk").status_code == 201
    complete_open_task(api, decided, "review", reader="admin")
    complete_open_task(api, decided, "decide", reader="admin", decision="grant")  # 决定: the clock stops
    lapsed = api.as_("head").get("/api/extension-requests?state=lapsed").get_json()["items"]
    assert {(r["process_instance_id"], r["lapsed_because"]) for r in lapsed} == \
        {(case, "terminated"), (decided, "decided")}
    assert api.as_("supervisor").get("/api/extension-requests?state=pending").get_json()["total"] == 0


def test_a_request_past_its_deadline_is_listed_as_refusable_only(api: Any, now: Any, case: int) -> None:
    ask(api, case)
    assert api.as_("head").get("/api/extension-requests?state=pending").get_json()["items"][0]["overdue"] is False
    now(date(2026, 3, 17))
    assert api.as_("head").get("/api/extension-requests?state=pending").get_json()["items"][0]["overdue"] is True
