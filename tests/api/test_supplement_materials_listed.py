"""A supplement request (一次性告知补正) asks only for what the item's guide lists (LY17, LY57(三), SX24), each
material by its name in the guide and none a vague catch-all (LY17, XA13): refused over the API (422,
naming each entry) and on the clerk's page (in Chinese, above the form), nothing done; an item without a
guide keeps its free list."""
from __future__ import annotations

import html
import json

from engine.text import name_key
from tests.api.test_acceptance_lists import claimed, form_data
from tests.api.test_pages_intake import Browser
from tests.helpers import ApiClient, complete_open_task, open_steps
from tests.service_items import case_states, deploy_item, documents, guide, supply_materials

WINDOW, WINDOW_KEY = "window-acceptance", "window_acceptance"
UNLISTED = "营业执照复印件"  # a licence copy: not among the window item's materials
CATCH_ALL = "其他相关材料"


def window_case(api: ApiClient, business_key: str) -> tuple[int, str, str]:
    """A window-acceptance case missing the applicant's identity proof and the proxy's papers."""
    deploy_item(api, WINDOW)
    _, identity, proxy = (m["name"] for m in guide(WINDOW)["materials"])
    case_id = int(api.start(WINDOW_KEY, business_key=business_key, variables={"applicant_name": "张三"})["id"])
    supply_materials(api, case_id, WINDOW, leave_out=(identity, proxy))
    return case_id, identity, proxy


def test_a_supplement_asking_for_an_unlisted_material_or_a_catch_all_is_refused_naming_each(api: ApiClient) -> None:
    case_id, identity, _ = window_case(api, "SX-2026-000901")
    refused = complete_open_task(
        api, case_id, "accept", user="window_clerk", expect=422, decision="supplement",
        missing_materials=f"{identity}：复印件不清晰\n{UNLISTED}：未提交\n{CATCH_ALL}")
    error = refused["error"]
    assert error["code"] == "validation_failed"
    assert [(d["field"], d["material"], d["rule"]) for d in error["details"]] == [
        ("variables.missing_materials", UNLISTED, "notInGuide"), ("variables.missing_materials", CATCH_ALL, "catchAll")]
    assert error["details"][0]["listed"] == [m["name"] for m in guide(WINDOW)["materials"]]  # what may be asked for
    assert UNLISTED in error["message"] and CATCH_ALL in error["message"] and identity not in error["message"]
    assert open_steps(api, case_id) == ["accept"] and case_states(api, case_id) == ["已接件"]
    assert "supplement_notice" not in documents(api, case_id)
    # Named as the guide names it (spaces around the name and a half-width colon are the clerk's): taken.
    complete_open_task(api, case_id, "accept", user="window_clerk", decision="supplement",
                       missing_materials=f"  {identity} : 复印件不清晰")
    notice = documents(api, case_id)["supplement_notice"]
    assert identity in notice and "复印件不清晰" in notice


def test_a_name_close_to_the_guide_s_is_not_taken_for_it(api: ApiClient) -> None:
    """A name matches the guide's whatever its spaces and the width of its brackets, not when it says more."""
    case_id, identity, _ = window_case(api, "SX-2026-000902")
    refused = complete_open_task(api, case_id, "accept", user="window_clerk", expect=422, decision="supplement",
                                 missing_materials=f"{identity}复印件")
    assert [d["material"] for d in refused["error"]["details"]] == [f"{identity}复印件"]
    marks = api.as_("window_clerk").post(f"/api/process-instances/{case_id}/materials/marks",
                                         json={"name": f"{identity}复印件", "kind": "paper_checked"})
    assert marks.status_code == 422  # the mark refuses the same name
    # Typed with a half-width comma and a space, as an input method may leave them: the guide's name.
    _, _, proxy = (m["name"] for m in guide(WINDOW)["materials"])
    typed = proxy.replace("，", ", ")
    assert typed != proxy and name_key(typed) == name_key(proxy)
    complete_open_task(api, case_id, "accept", user="window_clerk", decision="supplement",
                       missing_materials=f"{identity[:2]} {identity[2:]}：复印件不清晰\n{typed}：未提交")
    notice = documents(api, case_id)["supplement_notice"]
    assert "复印件不清晰" in notice and "未提交" in notice


def test_the_clerk_s_page_says_the_refusal_in_chinese_above_the_form(api: ApiClient) -> None:
    case_id, identity, proxy = window_case(api, "SX-2026-000903")
    task_id = claimed(api, case_id, "accept")
    window = Browser(api, "window_clerk")
    sent = {"data": json.dumps({"decision": "supplement",
                                "missing_materials": f"{identity}\n{UNLISTED}：未提交\n{CATCH_ALL}"})}
    page = window.post(f"/tasks/{task_id}", sent)
    assert page.status_code == 422
    text = html.unescape(page.text)
    summary = text[text.index('id="form-errors-summary"'):text.index('id="form-container"')]
    assert f"“{UNLISTED}”不是本事项办事指南所列的材料，不能要求申请人补正" in summary
    assert f"“{CATCH_ALL}”是兜底表述（相关材料），不能列入补正" in summary
    assert "需补正的全部材料" in summary  # beside the form's own label for the list
    assert UNLISTED in form_data(page.text)["missing_materials"]  # what was typed is kept
    english = html.unescape(window.post(f"/tasks/{task_id}", sent, headers={"Accept-Language": "en"}).text)
    assert f"“{UNLISTED}” is not a material the item's guide lists" in english
    assert open_steps(api, case_id) == ["accept"] and "supplement_notice" not in documents(api, case_id)
    done = window.post(f"/tasks/{task_id}", {"data": json.dumps(
        {"decision": "supplement", "missing_materials": f"{identity}\n{proxy}：未提交"})})
    assert done.status_code in (302, 303), done.text


def test_an_item_without_a_guide_keeps_its_free_list(api: ApiClient) -> None:
    """No guide lists materials to hold the request to: the clerk's list goes as written."""
    deploy_item(api, WINDOW, leave_out=(f"{WINDOW}/guide.json",))
    case_id = int(api.start(WINDOW_KEY, business_key="SX-2026-000904", variables={"applicant_name": "张三"})["id"])
    complete_open_task(api, case_id, "accept", user="window_clerk", decision="supplement",
                       missing_materials=f"{UNLISTED}：未提交")
    assert open_steps(api, case_id) != ["accept"]
