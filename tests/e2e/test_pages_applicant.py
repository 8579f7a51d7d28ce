"""An applicant in a real browser, without an account: from the login page to the catalogue, a search,
an item's guide; then the progress of their case with the query code handed out at the start (steps,
time limit, the acceptance notice to download), and a mistyped code that gets the neutral answer. Staff
see the same notice on the case page with its hashes."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import requests

from engine import Runtime, calendar, definitions, users
from engine.users import SYSTEM
from tests.api.test_pages_public import library_files
from tests.browser import add_user, log_in, shot
from tests.live import LiveServer
from tests.service_items import food_application, guide

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

pytestmark = pytest.mark.slow
NUMBER = "SCJG-2026-0777"


@pytest.fixture
def accepted(runtime: Runtime, server: LiveServer) -> dict[str, Any]:
    """The library deployed, and a food licence case started over the API and accepted at the window:
    the start answer, which holds the query code."""
    calendar.seed_national(runtime.uow())
    definitions.deploy(runtime.uow(), library_files(), actor=SYSTEM)
    portal = users.add_user(runtime.uow(), "portal", roles=["integrator"], actor=SYSTEM)[1]
    wu = users.add_user(runtime.uow(), "wu", groups=["window"], roles=["clerk"], actor=SYSTEM)[1]
    integrator, window = {"Authorization": f"Bearer {portal}"}, {"Authorization": f"Bearer {wu}"}
    started = requests.post(f"{server.url}/api/process-definitions/food_business_licence/start", headers=integrator,
                            json={"business_key": NUMBER,
                                  "variables": food_application(applicant_name="某某餐饮有限公司")}, timeout=10)
    assert started.status_code == 201, started.text
    case = requests.get(f"{server.url}/api/process-instances/{started.json()['id']}", headers=integrator, timeout=10)
    [task] = [t for t in case.json()["tasks"] if t["bpmn_id"] == "acceptance_check"]
    for material in guide("SCJG-XK-0001")["materials"]:  # the window checked every paper original
        marked = requests.post(f"{server.url}/api/process-instances/{case.json()['id']}/materials/marks",
                               headers=window, json={"name": material["name"], "kind": "paper_checked"}, timeout=10)
        assert marked.status_code == 201, marked.text
    done = requests.post(f"{server.url}/api/tasks/{task['id']}/complete", headers=window, timeout=10,
                         json={"variables": {"acceptance_decision": "accept"}})
    assert done.status_code == 200, done.text
    return dict(started.json())


def test_an_applicant_reads_a_guide_and_follows_the_case_with_its_query_code(page: Any, runtime: Runtime,
                                                                              accepted: dict[str, Any]) -> None:
    page.goto("/login")
    shot(page, "public-00-login")
    page.click(".public-links >> text=办事指南")
    expect(page.locator("h1")).to_have_text("政务服务事项目录")
    expect(page.locator("tr.catalogue-row")).to_have_count(3)
    shot(page, "public-01-catalogue")

    page.fill("input[name=q]", "食品")
    page.click(".catalogue-filters button[type=submit]")
    expect(page.locator("tr.catalogue-row")).to_have_count(1)
    page.select_option("select[name=department]", "SCJG")
    page.select_option("select[name=type]", "01")
    page.click(".catalogue-filters button[type=submit]")
    expect(page.locator("tr.catalogue-row")).to_have_count(1)
    expect(page.locator("tr.catalogue-row")).to_contain_text("市市场监督管理局")
    shot(page, "public-02-catalogue-search")

    page.click("a.item-link")
    expect(page.locator("h1")).to_have_text("食品经营许可")
    expect(page.locator("#item-code")).to_have_text("SCJG-XK-0001")
    expect(page.locator("table.materials-table tbody tr")).to_have_count(7)
    expect(page.locator(".guide-basics")).to_contain_text("免费")
    expect(page.locator(".channels")).to_contain_text("12345")
    # The guide fits the window's width: nothing scrolls sideways at 1366×768.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "public-03-guide")
    shot(page, "public-03-guide-full", full_page=True)

    page.click(".public-bar >> text=办件进度查询")
    page.fill("#case_no", NUMBER)
    page.fill("#code", accepted["query_code"].lower())  # as typed, in lower case
    page.click("#lookup-form button[type=submit]")
    result = page.locator("#progress-result")
    expect(result).to_contain_text("食品经营许可")
    expect(result.locator(".badge-case").first).to_have_text("部门办理中")
    # received, the acceptance step done, accepted, the review opened
    expect(result.locator("tr.step-row")).to_have_count(4)
    expect(result.locator("table.steps")).to_contain_text("受理审查")
    expect(result.locator(".remaining-days")).to_have_text("10")
    link = result.locator("a.document-pdf")
    expect(link).to_have_count(1)
    expect(result.locator(".document-list")).to_contain_text("受理通知书")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "public-04-progress")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == f"{NUMBER}-受理通知书.pdf"  # the case number tells files apart
    assert Path(download.value.path()).read_bytes()[:4] == b"%PDF"
    # The download list and the history keep its address: the document's, without the code.
    assert "code=" not in download.value.url and accepted["query_code"] not in download.value.url.upper()
    assert accepted["query_code"] not in page.content().upper()

    page.fill("#case_no", NUMBER)
    page.fill("#code", "ABCDEFGH" if accepted["query_code"] != "ABCDEFGH" else "HGFEDCBA")
    page.click("#lookup-form button[type=submit]")
    expect(page.locator(".lookup-error")).to_have_text("未找到该办件，请核对办件编号和查询码。")
    expect(page.locator("#progress-result")).to_have_count(0)
    shot(page, "public-05-progress-wrong-code")

    page.click(".who a.lang")  # the same form in English
    expect(page.locator("h1")).to_have_text("Case progress")
    shot(page, "public-06-progress-english")
    page.click(".who a.lang")  # back to Chinese
    expect(page.locator("h1")).to_have_text("办件进度查询")

    add_user(runtime, "qian", roles=["supervisor"])
    log_in(page, "qian")
    page.goto(f"/cases/{accepted['id']}")
    row = page.locator("tr.document-row")
    expect(row).to_contain_text("受理通知书")
    expect(row.locator(".sha")).to_contain_text(re.compile(r"PDF [0-9a-f]{12}…"))
    page.locator(".documents-panel").scroll_into_view_if_needed()
    shot(page, "public-07-case-documents")
    with page.expect_download() as download:
        row.locator("a.document-pdf").click()
    assert Path(download.value.path()).read_bytes()[:4] == b"%PDF"


PHONE = {"width": 390, "height": 844}  # a phone held upright


def test_on_a_phone_the_applicant_reads_the_guide_follows_the_case_and_rates_it(page: Any, runtime: Runtime,
                                                                                server: LiveServer,
                                                                                accepted: dict[str, Any]) -> None:
    """The guide and the progress stack their columns on a narrow screen; an ended case is rated under its
    progress, a 差评 only with its reason."""
    page.set_viewport_size(PHONE)
    wide = "document.documentElement.scrollWidth <= window.innerWidth"
    page.goto("/public/catalogue/SCJG-XK-0001")
    expect(page.locator("h1")).to_have_text("食品经营许可")
    assert page.locator(".guide-main").bounding_box()["width"] > 300
    assert page.evaluate(wide)
    # The materials are cards, each cell under its column's name, not a table scrolled sideways in its box.
    unscrolled = "[...document.querySelectorAll('table.grid')].every(t => t.scrollWidth <= t.clientWidth + 1)"
    assert page.evaluate(unscrolled)
    cell = page.locator("table.materials-table td[data-label='关键材料']").first
    assert page.evaluate("e => getComputedStyle(e, '::before').content", cell.element_handle()) == '"关键材料"'
    shot(page, "public-08-phone-guide", full_page=True)
    page.goto("/public/catalogue")
    assert page.evaluate(wide) and page.evaluate(unscrolled)
    expect(page.locator("table.catalogue td[data-label='法定时限']").first).to_be_visible()

    def look_up() -> Any:
        page.goto("/public/progress")
        page.fill("#case_no", NUMBER)
        page.fill("#code", accepted["query_code"])
        page.click("#lookup-form button[type=submit]")
        return page.locator("#progress-result")
    result = look_up()
    expect(result.locator(".badge-case").first).to_have_text("部门办理中")
    assert result.bounding_box()["width"] > 300 and page.evaluate(wide)
    # Each fact's label sits beside its value, not wrapped apart from it.
    for label, value in zip(result.locator("dl.inline-facts dt").all(), result.locator("dl.inline-facts dd").all(),
                            strict=True):
        assert abs(label.bounding_box()["y"] - value.bounding_box()["y"]) < 4, label.inner_text()
    expect(page.locator("#rating-form")).to_have_count(0)  # still running: nothing to rate yet
    with page.expect_download() as download:
        result.locator("a.document-pdf").click()
    assert download.value.suggested_filename == f"{NUMBER}-受理通知书.pdf"  # the case number tells files apart

    admin = {"Authorization": f"Bearer {users.add_user(runtime.uow(), 'root', roles=['admin'], actor=SYSTEM)[1]}"}
    ended = requests.post(f"{server.url}/api/process-instances/{accepted['id']}/terminate", headers=admin,
                          json={"reason": "申请人撤回申请"}, timeout=10)
    assert ended.status_code == 200, ended.text
    look_up()
    form = page.locator("#rating-form")
    form.locator(".rating-levels label", has_text="非常不满意").click()
    form.locator("button[type=submit]").click()
    expect(page.locator(".rating-error")).to_have_text("选择“不满意”或“非常不满意”时，请写明原因，以便整改。")
    page.locator("#rating-form .rating-levels label", has_text="非常不满意").click()
    page.fill("#rating-comment", "撤件手续来回跑了三次")
    page.locator("#rating-form button[type=submit]").click()
    expect(page.locator(".rating-thanks")).to_have_text("感谢您的评价。")
    expect(page.locator(".rating-level")).to_have_text("非常不满意")
    expect(page.locator(".rating-comment")).to_have_text("撤件手续来回跑了三次")
    expect(page.locator(".rectification")).to_contain_text("差评整改")  # the library here lacks the process
    expect(page.locator("#rating-form")).to_have_count(0)
    assert page.evaluate(wide)
    shot(page, "public-09-phone-rated", full_page=True)


def test_an_applicant_complains_from_a_guide_and_follows_the_complaint(page: Any, accepted: dict[str, Any]) -> None:
    page.set_viewport_size(PHONE)
    page.goto("/public/catalogue/SCJG-XK-0001")
    page.click("a.complain-link")
    expect(page.locator("#complaint-item_code")).to_have_value("SCJG-XK-0001")
    page.fill("#complaint-name", "李四")
    page.fill("#complaint-phone", "139 1234")
    page.fill("#complaint-content", "窗口要求提交指南以外的材料")
    page.click("#complaint-form button[type=submit]")
    expect(page.locator(".field-error[data-field=phone]")).to_have_text("请填写手机号（11 位）或带区号的固定电话。")
    expect(page.locator("#complaint-content")).to_have_value("窗口要求提交指南以外的材料")
    page.fill("#complaint-phone", "139 1234 5678")
    page.click("#complaint-form button[type=submit]")
    expect(page.locator(".complaint-filed")).to_contain_text("10 个工作日内办结并答复")
    number = page.locator(".complaint-no").inner_text()
    code = page.locator(".query-code strong").inner_text()
    assert number.startswith("TS") and len(code) == 8
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "public-10-phone-complaint-filed", full_page=True)

    page.click("text=查询投诉进度")
    expect(page.locator("#case_no")).to_have_value(number)
    page.fill("#code", code)
    page.click("#lookup-form button[type=submit]")
    result = page.locator("#progress-result")
    expect(result.locator(".result-title")).to_have_text("政务服务投诉")
    expect(result.locator(".current-steps")).to_have_text("投诉登记")
    expect(result).not_to_contain_text("李四")


def test_reload_and_back_after_a_lookup_a_rating_or_a_complaint_send_no_form_again(page: Any, runtime: Runtime,
                                                                                  server: LiveServer,
                                                                                  accepted: dict[str, Any]) -> None:
    """Each form answers POST -> 303 -> GET: reloading its page or going back and forth sends no POST (no
    resend prompt, no second rating or complaint), and no address holds the case number or the code. A
    complaint's receipt shows its code once: a reload shows its number and says the code was shown."""
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    code = accepted["query_code"]

    def no_secret_in_address() -> None:
        assert NUMBER not in page.url and code not in page.url.upper(), page.url

    page.goto("/public/progress")
    page.fill("#case_no", NUMBER)
    page.fill("#code", code)
    page.click("#lookup-form button[type=submit]")
    result = page.locator("#progress-result")
    expect(result.locator(".result-title")).to_have_text("食品经营许可")
    assert page.url.endswith("/public/progress") and len(posts) == 1
    no_secret_in_address()
    page.reload()
    expect(result.locator(".result-title")).to_have_text("食品经营许可")  # the answer, from the session
    page.go_back()
    expect(page.locator("#lookup-form")).to_be_visible()
    page.go_forward()
    expect(result.locator(".result-title")).to_have_text("食品经营许可")
    assert len(posts) == 1, posts

    admin = {"Authorization": f"Bearer {users.add_user(runtime.uow(), 'root', roles=['admin'], actor=SYSTEM)[1]}"}
    ended = requests.post(f"{server.url}/api/process-instances/{accepted['id']}/terminate", headers=admin,
                          json={"reason": "申请人撤回申请"}, timeout=10)
    assert ended.status_code == 200, ended.text
    page.reload()
    expect(result.locator(".end-reason")).to_have_text("申请人撤回申请")
    page.locator("#rating-form .rating-levels label", has_text="满意").first.click()
    page.locator("#rating-form button[type=submit]").click()
    expect(page.locator(".rating-thanks")).to_have_text("感谢您的评价。")
    assert len(posts) == 2 and page.url.endswith("/public/progress#rating")
    no_secret_in_address()
    shot(page, "public-11-rated-after-redirect")
    page.reload()
    expect(page.locator(".rating-level")).to_have_text("非常满意")
    expect(page.locator(".rating-thanks")).to_have_count(0)  # thanked once
    expect(page.locator("#rating-form")).to_have_count(0)
    page.go_back()
    page.go_forward()
    expect(page.locator(".rating-level")).to_have_text("非常满意")
    assert len(posts) == 2, posts

    page.goto("/public/complaints")
    page.fill("#complaint-name", "李四")
    page.fill("#complaint-phone", "13912345678")
    page.fill("#complaint-content", "撤件手续来回跑了三次")
    page.click("#complaint-form button[type=submit]")
    expect(page.locator(".complaint-filed")).to_contain_text("10 个工作日内办结并答复")
    assert page.url.endswith("/public/complaints/receipt") and len(posts) == 3
    number, filed_code = page.locator(".complaint-no").inner_text(), page.locator(".query-code strong").inner_text()
    page.reload()
    expect(page.locator(".complaint-no")).to_have_text(number)
    expect(page.locator(".query-code")).to_have_count(0)  # shown once, as the receipt said
    expect(page.locator(".code-shown")).to_contain_text("查询码已在提交后显示过一次")
    expect(page.locator(".complaint-again")).to_have_count(0)
    page.go_back()
    expect(page.locator("#complaint-form")).to_be_visible()
    page.go_forward()
    expect(page.locator(".complaint-no")).to_have_text(number)
    assert filed_code not in page.content()
    assert len(posts) == 3, posts
    assert filed_code not in page.url
    page.click(".complaint .button")  # the lookup, the number filled in; the code written down opens it
    expect(page.locator("#case_no")).to_have_value(number)
    page.fill("#code", filed_code)
    page.click("#lookup-form button[type=submit]")
    expect(page.locator("#progress-result .result-title")).to_have_text("政务服务投诉")
    complaints = requests.get(f"{server.url}/api/process-instances", headers=admin, timeout=10,
                              params={"process_key": "complaint"})
    assert complaints.json()["total"] == 1
