"""Which rules a case clock follows depends on its item: Art 42 extends the time limits of administrative
licences alone (a complaint or a rectification has no statutory extension), and a special procedure is one
the item's guide lists (SX22), named as the guide and the pages name it."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.api.test_ratings import rate
from tests.api.test_time_limits import FOOD
from tests.applicants import COMPLAINT, COMPLAINT_FORMS, RECTIFICATION, RECTIFICATION_FORMS, WINDOW, window_case_done
from tests.case_pages import clock_form, clock_of, post, refused, signed_in
from tests.heads import head_actor, head_of
from tests.helpers import ROOT, ApiClient, complete_open_task, seed_national_calendar
from tests.service_items import supply_materials

FOOD_GUIDE = ROOT / "bpmn" / "SCJG-XK-0001" / "guide.json"


def food_case(api: ApiClient, guide: Path | None = FOOD_GUIDE) -> dict[str, Any]:
    """A food licence case accepted (its clock running), with ``guide`` deployed: the start answer (with its
    query code) and ``clock``, the URL of its clock."""
    seed_national_calendar(api.runtime)
    api.deploy(FOOD, *([guide] if guide else []))
    case = api.start("food_business_licence", variables={"applicant_name": "张三"})
    if guide:
        supply_materials(api, case["id"], "SCJG-XK-0001")
    complete_open_task(api, case["id"], "acceptance_check", reader="admin", acceptance_decision="accept")
    return {**case, "clock": f"/api/process-instances/{case['id']}/clock"}


def food_guide(tmp_path: Path, **changed: Any) -> Path:
    """The food licence's guide with fields changed (a value of None leaves the field out)."""
    data = json.loads(FOOD_GUIDE.read_text(encoding="utf-8"))
    data.update(changed)
    written = tmp_path / "guide.json"
    written.write_text(json.dumps({k: v for k, v in data.items() if v is not None}, ensure_ascii=False),
                       encoding="utf-8")
    return written


def refused_extension(api: ApiClient, url: str) -> None:
    """An extension of a clock with no statutory allowance: 409 with its basis, and nothing changed."""
    before = api.get(url).get_json()
    refused = head_of(api, int(url.split("/")[-2])).post(f"{url}/extend", json={"days": 1, "reason": "情况复杂"})
    assert refused.status_code == 409, refused.get_json()
    error: dict[str, Any] = refused.get_json()["error"]
    assert "may not be extended" in error["message"] and "not an administrative licence" in error["message"]
    assert api.get(url).get_json() == before


def no_statutory_extension(clock: dict[str, Any]) -> None:
    assert (clock["extension_allowance_days"], clock["extension_remaining_days"]) == (0, 0)
    assert clock["extension_basis"].startswith("none: the item is not an administrative licence")
    assert "第四十二条第一款" not in clock["extension_basis"]


def complaint_case(api: ApiClient) -> int:
    """A complaint filed by the public: its case (a clock running from its registration)."""
    seed_national_calendar(api.runtime)
    api.deploy(COMPLAINT, COMPLAINT.parent / "guide.json", *COMPLAINT_FORMS)
    filed = api.client.post("/api/public/complaints", json={"name": "李四", "phone": "13912345678",
                                                            "content": "窗口工作人员推诿"}).get_json()
    [case] = api.as_("supervisor").get("/api/process-instances", query_string={
        "business_key": filed["complaint_no"]}).get_json()["items"]
    return int(case["id"])


def test_a_complaints_clock_claims_no_licensing_extension_and_takes_no_special_procedure(api):
    url = f"/api/process-instances/{complaint_case(api)}/clock"
    clock = api.get(url).get_json()
    no_statutory_extension(clock)
    assert clock["procedure_kinds"] == []  # its guide lists no excluded period

    refused_extension(api, url)
    paused = api.as_("supervisor").post(f"{url}/pause", json={"kind": "hearing", "reason": "听证"})
    assert paused.status_code == 422
    assert "lists none" in paused.get_json()["error"]["message"]
    assert api.get(url).get_json()["state"] == "running"


def test_the_case_page_says_a_complaint_has_no_extension_to_give(api, app, runtime):
    case_id = complaint_case(api)
    groups = sorted(head_actor(runtime, case_id).groups)  # the department handling the complaint
    head = signed_in(app, runtime, "wang", roles=["head"], groups=groups)
    said = refused(head, post(head, case_id, "extend", days="1", reason="情况复杂"), case_id)
    assert "该事项没有法定的延长期限，不能延长办理期限。" in said and "其余已批准" not in said


def test_a_rectifications_clock_claims_no_licensing_extension(api):
    seed_national_calendar(api.runtime)
    api.deploy(WINDOW, RECTIFICATION, RECTIFICATION.parent / "guide.json", *RECTIFICATION_FORMS)
    case = window_case_done(api)
    rate(api, case["business_key"], case["query_code"], 5, comment="多次往返")
    [task] = api.as_("supervisor").get("/api/tasks", query_string={"process_key": "rating_rectification"}
                                       ).get_json()["items"]
    url = f"/api/process-instances/{task['process_instance_id']}/clock"
    no_statutory_extension(api.get(url).get_json())
    refused_extension(api, url)


@pytest.mark.parametrize(("item_type", "basis"), [("01", "行政许可法第四十二条第一款"), ("20", None)])
def test_without_an_allowance_of_its_own_the_guides_item_type_decides_on_art_42(api, tmp_path, item_type, basis):
    """The same diagram with a guide that sets no extension allowance: as a licence it gets Art 42's 10 days,
    as a public service none."""
    url = food_case(api, food_guide(tmp_path, type=item_type, extension=None))["clock"]
    clock = api.get(url).get_json()
    if basis is None:
        no_statutory_extension(clock)
        refused_extension(api, url)
    else:
        assert clock["extension_allowance_days"] == 10 and clock["extension_basis"].startswith(basis)
        head = head_of(api, int(url.split("/")[-2]))
        assert head.post(f"{url}/extend", json={"days": 10, "reason": "情况复杂"}).status_code == 200


def test_a_special_procedure_the_guide_does_not_list_is_refused_naming_those_it_lists(api):
    url = food_case(api)["clock"]
    clock = api.get(url).get_json()
    assert clock["procedure_kinds"] == [{"kind": "inspection", "name": "现场核查", "max_days": 10}]

    refused = api.as_("supervisor").post(f"{url}/pause", json={"kind": "hearing", "reason": "听证"})
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert "SCJG-XK-0001" in error["message"] and "hearing (听证)" in error["message"]
    assert error["details"] == [{"field": "kind", "message": "one of inspection (现场核查)"}]
    assert api.get(url).get_json() == clock  # nothing paused, nothing recorded

    paused = api.as_("supervisor").post(f"{url}/pause", json={"kind": "inspection", "reason": "核实经营场所"})
    assert paused.status_code == 200 and paused.get_json()["state"] == "paused"


def test_a_guide_that_lists_no_special_procedure_takes_none(api, tmp_path):
    url = food_case(api, food_guide(tmp_path, excluded_periods=[]))["clock"]
    refused = api.as_("window_clerk").post(f"{url}/pause", json={"kind": "inspection", "reason": "核实经营场所"})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["details"] == [{"field": "kind", "message": "none listed in the guide"}]


def test_without_a_guide_any_kind_of_art_45_is_taken_and_named_as_the_pages_name_it(api):
    url = food_case(api, guide=None)["clock"]
    kinds = {k["kind"]: (k["name"], k["max_days"]) for k in api.get(url).get_json()["procedure_kinds"]}
    assert kinds["inspection"] == ("现场核查", None) and kinds["hearing"] == ("听证", None) and len(kinds) == 9
    assert api.as_("window_clerk").post(f"{url}/pause", json={"kind": "hearing", "reason": "听证"}).status_code == 200


def test_the_applicant_reads_the_procedure_by_the_name_and_time_the_clock_gives(api):
    """行政许可法 Art 45: the applicant is told how long it takes; both pages name the kind alike."""
    case = food_case(api)
    clock = api.as_("supervisor").post(f"{case['clock']}/pause", json={"kind": "inspection", "reason": "核实经营场所"})
    [kind] = clock.get_json()["procedure_kinds"]
    progress = api.client.get(f"/api/public/progress/{case['business_key']}",
                              query_string={"code": case["query_code"]}).get_json()
    [shown] = progress["special_procedures"]
    assert (shown["name"], shown["max_days"], shown["ended_on"]) == (kind["name"], kind["max_days"], None)


def test_the_case_page_offers_only_the_kinds_the_guide_lists_and_none_where_it_lists_none(api, app, runtime,
                                                                                         tmp_path):
    case = food_case(api)
    supervisor = signed_in(app, runtime, "zhou", roles=["supervisor"])
    form = clock_form(supervisor.get(f"/cases/{case['id']}").text, "pause-form")
    assert re.findall(r'<option value="(\w+)"[^>]*>([^<]+)</option>', form.split("</select>")[0]) == [
        ("inspection", "现场核查")]
    later = food_case(api, guide=food_guide(tmp_path, excluded_periods=[]))  # listing none: no form to pause
    assert "pause-form" not in clock_of(supervisor.get(f"/cases/{later['id']}").text)


def test_0031_takes_art_42_from_the_running_clocks_of_items_that_are_not_licences(api, runtime):
    """A complaint's clock started before the rule kept no allowance (read as Art 42's 10 days): the upgrade
    gives it none; a licence's running clock and a stopped one stay as they were."""
    from sqlalchemy import update

    from engine.models import CaseClock
    from tests.helpers import migrate

    complaint = complaint_case(api)
    licence = food_case(api)["id"]
    with runtime.engine.begin() as connection:  # as the clocks were started before the rule
        connection.execute(update(CaseClock).values(extension_allowance_days=None, extension_basis=None))
    assert api.get(f"/api/process-instances/{complaint}/clock").get_json()["extension_allowance_days"] == 10
    try:
        migrate(runtime, "0030", down=True)
        migrate(runtime, "0031")
    finally:
        migrate(runtime, "heads")
    no_statutory_extension(api.get(f"/api/process-instances/{complaint}/clock").get_json())
    assert api.get(f"/api/process-instances/{licence}/clock").get_json()["extension_allowance_days"] == 10
