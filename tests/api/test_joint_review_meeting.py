"""The joint review meeting (联合审批会议, bpmn/ZWFW-LH-0001): member departments vote in parallel, the
application counts quorum and majority, the chair decides on the tally, no quorum means a new meeting."""
from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import ROOT, complete_open_task, complete_task

ITEM = ROOT / "bpmn" / "ZWFW-LH-0001"
FORMS = [ROOT / "forms" / name for name in
         ("joint-review-convene.form", "joint-review-vote.form", "joint-review-chair.form")]
MEMBERS = [
    {"department": "FGW", "name": "市发展和改革委员会", "group": "fgw"},
    {"department": "ZRZY", "name": "市自然资源和规划局", "group": "zrzy"},
    {"department": "ZJ", "name": "市住房和城乡建设局", "group": "zjj"},
    {"department": "STHJ", "name": "市生态环境局", "group": "sthj"},
]
CLERKS = {"fgw": "fgw_clerk", "zrzy": "zrzy_clerk", "zjj": "zjj_clerk", "sthj": "sthj_clerk"}


@pytest.fixture
def meeting(api: Any) -> dict[str, Any]:
    """A case waiting for the centre to convene the meeting."""
    api.deploy(ITEM / "joint_review_meeting.bpmn", ITEM / "guide.json", *FORMS)
    case = api.start("joint_review_meeting", business_key="LH-2026-0001",
                     variables={"project_name": "市民中心二期", "members": MEMBERS})
    assert [t["bpmn_id"] for t in case["tasks"]] == ["convene"]
    return case


def convene(api: Any, case: dict[str, Any]) -> list[dict[str, Any]]:
    after = complete_open_task(api, case, "convene", user="zwfw_clerk", meeting_date="2026-03-10",
                               meeting_place="政务服务中心第一会议室")
    return [t for t in after["tasks"] if t["bpmn_id"] == "vote"]


def vote_all(api: Any, ballots: list[dict[str, Any]], votes: dict[str, str]) -> dict[str, Any]:
    """Each member department votes in its own task (a vote against with its reasons); the case as it stands
    after the last vote."""
    after: dict[str, Any] = {}
    for ballot in ballots:
        [group] = ballot["candidate_groups"]
        form = api.as_(CLERKS[group]).get(f"/api/tasks/{ballot['id']}/form").get_json()
        name = form["data"]["member"]["name"]  # shown read-only; sent back unchanged as form-js does
        said = "reason" if votes[group] == "reject" else "opinion"
        after = complete_task(api, ballot, user=CLERKS[group],
                              member={"name": name, "vote": votes[group], said: f"{name}意见：{votes[group]}"})
    return after


def variables(api: Any, case: dict[str, Any]) -> dict[str, Any]:
    return api.as_("supervisor").get(f"/api/process-instances/{case['id']}").get_json()["variables"]


def reached(api: Any, case: dict[str, Any]) -> set[str]:
    """The elements the case has completed, from its history."""
    events = api.as_("supervisor").get(f"/api/process-instances/{case['id']}/history").get_json()
    return {e["element_id"] for e in events if e["event"] == "element.completed"}


def test_each_member_department_votes_in_its_own_task_and_the_chair_issues_a_passing_decision(api, meeting):
    ballots = convene(api, meeting)
    assert sorted(b["candidate_groups"][0] for b in ballots) == ["fgw", "sthj", "zjj", "zrzy"]
    # Another department's clerk cannot vote in this one's place.
    zrzy_ballot = next(b for b in ballots if b["candidate_groups"] == ["zrzy"])
    foreign = api.as_("fgw_clerk").post(f"/api/tasks/{zrzy_ballot['id']}/complete",
                                        json={"variables": {"member": {"vote": "approve"}}})
    assert foreign.status_code in (403, 404)  # not this department's ballot: neither shown nor accepted
    form = api.as_("zrzy_clerk").get(f"/api/tasks/{zrzy_ballot['id']}/form").get_json()
    assert form["data"] == {"member": {"name": "市自然资源和规划局"}}
    refused = complete_task(api, zrzy_ballot, user="zrzy_clerk", expect=422, member={"vote": "maybe"})
    assert [d["field"] for d in refused["error"]["details"]] == ["member.vote"]

    after = vote_all(api, ballots, {"fgw": "approve", "zrzy": "approve", "zjj": "reject", "sthj": "abstain"})
    [chair] = after["tasks"]
    assert chair["bpmn_id"] == "chair_decision" and chair["candidate_groups"] == ["meeting_chair"]
    data = variables(api, meeting)
    # One object per member, gathered by the multi-instance output collection.
    assert sorted((b["department"], b["vote"]) for b in data["ballots"]) == [
        ("FGW", "approve"), ("STHJ", "abstain"), ("ZJ", "reject"), ("ZRZY", "approve")]
    assert data["tally"] == {"round": 1, "members": 4, "present": 4, "quorum": 3, "quorum_met": True,
                             "approve": 2, "reject": 1, "abstain": 1, "absent": 0, "outcome": "rejected"}


def test_a_majority_of_those_present_passes_and_the_chair_sees_the_tally(api, meeting):
    after = vote_all(api, convene(api, meeting), {"fgw": "approve", "zrzy": "approve", "zjj": "approve",
                                                  "sthj": "absent"})
    [chair] = after["tasks"]
    form = api.as_("meeting_chair").get(f"/api/tasks/{chair['id']}/form").get_json()
    assert form["data"]["tally"] == {"round": 1, "members": 4, "present": 3, "quorum": 3, "approve": 3,
                                     "reject": 0, "abstain": 0, "absent": 1, "outcome": "passed"}
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
    first = variables(api, meeting)["tally"]
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


def test_a_meeting_without_member_departments_is_refused_and_nothing_is_stored(api):
    api.deploy(ITEM / "joint_review_meeting.bpmn", *FORMS)
    error = api.start("joint_review_meeting", expect=422, business_key="LH-EMPTY", variables={"members": []})
    assert "成员单位" in error["error"]["message"]
    listed = api.as_("supervisor").get("/api/process-instances?business_key=LH-EMPTY").get_json()
    assert listed["total"] == 0
