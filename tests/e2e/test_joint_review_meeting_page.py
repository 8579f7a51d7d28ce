"""The centre convenes a joint review meeting (联合审批会议, bpmn/ZWFW-LH-0001) in a real browser: the convene
form lists the departments set up here as checkboxes (a checklist reading its options from the case,
valuesKey), the clerk ticks the members and picks today, and each chosen department gets its ballot at once
(a meeting on a later day opens them on that day)."""
from __future__ import annotations

import re
from typing import Any

import pytest

from engine import definitions, departments, instances, materials, tasks
from engine.clock import LOCAL_TZ, utcnow
from engine.instances import InstanceView
from engine.users import SYSTEM, Actor
from tests.api.test_joint_review_meeting import DEPARTMENTS
from tests.browser import add_user, log_in, shot
from tests.helpers import cover_year, seed_national_calendar
from tests.service_items import guide, item_files

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

pytestmark = pytest.mark.slow
ADMIN = Actor("admin", roles=frozenset({"admin"}))
CLERK = Actor("zhou", frozenset({"zwfw"}), frozenset({"clerk"}))


@pytest.fixture
def accepted(runtime: Any) -> InstanceView:
    """The item deployed, its member departments set up, a case accepted and waiting to be convened."""
    return accept_case(runtime, tuple(DEPARTMENTS))


def accept_case(runtime: Any, set_up: tuple[str, ...]) -> InstanceView:
    """The item deployed, these co-departments of its guide set up with groups, a case accepted and waiting
    to be convened, its convene task claimed by the centre's clerk."""
    seed_national_calendar(runtime)
    cover_year(runtime, utcnow().astimezone(LOCAL_TZ).date())  # the meeting is convened for today
    definitions.deploy(runtime.uow(), item_files("ZWFW-LH-0001"), actor=SYSTEM)
    for code in set_up:
        name, group = DEPARTMENTS[code]
        departments.put_department(runtime.uow(), code, actor=ADMIN, name=name, groups=[group])
    add_user(runtime, "zhou", groups=["zwfw"], roles=["clerk"])
    view, _ = instances.start(runtime.uow(), "joint_review_meeting", actor=Actor("portal", roles=frozenset({"integrator"})),
                              business_key="LH-2026-000321", variables={"project_name": "市民中心二期"})
    materials.record(runtime.uow(), view.id, actor=CLERK, marks=[  # the originals checked at the window
        materials.NewMark(m["name"], "paper_checked") for m in guide("ZWFW-LH-0001")["materials"]])
    after = tasks.complete(runtime.uow(), view.tasks[0].id, actor=CLERK, variables={"acceptance": {"decision": "accept"}})
    [convene] = after.tasks
    tasks.claim(runtime.uow(), convene.id, actor=CLERK)
    return after


def test_the_centre_ticks_the_member_departments_among_those_set_up_and_each_gets_its_ballot(
        page: Any, runtime: Any, accepted: InstanceView) -> None:
    [convene] = accepted.tasks
    log_in(page, "zhou")
    page.goto(f"/tasks/{convene.id}")
    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")
    expect(page.get_by_label("项目名称")).to_have_value("市民中心二期")
    members = page.locator(".fjs-form-field", has_text="参会成员单位")
    for name, _ in DEPARTMENTS.values():
        expect(members.get_by_label(name)).to_be_visible()  # the departments set up here, by name
    expect(page.get_by_text("尚未在部门设置中设置用户组")).to_have_count(0)  # every one is: no note
    members.get_by_label("市自然资源和规划局").check()
    members.get_by_label("市生态环境局").check()
    page.get_by_label("会议地点").fill("政务服务中心第一会议室")
    day = utcnow().astimezone(LOCAL_TZ).date()  # today: the ballots open as the meeting is convened
    date_input = page.locator(".fjs-form-field", has_text="会议日期").locator("input").first
    date_input.fill(f"{day.year}/{day.month:02d}/{day.day:02d}")  # as the zh-CN picker reads it
    date_input.press("Enter")
    shot(page, "meeting-01-convene-members")
    page.click("#complete-button")
    page.wait_for_url(re.compile(r"/queue"))
    case = instances.get(runtime.uow(), accepted.id, actor=SYSTEM)
    assert sorted(t.candidate_groups[0] for t in case.tasks if t.bpmn_id == "vote") == ["sthj", "zrzy"]
    assert (case.variables["member_departments"], case.variables["meeting_date"]) == (["ZRZY", "STHJ"],
                                                                                      day.isoformat())


def test_the_convene_form_names_the_co_departments_nobody_could_vote_for(page: Any, runtime: Any) -> None:
    """Two of the guide's co-departments have no groups here: the convene form says so above the list, where
    they are marked, and the centre can have them set up."""
    accepted = accept_case(runtime, ("FGW", "ZRZY"))
    [convene] = accepted.tasks
    log_in(page, "zhou")
    page.goto(f"/tasks/{convene.id}")
    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")
    note = page.locator(".fjs-form-field-text", has_text="尚未在部门设置中设置用户组")
    expect(note).to_be_visible()
    expect(note).to_contain_text("以下协办部门尚未在部门设置中设置用户组，无人可以为其表决：市住房和城乡建设局（ZJJ）、市生态环境局（STHJ）。")
    members = page.locator(".fjs-form-field", has_text="参会成员单位")
    expect(members.get_by_label("市发展和改革委员会", exact=True)).to_be_visible()
    expect(members.get_by_label("市生态环境局（未设置用户组，无人可以表决）")).to_be_visible()
    shot(page, "meeting-02-convene-not-set-up")


def test_recording_a_member_absent_asks_first_and_a_no_changes_nothing(page: Any, runtime: Any,
                                                                       accepted: InstanceView) -> None:
    """It ends the member's ballot for good: the case page asks, naming the member and the reason."""
    [convene] = accepted.tasks
    tasks.complete(runtime.uow(), convene.id, actor=CLERK, variables={
        "member_departments": ["ZRZY"], "meeting_date": utcnow().astimezone(LOCAL_TZ).date().isoformat(),
        "meeting_place": "第一会议室"})
    log_in(page, "zhou")
    page.goto(f"/cases/{accepted.id}")
    row = page.locator("tr.throwable-row", has_text="市自然资源和规划局")
    row.locator("input[name=reason]").fill("会议当天未到会")
    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss() if len(asked) == 1 else dialog.accept()
    page.on("dialog", answer)
    row.locator("button[type=submit]").click()
    expect(row).to_be_visible()  # dismissed: nothing sent
    assert "市自然资源和规划局" in asked[0] and "会议当天未到会" in asked[0] and "不可撤销" in asked[0]
    assert [t.bpmn_id for t in instances.get(runtime.uow(), accepted.id, actor=SYSTEM).tasks] == ["vote"]
    row.locator("button[type=submit]").click()
    expect(page.locator("tr.throwable-row")).to_have_count(0)
    assert "vote" not in [t.bpmn_id for t in instances.get(runtime.uow(), accepted.id, actor=SYSTEM).tasks]
