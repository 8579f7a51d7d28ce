"""The modeler speaks the page's language: on a Chinese page bpmn-js, diagram-js and the properties panel
(palette, context pad, replace menu, the panel header's element type, the Camunda 7 groups and fields, the
groups' own buttons) say their words in Chinese; on an English page they keep their own English."""
from __future__ import annotations

from typing import Any

import pytest

from tests.browser import log_in, shot

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

pytestmark = pytest.mark.slow
PANEL = "#properties .bio-properties-panel"
HEADER_TYPE = "#properties .bio-properties-panel-header-type"

# Every group of the panel opened (a list group without items has nothing to open).
OPEN_GROUPS = """() => {
  for (const header of document.querySelectorAll('#properties .bio-properties-panel-group-header:not(.open)')) {
    header.click();
  }
}"""
ALL_OPEN = """() => [...document.querySelectorAll('#properties .bio-properties-panel-group-entries')]
  .every((entries) => entries.classList.contains('open'))"""

# The words in the panel, the palette and the context pad (texts, and the title, aria-label and placeholder
# the browser shows as tooltips or reads out) that are English only: Latin letters and no Chinese character.
# "Camunda 表单" or "编号(ID)" are Chinese.
ENGLISH_WORDS = """() => {
  const english = (text) => /[A-Za-z]/.test(text) && !/[\u4e00-\u9fff]/.test(text);
  const found = new Set();
  for (const root of document.querySelectorAll('#properties, .djs-palette, .djs-context-pad')) {
    const texts = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (texts.nextNode()) {
      const text = texts.currentNode.textContent.trim();
      if (english(text)) found.add(text);
    }
    for (const node of root.querySelectorAll('[title], [aria-label], [placeholder]')) {
      for (const name of ['title', 'aria-label', 'placeholder']) {
        const value = node.getAttribute(name);
        if (value && english(value)) found.add(`${name}: ${value}`);
      }
    }
  }
  return [...found].sort();
}"""


POPUP = ".bio-properties-panel-popup"


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

    # The header names the element type, and the groups' own buttons say what they do, in Chinese.
    expect(page.locator(HEADER_TYPE)).to_have_text("用户任务")
    expect(assignment.locator(".bio-properties-panel-arrow")).to_have_attribute("title", "展开/收起")
    expect(group_header(panel, "general").locator(".bio-properties-panel-dot")).to_have_attribute(
        "title", "此部分有修改")
    listeners = group_header(panel, "CamundaPlatform__TaskListener")
    expect(listeners.locator(".bio-properties-panel-add-entry")).to_have_attribute("title", "新建列表项")
    expect(listeners.locator(".bio-properties-panel-add-entry-label")).to_have_text("新建")
    # A real click: the button, showing its label on hover, stays under the pointer with the Chinese label too.
    listeners.locator(".bio-properties-panel-add-entry").click()
    expect(listeners.locator(".bio-properties-panel-list-badge")).to_have_attribute("title", "列表中有 1 项")
    item = panel.locator('[data-group-id="group-CamundaPlatform__TaskListener"] .bio-properties-panel-collapsible-entry')
    expect(item.locator(".bio-properties-panel-remove-entry")).to_have_attribute("title", "删除此项")
    expect(item.locator(".bio-properties-panel-collapsible-entry-arrow")).to_have_attribute("title", "展开/收起列表项")

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


def select(page: Any, element: str) -> None:
    page.click(f'#canvas [data-element-id="{element}"]', force=True)  # force: a flow's line is thin


def element_ids(page: Any, prefix: str) -> set[str]:
    return set(page.locator(f'#canvas [data-element-id^="{prefix}"]').evaluate_all(
        "nodes => nodes.map(n => n.dataset.elementId)"))


def test_the_panel_names_each_element_type_in_chinese_and_leaves_no_english(page: Any, analyst: str) -> None:
    """The process, a start event, a user task, an exclusive gateway and sequence flows (one out of the
    gateway, with a condition expression): the header's type in Chinese, and no English word left in the
    panel with every group open, the palette or the context pad."""
    log_in(page, analyst)
    page.goto("/analyst/modeler/pages_permit/1")
    expect(page.locator("#modeler-form")).to_have_attribute("data-ready", "true")
    header = page.locator(HEADER_TYPE)

    def no_english(what: str) -> None:
        page.evaluate(OPEN_GROUPS)
        page.wait_for_function(ALL_OPEN)
        assert page.evaluate(ENGLISH_WORDS) == [], what

    page.click("#canvas", position={"x": 700, "y": 500})
    expect(header).to_have_text("流程")
    no_english("the process")
    for element, kind in (("start", "开始事件"), ("accept", "用户任务"), ("f1", "顺序流")):
        select(page, element)
        expect(header).to_have_text(kind)
        no_english(element)

    # An exclusive gateway appended to the task, and a task after it: its flow may carry a condition.
    page.click('#canvas [data-element-id="accept"]')
    page.click('.djs-context-pad .entry[data-action="append.gateway"]')
    expect(header).to_have_text("排他网关")
    no_english("the gateway")
    flows = element_ids(page, "Flow_")
    page.click('.djs-context-pad .entry[data-action="append.append-task"]')
    expect(header).to_have_text("任务")
    (gateway_flow,) = element_ids(page, "Flow_") - flows
    select(page, gateway_flow)
    expect(header).to_have_text("顺序流")
    page.evaluate(OPEN_GROUPS)
    page.select_option(f"{PANEL} #bio-properties-panel-conditionType", "expression")
    expect(page.locator(f'{PANEL} label[for="bio-properties-panel-conditionExpression"]')).to_have_text("条件表达式")
    no_english("the gateway's flow")
    shot(page, "modeler-panel-in-chinese")


def test_the_panel_header_and_group_buttons_keep_english_on_an_english_page(page: Any, analyst: str) -> None:
    log_in(page, analyst)
    page.click(".who a.lang")  # the pages in English
    panel = open_task(page)
    header = page.locator(HEADER_TYPE)
    expect(header).to_have_text("User Task")
    expect(group_header(panel, "general").locator(".bio-properties-panel-arrow")).to_have_attribute(
        "title", "Toggle section")
    listeners = group_header(panel, "CamundaPlatform__TaskListener")
    expect(listeners.locator(".bio-properties-panel-add-entry")).to_have_attribute("title", "Create new list item")
    expect(listeners.locator(".bio-properties-panel-add-entry-label")).to_have_text("Create")
    select(page, "start")
    expect(header).to_have_text("Start Event")
    select(page, "f1")
    expect(header).to_have_text("Sequence Flow")
    page.click("#canvas", position={"x": 700, "y": 500})
    expect(header).to_have_text("Process")



def open_name_in_pop_up(page: Any, panel: Any) -> Any:
    """The name field's pop-up editor opened with its own button (shown on hover); the pop-up."""
    page.evaluate(OPEN_GROUPS)
    name = panel.locator('[data-entry-id="name"]')
    name.locator("textarea").hover()
    name.locator(".bio-properties-panel-open-feel-popup").click()
    popup = page.locator(POPUP)
    expect(popup).to_be_visible()
    return popup


def test_the_pop_up_editor_speaks_chinese_and_still_saves(page: Any, analyst: str) -> None:
    log_in(page, analyst)
    panel = open_task(page)
    name = panel.locator('[data-entry-id="name"]')
    expect(name.locator(".bio-properties-panel-open-feel-popup")).to_have_attribute("title", "在弹出窗口中编辑")
    popup = open_name_in_pop_up(page, panel)
    expect(popup.locator(".bio-properties-panel-popup__title")).to_have_text("用户任务 / 名称")
    expect(popup.locator("textarea")).to_have_attribute("aria-label", "用户任务 / 名称")
    close = popup.locator(".bio-properties-panel-popup__close")
    expect(close).to_have_attribute("title", "保存并关闭")
    expect(name.locator(".bio-properties-panel-textarea__open-popup-placeholder")).to_have_text("已在编辑器中打开")
    shot(page, "modeler-pop-up-in-chinese")

    # The translated pop-up is the library's own: what is typed in it reaches the field and the diagram.
    popup.locator("textarea").fill("受理（窗口）")
    close.click()
    expect(popup).to_have_count(0)
    expect(name.locator("textarea")).to_have_value("受理（窗口）")
    expect(page.locator('#canvas [data-element-id="accept"]')).to_contain_text("受理（窗口）")

    # The process's pop-up names the process.
    page.click("#canvas", position={"x": 700, "y": 500})
    expect(page.locator(HEADER_TYPE)).to_have_text("流程")
    popup = open_name_in_pop_up(page, panel)
    expect(popup.locator(".bio-properties-panel-popup__title")).to_have_text("流程 / 名称")
    popup.locator("textarea").press("Escape")  # in the editor: the pop-up may not have taken the focus yet
    expect(popup).to_have_count(0)


def list_entry(panel: Any, entry_id: str) -> Any:
    """A list inside a group (a listener's field injections, an input's list values) and its header."""
    entry = panel.locator(f'[data-entry-id="{entry_id}"]')
    return entry, entry.locator(":scope > .bio-properties-panel-list-entry-header")


def test_listeners_and_the_lists_inside_groups_speak_chinese(page: Any, analyst: str) -> None:
    log_in(page, analyst)
    panel = open_task(page)
    listeners = group_header(panel, "CamundaPlatform__TaskListener")
    listeners.locator(".bio-properties-panel-add-entry").click()
    listener = panel.locator('[data-entry-id="accept-taskListener-0"]')
    label = listener.locator(".bio-properties-panel-collapsible-entry-header-title").first
    expect(label).to_have_text("创建：Java 类")  # the event type select's word for "create", not the button's
    page.select_option("#bio-properties-panel-accept-taskListener-0-eventType", "assignment")
    expect(label).to_have_text("分配：Java 类")
    page.select_option("#bio-properties-panel-accept-taskListener-0-listenerType", "expression")
    expect(label).to_have_text("分配：表达式")

    # The listener's field injections: a list with its own buttons, and an item without a name yet.
    fields, header = list_entry(panel, "accept-taskListener-0-fields")
    expect(header).to_contain_text("字段注入")
    add = header.locator(".bio-properties-panel-add-entry")
    expect(add).to_have_attribute("title", "新建列表项")
    expect(add.locator(".bio-properties-panel-add-entry-label")).to_have_text("新建")
    add.click()
    expect(header.locator(".bio-properties-panel-list-badge")).to_have_attribute("title", "列表中有 1 项")
    expect(header.locator(".bio-properties-panel-arrow")).to_have_attribute("title", "展开/收起列表项")
    field = fields.locator(".bio-properties-panel-list-entry-item")
    expect(field.locator(".bio-properties-panel-collapsible-entry-header-title")).to_have_text("<空>")
    expect(field.locator(".bio-properties-panel-collapsible-entry-arrow")).to_have_attribute("title", "展开/收起列表项")
    expect(field.locator(".bio-properties-panel-remove-entry")).to_have_attribute("title", "删除此项")
    expect(field.locator('label[for$="-field-0-name"]')).to_have_text("名称")

    # An input whose value is a list, then a map: lists bpmn-js-properties-panel builds by a plain call.
    group_header(panel, "CamundaPlatform__Input").locator(".bio-properties-panel-add-entry").click()
    page.fill("#bio-properties-panel-accept-inputParameter-0-name", "申请人")
    page.select_option("#bio-properties-panel-accept-inputParameter-0-type", "list")
    values, header = list_entry(panel, "accept-inputParameter-0-list")
    expect(header).to_contain_text("列表值")
    add = header.locator(".bio-properties-panel-add-entry")
    expect(add).to_have_attribute("title", "新建列表项")
    expect(add.locator(".bio-properties-panel-add-entry-label")).to_have_text("新建")
    add.click()
    add.click()
    badge = header.locator(".bio-properties-panel-list-badge")
    expect(badge).to_have_attribute("title", "列表中有 2 项")
    expect(header.locator(".bio-properties-panel-arrow")).to_have_attribute("title", "展开/收起列表项")
    items = values.locator(".bio-properties-panel-list-entry-item")
    expect(items).to_have_count(2)
    expect(items.locator(".bio-properties-panel-remove-entry").first).to_have_attribute("title", "删除此项")
    expect(items.locator("input").first).to_have_attribute("aria-label", "<空>")
    items.first.hover()  # shows the item's delete button
    items.first.locator(".bio-properties-panel-remove-entry").click()
    expect(items).to_have_count(1)
    expect(badge).to_have_attribute("title", "列表中有 1 项")  # the library's new English title, translated again
    items.hover()
    items.locator(".bio-properties-panel-remove-entry").click()
    expect(add.locator(".bio-properties-panel-add-entry-label")).to_have_text("新建")  # empty again

    page.select_option("#bio-properties-panel-accept-inputParameter-0-type", "map")
    entries, header = list_entry(panel, "accept-inputParameter-0-map")
    expect(header).to_contain_text("映射条目")
    header.locator(".bio-properties-panel-add-entry").click()
    expect(header.locator(".bio-properties-panel-list-badge")).to_have_attribute("title", "列表中有 1 项")
    expect(entries.locator(".bio-properties-panel-collapsible-entry-header-title")).to_have_text("<空>")

    page.evaluate(OPEN_GROUPS)
    page.wait_for_function(ALL_OPEN)
    assert page.evaluate(ENGLISH_WORDS) == []
    shot(page, "modeler-lists-in-chinese")


def test_listeners_lists_and_the_pop_up_keep_english_on_an_english_page(page: Any, analyst: str) -> None:
    log_in(page, analyst)
    page.click(".who a.lang")  # the pages in English
    panel = open_task(page)
    name = panel.locator('[data-entry-id="name"]')
    expect(name.locator(".bio-properties-panel-open-feel-popup")).to_have_attribute("title", "Open pop-up editor")
    popup = open_name_in_pop_up(page, panel)
    expect(popup.locator(".bio-properties-panel-popup__title")).to_have_text("bpmn:UserTask / Name")
    expect(popup.locator(".bio-properties-panel-popup__close")).to_have_attribute("title", "Save and close")
    expect(name.locator(".bio-properties-panel-textarea__open-popup-placeholder")).to_have_text("Opened in editor")
    page.keyboard.press("Escape")

    group_header(panel, "CamundaPlatform__TaskListener").locator(".bio-properties-panel-add-entry").click()
    listener = panel.locator('[data-entry-id="accept-taskListener-0"]')
    expect(listener.locator(".bio-properties-panel-collapsible-entry-header-title").first).to_have_text(
        "Create: Java class")
    _, header = list_entry(panel, "accept-taskListener-0-fields")
    expect(header.locator(".bio-properties-panel-add-entry")).to_have_attribute("title", "Create new list item")
    group_header(panel, "CamundaPlatform__Input").locator(".bio-properties-panel-add-entry").click()
    page.select_option("#bio-properties-panel-accept-inputParameter-0-type", "list")
    _, header = list_entry(panel, "accept-inputParameter-0-list")
    header.locator(".bio-properties-panel-add-entry").click()
    expect(header.locator(".bio-properties-panel-list-badge")).to_have_attribute("title", "List contains 1 item")
