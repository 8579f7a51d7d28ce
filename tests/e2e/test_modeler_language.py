"""The modeler speaks the page's language: on a Chinese page bpmn-js, diagram-js and the properties panel
(palette, context pad, replace menu, the Camunda 7 groups and fields) say their words in Chinese; on an
English page they keep their own English."""
from __future__ import annotations

from typing import Any

import pytest

from tests.browser import log_in, shot

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

pytestmark = pytest.mark.slow
PANEL = "#properties .bio-properties-panel"


def open_task(page: Any) -> Any:
    """The permit's user task selected in the modeler; its properties panel."""
    page.goto("/analyst/modeler/pages_permit/1")
    expect(page.locator("#modeler-form")).to_have_attribute("data-ready", "true")
    page.click('#canvas [data-element-id="accept"]')
    panel = page.locator(PANEL)
    expect(panel.locator(".bio-properties-panel-header")).to_contain_text("受理")
    return panel


def group_header(panel: Any, group: str) -> Any:
    return panel.locator(f'[data-group-id="group-{group}"] .bio-properties-panel-group-header')


def test_the_modeler_speaks_chinese_on_a_chinese_page(page: Any, analyst: str) -> None:
    log_in(page, analyst)
    panel = open_task(page)
    expect(group_header(panel, "general")).to_contain_text("常规")
    assignment = group_header(panel, "CamundaPlatform__UserAssignment")
    expect(assignment).to_contain_text("用户分配")
    assignment.click()
    groups = panel.locator("#bio-properties-panel-candidateGroups")
    expect(groups).to_have_value("window")  # the same field, now labelled in Chinese
    expect(panel.locator('label[for="bio-properties-panel-candidateGroups"]')).to_have_text("候选组")
    expect(panel.locator('label[for="bio-properties-panel-assignee"]')).to_have_text("处理人")
    expect(panel.locator('label[for="bio-properties-panel-dueDate"]')).to_have_text("到期时间")
    for group, title in [("documentation", "文档"), ("CamundaPlatform__ExecutionListener", "执行监听器"),
                         ("CamundaPlatform__ExtensionProperties", "扩展属性"),
                         ("CamundaPlatform__AsynchronousContinuations", "异步延续")]:
        expect(group_header(panel, group)).to_contain_text(title)
    expect(panel).not_to_contain_text("User assignment")

    # The palette's tooltips (its entries' aria-label), the context pad's (their title), and the replace menu's element types.
    expect(page.locator('.djs-palette .entry[data-action="create.start-event"]')).to_have_attribute(
        "aria-label", "创建开始事件")
    expect(page.locator('.djs-palette .entry[data-action="hand-tool"]')).to_have_attribute("aria-label", "启用抓手工具")
    expect(page.locator('.djs-context-pad .entry[data-action="append.append-task"]')).to_have_attribute(
        "title", "追加任务")
    expect(page.locator('.djs-context-pad .entry[data-action="delete"]')).to_have_attribute("title", "删除")
    page.click('.djs-context-pad .entry[data-action="replace"]')
    menu = page.locator(".djs-popup")
    for label in ("服务任务", "脚本任务", "调用活动"):
        expect(menu).to_contain_text(label)
    shot(page, "modeler-in-chinese")
    page.keyboard.press("Escape")

    # The start event's replace menu names the event types in Chinese.
    page.click('#canvas [data-element-id="start"]')
    page.click('.djs-context-pad .entry[data-action="replace"]')
    expect(menu).to_contain_text("定时开始事件")
    expect(menu).to_contain_text("消息开始事件")


def test_the_modeler_keeps_its_english_on_an_english_page(page: Any, analyst: str) -> None:
    log_in(page, analyst)
    page.click(".who a.lang")  # the pages in English
    panel = open_task(page)
    expect(group_header(panel, "general")).to_contain_text("General")
    expect(group_header(panel, "CamundaPlatform__UserAssignment")).to_contain_text("User assignment")
    expect(page.locator('.djs-palette .entry[data-action="create.start-event"]')).to_have_attribute(
        "aria-label", "Create start event")
    page.click('.djs-context-pad .entry[data-action="replace"]')
    expect(page.locator(".djs-popup")).to_contain_text("Service task")
