"""What a clerk types in a task or intake form is never lost without a word, in a real browser: it is kept as a
draft in the browser while typed; a send the server never took (the session ended) finds it back in the form,
said so, once logged in again; a task handed over or a case suspended meanwhile shows it read-only; the
server taking the send drops it, and three days drop it too; leaving the page with changes not sent asks first,
sending does not."""
from __future__ import annotations

import json
import re
from typing import Any

import pytest

from engine import Runtime, calendar, definitions, instances, tasks
from engine.instances import InstanceView
from engine.users import SYSTEM, Actor
from tests.browser import add_user, log_in, shot
from tests.live import ROOT
from tests.service_items import item_files

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

pytestmark = pytest.mark.slow
SAMPLE = ROOT / "bpmn" / "window-acceptance" / "window_acceptance.bpmn"
FORM = ROOT / "tests" / "fixtures" / "pages" / "window-accept.form"
WANG = Actor("wang", frozenset({"window"}), frozenset({"clerk"}))
DRAFTS = "govflow.form.draft/wang/"
OPINION = "材料齐全，予以受理。"


@pytest.fixture
def cases(runtime: Runtime) -> list[InstanceView]:
    """Two window cases, their acceptance tasks (a required decision and an opinion) claimed by wang."""
    definitions.deploy(runtime.uow(), [(SAMPLE.name, SAMPLE.read_bytes()), (FORM.name, FORM.read_bytes())],
                       actor=SYSTEM)
    add_user(runtime, "wang", groups=["window"], roles=["clerk"])
    add_user(runtime, "zhang", groups=["window"], roles=["clerk"])
    started = []
    for number, applicant in (("SX-2026-000401", "张三"), ("SX-2026-000402", "李四")):
        view, _ = instances.start(runtime.uow(), "window_acceptance",
                                  actor=Actor("portal", roles=frozenset({"integrator"})), business_key=number,
                                  variables={"applicantName": applicant})
        tasks.claim(runtime.uow(), view.tasks[0].id, actor=WANG)
        started.append(view)
    return started


def open_form(page: Any, url: str) -> None:
    page.goto(url)
    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")


def draft_of(page: Any, name: str) -> Any:
    kept = page.evaluate("key => sessionStorage.getItem(key)", DRAFTS + name)
    return json.loads(kept) if kept else None


def wait_for_draft(page: Any, name: str, text: str) -> None:
    page.wait_for_function("([key, text]) => (sessionStorage.getItem(key) || '').includes(text)",
                           arg=[DRAFTS + name, text])


def fill_acceptance(page: Any) -> None:
    page.get_by_label("受理", exact=True).check()
    page.get_by_label("受理意见").fill(OPINION)
    page.get_by_label("受理意见").press("Tab")


def answering(asked: list[str], *, leave: bool) -> Any:
    """A dialog handler noting each question's type, then leaving the page or staying."""
    def answer(dialog: Any) -> None:
        asked.append(dialog.type)
        if leave:
            dialog.accept()
        else:
            dialog.dismiss()
    return answer


def relog(page: Any) -> None:
    """The session ended: the send is refused as expired, and the clerk logs in again."""
    expect(page.locator("main")).to_contain_text("表单已过期")
    log_in(page, "wang")


def task_state(runtime: Runtime, view: InstanceView) -> str:
    return tasks.get_task(runtime.uow(), view.tasks[0].id, actor=SYSTEM).state


def completed_opinion(runtime: Runtime, view: InstanceView) -> Any:
    [done] = [e for e in instances.history(runtime.uow(), view.id, actor=SYSTEM) if e.event == "task.completed"]
    return done.data["variables"].get("opinion")


def test_a_task_form_typed_before_the_session_ended_is_back_after_logging_in(page: Any, runtime: Runtime,
                                                                             cases: list[InstanceView]) -> None:
    first, second = (f"/tasks/{view.tasks[0].id}" for view in cases)
    asked: list[str] = []
    page.on("dialog", answering(asked, leave=False))
    log_in(page, "wang")
    open_form(page, first)
    expect(page.locator("#form-draft")).to_be_hidden()
    fill_acceptance(page)
    wait_for_draft(page, f"task/{cases[0].tasks[0].id}", OPINION)

    page.context.clear_cookies()  # logged out in another tab, cookies cleared ...
    page.click("#complete-button")
    relog(page)
    assert task_state(runtime, cases[0]) == "READY"
    open_form(page, first)
    expect(page.locator("#form-draft")).to_be_visible()
    expect(page.locator("#form-draft [data-read-only=false]")).to_be_visible()
    expect(page.locator("#form-draft-time")).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d$"))
    expect(page.get_by_label("受理意见")).to_have_value(OPINION)
    expect(page.get_by_label("受理", exact=True)).to_be_checked()
    expect(page.get_by_label("申请人")).to_have_value("张三")  # the case's data around it as the server gave it
    shot(page, "form-draft-restored")

    page.click("#complete-button")  # sending asks nothing
    page.wait_for_url(re.compile(r"/queue"))
    assert completed_opinion(runtime, cases[0]) == OPINION
    assert asked == []
    # The queue answering the send runs no script: the next form page asks the task's page and drops the draft.
    open_form(page, second)
    expect(page.locator("#form-draft")).to_be_hidden()
    page.wait_for_function("key => sessionStorage.getItem(key) === null", arg=DRAFTS + f"task/{cases[0].tasks[0].id}")
    open_form(page, first)  # completed: nothing offered
    expect(page.locator("#form-draft")).to_be_hidden()


def test_a_refused_completion_s_values_are_kept_though_no_one_typed_them_on_its_page(
        page: Any, runtime: Runtime, cases: list[InstanceView]) -> None:
    url = f"/tasks/{cases[0].tasks[0].id}"
    log_in(page, "wang")
    open_form(page, url)
    page.get_by_label("受理意见").fill(OPINION)  # no decision: the server refuses the completion
    page.click("#complete-button")
    expect(page.locator("#form-errors-summary")).to_contain_text("受理决定")
    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")
    expect(page.locator("#form-draft")).to_be_hidden()  # the page shows what was sent
    page.context.clear_cookies()
    page.get_by_label("受理", exact=True).check()
    page.click("#complete-button")
    relog(page)
    open_form(page, url)
    expect(page.locator("#form-draft")).to_be_visible()
    expect(page.get_by_label("受理意见")).to_have_value(OPINION)
    expect(page.get_by_label("受理", exact=True)).to_be_checked()


def test_the_task_s_own_page_drops_the_draft_once_the_server_took_it(page: Any, runtime: Runtime,
                                                                     cases: list[InstanceView]) -> None:
    task = f"task/{cases[0].tasks[0].id}"
    log_in(page, "wang")
    open_form(page, f"/tasks/{cases[0].tasks[0].id}")
    fill_acceptance(page)
    wait_for_draft(page, task, OPINION)
    page.click("#complete-button")
    page.wait_for_url(re.compile(r"/queue"))
    assert draft_of(page, task)["sentAt"]  # sent: kept until a page says what became of it
    open_form(page, f"/tasks/{cases[0].tasks[0].id}")
    assert draft_of(page, task) is None
    expect(page.locator("#form-draft")).to_be_hidden()


def test_a_case_suspended_meanwhile_shows_the_typed_text_read_only_until_it_is_resumed(
        page: Any, runtime: Runtime, cases: list[InstanceView]) -> None:
    view = cases[0]
    url = f"/tasks/{view.tasks[0].id}"
    log_in(page, "wang")
    open_form(page, url)
    fill_acceptance(page)
    wait_for_draft(page, f"task/{view.tasks[0].id}", OPINION)

    instances.suspend(runtime.uow(), view.id, actor=SYSTEM, reason="等待补正")
    page.click("#complete-button")  # refused: back to the task, read-only now
    expect(page.locator(".flash-error")).to_contain_text("该办件已挂起")
    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")
    expect(page.locator("#form-draft [data-read-only=true]")).to_be_visible()
    expect(page.locator("#form-draft [data-read-only=false]")).to_be_hidden()
    expect(page.get_by_label("受理意见")).to_have_value(OPINION)
    shot(page, "form-draft-read-only")

    instances.resume(runtime.uow(), view.id, actor=SYSTEM)
    open_form(page, url)
    expect(page.locator("#form-draft [data-read-only=false]")).to_be_visible()
    expect(page.get_by_label("受理意见")).to_have_value(OPINION)
    page.click("#form-draft-discard")  # the clerk wants the form as the server has it
    expect(page.locator("#form-draft")).to_be_hidden()
    expect(page.get_by_label("受理意见")).to_have_value("")
    assert draft_of(page, f"task/{view.tasks[0].id}") is None
    open_form(page, url)
    expect(page.locator("#form-draft")).to_be_hidden()


def test_a_task_handed_over_meanwhile_shows_the_typed_text_to_the_clerk_who_typed_it(
        page: Any, runtime: Runtime, cases: list[InstanceView]) -> None:
    view = cases[0]
    log_in(page, "wang")
    open_form(page, f"/tasks/{view.tasks[0].id}")
    fill_acceptance(page)
    wait_for_draft(page, f"task/{view.tasks[0].id}", OPINION)
    tasks.assign(runtime.uow(), view.tasks[0].id, actor=SYSTEM, assignee="zhang")
    page.click("#complete-button")
    expect(page.locator(".flash-error")).to_contain_text("zhang")
    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")
    expect(page.locator("#form-draft [data-read-only=true]")).to_be_visible()
    expect(page.get_by_label("受理意见")).to_have_value(OPINION)


def test_a_draft_older_than_three_days_is_dropped_not_offered(page: Any, cases: list[InstanceView]) -> None:
    old, recent = (f"task/{view.tasks[0].id}" for view in cases)
    log_in(page, "wang")
    page.evaluate("""([old, recent]) => {
        const day = 24 * 3600 * 1000;
        const draft = (days) => JSON.stringify({ data: { opinion: '旧意见' }, fields: {}, savedAt: Date.now() - days * day });
        sessionStorage.setItem(old, draft(3.1));
        sessionStorage.setItem(recent, draft(2.9));
    }""", [DRAFTS + old, DRAFTS + recent])
    open_form(page, f"/tasks/{cases[0].tasks[0].id}")
    expect(page.locator("#form-draft")).to_be_hidden()
    expect(page.get_by_label("受理意见")).to_have_value("")
    assert draft_of(page, old) is None
    assert draft_of(page, recent)["data"] == {"opinion": "旧意见"}  # offered on its own page


def test_leaving_a_task_form_with_changes_not_sent_asks_first_and_coming_back_finds_them(
        page: Any, runtime: Runtime, cases: list[InstanceView]) -> None:
    view = cases[0]
    url = f"/tasks/{view.tasks[0].id}"
    asked: list[str] = []
    stay = answering(asked, leave=False)
    page.on("dialog", stay)
    log_in(page, "wang")
    open_form(page, url)
    page.click("aside >> text=查看办件")  # nothing typed: nothing to ask
    page.wait_for_url(re.compile(rf"/cases/{view.id}$"))
    assert asked == []

    open_form(page, url)
    fill_acceptance(page)
    page.click("aside >> text=查看办件")  # to upload a material, say
    expect(page.locator("#complete-button")).to_be_visible()
    assert asked == ["beforeunload"]
    expect(page).to_have_url(re.compile(rf"{url}$"))  # stayed, the text on screen
    expect(page.get_by_label("受理意见")).to_have_value(OPINION)

    page.remove_listener("dialog", stay)
    page.once("dialog", lambda dialog: dialog.accept())  # leave anyway
    page.click("aside >> text=查看办件")
    page.wait_for_url(re.compile(rf"/cases/{view.id}$"))
    open_form(page, url)  # back: the text is in the form
    expect(page.get_by_label("受理意见")).to_have_value(OPINION)
    expect(page.locator("#form-draft")).to_be_visible()


@pytest.fixture
def window_item(runtime: Runtime) -> str:
    with runtime.uow() as uow:
        calendar.seed_national(uow)
    definitions.deploy(runtime.uow(), item_files("window-acceptance"), actor=SYSTEM)
    add_user(runtime, "wang", groups=["window"], roles=["clerk"])
    return "/work/intake/window-acceptance"


def test_an_intake_typed_before_the_session_ended_is_back_and_dropped_by_the_receipt(
        page: Any, runtime: Runtime, window_item: str) -> None:
    code = window_item.rsplit("/", 1)[1]
    log_in(page, "wang")
    open_form(page, window_item)
    generated = page.locator("input[name=generated]").input_value()
    page.fill("#intake-applicant_name", "洛阳某酒店管理有限公司")
    page.fill("#intake-applicant_phone", "13800138000")
    page.locator("tr.checklist-entry").first.get_by_label("纸质原件已核验").check()
    wait_for_draft(page, f"intake/{code}", "13800138000")

    page.context.clear_cookies()
    page.click("#intake-submit")
    relog(page)
    open_form(page, window_item)
    expect(page.locator("#form-draft")).to_be_visible()
    # Offered, not filled in: it may be the previous applicant's, left unsent.
    expect(page.locator("#intake-applicant_name")).to_have_value("")
    page.click("#form-draft-restore")
    expect(page.locator("#intake-applicant_name")).to_have_value("洛阳某酒店管理有限公司")
    expect(page.locator("#intake-applicant_phone")).to_have_value("13800138000")
    expect(page.locator("tr.checklist-entry").first.get_by_label("纸质原件已核验")).to_be_checked()
    # the case number made for the form first shown: a send that did start the case is not started twice
    expect(page.locator("input[name=generated]")).to_have_value(generated)

    page.click("#intake-submit")
    expect(page.locator("#receipt-title")).to_have_text("收件回执")
    expect(page.locator("#receipt-number")).to_have_text(generated)
    page.wait_for_function("key => sessionStorage.getItem(key) === null", arg=DRAFTS + f"intake/{code}")
    open_form(page, window_item)
    expect(page.locator("#form-draft")).to_be_hidden()
    expect(page.locator("#intake-applicant_name")).to_have_value("")


def test_an_intake_through_a_merged_form_asks_before_leaving_and_keeps_what_was_typed(
        page: Any, runtime: Runtime) -> None:
    with runtime.uow() as uow:
        calendar.seed_national(uow)
    definitions.deploy(runtime.uow(), item_files("SCJG-YJS-0001"), actor=SYSTEM)
    add_user(runtime, "wang", groups=["window"], roles=["clerk"])
    url = "/work/intake/SCJG-YJS-0001"
    asked: list[str] = []
    log_in(page, "wang")
    open_form(page, url)
    page.get_by_label("申请人（经营者）姓名").fill("李四")
    page.get_by_label("经营范围").fill("餐饮服务")
    page.get_by_label("经营范围").press("Tab")
    wait_for_draft(page, "intake/SCJG-YJS-0001", "餐饮服务")

    page.once("dialog", answering(asked, leave=True))
    page.click("nav.mainnav >> text=办件")
    page.wait_for_url(re.compile(r"/cases"))
    assert asked == ["beforeunload"]
    open_form(page, url)
    expect(page.locator("#form-draft")).to_be_visible()
    expect(page.get_by_label("申请人（经营者）姓名")).to_have_value("")  # offered first
    page.click("#form-draft-restore")
    expect(page.get_by_label("申请人（经营者）姓名")).to_have_value("李四")
    expect(page.get_by_label("经营范围")).to_have_value("餐饮服务")
