"""收件 at a window through the pages: choosing the item from the deployed catalogue, its checklist, the
applicant's details (a bundle's merged application form), the start through engine.instances.start with
its receipt and query code, a second send that starts nothing; and the materials of the case uploaded
entry by entry on the case page, with refusals said beside the entry."""
from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import func, select

from engine import Runtime, query_codes
from engine.clock import LOCAL_TZ
from engine.models import HistoryEvent, Material, ProcessInstance
from tests.conftest import clean
from tests.helpers import ApiClient, statements
from tests.service_items import deploy_item, guide

LIMIT = 64 * 1024  # per material here, so that the limit is cheap to cross
PDF = b"%PDF-1.7\n" + b"0" * 2000 + b"\n%%EOF\n"
WINDOW = "window-acceptance"  # 一窗受理 标准许可事项: applicant_name, then the window's acceptance
BUNDLE = "SCJG-YJS-0001"  # 开办餐饮店一件事: a one-thing bundle with its merged application form
APPLICATION = {
    "applicant_name": "李四", "applicant_id_number": "14030219900101123X", "applicant_phone": "13800138000",
    "business_address": "阳泉市城区桃北西街18号", "business_name": "李记面馆", "registered_capital": 10,
    "business_scope": "餐饮服务", "food_categories": ["hot_food", "drinks"], "food_safety_manager": "王五",
    "signboard_text": "李记面馆", "signboard_area": 3.5, "signboard_lighting": True,
}


@pytest.fixture
def runtime(migrated: Any) -> Iterator[Runtime]:
    """conftest's runtime with a 64 KiB limit per material."""
    runtime = Runtime(replace(migrated, max_material_bytes=LIMIT))
    clean(runtime)
    yield runtime
    runtime.dispose()


class Browser:
    """A test client logged in with a user's API token; posts carry the page's CSRF token."""

    def __init__(self, api: ApiClient, name: str) -> None:
        self.client = api.client.application.test_client()
        response = self.client.post("/login", data={"name": name, "secret": api.token(name),
                                                    "csrf_token": self.csrf("/login")})
        assert response.status_code == 302, response.text

    def csrf(self, url: str) -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.client.get(url).text)
        assert found, f"no CSRF token on {url}"
        return found.group(1)

    def get(self, url: str) -> Any:
        return self.client.get(url)

    def post(self, url: str, data: dict[str, Any], **kwargs: Any) -> Any:
        return self.client.post(url, data={"csrf_token": self.csrf("/work/intake"), **data}, **kwargs)


def text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def generated(page: str) -> str:
    found = re.search(r'name="generated" value="([^"]+)"', page)
    assert found, "the form carries no case number of its own"
    return found.group(1)


def cases(api: ApiClient) -> list[ProcessInstance]:
    with api.runtime.uow() as uow:
        rows = list(uow.session.scalars(select(ProcessInstance).order_by(ProcessInstance.id)))
        uow.session.expunge_all()
        return rows


@pytest.fixture
def window(api: ApiClient) -> Browser:
    deploy_item(api, WINDOW)
    return Browser(api, "window_clerk")


def receive(clerk: Browser, code: str = WINDOW, **fields: Any) -> Any:
    """Open the item's form and send it as the clerk filled it in."""
    page = clerk.get(f"/work/intake/{code}").text
    return clerk.post(f"/work/intake/{code}", {"generated": generated(page), **fields})


# ---- choosing the item ------------------------------------------------------------------------------

def test_clerks_and_integrators_find_intake_in_their_navigation_and_others_may_not_start_cases(api: ApiClient,
                                                                                                 window: Browser) -> None:
    assert 'href="/work/intake"' in window.get("/queue").text
    assert 'href="/work/intake"' in Browser(api, "integrator").get("/cases").text
    supervisor = Browser(api, "supervisor")
    assert 'href="/work/intake"' not in supervisor.get("/queue").text
    refused = supervisor.get("/work/intake")
    assert refused.status_code == 403 and "您无权执行此操作。" in refused.text
    assert supervisor.get(f"/work/intake/{WINDOW}").status_code == 403


def test_the_list_holds_the_deployed_items_found_by_name_or_code_but_not_complaints(api: ApiClient,
                                                                                    window: Browser) -> None:
    deploy_item(api, "complaint")  # lodged on the public complaint page, never at the intake window
    listed = window.get("/work/intake").text
    rows = re.findall(r'<tr class="intake-item" data-code="([^"]+)"', listed)
    assert rows == [WINDOW]
    assert "一窗受理 标准许可事项" in listed and "15 个工作日" in listed
    assert re.findall(r'data-code="([^"]+)"', window.get("/work/intake?q=一窗").text) == [WINDOW]
    assert re.findall(r'data-code="([^"]+)"', window.get("/work/intake?q=window-acc").text) == [WINDOW]
    nothing = window.get("/work/intake?q=食品")
    assert "data-code=" not in nothing.text and "没有符合条件的事项。" in nothing.text
    assert window.get("/work/intake/complaint").status_code == 404
    assert window.get("/work/intake/NO-SUCH-ITEM").status_code == 404


def test_the_list_reads_who_may_start_its_items_at_once(api: ApiClient, window: Browser) -> None:
    """The starters of every listed item are read with one query, not one per item."""

    def queries() -> int:
        with statements(api.runtime) as seen:
            assert window.get("/work/intake").status_code == 200
        return len(seen)

    window.get("/work/intake")  # each diagram's metadata is read once per process
    few = queries()
    for code in ("SCJG-XK-0001", "WJW-XK-0005"):
        deploy_item(api, code)
    window.get("/work/intake")
    listed = window.get("/work/intake").text
    assert len(re.findall(r'<tr class="intake-item"', listed)) == 3
    assert queries() == few


def test_the_form_shows_the_guide_s_checklist_and_asks_the_applicant_s_details(window: Browser) -> None:
    page = window.get(f"/work/intake/{WINDOW}").text
    entries = re.findall(r'<tr class="checklist-entry( key-material)?"[^>]*>(.*?)</tr>', page, re.DOTALL)
    listed = guide(WINDOW)["materials"]
    assert [text(entry) for _, entry in entries] == [
        text(entry) for _, entry in entries if any(m["name"] in text(entry) for m in listed)]
    assert len(entries) == len(listed) and all(m["name"] in text(e) for m, (_, e) in zip(listed, entries))
    assert [bool(key) for key, _ in entries] == [bool(m["key"]) for m in listed]
    assert "原件和复印件" in text(entries[2][1])  # the power of attorney: original and copy
    for name in ("business_key", "applicant_name", "applicant_id_number", "applicant_phone"):
        assert f'name="{name}"' in page
    assert 'name="project_name"' not in page  # not a construction project's item
    assert 'id="form-container"' not in page  # not a bundle: no merged form


def test_a_construction_project_s_item_asks_its_project_name_too(api: ApiClient, window: Browser) -> None:
    """Its guide says ``"project": true``: the documents name the project, so the window asks it."""
    deploy_item(api, "ZJJ-XK-0012")
    assert guide("ZJJ-XK-0012")["project"] is True
    assert 'name="project_name"' in window.get("/work/intake/ZJJ-XK-0012").text
    answer = receive(window, "ZJJ-XK-0012", applicant_name="某置业有限公司", project_name="滨河花园" * 60)
    assert answer.status_code == 422 and cases(api) == []
    assert re.search(r'id="intake-project_name-error">项目名称至多 200 个字。<', answer.text)
    started = receive(window, "ZJJ-XK-0012", applicant_name="某置业有限公司", project_name=" 滨河花园  二期 ")
    assert started.status_code == 200, started.text
    [case] = cases(api)
    assert api.as_("supervisor").get(f"/api/process-instances/{case.id}").get_json()["variables"][
        "project_name"] == "滨河花园 二期"


# ---- starting the case, the receipt ---------------------------------------------------------------

def test_a_start_gives_the_receipt_with_its_query_code_once_and_a_second_send_starts_nothing(
        api: ApiClient, window: Browser) -> None:
    form = window.get(f"/work/intake/{WINDOW}").text
    sent = {"generated": generated(form), "business_key": "", "applicant_name": " 张三  ",
            "applicant_phone": "138 0013 8000", "applicant_id_number": "", "project_name": ""}
    first = window.post(f"/work/intake/{WINDOW}", sent)
    assert first.status_code == 200, first.text
    [case] = cases(api)
    assert case.business_key == generated(form) and case.started_by == "window_clerk"
    receipt = text(first.text)
    assert "收件回执" in receipt and case.business_key in receipt and "一窗受理 标准许可事项" in receipt
    assert "15 个工作日（自受理之日起计算）" in receipt and "张三" in receipt
    assert re.search(r'id="receipt-clerk">window_clerk<', first.text)  # no display name: the login name
    code = re.search(r'id="receipt-code">([^<]+)<', first.text).group(1)
    query_codes.verify(api.runtime.uow(), case.business_key, code)  # the code opens the case
    assert "/public/progress" in receipt and "data-print" in first.text
    # Printed, it is stamped by the office and signed by both sides.
    signatures = text(re.search(r'<div class="receipt-signatures".*?</div>', first.text, re.DOTALL).group(0))
    day = case.started_at.astimezone(LOCAL_TZ)
    assert signatures == (f"收件单位（盖章）：{guide(WINDOW)['department']['name']} 收件人（签字）： 申请人（签字）： "
                          f"日期： {day:%Y-%m-%d}")
    variables = api.as_("supervisor").get(f"/api/process-instances/{case.id}").get_json()["variables"]
    assert variables == {"applicant_name": "张三", "applicant_phone": "13800138000"}  # tidied; empty left out

    again = window.post(f"/work/intake/{WINDOW}", sent)  # a double click, a reload of the receipt
    assert again.status_code == 200 and len(cases(api)) == 1
    assert "本次未重复收件" in text(again.text) and code not in again.text and 'id="receipt-code"' not in again.text
    assert "receipt-signatures" not in again.text  # no receipt to hand over a second time
    assert "intake-differing" not in again.text
    assert f'href="/cases/{case.id}#materials"' in again.text
    assert f'action="/cases/{case.id}/query-code"' in again.text  # a new code for the applicant, if need be


def test_a_case_number_typed_full_width_is_kept_as_the_progress_lookup_reads_it(api: ApiClient,
                                                                                window: Browser) -> None:
    answer = receive(window, business_key="ＳＸ－２０２６－０００１", applicant_name="张三")
    assert answer.status_code == 200
    assert [c.business_key for c in cases(api)] == ["SX-2026-0001"]


def test_a_number_the_item_already_has_shows_that_case_and_what_this_form_says_otherwise(
        api: ApiClient, window: Browser) -> None:
    first = api.start("window_acceptance", business_key="SX-2026-0007", variables={"applicant_name": "张三"})
    answer = receive(window, business_key="SX-2026-0007", applicant_name="李四", applicant_phone="13900000000")
    assert answer.status_code == 200 and len(cases(api)) == 1
    shown = text(answer.text)
    assert "编号 SX-2026-0007 的办件已于" in shown and "未采用" in shown
    differing = re.search(r'<div class="problems intake-differing".*?</div>', answer.text, re.DOTALL).group(0)
    assert "申请人" in text(differing) and "联系电话" in text(differing)
    assert f'href="/cases/{first["id"]}#materials"' in answer.text


@pytest.mark.parametrize(("typed", "stored"), [
    ("11010119900307002x", "11010119900307002X"),  # a resident ID, its check character typed in lower case
    ("91350100M000100Y43", "91350100M000100Y43"),  # a unified social credit code
    ("E12345678", "E12345678"),  # a passport
])
def test_the_id_number_is_kept_in_capitals_when_it_checks_out(api: ApiClient, window: Browser, typed: str,
                                                            stored: str) -> None:
    assert receive(window, applicant_name="张三", applicant_id_number=typed).status_code == 200
    [case] = cases(api)
    variables = api.as_("supervisor").get(f"/api/process-instances/{case.id}").get_json()["variables"]
    assert variables["applicant_id_number"] == stored


@pytest.mark.parametrize(("typed", "said"), [
    ("110101199003071235", "证件号码有误：18 位的居民身份证号码或统一社会信用代码，出生日期和末位校验码须正确。"),
    ("abc 12", "请填写居民身份证号码、统一社会信用代码，或护照等其他证件的号码（字母和数字）。"),
])
def test_an_id_number_that_does_not_check_out_is_refused_beside_its_field(api: ApiClient, window: Browser,
                                                                         typed: str, said: str) -> None:
    answer = receive(window, applicant_name="张三", applicant_id_number=typed)
    assert answer.status_code == 422 and cases(api) == []
    assert f'id="intake-applicant_id_number-error">{said}<' in answer.text


def test_a_number_another_item_s_case_has_is_refused_and_nothing_starts(api: ApiClient, window: Browser) -> None:
    deploy_item(api, "ZJJ-XK-0012")
    api.start("construction_work_permit", business_key="QA-ZJJ-2", variables={"applicant_name": "某置业有限公司"})
    answer = receive(window, business_key="QA-ZJJ-2", applicant_name="张三")
    assert answer.status_code == 422 and [c.definition_key for c in cases(api)] == ["construction_work_permit"]
    assert 'id="intake-business_key-error">办件编号 QA-ZJJ-2 已被其他事项的办件使用，请另填一个编号或留空自动生成。<' \
        in html.unescape(answer.text)


def test_what_is_wrong_is_said_beside_its_field_and_what_was_typed_is_kept(api: ApiClient, window: Browser) -> None:
    answer = receive(window, business_key="SX-2026-0009", applicant_name="", applicant_phone="12345")
    assert answer.status_code == 422 and cases(api) == []
    page = answer.text
    assert re.search(r'id="intake-applicant_name-error">请填写申请人。<', page)
    assert re.search(r'id="intake-applicant_phone-error">请填写手机号（11 位）或带区号的固定电话。<', page)
    assert 'value="SX-2026-0009"' in page and 'value="12345"' in page  # kept as typed
    assert generated(page)  # the same form, sent again once corrected, is still one application
    english = window.client.post(f"/work/intake/{WINDOW}", data={
        "csrf_token": window.csrf("/work/intake"), "applicant_name": ""}, headers={"Accept-Language": "en"})
    assert "Please fill in: Applicant." in english.text


def test_a_case_number_the_engine_refuses_is_said_beside_the_number(api: ApiClient, window: Browser) -> None:
    answer = receive(window, business_key="SX\u202e2026", applicant_name="张三")
    assert answer.status_code == 422 and cases(api) == []
    assert re.search(r'id="intake-business_key-error">办件编号须为 1 至 50 个字符，不含控制字符。<', answer.text)
    assert 'value="张三"' in answer.text


def test_a_number_taken_by_a_case_the_clerk_may_not_read_is_refused_without_showing_it(
        api: ApiClient, window: Browser) -> None:
    api.start("window_acceptance", business_key="SX-2026-0100", variables={"applicant_name": "王五"})
    answer = receive(Browser(api, "office_clerk"), business_key="SX-2026-0100", applicant_name="张三")
    assert answer.status_code == 409 and len(cases(api)) == 1
    assert "办件编号 SX-2026-0100 已被其他办件使用" in text(answer.text) and "王五" not in answer.text


# An item whose first step needs data no intake field gives (the way a joint review meeting once read its
# member units before its first task).
NEEDS_MEMBERS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_members_item" targetNamespace="http://govflow.example/bpmn">
  <bpmn:process id="members_item" name="成员单位事项" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check" />
    <bpmn:scriptTask id="check" name="核对成员单位" scriptFormat="python">
      <bpmn:script>if not isinstance(members, list) or len(members) == 0:
    raise ValueError('需要至少一个成员单位（members）')</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="convene" />
    <bpmn:userTask id="convene" name="组织会议" camunda:candidateGroups="window" />
    <bpmn:sequenceFlow id="f3" sourceRef="convene" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_process_failing_at_its_start_says_so_on_the_form_and_registers_nothing(api: ApiClient) -> None:
    content = {**guide(WINDOW), "code": "MEMBERS-0001", "name": "成员单位事项", "process": "members_item",
               "project": True}
    files = [(io.BytesIO(NEEDS_MEMBERS.encode()), "members_item.bpmn"),
             (io.BytesIO(json.dumps(content, ensure_ascii=False).encode()), "MEMBERS-0001/guide.json")]
    analyst = api.as_("analyst")
    deployed = analyst.client.post("/api/deployments", data={"files": files}, headers=analyst.headers(),
                                   content_type="multipart/form-data")
    assert deployed.status_code == 201, deployed.get_json()
    answer = receive(Browser(api, "window_clerk"), "MEMBERS-0001", applicant_name="市城投公司",
                     project_name="市民中心二期")
    assert answer.status_code == 422 and cases(api) == []
    failed = text(re.search(r'<div class="problems" role="alert" id="intake-failed">.*?</div>', answer.text,
                            re.DOTALL).group(0))
    assert "事项流程启动失败，未收件。操作未生效：流程在" in failed and "办件保持原状" in failed
    assert "核对成员单位" in failed and "members" in failed and "请联系流程分析员修正流程" in failed
    assert 'value="市民中心二期"' in answer.text and 'value="市城投公司"' in answer.text


def test_the_intake_form_needs_the_page_s_csrf_token(api: ApiClient, window: Browser) -> None:
    refused = window.client.post(f"/work/intake/{WINDOW}", data={"applicant_name": "张三"})
    assert refused.status_code == 400 and cases(api) == []


# ---- a one-thing bundle: its merged application form ----------------------------------------------

@pytest.fixture
def bundle(api: ApiClient) -> Browser:
    deploy_item(api, BUNDLE)
    return Browser(api, "window_clerk")


def test_a_bundle_is_received_through_its_merged_form_and_its_errors_come_back_to_their_fields(
        api: ApiClient, bundle: Browser) -> None:
    form = bundle.get(f"/work/intake/{BUNDLE}").text
    schema = json.loads(html.unescape(re.search(r'id="form-schema">(.*?)</script>', form, re.DOTALL).group(1)))
    merged = api.as_("integrator").get("/api/process-definitions/restaurant_opening/start-form").get_json()
    assert schema == merged["schema"] and 'name="applicant_phone"' not in form  # the merged form asks instead
    assert "build/form.js" in form

    incomplete = {**APPLICATION, "applicant_phone": "12345"}
    del incomplete["business_name"]
    refused = bundle.post(f"/work/intake/{BUNDLE}", {"generated": generated(form), "data": json.dumps(incomplete)})
    assert refused.status_code == 422 and cases(api) == []
    placed = json.loads(html.unescape(re.search(r'id="form-errors">(.*?)</script>', refused.text, re.DOTALL).group(1)))
    by_field = {e["field"]: e["message"] for e in placed}
    assert by_field["business_name"] == "必填项"  # in the page's language, from the rule's code
    assert by_field["applicant_phone"].startswith("须为手机号码")
    kept = json.loads(html.unescape(re.search(r'id="form-data">(.*?)</script>', refused.text, re.DOTALL).group(1)))
    assert kept == incomplete  # form-js draws it again as typed

    started = bundle.post(f"/work/intake/{BUNDLE}", {"generated": generated(form), "data": json.dumps(APPLICATION)})
    assert started.status_code == 200 and "收件回执" in started.text
    [case] = cases(api)
    assert case.definition_key == "restaurant_opening" and case.business_key == generated(form)
    assert "5 个工作日（自受理之日起计算）" in text(started.text) and "李四" in started.text

    # Every step of the bundle reads the merged application under the form's labels, options by their labels.
    [task] = api.as_("supervisor").get(f"/api/process-instances/{case.id}").get_json()["tasks"]
    page = bundle.get(f"/tasks/{task['id']}").text
    shown = text(re.search(r'<dl class="facts application" id="application">.*?</dl>', page, re.DOTALL).group(0))
    assert "拟定名称（字号） 李记面馆" in shown and "招牌面积（平方米） 3.5" in shown
    assert "经营项目 热食类食品制售" in shown and "李四" in shown


# ---- materials on the case page ---------------------------------------------------------------------

@pytest.fixture
def received(api: ApiClient) -> int:
    deploy_item(api, WINDOW)
    return int(api.start("window_acceptance", business_key="SX-2026-0200",
                         variables={"applicant_name": "张三"})["id"])


def materials_panel(page: str) -> str:
    found = re.search(r'<section class="panel materials-panel".*?</section>', page, re.DOTALL)
    assert found, "the case page shows no materials checklist"
    return found.group(0)


def row(page: str, number: int | str) -> str:
    found = re.search(rf'<tr class="checklist-row[^"]*" data-row="{number}".*?</tr>', materials_panel(page), re.DOTALL)
    assert found, f"no checklist row {number}"
    return found.group(0)


def upload(clerk: Browser, case_id: int, number: int | str, content: bytes, filename: str, name: str) -> Any:
    return clerk.client.post(f"/cases/{case_id}/materials?row={number}", data={
        "csrf_token": clerk.csrf(f"/cases/{case_id}"), "name": name, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data")


def stored(api: ApiClient, case_id: int) -> list[tuple[str, str]]:
    with api.runtime.uow() as uow:
        return [(m.name, m.filename) for m in uow.session.scalars(
            select(Material).where(Material.instance_id == case_id).order_by(Material.id))]


def test_the_case_page_lists_the_checklist_with_what_is_missing_and_uploads_per_entry(
        api: ApiClient, received: int) -> None:
    clerk = Browser(api, "window_clerk")
    page = clerk.get(f"/cases/{received}").text
    names = [m["name"] for m in guide(WINDOW)["materials"]]
    assert "尚缺 3 项（关键材料 2 项）" in text(materials_panel(page))
    assert all("缺" in text(row(page, n)) for n in (1, 2, 3))
    assert 'accept=".pdf,.jpg,.jpeg,.png,.ofd,.docx,.xlsx,.zip"' in row(page, 1)
    assert f'data-max-bytes="{LIMIT}"' in row(page, 1)

    answer = upload(clerk, received, 2, PDF, "身份证.pdf", names[1])
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/cases/{received}?uploaded=1#materials")
    assert stored(api, received) == [(names[1], "身份证.pdf")]
    page = clerk.client.get(answer.headers["Location"]).text
    assert "身份证.pdf" in row(page, 2) and "刚上传" in row(page, 2) and "缺" not in text(row(page, 2))
    assert "尚缺 2 项（关键材料 1 项）" in text(materials_panel(page))
    assert "已上传：申请人身份证明（身份证.pdf）" in text(page)
    for odd in ("²", "9" * 5000, "x"):  # an address edited by hand marks nothing, and fails nothing
        assert clerk.client.get(f"/cases/{received}", query_string={"uploaded": odd}).status_code == 200
    with api.runtime.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(HistoryEvent).where(
            HistoryEvent.instance_id == received, HistoryEvent.event == "material.uploaded")) == 1


@pytest.mark.parametrize(("filename", "content", "status", "message"), [
    ("申请书.exe", b"MZ\x90\x00", 415, "不接受此类文件。可上传：.pdf、.jpg、.jpeg、.png、.ofd、.docx、.xlsx、.zip。"),
    ("申请书.pdf", b"just some text", 415, "文件内容与扩展名不符，请上传原始文件。"),
    ("申请书.pdf", b"%PDF-" + b"0" * LIMIT, 413, "文件过大：单个文件不能超过 64 KB。"),  # the engine's count
    ("申请书.pdf", b"%PDF-" + b"0" * (4 * LIMIT), 413, "文件过大：单个文件不能超过 64 KB。"),  # refused unread
    ("申请书.pdf", b"", 400, "请选择要上传的文件（不能为空文件）。"),
])
def test_a_refused_upload_is_said_beside_its_entry_and_nothing_is_kept(
        api: ApiClient, received: int, filename: str, content: bytes, status: int, message: str) -> None:
    clerk = Browser(api, "window_clerk")
    answer = upload(clerk, received, 1, content, filename, "行政许可申请书")
    assert answer.status_code == status and stored(api, received) == []
    refused = row(answer.text, 1)
    assert "refused" in refused.split(">")[0] and re.search(rf'<p class="upload-error" role="alert">{message}</p>', refused)
    assert 'class="upload-error" role="alert" hidden' in row(answer.text, 2)  # the other rows say nothing
    assert "尚缺 3 项" in text(materials_panel(answer.text))


def test_an_ended_case_takes_no_more_materials_and_its_page_offers_no_upload(api: ApiClient, received: int) -> None:
    clerk = Browser(api, "window_clerk")
    form_token = clerk.csrf(f"/cases/{received}")
    api.as_("supervisor").post(f"/api/process-instances/{received}/terminate", json={"reason": "申请人撤回"})
    answer = clerk.client.post(f"/cases/{received}/materials?row=1", data={
        "csrf_token": form_token, "name": "行政许可申请书", "file": (io.BytesIO(PDF), "申请书.pdf")},
        content_type="multipart/form-data")
    assert answer.status_code == 409 and stored(api, received) == []
    assert "办件已结束，不能再提交材料。" in text(answer.text)
    assert "material-upload" not in clerk.get(f"/cases/{received}").text


def test_a_case_without_a_guide_takes_materials_under_a_name_typed_and_keeps_it_when_refused(api: ApiClient) -> None:
    api.deploy("simple_approval.bpmn")
    case_id = api.start("simple_approval", variables={"reviewGroup": "office"})["id"]
    integrator = Browser(api, "integrator")
    page = integrator.get(f"/cases/{case_id}").text
    assert 'data-row="other"' in materials_panel(page) and 'name="name" maxlength="200"' in row(page, "other")
    refused = upload(integrator, case_id, "other", b"plain text", "说明.txt", "情况说明")
    assert refused.status_code == 415 and 'value="情况说明"' in row(refused.text, "other")
    assert upload(integrator, case_id, "other", PDF, "说明.pdf", "情况说明").status_code == 303
    assert stored(api, case_id) == [("情况说明", "说明.pdf")]
    assert "说明.pdf" in materials_panel(integrator.get(f"/cases/{case_id}").text)


def test_uploads_are_offered_to_whom_the_engine_lets_upload(api: ApiClient, received: int) -> None:
    page = Browser(api, "supervisor").get(f"/cases/{received}").text
    assert "materials-panel" in page and "material-upload" in page  # supervisors may (engine.materials)
    assert Browser(api, "office_clerk").get(f"/cases/{received}").status_code == 404  # not a clerk of the case


def test_an_upload_needs_the_page_s_csrf_token(api: ApiClient, received: int) -> None:
    clerk = Browser(api, "window_clerk")
    refused = clerk.client.post(f"/cases/{received}/materials?row=1", data={
        "name": "行政许可申请书", "file": (io.BytesIO(PDF), "申请书.pdf")}, content_type="multipart/form-data")
    assert refused.status_code == 400 and "表单已过期" in refused.text and stored(api, received) == []


def test_a_body_too_large_from_someone_who_may_not_read_the_case_gets_the_plain_error_page(
        api: ApiClient, received: int) -> None:
    outsider = Browser(api, "office_clerk")
    answer = outsider.client.post(f"/cases/{received}/materials?row=1", data={
        "name": "行政许可申请书", "file": (io.BytesIO(b"%PDF-" + b"0" * (4 * LIMIT)), "申请书.pdf")},
        content_type="multipart/form-data")
    assert answer.status_code == 413 and "上传的文件过大。" in answer.text and "张三" not in answer.text
    anonymous = api.client.application.test_client().post(f"/cases/{received}/materials?row=1", data={
        "file": (io.BytesIO(b"%PDF-" + b"0" * (4 * LIMIT)), "申请书.pdf")}, content_type="multipart/form-data")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")
