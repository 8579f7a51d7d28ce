"""The modeler in a real browser saves a file of two pools (two executable processes) from its edit page:
both processes become their next version; one of them deployed meanwhile is refused, named, until saved
anyway; a save whose session ended without its form expiring (the password changed) keeps the diagram as
a draft and, after the login, comes back to the modeler, not the home page."""
from __future__ import annotations

import re
from typing import Any

import pytest

from engine import Runtime, definitions, users
from engine.users import SYSTEM, Actor
from tests.browser import add_user, log_in, shot
from tests.live import ROOT

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

pytestmark = pytest.mark.slow
POOLS = ROOT / "tests" / "fixtures" / "pages" / "permit_pools.bpmn"
EDIT = "/analyst/modeler/pages_window/1"


@pytest.fixture
def analyst(runtime: Runtime) -> str:
    """An analyst, and version 1 of a file of two pools (pages_window, pages_review) deployed."""
    definitions.deploy(runtime.uow(), [(POOLS.name, POOLS.read_bytes())], actor=SYSTEM)
    add_user(runtime, "zhao", roles=["analyst"])
    return "zhao"


def open_modeler(page: Any, url: str) -> None:
    page.goto(url)
    expect(page.locator("#modeler-form")).to_have_attribute("data-ready", "true")


def rename_task(page: Any, element: str, name: str) -> None:
    page.click(f'#canvas [data-element-id="{element}"]')
    header = page.locator('#properties [data-group-id="group-general"] .bio-properties-panel-group-header')
    if "open" not in (header.get_attribute("class") or ""):
        header.click()
    field = page.locator("#properties #bio-properties-panel-name")
    field.fill(name)
    field.press("Tab")
    expect(page.locator(f'#canvas [data-element-id="{element}"]')).to_contain_text(name)


def latest(runtime: Runtime, key: str) -> int:
    return definitions.get_definition(runtime.uow(), key).version


def test_an_edit_in_the_second_pool_saves_both_processes(page: Any, runtime: Runtime, analyst: str) -> None:
    log_in(page, analyst)
    open_modeler(page, EDIT)
    rename_task(page, "r_review", "审查（改）")
    page.click("#modeler-save")
    page.wait_for_url(re.compile(r"/analyst/definitions/pages_window/2$"))
    expect(page.locator(".flash-success")).to_contain_text(["已部署 pages_window 版本 2", "已部署 pages_review 版本 2"])
    assert latest(runtime, "pages_review") == 2


def test_the_other_pool_deployed_meanwhile_is_refused_until_saved_anyway(page: Any, runtime: Runtime,
                                                                          analyst: str) -> None:
    log_in(page, analyst)
    open_modeler(page, EDIT)
    rename_task(page, "r_review", "审查（综合）")
    # Meanwhile another analyst deploys the second pool's process alone: its version 2.
    alone = POOLS.read_text().replace('id="pages_window" name="占道申请收件" isExecutable="true"',
                                      'id="pages_window" name="占道申请收件" isExecutable="false"')
    definitions.deploy(runtime.uow(), [("review.bpmn", alone.encode())],
                       actor=Actor("qian", roles=frozenset({"analyst"})))

    page.click("#modeler-save")
    conflict = page.locator("#modeler-conflict")
    expect(conflict).to_contain_text("pages_review 已有更新的版本 2，由 qian 于")
    expect(conflict).not_to_contain_text("pages_window")
    expect(page.locator("#modeler-form")).to_have_attribute("data-ready", "true")
    expect(page.locator('#canvas [data-element-id="r_review"]')).to_contain_text("审查（综合）")  # kept
    shot(page, "18-modeler-pools-newer-version")

    page.check('#modeler-conflict input[name="overwrite.pages_review"]')
    page.click("#modeler-save")
    page.wait_for_url(re.compile(r"/analyst/definitions/pages_window/2$"))
    assert (latest(runtime, "pages_window"), latest(runtime, "pages_review")) == (2, 3)


def test_a_save_after_the_password_changed_comes_back_to_the_modeler_with_its_draft(page: Any, runtime: Runtime,
                                                                                    analyst: str) -> None:
    log_in(page, analyst)
    open_modeler(page, EDIT)
    rename_task(page, "w_accept", "受理（草稿）")
    users.set_password(runtime.uow(), analyst, "another-window-2026", actor=users.SYSTEM)  # elsewhere

    page.click("#modeler-save")
    page.wait_for_url(re.compile(rf"/login\?next={EDIT}$"))
    expect(page.locator(".flash-error")).to_contain_text("流程图未保存。草稿保存在本浏览器中")
    assert latest(runtime, "pages_window") == 1
    page.fill("#name", analyst)
    page.fill("#secret", "another-window-2026")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"{EDIT}$"))
    expect(page.locator("#modeler-form")).to_have_attribute("data-ready", "true")

    expect(page.locator("#modeler-draft")).to_be_visible()
    page.click("#modeler-draft-restore")
    expect(page.locator('#canvas [data-element-id="w_accept"]')).to_contain_text("受理（草稿）")
    page.click("#modeler-save")
    page.wait_for_url(re.compile(r"/analyst/definitions/pages_window/2$"))
    assert latest(runtime, "pages_review") == 2


def test_a_pool_drawn_in_the_modeler_is_executable_and_saves_as_a_process_of_its_own(
        page: Any, runtime: Runtime, analyst: str) -> None:
    log_in(page, analyst)
    open_modeler(page, EDIT)
    before = set(page.locator("#canvas .djs-shape[data-element-id]").evaluate_all(
        "shapes => shapes.map(s => s.dataset.elementId)"))
    page.click('.djs-palette .entry[data-action="create.participant-expanded"]')
    box = page.locator("#canvas").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] - 60)
    added = [i for i in page.locator("#canvas .djs-shape[data-element-id]").evaluate_all(
        "shapes => shapes.map(s => s.dataset.elementId)") if i not in before and i.startswith("Participant_")]
    assert len(added) == 1, added
    page.keyboard.type("档案科")  # the new pool's name, typed straight away as bpmn-js offers; it stays selected
    page.keyboard.press("Enter")
    expect(page.locator("#properties .bio-properties-panel-header-type")).to_have_text("泳池/参与者")
    header = page.locator('#properties [data-group-id="group-general"] .bio-properties-panel-group-header')
    if "open" not in (header.get_attribute("class") or ""):
        header.click()
    expect(page.locator("#properties #bio-properties-panel-isExecutable")).to_be_checked()
    shot(page, "modeler-pool-drawn-executable")
    # Saved with nothing in it yet, the new pool's process is refused by name: deploy took it as executable
    # (a process that is not is skipped silently).
    page.click("#modeler-save")
    problems = page.locator("#modeler-problems, .problems").first
    expect(problems).to_contain_text("保存失败，未部署")
    expect(problems).to_contain_text(re.compile(r"Process_[0-9a-z]+\s+未找到开始事件"))
    assert latest(runtime, "pages_window") == 1  # nothing deployed
