"""暂存 and 转交 in a real browser: a window clerk ticks 受理 and types an opinion, saves the form without
completing it, types more and hands the task to a colleague; the colleague opens the task and finds the form as
it was left, and completes it with what they send."""
from __future__ import annotations

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
