"""The joint review meeting (联合审批会议, bpmn/ZWFW-LH-0001): the centre accepts the application, chooses the
member departments from those set up here, and convenes; the members vote in parallel, each ballot due the
working day after the meeting (a missing one counts as absent), the application counts quorum and majority,
the chair decides on the tally, no quorum means the meeting failed and is convened again, each round afresh."""
from __future__ import annotations

import html
import json
import re
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
from tests.helpers import ROOT, ApiClient, by_bpmn_id, case_tasks, complete_open_task, complete_task
from tests.integration.test_timer_refresh import freeze_spiff_clock
from tests.service_items import case_states, deploy_item, documents, pending_timer, send_message

ITEM = ROOT / "bpmn" / "ZWFW-LH-0001"
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


def accept(api: ApiClient, case: dict[str, Any]) -> dict[str, Any]:
    return complete_open_task(api, case, "acceptance", user="zwfw_clerk", acceptance={"decision": "accept"})


def convene(api: ApiClient, case: dict[str, Any], members: tuple[str, ...] = tuple(DEPARTMENTS), *,
            meeting_date: str | None = None) -> list[dict[str, Any]]:
    """Convene the round's meeting with these member departments; the ballots it opens."""
    after = complete_open_task(api, case, "convene", user="zwfw_clerk", member_departments=list(members),
                               meeting_date=meeting_date or in_a_week(), meeting_place="政务服务中心第一会议室")
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
    """A case the centre has received, its departments set up (the item deployed as the library deploys it)."""
    deploy_item(api, "ZWFW-LH-0001")
    set_up_departments(api)
    case = api.start("joint_review_meeting", business_key="LH-2026-0001",
                     variables={"project_name": "市民中心二期", "applicant_name": "市城投公司"})
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
    assert [d["field"] for d in refused["error"]["details"]] == ["member.vote"]

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
    after = vote_all(api, convene(api, meeting), {"fgw": "approve", "zrzy": "approve", "zjj": "approve",
                                                  "sthj": "absent"})
    [chair] = after["tasks"]
    form = api.as_("meeting_chair").get(f"/api/tasks/{chair['id']}/form").get_json()
    assert form["data"]["tally"] == {"round": 1, "members": 4, "present": 3, "quorum": 3, "approve": 3,
                                     "reject": 0, "abstain": 0, "absent": 1, "outcome": "passed"}
    assert form["data"]["project_name"] == "市民中心二期"
    # The tally is the application's count: the chair may not change it.
    changed = complete_task(api, chair, user="meeting_chair", expect=422, chair_decision="confirm",
                            chair_opinion="同意", tally={"outcome": "rejected"})
    assert [d["field"] for d in changed["error"]["details"]] == ["tally.outcome"]
    clock = api.as_("supervisor").get(f"/api/process-instances/{meeting['id']}/clock").get_json()
    assert (clock["state"], clock["promised_days"], clock["statutory_days"]) == ("running", 20, 45)
    done = complete_task(api, chair, user="meeting_chair", chair_decision="confirm", chair_opinion="同意会议决定")
    assert done["state"] == "completed"
    assert api.as_("supervisor").get(f"/api/process-instances/{meeting['id']}/clock").get_json()["state"] == "stopped"
    assert {"approval_issued", "approved"} <= reached(api, meeting)
    assert "rejection_issued" not in reached(api, meeting)


def test_a_majority_against_ends_the_case_not_approved(api, meeting):
    after = vote_all(api, convene(api, meeting), {"fgw": "reject", "zrzy": "approve", "zjj": "reject",
                                                  "sthj": "abstain"})
    assert variables(api, meeting)["tally"]["outcome"] == "rejected"
    done = complete_task(api, after["tasks"][0], user="meeting_chair", chair_decision="confirm",
                         chair_opinion="按表决结果办理")
    assert done["state"] == "completed"
    assert {"rejection_issued", "rejected"} <= reached(api, meeting)
    assert "approval_issued" not in reached(api, meeting)


def test_without_a_quorum_the_meeting_is_convened_again_and_votes_afresh(api, meeting):
    after = vote_all(api, convene(api, meeting), {"fgw": "approve", "zrzy": "absent", "zjj": "absent",
                                                  "sthj": "approve"})
    [again] = after["tasks"]
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


def test_a_meeting_without_member_departments_is_refused_and_nothing_is_stored(api, meeting):
    before = variables(api, meeting)
    empty = complete_open_task(api, meeting, "convene", user="zwfw_clerk", expect=422, member_departments=[],
                               meeting_date=in_a_week(), meeting_place="第一会议室")
    assert [(d["field"], d["rule"]) for d in empty["error"]["details"]] == [("member_departments", "required")]
    assert variables(api, meeting) == before
    assert [t["bpmn_id"] for t in case_tasks(api, meeting)] == ["convene"]


# ---- members come from the departments set up here (GET /api/departments) --------------------------------

def test_the_members_are_chosen_from_the_departments_set_up_here_and_checked(api, meeting):
    form = form_of(api, meeting, "convene", "zwfw_clerk")
    # The convene form offers the departments with groups, by code, as its checklist reads them (valuesKey).
    assert form["data"] == {"project_name": "市民中心二期", "department_options": [
        {"value": code, "label": DEPARTMENTS[code][0], "groups": [DEPARTMENTS[code][1]]}
        for code in sorted(DEPARTMENTS)]}
    [field] = [c for c in form["schema"]["components"] if c.get("key") == "member_departments"]
    assert (field["type"], field["valuesKey"]) == ("checklist", "department_options")

    unknown = complete_open_task(api, meeting, "convene", user="zwfw_clerk", expect=422,
                                 member_departments=["FGW", "XYZ"], meeting_date=in_a_week(), meeting_place="第一会议室")
    assert [(d["field"], d["rule"]) for d in unknown["error"]["details"]] == [("member_departments", "options")]
    twice = complete_open_task(api, meeting, "convene", user="zwfw_clerk", expect=422,
                               member_departments=["FGW", "FGW"], meeting_date=in_a_week(), meeting_place="第一会议室")
    assert [(d["field"], d["rule"]) for d in twice["error"]["details"]] == [("member_departments", "duplicate")]
    raw = complete_open_task(api, meeting, "convene", user="zwfw_clerk", expect=422, meeting_date=in_a_week(),
                             meeting_place="第一会议室", member_departments=["FGW"],
                             members=[{"department": "FGW", "name": "发改委", "group": "admin"}])
    assert [(d["field"], d["rule"]) for d in raw["error"]["details"]] == [("members", "unknown")]

    # A department offered when the round began but left without groups since has nobody to vote for it.
    emptied = api.as_("admin").put("/api/departments/STHJ", json={"name": "市生态环境局", "groups": []})
    assert emptied.status_code == 200
    refused = complete_open_task(api, meeting, "convene", user="zwfw_clerk", expect=422,
                                 member_departments=["FGW", "STHJ"], meeting_date=in_a_week(), meeting_place="第一会议室")
    assert "以下成员单位未在部门设置中或没有用户组，无法表决：STHJ" in refused["error"]["details"][0]["message"]

    ballots = convene(api, meeting, ("ZRZY", "FGW"))
    assert sorted(b["candidate_groups"] for b in ballots) == [["fgw"], ["zrzy"]]
    assert variables(api, meeting)["members"] == [
        {"department": "ZRZY", "name": "市自然资源和规划局", "groups": ["zrzy"]},
        {"department": "FGW", "name": "市发展和改革委员会", "groups": ["fgw"]}]


def test_without_departments_set_up_there_is_nobody_to_convene_and_the_acceptance_says_so(api):
    deploy_item(api, "ZWFW-LH-0001")
    case = api.start("joint_review_meeting", business_key="LH-2026-0002", variables={"project_name": "市民中心二期"})
    refused = complete_open_task(api, case, "acceptance", user="zwfw_clerk", expect=422,
                                 acceptance={"decision": "accept"})
    assert "尚未设置拥有用户组的部门" in refused["error"]["message"]
    assert [t["bpmn_id"] for t in case_tasks(api, case)] == ["acceptance"]  # nothing moved
    set_up_departments(api, ("FGW",))
    assert [t["bpmn_id"] for t in accept(api, case)["tasks"]] == ["convene"]


def test_the_meeting_date_is_not_in_the_past(api, meeting):
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    refused = complete_open_task(api, meeting, "convene", user="zwfw_clerk", expect=422, member_departments=["FGW"],
                                 meeting_date=yesterday, meeting_place="第一会议室")
    assert [(d["field"], d["rule"]) for d in refused["error"]["details"]] == [("meeting_date", "disallowPassedDates")]
    assert len(convene(api, meeting, ("FGW",), meeting_date=local_today().isoformat())) == 1  # today is fine


# ---- acceptance (受理): accept, refuse, or list everything to supplement; deemed accepted after 5 days ----

def test_the_centre_accepts_before_anything_else_and_the_clock_starts_then(api, received):
    assert api.as_("supervisor").get(f"/api/process-instances/{received['id']}/clock").status_code == 404
    form = form_of(api, received, "acceptance", "zwfw_clerk")
    assert form["data"] == {"project_name": "市民中心二期"}
    refused = complete_open_task(api, received, "acceptance", user="zwfw_clerk", expect=422,
                                 acceptance={"decision": "supplement"})
    assert [(d["field"], d["rule"]) for d in refused["error"]["details"]] == [("missing_materials", "required")]
    accept(api, received)
    clock = api.as_("supervisor").get(f"/api/process-instances/{received['id']}/clock").get_json()
    assert clock["state"] == "running"
    assert case_states(api, received["id"]) == ["已接件", "已受理"]


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
    assert [(d["field"], d["rule"]) for d in refused["error"]["details"]] == [("missing_materials", "required")]
    accept(api, received)
    assert [t["bpmn_id"] for t in case_tasks(api, received)] == ["convene"]
    assert case_states(api, received["id"]) == ["已接件", "补正(开始)", "补正(结束)", "已受理"]


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
    ballots = convene(api, received, meeting_date="2026-03-05")
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
    assert case_states(api, received["id"])[-2:] == ["部门开始办理", "流会(重新召开)"]
    assert "quorum_failed" in reached(api, received)
    [record] = variables(api, received)["meeting_records"]
    assert (record["round"], record["meeting_date"], record["meeting_place"]) == (1, "2026-03-05", "政务服务中心第一会议室")
    assert sorted((b["department"], b["vote"]) for b in record["ballots"]) == [
        ("FGW", "approve"), ("STHJ", "absent"), ("ZJJ", "absent"), ("ZRZY", "approve")]
    assert record["tally"] == {"round": 1, "members": 4, "present": 2, "quorum": 3, "quorum_met": False,
                               "approve": 2, "reject": 0, "abstain": 0, "absent": 2, "outcome": "no_quorum"}
    assert [t["bpmn_id"] for t in case_tasks(api, received)] == ["convene"]


def test_a_ballot_due_in_a_year_without_calendar_data_moves_when_the_year_is_loaded(api, received, frozen):
    """Convened on Monday 28 December 2026 for Thursday 31 December: the ballots are due the next working day,
    Friday 1 January 2027 by weekdays alone (2027 has no data yet). Loading 2027 with New Year's Day off moves
    the ballots and their timers to Monday 4 January, counted again from the meeting date."""
    frozen(at(date(2026, 12, 28)))
    accept(api, received)
    ballots = convene(api, received, ("FGW", "ZRZY"), meeting_date="2026-12-31")
    provisional = at(date(2027, 1, 1), 23).replace(minute=59, second=59)
    assert {datetime.fromisoformat(b["due_at"]) for b in ballots} == {provisional}
    assert [job.due_at for job in ballot_timers(api, received)] == [provisional] * 2

    calendar.replace_year(api.runtime.uow(), 2027, holidays=[{"date": "2027-01-01", "name": "元旦"}], workdays=[],
                          actor=Actor("admin", roles=frozenset({"admin"})))
    loaded = at(date(2027, 1, 4), 23).replace(minute=59, second=59)
    assert {datetime.fromisoformat(t["due_at"]) for t in case_tasks(api, received)} == {loaded}
    assert [job.due_at for job in ballot_timers(api, received)] == [loaded] * 2


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
    shown = json.loads(html.unescape(re.search(r'id="form-data">(.*?)</script>', refused.text, re.DOTALL).group(1)))
    assert shown["meeting_place"] == "第一会议室"  # as typed
    assert {o["value"] for o in shown["department_options"]} == set(DEPARTMENTS)
