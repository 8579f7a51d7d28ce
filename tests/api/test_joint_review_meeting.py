"""The joint review meeting (联合审批会议, bpmn/ZWFW-LH-0001): the centre accepts the application, chooses the
member departments from those set up here (not itself), and convenes for a day within the case's time limit
and a year the calendar has; on that day the members vote in parallel, none seeing another's vote before the
count, each ballot due the working day after the meeting (a missing one counts as absent, and only then), the
application counts quorum and majority, the chair decides on the tally (kept with the round), no quorum means
the meeting failed and is convened again, each round afresh."""
from __future__ import annotations

import html
import io
import json
import re
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from engine import _form_fields, calendar, diagram_functions, execution, jobs, time_limits
from engine.clock import LOCAL_TZ, utcnow
from engine.models import Job
from engine.users import Actor
from tests.api.test_pages import Browser, person
from tests.api.test_worksheet_pages import signed_in
from tests.helpers import (
    ROOT,
    ApiClient,
    by_bpmn_id,
    case_tasks,
    complete_open_task,
    complete_task,
    cover_year,
    seed_national_calendar,
)
from tests.integration.test_timer_refresh import freeze_spiff_clock
from tests.service_items import (
    case_states,
    deploy_item,
    documents,
    form_options,
    guide,
    item_files,
    pending_timer,
    send_message,
    supply_materials,
)

CODE = "ZWFW-LH-0001"
ITEM = ROOT / "bpmn" / CODE
FORMS = [ROOT / "forms" / f"joint-review-{name}.form" for name in ("acceptance", "convene", "vote", "chair")]
# The member departments as set up here (PUT /api/departments), each with the group its clerks are in.
DEPARTMENTS = {"FGW": ("市发展和改革委员会", "fgw"), "ZRZY": ("市自然资源和规划局", "zrzy"),
               "ZJJ": ("市住房和城乡建设局", "zjj"), "STHJ": ("市生态环境局", "sthj")}
CLERKS = {"fgw": "fgw_clerk", "zrzy": "zrzy_clerk", "zjj": "zjj_clerk", "sthj": "sthj_clerk"}


def set_up_departments(api: ApiClient, codes: tuple[str, ...] = tuple(DEPARTMENTS)) -> None:
    for code in codes:
        name, group = DEPARTMENTS[code]
        response = api.as_("admin").put(f"/api/departments/{code}", json={"name": name, "groups": [group]})
        assert response.status_code in (200, 201), response.get_json()


def local_today() -> date:
    return utcnow().astimezone(LOCAL_TZ).date()


def in_a_week() -> str:
    """A meeting date a week from today: never in the past, whenever the suite runs."""
    return (local_today() + timedelta(days=7)).isoformat()


def today() -> str:
    """A meeting today: its ballots open as soon as it is convened."""
    return local_today().isoformat()


def accept(api: ApiClient, case: dict[str, Any]) -> dict[str, Any]:
    return complete_open_task(api, case, "acceptance", user="zwfw_clerk", acceptance={"decision": "accept"})


def convene(api: ApiClient, case: dict[str, Any], members: tuple[str, ...] = tuple(DEPARTMENTS), *,
            meeting_date: str | None = None) -> list[dict[str, Any]]:
    """Convene the round's meeting with these member departments, today unless a date is given; the ballots
    it opens (none before the meeting day)."""
    meeting_date = meeting_date or today()
    cover_year(api.runtime, date.fromisoformat(meeting_date))
    after = complete_open_task(api, case, "convene", user="zwfw_clerk", member_departments=list(members),
                               meeting_date=meeting_date, meeting_place="政务服务中心第一会议室")
    return [t for t in after["tasks"] if t["bpmn_id"] == "vote"]


def vote_all(api: ApiClient, ballots: list[dict[str, Any]], votes: dict[str, str]) -> dict[str, Any]:
    """Each member department votes in its own task (a vote against with its reasons); the case as it stands
    after the last vote."""
    after: dict[str, Any] = {}
    for ballot in ballots:
        [group] = ballot["candidate_groups"]
        form = api.as_(CLERKS[group]).get(f"/api/tasks/{ballot['id']}/form").get_json()
        name = form["data"]["member"]["name"]  # shown read-only; sent back unchanged as form-js does
        said = "reason" if votes[group] == "reject" else "opinion"
        after = complete_task(api, ballot, user=CLERKS[group], project_name=form["data"]["project_name"],
                              member={"name": name, "vote": votes[group], said: f"{name}意见：{votes[group]}"})
    return after


def lapse(api: ApiClient, case: dict[str, Any]) -> int:
    """Let the ballots not cast run out (their timers, due the working day after the meeting, fire): how many."""
    due = max(job.due_at for job in ballot_timers(api, case) if job.state == "pending")
    return jobs.run_due(api.runtime, worker_id="test", now=due + timedelta(seconds=1))


def variables(api: ApiClient, case: dict[str, Any]) -> dict[str, Any]:
    return api.as_("supervisor").get(f"/api/process-instances/{case['id']}").get_json()["variables"]


def reached(api: ApiClient, case: dict[str, Any]) -> set[str]:
    """The elements the case has completed, from its history."""
    events = api.as_("supervisor").get(f"/api/process-instances/{case['id']}/history").get_json()
    return {e["element_id"] for e in events if e["event"] == "element.completed"}


def form_of(api: ApiClient, case: dict[str, Any], bpmn_id: str, user: str) -> dict[str, Any]:
    task = by_bpmn_id(case_tasks(api, case))[bpmn_id]
    return api.as_(user).get(f"/api/tasks/{task['id']}/form").get_json()


@pytest.fixture
def received(api: ApiClient) -> dict[str, Any]:
    """A case the centre has received with its materials, its departments set up (the item deployed as the
    library deploys it)."""
    deploy_item(api, CODE)
    set_up_departments(api)
    case = api.start("joint_review_meeting", business_key="LH-2026-0001",
                     variables={"project_name": "市民中心二期", "applicant_name": "市城投公司"})
    supply_materials(api, case["id"], CODE)
    assert [t["bpmn_id"] for t in case["tasks"]] == ["acceptance"]
    return case


@pytest.fixture
def meeting(api: ApiClient, received: dict[str, Any]) -> dict[str, Any]:
    """A case accepted and waiting for the centre to convene the meeting."""
    assert [t["bpmn_id"] for t in accept(api, received)["tasks"]] == ["convene"]
    return received


def test_each_member_department_votes_in_its_own_task_and_the_chair_issues_a_passing_decision(api, meeting):
    ballots = convene(api, meeting)
    assert sorted(b["candidate_groups"][0] for b in ballots) == ["fgw", "sthj", "zjj", "zrzy"]
    # Another department's clerk cannot vote in this one's place.
    zrzy_ballot = next(b for b in ballots if b["candidate_groups"] == ["zrzy"])
    foreign = api.as_("fgw_clerk").post(f"/api/tasks/{zrzy_ballot['id']}/complete",
                                        json={"variables": {"member": {"vote": "approve"}}})
    assert foreign.status_code in (403, 404)  # not this department's ballot: neither shown nor accepted
    form = api.as_("zrzy_clerk").get(f"/api/tasks/{zrzy_ballot['id']}/form").get_json()
    assert form["data"] == {"project_name": "市民中心二期", "member": {"name": "市自然资源和规划局"}}
    refused = complete_task(api, zrzy_ballot, user="zrzy_clerk", expect=422, member={"vote": "maybe"})
    assert [d["field"] for d in refused["error"]["details"]] == ["variables.member.vote"]

    after = vote_all(api, ballots, {"fgw": "approve", "zrzy": "approve", "zjj": "reject", "sthj": "abstain"})
    [chair] = after["tasks"]
    assert chair["bpmn_id"] == "chair_decision" and chair["candidate_groups"] == ["meeting_chair"]
    data = variables(api, meeting)
    # One object per member, gathered by the multi-instance output collection.
    assert sorted((b["department"], b["vote"]) for b in data["ballots"]) == [
        ("FGW", "approve"), ("STHJ", "abstain"), ("ZJJ", "reject"), ("ZRZY", "approve")]
    assert data["tally"] == {"round": 1, "members": 4, "present": 4, "quorum": 3, "quorum_met": True,
                             "approve": 2, "reject": 1, "abstain": 1, "absent": 0, "outcome": "rejected"}


def test_a_majority_of_those_present_passes_and_the_chair_sees_the_tally(api, meeting):
    ballots = [b for b in convene(api, meeting) if b["candidate_groups"] != ["sthj"]]
    vote_all(api, ballots, {"fgw": "approve", "zrzy": "approve", "zjj": "approve"})
    assert lapse(api, meeting) == 1  # 市生态环境局 never voted: absent
    [chair] = case_tasks(api, meeting)
    form = api.as_("meeting_chair").get(f"/api/tasks/{chair['id']}/form").get_json()
    assert form["data"]["tally"] == {"round": 1, "members": 4, "present": 3, "quorum": 3, "approve": 3,
                                     "reject": 0, "abstain": 0, "absent": 1, "outcome": "passed"}
    assert form["data"]["project_name"] == "市民中心二期"
    # The tally is the application's count: the chair may not change it.
    changed = complete_task(api, chair, user="meeting_chair", expect=422, chair_decision="confirm",
                            chair_opinion="同意", tally={"outcome": "rejected"})
    assert [d["field"] for d in changed["error"]["details"]] == ["variables.tally.outcome"]
    clock = api.as_("supervisor").get(f"/api/process-instances/{meeting['id']}/clock").get_json()
    assert (clock["state"], clock["promised_days"], clock["statutory_days"]) == ("running", 20, 45)
    signed = complete_task(api, chair, user="meeting_chair", chair_decision="confirm", chair_opinion="同意会议决定")
    [record] = variables(api, meeting)["meeting_records"]  # the chair's decision is kept with its round
    assert record["chair"] == {"decision": "confirm", "opinion": "同意会议决定"}
    assert api.as_("supervisor").get(f"/api/process-instances/{meeting['id']}/clock").get_json()["state"] == "stopped"
    # Decided (办结(通过), the clock stopped); the centre then delivers the opinion to the applicant.
    [delivery] = signed["tasks"]
    assert (delivery["bpmn_id"], delivery["candidate_groups"]) == ("deliver_decision", ["zwfw"])
    # The guide's ways only (窗口领取, 电子送达): no post, no kiosk.
    assert complete_task(api, delivery, user="zwfw_clerk", expect=422, delivery_method="mail")
    done = complete_task(api, delivery, user="zwfw_clerk", delivery_method="window")
    assert done["state"] == "completed"
    assert {"approval_issued", "deliver_decision", "approved"} <= reached(api, meeting)
    assert "rejection_issued" not in reached(api, meeting)
    shown = api.client.get(f"/api/public/progress/{meeting['business_key']}",
                           query_string={"code": meeting["query_code"]}).get_json()
    assert shown["delivery"]["method_name"] == "窗口领取"


def test_a_majority_against_ends_the_case_not_approved(api, meeting):
    after = vote_all(api, convene(api, meeting), {"fgw": "reject", "zrzy": "approve", "zjj": "reject",
                                                  "sthj": "abstain"})
    assert variables(api, meeting)["tally"]["outcome"] == "rejected"
    signed = complete_task(api, after["tasks"][0], user="meeting_chair", chair_decision="confirm",
                           chair_opinion="按表决结果办理")
    [delivery] = signed["tasks"]  # a denial is delivered too
    done = complete_task(api, delivery, user="zwfw_clerk", delivery_method="electronic")
    assert done["state"] == "completed"
    assert {"rejection_issued", "deliver_decision", "rejected"} <= reached(api, meeting)
    assert "approval_issued" not in reached(api, meeting)


def test_without_a_quorum_the_meeting_is_convened_again_and_votes_afresh(api, meeting):
    ballots = [b for b in convene(api, meeting) if b["candidate_groups"][0] in ("fgw", "sthj")]
    vote_all(api, ballots, {"fgw": "approve", "sthj": "approve"})
    assert lapse(api, meeting) == 2
    [again] = case_tasks(api, meeting)
    assert again["bpmn_id"] == "convene"
    first = variables(api, meeting)["meeting_records"][0]["tally"]
    assert (first["present"], first["quorum"], first["quorum_met"], first["outcome"]) == (2, 3, False, "no_quorum")

    second = convene(api, meeting)
    assert len(second) == 4
    after = vote_all(api, second, {"fgw": "approve", "zrzy": "approve", "zjj": "reject", "sthj": "approve"})
    data = variables(api, meeting)
    assert len(data["ballots"]) == 4  # the second meeting's ballots only
    assert (data["tally"]["round"], data["tally"]["outcome"], data["tally"]["approve"]) == (2, "passed", 3)
    assert after["tasks"][0]["bpmn_id"] == "chair_decision"


def test_the_chair_may_ask_for_a_new_meeting_instead_of_signing(api, meeting):
    after = vote_all(api, convene(api, meeting), {"fgw": "approve", "zrzy": "approve", "zjj": "approve",
                                                  "sthj": "reject"})
    again = complete_task(api, after["tasks"][0], user="meeting_chair", chair_decision="reconvene",
                          chair_opinion="生态环境问题需补充论证后复议")
    assert [t["bpmn_id"] for t in again["tasks"]] == ["convene"] and again["state"] == "running"
    # QA: the reason for meeting again was lost with the chair's form. It stays with the round it ended.
    [record] = variables(api, meeting)["meeting_records"]
    assert (record["round"], record["tally"]["outcome"]) == (1, "passed")
    assert record["chair"] == {"decision": "reconvene", "opinion": "生态环境问题需补充论证后复议"}
    assert "chair_opinion" not in variables(api, meeting)  # the next round's chair starts afresh


def test_each_new_meeting_starts_from_empty_forms_not_from_the_last_round_s_answers(api, meeting):
    """QA: forms of a later round came back with the previous round's answers. After the chair asks for a new
    meeting, the convene form, the ballots and the chair's own form are empty again; the first round stays on
    record."""
    after = vote_all(api, convene(api, meeting, ("FGW", "ZRZY")), {"fgw": "approve", "zrzy": "reject"})
    complete_task(api, after["tasks"][0], user="meeting_chair", chair_decision="reconvene",
                  chair_opinion="用地问题需补充论证后复议")
    offered = form_of(api, meeting, "convene", "zwfw_clerk")["data"]
    assert set(offered) == {"project_name", "department_options"}  # no date, place or members of round 1
    assert not {"meeting_date", "meeting_place", "member_departments", "members", "ballots", "tally",
                "chair_decision", "chair_opinion"} & set(variables(api, meeting))

    ballots = convene(api, meeting, ("FGW", "ZRZY", "ZJJ"))
    for ballot in ballots:
        [group] = ballot["candidate_groups"]
        form = api.as_(CLERKS[group]).get(f"/api/tasks/{ballot['id']}/form").get_json()
        assert form["data"] == {"project_name": "市民中心二期", "member": {"name": DEPARTMENTS[group.upper()][0]}}
    after = vote_all(api, ballots, {"fgw": "approve", "zrzy": "approve", "zjj": "approve"})
    chair = api.as_("meeting_chair").get(f"/api/tasks/{after['tasks'][0]['id']}/form").get_json()
    assert "chair_decision" not in chair["data"] and "chair_opinion" not in chair["data"]
    assert (chair["data"]["tally"]["round"], chair["data"]["tally"]["members"]) == (2, 3)
    records = variables(api, meeting)["meeting_records"]
    assert [(r["round"], r["tally"]["outcome"], len(r["ballots"])) for r in records] == [
        (1, "rejected", 2), (2, "passed", 3)]
    assert records[0]["chair"] == {"decision": "reconvene", "opinion": "用地问题需补充论证后复议"}
    assert "chair" not in records[1]  # the second chair has not decided yet


def test_a_meeting_without_member_departments_is_refused_and_nothing_is_stored(api, meeting):
    before = variables(api, meeting)
    empty = complete_open_task(api, meeting, "convene", user="zwfw_clerk", expect=422, member_departments=[],
                               meeting_date=in_a_week(), meeting_place="第一会议室")
    assert [(d["field"], d["rule"]) for d in empty["error"]["details"]] == [
        ("variables.member_departments", "required")]
    assert variables(api, meeting) == before
    assert [t["bpmn_id"] for t in case_tasks(api, meeting)] == ["convene"]


# ---- members: the co-departments the guide names, as set up here (GET /api/departments) ------------------

def option(code: str, groups: list[str] | None = None) -> dict[str, Any]:
    """A member department as the convene form offers it (its checklist reads them from the case, valuesKey):
    one not set up with groups is marked, as nobody could vote for it."""
    name = DEPARTMENTS[code][0]
    groups = [DEPARTMENTS[code][1]] if groups is None else groups
    return {"value": code, "name": name, "groups": groups, "label": name if groups else f"{name}（未设置用户组，无人可以表决）"}


def test_the_members_are_the_guide_s_co_departments_and_no_other_department_set_up_here(api, received):
    """QA: the member list offered every department set up with groups, 市场监督管理局 among them, which has
    no part in this item. The members are the co-departments the item's guide publishes, in its order."""
    market = api.as_("admin").put("/api/departments/SCJG", json={"name": "市场监督管理局", "groups": ["scjg"]})
    assert market.status_code == 201, market.get_json()
    accept(api, received)
    form = form_of(api, received, "convene", "zwfw_clerk")
    assert [co["code"] for co in guide(CODE)["co_departments"]] == ["FGW", "ZRZY", "ZJJ", "STHJ"]
    assert form["data"] == {"project_name": "市民中心二期",
                            "department_options": [option(code) for code in ("FGW", "ZRZY", "ZJJ", "STHJ")]}
    [field] = [c for c in form["schema"]["components"] if c.get("key") == "member_departments"]
    assert (field["type"], field["valuesKey"]) == ("checklist", "department_options")

    for outsider in (["FGW", "SCJG"], ["FGW", "XYZ"]):  # set up here but not in the guide, or not at all
        refused = complete_open_task(api, received, "convene", user="zwfw_clerk", expect=422, member_departments=outsider,
                                     meeting_date=in_a_week(), meeting_place="第一会议室")
        assert [(d["field"], d["rule"]) for d in refused["error"]["details"]] == [
            ("variables.member_departments", "options")]
    twice = complete_open_task(api, received, "convene", user="zwfw_clerk", expect=422,
                               member_departments=["FGW", "FGW"], meeting_date=in_a_week(), meeting_place="第一会议室")
    assert [(d["field"], d["rule"]) for d in twice["error"]["details"]] == [
        ("variables.member_departments", "duplicate")]
    raw = complete_open_task(api, received, "convene", user="zwfw_clerk", expect=422, meeting_date=in_a_week(),
                             meeting_place="第一会议室", member_departments=["FGW"],
                             members=[{"department": "FGW", "name": "发改委", "group": "admin"}])
    assert [(d["field"], d["rule"]) for d in raw["error"]["details"]] == [("variables.members", "unknown")]

    # A department offered when the round began but left without groups since has nobody to vote for it.
    emptied = api.as_("admin").put("/api/departments/STHJ", json={"name": "市生态环境局", "groups": []})
    assert emptied.status_code == 200
    refused = complete_open_task(api, received, "convene", user="zwfw_clerk", expect=422,
                                 member_departments=["FGW", "STHJ"], meeting_date=in_a_week(), meeting_place="第一会议室")
    [problem] = refused["error"]["details"]  # a form error on the field, as the task page shows it
    assert (problem["field"], problem["rule"]) == ("variables.member_departments", "refused")
    assert problem["message"] == ("以下成员单位尚未在部门设置中设置用户组，无人可以表决：市生态环境局（STHJ）。"
                                  "请管理员先在部门设置中为其设置用户组，或不选该单位")

    ballots = convene(api, received, ("ZRZY", "FGW"))
    assert sorted(b["candidate_groups"] for b in ballots) == [["fgw"], ["zrzy"]]
    assert variables(api, received)["members"] == [
        {"department": "ZRZY", "name": "市自然资源和规划局", "groups": ["zrzy"]},
        {"department": "FGW", "name": "市发展和改革委员会", "groups": ["fgw"]}]


def test_a_co_department_not_set_up_is_offered_marked_named_on_the_form_and_chosen_once_set_up(api):
    """QA: a co-department of the guide without groups here was silently missing from the list. It is offered,
    marked, and the convene form's note names it (a text reading the options from the case); ticked while
    nobody could vote for it, the convene form is refused, and once an admin sets it up the same round takes it."""
    deploy_item(api, CODE)
    set_up_departments(api, ("FGW", "ZRZY"))
    api.as_("admin").put("/api/departments/ZJJ", json={"name": "市住房和城乡建设局", "groups": []})  # STHJ: none
    case = api.start("joint_review_meeting", business_key="LH-2026-0003", variables={"project_name": "市民中心二期"})
    supply_materials(api, case["id"], CODE)
    accept(api, case)
    form = form_of(api, case, "convene", "zwfw_clerk")
    offered = form["data"]["department_options"]
    assert offered == [option("FGW"), option("ZRZY"), option("ZJJ", []), option("STHJ", [])]
    assert offered[3]["label"] == "市生态环境局（未设置用户组，无人可以表决）"
    [note] = [c for c in form["schema"]["components"] if c.get("id") == "Text_departments_not_set_up"]
    assert note["type"] == "text"
    assert "department_options[count(groups) = 0]" in note["text"] and "尚未在部门设置中设置用户组" in note["text"]

    refused = complete_open_task(api, case, "convene", user="zwfw_clerk", expect=422, member_departments=["FGW", "STHJ"],
                                 meeting_date=today(), meeting_place="第一会议室")
    assert [(d["field"], d["message"]) for d in refused["error"]["details"]] == [
        ("variables.member_departments", ("以下成员单位尚未在部门设置中设置用户组，无人可以表决：市生态环境局（STHJ）。"
                                          "请管理员先在部门设置中为其设置用户组，或不选该单位"))]
    assert [t["bpmn_id"] for t in case_tasks(api, case)] == ["convene"]

    set_up_departments(api, ("STHJ",))  # the centre had it fixed: the same round may now choose it
    ballots = convene(api, case, ("FGW", "STHJ"))
    assert sorted(b["candidate_groups"][0] for b in ballots) == ["fgw", "sthj"]
    assert [m["name"] for m in variables(api, case)["members"]] == ["市发展和改革委员会", "市生态环境局"]


def test_an_item_whose_guide_names_no_co_department_has_no_members_and_the_acceptance_says_so(api):
    alone = {k: v for k, v in guide(CODE).items() if k != "co_departments"}  # the centre's materials alone
    alone["materials"] = [dict(m, departments=["ZWFW"]) for m in alone["materials"]]
    files = [(name, json.dumps(alone).encode() if name.endswith("guide.json") else content)
             for name, content in item_files(CODE)]
    seed_national_calendar(api.runtime)
    analyst = api.as_("analyst")
    deployed = analyst.client.post("/api/deployments", headers=analyst.headers(), content_type="multipart/form-data",
                                   data={"files": [(io.BytesIO(content), name) for name, content in files]})
    assert deployed.status_code == 201, deployed.get_json()
    set_up_departments(api)
    case = api.start("joint_review_meeting", business_key="LH-2026-0004", variables={"project_name": "市民中心二期"})
    supply_materials(api, case["id"], CODE)
    refused = complete_open_task(api, case, "acceptance", user="zwfw_clerk", expect=422,
                                 acceptance={"decision": "accept"})
    assert "本事项的办事指南未列出协办部门（政务服务中心以外），无法确定联合审批会议的成员单位" in refused["error"]["message"]
    assert [t["bpmn_id"] for t in case_tasks(api, case)] == ["acceptance"]  # nothing moved


def test_the_convening_centre_is_not_offered_as_a_member_of_its_own_meeting(api, received):
    """QA: with the centre set up as a department (its groups convene and chair the meeting), the member list
    offered it too. It is not a member of the meeting it convenes: not offered, and refused if sent."""
    centre = api.as_("admin").put("/api/departments/ZWFW", json={"name": "市政务服务管理局",
                                                                  "groups": ["zwfw", "meeting_chair"]})
    assert centre.status_code == 201, centre.get_json()
    accept(api, received)
    offered = form_of(api, received, "convene", "zwfw_clerk")["data"]["department_options"]
    assert [o["value"] for o in offered] == list(DEPARTMENTS)  # the guide's co-departments, in its order
    refused = complete_open_task(api, received, "convene", user="zwfw_clerk", expect=422,
                                 member_departments=["FGW", "ZWFW"], meeting_date=today(), meeting_place="第一会议室")
    assert [(d["field"], d["rule"]) for d in refused["error"]["details"]] == [
        ("variables.member_departments", "options")]
    assert sorted(b["candidate_groups"][0] for b in convene(api, received)) == ["fgw", "sthj", "zjj", "zrzy"]


def test_without_departments_set_up_the_case_is_accepted_and_the_convene_form_names_them_all(api):
    """Acceptance is bound by its own time limit (5 working days, then deemed accepted): a department the
    centre has yet to set up does not hold it up. The convene form names every co-department as not set up,
    and nobody can be convened until one is."""
    deploy_item(api, CODE)
    case = api.start("joint_review_meeting", business_key="LH-2026-0002", variables={"project_name": "市民中心二期"})
    supply_materials(api, case["id"], CODE)
    assert [t["bpmn_id"] for t in accept(api, case)["tasks"]] == ["convene"]
    offered = form_of(api, case, "convene", "zwfw_clerk")["data"]["department_options"]
    assert offered == [option(code, []) for code in DEPARTMENTS]
    refused = complete_open_task(api, case, "convene", user="zwfw_clerk", expect=422, member_departments=["FGW"],
                                 meeting_date=today(), meeting_place="第一会议室")
    assert refused["error"]["details"][0]["message"].startswith(
        "以下成员单位尚未在部门设置中设置用户组，无人可以表决：市发展和改革委员会（FGW）")


def test_the_meeting_date_is_not_in_the_past(api, meeting):
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    refused = complete_open_task(api, meeting, "convene", user="zwfw_clerk", expect=422, member_departments=["FGW"],
                                 meeting_date=yesterday, meeting_place="第一会议室")
    assert [(d["field"], d["rule"]) for d in refused["error"]["details"]] == [
        ("variables.meeting_date", "disallowPassedDates")]
    assert len(convene(api, meeting, ("FGW",), meeting_date=local_today().isoformat())) == 1  # today is fine


# ---- acceptance (受理): accept, refuse, or list everything to supplement; deemed accepted after 5 days ----

def test_the_centre_accepts_before_anything_else_and_the_clock_starts_then(api, received):
    assert api.as_("supervisor").get(f"/api/process-instances/{received['id']}/clock").status_code == 404
    form = form_of(api, received, "acceptance", "zwfw_clerk")
    assert form["data"] == {"project_name": "市民中心二期"}
    refused = complete_open_task(api, received, "acceptance", user="zwfw_clerk", expect=422,
                                 acceptance={"decision": "supplement"})
    assert [(d["field"], d["rule"]) for d in refused["error"]["details"]] == [
        ("variables.missing_materials", "required")]
    accept(api, received)
    clock = api.as_("supervisor").get(f"/api/process-instances/{received['id']}/clock").get_json()
    assert clock["state"] == "running"
    assert case_states(api, received["id"]) == ["已接件", "已受理", "部门开始办理"]


def test_the_centre_may_refuse_with_its_reasons_and_no_meeting_is_convened(api, received):
    done = complete_open_task(api, received, "acceptance", user="zwfw_clerk", acceptance={"decision": "reject"},
                              reject_reason="项目不属于须经联合审批会议决策的重大建设项目")
    assert done["state"] == "completed" and done["tasks"] == []
    assert "not_accepted_end" in reached(api, received) and "convene" not in reached(api, received)
    assert case_states(api, received["id"]) == ["已接件", "不予受理"]


def test_a_second_supplement_notice_is_written_afresh_not_from_the_first(api, received):
    """QA: the acceptance form came back after a supplement with the first notice's list, and a second
    一次性告知 went out with it. Each round of acceptance starts from an empty form."""
    complete_open_task(api, received, "acceptance", user="zwfw_clerk", acceptance={"decision": "supplement"},
                       missing_materials="项目可行性研究报告：缺少节能分析章节")
    send_message(api, "materials_supplemented", received["business_key"])
    assert form_of(api, received, "acceptance", "zwfw_clerk")["data"] == {"project_name": "市民中心二期"}
    assert "missing_materials" not in variables(api, received)
    # Sending the decision alone is refused: the list is asked for again, not taken from the first round.
    refused = complete_open_task(api, received, "acceptance", user="zwfw_clerk", expect=422,
                                 acceptance={"decision": "supplement"})
    assert [(d["field"], d["rule"]) for d in refused["error"]["details"]] == [
        ("variables.missing_materials", "required")]
    accept(api, received)
    assert [t["bpmn_id"] for t in case_tasks(api, received)] == ["convene"]
    assert case_states(api, received["id"]) == ["已接件", "补正(开始)", "补正(结束)", "已受理", "部门开始办理"]


def test_without_an_answer_in_five_working_days_the_application_counts_as_accepted(api, received):
    """行政许可法 Art 32: no notice within 5 working days, and the application is accepted from the day the
    materials arrived; the meeting is then convened as after an acceptance."""
    seed = pending_timer(api, received["id"], "notice_deadline")
    with api.runtime.uow() as uow:
        assert seed.due_at == calendar.for_runtime(uow).deadline_at(seed.created_at, 5).at
    assert jobs.run_due(api.runtime, worker_id="test", now=seed.due_at + timedelta(seconds=1)) == 1
    assert [t["bpmn_id"] for t in case_tasks(api, received)] == ["convene"]
    assert {"deemed_accepted", "acceptance_notice"} <= reached(api, received)
    assert "自收到申请材料之日起即为受理" in documents(api, received["id"])["acceptance_notice"]
    clock = api.as_("supervisor").get(f"/api/process-instances/{received['id']}/clock").get_json()
    started = datetime.fromisoformat(clock["started_at"])
    assert started <= seed.created_at + timedelta(seconds=1)  # counted from the receipt, not from the timer


# ---- each ballot is due the working day after the meeting; a missing one counts as absent ---------------

@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], datetime]:
    """Set the moment cases are saved at, forms and diagrams count from and timers compare with."""
    def set_moment(moment: datetime) -> datetime:
        for module in (execution, diagram_functions, time_limits, _form_fields):
            monkeypatch.setattr(module, "utcnow", lambda: moment)
        freeze_spiff_clock(monkeypatch, moment)
        return moment
    return set_moment


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LOCAL_TZ).astimezone(UTC)


def meeting_day(api: ApiClient, case: dict[str, Any], frozen: Callable[[datetime], datetime]) -> list[dict[str, Any]]:
    """The meeting day comes (9 o'clock): the worker fires the case's meeting timer; the ballots it opened."""
    job = pending_timer(api, case["id"], "meeting_opens")
    assert jobs.run_due(api.runtime, worker_id="test", now=frozen(job.due_at + timedelta(hours=9))) == 1
    return [t for t in case_tasks(api, case) if t["bpmn_id"] == "vote"]


def ballot_timers(api: ApiClient, case: dict[str, Any]) -> list[Job]:
    """The timers of the ballots not cast (a cast ballot's timer is cancelled with its task)."""
    with api.runtime.uow() as uow:
        return list(uow.session.scalars(select(Job).where(
            Job.instance_id == case["id"], Job.bpmn_id == "ballot_due", Job.state != "cancelled").order_by(Job.id)))


def test_a_member_that_never_votes_counts_as_absent_after_the_working_day_following_the_meeting(
        api, received, frozen):
    """QA: one member department that never voted stopped the meeting. Convened on Monday 2 March 2026 for a
    meeting on Thursday 5 March, each ballot is due at the end of Friday 6 March — counted from the meeting
    date, not from convening. Two of four vote; then the others count as 未出席 and the tally goes on: no
    quorum (2 of the 3 needed), recorded on the case, and the meeting is convened again."""
    frozen(at(date(2026, 3, 2)))
    accept(api, received)
    assert convene(api, received, meeting_date="2026-03-05") == []  # no ballot before the meeting day
    ballots = meeting_day(api, received, frozen)
    due = at(date(2026, 3, 6), 23).replace(minute=59, second=59)
    assert {datetime.fromisoformat(b["due_at"]) for b in ballots} == {due}
    voted = [b for b in ballots if b["candidate_groups"][0] in ("fgw", "zrzy")]
    after = vote_all(api, voted, {"fgw": "approve", "zrzy": "approve"})
    assert sorted(t["candidate_groups"][0] for t in after["tasks"]) == ["sthj", "zjj"]  # the meeting waits

    assert [(job.state, job.due_at) for job in ballot_timers(api, received)] == [("pending", due)] * 2
    # The worker fires one; the other, due too, fires in the same command (engine.timer_refresh).
    assert jobs.run_due(api.runtime, worker_id="test", now=frozen(due + timedelta(seconds=1))) >= 1
    assert [job.state for job in ballot_timers(api, received)] == ["done", "done"]
    # The quorum failure is on the case: its state, its history, the round's record; next comes a new meeting.
    assert case_states(api, received["id"])[-2:] == ["流会(重新召开)", "部门开始办理"]
    assert "quorum_failed" in reached(api, received)
    [record] = variables(api, received)["meeting_records"]
    assert (record["round"], record["meeting_date"], record["meeting_place"]) == (1, "2026-03-05", "政务服务中心第一会议室")
    assert sorted((b["department"], b["vote"]) for b in record["ballots"]) == [
        ("FGW", "approve"), ("STHJ", "absent"), ("ZJJ", "absent"), ("ZRZY", "approve")]
    assert record["tally"] == {"round": 1, "members": 4, "present": 2, "quorum": 3, "quorum_met": False,
                               "approve": 2, "reject": 0, "abstain": 0, "absent": 2, "outcome": "no_quorum"}
    assert [t["bpmn_id"] for t in case_tasks(api, received)] == ["convene"]


def waits(api: ApiClient, case: dict[str, Any]) -> list[dict[str, Any]]:
    response = api.as_("supervisor").get(f"/api/process-instances/{case['id']}/waits")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_each_ballot_s_deadline_is_in_the_case_api_and_on_the_case_page_with_its_member_department(
        api, received, frozen, app):
    """QA: the ballots' timers were not in the case API, and the case page listed one 表决期限届满 row per
    member, all alike. GET /api/process-instances/ID/waits lists them, each naming its member department, and
    so does the page's 等待事项; a cast ballot's row goes with its timer."""
    frozen(at(date(2026, 3, 2)))
    accept(api, received)
    convene(api, received, ("FGW", "ZRZY"), meeting_date="2026-03-05")
    [opens] = waits(api, received)  # before the meeting day: its timer, which no member has
    assert (opens["element_id"], opens["member"], opens["label"]) == (
        "meeting_opens", None, "会议召开（会议日期当天开始表决）")
    ballots = meeting_day(api, received, frozen)
    due = at(date(2026, 3, 6), 23).replace(minute=59, second=59)
    listed = sorted(waits(api, received), key=lambda w: w["label"])
    assert [(w["kind"], w["element_id"], w["element_name"], w["member"], w["label"], datetime.fromisoformat(w["due_at"]))
            for w in listed] == [
        ("timer", "ballot_due", "表决期限届满", "市发展和改革委员会", "表决期限届满（市发展和改革委员会）", due),
        ("timer", "ballot_due", "表决期限届满", "市自然资源和规划局", "表决期限届满（市自然资源和规划局）", due)]

    page = signed_in(app, api, "supervisor").get(f"/cases/{received['id']}").text
    rows = re.findall(r'<tr class="wait-row wait-timer" data-element="ballot_due" data-member="([^"]+)">(.*?)</tr>',
                      page, re.DOTALL)
    assert sorted(member for member, _ in rows) == ["市发展和改革委员会", "市自然资源和规划局"]
    for member, row in rows:
        assert f"表决期限届满（{member}）" in row and "2026-03-06 23:59" in row

    vote_all(api, [b for b in ballots if b["candidate_groups"] == ["fgw"]], {"fgw": "approve"})
    assert [w["label"] for w in waits(api, received)] == ["表决期限届满（市自然资源和规划局）"]
    missing = api.as_("supervisor").get("/api/process-instances/999999/waits")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"


def test_a_ballot_due_in_a_year_without_calendar_data_moves_when_the_year_is_loaded(api, received, frozen):
    """Convened on Monday 28 December 2026 for Thursday 31 December: the ballots are due the next working day,
    Friday 1 January 2027 by weekdays alone (2027 has no data yet). Loading 2027 with New Year's Day off moves
    the ballots and their timers to Monday 4 January, counted again from the meeting date."""
    frozen(at(date(2026, 12, 28)))
    accept(api, received)
    assert convene(api, received, ("FGW", "ZRZY"), meeting_date="2026-12-31") == []
    ballots = meeting_day(api, received, frozen)
    provisional = at(date(2027, 1, 1), 23).replace(minute=59, second=59)
    assert {datetime.fromisoformat(b["due_at"]) for b in ballots} == {provisional}
    assert [job.due_at for job in ballot_timers(api, received)] == [provisional] * 2

    calendar.replace_year(api.runtime.uow(), 2027, holidays=[{"date": "2027-01-01", "name": "元旦"}], workdays=[],
                          actor=Actor("admin", roles=frozenset({"admin"})))
    loaded = at(date(2027, 1, 4), 23).replace(minute=59, second=59)
    assert {datetime.fromisoformat(t["due_at"]) for t in case_tasks(api, received)} == {loaded}
    assert [job.due_at for job in ballot_timers(api, received)] == [loaded] * 2


def page_json(page: str, element_id: str) -> Any:
    """The JSON a task page hands its form script (``form-data``: the values shown; ``form-errors``)."""
    found = re.search(rf'id="{element_id}">(.*?)</script>', page, re.DOTALL)
    assert found, f"no #{element_id} on the page"
    return json.loads(html.unescape(found.group(1)))


def test_a_refused_convene_page_keeps_the_departments_to_tick(api, meeting, app):
    """The page sent back after a refusal shows what was typed over what the form was given: the departments
    the checklist reads from the case (valuesKey) are not among what a browser submits."""
    person(api.runtime, "zhou", roles=["clerk"], groups=["zwfw"])
    clerk = Browser(app.test_client())
    clerk.log_in("zhou")
    task = by_bpmn_id(case_tasks(api, meeting))["convene"]
    clerk.post(f"/tasks/{task['id']}/claim", token_from=f"/tasks/{task['id']}")
    refused = clerk.post(f"/tasks/{task['id']}", {"data": json.dumps({"meeting_place": "第一会议室"})},
                         token_from=f"/tasks/{task['id']}")
    assert refused.status_code == 422
    shown = page_json(refused.text, "form-data")
    assert shown["meeting_place"] == "第一会议室"  # as typed
    assert {o["value"] for o in shown["department_options"]} == set(DEPARTMENTS)


# ---- the meeting day: ballots open on it, and the decision is never dated before it -----------------------

def test_a_meeting_dated_later_opens_no_ballot_until_its_day_and_the_decision_is_dated_after_it(
        api, received, frozen, app):
    """QA: convened on Monday 2 March 2026 for Thursday 5 March, the members voted and the chair decided that
    Monday, and the decision, dated 2 March, said the meeting was held on 5 March. The ballots now open on the
    meeting day (its timer fires at the start of that day, local time); until then the case waits, and its
    page says for what and until when."""
    frozen(at(date(2026, 3, 2)))
    accept(api, received)
    assert convene(api, received, ("FGW", "ZRZY"), meeting_date="2026-03-05") == []
    assert case_tasks(api, received) == []
    opens = pending_timer(api, received["id"], "meeting_opens")
    assert opens.due_at == at(date(2026, 3, 5), 0)
    page = signed_in(app, api, "supervisor").get(f"/cases/{received['id']}").text
    row = re.search(r'<tr class="wait-row wait-timer" data-element="meeting_opens">(.*?)</tr>', page, re.DOTALL)
    assert row and "会议召开（会议日期当天开始表决）" in row.group(1) and "2026-03-05 00:00" in row.group(1)

    # The evening before, nothing is due; on the day, the worker opens the ballots.
    assert jobs.run_due(api.runtime, worker_id="test", now=frozen(at(date(2026, 3, 4), 23))) == 0
    assert case_tasks(api, received) == []
    ballots = meeting_day(api, received, frozen)
    assert sorted(b["candidate_groups"][0] for b in ballots) == ["fgw", "zrzy"]
    assert "meeting_opens" in reached(api, received)
    [chair] = vote_all(api, ballots, {"fgw": "approve", "zrzy": "approve"})["tasks"]
    complete_task(api, chair, user="meeting_chair", chair_decision="confirm", chair_opinion="同意项目按方案实施")

    [decision] = [d for d in api.as_("integrator").get(f"/api/process-instances/{received['id']}/documents")
                  .get_json() if d["element_id"] == "approval_issued"]
    issued_on = datetime.fromisoformat(decision["issued_at"]).astimezone(LOCAL_TZ).date()
    assert issued_on >= date(2026, 3, 5)
    html_text = documents(api, received["id"])["joint_review_grant_decision"]
    assert "于2026年3月5日在政务服务中心第一会议室" in html_text and "2026年3月5日</p>" in html_text


def test_a_meeting_convened_for_today_opens_its_ballots_at_once(api, meeting):
    ballots = convene(api, meeting, ("FGW", "ZJJ"), meeting_date=today())
    assert sorted(b["candidate_groups"][0] for b in ballots) == ["fgw", "zjj"]
    assert "meeting_opens" in reached(api, meeting)
    with api.runtime.uow() as uow:  # nothing left waiting for the day
        assert not uow.session.scalars(select(Job).where(Job.instance_id == meeting["id"],
                                                         Job.bpmn_id == "meeting_opens")).all()


# ---- the meeting date the convene form refuses: after the deadline, in the past, in a year without data ----

def convene_refused(api: ApiClient, case: dict[str, Any], meeting_date: str) -> dict[str, Any]:
    """Convene for ``meeting_date``, refused: the error, with nothing stored and the convene task still open."""
    before = variables(api, case)
    refused = complete_open_task(api, case, "convene", user="zwfw_clerk", expect=422, member_departments=["FGW"],
                                 meeting_date=meeting_date, meeting_place="第一会议室")
    assert variables(api, case) == before
    assert [t["bpmn_id"] for t in case_tasks(api, case)] == ["convene"]
    return refused["error"]


def test_a_meeting_after_the_case_s_deadline_is_refused_on_the_convene_form(api, received, frozen):
    """QA: a meeting date after the case's time limit ran out was accepted. The convene form refuses it, on
    the date field; an extension of the time limit moves the last day a meeting may be held."""
    frozen(at(date(2026, 3, 2)))
    accept(api, received)
    url = f"/api/process-instances/{received['id']}/clock"
    deadline = date.fromisoformat(api.as_("supervisor").get(url).get_json()["deadline_date"])
    assert deadline == date(2026, 3, 30)  # 20 working days from Monday 2 March
    error = convene_refused(api, received, "2026-03-31")
    assert error["code"] == "validation_failed"
    assert error["details"] == [{"field": "variables.meeting_date", "label": None, "rule": "refused", "params": {},
                                 "message": "会议日期不得晚于本案的办结期限（2026年3月30日）：请另选日期，或先依法延长办理期限"}]

    from tests.heads import head_of

    extended = head_of(api, received["id"]).post(f"{url}/extend", json={"days": 2, "reason": "成员单位较多，需协调会期"})
    assert extended.status_code == 200, extended.get_json()
    assert convene(api, received, ("FGW",), meeting_date="2026-03-31") == []  # within the limit now: it waits


def test_a_meeting_in_a_year_the_calendar_does_not_have_is_refused_until_the_year_is_loaded(api, received, frozen):
    """QA: a meeting in 2027, a year the calendar has no holidays for, was accepted, and its ballots counted
    working days by weekdays alone. The convene form refuses it until the year is loaded."""
    frozen(at(date(2026, 12, 28)))
    accept(api, received)
    error = convene_refused(api, received, "2027-01-05")
    assert [(d["field"], d["rule"]) for d in error["details"]] == [("variables.meeting_date", "refused")]
    assert error["details"][0]["message"].startswith("会议日期所在的2027年尚未载入工作日历")
    calendar.replace_year(api.runtime.uow(), 2027, holidays=[{"date": "2027-01-01", "name": "元旦"}], workdays=[],
                          actor=Actor("admin", roles=frozenset({"admin"})))
    assert convene(api, received, ("FGW",), meeting_date="2027-01-05") == []
    assert pending_timer(api, received["id"], "meeting_opens").due_at == at(date(2027, 1, 5), 0)


def test_a_meeting_in_the_past_is_refused_by_the_form_s_own_rule(api, received, frozen):
    frozen(at(date(2026, 3, 2)))
    accept(api, received)
    error = convene_refused(api, received, "2026-02-27")
    assert [(d["field"], d["rule"]) for d in error["details"]] == [("variables.meeting_date", "disallowPassedDates")]


def test_the_task_page_shows_a_refused_meeting_date_beside_the_field_and_keeps_what_was_typed(
        api, received, frozen, app):
    frozen(at(date(2026, 3, 2)))
    accept(api, received)
    clerk = signed_in(app, api, "zwfw_clerk")
    task = by_bpmn_id(case_tasks(api, received))["convene"]
    clerk.post(f"/tasks/{task['id']}/claim", token_from=f"/tasks/{task['id']}")
    typed = {"member_departments": ["FGW"], "meeting_date": "2026-04-01", "meeting_place": "第一会议室"}
    refused = clerk.post(f"/tasks/{task['id']}", {"data": json.dumps(typed)}, token_from=f"/tasks/{task['id']}")
    assert refused.status_code == 422
    errors = page_json(refused.text, "form-errors")
    assert [(e["field"], e["message"]) for e in errors] == [
        ("meeting_date", "会议日期不得晚于本案的办结期限（2026年3月30日）：请另选日期，或先依法延长办理期限")]
    summary = re.search(r'id="form-errors-summary">(.*?)</div>', refused.text, re.DOTALL)
    assert summary and "会议日期" in summary.group(1) and "不得晚于本案的办结期限" in summary.group(1)
    shown = page_json(refused.text, "form-data")
    assert {key: shown[key] for key in typed} == typed


# ---- ballots: sealed until the count; 未出席 only by the timer ---------------------------------------------

def opinions_panel(page: str) -> str:
    found = re.search(r'<section class="opinions" id="opinions".*?</section>', page, re.DOTALL)
    return found.group() if found else ""


def task_page(app: Any, api: ApiClient, user: str, task: dict[str, Any]) -> str:
    browser = signed_in(app, api, user)
    page = browser.get(f"/tasks/{task['id']}")
    assert page.status_code == 200
    return page.text


def test_a_member_sees_no_other_vote_of_the_round_until_the_round_is_counted(api, meeting, app):
    """QA: a department voting last saw on its task page how the others had voted. The round's votes stay out
    of the 办理意见 panel until the count; then, and for every later round, they are there."""
    by_group = {b["candidate_groups"][0]: b for b in convene(api, meeting, ("FGW", "ZRZY", "ZJJ"))}
    vote_all(api, [by_group["fgw"], by_group["zrzy"]], {"fgw": "reject", "zrzy": "approve"})
    page = task_page(app, api, "zjj_clerk", by_group["zjj"])
    panel = opinions_panel(page)
    assert "组织召开联合审批会议" in panel  # the earlier steps are there ...
    assert "成员单位表决" not in panel and "市发展和改革委员会意见" not in page  # ... but no vote of this round
    assert "不同意" not in panel and "表决意见" not in panel
    assert form_of(api, meeting, "vote", "zjj_clerk")["data"]["member"] == {"name": "市住房和城乡建设局"}
    case_page = signed_in(app, api, "zjj_clerk").get(f"/cases/{meeting['id']}").text  # nor on the case page
    data = re.search(r'<dl class="facts data"[^>]*>.*?</dl>', case_page, re.DOTALL)
    assert data and "vote" not in data.group() and "市发展和改革委员会意见" not in case_page

    [chair] = vote_all(api, [by_group["zjj"]], {"zjj": "approve"})["tasks"]
    counted = opinions_panel(task_page(app, api, "meeting_chair", chair))
    assert counted.count("<strong>成员单位表决</strong>") == 3 and "市发展和改革委员会意见：reject" in counted
    complete_task(api, chair, user="meeting_chair", chair_decision="reconvene", chair_opinion="意见分歧较大，复议")

    second = {b["candidate_groups"][0]: b for b in convene(api, meeting, ("FGW", "ZRZY"))}
    vote_all(api, [second["fgw"]], {"fgw": "approve"})
    later = opinions_panel(task_page(app, api, "zrzy_clerk", second["zrzy"]))
    assert later.count("<strong>成员单位表决</strong>") == 3  # the first round's, counted; not FGW's new vote
    assert "市发展和改革委员会意见：approve" not in later


def test_a_department_cannot_vote_itself_absent_only_the_lapsed_ballot_counts_so(api, meeting):
    assert form_options("joint-review-vote.form", "member.vote") == ["approve", "reject", "abstain"]
    [ballot] = convene(api, meeting, ("FGW",))
    refused = complete_task(api, ballot, user="fgw_clerk", expect=422,
                            member={"name": "市发展和改革委员会", "vote": "absent"})
    assert [(d["field"], d["rule"]) for d in refused["error"]["details"]] == [("variables.member.vote", "options")]
    assert lapse(api, meeting) == 1
    [record] = variables(api, meeting)["meeting_records"]
    [(vote, note)] = [(b["vote"], b["note"]) for b in record["ballots"]]
    assert vote == "absent" and note.startswith("会议日期的下一个工作日结束前未录入表决意见")


# The votes' own words, as vote_all writes them: none of them may show to a member before the count.
VOTE_TEXTS = ("市发展和改革委员会意见", "市自然资源和规划局意见", "市住房和城乡建设局意见", "市生态环境局意见")


def history_of(api: ApiClient, case: dict[str, Any], user: str) -> list[dict[str, Any]]:
    response = api.as_(user).get(f"/api/process-instances/{case['id']}/history")
    assert response.status_code == 200, response.get_json()
    return list(response.get_json())


def archived(api: ApiClient, case: dict[str, Any], user: str) -> dict[str, Any]:
    response = api.as_(user).get(f"/api/process-instances/{case['id']}/archive")
    assert response.status_code == 200, response.get_json()
    with zipfile.ZipFile(io.BytesIO(response.data)) as zipped:
        return dict(json.loads(zipped.read("manifest.json")))


def ballot_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events a ballot leaves: its completion, the vote step's and the round's element completions."""
    return [e for e in events if e["element_id"] in ("vote", "voting")
            and e["event"] in ("task.completed", "element.completed")]


def test_a_member_reads_no_other_vote_in_the_history_the_timeline_or_the_archive_before_the_count(
        api, meeting, app):
    """QA: the 办理意见 panel kept the round's votes sealed, but each vote's completion in the case's history
    held what the department submitted, and the history API, the case page and the archive showed it to every
    member. Until the count a member (and any clerk of the case) reads who voted and when, not how; the
    supervision (电子监察) reads everything all along; after the count, everyone does."""
    by_group = {b["candidate_groups"][0]: b for b in convene(api, meeting, ("FGW", "ZRZY", "ZJJ"))}
    vote_all(api, [by_group["fgw"], by_group["zrzy"]], {"fgw": "reject", "zrzy": "approve"})

    for reader in ("zjj_clerk", "zwfw_clerk"):
        events = history_of(api, meeting, reader)
        assert not any(text in json.dumps(events, ensure_ascii=False) for text in VOTE_TEXTS)
        cast = [(e["actor"], e["data"]) for e in events if e["event"] == "task.completed" and e["element_id"] == "vote"]
        assert cast == [("fgw_clerk", {"sealed": True}), ("zrzy_clerk", {"sealed": True})]  # who, not how
        assert all(set(e["data"]) <= {"sealed"} for e in ballot_events(events))
        manifest = archived(api, meeting, reader)
        assert not any(text in json.dumps(manifest, ensure_ascii=False) for text in VOTE_TEXTS)
        assert all(set(e["data"]) <= {"sealed"} for e in ballot_events(manifest["history"]))
    page = signed_in(app, api, "zjj_clerk").get(f"/cases/{meeting['id']}").text
    assert page.count("完成：成员单位表决<span class=\"muted\">（计票前不公开）</span>") == 2
    assert not any(text in page for text in VOTE_TEXTS)
    # Earlier steps are not sealed: the convening centre's choices show as before.
    [convened] = [e for e in history_of(api, meeting, "zjj_clerk") if e["event"] == "task.completed"
                  and e["element_id"] == "convene"]
    assert convened["data"]["variables"]["member_departments"] == ["FGW", "ZRZY", "ZJJ"]

    overseen = history_of(api, meeting, "supervisor")
    assert [e["data"]["variables"]["member"]["vote"] for e in overseen
            if e["event"] == "task.completed" and e["element_id"] == "vote"] == ["reject", "approve"]
    assert "市发展和改革委员会意见：reject" in json.dumps(archived(api, meeting, "supervisor"), ensure_ascii=False)

    vote_all(api, [by_group["zjj"]], {"zjj": "approve"})  # the last vote: the round is counted
    for reader in ("zjj_clerk", "fgw_clerk"):
        events = history_of(api, meeting, reader)
        assert [e["data"]["variables"]["member"]["vote"] for e in events
                if e["event"] == "task.completed" and e["element_id"] == "vote"] == ["reject", "approve", "approve"]
        assert [e for e in events if "sealed" in e["data"]] == []
        assert "市发展和改革委员会意见：reject" in json.dumps(archived(api, meeting, reader), ensure_ascii=False)
    assert "计票前不公开" not in signed_in(app, api, "zjj_clerk").get(f"/cases/{meeting['id']}").text


def test_the_case_variables_and_forms_hold_no_vote_of_the_round_before_the_count(api, meeting, app):
    """The round's ballots are gathered in ``ballots`` only as each member's instance ends, and the open
    ballots carry the round's empty start: before the count, neither the case's variables (API, case page
    案件数据) nor a remaining member's form hold another member's vote, for any reader."""
    by_group = {b["candidate_groups"][0]: b for b in convene(api, meeting)}
    vote_all(api, [by_group["fgw"], by_group["zrzy"], by_group["zjj"]],
             {"fgw": "reject", "zrzy": "approve", "zjj": "abstain"})
    for reader in ("sthj_clerk", "zjj_clerk", "zwfw_clerk", "supervisor"):
        response = api.as_(reader).get(f"/api/process-instances/{meeting['id']}")
        assert response.status_code == 200, response.get_json()
        data = response.get_json()["variables"]
        assert data["ballots"] == [] and "member" not in data  # no member's vote, nor one member as the case's
        assert not any(text in json.dumps(data, ensure_ascii=False) for text in VOTE_TEXTS)
    form = form_of(api, meeting, "vote", "sthj_clerk")["data"]
    assert form == {"project_name": "市民中心二期", "member": {"name": "市生态环境局"}}
    page = signed_in(app, api, "sthj_clerk").get(f"/cases/{meeting['id']}").text
    facts = re.search(r'<dl class="facts data"[^>]*>.*?</dl>', page, re.DOTALL)
    assert facts and not any(text in facts.group() for text in VOTE_TEXTS) and "abstain" not in facts.group()

    vote_all(api, [by_group["sthj"]], {"sthj": "approve"})  # counted: the round's ballots are the case's
    counted = api.as_("sthj_clerk").get(f"/api/process-instances/{meeting['id']}").get_json()["variables"]
    assert sorted(b["vote"] for b in counted["ballots"]) == ["abstain", "approve", "approve", "reject"]


def test_a_meeting_of_an_application_deemed_accepted_opens_its_ballots(api, received):
    """QA: once the five days passed without a notice, the meeting's ballots failed to open (SpiffWorkflow
    kept the steps after the acceptance step's own path as predicted, and the voting could not add its
    instances under them)."""
    seed = pending_timer(api, received["id"], "notice_deadline")
    assert jobs.run_due(api.runtime, worker_id="test", now=seed.due_at + timedelta(seconds=1)) == 1
    ballots = convene(api, received, ("FGW", "ZJJ"), meeting_date=today())
    assert sorted(b["candidate_groups"][0] for b in ballots) == ["fgw", "zjj"]
    after = vote_all(api, ballots, {"fgw": "approve", "zjj": "approve"})
    assert [t["bpmn_id"] for t in after["tasks"]] == ["chair_decision"]  # counted as after an acceptance


def test_a_meeting_dated_later_of_an_application_deemed_accepted_opens_on_its_day(api, received, frozen):
    """The same, the meeting's ballots opened by its timer on the meeting day (the worker's command)."""
    seed = pending_timer(api, received["id"], "notice_deadline")
    assert jobs.run_due(api.runtime, worker_id="test", now=seed.due_at + timedelta(seconds=1)) == 1
    assert convene(api, received, ("FGW", "ZJJ"), meeting_date=in_a_week()) == []
    assert sorted(b["candidate_groups"][0] for b in meeting_day(api, received, frozen)) == ["fgw", "zjj"]
