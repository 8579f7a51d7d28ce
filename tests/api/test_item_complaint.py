"""政务服务投诉 (bpmn/complaint): the desk names the responsible group from the library's groups, so a
registered complaint always lands in a queue someone works (LY53, XA35)."""
from __future__ import annotations

import re

from tests.applicants import add_clerk
from tests.helpers import ApiClient, complete_open_task, open_steps, open_task
from tests.service_items import LIBRARY, deploy_item, form_options


def filed(api: ApiClient) -> int:
    deploy_item(api, "complaint")
    answer = api.client.post("/api/public/complaints", json={
        "name": "李四", "phone": "13912345678", "content": "窗口工作人员推诿，要求多次提交同一材料"})
    assert answer.status_code == 201, answer.get_json()
    found = api.as_("supervisor").get("/api/process-instances",
                                      query_string={"business_key": answer.get_json()["complaint_no"]})
    [case] = found.get_json()["items"]
    return int(case["id"])


def test_the_register_form_offers_every_group_the_library_s_diagrams_give_work_to():
    groups = {group for path in LIBRARY.glob("*/*.bpmn")
              for group in re.findall(r'camunda:candidateGroups="([a-z_]+)"', path.read_text(encoding="utf-8"))}
    assert set(form_options("complaint-register.form", "handling_group")) == groups


def test_a_group_no_one_works_is_refused_and_the_complaint_stays_with_the_desk(api):
    case_id = filed(api)
    desk = add_clerk(api, "desk_clerk", "complaints")
    refused = complete_open_task(desk, case_id, "register", reader="admin", expect=422, handling_group="窗口科")
    [problem] = refused["error"]["details"]
    assert (problem["field"], problem["rule"]) == ("variables.handling_group", "options")
    assert "window" in problem["params"]["options"]
    assert open_steps(api, case_id) == ["register"]

    complete_open_task(desk, case_id, "register", reader="admin", handling_group="window")
    handle = open_task(api, case_id, "handle", reader="admin")
    assert handle["candidate_groups"] == ["window"]
    queue = api.as_("window_clerk").get("/api/tasks", query_string={"mine": "true"}).get_json()["items"]
    assert [t["id"] for t in queue if t["process_instance_id"] == case_id] == [handle["id"]]
