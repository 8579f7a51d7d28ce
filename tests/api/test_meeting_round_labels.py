"""The joint review meeting's opinions by round (bpmn/ZWFW-LH-0001): once a meeting was held again (the chair
asked for it, or a round lacked its quorum), the task page's opinions panel sets each step under the round it
belongs to, the latest round first, the steps before the first round last; a single round needs no labels."""
from __future__ import annotations

import re

from tests.api.test_joint_review_meeting import (
    accept,
    convene,
    lapse,
    meeting,  # noqa: F401 (a fixture)
    opinions_panel,
    received,  # noqa: F401 (a fixture)
    task_page,
    variables,
    vote_all,
)
from tests.api.test_worksheet_pages import signed_in
from tests.helpers import complete_task

CONVENE, VOTE, CHAIR, ACCEPTANCE = "组织召开联合审批会议", "成员单位表决", "会议主持人决定", "受理审查"
ABSENT = "会议当天未到会，亦未书面请假"


def by_round(page: str) -> list[tuple[str, list[str], str]]:
    """The opinions panel's rounds in the order shown: each one's title, its steps' names and its text."""
    parts = opinions_panel(page).split('<div class="opinion-round"')[1:]
    shown = []
    for part in parts:
        title = re.search(r'<h3 class="opinion-round-title">([^<]+)</h3>', part)
        assert title, part
        shown.append((title.group(1), re.findall(r'<p class="opinion-step"><strong>([^<]+)</strong>', part), part))
    return shown


def test_the_chair_of_a_second_meeting_reads_each_opinion_under_its_round_the_latest_first(
        api, meeting, app):  # noqa: F811 (the fixture)
    first = {b["candidate_groups"][0]: b for b in convene(api, meeting, ("FGW", "ZRZY"))}
    [chair] = vote_all(api, list(first.values()), {"fgw": "reject", "zrzy": "approve"})["tasks"]
    complete_task(api, chair, user="meeting_chair", chair_decision="reconvene", chair_opinion="意见分歧较大，复议")
    [chair] = vote_all(api, convene(api, meeting, ("FGW", "ZRZY")), {"fgw": "approve", "zrzy": "approve"})["tasks"]
    assert variables(api, meeting)["meeting_round"] == 2

    page = task_page(app, api, "meeting_chair", chair)
    assert "共 2 轮会议，最近一轮在前。" in opinions_panel(page)
    shown = by_round(page)
    assert [(title, steps) for title, steps, _ in shown] == [
        ("第2轮", [CONVENE, VOTE, VOTE]),
        ("第1轮", [CONVENE, VOTE, VOTE, CHAIR]),  # the chair's reason to meet again closes its round
        ("第1轮之前", [ACCEPTANCE]),
    ]
    (_, _, second), (_, _, earlier), _ = shown
    assert "市发展和改革委员会意见：approve" in second and "市发展和改革委员会意见：reject" not in second
    assert "市发展和改革委员会意见：reject" in earlier and "市发展和改革委员会意见：approve" not in earlier
    assert "意见分歧较大，复议" in earlier and "意见分歧较大，复议" not in second

    english = signed_in(app, api, "meeting_chair")
    english.get("/lang/en?next=/queue")
    page = english.get(f"/tasks/{chair['id']}").text
    assert [title for title, *_ in by_round(page)] == ["Round 2", "Round 1", "Before round 1"]
    assert "2 meeting rounds, the latest first." in opinions_panel(page)


def test_a_single_meeting_lists_its_opinions_as_they_came_without_round_labels(
        api, meeting, app):  # noqa: F811 (the fixture)
    [chair] = vote_all(api, convene(api, meeting, ("FGW", "ZRZY")), {"fgw": "reject", "zrzy": "approve"})["tasks"]
    panel = opinions_panel(task_page(app, api, "meeting_chair", chair))
    assert re.findall(r'<p class="opinion-step"><strong>([^<]+)</strong>', panel) == [ACCEPTANCE, CONVENE, VOTE, VOTE]
    assert "opinion-round" not in panel and "第1轮" not in panel


def test_a_round_without_quorum_keeps_its_votes_and_the_absence_recorded_under_it(
        api, received, app):  # noqa: F811 (the fixture)
    """The first round ends by its ballots' timers and an absence the centre recorded, not by anyone's
    completion: the member voting in the second round reads them under round 1, the new meeting under 2."""
    accept(api, received)
    first = {b["candidate_groups"][0]: b for b in convene(api, received, ("FGW", "ZRZY", "ZJJ"))}
    vote_all(api, [first["fgw"]], {"fgw": "approve"})
    absent = api.as_("zwfw_clerk").post(f"/api/tasks/{first['zrzy']['id']}/bpmn-error",
                                        json={"code": "member_absent", "message": ABSENT})
    assert absent.status_code == 200, absent.get_json()
    assert lapse(api, received) == 1  # ZJJ never voted: no quorum, the meeting is convened again
    assert variables(api, received)["meeting_records"][0]["tally"]["outcome"] == "no_quorum"

    second = {b["candidate_groups"][0]: b for b in convene(api, received, ("FGW", "ZRZY"))}
    shown = by_round(task_page(app, api, "zrzy_clerk", second["zrzy"]))
    assert [(title, steps) for title, steps, _ in shown] == [
        ("第2轮", [CONVENE]),
        ("第1轮", [CONVENE, VOTE, "政务服务中心登记未出席（市自然资源和规划局）"]),
        ("第1轮之前", [ACCEPTANCE]),
    ]
    assert ABSENT in shown[1][2] and "市发展和改革委员会意见：approve" in shown[1][2]

