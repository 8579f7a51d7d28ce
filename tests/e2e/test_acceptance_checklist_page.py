"""The acceptance task in a real browser: the checklist above the form says which key material is missing,
accepting without it comes back refused in Chinese with the form-js form as the clerk filled it, and ticking
the paper original as checked (a radio outside the form, sent with it by form.js) lets the case be accepted."""
from __future__ import annotations

import io
from typing import Any

import pytest

from engine import Runtime, calendar, definitions, instances, materials, tasks
from engine.instances import InstanceView
from engine.users import SYSTEM, Actor
from tests.browser import add_user, log_in, shot
from tests.service_items import guide, item_files

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

pytestmark = pytest.mark.slow
CODE = "window-acceptance"
APPLICATION, IDENTITY, PROXY = (m["name"] for m in guide(CODE)["materials"])  # key, key, conditional non-key
PORTAL = Actor("portal", roles=frozenset({"integrator"}))
WANG = Actor("wang", frozenset({"window"}), frozenset({"clerk"}))


def window_case(runtime: Runtime, number: str) -> InstanceView:
    """The window item deployed with its guide, a case received for 张三, and wang a window clerk."""
    with runtime.uow() as uow:
        calendar.seed_national(uow)
    definitions.deploy(runtime.uow(), item_files(CODE), actor=SYSTEM)
    add_user(runtime, "wang", groups=["window"], roles=["clerk"])
    view, _ = instances.start(runtime.uow(), "window_acceptance", actor=PORTAL, business_key=number,
                              variables={"applicant_name": "张三"})
    return view


@pytest.fixture
def case(runtime: Runtime) -> InstanceView:
    """The window item deployed with its guide, a case with only the application uploaded, its acceptance
    task claimed by the window clerk."""
    view = window_case(runtime, "SX-2026-000321")
    materials.upload(runtime.uow(), view.id, actor=PORTAL, name=APPLICATION, filename="application.pdf",
                     stream=io.BytesIO(b"%PDF-1.4\n% a scanned page\n"))
    tasks.claim(runtime.uow(), view.tasks[0].id, actor=WANG)
    return view


def test_the_clerk_is_refused_then_ticks_the_paper_original_and_accepts(page: Any, runtime: Runtime,
                                                                         case: InstanceView) -> None:
    log_in(page, "wang")
    page.goto(f"/tasks/{case.tasks[0].id}")
    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")
    checklist = page.locator("#acceptance-checklist")
    expect(checklist.locator("#key-missing")).to_contain_text(f"缺少关键材料 1 项：{IDENTITY}")
    expect(checklist.locator(f'tr[data-material="{APPLICATION}"]')).to_contain_text("电子件")
    shot(page, "acceptance-01-checklist")

    page.get_by_label("受理", exact=True).check()
    page.get_by_label("材料齐全、符合法定形式").check()  # the clerk's word; the checklist says otherwise
    page.get_by_label("受理意见").fill("材料齐全，予以受理。")
    page.click("#complete-button")
    expect(page.locator("#acceptance-refused")).to_contain_text(f"不能受理：以下材料尚未收到：{IDENTITY}、{PROXY}。")
    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")
    expect(page.get_by_label("受理意见")).to_have_value("材料齐全，予以受理。")  # the form as filled in
    expect(page.get_by_label("受理", exact=True)).to_be_checked()
    shot(page, "acceptance-02-refused", full_page=True)

    checklist.locator(f'tr[data-material="{IDENTITY}"]').get_by_label("纸质原件已核验").check()
    checklist.locator(f'tr[data-material="{PROXY}"]').get_by_label("不适用").check()
    page.click("#complete-button")
    page.wait_for_url("**/queue")
    expect(page.locator(".flash-success")).to_contain_text(case.business_key)
    after = instances.get(runtime.uow(), case.id, actor=SYSTEM)
    assert [t.bpmn_id for t in after.tasks] == ["review"]
    assert "missing_materials" not in after.variables  # the list filled for the supplement stayed hidden, unsent
    received = {i.name: (i.status, i.mark.recorded_by if i.mark else None)
                for i in materials.checklist(runtime.uow(), case.id, actor=PORTAL).items}
    assert received == {APPLICATION: ("electronic", None), IDENTITY: ("paper_checked", "wang"),
                        PROXY: ("not_applicable", "wang")}


def test_choosing_the_supplement_shows_the_missing_materials_listed_for_the_notice(page: Any, runtime: Runtime,
                                                                                  case: InstanceView) -> None:
    log_in(page, "wang")
    page.goto(f"/tasks/{case.tasks[0].id}")
    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")
    page.get_by_label("材料不全，一次性告知补正").check()
    listed = page.get_by_label("需补正的全部材料（一次性告知）")
    expect(listed).to_have_value(f"{IDENTITY}\n{PROXY}")  # from the checklist, for the clerk to edit
    listed.fill(f"{IDENTITY}：请提交原件\n{PROXY}")
    shot(page, "acceptance-03-supplement-list")
    page.click("#complete-button")
    page.wait_for_url("**/queue")
    after = instances.get(runtime.uow(), case.id, actor=SYSTEM)
    assert after.variables["missing_materials"] == f"{IDENTITY}：请提交原件\n{PROXY}"


def test_the_ticks_are_saved_with_the_form_and_shown_again(page: Any, runtime: Runtime, case: InstanceView) -> None:
    """暂存 sends the checklist's choices with the form's values; the page shows them chosen again, and
    nothing is recorded until the completion."""
    log_in(page, "wang")
    url = f"/tasks/{case.tasks[0].id}"
    page.goto(url)
    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")
    checklist = page.locator("#acceptance-checklist")
    checklist.locator(f'tr[data-material="{IDENTITY}"]').get_by_label("纸质原件已核验").check()
    checklist.locator(f'tr[data-material="{PROXY}"]').get_by_label("不适用").check()
    page.get_by_label("受理意见").fill("身份证明原件已核对。")
    page.click("#save-button")
    expect(page.locator(".flash-success")).to_contain_text("已暂存，任务尚未完成。")
    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")
    page.evaluate("() => sessionStorage.clear()")  # what the page shows comes from the server
    page.goto(url)
    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")
    expect(checklist.locator(f'tr[data-material="{IDENTITY}"]').get_by_label("纸质原件已核验")).to_be_checked()
    expect(checklist.locator(f'tr[data-material="{PROXY}"]').get_by_label("不适用")).to_be_checked()
    expect(page.get_by_label("受理意见")).to_have_value("身份证明原件已核对。")
    items = materials.checklist(runtime.uow(), case.id, actor=SYSTEM).items
    assert [item.name for item in items if item.mark is not None] == []  # saved, not recorded
