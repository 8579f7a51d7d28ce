"""暂存 and 转交 in a real browser: a window clerk ticks 受理 and types an opinion, saves the form without
completing it, types more and hands the task to a colleague; the colleague opens the task and finds the form as
it was left, and completes it with what they send."""
from __future__ import annotations

import json
import re
from typing import Any

import pytest

from engine import Runtime, definitions, instances, tasks
from engine.instances import InstanceView
from engine.users import SYSTEM, Actor
from tests.browser import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, add_user, log_in, log_out, shot
from tests.live import ROOT

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

pytestmark = pytest.mark.slow
SAMPLE = ROOT / "bpmn" / "window-acceptance" / "window_acceptance.bpmn"
FORM = ROOT / "tests" / "fixtures" / "pages" / "window-accept.form"
WANG = Actor("wang", frozenset({"window"}), frozenset({"clerk"}))
SAVED = "材料齐全，予以受理。"
HANDED = SAVED + "原件已核对。"


@pytest.fixture
def case(runtime: Runtime) -> InstanceView:
    """A window case whose acceptance task (a required decision and an opinion) wang holds; zhang is his
    colleague at the window."""
    definitions.deploy(runtime.uow(), [(SAMPLE.name, SAMPLE.read_bytes()), (FORM.name, FORM.read_bytes())],
                       actor=SYSTEM)
    add_user(runtime, "wang", groups=["window"], roles=["clerk"])
    add_user(runtime, "zhang", groups=["window"], roles=["clerk"])
    view, _ = instances.start(runtime.uow(), "window_acceptance",
                              actor=Actor("portal", roles=frozenset({"integrator"})), business_key="SX-2026-000501",
                              variables={"applicantName": "张三"})
    tasks.claim(runtime.uow(), view.tasks[0].id, actor=WANG)
    return view


def open_form(page: Any, url: str) -> None:
    page.goto(url)
    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")


def test_what_was_saved_and_typed_goes_with_the_task_to_the_colleague(page: Any, runtime: Runtime,
                                                                      case: InstanceView) -> None:
    task_id = case.tasks[0].id
    url = f"/tasks/{task_id}"
    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    log_in(page, "wang")
    open_form(page, url)
    page.get_by_label("受理", exact=True).check()
    page.get_by_label("受理意见").fill(SAVED)
    page.get_by_label("受理意见").press("Tab")

    page.click("#save-button")  # incomplete or not, nothing asked, nothing completed
    page.wait_for_url(re.compile(re.escape(url) + "$"))
    expect(page.locator(".flash-success")).to_contain_text("已暂存，任务尚未完成。")
    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")
    expect(page.get_by_label("受理意见")).to_have_value(SAVED)
    expect(page.get_by_label("受理", exact=True)).to_be_checked()
    expect(page.locator("#form-draft")).to_be_hidden()  # the server holds it: no unsent draft to speak of
    assert page.evaluate("key => sessionStorage.getItem(key)", f"govflow.form.draft/wang/task/{task_id}") is None
    assert tasks.get_task(runtime.uow(), task_id, actor=SYSTEM).state == "READY"
    shot(page, "task-saved")

    page.get_by_label("受理意见").fill(HANDED)  # typed after the save: goes along too
    page.get_by_label("受理意见").press("Tab")
    page.select_option("#handover-assignee", "zhang")
    page.click(".handover-button")
    page.wait_for_url(re.compile(r"/queue"))
    expect(page.locator("main")).to_contain_text("已填写的内容已随任务转交，zhang 打开任务即可看到。")
    assert asked == []  # no "leave the page?" on a save or a handover
    log_out(page)

    log_in(page, "zhang")
    open_form(page, url)
    expect(page.get_by_label("受理意见")).to_have_value(HANDED)
    expect(page.get_by_label("受理", exact=True)).to_be_checked()
    expect(page.locator("#form-draft")).to_be_hidden()
    shot(page, "task-handed-over-with-values")
    page.get_by_label("受理意见").fill("同意受理。")
    page.click("#complete-button")
    page.wait_for_url(re.compile(r"/queue"))
    assert tasks.get_task(runtime.uow(), task_id, actor=SYSTEM).state == "COMPLETED"
    [done] = [e for e in instances.history(runtime.uow(), case.id, actor=SYSTEM) if e.event == "task.completed"]
    assert (done.actor, done.data["variables"]["opinion"], done.data["variables"]["decision"]) == (
        "zhang", "同意受理。", "accept")


def draft_of(page: Any, user: str, task_id: str) -> Any:
    return page.evaluate("key => sessionStorage.getItem(key)", f"govflow.form.draft/{user}/task/{task_id}")


def hand_over(page: Any, to: str) -> None:
    page.select_option("#handover-assignee", to)
    page.click(".handover-button")
    page.wait_for_url(re.compile(r"/queue"))


def test_a_task_handed_back_shows_what_the_colleague_saved_not_the_draft_handed_over(
        page: Any, runtime: Runtime, case: InstanceView) -> None:
    """wang hands over what he typed, zhang saves his own opinion and hands the task back: wang reads zhang's
    opinion, not his own earlier one, which his tab only offers (kept in case the server never took it: an
    ended session, a refused value)."""
    task_id = case.tasks[0].id
    url = f"/tasks/{task_id}"
    log_in(page, "wang")
    open_form(page, url)
    page.get_by_label("受理意见").fill(SAVED)
    page.get_by_label("受理意见").press("Tab")
    page.wait_for_function("key => sessionStorage.getItem(key) !== null", arg=f"govflow.form.draft/wang/task/{task_id}")
    page.click(".handover-button")  # no colleague chosen: the browser stops the send, the draft stays
    assert page.url.endswith(url) and draft_of(page, "wang", task_id) is not None
    hand_over(page, "zhang")
    assert json.loads(draft_of(page, "wang", task_id))["heldAt"]  # the server holds it now: kept only to be offered
    log_out(page)

    log_in(page, "zhang")
    open_form(page, url)
    expect(page.get_by_label("受理意见")).to_have_value(SAVED)
    page.get_by_label("受理意见").fill("请补充身份证复印件。")
    page.get_by_label("受理意见").press("Tab")
    page.click("#save-button")
    page.wait_for_url(re.compile(re.escape(url) + "$"))
    expect(page.locator(".flash-success")).to_contain_text("已暂存，任务尚未完成。")
    hand_over(page, "wang")
    log_out(page)

    log_in(page, "wang")
    open_form(page, url)
    expect(page.get_by_label("受理意见")).to_have_value("请补充身份证复印件。")
    expect(page.locator("#form-draft")).to_contain_text("表单显示的是服务器保存的内容")
    assert page.get_attribute("#complete-form", "data-restored") is None
    page.click("#form-draft-restore")  # his own, if he wants it back
    expect(page.get_by_label("受理意见")).to_have_value(SAVED)


def complete_from_here(page: Any, runtime: Runtime, case: InstanceView) -> None:
    """提交并完成 on the page as it stands completes the task (the form's own action, not 暂存's)."""
    task_id = case.tasks[0].id
    page.get_by_label("受理", exact=True).check()
    page.get_by_label("受理意见").fill(HANDED)
    page.click("#complete-button")
    page.wait_for_url(re.compile(r"/queue"))
    assert tasks.get_task(runtime.uow(), task_id, actor=SYSTEM).state == "COMPLETED"


@pytest.fixture
def cached_page(browser: Any, server: Any) -> Any:
    """A page of a Chromium that keeps task pages in its back/forward cache, as a clerk's browser may (Safari
    keeps pages sent with no-store, Chrome does so when no cookie changed): Playwright turns the cache off, and
    the pages' no-store is taken off the task pages here."""
    launched = browser.browser_type.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
                                           ignore_default_args=["--disable-back-forward-cache"])
    context = launched.new_context(viewport=VIEWPORT, locale="zh-CN", base_url=server.url)
    context.set_default_timeout(15_000)
    errors: list[str] = []
    opened = context.new_page()
    opened.on("pageerror", lambda exc: errors.append(str(exc)))

    def cacheable(route: Any) -> None:
        if route.request.method != "GET":
            route.continue_()
            return
        answer = route.fetch()
        route.fulfill(response=answer, headers={k: v for k, v in answer.headers.items() if k != "cache-control"})
    opened.route(re.compile(r"/tasks/[^/]+$"), cacheable)
    yield opened
    launched.close()
    assert not errors, f"errors in the page: {errors}"


def test_completing_on_a_page_back_from_the_cache_after_a_save_completes(
        cached_page: Any, runtime: Runtime, case: InstanceView) -> None:
    """暂存 pressed but stopped on its way, the clerk goes to the queue and comes back with the browser's back
    button: the page, restored from the back/forward cache as it was, completes the task with 提交并完成 and
    asks before leaving with changes not sent."""
    page = cached_page
    task_id = case.tasks[0].id
    url = f"/tasks/{task_id}"
    log_in(page, "wang")
    open_form(page, url)
    page.evaluate("() => { window.shownAgain = false;"
                  " addEventListener('pageshow', (event) => { window.shownAgain = event.persisted; }); }")
    page.get_by_label("受理意见").fill(SAVED)
    page.get_by_label("受理意见").press("Tab")
    page.route(re.compile(r"/save$"), lambda route: route.abort("aborted"))  # stopped on its way
    page.click("#save-button")
    page.goto("/queue")
    page.unroute(re.compile(r"/save$"))
    page.go_back(wait_until="commit")
    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")
    page.wait_for_function("() => window.shownAgain === true")  # from the cache, its scripts as they were
    expect(page.get_by_label("受理意见")).to_have_value(SAVED)
    assert page.get_attribute("#complete-form", "action") == f"/tasks/{task_id}"
    # the form shows what was typed, not what this page was given: leaving asks first
    assert page.evaluate("() => { const event = new Event('beforeunload', { cancelable: true });"
                         " dispatchEvent(event); return event.defaultPrevented; }") is True
    complete_from_here(page, runtime, case)
    [done] = [e for e in instances.history(runtime.uow(), case.id, actor=SYSTEM) if e.event == "task.completed"]
    assert done.data["variables"]["opinion"] == HANDED


def test_completing_after_a_save_that_never_left_completes(page: Any, runtime: Runtime, case: InstanceView) -> None:
    """A 暂存 whose request does not get through and the clerk then completes: the task is completed, not
    saved."""
    task_id = case.tasks[0].id
    log_in(page, "wang")
    open_form(page, f"/tasks/{task_id}")
    page.get_by_label("受理", exact=True).check()
    page.get_by_label("受理意见").fill(HANDED)
    page.get_by_label("受理意见").press("Tab")
    stopped: list[str] = []

    def stop_first(route: Any) -> None:
        """The first save stopped on its way (the clerk pressed Esc, the network dropped it): the page stays."""
        if stopped:
            route.fallback()
        else:
            stopped.append(route.request.url)
            route.abort("aborted")
    page.route(re.compile(r"/save$"), stop_first)
    page.click("#save-button")
    expect(page.locator("#save-button")).to_be_enabled()
    assert len(stopped) == 1 and page.url.endswith(f"/tasks/{task_id}")
    page.click("#complete-button")
    page.wait_for_url(re.compile(r"/queue"))
    assert tasks.get_task(runtime.uow(), task_id, actor=SYSTEM).state == "COMPLETED"
