"""食品经营许可 (bpmn/SCJG-XK-0001) as the window receives it and the applicant gets it: the start form
(食品经营许可申请书) asks the business, which every later step reads; 制证 issues the 食品经营许可证 with its
number, and the public progress shows the result. Also what the library's QA found besides: decision
documents name 行政许可法 once, the intake note explains only the choices its checklist offers, and each
item's diagram is named as its guide names the item."""
from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path
from typing import Any

import pypdf
import pytest

from engine import document_templates
from tests.api.test_pages import Browser as PublicBrowser
from tests.api.test_pages_intake import Browser, cases, generated, text
from tests.api.test_pages_public import lookup, text_of
from tests.helpers import ApiClient, complete_open_task
from tests.service_items import (
    FOOD_APPLICATION,
    LIBRARY,
    case,
    deploy_item,
    documents,
    guide,
    supply_materials,
)

CODE, KEY = "SCJG-XK-0001", "food_business_licence"
NUMBER = "JY11403020000015"  # JY + 14 digits, as certificate.form checks it
LAW = "《中华人民共和国行政许可法》"


def first(pattern: str, page: str) -> str:
    """The first group of ``pattern`` (the whole match without one) in ``page``, which must have it."""
    found = re.search(pattern, page, re.DOTALL)
    assert found, f"not on the page: {pattern}"
    return found.group(1) if found.groups() else found.group(0)


def application_panel(page: str) -> str:
    return text(first(r'<dl class="facts application" id="application">.*?</dl>', page))


def started(api: ApiClient, business_key: str) -> dict[str, Any]:
    """A food licence case started with its application and accepted at the window."""
    begun = api.start(KEY, business_key=business_key, variables=FOOD_APPLICATION)
    supply_materials(api, begun["id"], CODE)
    complete_open_task(api, begun["id"], "acceptance_check", user="window_clerk", reader="admin",
                       acceptance_decision="accept")
    return dict(begun)


def decided(api: ApiClient, business_key: str, decision: str) -> dict[str, Any]:
    begun = started(api, business_key)
    complete_open_task(api, begun["id"], "review", reader="admin", review_opinion="经现场核查，符合条件",
                       conditions_met=decision == "grant")
    complete_open_task(api, begun["id"], "decide", reader="admin", decision=decision,
                       decision_opinion="符合法定条件" if decision == "grant" else "经营场所与污染源距离不符合规定")
    return begun


@pytest.fixture
def deployed(api: ApiClient) -> ApiClient:
    deploy_item(api, CODE)
    return api


# ---- the application -------------------------------------------------------------------------------

def test_the_intake_asks_the_business_and_the_review_steps_show_it(deployed: ApiClient) -> None:
    window = Browser(deployed, "window_clerk")
    form = window.get(f"/work/intake/{CODE}").text
    schema = json.loads(html.unescape(first(r'id="form-schema">(.*?)</script>', form)))
    asked = {c["key"] for c in schema["components"] if "key" in c}
    assert asked == set(FOOD_APPLICATION)  # the applicant and the business: 经营场所, 主体业态, 经营项目 ...
    [categories] = [c for c in schema["components"] if c.get("key") == "food_categories"]
    assert categories["type"] == "checklist" and categories["validate"]["required"] is True  # several at once
    assert 'name="applicant_phone"' not in form  # the form asks it, not a field beside it

    incomplete = {k: v for k, v in FOOD_APPLICATION.items() if k != "business_address"}
    refused = window.post(f"/work/intake/{CODE}", {"generated": generated(form), "data": json.dumps(incomplete)})
    assert refused.status_code == 422 and cases(deployed) == []

    receipt = window.post(f"/work/intake/{CODE}", {"generated": generated(form), "data": json.dumps(FOOD_APPLICATION)})
    assert receipt.status_code == 200 and "收件回执" in receipt.text
    [row] = cases(deployed)
    held = case(deployed, row.id)["variables"]
    assert {k: held[k] for k in FOOD_APPLICATION} == FOOD_APPLICATION

    supply_materials(deployed, row.id, CODE)
    complete_open_task(deployed, row.id, "acceptance_check", user="window_clerk", reader="admin",
                       acceptance_decision="accept")
    for step in ("review", "decide"):
        [task] = [t for t in case(deployed, row.id)["tasks"] if t["bpmn_id"] == step]
        shown = application_panel(Browser(deployed, "admin").get(f"/tasks/{task['id']}").text)
        for fact in ("经营者名称 某某餐饮管理有限公司", "统一社会信用代码 91140302MA0K3L7Q8C", "法定代表人（负责人） 王某",
                     "经营场所 阳泉市城区桃北西街18号", "主体业态 餐饮服务经营者", "经营项目 热食类食品制售、自制饮品制售",
                     "食品安全管理人员 李某"):
            assert fact in shown, (step, fact, shown)
        if step == "review":
            complete_open_task(deployed, row.id, "review", reader="admin", review_opinion="符合条件")


# ---- the licence and the result --------------------------------------------------------------------

def test_certification_issues_the_licence_with_its_number_and_the_progress_shows_the_result(
        app: Any, deployed: ApiClient) -> None:
    begun = decided(deployed, "SCJG-2026-0301", "grant")
    shown = deployed.client.get("/api/public/progress/SCJG-2026-0301", query_string={"code": begun["query_code"]})
    assert shown.get_json()["result"] is None  # decided, but no licence yet

    refused = complete_open_task(deployed, begun["id"], "certify", user="certificate_clerk", reader="admin",
                                 certificate_no="SC11403020000015", expect=422)
    assert [d["field"] for d in refused["error"]["details"]] == ["variables.certificate_no"]
    done = complete_open_task(deployed, begun["id"], "certify", user="certificate_clerk", reader="admin",
                              certificate_no=NUMBER)
    assert done is not None
    licence = documents(deployed, begun["id"])["food_licence_certificate"]
    plain = text(licence)
    assert "<title>食品经营许可证</title>" in licence and f"许可证编号 {NUMBER}" in plain
    for fact in ("经营者名称 某某餐饮管理有限公司", "统一社会信用代码 91140302MA0K3L7Q8C", "经营场所 阳泉市城区桃北西街18号",
                 "主体业态 餐饮服务经营者", "经营项目 热食类食品制售、自制饮品制售", "日常监督管理机构 市市场监督管理局"):
        assert fact in plain, fact
    assert re.search(r"有效期 (\d{4})年\d+月\d+日至(\d{4})年\d+月\d+日", plain)

    integrator = deployed.as_("integrator")
    [listed] = [d for d in integrator.get(f"/api/process-instances/{begun['id']}/documents").get_json()
                if d["name"] == "food_licence_certificate"]
    assert listed["element_id"] == "certify"
    pdf = integrator.get(f"/api/process-instances/{begun['id']}/documents/{listed['id']}?format=pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    assert NUMBER in "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.data)).pages)

    result = f"准予许可，已颁发食品经营许可证，许可证编号：{NUMBER}"
    api_result = deployed.client.get("/api/public/progress/SCJG-2026-0301", query_string={"code": begun["query_code"]})
    assert api_result.get_json()["result"] == result
    page = lookup(PublicBrowser(app.test_client()), "SCJG-2026-0301", begun["query_code"]).text
    assert "<h2>办理结果</h2>" in page and text_of(page, "public-result") == result


def test_a_denial_issues_no_licence_and_the_progress_says_it_was_refused(app: Any, deployed: ApiClient) -> None:
    begun = decided(deployed, "SCJG-2026-0302", "deny")
    issued = documents(deployed, begun["id"])
    assert "food_licence_certificate" not in issued and "denial_decision" in issued
    page = lookup(PublicBrowser(app.test_client()), "SCJG-2026-0302", begun["query_code"]).text
    assert text_of(page, "public-result") == "不予许可，理由见不予行政许可决定书"


# ---- decision documents: 行政许可法 named once --------------------------------------------------------

def grounds(document: str) -> list[str]:
    """Each "根据……的规定" of a document's text."""
    return re.findall(r"根据[^。]*?的规定", text(document))


def test_the_decisions_of_a_case_name_the_licensing_law_once(deployed: ApiClient) -> None:
    granted = decided(deployed, "SCJG-2026-0303", "grant")
    denied = decided(deployed, "SCJG-2026-0304", "deny")
    grant = documents(deployed, granted["id"])["grant_decision"]
    denial = documents(deployed, denied["id"])["denial_decision"]
    for document, article in ((grant, "第三十八条第一款"), (denial, "第三十八条第二款")):
        [cited] = grounds(document)
        assert cited.count(LAW) == 1, cited
        assert f"{LAW}第三十二条、第四十二条、{article}" in cited
        assert "《中华人民共和国食品安全法》第三十五条" in cited  # the guide's other bases stay


# 准予 / 不予行政许可决定书: the shared ones and those of items deciding on other fields (行政许可法 art 38).
DECISIONS = sorted(path for kind in ("grant", "denial") for path in LIBRARY.glob(f"**/documents/*{kind}_decision.html"))


@pytest.mark.parametrize("template", DECISIONS, ids=[p.name for p in DECISIONS])
def test_no_decision_template_names_the_licensing_law_twice_for_any_guide(template: Path) -> None:
    layout = (LIBRARY / "documents" / "layout.html").read_text(encoding="utf-8")
    source = template.read_text(encoding="utf-8")
    bases = {path.parent.name: guide(path.parent.name)["legal_basis"] for path in LIBRARY.glob("*/guide.json")}
    assert any(any(b.startswith(LAW) for b in basis) for basis in bases.values())  # some guide cites it
    for code, basis in bases.items():
        context = document_templates.sample_context()
        context["item"] = {**context["item"], "legal_basis": basis}
        rendered = document_templates.render(template.name, source, context,
                                             lambda name: layout if name == "layout.html" else None)
        cited = [g for g in grounds(rendered) if "第三十八条" in g]
        assert cited, (template.name, code)
        assert all(g.count(LAW) == 1 for g in cited), (template.name, code, cited)


# ---- the intake note -------------------------------------------------------------------------------

NOT_APPLICABLE = "视情形提交的材料本次不适用的，选择“不适用”。"
SHARED = "可数据共享获取的材料，窗口获取后选择“已通过数据共享获取”。"


@pytest.mark.parametrize(("code", "explained"), [
    ("SCJG-YJS-0001", ()),  # the bundle's checklist offers neither
    (CODE, (NOT_APPLICABLE,)),  # conditional materials only
    ("ZJJ-XK-0012", (NOT_APPLICABLE, SHARED)),  # both
])
def test_the_intake_note_explains_only_the_choices_its_checklist_offers(api: ApiClient, code: str,
                                                                        explained: tuple[str, ...]) -> None:
    deploy_item(api, code)
    materials = guide(code)["materials"]
    assert any(m.get("conditional") for m in materials) == (NOT_APPLICABLE in explained)
    assert any(m.get("shared") for m in materials) == (SHARED in explained)
    page = Browser(api, "window_clerk").get(f"/work/intake/{code}").text
    note = text(first(r'<p class="hint" id="marking-note">(.*?)</p>', page))
    assert note == "申请人带来纸质材料的，核验原件后选择“纸质原件已核验”。" + "".join(explained) + "回执列明每项材料的收件情况。"
    assert ('value="not_applicable"' in page) == (NOT_APPLICABLE in explained)
    assert ('value="shared"' in page) == (SHARED in explained)


# ---- names -----------------------------------------------------------------------------------------

GUIDES = sorted(LIBRARY.glob("*/guide.json"))


@pytest.mark.parametrize("path", GUIDES, ids=[p.parent.name for p in GUIDES])
def test_every_item_s_diagram_is_named_as_its_guide_names_the_item(path: Path) -> None:
    """The queue and the case page read the diagram's name, the catalogue the guide's: one item, one name."""
    item = json.loads(path.read_text(encoding="utf-8"))
    names = {found.group(1): found.group(2) for diagram in path.parent.glob("*.bpmn")
             for found in re.finditer(r'<bpmn:process id="([^"]+)" name="([^"]*)"', diagram.read_text("utf-8"))}
    assert names.get(item["process"]) == item["name"], (path.parent.name, names)


def test_a_deployed_item_s_process_is_named_as_the_catalogue_names_it(api: ApiClient) -> None:
    for code in ("ZWFW-LH-0001", "ZJJ-XK-0012"):
        deploy_item(api, code)
        item = api.client.get(f"/api/catalogue/{code}").get_json()
        [definition] = [d for d in api.as_("analyst").get("/api/process-definitions").get_json()
                        if d["key"] == item["process"]]
        assert definition["name"] == item["name"] == guide(code)["name"]
