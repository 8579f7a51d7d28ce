"""A window clerk's day in a real browser: log in, claim from the group queue, fill the form (the
server refuses a missing field, the clerk fixes it), complete; the case moves to the review section's
queue, and its page shows the diagram at the review step."""
from __future__ import annotations

import json
import re
from typing import Any

import pytest

from engine import Runtime, definitions, instances, tasks
from engine.instances import InstanceView
from engine.users import SYSTEM, Actor
from tests.browser import add_user, log_in, log_out, shot
from tests.live import ROOT

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

pytestmark = pytest.mark.slow
SAMPLE = ROOT / "bpmn" / "window-acceptance" / "window_acceptance.bpmn"
FORM = ROOT / "tests" / "fixtures" / "pages" / "window-accept.form"


@pytest.fixture
def case(runtime: Runtime) -> InstanceView:
    """The sample item deployed with an acceptance form, a case waiting at the window, and two clerks."""
    definitions.deploy(runtime.uow(), [(SAMPLE.name, SAMPLE.read_bytes()), (FORM.name, FORM.read_bytes())],
                       actor=SYSTEM)
    add_user(runtime, "wang", groups=["window"], roles=["clerk"])
    add_user(runtime, "li", groups=["review"], roles=["clerk"])
    view, _ = instances.start(runtime.uow(), "window_acceptance", actor=Actor("portal", roles=frozenset({"integrator"})),
                              business_key="SX-2026-000123", variables={"applicantName": "张三"})
    return view


def test_a_clerk_claims_fills_and_completes_a_task_and_the_case_moves_on(page: Any, case: InstanceView) -> None:
    page.goto("/queue")
    expect(page).to_have_url(re.compile(r"/login\?next=/queue$"))
    shot(page, "00-login")
    log_in(page, "wang")
    shot(page, "01-queue-all")
    page.click('a[data-queue="group:window"]')
    expect(page.locator('a[data-queue="group:window"] .count')).to_have_text("1")
    row = page.locator("tr.task-row", has_text=case.business_key)
    # Due by the end of the next working day and just opened: not yet marked, or every window task would be
    expect(row).not_to_have_class(re.compile(r"row-due_soon"))
    expect(row.locator(".badge-yellow")).to_have_count(0)
    shot(page, "02-queue-window-group")

    row.locator("button.claim").click()  # one click: the task is mine
    expect(page.locator(".flash-success")).to_contain_text("受理审查")
    expect(page.locator('a[data-queue="mine"] .count')).to_have_text("1")
    expect(page.locator('a[data-queue="group:window"] .count')).to_have_text("0")
    page.click('a[data-queue="mine"]')
    page.locator("tr.task-row", has_text=case.business_key).locator("a.work").click()

    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")
    expect(page.get_by_label("申请人")).to_have_value("张三")  # prefilled from the case
    expect(page.locator(".side-col")).to_contain_text(case.business_key)
    shot(page, "03-task-form")

    page.click("#complete-button")  # no decision chosen: the server refuses and says where
    expect(page.locator("#form-errors-summary")).to_contain_text("受理决定")
    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")  # the form drawn again
    decision = page.locator(".fjs-form-field", has_text="受理决定")
    expect(decision.locator(".fjs-form-field-error")).to_contain_text("必填项")  # said in the page language
    expect(page.get_by_label("申请人")).to_have_value("张三")  # what was typed is kept
    shot(page, "04-task-validation-error")

    page.get_by_label("受理", exact=True).check()
    page.get_by_label("受理意见").fill("材料齐全。\n予以受理。")  # one point a line
    page.click("#complete-button")
    page.wait_for_url(re.compile(r"/queue"))
    expect(page.locator(".flash-success")).to_contain_text(case.business_key)
    expect(page.locator("tr.task-row", has_text=case.business_key)).to_have_count(0)
    shot(page, "05-queue-after-completion")
    log_out(page)

    log_in(page, "li")
    page.click('a[data-queue="group:review"]')
    row = page.locator("tr.task-row", has_text=case.business_key)
    expect(row).to_contain_text("审查（业务科室）")
    expect(page.locator('a[data-queue="group:review"] .count')).to_have_text("1")
    shot(page, "06-queue-review-group")

    row.locator('a.button:has-text("查看")').click()  # the review task shows what the window decided
    opinions = page.locator("#opinions")
    expect(opinions).to_contain_text("受理审查（综合窗口）")
    expect(opinions).to_contain_text("wang")
    expect(opinions.locator("dt", has_text="受理决定").locator("+ dd")).to_have_text("受理")
    written = opinions.locator("dt", has_text="受理意见").locator("+ dd")
    expect(written).to_have_text("材料齐全。\n予以受理。")
    assert written.inner_text() == "材料齐全。\n予以受理。"  # read as written, a line each (not run together)
    shot(page, "06b-task-opinions")
    page.go_back()

    row.locator(f'a:has-text("{case.business_key}")').click()
    expect(page.locator("#diagram")).to_have_attribute("data-ready", "true")
    expect(page.locator('#diagram [data-element-id="review"].gf-active')).to_have_count(1)
    expect(page.locator('#diagram [data-element-id="accept"].gf-done')).to_have_count(1)
    expect(page.locator('#diagram [data-element-id="gw_accept"].gf-done')).to_have_count(1)
    expect(page.locator('#diagram [data-element-id="decide"].gf-active')).to_have_count(0)
    expect(page.locator("table.timeline")).to_contain_text("已受理")
    expect(page.locator(".open-tasks")).to_contain_text("审查（业务科室）")
    shot(page, "07-case")

    page.click(".who a.lang")  # the same page in English
    expect(page.locator("h1")).to_contain_text("Case")
    expect(page.locator("table.timeline")).to_contain_text("Accepted")
    shot(page, "08-case-english")


def test_case_data_shown_as_markup_in_a_form_text_cannot_take_the_place_of_the_page_s_fields(
        page: Any, runtime: Runtime, tmp_path: Any) -> None:
    """A form's text may show case data (form-js templating), which form-js renders as sanitized markup:
    an id in that data must not stand in for the field the page posts the form's data in."""
    schema = json.loads(FORM.read_text(encoding="utf-8"))
    schema["components"][0]["text"] = "申请人：{{applicantName}}"
    definitions.deploy(runtime.uow(), [(SAMPLE.name, SAMPLE.read_bytes()),
                                       (FORM.name, json.dumps(schema, ensure_ascii=False).encode())], actor=SYSTEM)
    add_user(runtime, "wang", groups=["window"], roles=["clerk"])
    view, _ = instances.start(runtime.uow(), "window_acceptance", actor=Actor("portal", roles=frozenset({"integrator"})),
                              business_key="SX-2026-000124",
                              variables={"applicantName": '<span id="form-data-field"></span>'})
    tasks.claim(runtime.uow(), view.tasks[0].id, actor=Actor("wang", frozenset({"window"}), frozenset({"clerk"})))
    log_in(page, "wang")
    page.goto(f"/tasks/{view.tasks[0].id}")
    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")
    page.get_by_label("受理", exact=True).check()
    page.click("#complete-button")
    page.wait_for_url(re.compile(r"/queue"))
    expect(page.locator(".flash-success")).to_contain_text(view.business_key)
    [done] = [e for e in instances.history(runtime.uow(), view.id, actor=SYSTEM) if e.event == "task.completed"]
    assert done.data["variables"]["decision"] == "accept"


def test_the_applicant_brings_the_supplement_and_the_window_clerk_records_it_on_the_case_page(
        page: Any, runtime: Runtime) -> None:
    """A case sent a one-time notice waits for the supplement or its deadline: its page says so, and the
    window clerk records the materials the applicant brought, so the case goes back to the window instead
    of lapsing as withdrawn."""
    from tests.api.test_pages_cases import ITEM, ITEM_BPMN, ITEM_NAME
    from tests.helpers import seed_national_calendar

    seed_national_calendar(runtime)
    definitions.deploy(runtime.uow(), [("licence_item.bpmn", ITEM_BPMN.encode())], actor=SYSTEM)
    add_user(runtime, "wang", groups=["window"], roles=["clerk"])
    wang = Actor("wang", frozenset({"window"}), frozenset({"clerk"}))
    view, _ = instances.start(runtime.uow(), ITEM, actor=Actor("portal", roles=frozenset({"integrator"})),
                              business_key="SX-2026-000125")
    tasks.claim(runtime.uow(), view.tasks[0].id, actor=wang)
    tasks.complete(runtime.uow(), view.tasks[0].id, actor=wang, variables={"decision": "incomplete"})

    log_in(page, "wang")
    page.goto("/cases")
    row = page.locator("tr.case-row", has_text=view.business_key)
    expect(row).to_contain_text(ITEM_NAME)
    row.locator(f'a:has-text("{view.business_key}")').click()
    waits = page.locator(".waits-panel")
    expect(waits.locator("tr.wait-message")).to_contain_text("申请人补正材料")
    expect(waits.locator("tr.wait-timer")).to_contain_text("补正期限届满")
    shot(page, "09-case-waiting-for-supplement")

    waits.get_by_label("备注（选填）").fill("申请人到窗口补交材料")
    waits.get_by_role("button", name="记录：申请人补正材料").click()
    expect(page.locator(".flash-success")).to_contain_text("已记录：申请人补正材料")
    expect(page.locator(".waits-panel")).to_have_count(0)
    expect(page.locator("table.timeline")).to_contain_text("申请人到窗口补交材料")
    expect(page.locator(".open-tasks")).to_contain_text("受理审查")
    shot(page, "10-case-supplement-recorded")
    [received] = [e for e in instances.history(runtime.uow(), view.id, actor=SYSTEM) if e.event == "message.received"]
    assert received.actor == "wang" and received.data["note"] == "申请人到窗口补交材料"


def test_a_clerk_going_on_leave_hands_the_task_to_a_window_colleague(page: Any, runtime: Runtime,
                                                                     case: InstanceView) -> None:
    """转办: wang holds the acceptance; the task page offers the window's colleagues (not li of the review
    section), and zhang, chosen with a note, finds it in their own queue."""
    add_user(runtime, "zhang", groups=["window"], roles=["clerk"])
    task_id = case.tasks[0].id
    tasks.claim(runtime.uow(), task_id, actor=Actor("wang", frozenset({"window"}), frozenset({"clerk"})))
    log_in(page, "wang")
    page.goto(f"/tasks/{task_id}")
    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")
    options = page.locator("#handover-assignee option")
    expect(options).to_have_text(["请选择", "zhang"])
    page.set_viewport_size({"width": 375, "height": 800})  # on a phone the handover row wraps in the page
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.select_option("#handover-assignee", "zhang")
    page.get_by_label("备注（选填）").fill("本人休假，请张三接办")
    shot(page, "11-task-handover")
    page.get_by_role("button", name="转交", exact=True).click()
    page.wait_for_url(re.compile(r"/queue"))
    expect(page.locator(".flash-success")).to_contain_text("已转交 zhang")
    expect(page.locator('a[data-queue="mine"] .count')).to_have_text("0")
    log_out(page)

    log_in(page, "zhang")
    page.click('a[data-queue="mine"]')
    expect(page.locator("tr.task-row", has_text=case.business_key)).to_contain_text("受理审查")
    shot(page, "12-queue-after-handover")
    [handed] = [e for e in instances.history(runtime.uow(), case.id, actor=SYSTEM) if e.event == "task.assigned"]
    assert handed.actor == "wang"
    assert handed.data == {"assignee": "zhang", "previous": "wang", "note": "本人休假，请张三接办"}


def test_the_chief_chooses_grant_or_denial_and_a_denial_is_never_the_default(page: Any, runtime: Runtime) -> None:
    """审批决定 is a choice of two that must be made: leaving it (as an unticked box once did) issued a 不予行政许可
    决定书 whose reason was the chief's note of agreement."""
    forms = sorted((ROOT / "forms").glob("window-*.form"))
    definitions.deploy(runtime.uow(), [(SAMPLE.name, SAMPLE.read_bytes()),
                                       *((f.name, f.read_bytes()) for f in forms)], actor=SYSTEM)
    add_user(runtime, "zhao", groups=["chief"], roles=["clerk"])
    window = Actor("wang", frozenset({"window"}), frozenset({"clerk"}))
    reviewer = Actor("li", frozenset({"review"}), frozenset({"clerk"}))
    view, _ = instances.start(runtime.uow(), "window_acceptance", actor=Actor("portal", roles=frozenset({"integrator"})),
                              business_key="SX-2026-000125", variables={"applicant_name": "张三"})
    after = tasks.complete(runtime.uow(), view.tasks[0].id, actor=window,
                           variables={"decision": "accept", "materials_complete": True})
    after = tasks.complete(runtime.uow(), after.tasks[0].id, actor=reviewer, variables={"review_opinion": "不符合条件"})
    [decide] = after.tasks
    tasks.claim(runtime.uow(), decide.id, actor=Actor("zhao", frozenset({"chief"}), frozenset({"clerk"})))
    log_in(page, "zhao")
    page.goto(f"/tasks/{decide.id}")
    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")
    expect(page.get_by_label("准予许可")).not_to_be_checked()
    expect(page.get_by_label("不予许可")).not_to_be_checked()
    page.get_by_label("决定意见").fill("同意")
    page.click("#complete-button")  # nothing chosen: refused, said beside the choice
    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")
    expect(page.locator(".fjs-form-field-error").first).to_be_visible()
    assert [t.bpmn_id for t in instances.get(runtime.uow(), view.id, actor=SYSTEM).tasks] == ["decide"]
    page.get_by_label("不予许可").check()
    page.get_by_label("决定意见").fill("经营场所与申请材料不一致")
    page.click("#complete-button")
    page.wait_for_url(re.compile(r"/queue"))
    [done] = [e for e in instances.history(runtime.uow(), view.id, actor=SYSTEM)
              if e.event == "task.completed" and e.element_id == "decide"]
    assert done.data["variables"]["approved"] is False  # the diagram's ${approved} reads a boolean
    assert [t.bpmn_id for t in instances.get(runtime.uow(), view.id, actor=SYSTEM).tasks] == ["deliver"]


def test_on_a_phone_the_queue_shows_each_task_whole_with_its_deadline_and_claim_button(page: Any,
                                                                                    case: InstanceView) -> None:
    log_in(page, "wang")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/queue?queue=group:window")
    row = page.locator("tr.task-row", has_text=case.business_key)
    expect(row).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for part in (row.locator("td.due"), row.locator("button.claim")):
        box = part.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    label = row.locator("td.due").evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"期限"'  # each figure under its column's name
    row.locator("button.claim").click()
    expect(page.locator('a[data-queue="mine"] .count')).to_have_text("1")
