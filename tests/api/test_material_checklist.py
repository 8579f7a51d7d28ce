"""The guide's material list against what a case holds: each department sees what it needs and that it
is already there, so nobody asks the applicant twice (SX32, LY47)."""
from __future__ import annotations

import io

from tests.helpers import ROOT
from tests.service_items import FOOD_APPLICATION

ITEM = ROOT / "bpmn" / "SCJG-XK-0001"
PDF = b"%PDF-1.7\n" + b"0" * 200 + b"\n%%EOF\n"
APPLICATION = "食品经营许可申请书"


def put_department(api, code: str, name: str, *groups: str) -> None:  # type: ignore[no-untyped-def]
    response = api.client.put(f"/api/departments/{code}", json={"name": name, "groups": list(groups)},
                              headers=api.headers())
    assert response.status_code == 201, response.get_json()


def upload(api, instance_id: int, name: str) -> int:  # type: ignore[no-untyped-def]
    caller = api.as_("integrator")
    response = caller.client.post(f"/api/process-instances/{instance_id}/materials",
                                  data={"file": (io.BytesIO(PDF), "scan.pdf"), "name": name},
                                  headers=caller.headers(), content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return int(response.get_json()["id"])


def test_each_department_sees_what_it_needs_and_what_is_already_submitted(api) -> None:
    put_department(api, "ZWFW", "政务服务中心", "window")
    put_department(api, "SCJG", "市场监督管理局", "chief", "food_review")
    api.deploy(*sorted(ITEM.glob("*.bpmn")), ITEM / "guide.json", *sorted((ROOT / "forms").glob("*.form")))
    case = api.start("food_business_licence", business_key="SC-2026-0001", variables=FOOD_APPLICATION)
    first = upload(api, case["id"], APPLICATION)
    upload(api, case["id"], APPLICATION)  # a corrected scan: both are kept, oldest first
    stray = upload(api, case["id"], "现场照片")

    url = f"/api/process-instances/{case['id']}/materials/checklist"
    window = api.as_("window_clerk").get(url).get_json()  # the front desk: takes part, needs none itself
    assert window["item_code"] == "SCJG-XK-0001"
    assert len(window["items"]) == 7 and not any(item["needed_by_me"] for item in window["items"])
    [application] = [item for item in window["items"] if item["name"] == APPLICATION]
    assert application["key"] is True and application["departments"] == ["SCJG"]
    assert [m["id"] for m in application["submitted"]][0] == first and len(application["submitted"]) == 2
    assert [m["id"] for m in window["unlisted"]] == [stray]

    chief = api.as_("chief_rep").get(url).get_json()  # the lead department needs every material here
    assert all(item["needed_by_me"] for item in chief["items"])
    missing = [item["name"] for item in chief["items"] if item["key"] and not item["submitted"]]
    assert missing == ["营业执照或者其他主体资格证明文件复印件", "与食品经营相适应的主要设备设施、经营布局、操作流程等文件"]

    assert api.as_("office_clerk").get(url).status_code == 404  # no department, no task in the case
