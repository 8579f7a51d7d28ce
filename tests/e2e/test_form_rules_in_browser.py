"""The server's form rules where form-js's differ, in a real browser: a required text of spaces alone is no
answer, and an identity number is checked for its form as it is typed and for its check character by the
server. Each is said beside its field as soon as it is left, in the server's words; the task completes only
with a right answer, kept as the number is written."""
from __future__ import annotations

import json
import re
from typing import Any

import pytest

from engine import Runtime, definitions, instances, tasks
from engine.instances import InstanceView
from engine.users import SYSTEM, Actor
from tests.browser import add_user, log_in
from tests.live import ROOT

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

pytestmark = pytest.mark.slow
SAMPLE = ROOT / "bpmn" / "window-acceptance" / "window_acceptance.bpmn"
FORM = ROOT / "tests" / "fixtures" / "pages" / "window-accept.form"
ID_NUMBER = {"type": "textfield", "key": "applicantIdNumber", "label": "申请人身份证号码", "id": "Field_applicantIdNumber",
             "validate": {"required": True, "validationType": "idNumber"}}


@pytest.fixture
def task(page: Any, runtime: Runtime) -> InstanceView:
    """The acceptance task of a window case, its form asking a required opinion and the applicant's ID
    number, open in wang's browser."""
    return open_task(page, runtime, [ID_NUMBER])


def open_task(page: Any, runtime: Runtime, added: list[dict[str, Any]]) -> InstanceView:
    """The acceptance task of a window case, its form with a required opinion and the ``added`` fields."""
    schema = json.loads(FORM.read_text(encoding="utf-8"))
    [opinion] = [c for c in schema["components"] if c.get("key") == "opinion"]
    opinion["validate"] = {"required": True, "maxLength": 500}
    schema["components"][2:2] = added
    definitions.deploy(runtime.uow(), [(SAMPLE.name, SAMPLE.read_bytes()),
                                       (FORM.name, json.dumps(schema, ensure_ascii=False).encode())], actor=SYSTEM)
    add_user(runtime, "wang", groups=["window"], roles=["clerk"])
    view, _ = instances.start(runtime.uow(), "window_acceptance", actor=Actor("portal", roles=frozenset({"integrator"})),
                              business_key="SX-2026-000321", variables={"applicantName": "张三"})
    tasks.claim(runtime.uow(), view.tasks[0].id, actor=Actor("wang", frozenset({"window"}), frozenset({"clerk"})))
    log_in(page, "wang")
    page.goto(f"/tasks/{view.tasks[0].id}")
    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")
    return view


def error_of(page: Any, label: str) -> Any:
    return page.locator(".fjs-form-field", has_text=label).locator(".fjs-form-field-error")


def completed_with(runtime: Runtime, view: InstanceView) -> dict[str, Any]:
    [done] = [e for e in instances.history(runtime.uow(), view.id, actor=SYSTEM) if e.event == "task.completed"]
    return dict(done.data["variables"])


def test_spaces_alone_in_a_required_text_are_refused(page: Any, runtime: Runtime, task: InstanceView) -> None:
    page.get_by_label("受理", exact=True).check()
    page.get_by_label("申请人身份证号码").fill("11010519491231002X")
    page.get_by_label("受理意见").fill("   ")
    page.get_by_label("受理意见").press("Tab")  # the browser says it at once
    expect(error_of(page, "受理意见")).to_have_text("必填项")

    page.click("#complete-button")  # sent anyway: the server refuses it too, beside the field
    expect(page.locator("#form-errors-summary")).to_contain_text("受理意见")
    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")  # the form drawn again
    expect(error_of(page, "受理意见")).to_contain_text("必填项")
    assert tasks.get_task(runtime.uow(), task.tasks[0].id, actor=SYSTEM).state == "READY"

    page.get_by_label("受理意见").fill("材料齐全，予以受理。")
    page.click("#complete-button")
    page.wait_for_url(re.compile(r"/queue"))
    assert completed_with(runtime, task)["opinion"] == "材料齐全，予以受理。"


def test_an_id_number_is_checked_as_typed_and_by_its_check_character(page: Any, runtime: Runtime,
                                                                      task: InstanceView) -> None:
    page.get_by_label("受理", exact=True).check()
    page.get_by_label("受理意见").fill("材料齐全，予以受理。")
    id_number = page.get_by_label("申请人身份证号码")
    id_number.fill("1101051949123100")  # 16 characters: the browser says it when the field is left
    id_number.press("Tab")
    expect(error_of(page, "申请人身份证号码")).to_have_text("不是有效的居民身份证号码（18 位，出生日期和末位校验码须正确）")

    id_number.fill("110105194912310021")  # the right form, the wrong check character: the server finds it
    id_number.press("Tab")
    expect(error_of(page, "申请人身份证号码")).to_have_count(0)
    page.click("#complete-button")
    expect(page.locator("#form-errors-summary")).to_contain_text("申请人身份证号码")
    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")  # the form drawn again
    expect(error_of(page, "申请人身份证号码")).to_contain_text("末位校验码")
    # form-js's own check of the field's value (which finds nothing) does not take the server's error away
    page.get_by_label("申请人身份证号码").focus()
    page.get_by_label("受理意见").focus()
    expect(error_of(page, "申请人身份证号码")).to_contain_text("末位校验码")

    page.get_by_label("申请人身份证号码").fill("11010519491231002x")  # a lowercase x is the same number
    page.click("#complete-button")
    page.wait_for_url(re.compile(r"/queue"))
    assert completed_with(runtime, task)["applicantIdNumber"] == "11010519491231002X"


def test_a_select_s_placeholder_and_search_box_are_in_the_page_s_language(page: Any, runtime: Runtime) -> None:
    """form-js writes "Select" and "Search" itself, past its translate service."""
    open_task(page, runtime, [
        {"type": "select", "key": "delivery_method", "label": "送达方式", "id": "Field_delivery_method",
         "values": [{"label": "窗口领取", "value": "window"}, {"label": "邮寄送达", "value": "mail"}]},
        {"type": "select", "key": "lead", "label": "承办部门", "id": "Field_lead", "searchable": True,
         "values": [{"label": "市场监管局", "value": "scjg"}, {"label": "卫健委", "value": "wjw"}]}])
    method = page.locator(".fjs-form-field", has_text="送达方式")
    expect(method.locator(".fjs-select-display")).to_have_text("请选择")
    method.locator(".fjs-select-display").click()
    page.locator(".fjs-dropdownlist-item", has_text="邮寄送达").click()
    expect(method.locator(".fjs-select-display")).to_have_text("邮寄送达")  # the chosen label still shows
    lead = page.locator(".fjs-form-field", has_text="承办部门").locator("input.fjs-input")
    expect(lead).to_have_attribute("placeholder", "搜索")
    assert "Select" not in page.locator("#form-container").inner_text()


LICENCE_NO = {"type": "textfield", "key": "licence_no", "label": "许可证编号", "id": "Field_licence_no",
              "description": "JY + 14 位数字", "validate": {"required": True, "pattern": "^JY\\d{14}$"}}


def test_a_pattern_is_said_in_its_field_s_description_not_as_a_regular_expression(page: Any, runtime: Runtime) -> None:
    """Clerks read no regular expressions: the browser and the server say the format in the form's words."""
    view = open_task(page, runtime, [LICENCE_NO])
    page.get_by_label("受理", exact=True).check()
    page.get_by_label("受理意见").fill("材料齐全")
    page.get_by_label("许可证编号").fill("JY123")
    page.get_by_label("许可证编号").press("Tab")
    expect(error_of(page, "许可证编号")).to_have_text("格式不正确：JY + 14 位数字")
    page.click("#complete-button")  # sent anyway: the server's refusal, in the same words
    expect(page.locator("#form-errors-summary")).to_contain_text("格式不正确：JY + 14 位数字")
    expect(page.locator("#form-errors-summary")).not_to_contain_text("\\d{14}")
    assert tasks.get_task(runtime.uow(), view.tasks[0].id, actor=SYSTEM).state == "READY"
    page.get_by_label("许可证编号").fill("JY12345678901234")
    page.click("#complete-button")
    page.wait_for_url(re.compile(r"/queue"))
    assert completed_with(runtime, view)["licence_no"] == "JY12345678901234"


def test_two_fields_with_one_pattern_are_each_said_in_their_own_description(page: Any, runtime: Runtime) -> None:
    """form-js names a broken pattern by its text alone: each field still gets its own words."""
    permit = {**LICENCE_NO, "key": "permit_no", "label": "备案编号", "id": "Field_permit_no",
              "description": "备案号：JY 开头，后接 14 位数字"}
    plain = {**LICENCE_NO, "key": "other_no", "label": "其他编号", "id": "Field_other_no", "description": ""}
    open_task(page, runtime, [LICENCE_NO, permit, plain])
    for label in ("许可证编号", "备案编号", "其他编号"):
        page.get_by_label(label).fill("JY123")
        page.get_by_label(label).press("Tab")
    expect(error_of(page, "许可证编号")).to_have_text("格式不正确：JY + 14 位数字")
    expect(error_of(page, "备案编号")).to_have_text("格式不正确：备案号：JY 开头，后接 14 位数字")
    expect(error_of(page, "其他编号")).not_to_contain_text("JY + 14 位数字")
    page.get_by_label("备案编号").fill("JY12345678901234")  # the same rule still holds, wrapped or not
    page.get_by_label("备案编号").press("Tab")
    expect(error_of(page, "备案编号")).to_have_count(0)
