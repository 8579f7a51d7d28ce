"""The one-thing bundle 开办餐饮店一件事 (bpmn/SCJG-YJS-0001): one merged application form built from the
member items' forms (多表合一), checked when the case starts; materials submitted once and seen by every
member department; member items in parallel as call activities; one result package at the end."""
from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from engine import calendar
from engine.clock import utcnow
from tests.helpers import ROOT, by_bpmn_id, case_tasks, complete_open_task, complete_task
from tests.service_items import case as case_of
from tests.service_items import (
    case_states,
    deploy_item,
    documents,
    fire_timer,
    guide,
    pending_timer,
    supply_materials,
)

ITEM = ROOT / "bpmn" / "SCJG-YJS-0001"
DIAGRAMS = [ITEM / f"{name}.bpmn" for name in ("restaurant_opening", "restaurant_business_registration",
                                                "restaurant_food_licence", "restaurant_signboard_permit")]
APPLICATION_FORMS = ["business-registration-application.form", "food-licence-application.form",
                     "signboard-application.form"]
FORMS = [ROOT / "forms" / name for name in (*APPLICATION_FORMS, "bundle-acceptance.form", "bundle-delivery.form",
                                            "bundle-registration-review.form", "bundle-food-licence-review.form",
                                            "bundle-signboard-review.form")]
APPLICATION = {
    "applicant_name": "李四", "applicant_id_number": "14030219900101123X", "applicant_phone": "13800138000",
    "business_address": "阳泉市城区桃北西街18号", "business_name": "李记面馆", "registered_capital": 10,
    "business_scope": "餐饮服务", "food_categories": ["hot_food", "drinks"], "food_safety_manager": "王五",
    "signboard_text": "李记面馆", "signboard_area": 3.5, "signboard_lighting": True,
}
REVIEWS = {"registration_review": ("scjg_clerk", "registration"), "food_licence_review": ("scjg_clerk", "food_licence"),
           "signboard_review": ("cgj_clerk", "signboard")}
# What the window lists for the applicant to supplement, one material a line.
MISSING = "经营场所使用证明：未提交\n经营场所平面布局图及设备清单：缺少进货查验区域"


@pytest.fixture
def deployed(api: Any) -> None:
    api.deploy(*DIAGRAMS, ITEM / "guide.json", *FORMS)


def accepted_case(api: Any, business_key: str = "YJS-2026-0001") -> dict[str, Any]:
    case = api.start("restaurant_opening", business_key=business_key, variables=APPLICATION)
    [acceptance] = case["tasks"]
    assert (acceptance["bpmn_id"], acceptance["candidate_groups"]) == ("bundle_acceptance", ["window"])
    # The window checked every paper original (engine.acceptance): no electronic copy yet.
    papers = tuple(m["name"] for m in guide("SCJG-YJS-0001")["materials"])
    supply_materials(api, case["id"], "SCJG-YJS-0001", paper=papers)
    complete_task(api, acceptance, user="window_clerk", bundle_acceptance={"decision": "accept", "opinion": "材料齐全"})
    return case


def test_the_merged_form_asks_shared_fields_once_with_the_strictest_rules(api, deployed):
    response = api.get("/api/process-definitions/restaurant_opening/start-form")
    assert response.status_code == 200, response.get_json()
    merged = response.get_json()
    assert merged["forms"] == APPLICATION_FORMS and merged["version"] == 1
    assert merged["shared"] == ["applicant_name", "applicant_id_number", "applicant_phone", "business_address"]
    groups = merged["schema"]["components"]
    assert [g["label"] for g in groups] == ["共同信息（各事项共用，只需填写一次）", "营业执照（设立登记）申请",
                                            "食品经营许可申请", "户外招牌设置许可申请"]
    keys = [[c.get("key") for c in g["components"] if "key" in c] for g in groups]
    assert keys == [merged["shared"], ["business_name", "registered_capital", "business_scope"],
                    ["food_categories", "food_safety_manager"],
                    ["signboard_text", "signboard_area", "signboard_lighting"]]
    every = [c.get("key") for g in groups for c in g["components"] if "key" in c]
    assert len(every) == len(set(every))  # each field asked once
    shared = {c["key"]: c for c in groups[0]["components"]}
    # Required if any form requires it; the tighter length limit wins (50 of 50/100, 100 of 200/100/150).
    assert shared["applicant_name"]["validate"] == {"required": True, "maxLength": 50}
    assert shared["business_address"]["validate"] == {"required": True, "maxLength": 100}
    assert shared["applicant_phone"]["validate"] == {"required": True, "validationType": "phone"}
    assert "signboard_note" not in json.dumps(groups[0])  # display text stays in its own item's section
    assert any(c["type"] == "text" for c in groups[3]["components"])


def test_a_definition_that_is_not_a_bundle_has_no_merged_form(api, deployed):
    error = api.get("/api/process-definitions/restaurant_signboard_permit/start-form").get_json()["error"]
    assert error["code"] == "not_found" and "govflow.bundleForms" in error["message"]
    assert api.get("/api/process-definitions/no_such_item/start-form").status_code == 404


def test_starting_checks_the_variables_against_the_merged_form_and_names_the_fields(api, deployed):
    bad = {**APPLICATION, "applicant_phone": "12345", "business_address": "长" * 101, "signboard_area": 80,
           "rooftop": True}
    del bad["business_scope"]
    error = api.start("restaurant_opening", expect=422, business_key="YJS-BAD", variables=bad)["error"]
    assert error["code"] == "validation_failed"
    problems = {d["field"]: d["message"] for d in error["details"]}
    assert set(problems) == {"variables.applicant_phone", "variables.business_address", "variables.business_scope",
                             "variables.signboard_area", "variables.rooftop"}
    assert problems["variables.business_address"].startswith("maxLength")
    assert problems["variables.signboard_area"].startswith("max")
    assert problems["variables.business_scope"].startswith("required")
    assert problems["variables.rooftop"].startswith("unknown")
    assert api.as_("supervisor").get("/api/process-instances?business_key=YJS-BAD").get_json()["total"] == 0


def test_a_faithful_retry_is_compared_as_the_merged_form_stored_the_first_start(api, tmp_path):
    """A form may store a number as text (form-js ``serializeToString``): the same start sent again names no
    variable as differing; a value the form refuses is compared as given."""
    signboard = json.loads((ROOT / "forms" / "signboard-application.form").read_text(encoding="utf-8"))
    [area] = [c for c in signboard["components"] if c.get("key") == "signboard_area"]
    area["serializeToString"] = True
    as_text = tmp_path / "signboard-application.form"
    as_text.write_text(json.dumps(signboard, ensure_ascii=False), encoding="utf-8")
    api.deploy(*DIAGRAMS, ITEM / "guide.json", *(f for f in FORMS if f.name != as_text.name), as_text)

    first = api.start("restaurant_opening", business_key="YJS-RETRY", variables=APPLICATION)
    stored = api.as_("supervisor").get(f"/api/process-instances/{first['id']}").get_json()["variables"]
    assert stored["signboard_area"] == "3.5"
    again = api.start("restaurant_opening", expect=200, business_key="YJS-RETRY", variables=APPLICATION)
    assert again["id"] == first["id"] and again["differing_variables"] == []
    other = api.start("restaurant_opening", expect=200, business_key="YJS-RETRY",
                      variables={**APPLICATION, "signboard_area": 4, "registered_capital": "长"})
    assert other["differing_variables"] == ["registered_capital", "signboard_area"]


def test_member_items_run_in_parallel_see_the_materials_once_submitted_and_end_in_one_package(api, deployed):
    case = accepted_case(api)
    upload = api.as_("integrator").client.post(
        f"/api/process-instances/{case['id']}/materials", headers=api.as_("integrator").headers(),
        data={"name": "经营场所使用证明", "file": (io.BytesIO(b"%PDF-1.4 lease"), "lease.pdf")},
        content_type="multipart/form-data")
    assert upload.status_code == 201, upload.get_json()

    tasks = by_bpmn_id(case_tasks(api, case))
    assert {k: t["candidate_groups"] for k, t in tasks.items()} == {
        "registration_review": ["scjg"], "food_licence_review": ["scjg"], "signboard_review": ["cgj"]}
    assert {t["process_instance_id"] for t in tasks.values()} == {case["id"]}
    # Every member department sees the material submitted once; a department outside the bundle does not.
    for clerk in ("scjg_clerk", "cgj_clerk"):
        listed = api.as_(clerk).get(f"/api/process-instances/{case['id']}/materials")
        assert listed.status_code == 200, listed.get_json()
        assert [m["name"] for m in listed.get_json()] == ["经营场所使用证明"]
    assert api.as_("fgw_clerk").get(f"/api/process-instances/{case['id']}/materials").status_code in (403, 404)
    # The member departments work from the merged application: no second form to fill in.
    data = api.as_("supervisor").get(f"/api/process-instances/{case['id']}").get_json()["variables"]
    assert {k: data[k] for k in APPLICATION} == APPLICATION

    for bpmn_id, (clerk, key) in REVIEWS.items():
        verdict: dict[str, Any] = {key: {"result": "grant", "opinion": "符合条件"}}
        complete_open_task(api, case, bpmn_id, user=clerk, **verdict)
    [delivery] = by_bpmn_id(case_tasks(api, case)).values()
    assert delivery["bpmn_id"] == "deliver_package"
    package = api.as_("supervisor").get(f"/api/process-instances/{case['id']}").get_json()["variables"]["result_package"]
    assert package["all_granted"] is True and package["denied"] == []
    assert package["granted"] == ["营业执照（设立登记）", "食品经营许可", "户外招牌设置许可"]
    assert (package["applicant_name"], package["business_name"]) == ("李四", "李记面馆")
    done = complete_task(api, delivery, user="window_clerk", delivery={"method": "window"})
    assert done["state"] == "completed"
    events = api.as_("supervisor").get(f"/api/process-instances/{case['id']}/history").get_json()
    assert "granted_end" in {e["element_id"] for e in events if e["event"] == "element.completed"}


def test_a_denied_member_item_shows_in_the_package_and_the_bundle_ends_not_all_granted(api, deployed):
    case = accepted_case(api, "YJS-2026-0002")
    # Sent to its member items' departments: the applicant reads 部门开始办理, not 已受理, while they review.
    during = api.client.get("/api/public/progress/YJS-2026-0002", query_string={"code": case["query_code"]}).get_json()
    assert during["case_state"] == "部门开始办理"
    results = {"registration_review": "grant", "food_licence_review": "grant", "signboard_review": "deny"}
    for bpmn_id, (clerk, key) in REVIEWS.items():
        verdict: dict[str, Any] = {key: {"result": results[bpmn_id], "opinion": "意见"}}
        complete_open_task(api, case, bpmn_id, user=clerk, **verdict)
    package = api.as_("supervisor").get(f"/api/process-instances/{case['id']}").get_json()["variables"]["result_package"]
    assert (package["all_granted"], package["denied"]) == (False, ["户外招牌设置许可"])
    assert [i["result"] for i in package["items"]] == ["grant", "grant", "deny"]
    # Mailed, the package needs its tracking number, which the applicant's progress then shows.
    refused = complete_open_task(api, case, "deliver_package", user="window_clerk", delivery={"method": "mail"},
                                 expect=422)
    assert [(d["field"], d["rule"]) for d in refused["error"]["details"]] == [
        ("variables.delivery.tracking_no", "required")]
    complete_open_task(api, case, "deliver_package", user="window_clerk",
                       delivery={"method": "mail", "tracking_no": "SF2026000002"})
    events = api.as_("supervisor").get(f"/api/process-instances/{case['id']}/history").get_json()
    assert "partly_granted_end" in {e["element_id"] for e in events if e["event"] == "element.completed"}
    shown = api.client.get("/api/public/progress/YJS-2026-0002", query_string={"code": case["query_code"]}).get_json()
    assert shown["delivery"] == {"method": "mail", "method_name": "邮寄送达", "tracking_no": "SF2026000002"}
    # Two of three granted: the one thing concluded (通过), and the applicant reads which item was refused.
    assert shown["case_state"] == "办结(通过)"
    assert shown["result"] == "营业执照（设立登记）：准予许可；食品经营许可：准予许可；户外招牌设置许可：不予许可"


def test_a_bundle_none_of_whose_items_is_granted_ends_not_passed(api, deployed):
    case = accepted_case(api, "YJS-2026-0003")
    for bpmn_id, (clerk, key) in REVIEWS.items():
        complete_open_task(api, case, bpmn_id, user=clerk, **{key: {"result": "deny", "opinion": "不符合条件"}})
    complete_open_task(api, case, "deliver_package", user="window_clerk", delivery={"method": "window"})
    events = api.as_("supervisor").get(f"/api/process-instances/{case['id']}/history").get_json()
    assert "denied_end" in {e["element_id"] for e in events if e["event"] == "element.completed"}
    shown = api.client.get("/api/public/progress/YJS-2026-0003", query_string={"code": case["query_code"]}).get_json()
    assert shown["case_state"] == "办结(不通过)"


def test_member_forms_defining_a_field_differently_are_refused_naming_both_forms(api, deployed, tmp_path: Path):
    changed = json.loads((ROOT / "forms" / "signboard-application.form").read_text(encoding="utf-8"))
    for component in changed["components"]:
        if component.get("key") == "applicant_phone":
            component.update(type="number", validate={})
    path = tmp_path / "signboard-application.form"
    path.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    api.deploy(DIAGRAMS[0], path)  # the diagram is unchanged (same version); its new form wins
    error = api.get("/api/process-definitions/restaurant_opening/start-form").get_json()["error"]
    assert error["code"] == "form_conflict"
    assert error["details"] == [{"field": "applicant_phone", "forms": ["business-registration-application.form",
                                                                      "signboard-application.form"],
                                 "message": "type textfield vs number"}]
    refused = api.start("restaurant_opening", expect=422, variables=APPLICATION)["error"]
    assert refused["code"] == "form_conflict" and "signboard-application.form" in refused["message"]


def test_incomplete_materials_get_one_notice_and_the_window_checks_again_after_the_supplement(api, deployed):
    case = api.start("restaurant_opening", business_key="YJS-2026-0003", variables=APPLICATION)
    waiting = complete_task(api, case["tasks"][0], user="window_clerk", missing_materials=MISSING,
                            bundle_acceptance={"decision": "supplement", "opinion": "缺经营场所使用证明"})
    assert waiting["state"] == "running" and waiting["tasks"] == []
    sent = api.as_("integrator").post("/api/messages", json={"name": "materials_supplemented",
                                                              "business_key": "YJS-2026-0003"})
    assert sent.status_code == 200, sent.get_json()
    assert list(by_bpmn_id(case_tasks(api, case))) == ["bundle_acceptance"]


# ---- the window's notices, as the food licence issues them (行政许可法 Art 32) --------------------------

@pytest.fixture
def library(api: Any) -> None:
    """The item with the library's document templates (and the national calendar), as run.sh deploys it."""
    deploy_item(api, "SCJG-YJS-0001")


def test_a_supplement_must_list_everything_and_the_notice_lists_it(api, library):
    case = api.start("restaurant_opening", business_key="YJS-2026-0004", variables=APPLICATION)
    refused = complete_task(api, case["tasks"][0], user="window_clerk", expect=422,
                            bundle_acceptance={"decision": "supplement"})
    assert [(d["field"], d["rule"]) for d in refused["error"]["details"]] == [
        ("variables.missing_materials", "required")]
    complete_task(api, case["tasks"][0], user="window_clerk", missing_materials=MISSING,
                  bundle_acceptance={"decision": "supplement"})
    notice = documents(api, case["id"])["supplement_notice"]
    assert "共2项" in notice and "经营场所使用证明" in notice and "缺少进货查验区域" in notice


def test_a_supplement_not_made_in_the_notice_s_twenty_working_days_withdraws_the_application(api, library):
    case = api.start("restaurant_opening", business_key="YJS-2026-0005", variables=APPLICATION)
    noticed_at = utcnow()
    complete_task(api, case["tasks"][0], user="window_clerk", missing_materials=MISSING,
                  bundle_acceptance={"decision": "supplement"})
    assert "20个工作日内" in documents(api, case["id"])["supplement_notice"]  # what the notice promises
    with api.runtime.uow() as uow:
        expected = calendar.for_runtime(uow).deadline_at(noticed_at, 20).at
    assert pending_timer(api, case["id"], "wait_supplement").due_at == expected
    fire_timer(api, case["id"], "wait_supplement")
    assert case_of(api, case["id"])["state"] == "completed"
    assert case_states(api, case["id"]) == ["已接件", "补正(开始)", "已撤件"]


def test_a_rejection_needs_its_reasons_and_the_notice_gives_them(api, library):
    case = api.start("restaurant_opening", business_key="YJS-2026-0006", variables=APPLICATION)
    refused = complete_task(api, case["tasks"][0], user="window_clerk", expect=422,
                            bundle_acceptance={"decision": "reject", "opinion": "不予受理"})
    assert [(d["field"], d["rule"]) for d in refused["error"]["details"]] == [
        ("variables.reject_reason", "required")]
    done = complete_task(api, case["tasks"][0], user="window_clerk", reject_reason="经营场所位于居民住宅楼内",
                         bundle_acceptance={"decision": "reject"})
    assert done["state"] == "completed"
    assert "<li>经营场所位于居民住宅楼内</li>" in documents(api, case["id"])["rejection_notice"]


def test_a_bundle_guide_naming_a_member_process_nobody_deployed_is_refused(api: Any, tmp_path: Path) -> None:
    guide = json.loads((ITEM / "guide.json").read_text(encoding="utf-8"))
    guide["members"][1]["process"] = "restaurant_food_licence_2"
    edited = tmp_path / "guide.json"
    edited.write_text(json.dumps(guide, ensure_ascii=False, indent=2), encoding="utf-8")
    refused = api.deploy(*DIAGRAMS, edited, *FORMS, expect=422)["error"]["details"]
    problem, uncalled = [p for p in refused if p["element"] == "members[1].process"]
    assert problem["message"] == ("member process 'restaurant_food_licence_2' is neither in this deployment nor "
                                  "deployed before")
    assert problem["line"] is not None
    # The bundle calls the process the guide meant: said too, which points at the typo.
    assert "(it calls 'restaurant_food_licence', which no member lists)" in uncalled["message"]


def test_the_case_page_tells_the_member_items_decisions_apart(api, deployed):
    """Three reviews, one label each (营业执照审批结论, not 审批结论 three times)."""
    from tests.api.test_case_data_panel import data_rows
    from tests.api.test_pages_intake import Browser

    case = accepted_case(api, "YJS-2026-0004")
    for bpmn_id, (clerk, key) in REVIEWS.items():
        complete_open_task(api, case, bpmn_id, user=clerk, **{key: {"result": "grant", "opinion": "同意"}})
    labels = [label for label, _name, _value in data_rows(Browser(api, "supervisor").get(f"/cases/{case['id']}").text,
                                                         "case-data")]
    assert {"营业执照审批结论", "食品经营许可审批结论", "户外招牌设置许可审批结论"} <= set(labels)
    assert len(labels) == len(set(labels))
