"""The modeler in a real browser never loses or misplaces an analyst's work: every new diagram has a
process id of its own, and one typed over a deployed item's id is refused with the diagram kept; a save
over a version another analyst deployed meanwhile is refused until saved anyway; edits survive a session
that ended as a draft in the browser, offered back and dropped once saved; leaving with unsaved changes
asks first."""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

import pytest

from engine import Runtime, definitions
from engine.users import Actor
from tests.browser import PASSWORD, log_in, shot
from tests.live import ROOT

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

pytestmark = pytest.mark.slow
FIXTURES = ROOT / "tests" / "fixtures" / "pages"
DRAFT = "govflow.modeler.draft/zhao/"


def open_modeler(page: Any, url: str) -> None:
    page.goto(url)
    expect(page.locator("#modeler-form")).to_have_attribute("data-ready", "true")


def panel_field(page: Any, group: str, field: str) -> Any:
    """A field of the properties panel's group, the group opened if it is closed."""
    header = page.locator(f'#properties [data-group-id="group-{group}"] .bio-properties-panel-group-header')
    if "open" not in (header.get_attribute("class") or ""):
        header.click()
    return page.locator(f"#properties #bio-properties-panel-{field}")


def rename_task(page: Any, element: str, name: str) -> None:
    page.click(f'#canvas [data-element-id="{element}"]')
    field = panel_field(page, "general", "name")
    field.fill(name)
    field.press("Tab")
    expect(page.locator(f'#canvas [data-element-id="{element}"]')).to_contain_text(name)


def select_process(page: Any) -> None:
    """Select the process itself: a click on empty canvas (the panel names its type in the page's Chinese)."""
    page.click("#canvas", position={"x": 700, "y": 500})
    expect(page.locator("#properties .bio-properties-panel-header-type")).to_have_text("流程")


def draft_of(page: Any, key: str) -> Any:
    return page.evaluate("key => localStorage.getItem(key)", DRAFT + key)


def wait_for_draft(page: Any, key: str, text: str) -> None:
    page.wait_for_function("([key, text]) => (localStorage.getItem(key) || '').includes(text)",
                           arg=[DRAFT + key, text])


def test_each_new_diagram_has_its_own_process_id_and_a_taken_one_is_refused(page: Any, analyst: str) -> None:
    log_in(page, analyst)
    keys = []
    for _ in range(2):
        open_modeler(page, "/analyst/modeler")
        select_process(page)
        key = panel_field(page, "general", "id").input_value()
        assert re.fullmatch(r"Process_[0-9a-z]{7}", key), key
        page.click("#modeler-save")
        page.wait_for_url(re.compile(rf"/analyst/definitions/{key}/1$"))  # version 1 of its own
        expect(page.locator(".flash-success")).to_contain_text(f"已部署 {key} 版本 1")
        keys.append(key)
    assert keys[0] != keys[1]

    # A new diagram given the id of a deployed item: refused, nothing deployed, the diagram kept as typed.
    open_modeler(page, "/analyst/modeler")
    select_process(page)
    panel_field(page, "general", "name").fill("临时占道许可（新）")
    process_id = panel_field(page, "general", "id")
    process_id.fill("pages_permit")
    process_id.press("Tab")
    page.fill("#modeler-file-name", "my_permit.bpmn")
    page.click("#modeler-save")
    conflict = page.locator("#modeler-conflict")
    expect(conflict).to_contain_text("流程 ID pages_permit 已被占用：pages_permit 版本 1 由 system 于")
    expect(conflict).to_contain_text("请在属性面板中给流程另取一个 ID 后再保存")
    expect(conflict.locator('a[href="/analyst/modeler/pages_permit/1"]')).to_have_count(1)
    expect(page.locator("#modeler-form")).to_have_attribute("data-ready", "true")
    expect(page.locator("#modeler-file-name")).to_have_value("my_permit.bpmn")
    expect(page.locator("#modeler-draft")).to_be_hidden()  # its draft is what the page shows: nothing to offer
    select_process(page)
    expect(panel_field(page, "general", "name")).to_have_value("临时占道许可（新）")
    shot(page, "15-modeler-process-id-taken")

    # Given an id of its own, it saves as version 1 of a new item.
    process_id = panel_field(page, "general", "id")
    process_id.fill("pages_permit_new")
    process_id.press("Tab")
    page.click("#modeler-save")
    page.wait_for_url(re.compile(r"/analyst/definitions/pages_permit_new/1$"))


def test_a_save_over_a_version_deployed_meanwhile_is_refused_until_saved_anyway(page: Any, runtime: Runtime,
                                                                                analyst: str) -> None:
    log_in(page, analyst)
    open_modeler(page, "/analyst/modeler/pages_permit/1")
    rename_task(page, "accept", "受理（综合窗口）")
    # Meanwhile another analyst deploys version 2.
    v2 = FIXTURES / "permit_v2.bpmn"
    definitions.deploy(runtime.uow(), [(v2.name, v2.read_bytes())], actor=Actor("qian", roles=frozenset({"analyst"})))

    page.click("#modeler-save")
    conflict = page.locator("#modeler-conflict")
    expect(conflict).to_contain_text("pages_permit 已有更新的版本 2，由 qian 于")
    expect(conflict).to_contain_text("此流程图是在版本 1 上修改的")
    expect(page).to_have_url(re.compile(r"/analyst/modeler/pages_permit/1$"))
    expect(page.locator("#modeler-form")).to_have_attribute("data-ready", "true")
    expect(page.locator('#canvas [data-element-id="accept"]')).to_contain_text("受理（综合窗口）")  # kept
    expect(page.locator("#modeler-draft")).to_be_hidden()
    shot(page, "16-modeler-newer-version")

    page.check('#modeler-conflict input[name="overwrite.pages_permit"]')
    page.click("#modeler-save")
    page.wait_for_url(re.compile(r"/analyst/definitions/pages_permit/3$"))
    expect(page.locator("#diagram")).to_have_attribute("data-ready", "true")
    expect(page.locator('#diagram [data-element-id="accept"]')).to_contain_text("受理（综合窗口）")


def test_edits_survive_a_session_that_ended_as_a_draft_offered_back(page: Any, analyst: str) -> None:
    log_in(page, analyst)
    open_modeler(page, "/analyst/modeler/pages_permit/1")
    rename_task(page, "accept", "受理（草稿）")
    page.fill("#modeler-name", "草稿批次")
    wait_for_draft(page, "pages_permit/1", "受理（草稿）")

    page.context.clear_cookies()  # the session ends while the analyst works
    page.click("#modeler-save")
    page.wait_for_url(re.compile(r"/login\?next=/analyst/modeler/pages_permit/1$"))
    expect(page.locator(".flash-error")).to_contain_text("流程图未保存。草稿保存在本浏览器中")
    page.fill("#name", analyst)
    page.fill("#secret", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/analyst/modeler/pages_permit/1$"))
    expect(page.locator("#modeler-form")).to_have_attribute("data-ready", "true")

    offer = page.locator("#modeler-draft")
    expect(offer).to_be_visible()
    expect(page.locator("#modeler-draft-time")).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d$"))
    expect(page.locator('#canvas [data-element-id="accept"]')).to_have_text("受理")  # the version as stored
    shot(page, "17-modeler-draft-offered")
    page.click("#modeler-draft-restore")
    expect(offer).to_be_hidden()
    expect(page.locator('#canvas [data-element-id="accept"]')).to_contain_text("受理（草稿）")
    expect(page.locator("#modeler-name")).to_have_value("草稿批次")

    page.click("#modeler-save")  # restored, it is a change to save, not "unchanged"
    page.wait_for_url(re.compile(r"/analyst/definitions/pages_permit/2$"))
    expect(page.locator('#diagram [data-element-id="accept"]')).to_contain_text("受理（草稿）")
    open_modeler(page, "/analyst/modeler/pages_permit/1")  # saved: the draft is gone
    expect(page.locator("#modeler-draft")).to_be_hidden()
    assert draft_of(page, "pages_permit/1") is None


def test_a_draft_of_another_page_is_listed_and_one_discarded_is_gone(page: Any, analyst: str) -> None:
    log_in(page, analyst)
    open_modeler(page, "/analyst/modeler")
    select_process(page)
    name = panel_field(page, "general", "name")
    name.fill("新事项（未保存）")
    name.press("Tab")
    own = "new/" + page.input_value("#modeler-draft-id")  # a new diagram's draft is its own
    wait_for_draft(page, own, "新事项（未保存）")

    page.once("dialog", lambda dialog: dialog.accept())  # leave the page anyway
    open_modeler(page, "/analyst/modeler/pages_permit/1")
    others = page.locator("#modeler-other-drafts")
    expect(others).to_be_visible()
    expect(others.locator("a.draft-link")).to_have_text(re.compile(r"^新建流程 \d{4}-\d\d-\d\d \d\d:\d\d$"))
    others.locator("a.draft-link").click()
    expect(page.locator("#modeler-form")).to_have_attribute("data-ready", "true")
    expect(page.locator("#modeler-draft")).to_be_visible()
    page.click("#modeler-draft-discard")
    expect(page.locator("#modeler-draft")).to_be_hidden()
    assert draft_of(page, own) is None
    open_modeler(page, "/analyst/modeler")
    expect(page.locator("#modeler-draft")).to_be_hidden()


def test_two_tabs_drawing_new_diagrams_each_get_their_own_draft_back_after_the_session_ended(
        page: Any, analyst: str) -> None:
    """Both saves find the session ended; logging in again from each tab offers that tab's own diagram."""
    log_in(page, analyst)
    other = page.context.new_page()
    tabs = []
    for tab, title in ((page, "甲事项"), (other, "乙事项")):
        open_modeler(tab, "/analyst/modeler")
        select_process(tab)
        field = panel_field(tab, "general", "name")
        field.fill(title)
        field.press("Tab")
        own = "new/" + tab.input_value("#modeler-draft-id")
        wait_for_draft(tab, own, title)
        tabs.append((tab, title, own))
    assert tabs[0][2] != tabs[1][2]
    page.context.clear_cookies()
    for tab, _title, own in tabs:  # both saves find the session ended: each to the login, for its own page
        tab.click("#modeler-save")
        tab.wait_for_url(re.compile(r"/login\?next=/analyst/modeler\?draft(=|%3D)" + own[4:] + "$"))
    page.fill("#name", analyst)
    page.fill("#secret", PASSWORD)
    page.click("button[type=submit]")
    other.goto(unquote(other.url.split("next=")[1]))  # logged in (the tabs share it): on to where it leads
    for tab, title, own in tabs:
        tab.wait_for_url(re.compile(r"/analyst/modeler\?draft=" + own[4:] + "$"))
        expect(tab.locator("#modeler-form")).to_have_attribute("data-ready", "true")
        expect(tab.locator("#modeler-draft")).to_be_visible()
        tab.click("#modeler-draft-restore")
        expect(tab.locator("#modeler-draft")).to_be_hidden()
        select_process(tab)
        expect(panel_field(tab, "general", "name")).to_have_value(title)  # this tab's diagram, not the other's


def test_leaving_with_unsaved_changes_asks_first(page: Any, analyst: str) -> None:
    log_in(page, analyst)
    asked: list[str] = []

    def stay(dialog: Any) -> None:
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    open_modeler(page, "/analyst/modeler/pages_permit/1")
    page.click('#canvas [data-element-id="accept"]')  # a selection is no change
    page.click('.mainnav a[href="/analyst/definitions"]')
    page.wait_for_url(re.compile(r"/analyst/definitions$"))
    assert asked == []

    open_modeler(page, "/analyst/modeler/pages_permit/1")
    rename_task(page, "accept", "受理（改）")
    page.click('.mainnav a[href="/analyst/definitions"]')
    expect(page.locator("#modeler-form")).to_be_visible()
    assert asked == ["beforeunload"]
    expect(page).to_have_url(re.compile(r"/analyst/modeler/pages_permit/1$"))  # stayed, the edit on screen
    expect(page.locator('#canvas [data-element-id="accept"]')).to_contain_text("受理（改）")

    page.click("#modeler-save")  # saving is no leaving
    page.wait_for_url(re.compile(r"/analyst/definitions/pages_permit/2$"))
    assert asked == ["beforeunload"]


def test_a_new_diagram_drafted_before_drafts_had_ids_is_offered_on_the_blank_page(page: Any, analyst: str) -> None:
    log_in(page, analyst)
    open_modeler(page, "/analyst/modeler")
    xml = (FIXTURES / "permit_v1.bpmn").read_text(encoding="utf-8")
    page.evaluate("([key, xml]) => localStorage.setItem(key, JSON.stringify({id: 'olddraft1', xml, "
                  "fileName: 'old.bpmn', savedAt: Date.now()}))", [DRAFT + "new", xml])
    open_modeler(page, "/analyst/modeler")
    expect(page.locator("#modeler-draft")).to_be_visible()
    own = "new/" + page.input_value("#modeler-draft-id")  # kept now under this page's own key
    assert draft_of(page, "new") is None and "old.bpmn" in draft_of(page, own)
    page.click("#modeler-draft-restore")
    expect(page.locator('#canvas [data-element-id="accept"]')).to_have_count(1)  # the old draft's diagram



def test_a_wide_diagram_opens_whole_and_right_of_the_palette(page: Any, runtime: Runtime, analyst: str) -> None:
    """The palette floats over the canvas's left edge: no element of a diagram wider than the canvas lies
    under it when opened, and every element is in view."""
    food = ROOT / "bpmn" / "SCJG-XK-0001" / "food_business_licence.bpmn"
    definitions.deploy(runtime.uow(), [(food.name, food.read_bytes())], actor=Actor("qian", roles=frozenset({"analyst"})))
    log_in(page, analyst)
    open_modeler(page, "/analyst/modeler/food_business_licence/1")
    palette = page.locator(".djs-palette").bounding_box()
    canvas = page.locator("#canvas .djs-container").bounding_box()
    shapes = [page.locator(f'[data-element-id="{i}"]').bounding_box()
              for i in page.eval_on_selector_all(".djs-shape[data-element-id]", "ns => ns.map(n => n.dataset.elementId)")]
    shapes = [s for s in shapes if s is not None and s["width"] > 0]
    assert shapes
    assert min(s["x"] for s in shapes) >= palette["x"] + palette["width"]
    assert max(s["x"] + s["width"] for s in shapes) <= canvas["x"] + canvas["width"]
    assert max(s["y"] + s["height"] for s in shapes) <= canvas["y"] + canvas["height"]
