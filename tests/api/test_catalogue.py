"""Guides at deploy (checked, versioned, guides-only deployments), the public catalogue (no login, SX28),
lint findings as deploy warnings, and the guide's time limits on the case clock."""
from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

from tests.helpers import ROOT, complete_open_task, guide_samples, seed_national_calendar
from tests.service_items import food_application, supply_materials

FOOD = ROOT / "bpmn" / "SCJG-XK-0001"
WINDOW = ROOT / "bpmn" / "window-acceptance"
FORMS = sorted((ROOT / "forms").glob("*.form"))


def deploy(api: Any, *paths: Path, expect: int = 201) -> Any:
    """Deploy as ``govflow deploy`` names files: a guide as <item folder>/guide.json."""
    files: list[tuple[Any, str]] = [
        (path.open("rb"), f"{path.parent.name}/guide.json" if path.name == "guide.json" else path.name) for path in paths]
    files += [(io.BytesIO(content), name) for path in paths if path.name == "guide.json"  # with its samples
              for name, content in guide_samples(path.read_bytes(), path.parent)]
    analyst = api.as_("analyst")
    response = analyst.client.post("/api/deployments", data={"files": files}, headers=analyst.headers(),
                                   content_type="multipart/form-data")
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def library(api: Any) -> Any:
    return deploy(api, FOOD / "food_business_licence.bpmn", FOOD / "guide.json",
                      WINDOW / "window_acceptance.bpmn", WINDOW / "guide.json", *FORMS)


def edited_guide(tmp_path: Path, folder: Path, **changes: Any) -> Path:
    data = {**json.loads((folder / "guide.json").read_text(encoding="utf-8")), **changes}
    target = tmp_path / folder.name / "guide.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return target


def test_a_deployment_stores_each_guide_as_a_version(api):
    body = library(api)
    assert sorted((g["code"], g["version"], g["process"], g["new"]) for g in body["guides"]) == [
        ("SCJG-XK-0001", 1, "food_business_licence", True), ("window-acceptance", 1, "window_acceptance", True)]
    # The shipped items are lint-clean (document templates are deployed from their own folder).
    assert [w for w in body["warnings"] if "document template" not in w["message"]] == []
    again = library(api)
    assert {(g["code"], g["version"], g["new"]) for g in again["guides"]} == {
        ("SCJG-XK-0001", 1, False), ("window-acceptance", 1, False)}


def test_a_deployment_of_guides_alone_needs_their_process_deployed(api, tmp_path):
    refused = deploy(api, FOOD / "guide.json", expect=422)["error"]
    [problem] = refused["details"]
    assert problem["file"] == "SCJG-XK-0001/guide.json" and problem["element"] == "process"
    assert "'food_business_licence' is neither in this deployment nor deployed before" in problem["message"]
    assert problem["line"] == 7

    deploy(api, FOOD / "food_business_licence.bpmn", *FORMS)
    body = deploy(api, FOOD / "guide.json")
    assert body["definitions"] == [] and [(g["code"], g["version"]) for g in body["guides"]] == [("SCJG-XK-0001", 1)]
    changed = deploy(api, edited_guide(tmp_path, FOOD, promised_days=8))
    assert [(g["version"], g["new"]) for g in changed["guides"]] == [(2, True)]


def test_a_bad_guide_refuses_the_whole_deployment_with_file_path_and_line(api, tmp_path):
    def line_of(path: Path, text: str) -> int:
        return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)
    guide = edited_guide(tmp_path, FOOD, promised_days=30)
    [problem] = deploy(api, FOOD / "food_business_licence.bpmn", guide, expect=422)["error"]["details"]
    assert (problem["file"], problem["element"]) == ("SCJG-XK-0001/guide.json", "promised_days")
    assert problem["line"] == line_of(guide, '"promised_days": 30')
    assert api.get("/api/process-definitions").get_json() == []  # nothing stored
    guide = edited_guide(tmp_path, FOOD, calendar="XX")
    [problem] = [p for p in deploy(api, FOOD / "food_business_licence.bpmn", guide, expect=422)["error"]["details"]
                 if p["severity"] == "error"]
    assert problem["element"] == "calendar" and problem["line"] == line_of(guide, '"calendar": "XX"')
    wrong_folder = tmp_path / "SCJG-XK-0009" / "guide.json"
    wrong_folder.parent.mkdir()
    wrong_folder.write_bytes((FOOD / "guide.json").read_bytes())
    [problem] = [p for p in deploy(api, FOOD / "food_business_licence.bpmn", wrong_folder, expect=422)["error"]["details"]
                 if p["severity"] == "error"]
    assert problem["file"] == "SCJG-XK-0009/guide.json" and problem["element"] == "code"


def test_the_catalogue_lists_items_without_login(api):
    library(api)
    response = api.client.get("/api/catalogue")  # no Authorization header
    assert response.status_code == 200
    items = response.get_json()
    assert [i["code"] for i in items] == ["SCJG-XK-0001", "window-acceptance"]
    food = items[0]
    assert food == {"code": "SCJG-XK-0001", "name": "食品经营许可", "type": "01", "case_type": "2", "level": "city",
                    "department": {"code": "SCJG", "name": "市市场监督管理局"}, "promised_days": 10,
                    "statutory_days": 10, "process": "food_business_licence", "process_version": 1, "version": 1}


def test_the_catalogue_filters_by_text_department_and_type(api, tmp_path):
    library(api)
    deploy(api, edited_guide(tmp_path, WINDOW, type="20", name="一窗受理 公共服务事项"))

    def codes(query: str) -> list[str]:
        response = api.client.get(f"/api/catalogue?{query}")
        assert response.status_code == 200, response.get_json()
        return [i["code"] for i in response.get_json()]
    assert codes("q=食品") == ["SCJG-XK-0001"]
    assert codes("q=xk-0001") == ["SCJG-XK-0001"]  # code, any case
    assert codes("q=%25") == []  # a LIKE wildcard is matched literally
    assert codes("department=ZWFW") == ["window-acceptance"]
    assert codes("type=01") == ["SCJG-XK-0001"]  # the window item's latest version is a public service now
    assert codes("type=20&q=公共服务") == ["window-acceptance"]
    assert codes("department=SCJG&type=20") == []
    bad = api.client.get("/api/catalogue?type=99")
    assert bad.status_code == 422 and bad.get_json()["error"]["details"][0]["field"] == "type"


def test_an_item_shows_its_whole_guide_with_versions(api, tmp_path):
    library(api)
    deploy(api, edited_guide(tmp_path, FOOD, promised_days=8, online_url="https://zwfw.example.gov.cn/SCJG-XK-0001"))
    response = api.client.get("/api/catalogue/SCJG-XK-0001")
    assert response.status_code == 200
    guide = response.get_json()
    written = json.loads((FOOD / "guide.json").read_text(encoding="utf-8"))
    assert guide["version"] == 2 and guide["process_version"] == 1 and guide["promised_days"] == 8
    # Published as written, but a sample by its title, with where its file downloads (test_guide_samples.py).
    assert [{**m, "sample": m["sample"]["title"]} if "sample" in m else m for m in written["materials"]] == \
        [{k: v for k, v in m.items() if k not in ("sample_url", "sample_format")} for m in guide["materials"]]
    assert guide["excluded_periods"] == written["excluded_periods"]
    assert guide["channels"] == written["channels"] and guide["legal_basis"] == written["legal_basis"]
    assert guide["online_url"] == "https://zwfw.example.gov.cn/SCJG-XK-0001"  # an undocumented field passes
    # 办理流程, from the process's current version; the listing leaves it out.
    assert guide["steps"] == [{"name": name, "lane": None, "department": None} for name in (
        "受理审查", "审查（业务科室）", "审批决定", "制证", "统一出件（结果送达）")]
    assert "steps" not in api.client.get("/api/catalogue").get_json()[0]
    # Without lanes, a step names the department set up here that owns its candidate group.
    admin = api.as_("admin")
    assert admin.put("/api/departments/ZWFW", {"name": "政务服务中心", "groups": ["window"]}).status_code == 201
    assert admin.put("/api/departments/SCJG", {"name": "市场监督管理局", "groups": ["food_review"]}).status_code == 201
    steps = api.client.get("/api/catalogue/SCJG-XK-0001").get_json()["steps"]
    assert [(s["name"], s["department"]) for s in steps] == [
        ("受理审查", "政务服务中心"), ("审查（业务科室）", "市场监督管理局"), ("审批决定", None), ("制证", None),
        ("统一出件（结果送达）", "政务服务中心")]
    page = api.client.get("/public/catalogue/SCJG-XK-0001").get_data(as_text=True)
    assert "受理审查</strong> · <span class=\"muted\">政务服务中心</span>" in page


def test_a_material_s_note_is_published_and_a_note_that_is_not_text_is_refused(api, tmp_path):
    library(api)
    guide = json.loads((FOOD / "guide.json").read_text(encoding="utf-8"))
    guide["materials"][0]["note"] = "通过数据共享获取的不再提交"
    deploy(api, edited_guide(tmp_path, FOOD, materials=guide["materials"]))
    [material] = [m for m in api.client.get("/api/catalogue/SCJG-XK-0001").get_json()["materials"]
                  if m["name"] == guide["materials"][0]["name"]]
    assert material["note"] == "通过数据共享获取的不再提交"

    guide["materials"][0]["note"] = ["a list"]
    refused = deploy(api, edited_guide(tmp_path, FOOD, materials=guide["materials"]), expect=422)["error"]
    assert any("materials[0].note" in p["message"] for p in refused["details"]), refused


def test_an_unknown_item_is_404_in_the_standard_shape(api):
    response = api.client.get("/api/catalogue/NO-SUCH-ITEM")
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert error["code"] == "not_found" and "NO-SUCH-ITEM" in error["message"]


def test_the_catalogue_is_documented_as_public(api):
    spec = api.client.get("/api/openapi.json").get_json()
    listing, item = spec["paths"]["/api/catalogue"]["get"], spec["paths"]["/api/catalogue/{code}"]["get"]
    assert listing["security"] == [] and item["security"] == []
    assert {p["name"] for p in listing["parameters"]} >= {"q", "department", "type"}
    assert "404" in item["responses"]
    schemas = spec["components"]["schemas"]
    assert {"process_version", "version", "promised_days"} <= set(schemas["CatalogueItem"]["properties"])
    assert "materials" in schemas["Guide"]["properties"]


def test_deploying_an_item_warns_about_lint_findings(api, tmp_path):
    diagram = (FOOD / "food_business_licence.bpmn").read_text(encoding="utf-8")
    broken = tmp_path / "food_business_licence.bpmn"
    # No due date on the certificate step (after the clock stops) and a reject outcome that is gone.
    broken.write_text(diagram.replace('camunda:formKey="certificate.form" camunda:dueDate="${workdays(2)}"',
                                      'camunda:formKey="certificate.form"')
                      .replace("${acceptance_decision == 'reject'}", "${acceptance_decision == 'refuse'}")
                      .replace('<camunda:property name="govflow.event" value="rejected" />', "")
                      .replace('<camunda:property name="govflow.caseState" value="不予受理" />', "")
                      .replace('name="不予受理" sourceRef', 'name="退回" sourceRef')
                      .replace('name="出具不予受理通知书"', 'name="出具通知书"')
                      .replace('<bpmn:endEvent id="rejected" name="不予受理">', '<bpmn:endEvent id="rejected">'),
                      encoding="utf-8")
    body = deploy(api, broken, FOOD / "guide.json", *FORMS)
    warned = {(w["element"], w["severity"]) for w in body["warnings"]}
    assert ("certify", "warning") in warned and ("acceptance_check", "warning") in warned
    acceptance = next(w for w in body["warnings"] if w["element"] == "acceptance_check")
    assert "missing: 不予受理 (reject)" in acceptance["message"] and acceptance["line"] > 0

    # The same diagram without a guide is not a service item: no lint warnings.
    broken.rename(tmp_path / "plain.bpmn")
    plain = tmp_path / "plain.bpmn"
    plain.write_text(plain.read_text(encoding="utf-8").replace('id="food_business_licence"', 'id="plain_process"'),
                     encoding="utf-8")
    warnings = deploy(api, plain, *FORMS)["warnings"]
    # (The document templates are not deployed here: 制证 issues the licence, which is warned about apart.)
    linted = [w for w in warnings if not w["message"].startswith("document template ")]
    assert not {w["element"] for w in linted} & {"certify", "acceptance_check"}


def test_the_guide_limits_and_calendar_win_on_the_case_clock(api, tmp_path, monkeypatch):
    from engine import execution
    from tests.helpers import at

    seed_national_calendar(api.runtime)
    deploy(api, FOOD / "food_business_licence.bpmn", *FORMS)  # the diagram says 10 / 20
    deploy(api, edited_guide(tmp_path, FOOD, promised_days=5, statutory_days=15))
    monkeypatch.setattr(execution, "utcnow", lambda: at(date(2026, 3, 2)))
    case = api.start("food_business_licence", variables=food_application(applicant_name="张三"))
    supply_materials(api, case["id"], "SCJG-XK-0001")
    complete_open_task(api, case["id"], "acceptance_check", reader="admin", acceptance_decision="accept")
    clock = api.get(f"/api/process-instances/{case['id']}/clock").get_json()
    assert (clock["promised_days"], clock["statutory_days"], clock["calendar"]) == (5, 15, "CN")
    assert clock["deadline_date"] == "2026-03-09"  # 3-6 March and 9 March: five working days


def test_the_window_item_decides_one_of_three_and_times_the_case_by_its_guide(api, monkeypatch):
    from engine import execution
    from tests.helpers import at

    seed_national_calendar(api.runtime)
    library(api)
    monkeypatch.setattr(execution, "utcnow", lambda: at(date(2026, 3, 2)))
    case = api.start("window_acceptance", business_key="SX-2026-000777")
    complete_open_task(api, case["id"], "accept", reader="admin", decision="supplement",
                       missing_materials="申请人身份证明：复印件不清晰")
    assert api.get(f"/api/process-instances/{case['id']}").get_json()["tasks"] == []  # waits for the applicant
    sent = api.as_("integrator").post("/api/messages", json={"name": "materials_supplemented",
                                                             "business_key": "SX-2026-000777"})
    assert sent.status_code == 200, sent.get_json()
    supply_materials(api, case["id"], "window-acceptance")
    complete_open_task(api, case["id"], "accept", reader="admin", decision="accept", materials_complete=True)
    clock = api.get(f"/api/process-instances/{case['id']}/clock").get_json()
    assert (clock["state"], clock["promised_days"], clock["statutory_days"]) == ("running", 15, 20)
    complete_open_task(api, case["id"], "review", reader="admin", review_opinion="符合条件")
    complete_open_task(api, case["id"], "decide", reader="admin", approved=True, decision_opinion="准予许可")
    assert api.get(f"/api/process-instances/{case['id']}/clock").get_json()["state"] == "stopped"
    # The certificate step has a form now: its number is required.
    complete_open_task(api, case["id"], "certify", reader="admin", expect=422)
    complete_open_task(api, case["id"], "certify", reader="admin", certificate_no="SX-XK-2026-000777")
    complete_open_task(api, case["id"], "deliver", reader="admin", delivery_method="window")
    assert api.get(f"/api/process-instances/{case['id']}").get_json()["state"] == "completed"


def test_the_catalogue_matches_every_word_any_department_case_and_leaves_internal_items_out(api, tmp_path):
    library(api)
    deploy(api, ROOT / "bpmn" / "rectification" / "rectification.bpmn", ROOT / "bpmn" / "rectification" / "guide.json",
           *sorted((ROOT / "forms").glob("rectification-*.form")))

    def codes(**query: str) -> list[str]:
        response = api.client.get("/api/catalogue", query_string=query)
        assert response.status_code == 200, response.get_json()
        return [item["code"] for item in response.get_json()]
    assert codes() == ["SCJG-XK-0001", "window-acceptance"]  # the 差评 rectification is internal
    assert codes(q="食品 许可") == ["SCJG-XK-0001"] and codes(q="食品  窗口") == []
    assert codes(department="scjg") == codes(department="SCJG") == ["SCJG-XK-0001"]
    assert api.client.get("/api/catalogue/rectification").status_code == 404
    with api.runtime.uow() as uow:  # its guide still rules its cases
        from engine import service_cases
        assert service_cases.guide_for(uow, "rating_rectification")["rating"] == {"rectify_days": 5}

    guide = api.client.get("/api/catalogue/SCJG-XK-0001").get_json()
    assert guide["max_visits"] == 1 and guide["location"].startswith("市政务服务中心")
    bad = edited_guide(tmp_path, FOOD, max_visits=-1, public="no", office_hours="", project=1)
    problems = {p["element"]: p["message"] for p in deploy(api, bad, expect=422)["error"]["details"]}
    assert problems == {"max_visits": "max_visits must be at least 0", "public": "public must be true or false",
                        "office_hours": "office_hours must be a non-empty string",
                        "project": "project must be true or false"}


def test_guides_uploaded_without_their_folder_are_named_by_their_item_code(api):
    """A browser or curl sends each guide as plain guide.json: two items' guides still deploy together."""
    analyst = api.as_("analyst")
    files = [((FOOD / "food_business_licence.bpmn").open("rb"), "food_business_licence.bpmn"),
             ((WINDOW / "window_acceptance.bpmn").open("rb"), "window_acceptance.bpmn"),
             ((FOOD / "guide.json").open("rb"), "guide.json"), ((WINDOW / "guide.json").open("rb"), "guide.json"),
             *[(form.open("rb"), form.name) for form in FORMS],
             *[(io.BytesIO(c), n) for d in (FOOD, WINDOW) for n, c in guide_samples((d / "guide.json").read_bytes(), d)]]
    response = analyst.client.post("/api/deployments", data={"files": files}, headers=analyst.headers(),
                                   content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    assert sorted(g["code"] for g in response.get_json()["guides"]) == ["SCJG-XK-0001", "window-acceptance"]
