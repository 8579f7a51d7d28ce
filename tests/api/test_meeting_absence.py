"""The joint review meeting (bpmn/ZWFW-LH-0001): the convening centre records by hand that a member department
did not attend, with a reason (the error ``member_absent`` thrown from that member's open ballot by a clerk of
the group the boundary event names in ``govflow.thrownBy``, zwfw): the ballot closes as its timer would close
it, and the count runs when the last ballot closes. And the history of a round reads in the order things
happened: every absence before the count."""
from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from engine import jobs
from engine.models import Job
from tests.api.test_joint_review_meeting import (
    CODE,
    accept,
    at,
    convene,
    frozen,  # noqa: F401 (a fixture)
    history_of,
    meeting_day,
    set_up_departments,
    variables,
    vote_all,
)
from tests.api.test_worksheet_pages import signed_in
from tests.helpers import ApiClient, case_tasks
from tests.service_items import deploy_item, supply_materials

REASON = "会议当天未到会，亦未书面请假"


@pytest.fixture
def received(api: ApiClient) -> dict[str, Any]:
    """A case the centre has received with its materials (its member departments set up)."""
    deploy_item(api, CODE)
    set_up_departments(api)
    started = api.start("joint_review_meeting", business_key="LH-2026-0101",
                        variables={"project_name": "市民中心二期", "applicant_name": "市城投公司"})
    supply_materials(api, started["id"], CODE)
    return started


@pytest.fixture
def case(api: ApiClient, received: dict[str, Any]) -> dict[str, Any]:
    """The case accepted by the centre and waiting to be convened."""
    accept(api, received)
    return received


@pytest.fixture
def ballots(api: ApiClient, case: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A meeting held today with three members, their open ballots by group."""
    return {b["candidate_groups"][0]: b for b in convene(api, case, ("FGW", "ZRZY", "ZJJ"))}


def record_absent(api: ApiClient, ballot: dict[str, Any], *, user: str = "zwfw_clerk", expect: int = 200,
                  **body: Any) -> Any:
    """The centre's clerk records the ballot's member absent (the error its boundary event catches)."""
    response = api.as_(user).post(f"/api/tasks/{ballot['id']}/bpmn-error",
                                  json={"code": "member_absent", "message": REASON, **body})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def task_state(api: ApiClient, task: dict[str, Any]) -> str:
    return str(api.as_("supervisor").get(f"/api/tasks/{task['id']}").get_json()["state"])


def pending_ballot_timers(api: ApiClient, case: dict[str, Any]) -> list[str]:
    """The task ids of the ballot timers still waiting."""
    with api.runtime.uow() as uow:
        return list(uow.session.scalars(select(Job.task_id).where(
            Job.instance_id == case["id"], Job.bpmn_id == "ballot_due", Job.state == "pending")))


def after(events: list[dict[str, Any]], first: int, *wanted: tuple[str, str]) -> list[int]:
    """The positions of the (event, element) pairs ``wanted`` in ``events``, each after the one before."""
    positions, at = [], first
    for event, element in wanted:
        at = next(i for i in range(at + 1, len(events))
                  if (events[i]["event"], events[i]["element_id"]) == (event, element))
        positions.append(at)
    return positions


def test_the_centre_records_a_member_absent_with_a_reason_and_its_ballot_closes_as_the_timer_would(
        api, case, ballots, app):
    zjj = ballots["zjj"]
    answer = record_absent(api, zjj)
    # Its ballot ended (cancelled with its timer); the others stay open: no count before the last closes.
    assert sorted(t["candidate_groups"][0] for t in answer["tasks"]) == ["fgw", "zrzy"]
    assert task_state(api, zjj) == "CANCELLED"
    assert len(pending_ballot_timers(api, case)) == 2  # its own timer went with it
    assert "tally" not in variables(api, case)

    events = history_of(api, case, "supervisor")
    [thrown] = [i for i, e in enumerate(events) if e["event"] == "task.bpmn_error"]
    assert (events[thrown]["actor"], events[thrown]["task_id"]) == ("zwfw_clerk", zjj["id"])
    assert {k: events[thrown]["data"][k] for k in ("code", "message", "member", "thrown_by", "boundary_name")} == {
        "code": "member_absent", "message": REASON, "member": "市住房和城乡建设局", "thrown_by": ["zwfw"],
        "boundary_name": "政务服务中心登记未出席"}
    # Then the same steps as a lapsed ballot: 计为未出席, the ballot's end 未出席.
    _, marked, _ = after(events, thrown, ("element.completed", "absence_recorded"),
                         ("element.completed", "record_absent"), ("element.completed", "ballot_missing"))
    assert events[marked]["element_name"] == "计为未出席"
    assert events[marked]["data"]["changed"]["member"]["vote"] == "absent"

    [chair] = vote_all(api, [ballots["fgw"], ballots["zrzy"]], {"fgw": "approve", "zrzy": "reject"})["tasks"]
    assert chair["bpmn_id"] == "chair_decision"  # counted when the last ballot closed, as before
    [record] = variables(api, case)["meeting_records"]
    absent = next(b for b in record["ballots"] if b["department"] == "ZJJ")
    assert (absent["vote"], absent["note"]) == ("absent", "政务服务中心登记会议当天未出席，计为未出席：" + REASON)
    assert "absence_reason" not in absent and "absence_reason" not in variables(api, case)
    assert record["tally"] == {"round": 1, "members": 3, "present": 2, "quorum": 2, "quorum_met": True,
                               "approve": 1, "reject": 1, "abstain": 0, "absent": 1, "outcome": "rejected"}

    page = signed_in(app, api, "zwfw_clerk").get(f"/cases/{case['id']}").text
    row = re.search(r'<tr data-event="task.bpmn_error" data-element="vote">(.*?)</tr>', page, re.DOTALL)
    assert row and f"政务服务中心登记未出席：市住房和城乡建设局<span class=\"muted\">（{REASON}）</span>" in row.group(1)
    assert "zwfw_clerk" in row.group(1) and "外部系统" not in row.group(1)


def test_recording_the_last_open_ballot_absent_runs_the_count_at_once(api, case, ballots):
    vote_all(api, [ballots["fgw"], ballots["zrzy"]], {"fgw": "approve", "zrzy": "approve"})
    [chair] = record_absent(api, ballots["zjj"])["tasks"]
    assert chair["bpmn_id"] == "chair_decision"
    assert variables(api, case)["tally"]["outcome"] == "passed"
    events = history_of(api, case, "supervisor")
    [thrown] = [i for i, e in enumerate(events) if e["event"] == "task.bpmn_error"]
    after(events, thrown, ("element.completed", "record_absent"), ("element.completed", "ballot_missing"),
          ("element.completed", "tally_votes"))  # the absence, then the count


def test_only_the_centre_may_record_a_member_absent(api, case, ballots):
    fgw = ballots["fgw"]
    for user in ("fgw_clerk", "zjj_clerk", "supervisor"):  # the member itself, another member, supervision
        refused = record_absent(api, fgw, user=user, expect=403)
        assert refused["error"]["code"] == "forbidden" and "only clerks of zwfw" in refused["error"]["message"]
    for user in ("meeting_chair", "window_clerk"):  # not (yet) a case of theirs: nothing to find
        assert record_absent(api, fgw, user=user, expect=404)["error"]["code"] == "not_found"
    assert task_state(api, fgw) == "READY"
    assert not [e for e in history_of(api, case, "supervisor") if e["event"] == "task.bpmn_error"]


def test_a_member_that_already_voted_cannot_be_recorded_absent(api, case, ballots):
    vote_all(api, [ballots["fgw"]], {"fgw": "approve"})
    refused = record_absent(api, ballots["fgw"], expect=409)
    assert refused["error"]["code"] == "conflict" and "COMPLETED" in refused["error"]["message"]
    vote_all(api, [ballots["zrzy"], ballots["zjj"]], {"zrzy": "approve", "zjj": "approve"})
    assert sorted(b["vote"] for b in variables(api, case)["ballots"]) == ["approve"] * 3


def test_no_member_can_be_recorded_absent_after_the_count(api, case, ballots):
    vote_all(api, [ballots["fgw"], ballots["zrzy"]], {"fgw": "approve", "zrzy": "approve"})
    record_absent(api, ballots["zjj"])  # the last ballot: the round is counted
    for ballot in ballots.values():
        assert record_absent(api, ballot, expect=409)["error"]["code"] == "conflict"
    assert variables(api, case)["tally"]["absent"] == 1


def test_recording_an_absence_needs_a_reason_and_sets_nothing_else(api, case, ballots):
    zjj = ballots["zjj"]
    for body in ({"code": "member_absent"}, {"code": "member_absent", "message": "   "}):
        response = api.as_("zwfw_clerk").post(f"/api/tasks/{zjj['id']}/bpmn-error", json=body)
        assert response.status_code == 422, response.get_json()
        assert [d["field"] for d in response.get_json()["error"]["details"]] == ["message"]
    # The path's data is the diagram's: a clerk ending another department's ballot sets none of it.
    refused = record_absent(api, zjj, expect=422, variables={"member": {"vote": "approve"}})
    assert [d["field"] for d in refused["error"]["details"]] == ["variables"]
    assert task_state(api, zjj) == "READY"


# ---- the history of a round: every absence, then the count -----------------------------------------------

def test_when_two_ballots_lapse_at_once_the_history_reads_each_absence_before_the_count(
        api, received, frozen, app):  # noqa: F811 (the fixture)
    """QA: the ballots of a round share one deadline, so two lapse in one command; its history listed the
    count, the failed quorum and the next round's convening first, and each 计为未出席 after them, as if the
    absences were found after the round had closed. It reads as it happened: each ballot's timer and its
    absence, then the round's end and the count."""
    frozen(at(date(2026, 3, 2)))
    case = accept(api, received)
    convene(api, case, meeting_date="2026-03-05")
    ballots = meeting_day(api, case, frozen)
    vote_all(api, [b for b in ballots if b["candidate_groups"][0] in ("fgw", "zrzy")],
             {"fgw": "approve", "zrzy": "approve"})
    due = at(date(2026, 3, 6), 23).replace(minute=59, second=59)
    jobs.run_due(api.runtime, worker_id="test", now=frozen(due + timedelta(seconds=1)))
    assert [t["bpmn_id"] for t in case_tasks(api, case)] == ["convene"]  # no quorum: convened again

    events = history_of(api, case, "supervisor")
    fired = [i for i, e in enumerate(events) if e["event"] == "timer.fired" and e["element_id"] == "ballot_due"]
    assert len(fired) == 2
    marked = [i for i, e in enumerate(events) if e["element_id"] == "mark_absent"]
    missing = [i for i, e in enumerate(events) if e["element_id"] == "ballot_missing"]
    [counted] = [i for i, e in enumerate(events) if e["element_id"] == "tally_votes"]
    assert fired[0] < marked[0] < missing[0] < fired[1] < marked[1] < missing[1] < counted
    round_ended = [i for i, e in enumerate(events) if e["event"] == "element.completed" and e["element_id"] == "voting"]
    assert max(round_ended) < counted  # each ballot's sub-process and the round end before the count
    convened = [i for i, e in enumerate(events) if e["event"] == "element.ready" and e["element_id"] == "convene"]
    assert counted < convened[-1]
    assert {events[i]["data"]["changed"]["member"]["department"] for i in marked} == {"ZJJ", "STHJ"}

    # The case page's 办理过程 too: both lapsed ballots' timers and ends (未出席), then the failed meeting.
    page = signed_in(app, api, "supervisor").get(f"/cases/{case['id']}").text
    rows = re.findall(r'<tr data-event="([^"]+)" data-element="([^"]*)">', page)
    lapses = [i for i, row in enumerate(rows) if row in (("timer.fired", "ballot_due"),
                                                         ("element.completed", "ballot_missing"))]
    assert len(lapses) == 4 and max(lapses) < rows.index(("element.completed", "quorum_failed"))


def test_the_last_vote_is_recorded_before_the_count_it_completes(api, case, ballots):
    """The member whose vote closes the round: its vote and its ballot's end come before the count."""
    vote_all(api, [ballots["fgw"], ballots["zrzy"]], {"fgw": "approve", "zrzy": "approve"})
    vote_all(api, [ballots["zjj"]], {"zjj": "reject"})
    events = history_of(api, case, "supervisor")
    last = max(i for i, e in enumerate(events) if e["event"] == "task.completed" and e["element_id"] == "vote")
    after(events, last, ("element.completed", "vote"), ("element.completed", "ballot_cast"),
          ("element.completed", "tally_votes"), ("element.ready", "chair_decision"))


THROWN_BY_DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <bpmn:error id="absent" name="absent" errorCode="member_absent" />
  <bpmn:process id="ballot" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="vote" />
    <bpmn:userTask id="vote" name="表决" camunda:candidateGroups="member" />
    <bpmn:sequenceFlow id="f2" sourceRef="vote" targetRef="done" />
    <bpmn:endEvent id="done" />
    <bpmn:boundaryEvent id="absence" attachedToRef="vote">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="govflow.thrownBy" value="{groups}" />
      </camunda:properties></bpmn:extensionElements>
      <bpmn:errorEventDefinition errorRef="absent" />
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="absence" targetRef="absent_end" />
    <bpmn:endEvent id="absent_end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_thrown_by_naming_no_group_is_refused_at_deploy(api: Any, tmp_path: Any) -> None:
    """It deployed with no word, and then nobody, admins included, could record the absence."""
    path = tmp_path / "ballot.bpmn"
    path.write_text(THROWN_BY_DIAGRAM.replace("{groups}", " "), encoding="utf-8")
    refused = api.deploy(path, expect=422)["error"]
    [problem] = [p for p in refused["details"] if p["severity"] == "error"]
    assert (problem["element"], problem["line"]) == ("absence", 11)
    assert problem["message"].startswith("govflow.thrownBy names no group")
    path.write_text(THROWN_BY_DIAGRAM.replace("{groups}", "zwfw"), encoding="utf-8")
    assert api.deploy(path)["definitions"][0]["key"] == "ballot"


def test_the_centre_records_an_absence_from_the_case_page_and_nobody_else_is_offered_it(api, case, ballots, app):
    """The case page offers the centre's clerk each open ballot to record absent, by its member; a member or
    supervision is offered none. Recorded, the ballot is gone from the offer and the reason is in the history."""
    centre = signed_in(app, api, "zwfw_clerk")
    page = centre.get(f"/cases/{case['id']}").text
    rows = re.findall(r'<tr class="throwable-row" data-task="([^"]+)" data-member="([^"]+)">', page)
    assert sorted(member for _, member in rows) == sorted(["市发展和改革委员会", "市住房和城乡建设局", "市自然资源和规划局"])
    assert "政务服务中心登记未出席</button>" in page
    for user in ("zjj_clerk", "supervisor"):
        assert 'id="throwables"' not in signed_in(app, api, user).get(f"/cases/{case['id']}").text, user

    zjj = ballots["zjj"]
    url = f"/cases/{case['id']}/tasks/{zjj['id']}/error"
    for said in ("\u200b", "局长出差\u202e未到"):  # nothing seen, or reordered: nothing recorded, said in Chinese
        blank = centre.post(url, {"reason": said}, token_from=f"/cases/{case['id']}")
        assert blank.status_code == 302 and task_state(api, zjj) == "READY"
    assert "请填写原因后再登记：政务服务中心登记未出席（市住房和城乡建设局）" in centre.get(f"/cases/{case['id']}").text
    done = centre.post(url, {"reason": REASON}, token_from=f"/cases/{case['id']}")
    assert done.status_code == 302 and task_state(api, zjj) == "CANCELLED"
    page = centre.get(f"/cases/{case['id']}").text
    assert "已登记：政务服务中心登记未出席（市住房和城乡建设局）" in page
    assert zjj["id"] not in re.findall(r'data-task="([^"]+)"', page)
    [thrown] = [e for e in history_of(api, case, "supervisor") if e["event"] == "task.bpmn_error"]
    assert (thrown["actor"], thrown["data"]["message"]) == ("zwfw_clerk", REASON)
    again = centre.post(url, {"reason": REASON}, token_from=f"/cases/{case['id']}")
    assert again.status_code == 302 and "该任务已结束或无权登记" in centre.get(f"/cases/{case['id']}").text


def test_the_chair_reads_who_was_recorded_absent_and_why_among_the_opinions(api, case, ballots, app):
    record_absent(api, ballots["zjj"])
    [chair] = vote_all(api, [ballots["fgw"], ballots["zrzy"]], {"fgw": "approve", "zrzy": "approve"})["tasks"]
    page = signed_in(app, api, "meeting_chair").get(f"/tasks/{chair['id']}").text
    opinions = page.split('id="opinions"')[1].split("</section>")[0]
    absent = re.search(r'<div class="opinion">\s*<p class="opinion-step"><strong>政务服务中心登记未出席（市住房和城乡建设局）'
                       r'</strong> <span class="muted">zwfw_clerk · [^<]+</span></p>(.*?)</div>', opinions, re.DOTALL)
    assert absent and f"<dt>原因</dt><dd>{REASON}</dd>" in absent.group(1)
    # The members convened by the names the form offered them under (options read from the case), not codes.
    members = re.search(r"<dt>参会成员单位</dt><dd>([^<]*)</dd>", opinions).group(1)
    assert members == "市发展和改革委员会、市自然资源和规划局、市住房和城乡建设局", members


def test_only_a_throw_the_engine_would_take_is_offered(api: ApiClient) -> None:
    """表决乙 has a catch-all boundary of its own, which would take the centre's error before the round's:
    the page offers the centre 表决甲 alone, as throw_error would end only that one through the round's event."""
    from engine import tasks
    from engine.users import Actor

    api.deploy("thrown_by_scopes.bpmn")
    case = api.start("thrown_by_scopes")
    # Of a group no department owns here: reading the case as a supervisor, throwing as a clerk of the group.
    centre = Actor("centre_clerk", groups=frozenset({"centre"}), roles=frozenset({"clerk", "supervisor"}))
    offered = tasks.throwables(api.runtime.uow(), case["id"], actor=centre)
    assert [(t.task_name, t.code, t.boundary_name) for t in offered] == [("表决甲", "absent", "中心登记未出席")]
    member = Actor("member_clerk", groups=frozenset({"member"}), roles=frozenset({"clerk", "supervisor"}))
    assert tasks.throwables(api.runtime.uow(), case["id"], actor=member) == []


def test_while_members_vote_the_case_data_names_no_single_member(api, case, ballots, app):
    """Each ballot carries its own member (the vote loop's item); the case's data is not any one of them."""
    assert "member" not in variables(api, case)
    page = signed_in(app, api, "zwfw_clerk").get(f"/cases/{case['id']}").text
    assert 'title="member.name"' not in page and 'title="member"' not in page
    ballot_form = api.as_("zjj_clerk").get(f"/api/tasks/{ballots['zjj']['id']}/form").get_json()
    assert ballot_form["data"]["member"]["name"] == "市住房和城乡建设局"  # each ballot still names its own


def test_the_case_page_loads_the_case_once_for_its_file_its_waits_and_the_throws_offered(
        api, case, ballots, app, monkeypatch):
    """Each open ballot waits on a timer inside the vote loop and may be recorded absent: the page's file, its
    waits (each ballot's member) and the offered throws all read the case, from one load."""
    from engine import execution

    loads: list[int] = []
    real = execution.open_case
    monkeypatch.setattr(execution, "open_case", lambda uow, instance_id, **kw: loads.append(instance_id)
                        or real(uow, instance_id, **kw))
    page = signed_in(app, api, "zwfw_clerk").get(f"/cases/{case['id']}").text
    assert len(re.findall(r'class="throwable-row"', page)) == 3 and "市住房和城乡建设局" in page
    assert loads == [case["id"]]


def test_a_case_read_before_a_command_is_read_again_after_it(api, case, ballots):
    """The load shared by reads ends with the transaction: a commit in the same unit of work reads anew."""
    from engine import execution, tasks
    from engine.users import Actor

    centre = Actor("zwfw_clerk", groups=frozenset({"zwfw"}), roles=frozenset({"clerk"}))
    with api.runtime.uow() as uow:
        before = execution.read_case(uow, case["id"])
        assert execution.read_case(uow, case["id"]) is before
        assert len(tasks.throwables(uow, case["id"], actor=centre)) == 3
        uow.commit()
        assert execution.read_case(uow, case["id"]) is not before
    record_absent(api, ballots["zjj"])
    assert len(tasks.throwables(api.runtime.uow(), case["id"], actor=centre)) == 2
