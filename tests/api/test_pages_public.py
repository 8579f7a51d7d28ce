"""The public pages through Flask's test client: the catalogue and its guides, the progress lookup by
case number and query code (CSRF, one neutral answer, rate limits), and the documents of the case page
for staff with rights. tests/e2e/test_pages_applicant.py drives the same pages in Chromium."""
from __future__ import annotations

import io
import json
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from api import create_app
from engine.models import Rating
from tests import applicants
from tests.api.test_pages import Browser, person
from tests.applicants import window_case_done
from tests.heads import head_of
from tests.helpers import ROOT, ApiClient, complete_open_task, guide_samples, seed_national_calendar
from tests.service_items import food_application, supply_materials

BPMN = ROOT / "bpmn"
FOOD, WINDOW, COMPLAINT = BPMN / "SCJG-XK-0001", BPMN / "window-acceptance", BPMN / "complaint"
FORMS = sorted((ROOT / "forms").glob("*.form"))
TEMPLATES = sorted((BPMN / "documents").glob("*.html"))


def library_files(*, window_guide: Path = WINDOW / "guide.json") -> list[tuple[str, bytes]]:
    """Three items of three departments and two types, their forms, and the document templates, named as
    ``govflow deploy bpmn/ forms/`` names them."""
    files = [(p.name, p.read_bytes()) for p in (FOOD / "food_business_licence.bpmn", WINDOW / "window_acceptance.bpmn",
                                                COMPLAINT / "complaint.bpmn", *FORMS)]
    files += [(f"{folder.name}/guide.json", (folder / "guide.json").read_bytes()) for folder in (FOOD, COMPLAINT)]
    files += [("window-acceptance/guide.json", window_guide.read_bytes())]
    files += guide_samples((FOOD / "guide.json").read_bytes()) + guide_samples(window_guide.read_bytes())
    return files + [(f"documents/{t.name}", t.read_bytes()) for t in TEMPLATES]


def deploy_library(api: ApiClient, **kwargs: Any) -> None:
    seed_national_calendar(api.runtime)  # the food licence's guide names the national calendar
    analyst = api.as_("analyst")
    response = analyst.client.post("/api/deployments", headers=analyst.headers(), content_type="multipart/form-data",
                                   data={"files": [(io.BytesIO(c), n) for n, c in library_files(**kwargs)]})
    assert response.status_code == 201, response.get_json()


def accepted_food_case(api: ApiClient, number: str) -> dict[str, Any]:
    """A food licence case accepted at the window (its 受理通知书 issued); the start answer, with its code."""
    started = api.start("food_business_licence", business_key=number,
                        variables=food_application(applicant_name="某某餐饮有限公司"))
    supply_materials(api, started["id"], "SCJG-XK-0001")
    complete_open_task(api, started["id"], "acceptance_check", user="window_clerk", reader="admin",
                       acceptance_decision="accept")
    return started


def text_of(html: str, css_class: str) -> str:
    found = re.search(rf'class="[^"]*\b{css_class}\b[^"]*"[^>]*>(.*?)</', html, re.DOTALL)
    assert found, f"no element of class {css_class}"
    return found.group(1).strip()


@pytest.fixture
def visitor(app: Any) -> Browser:
    return Browser(app.test_client())


def send(visitor: Browser, url: str, form: dict[str, Any], *, token_from: str, secrets: tuple[str, ...] = ()) -> Any:
    """A form sent as a browser sends it: a 303 is followed to its page, whose address holds none of the
    secrets typed (browser history, proxies' logs, referrers); a refused form answers directly."""
    sent = visitor.post(url, form, token_from=token_from)
    if sent.status_code != 303:
        return sent
    target = sent.headers["Location"]
    assert target.startswith("/public/") and not any(s and s.upper() in target.upper() for s in secrets), target
    return visitor.get(target.split("#")[0])


def lookup(visitor: Browser, case_no: str, code: str) -> Any:
    return send(visitor, "/public/progress", {"case_no": case_no, "code": code}, token_from="/public/progress",
                secrets=(case_no, code))


# ---- catalogue and guides ---------------------------------------------------------------------------

def test_the_catalogue_needs_no_login_and_lists_every_item(api: ApiClient, visitor: Browser) -> None:
    deploy_library(api)
    page = visitor.get("/public/catalogue")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    rows = re.findall(r'<tr class="catalogue-row" data-code="([^"]+)"', page.text)
    assert rows == ["SCJG-XK-0001", "complaint", "window-acceptance"]
    assert "食品经营许可" in page.text and "市市场监督管理局" in page.text and "公共服务" in page.text
    assert 'href="/public/catalogue/SCJG-XK-0001"' in page.text
    assert "工作人员登录" in page.text  # the public header, not the staff navigation
    login = visitor.get("/login").text
    assert 'href="/public/catalogue"' in login and 'href="/public/progress"' in login


def test_the_catalogue_searches_by_name_or_code_and_filters_by_department_and_type(api: ApiClient,
                                                                                     visitor: Browser) -> None:
    deploy_library(api)

    def codes(**query: str) -> list[str]:
        page = visitor.get("/public/catalogue", query_string=query)
        assert page.status_code == 200
        return re.findall(r'<tr class="catalogue-row" data-code="([^"]+)"', page.text)

    assert codes(q="食品") == ["SCJG-XK-0001"]
    assert codes(q="scjg-xk") == ["SCJG-XK-0001"]  # the code, in any case
    assert codes(department="ZWFW") == ["complaint", "window-acceptance"]
    assert codes(type="20") == ["complaint"]
    assert codes(department="ZWFW", type="01") == ["window-acceptance"]
    assert codes(q="不存在的事项") == []
    assert codes(type="99") == ["SCJG-XK-0001", "complaint", "window-acceptance"]  # not a GB/T type: no filter
    page = visitor.get("/public/catalogue", query_string={"department": "SCJG"}).text
    assert '<option value="SCJG" selected>市市场监督管理局</option>' in page
    assert page.count('<option value="ZWFW"') == 1  # two guides of one department: one option
    assert "没有符合条件的事项" in visitor.get("/public/catalogue", query_string={"q": "无此事项"}).text


def test_a_guide_page_shows_what_the_guide_publishes(api: ApiClient, visitor: Browser) -> None:
    deploy_library(api)
    guide = json.loads((FOOD / "guide.json").read_text(encoding="utf-8"))
    page = visitor.get("/public/catalogue/SCJG-XK-0001")
    assert page.status_code == 200
    html = page.text
    assert 'id="item-code">SCJG-XK-0001<' in html
    limits = (f"{guide['promised_days']} 个工作日", f"{guide['statutory_days']} 个工作日")
    for shown in ("食品经营许可", "许可", "承诺件", "市级", "市市场监督管理局", *limits,
                  *guide["legal_basis"], *guide["acceptance_conditions"], "免费", "窗口领取", "电子送达", "邮寄送达",
                  "现场核查", "最长 10 个工作日", guide["channels"]["consultation"], guide["channels"]["complaint"]):
        assert shown in html, shown
    table = html.split('class="grid materials-table stacked"')[1].split("</table>")[0]
    assert table.count("<tr>") == 1 + len(guide["materials"])  # the header and one row per material
    for material in guide["materials"]:
        assert material["name"] in table
    assert "原件和复印件" in table and "须提交纸质件" in table and "可提交电子件" in table
    assert table.count("badge-yellow") == sum(1 for m in guide["materials"] if m["key"])
    assert "自助终端领取" not in html  # only the delivery methods the guide names
    assert "remind_days" not in html and "rectify_days" not in html  # internal rules are not published
    assert text_of(html, "location") == guide["location"] and text_of(html, "office-hours") == guide["office_hours"]
    assert text_of(html, "max-visits") == "最多 1 次"
    # 办理流程: the steps of the item's current diagram, in the order a case meets them (engine.guide_steps).
    steps = html.split('class="plain-list process-steps">')[1].split("</ol>")[0]
    assert re.findall(r"<strong>(.*?)</strong>", steps) == ["受理审查", "审查（业务科室）", "审批决定", "制证",
                                                          "统一出件（结果送达）"]


def test_a_guide_with_fees_lists_them_and_an_unknown_item_is_not_found(api: ApiClient, visitor: Browser,
                                                                       tmp_path: Path) -> None:
    edited = tmp_path / "guide.json"
    guide = json.loads((WINDOW / "guide.json").read_text(encoding="utf-8"))
    edited.write_text(json.dumps({**guide, "fees": [{"name": "证照工本费", "amount": 10, "basis": "某价费字〔2026〕1号"}]},
                                 ensure_ascii=False), encoding="utf-8")
    deploy_library(api, window_guide=edited)
    html = visitor.get("/public/catalogue/window-acceptance").text
    fees = html.split('class="grid fees stacked"')[1].split("</table>")[0]
    assert "证照工本费" in fees and "10.00" in fees and "某价费字〔2026〕1号" in fees
    assert "见收费标准" in html

    missing = visitor.get("/public/catalogue/NO-SUCH-ITEM")
    assert missing.status_code == 404 and "未找到该事项" in missing.text and "工作人员登录" in missing.text


def test_public_pages_are_shown_in_english_too(api: ApiClient, visitor: Browser) -> None:
    deploy_library(api)
    english = {"Accept-Language": "en-US,en;q=0.9"}
    assert "Catalogue of service items" in visitor.get("/public/catalogue", headers=english).text
    guide = visitor.get("/public/catalogue/SCJG-XK-0001", headers=english).text
    assert "Free of charge" in guide and "Licensing" in guide and "On-site inspection" in guide
    assert "Query code" in visitor.get("/public/progress", headers=english).text


# ---- progress lookup ----------------------------------------------------------------------------------

def test_a_case_decided_but_not_delivered_says_its_result_is_on_its_way(api: ApiClient, visitor: Browser) -> None:
    """The clock stops at the decision (办结); the case runs on until its result is delivered: the applicant
    reads how early it was decided and that the result is still on its way, not a finished case."""
    deploy_library(api)
    started = accepted_food_case(api, "SCJG-2026-0105")
    complete_open_task(api, started["id"], "review", reader="admin", review_opinion="符合条件")
    complete_open_task(api, started["id"], "decide", reader="admin", decision="grant", decision_opinion="准予许可")
    html = lookup(visitor, "SCJG-2026-0105", started["query_code"]).text
    assert "办理中" in html and "<dt>办结时效</dt>" in html
    assert re.search(r"提前 \d+ 个工作日办结", text_of(html, "remaining-days"))
    assert text_of(html, "decided-hint") == "（已作出决定，结果送达中）"
    # By when the result is to reach the applicant: 10 working days after the decision (Art 44).
    clock = api.get(f"/api/process-instances/{started['id']}/clock").get_json()
    assert f"<dt>送达期限</dt><dd>{clock['delivery_due_date']}</dd>" in html


def test_the_lookup_shows_state_steps_time_limit_and_the_documents_to_download(api: ApiClient,
                                                                               visitor: Browser) -> None:
    deploy_library(api)
    started = accepted_food_case(api, "SCJG-2026-0101")
    form = visitor.get("/public/progress")
    assert form.status_code == 200 and 'name="csrf_token"' in form.text

    typed = started["query_code"][:4].lower() + "-" + started["query_code"][4:].lower()  # as people type it
    page = lookup(visitor, "SCJG-2026-0101", typed)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.text
    assert "食品经营许可" in html and "办理中" in html and "已受理" in html
    steps = re.findall(r'<tr class="step-row"><td class="nowrap">([^<]+)</td><td>([^<]*)</td>', html)
    assert [name for _, name in steps][:1] == ["已接件"] and any(name == "受理审查" for _, name in steps)
    assert all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d$", at) for at, _ in steps)
    # A step done says so (a state reached names the state)
    done = re.search(r'<tr class="step-row"><td class="nowrap">[^<]+</td><td>受理审查</td><td>(.*?)</td>', html)
    assert done and "已完成" in done.group(1)
    visitor.get("/lang/en?next=/public/progress")
    english = visitor.get("/public/progress").text
    steps = re.findall(r'<tr class="step-row"><td class="nowrap">[^<]+</td><td>([^<]*)</td><td>(.*?)</td>', english)
    assert steps[0][0] == "Received" and "Received" in steps[0][1]  # the state's name, as its badge says it
    visitor.get("/lang/zh?next=/public/progress")
    assert "10 个工作日" in html and text_of(html, "used-days") == "0" and text_of(html, "remaining-days") == "10"
    assert "某某餐饮有限公司" not in html and "window_clerk" not in html  # nothing internal

    extended = head_of(api, started["id"]).post(f"/api/process-instances/{started['id']}/clock/extend",
                                          json={"days": 5, "reason": "需征求相关部门意见"})
    assert extended.status_code == 200, extended.get_json()
    html = lookup(visitor, "SCJG-2026-0101", started["query_code"]).text
    assert "延长 5 个工作日" in html and "需征求相关部门意见" in html and text_of(html, "remaining-days") == "15"

    # The acceptance notice, then the extension's notice (行政许可法 art 42): oldest first.
    pdf_link, _ = re.findall(r'class="document-pdf" href="([^"]+)"', html)
    html_link, _ = re.findall(r'class="document-html" href="([^"]+)"', html)
    assert "受理通知书" in html and "延长期限告知书" in html
    pdf = visitor.get(pdf_link.replace("&amp;", "&"))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    notice = visitor.get(html_link.replace("&amp;", "&"))
    assert notice.status_code == 200 and "SCJG-2026-0101" in notice.get_data(as_text=True)
    # The notice sends the applicant to this lookup, which takes the code too; the notice does not carry it.
    assert "可凭办件编号和查询码查询" in notice.get_data(as_text=True)
    assert started["query_code"] not in notice.get_data(as_text=True)


def test_a_wrong_code_and_an_unknown_case_get_the_same_neutral_message(api: ApiClient, visitor: Browser) -> None:
    deploy_library(api)
    started = accepted_food_case(api, "SCJG-2026-0102")
    wrong_code = "ABCDEFGH" if started["query_code"] != "ABCDEFGH" else "HGFEDCBA"
    answers = [lookup(visitor, "SCJG-2026-0102", wrong_code), lookup(visitor, "SCJG-2026-9999", started["query_code"]),
               lookup(visitor, "X" * 80, started["query_code"]), lookup(visitor, "SCJG-2026-0102", "A" * 40)]
    assert {a.status_code for a in answers} == {404}
    assert {text_of(a.text, "lookup-error") for a in answers} == {"未找到该办件，请核对办件编号和查询码。"}
    for answer in answers:
        assert "progress-result" not in answer.text and "食品经营许可" not in answer.text
    empty = lookup(visitor, "SCJG-2026-0102", " ")
    assert empty.status_code == 400 and text_of(empty.text, "lookup-error") == "请输入办件编号和查询码。"


def test_an_ended_case_is_rated_under_its_progress_and_the_rectification_is_fed_back(api: ApiClient,
                                                                                     visitor: Browser) -> None:
    seed_national_calendar(api.runtime)
    api.deploy(applicants.WINDOW, applicants.RECTIFICATION, *applicants.RECTIFICATION_FORMS)
    running = api.start("window_acceptance", business_key="SX-2026-0110")
    running_page = lookup(visitor, "SX-2026-0110", running["query_code"]).text
    assert 'id="rating-form"' not in running_page and 'href="/public/complaints?case_no=SX-2026-0110"' in running_page
    case = window_case_done(api, "SX-2026-0111")
    page = lookup(visitor, "SX-2026-0111", case["query_code"]).text
    assert 'id="rating-form"' in page and "非常不满意" in page and "服务评价" in page
    # decided on the day it was received: how early, not the days "left" on a stopped clock
    assert "剩余工作日" not in page and "<dt>办结时效</dt>" in page
    assert re.fullmatch(r"提前 \d+ 个工作日办结", text_of(page, "remaining-days"))
    assert case["query_code"] not in page.upper() and 'name="code"' not in page.split('id="rating-form"')[1]

    def rate(**form: Any) -> Any:  # the form names the case; the session's lookup opens it
        return send(visitor, "/public/progress/rating", {"case_no": "SX-2026-0111", **form},
                    token_from="/public/progress", secrets=("SX-2026-0111", case["query_code"]))
    unnamed = rate(level="4", comment=" ")
    assert unnamed.status_code == 422 and case["query_code"] not in unnamed.text.upper()
    assert text_of(unnamed.text, "rating-error") == "选择“不满意”或“非常不满意”时，请写明原因，以便整改。"
    assert text_of(rate(comment="很好").text, "rating-error") == "请选择满意程度。"
    other = rate(level="4", comment="等候太久", case_no="SX-2026-0110")  # not the case this browser looked up last
    assert other.status_code == 404 and text_of(other.text, "lookup-error") == "查询已过期，请重新输入办件编号和查询码。"
    assert 'value="SX-2026-0110"' in other.text

    switch = re.search(r'class="lang" href="([^"]+)"', unnamed.text).group(1).replace("&amp;", "&")
    assert "next=/public/progress" in switch and visitor.get(switch).status_code == 302  # not the POST-only URL
    visitor.get("/lang/zh?next=/public/progress")  # back to Chinese
    rated = rate(level="4", comment="窗口等候一个小时")
    assert rated.status_code == 200 and text_of(rated.text, "rating-thanks") == "感谢您的评价。"
    assert 'id="rating-form"' not in rated.text and text_of(rated.text, "rating-level") == "不满意"
    assert text_of(rated.text, "rating-comment") == "窗口等候一个小时" and "整改中" in rated.text
    reloaded = visitor.get("/public/progress")  # a reload of the rating's page: the rating, thanked once
    assert text_of(reloaded.text, "rating-level") == "不满意" and "rating-thanks" not in reloaded.text
    again = rate(level="1", comment="")
    assert again.status_code == 422 and text_of(again.text, "rating-error") == "该办件已评价，每次服务只能评价一次"
    with api.runtime.uow() as uow:
        [row] = uow.session.scalars(select(Rating)).all()
    assert (row.level, row.comment) == (4, "窗口等候一个小时")


def test_a_complaint_is_filed_on_its_page_and_its_answer_read_under_its_progress(api: ApiClient,
                                                                                 visitor: Browser) -> None:
    deploy_library(api)
    form = visitor.get("/public/complaints?item=SCJG-XK-0001&case_no=SCJG-2026-0120")
    assert form.status_code == 200
    assert 'value="SCJG-2026-0120"' in form.text and '<option value="SCJG-XK-0001" selected>' in form.text
    assert '<option value="complaint"' not in form.text  # not an item to complain about on this form
    assert 'href="/public/complaints?item=SCJG-XK-0001"' in visitor.get("/public/catalogue/SCJG-XK-0001").text

    def complain(**fields: str) -> Any:
        body = {"name": "李四", "phone": "139 1234 5678", "content": "窗口要求提交指南以外的材料",
                "case_no": "", "item_code": "SCJG-XK-0001", **fields}
        return send(visitor, "/public/complaints", body, token_from="/public/complaints")
    refused = complain(phone="12345", content=" ")
    assert refused.status_code == 422
    errors = dict(re.findall(r'class="field-error" data-field="(\w+)">([^<]+)<', refused.text))
    assert errors == {"phone": "请填写手机号（11 位）或带区号的固定电话。", "content": "请填写投诉内容（至多 2000 字）。"}
    assert 'value="李四"' in refused.text  # nothing typed is lost
    stale = visitor.client.post("/public/complaints", data={"name": "李四", "phone": "13912345678", "content": "x"})
    assert stale.status_code == 400 and "表单已过期" in stale.text and 'value="李四"' in stale.text

    filed = complain()
    assert filed.status_code == 200 and "投诉已提交，我们将在 10 个工作日内办结并答复您。" in filed.text
    number, code = text_of(filed.text, "complaint-no"), re.search(r'class="mono query-code"><strong>(\w+)<',
                                                                  filed.text).group(1)
    assert number.startswith("TS") and len(code) == 8
    page = lookup(visitor, number, code).text
    assert "政务服务投诉" in page and "办理结果" not in page and "李四" not in page
    assert "complain-link" not in page  # no complaint about the complaint itself

    case_id = api.as_("supervisor").get("/api/process-instances", query_string={"business_key": number}
                                        ).get_json()["items"][0]["id"]
    desk = applicants.add_clerk(api, "desk_clerk", "complaints")
    complete_open_task(desk, case_id, "register", reader="admin", handling_group="review", register_note="转科室")
    complete_open_task(applicants.add_clerk(api, "reviewer", "review"), case_id, "handle", reader="admin",
                       handling_result="属实，已整改")
    complete_open_task(desk, case_id, "answer", reader="admin", answer="经核查，您反映的问题属实，已责令整改。",
                       answer_channel="phone")
    answered = lookup(visitor, number, code).text
    assert text_of(answered, "public-result") == "经核查，您反映的问题属实，已责令整改。"


def test_a_special_procedure_under_way_says_how_long_the_guide_lets_it_last(api: ApiClient,
                                                                          visitor: Browser) -> None:
    """行政许可法 Art 45: the applicant is told how long an excluded period takes (the guide's max_days)."""
    deploy_library(api)
    started = accepted_food_case(api, "SCJG-2026-0130")
    clock = f"/api/process-instances/{started['id']}/clock"
    paused = api.as_("supervisor").post(f"{clock}/pause", json={"kind": "inspection", "reason": "核实经营场所"})
    assert paused.status_code == 200, paused.get_json()
    body = api.client.get("/api/public/progress/SCJG-2026-0130", query_string={"code": started["query_code"]}).get_json()
    assert [(p["name"], p["ended_on"], p["max_days"]) for p in body["special_procedures"]] == [("现场核查", None, 10)]
    assert text_of(lookup(visitor, "SCJG-2026-0130", started["query_code"]).text, "max-days") == "最长 10 个工作日"
    assert api.as_("supervisor").post(f"{clock}/resume", json={}).status_code == 200
    assert "max-days" not in lookup(visitor, "SCJG-2026-0130", started["query_code"]).text  # ended: its days count


def test_a_complaint_form_sent_twice_files_one_complaint_and_renews_its_code(api: ApiClient,
                                                                            visitor: Browser) -> None:
    """A double click or a reload sends the form again: one complaint, shown again with a new code (the first
    answer, with the first code, was never seen)."""
    deploy_library(api)
    submission = re.search(r'name="submission" value="([^"]+)"', visitor.get("/public/complaints").text).group(1)
    body = {"name": "李四", "phone": "13912345678", "content": "窗口推诿", "case_no": "", "item_code": "",
            "submission": submission}
    refused = visitor.post("/public/complaints", {**body, "phone": "1"}, token_from="/public/complaints")
    assert refused.status_code == 422 and f'name="submission" value="{submission}"' in refused.text  # corrected next

    def receipt(response: Any) -> tuple[str, str]:
        assert response.status_code == 200, response.text
        code = re.search(r'class="mono query-code"><strong>(\w+)<', response.text)
        return text_of(response.text, "complaint-no"), code.group(1) if code else ""
    first = send(visitor, "/public/complaints", body, token_from="/public/complaints")
    second = send(visitor, "/public/complaints", body, token_from="/public/complaints")
    (number, first_code), (again, second_code) = receipt(first), receipt(second)
    assert again == number and second_code != first_code and "complaint-again" in second.text
    assert "complaint-again" not in first.text
    cases = api.as_("supervisor").get("/api/process-instances", query_string={"process_key": "complaint"})
    assert cases.get_json()["total"] == 1
    assert lookup(visitor, number, first_code).status_code == 404
    assert lookup(visitor, number, second_code).status_code == 200


def kept_in_session(app: Any, visitor: Browser) -> str:
    """The page session as the server reads it (a signed cookie: anyone holding it can read it too)."""
    cookie = visitor.client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return json.dumps(app.session_interface.get_signing_serializer(app).loads(cookie.value), ensure_ascii=False)


# Eight characters of the codes' alphabet, as typed too (lower case, ABCD-EFGH), standing alone.
CODE_SHAPED = re.compile(r"(?<![\w-])[A-HJ-NP-Z2-9]{4}-?[A-HJ-NP-Z2-9]{4}(?![\w-])", re.IGNORECASE)


def no_code_in(kept: str, code: str) -> bool:
    """Neither the code (in any case, with or without a hyphen) nor anything shaped like a code."""
    return code.upper() not in kept.replace("-", "").upper() and CODE_SHAPED.findall(kept) == []


def test_the_lookup_answers_with_a_redirect_to_its_page_which_a_reload_shows_again(app: Any, api: ApiClient,
                                                                                   visitor: Browser,
                                                                                   monkeypatch: Any) -> None:
    """POST -> 303 -> GET: back and reload never send the form again. The page after the redirect shows the
    case from the session for a while; neither the address nor the session cookie holds the code in clear."""
    from api.pages import public

    deploy_library(api)
    started = accepted_food_case(api, "SCJG-2026-0140")
    code = started["query_code"]
    sent = visitor.post("/public/progress", {"case_no": "SCJG-2026-0140", "code": code.lower()},
                        token_from="/public/progress")
    assert sent.status_code == 303 and sent.headers["Location"] == "/public/progress"
    for _reload in range(2):
        page = visitor.get("/public/progress")
        assert page.status_code == 200 and "progress-result" in page.text and "食品经营许可" in page.text
        assert page.headers["Cache-Control"] == "no-store"
    assert code not in page.text.upper() and "code=" not in page.text  # the documents download without it
    assert no_code_in(kept_in_session(app, visitor), code) and "SCJG-2026-0140" in kept_in_session(app, visitor)
    assert "progress-result" not in Browser(app.test_client()).get("/public/progress").text  # another browser
    other = visitor.get("/public/progress?case_no=SCJG-2026-9999")  # asked for another case: the form
    assert "progress-result" not in other.text and 'value="SCJG-2026-9999"' in other.text

    later = time.time() + public.KEPT_SECONDS + 1
    monkeypatch.setattr(public.time, "time", lambda: later)
    gone = visitor.get("/public/progress")
    assert gone.status_code == 200 and "progress-result" not in gone.text
    monkeypatch.undo()
    assert "progress-result" not in visitor.get("/public/progress").text  # forgotten, not only hidden

    assert "progress-result" in lookup(visitor, "SCJG-2026-0140", code).text
    wrong = "ABCDEFGH" if code != "ABCDEFGH" else "HGFEDCBA"
    assert lookup(visitor, "SCJG-2026-0140", wrong).status_code == 404
    assert "progress-result" not in visitor.get("/public/progress").text  # a failed lookup forgets the last one

    assert "progress-result" in lookup(visitor, "SCJG-2026-0140", code).text
    renewed = api.as_("window_clerk").post(f"/api/process-instances/{started['id']}/query-code")
    assert renewed.status_code == 201
    after = visitor.get("/public/progress")  # the code kept no longer opens the case
    assert after.status_code == 200 and "progress-result" not in after.text


def test_documents_download_from_the_page_with_no_code_in_any_address(app: Any, api: ApiClient, visitor: Browser,
                                                                      monkeypatch: Any) -> None:
    """The page's links name the document only: the session's lookup opens it, so that neither the page,
    the browser's history nor its download list holds the code."""
    from api.pages import public

    deploy_library(api)
    started = accepted_food_case(api, "SCJG-2026-0160")
    code = started["query_code"]
    html = lookup(visitor, "SCJG-2026-0160", code.lower()).text
    assert code not in html.upper() and code.lower() not in html and "code=" not in html
    assert re.findall(r'<input[^>]*name="code"[^>]*>', html) == [  # the lookup form's empty field, nothing else
        '<input id="code" name="code" maxlength="32" required autocomplete="off" spellcheck="false" class="mono">']
    # The lookup's and the end-lookup's tokens; still running: no rating form.
    assert re.findall(r'type="hidden" name="(\w+)"', html) == ["csrf_token", "csrf_token"]
    links = re.findall(r'class="document-(pdf|html)" href="([^"]+)"', html)
    [(_pdf, pdf_url), (_html, html_url)] = links
    [document] = api.as_("integrator").get(f"/api/process-instances/{started['id']}/documents").get_json()
    assert pdf_url == f"/public/progress/documents/{document['id']}?format=pdf"
    assert html_url == f"/public/progress/documents/{document['id']}?format=html"

    pdf = visitor.get(pdf_url)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    assert pdf.headers["X-Content-SHA256"] == document["pdf_sha256"] and pdf.headers["Cache-Control"] == "no-store"
    assert "attachment" in pdf.headers["Content-Disposition"] and "受理通知书.pdf" in unquote(
        pdf.headers["Content-Disposition"])
    assert f'filename="SCJG-2026-0160-document-{document["id"]}.pdf"' in pdf.headers["Content-Disposition"]  # ASCII, with the number
    rendered = visitor.get(html_url)
    assert rendered.status_code == 200 and rendered.mimetype == "text/html"
    assert "sandbox" in rendered.headers["Content-Security-Policy"]
    assert rendered.headers["X-Content-SHA256"] == document["html_sha256"]
    assert visitor.get(f"{pdf_url.split('?')[0]}?format=docx").status_code == 400
    missing = visitor.get("/public/progress/documents/999999?format=pdf")
    assert missing.status_code == 404 and "未找到该文书" in missing.text
    assert "progress-result" in visitor.get("/public/progress").text  # a wrong link forgets nothing
    renewed = api.as_("window_clerk").post(f"/api/process-instances/{started['id']}/query-code")
    assert renewed.status_code == 201  # the proof kept is of the old code: it opens nothing
    stale = visitor.get(pdf_url)
    assert stale.status_code == 404 and text_of(stale.text, "lookup-error") == "未找到该办件，请核对办件编号和查询码。"
    assert "progress-result" not in visitor.get("/public/progress").text  # and the case is forgotten
    assert lookup(visitor, "SCJG-2026-0160", renewed.get_json()["query_code"]).status_code == 200

    stranger = Browser(app.test_client()).get(pdf_url)  # the link alone opens nothing
    assert stranger.status_code == 404 and text_of(stranger.text, "lookup-error") == "查询已过期，请重新输入办件编号和查询码。"
    later = time.time() + public.KEPT_SECONDS + 1
    monkeypatch.setattr(public.time, "time", lambda: later)
    expired = visitor.get(pdf_url)
    assert expired.status_code == 404 and text_of(expired.text, "lookup-error") == "查询已过期，请重新输入办件编号和查询码。"
    assert not expired.data.startswith(b"%PDF")


def test_a_proof_made_stale_by_a_new_code_opens_nothing(app: Any, api: ApiClient, visitor: Browser) -> None:
    """The session keeps a proof of the code the case had at the lookup: once a window clerk hands out a new
    code, the page, its documents and its rating form show nothing (one message, as a wrong code)."""
    seed_national_calendar(api.runtime)
    api.deploy(applicants.WINDOW, applicants.RECTIFICATION, *applicants.RECTIFICATION_FORMS)
    case = window_case_done(api, "SX-2026-0170")
    page = lookup(visitor, "SX-2026-0170", case["query_code"]).text
    assert 'id="rating-form"' in page and case["query_code"] not in page.upper()
    rating_form = page.split('id="rating-form"')[1].split("</form>")[0]
    assert re.findall(r'type="hidden" name="(\w+)"', rating_form) == ["csrf_token", "case_no"]  # no code
    proof_before = json.loads(kept_in_session(app, visitor))["public_case"]["proof"]
    token = visitor.csrf("/public/progress")  # the page stays open while the code is renewed

    case_id = api.as_("supervisor").get("/api/process-instances", query_string={"business_key": "SX-2026-0170"}
                                        ).get_json()["items"][0]["id"]
    renewed = api.as_("admin").post(f"/api/process-instances/{case_id}/query-code")
    assert renewed.status_code == 201, renewed.get_json()
    rated = visitor.client.post("/public/progress/rating", data={"case_no": "SX-2026-0170", "level": "1",
                                                                 "csrf_token": token})
    assert rated.status_code == 404 and text_of(rated.text, "lookup-error") == "未找到该办件，请核对办件编号和查询码。"
    with api.runtime.uow() as uow:
        assert uow.session.scalars(select(Rating)).all() == []
    assert "progress-result" not in visitor.get("/public/progress").text  # forgotten

    relooked = lookup(visitor, "SX-2026-0170", renewed.get_json()["query_code"])
    assert "progress-result" in relooked.text
    proof_after = json.loads(kept_in_session(app, visitor))["public_case"]["proof"]
    assert proof_after != proof_before
    # A proof is no code: the public API, which asks for the code, does not take it.
    refused = api.client.get("/api/public/progress/SX-2026-0170", query_string={"code": proof_after})
    assert refused.status_code in (404, 422) and "error" in refused.get_json()


def test_a_rating_after_the_lookup_expired_asks_for_the_lookup_again(api: ApiClient, visitor: Browser,
                                                                     monkeypatch: Any) -> None:
    from api.pages import public

    seed_national_calendar(api.runtime)
    api.deploy(applicants.WINDOW, applicants.RECTIFICATION, *applicants.RECTIFICATION_FORMS)
    case = window_case_done(api, "SX-2026-0180")
    assert 'id="rating-form"' in lookup(visitor, "SX-2026-0180", case["query_code"]).text
    token = visitor.csrf("/public/progress")
    later = time.time() + public.KEPT_SECONDS + 1
    monkeypatch.setattr(public.time, "time", lambda: later)
    late = visitor.client.post("/public/progress/rating", data={"case_no": "SX-2026-0180", "level": "1",
                                                                "csrf_token": token})
    assert late.status_code == 404 and text_of(late.text, "lookup-error") == "查询已过期，请重新输入办件编号和查询码。"
    assert 'id="lookup-form"' in late.text and 'value="SX-2026-0180"' in late.text and "progress-result" not in late.text
    with api.runtime.uow() as uow:
        assert uow.session.scalars(select(Rating)).all() == []


def test_a_complaint_answers_with_a_redirect_to_its_receipt_which_shows_the_code_once(
        app: Any, api: ApiClient, visitor: Browser, monkeypatch: Any) -> None:
    """The receipt's page takes the new code out of the session: shown once, as the receipt says; a reload
    shows the complaint's number without it, and files nothing."""
    from api.pages import public

    deploy_library(api)
    submission = re.search(r'name="submission" value="([^"]+)"', visitor.get("/public/complaints").text).group(1)
    sent = visitor.post("/public/complaints", {"name": "李四", "phone": "13912345678", "content": "窗口推诿",
                                                "case_no": "", "item_code": "", "submission": submission},
                        token_from="/public/complaints")
    assert sent.status_code == 303 and sent.headers["Location"] == "/public/complaints/receipt"
    shown = visitor.get("/public/complaints/receipt")
    assert shown.status_code == 200 and "complaint-again" not in shown.text and "code-shown" not in shown.text
    number = text_of(shown.text, "complaint-no")
    code = re.search(r'class="mono query-code"><strong>(\w+)<', shown.text).group(1)
    assert no_code_in(kept_in_session(app, visitor), code) and number in kept_in_session(app, visitor)

    reloaded = visitor.get("/public/complaints/receipt")
    assert reloaded.status_code == 200 and text_of(reloaded.text, "complaint-no") == number
    assert 'class="mono query-code"' not in reloaded.text and code not in reloaded.text.upper()
    assert text_of(reloaded.text, "code-shown").startswith("查询码已在提交后显示过一次，不再显示。")
    assert f'href="/public/progress?case_no={number}"' in reloaded.text  # the lookup, the number filled in
    cases = api.as_("supervisor").get("/api/process-instances", query_string={"process_key": "complaint"})
    assert cases.get_json()["total"] == 1
    assert lookup(visitor, number, code).status_code == 200  # the code shown once is the one that works

    later = time.time() + public.KEPT_SECONDS + 1
    monkeypatch.setattr(public.time, "time", lambda: later)
    gone = visitor.get("/public/complaints/receipt")
    assert gone.status_code == 200 and "receipt-gone" in gone.text and number not in gone.text


def test_switching_language_on_the_receipt_shows_the_code_again_in_the_other_language(
        app: Any, api: ApiClient, visitor: Browser) -> None:
    """The receipt's language switch sends the code on the page back: the English receipt shows it once
    more; a code that is not this complaint's is not shown."""
    deploy_library(api)
    submission = re.search(r'name="submission" value="([^"]+)"', visitor.get("/public/complaints").text).group(1)
    visitor.post("/public/complaints", {"name": "李四", "phone": "13912345678", "content": "窗口推诿",
                                        "case_no": "", "item_code": "", "submission": submission},
                 token_from="/public/complaints")
    shown = visitor.get("/public/complaints/receipt").text
    code = re.search(r'class="mono query-code"><strong>(\w+)<', shown).group(1)
    assert 'name="lang" value="en"' in shown and f'name="code" value="{code}"' in shown
    switched = visitor.post("/public/complaints/receipt/language", {"code": code, "lang": "en"},
                            token_from="/public/complaints")
    assert switched.status_code == 303 and switched.headers["Location"] == "/public/complaints/receipt"
    english = visitor.get("/public/complaints/receipt").text
    assert "Query code" in english and re.search(r'class="mono query-code"><strong>(\w+)<', english).group(1) == code
    assert no_code_in(kept_in_session(app, visitor), code)  # taken out of the session again once shown

    wrong = "ABCDEFGH" if code != "ABCDEFGH" else "HGFEDCBA"
    visitor.post("/public/complaints/receipt/language", {"code": wrong, "lang": "zh"},
                 token_from="/public/complaints")
    chinese = visitor.get("/public/complaints/receipt").text
    assert "code-shown" in chinese and wrong not in chinese and code not in chinese.upper()


def test_ending_the_lookup_forgets_the_case_at_once(app: Any, api: ApiClient, visitor: Browser) -> None:
    """At a kiosk the applicant ends the lookup: the next person sees the empty form, not the case."""
    deploy_library(api)
    started = accepted_food_case(api, "SCJG-2026-0160")
    page = lookup(visitor, "SCJG-2026-0160", started["query_code"]).text
    assert "progress-result" in page and 'id="end-lookup"' in page
    ended = visitor.post("/public/progress/end", {}, token_from="/public/progress")
    assert ended.status_code == 303 and ended.headers["Location"] == "/public/progress"
    after = visitor.get("/public/progress").text
    assert "progress-result" not in after and "lookup-ended" in after and "SCJG-2026-0160" not in after
    assert "SCJG-2026-0160" not in kept_in_session(app, visitor)
    assert "lookup-ended" not in visitor.get("/public/progress").text  # said once
    assert visitor.get("/public/progress/documents/1").status_code == 404  # nothing opens the case any more


def test_a_withdrawn_or_terminated_case_shows_how_it_ended(api: ApiClient, visitor: Browser) -> None:
    deploy_library(api)
    withdrawn, terminated = accepted_food_case(api, "SCJG-2026-0150"), accepted_food_case(api, "SCJG-2026-0151")
    for case, reason in ((withdrawn, "申请人撤回申请"), (terminated, "经办人核查后内部决定终止")):
        ended = api.as_("supervisor").post(f"/api/process-instances/{case['id']}/terminate", json={"reason": reason})
        assert ended.status_code == 200, ended.get_json()
    page = lookup(visitor, "SCJG-2026-0150", withdrawn["query_code"]).text
    assert text_of(page, "end-reason") == "申请人撤回申请" and "end-hint" not in page and "撤件时间" in page
    assert "已停止计时" in page and "剩余工作日" not in page and "办结时效" not in page  # withdrawn, not decided
    page = lookup(visitor, "SCJG-2026-0151", terminated["query_code"]).text
    assert text_of(page, "end-reason") == "办理机关终止办理" and "end-hint" in page
    assert "内部决定" not in page and "经办人" not in page
    english = visitor.get("/public/progress", headers={"Accept-Language": "en"}).text
    assert text_of(english, "end-reason") == "Terminated by the office"


def test_the_lookup_needs_the_csrf_token(api: ApiClient, visitor: Browser) -> None:
    deploy_library(api)
    started = accepted_food_case(api, "SCJG-2026-0103")
    refused = visitor.client.post("/public/progress", data={"case_no": "SCJG-2026-0103", "code": started["query_code"]})
    assert refused.status_code == 400 and "食品经营许可" not in refused.text
    assert text_of(refused.text, "lookup-error") == "表单已过期，请刷新页面后重试。"
    again = re.search(r'name="csrf_token" value="([^"]+)"', refused.text)
    assert again, "the form comes back with a token"
    retried = visitor.client.post("/public/progress", data={"case_no": "SCJG-2026-0103", "code": started["query_code"],
                                                            "csrf_token": again.group(1)})
    assert retried.status_code == 303 and "食品经营许可" in visitor.get(retried.headers["Location"]).text


def test_the_lookup_and_the_public_pages_are_rate_limited_like_the_public_api(runtime: Any) -> None:
    app = create_app({"TESTING": True, "GOVFLOW_PUBLIC_RATE_LIMIT": "3 per minute",
                      "GOVFLOW_PUBLIC_WRITE_RATE_LIMIT": "1 per minute"}, runtime=runtime)
    visitor = Browser(app.test_client())
    token = visitor.csrf("/public/progress")
    answers = [visitor.client.post("/public/progress", data={"case_no": "SX-1", "code": "ABCDEFGH",
                                                              "csrf_token": token}) for _ in range(4)]
    assert [a.status_code for a in answers] == [404, 404, 404, 429]  # the read limit, not the write limit
    refused = answers[-1]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "查询过于频繁" in refused.text and refused.mimetype == "text/html"
    pages = [visitor.get("/public/catalogue").status_code for _ in range(4)]
    assert pages == [200, 200, 200, 429]


# ---- documents on the case page ---------------------------------------------------------------------------

def test_the_case_page_lists_the_documents_with_short_hashes_and_downloads_them(api: ApiClient, app: Any) -> None:
    deploy_library(api)
    started = accepted_food_case(api, "SCJG-2026-0104")
    [document] = api.as_("integrator").get(f"/api/process-instances/{started['id']}/documents").get_json()
    person(api.runtime, "zhao", roles=["supervisor"])
    staff = Browser(app.test_client())
    assert staff.log_in("zhao").status_code == 302

    page = staff.get(f"/cases/{started['id']}").text
    row = page.split(f'data-document="{document["id"]}"')[1].split("</tr>")[0]
    assert "<td>受理通知书</td>" in row and "<td class=\"document-step\">出具受理通知书</td>" in row  # title and step
    assert f"PDF {document['pdf_sha256'][:12]}…" in row and f"HTML {document['html_sha256'][:12]}…" in row
    assert f'title="PDF {document["pdf_sha256"]}"' in row

    base = f"/cases/{started['id']}/documents/{document['id']}"
    pdf = staff.get(f"{base}?format=pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.headers["ETag"] == f'"{document["pdf_sha256"]}"'
    assert "attachment" in pdf.headers["Content-Disposition"]
    # Saved under the case number and the title, so a folder of downloads tells the cases apart.
    assert "SCJG-2026-0104-受理通知书.pdf" in unquote(pdf.headers["Content-Disposition"])
    printed = staff.get(row.split('class="document-print" href="')[1].split('"')[0].replace("&amp;", "&"))
    assert printed.status_code == 200 and printed.data == pdf.data  # the browser's PDF viewer prints it
    assert printed.headers["Content-Disposition"].startswith("inline;")
    assert 'target="_blank"' in row.split('class="document-print"')[1].split(">")[0]
    api_pdf = api.as_("integrator").get(f"/api/process-instances/{started['id']}/documents/{document['id']}")
    assert "SCJG-2026-0104-受理通知书.pdf" in unquote(api_pdf.headers["Content-Disposition"])
    html = staff.get(f"{base}?format=html")
    assert html.status_code == 200 and "sandbox" in html.headers["Content-Security-Policy"]
    assert staff.get(f"{base}?format=docx").status_code == 400
    assert staff.get(f"/cases/{started['id']}/documents/999999").status_code == 404


def test_documents_on_the_case_page_need_the_rights_to_the_case_materials(api: ApiClient, app: Any) -> None:
    deploy_library(api)
    started = accepted_food_case(api, "SCJG-2026-0105")
    [document] = api.as_("integrator").get(f"/api/process-instances/{started['id']}/documents").get_json()
    person(api.runtime, "sun", roles=["clerk"], groups=["office"])  # never had a task in it
    clerk = Browser(app.test_client())
    assert clerk.log_in("sun").status_code == 302
    assert clerk.get(f"/cases/{started['id']}").status_code == 404
    assert clerk.get(f"/cases/{started['id']}/documents/{document['id']}").status_code == 404
    anonymous = Browser(app.test_client()).get(f"/cases/{started['id']}/documents/{document['id']}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


# ---- what the applicant is told -------------------------------------------------------------------------

def wide(text: str) -> str:
    """As a Chinese input method types it: full-width letters, digits and hyphens."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_the_complaint_form_says_that_a_case_number_given_identifies_the_applicant(api: ApiClient,
                                                                                   visitor: Browser) -> None:
    """The department complained about never gets the complainant's name and phone, but it reads the case
    number given (the progress page's link fills it in), and so who applied: the form says so beside it."""
    deploy_library(api)
    form = visitor.get("/public/complaints?case_no=SCJG-2026-0121").text
    field = form.split('id="complaint-case_no"')[1].split("<label")[0]
    assert 'value="SCJG-2026-0121"' in field
    assert "被投诉部门会看到这里填写的办件编号，可据此查看该办件，知道申请人是谁。" in field
    assert "不会告知被投诉部门" in form and "仅投诉受理人员可见" not in form
    english = visitor.get("/public/complaints?case_no=SCJG-2026-0121", headers={"Accept-Language": "en"}).text
    hint = english.split('id="complaint-case_no"')[1].split("<label")[0]
    assert "sees the case number given here" in hint and "who applied" in hint


def test_a_guide_without_a_number_of_visits_shows_none_and_a_material_s_note_shows_as_a_note(
        api: ApiClient, visitor: Browser, tmp_path: Path) -> None:
    guide = json.loads((WINDOW / "guide.json").read_text(encoding="utf-8"))
    assert "max_visits" not in guide
    guide["materials"][1]["note"] = "通过数据共享获取的不再提交"
    edited = tmp_path / "guide.json"
    edited.write_text(json.dumps(guide, ensure_ascii=False), encoding="utf-8")
    deploy_library(api, window_guide=edited)
    html = visitor.get("/public/catalogue/window-acceptance").text
    assert "max-visits" not in html and "到现场次数" not in html and "最多  次" not in html
    assert text_of(html, "material-note") == "说明：通过数据共享获取的不再提交"
    assert "样表：通过数据共享" not in html
    # Every guide of the library keeps samples for sample texts and remarks as notes.
    for guide_file in sorted(BPMN.glob("*/guide.json")):
        materials = json.loads(guide_file.read_text(encoding="utf-8"))["materials"]
        assert all("示范文本" in m["sample"]["title"] or "示例" in m["sample"]["title"] for m in materials
                   if "sample" in m), guide_file
    permit = json.loads((BPMN / "ZJJ-XK-0012" / "guide.json").read_text(encoding="utf-8"))
    assert "通过数据共享获取的不再提交" in [m.get("note") for m in permit["materials"]]


def test_a_grant_decision_prints_the_decision_opinion_under_the_label_the_form_explains(api: ApiClient,
                                                                                        visitor: Browser) -> None:
    """The chief's 决定意见 is printed in the decision the applicant downloads, and the form says so."""
    decide = json.loads((ROOT / "forms" / "window-decide.form").read_text(encoding="utf-8"))
    [opinion] = [c for c in decide["components"] if c.get("key") == "decision_opinion"]
    assert "决定书" in opinion["description"] and "审批意见" in opinion["description"]
    deploy_library(api)
    started = api.start("window_acceptance", business_key="SX-2026-0190")
    supply_materials(api, started["id"], "window-acceptance")
    window, admin = api.as_("window_clerk"), api.as_("admin")
    complete_open_task(window, started["id"], "accept", reader="admin", decision="accept", materials_complete=True)
    complete_open_task(admin, started["id"], "review", reader="admin", review_opinion="材料齐全")
    complete_open_task(admin, started["id"], "decide", reader="admin", approved=True,
                       decision_opinion="同意核发，有效期五年")
    page = lookup(visitor, "SX-2026-0190", started["query_code"]).text
    [link] = [url for name, url in re.findall(
        r'<strong>([^<]+)</strong>.*?class="document-html" href="([^"]+)"', page, re.DOTALL) if name == "准予行政许可决定书"]
    decision = visitor.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert "审批意见：同意核发，有效期五年" in decision and "审查意见" not in decision


def test_a_rectification_terminated_by_a_supervisor_is_shown_as_terminated_not_done(api: ApiClient,
                                                                                    visitor: Browser) -> None:
    seed_national_calendar(api.runtime)
    api.deploy(applicants.WINDOW, applicants.RECTIFICATION, *applicants.RECTIFICATION_FORMS)
    case = window_case_done(api, "SX-2026-0191")
    rated = api.client.post("/api/public/ratings", json={"case_no": "SX-2026-0191", "code": case["query_code"],
                                                         "level": 5, "comment": "窗口推诿"})
    assert rated.status_code == 201, rated.get_json()
    with api.runtime.uow() as uow:
        [rating] = uow.session.scalars(select(Rating)).all()
        rectification = rating.rectification_instance_id
    ended = api.as_("supervisor").post(f"/api/process-instances/{rectification}/terminate",
                                       json={"reason": "重复评价，不再整改"})
    assert ended.status_code == 200, ended.get_json()
    page = lookup(visitor, "SX-2026-0191", case["query_code"]).text
    shown = page.split('class="rectification"')[1].split("</p>")[0]
    assert "<strong>已终止</strong>" in shown and "已办结" not in shown and "重复评价" not in page
    english = visitor.get("/public/progress", headers={"Accept-Language": "en"}).text
    assert "<strong>Terminated</strong>" in english.split('class="rectification"')[1].split("</p>")[0]


def test_the_page_says_what_the_case_waits_for_from_the_applicant_and_how_it_was_delivered(
        api: ApiClient, visitor: Browser) -> None:
    from engine.clock import LOCAL_TZ
    from engine.models import Job

    deploy_library(api)
    waiting = api.start("window_acceptance", business_key="SX-2026-0192")
    complete_open_task(api.as_("window_clerk"), waiting["id"], "accept", reader="admin", decision="supplement",
                       missing_materials="申请人身份证明：复印件不清晰，请提交清晰的复印件")
    with api.runtime.uow() as uow:
        [due] = uow.session.scalars(select(Job.due_at).where(Job.instance_id == waiting["id"],
                                                             Job.state == "pending")).all()
    page = lookup(visitor, "SX-2026-0192", waiting["query_code"]).text
    assert text_of(page, "awaiting-what") == "待申请人补正材料"
    assert text_of(page, "awaiting-due") == f"请于 {due.astimezone(LOCAL_TZ).date().isoformat()} 前补正"
    assert "待补正材料" in page and "补正(开始)" not in page  # the applicant's words, not the exchange code
    english = visitor.get("/public/progress", headers={"Accept-Language": "en"}).text
    assert text_of(english, "awaiting-what") == "Awaiting your supplementary materials"

    delivered = api.start("window_acceptance", business_key="SX-2026-0193")
    supply_materials(api, delivered["id"], "window-acceptance")
    window, admin = api.as_("window_clerk"), api.as_("admin")
    complete_open_task(window, delivered["id"], "accept", reader="admin", decision="accept", materials_complete=True)
    complete_open_task(admin, delivered["id"], "review", reader="admin", review_opinion="材料齐全")
    complete_open_task(admin, delivered["id"], "decide", reader="admin", approved=True, decision_opinion="同意")
    complete_open_task(admin, delivered["id"], "certify", reader="admin", certificate_no="SX-XK-2026-000193")
    assert "delivery-method" not in lookup(visitor, "SX-2026-0193", delivered["query_code"]).text
    complete_open_task(window, delivered["id"], "deliver", reader="admin", delivery_method="mail",
                       tracking_no="EMS1234567890")
    page = visitor.get("/public/progress", headers={"Accept-Language": "zh-CN"}).text
    assert text_of(page, "delivery-method") == "邮寄送达" and text_of(page, "tracking-no") == "EMS1234567890"
    assert "awaiting-what" not in page


def test_a_case_number_and_code_typed_full_width_are_looked_up_and_rated(api: ApiClient, visitor: Browser) -> None:
    seed_national_calendar(api.runtime)
    api.deploy(applicants.WINDOW, applicants.RECTIFICATION, *applicants.RECTIFICATION_FORMS)
    case = window_case_done(api, "SX-QA-0001")
    page = lookup(visitor, wide("SX-QA-0001"), wide(case["query_code"]))
    assert page.status_code == 200 and 'id="rating-form"' in page.text, page.text
    rated = send(visitor, "/public/progress/rating", {"case_no": "SX-QA-0001", "level": "1", "comment": ""},
                 token_from="/public/progress")
    assert rated.status_code == 200 and text_of(rated.text, "rating-thanks") == "感谢您的评价。"
    with api.runtime.uow() as uow:
        assert [r.business_key for r in uow.session.scalars(select(Rating))] == ["SX-QA-0001"]


def test_a_case_number_with_quotes_keeps_them_out_of_the_plain_download_name(api: ApiClient, app: Any) -> None:
    """A case number may hold any printable character; the header's plain name takes letters, digits, '.',
    '_' and '-' alone (the UTF-8 name keeps the number as it is), and never the case's internal id."""
    deploy_library(api)
    started = accepted_food_case(api, 'SC"JG;2026\\7')
    [document] = api.as_("integrator").get(f"/api/process-instances/{started['id']}/documents").get_json()
    got = api.as_("integrator").get(f"/api/process-instances/{started['id']}/documents/{document['id']}")
    disposition = got.headers["Content-Disposition"]
    assert f'filename="SCJG20267-document-{document["id"]}.pdf"' in disposition
    assert 'SC"JG' not in disposition and ";2026" not in disposition.split("filename*")[0]
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == 'SC"JG;2026\\7-受理通知书.pdf'
