"""收件 at a window in a real browser: the clerk finds the item, sees its checklist, is told in place what is
missing, starts the case and prints the receipt with its query code; on the case page the materials go up
entry by entry, a wrong file is refused beside its entry, and a file over the limit is stopped before it is
sent. A one-thing bundle is received through its merged form, drawn by form-js."""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from engine import Runtime, calendar, definitions
from engine.models import Material, ProcessInstance
from engine.users import SYSTEM
from tests.browser import add_user, log_in, shot
from tests.live import LiveServer
from tests.service_items import item_files

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

pytestmark = pytest.mark.slow
LIMIT = 64 * 1024  # per material on this server, so that the limit is cheap to cross
PDF = b"%PDF-1.7\n" + b"0" * 2000 + b"\n%%EOF\n"


@pytest.fixture
def server(runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    """The live server of tests/browser.py, taking materials of at most LIMIT bytes."""
    monkeypatch.setenv("GOVFLOW_MAX_MATERIAL_BYTES", str(LIMIT))
    live = LiveServer(runtime.settings.database_url, tmp_path, workers=2)
    yield live
    live.stop()


def deploy(runtime: Runtime, code: str) -> None:
    with runtime.uow() as uow:
        calendar.seed_national(uow)
    definitions.deploy(runtime.uow(), item_files(code), actor=SYSTEM)


@pytest.fixture
def clerk(runtime: Runtime) -> str:
    add_user(runtime, "wang", groups=["window"], roles=["clerk"])
    return "wang"


def stored_case(runtime: Runtime) -> ProcessInstance:
    with runtime.uow() as uow:
        [case] = uow.session.scalars(select(ProcessInstance)).all()
        uow.session.expunge(case)
        return case


def stored_materials(runtime: Runtime) -> list[tuple[str, str]]:
    with runtime.uow() as uow:
        return [(m.name, m.filename) for m in uow.session.scalars(select(Material).order_by(Material.id))]


def test_a_clerk_receives_an_application_prints_the_receipt_and_uploads_its_materials(
        page: Any, runtime: Runtime, clerk: str) -> None:
    deploy(runtime, "window-acceptance")
    log_in(page, clerk)
    page.click("nav.mainnav >> text=收件")
    page.fill("#intake-q", "一窗")
    page.click(".intake-filters button[type=submit]")
    page.click("tr.intake-item >> a.start-intake")
    expect(page.locator("h1")).to_have_text("一窗受理 标准许可事项")
    expect(page.locator("tr.checklist-entry")).to_have_count(3)
    expect(page.locator("tr.checklist-entry.key-material")).to_have_count(2)
    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")
    shot(page, "intake-01-form")

    page.fill("#intake-applicant_phone", "1380013")  # a digit short, and no applicant: both said in place
    page.click("#intake-submit")
    expect(page.locator("#intake-applicant_name-error")).to_have_text("请填写申请人。")
    expect(page.locator("#intake-applicant_phone-error")).to_contain_text("手机号")
    expect(page.locator("#intake-applicant_phone")).to_have_value("1380013")  # kept as typed
    shot(page, "intake-02-errors-in-place")

    page.fill("#intake-applicant_name", "洛阳某酒店管理有限公司")
    page.fill("#intake-applicant_phone", "13800138000")
    # Sends counted and held in the page (a listener after the form's own), as if the answer were slow to
    # come while the clerk clicks again; then the form is sent once for real.
    page.evaluate("""() => {
        window.sends = 0;
        window.hold = (event) => { window.sends += 1; event.preventDefault(); };
        document.addEventListener('submit', window.hold);
    }""")
    page.click("#intake-submit")
    page.evaluate("document.getElementById('intake-submit').click()")
    assert page.evaluate("window.sends") == 1  # the button stopped taking clicks once the form was sent
    page.evaluate("""() => {
        document.removeEventListener('submit', window.hold);
        document.getElementById('complete-form').submit();
    }""")
    expect(page.locator("#receipt-title")).to_have_text("收件回执")
    case = stored_case(runtime)
    expect(page.locator("#receipt-number")).to_have_text(case.business_key)
    expect(page.locator("#receipt-code")).to_have_text(re.compile(r"^\S{6,}$"))
    expect(page.locator("#receipt-limit")).to_contain_text("15 个工作日")
    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")  # no dialog in a test
    page.click("[data-print]")
    expect(page.locator("body")).to_have_attribute("data-printed", "yes")
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator(".actions-bar")).to_be_hidden()
    shot(page, "intake-03-receipt-printed", full_page=True)
    page.emulate_media(media="screen")

    page.click("#receipt-upload")
    expect(page).to_have_url(re.compile(rf"/cases/{case.id}#materials$"))
    expect(page.locator(".materials-missing")).to_have_text("尚缺 3 项（关键材料 2 项）")
    first = page.locator('tr.checklist-row[data-row="1"]')
    first.locator("input[type=file]").set_input_files(
        {"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": PDF})
    first.locator("form.material-upload button[type=submit]").click()
    expect(page.locator('tr.checklist-row[data-row="1"] .just-uploaded')).to_contain_text("申请书.pdf")
    expect(page.locator(".materials-missing")).to_have_text("尚缺 2 项（关键材料 1 项）")

    second = page.locator('tr.checklist-row[data-row="2"]')
    second.locator("input[type=file]").set_input_files(
        {"name": "身份证.pdf", "mimeType": "application/pdf", "buffer": b"a scan saved as text"})
    second.locator("form.material-upload button[type=submit]").click()
    expect(page.locator('tr.checklist-row[data-row="2"] .upload-error')).to_have_text(
        "文件内容与扩展名不符，请上传原始文件。")
    expect(page.locator('tr.checklist-row[data-row="1"] .upload-error')).to_be_hidden()
    shot(page, "intake-04-upload-refused-in-place", full_page=True)

    third = page.locator('tr.checklist-row[data-row="3"]')
    third.locator("input[type=file]").set_input_files(
        {"name": "委托书.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-" + b"0" * LIMIT})
    url = page.url
    third.locator("form.material-upload button[type=submit]").click()  # stopped in the browser: nothing is sent
    expect(third.locator(".upload-error")).to_have_text("文件过大：单个文件不能超过 64 KB。")
    assert page.url == url
    assert stored_materials(runtime) == [("行政许可申请书", "申请书.pdf")]


def test_a_bundle_is_received_through_its_merged_form_drawn_by_form_js(page: Any, runtime: Runtime,
                                                                       clerk: str) -> None:
    deploy(runtime, "SCJG-YJS-0001")
    log_in(page, clerk)
    page.goto("/work/intake/SCJG-YJS-0001")
    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")
    page.get_by_label("申请人（经营者）姓名").fill("李四")
    page.get_by_label("申请人身份证号码").fill("14030219900101123X")
    # The browser checks a phone number by the server's rule, and says so in the page's words.
    phone_error = page.locator("[id$='Field_applicant_phone-error-message']")
    page.get_by_label("联系电话").fill("1380013")
    page.get_by_label("联系电话").press("Tab")
    expect(phone_error).to_contain_text("须为手机号码（1 开头的 11 位数字）")
    page.get_by_label("联系电话").fill("13800138000")
    page.get_by_label("联系电话").press("Tab")
    expect(phone_error).to_have_count(0)  # no "international phone number"
    page.get_by_label("经营场所地址").fill("阳泉市城区桃北西街18号")
    page.get_by_label("经营范围").fill("餐饮服务")
    page.get_by_label("热食类食品制售").check()
    page.get_by_label("食品安全管理人员").fill("王五")
    page.get_by_label("招牌文字").fill("李记面馆")
    page.get_by_label("招牌面积（平方米）").fill("3.5")
    page.click("#intake-submit")  # 拟定名称（字号） left empty: the server refuses, next to the field
    expect(page.locator("#form-errors-summary")).to_contain_text("拟定名称（字号）")
    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")  # the form drawn again
    field = page.locator(".fjs-form-field", has_text="拟定名称（字号）")
    expect(field.locator(".fjs-form-field-error")).to_contain_text("必填项")
    expect(page.get_by_label("申请人（经营者）姓名")).to_have_value("李四")  # what was typed is kept
    shot(page, "intake-05-bundle-refused", full_page=True)

    # Correcting a refused field clears its message without moving the fields below: a click on the next
    # box lands where the clerk aimed.
    below, name = page.get_by_label("经营范围"), page.get_by_label("拟定名称（字号）")

    def gap() -> float:  # the field below, from the corrected one: the page itself may scroll meanwhile
        return below.bounding_box()["y"] - name.bounding_box()["y"]
    before = gap()
    name.fill("李记面馆")
    name.press("Tab")  # left as a clerk leaves it: the form holds the value
    expect(field.locator(".fjs-form-field-error")).to_have_count(0)
    assert abs(gap() - before) < 1
    page.click("#intake-submit")
    expect(page.locator("#receipt-title")).to_have_text("收件回执")
    case = stored_case(runtime)
    assert case.definition_key == "restaurant_opening"
    expect(page.locator("#receipt-number")).to_have_text(case.business_key)
